"""Benchmark of `ml-design review`: wall time and peak resident memory, with the machine's load.

Prints, measured in this run:
- the review of the default dataset (`ml-design review`: all 327,346 flights with an arrival delay), target under 60 s;
- the review of a 1,000,000-row CSV of the same shape (the flights replicated with their dates shifted by whole years,
  written to a temporary folder and deleted afterwards), target under 10 minutes with peak resident memory under 6x the
  frame's in-memory size (the frame as `ml-design` reads that CSV, `memory_usage(deep=True)`);
- the size of each report.html (target under 2 MB).
Each review runs in a fresh child process through `ml_design.cli.main`, exactly as the console script runs it; its peak
resident memory is the child's own high-water mark (VmHWM in /proc/self/status, read as it exits; ru_maxrss of a child
would carry the parent's peak over the exec). The load average (os.getloadavg) is printed before and after each run:
on a loaded machine the wall times are longer than the review's own cost, which the child's CPU time (user + system,
from getrusage) shows; the review runs its steps on one thread.

Usage: python bench/review_bench.py [--rows 1000000] [--skip-large] [--sample 20000]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ML_DESIGN_QUIET", "1")
import pandas as pd  # noqa: E402

from ml_design.cli import read_data  # noqa: E402
from ml_design.datasets import load_flights  # noqa: E402

CHILD = """
import sys
from ml_design.cli import main
status = main(sys.argv[1:])
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("VmHWM_BYTES", int(hwm.split()[1]) * 1024, file=sys.stderr)
sys.exit(status)
"""


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def run_review(arguments: list, label: str) -> dict:
    "Run one review in a child process; return its wall time, peak RSS, exit status and load before/after."
    before, usage = load_text(), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", CHILD, "review", *arguments, "--quiet"], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    lines = child.stderr.strip().splitlines()
    peak = next((int(line.split()[1]) for line in lines if line.startswith("VmHWM_BYTES")), math.nan)
    if child.returncode != 0:
        print(f"{label}: ml-design review exited with status {child.returncode}:\n{child.stderr}", file=sys.stderr)
    return {"wall": wall, "cpu": cpu, "peak": peak, "status": child.returncode, "load_before": before, "load_after": load_text()}


def replicated_flights(rows: int, path: Path) -> int:
    "Write `rows` flights to `path` as CSV: the year of flights repeated with time_hour and year shifted by whole years."
    frame, _ = load_flights()
    copies = math.ceil(rows / len(frame))
    parts = []
    for shift in range(copies):
        part = frame.copy()
        part["time_hour"] = part["time_hour"] + pd.DateOffset(years=shift)
        part["year"] = part["year"] + shift
        parts.append(part)
    pd.concat(parts, ignore_index=True).iloc[:rows].to_csv(path, index=False)
    return path.stat().st_size


def report_size(folder: Path) -> float:
    html = folder / "report.html"
    return html.stat().st_size / 1e6 if html.exists() else math.nan


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the large CSV")
    parser.add_argument("--sample", type=int, default=20_000, help="--sample passed to the review (rows for model-heavy steps)")
    parser.add_argument("--skip-large", action="store_true", help="only the default dataset")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {load_text()} (1, 5, 15 min)")
    default_frame, card = load_flights()
    default_bytes = int(default_frame.memory_usage(deep=True).sum())
    del default_frame
    with tempfile.TemporaryDirectory(prefix="review-bench-") as folder:
        folder = Path(folder)
        result = run_review(["--out", str(folder / "default"), "--sample", str(args.sample)], "default dataset")
        size = report_size(folder / "default")
        print(f"default dataset ({card.rows:,} flights, {default_bytes / 1e6:.0f} MB in memory): wall {result['wall']:.1f} s "
              f"(target < 60 s: {verdict(result['wall'] < 60)}; CPU {result['cpu']:.1f} s), peak RSS {result['peak'] / 1e6:.0f} MB "
              f"({result['peak'] / default_bytes:.1f}x the frame), exit status {result['status']}, report.html {size:.2f} MB "
              f"(target < 2 MB: {verdict(size < 2)}); load {result['load_before']} before, {result['load_after']} after")
        if args.skip_large: return
        csv = folder / "flights_large.csv"
        csv_bytes = replicated_flights(args.rows, csv)
        frame = read_data(csv)
        frame_bytes = int(frame.memory_usage(deep=True).sum())
        del frame
        arguments = [str(csv), "--target", "late", "--time", "time_hour", "--group", "origin", "carrier",
                     "--known-after", *card.known_after, "--out", str(folder / "large"), "--sample", str(args.sample)]
        result = run_review(arguments, f"{args.rows:,} rows")
        size = report_size(folder / "large")
        ratio = result["peak"] / frame_bytes
        print(f"{args.rows:,}-row CSV ({csv_bytes / 1e6:.0f} MB on disk, {frame_bytes / 1e6:.0f} MB in memory): wall "
              f"{result['wall']:.1f} s (target < 600 s: {verdict(result['wall'] < 600)}; CPU {result['cpu']:.1f} s), peak RSS {result['peak'] / 1e6:.0f} MB "
              f"= {ratio:.2f}x the frame (target < 6x: {verdict(ratio < 6)}), exit status {result['status']}, report.html "
              f"{size:.2f} MB (target < 2 MB: {verdict(size < 2)}); load {result['load_before']} before, {result['load_after']} after")
        summary = folder / "large" / "report.json"
        if summary.exists():
            sampled = json.loads(summary.read_text()).get("sampled", {})
            if sampled: print("steps run on a sample (rows): " + ", ".join(f"{k} {v:,}" for k, v in sampled.items()))


if __name__ == "__main__":
    main()
