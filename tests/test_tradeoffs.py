"""Trade-offs: the Pareto front against brute force, cross-validation against scikit-learn, disagreement and staleness
against hand-written counts, the retraining sweep against adaptability's replays, and bad input."""
import json
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.tree import DecisionTreeClassifier

from ml_design.adaptability import NeverRetrain, ScheduledRetrain, compare_policies
from ml_design.core import InputError, is_result
from ml_design.datasets import load_flights
from ml_design.tradeoffs import (ModelComparison, compare_models, ensemble_tradeoff, learned_parameters, online_vs_batch,
                                 pareto_front, retrain_frequency, review_complexity, tradeoff_table)

FEATURES = ["hour", "minute", "distance", "month"]


@pytest.fixture(scope="module")
def flights():
    frame, _ = load_flights(n_rows=3_000, random_state=1)
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def Xy(flights):
    return flights[FEATURES].astype(float), flights["late"]


class SlowDummy(ClassifierMixin, BaseEstimator):
    "The majority class, 20 ms late on every call: as accurate as DummyClassifier and slower by a sleep no load shortens."
    def fit(self, X, y):
        self.dummy_ = DummyClassifier(strategy="prior").fit(X, y)
        self.classes_ = self.dummy_.classes_
        return self
    def predict_proba(self, X):
        time.sleep(0.02)
        return self.dummy_.predict_proba(X)
    def predict(self, X):
        time.sleep(0.02)
        return self.dummy_.predict(X)


def brute_front(benefit, cost):
    n = len(benefit)
    return [not any(benefit[j] >= benefit[i] and cost[j] <= cost[i] and (benefit[j] > benefit[i] or cost[j] < cost[i])
                    for j in range(n)) for i in range(n)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=12))
def test_pareto_front_matches_brute_force(points):
    benefit, cost = [float(b) for b, _ in points], [float(c) for _, c in points]
    assert pareto_front(benefit, cost).tolist() == brute_front(benefit, cost)


def test_pareto_front_refuses_bad_input():
    with pytest.raises(InputError, match="one cost per benefit"): pareto_front([1, 2], [1])
    with pytest.raises(InputError, match="finite numbers"): pareto_front([1, np.nan], [1, 2])


def test_learned_parameters_count_what_the_models_learned(Xy):
    X, y = Xy
    linear = LogisticRegression(max_iter=500).fit(X, y)
    assert learned_parameters(linear) == (X.shape[1] + 1, "coefficients")
    tree = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X, y)
    assert learned_parameters(tree) == (tree.get_n_leaves(), "leaves")
    forest = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    assert learned_parameters(forest) == (sum(t.get_n_leaves() for t in forest.estimators_), "leaves")
    boosting = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    leaves = sum(p.get_n_leaf_nodes() for stage in boosting._predictors for p in stage)
    assert learned_parameters(boosting) == (leaves, "leaves")
    with pytest.raises(InputError, match="a fitted estimator"): learned_parameters(LogisticRegression())


def test_compare_models_matches_scikit_learn_cross_validation(Xy):
    X, y = Xy
    candidates = {"majority": DummyClassifier(), "linear": LogisticRegression(max_iter=500)}
    result = compare_models(candidates, X, y, cv=3, repeats=5, batch_size=100, random_state=0)
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    for name, model in candidates.items():
        expected = cross_val_score(model, X, y, cv=folds, scoring="roc_auc")
        np.testing.assert_allclose(result.fold_scores.loc[name].to_numpy(), expected)
        np.testing.assert_allclose(result.table.set_index("name").loc[name, "metric"], expected.mean())
        oof = cross_val_predict(model, X, y, cv=folds, method="predict_proba")[:, 1]
        np.testing.assert_allclose(result.predictions[name].to_numpy(), oof)
    assert is_result(result) and json.dumps(result.to_dict())
    assert result.to_dict()["front"] == result.front


def test_the_same_inputs_give_the_same_metrics_sizes_and_parameters(Xy):
    X, y = Xy
    candidates = {"tree": DecisionTreeClassifier(max_depth=5, random_state=0), "linear": LogisticRegression(max_iter=500)}
    first, second = (compare_models(candidates, X, y, cv=3, repeats=5, batch_size=50) for _ in range(2))
    columns = ["name", "metric", "metric_std", "size_kb", "parameters", "parameter_kind", "readable"]
    pd.testing.assert_frame_equal(first.table[columns], second.table[columns])


def test_a_slower_model_that_is_no_better_is_dominated_and_named(Xy):
    X, y = Xy
    result = compare_models({"majority": DummyClassifier(), "slow majority": SlowDummy(),
                             "linear": LogisticRegression(max_iter=500)}, X, y, cv=3, repeats=10, batch_size=50)
    table = result.table.set_index("name")
    assert table.loc["slow majority", "p50_ms"] >= 20  # the sleep is a floor: no upper bound on a shared machine
    assert table.loc["slow majority", "p50_ms"] > table.loc["majority", "p50_ms"]  # the same work plus 20 ms of sleep
    assert not table.loc["slow majority", "pareto"] and "majority" in table.loc["slow majority", "dominated_by"].split(", ")
    warned = [f for f in result.findings if f.severity == "warn" and f.evidence.get("candidate") == "slow majority"]
    assert warned and "dominated" in warned[0].message and "drop slow majority" in warned[0].message
    assert "slow majority" not in result.front and result.front[-1] == table["metric"].idxmax()
    assert "majority" in result.front


def test_compare_models_bad_input(Xy):
    X, y = Xy
    linear = LogisticRegression(max_iter=500)
    with pytest.raises(InputError, match="at least 1 model"): compare_models({}, X, y)
    with pytest.raises(InputError, match="models with different names"): compare_models([("a", linear), ("a", DummyClassifier())], X, y)
    with pytest.raises(InputError, match="scikit-learn estimator with fit and predict"): compare_models({"a": "linear"}, X, y)
    with pytest.raises(InputError, match="one per row of X"): compare_models({"a": linear}, X, y.iloc[:-3])
    with pytest.raises(InputError, match="metric"): compare_models({"a": linear}, X, y, metric="auc")
    with pytest.raises(InputError, match="latency"): compare_models({"a": linear}, X, y, latency="p90")
    with pytest.raises(InputError, match="a dict of named estimators"): compare_models(linear, X, y)
    text = X.assign(hour=X["hour"].astype(str) + "h")
    with pytest.raises(InputError, match=r"candidates\['a'\]"): compare_models({"a": LogisticRegression()}, text, y, cv=2)


def test_online_vs_batch_staleness_is_the_share_of_flipped_decisions(Xy):
    X, y = Xy
    model = LogisticRegression(max_iter=500).fit(X, y)
    stale_X = X.assign(hour=X["hour"].sample(frac=1.0, random_state=0).to_numpy())  # the hour as a stale job saw it
    ages = np.arange(len(X)) % 12
    result = online_vs_batch(model, X, stale_X, age=ages, age_bins=[0, 5, 11], threshold=0.3, server=False, requests=20,
                             batch_size=500, repeats=3)
    before, now = model.predict_proba(stale_X)[:, 1] >= 0.3, model.predict_proba(X)[:, 1] >= 0.3
    assert result.table["stale_share"].iloc[0] == pytest.approx(np.mean(before != now))
    assert (result.table["stale_share"].iloc[1:] == 0).all()
    young = ages <= 5
    assert result.staleness["stale_share"].iloc[0] == pytest.approx(np.mean(before[young] != now[young]))
    assert result.staleness["rows"].sum() == len(X)
    assert result.table["ms_per_prediction"].iloc[1] > result.table["ms_per_prediction"].iloc[0]  # one row at a time costs more
    assert is_result(result) and json.dumps(result.to_dict())
    fresh = online_vs_batch(model, X, X, server=False, requests=10, batch_size=100, repeats=2)
    assert fresh.table["stale_share"].iloc[0] == 0 and fresh.findings[1].severity == "info"


def test_online_vs_batch_through_a_real_server_is_bounded(Xy):
    X, y = Xy
    model = LogisticRegression(max_iter=500).fit(X, y)
    result = online_vs_batch(model, X.iloc[:400], X.iloc[:400], concurrency=(1, 4), requests=20, duration_s=1.0,
                             batch_size=200, repeats=3)
    assert result.table["concurrency"].tolist() == [1, 1, 4]
    assert result.online.startswith("local HTTP server")
    assert (result.table["ms_per_prediction"].iloc[1:] > result.table["ms_per_prediction"].iloc[0]).all()


def test_online_vs_batch_bad_input(Xy):
    X, y = Xy
    model = LogisticRegression(max_iter=500).fit(X, y)
    with pytest.raises(InputError, match="a fitted estimator"): online_vs_batch(LogisticRegression(), X, X, server=False)
    with pytest.raises(InputError, match="the same 3000 rows"): online_vs_batch(model, X, X.iloc[:10], server=False)
    with pytest.raises(InputError, match="columns"): online_vs_batch(model, X, X.drop(columns="hour"), server=False)
    with pytest.raises(InputError, match="one age per row"): online_vs_batch(model, X, X, age=[1, 2], server=False, requests=5)
    with pytest.raises(InputError, match="request_rows"): online_vs_batch(model, X.rename(columns={"hour": "h"}),
                                                                        X.rename(columns={"hour": "h"}), server=False)


def test_ensemble_disagreement_matches_hand_counts(Xy):
    X, y = Xy
    members = {"linear": LogisticRegression(max_iter=500), "tree": DecisionTreeClassifier(max_depth=4, random_state=0),
               "forest": RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0)}
    result = ensemble_tradeoff(members, X, y, threshold=0.3, cv=3, repeats=5, batch_size=100)
    decisions = result.comparison.predictions[list(members)].to_numpy() >= 0.3
    assert result.disputed_share == pytest.approx(np.mean((decisions != decisions[:, :1]).any(axis=1)))
    pair = result.disagreement.set_index(["a", "b"]).loc[("linear", "tree"), "flipped"]
    assert pair == pytest.approx(np.mean(decisions[:, 0] != decisions[:, 1]))
    assert result.table["role"].tolist() == ["best single model", "ensemble"]
    table = result.comparison.table.set_index("name")
    assert table.loc["ensemble", "parameters"] == sum(table.loc[list(members), "parameters"])
    reused = ensemble_tradeoff(members, X, y, threshold=0.3, cv=3, repeats=5, batch_size=100,
                               comparison=compare_models(members, X, y, cv=3, repeats=5, batch_size=100))
    np.testing.assert_allclose(reused.comparison.fold_scores.loc["ensemble"], result.comparison.fold_scores.loc["ensemble"])
    assert reused.disputed_share == pytest.approx(result.disputed_share)


def test_ensemble_bad_input(Xy):
    X, y = Xy
    with pytest.raises(InputError, match="at least 2 model"): ensemble_tradeoff({"linear": LogisticRegression()}, X, y)
    with pytest.raises(InputError, match="no member named 'ensemble'"):
        ensemble_tradeoff({"ensemble": LogisticRegression(), "b": DummyClassifier()}, X, y)
    other = compare_models({"b": DummyClassifier()}, X, y, cv=2, repeats=2, batch_size=10)
    with pytest.raises(InputError, match="a comparison of every member"):
        ensemble_tradeoff({"a": LogisticRegression(), "b": DummyClassifier()}, X, y, comparison=other, cv=2)
    with pytest.raises(InputError, match="a ModelComparison"):
        ensemble_tradeoff({"a": LogisticRegression(), "b": DummyClassifier()}, X, y, comparison="earlier")


def weekly(flights):
    return dict(data=flights[["time_hour", "late", *FEATURES]], time_column="time_hour", target="late", features=FEATURES,
                model_factory=lambda: LogisticRegression(solver="liblinear"), period="W", warmup=4, window=6, label_lag=1)


def test_retrain_frequency_is_adaptabilitys_replay(flights):
    result = retrain_frequency(every=(2, 6), **weekly(flights))
    reference = compare_policies([ScheduledRetrain(2), ScheduledRetrain(6), NeverRetrain()], **weekly(flights))
    counted = [c for c in reference.table.columns if c != "train_seconds"]  # CPU seconds are measured, not counted
    pd.testing.assert_frame_equal(result.table[counted], reference.table[counted])
    assert result.table["every"].tolist() == [2.0, 6.0, np.inf]
    every2, every6 = (reference.replays[n].table["metric"] for n in ("every 2", "every 6"))
    assert result.table["gap_to_freshest"].iloc[1] == pytest.approx((every2 - every6).mean())
    assert result.table["train_rows"].is_monotonic_decreasing
    assert is_result(result) and json.dumps(result.to_dict())


def test_retrain_frequency_bad_input(flights):
    with pytest.raises(InputError, match="a non-empty list"): retrain_frequency(every=4, **weekly(flights))
    with pytest.raises(InputError, match="distinct periods"): retrain_frequency(every=(2, 2), **weekly(flights))
    with pytest.raises(InputError, match="positive integers"): retrain_frequency(every=(0, 2), **weekly(flights))
    with pytest.raises(InputError, match="arguments of adaptability.replay"): retrain_frequency(**weekly(flights), windw=3)


def test_tradeoff_table_and_the_review_call(Xy):
    X, y = Xy
    comparison = review_complexity(LogisticRegression(max_iter=500), X, y, cv=3, repeats=5)
    assert comparison.table["name"].tolist() == ["lookup table", "linear model", "candidate"]
    summary = tradeoff_table(complexity=comparison)
    row = summary.table.iloc[0]
    assert row["trade_off"] == "model complexity" and row["richer"] == comparison.front[-1]
    assert row["verdict"] in (f"take {row['richer']}", f"keep {row['simpler']}")
    assert is_result(summary) and json.dumps(summary.to_dict())
    with pytest.raises(InputError, match="at least one measured trade-off"): tradeoff_table()
    with pytest.raises(InputError, match="a ModelComparison"): tradeoff_table(complexity="fast")
    with pytest.raises(InputError, match="rungs"): review_complexity(LogisticRegression(), X, y, rungs=("stronger model",))


# Issue 15: options are checked before any work; a model's own failure is an InputError naming it.
def test_threads_and_repeats_are_checked_before_any_work():
    from ml_design.tradeoffs import _check_repeats, _check_threads as _threads
    assert _threads(np.int64(2)) == 2 and _threads(None) is None
    for bad in (float("nan"), pd.NA, True, 10**30, 0):
        with pytest.raises(InputError, match="n_threads"): _threads(bad)
    for bad in (1e308, 0, float("nan"), True):
        with pytest.raises(InputError, match="repeats"): _check_repeats(bad)


def _small():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(120, 3)), columns=["a", "b", "c"])
    return X, (X["a"] + rng.normal(scale=0.5, size=120) > 0).astype(int)


@pytest.mark.parametrize("option", [dict(age_bins=0), dict(age_bins=float("nan")), dict(age_bins=True), dict(age_bins=[3, 1]),
                                    dict(mode="bogus"), dict(duration_s=float("nan")), dict(timeout_s=True),
                                    dict(requests=10**30), dict(repeats=1e308), dict(n_threads=pd.NA), dict(server="no")])
def test_online_vs_batch_refuses_bad_options(option):
    X, y = _small()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(InputError, match="expected"):
        online_vs_batch(model, X, X, age=np.arange(len(X)), **{**dict(server=False, requests=5, repeats=2), **option})


def test_a_model_that_raises_or_predicts_nan_is_named():
    X, y = _small()

    class Broken(ClassifierMixin, BaseEstimator):
        def fit(self, X, y): self.classes_ = np.array([0, 1]); self.n_features_in_ = X.shape[1]; return self
        def predict_proba(self, X): return np.full((len(X), 2), np.nan)
        def predict(self, X): raise RuntimeError("service down")

    with pytest.raises(InputError, match="NaN"): online_vs_batch(Broken().fit(X, y), X, X, server=False, requests=5, repeats=2)
    with pytest.raises(InputError, match="candidates"): compare_models({"broken": Broken()}, X, y, repeats=2)


def test_review_complexity_refuses_rungs_that_are_not_a_list():
    X, y = _small()
    with pytest.raises(InputError, match="rungs"): review_complexity(LogisticRegression(), X, y, rungs=None)
