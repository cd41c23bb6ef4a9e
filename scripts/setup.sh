#!/usr/bin/env bash
# Installs llmsim's build dependencies from Debian's packages.
# With --test, also what the test suite needs beyond the build (headless Chromium, which
# renders the HTML report in tests/cli/analysis_commands_test.cpp).
# With --checks, what scripts/sanitize.sh, fuzz.sh and tidy.sh need: Debian's clang 14 with its
# sanitizer and libFuzzer runtimes (libclang-rt-14-dev), llvm-symbolizer (llvm-14) for readable
# stack traces, and clang-tidy.
# A no-op (no apt-get call at all) when every package is already installed.
set -euo pipefail

packages=(
  cmake g++ make ninja-build pkg-config
  libboost-graph-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libeigen3-dev
  doctest-dev libcli11-dev nlohmann-json3-dev libbenchmark-dev
)
case "${1:-}" in
  --test) packages+=(chromium) ;;
  --checks) packages+=(clang libclang-rt-14-dev llvm-14 clang-tidy) ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
