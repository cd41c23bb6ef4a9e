#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with Debian's clang into ./build-fuzz and runs each
# for SECONDS_PER_TARGET seconds (default 45), as many at a time as there are cores.
#   usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]
# Seeds come from the shipped configs and traces, tests/data and tests/malformed; what a run
# discovers stays in build-fuzz/corpus/<target>/ for the next run. Fails when a harness
# crashes, hangs (30 s on one input), runs out of memory (2 GB), leaks, trips AddressSanitizer
# or UBSan, or breaks a property it checks; the input that did it is saved as
# build-fuzz/crashes/<target>/{crash,timeout,oom,leak}-* (reproduce: build-fuzz/fuzz/<target>
# FILE) and printed in base64 with the log's last lines, since CI keeps no build-fuzz. A fixed
# crash becomes a tests/malformed case (the harnesses' seeds, so every later run tries it
# first). The mutation seed is fixed (-seed=1), yet two runs do not try the same inputs:
# coverage feedback depends on the binary's paths and on addresses, so the corpus grows
# differently. Session 10: CI's scenario harness died on an exception std::filesystem threw
# for a trace path; 45 minutes of fuzzing here missed it, and twelve 90-second runs with other
# seeds found it once (a file name over 255 bytes). Reproduce a CI failure from the input it
# printed, not by rerunning. (CI also runs as a user that is not root: paths it may not read
# fail there and not here.)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-45}"
bash scripts/setup.sh --checks

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  cmake -S . -B build-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DLLMSIM_FUZZ=ON -DLLMSIM_BUILD_TESTS=OFF -DLLMSIM_BUILD_BENCH=OFF >/dev/null
fi
cmake --build build-fuzz --target fuzz_all -j "$(nproc)"

# Seed folders, rebuilt every run: target name, then the files that seed it.
seeds=build-fuzz/seeds
rm -rf "$seeds"
seed() {
  local target="$1"
  shift
  mkdir -p "$seeds/$target"
  cp "$@" "$seeds/$target/"
}
seed fuzz_scenario_loader configs/scenarios/*.yaml tests/malformed/*.yaml
seed fuzz_model_loader configs/models/*.yaml tests/malformed/model_*.yaml tests/data/bad/*.yaml
seed fuzz_hardware_loader configs/hardware/*.yaml tests/malformed/hardware_*.yaml
seed fuzz_hf_config_reader tests/data/hf/*.json tests/malformed/hf_*.json
seed fuzz_azure_trace tests/malformed/trace_azure_*.csv tests/malformed/trace_binary_garbage.csv \
  tests/malformed/trace_empty.csv
head -n 40 data/traces/AzureLLMInferenceTrace_conv_2023.csv >"$seeds/fuzz_azure_trace/azure_head.csv"
seed fuzz_mooncake_trace tests/malformed/trace_mooncake_*.jsonl tests/malformed/trace_binary_garbage.jsonl
head -n 10 data/traces/mooncake_conversation_trace.jsonl >"$seeds/fuzz_mooncake_trace/mooncake_head.jsonl"
seed fuzz_plain_trace tests/malformed/trace_plain_*.csv
# Issue 22: sweep grids and points files, compare's inputs, sweep manifests, engine files.
seed fuzz_sweep_grid fuzz/seeds/sweep_grid/*
seed fuzz_sweep_points fuzz/seeds/sweep_points/*
seed fuzz_compare_json tests/data/vllm/*.json tests/golden/closed-loop.summary.json
seed fuzz_sweep_manifest fuzz/seeds/sweep_manifest/*
seed fuzz_engine_loader configs/engines/*.yaml tests/malformed/engine_*.yaml
# A --set override line for the scenario harness (see fuzz/fuzz_scenario_loader.cpp).
{ echo "#set engine.max_num_seqs=-3"; cat configs/scenarios/overload.yaml; } >"$seeds/fuzz_scenario_loader/with_set.yaml"

# Dictionaries: the YAML keys and JSON keys the seeds use, so mutations speak the schema.
dictionary() {
  local target="$1"
  grep -ahoE '"?[a-z_][a-z0-9_]*"?:' "$seeds/$target"/* 2>/dev/null | tr -d '"' | sort -u |
    sed -e 's/\(.*\)/"\1"/' >"build-fuzz/$target.dict" || true
}

targets=(fuzz_scenario_loader fuzz_model_loader fuzz_hardware_loader fuzz_hf_config_reader
  fuzz_azure_trace fuzz_mooncake_trace fuzz_plain_trace
  fuzz_sweep_grid fuzz_sweep_points fuzz_compare_json fuzz_sweep_manifest fuzz_engine_loader)
mkdir -p build-fuzz/logs
for target in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$target" "build-fuzz/crashes/$target"
  dictionary "$target"
done

# LeakSanitizer needs ptrace, which some containers forbid; it is then off (a warning says so).
leaks=1
if ! ASAN_OPTIONS=detect_leaks=1 build-fuzz/fuzz/fuzz_plain_trace -runs=1 "$seeds/fuzz_plain_trace" \
  >build-fuzz/logs/leak-probe.log 2>&1; then
  if grep -q "LeakSanitizer has encountered a fatal error\|does not work under ptrace" build-fuzz/logs/leak-probe.log; then
    echo "fuzz: LeakSanitizer cannot run here; leak detection is off" >&2
    leaks=0
  fi
fi
export ASAN_OPTIONS="detect_leaks=$leaks:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer; fi

run_target() {
  local target="$1" seconds="$2"
  local dict=()
  if [ -s "build-fuzz/$target.dict" ]; then dict=(-dict="build-fuzz/$target.dict"); fi
  if "build-fuzz/fuzz/$target" -seed=1 -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 "${dict[@]}" -artifact_prefix="build-fuzz/crashes/$target/" \
    "build-fuzz/corpus/$target" "build-fuzz/seeds/$target" >"build-fuzz/logs/$target.log" 2>&1; then
    echo "fuzz: $target ok: $(grep -oE 'stat::number_of_executed_units: *[0-9]+' "build-fuzz/logs/$target.log" |
      tail -n 1 | grep -oE '[0-9]+$') executions in ${seconds} s"
  else
    echo "fuzz: $target FAILED (log: build-fuzz/logs/$target.log)"
    # The report's last lines (a sanitizer's stack, or what a terminate or abort printed before
    # libFuzzer's "deadly signal"), then the input itself, so that a failure on a machine whose
    # build-fuzz is gone can still be reproduced: base64 -d the block into a file and run the
    # harness on it.
    grep -vE '^#[0-9]+|^INFO:|^MERGE|^\s*$' "build-fuzz/logs/$target.log" | tail -n 40
    local artifact
    for artifact in $(grep -oE 'Test unit written to [^ ]+' "build-fuzz/logs/$target.log" | cut -d' ' -f5); do
      [ -f "$artifact" ] || continue
      echo "fuzz: input $(basename "$artifact") ($(wc -c <"$artifact") bytes), base64:"
      head -c 16384 "$artifact" | base64
    done
    return 1
  fi
}
export -f run_target

start=$(date +%s)
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$(nproc)" -I{} bash -c "run_target {} $seconds" || status=1
echo "fuzz: ${#targets[@]} targets, ${seconds} s each, $(($(date +%s) - start)) s in all"
exit "$status"
