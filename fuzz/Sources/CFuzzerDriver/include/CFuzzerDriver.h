#ifndef CFUZZER_DRIVER_H
#define CFUZZER_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (from the -fsanitize=fuzzer runtime), called from the executable's own
/// main: SwiftPM gives every executable target a main of its own, so libFuzzer's cannot be used.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Runs the driver with the process arguments.
int cfuzzer_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));
#endif
