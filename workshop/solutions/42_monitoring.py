"""Reference solutions for workshop/42_monitoring.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "42_monitoring.1": '''
december_alerts = monitor_alerts(training, december, model, features=features, target="late")
answer_1 = sorted(set(december_alerts.alerts["rule"]))
''',
    "42_monitoring.2": '''
first_week = flights[(flights["time_hour"] >= "2013-03-01") & (flights["time_hour"] < "2013-03-08")]
with Monitor(model, features, path=folder / "march.db", reference=training[features], window="D") as march_monitor:
    for served_day, batch in first_week.groupby(first_week["time_hour"].dt.tz_convert(None).dt.floor("D")):
        march_monitor.predict(batch, request_ids=batch.index.to_numpy(), at=batch["time_hour"])
        arrival = pd.Timestamp(served_day, tz="UTC") + pd.Timedelta(days=2)
        march_monitor.record_labels(batch.index.to_numpy(), batch["late"], at=arrival)
    known_then = march_monitor.report(as_of="2013-03-05 12:00")
    known_now = march_monitor.report()
print(known_then.table[["window", "rows", "labelled_share", "metric"]])
answer_2 = int(known_then.table["metric"].notna().sum())
''',
    "42_monitoring.3": '''
december_row = monitor_alerts(training, december, model, features=features, target="late").table.iloc[0]
answer_3 = (f"December's calibration gap is {december_row['calibration_gap']:.3f}: {december_row['label_mean']:.3f} of its "
            f"flights were late against a mean prediction of {december_row['prediction_mean']:.3f}, while only "
            f"{december_row['feature_drift_share']:.0%} of the features drifted, so a monitor of the inputs alone stays silent.")
''',
    "42_monitoring.4": '''
spring = flights[(flights["time_hour"] >= "2013-03-01") & (flights["time_hour"] < "2013-07-01")]
by_window = {}
for length in ("W", "M"):
    with Monitor(model, features, path=folder / f"spring-{length}.db", reference=training[features], window=length) as replayed:
        waiting = None
        for week, batch in spring.groupby(spring["time_hour"].dt.tz_convert(None).dt.to_period("W")):
            replayed.predict(batch, request_ids=batch.index.to_numpy(), at=batch["time_hour"])
            if waiting is not None:
                replayed.record_labels(waiting.index.to_numpy(), waiting["late"], at=week.start_time.tz_localize("UTC"))
            waiting = batch
        replay_report = replayed.report()
    by_window[length] = (int((replay_report.alerts["rule"] == "calibration gap").sum()), len(replay_report.table),
                         float(replay_report.table["rows"].median()))
answer_4 = (f"Weekly windows raised {by_window['W'][0]} calibration gap alerts over {by_window['W'][1]} windows of about "
            f"{by_window['W'][2]:.0f} flights, monthly ones {by_window['M'][0]} over {by_window['M'][1]} windows of about "
            f"{by_window['M'][2]:.0f}. A week's late share swings with one storm, so its alerts are noisier; a month alerts "
            "later but means more. Size the window by the requests it holds, not by the calendar alone.")
''',
}

WRONG = {
    # no target: the rules that need labels cannot fire
    "42_monitoring.1": '''
december_alerts = monitor_alerts(training[features], december[features], model, features=features)
answer_1 = sorted(set(december_alerts.alerts["rule"]))
''',
    # the report of everything, read now, not as of 5 March noon
    "42_monitoring.2": '''
first_week = flights[(flights["time_hour"] >= "2013-03-01") & (flights["time_hour"] < "2013-03-08")]
with Monitor(model, features, path=folder / "march-now.db", reference=training[features], window="D") as march_monitor:
    for served_day, batch in first_week.groupby(first_week["time_hour"].dt.tz_convert(None).dt.floor("D")):
        march_monitor.predict(batch, request_ids=batch.index.to_numpy(), at=batch["time_hour"])
        march_monitor.record_labels(batch.index.to_numpy(), batch["late"], at=pd.Timestamp(served_day, tz="UTC") + pd.Timedelta(days=2))
    answer_2 = int(march_monitor.report().table["metric"].notna().sum())
''',
    # the training months' figures instead of December's
    "42_monitoring.3": '''
training_gap = abs(training["late"].mean() - model.predict_proba(training[features])[:, 1].mean())
answer_3 = (f"The calibration gap is {training_gap:.3f} and {training['late'].mean():.3f} of the flights were late, "
            "so the model is well calibrated and nothing in December needs an alert.")
''',
    # one window length only, read as the verdict
    "42_monitoring.4": '''
spring = flights[(flights["time_hour"] >= "2013-03-01") & (flights["time_hour"] < "2013-04-01")]
with Monitor(model, features, path=folder / "spring-weekly.db", reference=training[features], window="W") as replayed:
    replayed.predict(spring, request_ids=spring.index.to_numpy(), at=spring["time_hour"])
    weekly_windows = len(replayed.report().table)
answer_4 = f"{weekly_windows} weekly windows: weekly is better."
''',
}
