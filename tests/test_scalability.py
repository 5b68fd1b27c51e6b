"""Scalability measurements on a fake clock: exact percentiles, throughput, breakdown shares and growth exponents."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from ml_design.core import InputError, is_result
from ml_design.scalability import cost_curve, growth_exponent, latency_breakdown, latency_profile


class Clock:
    "A clock that moves only when the fake estimators below advance it."
    now = 0.0
    def __call__(self): return Clock.now


clock = Clock()
FRAME = pd.DataFrame({"a": np.arange(2000.0), "b": np.arange(2000.0) % 7})
LABELS = (np.arange(2000) % 3 == 0).astype(int)


class ScriptedModel(ClassifierMixin, BaseEstimator):
    "Each predict call costs the next value of `costs` (cycling) plus `per_row` per row; it records the rows it saw."
    def __init__(self, costs=(0.001,), per_row=0.0, fit_power=1.0):
        self.costs, self.per_row, self.fit_power = costs, per_row, fit_power
    def fit(self, X, y=None):
        Clock.now += 1e-6 * len(X) ** self.fit_power
        self.calls_, self.seen_, self.trained_on_ = 0, [], list(X.index)
        self.classes_ = np.array([0, 1])
        return self
    def predict(self, X):
        Clock.now += self.costs[self.calls_ % len(self.costs)] + self.per_row * len(X)
        self.calls_ += 1
        self.seen_.append(list(X.index))
        return np.zeros(len(X), dtype=int)


class ScriptedStep(TransformerMixin, BaseEstimator):
    "A pipeline step that costs `cost` seconds per call on the fake clock."
    def __init__(self, cost=0.001): self.cost = cost
    def fit(self, X, y=None):
        self.fitted_ = True
        return self
    def transform(self, X):
        Clock.now += self.cost
        return X


@given(costs=st.lists(st.floats(1e-4, 1.0), min_size=5, max_size=60), warmup=st.integers(0, 5))
@settings(max_examples=50, deadline=None)
def test_percentiles_and_throughput_are_those_of_the_timed_requests(costs, warmup):
    # the first `warmup` calls are untimed: script them to be enormous, they must not show up
    model = ScriptedModel(costs=tuple([100.0] * warmup + costs)).fit(FRAME)
    table = latency_profile(model, FRAME, batch_sizes=[1], repeats=len(costs), warmup=warmup, timer=clock).table.iloc[0]
    for q in (50, 95, 99):
        assert table[f"p{q}_ms"] == pytest.approx(np.percentile(costs, q) * 1e3, rel=1e-6, abs=1e-6)
    assert table["max_ms"] == pytest.approx(max(costs) * 1e3, rel=1e-6)
    assert table["throughput_rows_s"] == pytest.approx(len(costs) / sum(costs), rel=1e-6)


def test_requests_are_reproducible_random_rows_of_the_requested_size():
    first, second = ScriptedModel().fit(FRAME), ScriptedModel().fit(FRAME)
    latency_profile(first, FRAME, batch_sizes=[1, 7], repeats=10, warmup=2, random_state=3, timer=clock)
    latency_profile(second, FRAME, batch_sizes=[1, 7], repeats=10, warmup=2, random_state=3, timer=clock)
    assert first.seen_ == second.seen_
    assert [len(rows) for rows in first.seen_] == [1] * 12 + [7] * 12
    assert all(len(set(rows)) == len(rows) for rows in first.seen_)  # no row twice in one request


def test_throughput_grows_with_batch_size_when_the_cost_is_per_request():
    model = ScriptedModel(costs=(0.01,), per_row=1e-5).fit(FRAME)
    result = latency_profile(model, FRAME, batch_sizes=[1, 10, 100, 1000], repeats=20, warmup=0, timer=clock)
    assert is_result(result)
    expected = [n / (0.01 + 1e-5 * n) for n in (1, 10, 100, 1000)]
    np.testing.assert_allclose(result.table["throughput_rows_s"], expected, rtol=1e-6)
    assert "give" in result.findings[-1].message and result.findings[-1].evidence["throughput_gain"] == pytest.approx(expected[-1] / expected[0])


def test_breakdown_shares_match_the_scripted_step_costs():
    pipeline = make_pipeline(ScriptedStep(0.003), ScriptedStep(0.001), ScriptedModel(costs=(0.001,) * 9 + (0.1,))).fit(FRAME)
    result = latency_breakdown(pipeline, FRAME, repeats=100, warmup=0, tail_quantile=0.95, timer=clock)
    table = result.table.set_index("step")
    np.testing.assert_allclose(table["median_ms"], [3.0, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(table["tail_ms"], [3.0, 1.0, 100.0], rtol=1e-6)  # the tail is the slow predict calls
    assert table["share_tail"].idxmax() == "scriptedmodel" and table["share_median"].idxmax() == "scriptedstep-1"
    with pytest.raises(InputError, match="expected a scikit-learn Pipeline"):
        latency_breakdown(ScriptedModel().fit(FRAME), FRAME)


@given(k=st.floats(0, 3), scale=st.floats(1e-6, 1e3), n_sizes=st.integers(3, 8))
def test_growth_exponent_recovers_a_power_law(k, scale, n_sizes):
    sizes = np.geomspace(100, 1e6, n_sizes)
    exponent, error = growth_exponent(sizes, scale * sizes ** k)
    assert exponent == pytest.approx(k, abs=1e-7) and error == pytest.approx(0, abs=1e-6)


@given(noise=st.lists(st.floats(-1, 1), min_size=4, max_size=10))
def test_growth_exponent_is_the_least_squares_slope_on_log_axes(noise):
    sizes = np.geomspace(500, 50_000, len(noise))
    costs = sizes ** 1.2 * np.exp(noise)
    reference = np.polyfit(np.log(sizes), np.log(costs), 1)[0]  # numpy as the reference implementation
    assert growth_exponent(sizes, costs)[0] == pytest.approx(reference, abs=1e-8)


def test_cost_curve_trains_on_nested_samples_disjoint_from_the_test_rows():
    trained = []
    class Recording(ScriptedModel):
        def fit(self, X, y=None):
            trained.append(set(X.index))
            return super().fit(X, y)
    result = cost_curve(Recording(fit_power=2.0), FRAME, LABELS, sizes=[100, 200, 400, 800], metric="accuracy",
                        memory=False, random_state=0, timer=clock)
    assert [len(rows) for rows in trained] == [100, 200, 400, 800]
    assert all(small <= large for small, large in zip(trained, trained[1:]))
    assert result.exponents["fit_s"][0] == pytest.approx(2.0, abs=1e-9)
    assert any(f.severity == "warn" and "n^2.00" in f.message for f in result.findings)
    held_out = set(FRAME.index) - set().union(*trained)
    assert len(held_out) >= 0.25 * len(FRAME) - 1


def test_cost_curve_memory_follows_what_fit_allocates():
    class Allocating(ScriptedModel):
        def fit(self, X, y=None):
            self.buffer_ = np.ones((len(X), 2000))  # 16 kB per row, visible to tracemalloc
            return super().fit(X, y)
    result = cost_curve(Allocating(), FRAME, LABELS, sizes=[100, 200, 400, 800], metric="accuracy", random_state=0, timer=clock)
    assert result.exponents["peak_memory_mb"][0] == pytest.approx(1.0, abs=0.05)
    assert result.table["peak_memory_mb"].iloc[-1] >= 800 * 2000 * 8 / 2**20


def test_bad_arguments_get_clear_messages():
    model = ScriptedModel().fit(FRAME)
    with pytest.raises(InputError, match="batch_sizes: expected a non-empty list"):
        latency_profile(model, FRAME, batch_sizes=[])
    with pytest.raises(InputError, match="repeats: expected a positive integer"):
        latency_profile(model, FRAME, repeats=0)
    with pytest.raises(InputError, match="sizes: expected sizes up to 1,500"):
        cost_curve(ScriptedModel(), FRAME, LABELS, sizes=[100, 1600])
    with pytest.raises(InputError, match="did you mean 'roc_auc'|Did you mean 'roc_auc'"):
        cost_curve(ScriptedModel(), FRAME, LABELS, metric="roc_aux")
    for bad in (None, "100", 5):
        with pytest.raises(InputError, match="batch_sizes: expected a non-empty list of positive integers"):
            latency_profile(model, FRAME, batch_sizes=bad)
    with pytest.raises(InputError, match="warmup: expected a non-negative integer.*Pass e.g. warmup=5"):
        latency_profile(model, FRAME, warmup=-1)
    with pytest.raises(InputError, match="tail_quantile: expected a number between 0 and 1.*E.g. 0.99"):
        latency_breakdown(make_pipeline(ScriptedModel()).fit(FRAME), FRAME, tail_quantile="p99")
    with pytest.raises(InputError, match="test_size: expected a share between 0 and 1.*E.g. 0.25"):
        cost_curve(ScriptedModel(), FRAME, LABELS, test_size=1.5)


def _fitted_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from ml_design.datasets import load_loans
    frame, _ = load_loans()
    numeric = [c for c in frame.select_dtypes("number").columns][:4]
    frame = frame[numeric].dropna().iloc[:3000].reset_index(drop=True)
    y = (frame[numeric[0]] > frame[numeric[0]].median()).astype(int)
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(frame[numeric[1:]], y), frame[numeric[1:]]


def test_latency_refuses_a_negative_warmup_and_a_clock_that_runs_backwards_or_returns_nan():
    from ml_design.core import InputError
    model, X = _fitted_pipeline()
    backwards = iter(np.arange(1000.0, 0, -1.0)).__next__
    readings = iter([0.0, np.nan] * 500).__next__
    for function in (latency_profile, latency_breakdown):
        with pytest.raises(InputError, match="warmup: expected a non-negative integer"):
            function(model, X, warmup=-1)
        with pytest.raises(InputError, match="timer: expected a clock that returns finite seconds and never runs backwards"):
            function(model, X, repeats=5, warmup=0, timer=backwards)
        with pytest.raises(InputError, match="timer: expected a clock"):
            function(model, X, repeats=5, warmup=0, timer=readings)
        with pytest.raises(InputError, match="random_state: expected"):
            function(model, X, repeats=5, random_state=-3)


def test_latency_profile_defaults_work_on_a_small_frame_and_say_they_were_clipped():
    model, X = _fitted_pipeline()
    small = X.iloc[:569]
    result = latency_profile(model, small, repeats=3, warmup=0, random_state=0)
    assert result.table["batch_size"].tolist() == [1, 10, 100, 569]
    assert any("clipped to 1, 10, 100, 569" in f.message for f in result.findings)
    assert result.plot() is not None
    breakdown = latency_breakdown(model, small, repeats=5, warmup=0, tail_quantile=np.float32(0.9), random_state=0)
    assert breakdown.plot() is not None


def test_cost_curve_checks_target_seed_share_and_the_estimator_itself():
    from sklearn.linear_model import LogisticRegression
    options = dict(sizes=[100, 200], memory=False, random_state=0)
    with pytest.raises(InputError, match="estimator: expected an estimator instance"):
        cost_curve(LogisticRegression, FRAME, LABELS, **options)
    with pytest.raises(InputError, match="y: expected a target with one value per row"):
        cost_curve(LogisticRegression(), FRAME, None, **options)
    with pytest.raises(InputError, match="y: expected at least two classes"):
        cost_curve(LogisticRegression(), FRAME, np.zeros(len(FRAME), dtype=int), **options)
    with pytest.raises(InputError, match="random_state: expected None, an integer seed"):
        cost_curve(LogisticRegression(), FRAME, LABELS, **{**options, "random_state": -1})
    with pytest.raises(InputError, match="repeats: expected a positive integer up to 1,000"):
        cost_curve(LogisticRegression(), FRAME, LABELS, repeats=10**30, **options)
    with pytest.raises(InputError, match="estimator: expected a LogisticRegression that fits on 100 rows.*NaN"):
        cost_curve(LogisticRegression(), FRAME.assign(a=np.nan), LABELS, **options)
    result = cost_curve(LogisticRegression(), FRAME, LABELS, test_size=np.float32(0.25), **options)  # numpy shares are shares
    assert result.table["rows"].tolist() == [100, 200]


def test_latency_options_are_bounded_and_growth_exponent_checks_its_lists():
    model, X = _fitted_pipeline()
    for option in ("repeats", "warmup"):
        with pytest.raises(InputError, match=f"{option}: expected a .*integer up to 100,000"):
            latency_profile(model, X, batch_sizes=[1], **{"repeats": 5, "warmup": 0, option: 10**30})
        with pytest.raises(InputError, match=f"{option}: expected a .*integer up to 100,000"):
            latency_breakdown(model, X, **{"repeats": 5, "warmup": 0, option: 10**30})
    with pytest.raises(InputError, match="costs: expected one cost per size"):
        growth_exponent([], [1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="sizes: expected no missing values"):
        growth_exponent([1, np.nan, 4], [1.0, 2.0, 3.0])


# ---- moved from nbs/10_properties/11_scalability.ipynb: bad input, and the breakdown of a scripted tail ---------------

def test_latency_refuses_sizes_methods_and_models_it_cannot_time():
    model, X = _fitted_pipeline()
    with pytest.raises(InputError, match=r"expected sizes up to [0-9,]+ \(the rows of X\), received 10,000"):
        latency_profile(model, X, batch_sizes=[1, 10_000])
    with pytest.raises(InputError, match="distinct sizes in increasing order"):
        latency_profile(model, X, batch_sizes=[10, 1])
    with pytest.raises(InputError, match="expected a method of Pipeline"):
        latency_profile(model, X, method="predict_probability")
    with pytest.raises(InputError, match="an unfitted Pipeline"):
        latency_profile(clone(model), X)
    with pytest.raises(InputError, match="expected a scikit-learn Pipeline"):
        latency_breakdown(model.steps[-1][1], X)


def test_the_tail_of_a_breakdown_holds_exactly_the_slow_calls():
    # 1 ms per call plus 0.01 ms per row, and 50 ms more on every 50th call: the 98% tail is the two slow calls
    model = ScriptedModel(costs=(0.001,) * 49 + (0.051,), per_row=1e-5)
    table = latency_breakdown(make_pipeline(model).fit(FRAME), FRAME, repeats=100, warmup=0, tail_quantile=0.98,
                              timer=clock).table
    assert table["median_ms"][0] == pytest.approx(1.01, abs=1e-9)
    assert table["tail_ms"][0] == pytest.approx(51.01, abs=1e-9)


def test_growth_exponent_is_polyfits_slope_and_needs_three_points():
    sizes = np.array([1000, 2000, 4000, 8000])
    costs = sizes * np.log(sizes)
    assert growth_exponent(sizes, costs)[0] == pytest.approx(np.polyfit(np.log(sizes), np.log(costs), 1)[0], abs=1e-12)
    assert np.isnan(growth_exponent([1, 2], [1, 2])[0])  # two points give no error estimate: not enough


def test_cost_curve_refuses_sizes_targets_and_estimators_it_cannot_fit():
    from sklearn.linear_model import LogisticRegression
    with pytest.raises(InputError, match="expected sizes up to 1,500"):
        cost_curve(LogisticRegression(), FRAME, LABELS, sizes=[500, 1600])
    with pytest.raises(InputError, match="y: expected 2000 values"):
        cost_curve(LogisticRegression(), FRAME, LABELS[:10])
    with pytest.raises(InputError, match="expected an estimator instance with a fit method"):
        cost_curve("forest", FRAME, LABELS)


def test_cost_curve_fits_the_sizes_asked_for():
    result = cost_curve(ScriptedModel(fit_power=2.0), FRAME, LABELS, sizes=[100, 200, 400, 800], metric="accuracy",
                        memory=False, random_state=0, timer=clock)
    assert result.table["rows"].tolist() == [100, 200, 400, 800]
    assert result.exponents["fit_s"][0] == pytest.approx(2.0, abs=1e-9)
