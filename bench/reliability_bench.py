"""Benchmark of ml_design.reliability.stress_test on the HMDA mortgage applications (1,190 test rows, as in
nbs/10_properties/10_reliability.ipynb).

Prints, measured in this run (median of --repeats timed calls each):
- one plain predict_proba of the fitted model on the 1,190 clean rows: the reference;
- stress_test of the raw model and of a GuardedModel with the default faults and rates (8 faults x 5 rates) and with
  the notebook's full grid (8 faults x 11 rates x 5 repeats);
- each stress test's time as a ratio of the reference, and the number of predict calls it made.

Each fault-and-rate injection used to be scored by its own small predict call (hundreds of calls, each paying the
model's fixed per-call cost); the stress test now concatenates the faulted copies and scores them in a few calls.

Usage: python bench/reliability_bench.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import functools
import gc
import os
import statistics
import time

import numpy as np

os.environ.setdefault("ML_DESIGN_QUIET", "1")
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from ml_design.contracts import Schema  # noqa: E402
from ml_design.datasets import load_hmda  # noqa: E402
from ml_design.reliability import GuardedModel, stress_test  # noqa: E402


def median_time(function, repeats: int) -> float:
    "Median of `repeats` timed calls, in seconds."
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter(); function(); times.append(time.perf_counter() - start)
    return statistics.median(times)


class Counting:
    "Counts the calls of a model's predict methods (wraps the estimator's bound methods in place)."
    def __init__(self, model):
        self.model, self.calls = model, 0
        for name in ("predict", "predict_proba", "decision_function"):
            if hasattr(model, name):
                original = getattr(model, name)
                @functools.wraps(original)
                def counted(*args, _original=original, **kwargs):
                    self.calls += 1
                    return _original(*args, **kwargs)
                setattr(model, name, counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    threadpool_limits(1)
    frame, _ = load_hmda()
    features = [c for c in frame.columns if c not in ("deny", "afam")]
    X_train, X_test, y_train, y_test = train_test_split(frame[features], frame["deny"], test_size=0.5,
                                                        stratify=frame["deny"], random_state=0)
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0).fit(X_train, y_train)
    schema = Schema.infer(X_train, tolerance=0.1)
    for spec in schema.columns.values(): spec.nullable = True
    guarded = GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
                           schema=schema).fit(X_train, y_train)
    reference = median_time(lambda: model.predict_proba(X_test), max(args.repeats, 5) * 4)
    print(f"rows: {len(X_test):,}; reference: one predict_proba on them {reference * 1e3:.2f} ms (median)")
    grids = {"default (8 faults x 5 rates)": {},
             "full (8 faults x 11 rates x 5 repeats)": {"rates": np.linspace(0, 0.5, 11), "repeats": 5}}
    for label, options in grids.items():
        for name, estimator in (("raw model", model), ("GuardedModel", guarded)):
            counter = Counting(estimator.model_ if name == "GuardedModel" else estimator)
            stress_test(estimator, X_test, y_test, random_state=0, **options)
            calls = counter.calls
            seconds = median_time(lambda: stress_test(estimator, X_test, y_test, random_state=0, **options),
                                  args.repeats)
            for method in ("predict", "predict_proba", "decision_function"):  # unwrap
                counter.model.__dict__.pop(method, None)
            print(f"stress_test {label}, {name}: {seconds:.3f} s = {seconds / reference:,.0f}x one predict; "
                  f"{calls} predict calls to the model")


if __name__ == "__main__":
    main()
