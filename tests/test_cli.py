"""`ml-design` run as a user runs it (a subprocess of the console script): every bad input exits 2 with one line and no
traceback, leaving nothing in the output folder; a review's schema.json gates the next batch with `validate`; `drift`
exits 1 on a drifted batch and 0 on the training window.

Durations on 2 shared cores: each bad-input case about 1.5-3 s (interpreter start and pandas import); the review of
3,000 flights about 10-30 s, once per module (fixture); validate and drift about 2-3 s each.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml_design.datasets import load_flights

SCRIPT = Path(sys.executable).parent / "ml-design"
ENV = {**os.environ, "ML_DESIGN_QUIET": "1", "MPLBACKEND": "Agg"}


def ml_design(*args, cwd=None):
    "Run the console script (or the same main() through the interpreter when it is not installed)."
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "import sys; from ml_design.cli import main; sys.exit(main())"]
    return subprocess.run(command + [str(a) for a in args], capture_output=True, text=True, env=ENV, cwd=cwd, timeout=600)


def assert_bad_input(run, *needles):
    "Status 2, one line on stderr naming the problem, no traceback, nothing on stdout."
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stderr.count("\n") == 1 and run.stderr.endswith("\n"), run.stderr
    assert run.stdout == ""
    for needle in needles: assert needle in run.stderr, (needle, run.stderr)


@pytest.fixture(scope="module")
def flights():
    frame, card = load_flights(n_rows=3_000, random_state=0)
    return frame, card


@pytest.fixture
def small(tmp_path, flights):
    "A 300-row flights CSV in tmp_path."
    frame, _ = flights
    path = tmp_path / "flights.csv"
    frame.head(300).to_csv(path, index=False)
    return path


def review_args(path, out, *extra):
    return ["review", path, "--target", "late", "--out", out, *extra]


BAD_FILES = {
    "missing file": (None, "does not exist"),
    "a directory": ("folder", "Pass one file inside it"),
    "an empty file": (b"", "an empty file (0 bytes)"),
    "a binary file": (bytes(range(256)) * 16, "a binary file"),
    "a JSON document": (b'{"rows": [1, 2, 3]}', "a JSON document"),
    "text that is not a table": (b"Dear team,\nthe data, as promised, is attached, finally, at last\nthanks\n", "more fields than its header row"),
    "prose with one column": (b"Dear team\nthe data is attached\nthanks\n", "one column named"),
    "a header only": (b"late,distance\n", "has a header but no rows"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_file_that_is_not_a_table_exits_2_with_one_line(tmp_path, case):
    content, needle = BAD_FILES[case]
    path = tmp_path / "data.csv"
    if content == "folder": path.mkdir(); (path / "part-0.csv").write_text("a,b\n1,2\n")
    elif content is not None: path.write_bytes(content)
    out = tmp_path / "out"
    assert_bad_input(ml_design(*review_args(path, out)), needle)
    assert not out.exists()


def frame_case(flights, case):
    "The flights broken in one way, and the words the error must contain."
    frame = flights[0].head(300).copy()
    if case == "target that does not exist": return frame, ["--target", "lat"], ["'lat'", "Closest names: 'late'"]
    if case == "target all missing": return frame.assign(late=np.nan), ["--target", "late"], ["missing in every row"]
    if case == "target constant": return frame.assign(late=0), ["--target", "late"], ["constant at 0"]
    if case == "one-row file": return frame.head(1), ["--target", "late"], ["at least 50 rows", "1 row(s)"]
    if case == "only the target": return frame[["late"]], ["--target", "late"], ["the target column only"]
    if case == "no target given": return frame, [], ["Pass --target COL"]
    if case == "time column that does not parse":
        return frame.assign(when=["soon"] + ["2013-01-01"] * 299), ["--target", "late", "--time", "when"], ["do not parse as dates", "'soon'"]
    if case == "time column that does not exist": return frame, ["--target", "late", "--time", "time_hr"], ["Closest names: 'time_hour'"]
    if case == "group column with one row per value":
        return frame.assign(flight_id=range(300)), ["--target", "late", "--group", "flight_id"], ["an identifier"]
    if case == "known-after column that does not exist":
        return frame, ["--target", "late", "--known-after", "air_tim"], ["Closest names: 'air_time'"]
    if case == "sample that is not a number": return frame, ["--target", "late", "--sample", "lots"], ["invalid int value"]
    if case == "sample of zero rows": return frame, ["--target", "late", "--sample", "0"], ["--sample", "a positive number"]
    raise KeyError(case)


FRAME_CASES = ["target that does not exist", "target all missing", "target constant", "one-row file", "only the target",
               "no target given", "time column that does not parse", "time column that does not exist",
               "group column with one row per value", "known-after column that does not exist", "sample that is not a number",
               "sample of zero rows"]


@pytest.mark.parametrize("case", FRAME_CASES)
def test_a_table_that_cannot_be_reviewed_exits_2_with_the_fix(tmp_path, flights, case):
    frame, options, needles = frame_case(flights, case)
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    assert_bad_input(ml_design("review", path, "--out", out, *options), *needles)
    assert not out.exists()


def test_out_that_is_a_file_exits_2(tmp_path, small):
    out = tmp_path / "report.txt"
    out.write_text("keep me")
    assert_bad_input(ml_design(*review_args(small, out)), "which is a file")
    assert out.read_text() == "keep me"


def test_parquet_is_read_like_csv(tmp_path, flights):
    frame = flights[0].head(300)
    path = tmp_path / "flights.parquet"
    frame.assign(late=1).to_parquet(path)  # constant target: refused after reading, so the Parquet file was read
    assert_bad_input(ml_design(*review_args(path, tmp_path / "out")), "constant at 1")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1" + b"\x01" * 64)
    assert_bad_input(ml_design(*review_args(tmp_path / "broken.parquet", tmp_path / "out")), "not a readable Parquet file")


def test_usage_errors_exit_2_and_help_exits_0():
    assert_bad_input(ml_design("frobnicate"), "invalid choice")
    assert_bad_input(ml_design("validate", "data.csv"), "--schema")
    assert ml_design("review", "--help").returncode == 0
    assert ml_design().returncode == 2


def test_datasets_lists_every_card():
    from ml_design.datasets import LOADERS
    run = ml_design("datasets")
    assert run.returncode == 0, run.stderr
    for name in LOADERS: assert f"(`{name}`)" in run.stdout
    assert "Known only after prediction time" in run.stdout
    assert_bad_input(ml_design("datasets", "flight"), "Did you mean 'flights'?")
