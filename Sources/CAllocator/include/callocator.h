#ifndef CALLOCATOR_H
#define CALLOCATOR_H

#include <stddef.h>

/// Tells the C allocator to keep the memory a process frees for its next allocations, rather
/// than returning it to the operating system and faulting it in again, and to back that memory
/// with huge pages (see allocator.c). Call before the process starts its first thread.
/// Returns 1 when every allocator setting was taken, 0 otherwise (or where the allocator is not
/// glibc's: the call then does nothing).
int callocator_keep_freed_memory(void);

/// Grows the calling thread's arena by about `bytes` (in blocks below the mmap threshold, which
/// `callocator_keep_freed_memory` raises to 32 MiB), advises the kernel to back those blocks
/// with transparent huge pages, and frees them back to the arena. Returns the bytes advised (the
/// blocks' whole 2 MiB pages); 0 where that is not possible.
size_t callocator_advise_huge_pages(size_t bytes);

#endif
