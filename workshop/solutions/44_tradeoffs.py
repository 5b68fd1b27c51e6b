"""Reference solutions for workshop/44_tradeoffs.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "44_tradeoffs.1": '''
linear_fitted = clone(ladder["linear model"]).fit(X, y)
print(learned_parameters(linear_fitted))
answer_1 = learned_parameters(linear_fitted)[0]
''',
    "44_tradeoffs.2": '''
linear_fitted = clone(ladder["linear model"]).fit(X, y)
six_hourly = X.assign(origin_delay=sample["origin_delay_6h"].to_numpy())
staleness = online_vs_batch(linear_fitted, X, six_hourly, server=False, requests=20, repeats=3)
answer_2 = float(staleness.table["stale_share"].iloc[0])
''',
    "44_tradeoffs.3": '''
two_members = {"linear model": ladder["linear model"], "base rate": DummyClassifier(strategy="prior")}
with_constant = ensemble_tradeoff(two_members, X, y, repeats=3, batch_size=100)
auc_gain = with_constant.findings[0].evidence["gain"]
answer_3 = (f"The ensemble gains {auc_gain:.4f} AUC over the linear model while the members dispute "
            f"{with_constant.disputed_share:.4f} of the decisions. Averaging with a constant keeps the order of the scores "
            "and AUC reads only the order, so every request pays for two models for nothing.")
''',
}

WRONG = {
    # the input columns counted, not what the model learned
    "44_tradeoffs.1": '''
answer_1 = X.shape[1]
''',
    # the batch job given the features as known at request time: never stale
    "44_tradeoffs.2": '''
linear_fitted = clone(ladder["linear model"]).fit(X, y)
answer_2 = float(online_vs_batch(linear_fitted, X, X, server=False, requests=20, repeats=3).table["stale_share"].iloc[0])
''',
    # the gain measured over the weakest member (the base rate), not the best one
    "44_tradeoffs.3": '''
two_members = {"linear model": ladder["linear model"], "base rate": DummyClassifier(strategy="prior")}
with_constant = ensemble_tradeoff(two_members, X, y, repeats=3, batch_size=100)
by_name = with_constant.comparison.table.set_index("name")["metric"]
answer_3 = (f"The ensemble gains {by_name['ensemble'] - by_name['base rate']:.4f} AUC over the base rate, a large gain, "
            "so serving the two models together is clearly worth the extra latency.")
''',
}
