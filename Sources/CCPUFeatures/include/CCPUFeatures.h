#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H

/// 1 when the processor has AVX2 and the operating system saves the 256-bit registers on a
/// context switch (both are needed to run AVX2 code), else 0; always 0 off x86-64.
int ccpu_has_avx2(void);

#endif
