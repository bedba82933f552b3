#include "callocator.h"

// <malloc.h> is glibc's (and defines __GLIBC__ through <features.h>); elsewhere the settings
// do not exist and the calls do nothing.
#if defined(__linux__)
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#endif

// A case allocates and frees a few buffers of megabytes each: the loaded image, its
// interpolated block, the discretised levels, the spectra of Moran's I and Geary's C. glibc
// serves each of those with its own mmap (above its mmap threshold) and unmaps it on free, and
// it hands each thread an arena of its own, whose freed memory the other threads cannot reuse.
// Every buffer then arrives as fresh pages, each zeroed by the kernel on its first write:
// 9,800 page faults for a 2 mm CT case, 20,000 for the CT phantom at 1 mm
// (docs/performance.md). So the process keeps one arena, serves allocations up to 32 MiB
// (glibc's largest threshold) from it, and keeps up to 256 MiB of freed memory for reuse: the
// 1 mm case then takes 12,900 faults. The peak resident memory stays within 7 % of what it was
// (either way, by case): one arena holds what the per-thread arenas held.
//
// The arena's memory is then asked to be backed by transparent huge pages: Debian enables them
// only where madvise asks. The arena grows by 128 MiB up front (address space only: a page is
// resident once written), that range is advised, and it is freed back to the arena, which keeps
// it. A case's first writes to its heap then fault once per 2 MiB instead of once per 4 KiB:
// STS_001 PET 4,900 to 900 faults, the CT phantom at 1 mm 14,700 to 2,400, with peaks within
// a few MiB of what they were.
int callocator_keep_freed_memory(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    int ok = mallopt(M_ARENA_MAX, 1);
    ok &= mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ok &= mallopt(M_TRIM_THRESHOLD, 256 << 20);
    if (ok) (void)callocator_advise_huge_pages((size_t)128 << 20);
    return ok;
#else
    return 0;
#endif
}

#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
/// Advises the whole 2 MiB pages within [lo, hi); returns the bytes advised.
static size_t advise_whole_huge_pages(uintptr_t lo, uintptr_t hi) {
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t start = (lo + huge - 1) & ~(huge - 1), end = hi & ~(huge - 1);
    return end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0 ? end - start : 0;
}
#endif

size_t callocator_advise_huge_pages(size_t bytes) {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    // Blocks below the 32 MiB mmap threshold come from the arena itself; freed, they stay in
    // it (below the trim threshold), and the advice stays with the address range.
    enum { most = 16 };
    const size_t block = (size_t)30 << 20;
    void *blocks[most];
    size_t sizes[most];
    int count = 0;
    size_t taken = 0, advised = 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    while (taken < bytes && count < most) {
        size_t size = bytes - taken < block ? bytes - taken : block;
        char *p = malloc(size);
        if (p == NULL) break;
        blocks[count] = p;
        sizes[count++] = size;
        taken += size;
        if ((uintptr_t)p < lo) lo = (uintptr_t)p;
        if ((uintptr_t)p + size > hi) hi = (uintptr_t)p + size;
    }
    // The blocks are carved one after another from the arena's top, a chunk header apart: the
    // range they span is advised at once, so the joins between them get huge pages too. Blocks
    // that lie apart (another arena's heaps) are advised one by one.
    if (count > 0 && hi - lo <= taken + (size_t)count * 64) {
        advised = advise_whole_huge_pages(lo, hi);
    } else {
        for (int i = 0; i < count; i++)
            advised += advise_whole_huge_pages((uintptr_t)blocks[i], (uintptr_t)blocks[i] + sizes[i]);
    }
    while (count > 0) free(blocks[--count]);
    return advised;
#else
    (void)bytes;
    return 0;
#endif
}
