// CDicom.h's functions, forwarded to the DCMTK backend (Sources/CDicomDCMTK), a shared library
// loaded on the first DICOM call. Linking DCMTK into the executable would make every process map
// and relocate it and what it pulls in (about 30 shared libraries: libtiff, libpng, libxml2, ICU,
// ...), about 6 ms per start on a machine where a whole NIfTI case at 2 mm takes 20-60 ms; a run
// that reads no DICOM now never loads them.
//
// The backend is looked for next to the executable, then in ../lib beside its directory (an
// installed layout), then on the dynamic linker's search path.
#define _GNU_SOURCE
#include "CDicom.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#define CDICOM_BACKEND_FILE "libRadiomicsDCMTK.dylib"
#else
#define CDICOM_BACKEND_FILE "libRadiomicsDCMTK.so"
#endif

#define CDICOM_POINTER(name) __typeof__(&cdicom_##name) name;
static struct {
    CDICOM_FUNCTIONS(CDICOM_POINTER)
} backend;
static int loaded;
static char load_error[1024];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

// The directory of the running executable (no trailing slash); 0 when it cannot be told.
static int executable_directory(char *out, size_t len) {
#ifdef __APPLE__
    uint32_t size = (uint32_t)len;
    if (_NSGetExecutablePath(out, &size) != 0) return 0;
#else
    ssize_t n = readlink("/proc/self/exe", out, len - 1);
    if (n <= 0) return 0;
    out[n] = '\0';
#endif
    char *slash = strrchr(out, '/');
    if (slash == NULL) return 0;
    *slash = '\0';
    return 1;
}

static void *open_backend(void) {
    char dir[PATH_MAX];
    if (executable_directory(dir, sizeof dir)) {
        const char *layouts[] = {"%s/" CDICOM_BACKEND_FILE, "%s/../lib/" CDICOM_BACKEND_FILE};
        for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
            char path[PATH_MAX + 64];
            snprintf(path, sizeof path, layouts[i], dir);
            if (access(path, F_OK) != 0) continue;
            // The file is there: if it does not load (a missing DCMTK library, say), that is the
            // error to report, not that of a later candidate.
            void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (handle == NULL) snprintf(load_error, sizeof load_error, "DICOM support unavailable: %s", dlerror());
            return handle;
        }
    }
    void *handle = dlopen(CDICOM_BACKEND_FILE, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL)
        snprintf(load_error, sizeof load_error,
                 "DICOM support unavailable: " CDICOM_BACKEND_FILE " is neither next to the executable (%s) "
                 "nor on the library path (build it with `make build` or `swift build --product RadiomicsDCMTK`)",
                 dir);
    return handle;
}

static void load_backend(void) {
    void *handle = open_backend();
    if (handle == NULL) return;
#define CDICOM_RESOLVE(name)                                                                        \
    backend.name = (__typeof__(backend.name))dlsym(handle, "cdicom_backend_" #name);              \
    if (backend.name == NULL) {                                                                     \
        snprintf(load_error, sizeof load_error,                                                    \
                 "DICOM support unavailable: " CDICOM_BACKEND_FILE " lacks cdicom_backend_" #name); \
        return;                                                                                     \
    }
    CDICOM_FUNCTIONS(CDICOM_RESOLVE)
    loaded = 1;
}

static int backend_ready(void) {
    pthread_once(&load_once, load_backend);
    return loaded;
}

int cdicom_backend_available(char *err, size_t err_len) {
    if (backend_ready()) return 1;
    if (err != NULL && err_len > 0) snprintf(err, err_len, "%s", load_error);
    return 0;
}

const char *cdicom_dcmtk_version(void) { return backend_ready() ? backend.dcmtk_version() : "unavailable"; }

void cdicom_initialise(void) {
    if (backend_ready()) backend.initialise();
}

cdicom_file *cdicom_open(const char *path, int header_only, char *err, size_t err_len) {
    if (!backend_ready()) {
        if (err != NULL && err_len > 0) snprintf(err, err_len, "%s", load_error);
        return NULL;
    }
    return backend.open(path, header_only, err, err_len);
}

// Files and items come only from cdicom_open, so the backend is loaded by the time these run.

void cdicom_close(cdicom_file *file) { backend.close(file); }

int cdicom_has_preamble(const cdicom_file *file) { return backend.has_preamble(file); }

cdicom_item *cdicom_dataset(cdicom_file *file) { return backend.dataset(file); }

int cdicom_transfer_syntax(const cdicom_file *file, char *uid, size_t uid_len, char *name, size_t name_len) {
    return backend.transfer_syntax(file, uid, uid_len, name, name_len);
}

long cdicom_get_string(cdicom_item *item, uint16_t group, uint16_t element, char *out, size_t out_len) {
    return backend.get_string(item, group, element, out, out_len);
}

int cdicom_get_long(cdicom_item *item, uint16_t group, uint16_t element, unsigned long pos, long *out) {
    return backend.get_long(item, group, element, pos, out);
}

long cdicom_value_count(cdicom_item *item, uint16_t group, uint16_t element) {
    return backend.value_count(item, group, element);
}

long cdicom_get_doubles(cdicom_item *item, uint16_t group, uint16_t element, double *out, long max_count) {
    return backend.get_doubles(item, group, element, out, max_count);
}

long cdicom_sequence_count(cdicom_item *item, uint16_t group, uint16_t element) {
    return backend.sequence_count(item, group, element);
}

cdicom_item *cdicom_sequence_item(cdicom_item *item, uint16_t group, uint16_t element, long index) {
    return backend.sequence_item(item, group, element, index);
}

int cdicom_pixels_as_float(cdicom_file *file, float *out, int64_t count, double slope, double intercept,
                           char *err, size_t err_len) {
    return backend.pixels_as_float(file, out, count, slope, intercept, err, err_len);
}
