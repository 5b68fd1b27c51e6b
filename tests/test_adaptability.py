"""Retraining replay: no look-ahead past the label lag, metrics against a hand-written walk, policies and champion/challenger."""
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from ml_design.adaptability import (DriftTriggeredRetrain, NeverRetrain, PerformanceTriggeredRetrain, PolicyState,
                                    RetrainPolicy, ScheduledRetrain, compare_policies, replay)
from ml_design.core import InputError, is_result
from ml_design.datasets import load_flights, load_rainfall

FEATURES = ["hour", "minute", "distance"]


@pytest.fixture(scope="module")
def flights():
    frame, _ = load_flights(n_rows=8_000, random_state=2)
    return frame[["time_hour", "late", *FEATURES]]


def monthly(flights, **options):
    return dict(data=flights, time_column="time_hour", target="late", features=FEATURES, period="M", warmup=2,
                window=3, model_factory=lambda: LogisticRegression(solver="liblinear"), **options)


class Remembering(LogisticRegression):
    "Remembers the newest row it was trained on (rows are in time order, so the index is time)."
    def fit(self, X, y):
        self.newest_row = X.index.max()
        return super().fit(X, y)


@pytest.mark.parametrize("label_lag", [0, 1, 2, 3])
def test_no_model_ever_learns_from_labels_that_have_not_arrived(flights, label_lag):
    months = flights["time_hour"].dt.tz_convert(None).dt.to_period("M")
    def gap(model, X, y):  # months between the newest training row and the month predicted
        return float((months[X.index.min()] - months[model.newest_row]).n)
    result = replay(policy=ScheduledRetrain(every=1), metric=gap, label_lag=label_lag,
                    **{**monthly(flights), "model_factory": lambda: Remembering(solver="liblinear")})
    assert result.table["metric"].min() == label_lag + 1
    retrained = result.table[result.table["model"] > 1]
    assert (retrained["metric"] == label_lag + 1).all()  # retraining every month keeps the gap at its minimum


def test_never_retrain_matches_a_hand_written_walk(flights):
    result = replay(policy=NeverRetrain(), label_lag=1, **monthly(flights))
    month = flights["time_hour"].dt.tz_convert(None).dt.to_period("M").astype(str)
    warmup = month.isin(["2013-01", "2013-02"])
    model = LogisticRegression(solver="liblinear").fit(flights.loc[warmup, FEATURES], flights.loc[warmup, "late"])
    served = [f"2013-{m:02d}" for m in range(4, 13)] + ["2014-01"]  # warmup Jan-Feb, labels a month late: from April
    expected = [roc_auc_score(flights.loc[month == m, "late"], model.predict_proba(flights.loc[month == m, FEATURES])[:, 1])
                if flights.loc[month == m, "late"].nunique() == 2 else np.nan for m in served]
    np.testing.assert_allclose(result.table["metric"], expected)  # a month with one class only scores NaN
    assert result.summary["retrains"] == 0 and result.summary["train_rows"] == 0


def test_a_schedule_retrains_every_k_periods_once_labels_allow(flights):
    for every in (1, 2, 3):
        result = replay(policy=ScheduledRetrain(every=every), label_lag=0, **monthly(flights))
        retrain_rows = np.flatnonzero(result.table["retrain"].to_numpy())
        assert (np.diff(retrain_rows) == every).all() and retrain_rows[0] == every
        assert result.table["model"].max() == result.summary["retrains"] + 1


def test_champion_challenger_promotes_only_a_winner(flights):
    result = replay(policy=ScheduledRetrain(every=1), holdout=1, label_lag=0, **monthly(flights))
    retrains = result.table[result.table["retrain"]]
    scores = retrains["reason"].str.extract(r"holdout ([0-9.]+) vs champion ([0-9.]+)").astype(float)
    assert len(scores.dropna()) == len(retrains)
    clear = (scores[0] - scores[1]).abs().to_numpy() > 0.001  # the reason rounds to 3 decimals
    assert clear.sum() > 3
    np.testing.assert_array_equal(retrains["promoted"].to_numpy()[clear], (scores[0] > scores[1]).to_numpy()[clear])
    assert 0 < retrains["promoted"].sum() < len(retrains)
    assert result.table["model"].max() == retrains["promoted"].sum() + 1
    assert (np.diff(result.table["model"]) >= 0).all()


def test_the_same_inputs_give_the_same_replay(flights):
    options = {**monthly(flights), "model_factory": lambda: RandomForestClassifier(n_estimators=5, max_depth=4)}
    first = replay(policy=ScheduledRetrain(every=2), random_state=3, **options)
    second = replay(policy=ScheduledRetrain(every=2), random_state=3, **options)
    pd.testing.assert_frame_equal(first.table.drop(columns="train_seconds"), second.table.drop(columns="train_seconds"))


def test_a_numeric_time_column_and_a_custom_policy():
    rain, card = load_rainfall()
    class EveryOtherYear(RetrainPolicy):
        name = "every other year"
        def decide(self, state: PolicyState):
            return state.periods_served >= 2, "two years"
    result = replay(rain, card.time_column, card.target, lambda: LogisticRegression(), EveryOtherYear(), period=365,
                    warmup=3, window=3)
    assert is_result(result) and result.table["period"].is_monotonic_increasing
    assert result.table["period"].diff().dropna().eq(365).all()
    assert result.summary["retrains"] == int(result.table["retrain"].sum()) > 0


def test_the_drift_policy_asks_the_drift_module(flights):
    from ml_design.drift import drift_report
    training = flights[FEATURES].iloc[:2000]
    shifted = training.assign(distance=training["distance"] * 3)
    policy = DriftTriggeredRetrain(share=0.3)
    state = PolicyState(5, 2, shifted, training, [])
    fires, reason = policy.decide(state)
    assert fires == (drift_report(training, shifted).share_drifted >= 0.3) is True
    assert policy.decide(PolicyState(5, 2, training.iloc[:500], training, []))[0] is False


def test_policies_refuse_bad_settings_and_say_what_to_pass():
    with pytest.raises(InputError, match="tolerance: expected a non-negative drop of the metric.*E.g. 0.03"):
        PerformanceTriggeredRetrain(tolerance=-0.1)
    with pytest.raises(InputError, match="periods: expected a positive number of periods.*E.g. periods=2"):
        PerformanceTriggeredRetrain(periods=0)
    with pytest.raises(InputError, match="every: expected a positive number of periods"):
        ScheduledRetrain(every=2.5)


def test_a_performance_trigger_waits_for_labels():
    policy = PerformanceTriggeredRetrain(tolerance=0.01, periods=2)
    frame = pd.DataFrame({"x": [1.0]})
    assert policy.decide(PolicyState(3, 3, frame, frame, [0.7, 0.5, 0.4]))[0] is False  # four labelled periods needed
    assert policy.decide(PolicyState(3, 4, frame, frame, [0.7, 0.7, 0.69, 0.7]))[0] is False  # drop 0.005
    assert policy.decide(PolicyState(3, 4, frame, frame, [0.7, 0.7, 0.69, 0.68]))[0] is True  # drop 0.015


def test_compare_policies_tabulates_each_replay(flights):
    comparison = compare_policies([NeverRetrain(), ScheduledRetrain(every=2)], label_lag=1, **monthly(flights))
    assert is_result(comparison)
    for name, result in comparison.replays.items():
        row = comparison.table.set_index("policy").loc[name]
        assert row["mean_metric"] == pytest.approx(result.table["metric"].mean())
        assert row["retrains"] == result.table["retrain"].sum()
    with pytest.raises(InputError, match="non-empty list of RetrainPolicy"):
        compare_policies([], **monthly(flights))


def test_bad_inputs_get_clear_errors(flights):
    with pytest.raises(InputError, match="more than warmup"):
        replay(policy=NeverRetrain(), **{**monthly(flights), "warmup": 12})
    with pytest.raises(InputError, match="label_lag: expected an integer of at least 0.*e.g. label_lag=1"):
        replay(policy=NeverRetrain(), label_lag=-1, **monthly(flights))
    with pytest.raises(InputError, match="pandas period frequency"):
        replay(policy=NeverRetrain(), **{**monthly(flights), "period": "fortnight"})


def test_time_columns_features_seeds_and_failing_models_are_refused_clearly(flights):
    options = monthly(flights)
    with pytest.raises(InputError, match="period: expected a pandas period frequency"):
        replay(policy=NeverRetrain(), **{**options, "period": "bogus"})
    with pytest.raises(InputError, match="time_hour: expected time stamps, received only missing values"):
        replay(policy=NeverRetrain(), **{**options, "data": flights.assign(time_hour=pd.NaT)})
    mixed = flights.astype({"time_hour": object})
    mixed.loc[mixed.index[0], "time_hour"] = pd.Timestamp("2013-01-01")  # one naive stamp among UTC ones
    with pytest.raises(InputError, match="time_hour: expected time stamps all with a time zone or all without"):
        replay(policy=NeverRetrain(), **{**options, "data": mixed})
    with pytest.raises(InputError, match="random_state: expected None, an integer seed"):
        replay(policy=NeverRetrain(), **{**options, "random_state": True})
    with pytest.raises(InputError, match="features: expected at least one column"):
        replay(policy=NeverRetrain(), **{**options, "features": []})
    with pytest.raises(InputError, match="model_factory: expected a model that fits on periods 1 to 2.*NaN"):
        replay(policy=NeverRetrain(), **{**options, "data": flights.assign(distance=np.nan)})
    one = replay(policy=NeverRetrain(), **{**options, "features": "distance"})  # a str is one column
    assert one.table.equals(replay(policy=NeverRetrain(), **{**options, "features": ["distance"]}).table)


def test_comparison_plot_checks_smooth_and_clips_it_to_the_replay(flights):
    comparison = compare_policies([NeverRetrain(), ScheduledRetrain(every=2)], **monthly(flights))
    for smooth in (0, -1, np.nan, True, 1.5):
        with pytest.raises(InputError, match="smooth: expected a whole number of periods"):
            comparison.plot(smooth=smooth)
    assert comparison.plot(smooth=10**30) is not None
