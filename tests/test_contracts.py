"""Property-based tests of contracts (validate, infer) and schema_lifecycle (diff, JSON, files) against pandas/numpy
references, SchemaGuard against scikit-learn's estimator checks, and hostile inputs (files, frames, HTML)."""
import copy
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.pipeline import make_pipeline
from sklearn.linear_model import LinearRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from ml_design.contracts import ColumnSpec, Schema, ValidationResult, _check_column
from ml_design.schema_lifecycle import SchemaGuard
from ml_design.core import ContractError, InputError, is_result
from ml_design.datasets import load_loans

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def frames(draw, min_rows=1):
    "Random frames mixing every kind, with missing values."
    n = draw(st.integers(min_rows, 30))
    floats = st.floats(allow_nan=False, allow_infinity=False) if draw(st.booleans()) else st.floats(-1e6, 1e6)
    columns = {}
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["float", "int", "category", "string", "bool", "datetime"]))
        missing = draw(st.lists(st.booleans(), min_size=n, max_size=n)) if draw(st.booleans()) else [False] * n
        if kind == "float":
            values = pd.Series(draw(st.lists(floats, min_size=n, max_size=n)), dtype=float).mask(missing)
        elif kind == "int":
            values = pd.Series(draw(st.lists(st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n)), dtype="int64")
        elif kind == "category":
            values = pd.Series(draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n)), dtype="category").mask(missing)
        elif kind == "string":
            values = pd.Series(draw(st.lists(st.text(max_size=6), min_size=n, max_size=n)), dtype="string").mask(missing)
        elif kind == "bool":
            values = pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        else:
            days = draw(st.lists(st.integers(0, 20_000), min_size=n, max_size=n))
            values = (pd.Timestamp("1990-01-01") + pd.to_timedelta(days, unit="D")).to_series(index=range(n)).mask(missing)
        columns[f"{kind}_{i}"] = values.reset_index(drop=True)
    return pd.DataFrame(columns)


# ---------- infer / validate ----------

@given(frames(), st.floats(0, 2))
@FAST
def test_a_schema_inferred_from_a_frame_accepts_that_frame(df, tolerance):
    result = Schema.infer(df, tolerance=tolerance).validate(df)
    assert result.ok and result.table.empty and not result.row_mask.any()
    assert is_result(result)
    json.dumps(result.to_dict(), allow_nan=False)


@given(st.lists(st.one_of(st.floats(-100, 100), st.just(np.nan), st.just(np.inf), st.just(-np.inf)), min_size=1, max_size=60),
       st.one_of(st.none(), st.floats(-50, 0)), st.one_of(st.none(), st.floats(0, 50)), st.booleans(), st.booleans())
@FAST
def test_float_rules_count_what_numpy_counts(values, low, high, nullable, allow_inf):
    x = np.array(values, dtype=float)
    spec = ColumnSpec("float", nullable=nullable, minimum=low, maximum=high, allow_inf=allow_inf)
    result = Schema({"x": spec}).validate(pd.DataFrame({"x": x}))
    counts = dict(zip(result.table["rule"], result.table["n_rows"]))
    finite = np.isfinite(x)
    out = finite & (((x < low) if low is not None else False) | ((x > high) if high is not None else False))
    expected = {"null": 0 if nullable else int(np.isnan(x).sum()), "range": int(out.sum()),
                "finite": 0 if allow_inf else int(np.isinf(x).sum())}
    assert counts == {k: v for k, v in expected.items() if v}
    reference_mask = out | (np.isinf(x) & (not allow_inf)) | (np.isnan(x) & (not nullable))
    np.testing.assert_array_equal(result.row_mask, reference_mask)


@given(st.lists(st.one_of(st.sampled_from(["a", "b", "c", "z"]), st.none()), min_size=1, max_size=40),
       st.lists(st.sampled_from(["a", "b", "c"]), unique=True, min_size=1), st.booleans(), st.booleans())
@FAST
def test_level_rule_counts_what_isin_counts_for_categorical_and_object(values, levels, as_category, unique):
    series = pd.Series(values, dtype="category" if as_category else object)
    result = Schema({"g": ColumnSpec("category", levels=levels, unique=unique)}).validate(pd.DataFrame({"g": series}))
    counts = dict(zip(result.table["rule"], result.table["n_rows"]))
    present = series.notna()
    assert counts.get("level", 0) == int((present & ~series.isin(levels)).sum())
    assert counts.get("unique", 0) == (int((present & series.duplicated(keep=False)).sum()) if unique else 0)


@given(frames(min_rows=5), st.floats(0, 1), st.floats(0, 1))
@FAST
def test_a_larger_tolerance_never_flags_more_rows(df, small, extra):
    half = len(df) // 2
    train, test = df.iloc[:half].reset_index(drop=True), df.iloc[half:].reset_index(drop=True)
    narrow = Schema.infer(train, tolerance=small).validate(test).row_mask
    wide = Schema.infer(train, tolerance=small + extra).validate(test).row_mask
    assert not (wide & ~narrow).any()


def test_results_plot_on_an_axes():
    import matplotlib.pyplot as plt
    schema = Schema({"a": ColumnSpec("int", minimum=0)})
    old_and_new = schema.diff(Schema({"a": ColumnSpec("float")}, version="2.0.0"))
    for result in (schema.validate(pd.DataFrame({"a": [-1, 2]})), schema.validate(pd.DataFrame({"a": [1]})), old_and_new):
        assert result.plot().figure is not None
    plt.close("all")


def test_frame_level_problems_mark_every_row_and_raise_with_the_result():
    schema = Schema({"a": ColumnSpec("int"), "b": ColumnSpec("float")})
    df = pd.DataFrame({"a": [1, 2, 3], "c": [1.0, 2.0, 3.0]})
    result = schema.validate(df)
    assert result.row_mask.all()
    assert set(result.table["rule"]) == {"missing_column", "unexpected_column"}
    with pytest.raises(ContractError) as error:
        schema.validate(df, raise_on_error=True)
    assert isinstance(error.value.result, ValidationResult)
    assert error.value.result.table.equals(result.table)
    assert Schema({"a": ColumnSpec("int")}, allow_extra_columns=True).validate(df).ok


def test_bad_input_gets_a_result_or_a_clear_error():
    schema = Schema({"x": ColumnSpec("float", nullable=False)})
    assert schema.validate(pd.DataFrame({"x": pd.Series([], dtype=float)})).severity == "warn"
    assert schema.validate(pd.DataFrame({"x": [np.nan] * 3})).table["n_rows"].tolist() == [3]
    mixed = pd.DataFrame({"x": pd.Series([1.0, "a", {"k": 1}, None, True], dtype=object)})
    assert dict(zip(*schema.validate(mixed).table[["rule", "n_rows"]].values.T)) == {"type": 2, "null": 1}
    with pytest.raises(InputError, match="expected one scalar value per cell"):
        Schema.infer(mixed)
    with pytest.raises(InputError, match="expected values of one type"):
        Schema.infer(mixed.iloc[[0, 1, 3]])
    with pytest.raises(InputError, match="expected a pandas DataFrame"):
        schema.validate([[1.0]])
    duplicated = pd.DataFrame([[1.0, 2.0]], columns=["x", "x"])
    assert "duplicate_column" in set(schema.validate(duplicated).table["rule"])
    with pytest.raises(InputError, match="dtype timedelta"):
        Schema.infer(pd.DataFrame({"t": pd.to_timedelta([1, 2], unit="s")}))


# ---------- JSON ----------

@given(frames(), st.floats(0, 1), st.booleans())
@FAST
def test_json_round_trip_is_exact(df, tolerance, unique):
    schema = Schema.infer(df, tolerance=tolerance, detect_unique=unique, name="random")
    text = schema.to_json()
    assert json.loads(text)["format_version"] == 1
    assert Schema.from_json(text) == schema
    assert Schema.from_dict(json.loads(text)) == schema


def test_save_is_atomic_and_load_refuses_unknown_fields(tmp_path):
    loans, _ = load_loans(n_rows=500)
    schema = Schema.infer(loans)
    path = schema.save(tmp_path / "loans.json")
    assert Schema.load(path) == schema
    assert [p.name for p in tmp_path.iterdir()] == ["loans.json"]
    document = schema.to_dict()
    document["columns"][0]["colour"] = "red"
    with pytest.raises(InputError, match="unknown \\['colour'\\]"):
        Schema.from_dict(document)
    with pytest.raises(InputError, match="which does not exist"):
        Schema.load(tmp_path / "absent.json")


# ---------- diff ----------

def mutate(schema: Schema, column, choice: int, draw_value: float) -> Schema:
    "One random edit of `schema`'s spec for `column` (or of its columns)."
    new = copy.deepcopy(schema)
    spec = new.columns[column]
    if choice == 0: del new.columns[column]
    elif choice == 1: new.columns["added"] = ColumnSpec("float", required=draw_value > 0.5)
    elif choice == 2: new.columns[column] = replace(spec, nullable=not spec.nullable)
    elif choice == 3: new.columns[column] = replace(spec, unique=not spec.unique)
    elif choice == 4: new.columns[column] = replace(spec, required=not spec.required)
    elif choice == 5: new.allow_extra_columns = not new.allow_extra_columns
    elif choice == 6: new.columns[column] = replace(spec, description="edited")
    elif choice == 7 and spec.kind in ("int", "float") and spec.minimum is not None:
        shift = (draw_value - 0.5) * 2 * (abs(spec.minimum) + 1)
        low = spec.minimum + shift if spec.kind == "float" else int(spec.minimum + round(shift))
        if low <= spec.maximum: new.columns[column] = replace(spec, minimum=low)
    elif choice == 8 and spec.kind == "category" and spec.levels:
        new.columns[column] = replace(spec, levels=spec.levels[1:] if draw_value < 0.5 else spec.levels + ["new"])
    elif choice == 9:
        new.columns[column] = replace(spec, kind="string" if spec.kind != "string" else "category", minimum=None, maximum=None)
    return new


@given(frames(), st.integers(0, 9), st.floats(0, 1), st.data())
@FAST
def test_a_change_that_rejects_previously_valid_data_is_classified_breaking(df, choice, value, data):
    old = Schema.infer(df)
    column = data.draw(st.sampled_from(list(old.columns)))
    new = mutate(old, column, choice, value)
    change = old.diff(new)
    assert change.bump in ("none", "patch", "minor", "major")
    assert change.breaking == (change.bump == "major")
    if not new.validate(df).ok:
        assert change.breaking, change.table
    if new == old:
        assert change.bump == "none" and change.table.empty
    assert is_result(change)
    json.dumps(change.to_dict(), allow_nan=False)


@given(frames())
@FAST
def test_diff_with_itself_is_empty_and_widening_is_minor(df):
    schema = Schema.infer(df)
    assert schema.diff(schema).bump == "none"
    wider = Schema.infer(df, tolerance=0.5)
    change = schema.diff(wider)
    assert not change.breaking and change.bump in ("none", "minor")
    back = wider.diff(schema)
    assert back.bump == ("major" if change.bump == "minor" else "none")


# ---------- SchemaGuard ----------

@parametrize_with_checks([SchemaGuard(), SchemaGuard(on_error="drop_rows"), SchemaGuard(on_error="impute", tolerance=0.1)])
def test_schema_guard_passes_sklearn_estimator_checks(estimator, check):
    check(estimator)


@given(frames(min_rows=6), st.sampled_from(["drop_rows", "impute"]))
@FAST
def test_guard_repairs_exactly_the_rows_validate_flags(df, mode):
    half = len(df) // 2
    train, test = df.iloc[:half].reset_index(drop=True), df.iloc[half:].reset_index(drop=True)
    guard = SchemaGuard(on_error=mode).fit(train)
    result = guard.check(test)
    try:
        out = guard.transform(test)
    except ContractError as error:  # only when a column has no valid training value to impute from
        assert mode == "impute" and "no valid value" in str(error)
        return
    if mode == "drop_rows":
        assert out.index.tolist() == test.index[~result.row_mask].tolist()
    else:
        assert len(out) == len(test)
    assert guard.schema_.validate(out).ok


def test_guard_refuses_to_impute_a_uniqueness_violation_but_drops_it():
    schema = Schema({"id": ColumnSpec("int", unique=True)})
    frame = pd.DataFrame({"id": [1, 2, 2, 3]})
    with pytest.raises(ContractError, match="cannot impute the repeated values of unique columns \\['id'\\]"):
        SchemaGuard(schema, on_error="impute").fit(frame.iloc[[0, 1]]).transform(frame)
    assert SchemaGuard(schema, on_error="drop_rows").fit(frame.iloc[[0, 1]]).transform(frame)["id"].tolist() == [1, 3]


def test_guard_sits_first_in_a_pipeline_on_real_loans():
    loans, _ = load_loans(n_rows=2000)
    features = ["loan_amount", "term", "annual_income", "debt_to_income"]
    train = loans[features].dropna()
    model = make_pipeline(SchemaGuard(tolerance=0.2), LinearRegression()).fit(train, loans.loc[train.index, "interest_rate"])
    assert len(model.predict(train)) == len(train)
    broken = train.assign(annual_income=train["annual_income"] * 100)
    with pytest.raises(ContractError, match="annual_income: range rule broken") as error:
        model.predict(broken)
    assert error.value.result.table["rule"].tolist() == ["range"]


def test_validate_agrees_with_pandera_on_random_frames():
    pa = pytest.importorskip("pandera.pandas")
    import pandera.errors
    rng = np.random.default_rng(0)
    for trial in range(5):
        x = rng.normal(size=500)
        x[rng.random(500) < 0.05] = np.nan
        df = pd.DataFrame({"x": x})
        low, high = sorted(rng.normal(size=2))
        ours = Schema({"x": ColumnSpec("float", nullable=False, minimum=low, maximum=high)}).validate(df)
        try:
            pa.DataFrameSchema({"x": pa.Column(float, pa.Check.in_range(low, high), nullable=False)}).validate(df, lazy=True)
            theirs = 0
        except pandera.errors.SchemaErrors as errors:
            theirs = len(errors.failure_cases)
        assert int(ours.table["n_rows"].sum()) == theirs


# ---------- edge cases moved from the notebook (each was an assertion there) ----------

def raises(call, contains):
    "The InputError (or ContractError) raised by `call` names `contains`, as fastcore's test_fail(contains=) checks."
    with pytest.raises((InputError, ContractError)) as error:
        call()
    assert contains in str(error.value), str(error.value)


def test_column_spec_and_infer_refuse_bad_arguments_clearly():
    raises(lambda: ColumnSpec("category", minimum=0), "Bounds apply to int, float and datetime")
    raises(lambda: ColumnSpec("int", minimum=5, maximum=1), "received 5 > 1")
    loans, _ = load_loans(n_rows=200)
    raises(lambda: Schema.infer(loans.iloc[:0]), "expected at least 1 row(s)")
    raises(lambda: Schema.infer(loans, tolerance=-1), "expected a non-negative number")
    raises(lambda: SchemaGuard(on_error="skip").fit(loans[["loan_amount"]]), "expected one of ['raise', 'drop_rows', 'impute']")


def test_datetime_bounds_survive_json_and_unreadable_json_is_refused():
    loans, _ = load_loans(n_rows=500)
    stamped = Schema.infer(loans[["issue_month"]])
    assert Schema.from_json(stamped.to_json()).columns["issue_month"].minimum == loans["issue_month"].min()
    raises(lambda: Schema.from_json("{not json"), "text that does not parse")


def test_all_missing_constant_and_infinite_columns_infer_a_schema_that_accepts_them():
    odd = pd.DataFrame({"gaps": [np.nan] * 4, "flat": [7.0] * 4, "spiky": [1.0, np.inf, -np.inf, 2.0]})
    schema = Schema.infer(odd, tolerance=0.1)
    assert (schema.columns["gaps"].minimum, schema.columns["flat"].maximum, schema.columns["spiky"].allow_inf) == (None, 7.7, True)
    assert schema.validate(odd).ok


def test_a_category_with_100000_levels_infers_validates_and_round_trips():
    many = pd.DataFrame({"merchant": pd.Categorical(np.arange(100_000).astype(str))})
    wide = Schema.infer(many)
    assert len(wide.columns["merchant"].levels) == 100_000
    assert wide.validate(many).ok
    assert Schema.from_json(wide.to_json()) == wide


def test_check_column_masks_match_the_rules():
    amounts = pd.Series([100.0, np.nan, -5.0, np.inf, 2e6])
    spec = ColumnSpec("float", nullable=False, minimum=0, maximum=1e6)
    assert [(rule, mask.tolist()) for rule, mask, _ in _check_column(amounts, spec)] == [
        ("range", [False, False, True, False, True]), ("finite", [False, False, False, True, False]),
        ("null", [False, True, False, False, False])]
    mixed = pd.Series([1.5, "12,000", None, 3], dtype=object)
    assert [(rule, mask.tolist()) for rule, mask, _ in _check_column(mixed, ColumnSpec("float"))] == [("type", [False, True, False, False])]
    assert _check_column(pd.Series(["a", 2, None], dtype=object), ColumnSpec("string"))[0][1].tolist() == [False, True, False]


# ---------- hostile inputs: HTML, frames, options, files ----------

SCRIPT = "<script>alert(1)</script>"


def test_html_reprs_escape_every_user_string():
    schema = Schema({SCRIPT: ColumnSpec("category", levels=[SCRIPT], description=SCRIPT)}, name=SCRIPT, version=SCRIPT)
    result = schema.validate(pd.DataFrame({SCRIPT: [SCRIPT, "<img src=x onerror=alert(1)>"], "<b>extra</b>": 1}))
    change = schema.diff(Schema({"<i>new</i>": ColumnSpec("string")}, name=SCRIPT))
    for html in (schema._repr_html_(), result._repr_html_(), change._repr_html_()):
        assert "<script>" not in html and "<img" not in html and "<b>extra" not in html and "<i>new" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    guard = SchemaGuard(schema).fit(pd.DataFrame({SCRIPT: [SCRIPT]}))  # scikit-learn's estimator HTML escapes the params
    assert SCRIPT not in guard._repr_html_() and "&lt;script&gt;alert(1)" in guard._repr_html_()


@pytest.mark.parametrize("frame, contains", [
    (pd.DataFrame([[1, 2]], columns=["a", "a"]), "each column name once"),
    (pd.DataFrame([[1, 2]], columns=pd.Index([("a", 1), ("b", 2)], tupleize_cols=False)), "column names that are strings"),
    (pd.DataFrame({None: [1, 2]}), "column names that are strings"),
    (pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])), "one level of str column names"),
    (pd.DataFrame({"tags": [["a"], ["b"]]}), "one scalar value per cell"),
    (pd.DataFrame({"blob": [{"k": 1}, None]}), "one scalar value per cell"),
    (pd.DataFrame({"t": pd.Series([pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-02")], dtype=object)}),
     "datetimes in one time zone"),
    (pd.DataFrame(index=range(3)), "at least one column"),
])
def test_infer_and_the_guard_refuse_frames_they_cannot_describe(frame, contains):
    raises(lambda: Schema.infer(frame, mixed="majority"), contains)
    if len(frame.columns) and not isinstance(frame.columns, pd.MultiIndex):
        with pytest.raises(InputError):
            SchemaGuard().fit(frame)


def test_validate_reports_odd_frames_as_violations_with_strict_json():
    schema = Schema({"a": ColumnSpec("float"), "b": ColumnSpec("category", levels=["x"])})
    odd = pd.DataFrame([[[1], {"k": 1}, 3]], columns=["a", "b", "a"])
    result = schema.validate(odd)
    assert set(result.table["rule"]) == {"duplicate_column", "level"}
    json.dumps(result.to_dict(), allow_nan=False)
    cells = schema.validate(pd.DataFrame({"a": [[1.0], 2.0], "b": [{"k": 1}, "x"]}))
    assert dict(zip(cells.table["column"] + "." + cells.table["rule"], cells.table["n_rows"])) == {"a.type": 1, "b.level": 1}
    json.dumps(cells.to_dict(), allow_nan=False)
    assert Schema({0: ColumnSpec("int"), 1: ColumnSpec("int")}).validate(pd.DataFrame([[1, 2]])).ok  # arrays' columns


def test_column_spec_schema_and_options_refuse_wrong_types():
    raises(lambda: ColumnSpec("category", levels="AB"), "a single string is not a list of levels")
    raises(lambda: ColumnSpec("category", levels=[["a"]]), "nested lists or dicts are not levels")
    raises(lambda: ColumnSpec("float", nullable="no"), "ColumnSpec nullable: expected True or False")
    raises(lambda: ColumnSpec("float", description=None), "ColumnSpec description: expected a string")
    raises(lambda: Schema({}, name=None), "Schema name: expected a string")
    raises(lambda: Schema({}, version=2), "Schema version: expected a string")
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    raises(lambda: Schema.infer(frame, max_levels="many"), "max_levels: expected a whole number")
    raises(lambda: Schema.infer(frame, detect_unique="yes"), "detect_unique: expected True or False")
    raises(lambda: Schema.infer(frame).validate(frame, raise_on_error="yes"), "raise_on_error: expected True or False")
    raises(lambda: Schema.infer(frame).to_json(indent="x"), "indent: expected an integer from 0 to 64")
    assert Schema.infer(frame).to_json(indent=np.int64(2)).startswith("{\n  ")
    assert Schema.infer(frame, tolerance=np.float32(0.1), max_levels=np.int64(3)).validate(frame).ok


def test_an_unfitted_guard_is_an_input_error_and_sklearns_not_fitted_error():
    from sklearn.exceptions import NotFittedError
    for call in (lambda g: g.transform(pd.DataFrame({"a": [1.0]})), lambda g: g.check(pd.DataFrame({"a": [1.0]}))):
        with pytest.raises(InputError, match="never fitted") as error:
            call(SchemaGuard())
        assert isinstance(error.value, NotFittedError)
    raises(lambda: SchemaGuard().fit(pd.DataFrame({1: [1.0], "a": [2.0]})), "column names")


def schema_document():
    return Schema({"a": ColumnSpec("float", minimum=0), "g": ColumnSpec("category", levels=["x", "y"])}, name="t").to_dict()


FILES = {  # name -> (file bytes, what the message must say)
    "empty": (b"", "the empty file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "binary content"),
    "deeply nested list": (b"[" * 200_000 + b"]" * 200_000, "nested"),
    "deeply nested object": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested"),
    "a list": (b"[]", "a dict with format 'ml_design.schema'"),
    "null": (b"null", "a dict with format 'ml_design.schema'"),
    "truncated": (json.dumps(schema_document()).encode()[:40], "invalid JSON"),
    "no columns": (json.dumps({k: v for k, v in schema_document().items() if k != "columns"}).encode(), "'columns': expected list"),
    "columns not a list": (json.dumps({**schema_document(), "columns": {"a": 1}}).encode(), "'columns': expected list"),
    "a null column": (json.dumps({**schema_document(), "columns": [None]}).encode(), "schema column 0: expected a dict"),
    "a column without a name": (json.dumps({**schema_document(), "columns": [{"kind": "int"}]}).encode(), "name: expected a string"),
    "a column without a kind": (json.dumps({**schema_document(), "columns": [{"name": "a"}]}).encode(), "its 'kind'"),
    "a list as a name": (json.dumps({**schema_document(), "columns": [{"name": [1], "kind": "int"}]}).encode(), "name: expected a string"),
    "nested levels": (json.dumps({**schema_document(), "columns": [{"name": "g", "kind": "category", "levels": [[["x"]]]}]}).encode(),
                      "expected a list of strings or numbers"),
    "a string as levels": (json.dumps({**schema_document(), "columns": [{"name": "g", "kind": "category", "levels": "xy"}]}).encode(),
                           "'levels': expected list or NoneType"),
    "a list as a bound": (json.dumps({**schema_document(), "columns": [{"name": "a", "kind": "float", "minimum": [1]}]}).encode(),
                          "expected a number, an ISO timestamp or null"),
    "NaN as a bound": (b'{"format": "ml_design.schema", "format_version": 1, "columns": [{"name": "a", "kind": "float", "minimum": NaN}]}',
                       "a finite number"),
    "a 5,000-digit bound": (b'{"format": "ml_design.schema", "format_version": 1, "columns": [{"name": "a", "kind": "int", "maximum": 1'
                            + b"0" * 5000 + b"}]}", "JSON that cannot be read"),
    "a string flag": (json.dumps({**schema_document(), "columns": [{"name": "a", "kind": "int", "nullable": "no"}]}).encode(),
                      "'nullable': expected bool"),
    "a repeated column": (json.dumps({**schema_document(), "columns": [{"name": "a", "kind": "int"}] * 2}).encode(), "'a' twice"),
    "format_version true": (json.dumps({**schema_document(), "format_version": True}).encode(), "format_version: expected an integer"),
    "format_version as text": (json.dumps({**schema_document(), "format_version": "1"}).encode(), "format_version: expected an integer"),
    "a number as the name": (json.dumps({**schema_document(), "name": 5}).encode(), "'name': expected str"),
}


@pytest.mark.parametrize("case", list(FILES))
def test_load_refuses_every_broken_file_with_an_input_error(tmp_path, case):
    content, contains = FILES[case]
    path = tmp_path / "schema.json"
    path.write_bytes(content)
    raises(lambda: Schema.load(path), contains)


def test_load_and_save_refuse_bad_paths(tmp_path):
    schema = Schema.from_dict(schema_document())
    raises(lambda: Schema.load(tmp_path / "absent.json"), "which does not exist")
    raises(lambda: Schema.load(tmp_path), "the folder")
    raises(lambda: schema.save(tmp_path), "the folder")
    for bad in (None, 5, "", ["a.json"]):
        raises(lambda: Schema.load(bad), "a path (str or pathlib.Path)")
        raises(lambda: schema.save(bad), "a path (str or pathlib.Path)")
    raises(lambda: schema.save(str(tmp_path / "a\x00b.json")), "a valid path")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    raises(lambda: schema.save(blocker / "inside.json"), "whose folders are folders")
    for bad in (None, 5, [], b"\xff"):
        with pytest.raises(InputError):
            Schema.from_json(bad)
    for bad in ([], None, "x", 5, {"format": "ml_design.schema"}):
        with pytest.raises(InputError):
            Schema.from_dict(bad)
    assert Schema.load(schema.save(tmp_path / "ok.json")) == schema


def test_validate_reports_each_rule_with_its_rows_and_a_rename_guess():
    small = Schema({"amount": ColumnSpec("float", nullable=False, minimum=0, maximum=100),
                    "grade": ColumnSpec("category", levels=["A", "B"])})
    bad = pd.DataFrame({"amount": [5.0, None, 700.0, 7.0], "grade": ["A", "C", "B", "D"], "extra": 1})
    result = small.validate(bad)
    assert result.table[["column", "rule", "n_rows"]].values.tolist() == \
        [["extra", "unexpected_column", 4], ["amount", "range", 1], ["amount", "null", 1], ["grade", "level", 2]]
    assert result.table["examples"][3] == [(1, "C"), (3, "D")]
    assert result.row_mask.tolist() == [True, True, True, True]
    assert small.validate(bad.drop(columns="extra")).row_mask.tolist() == [False, True, True, True]
    assert small.validate(bad.rename(columns={"amount": "amount_usd"})).table["detail"][0] == \
        "required column absent; renamed to 'amount_usd'?"
    raises(lambda: small.validate(bad, raise_on_error=True), "4 rule(s) broken: extra unexpected_column (4 rows)")
    assert Schema.infer(pd.DataFrame({"x": [1, "a", 2.5]}, dtype=object), mixed="majority").columns["x"].kind == "float"


# ---- moved from nbs/00_foundations/02_contracts.ipynb: edge cases of ColumnSpec and infer, an invariant of the demo --

def test_column_spec_refuses_an_unknown_kind_and_an_infinite_bound():
    raises(lambda: ColumnSpec("number"), "expected one of ('int', 'float'")
    raises(lambda: ColumnSpec("float", maximum=np.inf), "use allow_inf")


@pytest.fixture(scope="module")
def loans_schema():
    loans, _ = load_loans(n_rows=5000, random_state=0)
    return loans, Schema.infer(loans, tolerance=0.1, name="loans")


def test_infer_reads_kinds_and_nullability_from_the_loans(loans_schema):
    loans, schema = loans_schema
    assert schema.columns["emp_title"].kind == "string"
    assert schema.columns["annual_income_joint"].nullable is True
    assert schema.columns["loan_amount"].nullable is False
    raises(lambda: Schema.infer(pd.DataFrame({"x": [1, "a"]}, dtype=object)), "Convert it first")


def test_the_notebooks_corrupted_batch_breaks_six_rules_more_than_the_clean_one(loans_schema):
    _, schema = loans_schema
    others, _ = load_loans(n_rows=3000, random_state=1)
    rng = np.random.default_rng(0)  # the notebook's corrupt(others): five ways upstream changes break data
    broken = others.copy()
    rows = lambda n: broken.index[rng.choice(len(broken), n, replace=False)]
    broken.loc[broken.index[2 * len(broken) // 3:], "loan_amount"] *= 100
    broken["homeownership"] = broken["homeownership"].cat.add_categories("LEASE")
    broken.loc[rows(40), "homeownership"] = "LEASE"
    broken.loc[rows(25), "interest_rate"] = np.nan
    broken["annual_income"] = broken["annual_income"].astype(object)
    broken.loc[rows(15), "annual_income"] = "n/a"
    broken.loc[rows(10), "annual_income"] = "85,000"
    report, clean_report = schema.validate(broken.rename(columns={"debt_to_income": "dti"})), schema.validate(others)
    assert report.ok is False
    assert len(report.table) - len(clean_report.table) == 6  # five corruptions, the rename counted twice (missing + unexpected)
