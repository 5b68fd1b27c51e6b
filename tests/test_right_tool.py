"""right_tool: the lookup tables it uses (baselines.LookupClassifier/LookupRegressor) against a pandas pivot, shares of lift against a hand computation, and the verdicts."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ml_design.core import InputError, is_result
from ml_design.datasets import load_flights, load_loans
from ml_design.baselines import LookupClassifier, LookupRegressor
from ml_design.right_tool import HandLinear, Rule, compare_to_rules, default_rules


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from([0, 1, 2]), st.integers(0, 1)), min_size=5, max_size=60))
@settings(max_examples=100, deadline=None)
def test_lookup_table_equals_a_pandas_pivot(rows):
    frame = pd.DataFrame(rows, columns=["letter", "digit", "y"])
    table = LookupClassifier(columns=["letter", "digit"], min_count=1).fit(frame, frame["y"])
    pivot = frame.groupby(["letter", "digit"])["y"].mean()
    expected = pivot.reindex(pd.MultiIndex.from_frame(frame[["letter", "digit"]])).to_numpy()
    proba = table.predict_proba(frame)
    if len(table.classes_) == 2:
        np.testing.assert_allclose(proba[:, 1], expected)
    else:  # one class only: every cell holds it
        np.testing.assert_allclose(proba[:, 0], 1.0)


def test_lookup_table_falls_back_on_rare_and_unseen_cells():
    frame = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 2, "y": [1] * 10 + [0] * 20 + [1, 1]})
    table = LookupClassifier(columns=["g"], min_count=20).fit(frame[["g"]], frame["y"])
    overall = frame["y"].mean()
    np.testing.assert_allclose(table.predict_proba(pd.DataFrame({"g": ["b", "zzz"]}))[:, 1], [overall, overall])
    np.testing.assert_allclose(table.predict_proba(pd.DataFrame({"g": ["a"]}))[:, 1], [10 / 30])


def test_lookup_table_regression_means_on_loans():
    loans, _ = load_loans(n_rows=2000)
    table = LookupRegressor(columns=["grade"], min_count=1).fit(loans, loans["interest_rate"])
    means = loans.groupby("grade", observed=True)["interest_rate"].mean()
    np.testing.assert_allclose(table.predict(loans), means.reindex(loans["grade"]).to_numpy())


def test_share_of_lift_matches_a_hand_computation():
    flights, _ = load_flights(n_rows=3000, random_state=1)
    X, y = flights[["hour", "month", "distance"]], flights["late"]
    result = compare_to_rules(X, y, rules={"hour": LookupClassifier(columns=["hour"])}, cv=3, random_state=3)
    folds = StratifiedKFold(3, shuffle=True, random_state=3)
    rule_scores, model_scores = [], []
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits
    for train, test in folds.split(X, y):
        table = LookupClassifier(columns=["hour"]).fit(X.iloc[train], y.iloc[train])
        rule_scores.append(roc_auc_score(y.iloc[test], table.predict_proba(X.iloc[test])[:, 1]))
        with threadpool_limits(1):
            model = HistGradientBoostingClassifier(random_state=3).fit(X.iloc[train], y.iloc[train])
        model_scores.append(roc_auc_score(y.iloc[test], model.predict_proba(X.iloc[test])[:, 1]))
    expected = (np.mean(rule_scores) - 0.5) / (np.mean(model_scores) - 0.5)
    row = result.table.set_index("candidate").loc["hour"]
    assert row["share_of_model_lift"] == pytest.approx(expected)
    assert is_result(result)


def test_verdicts_follow_the_threshold():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"signal": rng.normal(size=600), "noise": rng.normal(size=600)})
    y = (X["signal"] + 0.3 * rng.normal(size=600) > 0).astype(int)
    rule = Rule(lambda frame: frame["signal"].to_numpy())
    enough = compare_to_rules(X, y, rules={"signal": rule}, threshold=0.9, random_state=0)
    assert enough.verdict == "simple candidate is enough" and enough.findings[0].severity == "warn"
    weak = compare_to_rules(X, y, rules={"noise": Rule(lambda frame: frame["noise"].to_numpy())}, random_state=0)
    assert weak.verdict == "model adds value"
    nothing = compare_to_rules(X, rng.integers(0, 2, 600), rules={"signal": rule}, model=DummyClassifier(), random_state=0)
    assert nothing.verdict == "model adds nothing" and not nothing.ok


def test_regression_with_an_error_metric_and_a_hand_set_line():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x": rng.uniform(0, 10, 400)})
    y = 2 * X["x"] + rng.normal(size=400)
    result = compare_to_rules(X, y, rules={"hand": HandLinear({"x": 2.0}, task="regression")}, model=LinearRegression(),
                              metric="mae", random_state=0)
    share = result.table.set_index("candidate").loc["hand", "share_of_model_lift"]
    assert share == pytest.approx(1.0, abs=0.05)


def test_same_inputs_same_outputs():
    flights, _ = load_flights(n_rows=2000)
    X = flights[["hour", "month"]]
    first = compare_to_rules(X, flights["late"], rules={"h": LookupClassifier(columns=["hour"])}, cv=3, random_state=5)
    second = compare_to_rules(X, flights["late"], rules={"h": LookupClassifier(columns=["hour"])}, cv=3, random_state=5)
    pd.testing.assert_frame_equal(first.table, second.table)
    import json
    assert json.loads(json.dumps(first.to_dict(), allow_nan=False))["verdict"] == first.verdict


def test_bad_rule_output_is_named():
    X = pd.DataFrame({"a": range(20)})
    with pytest.raises(InputError, match="one value per row"):
        compare_to_rules(X, [0, 1] * 10, rules={"bad": lambda frame: [1]}, cv=2)


def test_value_metric_tunes_the_threshold_on_the_training_fold():
    flights, _ = load_flights(n_rows=3000, random_state=2)
    X, y = flights[["hour", "month"]], flights["late"]
    matrix = np.array([[0.0, -50.0], [0.0, 150.0]])
    result = compare_to_rules(X, y, rules={"hour": LookupClassifier(columns=["hour"])}, value=matrix, cv=3, random_state=7)
    values = []
    for train, test in StratifiedKFold(3, shuffle=True, random_state=7).split(X, y):
        table = LookupClassifier(columns=["hour"]).fit(X.iloc[train], y.iloc[train])
        train_scores = table.predict_proba(X.iloc[train])[:, 1]
        candidates = np.append(np.unique(train_scores), np.inf)
        earned = [matrix[y.iloc[train].to_numpy(), (train_scores >= t).astype(int)].sum() for t in candidates]
        threshold = candidates[int(np.argmax(earned))]
        decisions = (table.predict_proba(X.iloc[test])[:, 1] >= threshold).astype(int)
        values.append(matrix[y.iloc[test].to_numpy(), decisions].mean())
    assert result.table.set_index("candidate").loc["hour", "score"] == pytest.approx(np.mean(values))
    baseline = result.table.set_index("candidate").loc["trivial baseline", "score"]
    assert baseline == pytest.approx(max(0.0, np.mean(matrix[y.to_numpy(), 1])), abs=2.0)  # flag nobody or everybody


def test_default_rules_skip_datetimes_and_identifiers():
    flights, _ = load_flights(n_rows=2000)
    rules = default_rules(flights[["hour", "time_hour", "tailnum", "origin"]], max_levels=100)
    assert list(rules) == ["lookup: hour", "lookup: origin"]


@pytest.mark.parametrize("candidate", [Rule(lambda X: X["hour"] > 12), LookupClassifier(columns=["hour"]), HandLinear({"hour": 0.1})],
                         ids=["rule", "lookup", "hand-set"])
def test_candidates_follow_the_estimator_contract(candidate):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted
    flights, _ = load_flights(n_rows=500)
    fresh = clone(candidate)
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)
    assert fresh.fit(flights, flights["late"]) is fresh
    check_is_fitted(fresh)
    assert clone(fresh).get_params() == candidate.get_params()


def test_compare_to_rules_bad_input_messages():
    flights, _ = load_flights(n_rows=2000)
    X, y = flights[["hour", "month"]], flights["late"]
    rules = {"h": LookupClassifier(columns=["hour"])}
    with pytest.raises(InputError, match="at least one candidate"):
        compare_to_rules(X, y, rules={})
    with pytest.raises(InputError, match="a Rule, lookup table, HandLinear"):
        compare_to_rules(X, y, rules={"x": 3})
    with pytest.raises(InputError, match="a target with no missing values"):
        compare_to_rules(X, y.where(y > 0), rules=rules)
    with pytest.raises(InputError, match="a classification metric"):
        compare_to_rules(X, y, rules=rules, metric="mae")
    with pytest.raises(InputError, match="Did you mean 'roc_auc'"):
        compare_to_rules(X, y, rules=rules, metric="auc")


def test_default_rules_follow_the_task():
    loans, _ = load_loans(n_rows=500)
    rules = default_rules(loans[["grade", "annual_income"]], task="regression")
    assert all(isinstance(rule, LookupRegressor) for rule in rules.values())
    assert all(isinstance(rule, LookupClassifier) for rule in default_rules(loans[["grade"]]).values())


def test_compare_to_rules_names_a_broken_model_and_refuses_bad_options():
    """Estimators: a class for an instance, NaN probabilities or a raising predict give an InputError naming the model."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = pd.Series((X["a"] > 0).astype(int))
    rules = {"a": LookupClassifier(columns=["a"])}

    class NaNProba(LogisticRegression):
        def predict_proba(self, X): return np.full((len(X), 2), np.nan)

    class Raising(LogisticRegression):
        def predict_proba(self, X): raise RuntimeError("boom")

    with pytest.raises(InputError, match="^candidate 'model'.*NaN"):
        compare_to_rules(X, y, rules=rules, model=NaNProba(), cv=3)
    with pytest.raises(InputError, match="^candidate 'model'.*RuntimeError: boom"):
        compare_to_rules(X, y, rules=rules, model=Raising(), cv=3)
    for options, named in [({"model": LogisticRegression}, "model"), ({"cv": 1}, "cv"), ({"cv": None}, "cv"),
                           ({"cv": 1.5}, "cv"), ({"random_state": -1}, "random_state"), ({"threshold": float("nan")}, "threshold"),
                           ({"threshold": True}, "threshold"), ({"n_threads": 0}, "n_threads")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            compare_to_rules(X, y, rules=rules, **options)
    for target in (None, y[:10], [1] * 200):
        with pytest.raises(InputError, match="^y: expected"):
            compare_to_rules(X, target, rules=rules)
    with pytest.raises(InputError, match="^metric: expected a metric for 4 classes"):
        compare_to_rules(X, [0, 1, 2, 3] * 50, rules=rules, metric="roc_auc")
    for options, named in [({"n_threads": 10**30}, "n_threads"), ({"n_threads": 1.5}, "n_threads")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            compare_to_rules(X, y, rules=rules, **options)
    result = compare_to_rules(X, y, rules=rules, cv=3, threshold=np.float32(0.9), n_threads=np.int64(1))
    assert result.plot() is not None
    assert type(result.threshold) is float and json.loads(json.dumps(result.to_dict()))["threshold"] == pytest.approx(0.9)


def test_rules_and_hand_set_lines_check_the_target_they_are_given():
    """A rule and a hand-set line learn nothing from y, but a y of the wrong length or with NaN is a caller's bug."""
    flights, _ = load_flights(n_rows=300)
    X, y = flights[["hour"]], flights["late"]
    for estimator in (Rule(lambda X: X["hour"] > 12), HandLinear({"hour": 0.1})):
        assert estimator.fit(X, y) is estimator and estimator.fit(X) is estimator  # y=None: scikit-learn's fit(X)
        for target in (y[:-7], pd.Series([np.nan] * len(X))):
            with pytest.raises(InputError, match="^y: expected"):
                estimator.fit(X, target)
    assert HandLinear({"hour": 0.1}).fit(X).classes_.tolist() == [0, 1]


def test_default_rules_check_their_options():
    flights, _ = load_flights(n_rows=300)
    for options, named in [({"max_columns": float("nan")}, "max_columns"), ({"max_columns": True}, "max_columns"),
                           ({"max_columns": 0}, "max_columns"), ({"max_levels": pd.NA}, "max_levels"),
                           ({"max_levels": 2.5}, "max_levels")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            default_rules(flights[["hour", "origin"]], **options)
    assert list(default_rules(flights[["hour", "origin"]], max_columns=np.int64(1))) == ["lookup: hour"]
