"""Property-based tests of the core helpers against pandas and json as references."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ml_design.core import InputError, atomic_write, check_numeric, to_jsonable

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**62, 2**62), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=5), st.datetimes().map(pd.Timestamp))
nested = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
                      max_leaves=20)


@given(nested)
def test_to_jsonable_always_gives_strict_json(value):
    json.dumps(to_jsonable(value), allow_nan=False)


@given(st.lists(st.one_of(st.integers(-10**6, 10**6), st.floats(allow_infinity=False), st.text(max_size=3)), max_size=20))
@settings(max_examples=200)
def test_check_numeric_agrees_with_pandas_to_numeric(values):
    try:
        reference = pd.to_numeric(pd.Series(values, dtype=object), errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError):
        with pytest.raises(InputError, match="expected numbers"):
            check_numeric(values)
        return
    if np.isinf(reference).any():
        with pytest.raises(InputError, match="infinite"):
            check_numeric(values)
    else:
        np.testing.assert_array_equal(check_numeric(values), reference)


def test_atomic_write_leaves_old_content_when_the_write_fails(tmp_path, monkeypatch):
    target = atomic_write(tmp_path / "a.json", "old")

    def broken_replace(*args):
        raise OSError("disk full")
    monkeypatch.setattr("os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


@given(st.one_of(st.integers(-10, 10), st.floats(-10, 10), st.just(float("nan")), st.booleans(), st.text(max_size=2),
                 st.integers(-10, 10).map(np.int64), st.floats(-10, 10, width=32).map(np.float32)),
       st.booleans(), st.integers(-5, 5), st.booleans())
def test_check_number_accepts_exactly_what_a_plain_reference_accepts(value, integer, low, low_open):
    from ml_design.core import check_number
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    reference = (is_number and not (integer and not isinstance(value, (int, np.integer)))
                 and not (isinstance(value, (float, np.floating)) and np.isnan(value))
                 and (value > low if low_open else value >= low))
    if reference:
        assert check_number(value, "x", "a number", integer=integer, low=low, low_open=low_open) is value
    else:
        with pytest.raises(InputError, match="x: expected a number"):
            check_number(value, "x", "a number", integer=integer, low=low, low_open=low_open)


def test_atomic_write_gives_the_mode_of_a_plain_file_and_keeps_an_existing_one(tmp_path):
    import os, stat
    from ml_design.core import atomic_write
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    written = atomic_write(tmp_path / "report.html", "<p>hi</p>")
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    os.chmod(written, 0o640)
    atomic_write(written, "<p>again</p>")
    assert stat.S_IMODE(written.stat().st_mode) == 0o640 and written.read_text() == "<p>again</p>"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# ---- the checking layer -------------------------------------------------------------------------------------------

from ml_design.core import (Finding, Result, call_model, check_columns, check_fitted, check_folds, check_frame, check_path,
                            check_seed, check_target, check_time_column, read_json_file)


@given(st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=True), st.text(max_size=3),
                 st.integers(0, 2**32 - 1).map(np.int64), st.integers(-5, 5).map(np.int32)))
@settings(max_examples=200, deadline=None)
def test_check_seed_accepts_what_sklearn_accepts_and_refuses_bools_and_floats(seed):
    from sklearn.utils import check_random_state
    try:
        check_random_state(seed)
        reference = not isinstance(seed, (bool, float, np.floating, str))  # sklearn takes True as 1; a seed is never a bool
    except (ValueError, TypeError):
        reference = False
    if reference:
        assert check_seed(seed) is seed
    else:
        with pytest.raises(InputError, match="expected None, an integer seed"):
            check_seed(seed)


@given(st.text(min_size=1, max_size=8))
@settings(deadline=None)
def test_a_string_is_one_column(name):
    assert check_columns(name) == [name]
    assert check_columns([name, name + "_2"]) == [name, name + "_2"]


@given(st.lists(st.one_of(st.text(max_size=3), st.integers(), st.lists(st.integers(), max_size=2)), max_size=6))
@settings(deadline=None)
def test_check_columns_accepts_exactly_lists_of_distinct_strings(items):  # or ints, as pd.DataFrame(array) names them
    valid = bool(items) and all(isinstance(i, (str, int)) for i in items) and len(set(items)) == len(items)
    if valid:
        assert check_columns(items) == items
    else:
        with pytest.raises(InputError, match="columns: expected"):
            check_columns(items)


cells = st.one_of(st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=3), st.booleans(),
                  st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
                  st.sets(st.integers(), max_size=2))


@given(st.lists(cells, min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_check_frame_refuses_a_container_cell_exactly_where_a_python_scan_finds_one(values):
    frame = pd.DataFrame({"c": pd.Series(values, dtype=object)})
    first = next((i for i, v in enumerate(values) if isinstance(v, (list, dict, set))), None)
    if first is None:
        assert check_frame(frame) is frame
    else:
        with pytest.raises(InputError, match=rf"column 'c' holding .* in row {first}\b"):
            check_frame(frame)


def test_check_frame_names_duplicate_and_non_string_columns():
    with pytest.raises(InputError, match=r"\['a'\] more than once.*df.columns.duplicated"):
        check_frame(pd.DataFrame([[1, 2, 3]], columns=["a", "a", "b"]))
    with pytest.raises(InputError, match=r"column int 0.*\[str\(c\) for c in df.columns\]"):
        check_frame(pd.DataFrame([[1, 2]], columns=[0, "b"]))
    assert check_frame(pd.DataFrame([[1, 2]])).shape == (1, 2)  # all-int names, as scikit-learn's arrays give
    with pytest.raises(InputError, match="column tuple"):
        check_frame(pd.DataFrame([[1, 2]], columns=pd.Index([("a", 1), "b"], tupleize_cols=False)))


@given(st.lists(st.sampled_from([0, 1, 2]), min_size=1, max_size=30), st.integers(1, 4))
@settings(deadline=None)
def test_check_target_agrees_with_value_counts(labels, min_per_class):
    counts = pd.Series(labels).value_counts()
    ok = len(counts) == 2 and counts.min() >= min_per_class
    if ok:
        np.testing.assert_array_equal(check_target(labels, n_rows=len(labels), min_per_class=min_per_class), labels)
    else:
        with pytest.raises(InputError, match="y: expected"):
            check_target(labels, min_per_class=min_per_class)


@given(st.one_of(st.integers(-3, 40), st.floats(allow_nan=True), st.none(), st.booleans(), st.text(max_size=2)),
       st.integers(2, 30))
@settings(deadline=None)
def test_check_folds_accepts_exactly_the_integers_kfold_accepts(cv, n_rows):
    from sklearn.model_selection import KFold
    is_int = isinstance(cv, int) and not isinstance(cv, bool)
    try:
        reference = is_int and len(list(KFold(cv).split(np.zeros((n_rows, 1))))) == cv
    except (ValueError, TypeError):
        reference = False
    if reference:
        assert check_folds(cv, n_rows) == cv
    else:
        with pytest.raises(InputError, match="cv: expected"):
            check_folds(cv, n_rows)


def test_check_time_column_refuses_what_orders_rows_wrongly():
    with pytest.raises(InputError, match="all with a time zone or all without"):
        check_time_column(pd.Series([pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-02")], dtype=object))
    with pytest.raises(InputError, match="only missing values"):
        check_time_column(pd.Series([None, None], dtype=object))
    with pytest.raises(InputError, match="'bogus' in row 2"):
        check_time_column(pd.Series(["2020-01-01", "2020-01-02", "bogus"]))
    with pytest.raises(InputError, match="2 infinite"):
        check_time_column(pd.Series([np.inf, 1.0, -np.inf]))
    stamps = check_time_column(pd.Series(["2020-01-01", "2020-02-01"]))
    assert str(stamps.dtype).startswith("datetime64")


def test_check_fitted_and_call_model_speak_for_the_model():
    from sklearn.linear_model import LogisticRegression
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
    model = LogisticRegression().fit(X, [0, 0, 1, 1])
    with pytest.raises(InputError, match="the class LogisticRegression itself"):
        check_fitted(LogisticRegression)
    with pytest.raises(InputError, match=r"X without \['b'\] and with \['c'\]"):
        check_fitted(model, X=X.rename(columns={"b": "c"}))
    with pytest.raises(InputError, match="LogisticRegression whose predict_proba runs on X") as caught:
        call_model(model, "predict_proba", X[["a"]])
    assert caught.value.__cause__ is None and caught.value.__suppress_context__ and "\n" not in str(caught.value)
    assert call_model(model, "predict_proba", X).shape == (4, 2)

    class Broken:
        def predict(self, X): return np.r_[np.full(len(X) - 1, np.inf), 0.0]
    with pytest.raises(InputError, match="3 NaN or infinite value"):
        call_model(Broken(), "predict", X)


@given(st.binary(max_size=64))
@settings(max_examples=100, deadline=None)
def test_read_json_file_raises_only_input_errors(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("json") / "file.json"
    path.write_bytes(content)
    try:
        value = read_json_file(path)
    except InputError as error:
        assert "path: expected a JSON file" in str(error)
    else:
        assert value == json.loads(content.decode("utf-8-sig"))


def test_check_path_refuses_what_is_not_the_kind_asked(tmp_path):
    assert check_path(tmp_path, kind="dir") == tmp_path
    with pytest.raises(InputError, match="expected a file, received the folder"):
        check_path(tmp_path)
    with pytest.raises(InputError, match="which does not exist"):
        read_json_file(tmp_path / "nope.json")
    with pytest.raises(InputError, match="nested 65 levels deep"):
        (tmp_path / "deep.json").write_text("[" * 65 + "]" * 65)
        read_json_file(tmp_path / "deep.json")
    with pytest.raises(InputError, match="nested"):
        (tmp_path / "deeper.json").write_text("[" * 200_000 + "]" * 200_000)
        read_json_file(tmp_path / "deeper.json")


@given(st.lists(st.one_of(st.floats(width=32).map(np.float32), st.integers(-2**63, 2**63 - 1).map(np.int64),
                          st.sampled_from([np.inf, -np.inf, 1e308, np.nan, pd.NA, pd.NaT, np.datetime64("NaT"),
                                           np.timedelta64("NaT"), np.float64(-np.inf), np.bool_(False)])),
                max_size=8))
@settings(deadline=None)
def test_a_results_to_dict_is_strict_json_with_numpy_scalars(values):
    from dataclasses import dataclass, field

    @dataclass
    class Numbers(Result):
        table: pd.DataFrame
        findings: list = field(default_factory=list)
        def plot(self, ax=None): return ax

    result = Numbers(pd.DataFrame({"v": pd.Series(values, dtype=object)}),
                     [Finding("info", "core", "numbers", {"values": values, "first": values[0] if values else None})])
    json.dumps(result.to_dict(), allow_nan=False)


# ----- the checks are hostile-proof themselves (issue 15) ---------------------------------------------------------------
from ml_design import core  # noqa: E402

HOSTILE_OPTIONS = [np.nan, pd.NA, True, np.bool_(False), "3", None]


@pytest.mark.parametrize("bad", HOSTILE_OPTIONS)
def test_the_checks_own_options_are_checked(bad):
    frame = pd.DataFrame({"a": [1, 2]})
    calls = [lambda: core.check_frame(frame, min_rows=bad), lambda: core.describe(1, limit=bad),
             lambda: core.check_target([0, 1, 0, 1], min_per_class=bad)]
    if bad is not None:  # None means "no bound"
        calls += [lambda: core.check_number(1, "x", "a number", low=bad), lambda: core.check_number(1, "x", "a number", high=bad)]
    for call in calls:
        with pytest.raises(InputError):
            call()


def test_check_folds_checks_the_stratifying_target():
    with pytest.raises(InputError, match="expected 10 values"):
        core.check_folds(3, 10, y=[0, 1] * 4)
    with pytest.raises(InputError, match="only missing values"):
        core.check_folds(3, 4, y=[np.nan] * 4)
    assert core.check_folds(3, 6, y=[0, 1] * 3) == 3


def test_check_fitted_trusts_a_plain_object_with_predict():
    class Plain:
        def predict(self, X): return np.zeros(len(X))
    model = Plain()
    assert core.check_fitted(model) is model


def test_atomic_write_refuses_a_folder_and_a_path_under_a_file(tmp_path):
    with pytest.raises(InputError, match="received the folder"):
        atomic_write(tmp_path, "x")
    (tmp_path / "file.json").write_text("{}")
    with pytest.raises(InputError, match="under the file"):
        atomic_write(tmp_path / "file.json" / "inner.json", "x")
    with pytest.raises(InputError, match="a str or bytes"):
        atomic_write(tmp_path / "new.json", {"a": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]


# ----- the notebook's cases of each check, moved here so the notebook shows one example and one refusal (issue 14) -----
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from fastcore.test import test_eq as _eq, test_fail as _fail  # noqa: E402 (renamed: pytest collects test_*)

from ml_design.core import *  # noqa: E402,F401,F403
from sklearn.linear_model import LogisticRegression  # noqa: E402


@pytest.fixture(scope="module")
def nb_data():
    from sklearn.linear_model import LogisticRegression
    from ml_design.datasets import load_flights
    flights, _ = load_flights(n_rows=2000)
    late_model = LogisticRegression().fit(flights[["dep_delay", "distance"]], flights["late"])
    return flights, late_model, check_target(flights["late"], n_rows=len(flights))


def test_notebook_cases_of_check_columns(nb_data):
    flights, late_model, late = nb_data
    _eq(check_columns("carrier", flights), ["carrier"])
    _eq(check_columns(pd.Index(["origin", "dest"])), ["origin", "dest"])
    _eq(check_columns(np.array(["a", "b"])), ["a", "b"])
    _eq(check_columns({"b", "a"}), ["a", "b"])
    _eq(check_columns([], allow_empty=True), [])
    _fail(lambda: check_columns([]), contains="expected at least one column")
    _fail(lambda: check_columns(["carrier", "carrier"]), contains="['carrier'] more than once")
    _fail(lambda: check_columns([["carrier"]]), contains="hashable column names")
    _fail(lambda: check_columns([(3, 4)]), contains="column names that are strings")
    _fail(lambda: check_columns(flights), contains="a column name or a list of column names")
    _fail(lambda: check_columns(["carier"], flights), contains="did you mean 'carrier'")


def test_notebook_cases_of_check_frame(nb_data):
    flights, late_model, late = nb_data
    frame = pd.DataFrame({"carrier": ["UA", "AA"], "arr_delay": [3.0, -2.0]})
    _eq(check_frame(frame, ["carrier"]) is frame, True)
    _eq(check_frame(frame, "carrier") is frame, True)  # a str is one column
    _fail(lambda: check_frame(frame, ["arr_dealy"]), contains="did you mean 'arr_delay'")
    _fail(lambda: check_frame([[1, 2]]), contains="expected a pandas DataFrame, received list")
    _fail(lambda: check_frame(frame.iloc[:0]), contains="expected at least 1 row(s), received 0 row(s)")
    _fail(lambda: check_frame(pd.DataFrame([[1, 2]], columns=["a", "a"])), contains="['a'] more than once")
    _fail(lambda: check_frame(pd.DataFrame([[1, 2]], columns=["a", 0])), contains="column names that are strings")
    _eq(check_frame(pd.DataFrame(np.zeros((2, 2)))).shape, (2, 2))  # all-int names, as scikit-learn's arrays give, are consistent
    _fail(lambda: check_frame(pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")]))),
              contains="columns have 2 levels")
    _fail(lambda: check_frame(pd.DataFrame({"tags": ["a", ["b", "c"]]})), contains="column 'tags' holding list")
    _fail(lambda: check_frame(pd.DataFrame({"meta": [{"k": 1}, None]})), contains="in row 0")
    _eq(check_frame(pd.DataFrame({"mixed": ["a", 1, None, 2.5]})).shape, (4, 1))  # mixed scalars are fine
    _eq(check_frame(flights, ["late"]) is flights, True)


def test_notebook_cases_of_check_numeric(nb_data):
    flights, late_model, late = nb_data
    _eq(check_numeric([1, 2, 3]).dtype, np.dtype(float))
    _eq(check_numeric(pd.Series(["1.5", "2"])).tolist(), [1.5, 2.0])
    _fail(lambda: check_numeric(["1", "two", "3"], name="age"), contains="received 'two' at position 1")
    _fail(lambda: check_numeric([1.0, np.inf]), contains="1 infinite value(s)")
    _fail(lambda: check_numeric([1.0, np.nan], allow_nan=False), contains="1 NaN value(s)")
    _fail(lambda: check_numeric([[1.0]], ndim=1), contains="expected a 1-dimensional array, received shape (1, 1)")


def test_notebook_cases_of_check_fitted_and_check_one_of(nb_data):
    flights, late_model, late = nb_data
    _fail(lambda: check_fitted(LogisticRegression()), contains="an unfitted LogisticRegression")
    _fail(lambda: check_fitted(LogisticRegression), contains="Call it and fit it: LogisticRegression()")
    _fail(lambda: check_fitted(late_model, X=flights[["distance", "dep_delay"]]), contains="in another order")
    _fail(lambda: check_fitted(late_model, X=flights[["dep_delay", "distance"]].to_numpy()[:, :1]), contains="2 features")
    _eq(check_fitted(late_model, X=flights[["dep_delay", "distance"]]), late_model)
    _fail(lambda: check_one_of("psy", ["psi", "ks"], "statistic"), contains="Did you mean 'psi'?")
    _fail(lambda: check_one_of(["psi"], ["psi", "ks"], "statistic"), contains="expected one of")
    _fail(lambda: check_one_of(True, [1, 2], "n"), contains="received bool True")


def test_notebook_cases_of_call_model(nb_data):
    flights, late_model, late = nb_data
    _eq(call_model(late_model, "predict", flights[["dep_delay", "distance"]]).shape, (len(flights),))
    _fail(lambda: call_model(late_model, "predict", flights[["dep_delay"]]), contains="LogisticRegression whose predict runs on X")
    class _NaNModel:
        def predict(self, X): return np.full(len(X), np.nan)
        def predict_proba(self, X): return np.zeros((len(X) + 1, 2))
    _fail(lambda: call_model(_NaNModel(), "predict", flights.head(3)), contains="3 NaN or infinite value(s) of 3")
    _fail(lambda: call_model(_NaNModel(), "predict_proba", flights.head(3)), contains="one row per row of X (3)")
    _fail(lambda: call_model(_NaNModel(), "decision_function", flights), contains="a model with a decision_function method")
    try: call_model(late_model, "predict", flights[["dep_delay"]])
    except InputError as error: assert error.__cause__ is None and error.__suppress_context__ and "\n" not in str(error)


def test_notebook_cases_of_check_number(nb_data):
    flights, late_model, late = nb_data
    _eq(check_number(np.int64(5), "n_rows", "a positive integer", integer=True, low=1), 5)
    _eq(check_number(0.5, "rate", "a share between 0 and 1", low=0, high=1), 0.5)
    _fail(lambda: check_number(True, "n_rows", "a positive integer", integer=True, low=1), contains="received bool True")
    _fail(lambda: check_number(2.5, "bins", "an integer of at least 2", integer=True, low=2), contains="received float 2.5")
    _fail(lambda: check_number(0, "period", "a positive block size", low=0, low_open=True), contains="expected a positive block size")
    _fail(lambda: check_number(float("nan"), "tolerance", "a non-negative number", low=0), contains="received float nan")
    _fail(lambda: check_number(float("inf"), "bound", "a finite number", finite=True), contains="received float inf")
    _eq(check_number(2**70, "bound", "a finite number", finite=True), 2**70)  # beyond int64, still a number


def test_notebook_cases_of_check_target(nb_data):
    flights, late_model, late = nb_data
    _eq(type(late), np.ndarray)
    _eq(check_target(pd.Series([0, 1, 1, 0], dtype="Int64")).tolist(), [0, 1, 1, 0])
    _eq(check_target(flights["carrier"], kind="classification", min_per_class=1).shape, (len(flights),))
    _eq(check_target(flights["arr_delay"], kind="continuous").dtype, np.dtype(float))
    _fail(lambda: check_target(None), contains="received NoneType None")
    _fail(lambda: check_target("late"), contains="not its name")
    _fail(lambda: check_target(late, n_rows=10), contains=f"expected 10 values (one per row of X), received {len(late)} values")
    _fail(lambda: check_target([np.nan, np.nan, np.nan]), contains="received only missing values")
    _fail(lambda: check_target([0, 1, np.nan, 1]), contains="1 missing value(s) of 4")
    _fail(lambda: check_target([1, 1, 1]), contains="a single class 1")
    _fail(lambda: check_target([0, 1, 1, 1]), contains="class 0 with 1 example(s)")
    _fail(lambda: check_target(flights["carrier"]), contains="expected a binary target (two classes)")
    _fail(lambda: check_target(flights["arr_delay"]), contains="kind='continuous' for a regression target")
    _fail(lambda: check_target(flights["arr_delay"] + 0.5, kind="classification"), contains="a continuous target")
    _fail(lambda: check_target(pd.Series(["a", 1, "b", 1], dtype=object)), contains="class labels of one type")
    _fail(lambda: check_target([1.0, np.inf], kind="continuous"), contains="1 infinite value(s)")
    _fail(lambda: check_target([0, 1], kind="binry"), contains="Did you mean 'binary'?")
    _fail(lambda: check_target([0, 1], min_per_class=0), contains="min_per_class: expected a whole number of at least 1")
    _eq(check_target(np.array([0, 1, 0, 1], dtype=np.int8), n_rows=np.int64(4), min_per_class=np.int32(2)).tolist(), [0, 1, 0, 1])


def test_notebook_cases_of_check_seed_and_check_folds(nb_data):
    flights, late_model, late = nb_data
    for seed in (None, 0, np.int64(7), 2**32 - 1, np.random.RandomState(0)): assert check_seed(seed) is seed
    rng = np.random.default_rng(0)
    assert check_seed(rng, generator=True) is rng  # numpy and scipy take a Generator; scikit-learn does not
    with pytest.raises(InputError, match=r"int\(rng.integers"): check_seed(rng)
    for seed in (True, 0.5, "42", -1, 2**32, np.nan, [1]):
        _fail(lambda: check_seed(seed), contains="expected None, an integer seed from 0 to 2**32 - 1")
    _eq(check_folds(np.int64(3), 10), 3)
    for cv in (0, 1, 1.5, None, True, np.nan, "5"): _fail(lambda: check_folds(cv, 10), contains="expected a number of folds")
    _fail(lambda: check_folds(11, 10), contains="from 2 to 10")
    _fail(lambda: check_folds(3, 6, y=[0, 0, 0, 0, 1, 1]), contains="the smallest class, 1, has 2 rows")
    _eq(check_folds(3, 6, y=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), 3)  # a continuous target is not stratified
    _eq(len(list(check_folds([([0, 1], [2, 3])], 4).split())), 1)


def test_notebook_cases_of_check_time_column(nb_data):
    flights, late_model, late = nb_data
    _eq(str(check_time_column(pd.Series(["2013-01-01", "2013-01-02 05:00"])).dtype).startswith("datetime64"), True)
    hours = flights["time_hour"]
    _eq(check_time_column(hours) is hours, True)
    _eq(check_time_column(pd.Series([1.0, 2.0, np.nan])).tolist()[:2], [1.0, 2.0])
    mixed = pd.Series([pd.Timestamp("2013-01-01", tz="UTC"), pd.Timestamp("2013-01-02")], dtype=object)
    _fail(lambda: check_time_column(mixed), contains="all with a time zone or all without")
    _fail(lambda: check_time_column(pd.Series([pd.NaT, pd.NaT])), contains="only missing values (NaT) in 2 rows")
    _fail(lambda: check_time_column(pd.Series(["2013-01-01", "soon"])), contains="'soon' in row 1, which is not a date")
    _fail(lambda: check_time_column(pd.Series([1.0, np.inf])), contains="1 infinite value(s)")
    _fail(lambda: check_time_column(pd.Series([True, False])), contains="booleans")


def test_notebook_cases_of_to_jsonable(nb_data):
    flights, late_model, late = nb_data
    hostile = {"f32": np.float32(0.25), "i64": np.int64(2**40), "inf": np.inf, "big": 1e308, "huge": np.float64(1e308) * 10,
               "nan": np.nan, "na": pd.NA, "nat": pd.NaT, "dt64_nat": np.datetime64("NaT"), "td_nat": np.timedelta64("NaT"),
               "bool": np.bool_(True), "arr": np.array([np.float32(1.5), np.nan]), "frame": pd.DataFrame({"x": [pd.NA, 1.0]})}
    strict = json.loads(json.dumps(to_jsonable(hostile), allow_nan=False))
    _eq(strict["f32"], 0.25); _eq(strict["big"], 1e308)
    _eq([strict[k] for k in ("inf", "huge", "nan", "na", "nat", "dt64_nat", "td_nat")], [None] * 7)
    json.dumps(to_jsonable(Finding("warn", "core", "x", hostile)), allow_nan=False)


def test_notebook_cases_of_read_json_file(nb_data):
    flights, late_model, late = nb_data
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        good = atomic_write(folder / "good.json", json.dumps({"a": [1, {"b": 2}]}))
        _eq(read_json_file(good), {"a": [1, {"b": 2}]})
        _eq(check_path(folder, kind="dir"), folder)
        _eq(check_path(folder / "new.json", must_exist=False), folder / "new.json")
        _fail(lambda: read_json_file(folder / "missing.json"), contains="which does not exist")
        _fail(lambda: read_json_file(folder), contains="expected a file, received the folder")
        _fail(lambda: check_path(good, kind="dir"), contains="expected a folder, received the file")
        _fail(lambda: check_path(None), contains="expected a path")
        _fail(lambda: check_path("a\0b"), contains="expected a valid path")
        (folder / "empty.json").write_text("")
        _fail(lambda: read_json_file(folder / "empty.json"), contains="the empty file")
        (folder / "junk.json").write_bytes(bytes(range(256)))
        _fail(lambda: read_json_file(folder / "junk.json"), contains="binary content")
        (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
        _fail(lambda: read_json_file(folder / "deep.json"), contains="nested")
        (folder / "deep70.json").write_text("[" * 70 + "]" * 70)
        _fail(lambda: read_json_file(folder / "deep70.json"), contains="nested 70 levels deep")
        _eq(json.dumps(read_json_file(folder / "deep70.json", max_depth=70)).count("["), 70)


def test_review_fixes_int_names_bools_container_cells_and_mixed_zone_strings():
    import time
    from ml_design.core import check_columns, check_frame, check_one_of, check_time_column
    frame = pd.DataFrame(np.arange(12.0).reshape(4, 3))  # pd.DataFrame(array): int column names
    assert check_frame(frame, columns=[0, 2]) is frame and check_columns([0, 2], frame) == [0, 2]
    with pytest.raises(InputError, match="strings"): check_columns([(0, 1)])
    with pytest.raises(InputError, match="one of"): check_one_of(0, (False, True), "flag")  # 0 is not False here
    with pytest.raises(InputError, match="one of"): check_one_of(True, (0, 1), "level")     # nor True 1
    assert check_one_of(1, (0, 1), "level") == 1 and check_one_of(False, (False, True), "flag") is False
    mixed = pd.DataFrame({"id": ["a", 1] * 50_000, "x": 1.0})  # str and int in one object column
    assert check_frame(mixed) is mixed
    with pytest.raises(InputError, match="one scalar value per cell"):
        check_frame(pd.DataFrame({"id": pd.Series([1, "a", [1, 2]], dtype=object)}))
    with pytest.raises(InputError, match="time zone|UTC offset"):
        check_time_column(pd.Series(["2024-01-01T00:00+01:00", "2024-02-01"]))


# ---- the chapters of core: 00_core, 06_checking and 09_checking_models_files export into one module -----------------

def test_row_labels_in_messages_read_as_python_shows_them():
    sampled = pd.DataFrame({"meta": [None, {"k": 1}]}, index=pd.Index([7, 731], dtype="int64"))
    _fail(lambda: check_frame(sampled), contains="in row 731")
    stamps = pd.Series(["2013-01-01", "25:00 on Monday"], index=pd.Index([3, 731], dtype="int64"))
    _fail(lambda: check_time_column(stamps), contains="'25:00 on Monday' in row 731, which is not a date")
    labelled = pd.Series(["2013-01-01", "soon"], index=["a", "b"])
    _fail(lambda: check_time_column(labelled), contains="'soon' in row 'b'")


def test_every_chapter_of_core_completes_its_docstrings():
    # document_parameters runs at the end of each chapter's exported code, so the checks defined after the first
    # chapter's call get their Parameters section too
    for name in ("describe", "atomic_write", "check_frame", "check_time_column", "check_fitted", "read_json_file"):
        assert "Parameters\n----------\n" in getattr(core, name).__doc__, name
