"""Benchmark: Schema.validate against a hand-written vectorised numpy check and against pandera, same rules, same data.

1,000,000 rows x 20 numeric columns + 2 categorical ones, with missing values, out-of-range values and unknown
levels injected. Every tool checks the same rules (numeric: not null, inside [low, high]; categorical: not null, level
in the allowed list) and must report the same number of violating rows per column and rule (asserted).
Prints the best-of-N wall time of each and the ratios; targets: validate <= 3x numpy, pandera >= 2x validate.

Run: python bench/contracts_bench.py [--rows 1000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from ml_design.contracts import ColumnSpec, Schema

N_NUMERIC, LEVELS = 20, {"region": list("ABCDE"), "channel": [f"c{i}" for i in range(50)]}
LOW, HIGH = -3.0, 3.0


def make_frame(n_rows: int, random_state: int = 0) -> pd.DataFrame:
    "Standard normal columns (about 0.27% outside [-3, 3]) with 0.1% missing, and categoricals with 0.05% unknown levels."
    rng = np.random.default_rng(random_state)
    columns = {}
    for i in range(N_NUMERIC):
        values = rng.standard_normal(n_rows)
        values[rng.random(n_rows) < 0.001] = np.nan
        columns[f"x{i:02d}"] = values
    for name, levels in LEVELS.items():
        codes = rng.integers(0, len(levels), n_rows)
        codes[rng.random(n_rows) < 0.0005] = len(levels)      # an unknown level
        codes[rng.random(n_rows) < 0.001] = -1                 # missing
        columns[name] = pd.Categorical.from_codes(codes, categories=levels + ["UNKNOWN"])
    return pd.DataFrame(columns)


def schema_of() -> Schema:
    specs = {f"x{i:02d}": ColumnSpec("float", nullable=False, minimum=LOW, maximum=HIGH) for i in range(N_NUMERIC)}
    specs.update({name: ColumnSpec("category", nullable=False, levels=levels) for name, levels in LEVELS.items()})
    return Schema(specs)


def numpy_counts(df: pd.DataFrame) -> dict:
    "The same rules, hand-written with numpy: {(column, rule): violating rows}."
    counts = {}
    for i in range(N_NUMERIC):
        name = f"x{i:02d}"
        values = df[name].to_numpy()
        counts[(name, "null")] = int(np.isnan(values).sum())
        counts[(name, "range")] = int(((values < LOW) | (values > HIGH)).sum())
    for name, levels in LEVELS.items():
        codes = df[name].cat.codes.to_numpy()
        allowed = np.isin(df[name].cat.categories.to_numpy(), levels)
        counts[(name, "null")] = int((codes < 0).sum())
        counts[(name, "level")] = int((~allowed[codes] & (codes >= 0)).sum())
    return counts


def ours_counts(df: pd.DataFrame, schema: Schema) -> dict:
    result = schema.validate(df)
    return {(row.column, row.rule): int(row.n_rows) for row in result.table.itertuples()}


def pandera_schema():
    "The same rules in pandera (None when pandera is not installed)."
    try: import pandera.pandas as pa
    except ImportError: return None
    columns = {f"x{i:02d}": pa.Column(float, pa.Check.in_range(LOW, HIGH), nullable=False) for i in range(N_NUMERIC)}
    columns.update({name: pa.Column("category", pa.Check.isin(levels), nullable=False) for name, levels in LEVELS.items()})
    return pa.DataFrameSchema(columns)


def pandera_counts(df: pd.DataFrame, schema) -> dict:
    import pandera.errors
    try:
        schema.validate(df, lazy=True)
        return {}
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    rule = cases["check"].astype(str).map(lambda c: "null" if "nullable" in c else ("level" if "isin" in c else "range"))
    return {key: int(n) for key, n in cases.groupby([cases["column"], rule]).size().items()}


def best_time(function, repeat: int) -> tuple:
    "Best wall time over `repeat` runs, and the last output."
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        output = function()
        times.append(time.perf_counter() - start)
    return min(times), output


def main(n_rows: int = 1_000_000, repeat: int = 3) -> dict:
    df = make_frame(n_rows)
    schema, reference_schema = schema_of(), pandera_schema()
    t_numpy, expected = best_time(lambda: numpy_counts(df), repeat)
    t_ours, ours = best_time(lambda: ours_counts(df, schema), repeat)
    expected = {k: v for k, v in expected.items() if v}
    assert ours == expected, f"Schema.validate counts differ from numpy: {set(ours.items()) ^ set(expected.items())}"
    if reference_schema is None:
        print("pandera is not installed (pip install -e '.[dev]'): only the numpy comparison runs")
        t_pandera = float("nan")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_pandera, theirs = best_time(lambda: pandera_counts(df, reference_schema), max(1, repeat - 1))
        assert theirs == expected, f"pandera counts differ from numpy: {set(theirs.items()) ^ set(expected.items())}"
    print(f"{n_rows:,} rows x {df.shape[1]} columns, {sum(expected.values()):,} violations in {len(expected)} (column, rule) pairs; "
          "the violation counts agree")
    print(f"  numpy hand-written : {t_numpy * 1000:8.1f} ms")
    print(f"  Schema.validate    : {t_ours * 1000:8.1f} ms")
    print(f"  pandera (lazy)     : {t_pandera * 1000:8.1f} ms")
    slower, faster = t_ours / t_numpy, t_pandera / t_ours
    print(f"Schema.validate / numpy   = {slower:5.2f}x  (target <= 3x: {'met' if slower <= 3 else 'NOT met'})")
    if faster == faster: print(f"pandera / Schema.validate = {faster:5.2f}x  (target >= 2x: {'met' if faster >= 2 else 'NOT met'})")
    return {"numpy_s": t_numpy, "validate_s": t_ours, "pandera_s": t_pandera, "validate_over_numpy": slower,
            "pandera_over_validate": faster}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.rows, arguments.repeat)
