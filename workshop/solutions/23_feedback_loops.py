"""Reference solutions for workshop/23_feedback_loops.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "23_feedback_loops.1": '''
exploration = [0, 0.01, 0.02, 0.03, 0.05, 0.1]
lowest_coverage = pd.Series({rate: simulate_recommendation_loop(ratings, epsilon=rate, random_state=0).table["coverage"].min()
                             for rate in exploration})
answer_1 = min(rate for rate in exploration if lowest_coverage[rate] > 0.5)
''',
    "23_feedback_loops.2": '''
last_gap = pd.Series({share: simulate_selective_labels(**lender, accept_share=share).table["gap"].iloc[-1]
                      for share in [0.5, 0.7, 0.9]})
answer_2 = last_gap.abs().idxmax()
''',
    "23_feedback_loops.3": '''
holdout_gaps = pd.DataFrame({share: [simulate_selective_labels(**lender, holdout=share, random_state=seed).table["gap"].iloc[-1]
                                     for seed in range(3)] for share in [0.02, 0.2]})
spread = holdout_gaps.std()
answer_3 = (f"The mean last gap is near zero at both holdouts ({holdout_gaps.mean()[0.02]:+.4f} and "
            f"{holdout_gaps.mean()[0.2]:+.4f}), but it spreads by {spread[0.02]:.4f} across seeds at a 2% holdout against "
            f"{spread[0.2]:.4f} at 20%. A small holdout removes the bias on average and pays in variance; a large one pays "
            "in loans made to applicants the model would decline.")
''',
}

WRONG = {
    # "never below half" read as "above half on average over the rounds"
    "23_feedback_loops.1": '''
exploration = [0, 0.01, 0.02, 0.03, 0.05, 0.1]
mean_coverage = pd.Series({rate: simulate_recommendation_loop(ratings, epsilon=rate, random_state=0).table["coverage"].mean()
                           for rate in exploration})
answer_1 = min(rate for rate in exploration if mean_coverage[rate] > 0.5)
''',
    # the largest signed gap: the gaps are negative, so this is the smallest in size
    "23_feedback_loops.2": '''
signed_gap = pd.Series({share: simulate_selective_labels(**lender, accept_share=share).table["gap"].iloc[-1]
                        for share in [0.5, 0.7, 0.9]})
answer_2 = signed_gap.idxmax()
''',
    # only the means, which are near zero for both: the spread is not cited
    "23_feedback_loops.3": '''
answer_3 = ("Both holdouts remove the bias: the mean gap of the last round is close to zero for a 2% and for a 20% "
            "holdout, so the smaller holdout is as good and costs fewer loans.")
''',
}
