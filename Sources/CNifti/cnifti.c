#include "CNifti.h"
#include <math.h>

#define COPY_CASE(NIFTI_TYPE, CTYPE)                                   \
    case NIFTI_TYPE: {                                                 \
        const CTYPE *src = (const CTYPE *)nim->data;                   \
        for (int64_t i = 0; i < count; i++) out[i] = (OUT_T)src[i];    \
        break;                                                         \
    }

#define COPY_ALL()                                                     \
    switch (nim->datatype) {                                           \
        COPY_CASE(NIFTI_TYPE_UINT8, uint8_t)                           \
        COPY_CASE(NIFTI_TYPE_INT8, int8_t)                             \
        COPY_CASE(NIFTI_TYPE_UINT16, uint16_t)                         \
        COPY_CASE(NIFTI_TYPE_INT16, int16_t)                           \
        COPY_CASE(NIFTI_TYPE_UINT32, uint32_t)                         \
        COPY_CASE(NIFTI_TYPE_INT32, int32_t)                           \
        COPY_CASE(NIFTI_TYPE_UINT64, uint64_t)                         \
        COPY_CASE(NIFTI_TYPE_INT64, int64_t)                           \
        COPY_CASE(NIFTI_TYPE_FLOAT32, float)                           \
        COPY_CASE(NIFTI_TYPE_FLOAT64, double)                          \
        default: return -1;                                            \
    }

int cnifti_copy_as_float(const nifti_image *nim, float *out, int64_t count) {
    if (nim == NULL || nim->data == NULL) return -1;
#define OUT_T float
    COPY_ALL()
#undef OUT_T
    double slope = nim->scl_slope, inter = nim->scl_inter;
    if (slope != 0.0 && isfinite(slope) && isfinite(inter) && !(slope == 1.0 && inter == 0.0)) {
        for (int64_t i = 0; i < count; i++) out[i] = (float)((double)out[i] * slope + inter);
    }
    return 0;
}

int cnifti_copy_as_double(const nifti_image *nim, double *out, int64_t count) {
    if (nim == NULL || nim->data == NULL) return -1;
#define OUT_T double
    COPY_ALL()
#undef OUT_T
    return 0;
}

void cnifti_quiet(void) { nifti_set_debug_level(0); }

int cnifti_affine(const nifti_image *nim, double out[12]) {
    const nifti_dmat44 *m = NULL;
    int which = 0;
    if (nim->sform_code > 0) { m = &nim->sto_xyz; which = 2; }
    else if (nim->qform_code > 0) { m = &nim->qto_xyz; which = 1; }
    if (m != NULL) {
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++) out[r * 4 + c] = m->m[r][c];
        return which;
    }
    double d[3] = {nim->dx, nim->dy, nim->dz};
    for (int r = 0; r < 3; r++)
        for (int c = 0; c < 4; c++) out[r * 4 + c] = (r == c) ? (d[r] > 0 ? d[r] : 1.0) : 0.0;
    return 0;
}
