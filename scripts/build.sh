#!/usr/bin/env bash
# Configures and builds llmsim (release, strict warnings as errors) into ./build.
# Usage: bash scripts/build.sh [TARGET...]   no TARGET: every target (the program, the test
# suites, the benchmarks); scripts/main.sh passes `llmsim` alone, scripts/test.sh nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLLMSIM_WERROR=ON >/dev/null
fi
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
