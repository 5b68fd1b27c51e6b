"""Reference solutions for workshop/30_right_tool.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "30_right_tool.1": '''
result_1 = compare_to_rules(X, y, cv=3, random_state=0)
lookup_shares = result_1.table.set_index("candidate")["share_of_model_lift"]
answer_1 = lookup_shares.drop(["trivial baseline", "model"]).idxmax().removeprefix("lookup: ")
''',
    "30_right_tool.2": '''
evening_rule = Rule(lambda frame: frame["hour"] >= 15, "late when the scheduled hour is 15 or later")
result_2 = compare_to_rules(X, y, rules={"evening": evening_rule}, cv=3, random_state=0)
answer_2 = result_2.table.set_index("candidate").loc["evening", "share_of_model_lift"]
''',
    "30_right_tool.3": '''
hour_by_month = {"lookup: hour x month": LookupClassifier(columns=["hour", "month"])}
result_3 = compare_to_rules(X, y, rules=hour_by_month, cv=TimeSeriesSplit(4), random_state=0)
answer_3 = result_3.table.set_index("candidate").loc["lookup: hour x month", "share_of_model_lift"]
''',
    "30_right_tool.4": '''
# exercise 2's solution made `evening_rule` and `result_2`
in_dollars = compare_to_rules(X, y, rules={"evening": evening_rule}, value={"tn": 0, "fp": -50, "fn": 0, "tp": 150},
                              cv=3, random_state=0)
share_auc = result_2.table.set_index("candidate").loc["evening", "share_of_model_lift"]
share_dollars = in_dollars.table.set_index("candidate").loc["evening", "share_of_model_lift"]
answer_4 = (f"The evening rule captures {share_auc:.0%} of the model's lift in ROC AUC but {share_dollars:.0%} of it in "
            "dollars per flight. The desk acts at one threshold, where the hour does most of the work, so I would ship "
            "the rule and ask the model to bring new information (weather, the inbound aircraft) before it gets a pipeline.")
''',
}

WRONG = {
    # sort_values sorts ascending: the first row is the worst candidate (the trivial baseline), not the best
    "30_right_tool.1": '''
result_1 = compare_to_rules(X, y, cv=3, random_state=0)
answer_1 = result_1.table.sort_values("share_of_model_lift")["candidate"].iloc[0]
''',
    # the rule's ROC AUC instead of its share of the model's lift
    "30_right_tool.2": '''
evening_rule = Rule(lambda frame: frame["hour"] >= 15, "late when the scheduled hour is 15 or later")
result_2 = compare_to_rules(X, y, rules={"evening": evening_rule}, cv=3, random_state=0)
answer_2 = result_2.table.set_index("candidate").loc["evening", "score"]
''',
    # shuffled folds: the table learns every month from its neighbours
    "30_right_tool.3": '''
hour_by_month = {"lookup: hour x month": LookupClassifier(columns=["hour", "month"])}
result_3 = compare_to_rules(X, y, rules=hour_by_month, cv=3, random_state=0)
answer_3 = result_3.table.set_index("candidate").loc["lookup: hour x month", "share_of_model_lift"]
''',
    # judged by the ROC AUC share alone
    "30_right_tool.4": '''
share_auc = result_2.table.set_index("candidate").loc["evening", "share_of_model_lift"]
answer_4 = (f"The evening rule captures only {share_auc:.0%} of the model's lift in ROC AUC, below the 90% threshold, "
            "so the model is worth building for the rebooking desk.")
''',
}
