# The commands of the README.  Everything real lives in CMake; this file only
# installs what is missing, configures the build trees and runs them.
#
#   make demo    install, build, run the demo on an embedded database
#   make check   install, build (plain and with sanitizers), run every test
#   make bench   build optimised and run the benchmarks
#   make fuzz    build with libFuzzer and fuzz each parser for a while
#   make build   just build (build/)
#   make clean   remove the build trees

JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE  ?= cmake
CTEST  ?= ctest
FUZZ_SECONDS ?= 600

.PHONY: all build deps check check-plain check-asan demo bench fuzz clean

all: build

deps:
	@sh scripts/install-deps.sh all

build: deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=Debug -DKTO_WERROR=ON
	$(CMAKE) --build build -j $(JOBS)

# The plain build first (fast feedback, warnings as errors), then the same
# tests again under AddressSanitizer and UBSan; ctest's summary line ends it.
check: check-plain check-asan

check-plain: build
	cd build && $(CTEST) --output-on-failure -j $(JOBS)

check-asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKTO_WERROR=ON -DKTO_SANITIZE=ON
	$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && $(CTEST) --output-on-failure -j $(JOBS)

# The demo database lives in build/demo/, next to the binary that made it;
# KTO_LISTEN changes where it serves (default 127.0.0.1:8080).
demo: build
	sh scripts/demo.sh build/cli/kto build

bench: deps
	@sh scripts/install-deps.sh bench
	$(CMAKE) -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DKTO_WERROR=ON -DKTO_BUILD_TESTS=OFF
	$(CMAKE) --build build-bench -j $(JOBS)
	sh bench/run.sh build-bench

fuzz: deps
	sh scripts/install-deps.sh fuzz
	CC=clang $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DKTO_FUZZING=ON
	$(CMAKE) --build build-fuzz -j $(JOBS)
	sh fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-bench build-fuzz
