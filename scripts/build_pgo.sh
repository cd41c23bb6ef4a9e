#!/usr/bin/env bash
# Builds a profile-guided release llmsim into ./build-pgo (bench/README.md, "Profile-guided
# build"): an instrumented build, a training run, then a rebuild that uses the counts.
#
# The training runs every shipped scenario but bench-100k (the speed reference is measured,
# not trained on) and beam-search-math (long, and its paths are beam-search-thinking's),
# overload at 20,000 requests and the synthetic serving scenarios tp4-70b and closed-loop at
# 50,000, so that serving weighs in the profile about as much as test-time compute does.
# Results do not depend on the build: when ./build/app/llmsim exists, both binaries run two
# scenarios and their output folders must match byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
profiles="$PWD/build-pgo/pgo-profiles"
rm -rf "$profiles" build-pgo/training build-pgo/compare
cmake -S . -B build-pgo "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DLLMSIM_PGO=GENERATE \
  -DLLMSIM_PGO_DIR="$profiles" -DLLMSIM_BUILD_TESTS=OFF -DLLMSIM_BUILD_BENCH=OFF \
  -DLLMSIM_STATIC_BINARY=ON >/dev/null
cmake --build build-pgo --target llmsim -j "$(nproc)"

for scenario in configs/scenarios/*.yaml; do
  name="$(basename "$scenario" .yaml)"
  overrides=()
  case "$name" in
    bench-100k | beam-search-math) continue ;;
    overload) overrides=(--set workload.num_requests=20000) ;;
    tp4-70b | closed-loop) overrides=(--set workload.num_requests=50000) ;;
  esac
  ./build-pgo/app/llmsim run "$scenario" "${overrides[@]}" --quiet --out "build-pgo/training/$name"
done

cmake -S . -B build-pgo -DLLMSIM_PGO=USE >/dev/null
cmake --build build-pgo --target llmsim -j "$(nproc)"

if [ -x build/app/llmsim ]; then
  for scenario in bench-100k router-8-replicas; do
    for binary in build build-pgo; do
      "./$binary/app/llmsim" run "configs/scenarios/$scenario.yaml" --set workload.num_requests=10000 \
        --quiet --out "build-pgo/compare/$binary/$scenario"
    done
    diff -r "build-pgo/compare/build/$scenario" "build-pgo/compare/build-pgo/$scenario"
  done
  echo "build-pgo/app/llmsim and build/app/llmsim wrote the same results"
fi
echo "profile-guided llmsim: build-pgo/app/llmsim"
