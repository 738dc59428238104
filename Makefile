# phas: quick start is `make demo` then `make test` (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
BUILD_TYPE ?= RelWithDebInfo
# `make install`: where to (DESTDIR stages the tree elsewhere, as usual).
PREFIX ?= /usr/local
DESTDIR ?=
# `make deb`: where the .deb goes.
DEB_OUT ?= $(BUILD)

# Debian 12 packages phas builds and tests with.
DEB_PACKAGES := g++ cmake make pkg-config clang-format libxgboost-dev libcurl4-openssl-dev \
  libssl-dev nlohmann-json3-dev libpugixml-dev libspdlog-dev libfmt-dev \
  libcli11-dev libyaml-cpp-dev libsqlite3-dev libgtest-dev libgmock-dev \
  libbenchmark-dev libgoogle-perftools-dev
# Tests render the backtest report in a real browser.
DEB_PACKAGES += chromium
# sd_notify (the Type=notify units); the install tests run systemd-analyze
# and build the .deb (dpkg-shlibdeps).
DEB_PACKAGES += libsystemd-dev systemd dpkg-dev
# promtool: tests check /metrics and the alerting rules.
DEB_PACKAGES += prometheus
# Extra packages for the benchmarks.
BENCH_PACKAGES := wrk

.PHONY: all deps build install deb test format-check demo demo-predictor bench bench-predictor bench-backtest bench-scaling model clean format

all: build

deps:
	@scripts/install-deps.sh $(DEB_PACKAGES)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPHAS_WERROR=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# The binary, models, traces, units, example config and docs under PREFIX
# (cmake/install.cmake; docs/install.md).
install: build
	DESTDIR="$(if $(DESTDIR),$(abspath $(DESTDIR)))" \
	  cmake --install $(BUILD) --prefix $(PREFIX)

# The Debian package phas_VERSION_ARCH.deb in DEB_OUT (docs/install.md).
deb: build
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
