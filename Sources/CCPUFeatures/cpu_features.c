#include "CCPUFeatures.h"

#if defined(__x86_64__)
#include <cpuid.h>

int ccpu_has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    // AVX itself, and XSAVE enabled by the OS (OSXSAVE), without which XGETBV faults.
    if (!(c & bit_AVX) || !(c & bit_OSXSAVE)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    // XCR0 bits 1 and 2: the OS preserves the SSE and the upper AVX register state.
    if ((lo & 6u) != 6u) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & bit_AVX2) != 0;
}
#else
int ccpu_has_avx2(void) { return 0; }
#endif
