#!/usr/bin/env bash
# Runs the command examples of README.md and docs/*.md, so that the docs cannot drift from
# the program (issue 26). .ci/run calls it after scripts/test.sh; run it yourself after
# `bash scripts/main.sh` or `bash scripts/test.sh` (it needs the program built and on PATH).
#
# The rules:
#  - An example is a fenced code block (```sh, ```bash or ```shell) whose first command line
#    starts with `llmsim ` or `bash scripts/`. Other blocks (```text output, an `sbatch`
#    line that needs a cluster) are not run. An indented code block whose first line is such
#    a command is an error: write it fenced, so that it is run.
#  - `bash scripts/main.sh` and `bash scripts/test.sh` are the set-up commands: they have
#    run already (CI runs test.sh just before this script), so their blocks are skipped.
#  - Each example runs as one bash script (`set -e -o pipefail`, `\` continuations as
#    written) in a fresh folder holding a copy of the checkout's tracked files, so it sees
#    what a fresh clone has, nothing another example wrote, and writes nothing into the
#    checkout. A non-zero exit fails the run.
#  - `llmsim` is the one the set-up commands put on PATH (scripts/link_llmsim.sh), checked
#    to be this checkout's build/app/llmsim.
#  - Sizes: examples run as written. Each finishes within a second on two cores today, so
#    none needs a reduced request count; one that runs longer than README_EXAMPLE_TIMEOUT_S
#    (default 60) fails, and is then to be shortened in the docs themselves (e.g. with
#    `--set workload.num_requests=200`, where the reader sees it), not behind their back.
# Usage: bash scripts/readme_commands.sh [FILE.md...]   (default: README.md docs/*.md)
set -euo pipefail
cd "$(dirname "$0")/.."
timeout_s="${README_EXAMPLE_TIMEOUT_S:-60}"

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(README.md)
  for page in docs/*.md; do [ -f "$page" ] && files+=("$page"); done
fi

bin_dir="$(bash scripts/link_llmsim.sh --print-dir)"
export PATH="$bin_dir:$PATH"
found="$(command -v llmsim || true)"
if [ -z "$found" ] || [ "$(readlink -f "$found")" != "$(readlink -f build/app/llmsim)" ]; then
  echo "readme_commands: \`llmsim\` on PATH is '${found:-nothing}', not this checkout's build/app/llmsim:" \
       "run bash scripts/main.sh (or test.sh) first" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/llmsim-readme.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Extract: one file per example, blocks/NNN.sh, whose first line is "# FILE:LINE".
mkdir -p "$work/blocks"
for file in "${files[@]}"; do
  awk -v file="$file" -v out="$work/blocks" -v start="$(find "$work/blocks" -name '*.sh' | wc -l)" '
    function is_command(line) { return line ~ /^(llmsim |bash scripts\/)/ }
    BEGIN { n = start; fenced = 0; previous_blank = 1 }
    /^```/ {
      if (!fenced) {
        fenced = 1; info = substr($0, 4); sub(/[ \t].*$/, "", info); first = ""; body = ""; at = NR
      } else {
        fenced = 0
        if ((info == "sh" || info == "bash" || info == "shell") && is_command(first)) {
          path = sprintf("%s/%03d.sh", out, n++)
          printf "# %s:%d\n%s", file, at + 1, body > path
          close(path)
        }
      }
      previous_blank = 0; next
    }
    fenced {
      body = body $0 "\n"
      if (first == "" && $0 !~ /^[ \t]*(#|$)/) first = $0
      next
    }
    {
      if (previous_blank && $0 ~ /^    / && is_command(substr($0, 5))) {
        printf "%s:%d: an indented command block; write it as a fenced ```sh block so that scripts/readme_commands.sh runs it\n", file, NR > "/dev/stderr"
        bad = 1
      }
      previous_blank = ($0 ~ /^[ \t]*$/)
    }
    END { if (fenced) { printf "%s: a fenced block is not closed\n", file > "/dev/stderr"; bad = 1 } exit bad }
  ' "$file"
done

# Seconds since a `date +%s%N` reading, with two decimals.
seconds_since() {
  local hundredths=$(( ($(date +%s%N) - $1) / 10000000 ))
  printf '%d.%02d' $((hundredths / 100)) $((hundredths % 100))
}

# What a fresh clone has: the tracked files (as they are in the working tree); outside a git
# checkout (a source tarball), everything but build folders and results.
snapshot="$work/snapshot.tar"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z | tar --null -T - -cf "$snapshot"
else
  tar --exclude='./build*' --exclude='./out' --exclude='./results' -cf "$snapshot" .
fi

failed=0
count=0
start_all=$(date +%s%N)
for block in "$work"/blocks/*.sh; do
  [ -e "$block" ] || continue
  where="$(head -n 1 "$block" | cut -c 3-)"
  first="$(sed -n '2,$p' "$block" | grep -v -E '^[[:space:]]*(#|$)' | head -n 1)"
  case "$first" in
    "bash scripts/main.sh"* | "bash scripts/test.sh"*)
      echo "skip  $where  $first  (a set-up command: already run)"
      continue ;;
  esac
  count=$((count + 1))
  folder="$work/run-$(basename "$block" .sh)"
  mkdir -p "$folder"
  tar -xf "$snapshot" -C "$folder"
  { echo "set -e -o pipefail"; sed -n '2,$p' "$block"; } > "$folder/example.sh"
  started=$(date +%s%N)
  if (cd "$folder" && timeout "$timeout_s" bash example.sh) > "$folder/output.txt" 2>&1; then
    echo "ok    $where  $(seconds_since "$started") s  $first"
  else
    status=$?
    failed=$((failed + 1))
    echo "FAIL  $where  exit $status$([ "$status" = 124 ] && echo " (over ${timeout_s} s)")  $first"
    echo "----- as run (in a fresh copy of the checkout):"
    cat "$folder/example.sh"
    echo "----- output (last 40 lines):"
    tail -n 40 "$folder/output.txt"
    echo "-----"
  fi
  rm -rf "$folder"
done
echo "readme_commands: $count examples run, $failed failed, $(seconds_since "$start_all") s"
[ "$failed" -eq 0 ]
