"""CACE report: prediction churn against a plain numpy reference, the protocol against a hand-written loop, bad input."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from ml_design.baselines import feature_frame, ladder_models
from ml_design.core import InputError, is_result
from ml_design.datasets import load_flights, load_loans
from ml_design.entanglement import CACE_CHANGES, CACE_DEFAULT_CHANGES, cace_report, prediction_churn

NUMERIC = ["month", "day", "hour", "minute", "distance"]


@pytest.fixture(scope="module")
def flights():
    frame, _ = load_flights(n_rows=4_000, random_state=3)
    return frame


def late_model():
    encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["carrier", "origin"]), remainder=StandardScaler())
    return make_pipeline(encode, LogisticRegression(max_iter=500))


# --- prediction_churn against a plain numpy reference -------------------------------------------------------------------

scores = arrays(np.float64, st.integers(1, 60), elements=st.floats(0, 1, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(scores, st.floats(0, 1), st.randoms(use_true_random=False))
def test_churn_of_scores_matches_numpy(a, threshold, random):
    b = np.array([random.random() for _ in a])
    churn = prediction_churn(a, b, threshold=threshold)
    flips = (a >= threshold) != (b >= threshold)
    assert churn.rows == len(a) and churn.flipped_rows == flips.sum()
    assert churn.flipped == pytest.approx(flips.mean())
    assert churn.mean_abs_change == pytest.approx(np.mean(np.abs(a - b)))
    assert churn.max_abs_change == pytest.approx(np.max(np.abs(a - b)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["late", "on time", "cancelled"]), min_size=1, max_size=50), st.randoms(use_true_random=False))
def test_churn_of_labels_counts_differences(a, random):
    b = [random.choice(["late", "on time", "cancelled"]) for _ in a]
    churn = prediction_churn(a, b)
    assert churn.flipped_rows == sum(x != y for x, y in zip(a, b))
    assert np.isnan(churn.mean_abs_change) and np.isnan(churn.max_abs_change)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 30), st.integers(2, 5)), elements=st.floats(0.01, 1)), st.randoms(use_true_random=False))
def test_churn_of_class_probabilities_is_argmax_flips_and_total_variation(raw, random):
    a = raw / raw.sum(axis=1, keepdims=True)
    b = np.array([[random.random() + 0.01 for _ in row] for row in a])
    b = b / b.sum(axis=1, keepdims=True)
    churn = prediction_churn(a, b)
    assert churn.flipped_rows == (a.argmax(axis=1) != b.argmax(axis=1)).sum()
    assert churn.mean_abs_change == pytest.approx(np.mean(0.5 * np.abs(a - b).sum(axis=1)))


def test_two_class_probabilities_give_the_same_churn_as_the_positive_column():
    rng = np.random.default_rng(0)
    p, q = rng.random(200), rng.random(200)
    wide = prediction_churn(np.column_stack([1 - p, p]), np.column_stack([1 - q, q]))
    narrow = prediction_churn(p, q)
    assert wide.flipped_rows == narrow.flipped_rows  # argmax of two columns is p > 0.5 (no ties in random floats)
    assert wide.mean_abs_change == pytest.approx(narrow.mean_abs_change)


def test_regression_scores_without_threshold_have_no_decisions():
    churn = prediction_churn([10.0, 12.5, 9.0], [11.0, 12.5, 7.0], threshold=None)
    assert np.isnan(churn.flipped) and churn.flipped_rows == 0
    assert churn.mean_abs_change == pytest.approx(1.0) and churn.max_abs_change == pytest.approx(2.0)
    assert json.dumps(churn.to_dict())  # NaN becomes null


@pytest.mark.parametrize("a, b, message", [
    ([0.1, 0.2], [0.1], "predictions of the same rows"),
    ([0.1, 0.2], ["a", "b"], "in the same form as a"),
    ([], [], "at least one row"),
    ([0.1, np.inf], [0.1, 0.2], "finite scores"),
    ([0.1, np.nan], [0.1, 0.2], "finite scores"),
    (np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), "a 1-D array of scores or labels"),
])
def test_prediction_churn_refuses_bad_input(a, b, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        prediction_churn(a, b)


def test_threshold_must_be_a_number():
    with pytest.raises(InputError, match="threshold"):
        prediction_churn([0.1], [0.2], threshold="high")


# --- cace_report against a hand-written loop -----------------------------------------------------------------------------

def test_seed_change_matches_a_hand_written_cross_validation(flights):
    X, y = flights[NUMERIC], flights["late"]
    model = HistGradientBoostingClassifier(max_iter=40, early_stopping=True, random_state=7)
    report = cace_report(model, X, y, changes=["seed"], cv=4, random_state=0)
    original, reseeded = np.zeros(len(y)), np.zeros(len(y))
    deltas, aucs = [], []
    for train, test in StratifiedKFold(4, shuffle=True, random_state=0).split(X, y):
        with threadpool_limits(limits=1):  # as the report fits: one native thread
            first = clone(model).fit(X.iloc[train], y.iloc[train])
            second = clone(model).set_params(random_state=8).fit(X.iloc[train], y.iloc[train])  # the seed plus one
        original[test], reseeded[test] = first.predict_proba(X.iloc[test])[:, 1], second.predict_proba(X.iloc[test])[:, 1]
        aucs.append(roc_auc_score(y.iloc[test], original[test]))
        deltas.append(roc_auc_score(y.iloc[test], reseeded[test]) - aucs[-1])
    row = report.table.iloc[0]
    assert row["change"] == "seed (random_state 7 -> 8)"
    assert row["flipped_rows"] == ((original >= 0.5) != (reseeded >= 0.5)).sum()
    assert row["mean_abs_change"] == pytest.approx(np.abs(original - reseeded).mean())
    assert row["metric_change"] == pytest.approx(np.mean(deltas))
    assert row["metric_change_std"] == pytest.approx(np.std(deltas, ddof=1))
    assert row["metric_noise"] == pytest.approx(np.std(aucs, ddof=1))
    np.testing.assert_allclose(report.scores["original"], original)


def test_dropping_a_feature_is_the_same_as_training_without_it(flights):
    X, y = flights[NUMERIC], flights["late"]
    model = HistGradientBoostingClassifier(max_iter=30, random_state=0)
    report = cace_report(model, X, y, changes=["drop:distance"], cv=3, random_state=1)
    without = np.zeros(len(y))
    for train, test in StratifiedKFold(3, shuffle=True, random_state=1).split(X, y):
        reduced = X.drop(columns="distance")
        with threadpool_limits(limits=1):
            fitted = clone(model).fit(reduced.iloc[train], y.iloc[train])
        without[test] = fitted.predict_proba(reduced.iloc[test])[:, 1]
    np.testing.assert_allclose(report.scores["drop distance"], without)  # a constant column carries no information


class Recorder(ClassifierMixin, BaseEstimator):
    "A classifier that remembers the features it was fitted on and asked to predict (a logistic regression inside)."
    fitted_on, predicted_on = [], {}  # [(model id, X)], {model id: X}
    def fit(self, X, y):
        Recorder.fitted_on.append((id(self), X.copy()))
        self.model_ = LogisticRegression(max_iter=300).fit(X.select_dtypes("number").fillna(0), y)
        self.classes_ = self.model_.classes_
        return self
    def predict_proba(self, X):
        Recorder.predicted_on[id(self)] = X.copy()
        return self.model_.predict_proba(X.select_dtypes("number").fillna(0))
    def predict(self, X): return self.classes_[self.predict_proba(X).argmax(axis=1)]


@pytest.mark.parametrize("change, check", [
    ("drop:distance", lambda fit, test, train_values: fit["distance"].nunique() == 1 == test["distance"].nunique()
        and fit["distance"].iloc[0] == np.median(train_values)),
    ("preprocess:distance", lambda fit, test, train_values: fit["distance"].nunique() <= 10
        and set(test["distance"]) <= set(fit["distance"])),
    (("preprocess", "distance", "clip"), lambda fit, test, train_values: fit["distance"].max() == np.quantile(train_values, 0.95)
        and test["distance"].max() <= fit["distance"].max()),
    (("noise", "distance", 0.5), lambda fit, test, train_values: 0.4 < (fit["distance"] - train_values).std() / train_values.std() < 0.6),
    ("preprocess:carrier", lambda fit, test, train_values: (fit["carrier"].value_counts(normalize=True)[lambda s: s > 0]
                                                               .drop("(rare levels)") >= 0.05).all()
        and set(test["carrier"].dropna()) <= set(fit["carrier"].cat.categories)),
])
def test_feature_changes_are_fitted_on_the_training_rows_only(flights, change, check):
    X, y = flights[NUMERIC + ["carrier"]].copy(), flights["late"]
    Recorder.fitted_on.clear(), Recorder.predicted_on.clear()
    cace_report(Recorder(), X, y, changes=[change], cv=2, random_state=0)
    column = "carrier" if "carrier" in str(change) else "distance"
    frame = feature_frame(X)
    for fold in range(2):  # per fold: the original fit, then the changed fit; predictions likewise
        model, fit = Recorder.fitted_on[2 * fold + 1]
        test = Recorder.predicted_on[model]
        assert not fit.index.intersection(test.index).size  # held-out rows are never trained on
        train_values = frame.loc[fit.index, column]
        assert check(fit, test, train_values if column == "carrier" else train_values.to_numpy(dtype=float))


def test_resample_trains_on_as_many_rows_but_other_ones(flights):
    X, y = flights[NUMERIC], flights["late"]
    Recorder.fitted_on.clear(), Recorder.predicted_on.clear()
    report = cace_report(Recorder(), X, y, changes=["resample"], cv=4, random_state=0)
    originals, resampled = [f for _, f in Recorder.fitted_on[:4]], [f for _, f in Recorder.fitted_on[4:]]
    assert [len(f) for f in originals] == [len(f) for f in resampled]
    assert all(not set(a.index) == set(b.index) for a, b in zip(originals, resampled))
    assert report.held_out.all() and not np.isnan(report.scores[report.table["change"].iloc[0]]).any()


def test_labels_and_regression_scores_in_short():
    "Moved from the notebook: labels compare decisions only; regression scores without a threshold have no decisions."
    assert prediction_churn(["a", "b", "c"], ["a", "c", "c"]).flipped_rows == 1
    assert np.isnan(prediction_churn([1.5, 2.0], [1.0, 2.0], threshold=None).flipped)


def test_every_row_held_out_once_and_a_short_parameter_name(flights):
    "Moved from the notebook: rows, the metric's noise and the label of a hyperparameter change named by its last part."
    X, y = flights[["month", "hour", "distance", "carrier", "origin"]], flights["late"]
    report = cace_report(late_model(), X, y, changes=["seed", "resample", ("param", "C", 0.01)], cv=3, threshold=0.3)
    assert report.table["rows"].tolist() == [len(X)] * 3  # in both partitions for the resample
    assert report.table["metric_noise"].iloc[0] == pytest.approx(report.fold_metrics["original"].std(), abs=1e-12)
    assert report.table["change"].iloc[2] == "C 1.0 -> 0.01"  # a short name resolves to the pipeline's parameter


# --- the result ----------------------------------------------------------------------------------------------------------

def test_default_changes_are_the_seed_and_the_most_important_feature(flights):
    X = feature_frame(flights[NUMERIC + ["carrier", "origin"]])
    model = ladder_models(X, "classification")["stronger model"].set_params(histgradientboostingclassifier__max_iter=30)
    report = cace_report(model, X, flights["late"], group_columns=["origin"], cv=3)
    assert CACE_DEFAULT_CHANGES == ("seed", "drop") and set(CACE_CHANGES) >= set(CACE_DEFAULT_CHANGES)
    assert report.table["kind"].tolist() == ["seed", "drop"]
    assert report.table["target"].iloc[1] == report.importance.idxmax()
    assert is_result(report) and report.principle == "entanglement"
    assert set(report.slices["slice"]) >= {"origin=JFK", "origin=LGA", "origin=EWR"}
    json.dumps(report.to_dict())
    ax = report.plot()
    assert len(ax.texts) == 2  # one label per change


def test_the_same_inputs_give_the_same_report(flights):
    X, y = flights[NUMERIC + ["carrier", "origin"]], flights["late"]
    changes = ["seed", "resample", "noise:hour", ("param", "C", 0.1)]
    first, second = (cace_report(late_model(), X, y, changes=changes, cv=3, random_state=5) for _ in range(2))
    pd.testing.assert_frame_equal(first.table.drop(columns="fit_seconds"), second.table.drop(columns="fit_seconds"))
    third = cace_report(late_model(), X, y, changes=changes, cv=3, random_state=6)
    assert not np.allclose(first.table["mean_abs_change"], third.table["mean_abs_change"])


def test_the_seed_warning(flights):
    X, y = flights[NUMERIC], flights["late"]
    deterministic = cace_report(LogisticRegression(max_iter=300), X, y, changes=["seed"], cv=3)
    assert deterministic.table["flipped_rows"].iloc[0] == 0 and deterministic.severity == "info"
    random = cace_report(HistGradientBoostingClassifier(max_iter=50, early_stopping=True, random_state=0), X, y,
                         changes=["seed"], cv=3, threshold=0.25)
    row = random.table.iloc[0]
    assert row["flipped"] > 0.01 and row["within_noise"]
    assert [f.severity for f in random.findings][0] == "warn"
    lenient = cace_report(HistGradientBoostingClassifier(max_iter=50, early_stopping=True, random_state=0), X, y,
                          changes=["seed"], cv=3, threshold=0.25, churn_tolerance=0.99)
    assert lenient.severity == "info"


def test_a_model_without_random_state_says_so(flights):
    class Plain(LogisticRegression):
        def get_params(self, deep=True):
            return {k: v for k, v in super().get_params(deep).items() if k != "random_state"}
    report = cace_report(Plain(max_iter=300), flights[NUMERIC], flights["late"], changes=["seed"], cv=2)
    assert report.table["change"].iloc[0] == "seed (the model has no random_state)"


def test_regression_reports_the_mean_absolute_change():
    loans, _ = load_loans(n_rows=2_000, random_state=0)
    X, y = loans[["annual_income", "debt_to_income", "total_credit_limit", "term"]], loans["interest_rate"]
    model = make_pipeline(SimpleImputer(), StandardScaler(), Ridge())
    report = cace_report(model, X, y, changes=["resample", "drop:term"], cv=3)
    assert report.metric == "mean_absolute_error" and not report.higher_is_better
    assert report.table["flipped"].isna().all() and report.churn_column == "mean_abs_change"
    assert (report.table["mean_abs_change"] > 0).all()
    decided = cace_report(model, X, y, changes=["resample"], cv=3, threshold=12.0)  # a decision: a rate of 12% or more
    assert decided.churn_column == "flipped"
    json.dumps(report.to_dict())
    report.plot()


def test_several_classes_decide_by_the_most_probable_class(flights):
    X, y = flights[["hour", "distance", "month"]], flights["origin"].astype(str)
    report = cace_report(LogisticRegression(max_iter=500), X, y, changes=["resample"], cv=3)
    assert report.metric == "balanced_accuracy"
    original, changed = report.scores["original"], report.scores[report.table["change"].iloc[0]]
    assert original.shape == (len(y), 3)
    assert report.table["flipped_rows"].iloc[0] == (original.argmax(axis=1) != changed.argmax(axis=1)).sum()


# --- bad input -----------------------------------------------------------------------------------------------------------

class Unfittable(BaseEstimator):
    def fit(self, X, y): raise ValueError("the solver did not converge")
    def predict(self, X): return np.zeros(len(X))


class Unpredictable(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self
    def predict_proba(self, X): raise ValueError("Found unknown categories ['XE'] in column 0 during transform")
    def predict(self, X): return self.predict_proba(X)


@pytest.mark.parametrize("changed, message", [
    (lambda X, y: {"y": y.iloc[:10]}, "y: expected one target value per row of X"),
    (lambda X, y: {"changes": ["shuffle"]}, "changes (kind of change): expected one of"),
    (lambda X, y: {"changes": ["drop:distnce"]}, "did you mean 'distance'?"),
    (lambda X, y: {"changes": [("noise", "dist", 0.1)]}, "did you mean 'distance'?"),
    (lambda X, y: {"y": y * 0}, "at least two classes"),
    (lambda X, y: {"estimator": Unfittable()}, "an estimator that can be fitted on the features (the original model)"),
    (lambda X, y: {"estimator": LogisticRegression()}, "LogisticRegression failing with ValueError"),  # text columns
    (lambda X, y: {"estimator": "model"}, "a scikit-learn estimator or Pipeline"),
    (lambda X, y: {"estimator": Unpredictable()}, "expected a Unpredictable whose predict_proba runs on X, received ValueError"),
    (lambda X, y: {"changes": [("param", "depth", 3)]}, "changes (hyperparameter)"),
    (lambda X, y: {"changes": [("param", "C")]}, "('param', name, value)"),
    (lambda X, y: {"changes": [("param", "C", -1.0)]}, "the change 'C 1.0 -> -1.0'"),
    (lambda X, y: {"changes": ["seed", "seed"]}, "distinct changes"),
    (lambda X, y: {"changes": [("noise", "distance", -1)]}, "a positive scale"),
    (lambda X, y: {"changes": [("noise", "carrier", 2.0)]}, "a share of values in (0, 1]"),
    (lambda X, y: {"changes": [("preprocess", "carrier", "bin")]}, "a step for a categorical feature"),
    (lambda X, y: {"changes": [("preprocess", "distance", "round")]}, "changes (preprocessing step)"),
    (lambda X, y: {"changes": ["seed:3"]}, "'seed' alone"),
    (lambda X, y: {"changes": []}, "a non-empty list of changes"),
    (lambda X, y: {"changes": [42]}, "a change such as 'seed'"),
    (lambda X, y: {"changes": ["resample"], "cv": GroupKFold(3)}, "'resample' with cv given as a number of folds"),
    (lambda X, y: {"cv": 1}, "cv: expected at least 2 folds"),
    (lambda X, y: {"metric": "auc"}, "metric: expected one of"),
    (lambda X, y: {"group_columns": ["airline"]}, "X (group_columns)"),
    (lambda X, y: {"threshold": "high"}, "threshold"),
    (lambda X, y: {"churn_tolerance": 2}, "churn_tolerance"),
    (lambda X, y: {"task": "ranking"}, "task: expected one of"),
    (lambda X, y: {"X": X.to_numpy()[:, :2].tolist()}, "X: expected a pandas DataFrame"),
])
def test_bad_input_gets_a_clear_input_error(flights, changed, message):
    X, y = flights[NUMERIC + ["carrier", "origin"]], flights["late"]
    args = {"estimator": late_model(), "X": X, "y": y, "changes": ["seed"], "cv": 2, **changed(X, y)}
    with pytest.raises(InputError) as error:
        cace_report(**args)
    assert message in str(error.value)


# --- hostile inputs (issue 15) ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, message", [
    ({"rows": np.nan}, "rows: expected a whole number of rows compared"),
    ({"rows": True}, "rows: expected a whole number of rows compared"),
    ({"flipped_rows": pd.NA}, "flipped_rows: expected a whole number of rows from 0 to rows"),
    ({"flipped_rows": 11}, "flipped_rows: expected a whole number of rows from 0 to rows (10)"),
    ({"flipped": np.nan}, "flipped: expected the share flipped_rows / rows (0.1), received NaN (no decisions)"),
    ({"flipped": 0.3}, "flipped: expected the share flipped_rows / rows (0.1)"),
    ({"mean_abs_change": np.nan}, "expected both numbers (scores) or both NaN (labels)"),
    ({"max_abs_change": 0.05}, "mean_abs_change: expected at most max_abs_change (0.05)"),
])
def test_prediction_churn_refuses_numbers_that_cannot_describe_a_comparison(fields, message):
    from ml_design.entanglement import PredictionChurn
    valid = {"rows": 10, "flipped_rows": 1, "flipped": 0.1, "mean_abs_change": 0.1, "max_abs_change": 0.2}
    with pytest.raises(InputError) as error:
        PredictionChurn(**{**valid, **fields})
    assert message in str(error.value)
    assert PredictionChurn(**{**valid, "flipped": np.float32(0.1)}).flipped_rows == 1  # numpy scalars are numbers
    assert PredictionChurn(10, 0, np.nan, np.nan, np.nan).to_dict()["flipped"] is None  # labels of scores without decisions


class NaNScores(BaseEstimator, ClassifierMixin):
    "A classifier scikit-learn can clone and fit whose probabilities are NaN."
    def fit(self, X, y): self.classes_ = np.unique(y); return self
    def predict_proba(self, X): return np.full((len(X), len(self.classes_)), np.nan)
    def predict(self, X): return np.full(len(X), self.classes_[0])


def test_cace_report_names_a_model_predicting_nan_and_checks_its_threads(flights):
    X, y = flights[NUMERIC].iloc[:400], flights["late"].iloc[:400]
    with pytest.raises(InputError, match=r"estimator: expected finite predict_proba outputs, received \d+ NaN"):
        cace_report(NaNScores(), X, y, changes=["seed"], cv=2)
    for n_threads, message in [(np.nan, "n_threads: expected a whole number of threads from 1 to 1024, or None"),
                               (True, "received bool True"), (10**30, "from 1 to 1024")]:
        with pytest.raises(InputError, match=message.replace("(", r"\(")):
            cace_report(LogisticRegression(), X, y, changes=["seed"], cv=2, n_threads=n_threads)
    report = cace_report(make_pipeline(StandardScaler(), LogisticRegression()), X, y, changes=["seed"], cv=2, n_threads=np.int64(1))
    assert json.dumps(report.to_dict(), allow_nan=False)
