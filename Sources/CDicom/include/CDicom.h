// Plain C API over DCMTK (implemented in C++17 in cdicom.cpp), so that Swift needs no C++
// interop. It exposes only what the readers need: opening a file, reading attribute values from
// the dataset and from sequence items, and decoding the pixel data of a single-frame image.
//
// The functions are implemented by a DCMTK backend (Sources/CDicomDCMTK) built as its own shared
// library, libRadiomicsDCMTK.so, which cdicom.c loads on the first call: see there for why.
//
// Tags are given as (group, element). Strings are copied into caller buffers; every string
// getter returns the full length of the value (excluding the terminating NUL) so that a caller
// can retry with a larger buffer, or -1 when the attribute is absent.
#ifndef CDICOM_H
#define CDICOM_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/// An open DICOM file (dataset plus meta header). Opaque.
typedef struct cdicom_file cdicom_file;
/// A dataset or a sequence item, owned by the file it came from (valid until the file is closed).
typedef struct cdicom_item cdicom_item;

/// 1 when the DCMTK backend is loaded (loading it on the first call); else 0 with the reason in
/// `err`. Only the loader defines it.
int cdicom_backend_available(char *err, size_t err_len);

/// DCMTK version string, e.g. "3.6.7"; "unavailable" when the backend cannot be loaded.
const char *cdicom_dcmtk_version(void);

/// Registers the JPEG, JPEG-LS and RLE decoders and silences DCMTK's logging. Safe to call more
/// than once and from several threads; the work is done once.
void cdicom_initialise(void);

/// Opens a DICOM file (with or without the 128-byte preamble). With `header_only` non-zero,
/// parsing stops before the pixel data. Returns NULL on failure and writes a message to `err`.
cdicom_file *cdicom_open(const char *path, int header_only, char *err, size_t err_len);

/// Closes a file and frees everything that belongs to it.
void cdicom_close(cdicom_file *file);

/// Non-zero when the file starts with the DICOM preamble and "DICM" magic.
int cdicom_has_preamble(const cdicom_file *file);

/// The dataset of an open file.
cdicom_item *cdicom_dataset(cdicom_file *file);

/// Transfer syntax UID and name of the pixel data as stored. Returns non-zero when the pixel
/// data is encapsulated (compressed).
int cdicom_transfer_syntax(const cdicom_file *file, char *uid, size_t uid_len, char *name, size_t name_len);

/// The whole value of an attribute as a string (multiple values separated by backslashes),
/// with surrounding spaces removed. Returns the value's length or -1 when absent.
long cdicom_get_string(cdicom_item *item, uint16_t group, uint16_t element, char *out, size_t out_len);

/// An integer value (US, SS, UL, SL, IS) at position `pos`. Returns 1 and writes `out` when
/// present, 0 when absent or not an integer; `out` is left untouched then.
int cdicom_get_long(cdicom_item *item, uint16_t group, uint16_t element, unsigned long pos, long *out);

/// Number of values of an attribute, or -1 when absent.
long cdicom_value_count(cdicom_item *item, uint16_t group, uint16_t element);

/// Up to `max_count` numeric values (DS, IS, FD, FL, integer VRs). Returns how many were
/// written, -1 when the attribute is absent, -2 when a value is not a number.
long cdicom_get_doubles(cdicom_item *item, uint16_t group, uint16_t element, double *out, long max_count);

/// Number of items of a sequence attribute, or -1 when absent.
long cdicom_sequence_count(cdicom_item *item, uint16_t group, uint16_t element);

/// Item `index` (0-based) of a sequence, or NULL.
cdicom_item *cdicom_sequence_item(cdicom_item *item, uint16_t group, uint16_t element, long index);

/// Decodes the pixel data of a single-frame, single-sample image into `count` floats (row by
/// row, as stored), applying `value * slope + intercept`. Compressed transfer syntaxes are
/// decoded first (JPEG, JPEG-LS, RLE). Returns 0 on success, else -1 with a message in `err`.
int cdicom_pixels_as_float(cdicom_file *file, float *out, int64_t count, double slope, double intercept,
                           char *err, size_t err_len);

/// Every function above by the name after `cdicom_`: the backend defines each one as
/// `cdicom_backend_<name>` with the same signature (checked there at compile time) and the
/// loader resolves them by that name.
#define CDICOM_FUNCTIONS(X) \
    X(dcmtk_version) X(initialise) X(open) X(close) X(has_preamble) X(dataset) X(transfer_syntax) \
    X(get_string) X(get_long) X(value_count) X(get_doubles) X(sequence_count) X(sequence_item) \
    X(pixels_as_float)

#ifdef __cplusplus
}
#endif
#endif
