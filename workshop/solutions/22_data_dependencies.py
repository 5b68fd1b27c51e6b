"""Reference solutions for workshop/22_data_dependencies.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "22_data_dependencies.1": '''
linear_audit = feature_audit(models["linear model"], X, flights["late"], random_state=0)
answer_1 = linear_audit.removed
''',
    "22_data_dependencies.2": '''
income_rows = {}
for factor in [1.1, 1.2, 2, 5, 10]:
    scaled_march = march.assign(annual_income=march["annual_income"] * factor)
    income_rows[factor] = unstable_inputs(january, scaled_march, columns=["annual_income"]).table.set_index("column").loc["annual_income"]
answer_2 = min(factor for factor, row in income_rows.items() if row["unstable"])
''',
    "22_data_dependencies.3": '''
# exercise 2's solution made `income_rows`
answer_3 = min(factor for factor, row in income_rows.items() if row["cause"].startswith("units"))
''',
    "22_data_dependencies.4": '''
stronger_audit = feature_audit(None, X, flights["late"], random_state=0)
only_linear = sorted(set(linear_audit.removed) - set(stronger_audit.removed))
only_stronger = sorted(set(stronger_audit.removed) - set(linear_audit.removed))
answer_4 = (f"Removable only for the linear model: {only_linear}; only for the stronger model: {only_stronger}. A feature "
            "is removable for a model, not in itself: a linear model cannot bend the hour into a curve or learn a hundred "
            "destinations from few rows, trees can. Before deleting one I would check who else reads it and re-audit "
            "whenever the model changes.")
''',
}

WRONG = {
    # estimator=None audits the ladder's stronger model, not the linear one
    "22_data_dependencies.1": '''
answer_1 = feature_audit(None, X, flights["late"], random_state=0).removed
''',
    # the first factor whose cause reads units, not the first flagged unstable
    "22_data_dependencies.2": '''
income_causes = {}
for factor in [1.1, 1.2, 2, 5, 10]:
    scaled_march = march.assign(annual_income=march["annual_income"] * factor)
    income_causes[factor] = unstable_inputs(january, scaled_march, columns=["annual_income"]).table.set_index("column").loc["annual_income", "cause"]
answer_2 = min(factor for factor, cause in income_causes.items() if cause.startswith("units"))
''',
    # the first factor flagged unstable, whose cause is a distribution change
    "22_data_dependencies.3": '''
answer_3 = min(factor for factor, row in income_rows.items() if row["unstable"])
''',
    # too short to be a judgement
    "22_data_dependencies.4": '''
answer_4 = "The models differ."
''',
}
