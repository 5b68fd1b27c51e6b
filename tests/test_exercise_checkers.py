"""The checkers of the debt and before-you-start workshop notebooks (ml_design.exercises_debt, ml_design.exercises_before),
each with the toolkit's reference (passes) and a typical wrong answer (fails with a hint at both levels).

These were the hidden self-test cells of nbs/60_workshop/63_exercises_debt.ipynb and 64_exercises_before.ipynb. The
checkers whose references retrain models or rerun simulations many times were `#| slow` cells there; here they run
when `FLAGS` holds `slow`, as the notebooks' slow cells do (`make test-slow`). tests/test_workshop.py runs every
exercise, with its solution and its typical mistake, in the participants' notebooks themselves.
"""
import os

import numpy as np
import pandas as pd
import pytest
from fastcore.test import test_eq as _eq  # renamed: pytest collects test_*

from ml_design.objectives import ProjectCanvas
from ml_design.workshop import EXERCISES, _load_exercises, check, exercise_table
from ml_design.exercises_debt import (_boundary_band_flips, _boundary_lender, _boundary_system, _glue_serving_features,
                                      _glue_skew, _glue_training_features, _income_readings, _last_gap, _linear_audit,
                                      _loans_seed_report, _seed_churns)
from ml_design.exercises_before import (_bar_rung, _inventory_of, _ladder_of, _loan_leaks, _objectives_parity,
                                        _objectives_picks, _release_slices, _right_tool_compare, _share,
                                        _smallest_frozen_tail)

slow = pytest.mark.skipif("slow" not in os.environ.get("FLAGS", "").split(),
                          reason="retrains models and reruns simulations: run with FLAGS=slow (make test-slow)")


def passes(ex_id, answer): return check(ex_id, answer).passed


def fails_with_hint(ex_id, answer):
    feedback = check(ex_id, answer)
    return not feedback.passed and bool(feedback.hint) and bool(check(ex_id, answer, hint=2).hint)


# --- debt (nbs/60_workshop/63_exercises_debt.ipynb)

def test_debt_registers_three_to_six_exercises_per_notebook():
    debt = exercise_table().loc[lambda t: t["notebook"].str.match(r"2[0-4]_")]
    _eq(sorted(debt["notebook"].unique()), ["20_boundary_erosion", "21_entanglement", "22_data_dependencies",
                                             "23_feedback_loops", "24_glue_code"])
    assert debt.groupby("notebook").size().between(3, 6).all()


def test_debt_cheaper_checkers_pass_the_reference_and_fail_a_typical_mistake():
    hour_radius = _boundary_system()[2].blast_radius("hour")
    assert passes("20_boundary_erosion.1", hour_radius.models + hour_radius.consumers)
    assert fails_with_hint("20_boundary_erosion.1", hour_radius.models)
    assert passes("20_boundary_erosion.3", ["loan size"]) and fails_with_hint("20_boundary_erosion.3", _boundary_lender().models)
    readings = _income_readings()
    first_unstable = min(f for f in readings.index if readings.loc[f, "unstable"])
    first_units = min(f for f in readings.index if readings.loc[f, "cause"].startswith("units"))
    assert passes("22_data_dependencies.2", first_unstable) and fails_with_hint("22_data_dependencies.2", first_units)
    assert passes("22_data_dependencies.3", first_units) and fails_with_hint("22_data_dependencies.3", first_unstable)
    assert passes("22_data_dependencies.4", "A feature is removable for a model, not in itself: a linear model cannot bend the "
                  "hour into a curve, trees can; check its other readers before deleting it.")
    assert fails_with_hint("22_data_dependencies.4", "It depends.")
    assert passes("23_feedback_loops.1", 0.05) and fails_with_hint("23_feedback_loops.1", 0.03)
    assert passes("23_feedback_loops.2", 0.9) and fails_with_hint("23_feedback_loops.2", 0.5)
    assert passes("24_glue_code.1", _glue_skew().skewed) and fails_with_hint("24_glue_code.1", _glue_skew().skewed[:3])
    assert passes("24_glue_code.2", _glue_training_features) and fails_with_hint("24_glue_code.2", _glue_serving_features)
    assert passes("24_glue_code.4", "All 50 single requests get a missing value, since one row has no standard deviation; "
                  "a StandardScaler fitted on the training rows fixes it.")
    assert fails_with_hint("24_glue_code.4", "Single requests get other values than the batch does; fit a scaler on training.")
    assert not check("24_glue_code.2", pd.DataFrame({"a": [1]})).passed and not check("20_boundary_erosion.2", 4.4).passed


@slow
def test_debt_costly_checkers_pass_the_reference_and_fail_a_typical_mistake():
    stale, retrained = _boundary_band_flips()
    assert passes("20_boundary_erosion.2", stale) and fails_with_hint("20_boundary_erosion.2", retrained)
    assert passes("20_boundary_erosion.4", f"Served stale {stale:.1%} of delay decisions flip, after a retrain {retrained:.1%}; "
                  "the graph predicted the same radius (delay and gate alerts) both times: which outputs can move, not by how much.")
    single, averaged = _seed_churns()
    assert passes("21_entanglement.1", single) and fails_with_hint("21_entanglement.1", 100 * single)
    assert passes("21_entanglement.2", float(_loans_seed_report().table["mean_abs_change"].iloc[0]))
    assert fails_with_hint("21_entanglement.2", 0.0)
    assert passes("21_entanglement.3", f"One model against another flips {single:.1%}, averages of three flip {averaged:.1%}, "
                  "so averaging cuts the churn without removing it, at three times the cost of training and prediction.")
    assert passes("22_data_dependencies.1", _linear_audit().removed) and fails_with_hint("22_data_dependencies.1", ["year"])
    spreads = [np.std([_last_gap(holdout=h, seed=s) for s in range(3)], ddof=1) for h in (0.02, 0.2)]
    assert passes("23_feedback_loops.3", f"The last gap spreads by {spreads[0]:.4f} at a 2% holdout and by {spreads[1]:.4f} "
                  "at 20%; the mean is near zero for both, so a small holdout costs variance.")


# --- before you start (nbs/60_workshop/64_exercises_before.ipynb)

def test_before_checkers_refuse_wrong_types_before_computing_and_check_the_canvas():
    _load_exercises()
    ours = sorted(i for i in EXERCISES if i.split("_", 1)[0] in {"30", "31", "32", "33", "34"})
    _eq(len(ours), 20)
    for exercise_id in ours:
        for hostile in (None, {"a": 1}, pd.DataFrame({"a": [1]})):
            feedback = check(exercise_id, hostile)
            assert not feedback.passed and feedback.message and "could not be compared" not in feedback.message, (exercise_id, feedback)
    answers = dict(proxy_metric="Log loss of released on folds ordered by year",
                   business_metric="Share of released people who appear in court",
                   ethical_constraints="Release rate gap by colour at most 0.05 per year",
                   data_sources="Toronto police arrest records from 1997 to 2002",
                   baseline="The officer decides alone, as today", failure_modes="Silent: the model copies past disparities")
    _eq(check("31_objectives.1", ProjectCanvas("Release recommendations", **answers)).passed, True)
    _eq(check("31_objectives.1", ProjectCanvas("Release recommendations", **{**answers, "baseline": "TBD"})).passed, False)
    _eq(check("31_objectives.1", ProjectCanvas("Release recommendations",
                                               **{**answers, "ethical_constraints": "Be fair to every person arrested"})).passed, False)


@slow
def test_before_every_checker_passes_the_reference_and_fails_a_typical_mistake():
    def words(*figures):
        return ("In short, the figures that matter here are " + " and ".join(f"{f:.4f}" for f in figures) +
                ", as the toolkit computes them on the very same data for this task.")
    right_tool = _right_tool_compare("default").table.set_index("candidate")["share_of_model_lift"].drop(["trivial baseline", "model"])
    picks, parity = _objectives_picks(), _objectives_parity()
    arrests_overview, ladder = _inventory_of("arrests").overview, _ladder_of("roc_auc")
    release = _release_slices().table.set_index("slice")["metric"]
    leaks = _loan_leaks().table
    references = {
        "30_right_tool.1": (right_tool.idxmax().removeprefix("lookup: "), "trivial baseline"),
        "30_right_tool.2": (_share(_right_tool_compare("evening"), "evening"), 0.5),
        "30_right_tool.3": (_share(_right_tool_compare("time order"), "lookup: hour x month"), 0.9),
        "30_right_tool.4": (words(_share(_right_tool_compare("evening"), "evening"), _share(_right_tool_compare("evening value"), "evening")),
                            words(_share(_right_tool_compare("evening"), "evening"))),
        "31_objectives.2": (picks.loc["business value", "threshold"], picks.loc["accuracy", "threshold"]),
        "31_objectives.3": (parity.loc["parity, threshold per group", "cost_per_row"], parity.loc["parity, one threshold", "cost_per_row"]),
        "31_objectives.4": (words(0.25, picks.loc["business value", "value_per_row"] - picks.loc["accuracy", "value_per_row"]), words(0.25)),
        "32_data_inventory.1": (int(_inventory_of("hmda").overview["duplicated_rows"]), 2 * int(_inventory_of("hmda").overview["duplicated_rows"])),
        "32_data_inventory.2": (arrests_overview["minority_share"], 1 - arrests_overview["minority_share"]),
        "32_data_inventory.3": (_inventory_of("december").overview["label_available_share"], 1 - _inventory_of("december").overview["label_available_share"]),
        "32_data_inventory.4": (words(arrests_overview["duplicated_rows"], arrests_overview["columns"]), words(arrests_overview["duplicated_rows"])),
        "33_baselines.1": (_ladder_of("accuracy").table.set_index("name").loc["majority", "mean"], 0.12),
        "33_baselines.2": (_bar_rung(ladder), "stronger model"),
        "33_baselines.3": (_ladder_of("time order").table.set_index("name").loc["stronger model", "mean"], 0.99),
        "33_baselines.4": (words(ladder.bar, ladder.table["mean"].iloc[-1]), words(ladder.table["mean"].iloc[-1])),
        "34_failure_modes.1": (_release_slices().table.query("flagged")["slice"].tolist(), ["sex=Male"]),
        "34_failure_modes.2": (words(release["colour=Black"], release["colour=White"]), words(release["colour=White"])),
        "34_failure_modes.3": (leaks.loc[leaks["verdict"] != "ok", "feature"].tolist(), leaks["feature"].head(3).tolist()),
        "34_failure_modes.4": (_smallest_frozen_tail()[0], _smallest_frozen_tail()[0] + 1),
    }
    for exercise_id, (right, wrong) in references.items():
        assert check(exercise_id, right).passed, (exercise_id, check(exercise_id, right))
        assert not check(exercise_id, wrong).passed, exercise_id
