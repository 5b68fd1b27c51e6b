"""Feedback-loop simulations: the Gini against its definition, the direction and size of each effect under fixed seeds
(larger than the seed-to-seed spread), the bookkeeping of the selective-labels loop, and clear errors on bad input."""
import json

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from ml_design.core import InputError, is_result
from ml_design.datasets import load_hmda, load_movielens
from ml_design.feedback_loops import (catalogue_coverage, exposure_gini, simulate_recommendation_loop,
                                      simulate_selective_labels)

SEEDS = range(5)


def pairwise_gini(values):
    "The definition: mean absolute difference over all ordered pairs, divided by twice the mean."
    values = np.asarray(values, dtype=float)
    return np.abs(values[:, None] - values[None, :]).mean() / (2 * values.mean())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=60).filter(lambda v: sum(v) > 0))
def test_gini_matches_its_definition(values):
    assert exposure_gini(values) == pytest.approx(pairwise_gini(values), abs=1e-12)


def test_gini_and_coverage_on_known_cases():
    assert exposure_gini([3, 3, 3]) == 0
    assert exposure_gini([0] * 9 + [7]) == pytest.approx(0.9)
    assert exposure_gini(pd.Series([1, 2, 3, 4])) == pytest.approx(pairwise_gini([1, 2, 3, 4]))
    assert catalogue_coverage([0, 0, 5, 1]) == 0.5
    for bad in ([], [0, 0], [1, -1], [1, np.nan]):
        with pytest.raises(InputError, match="exposure"):
            exposure_gini(bad)


@pytest.fixture(scope="module")
def ratings():
    return load_movielens()[0]


@pytest.fixture(scope="module")
def loops(ratings):
    arms = {"clicks": dict(logging="clicks"), "propensity": dict(logging="propensity"),
            "explore": dict(logging="clicks", epsilon=0.1)}
    return {name: [simulate_recommendation_loop(ratings, rounds=6, random_state=seed, **options).table for seed in SEEDS]
            for name, options in arms.items()}


def test_clicks_only_logging_concentrates_exposure_round_by_round(loops):
    for table in loops["clicks"]:
        assert table["gini"].iloc[-1] - table["gini"].iloc[0] > 0.05
        assert table["coverage"].iloc[-1] < 0.4 * table["coverage"].iloc[0]
        assert (table["coverage"].diff().iloc[1:] < 0.005).all()
        assert table["relevance"].iloc[-1] < table["relevance"].iloc[0]  # users are shown less of what they like


def test_propensity_logging_stops_the_loop_beyond_the_seed_spread(loops):
    for table in loops["propensity"]:
        assert abs(table["gini"].iloc[-1] - table["gini"].iloc[0]) < 0.01
    clicks = np.array([t["gini"].iloc[-1] for t in loops["clicks"]])
    propensity = np.array([t["gini"].iloc[-1] for t in loops["propensity"]])
    spread = max(clicks.std(ddof=1), propensity.std(ddof=1))
    assert clicks.mean() - propensity.mean() > 0.05
    assert clicks.mean() - propensity.mean() > 10 * spread


def test_exploration_keeps_the_catalogue_in_view_beyond_the_seed_spread(loops):
    clicks = np.array([t["coverage"].iloc[-1] for t in loops["clicks"]])
    explore = np.array([t["coverage"].iloc[-1] for t in loops["explore"]])
    assert explore.min() > 0.75
    assert explore.mean() - clicks.mean() > 10 * max(clicks.std(ddof=1), explore.std(ddof=1))


def test_the_loop_is_reproducible_and_follows_the_protocol(ratings):
    first = simulate_recommendation_loop(ratings, rounds=2, random_state=3)
    again = simulate_recommendation_loop(ratings, rounds=2, random_state=3)
    pd.testing.assert_frame_equal(first.table, again.table)
    assert not first.table.equals(simulate_recommendation_loop(ratings, rounds=2, random_state=4).table)
    assert is_result(first) and first.principle == "feedback_loops"
    json.dumps(first.to_dict())
    assert first.to_dict()["settings"]["logging"] == "clicks"
    assert first.exposure.sum() == first.settings["users"] * first.settings["slots"]
    assert first.table["gini"].iloc[-1] == pytest.approx(exposure_gini(first.exposure))
    assert isinstance(first.plot(metric="coverage"), matplotlib.axes.Axes)
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("options, message", [
    (dict(rounds=0), "rounds"), (dict(rounds=2.5), "rounds"), (dict(epsilon=-0.1), "epsilon"),
    (dict(epsilon=1.01), "epsilon"), (dict(logging="impressions"), "logging"), (dict(slots=0), "slots"),
    (dict(slots=1000), "slots"), (dict(min_ratings=10_000), "min_ratings"), (dict(popularity_weight=-1), "popularity_weight"),
    (dict(user_column="user"), "columns ['user']"),
])
def test_recommendation_loop_refuses_bad_input(ratings, options, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        simulate_recommendation_loop(ratings, **options)


def test_recommendation_loop_refuses_text_ratings(ratings):
    with pytest.raises(InputError, match="numbers"):
        simulate_recommendation_loop(ratings.assign(rating=ratings["rating"].astype(str) + " stars"))


@pytest.fixture(scope="module")
def lender():
    hmda = load_hmda()[0]
    features = [c for c in hmda.columns if c not in ("deny", "afam", "chist", "phist")]
    screen = ((hmda["phist"] == "no") & (hmda["chist"].astype(int) <= 3)).to_numpy()
    return dict(data=hmda, target="deny", features=features, rounds=8, batch=800, initial=800), screen


@pytest.fixture(scope="module")
def lender_runs(lender):
    options, screen = lender
    return {"screened": [simulate_selective_labels(**options, screen=screen, random_state=s).table for s in SEEDS],
            "holdout": [simulate_selective_labels(**options, screen=screen, holdout=0.1, random_state=s).table for s in SEEDS],
            "alone": [simulate_selective_labels(**options, random_state=s).table for s in SEEDS[:2]]}


def test_selective_labels_drift_from_the_truth_round_by_round(lender_runs):
    for table in lender_runs["screened"]:
        assert table["gap"].iloc[-1] < -0.015
        assert table["gap"].iloc[-1] < table["gap"].iloc[0] - 0.015
        assert table["labelled_rate"].is_monotonic_decreasing or table["labelled_rate"].iloc[-1] < 0.6 * table["true_rate"].iloc[0]


def test_a_reweighted_random_holdout_fixes_the_drift_beyond_the_seed_spread(lender_runs):
    screened = np.array([t["gap"].iloc[-1] for t in lender_runs["screened"]])
    holdout = np.array([t["gap"].iloc[-1] for t in lender_runs["holdout"]])
    assert np.abs(holdout).mean() < 0.015
    assert holdout.mean() - screened.mean() > 4 * max(screened.std(ddof=1), holdout.std(ddof=1))


def test_a_model_deciding_alone_on_its_own_inputs_stays_near_the_truth(lender_runs):
    for table in lender_runs["alone"]:
        assert table["gap"].abs().max() < 0.025


def test_selective_labels_bookkeeping(lender):
    options, screen = lender
    result = simulate_selective_labels(**{**options, "rounds": 4}, screen=screen, holdout=0.2, random_state=1)
    table = result.table
    added = (table["accepted"] * options["batch"]).round().astype(int) + table["holdout"]
    np.testing.assert_array_equal(table["labelled"].diff().iloc[1:].to_numpy(), added.iloc[:-1].to_numpy())
    assert table["labelled"].iloc[0] == options["initial"]
    assert (table["accepted"] <= 0.7 + 1e-9).all()
    assert table["true_rate"].eq(options["data"]["deny"].mean()).all()
    assert is_result(result)
    json.dumps(result.to_dict())
    assert result.to_dict()["settings"]["holdout"] == 0.2
    assert isinstance(result.plot(), matplotlib.axes.Axes)
    matplotlib.pyplot.close("all")


def test_selective_labels_accept_a_pipeline_and_refuse_a_model_without_weights(lender):
    options, _ = lender
    small = {**options, "features": ["pirat", "lvrat", "selfemp"], "rounds": 2}
    pipeline = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression(max_iter=500))
    assert len(simulate_selective_labels(**small, model=pipeline).table) == 2
    with pytest.raises(InputError, match="sample_weight"):
        simulate_selective_labels(**{**small, "features": ["pirat", "lvrat"]}, model=KNeighborsClassifier())


@pytest.mark.parametrize("options, message", [
    (dict(holdout=0), "holdout"), (dict(holdout=1), "holdout"), (dict(holdout=-0.2), "holdout"),
    (dict(holdout=1.5), "holdout"), (dict(rounds=0), "rounds"), (dict(accept_share=0), "accept_share"),
    (dict(accept_share=1.2), "accept_share"), (dict(batch=3), "batch"), (dict(target="denied"), "did you mean 'deny'"),
    (dict(features=["pirat", "income"]), "columns \\['income'\\]"), (dict(features=["deny", "pirat"]), "without the target"),
    (dict(target="pirat", features=["lvrat"]), "binary outcome"), (dict(screen=[True, False]), "screen"),
])
def test_selective_labels_refuse_bad_input(lender, options, message):
    base, _ = lender
    with pytest.raises(InputError, match=message):
        simulate_selective_labels(**{**base, **options})


# --- hostile inputs (issue 15) ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def applications():
    hmda = load_hmda()[0]
    return hmda[["pirat", "hirat", "lvrat", "unemp", "deny"]]


def test_selective_labels_refuses_infinite_or_overflowing_features_and_bad_seeds(applications):
    options = dict(target="deny", rounds=2, batch=60, initial=200)
    for values, message in [(np.inf, "data: expected finite feature values (NaN is imputed, infinity is not), received "
                                     "infinite values in ['pirat']"),
                            (1e308, "data: expected feature values whose standardised form is finite")]:
        hostile = applications.copy()
        hostile.loc[hostile.index[:5], "pirat"] = values
        with pytest.raises(InputError) as error:
            simulate_selective_labels(hostile, **options)
        assert message in str(error.value)
    for seed in (-1, 1.5, "x", True):
        with pytest.raises(InputError, match="random_state: expected"): simulate_selective_labels(applications, **options, random_state=seed)
    for name in ("rounds", "batch", "initial"):
        with pytest.raises(InputError, match=f"{name}: expected a whole number from"): simulate_selective_labels(applications, **{**options, name: 10**30})
    one = simulate_selective_labels(applications, **options, features="pirat")  # a str is one column
    assert one.settings["features"] == ["pirat"]


def test_recommendation_loop_checks_rounds_and_seed(ratings):
    with pytest.raises(InputError, match="rounds: expected a whole number of rounds from 1 to 10,000"):
        simulate_recommendation_loop(ratings, rounds=10**30)
    for seed in (-1, 1.5, True):
        with pytest.raises(InputError, match="random_state: expected"): simulate_recommendation_loop(ratings, rounds=1, random_state=seed)
