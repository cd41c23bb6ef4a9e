#!/usr/bin/env bash
# Runs clang-tidy (the checks in .clang-tidy) on the .cpp files under core hw workloads sim
# loader analysis app that changed between BASE and HEAD, with the compile database of a
# configure-only clang build in ./build-tidy. Any warning fails the run.
#   usage: bash scripts/tidy.sh [BASE]   BASE defaults to HEAD~1 (every file when HEAD has no
#                                        parent); BASE --all checks every file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --checks

folders=(core hw workloads sim loader analysis app)
if [ "${1:-}" = "--all" ]; then
  mapfile -t files < <(git ls-files -- "${folders[@]/%//*.cpp}")
else
  base="${1:-HEAD~1}"
  if git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
    mapfile -t files < <(git diff --name-only --diff-filter=d "$base" HEAD -- "${folders[@]/%//*.cpp}")
  else
    echo "tidy: no commit $base; checking every file" >&2
    mapfile -t files < <(git ls-files -- "${folders[@]/%//*.cpp}")
  fi
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "tidy: no changed .cpp files"
  exit 0
fi

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f build-tidy/compile_commands.json ]; then
  cmake -S . -B build-tidy "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi

echo "tidy: checking ${#files[@]} files"
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 1 clang-tidy -p build-tidy --quiet --warnings-as-errors='*' >build-tidy/tidy.log 2>&1 ||
  status=$?
grep -v '^[0-9]* warnings\? \(and [0-9]* errors\? \)\?generated\.$' build-tidy/tidy.log || true
if [ "$status" -ne 0 ]; then
  echo "tidy: clang-tidy found problems (build-tidy/tidy.log)" >&2
  exit 1
fi
echo "tidy: clean"
