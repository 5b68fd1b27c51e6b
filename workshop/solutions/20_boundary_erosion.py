"""Reference solutions for workshop/20_boundary_erosion.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "20_boundary_erosion.1": '''
hour_radius = system.blast_radius("hour")
answer_1 = hour_radius.models + hour_radius.consumers
''',
    "20_boundary_erosion.2": '''
band_radius = system.blast_radius("distance_band")
_, served_stale = run(models=models, distance_edges=(0, 800, 1600, 5000))
stale_impact = change_impact(band_radius, before, served_stale, thresholds=rates, tolerance=1e-9)
answer_2 = stale_impact.table.set_index("name").loc["delay", "share_flipped"]
''',
    "20_boundary_erosion.3": '''
loans, loans_card = load_loans(n_rows=5_000, random_state=0)
grades = ["grade", "sub_grade", "homeownership"]
loan_X = loans[grades + ["annual_income"]].astype({c: str for c in grades})
large = (loans["loan_amount"] > loans["loan_amount"].median()).astype(int)
encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), grades), (StandardScaler(), ["annual_income"]))
amount_model = make_pipeline(encode, LogisticRegression(max_iter=1000)).fit(loan_X, large)
report = boundary_report(amount_model, name="loan size", model_outputs=["grade", "sub_grade"])
lender = (DependencyGraph().add_source("applications")
          .add_feature("annual_income", ["applications"]).add_feature("debt_to_income", ["applications"])
          .add_model("pricing", ["annual_income", "debt_to_income"])
          .add_feature("grade", ["pricing"]).add_feature("sub_grade", ["pricing"]))
lender.add_pipeline("loan size", amount_model, source="applications")
reach = lender.blast_radius("debt_to_income")
answer_3 = reach.table.loc[(reach.table["kind"] == "model") & reach.table["cascade"], "name"].tolist()
''',
    "20_boundary_erosion.4": '''
# exercise 2's solution made `band_radius` and `stale_impact`
_, retrained_outputs = run(distance_edges=(0, 800, 1600, 5000))
retrained_impact = change_impact(band_radius, before, retrained_outputs, thresholds=rates, tolerance=1e-9)
stale_share = stale_impact.table.set_index("name").loc["delay", "share_flipped"]
retrained_share = retrained_impact.table.set_index("name").loc["delay", "share_flipped"]
answer_4 = (f"Served to the old model, the new bands flip {stale_share:.1%} of the delay decisions; after a retrain only "
            f"{retrained_share:.1%}. The old model still reads each band index with its old meaning, the retrained one relearns "
            "it. The graph predicted the same radius (delay and gate alerts) both times: it says what can move, not how much.")
''',
}

WRONG = {
    # retrained instead of served as trained: another change, which flips fewer decisions
    "20_boundary_erosion.2": '''
_, retrained_outputs = run(distance_edges=(0, 800, 1600, 5000))
answer_2 = change_impact(system.blast_radius("distance_band"), before, retrained_outputs, thresholds=rates,
                         tolerance=1e-9).table.set_index("name").loc["delay", "share_flipped"]
''',
    # only the models: the consumers reading them are forgotten
    "20_boundary_erosion.1": '''
answer_1 = system.blast_radius("hour").models
''',
    # every model of the radius, the pricing model included (it reads debt_to_income itself)
    "20_boundary_erosion.3": '''
loans, loans_card = load_loans(n_rows=5_000, random_state=0)
grades = ["grade", "sub_grade", "homeownership"]
loan_X = loans[grades + ["annual_income"]].astype({c: str for c in grades})
large = (loans["loan_amount"] > loans["loan_amount"].median()).astype(int)
encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), grades), (StandardScaler(), ["annual_income"]))
amount_model = make_pipeline(encode, LogisticRegression(max_iter=1000)).fit(loan_X, large)
lender = (DependencyGraph().add_source("applications")
          .add_feature("annual_income", ["applications"]).add_feature("debt_to_income", ["applications"])
          .add_model("pricing", ["annual_income", "debt_to_income"])
          .add_feature("grade", ["pricing"]).add_feature("sub_grade", ["pricing"]))
lender.add_pipeline("loan size", amount_model, source="applications")
answer_3 = lender.blast_radius("debt_to_income").models
''',
    # a judgement without the figures
    "20_boundary_erosion.4": '''
answer_4 = ("Serving the new bands to the old model flips more decisions than a retrain, because the old model reads the "
            "band numbers with their old meaning; the graph predicted the same outputs in both cases.")
''',
}
