"""Fault injection, stress tests and GuardedModel: properties, a reference for the shift, and the contract round trip."""
import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ml_design.contracts import Schema
from ml_design.core import InputError, is_result
from ml_design.datasets import load_hmda
from ml_design.reliability import FAULTS, GuardedModel, inject, stress_test


@pytest.fixture(scope="module")
def hmda():
    frame, _ = load_hmda()
    features = [c for c in frame.columns if c not in ("deny", "afam")]
    return train_test_split(frame[features], frame["deny"], test_size=0.5, stratify=frame["deny"], random_state=0)


@pytest.fixture(scope="module")
def guarded(hmda):
    X_train, _, y_train, _ = hmda
    return GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=30, random_state=0),
                        schema=Schema.infer(X_train, tolerance=0.1)).fit(X_train, y_train)


rates = st.floats(0, 1, allow_nan=False)
seeds = st.integers(0, 2**31)


@given(rate=rates, seed=seeds)
@settings(max_examples=40, deadline=None)
def test_cell_faults_hit_exactly_rate_times_rows(hmda, rate, seed):
    X = hmda[1]
    n_hit = round(rate * len(X))
    assert int(inject(X, "missing", rate, columns=["lvrat"], random_state=seed)["lvrat"].isna().sum()) == n_hit
    assert int(inject(X, "wrong_type", rate, columns=["pirat"], random_state=seed)["pirat"].map(type).eq(str).sum()) == n_hit
    assert len(inject(X, "duplicate", rate, random_state=seed)) == len(X) + n_hit


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_is_reproducible_keeps_columns_and_does_nothing_at_rate_zero(hmda, fault):
    X = hmda[1]
    first, second = inject(X, fault, 0.3, random_state=7), inject(X, fault, 0.3, random_state=7)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == list(X.columns)
    pd.testing.assert_frame_equal(inject(X, fault, 0.0, random_state=7), X)
    assert first.index.isin(X.index).all()


@given(rate=st.floats(0.01, 1), seed=seeds)
@settings(max_examples=30, deadline=None)
def test_stale_rows_carry_the_value_at_the_freeze_point_and_outage_is_one_window(hmda, rate, seed):
    X = hmda[1].reset_index(drop=True)
    n_hit = round(rate * len(X))
    stale = inject(X, "stale", rate, columns=["unemp"], random_state=seed)["unemp"]
    frozen = stale.iloc[len(X) - n_hit:]
    assert (frozen == X["unemp"].iloc[max(len(X) - n_hit - 1, 0)]).all()
    assert stale.iloc[:len(X) - n_hit].equals(X["unemp"].iloc[:len(X) - n_hit])
    out = np.flatnonzero(inject(X, "outage", rate, columns=["lvrat"], random_state=seed)["lvrat"].to_numpy() == 0)
    assert len(out) >= n_hit - int((X["lvrat"] == 0).sum())
    window = out[np.isin(out, np.flatnonzero(X["lvrat"].to_numpy() != 0))]
    assert len(window) == 0 or window[-1] - window[0] < n_hit


@pytest.mark.parametrize("size", [0.5, 1.0, 2.0])
def test_shift_moves_a_standard_normal_by_size_standard_deviations(size):
    # reference: an exponential tilt exp(size * z) of N(0, 1) is N(size, 1)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"z": rng.standard_normal(40_000)})
    shifted = inject(frame, "shift", 1.0, columns=["z"], size=size, random_state=1)["z"]
    assert shifted.mean() == pytest.approx(size, abs=0.05)
    assert shifted.std() == pytest.approx(1.0, abs=0.05)


def test_inject_refuses_bad_arguments(hmda):
    X = hmda[1]
    with pytest.raises(InputError, match="rate: expected a share of rows between 0 and 1"):
        inject(X, "missing", -0.1)
    with pytest.raises(InputError, match="Did you mean 'outage'"):
        inject(X, "outages", 0.1)
    with pytest.raises(InputError, match="expected a pandas DataFrame"):
        inject(X.to_numpy(), "missing", 0.1)


def test_stress_test_of_a_model_that_ignores_a_column_finds_its_faults_harmless(hmda):
    X_train, X_test, y_train, y_test = hmda
    only_ratios = make_pipeline(StandardScaler(), Ridge()).fit(X_train[["pirat", "lvrat"]], y_train)
    X = X_test[["pirat", "lvrat", "unemp"]]

    class OnlyRatios(RegressorMixin, BaseEstimator):  # a fitted model that reads two of the three columns
        def fit(self, X, y):
            self.fitted_ = True
            return self
        def predict(self, frame): return only_ratios.predict(frame[["pirat", "lvrat"]])
    result = stress_test(OnlyRatios().fit(X, y_test), X, y_test, faults=["outage", "outlier"], columns=["unemp"], metric="r2", random_state=0)
    assert is_result(result)
    assert np.allclose(result.table["change"], 0)
    assert {f.severity for f in result.findings} == {"info"}


def test_stress_test_records_a_crash_instead_of_raising(hmda):
    X_train, X_test, y_train, y_test = hmda
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=20).fit(X_train, y_train)
    result = stress_test(model, X_test, y_test, faults=["wrong_type"], rates=[0, 0.1], random_state=0)
    crashed = result.table.set_index("rate").loc[0.1]
    assert crashed["error"].startswith("ValueError") and np.isnan(crashed["score"])
    assert any("raised ValueError" in f.message for f in result.findings)
    assert result.to_dict()["table"][1]["score"] is None  # JSON-safe


@given(fault=st.sampled_from(FAULTS), rate=st.floats(0, 0.5), seed=seeds)
@settings(max_examples=25, deadline=None)
def test_guard_sends_exactly_the_rows_the_contract_rejects_to_the_fallback(guarded, hmda, fault, rate, seed):
    X = hmda[1]
    faulty = inject(X, fault, rate, random_state=seed)
    rejected = guarded.schema_.validate(faulty).row_mask
    before = dict(guarded.counts_)
    answers = guarded.predict_proba(faulty)
    assert answers.shape == (len(faulty), 2)
    assert guarded.counts_["fallback"] - before["fallback"] == rejected.sum()
    assert guarded.counts_["model"] - before["model"] == (~rejected).sum()
    prior = guarded.fallback_.predict_proba(X.iloc[:1])[0]
    assert np.allclose(answers[rejected], prior)
    if (~rejected).any():
        good = faulty[~rejected].astype(X.dtypes.to_dict())
        assert np.allclose(answers[~rejected], guarded.model_.predict_proba(good))


def test_guard_is_a_scikit_learn_estimator(hmda):
    X_train, X_test, y_train, y_test = hmda
    search = GridSearchCV(GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)),
                          {"model__max_iter": [5, 20]}, cv=2, scoring="roc_auc").fit(X_train, y_train)
    assert search.best_params_["model__max_iter"] in (5, 20)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X_test), search.best_estimator_.predict(X_test))
    assert list(restored.classes_) == [0, 1]


def test_guard_keeps_a_frozen_model_and_works_for_regression(hmda):
    X_train, X_test, _, _ = hmda
    numeric = ["pirat", "hirat", "lvrat"]
    target = X_train["unemp"]
    trained = Ridge().fit(X_train[numeric], target)
    guard = GuardedModel(FrozenEstimator(trained)).fit(X_train[numeric], target)
    np.testing.assert_allclose(guard.predict(X_test[numeric]), trained.predict(X_test[numeric])
                               * ~guard.schema_.validate(X_test[numeric]).row_mask
                               + np.median(target) * guard.schema_.validate(X_test[numeric]).row_mask)
    assert isinstance(guard.fallback_, DummyRegressor)
    everything_bad = guard.predict(X_test[numeric].drop(columns=["lvrat"]))
    assert np.allclose(everything_bad, np.median(target))
    report = guard.report()
    assert is_result(report) and report.severity == "warn"
    assert report.violations.iloc[0]["rule"] == "missing_column"


# The five checks the guard departs from by design (the notebook's GuardedModel section says why, one by one):
# predict must raise on a wrong number of columns or on NaN/inf (the guard answers with the fallback instead),
# fit on a mixed-type object column (Schema.infer refuses it), and one that matches scikit-learn's own error wording.
BY_DESIGN = {"check_n_features_in_after_fitting", "check_classifiers_train", "check_estimators_nan_inf",
             "check_dtype_object", "check_estimators_empty_data_messages"}


def test_guard_passes_the_scikit_learn_estimator_checks_except_the_ones_it_departs_from_by_design():
    import warnings
    from sklearn.linear_model import LogisticRegression
    from sklearn.utils.estimator_checks import check_estimator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(GuardedModel(LogisticRegression()), on_fail=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert failed == BY_DESIGN, {"unexpected failures": failed - BY_DESIGN, "now passing": BY_DESIGN - failed}
    messages = {r["check_name"]: str(r["exception"]) for r in results if r["status"] == "failed"}
    assert "does not raise an error when the number of features" in messages["check_classifiers_train"]
    assert "doesn't check for NaN and inf in predict" in messages["check_estimators_nan_inf"]
    assert "expected one scalar value per cell" in messages["check_dtype_object"]
    assert len([r for r in results if r["status"] == "passed"]) >= 40


class _NaNOnHighRatios(ClassifierMixin, BaseEstimator):
    "A classifier whose probabilities are NaN where the debt ratio is above 0.4 (and predict follows them)."
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self
    def predict_proba(self, X):
        p = np.clip(np.asarray(X["pirat"], dtype=float), 0, 1)
        p[np.asarray(X["pirat"], dtype=float) > 0.4] = np.nan
        return np.column_stack([1 - p, p])
    def predict(self, X):
        p = self.predict_proba(X)[:, 1]
        return np.where(np.isnan(p), np.nan, (p > 0.5).astype(float))


class _OneTooMany(ClassifierMixin, BaseEstimator):
    "A classifier whose predict returns one answer more than it was asked for."
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self
    def predict(self, X): return np.zeros(len(X) + 1, dtype=int)


def test_guard_sends_nan_answers_to_the_fallback_and_reports_them(hmda):
    X_train, X_test, y_train, _ = hmda
    guard = GuardedModel(_NaNOnHighRatios(), schema=Schema.infer(X_train, tolerance=0.5)).fit(X_train, y_train)
    answers = guard.predict_proba(X_test)
    high = (X_test["pirat"] > 0.4).to_numpy()
    assert high.any() and np.isfinite(answers).all()
    assert np.allclose(answers[high], guard.fallback_.predict_proba(X_test.iloc[:1])[0])
    accepted = ~guard.schema_.validate(X_test).row_mask
    assert guard.counts_["model_nan"] == (high & accepted).sum() > 0 and guard.counts_["fallback"] >= high.sum()
    report = guard.report()
    assert report.findings[0].severity == "fail" and "NaN" in report.findings[0].message
    assert "0.0%" not in report.findings[0].message
    assert np.isfinite(guard.predict(X_test).astype(float)).all()


def test_guard_refuses_a_constant_fallback_that_is_not_a_class(hmda):
    X_train, X_test, y_train, _ = hmda
    with pytest.raises(InputError, match=r"fallback: expected one of the model's classes \[0, 1\]"):
        GuardedModel(_NaNOnHighRatios(), fallback="no").fit(X_train, y_train)
    with pytest.raises(InputError, match="fallback: expected an estimator, a constant prediction or None"):
        GuardedModel(_NaNOnHighRatios(), fallback=[0, 1]).fit(X_train, y_train)
    with pytest.raises(InputError, match="fallback: expected a finite number"):
        GuardedModel(Ridge(), fallback="high").fit(X_train[["pirat", "lvrat"]], y_train)
    guard = GuardedModel(_NaNOnHighRatios(), fallback=1).fit(X_train, y_train)
    assert (guard.predict_proba(X_test).sum(axis=1) == 1).all()  # never an all-zero probability row


def test_guard_answers_each_row_once_when_the_model_returns_too_many(hmda):
    X_train, X_test, y_train, _ = hmda
    guard = GuardedModel(_OneTooMany(), schema=Schema.infer(X_train, tolerance=0.5)).fit(X_train, y_train)
    answers = guard.predict(X_test.iloc[:40])
    assert len(answers) == 40
    assert guard.counts_["model_errors"] == 1 and guard.counts_["fallback"] == 40
    assert guard.report().findings[0].severity == "fail"


def test_batched_stress_test_equals_one_predict_call_per_injection(hmda, monkeypatch):
    import ml_design.reliability as reliability
    X_train, X_test, y_train, y_test = hmda
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=10, random_state=0).fit(X_train, y_train)
    schema = Schema.infer(X_train, tolerance=0.1)
    guard = GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=10, random_state=0),
                         schema=schema).fit(X_train, y_train)
    X, y = X_test.iloc[:150], y_test.iloc[:150]
    for estimator in (model, guard):
        batched = stress_test(estimator, X, y, rates=[0, 0.1, 0.3], repeats=2, random_state=3)
        monkeypatch.setattr(reliability, "_BATCH_ROWS", 1)  # every injection scored by its own predict call
        alone = stress_test(estimator, X, y, rates=[0, 0.1, 0.3], repeats=2, random_state=3)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(batched.table, alone.table)
        assert [f.message for f in batched.findings] == [f.message for f in alone.findings]


def test_stress_test_makes_few_predict_calls(hmda):
    X_train, X_test, y_train, y_test = hmda
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=10, random_state=0).fit(X_train, y_train)
    calls = []
    original = model.predict_proba
    def counted(X):
        calls.append(len(X))
        return original(X)
    model.predict_proba = counted
    stress_test(model, X_test, y_test, faults=["missing", "outlier", "shift", "duplicate"], rates=[0, 0.1, 0.2], repeats=3,
                random_state=0)
    assert len(calls) <= 4  # the clean baseline and one call for the 36 injections (all of one dtype layout)


def test_stress_test_refuses_bad_options_and_models(hmda):
    X_train, X_test, y_train, y_test = hmda
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=5).fit(X_train, y_train)
    cases = [({"faults": []}, "faults: expected a non-empty list"), ({"rates": []}, "rates: expected a non-empty list"),
             ({"repeats": 0}, "repeats: expected a positive integer"), ({"rates": [np.nan]}, "rate: expected"),
             ({"rates": [pd.NA]}, "rate: expected"), ({"repeats": True}, "repeats: expected"),
             ({"random_state": -1}, "random_state: expected"), ({"random_state": "a"}, "random_state: expected"),
             ({"tolerance": np.nan}, "tolerance: expected"), ({"columns": ["pirta"]}, "did you mean 'pirat'")]
    for options, message in cases:
        with pytest.raises(InputError, match=message):
            stress_test(model, X_test, y_test, **options)
    with pytest.raises(InputError, match="an estimator instance"):
        stress_test(HistGradientBoostingClassifier, X_test, y_test)
    with pytest.raises(InputError, match="columns"):
        stress_test(model, X_test.drop(columns=["pirat"]), y_test)
    with pytest.raises(InputError, match="y: expected"):
        stress_test(model, X_test, y_test[:-1])
    result = stress_test(model, X_test, y_test, faults="missing", rates=[np.float32(0.1)], repeats=np.int64(1), random_state=0)
    assert result.table["rate"].tolist() == [pytest.approx(0.1)]
    assert result.plot() is not None
    nan_model = _NaNOnHighRatios().fit(X_train, y_train)
    with pytest.raises(InputError, match="model: expected a _NaNOnHighRatios that roc_auc can score"):
        stress_test(nan_model, X_test, y_test)


class _NoTags:
    "A fitted-looking model outside scikit-learn (no tags): predict_proba answers NaN."
    classes_ = np.array([0, 1])
    def fit(self, X, y=None): return self
    def predict(self, X): return np.zeros(len(X))
    def predict_proba(self, X): return np.full((len(X), 2), np.nan)


def test_guard_fit_and_score_check_their_inputs(hmda):
    from sklearn.linear_model import LogisticRegression
    X_train, X_test, y_train, y_test = hmda
    numeric = X_train.select_dtypes("number").iloc[:200]
    y = y_train.iloc[:200]
    with pytest.raises(InputError, match="y: expected 200 values"):
        GuardedModel(LogisticRegression()).fit(numeric, y.iloc[:150])
    with pytest.raises(InputError, match="y: expected at least two classes"):
        GuardedModel(LogisticRegression()).fit(numeric, np.zeros(200, dtype=int))
    with pytest.raises(InputError, match="y: expected a target with no missing values"):
        GuardedModel(LogisticRegression()).fit(numeric, np.full(200, np.nan))
    with pytest.raises(InputError, match="model: expected a LogisticRegression that fits on X and y.*Input X contains NaN"):
        GuardedModel(LogisticRegression()).fit(numeric.assign(pirat=np.nan), y)
    with pytest.raises(InputError, match="model: expected an estimator instance"):
        GuardedModel(LogisticRegression).fit(numeric, y)
    guard = GuardedModel(LogisticRegression(max_iter=500)).fit(numeric, y)
    with pytest.raises(InputError, match="y: expected 10 values"):
        guard.score(numeric.iloc[:10], y.iloc[:12])
    with pytest.raises(InputError, match="X: expected at least 1 row"):
        guard.score(numeric.iloc[:0], y.iloc[:0])
    assert 0 <= guard.score(numeric, y) <= 1


def test_inject_and_stress_test_check_seeds_bounds_and_models_without_tags(hmda):
    _, X_test, _, y_test = hmda
    for seed in (-1, 1.5, "x", True):
        with pytest.raises(InputError, match="random_state: expected None, an integer seed"):
            inject(X_test, "missing", 0.1, random_state=seed)
    model = make_pipeline(StandardScaler(), Ridge()).fit(X_test.select_dtypes("number"), y_test)
    with pytest.raises(InputError, match="repeats: expected a positive integer up to 1,000"):
        stress_test(model, X_test.select_dtypes("number"), y_test, repeats=10**30)
    with pytest.raises(InputError, match="model: expected a _NoTags that roc_auc can score"):
        stress_test(_NoTags(), X_test, y_test, faults=["missing"], rates=[0.1])


# ----- edge cases and invariants moved out of the notebooks 10_reliability and 15_guarded_model (issue 14) ---------------
import re  # noqa: E402


@pytest.fixture(scope="module")
def small_model(hmda):
    X_train, _, y_train, _ = hmda
    return HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=30, random_state=0).fit(X_train, y_train)


def test_inject_on_the_notebooks_rows(hmda):
    X_test = hmda[1]
    n_hit = round(0.1 * len(X_test))
    both = ["pirat", "chist"]
    assert int(inject(X_test, "missing", 0.1, columns=both, random_state=1)[both].isna().sum().sum()) == \
        2 * n_hit + int(X_test[both].isna().sum().sum())  # round(rate * rows) rows per column
    assert inject(X_test, "outage", 0.2, random_state=3).equals(inject(X_test, "outage", 0.2, random_state=3))
    assert inject(X_test, "stale", 0.0).equals(X_test)
    stale = inject(X_test, "stale", 0.25, columns=["unemp"])
    assert stale["unemp"].iloc[-round(0.25 * len(X_test)):].nunique() == 1  # frozen at one value from the freeze point on
    assert len(inject(X_test, "duplicate", 0.1, random_state=0)) == len(X_test) + n_hit
    shifted = inject(X_test, "shift", 1.0, columns=["lvrat"], size=1.0, random_state=0)
    assert shifted["lvrat"].median() > X_test["lvrat"].median() and shifted.index.isin(X_test.index).all()


def test_inject_names_the_fault_rate_and_columns_it_refuses(hmda):
    X_test = hmda[1]
    with pytest.raises(InputError, match=re.escape("fault: expected one of ['missing'")): inject(X_test, "typo", 0.1)
    with pytest.raises(InputError, match="rate: expected a share of rows between 0 and 1, received int 10"):
        inject(X_test, "missing", 10)
    with pytest.raises(InputError, match="numeric columns for the 'unit_error' fault"):
        inject(X_test, "unit_error", 0.1, columns=["chist"])
    with pytest.raises(InputError, match="did you mean 'pirat'?"): inject(X_test, "missing", 0.1, columns=["pirate"])


def test_stress_test_is_reproducible_and_names_what_it_refuses(hmda, small_model):
    X_train, X_test, y_train, y_test = hmda
    first = stress_test(small_model, X_test, y_test, faults=["outage"], random_state=0).table
    pd.testing.assert_frame_equal(first, stress_test(small_model, X_test, y_test, faults=["outage"], random_state=0).table)
    with pytest.raises(InputError, match="an unfitted HistGradientBoostingClassifier"):
        stress_test(HistGradientBoostingClassifier(), X_test, y_test)
    with pytest.raises(InputError, match=re.escape(f"y: expected {len(X_test)} values (one per row of X)")):
        stress_test(small_model, X_test, y_test[:10])
    with pytest.raises(InputError, match="Did you mean 'roc_auc'?"): stress_test(small_model, X_test, y_test, metric="roc-auc")


def test_guard_counts_requests_and_refuses_a_schema_that_is_not_one_or_a_call_before_fit(hmda, small_model):
    X_train, X_test, y_train, _ = hmda
    guard = GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", max_iter=10, random_state=0),
                         schema=Schema.infer(X_train, tolerance=0.1)).fit(X_train, y_train)
    guard.predict_proba(X_test)
    assert guard.counts_["requests"] == 1 and guard.counts_["rows"] == len(X_test)
    with pytest.raises(InputError, match="expected a ml_design.contracts.Schema or None"):
        GuardedModel(small_model, schema={"pirat": "float"}).fit(X_train, y_train)
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError, match="not fitted"): GuardedModel(small_model).predict(X_test)
