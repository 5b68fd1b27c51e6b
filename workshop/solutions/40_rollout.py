"""Reference solutions for workshop/40_rollout.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "40_rollout.1": '''
on_10 = FeatureFlag("late-arrivals-v2", 10).assign(september)
on_50 = FeatureFlag("late-arrivals-v2", 50).assign(september)
assert not (on_10 & ~on_50).any()  # the ramp takes no key back
answer_1 = int((on_50 & ~on_10).sum())
''',
    "40_rollout.2": '''
august = month == 8
august_brier = (y[august] - live.predict_proba(X[august])[:, 1]) ** 2
answer_2 = requests_needed(float(august_brier.var()), min_effect=0.005, share=0.1)
print(f"{answer_2:,} requests: {answer_2 / (august.sum() / 31):,.0f} days of August traffic")
''',
    "40_rollout.3": '''
in_september = month == 9
on_canary = FeatureFlag("september-check", 50).assign(september)
live_brier = ((y[in_september] - live.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
challenger_brier = ((y[in_september] - challenger.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
september_canary = canary_analysis(live_brier[~on_canary], challenger_brier[on_canary], min_effect=0.005)
low, harm, high = september_canary.harm
answer_3 = (f"The canary's decision is {september_canary.decision}: its estimated harm is {harm:.4f} of Brier score, "
            f"with an interval from {low:.4f} to {high:.4f}, which holds both no harm and the harm of 0.005 that matters, "
            f"so the canary must run for about {september_canary.more_requests:,} more requests before deciding.")
''',
    "40_rollout.4": '''
in_september = (month == 9).to_numpy()
stage_percent = np.select([flights["day"][in_september] <= 7, flights["day"][in_september] <= 14], [1.0, 10.0], 50.0)
on_ramp = np.array([FeatureFlag("late-arrivals-v2", p).is_on(k) for p, k in zip(stage_percent, september)])
live_loss = ((y[in_september] - live.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
challenger_loss = ((y[in_september] - challenger.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
pooled = canary_analysis(live_loss[~on_ramp], challenger_loss[on_ramp], min_effect=0.005)
paired = float((challenger_loss - live_loss).mean())
late = y[in_september].to_numpy()
answer_4 = (f"Pooled over the ramp the canary's harm reads {pooled.harm[1]:.4f}, while scored on every September flight the "
            f"challenger is worse by {paired:.4f}. Most control flights come from the first two weeks, when the share was 1% "
            f"or 10%, so the arms differ in their days too (late share {late[~on_ramp].mean():.3f} for control, "
            f"{late[on_ramp].mean():.3f} for the canary). Compare the arms stage by stage, or weight each stage's difference.")
''',
}

WRONG = {
    # a new flag name for the new stage: the hash is salted differently, the keys are reshuffled
    "40_rollout.1": '''
on_10 = FeatureFlag("late-arrivals-v2", 10).assign(september)
on_50 = FeatureFlag("late-arrivals-v2-at-50", 50).assign(september)
answer_1 = int((on_50 & ~on_10).sum())
''',
    # the variance of the labels, not of the per-request squared errors
    "40_rollout.2": '''
august = month == 8
answer_2 = requests_needed(float(y[august].var()), min_effect=0.005, share=0.1)
''',
    # the arms swapped: the canary passed as the control, so the harm has the wrong sign
    "40_rollout.3": '''
in_september = month == 9
on_canary = FeatureFlag("september-check", 50).assign(september)
live_brier = ((y[in_september] - live.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
challenger_brier = ((y[in_september] - challenger.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
swapped = canary_analysis(challenger_brier[on_canary], live_brier[~on_canary], min_effect=0.005)
answer_3 = (f"The canary's decision is {swapped.decision}: its estimated harm is {swapped.harm[1]:.4f} of Brier score, "
            "so the new model looks slightly better than the live one and the rollout can go on as planned.")
''',
    # the pooled comparison taken at its word, in one line
    "40_rollout.4": '''
in_september = (month == 9).to_numpy()
stage_percent = np.select([flights["day"][in_september] <= 7, flights["day"][in_september] <= 14], [1.0, 10.0], 50.0)
on_ramp = np.array([FeatureFlag("late-arrivals-v2", p).is_on(k) for p, k in zip(stage_percent, september)])
live_loss = ((y[in_september] - live.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
challenger_loss = ((y[in_september] - challenger.predict_proba(X[in_september])[:, 1]) ** 2).to_numpy()
pooled = canary_analysis(live_loss[~on_ramp], challenger_loss[on_ramp], min_effect=0.005)
answer_4 = f"Pooled harm {pooled.harm[1]:.4f}: the canary is fine, ship it."
''',
}
