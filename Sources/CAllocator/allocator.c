#include "callocator.h"

// <malloc.h> is glibc's (and defines __GLIBC__ through <features.h>); elsewhere the settings
// do not exist and the call does nothing.
#if defined(__linux__)
#include <malloc.h>
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
int callocator_keep_freed_memory(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    int ok = mallopt(M_ARENA_MAX, 1);
    ok &= mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ok &= mallopt(M_TRIM_THRESHOLD, 256 << 20);
    return ok;
#else
    return 0;
#endif
}
