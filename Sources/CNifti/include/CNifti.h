// Forwarding header for nifti_clib's NIfTI-2 API (which reads NIfTI-1 and NIfTI-2 files).
// nifti2_io.h includes <znzlib.h>, which Debian installs only under /usr/include/nifti, so the
// headers are named by their full path here and znzlib.h is reached through nifti/.
#ifndef CNIFTI_H
#define CNIFTI_H
#include <nifti/nifti2_io.h>
#include <stdint.h>

/// Converts the voxel data of `nim` (any NIfTI datatype) to float, applying scl_slope and
/// scl_inter when the slope is non-zero and finite. Returns 0 on success, -1 for an unsupported
/// datatype (complex, RGB).
int cnifti_copy_as_float(const nifti_image *nim, float *out, int64_t count);

/// Same as above without intensity scaling, to double (for masks).
int cnifti_copy_as_double(const nifti_image *nim, double *out, int64_t count);

/// Silences nifti_clib's messages to stderr (we report errors ourselves).
void cnifti_quiet(void);


/// The voxel-to-world (RAS, mm) affine as 12 row-major numbers (3 rows of 4): the sform when
/// sform_code > 0, else the qform when qform_code > 0, else a diagonal of the pixel spacings.
/// Returns which one was used: 2 sform, 1 qform, 0 spacing only.
int cnifti_affine(const nifti_image *nim, double out[12]);
#endif
