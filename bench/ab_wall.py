#!/usr/bin/env python3
"""Wall time of whole commands, alternated so that a shared machine's drift hits all alike.

    python3 bench/ab_wall.py N 'OLD COMMAND' 'NEW COMMAND' [...]

Runs each command once per round, N rounds, and prints for each its fastest and median wall
time and the median over rounds of its time divided by the first command's in that round.
Nothing is asserted: timings are reported, never checked (bench/README.md).
"""
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rounds = int(sys.argv[1])
    commands = sys.argv[2:]
    wall = [[] for _ in commands]
    for _ in range(rounds):
        for i, command in enumerate(commands):
            start = time.perf_counter()
            subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            wall[i].append(time.perf_counter() - start)
    for i, times in enumerate(wall):
        ratios = [t / first for first, t in zip(wall[0], times)]
        print(f"{i}: fastest {min(times):.3f} s, median {statistics.median(times):.3f} s, "
              f"median ratio to 0: {statistics.median(ratios):.3f} (rounds: {rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
