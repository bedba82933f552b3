# SwiftRadiomics. `make run` and `make test` work on a fresh Debian machine as root: both install
# what they need through `make deps` first.
SWIFT ?= swift
APT_PACKAGES := libdcmtk-dev libnifti-dev libdeflate-dev zlib1g-dev pkg-config
# The release binary links the Swift runtime and Foundation statically: it starts faster (no
# relocation of a dozen Swift libraries, a measurable part of a small case) and runs on a
# machine without a Swift toolchain. Its own scratch path keeps it apart from the test build.
# It is linked as a position-dependent executable: a PIE of this size has ~78,000 relative
# relocations for the loader to apply and ~210 more pages to fault in at every start, about
# 1.5 ms of each process (docs/performance.md).
RELEASE_SCRATCH := .build-static
RELEASE_BIN := $(RELEASE_SCRATCH)/release/radiomics
RELEASE_LINK := -Xswiftc -Xclang-linker -Xswiftc -no-pie
# Concrete generic types (a Set of a feature enum, an array of tuples) get their metadata from
# accessor calls rather than from mangled names: a mangled name is demangled at its first use and
# each generic requirement in it is checked by a scan of the binary's ~5,700 conformance records,
# about 4.6 million instructions (1.5 ms) of every case (docs/performance.md).
RELEASE_FLAGS := -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors

.PHONY: deps build run test validate docs bench bench-deps bench-profile clean fuzz fuzz-build fuzz-seeds \
  fuzz-nifti fuzz-dicom fuzz-rtstruct asan tsan

# Installs the Debian packages that are missing (nothing when all are present).
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --static-swift-stdlib $(RELEASE_FLAGS) $(RELEASE_LINK) --scratch-path $(RELEASE_SCRATCH) --product radiomics
	$(SWIFT) build -c release --scratch-path $(RELEASE_SCRATCH) --product RadiomicsDCMTK

# Features of the bundled IBSI CT phantom, read from its DICOM series and RTSTRUCT, with the
# IBSI configuration C settings (3D, 2 mm isotropic, fixed bin size 25 HU).
run: build
	$(RELEASE_BIN) extract ibsi-phantoms/ct_phantom/dicom/image \
	  ibsi-phantoms/ct_phantom/dicom/mask/DCM_RS_00060.dcm --roi GTV-1 \
	  --preset ibsi-config-c --format json --timings

# Every test: unit, loader, compliance (digital phantom and CT phantom configs A-E) and CLI.
# Release mode: the compliance tests process the CT phantom five times.
test: deps
	$(SWIFT) test -c release

validate: build
	$(RELEASE_BIN) validate

# Regenerates the per-family feature pages from the catalogue.
docs: build
	$(RELEASE_BIN) features --docs docs/features

# Side-by-side benchmark against PyRadiomics and MIRP (docs/benchmarks.md). Takes about half an
# hour with every case; pick cases and repeats with BENCH_ARGS, e.g.
#   make bench BENCH_ARGS="--cases phantom --repeats 1"
BENCH_VENV := benchmarks/.venv
BENCH_PACKAGES := pyradiomics-bhklab==3.1.4 mirp==2.7.0
BENCH_ARGS ?=

# The Python peers in benchmarks/.venv (git-ignored), installed from PyPI when missing.
bench-deps:
	@test -x $(BENCH_VENV)/bin/pip || python3 -m venv $(BENCH_VENV) 2>/dev/null || { rm -rf $(BENCH_VENV); \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv && \
	  python3 -m venv $(BENCH_VENV); }
	@$(BENCH_VENV)/bin/python -c "import importlib.metadata as m, sys; \
	  sys.exit(any(m.version(p) != v for p, v in (s.split('==') for s in '$(BENCH_PACKAGES)'.split())))" 2>/dev/null || \
	  $(BENCH_VENV)/bin/pip install -q $(BENCH_PACKAGES)

bench: build bench-deps
	$(BENCH_VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

# Instruction profile (valgrind callgrind) of the CT phantom at 1 mm: benchmarks/results/callgrind.*
bench-profile: build
	benchmarks/profile.sh

# Fuzzing (libFuzzer + AddressSanitizer) of the NIfTI reader, the DICOM series reader and the
# RTSTRUCT reader/rasteriser, seeded from the bundled phantoms. A separate package (fuzz/) and
# scratch path keep it out of the normal build. FUZZ_SECONDS per target; crashes are written to
# .build-fuzz/artifacts/TARGET/ and make the run fail.
FUZZ_SECONDS ?= 600
FUZZ_SCRATCH := $(CURDIR)/.build-fuzz
FUZZ_FLAGS := -c release --package-path fuzz --scratch-path $(FUZZ_SCRATCH) \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address

fuzz-build: deps
	$(SWIFT) build $(FUZZ_FLAGS)

# $(1): target, $(2): corpus name, $(3): max input length.
define run_fuzzer
	mkdir -p $(FUZZ_SCRATCH)/corpus/$(2) $(FUZZ_SCRATCH)/artifacts/$(2)
	$(FUZZ_SCRATCH)/release/$(1) $(FUZZ_SCRATCH)/corpus/$(2) $(FUZZ_SCRATCH)/seeds/$(2) \
	  -max_total_time=$(FUZZ_SECONDS) -max_len=$(3) -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_SCRATCH)/artifacts/$(2)/
endef

fuzz-seeds:
	mkdir -p $(FUZZ_SCRATCH)/seeds/nifti $(FUZZ_SCRATCH)/seeds/dicom $(FUZZ_SCRATCH)/seeds/rtstruct
	cp ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz $(FUZZ_SCRATCH)/seeds/nifti/image.nii.gz
	cp ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz $(FUZZ_SCRATCH)/seeds/nifti/mask.nii.gz
	gzip -dc ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz > $(FUZZ_SCRATCH)/seeds/nifti/image.nii
	gzip -dc ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz > $(FUZZ_SCRATCH)/seeds/nifti/mask.nii
	cp ibsi-phantoms/ct_phantom/dicom/image/DCM_IMG_00000.dcm ibsi-phantoms/ct_phantom/dicom/image/DCM_IMG_00030.dcm \
	  $(FUZZ_SCRATCH)/seeds/dicom/
	cp ibsi-phantoms/ct_phantom/dicom/mask/DCM_RS_00060.dcm fuzz/seeds/rtstruct-small.dcm $(FUZZ_SCRATCH)/seeds/rtstruct/

fuzz-nifti: fuzz-build fuzz-seeds
	$(call run_fuzzer,FuzzNIfTI,nifti,65536)

fuzz-dicom: fuzz-build fuzz-seeds
	$(call run_fuzzer,FuzzDICOMSeries,dicom,131072)

fuzz-rtstruct: fuzz-build fuzz-seeds
	$(call run_fuzzer,FuzzRTStruct,rtstruct,524288)

fuzz: fuzz-nifti fuzz-dicom fuzz-rtstruct

# The test suite under AddressSanitizer (C shims and DCMTK calls included), in its own scratch
# path. TEST_FILTER narrows it, e.g. make asan TEST_FILTER=BadInputTests.
TEST_FILTER ?=
asan: deps
	ASAN_OPTIONS=detect_leaks=0 \
	  $(SWIFT) test -c release --scratch-path .build-asan --sanitize=address $(if $(TEST_FILTER),--filter $(TEST_FILTER))

# ThreadSanitizer on the parallel path: a batch of the digital phantom on 4 workers (the batch
# runner's concurrentPerform), then the CLI tests. Any data race report fails the target.
TSAN_DIR := .build-tsan/run
tsan: deps
	$(SWIFT) build -c release --scratch-path .build-tsan --sanitize=thread --product radiomics
	rm -rf $(TSAN_DIR) && mkdir -p $(TSAN_DIR)
	printf 'id,image,mask\n' > $(TSAN_DIR)/cases.csv
	for i in 1 2 3 4 5 6 7 8; do printf 'p%s,%s,%s\n' $$i $(CURDIR)/ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz \
	  $(CURDIR)/ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz >> $(TSAN_DIR)/cases.csv; done
	printf 'p9,%s,%s\n' /missing.nii.gz /missing-mask.nii.gz >> $(TSAN_DIR)/cases.csv
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 .build-tsan/release/radiomics batch $(TSAN_DIR)/cases.csv \
	  --preset ibsi-phantom --jobs 4 --quiet -o $(TSAN_DIR)/features.csv; test $$? -eq 1
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
	  $(SWIFT) test -c release --scratch-path .build-tsan --sanitize=thread --filter CLITests

clean:
	rm -rf .build $(RELEASE_SCRATCH) .build-fuzz .build-asan .build-tsan
