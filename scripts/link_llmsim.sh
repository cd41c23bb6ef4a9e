#!/usr/bin/env bash
# Puts `llmsim` on PATH: a symbolic link BIN/llmsim -> this checkout's build/app/llmsim, so
# the README's commands work as written and a rebuild needs no re-link. BIN is
#   $LLMSIM_BIN_DIR when set (tests and CI use a folder of their own),
#   else /usr/local/bin when this user may write there (root, or a writable /usr/local),
#   else ~/.local/bin (created), with a printed hint when that folder is not on PATH.
# An existing BIN/llmsim that is not a symbolic link (say one `cmake --install` copied) is
# left alone, with a message. Usage: bash scripts/link_llmsim.sh [--print-dir]
# (--print-dir: print BIN and change nothing; scripts/readme_commands.sh uses it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${LLMSIM_BIN_DIR:-}" ]; then
  bin_dir="$LLMSIM_BIN_DIR"
elif [ -d /usr/local/bin ] && [ -w /usr/local/bin ]; then
  bin_dir=/usr/local/bin
else
  bin_dir="$HOME/.local/bin"
fi
if [ "${1:-}" = "--print-dir" ]; then
  echo "$bin_dir"
  exit 0
fi

binary="$PWD/build/app/llmsim"
if [ ! -x "$binary" ]; then
  echo "link_llmsim: $binary is not built yet (bash scripts/build.sh llmsim)" >&2
  exit 1
fi
mkdir -p "$bin_dir"
link="$bin_dir/llmsim"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "link_llmsim: $link exists and is not a link; left as it is (remove it to link this build)" >&2
  exit 0
fi
ln -sfn "$binary" "$link"
echo "llmsim: $link -> $binary"
case ":$PATH:" in
  *":$bin_dir:"*)
    found="$(command -v llmsim || true)"
    if [ "$found" != "$link" ]; then
      echo "llmsim: note: \`llmsim\` on your PATH is $found, which comes before $bin_dir" >&2
    fi
    ;;
  *)
    echo "llmsim: $bin_dir is not on your PATH; to use the README's commands as written, run" >&2
    echo "    export PATH=\"$bin_dir:\$PATH\"" >&2
    echo "(and add that line to ~/.bashrc or ~/.profile to keep it)" >&2
    ;;
esac
