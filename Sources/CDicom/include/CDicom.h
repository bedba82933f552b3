// Plain C API over DCMTK (implemented in C++17 in cdicom.cpp).
#ifndef CDICOM_H
#define CDICOM_H
#ifdef __cplusplus
extern "C" {
#endif
/// DCMTK version string, e.g. "3.6.7".
const char *cdicom_dcmtk_version(void);
#ifdef __cplusplus
}
#endif
#endif
