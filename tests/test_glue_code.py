"""Glue code: the skew counts against plain numpy (hypothesis), every kind of bad input, column matching by name and by
position, time zones, and pipeline_audit on the baseline ladder's pipelines (the design review's candidates), on a
lambda, on unseeded randomness and on a transformer whose output is not reproducible."""
import json

import numpy as np
import pandas as pd
import pytest
import sklearn.ensemble  # noqa: F401 - loads OpenMP before the thread limit is set
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from ml_design.baselines import feature_frame, ladder_models
from ml_design.core import InputError, is_result
from ml_design.datasets import load_flights
from ml_design.glue_code import _session_code, calendar_features, pipeline_audit, training_serving_skew

FEATURES = ["hour", "minute", "distance", "carrier", "origin", "month"]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    "One thread per model: the machine is shared, and oversubscribed OpenMP threads are slow."
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="module")
def flights():
    frame, _ = load_flights(n_rows=4_000, random_state=2)
    return frame


def identity(rows):
    return rows


# ---- the numbers against a plain reference ---------------------------------------------------------------------------

floats = st.one_of(st.floats(min_value=-1e6, max_value=1e6), st.just(np.nan), st.sampled_from([0.0, 1.0, 1.0005]))


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(floats, floats), min_size=1, max_size=60), tolerance=st.sampled_from([0.0, 1e-3, 1.0]))
def test_counts_and_differences_match_numpy(pairs, tolerance):
    train = np.array([p[0] for p in pairs])
    serve = np.array([p[1] for p in pairs])
    rows = pd.DataFrame({"x": np.arange(len(pairs))})
    report = training_serving_skew(lambda r: pd.DataFrame({"f": train[r["x"]]}), lambda r: pd.DataFrame({"f": serve[r["x"]]}),
                                   rows, tolerance=tolerance, block_size=7)
    both = ~np.isnan(train) & ~np.isnan(serve)
    one_missing = np.isnan(train) ^ np.isnan(serve)
    gap = np.abs(train - serve)
    differs = one_missing | (both & (gap > tolerance))
    row = report.table.iloc[0]
    assert row["rows_differing"] == differs.sum()
    assert row["one_side_missing"] == one_missing.sum()
    assert row["share_differing"] == pytest.approx(differs.mean())
    sized = gap[differs & both]
    expected_max = sized.max() if sized.size else (np.nan if differs.any() else 0.0)
    np.testing.assert_allclose(row["max_abs_difference"], expected_max)
    assert report.skew_free == (not differs.any())
    assert len(report.examples) == min(3, differs.sum())


def test_text_and_categories_compare_by_value():
    rows = pd.DataFrame({"c": ["a", "b", None, "c"]})
    report = training_serving_skew(lambda r: pd.DataFrame({"c": r["c"].astype("category")}),
                                   lambda r: pd.DataFrame({"c": r["c"].replace({"c": "C"})}), rows)
    row = report.table.iloc[0]
    assert (row["kind"], row["rows_differing"], np.isnan(row["max_abs_difference"])) == ("other", 1, True)
    assert report.examples[["row", "train_value", "serve_value"]].values.tolist() == [[3, "c", "C"]]


def test_a_number_against_its_text_is_a_difference():
    rows = pd.DataFrame({"x": [1, 2]})
    report = training_serving_skew(lambda r: r[["x"]], lambda r: r[["x"]].astype(str), rows)
    assert report.table.iloc[0]["kind"] == "number vs other" and report.table.iloc[0]["rows_differing"] == 2


def test_timestamps_compare_as_instants(flights):
    rows = flights[["time_hour"]]
    local_wall_clock = lambda r: pd.DataFrame({"t": r["time_hour"].dt.tz_convert("America/New_York").dt.tz_localize(None)})
    report = training_serving_skew(lambda r: pd.DataFrame({"t": r["time_hour"]}), local_wall_clock, rows)
    row = report.table.iloc[0]
    assert row["kind"] == "time" and row["share_differing"] == 1.0 and row["max_abs_difference"] == 5 * 3600
    same = training_serving_skew(lambda r: pd.DataFrame({"t": r["time_hour"]}),
                                 lambda r: pd.DataFrame({"t": r["time_hour"].dt.tz_convert("Asia/Tokyo")}), rows)
    assert same.skew_free  # the same instants on another clock


def test_columns_match_by_name_and_warn_on_order(flights):
    rows = flights[["hour", "distance"]]
    report = training_serving_skew(identity, lambda r: r[["distance", "hour"]], rows)
    assert report.skew_free
    assert [f.severity for f in report.findings] == ["warn", "info"] and "different column order" in report.findings[0].message


def test_arrays_compare_by_position_with_the_transformer_names(flights):
    rows = flights[["hour", "distance"]]
    scaler = StandardScaler().fit(rows)
    report = training_serving_skew(scaler, lambda r: (r - scaler.mean_) / scaler.scale_, rows)
    assert set(report.table["feature"]) == {"hour", "distance"}  # the scaler's own output names
    assert report.table["max_abs_difference"].max() < 1e-9
    assert training_serving_skew(scaler, lambda r: r.to_numpy() * 0, rows).table["share_differing"].min() > 0.9


def test_block_size_one_is_one_request_at_a_time(flights):
    rows = flights[["distance"]].iloc[:50]
    batch_centred = lambda r: r - r.mean()  # depends on the batch: fine in a batch job, wrong for a single request
    one_at_a_time = lambda r: pd.concat([batch_centred(r.iloc[[i]]) for i in range(len(r))])
    assert not training_serving_skew(batch_centred, one_at_a_time, rows).skew_free
    assert training_serving_skew(one_at_a_time, batch_centred, rows, block_size=1).skew_free


# ---- bad input --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [("features.py", "Pass the function itself"), (3, "Pass the function itself"),
                                            (StandardScaler, "not the class"), (StandardScaler(), "Call .fit(X, y) first")])
def test_a_path_that_is_not_a_function_or_fitted_transformer(flights, path, expected):
    with pytest.raises(InputError, match="serve_transform") as error:
        training_serving_skew(identity, path, flights[["hour"]])
    assert expected in str(error.value)


def test_a_path_that_raises_is_named_with_its_block_and_row(flights):
    rows = flights[["hour", "distance"]].iloc[:2_500].copy()
    bad_label = rows.index[1_234]
    rows.loc[bad_label, "distance"] = -1

    def serve(r):
        if (r["distance"] < 0).any(): raise ValueError("negative distance")
        return r

    with pytest.raises(InputError) as error:
        training_serving_skew(identity, serve, rows, block_size=1_000)
    message = str(error.value)
    assert "serve_transform: expected a code path that runs on every raw row, received ValueError (negative distance) on rows 1,000 to 1,999 (block 2 of 3)" in message
    assert f"row label {bad_label} alone" in message and "raw_rows.iloc[1000:2000]" in message
    assert isinstance(error.value.__cause__, ValueError)  # the path's own traceback stays attached


def test_a_path_that_fails_only_on_the_whole_block_is_named_without_a_row(flights):
    def needs_many(r):
        if len(r) > 10: raise RuntimeError("too many rows")
        return r
    with pytest.raises(InputError, match=r"train_transform: expected a code path that runs on every raw row, received RuntimeError \(too many rows\) on rows 0 to 19 \(block 1 of 1\)\. "):
        training_serving_skew(needs_many, identity, flights[["hour"]].iloc[:20])


@pytest.mark.parametrize("serve, expected", [
    (lambda r: r[["hour"]], "2 feature columns, as train_transform returns"),
    (lambda r: r.rename(columns={"hour": "Hour"}), "only in train_transform ['hour'], only in serve_transform ['Hour']"),
    (lambda r: r.iloc[:-1], "one row per raw row"),
    (lambda r: "features", "a DataFrame, Series, 2-D array or sparse matrix"),
    (lambda r: np.zeros((len(r), 2, 2)), "a DataFrame, Series, 2-D array or sparse matrix"),
    (lambda r: r.set_axis(["a", "a"], axis=1), "distinct column names"),
])
def test_outputs_that_cannot_be_compared(flights, serve, expected):
    with pytest.raises(InputError, match="serve_transform output") as error:
        training_serving_skew(identity, serve, flights[["hour", "distance"]])
    assert expected in str(error.value)


def test_a_path_whose_columns_change_between_blocks(flights):
    with pytest.raises(InputError, match="the same columns in every block"):
        training_serving_skew(identity, lambda r: pd.get_dummies(r["origin"].astype(str)), flights[["origin"]].iloc[:6], block_size=1)


@pytest.mark.parametrize("kwargs, expected", [({"raw_rows": [1, 2]}, "a pandas DataFrame"), ({"tolerance": -1}, "at least 0"),
                                              ({"block_size": 0}, "a positive integer"), ({"names": ("a",)}, "two strings")])
def test_bad_options(flights, kwargs, expected):
    arguments = {"train_transform": identity, "serve_transform": identity, "raw_rows": flights[["hour"]], **kwargs}
    with pytest.raises(InputError, match=expected):
        training_serving_skew(**arguments)


def test_pipeline_audit_refuses_what_it_cannot_audit(flights):
    with pytest.raises(InputError, match="Call .fit"):
        pipeline_audit(make_pipeline(StandardScaler(), LogisticRegression()))
    with pytest.raises(InputError, match="wrap it in sklearn.preprocessing.FunctionTransformer"):
        pipeline_audit(identity)
    with pytest.raises(InputError, match="wrap it in"):
        pipeline_audit(StandardScaler)
    fitted = make_pipeline(StandardScaler(), LogisticRegression()).fit(flights[["hour", "distance"]], flights["late"])
    with pytest.raises(InputError, match="raw_rows"):
        pipeline_audit(fitted, raw_rows=flights["hour"])
    with pytest.raises(InputError, match=r"pipeline: expected X with the 2 columns Pipeline was fitted on"):  # rows without the model's columns
        pipeline_audit(fitted, raw_rows=flights[["month"]])


def test_calendar_features_refuses_naive_timestamps_and_unknown_zones(flights):
    with pytest.raises(InputError, match="time-zone aware"):
        calendar_features(flights[["time_hour"]].assign(time_hour=flights["time_hour"].dt.tz_localize(None)))
    with pytest.raises(InputError, match="IANA"):
        calendar_features(flights["time_hour"], timezone="Eastern")
    local = calendar_features(flights["time_hour"], timezone="America/New_York")
    assert (local["time_hour_hour"] == flights["hour"]).mean() > 0.99  # the data's own local scheduled hour


# ---- pipeline_audit -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rung", ["linear model", "stronger model"])
def test_the_review_candidates_pass_their_audit(flights, rung):
    X = feature_frame(flights[FEATURES])
    model = ladder_models(X, "classification")[rung].fit(X, flights["late"])
    audit = pipeline_audit(model, raw_rows=X)
    assert is_result(audit) and audit.ok
    assert (audit.saved, audit.loaded, audit.serialisable, audit.reproducible_when_served) == (True, True, True, True)
    # LogisticRegression's random_state is used by some solvers only; unseeded_parameters lists it anyway
    assert audit.unseeded == (["logisticregression__random_state"] if rung == "linear model" else [])
    assert audit.skew.table["rows"].eq(len(X)).all() and any(c.startswith("score") for c in audit.skew.table["feature"])
    assert not any(_session_code(t) for t in audit.untrusted_types)
    assert json.loads(json.dumps(audit.to_dict()))["reproducible_when_served"] is True
    audit.plot()


def test_a_lambda_and_an_unseeded_forest_are_found(flights):
    X = flights[["hour", "distance"]]
    model = make_pipeline(FunctionTransformer(lambda v: v * 2), RandomForestClassifier(n_estimators=5, n_jobs=1)).fit(X, flights["late"])
    audit = pipeline_audit(model, raw_rows=X)
    assert audit.unseeded == ["randomforestclassifier__random_state"]
    assert (audit.saved, audit.loaded, audit.serialisable) == (True, False, False)
    fails = [f.message for f in audit.findings if f.severity == "fail"]
    assert any("a lambda cannot be loaded back" in m for m in fails) and any("does not load back" in m for m in fails)
    assert audit.table.set_index("step").loc["functiontransformer", "session_code"]
    assert audit.table.set_index("step").loc["randomforestclassifier", "random_state"] == "unseeded"
    assert pipeline_audit(model).loaded is None  # no rows, no round trip


class NoisyScaler(TransformerMixin, BaseEstimator):
    "Scales, then adds fresh noise on every call: an unreproducible transform."
    def fit(self, X, y=None):
        self.scale_ = np.asarray(X, dtype=float).std(axis=0)
        return self

    def transform(self, X):
        return np.asarray(X, dtype=float) / self.scale_ + np.random.default_rng().normal(0, 1e-6, np.shape(X))


def test_an_unreproducible_transform_fails_the_round_trip(flights):
    X = flights[["hour", "distance"]]
    model = make_pipeline(NoisyScaler(), LogisticRegression()).fit(X, flights["late"])
    audit = pipeline_audit(model, raw_rows=X.iloc[:500])
    assert audit.loaded and audit.reproducible_when_served is False and not audit.ok
    assert set(audit.skew.skewed) >= {"column 0", "column 1"}


def test_session_code_is_told_from_installed_code():
    assert _session_code("__main__.clean") and _session_code("__main__.<lambda>") and _session_code("pkg.make.<locals>.f")
    assert not _session_code("sklearn.tree._tree.Tree") and not _session_code("ml_design.glue_code.calendar_features")


def test_results_are_json_safe(flights):
    rows = flights[["hour", "time_hour", "carrier"]]
    report = training_serving_skew(identity, lambda r: r.assign(hour=r["hour"] + 1), rows)
    payload = json.loads(json.dumps(report.to_dict()))
    assert payload["skewed"] == ["hour"] and payload["examples"][0]["feature"] == "hour"
    assert is_result(report) and report.plot() is not None


def test_regressors_and_multi_output_models_are_compared_by_prediction(flights):
    from sklearn.linear_model import Ridge
    X = flights[["hour", "distance"]]
    single = pipeline_audit(Ridge().fit(X, flights["arr_delay"]), raw_rows=X)
    double = pipeline_audit(Ridge().fit(X, flights[["arr_delay", "dep_delay"]]), raw_rows=X)
    assert single.skew.table["feature"].tolist() == ["prediction"] and single.reproducible_when_served
    assert sorted(double.skew.table["feature"]) == ["prediction 0", "prediction 1"] and double.reproducible_when_served


# ---- hostile inputs (issue 15) -----------------------------------------------------------------------------------------

class NotSklearn:
    "A fitted-looking model without scikit-learn's tags whose predict raises."
    def fit(self, X, y=None): return self
    def get_params(self, deep=True): return {}
    def predict(self, X): raise RuntimeError("prediction service unavailable")


def test_a_failing_path_says_what_was_expected_and_the_plot_checks_its_option(flights):
    rows = flights[["distance", "hour"]].iloc[:200]
    scaler = StandardScaler().fit(rows)
    bad = rows.assign(distance=np.inf)
    with pytest.raises(InputError, match=r"train_transform: expected a code path that runs on every raw row, received ValueError"):
        training_serving_skew(scaler, scaler, bad)
    with pytest.raises(InputError, match=r"pipeline: expected a code path that runs on every raw row, received RuntimeError"):
        pipeline_audit(NotSklearn(), rows)  # not a scikit-learn estimator: audited, and its failing predict named
    report = training_serving_skew(scaler, scaler, rows)
    for value in (np.nan, pd.NA, True, 0):
        with pytest.raises(InputError, match="max_features: expected a whole number of features of at least 1"):
            report.plot(max_features=value)
