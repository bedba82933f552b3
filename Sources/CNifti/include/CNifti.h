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

/// Turns a label map (any integer or float datatype, no intensity scaling) into a 0/1 mask in
/// one pass, with every comparison made on the voxel value converted to double: `*integral` is
/// set to 1 when every value is a whole number. For an integral map, `out[i]` is 1 where the
/// value equals `label` (`has_label` != 0) or is non-zero (no label); for a map with non-integer
/// values, where the value is >= 0.5 — unless a label was given, when nothing is written (such a
/// map has no labels). `*selected` receives the number of 1s. Returns 0, or -1 for an
/// unsupported datatype (complex, RGB).
int cnifti_select_mask(const nifti_image *nim, int has_label, double label, uint8_t *out, int64_t count,
                       int64_t *selected, int *integral);

/// Silences nifti_clib's messages to stderr (we report errors ourselves).
void cnifti_quiet(void);


/// The voxel-to-world (RAS, mm) affine as 12 row-major numbers (3 rows of 4): the sform when
/// sform_code > 0, else the qform when qform_code > 0, else a diagonal of the pixel spacings.
/// Returns which one was used: 2 sform, 1 qform, 0 spacing only.
int cnifti_affine(const nifti_image *nim, double out[12]);

/// Why a read failed. Swift turns each into a message naming the file.
typedef enum {
    CNIFTI_OK = 0,
    CNIFTI_OPEN_FAILED,      // open/read failed; `number` holds errno
    CNIFTI_EMPTY,            // the file has no bytes
    CNIFTI_GZIP_CORRUPT,     // gzip stream corrupt or truncated
    CNIFTI_TOO_LARGE,        // `needed` bytes exceed the memory limit `available`
    CNIFTI_SHORT_HEADER,     // fewer bytes (`available`) than a NIfTI header
    CNIFTI_NOT_NIFTI,        // sizeof_hdr is neither 348 nor 540 (either byte order)
    CNIFTI_PAIR_HEADER,      // magic "ni1"/"ni2": the data is in a separate .img file
    CNIFTI_BAD_MAGIC,        // NIfTI header size but no NIfTI magic (ANALYZE 7.5)
    CNIFTI_BAD_DIMS,         // dim[0] (`number`) or a dim[i] out of range
    CNIFTI_BAD_DATATYPE,     // unknown datatype `number`
    CNIFTI_BAD_BITPIX,       // bitpix `number` does not match the datatype (`needed` bits)
    CNIFTI_BAD_OFFSET,       // vox_offset `number` inside the header or beyond the payload
    CNIFTI_SHORT_PAYLOAD,    // header needs `needed` voxel bytes, the file holds `available`
    CNIFTI_HEADER_REJECTED,  // nifti_clib could not convert the header
    CNIFTI_OUT_OF_MEMORY,
} cnifti_status;

typedef struct {
    cnifti_status status;
    int64_t number;
    int64_t needed;
    int64_t available;
    /// 1 when the file was gzip-compressed.
    int gzipped;
    /// The header's dim[] and datatype, once a header was found (for messages).
    int64_t dim[8];
    int datatype;
    /// The header's pixdim[1..3] as stored (nifti_clib replaces values <= 0 by 1) and sform_code.
    double pixdim[3];
    int sform_code;
    /// When not NULL, the allocation that holds the image's voxel data (which then starts
    /// inside it): pass it to `cnifti_free`.
    void *owned;
    /// 1 when `cnifti_read_into` put the voxel data inside the caller's buffer: the image does
    /// not own it (`cnifti_free` leaves it alone).
    int in_dest;
} cnifti_result;

/// The number of bytes `cnifti_read_into` would write for `path`: the decompressed size a gzip
/// file's trailer gives (ISIZE), or an uncompressed file's length; -1 when it cannot tell.
int64_t cnifti_decoded_size(const char *path);

/// Reads a single-file NIfTI-1 or NIfTI-2 image (`.nii`, or gzip-compressed `.nii.gz`) into
/// memory and checks the header against the payload before nifti_clib builds the image:
/// gzip files are decompressed in one pass by libdeflate (the output buffer sized from the
/// gzip trailer, grown for multi-member streams), never beyond `max_bytes`; dimensions,
/// datatype, bitpix and vox_offset must describe data that the file actually holds, and the
/// voxel data may not need more than `max_bytes`. Returns the image with its data loaded (in
/// native byte order), or NULL with the reason in `result`.
///
/// The decompressed file (gzip) or the voxel data (uncompressed) go into the caller's buffer
/// `dest` (`dest_cap` bytes, aligned for any voxel type) when it is large enough: then the
/// image's data lies inside `dest` and `result->in_dest` is 1. Otherwise (or with `dest` NULL)
/// into memory of the reader's own, which `cnifti_free` releases.
nifti_image *cnifti_read_into(const char *path, int64_t max_bytes, void *dest, int64_t dest_cap,
                              cnifti_result *result);

/// `cnifti_read_into` without a destination, from bytes already in memory (`name` is used for
/// nifti_clib's file name fields).
nifti_image *cnifti_read_memory(const unsigned char *bytes, int64_t count, const char *name,
                                int64_t max_bytes, cnifti_result *result);

/// For an image whose voxel data `cnifti_read_into` put inside `dest`: when they are 4-byte
/// floats, moves the `count` voxels to the start of `dest`, scaled as `cnifti_copy_as_float`
/// scales them, and returns 0 (the image's data then points at `dest`). Returns -1, leaving
/// everything as it was, for any other datatype or when the data are not inside `dest`.
int cnifti_floats_in_place(nifti_image *nim, void *dest, int64_t count);

/// Frees an image from `cnifti_read_into` or `cnifti_read_memory`; `owned` is the result's
/// `owned`. Data inside a caller's buffer (`in_dest`) must be detached first
/// (`nim->data = NULL`).
void cnifti_free(nifti_image *nim, void *owned);
#endif
