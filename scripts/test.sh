#!/usr/bin/env bash
# Sets up, builds every target (the program, the test suites, the benchmarks), puts `llmsim`
# on PATH (scripts/link_llmsim.sh) and runs the whole test suite. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh
bash scripts/link_llmsim.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
