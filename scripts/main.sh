#!/usr/bin/env bash
# Sets up, builds the llmsim program (that target alone: no tests, no benchmarks), puts
# `llmsim` on PATH (scripts/link_llmsim.sh) and runs the main job: the quickstart scenario,
# printing its results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh llmsim
bash scripts/link_llmsim.sh
./build/app/llmsim run configs/scenarios/quickstart.yaml
