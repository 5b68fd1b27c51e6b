"""`ml-design` run as a user runs it (a subprocess of the console script): every bad input exits 2 with one line and no
traceback, leaving nothing in the output folder; a review's schema.json gates the next batch with `validate`; `drift`
exits 1 on a drifted batch and 0 on the training window.

Durations measured on 2 shared cores at a load average of 6 to 12: each bad-input case 1-10 s (interpreter start and
pandas import; those that reach the model or answers file also import the review, 10-14 s); the review of 3,000
flights, once per module (fixture), 66 s; validate and drift 10-22 s per test. The whole file: 4.5 minutes at that load.
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
    if case == "target with a class of 3 rows":  # refused inside review.design_review, before anything is written
        return frame.assign(late=[1, 1, 1] + [0] * 297), ["--target", "late"], ["at least 5 rows of every class"]
    if case == "sample that is not a number": return frame, ["--target", "late", "--sample", "lots"], ["invalid int value"]
    if case == "sample of zero rows": return frame, ["--target", "late", "--sample", "0"], ["--sample", "at least 50"]
    raise KeyError(case)


FRAME_CASES = ["target that does not exist", "target all missing", "target constant", "one-row file", "only the target",
               "no target given", "time column that does not parse", "time column that does not exist",
               "group column with one row per value", "known-after column that does not exist", "target with a class of 3 rows",
               "sample that is not a number",
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


def test_an_output_folder_is_left_as_it_was_after_a_failure(tmp_path, small):
    out = tmp_path / "review"
    out.mkdir()
    (out / "report.json").write_text('{"previous": true}')
    assert_bad_input(ml_design(*review_args(small, out, "--time", "carrier")), "do not parse as dates")
    assert sorted(p.name for p in out.iterdir()) == ["report.json"] and (out / "report.json").read_text() == '{"previous": true}'


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    "A real skops file, one with a byte changed inside, and a pickle-like file that is not skops."
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression
    folder = tmp_path_factory.mktemp("models")
    frame, _ = load_flights(n_rows=500, random_state=0)
    model = LogisticRegression(max_iter=200).fit(frame[["distance", "hour"]], frame["late"])
    good = folder / "model.skops"
    sio.dump(model, good)
    payload = bytearray(good.read_bytes())
    middle = len(payload) // 2
    payload[middle:middle + 8] = bytes(b ^ 0xFF for b in payload[middle:middle + 8])
    (folder / "tampered.skops").write_bytes(bytes(payload))
    (folder / "model.pkl").write_bytes(b"\x80\x04\x95" + b"not a skops archive" * 10)
    (folder / "notes.skops").write_text("the model is on the shared drive")
    return folder


@pytest.mark.parametrize("name, needle", [("tampered.skops", "tampered"), ("model.pkl", "not a readable skops file"),
                                          ("notes.skops", "not a readable skops file"), ("absent.skops", "no such file")])
def test_a_model_file_that_is_not_skops_or_was_tampered_with_exits_2(tmp_path, small, model_files, name, needle):
    out = tmp_path / "out"
    assert_bad_input(ml_design(*review_args(small, out, "--model", model_files / name)), needle)
    assert not out.exists()


def test_an_answers_file_that_does_not_parse_exits_2(tmp_path, small):
    answers = tmp_path / "answers.toml"
    answers.write_text('["data-1"\ndone = yes\n')
    assert_bad_input(ml_design(*review_args(small, tmp_path / "out", "--answers", answers)), "does not parse")


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, flights):
    "One review of 3,000 flights through the console script, with --gate (about 10-60 s, depending on the machine's load)."
    folder = tmp_path_factory.mktemp("reviewed")
    frame, card = flights
    frame.to_csv(folder / "flights.csv", index=False)
    run = ml_design("review", folder / "flights.csv", "--target", "late", "--time", "time_hour", "--group", "origin", "carrier",
                    "--known-after", *card.known_after, "--out", folder / "review", "--sample", "3000", "--gate")
    report = json.loads((folder / "review" / "report.json").read_text())
    boundary = pd.Timestamp(report["split"]["boundary"])
    frame[frame["time_hour"] < boundary].to_csv(folder / "training.csv", index=False)
    return folder, run, report, frame[frame["time_hour"] < boundary].reset_index(drop=True)


def test_review_prints_the_verdict_the_test_score_and_the_report(reviewed):
    folder, run, report, _ = reviewed
    assert "Traceback" not in run.stderr
    assert run.returncode == (1 if report["verdict"] == "not ready" else 0)  # --gate
    lines = run.stdout.splitlines()
    assert lines[1] == f"Verdict: {report['verdict'].upper()}"
    assert any(line.startswith(f"ML Test Score: {report['test_score']['score']:g} (") for line in lines)
    assert lines[-1].startswith(f"Report: {folder / 'review' / 'report.html'}")
    assert sorted(p.name for p in (folder / "review").iterdir()) == ["reference.profile.json", "report.html", "report.json",
                                                                     "schema.json"]
    quiet = ml_design("review", folder / "flights.csv", "--target", "lat", "--quiet")
    assert_bad_input(quiet, "Closest names: 'late'")  # --quiet silences the summary, never the error


def test_validate_passes_the_training_window_and_reports_each_planted_violation(reviewed):
    folder, _, _, training = reviewed
    schema = folder / "review" / "schema.json"
    run = ml_design("validate", folder / "training.csv", "--schema", schema)
    assert run.returncode == 0 and run.stdout.startswith("OK: ") and run.stderr == "", run.stdout + run.stderr
    rng = np.random.default_rng(1)
    batch = training.astype({"carrier": "object", "air_time": "object"})
    batch.loc[rng.choice(len(batch), 7, replace=False), "carrier"] = "XX"
    batch.loc[rng.choice(len(batch), 5, replace=False), "air_time"] = "twelve"
    batch.loc[rng.choice(len(batch), 3, replace=False), "distance"] = -100
    batch.drop(columns=["origin"]).to_csv(folder / "batch.csv", index=False)
    run = ml_design("validate", folder / "batch.csv", "--schema", schema)
    assert run.returncode == 1, run.stdout + run.stderr
    header, *lines = run.stdout.splitlines()
    assert header.startswith("VIOLATIONS: ") and "4 rule(s) broken" in header
    expected = {"carrier: level rule broken by 7 row(s)", "air_time: type rule broken by 5 row(s)",
                "distance: range rule broken by 3 row(s)", "origin: missing_column rule broken by"}
    assert len(lines) == 4 and all(any(line.startswith(f"  - {e}") for line in lines) for e in expected), run.stdout


def test_drift_exits_0_on_the_training_window_and_1_on_a_drifted_batch(reviewed):
    folder, _, _, training = reviewed
    profile = folder / "review" / "reference.profile.json"
    same = ml_design("drift", profile, folder / "training.csv")
    assert same.returncode == 0 and same.stdout.startswith("OK: 0 of "), same.stdout + same.stderr
    numeric = training.select_dtypes("number").columns
    drifted = training.assign(**{c: training[c] * 3 + 1000 for c in numeric}, carrier="ZZ", origin="ZZZ")
    drifted.to_csv(folder / "drifted.csv", index=False)
    run = ml_design("drift", profile, folder / "drifted.csv")
    assert run.returncode == 1 and run.stdout.startswith("DRIFTED: "), run.stdout + run.stderr
    assert ml_design("drift", folder / "training.csv", folder / "drifted.csv").returncode == 1  # two data files
    assert ml_design("drift", folder / "training.csv", folder / "training.csv").returncode == 0


def test_drift_refuses_a_reference_that_is_not_a_profile(reviewed, tmp_path):
    folder = reviewed[0]
    assert_bad_input(ml_design("drift", folder / "review" / "schema.json", folder / "training.csv"),
                     "schema.json is for `ml-design validate`")
    (tmp_path / "broken.json").write_text('{"format": ')
    assert_bad_input(ml_design("drift", tmp_path / "broken.json", folder / "training.csv"), "not valid JSON")
    assert_bad_input(ml_design("validate", folder / "training.csv", "--schema", tmp_path / "absent.json"), "absent.json")


def test_a_bug_inside_a_command_is_one_line_and_exit_3(monkeypatch, capsys):
    from ml_design import cli
    def broken(args): raise ZeroDivisionError("division by zero")
    monkeypatch.setitem(cli._COMMANDS, "datasets", broken)
    monkeypatch.delenv("ML_DESIGN_DEBUG", raising=False)
    assert cli.main(["datasets"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "internal error (ZeroDivisionError" in err and "ML_DESIGN_DEBUG=1" in err


def test_a_negative_limit_is_refused(tmp_path, capsys):
    from ml_design import cli
    data = tmp_path / "batch.csv"
    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}).to_csv(data, index=False)
    for command in (["validate", str(data), "--schema", str(tmp_path / "schema.json"), "--limit", "-1"],
                    ["drift", str(data), str(data), "--limit", "-1"]):
        assert cli.main(command) == cli.EXIT_BAD_INPUT
        assert "--limit" in capsys.readouterr().err


# In process (no subprocess): the checks the notebook nbs/50_review/52_cli.ipynb used to hold in hidden cells.

def _main_output(*argv):
    "main(argv) with what it prints: (status, stdout, stderr)."
    import contextlib
    import io
    from ml_design.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_read_data_names_each_bad_file(tmp_path, flights):
    from ml_design.cli import read_data
    from ml_design.core import InputError
    frame, _ = flights
    frame.head(50).to_csv(tmp_path / "flights.csv", index=False)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "report.json").write_text('{"verdict": "ready"}')
    (tmp_path / "model.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "header.csv").write_text("year,month,late\n")
    cases = {"flight.csv": "Did you mean", "empty.csv": "an empty file (0 bytes)", "report.json": "a JSON document",
             "model.bin": "a binary file", "header.csv": "has a header but no rows"}
    for name, needle in cases.items():
        with pytest.raises(InputError, match=needle.replace("(", r"\(").replace(")", r"\)")): read_data(tmp_path / name)
    with pytest.raises(InputError, match="Pass one file inside it"): read_data(tmp_path)


def test_check_review_data_names_each_problem_with_its_fix(flights):
    from ml_design.cli import MIN_REVIEW_ROWS, check_review_data
    from ml_design.core import InputError
    from ml_design.review import MIN_ROWS
    frame, _ = flights
    assert MIN_REVIEW_ROWS == MIN_ROWS  # the same floor as the review's own
    cases = [((frame, "lat"), {}, "Closest names: 'late'"), ((frame, None), {}, "Pass --target COL"),
             ((frame.head(1), "late"), {}, "at least 50 rows"), ((frame[["late"]], "late"), {}, "the target column only"),
             ((frame.assign(late=1), "late"), {}, "constant at 1"),
             ((frame.assign(late=np.nan), "late"), {}, "missing in every row"),
             ((frame, "late"), {"time_column": "carrier"}, "do not parse as dates"),
             ((frame.assign(row=range(len(frame))), "late"), {"group_columns": ["row"]}, "an identifier"),
             ((frame, "late"), {"known_after": ["dep_dealy"]}, "Closest names: 'dep_delay'")]
    for args, options, needle in cases:
        with pytest.raises(InputError, match=needle): check_review_data(*args, **options)


def test_main_turns_bad_calls_into_one_line_and_status_2(tmp_path, flights):
    frame, _ = flights
    frame.head(100).to_csv(tmp_path / "flights.csv", index=False)
    status, _, error = _main_output("review", str(tmp_path / "flights.csv"), "--target", "lat")
    assert status == 2 and error.count("\n") == 1
    assert "Closest names: 'late'" in error and "Traceback" not in error
    assert _main_output("review", "--sample", "many")[0] == 2
    assert _main_output("frobnicate")[0] == 2
    assert _main_output("validate", str(tmp_path / "flights.csv"))[0] == 2  # --schema is required


def test_validate_counts_the_rows_of_each_planted_fault(tmp_path, flights):
    from ml_design.cli import read_data
    from ml_design.contracts import Schema
    frame, _ = flights
    training = frame.iloc[:2_000]
    Schema.infer(training, tolerance=0.5, mixed="majority", name="flights").save(tmp_path / "schema.json")
    rng = np.random.default_rng(0)
    def some(n): return rng.choice(len(training), size=n, replace=False)
    batch = training.reset_index(drop=True).astype({"carrier": "object", "origin": "object", "air_time": "object"})
    batch.loc[some(40), "carrier"] = "ZZ"
    batch.loc[some(60), "air_time"] = "unknown"
    batch.loc[some(10), "late"] = 3
    batch.loc[some(30), "origin"] = None
    batch.to_csv(tmp_path / "batch.csv", index=False)
    status, out, _ = _main_output("validate", str(tmp_path / "batch.csv"), "--schema", str(tmp_path / "schema.json"))
    assert status == 1 and out.startswith("VIOLATIONS")
    result = Schema.load(tmp_path / "schema.json").validate(read_data(tmp_path / "batch.csv"))
    counts = result.table.set_index("column").loc[["carrier", "air_time", "late", "origin"], "n_rows"].tolist()
    assert counts == [40, 60, 10, 30]
