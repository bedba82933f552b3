#include "CNifti.h"
#include <math.h>
#include <string.h>

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

// With scaling, each voxel goes to float first and the scaled value is computed in double from
// that float: the same two roundings as a copy followed by a separate scaling pass, in one pass.
#define SCALE_CASE(NIFTI_TYPE, CTYPE)                                                          \
    case NIFTI_TYPE: {                                                                          \
        const CTYPE *src = (const CTYPE *)nim->data;                                            \
        for (int64_t i = 0; i < count; i++) out[i] = (float)((double)(float)src[i] * slope + inter); \
        break;                                                                                  \
    }

int cnifti_copy_as_float(const nifti_image *nim, float *out, int64_t count) {
    if (nim == NULL || nim->data == NULL) return -1;
    double slope = nim->scl_slope, inter = nim->scl_inter;
    if (slope != 0.0 && isfinite(slope) && isfinite(inter) && !(slope == 1.0 && inter == 0.0)) {
        switch (nim->datatype) {
            SCALE_CASE(NIFTI_TYPE_UINT8, uint8_t)
            SCALE_CASE(NIFTI_TYPE_INT8, int8_t)
            SCALE_CASE(NIFTI_TYPE_UINT16, uint16_t)
            SCALE_CASE(NIFTI_TYPE_INT16, int16_t)
            SCALE_CASE(NIFTI_TYPE_UINT32, uint32_t)
            SCALE_CASE(NIFTI_TYPE_INT32, int32_t)
            SCALE_CASE(NIFTI_TYPE_UINT64, uint64_t)
            SCALE_CASE(NIFTI_TYPE_INT64, int64_t)
            SCALE_CASE(NIFTI_TYPE_FLOAT32, float)
            SCALE_CASE(NIFTI_TYPE_FLOAT64, double)
            default: return -1;
        }
        return 0;
    }
    if (nim->datatype == NIFTI_TYPE_FLOAT32) {
        memcpy(out, nim->data, (size_t)count * sizeof(float));
        return 0;
    }
#define OUT_T float
    COPY_ALL()
#undef OUT_T
    return 0;
}

int cnifti_copy_as_double(const nifti_image *nim, double *out, int64_t count) {
    if (nim == NULL || nim->data == NULL) return -1;
#define OUT_T double
    COPY_ALL()
#undef OUT_T
    return 0;
}

// ---------------------------------------------------------------------------------------------
// Label maps straight to a 0/1 byte mask. Every comparison is the one made on the value converted
// to double (as a label map read as doubles would be), so the selection is the same whatever the
// stored type; for types of at most 32 bits that conversion is exact and one-to-one, so the
// comparison runs on the stored integers.

/// Whether a double holds a whole number (infinities do, NaN does not), without libm.
static inline int is_integral(double v) {
    if (fabs(v) < 0x1p52) return (double)(int64_t)v == v;
    return v == v;
}

#define INTEGRAL_CASE(NIFTI_TYPE, CTYPE)                                           \
    case NIFTI_TYPE: {                                                             \
        const CTYPE *src = (const CTYPE *)nim->data;                               \
        for (int64_t i = 0; i < count; i++)                                        \
            if (!is_integral((double)src[i])) return 0;                            \
        return 1;                                                                  \
    }

/// 1 when every voxel is a whole number (always, for integer types).
static int all_integral(const nifti_image *nim, int64_t count) {
    switch (nim->datatype) {
        INTEGRAL_CASE(NIFTI_TYPE_FLOAT32, float)
        INTEGRAL_CASE(NIFTI_TYPE_FLOAT64, double)
        default: return 1;
    }
}

// out[i] = EXPR(v) for the stored value v, counting the selected voxels. The count is kept in
// a byte over blocks of 255 voxels, which lets the compiler run 16 voxels per vector step.
#define SELECT_LOOP(CTYPE, EXPR)                                                   \
    {                                                                              \
        const CTYPE *src = (const CTYPE *)nim->data;                               \
        int64_t i = 0;                                                             \
        while (i < count) {                                                        \
            int64_t end = count - i > 255 ? i + 255 : count;                       \
            uint8_t block = 0;                                                     \
            for (; i < end; i++) {                                                 \
                CTYPE v = src[i];                                                  \
                uint8_t b = (EXPR) ? 1 : 0;                                        \
                out[i] = b;                                                        \
                block += b;                                                        \
            }                                                                      \
            n += block;                                                            \
        }                                                                          \
    }

// A stored integer type of at most 32 bits: exact in double, so v == label compares integers
// when the label is one of the type's values, and matches nothing otherwise.
#define SMALL_INT_CASE(NIFTI_TYPE, CTYPE, LO, HI)                                  \
    case NIFTI_TYPE:                                                               \
        if (mode == 0) SELECT_LOOP(CTYPE, v != 0)                                  \
        else if (label >= (double)(LO) && label <= (double)(HI) && is_integral(label)) { \
            CTYPE want = (CTYPE)label;                                             \
            SELECT_LOOP(CTYPE, v == want)                                          \
        } else SELECT_LOOP(CTYPE, 0)                                               \
        break;

// 64-bit integers and floats: the comparisons on the value converted to double.
#define WIDE_CASE(NIFTI_TYPE, CTYPE)                                               \
    case NIFTI_TYPE:                                                               \
        if (mode == 0) SELECT_LOOP(CTYPE, (double)v != 0)                          \
        else if (mode == 1) SELECT_LOOP(CTYPE, (double)v == label)                 \
        else SELECT_LOOP(CTYPE, (double)v >= 0.5)                                  \
        break;

int cnifti_select_mask(const nifti_image *nim, int has_label, double label, uint8_t *out, int64_t count,
                       int64_t *selected, int *integral) {
    if (nim == NULL || nim->data == NULL) return -1;
    switch (nim->datatype) {
        case NIFTI_TYPE_UINT8: case NIFTI_TYPE_INT8: case NIFTI_TYPE_UINT16: case NIFTI_TYPE_INT16:
        case NIFTI_TYPE_UINT32: case NIFTI_TYPE_INT32: case NIFTI_TYPE_UINT64: case NIFTI_TYPE_INT64:
        case NIFTI_TYPE_FLOAT32: case NIFTI_TYPE_FLOAT64: break;
        default: return -1;
    }
    int whole = all_integral(nim, count);
    *integral = whole;
    *selected = 0;
    // A label cannot select in a map of non-integer values: the caller refuses it.
    if (!whole && has_label) return 0;
    // 0: non-zero voxels; 1: voxels equal to the label; 2: threshold at 0.5 (non-integer map).
    int mode = !whole ? 2 : (has_label ? 1 : 0);
    int64_t n = 0;
    switch (nim->datatype) {
        SMALL_INT_CASE(NIFTI_TYPE_UINT8, uint8_t, 0, UINT8_MAX)
        SMALL_INT_CASE(NIFTI_TYPE_INT8, int8_t, INT8_MIN, INT8_MAX)
        SMALL_INT_CASE(NIFTI_TYPE_UINT16, uint16_t, 0, UINT16_MAX)
        SMALL_INT_CASE(NIFTI_TYPE_INT16, int16_t, INT16_MIN, INT16_MAX)
        SMALL_INT_CASE(NIFTI_TYPE_UINT32, uint32_t, 0, UINT32_MAX)
        SMALL_INT_CASE(NIFTI_TYPE_INT32, int32_t, INT32_MIN, INT32_MAX)
        WIDE_CASE(NIFTI_TYPE_UINT64, uint64_t)
        WIDE_CASE(NIFTI_TYPE_INT64, int64_t)
        WIDE_CASE(NIFTI_TYPE_FLOAT32, float)
        WIDE_CASE(NIFTI_TYPE_FLOAT64, double)
        default: return -1;
    }
    *selected = n;
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

// ---------------------------------------------------------------------------------------------
// Reading with validation: the whole file (decompressed by libdeflate when gzip) in memory, the
// header checked against the bytes that are really there before anything is allocated for it.

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static nifti_image *fail(cnifti_result *r, cnifti_status s, int64_t number, int64_t needed, int64_t available) {
    r->status = s;
    r->number = number;
    r->needed = needed;
    r->available = available;
    return NULL;
}

/// Reads up to `count` bytes at `offset`; returns the number read, or -1 (errno set).
static int64_t read_at(int fd, unsigned char *out, int64_t count, int64_t offset) {
    int64_t done = 0;
    while (done < count) {
        ssize_t n = pread(fd, out + done, (size_t)(count - done), (off_t)(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) break;
        done += n;
    }
    return done;
}

/// What a validated header says about the payload.
typedef struct {
    int version;         // 1 or 2
    int swapped;         // header (and data) in the other byte order
    int64_t vox_offset;  // where the voxel data starts
    int64_t nbytes;      // bytes of voxel data
    nifti_1_header h1;
    nifti_2_header h2;
} header_info;

static int32_t bswap32(int32_t v) { return (int32_t)__builtin_bswap32((uint32_t)v); }

/// Checks the header in `head` (`head_len` bytes, the start of the file) against a file whose
/// uncompressed length is `total`. Fills `info`; returns 0 on success (with `r` untouched)
/// or -1 with the failure in `r`.
static int check_header(const unsigned char *head, int64_t head_len, int64_t total, int64_t max_bytes,
                        header_info *info, cnifti_result *r) {
    memset(info, 0, sizeof *info);
    if (head_len < 4) { fail(r, CNIFTI_SHORT_HEADER, 0, 348, total); return -1; }
    int32_t size;
    memcpy(&size, head, 4);
    if (size == 348 || bswap32(size) == 348) info->version = 1;
    else if (size == 540 || bswap32(size) == 540) info->version = 2;
    else { fail(r, CNIFTI_NOT_NIFTI, size, 0, total); return -1; }
    info->swapped = (size != 348 && size != 540);
    int64_t header_size = info->version == 1 ? 348 : 540;
    if (head_len < header_size) { fail(r, CNIFTI_SHORT_HEADER, 0, header_size, total); return -1; }

    int64_t dims[8];
    int datatype;
    int64_t vox_offset;
    const char *magic;
    if (info->version == 1) {
        memcpy(&info->h1, head, sizeof info->h1);
        if (info->swapped) swap_nifti_header(&info->h1, 1);
        for (int i = 0; i < 8; i++) dims[i] = info->h1.dim[i];
        for (int i = 0; i < 3; i++) r->pixdim[i] = info->h1.pixdim[i + 1];
        r->sform_code = info->h1.sform_code;
        datatype = info->h1.datatype;
        magic = info->h1.magic;
        float off = info->h1.vox_offset;
        if (!isfinite(off) || off < 0 || off > 9.0e18f) { fail(r, CNIFTI_BAD_OFFSET, -1, 0, total); return -1; }
        vox_offset = (int64_t)off;
        if (memcmp(magic, "ni1", 4) == 0) { fail(r, CNIFTI_PAIR_HEADER, 1, 0, total); return -1; }
        if (memcmp(magic, "n+1", 4) != 0) { fail(r, CNIFTI_BAD_MAGIC, 1, 0, total); return -1; }
    } else {
        memcpy(&info->h2, head, sizeof info->h2);
        if (info->swapped) swap_nifti_header(&info->h2, 2);
        for (int i = 0; i < 8; i++) dims[i] = info->h2.dim[i];
        for (int i = 0; i < 3; i++) r->pixdim[i] = info->h2.pixdim[i + 1];
        r->sform_code = info->h2.sform_code;
        datatype = info->h2.datatype;
        magic = info->h2.magic;
        vox_offset = info->h2.vox_offset;
        if (memcmp(magic, "ni2", 4) == 0) { fail(r, CNIFTI_PAIR_HEADER, 2, 0, total); return -1; }
        if (memcmp(magic, "n+2", 4) != 0) { fail(r, CNIFTI_BAD_MAGIC, 2, 0, total); return -1; }
    }
    for (int i = 0; i < 8; i++) r->dim[i] = dims[i];
    r->datatype = datatype;
    if (dims[0] < 1 || dims[0] > 7) { fail(r, CNIFTI_BAD_DIMS, 0, dims[0], total); return -1; }
    int64_t nvox = 1;
    int overflow = 0;
    for (int i = 1; i <= dims[0]; i++) {
        if (dims[i] < 1) { fail(r, CNIFTI_BAD_DIMS, i, dims[i], total); return -1; }
        overflow |= __builtin_mul_overflow(nvox, dims[i], &nvox);
    }
    int nbyper = 0, swapsize = 0;
    nifti_datatype_sizes(datatype, &nbyper, &swapsize);
    if (nbyper <= 0 || !nifti_datatype_is_valid(datatype, 1)) { fail(r, CNIFTI_BAD_DATATYPE, datatype, 0, total); return -1; }
    int64_t nbytes = 0, converted = 0, needed = 0;
    overflow |= __builtin_mul_overflow(nvox, (int64_t)nbyper, &nbytes);
    // The caller converts the voxels to 4- or 8-byte numbers: count that copy too.
    overflow |= __builtin_mul_overflow(nvox, (int64_t)8, &converted);
    overflow |= __builtin_add_overflow(nbytes, converted, &needed);
    if (vox_offset < header_size) { fail(r, CNIFTI_BAD_OFFSET, vox_offset, header_size, total); return -1; }
    if (vox_offset > total) { fail(r, CNIFTI_BAD_OFFSET, vox_offset, 0, total); return -1; }
    if (overflow || nbytes > total - vox_offset) {
        fail(r, CNIFTI_SHORT_PAYLOAD, nvox, overflow ? INT64_MAX : nbytes, total - vox_offset);
        return -1;
    }
    if (needed > max_bytes) { fail(r, CNIFTI_TOO_LARGE, nvox, needed, max_bytes); return -1; }
    info->vox_offset = vox_offset;
    info->nbytes = nbytes;
    return 0;
}

/// Builds the nifti_image from a checked header and takes ownership of `data` (`nbytes` long),
/// which lies inside the allocation `owner` when that is not NULL (recorded in `r->owned`, to be
/// released by `cnifti_free`), else is an allocation of its own.
static nifti_image *make_image(header_info *info, void *data, void *owner, const char *name, cnifti_result *r) {
    nifti_image *nim = info->version == 1 ? nifti_convert_n1hdr2nim(info->h1, name)
                                          : nifti_convert_n2hdr2nim(info->h2, name);
    // Data in a caller's buffer (`in_dest`) is not ours to free.
    void *allocation = r->in_dest ? NULL : owner ? owner : data;
    if (nim == NULL) { free(allocation); return fail(r, CNIFTI_HEADER_REJECTED, 0, 0, 0); }
    if ((int64_t)nim->nvox * nim->nbyper != info->nbytes) {
        free(allocation);
        nifti_image_free(nim);
        return fail(r, CNIFTI_HEADER_REJECTED, 0, info->nbytes, 0);
    }
    nim->data = data;
    r->owned = owner;
    if (info->swapped && nim->swapsize > 1) nifti_swap_Nbytes(nim->nvox, nim->swapsize, data);
    r->status = CNIFTI_OK;
    return nim;
}

// Large buffers on transparent huge pages, as RadiomicsCore's HugePages does for the Swift
// side: the decompressed image is written once, front to back, and with 4 KiB pages that first
// write is one page fault (and a zeroed page) per 4 KiB. Best effort; a no-op elsewhere.
static void advise_huge_pages(void *p, size_t n) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    long page = sysconf(_SC_PAGESIZE);
    if (p == NULL || n < ((size_t)2 << 20) || page <= 0) return;
    uintptr_t start = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
    if (end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

/// Decompresses the gzip members of `in` from `*pos_in` on into `out` (`cap` bytes) from
/// `*pos_out` on, advancing both past each member done. Returns LIBDEFLATE_SUCCESS when no
/// member is left (anything but another member after the first is padding, as some writers
/// leave), else the result for the member that stopped: then the positions are at its start.
static enum libdeflate_result inflate_members(struct libdeflate_decompressor *d, const unsigned char *in,
                                              int64_t in_len, unsigned char *out, int64_t cap,
                                              int64_t *pos_in, int64_t *pos_out) {
    while (*pos_in < in_len) {
        if (in_len - *pos_in < 18 || in[*pos_in] != 0x1f || in[*pos_in + 1] != 0x8b) break;
        size_t used = 0, produced = 0;
        enum libdeflate_result res = libdeflate_gzip_decompress_ex(
            d, in + *pos_in, (size_t)(in_len - *pos_in), out + *pos_out, (size_t)(cap - *pos_out), &used, &produced);
        if (res != LIBDEFLATE_SUCCESS) return res;
        *pos_in += (int64_t)used;
        *pos_out += (int64_t)produced;
    }
    return LIBDEFLATE_SUCCESS;
}

/// Decompresses a (possibly multi-member) gzip stream with libdeflate into one buffer. The
/// buffer starts at the size the trailer records (ISIZE, the last member's size mod 2^32),
/// limited by what deflate can expand to (1032:1), and doubles when that is too small, never
/// beyond `max_bytes`.
static unsigned char *gunzip(const unsigned char *in, int64_t in_len, int64_t max_bytes, int64_t *out_len,
                             cnifti_result *r) {
    if (in_len < 18) { fail(r, CNIFTI_GZIP_CORRUPT, 0, 0, in_len); return NULL; }
    uint32_t isize = (uint32_t)in[in_len - 4] | (uint32_t)in[in_len - 3] << 8 |
                     (uint32_t)in[in_len - 2] << 16 | (uint32_t)in[in_len - 1] << 24;
    int64_t bound = in_len > INT64_MAX / 1100 ? INT64_MAX : in_len * 1032 + 1024;
    int64_t cap = isize < 4096 ? 4096 : (int64_t)isize;
    if (cap > bound) cap = bound;
    if (cap > max_bytes) {
        if ((int64_t)isize > max_bytes && (int64_t)isize <= bound) {
            fail(r, CNIFTI_TOO_LARGE, -1, isize, max_bytes);
            return NULL;
        }
        cap = max_bytes;
    }
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    unsigned char *out = d ? malloc((size_t)cap) : NULL;
    if (out == NULL) { libdeflate_free_decompressor(d); fail(r, CNIFTI_OUT_OF_MEMORY, 0, cap, 0); return NULL; }
    advise_huge_pages(out, (size_t)cap);
    int64_t pos_in = 0, pos_out = 0;
    enum libdeflate_result res;
    while ((res = inflate_members(d, in, in_len, out, cap, &pos_in, &pos_out)) == LIBDEFLATE_INSUFFICIENT_SPACE) {
        if (cap >= max_bytes) {
            free(out);
            libdeflate_free_decompressor(d);
            fail(r, CNIFTI_TOO_LARGE, -1, cap + 1, max_bytes);
            return NULL;
        }
        int64_t grown = cap > max_bytes / 2 ? max_bytes : cap * 2;
        unsigned char *bigger = realloc(out, (size_t)grown);
        if (bigger == NULL) {
            free(out);
            libdeflate_free_decompressor(d);
            fail(r, CNIFTI_OUT_OF_MEMORY, 0, grown, 0);
            return NULL;
        }
        out = bigger;
        advise_huge_pages(out, (size_t)grown);
        cap = grown;
    }
    if (res != LIBDEFLATE_SUCCESS) pos_out = -1;
    libdeflate_free_decompressor(d);
    if (pos_out < 0 || pos_in == 0) {
        free(out);
        fail(r, CNIFTI_GZIP_CORRUPT, 0, 0, in_len);
        return NULL;
    }
    *out_len = pos_out;
    return out;
}

/// Decompresses a gzip stream (every member) into `out` of `cap` bytes. Returns the bytes
/// written, or -1 when they do not fit or the stream does not decode (`gunzip` then says which).
static int64_t gunzip_into(const unsigned char *in, int64_t in_len, unsigned char *out, int64_t cap) {
    if (in_len < 18 || out == NULL) return -1;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (d == NULL) return -1;
    int64_t pos_in = 0, pos_out = 0;
    enum libdeflate_result res = inflate_members(d, in, in_len, out, cap, &pos_in, &pos_out);
    if (res != LIBDEFLATE_SUCCESS) pos_out = -1;
    libdeflate_free_decompressor(d);
    return pos_in == 0 ? -1 : pos_out;
}

/// Validates and builds from a decompressed buffer: one this function takes over, or, when
/// `borrowed`, the caller's (`cnifti_read_into`'s `dest`), which it never frees.
static nifti_image *from_decompressed(unsigned char *buf, int64_t len, const char *name, int64_t max_bytes,
                                      int borrowed, cnifti_result *r) {
    header_info info;
    if (check_header(buf, len, len, max_bytes, &info, r) != 0) {
        if (!borrowed) free(buf);
        return NULL;
    }
    r->in_dest = borrowed;
    // The voxels stay where they were decompressed (the image's data points into the buffer)
    // when that place is aligned for any voxel type, as the usual offsets 352 and 544 are; else
    // they move to the front of the buffer, which then shrinks to them (an own buffer).
    if (info.vox_offset % 16 == 0) return make_image(&info, buf + info.vox_offset, borrowed ? NULL : buf, name, r);
    memmove(buf, buf + info.vox_offset, (size_t)info.nbytes);
    unsigned char *data = borrowed ? NULL : realloc(buf, info.nbytes > 0 ? (size_t)info.nbytes : 1);
    if (data == NULL) data = buf;
    return make_image(&info, data, NULL, name, r);
}

static int is_gzip(const unsigned char *b, int64_t n) { return n >= 2 && b[0] == 0x1f && b[1] == 0x8b; }

nifti_image *cnifti_read_memory(const unsigned char *bytes, int64_t count, const char *name, int64_t max_bytes,
                                cnifti_result *result) {
    memset(result, 0, sizeof *result);
    if (count <= 0) return fail(result, CNIFTI_EMPTY, 0, 0, 0);
    if (is_gzip(bytes, count)) {
        result->gzipped = 1;
        int64_t len = 0;
        unsigned char *buf = gunzip(bytes, count, max_bytes, &len, result);
        return buf ? from_decompressed(buf, len, name, max_bytes, 0, result) : NULL;
    }
    header_info info;
    if (check_header(bytes, count, count, max_bytes, &info, result) != 0) return NULL;
    void *data = malloc(info.nbytes > 0 ? (size_t)info.nbytes : 1);
    if (data == NULL) return fail(result, CNIFTI_OUT_OF_MEMORY, 0, info.nbytes, 0);
    memcpy(data, bytes + info.vox_offset, (size_t)info.nbytes);
    return make_image(&info, data, NULL, name, result);
}

int64_t cnifti_decoded_size(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    unsigned char head[2], tail[4];
    int64_t size = -1;
    if (fstat(fd, &st) == 0 && st.st_size >= 2 && read_at(fd, head, 2, 0) == 2) {
        if (!is_gzip(head, 2)) size = (int64_t)st.st_size;
        else if (st.st_size >= 18 && read_at(fd, tail, 4, (int64_t)st.st_size - 4) == 4) {
            size = (int64_t)((uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 | (uint32_t)tail[3] << 24);
            // A trailer can claim anything; deflate expands at most 1032:1 (as in gunzip).
            int64_t bound = (int64_t)st.st_size > INT64_MAX / 1100 ? INT64_MAX : (int64_t)st.st_size * 1032 + 1024;
            if (size > bound) size = bound;
        }
    }
    close(fd);
    return size;
}

int cnifti_floats_in_place(nifti_image *nim, void *dest, int64_t count) {
    if (nim == NULL || dest == NULL || nim->data == NULL || nim->datatype != NIFTI_TYPE_FLOAT32 ||
        (int64_t)nim->nvox != count || (unsigned char *)nim->data < (unsigned char *)dest)
        return -1;
    float *out = dest;
    memmove(out, nim->data, (size_t)count * sizeof(float));
    nim->data = out;
    double slope = nim->scl_slope, inter = nim->scl_inter;
    // The arithmetic of cnifti_copy_as_float, element by element in place.
    if (slope != 0.0 && isfinite(slope) && isfinite(inter) && !(slope == 1.0 && inter == 0.0)) {
        for (int64_t i = 0; i < count; i++) out[i] = (float)((double)out[i] * slope + inter);
    }
    return 0;
}

nifti_image *cnifti_read_into(const char *path, int64_t max_bytes, void *dest, int64_t dest_cap,
                              cnifti_result *result) {
    memset(result, 0, sizeof *result);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(result, CNIFTI_OPEN_FAILED, errno, 0, 0);
    struct stat st;
    if (fstat(fd, &st) != 0) { int e = errno; close(fd); return fail(result, CNIFTI_OPEN_FAILED, e, 0, 0); }
    int64_t size = (int64_t)st.st_size;
    if (size == 0) { close(fd); return fail(result, CNIFTI_EMPTY, 0, 0, 0); }
    unsigned char head[544];
    int64_t head_len = read_at(fd, head, size < 544 ? size : 544, 0);
    if (head_len < 0) { int e = errno; close(fd); return fail(result, CNIFTI_OPEN_FAILED, e, 0, 0); }
    if (is_gzip(head, head_len)) {
        // The compressed file in memory, then libdeflate in one call per gzip member.
        result->gzipped = 1;
        if (size > max_bytes) { close(fd); return fail(result, CNIFTI_TOO_LARGE, -1, size, max_bytes); }
        unsigned char *packed = malloc((size_t)size);
        if (packed == NULL) { close(fd); return fail(result, CNIFTI_OUT_OF_MEMORY, 0, size, 0); }
        advise_huge_pages(packed, (size_t)size);
        int64_t got = read_at(fd, packed, size, 0);
        int e = errno;
        close(fd);
        if (got != size) { free(packed); return fail(result, CNIFTI_OPEN_FAILED, got < 0 ? e : EIO, 0, 0); }
        int64_t len = dest_cap <= max_bytes ? gunzip_into(packed, size, dest, dest_cap) : -1;
        if (len >= 0) {
            free(packed);
            return from_decompressed(dest, len, path, max_bytes, 1, result);
        }
        unsigned char *buf = gunzip(packed, size, max_bytes, &len, result);
        free(packed);
        if (buf == NULL) return NULL;
        return from_decompressed(buf, len, path, max_bytes, 0, result);
    }
    // Uncompressed: the header is checked against the file size before the payload is read.
    header_info info;
    if (check_header(head, head_len, size, max_bytes, &info, result) != 0) { close(fd); return NULL; }
    int borrowed = dest != NULL && info.nbytes <= dest_cap;
    void *data = borrowed ? dest : malloc(info.nbytes > 0 ? (size_t)info.nbytes : 1);
    if (data == NULL) { close(fd); return fail(result, CNIFTI_OUT_OF_MEMORY, 0, info.nbytes, 0); }
    if (!borrowed) advise_huge_pages(data, (size_t)info.nbytes);
    int64_t got = read_at(fd, data, info.nbytes, info.vox_offset);
    int e = errno;
    close(fd);
    result->in_dest = borrowed;
    if (got != info.nbytes) {
        if (!borrowed) free(data);
        if (got < 0) return fail(result, CNIFTI_OPEN_FAILED, e, 0, 0);
        return fail(result, CNIFTI_SHORT_PAYLOAD, 0, info.nbytes, got);
    }
    return make_image(&info, data, NULL, path, result);
}

void cnifti_free(nifti_image *nim, void *owned) {
    if (nim == NULL) return;
    if (owned != NULL) {
        nim->data = NULL;
        free(owned);
    }
    nifti_image_free(nim);
}
