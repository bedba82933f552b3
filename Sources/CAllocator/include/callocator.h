#ifndef CALLOCATOR_H
#define CALLOCATOR_H

/// Tells the C allocator to keep the memory a process frees for its next allocations, rather
/// than returning it to the operating system and faulting it in again (see allocator.c).
/// Call before the process starts its first thread. Returns 1 when every setting was taken,
/// 0 otherwise (or where the allocator is not glibc's: the call then does nothing).
int callocator_keep_freed_memory(void);

#endif
