"""Scale-out on Dask, measured in one run on this machine (ratios, not wall-clock thresholds):

1. Dask with 2 workers against 1 worker on the same data (speedup; target > 1 on an idle 2-core machine);
2. pandas against Dask on data that fits in memory (Dask's overhead);
3. peak worker memory against the workers' limit on data that does not fit (the flights replicated to about
   20 million rows, about 3.9 GB as a pandas frame, against 2 workers of 1 GiB): profile, validate and score
   (target: every worker below its limit).

Usage: python bench/scale_bench.py [--copies 61]   (the data is written to a temporary folder and removed)
"""
import argparse
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from ml_design.baselines import feature_frame, ladder_models
from ml_design.contracts import Schema
from ml_design.datasets import load_flights
from ml_design.scale_out import SCALE_OPERATIONS, dask_cluster, scale_comparison, write_replicas


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=61, help="copies of the flights for the out-of-core run")
    args = parser.parse_args()
    flights, _ = load_flights()
    in_memory = flights.memory_usage(deep=True).sum()
    scratch = Path(tempfile.mkdtemp(prefix="scale_bench_"))
    try:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
        fits = write_replicas(flights, 6 * len(flights), scratch / "fits", partition_rows=250_000, time_column="time_hour")
        with dask_cluster(n_workers=2, memory_limit="1GiB") as cluster:
            timing = scale_comparison([fits], "profile", n_workers=(1, 2), cluster=cluster).table
            seconds = timing.set_index(["engine", "workers"])["seconds"]
            rows = int(timing["rows"].iloc[0])
            speedup = seconds[("dask", 1)] / seconds[("dask", 2)]
            overhead = seconds[("dask", 2)] / seconds[("pandas", 1)]
            print(f"1. profile of {rows:,} rows: Dask 2 workers {seconds[('dask', 2)]:.2f} s, 1 worker "
                  f"{seconds[('dask', 1)]:.2f} s: speedup {speedup:.2f}x (target > 1: {'met' if speedup > 1 else 'NOT met'})")
            print(f"2. same rows, pandas {seconds[('pandas', 1)]:.2f} s: Dask (2 workers) / pandas = {overhead:.2f}x "
                  f"(the price of splitting the work on data that fits)")
            copies = args.copies
            big = write_replicas(flights, copies * len(flights), scratch / "big", partition_rows=250_000,
                                 time_column="time_hour")
            contract = Schema.infer(flights, max_levels=200)
            contract.columns["time_hour"] = replace(contract.columns["time_hour"], minimum=None, maximum=None)
            features = feature_frame(flights[["sched_dep_time", "distance", "hour", "carrier", "origin"]].iloc[:50_000])
            model = ladder_models(features, "classification", random_state=0)["linear model"].fit(
                features, flights["late"].iloc[:50_000])
            print(f"3. out of core: {copies * len(flights):,} rows, {copies * in_memory / 1e9:.1f} GB as a pandas frame, "
                  "2 workers of 1 GiB each")
            for operation in SCALE_OPERATIONS:
                table = scale_comparison([big], operation, n_workers=(2,), cluster=cluster, schema=contract, model=model,
                                         pandas_max_rows=0).table
                row = table.iloc[0]
                ratio = row.peak_mb / row.memory_limit_mb
                print(f"   {operation:<8} {row.seconds:7.1f} s, peak worker memory {row.peak_mb:,.0f} MB / limit "
                      f"{row.memory_limit_mb:,.0f} MB = {ratio:.2f}x (target < 1: {'met' if ratio < 1 else 'NOT met'})")
        print(f"machine: load average {os.getloadavg()[0]:.2f} at the end")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
