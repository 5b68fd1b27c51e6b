"""Baselines: the lookup estimators against pandas group-bys and scikit-learn's estimator checks; the ladder's
dummy rungs against scikit-learn's own cross-validation; the verdict on pure noise and on a clear signal."""
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from ml_design.baselines import LookupClassifier, LookupRegressor, baseline_ladder
from ml_design.core import InputError, is_result
from ml_design.datasets import load_hmda


@parametrize_with_checks([LookupClassifier(min_count=1), LookupRegressor(min_count=1), LookupClassifier(max_columns=2),
                          LookupRegressor(max_columns=2)])
def test_lookup_estimators_pass_sklearn_checks(estimator, check):
    check(estimator)


levels = st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=5, max_size=60)


@given(levels, st.data())
@settings(max_examples=60, deadline=None)
def test_lookup_classifier_is_the_groupby_of_class_frequencies(column, data):
    labels = data.draw(st.lists(st.integers(0, 2), min_size=len(column), max_size=len(column)))
    X, y = pd.DataFrame({"colour": column}), np.array(labels)
    model = LookupClassifier(columns=["colour"], min_count=1).fit(X, y)
    reference = pd.crosstab(X["colour"], y, normalize="index").reindex(columns=model.classes_, fill_value=0.0)
    np.testing.assert_allclose(model.predict_proba(X), reference.loc[X["colour"]].to_numpy())


@given(levels, st.data())
@settings(max_examples=60, deadline=None)
def test_lookup_regressor_is_the_groupby_mean_with_fallback_for_small_cells(column, data):
    values = data.draw(st.lists(st.floats(-100, 100), min_size=len(column), max_size=len(column)))
    X, y = pd.DataFrame({"colour": column}), np.array(values)
    model = LookupRegressor(columns=["colour"], min_count=3).fit(X, y)
    sizes = X.groupby("colour")["colour"].transform("size")
    expected = np.where(sizes >= 3, pd.Series(y).groupby(X["colour"]).transform("mean"), y.mean())
    np.testing.assert_allclose(model.predict(X), expected, atol=1e-9)


def test_lookup_classifier_picks_the_informative_column_not_the_identifier():
    rng = np.random.default_rng(0)
    n = 2000
    signal = rng.integers(0, 4, n)
    X = pd.DataFrame({"noise": rng.normal(size=n), "signal": signal, "row_id": np.arange(n).astype(str)})
    y = (rng.random(n) < 0.1 + 0.2 * signal).astype(int)
    assert LookupClassifier().fit(X, y).columns_ == ["signal"]
    assert LookupClassifier(min_count=1).fit(X, y).columns_ == ["row_id"]  # without the guard, 1R memorises


def test_lookup_handles_missing_and_unseen_levels():
    X = pd.DataFrame({"city": ["a", "a", "b", None, "b", "a"] * 10})
    y = np.array([1, 1, 0, 0, 0, 1] * 10)
    model = LookupClassifier(min_count=1).fit(X, y)
    proba = model.predict_proba(pd.DataFrame({"city": ["a", "zzz", None]}))
    np.testing.assert_allclose(proba[0], [0, 1])
    np.testing.assert_allclose(proba[1], model.prior_)  # an unseen level gets the overall frequencies
    np.testing.assert_allclose(proba[2], [1, 0])  # missing is a cell of its own


def test_dummy_rungs_equal_sklearn_cross_validation():
    frame, _ = load_hmda()
    X, y = frame.drop(columns=["deny"]), frame["deny"]
    ladder = baseline_ladder(X, y, cv=4, random_state=3)
    folds = StratifiedKFold(4, shuffle=True, random_state=3)
    reference = cross_val_score(DummyClassifier(strategy="stratified", random_state=3), X, y, cv=folds, scoring="roc_auc")
    np.testing.assert_allclose(ladder.fold_scores.loc["random"].to_numpy(), reference)
    assert is_result(ladder) and ladder.table["name"].tolist()[-1] == "stronger model"
    # on the mortgages, boosting does not beat the logistic regression: the verdict says ship the linear model
    assert ladder.findings[0].severity == "warn" and ladder.findings[0].evidence["bar_rung"] == "linear model"


def test_ladder_fails_on_pure_noise_and_is_reproducible():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.integers(0, 5, 400)})
    y = rng.integers(0, 2, 400)
    first = baseline_ladder(X, y, cv=3, random_state=0)  # every rung, the default gradient boosting included
    second = baseline_ladder(X, y, cv=3, random_state=0)
    pd.testing.assert_frame_equal(first.table.drop(columns="fit_seconds"), second.table.drop(columns="fit_seconds"))
    assert first.findings[0].severity == "fail"


def test_ladder_takes_a_candidate_model_and_regression_metrics():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"x": rng.normal(size=400), "z": rng.normal(size=400)})
    y = (X["x"] + 0.3 * rng.normal(size=400) > 0).astype(int)
    ladder = baseline_ladder(X, y, stronger_model=LogisticRegression(C=0.01), metric="accuracy", random_state=0)
    assert ladder.metric == "accuracy" and ladder.table["mean"].iloc[-1] > 0.8
    reg = baseline_ladder(X, X["x"] * 3 + rng.normal(size=400), random_state=0)
    assert reg.metric == "mean_absolute_error" and not reg.higher_is_better
    assert reg.table["mean"].iloc[-1] < reg.table["mean"].iloc[0]


def test_ladder_refuses_a_class_with_one_example():
    X = pd.DataFrame({"x": range(10)})
    with pytest.raises(InputError, match="at least 2 examples of each class"):
        baseline_ladder(X, [0] * 9 + [1])


# The verdict on made-up ladders (rungs x folds), one per verdict; moved from the notebook.
NAMES = ["random", "majority", "rule", "model"]


def _ladder(rows, higher_is_better=True, human=None, metric="roc_auc"):
    from ml_design.baselines import _ladder_result
    return _ladder_result(pd.DataFrame(rows, index=NAMES), {}, metric, higher_is_better, human)


def test_verdict_on_made_up_ladders():
    clear = _ladder([[.50, .52, .51], [.5, .5, .5], [.60, .62, .61], [.70, .71, .72]])
    assert (clear.bar, clear.findings[0].severity) == (0.61, "info")
    tied = _ladder([[.50, .52, .51], [.5, .5, .5], [.60, .62, .61], [.62, .60, .61]])
    assert tied.findings[0].severity == "warn"
    chance = _ladder([[.50, .52, .51], [.5, .5, .5], [.50, .51, .50], [.51, .50, .52]], human=0.8)
    assert [f.severity for f in chance.findings] == ["fail", "info"]
    lower = _ladder([[3., 3.1, 2.9], [2.5, 2.6, 2.4], [2.0, 2.1, 1.9], [1.5, 1.6, 1.4]], higher_is_better=False,
                    metric="mean_absolute_error")
    assert (lower.bar, lower.findings[0].severity, lower.best) == (2.0, "info", "model")


def test_human_performance_is_a_target_the_caller_supplies():
    # a hypothetical target, not a measurement: the ladder only reports the gap to it and draws it
    short = _ladder([[.50, .52, .51], [.5, .5, .5], [.60, .62, .61], [.70, .71, .72]], human=0.9)
    human = short.findings[-1]
    assert human.evidence == {"human_performance": 0.9, "gap": pytest.approx(0.9 - 0.71)}
    assert "0.190 short of it" in human.message
    beyond = _ladder([[3., 3.1, 2.9], [2.5, 2.6, 2.4], [2.0, 2.1, 1.9], [1.5, 1.6, 1.4]], higher_is_better=False,
                     human=1.8, metric="mean_absolute_error")
    assert "0.300 beyond it" in beyond.findings[-1].message
    ax = short.plot()
    assert any(line.get_label() == "human: 0.900" for line in ax.get_lines())
    assert not any(line.get_label().startswith("human") for line in _ladder(
        [[.50, .52, .51], [.5, .5, .5], [.60, .62, .61], [.70, .71, .72]]).plot().get_lines())


def test_ladder_bad_input_messages():
    frame, _ = load_hmda()
    X, y = frame.drop(columns=["deny"]), frame["deny"]
    with pytest.raises(InputError, match="a target with no missing values"):
        baseline_ladder(X, y.where(y == 1))
    with pytest.raises(InputError, match="Did you mean 'regression'"):
        baseline_ladder(X, y, task="regresion")


def test_lookup_columns_are_one_or_two_and_misspellings_are_named():
    X = pd.DataFrame({"hour": [1, 2] * 20, "month": [1] * 40, "origin": ["a"] * 40})
    with pytest.raises(InputError, match="one or two column names"):
        LookupClassifier(columns=["hour", "month", "origin"]).fit(X, [0, 1] * 20)
    with pytest.raises(InputError, match="did you mean 'hour'"):
        LookupClassifier(columns=["houre"]).fit(X, [0, 1] * 20)


def test_few_valued_numbers_keep_their_levels_and_many_are_binned():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"hour": rng.integers(5, 24, 3000), "distance": rng.uniform(0, 3000, 3000)})
    y = rng.integers(0, 2, 3000)
    assert len(LookupClassifier(columns=["hour"]).fit(X, y).table_) == 19  # one cell per hour, as a pivot table
    assert len(LookupClassifier(columns=["distance"]).fit(X, y).table_) == 10  # deciles
    assert len(LookupClassifier(columns=["hour"], max_levels=5).fit(X, y).table_) <= 10


def test_ladder_fails_on_a_copy_of_the_target():
    """Issue 15 item 1: a frame still holding the label (as 0/1 or relabelled) gave AUC 1.000 and "ship the rule"."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = pd.Series((X["a"] + rng.normal(scale=2, size=300) > 0).astype(int))  # a weak signal: no leak
    for copy in (y, np.where(y == 1, "yes", "no")):
        ladder = baseline_ladder(X.assign(label=copy), y, cv=3)
        assert ladder.findings[0].severity == "fail" and "label is the target itself" in ladder.findings[0].message
    assert not any(f.severity == "fail" for f in baseline_ladder(X, y, cv=3).findings)


def _after_the_fact(scale: float) -> tuple:
    "A binary target and a column equal to it plus noise of this scale (the smaller, the more it leaks), beside noise."
    rng = np.random.default_rng(1)
    y = pd.Series(rng.integers(0, 2, 600))
    return pd.DataFrame({"after": y + rng.normal(scale=scale, size=600), "noise": rng.normal(size=600)}), y


def test_ladder_says_what_leakage_check_says_of_a_strong_single_column():
    """A column alone above leakage_check's threshold (LEAKAGE_THRESHOLDS) gets leakage_check's own warning, word for
    word and with its severity (a warn, not a fail: a real feature can score AUC 0.86), pointing at leakage_check."""
    from ml_design.failure_modes import LEAKAGE_THRESHOLDS, leakage_check
    X, y = _after_the_fact(0.6)
    ladder = baseline_ladder(X, y, cv=3)
    rule = ladder.table.set_index("name").loc["one-feature rule"]
    assert rule["columns"] == "after" and LEAKAGE_THRESHOLDS["roc_auc"] <= rule["mean"] < 0.99
    leak, checked = ladder.findings[0], leakage_check(X, y).findings[0]
    assert (leak.severity, checked.severity) == ("warn", "warn")
    assert checked.evidence["feature"] == "after" and leak.evidence["feature"] == "after"
    ours, theirs = (re.sub(r"\d\.\d{3}", "<score>", f.message) for f in (leak, checked))  # folds and bins differ
    assert theirs.startswith("after alone scores roc_auc <score> (threshold 0.85): check that it is known")
    assert ours.startswith(theirs) and "failure_modes.leakage_check" in ours[len(theirs):]
    assert leak.evidence["rungs"] == ["one-feature rule"] and not any(f.severity == "fail" for f in ladder.findings)
    weaker = baseline_ladder(*_after_the_fact(1.5), cv=3)
    assert not any("leakage_check" in f.message for f in weaker.findings)  # below the threshold: no word of leakage


def test_ladder_fails_on_a_near_perfect_rung():
    """Issue 15 item 1: a rung near a perfect score is a fail pointing at leakage_check, before every other verdict."""
    X, y = _after_the_fact(0.2)
    ladder = baseline_ladder(X, y, cv=3)
    leak = ladder.findings[0]
    assert leak.severity == "fail" and "failure_modes.leakage_check" in leak.message
    assert "one-feature rule" in leak.evidence["rungs"] and all(s >= 0.99 for s in leak.evidence["scores"].values())


def test_a_second_column_joins_the_table_only_when_it_helps():
    """Two columns of ten bins on 400 rows leave every cell below min_count: the table must keep the one good column
    (it scored AUC 0.5, below the one-feature rule's 0.86, before)."""
    X, y = _after_the_fact(0.6)
    assert LookupClassifier(max_columns=2).fit(X.iloc[:400], y.iloc[:400]).columns_ == ["after"]
    rungs = baseline_ladder(X, y, cv=3).table.set_index("name")["mean"]
    assert rungs["lookup table"] >= rungs["one-feature rule"]
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 2, 2000), rng.integers(0, 2, 2000)
    assert sorted(LookupClassifier(max_columns=2).fit(pd.DataFrame({"a": a, "b": b}), a ^ b).columns_) == ["a", "b"]


def test_nan_fold_scores_are_reported_never_compared_as_numbers():
    """Issue 15 item 1: with a NaN fold the top rung "cleared the bar" while scoring lower (gain nan, noise nan)."""
    lower = _ladder([[.50, .52, .51], [.5, .5, .5], [.60, .62, .61], [.50, np.nan, .50]])
    messages = [f.message for f in lower.findings]
    assert lower.findings[0].severity == "warn" and "could not be scored" in messages[0] and "model (1 of 3)" in messages[0]
    assert not any("clears the bar" in m for m in messages) and not any("nan" in m for m in messages)
    assert lower.findings[1].evidence["paired_folds"] == 2
    unscored = _ladder([[.50, .52, .51], [.5, .5, .5], [.60, .62, .61], [np.nan, np.nan, .7]])
    assert [f.severity for f in unscored.findings] == ["warn", "fail"]
    assert "cannot be compared" in unscored.findings[1].message
    assert unscored.plot() is not None and unscored.to_dict()["findings"]
    empty = _ladder([[np.nan] * 3] * 4)
    assert empty.best == "" and empty.plot() is not None and empty.findings[-1].severity == "fail"


def test_ladder_refuses_bad_options_before_any_fit():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"a": rng.normal(size=60)})
    y = pd.Series([0, 1] * 30)
    for options, named in [({"cv": 0}, "cv"), ({"cv": 1}, "cv"), ({"cv": 1.5}, "cv"), ({"cv": None}, "cv"),
                           ({"cv": 61}, "cv"), ({"cv": True}, "cv"), ({"random_state": -1}, "random_state"),
                           ({"random_state": 1.5}, "random_state"), ({"n_bins": 0}, "n_bins"),
                           ({"human_performance": float("nan")}, "human_performance"),
                           ({"stronger_model": LogisticRegression}, "stronger_model"), ({"n_threads": 0}, "n_threads")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            baseline_ladder(X, y, **options)
    for target, named in [(None, "y"), (y[:10], "y"), ([1] * 60, "y"), ([np.nan] * 60, "y")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            baseline_ladder(X, target, task="classification")
    with pytest.raises(InputError, match="^metric: expected a metric for 3 classes"):
        baseline_ladder(X, [0, 1, 2] * 20, metric="roc_auc")
    for frame, said in [(X.assign(b=1).set_axis(["a", "a"], axis=1), "each column name once"),
                        (X.assign(cell=[[1]] * 60), "one scalar value per cell")]:
        with pytest.raises(InputError, match=f"^X: expected {said}"):
            baseline_ladder(frame, y)
    numbered = baseline_ladder(pd.DataFrame(X.to_numpy()), y, cv=3)  # all-int names, as pd.DataFrame(array): valid
    assert numbered.table.set_index("name").loc["one-feature rule", "columns"] == "0"
    for options, named in [({"n_bins": 10**30}, "n_bins"), ({"n_threads": 10**30}, "n_threads")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            baseline_ladder(X, y, **options)
    assert baseline_ladder(X, y, cv=3, human_performance=np.float32(0.8)).human_performance == pytest.approx(0.8)
    assert baseline_ladder(X, y, cv=3, n_threads=np.int64(1), n_bins=np.int64(5)).table["mean"].notna().all()


def test_a_rung_that_raises_is_named():
    class Broken(LogisticRegression):
        def fit(self, X, y): raise RuntimeError("boom")
    X = pd.DataFrame({"a": np.arange(60.0)})
    with pytest.raises(InputError, match="^the stronger model rung: expected a Broken.*RuntimeError: boom"):
        baseline_ladder(X, [0, 1] * 30, cv=3, stronger_model=Broken())


def test_lookup_counts_with_many_levels_match_a_crosstab():
    """The class counts per cell (a groupby in C, bounded on 20,000 levels) equal pandas' crosstab."""
    rng = np.random.default_rng(4)
    X = pd.DataFrame({"id": [f"g{i}" for i in rng.integers(0, 3000, 6000)], "x": rng.normal(size=6000)})
    y = rng.integers(0, 2, 6000)
    fitted = LookupClassifier(columns=["id"], min_count=1).fit(X, y)
    expected = pd.crosstab(X["id"], y)
    got = fitted.table_.set_axis([fitted.encoders_["id"] and list(fitted.encoders_["id"])[i] for i in fitted.table_.index])
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_names=False, check_dtype=False)


def test_moved_from_the_notebook_bad_input_and_invariants():
    """The notebook's bad-input checks and invariants, on the same flights (moved from the notebook)."""
    from ml_design.baselines import feature_frame, ladder_models
    from ml_design.datasets import load_flights
    flights, _ = load_flights(n_rows=2_000, random_state=0)
    X, y = flights[["month", "day", "hour", "carrier", "origin", "dest", "distance", "tailnum"]], flights["late"]
    with pytest.raises(InputError, match="X: expected a pandas DataFrame, received list"):
        feature_frame([1, 2, 3])
    rule = LookupClassifier(max_columns=1).fit(X, y)
    np.testing.assert_allclose(rule.predict_proba(X).sum(axis=1), np.ones(len(X)))
    with pytest.raises(Exception, match="This LookupClassifier instance is not fitted yet"):
        LookupClassifier().predict(X)
    with pytest.raises(InputError, match="Did you mean 'classification'?"):
        ladder_models(feature_frame(X), "clasification")
    for options, said in [({"y": y[:10]}, re.escape("y: expected 2000 values (one per row of X)")),
                          ({"cv": 1}, "cv: expected a number of folds from 2"), ({"random_state": -1}, "random_state: expected"),
                          ({"stronger_model": LookupClassifier}, "called, not the class itself"),
                          ({"metric": "auc"}, "metric: expected one of")]:
        with pytest.raises(InputError, match=said):
            baseline_ladder(X, **{"y": y, **options})
