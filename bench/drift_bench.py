"""Benchmark of ml_design.drift on 1,000,000 rows x 20 numeric + 2 categorical columns.

Prints ratios measured in this run:
- drift_report (every numeric and categorical statistic) against one numpy.histogram pass per numeric column over both
  frames (target: within 4x), and against scipy.stats.ks_2samp called column by column (target: at least 3x faster);
- peak memory while building a Profile from a CSV read in chunks, against the memory of one chunk (target: under 2x),
  measured two ways: Python and numpy allocations (tracemalloc), and the process's peak resident memory (VmHWM, in a
  fresh interpreter), printed beside pandas' chunked reader alone, which sets the floor for any chunked profile.

- how drift_report's cost grows with the rows (1,000, 10,000 and 100,000 rows a side, the default statistics): it
  must grow monotonically (scipy's exact KS p-value, once reached for samples up to 10,000, made 10,000 rows slower
  than 100,000), and the cost of one access to DriftReport.drifted_columns (computed once, then cached).

Usage: python bench/drift_bench.py [--rows 1000000] [--repeats 3] [--scaling-only]
"""
from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

os.environ.setdefault("ML_DESIGN_QUIET", "1")
from ml_design.drift import Profile, drift_report  # noqa: E402

NUMERIC, LEVELS_A, LEVELS_B = 20, 20, 300


def make_frame(rows: int, shift: float, random_state: int) -> pd.DataFrame:
    "20 numeric columns of mixed shapes (1% missing) and two categorical ones (category and object dtype)."
    rng = np.random.default_rng(random_state)
    columns = {}
    for j in range(NUMERIC):
        if j % 4 == 0: values = rng.normal(shift * (j % 3), 1.0, rows)
        elif j % 4 == 1: values = rng.lognormal(0.0, 1.0 + shift * 0.1, rows)
        elif j % 4 == 2: values = rng.integers(0, 1000, rows).astype(float)
        else: values = rng.exponential(10.0, rows) - 5.0
        values[rng.random(rows) < 0.01] = np.nan
        columns[f"x{j:02d}"] = values
    weights_a = np.linspace(1, 2 + shift, LEVELS_A); weights_a /= weights_a.sum()
    columns["cat_a"] = pd.Categorical.from_codes(rng.choice(LEVELS_A, rows, p=weights_a), [f"a{i}" for i in range(LEVELS_A)])
    columns["cat_b"] = np.array([f"b{i}" for i in range(LEVELS_B)], dtype=object)[rng.integers(0, LEVELS_B, rows)]
    return pd.DataFrame(columns)


def best_of(function, repeats: int) -> float:
    "Fastest of `repeats` timed calls, in seconds."
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter(); function(); times.append(time.perf_counter() - start)
    return min(times)


def scaling(repeats: int):
    "drift_report with its defaults on 1,000, 10,000 and 100,000 rows a side, and the cost of reading drifted_columns."
    times = {}
    print("drift_report (default statistics, 22 columns) by rows a side:")
    for rows in (1_000, 10_000, 100_000):
        reference, current = make_frame(rows, 0.0, 0), make_frame(rows, 0.05, 1)
        times[rows] = best_of(lambda: drift_report(reference, current), repeats)
        report = drift_report(reference, current)
        access = best_of(lambda: [report.drifted_columns for _ in range(100)], repeats) / 100
        print(f"  {rows:>7,} rows: {times[rows] * 1e3:8.1f} ms; one access to drifted_columns {access * 1e6:8.1f} us")
    monotonic = times[1_000] <= times[10_000] <= times[100_000]
    print(f"ratio 10,000 / 1,000 rows: {times[10_000] / times[1_000]:5.2f}x; 100,000 / 10,000 rows: "
          f"{times[100_000] / times[10_000]:5.2f}x  (target: the cost grows with the rows: {'met' if monotonic else 'NOT met'})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scaling-only", action="store_true", help="only the rows scaling and drifted_columns figures")
    args = parser.parse_args()
    scaling(args.repeats)
    if args.scaling_only: return
    reference, current = make_frame(args.rows, 0.0, 0), make_frame(args.rows, 0.05, 1)
    numeric = [c for c in reference.columns if c.startswith("x")]
    print(f"frames: 2 x {args.rows:,} rows x {NUMERIC} numeric + 2 categorical columns; best of {args.repeats}")

    def histograms():
        for column in numeric:
            for frame in (reference, current):
                values = frame[column].to_numpy()
                np.histogram(values[np.isfinite(values)], bins=10)

    def ks_by_column():
        for column in numeric:
            stats.ks_2samp(reference[column].dropna().to_numpy(), current[column].dropna().to_numpy())

    unshifted = make_frame(args.rows, 0.0, 2)  # same distributions as the reference: ks_2samp's p-values are cheap here

    def ks_by_column_no_drift():
        for column in numeric:
            stats.ks_2samp(reference[column].dropna().to_numpy(), unshifted[column].dropna().to_numpy())

    def report_numeric():
        drift_report(reference, current, columns=numeric, numeric="all")

    def report_all():
        drift_report(reference, current, numeric="all", categorical="all")

    histogram_time = best_of(histograms, args.repeats)
    report_numeric_time = best_of(report_numeric, args.repeats)
    report_all_time = best_of(report_all, args.repeats)
    ks_time = best_of(ks_by_column, 1)  # the slowest reference: one run is enough to be sure of a ratio this large
    ks_no_drift_time = best_of(ks_by_column_no_drift, 1)
    del unshifted
    print(f"numpy.histogram, 1 pass per numeric column over both frames: {histogram_time:8.3f} s")
    print(f"drift_report, 20 numeric columns, every numeric statistic:   {report_numeric_time:8.3f} s")
    print(f"drift_report, all 22 columns, every statistic:               {report_all_time:8.3f} s")
    print(f"scipy.stats.ks_2samp, column by column (20 columns):         {ks_time:8.3f} s")
    print(f"scipy.stats.ks_2samp, column by column, frames with no drift: {ks_no_drift_time:8.3f} s  "
          "(its exact-tail p-value is what costs on drifted columns)")
    print(f"ratio drift_report (numeric) / histogram pass: {report_numeric_time / histogram_time:5.2f}x  (target <= 4x)")
    print(f"ratio ks_2samp loop / drift_report (numeric):  {ks_time / report_numeric_time:5.2f}x  (target >= 3x)")
    print(f"ratio ks_2samp loop / drift_report (all 22):   {ks_time / report_all_time:5.2f}x")
    print(f"ratio ks_2samp loop with no drift / drift_report (numeric): {ks_no_drift_time / report_numeric_time:5.2f}x")

    chunksize = 100_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "reference.csv"
        reference.to_csv(path, index=False)
        del current; gc.collect()
        chunk = pd.read_csv(path, nrows=chunksize)
        chunk_bytes = int(chunk.memory_usage(deep=True).sum())
        del chunk; gc.collect()
        tracemalloc.start()
        start = time.perf_counter()
        profile = Profile.from_csv(path, chunksize=chunksize)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        whole = Profile.from_frame(reference)
        same = all(np.array_equal(whole.columns[c].counts, profile.columns[c].counts) for c in numeric)
        # tracemalloc sees Python and numpy allocations, not the CSV parser's own C buffers: measure the process's
        # peak resident memory too, in a fresh interpreter, above its level right after the imports
        def rss_increase(mode):
            rss = subprocess.run([sys.executable, "-c", RSS_PROBE, str(path), str(chunksize), mode], capture_output=True,
                                 text=True, check=True).stdout.split()
            return int(rss[1]) - int(rss[0])
        profile_rss, reader_rss = rss_increase("profile"), rss_increase("reader")
    print(f"Profile.from_csv: {profile.rows:,} rows in chunks of {chunksize:,} in {elapsed:.1f} s (under tracemalloc); "
          f"one chunk holds {chunk_bytes / 1e6:.1f} MB, peak traced memory {peak / 1e6:.1f} MB, "
          f"peak resident memory above the imports {profile_rss / 1e6:.1f} MB (pandas' chunked reader alone: "
          f"{reader_rss / 1e6:.1f} MB)")
    verdict = lambda ratio: "met" if ratio < 2 else "NOT met"
    print(f"ratio peak traced memory / one chunk:   {peak / chunk_bytes:5.2f}x  (target < 2x: {verdict(peak / chunk_bytes)}); "
          f"sketches equal to the whole frame's: {same}")
    print(f"ratio peak resident increase / one chunk: {profile_rss / chunk_bytes:5.2f}x  (target < 2x: "
          f"{verdict(profile_rss / chunk_bytes)}; pandas.read_csv iterating the same chunks without profiling: "
          f"{reader_rss / chunk_bytes:5.2f}x, its C parser's buffers are outside tracemalloc's view)")


RSS_PROBE = """
import os, sys
os.environ["ML_DESIGN_QUIET"] = "1"
import pandas as pd
from ml_design.drift import Profile
def high_water():  # VmHWM: this process's peak resident memory (ru_maxrss would carry the parent's peak over exec)
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024
before = high_water()
if sys.argv[3] == "profile": Profile.from_csv(sys.argv[1], chunksize=int(sys.argv[2]))
else:  # pandas' chunked reader alone, for comparison (each chunk released before the next is parsed, as from_csv does)
    reader = pd.read_csv(sys.argv[1], chunksize=int(sys.argv[2]))
    while (chunk := next(reader, None)) is not None: del chunk
print(before, high_water())
"""


if __name__ == "__main__":
    main()
