#!/usr/bin/env bash
# Builds llmsim and its tests with AddressSanitizer + UndefinedBehaviorSanitizer (Debian's
# clang, -O1 -g, assertions on, every report fatal) into ./build-asan and runs the test suite
# there, the real binary included (tests/cli, tests/golden). The Google Benchmark programs
# (label bench) are left out: they measure speed, which the sanitizers distort, and add nothing
# the other tests do not run. Fails on any failing test or sanitizer report.
#   usage: bash scripts/sanitize.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --checks
bash scripts/setup.sh --test

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f build-asan/CMakeCache.txt ]; then
  cmake -S . -B build-asan "${generator[@]}" -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_CXX_FLAGS_SANITIZE="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS_SANITIZE="-fsanitize=address,undefined" \
    -DLLMSIM_BUILD_BENCH=OFF >/dev/null
fi
cmake --build build-asan -j "$(nproc)"

# LeakSanitizer needs ptrace, which some containers forbid; it is then off (a warning says so).
leaks=1
if ! ASAN_OPTIONS=detect_leaks=1 build-asan/app/llmsim --help >build-asan/leak-probe.log 2>&1; then
  if grep -q "LeakSanitizer has encountered a fatal error\|does not work under ptrace" build-asan/leak-probe.log; then
    echo "sanitize: LeakSanitizer cannot run here; leak detection is off" >&2
    leaks=0
  fi
fi
export ASAN_OPTIONS="detect_leaks=$leaks:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer; fi
ctest --test-dir build-asan --output-on-failure -LE bench -j "$(nproc)"
