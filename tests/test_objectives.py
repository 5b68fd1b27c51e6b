"""objectives: fairness metrics equal fairlearn's, decision counts equal scikit-learn's, parity thresholds meet their limit."""
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference as fl_dp_difference
from fairlearn.metrics import demographic_parity_ratio as fl_dp_ratio
from fairlearn.metrics import equalized_odds_difference as fl_eo_difference
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score, precision_score, recall_score

from ml_design.core import InputError, is_result
from ml_design.datasets import load_arrests, load_hmda
from ml_design.objectives import (ProjectCanvas, decision_counts, demographic_parity_difference, demographic_parity_ratio,
                                  equalized_odds_difference, group_rates, metric_alignment, proxy_from_counts,
                                  threshold_under_parity)

rows = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.sampled_from(["a", "b", "c"])), min_size=2, max_size=80)


@given(rows)
@settings(max_examples=60, deadline=None)  # the edge cases the random search is for are pinned below
@example([(0, 1, "a"), (1, 0, "a"), (1, 1, "a")])  # one group only: every difference 0, the ratio 1
@example([(1, 1, "a"), (0, 1, "a"), (0, 0, "b"), (0, 1, "b")])  # b has no positives: its true positive rate is empty
@example([(1, 0, "a"), (0, 0, "b"), (1, 0, "c")])  # all predictions 0: the ratio is 0 / 0, NaN
@example([(1, 1, "a"), (0, 0, "b"), (1, 0, "c")])  # three groups of one row each
@example([(0, 1, "a"), (0, 1, "b"), (0, 0, "b")])  # no positives at all: equalized odds from the false positive rates
def test_fairness_metrics_equal_fairlearn(data):
    y_true, y_pred, groups = (np.array(column) for column in zip(*data))
    assert demographic_parity_difference(y_true, y_pred, groups) == pytest.approx(
        fl_dp_difference(y_true, y_pred, sensitive_features=groups))
    assert equalized_odds_difference(y_true, y_pred, groups) == pytest.approx(
        fl_eo_difference(y_true, y_pred, sensitive_features=groups))
    ours, theirs = demographic_parity_ratio(y_true, y_pred, groups), fl_dp_ratio(y_true, y_pred, sensitive_features=groups)
    assert ours == pytest.approx(theirs, nan_ok=True)


@pytest.mark.parametrize("loader, sensitive", [(load_hmda, ["afam"]), (load_arrests, ["colour", "sex"])])
def test_fairness_metrics_equal_fairlearn_on_real_data(loader, sensitive):
    frame, card = loader()
    y_true = frame[card.target].to_numpy()
    rng = np.random.default_rng(0)
    y_pred = (rng.uniform(size=len(frame)) < 0.3 + 0.2 * y_true).astype(int)
    groups = frame[sensitive] if len(sensitive) > 1 else frame[sensitive[0]]
    assert demographic_parity_difference(y_true, y_pred, groups) == pytest.approx(
        fl_dp_difference(y_true, y_pred, sensitive_features=groups))
    assert demographic_parity_ratio(y_true, y_pred, groups) == pytest.approx(
        fl_dp_ratio(y_true, y_pred, sensitive_features=groups))
    assert equalized_odds_difference(y_true, y_pred, groups) == pytest.approx(
        fl_eo_difference(y_true, y_pred, sensitive_features=groups))


@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1)), min_size=1, max_size=60), st.floats(0, 1))
@settings(max_examples=80, deadline=None)  # the edge cases are pinned below
@example([(1, 0.5)], 0.5)  # one row, its score on the threshold (flagged: score >= threshold)
@example([(0, 0.2), (0, 0.9)], 0.0)  # everything flagged, no positives: precision 0, recall undefined (0)
@example([(1, 0.2), (1, 0.3)], 1.0)  # nothing flagged, all positives: precision undefined (0)
@example([(0, 0.1), (1, 0.9), (1, 0.4), (0, 0.6), (1, 0.6)], 0.6)  # both classes, ties on the threshold
def test_decision_counts_and_proxies_equal_scikit_learn(data, threshold):
    y_true, scores = (np.array(column) for column in zip(*data))
    decisions = (scores >= threshold).astype(int)
    counts = decision_counts(y_true, scores, [threshold])
    expected = confusion_matrix(y_true, decisions, labels=[0, 1]).ravel()
    assert counts[["tn", "fp", "fn", "tp"]].iloc[0].tolist() == expected.tolist()
    assert proxy_from_counts(counts, "accuracy")[0] == pytest.approx(accuracy_score(y_true, decisions))
    assert proxy_from_counts(counts, "f1")[0] == pytest.approx(f1_score(y_true, decisions, zero_division=0))
    assert proxy_from_counts(counts, "precision")[0] == pytest.approx(precision_score(y_true, decisions, zero_division=0))
    assert proxy_from_counts(counts, "recall")[0] == pytest.approx(recall_score(y_true, decisions, zero_division=0))
    if len(np.unique(y_true)) == 2:
        assert proxy_from_counts(counts, "balanced_accuracy")[0] == pytest.approx(balanced_accuracy_score(y_true, decisions))


def test_alignment_value_matches_a_direct_sum():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 500)
    scores = np.clip(0.3 * y + rng.uniform(size=500) * 0.7, 0, 1)
    value = [[1.0, -2.0], [-5.0, 3.0]]
    result = metric_alignment(y, scores, value)
    pick = result.picks.iloc[1]
    decisions = (scores >= pick["threshold"]).astype(int)
    direct = np.mean(np.array(value)[y, decisions])
    assert pick["value_per_row"] == pytest.approx(direct)
    assert result.table["value_per_row"].max() == pytest.approx(pick["value_per_row"])
    assert is_result(result)


@given(st.lists(st.tuples(st.integers(0, 1), st.floats(0, 1), st.sampled_from(["a", "b", "c"])), min_size=6, max_size=60),
       st.sampled_from([0.0, 0.1, 0.3]))
@settings(max_examples=100, deadline=None)
def test_parity_thresholds_meet_the_limit_and_never_add_value(data, limit):
    y_true, scores, groups = (np.array(column) for column in zip(*data))
    if len(np.unique(groups)) < 2:
        return
    result = threshold_under_parity(y_true, scores, groups, {"tn": 0, "fp": -1, "fn": 0, "tp": 2}, max_difference=limit)
    table = result.table.set_index("option")
    assert (table.loc[["parity, one threshold", "parity, threshold per group"], "dp_difference"] <= limit + 1e-9).all()
    assert (table["cost_per_row"] >= -1e-9).all()
    assert table.loc["parity, threshold per group", "value_per_row"] >= table.loc["parity, one threshold", "value_per_row"] - 1e-9


def test_parity_per_group_is_optimal_on_a_small_brute_force():
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 24)
    scores = rng.uniform(size=24).round(2)
    groups = np.array(["a"] * 12 + ["b"] * 12)
    value = np.array([[0.0, -1.0], [0.0, 2.0]])
    result = threshold_under_parity(y, scores, groups, value, max_difference=0.1)
    best = -np.inf
    for ta in np.append(np.unique(scores[:12]), np.inf):
        for tb in np.append(np.unique(scores[12:]), np.inf):
            decisions = np.where(groups == "a", scores >= ta, scores >= tb).astype(int)
            if demographic_parity_difference(y, decisions, groups) <= 0.1 + 1e-12:
                best = max(best, value[y, decisions].sum())
    assert result.table.set_index("option").loc["parity, threshold per group", "value_total"] == pytest.approx(best)


def test_canvas_round_trip_and_escaping(tmp_path):
    canvas = ProjectCanvas("A <b>bold</b> plan", proxy_metric="AUC", business_metric="TBD")
    check = canvas.validate()
    assert check.table.set_index("question").loc["business_metric", "status"] == "missing"
    assert check.table.set_index("question").loc["proxy_metric", "status"] == "thin"
    page = canvas.save(tmp_path / "brief.html").read_text()
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert canvas.save(tmp_path / "brief.md").read_text().startswith("# A <b>bold</b> plan")


def test_bad_inputs_are_named():
    with pytest.raises(InputError, match="binary labels"):
        group_rates([0, 2], [0, 1], ["a", "b"])
    with pytest.raises(InputError, match="2x2"):
        metric_alignment([0, 1], [0.1, 0.9], [1, 2, 3, 4])


def test_results_are_strict_json():
    import json
    hmda, _ = load_hmda()
    scores = hmda["pirat"].clip(0, 1).to_numpy()
    parity = threshold_under_parity(hmda["deny"], scores, hmda["afam"], [[1, 0], [-4, 0]])
    alignment = metric_alignment(hmda["deny"], {"ratio": scores}, [[1, 0], [-4, 0]])
    for result in (parity, alignment):
        payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
        assert payload["principle"] == "objectives"
    assert len(payload["picks"]) == 2


def test_moved_from_the_notebook_toy_checks():
    """Small hand-checkable cases, moved from the notebook."""
    assert equalized_odds_difference([1, 0, 1, 0, 1, 0], [1, 1, 1, 0, 0, 0], list("aaabbb")) == 1.0
    toy = threshold_under_parity([1, 1, 0, 0, 1, 0, 0, 0], [0.9, 0.8, 0.7, 0.1, 0.6, 0.5, 0.2, 0.1], list("aaaabbbb"),
                                 {"tn": 0, "fp": -1, "fn": 0, "tp": 2}, max_difference=0.0)
    assert toy.table["dp_difference"].max() <= 1.0
    assert toy.table.set_index("option").loc["parity, threshold per group", "dp_difference"] == 0.0
    hostile = ProjectCanvas("<script>alert(1)</script>", proxy_metric="AUC > 0.7 & log loss < 0.5")
    page = hostile.to_html()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page and "AUC &gt; 0.7 &amp; log loss" in page
    with pytest.raises(InputError, match=r"expected one of \['.md', '.html'\]"):
        hostile.save("/tmp/brief.pdf")


def test_threshold_under_parity_refuses_too_many_groups_up_front():
    """Issue 15 item 8: 20,000 distinct groups ran past 30 s; now refused before any search, saying what to do."""
    rng = np.random.default_rng(0)
    n = 20_000
    labels, scores = rng.integers(0, 2, n), rng.random(n)
    with pytest.raises(InputError, match="^sensitive: expected at most 50 groups.*pool the rest"):
        threshold_under_parity(labels, scores, [f"g{i}" for i in range(n)], [[0, -1], [0, 1]])
    groups = np.where(np.arange(n) % 2, "a", "b")
    for options, named in [({"max_difference": float("nan")}, "max_difference"), ({"max_difference": pd.NA}, "max_difference"),
                           ({"max_difference": True}, "max_difference"), ({"grid": 0}, "grid"), ({"max_groups": 1}, "max_groups")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            threshold_under_parity(labels, scores, groups, [[0, -1], [0, 1]], **options)
    with pytest.raises(InputError, match="^sensitive: expected"):
        threshold_under_parity(labels, scores, None, [[0, -1], [0, 1]])
    result = threshold_under_parity(labels[:2000], scores[:2000], groups[:2000], [[0, -1], [0, 1]],
                                    max_difference=np.float32(0.05))
    assert result.plot() is not None and len(result.table) == 4


def test_metric_alignment_refuses_bad_options():
    labels, scores = np.array([0, 1] * 50), np.linspace(0, 1, 100)
    for options, named in [({"tolerance": float("nan")}, "tolerance"), ({"thresholds": []}, "thresholds"),
                           ({"thresholds": ["a"]}, "thresholds"), ({"proxy": "auc"}, "proxy")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            metric_alignment(labels, scores, [[0, -1], [0, 1]], **options)
    assert metric_alignment(labels, scores, [[0, -1], [0, 1]], tolerance=np.float32(0.01)).plot() is not None
