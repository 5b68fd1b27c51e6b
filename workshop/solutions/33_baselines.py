"""Reference solutions for workshop/33_baselines.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "33_baselines.1": '''
accuracy_ladder = baseline_ladder(X, y, metric="accuracy", cv=3, random_state=0)
answer_1 = accuracy_ladder.table.set_index("name").loc["majority", "mean"]
''',
    "33_baselines.2": '''
auc_ladder = baseline_ladder(X, y, cv=3, random_state=0)
auc_ladder.plot()
below_the_top = auc_ladder.table.iloc[:-1]
answer_2 = below_the_top.loc[below_the_top["mean"].idxmax(), "name"]
''',
    "33_baselines.3": '''
in_time = baseline_ladder(X_f, y_f, cv=TimeSeriesSplit(3), random_state=0)
answer_3 = in_time.table.set_index("name").loc["stronger model", "mean"]
''',
    "33_baselines.4": '''
# exercise 2's solution made `auc_ladder`
top_auc = auc_ladder.table.set_index("name").loc["stronger model", "mean"]
answer_4 = (f"The bar is ROC AUC {auc_ladder.bar:.3f}, set by the {answer_2}, and the stronger model reaches {top_auc:.3f}. "
            f"The verdict compares the gain with the fold-to-fold noise: {auc_ladder.findings[0].message} "
            "With no gain beyond the noise I would ship the cheaper rung, which has no training pipeline to run.")
''',
}

WRONG = {
    # the denial share: the mean of the target, not the accuracy of always approving
    "33_baselines.1": '''
answer_1 = y.mean()
''',
    # the top rung is the candidate, not the bar
    "33_baselines.2": '''
answer_2 = accuracy_ladder.table["name"].iloc[-1]
''',
    # shuffled folds let the model see the future
    "33_baselines.3": '''
shuffled = baseline_ladder(X_f, y_f, cv=3, random_state=0)
answer_3 = shuffled.table.set_index("name").loc["stronger model", "mean"]
''',
    # the model's score alone, without the bar it must clear
    "33_baselines.4": '''
answer_4 = (f"The stronger model reaches ROC AUC {auc_ladder.table['mean'].iloc[-1]:.3f}, well above 0.5, so it "
            "is good enough to ship for the lender.")
''',
}
