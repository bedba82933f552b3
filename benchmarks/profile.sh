#!/bin/sh
# Instruction profile of the release binary on the IBSI CT phantom at 1 mm (benchmark case a).
# Instruction counts do not depend on the load of the machine, unlike wall times. Writes
# benchmarks/results/callgrind.out (raw), callgrind-self.txt and callgrind-inclusive.txt
# (demangled callgrind_annotate tables, top functions by own and by inclusive instructions).
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-.build-static/release/radiomics}
OUT=benchmarks/results
mkdir -p "$OUT"
# Valgrind 3.19 cannot read the DWARF 5 debug information Swift 6 writes: profile a copy without
# it (function names come from the symbol table).
objcopy --strip-debug "$BIN" "$OUT/radiomics-nodebug"
valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
  "$OUT/radiomics-nodebug" extract ibsi-phantoms/ct_phantom/nifti/image/phantom.nii.gz \
  ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz \
  --config benchmarks/configs/ct-phantom-1mm.yaml --timings > "$OUT/callgrind-features.csv"
demangle() { if command -v swift > /dev/null; then swift demangle --simplified; else cat; fi; }
callgrind_annotate --threshold=100 "$OUT/callgrind.out" | demangle > "$OUT/callgrind-self.txt"
callgrind_annotate --inclusive=yes --threshold=100 "$OUT/callgrind.out" | demangle > "$OUT/callgrind-inclusive.txt"
head -40 "$OUT/callgrind-self.txt"
