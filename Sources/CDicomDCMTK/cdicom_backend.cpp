// DCMTK behind the plain C API of CDicom.h. Built as the shared library libRadiomicsDCMTK.so,
// which Sources/CDicom/cdicom.c loads on the first DICOM call; every cdicom_<name> of CDicom.h is
// defined here as cdicom_backend_<name>, with the same signature (asserted at the end).
#include "CDicom.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <type_traits>

struct cdicom_file {
    DcmFileFormat format;
    bool preamble = false;
};

namespace {

void writeError(char *err, size_t len, const std::string &message) {
    if (err == nullptr || len == 0) return;
    std::snprintf(err, len, "%s", message.c_str());
}

DcmItem *asItem(cdicom_item *item) { return reinterpret_cast<DcmItem *>(item); }
cdicom_item *fromItem(DcmItem *item) { return reinterpret_cast<cdicom_item *>(item); }

std::string trimmed(const OFString &s) {
    size_t b = 0, e = s.length();
    while (b < e && (s[b] == ' ' || s[b] == '\0')) b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\0')) e--;
    return std::string(s.c_str() + b, e - b);
}

bool filePreamble(const char *path) {
    FILE *f = std::fopen(path, "rb");
    if (f == nullptr) return false;
    char buf[132];
    size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    return n == sizeof buf && std::memcmp(buf + 128, "DICM", 4) == 0;
}

// Parses a backslash-separated list of decimal numbers (DS, IS) with strtod; one pass over the
// string, unlike DCMTK's per-position getters which rescan the value for every position.
long parseDecimalList(const char *value, size_t length, double *out, long maxCount) {
    const char *p = value;
    const char *end = p + length;
    long n = 0;
    while (p < end && n < maxCount) {
        const char *stop = static_cast<const char *>(std::memchr(p, '\\', static_cast<size_t>(end - p)));
        if (stop == nullptr) stop = end;
        std::string token(p, static_cast<size_t>(stop - p));
        char *parsed = nullptr;
        double v = std::strtod(token.c_str(), &parsed);
        while (parsed != nullptr && *parsed == ' ') parsed++;
        if (parsed == token.c_str() || (parsed != nullptr && *parsed != '\0')) return -2;
        out[n++] = v;
        p = stop + 1;
    }
    return n;
}

}  // namespace

extern "C" const char *cdicom_backend_dcmtk_version(void) { return OFFIS_DCMTK_VERSION_STRING; }

extern "C" void cdicom_backend_initialise(void) {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

extern "C" cdicom_file *cdicom_backend_open(const char *path, int header_only, char *err, size_t err_len) {
    cdicom_backend_initialise();
    auto *file = new cdicom_file();
    OFCondition status = header_only
        ? file->format.loadFileUntilTag(path, EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect, DCM_PixelData)
        : file->format.loadFile(path);
    if (status.bad()) {
        writeError(err, err_len, std::string("not a readable DICOM file (") + status.text() + ")");
        delete file;
        return nullptr;
    }
    file->preamble = filePreamble(path);
    return file;
}

extern "C" void cdicom_backend_close(cdicom_file *file) { delete file; }

extern "C" int cdicom_backend_has_preamble(const cdicom_file *file) { return file != nullptr && file->preamble; }

extern "C" cdicom_item *cdicom_backend_dataset(cdicom_file *file) { return fromItem(file->format.getDataset()); }

extern "C" int cdicom_backend_transfer_syntax(const cdicom_file *file, char *uid, size_t uid_len, char *name, size_t name_len) {
    DcmDataset *ds = const_cast<cdicom_file *>(file)->format.getDataset();
    E_TransferSyntax x = ds->getOriginalXfer();
    std::string xferUID, xferName;
    bool encapsulated = false;
    // A file read with its meta header names the syntax there; trust it when the dataset's own
    // detection is unknown.
    if (x == EXS_Unknown) {
        OFString metaUID;
        const_cast<cdicom_file *>(file)->format.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, metaUID);
        DcmXfer fromMeta(metaUID.c_str());
        xferUID = metaUID.c_str();
        xferName = fromMeta.getXfer() == EXS_Unknown ? "unknown transfer syntax" : fromMeta.getXferName();
        encapsulated = fromMeta.getXfer() != EXS_Unknown && fromMeta.isEncapsulated();
    } else {
        DcmXfer known(x);
        xferUID = known.getXferID();
        xferName = known.getXferName();
        encapsulated = known.isEncapsulated();
    }
    if (uid != nullptr && uid_len > 0) std::snprintf(uid, uid_len, "%s", xferUID.c_str());
    if (name != nullptr && name_len > 0) std::snprintf(name, name_len, "%s", xferName.c_str());
    return encapsulated ? 1 : 0;
}

extern "C" long cdicom_backend_get_string(cdicom_item *item, uint16_t group, uint16_t element, char *out, size_t out_len) {
    OFString value;
    if (asItem(item)->findAndGetOFStringArray(DcmTagKey(group, element), value).bad()) return -1;
    std::string s = trimmed(value);
    if (out != nullptr && out_len > 0) std::snprintf(out, out_len, "%s", s.c_str());
    return static_cast<long>(s.length());
}

extern "C" int cdicom_backend_get_long(cdicom_item *item, uint16_t group, uint16_t element, unsigned long pos, long *out) {
    // DCMTK writes 0 to its output when the attribute is missing, so read into a temporary.
    long int value = 0;
    if (asItem(item)->findAndGetLongInt(DcmTagKey(group, element), value, pos).bad()) return 0;
    *out = value;
    return 1;
}

extern "C" long cdicom_backend_value_count(cdicom_item *item, uint16_t group, uint16_t element) {
    DcmElement *el = nullptr;
    if (asItem(item)->findAndGetElement(DcmTagKey(group, element), el).bad() || el == nullptr) return -1;
    DcmEVR vr = el->ident();
    if (vr == EVR_DS || vr == EVR_IS) {
        // DCMTK's getVM() is slow on long strings (thousands of contour coordinates); count the
        // separators in the raw value instead.
        char *raw = nullptr;
        if (el->getString(raw).bad() || raw == nullptr) return 0;
        const Uint32 length = el->getLength();
        bool blank = true;
        long separators = 0;
        for (Uint32 i = 0; i < length && raw[i] != '\0'; i++) {
            if (raw[i] == '\\') separators++;
            else if (raw[i] != ' ') blank = false;
        }
        return (blank && separators == 0) ? 0 : separators + 1;
    }
    return static_cast<long>(el->getVM());
}

extern "C" long cdicom_backend_get_doubles(cdicom_item *item, uint16_t group, uint16_t element, double *out, long max_count) {
    DcmElement *el = nullptr;
    if (asItem(item)->findAndGetElement(DcmTagKey(group, element), el).bad() || el == nullptr) return -1;
    DcmEVR vr = el->ident();
    if (vr == EVR_DS || vr == EVR_IS) {
        char *raw = nullptr;
        if (el->getString(raw).bad()) return -2;
        if (raw == nullptr) return 0;
        size_t length = 0;
        const Uint32 limit = el->getLength();
        while (length < limit && raw[length] != '\0') length++;
        return parseDecimalList(raw, length, out, max_count);
    }
    unsigned long vm = el->getVM();
    long n = 0;
    for (unsigned long i = 0; i < vm && n < max_count; i++) {
        Float64 f = 0;
        if (vr == EVR_FD || vr == EVR_FL) {
            if (el->getFloat64(f, i).bad()) {
                Float32 g = 0;
                if (el->getFloat32(g, i).bad()) return -2;
                f = g;
            }
        } else {
            long int v = 0;
            if (asItem(item)->findAndGetLongInt(DcmTagKey(group, element), v, i).bad()) return -2;
            f = static_cast<double>(v);
        }
        out[n++] = f;
    }
    return n;
}

extern "C" long cdicom_backend_sequence_count(cdicom_item *item, uint16_t group, uint16_t element) {
    DcmSequenceOfItems *seq = nullptr;
    if (asItem(item)->findAndGetSequence(DcmTagKey(group, element), seq).bad() || seq == nullptr) return -1;
    return static_cast<long>(seq->card());
}

extern "C" cdicom_item *cdicom_backend_sequence_item(cdicom_item *item, uint16_t group, uint16_t element, long index) {
    DcmSequenceOfItems *seq = nullptr;
    if (index < 0 || asItem(item)->findAndGetSequence(DcmTagKey(group, element), seq).bad() || seq == nullptr) return nullptr;
    if (static_cast<unsigned long>(index) >= seq->card()) return nullptr;
    return fromItem(seq->getItem(static_cast<unsigned long>(index)));
}

extern "C" int cdicom_backend_pixels_as_float(cdicom_file *file, float *out, int64_t count, double slope, double intercept,
                                      char *err, size_t err_len) {
    DcmDataset *ds = file->format.getDataset();
    auto getUS = [&](const DcmTagKey &key, Uint16 &v) { return ds->findAndGetUint16(key, v).good(); };
    Uint16 bitsAllocated = 0, bitsStored = 0, highBit = 0, pixelRep = 0, samples = 1;
    if (!getUS(DCM_BitsAllocated, bitsAllocated)) {
        writeError(err, err_len, "BitsAllocated (0028,0100) is missing");
        return -1;
    }
    if (!getUS(DCM_BitsStored, bitsStored)) bitsStored = bitsAllocated;
    if (!getUS(DCM_HighBit, highBit)) highBit = static_cast<Uint16>(bitsStored - 1);
    if (!getUS(DCM_PixelRepresentation, pixelRep)) pixelRep = 0;
    if (!getUS(DCM_SamplesPerPixel, samples)) samples = 1;
    if (samples != 1) {
        writeError(err, err_len, "image has " + std::to_string(samples) + " samples per pixel (colour); only greyscale images can be used");
        return -1;
    }
    if (bitsAllocated != 8 && bitsAllocated != 16 && bitsAllocated != 32) {
        writeError(err, err_len, "unsupported BitsAllocated " + std::to_string(bitsAllocated) + " (8, 16 or 32 expected)");
        return -1;
    }
    if (bitsStored == 0 || bitsStored > bitsAllocated || highBit + 1 < bitsStored || highBit >= bitsAllocated) {
        writeError(err, err_len, "inconsistent BitsStored " + std::to_string(bitsStored) + " / HighBit " + std::to_string(highBit));
        return -1;
    }

    DcmXfer original(ds->getOriginalXfer());
    if (original.isEncapsulated()) {
        const std::string syntax = std::string(original.getXferName()) + " (" + original.getXferID() + ")";
        if (!DcmCodecList::canChangeCoding(original.getXfer(), EXS_LittleEndianExplicit)) {
            writeError(err, err_len, "cannot decode pixel data in transfer syntax " + syntax +
                                         ": no decoder for it (JPEG, JPEG-LS and RLE are supported; decompress the files first, e.g. to Explicit VR Little Endian)");
            return -1;
        }
        OFCondition status = ds->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
        if (status.bad() || !ds->canWriteXfer(EXS_LittleEndianExplicit)) {
            writeError(err, err_len, "pixel data in transfer syntax " + syntax + " could not be decoded (" +
                                         (status.bad() ? status.text() : "unknown reason") + "); the file may be corrupt");
            return -1;
        }
    }

    DcmElement *pixelData = nullptr;
    if (ds->findAndGetElement(DCM_PixelData, pixelData).bad() || pixelData == nullptr) {
        writeError(err, err_len, "no pixel data (7FE0,0010)");
        return -1;
    }
    const uint64_t needed = static_cast<uint64_t>(count) * (bitsAllocated / 8);
    if (pixelData->getLength() < needed) {
        writeError(err, err_len, "pixel data holds " + std::to_string(pixelData->getLength()) + " bytes, " + std::to_string(needed) +
                                     " expected (truncated file?)");
        return -1;
    }

    // Stored bits sit at HighBit-BitsStored+1 ... HighBit; shift down, mask, and sign-extend.
    const unsigned shift = static_cast<unsigned>(highBit + 1 - bitsStored);
    const uint64_t mask = bitsStored >= 64 ? ~0ULL : ((1ULL << bitsStored) - 1);
    const uint64_t signBit = 1ULL << (bitsStored - 1);
    auto convert = [&](uint64_t raw) -> double {
        uint64_t v = (raw >> shift) & mask;
        if (pixelRep == 1 && (v & signBit) != 0) return static_cast<double>(static_cast<int64_t>(v) - static_cast<int64_t>(mask) - 1);
        return static_cast<double>(v);
    };

    if (bitsAllocated == 8) {
        Uint8 *bytes = nullptr;
        if (pixelData->getUint8Array(bytes).bad() || bytes == nullptr) {
            writeError(err, err_len, "pixel data could not be read");
            return -1;
        }
        for (int64_t i = 0; i < count; i++) out[i] = static_cast<float>(convert(bytes[i]) * slope + intercept);
    } else {
        Uint16 *words = nullptr;
        if (pixelData->getUint16Array(words).bad() || words == nullptr) {
            writeError(err, err_len, "pixel data could not be read");
            return -1;
        }
        if (bitsAllocated == 16) {
            for (int64_t i = 0; i < count; i++) out[i] = static_cast<float>(convert(words[i]) * slope + intercept);
        } else {
            // 32-bit values: DCMTK hands out 16-bit words in host order; the low word comes first
            // in the little-endian syntaxes every decoded image ends up in.
            if (DcmXfer(ds->getCurrentXfer()).isBigEndian()) {
                writeError(err, err_len, "32-bit pixel data in a big-endian transfer syntax is not supported");
                return -1;
            }
            for (int64_t i = 0; i < count; i++) {
                uint64_t raw = static_cast<uint64_t>(words[2 * i]) | (static_cast<uint64_t>(words[2 * i + 1]) << 16);
                out[i] = static_cast<float>(convert(raw) * slope + intercept);
            }
        }
    }
    return 0;
}

#define CDICOM_SAME_SIGNATURE(name)                                                              \
    static_assert(std::is_same_v<decltype(&cdicom_##name), decltype(&cdicom_backend_##name)>, \
                  "cdicom_backend_" #name " must have the signature of cdicom_" #name);
CDICOM_FUNCTIONS(CDICOM_SAME_SIGNATURE)
