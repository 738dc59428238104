# phas: quick start is `make demo` then `make test` (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo
# `make install`: where to (DESTDIR stages the tree elsewhere, as usual).
PREFIX ?= /usr/local
DESTDIR ?=
# `make deb`: where the .deb goes.
DEB_OUT ?= $(BUILD)

# Debian 12 packages phas builds with (libsystemd-dev: sd_notify, for the
# Type=notify units; GoogleTest and Google Benchmark too, as CMake requires
# them to configure).
BUILD_PACKAGES := g++ cmake make pkg-config libxgboost-dev libcurl4-openssl-dev \
  libssl-dev nlohmann-json3-dev libpugixml-dev libspdlog-dev libfmt-dev \
  libcli11-dev libyaml-cpp-dev libsqlite3-dev libgtest-dev libgmock-dev \
  libbenchmark-dev libgoogle-perftools-dev libsystemd-dev
# `make deb`: dpkg-shlibdeps and dpkg-deb.
PACKAGING_PACKAGES := dpkg-dev
# Only the tests and the format check use these (make deps installs them:
# make demo, make test, CI); never wanted on a host that only installs phas
# (Debian's prometheus is the server too, and starts listening on :9090).
# The formatting check (make format-check).
TEST_PACKAGES := clang-format
# Tests render the backtest report in a real browser.
TEST_PACKAGES += chromium
# The install tests run systemd-analyze (and build the .deb: dpkg-dev above).
TEST_PACKAGES += systemd
# promtool: tests check /metrics and the alerting rules.
TEST_PACKAGES += prometheus
# `make deps` (make demo, make test, CI): everything.
DEB_PACKAGES := $(BUILD_PACKAGES) $(PACKAGING_PACKAGES) $(TEST_PACKAGES)
# Extra packages for the benchmarks.
BENCH_PACKAGES := wrk

.PHONY: all deps deps-build build compile install deb test format-check demo demo-predictor bench bench-predictor bench-backtest bench-scaling model clean format

all: build

deps:
	@scripts/install-deps.sh $(DEB_PACKAGES)

# Only what building and packaging need, for a host that installs phas.
deps-build:
	@scripts/install-deps.sh $(BUILD_PACKAGES) $(PACKAGING_PACKAGES)

CONFIGURE = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPHAS_WERROR=ON

$(BUILD)/CMakeCache.txt:
	$(CONFIGURE)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# The build tree brought up to date with the packages already there:
# installs none (a missing build package stops it, named; make deps-build).
compile:
	@scripts/install-deps.sh --check $(BUILD_PACKAGES)
	[ -f $(BUILD)/CMakeCache.txt ] || $(CONFIGURE)
	cmake --build $(BUILD) -j$(JOBS)

# The binary, models, traces, units, example config and docs under PREFIX
# (cmake/install.cmake; docs/install.md). Builds (compile), never installs
# Debian packages: the test tools of make deps have no place on the host.
install: compile
	DESTDIR="$(if $(DESTDIR),$(abspath $(DESTDIR)))" \
	  cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package phas_VERSION_ARCH.deb in DEB_OUT (docs/install.md).
deb:
	@scripts/install-deps.sh --check $(PACKAGING_PACKAGES)
	@$(MAKE) --no-print-directory compile
	scripts/build-deb.sh $(BUILD) $(DEB_OUT)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

demo: build
	$(BUILD)/phas demo

demo-predictor: build
	@PHAS=$(BUILD)/phas scripts/demo-predictor.sh

bench-predictor: build
	@scripts/install-deps.sh $(BENCH_PACKAGES)
	bench/predictor_wrk.sh

bench-backtest: build
	bench/backtest_speed.sh

# Every trace in data/traces x every policy; rewrites docs/benchmarks.md's
# scaling section (and leaves the JSON and HTML report in build/).
bench-scaling: build
	$(BUILD)/phas backtest --suite data/traces --json $(BUILD)/scaling.json \
	  --report $(BUILD)/scaling.html --update-doc docs/benchmarks.md

# The shipped model: trained on data/traces, deterministic (fixed seeds).
model: build
	$(BUILD)/phas train --traces data/traces --out data/models/default

bench: bench-predictor bench-backtest

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

# Fails on any file clang-format would change (CI runs it: .ci/run).
format-check: deps
	@scripts/check-format.sh

clean:
	rm -rf $(BUILD)
