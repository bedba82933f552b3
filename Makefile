# SwiftRadiomics. `make run` and `make test` work on a fresh Debian machine as root: both install
# what they need through `make deps` first.
SWIFT ?= swift
APT_PACKAGES := libdcmtk-dev libnifti-dev libdeflate-dev zlib1g-dev pkg-config
RELEASE_BIN := .build/release/radiomics

.PHONY: deps build run test validate docs bench bench-deps bench-profile clean

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
	$(SWIFT) build -c release --product radiomics

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

clean:
	rm -rf .build
