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
}
