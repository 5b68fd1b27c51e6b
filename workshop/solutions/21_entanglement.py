"""Reference solutions for workshop/21_entanglement.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "21_entanglement.1": '''
def held_out_scores(seed):
    booster = HistGradientBoostingClassifier(early_stopping=True, categorical_features="from_dtype", random_state=seed)
    return booster.fit(train_X, train_y).predict_proba(test_X)[:, 1]

answer_1 = prediction_churn(held_out_scores(0), held_out_scores(3), threshold=0.25).flipped
''',
    "21_entanglement.2": '''
loans, loans_card = load_loans(n_rows=4_000, random_state=0)
dropped = (*loans_card.known_after, "grade", "sub_grade", "emp_title", "interest_rate")
loans_X = feature_frame(loans[[c for c in loans.columns if c not in dropped]])
regressor = ladder_models(loans_X, "regression")["stronger model"]
as_it_is = cace_report(regressor, loans_X, loans["interest_rate"], changes=["seed"], cv=3)  # the seed changes nothing
regressor.set_params(histgradientboostingregressor__early_stopping=True)
stopped = cace_report(regressor, loans_X, loans["interest_rate"], changes=["seed"], cv=3)
answer_2 = stopped.table["mean_abs_change"].iloc[0]
''',
    "21_entanglement.3": '''
six_seeds = [HistGradientBoostingClassifier(early_stopping=True, categorical_features="from_dtype", random_state=seed)
             .fit(train_X, train_y).predict_proba(test_X)[:, 1] for seed in range(6)]
one_against_one = prediction_churn(six_seeds[0], six_seeds[3], threshold=0.25).flipped
three_against_three = prediction_churn(np.mean(six_seeds[:3], axis=0), np.mean(six_seeds[3:], axis=0), threshold=0.25).flipped
answer_3 = (f"Two single models that differ only in their seed disagree on {one_against_one:.1%} of the held-out flights; "
            f"two averages of three seeds disagree on {three_against_three:.1%}. Averaging cuts the churn but does not remove "
            "it, and it costs three times the training and the prediction.")
''',
}

WRONG = {
    # prediction_churn's default threshold (0.5), not the task's 0.25
    "21_entanglement.1": '''
first = HistGradientBoostingClassifier(early_stopping=True, categorical_features="from_dtype", random_state=0).fit(train_X, train_y)
second = HistGradientBoostingClassifier(early_stopping=True, categorical_features="from_dtype", random_state=3).fit(train_X, train_y)
answer_1 = prediction_churn(first.predict_proba(test_X)[:, 1], second.predict_proba(test_X)[:, 1]).flipped
''',
    # the model as it is: early stopping is off below 10,000 rows, so the seed is never used
    "21_entanglement.2": '''
loans, loans_card = load_loans(n_rows=4_000, random_state=0)
dropped = (*loans_card.known_after, "grade", "sub_grade", "emp_title", "interest_rate")
loans_X = feature_frame(loans[[c for c in loans.columns if c not in dropped]])
regressor = ladder_models(loans_X, "regression")["stronger model"]
answer_2 = cace_report(regressor, loans_X, loans["interest_rate"], changes=["seed"], cv=3).table["mean_abs_change"].iloc[0]
''',
    # a judgement without its figures
    "21_entanglement.3": '''
answer_3 = ("Averaging several seeds makes the predictions steadier, so fewer decisions flip between two averaged models "
            "than between two single ones, at the price of more training.")
''',
}
