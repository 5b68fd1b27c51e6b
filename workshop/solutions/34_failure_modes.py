"""Reference solutions for workshop/34_failure_modes.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "34_failure_modes.1": '''
release = slice_report(arrests["released"], predicted, arrests[["colour", "sex"]], metric="selection_rate", random_state=0)
release.plot()
answer_1 = release.table.loc[release.table["flagged"], "slice"].tolist()
''',
    "34_failure_modes.2": '''
# exercise 1's solution made `release`
release_rates = release.table.set_index("slice")["metric"]
answer_2 = (f"No: the model predicts release for {release_rates['colour=Black']:.1%} of Black and "
            f"{release_rates['colour=White']:.1%} of White arrestees although it never sees colour. The other columns "
            "(checks, employment, citizenship) carry it in, and the labels are the officers' past decisions.")
''',
    "34_failure_modes.3": '''
leaks = leakage_check(loans.drop(columns=["interest_rate", "emp_title"]), loans["interest_rate"], random_state=0)
answer_3 = leaks.table.loc[leaks.table["verdict"] != "ok", "feature"].tolist()
''',
    "34_failure_modes.4": '''
def frozen_verdict(k):
    frozen = rain[["day", "temperature"]].copy()
    frozen.loc[frozen.index[-k:], "temperature"] = frozen["temperature"].iloc[-k - 1]
    return stale_features(frozen, time_column="day", random_state=0).table.iloc[0]["verdict"]
answer_4 = next(k for k in range(2, 60) if frozen_verdict(k) == "frozen now")
''',
}

WRONG = {
    # every slice below the overall rate, without the interval
    "34_failure_modes.1": '''
release = slice_report(arrests["released"], predicted, arrests[["colour", "sex"]], metric="selection_rate", random_state=0)
answer_1 = release.table.loc[release.table["gap"] < 0, "slice"].tolist()
''',
    # the conclusion a model without colour invites, with no figures
    "34_failure_modes.2": '''
answer_2 = ("The model never sees colour, so it cannot treat Black and White arrestees differently: dropping the "
            "column removes the gap in who is predicted released.")
''',
    # the top three features by score, without reading the verdict
    "34_failure_modes.3": '''
leaks = leakage_check(loans.drop(columns=["interest_rate", "emp_title"]), loans["interest_rate"], random_state=0)
answer_3 = leaks.table["feature"].head(3).tolist()
''',
    # a coarse grid of k: its first flagged value is not the smallest
    "34_failure_modes.4": '''
def frozen_verdict(k):
    frozen = rain[["day", "temperature"]].copy()
    frozen.loc[frozen.index[-k:], "temperature"] = frozen["temperature"].iloc[-k - 1]
    return stale_features(frozen, time_column="day", random_state=0).table.iloc[0]["verdict"]
answer_4 = min(k for k in [3, 5, 8, 10, 15, 30] if frozen_verdict(k) == "frozen now")
''',
}
