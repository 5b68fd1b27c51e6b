"""Reference solutions for workshop/13_adaptability.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "13_adaptability.1": '''
scheduled = replay(policy=ScheduledRetrain(every=4), label_lag=1, **weekly)
answer_1 = int(scheduled.table["retrain"].sum())
''',
    "13_adaptability.2": '''
mean_auc = {lag: replay(policy=ScheduledRetrain(every=4), label_lag=lag, **weekly).summary["mean_metric"]
            for lag in (0, 6)}
answer_2 = mean_auc[0] - mean_auc[6]
''',
    "13_adaptability.3": '''
never = replay(policy=NeverRetrain(), label_lag=1, **weekly).summary
every_4 = scheduled.summary  # the replay of exercise 1; compare_policies([NeverRetrain(), ScheduledRetrain(every=4)], ...) gives both
answer_3 = (f"Never retraining averages an AUC of {never['mean_metric']:.3f}; retraining every 4 weeks averages "
            f"{every_4['mean_metric']:.3f} for {every_4['retrains']} retrains of a model that trains in a fraction of "
            "a second, so the schedule is worth it here.")
''',
    "13_adaptability.4": '''
answer_4 = ("A performance trigger only sees labelled weeks, so with six weeks of lag it reacts six weeks late and "
            "then trains on old data; weekly AUCs are noisy, so when it fires changes a lot with the lag. A schedule "
            "needs no labels to decide. With slow labels I would trigger on drift of the features.")
''',
}

WRONG = {
    # the calendar count, weeks / 4, without the warm-up and the label lag
    "13_adaptability.1": '''
answer_1 = 52 // 4
''',
    # the difference the other way round
    "13_adaptability.2": '''
mean_auc = {lag: replay(policy=ScheduledRetrain(every=4), label_lag=lag, **weekly).summary["mean_metric"]
            for lag in (0, 6)}
answer_2 = mean_auc[6] - mean_auc[0]
''',
    # a judgement without the figures
    "13_adaptability.3": '''
answer_3 = "Retraining every four weeks is clearly better than never retraining, so we should always retrain often."
''',
    # too short to discuss
    "13_adaptability.4": '''
answer_4 = "It gets worse."
''',
}
