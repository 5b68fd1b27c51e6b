"""ML Test Score: the rubric's shape, the scoring arithmetic against a plain reference (hypothesis), each automated
check passing on good and failing on bad evidence built from real flights, and the answer file's errors."""
import json
import re
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from ml_design.baselines import baseline_ladder, feature_frame, ladder_models
from ml_design.contracts import ColumnSpec, Schema
from ml_design.core import InputError, is_result
from ml_design.datasets import load_flights
from ml_design.drift import drift_report
from ml_design.failure_modes import leakage_check, slice_report, stale_features
from ml_design.maintainability import ModelRegistry, check_reproducible
from ml_design.reliability import inject, stress_test
from ml_design.scalability import latency_profile
from ml_design.test_score import (RUBRIC, RUBRIC_IDS, RUBRIC_SECTIONS, SCORE_BANDS, TEST_POINTS, TestScoreResult, _CHECKS,
                                  answers_template, load_answers, score_band, score_tests)

ROOT = Path(__file__).resolve().parents[1]
INTERFACE_KEYS = {"schema", "validation", "inventory", "baselines", "right_tool", "drift", "slices", "fairness", "leakage",
                  "stale", "stress", "latency", "reproducibility", "registry", "entanglement", "data_dependencies",
                  "glue_code", "boundary_erosion", "feedback_loops", "adaptability"}  # the review also passes its replay


# ---------------------------------------------------------------- the rubric

def test_rubric_has_28_unique_ids_seven_per_section_in_the_papers_order():
    assert len(RUBRIC) == 28 and len(set(RUBRIC_IDS)) == 28
    expected = [f"{section}-{n}" for section in RUBRIC_SECTIONS for n in range(1, 8)]
    assert list(RUBRIC_IDS) == expected
    assert [item.section for item in RUBRIC] == [i.split("-")[0] for i in expected]
    assert len({item.title for item in RUBRIC}) == 28 and len({item.question for item in RUBRIC}) == 28
    assert all(item.question.endswith("?") for item in RUBRIC)


def test_every_item_names_a_notebook_that_exists():
    missing = [(item.id, item.notebook) for item in RUBRIC if not (ROOT / "nbs" / item.notebook).is_file()]
    assert not missing, missing


def test_automated_items_are_exactly_those_with_a_check_on_interface_keys():
    automated = {item.id for item in RUBRIC if item.automated}
    assert automated == set(_CHECKS)
    for item in RUBRIC:
        assert item.automated == bool(item.evidence)
        assert set(item.evidence) <= INTERFACE_KEYS, item
    keys = [key for item in RUBRIC for key in item.evidence]
    assert len(keys) == len(set(keys))  # each step's evidence decides one item


def test_score_band_follows_the_papers_table():
    assert score_band(0) == SCORE_BANDS[0][1]
    for score, band in [(0.5, 1), (1.0, 1), (1.5, 2), (2.0, 2), (2.5, 3), (3.0, 3), (3.5, 4), (5.0, 4), (5.5, 5), (7.0, 5)]:
        assert score_band(score) == SCORE_BANDS[band][1], score
    for bad in (-0.5, float("nan"), "2", None, True):
        with pytest.raises(InputError, match="score: expected a non-negative number"):
            score_band(bad)


# ---------------------------------------------------------------- scoring against a plain reference

def reference_band(score):
    if score == 0: return 0
    for index, upper in enumerate([1, 2, 3, 5], start=1):
        if score <= upper: return index
    return 5


answer_values = st.sampled_from([{"done": False}, {"done": True}, {"done": True, "automated": False},
                                 {"done": True, "automated": True}, {"done": False, "automated": False, "note": "later"}])
answer_sets = st.dictionaries(st.sampled_from(RUBRIC_IDS), answer_values, max_size=28)


@given(answer_sets)
@settings(max_examples=300, deadline=None)
def test_scoring_from_answers_matches_a_plain_reference(answers):
    result = score_tests(answers=answers)
    points = {i: (1.0 if a["done"] and a.get("automated") else 0.5 if a["done"] else 0.0) for i, a in answers.items()}
    sections = {s: sum(points.get(f"{s}-{n}", 0.0) for n in range(1, 8)) for s in RUBRIC_SECTIONS}
    assert result.section_scores == sections
    assert result.score == min(sections.values())
    assert result.band == SCORE_BANDS[reference_band(min(sections.values()))][1]
    assert result.table["points"].tolist() == [points.get(i, 0.0) for i in RUBRIC_IDS]
    assert set(result.table["status"]) <= set(TEST_POINTS)


# ---------------------------------------------------------------- evidence from real flights

@pytest.fixture(scope="module")
def flights_evidence():
    "Good and bad evidence for every automated item, from 6,000 real flights (the first 70% in time train)."
    flights, card = load_flights(n_rows=6_000, random_state=0)
    features = flights.drop(columns=[card.target, card.time_column, "year", "tailnum", *card.known_after])
    cut = int(len(flights) * 0.7)
    early, late = feature_frame(features.iloc[:cut]), feature_frame(features.iloc[cut:].reset_index(drop=True))
    y_early, y_late = flights[card.target].iloc[:cut], flights[card.target].iloc[cut:].reset_index(drop=True)
    good, bad = {}, {}
    with threadpool_limits(limits=1):
        schema = Schema.infer(early, tolerance=0.1)
        good["schema"], bad["schema"] = schema, Schema({**schema.columns, "distance": ColumnSpec("float")})
        good["validation"], bad["validation"] = schema.validate(early), schema.validate(late)
        late_columns = ["dep_delay", "air_time"]
        good["leakage"] = leakage_check(early, y_early, cv=3, random_state=0)
        bad["leakage"] = leakage_check(feature_frame(flights.iloc[:cut][late_columns + ["distance"]]), y_early,
                                       known_after=late_columns, cv=3, random_state=0)
        halves = np.random.default_rng(0).permutation(cut)
        good["drift"] = drift_report(early.iloc[halves[: cut // 2]], early.iloc[halves[cut // 2:]])
        bad["drift"] = drift_report(early, inject(late, "unit_error", rate=1.0, random_state=0))
        window = flights.iloc[cut:].copy()
        good["stale"] = stale_features(window, time_column=card.time_column, columns=["distance", "sched_dep_time"])
        window.loc[window.index[-200:], "distance"] = window["distance"].iloc[-201]
        bad["stale"] = stale_features(window, time_column=card.time_column, columns=["distance", "sched_dep_time"])
        good["baselines"] = baseline_ladder(early[["month", "day", "hour"]], y_early, cv=3, random_state=0)
        bad["baselines"] = baseline_ladder(early, y_early, cv=3, random_state=0)
        model = ladder_models(early, "classification", random_state=0)["stronger model"].fit(early, y_early)
        predicted = model.predict(late)
        good["slices"] = slice_report(y_late, predicted, late[["dest"]], n_resamples=300, random_state=0)
        bad["slices"] = slice_report(y_late, predicted, late[["origin", "carrier"]], max_order=1, n_resamples=300, random_state=0)
        good["fairness"] = slice_report(y_late, predicted, late[["origin"]], metric="selection_rate", n_resamples=300, random_state=0)
        bad["fairness"] = slice_report(y_late, predicted, late[["origin", "carrier"]], metric="selection_rate", max_order=1,
                                       n_resamples=300, random_state=0)
        good["stress"] = stress_test(model, late, y_late, faults=("missing", "outlier"), rates=(0.0, 0.4), random_state=0)
        bad["stress"] = stress_test(model, late, y_late, faults=("wrong_type",), rates=(0.0, 0.1), random_state=0)
        good["latency"] = latency_profile(model, late, batch_sizes=(1, 10), repeats=10, random_state=0)
        bad["latency"] = latency_profile(model, late, batch_sizes=(1,), repeats=10, budget_ms=1e-6, random_state=0)
        good["reproducibility"] = check_reproducible(lambda: clone(model).fit(early, y_early), late.head(200))
        bad["reproducibility"] = check_reproducible(
            lambda: ladder_models(early, "classification", random_state=None)["random"].fit(early, y_early), late.head(200))
        with tempfile.TemporaryDirectory() as folder:
            registry = ModelRegistry(folder)
            manifest = registry.register(model, "late-arrivals", data=early, schema=schema)
            registry.load("late-arrivals", trusted=manifest["untrusted_types"])
            good["registry"] = registry.compatible("late-arrivals", None, schema)
            bad["registry"] = registry.compatible("late-arrivals", None, Schema({k: v for k, v in schema.columns.items()
                                                                                  if k != "distance"}))
        try:
            from ml_design.data_dependencies import feature_audit
            good["data_dependencies"] = feature_audit(None, early[["month", "day", "hour", "carrier", "origin"]], y_early, random_state=0)
            bad["data_dependencies"] = feature_audit(None, early[["month", "day", "hour", "carrier", "origin", "minute"]], y_early,
                                                     random_state=0)  # the minute is proven removable
        except ImportError:
            pass
        try:
            from ml_design.glue_code import training_serving_skew
            raw = flights.iloc[:500][["distance", "air_time", "sched_dep_time"]]
            def training(rows): return rows.assign(hours=rows["air_time"] / 60, miles=rows["distance"])[["hours", "miles"]]
            def serving(rows): return rows.assign(hours=rows["air_time"] / 60, miles=rows["distance"] * 1.609)[["hours", "miles"]]
            good["glue_code"] = training_serving_skew(training, training, raw)
            bad["glue_code"] = training_serving_skew(training, serving, raw)
        except ImportError:
            pass
        from ml_design.adaptability import NeverRetrain, ScheduledRetrain, compare_policies
        history = feature_frame(flights[[card.time_column, card.target, "month", "hour", "origin", "carrier"]])
        history[card.time_column] = flights[card.time_column]
        good["adaptability"] = compare_policies(
            [NeverRetrain(), ScheduledRetrain(every=2)], data=history, time_column=card.time_column, target=card.target,
            model_factory=lambda: ladder_models(history[["hour", "origin", "carrier"]], "classification", random_state=0)["linear model"], period="M",
            features=["hour", "origin", "carrier"], warmup=3, label_lag=1, random_state=0)
    return good, bad


def test_a_retraining_replay_makes_the_cost_of_staleness_known(flights_evidence):
    good, bad = flights_evidence
    row = lambda evidence: score_tests(evidence).table.set_index("id").loc["model-4"]
    assert row({"drift": bad["drift"]})["status"] == "failed"
    replayed = row({"drift": bad["drift"], "adaptability": good["adaptability"]})
    assert replayed["status"] == "passed" and "never" in replayed["detail"].lower()
    assert row({"adaptability": good["adaptability"], "stale": bad["stale"]})["status"] == "failed"


@pytest.mark.parametrize("item_id", sorted(_CHECKS))
def test_each_automated_check_passes_on_good_and_fails_on_bad_evidence(flights_evidence, item_id):
    good, bad = flights_evidence
    keys = next(item.evidence for item in RUBRIC if item.id == item_id)
    keys = [k for k in keys if k != "adaptability"]  # the replay is tested on its own below
    if not any(k in good for k in keys): pytest.skip(f"the module behind {keys} is not installed")
    row = lambda evidence: score_tests(evidence).table.set_index("id").loc[item_id]
    passed, failed = row({k: good[k] for k in keys if k in good}), row({k: bad[k] for k in keys if k in bad})
    assert (passed["status"], passed["points"]) == ("passed", 1.0), passed["detail"]
    assert (failed["status"], failed["points"]) == ("failed", 0.0), failed["detail"]
    assert passed["detail"] != failed["detail"]


def test_failed_checks_name_what_failed(flights_evidence):
    _, bad = flights_evidence
    table = score_tests(bad).table.set_index("id")["detail"]
    assert "distance" in table["data-1"]
    assert "dep_delay" in table["data-4"] and "air_time" in table["data-4"]
    assert "month" in table["monitor-2"]
    assert "wrong_type" in table["monitor-5"]
    assert "carrier=" in table["model-6"]


def test_failed_checks_become_findings_and_answers_cannot_override_them(flights_evidence):
    _, bad = flights_evidence
    answers = {"model-5": {"done": True, "automated": True}}
    result = score_tests({"baselines": bad["baselines"]}, answers=answers)
    row = result.table.set_index("id").loc["model-5"]
    assert row["status"] == "failed" and row["points"] == 0.0 and "does not override" in row["detail"]
    assert [f.evidence["item"] for f in result.findings[1:]] == ["model-5"]
    assert result.findings[0].severity == "warn" and result.findings[0].evidence["score"] == 0.0


@given(st.dictionaries(st.sampled_from(sorted(_CHECKS)), st.sampled_from(["good", "bad"])), answer_sets)
@settings(max_examples=60, deadline=None)
def test_scoring_with_evidence_matches_a_plain_reference(flights_evidence, choice, answers):
    good, bad = flights_evidence
    evidence, decided = {}, {}
    for item_id, quality in choice.items():
        keys = next(item.evidence for item in RUBRIC if item.id == item_id)
        source = good if quality == "good" else bad
        present = {k: source[k] for k in keys if k in source}
        if present:
            evidence.update(present)
            decided[item_id] = 1.0 if quality == "good" else 0.0
    result = score_tests(evidence, answers=answers)
    expected = []  # each evidence key belongs to one item: evidence decides it, else the answer does
    for item in RUBRIC:
        if item.id in decided: expected.append(decided[item.id])
        elif item.id in answers:
            a = answers[item.id]
            expected.append(1.0 if a["done"] and a.get("automated") else 0.5 if a["done"] else 0.0)
        else: expected.append(0.0)
    assert result.table["points"].tolist() == expected
    sections = {s: sum(p for p, item in zip(expected, RUBRIC) if item.section == s) for s in RUBRIC_SECTIONS}
    assert result.section_scores == sections and result.score == min(sections.values())


def test_result_follows_the_protocol(flights_evidence):
    good, _ = flights_evidence
    result = score_tests(good)
    assert isinstance(result, TestScoreResult) and is_result(result)
    assert list(result.table.columns) == ["id", "section", "title", "status", "points", "detail", "notebook"]
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["score"] == result.score and data["section_scores"] == result.section_scores
    ax = result.plot()
    assert ax.get_xlim()[1] > 7 and len(ax.get_yticklabels()) == 4
    plt.close("all")


def test_wrong_evidence_types_are_refused_naming_the_key(flights_evidence):
    good, _ = flights_evidence
    with pytest.raises(InputError, match=r"evidence\['baselines'\]: expected a baseline ladder"):
        score_tests({"baselines": good["slices"]})
    with pytest.raises(InputError, match="metric='selection_rate'"):
        score_tests({"fairness": good["slices"]})
    with pytest.raises(InputError, match="evidence: expected a dict"):
        score_tests(evidence=[good["schema"]])
    assert score_tests({"schema": None, "not_a_step": 1}).table["status"].eq("unanswered").all()  # None and unread keys: no evidence


# ---------------------------------------------------------------- the answers file

@pytest.mark.parametrize("include_automated", [False, True])
def test_template_round_trips_through_load_answers(tmp_path, include_automated):
    path = tmp_path / "answers.toml"
    path.write_text(answers_template(include_automated=include_automated))
    answers = load_answers(path)
    expected = [item.id for item in RUBRIC if include_automated or not item.automated]
    assert list(answers) == expected
    assert all(a == {"done": False, "automated": False, "note": ""} for a in answers.values())
    assert score_tests(answers=path).score == 0.0


def test_a_json_file_and_a_filled_template_raise_the_score(tmp_path):
    text = answers_template()
    filled = re.sub(r"done = false\nautomated = false", "done = true\nautomated = true", text)
    (tmp_path / "filled.toml").write_text(filled)
    manual = [item for item in RUBRIC if not item.automated]
    result = score_tests(answers=tmp_path / "filled.toml")
    assert result.section_scores == {s: float(sum(i.section == s for i in manual)) for s in RUBRIC_SECTIONS}
    (tmp_path / "answers.json").write_text(json.dumps({"infra-2": {"done": True, "note": "tests/test_model.py"}}))
    row = score_tests(answers=str(tmp_path / "answers.json")).table.set_index("id").loc["infra-2"]
    assert (row["status"], row["points"]) == ("manual", 0.5) and "tests/test_model.py" in row["detail"]


@pytest.mark.parametrize("name, text, message", [
    ("typo.toml", "[data-8]\ndone = true\n", "item 'data-8': expected an item id of the rubric, data-1 ... monitor-7, received an unknown id. Did you mean 'data-7'?"),
    ("typo2.toml", "[monitr-4]\ndone = true\n", "Did you mean 'monitor-4'?"),
    ("field.toml", "[data-3]\ndone = true\nautomatic = true\n", "field 'automatic': expected one of the fields ['done', 'automated', 'note']"),
    ("nodone.toml", "[data-3]\nnote = \"x\"\n", "item 'data-3': expected a field done = true or done = false"),
    ("type.toml", "[data-3]\ndone = \"yes\"\n", "field 'done': expected true or false"),
    ("number.json", json.dumps({"data-3": {"done": 1}}), "field 'done': expected true or false"),
    ("note.json", json.dumps({"data-3": {"done": True, "note": 3}}), "field 'note': expected text in quotes"),
    ("auto.toml", "[data-3]\ndone = false\nautomated = true\n", "expected done = true when automated = true"),
    ("flat.toml", "data-3 = true\n", "item 'data-3': expected a table"),
    ("list.json", "[1, 2]", "answers file list.json: expected a mapping of item id"),
    ("syntax.toml", "[data-3]\ndone = yes\n", "answers file syntax.toml: expected valid TOML, received text that does not parse"),
    ("syntax.json", "{\"data-3\": ", "expected valid JSON"),
    ("answers.yaml", "data-3: {done: true}\n", "expected a name ending in .toml or .json"),
])
def test_bad_answer_files_are_refused_with_the_item_field_and_fix(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError) as error:
        load_answers(tmp_path / name)
    assert message in str(error.value)
    with pytest.raises(InputError):
        score_tests(answers=tmp_path / name)


def test_missing_binary_and_directory_answer_files(tmp_path):
    with pytest.raises(InputError, match="expected an existing .toml or .json file"):
        load_answers(tmp_path / "absent.toml")
    with pytest.raises(InputError, match="expected an existing .toml or .json file"):
        load_answers(tmp_path)
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="expected valid TOML"):
        load_answers(tmp_path / "binary.toml")


def test_answers_as_a_dict_are_checked_too():
    with pytest.raises(InputError, match="answers: item 'model-9'"):
        score_tests(answers={"model-9": {"done": True}})
    with pytest.raises(InputError, match="answers: expected a mapping"):
        score_tests(answers=[("model-1", True)])


def test_slices_of_an_error_metric_read_in_its_direction():
    flights, _ = load_flights(n_rows=3_000, random_state=0)
    # the departure delay as a prediction of the arrival delay: worse (larger errors) at some airports and carriers
    report = slice_report(flights["arr_delay"].to_numpy(float), flights["dep_delay"].to_numpy(float),
                          flights[["origin", "carrier"]], metric="mean_absolute_error", max_order=1, n_resamples=200)
    row = score_tests({"slices": report}).table.set_index("id").loc["model-6"]
    flagged = report.table.loc[report.table["flagged"]]
    assert bool((flagged["metric"] > report.overall).all())  # flagged slices have larger errors
    assert row["status"] == ("failed" if len(flagged) else "passed") and "worse than overall" in row["detail"]


@pytest.mark.parametrize("name, content, message", [
    ("deep.json", "[" * 5_000 + "]" * 5_000, "nested"),  # past Python's recursion limit: never a RecursionError
    ("empty.json", "", "the empty file"),
    ("junk.json", b"\xff\xfe\x00\x81garbage", "binary content"),
    ("deep.toml", "a = " + "[" * 5_000 + "]" * 5_000, "expected valid TOML"),
])
def test_hostile_answer_files_are_input_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError, match=message):
        load_answers(path)
    with pytest.raises(InputError, match="answers file"):
        load_answers(str(path) + "\0")
