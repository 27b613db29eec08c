#!/usr/bin/env python
"""The whole ``vitd-kg validate --data DIR`` against the SHACL step alone, side by side.

Issue 17's goal: the whole command at most 1.5x the SHACL step. Each round runs, one after
the other on the same corpus:

* the command, as a user runs it: ``vitd-kg --cache off validate --data DIR`` in its own
  process (wall time and peak RSS, from ``wait4``);
* the step alone, in its own process: the corpus loaded by
  ``vitd_kg.rdf.parsing.load_store`` (not timed), then
  ``vitd_kg.validation.fast_shacl.validate_store`` with the bundled shapes (timed), which is
  what ``benchmarks/run.py --steps validate`` measures: once as the package runs it (one
  thread per core), and once on one thread (``workers=1``; a version without the
  ``workers`` argument runs on one thread anyway). The issue's goal was set when the step
  ran on one thread, so the ratio is given against both.

Rounds alternate the two so that a change in the machine's load touches both; the ratio is
given per round and as the median of the rounds.

    python benchmarks/validate_overhead.py DIR [DIR ...] --rounds 3
    python benchmarks/validate_overhead.py DIR --vitd-kg /path/to/baseline/bin/vitd-kg
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

STEP = """
import sys, time
from vitd_kg.rdf.parsing import load_store
from vitd_kg.validation.fast_shacl import validate_store
from vitd_kg.validation.pipeline import shapes_graph
store = load_store(sys.argv[1])
shapes = shapes_graph()
options = {} if sys.argv[2] == "default" else {"workers": int(sys.argv[2])}
try:
    start = time.perf_counter()
    report = validate_store(store, shapes, **options)
except TypeError:  # a version whose engine has no workers: one thread
    start = time.perf_counter()
    report = validate_store(store, shapes)
print(time.perf_counter() - start, len(report.results))
"""


def run_command(command: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KB, exit code) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def step_alone(python: str, folder: Path, workers: str = "default") -> float:
    """Seconds of ``validate_store`` on ``load_store``'s store, in a process of its own,
    with ``workers`` threads (``default``: as the package chooses)."""
    out = subprocess.run([python, "-c", STEP, str(folder), workers], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", type=Path, nargs="+", help="corpora (vitd-kg synth output folders)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--vitd-kg", default=str(Path(sys.executable).parent / "vitd-kg"),
                        help="the command to time (its venv's python runs the step alone)")
    parser.add_argument("--max-size", type=int, default=600, help="validate's --max-size, in MB")
    args = parser.parse_args(argv)
    python = str(Path(args.vitd_kg).with_name("python"))
    print("| corpus | round | whole command | peak RSS | step alone | ratio | step, one thread | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for folder in args.folders:
        ratios: list[float] = []
        ratios_one: list[float] = []
        for number in range(1, args.rounds + 1):
            command = [args.vitd_kg, "--cache", "off", "validate", "--max-size", str(args.max_size),
                       "--data", str(folder)]
            whole, rss, code = run_command(command)
            if code not in (0, 1):
                print(f"| {folder.name} | {number} | exit {code} | | | | | |")
                continue
            step = step_alone(python, folder)
            one = step_alone(python, folder, "1")
            ratios.append(whole / step)
            ratios_one.append(whole / one)
            print(f"| {folder.name} | {number} | {whole:.2f} s | {rss / 1024:.0f} MB | {step:.3f} s | "
                  f"{whole / step:.2f} | {one:.3f} s | {whole / one:.2f} |", flush=True)
        if ratios:
            print(f"| {folder.name} | median | | | | {statistics.median(ratios):.2f} | | "
                  f"{statistics.median(ratios_one):.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
