"""Reference solutions for workshop/02_contracts.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "02_contracts.1": '''
rows = []
for tolerance in [0, 0.05, 0.1, 0.25, 0.5, 1.0]:
    schema = Schema.infer(reference, tolerance=tolerance)
    rows.append({"tolerance": tolerance, "false_alarms": schema.validate(batch).row_mask.mean(),
                 "caught": schema.validate(cents).row_mask.mean()})
trade = pd.DataFrame(rows).set_index("tolerance")
print(trade)
answer_1 = float(trade.loc[0.1, "caught"])
''',
    "02_contracts.2": '''
proposed = copy.deepcopy(current)
proposed.version = "1.1.0"
proposed.columns["loan_amount"].nullable = True
proposed.columns["annual_income"].maximum = 500_000
proposed.columns["fico_score"] = ColumnSpec("int", minimum=300, maximum=850, required=False)
proposed.columns["homeownership"].levels.append("LEASE")
answer_2 = current.diff(proposed)
print(answer_2.bump, answer_2.ok)
answer_2.table
''',
    "02_contracts.3": '''
results = {}
for mode in ["none", "impute", "drop_rows"]:
    steps = [LinearRegression()] if mode == "none" else [SchemaGuard(on_error=mode, tolerance=0.1), LinearRegression()]
    model = make_pipeline(*steps).fit(reference[features], reference[target])
    predictions = model.predict(served[features])
    kept = served if mode != "drop_rows" else served[~model[0].check(served[features]).row_mask]
    results[mode] = {"served": len(predictions), "mae": mean_absolute_error(kept[target], predictions)}
print(pd.DataFrame(results).T)
answer_3 = (f"With no guard the model prices every loan with an MAE of {results['none']['mae']:.2f} points; with "
            f"impute the MAE falls to {results['impute']['mae']:.2f}, close to clean data, and drop_rows serves "
            f"{results['drop_rows']['served']:,} of {len(served):,} loans. I would ship impute with the validation "
            "report logged and alerting, since it serves every loan, while raise would stop the whole batch.")
''',
}

WRONG = {
    # the clean batch validated instead of the one in cents: the false-alarm rate, not the catch rate
    "02_contracts.1": '''
schema = Schema.infer(reference, tolerance=0.1)
answer_1 = float(schema.validate(batch).row_mask.mean())
''',
    # no copy: editing `proposed` edits the schema it was taken from, so the diff is empty
    # (done on a schema of its own, so that the notebook's `current` stays as handed out)
    "02_contracts.2": '''
draft = Schema.infer(reference, tolerance=0.1, name="loans")
proposed = draft
proposed.columns["loan_amount"].nullable = True
proposed.columns["annual_income"].maximum = 500_000
answer_2 = draft.diff(proposed)
''',
    # the MAE on the clean batch cited, no comparison of the modes
    "02_contracts.3": '''
model = make_pipeline(LinearRegression()).fit(reference[features], reference[target])
clean_mae = mean_absolute_error(batch[target], model.predict(batch[features]))
answer_3 = (f"The model's MAE is {clean_mae:.2f} points of interest rate, which is good enough, so the guard is "
            "not needed in front of it and I would ship the model without one.")
''',
}
