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
    "44_tradeoffs.4": '''
linear_fitted = clone(ladder["linear model"]).fit(X, y)
stale_by_cadence = {}
for hours in (1, 3, 6, 24):
    if hours == 6: as_of_run = sample["origin_delay_6h"].to_numpy()  # computed in the setup cell
    else: as_of_run = pd.Series(origin_delay(flights, requested.dt.floor(f"{hours}h")), index=flights.index).loc[sample.index].to_numpy()
    run_rows = X.assign(origin_delay=as_of_run)
    stale_by_cadence[hours] = float(online_vs_batch(linear_fitted, X, run_rows, server=False, requests=5, repeats=2)
                                    .table["stale_share"].iloc[0])
print(stale_by_cadence)
within = [h for h, share in stale_by_cadence.items() if share <= 0.05]
answer_4 = (f"Stale shares by hours between runs: {stale_by_cadence}. Staleness grows with the time between runs; "
            f"the cadences within 5% here are {within or 'none'}, so the budget is the longest of them, and each step "
            "up in cadence divides the number of runs while multiplying the stale decisions.")
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
    # the gain measured over the weakest member (the base rate, an AUC of 0.5), not the best one
    "44_tradeoffs.3": '''
from sklearn.model_selection import cross_val_score
linear_auc = cross_val_score(ladder["linear model"], X, y, cv=3, scoring="roc_auc").mean()
answer_3 = (f"The ensemble gains {linear_auc - 0.5:.4f} AUC over the base rate, a large gain, "
            "so serving the two models together is clearly worth the extra latency.")
''',
    # one cadence read as the answer, in one line
    "44_tradeoffs.4": '''
answer_4 = "Run it every hour."
''',
}
