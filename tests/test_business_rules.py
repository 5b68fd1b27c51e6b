"""Business rules: the layer against numpy's clip (hypothesis), the audit against the layer, the log against the
decisions, JSON round trips, every documented InputError, the scikit-learn estimator checks on RuledModel, and a
classifier's probabilities after an override."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from ml_design.business_rules import RULE_KINDS, BusinessRule, RuleDecisions, RuledModel, RuleLayer, apply_rule, rule_violations
from ml_design.core import InputError, is_result
from ml_design.datasets import load_hmda, load_loans


def frame_of(groups):
    return pd.DataFrame({"grade": groups, "state": ["NY" if i % 3 == 0 else "CA" for i in range(len(groups))]})


bounds = st.dictionaries(st.sampled_from("ABC"), st.floats(-50, 50), min_size=1)


@given(raw=st.lists(st.floats(-100, 100), min_size=1, max_size=60), floors=bounds, cap=st.floats(50, 100),
       groups=st.data())
@settings(max_examples=150, deadline=None)
def test_floors_and_caps_equal_numpy_clip_and_break_nothing(raw, floors, cap, groups):
    grade = groups.draw(st.lists(st.sampled_from("ABCD"), min_size=len(raw), max_size=len(raw)))
    X = frame_of(grade)
    layer = RuleLayer([BusinessRule("cap", "cap", value=cap), BusinessRule("floor", "floor", column="grade", bounds=floors)])
    decided = layer.apply(X, np.array(raw))
    low = X["grade"].map(floors).fillna(-np.inf).to_numpy()
    np.testing.assert_allclose(decided.decisions["decision"].to_numpy(dtype=float), np.clip(raw, low, cap))
    np.testing.assert_array_equal(decided.decisions["raw"].to_numpy(dtype=float), raw)  # the raw output kept beside
    assert rule_violations(X, decided.decisions["decision"], layer)["violations"].iloc[-1] == 0
    assert decided.table["rows_changed"].sum() == len(decided.log)
    changed = decided.decisions["decision"].to_numpy(dtype=float) != np.asarray(raw)
    assert set(decided.log["row"]) == set(X.index[changed])
    assert (decided.decisions.loc[changed, "rule"] != "").all() and (decided.decisions.loc[~changed, "rule"] == "").all()


def test_audit_counts_what_a_clip_by_hand_breaks():
    X = frame_of(list("ABCABC"))
    layer = RuleLayer([BusinessRule("floor", "floor", column="grade", bounds={"A": 5}), BusinessRule("cap", "cap", value=10)])
    audit = rule_violations(X, [4, 20, 7, 5, 9, 11], layer).set_index("rule")
    assert audit.loc["floor", "violations"] == 1 and audit.loc["cap", "violations"] == 2
    assert audit.loc["any rule", "violations"] == 3 and audit.loc["any rule", "share"] == pytest.approx(0.5)


def test_stated_order_overrides_then_bounds_then_exclusions():
    X = frame_of(list("AB")).assign(key=["k1", "k2"])
    layer = RuleLayer([BusinessRule("out", "exclude", column="state", isin=["NY"], decision=None),
                       BusinessRule("cap", "cap", value=10),
                       BusinessRule("manual", "override", column="key", isin=["k1", "k2"], decision=50)])
    assert [r.kind for r in layer.ordered] == ["override", "cap", "exclude"]
    decided = layer.apply(X, [1.0, 2.0])
    assert np.isnan(decided.decisions["decision"].iloc[0])  # row 0 is in NY: excluded whatever the others said
    assert decided.decisions["decision"].iloc[1] == 10  # the manual 50 is capped
    assert decided.log["rule"].tolist() == ["manual", "manual", "cap", "cap", "out"]
    assert set(RULE_KINDS) == {"override", "floor", "cap", "exclude"}


def test_a_rule_on_its_own_and_values_matched_as_text():
    X = pd.DataFrame({"term": [36, 60, 60]})
    new, changed = apply_rule(BusinessRule("long_floor", "floor", column="term", bounds={"60": 9.0}), X, [5.0, 5.0, 12.0])
    assert new.tolist() == [5.0, 9.0, 12.0] and changed.tolist() == [False, True, False]
    new, changed = apply_rule(BusinessRule("ban", "exclude", column="term", isin=[60], decision="refer"), X, ["a", "b", "c"])
    assert new.tolist() == ["a", "refer", "refer"] and changed.tolist() == [False, True, True]


def test_json_round_trip_and_atomic_write(tmp_path):
    layer = RuleLayer([BusinessRule("cap", "cap", value=25, reason="law"),
                       BusinessRule("floor", "floor", column="grade", bounds={"A": 6, "B": 9.9}, value=1.0),
                       BusinessRule("manual", "override", column="id", isin=[3, 1], decision=7.5),
                       BusinessRule("out", "exclude", column="state", isin=["VT"], decision=None)])
    path = layer.to_json(tmp_path / "rules.json")
    assert RuleLayer.from_json(path).rules == layer.rules
    assert json.loads(path.read_text())["rules"][3]["decision"] is None
    assert [p.name for p in tmp_path.iterdir()] == ["rules.json"]  # no temporary file left behind


@pytest.mark.parametrize("spec, message", [
    ({"name": "c", "kind": "ceiling", "value": 1}, "rule 'c', field 'kind': expected one of"),
    ({"name": "c", "kind": "capp", "value": 1}, "Did you mean 'cap'?"),
    ({"name": "c", "kind": "cap"}, "rule 'c', field 'value'"),
    ({"name": "c", "kind": "cap", "value": "25%"}, "rule 'c', field 'value': expected a finite number"),
    ({"name": "c", "kind": "cap", "value": 1, "isin": ["a"]}, "rule 'c', field 'isin': expected no 'isin' for a cap rule"),
    ({"name": "c", "kind": "floor", "column": "grade"}, "rule 'c', field 'bounds'"),
    ({"name": "c", "kind": "floor", "column": "grade", "bounds": {"A": "x"}}, "rule 'c', field 'bounds'"),
    ({"name": "e", "kind": "exclude", "column": "state"}, "rule 'e', field 'isin'"),
    ({"name": "e", "kind": "exclude", "column": "state", "isin": "NY"}, "rule 'e', field 'isin': expected a non-empty list"),
    ({"name": "e", "kind": "override", "column": "id", "isin": [1], "decision": [1, 2]}, "rule 'e', field 'decision'"),
    ({"name": "e", "kind": "cap", "valeu": 3}, "rule 'e', field 'valeu'"),
    ({"kind": "cap", "value": 3}, "field 'name'"),
    ({"name": "", "kind": "cap", "value": 3}, "rule name: expected a non-empty text"),
])
def test_malformed_rules_name_the_rule_and_the_field(spec, message):
    with pytest.raises(InputError, match=None) as error:
        BusinessRule.from_dict(spec)
    assert message in str(error.value)


def test_a_cap_below_a_floor_is_refused_when_loaded_and_when_applied():
    with pytest.raises(InputError, match="cap 20 below floor 22"):
        RuleLayer([BusinessRule("cap", "cap", value=20), BusinessRule("floor", "floor", value=22)])
    with pytest.raises(InputError, match="for grade=B"):
        RuleLayer([BusinessRule("cap", "cap", column="grade", bounds={"A": 30, "B": 8}),
                   BusinessRule("floor", "floor", column="grade", bounds={"B": 9.9})])
    crossing = RuleLayer([BusinessRule("cap", "cap", column="state", bounds={"NY": 8}),
                          BusinessRule("floor", "floor", column="grade", bounds={"B": 9.9})])
    with pytest.raises(InputError, match="rules 'cap' and 'floor'.*1 row"):
        crossing.apply(frame_of(list("BBA")), [1.0, 2.0, 3.0])  # row 0: grade B in NY
    with pytest.raises(InputError, match="unique rule names"):
        RuleLayer([BusinessRule("cap", "cap", value=2), BusinessRule("cap", "cap", value=3)])


def test_a_rule_naming_a_missing_column_names_the_rule():
    layer = RuleLayer([BusinessRule("floor", "floor", column="grde", bounds={"A": 1})])
    with pytest.raises(InputError, match="rule 'floor' reads column 'grde'.*did you mean 'grade'"):
        layer.apply(frame_of(list("AB")), [1.0, 2.0])
    with pytest.raises(InputError, match="rule 'floor' reads column 'grde'"):
        RuledModel(Ridge(), layer).fit(frame_of(list("AB")).assign(x=[1.0, 2.0])[["x", "grade"]], [1.0, 2.0])


def test_malformed_json_files(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"rules": [{"name": "cap", "kind": "cap" "value": 25}]}')
    with pytest.raises(InputError, match=r"rules file: expected a rules file.*broken.json' at line 1, column"):
        RuleLayer.from_json(broken)
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(InputError, match=r'expected an object \{"rules"'):
        RuleLayer.from_json(tmp_path / "list.json")
    with pytest.raises(InputError, match="rules file: expected a file that exists"):
        RuleLayer.from_json(tmp_path / "missing.json")
    (tmp_path / "bad_rule.json").write_text(json.dumps({"rules": [{"name": "c", "kind": "cap", "value": None}]}))
    with pytest.raises(InputError, match="rule 'c', field 'value'"):
        RuleLayer.from_json(tmp_path / "bad_rule.json")


def test_bad_outputs_and_arguments():
    layer = RuleLayer([BusinessRule("cap", "cap", value=2)])
    with pytest.raises(InputError, match=r"one model output per row of X \(3\)"):
        layer.apply(frame_of(list("ABC")), [1.0, 2.0])
    with pytest.raises(InputError, match="a floor or a cap bounds a number"):
        layer.apply(frame_of(list("AB")), ["yes", "no"])
    with pytest.raises(InputError, match="a list of rules"):
        RuleLayer(BusinessRule("cap", "cap", value=2))


def test_findings_warn_on_a_rule_that_decides_a_large_share_and_note_one_that_applies_nowhere():
    layer = RuleLayer([BusinessRule("cap", "cap", value=0), BusinessRule("out", "exclude", column="state", isin=["TX"])])
    decided = layer.apply(frame_of(list("ABCD")), [1.0, 2.0, -1.0, 3.0])
    assert is_result(decided) and isinstance(decided, RuleDecisions)
    assert [f.severity for f in decided.findings] == ["warn", "info"] and "applies to no row" in decided.findings[1].message
    payload = json.loads(json.dumps(decided.to_dict()))
    assert payload["n_changed"] == 3 and len(payload["log"]) == 3 and payload["principle"] == "business_rules"
    import matplotlib
    matplotlib.use("Agg")
    assert decided.plot() is not None


CAP = [BusinessRule("cap", "cap", value=1e6), BusinessRule("floor", "floor", value=-1e6)]


@parametrize_with_checks([RuledModel(Ridge(), CAP), RuledModel(LogisticRegression(max_iter=500)),
                          RuledModel(make_pipeline(StandardScaler(), Ridge()), RuleLayer(CAP))])
def test_ruled_model_passes_the_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_ruled_model_in_model_selection_and_with_rules_without_retraining():
    loans, card = load_loans(n_rows=600, random_state=0)
    X = loans[["loan_amount", "annual_income", "term", "debt_to_income"]].fillna(0).assign(grade=loans["grade"].astype(str))
    rules = [BusinessRule("cap", "cap", value=20.0), BusinessRule("floor", "floor", column="grade", bounds={"A": 6.0})]
    from sklearn.compose import make_column_transformer
    model = RuledModel(make_pipeline(make_column_transformer((StandardScaler(), ["loan_amount", "annual_income", "term", "debt_to_income"])),
                                     Ridge()), rules)
    assert cross_val_score(model, X, loans["interest_rate"], cv=3).shape == (3,)
    search = GridSearchCV(model, {"model__ridge__alpha": [0.1, 10.0]}, cv=3).fit(X, loans["interest_rate"])
    fitted = search.best_estimator_
    assert rule_violations(X, fitted.predict(X), rules)["violations"].iloc[-1] == 0
    stricter = fitted.with_rules([BusinessRule("cap", "cap", value=12.0)])
    assert stricter.model_ is fitted.model_ and stricter.predict(X).max() <= 12.0
    assert fitted.predict(X).max() > 12.0  # the original keeps its own rules
    assert clone(model).get_params()["rules"] == rules


def test_classifier_overrides_and_probabilities_on_hmda():
    hmda, card = load_hmda()
    X = hmda[["pirat", "hirat", "lvrat", "unemp"]].assign(insurance=hmda["insurance"])
    rule = BusinessRule("insurance_denied", "override", column="insurance", isin=["yes"], decision=1)
    from sklearn.compose import make_column_transformer
    model = RuledModel(make_pipeline(make_column_transformer((StandardScaler(), ["pirat", "hirat", "lvrat", "unemp"])),
                                     LogisticRegression()), [rule]).fit(X, hmda["deny"])
    predicted, proba = model.predict(X), model.predict_proba(X)
    insured = (hmda["insurance"] == "yes").to_numpy()
    assert (predicted[insured] == 1).all() and np.allclose(proba[insured], [0, 1])
    np.testing.assert_allclose(proba[~insured], model.model_.predict_proba(X)[~insured])
    assert predicted.dtype == model.classes_.dtype
    with pytest.raises(InputError, match="expected override or exclude rules for a classifier"):
        RuledModel(LogisticRegression(), [BusinessRule("cap", "cap", value=1)]).fit(X[["pirat"]], hmda["deny"])
    with pytest.raises(InputError, match=r"field 'decision': expected one of the classes \[0, 1\]"):
        RuledModel(make_pipeline(make_column_transformer((StandardScaler(), ["pirat"])), LogisticRegression()),
                   [BusinessRule("o", "override", column="insurance", isin=["yes"], decision="deny")]).fit(X, hmda["deny"])
    with pytest.raises(InputError, match="rules read columns, so X must be a DataFrame"):
        RuledModel(LogisticRegression(), [rule]).fit(X[["pirat"]].to_numpy(), hmda["deny"])


# Issue 15: rule files and the ruled model refuse hostile inputs with an InputError.
@pytest.mark.parametrize("content", [None, b"", b"\x80\x81junk\xff", b"[" * 5000 + b"]" * 5000, b"[]", b"null", b"{\"rules\": 3}"])
def test_rule_files_that_are_missing_empty_junk_or_nested_get_an_input_error(tmp_path, content):
    path = tmp_path / "rules.json"
    if content is not None: path.write_bytes(content)
    with pytest.raises(InputError, match="expected"): RuleLayer.from_json(path)
    with pytest.raises(InputError): RuleLayer.from_json(tmp_path)  # a folder


def test_to_json_refuses_a_folder_and_a_path_under_a_file(tmp_path):
    layer = RuleLayer([BusinessRule("f", "floor", value=0.0, reason="r")])
    (tmp_path / "file.json").write_text("{}")
    for path in (tmp_path, tmp_path / "file.json" / "rules.json"):
        with pytest.raises(InputError): layer.to_json(path)
    assert RuleLayer.from_json(layer.to_json(tmp_path / "ok.json")).to_dict() == layer.to_dict()


def _ruled():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(80, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int)
    return X, y, RuledModel(make_pipeline(StandardScaler(), LogisticRegression())).fit(X, y)


@pytest.mark.parametrize("bad", ["not a frame", "empty", "dup", "tuple", "dicts", "nan", "inf", "other columns"])
def test_ruled_model_refuses_bad_rows_in_predict_and_fit(bad):
    X, y, model = _ruled()
    rows = {"not a frame": "not a frame", "empty": X.iloc[:0], "dup": X.set_axis(["a", "a", "c"], axis=1),
            "tuple": X.set_axis(["a", ("b", 1), "c"], axis=1), "dicts": X.assign(a=[{}] * len(X)),
            "nan": X.assign(a=np.nan), "inf": X.assign(a=np.inf), "other columns": X.rename(columns={"a": "<script>"})}[bad]
    for call in (model.predict, model.decide, model.predict_proba, lambda r: model.score(r, y)):
        with pytest.raises(InputError, match="expected"): call(rows)
    if bad in ("nan", "inf", "dup", "one row"):
        with pytest.raises(InputError): clone(model).fit(rows, y)
    X_before = X.copy()
    model.predict(X)
    pd.testing.assert_frame_equal(X, X_before)  # the caller's frame is never modified


def test_ruled_model_fit_refuses_a_class_one_row_and_a_wrong_length_target():
    X, y, _ = _ruled()
    with pytest.raises(InputError): RuledModel(LogisticRegression).fit(X, y)
    with pytest.raises(InputError): RuledModel(LogisticRegression()).fit(X.iloc[:1], y.iloc[:1])
    with pytest.raises(InputError): RuledModel(LogisticRegression()).fit(X, y.iloc[:-7])


def test_rule_violations_refuses_a_bad_tolerance():
    X = pd.DataFrame({"a": [1.0, 2.0]})
    rules = [BusinessRule("f", "floor", value=0.0, reason="r")]
    for tolerance in (float("nan"), pd.NA, True, -1):
        with pytest.raises(InputError): rule_violations(X, [0.5, -1.0], rules, tolerance=tolerance)
    assert rule_violations(X, [0.5, -1.0], rules, tolerance=np.float32(0))["violations"].iloc[-1] == 1
