"""Reference solutions for workshop/41_business_rules.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "41_business_rules.1": '''
grade_b_floor = BusinessRule("grade_b_floor", "floor", column="grade", bounds={"B": 9.9})
raised_rates, raised_rows = apply_rule(grade_b_floor, loans, loans["interest_rate"])
answer_1 = int(raised_rows.sum())
''',
    "41_business_rules.2": '''
march_rows = X[month == 3]
march_audit = rule_violations(march_rows, plain.predict(march_rows), policy)
print(march_audit)
answer_2 = int(march_audit.set_index("rule").loc["any rule", "violations"])
''',
    "41_business_rules.3": '''
insurance_rule = BusinessRule("insurance_denied", "override", column="insurance", isin=["yes"], decision=1)
record_rule = BusinessRule("public_record_denied", "override", column="phist", isin=["yes"], decision=1)
mortgage_model = ladder_models(X_hmda, "classification", random_state=0)["linear model"]
baked_model = clone(mortgage_model).fit(X_hmda.iloc[train], np.where(X_hmda["insurance"] == "yes", 1, deny)[train])
ruled_model = RuledModel(mortgage_model, [insurance_rule]).fit(X_hmda.iloc[train], deny[train])
ruled_model = ruled_model.with_rules([insurance_rule, record_rule])
held_out = X_hmda.iloc[test]
broken = {name: int(rule_violations(held_out, fitted.predict(held_out), [insurance_rule, record_rule])["violations"].iloc[-1])
          for name, fitted in [("baked", baked_model), ("ruled", ruled_model)]}
answer_3 = (f"Against both rules the baked model breaks {broken['baked']} test decisions and the ruled model {broken['ruled']}. "
            "The baked model learned the insurance rule from its labels, but a new rule needs new labels and a retrain, "
            "while the rule layer took the public record rule at once with the same weights.")
''',
    "41_business_rules.4": '''
pricing = RuledModel(ladder_models(X, "regression", random_state=0)["linear model"], policy)
pricing = pricing.fit(X[month <= 2], loans["interest_rate"][month <= 2])
with tempfile.TemporaryDirectory() as rules_folder:
    rules_path = pricing.layer_.to_json(Path(rules_folder) / "rules.json")
    spec = json.loads(rules_path.read_text())
    spec["rules"].append({"name": "no_automated_offers_in_vt", "kind": "exclude", "column": "state", "isin": ["VT"],
                          "decision": None, "reason": "compliance"})
    rules_path.write_text(json.dumps(spec, indent=2))
    excluding = pricing.with_rules(RuleLayer.from_json(rules_path))
assert excluding.model_ is pricing.model_  # the same fitted model, new rules
answer_4 = int(excluding.decide(X[month == 3]).decisions["decision"].isna().sum())
''',
}

WRONG = {
    # every grade B loan, not those the floor raises
    "41_business_rules.1": '''
answer_1 = int((loans["grade"] == "B").sum())
''',
    # the loans' actual March rates audited instead of the model's decisions
    "41_business_rules.2": '''
march_rows = X[month == 3]
answer_2 = int(rule_violations(march_rows, loans["interest_rate"][month == 3], policy)["violations"].iloc[-1])
''',
    # audited against the first rule only, which both models keep
    "41_business_rules.3": '''
insurance_rule = BusinessRule("insurance_denied", "override", column="insurance", isin=["yes"], decision=1)
mortgage_model = ladder_models(X_hmda, "classification", random_state=0)["linear model"]
baked_model = clone(mortgage_model).fit(X_hmda.iloc[train], np.where(X_hmda["insurance"] == "yes", 1, deny)[train])
held_out = X_hmda.iloc[test]
baked_broken = int(rule_violations(held_out, baked_model.predict(held_out), [insurance_rule])["violations"].iloc[-1])
answer_3 = (f"The baked model breaks {baked_broken} test decisions, so baking the rule into the labels works as well as "
            "a rule layer and there is no need for a separate layer of rules after the model.")
''',
    # the JSON edited, but the fitted model still decides with its old rules (no with_rules)
    "41_business_rules.4": '''
pricing = RuledModel(ladder_models(X, "regression", random_state=0)["linear model"], policy)
pricing = pricing.fit(X[month <= 2], loans["interest_rate"][month <= 2])
with tempfile.TemporaryDirectory() as rules_folder:
    rules_path = pricing.layer_.to_json(Path(rules_folder) / "rules.json")
    spec = json.loads(rules_path.read_text())
    spec["rules"].append({"name": "no_automated_offers_in_vt", "kind": "exclude", "column": "state", "isin": ["VT"],
                          "decision": None, "reason": "compliance"})
    rules_path.write_text(json.dumps(spec, indent=2))
answer_4 = int(pricing.decide(X[month == 3]).decisions["decision"].isna().sum())
''',
}
