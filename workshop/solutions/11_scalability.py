"""Reference solutions for workshop/11_scalability.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "11_scalability.1": '''
profile = latency_profile(boosted, X[6000:], batch_sizes=[1, 10, 100], repeats=100, random_state=0)
answer_1 = profile.table
''',
    "11_scalability.2": '''
curve = cost_curve(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0), X, y,
                   sizes=[1000, 2000, 4000, 8000], test_size=0.2, memory=False, random_state=0)
answer_2 = curve.table["score"].iloc[-1] - curve.table["score"].iloc[-2]
''',
    "11_scalability.3": '''
k, error = curve.exponents["fit_s"]
largest = curve.table.iloc[-1]
answer_3 = {label: largest["fit_s"] * (card.rows / largest["rows"]) ** exponent
            for label, exponent in [("low", k - error), ("central", k), ("high", k + error)]}
''',
    "11_scalability.4": '''
breakdown = latency_breakdown(logistic, X[6000:], repeats=100, random_state=0)
step = breakdown.table.loc[breakdown.table["share_median"].idxmax(), "step"]
answer_4 = (f"Most of a median single-row request goes to the {step} step, not to the model's arithmetic. "
            "I would convert the request to an array once, skip the repeated finiteness checks where the data "
            "contract already ran, and remeasure the tail on production hardware.")
''',
}

WRONG = {
    # 20 requests: the p99 is the slowest request
    "11_scalability.1": '''
answer_1 = latency_profile(boosted, X[6000:], batch_sizes=[1, 10, 100], repeats=20, random_state=0).table
''',
    # from the first size to the last, not the last doubling
    "11_scalability.2": '''
curve = cost_curve(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0), X, y,
                   sizes=[1000, 2000, 4000, 8000], test_size=0.2, memory=False, random_state=0)
answer_2 = curve.table["score"].iloc[-1] - curve.table["score"].iloc[0]
''',
    # linear in the rows: the exponent and its error ignored
    "11_scalability.3": '''
largest = curve.table.iloc[-1]
answer_3 = {label: largest["fit_s"] * card.rows / largest["rows"] for label in ("low", "central", "high")}
''',
    # too short to discuss
    "11_scalability.4": '''
answer_4 = "Use a faster model."
''',
}
