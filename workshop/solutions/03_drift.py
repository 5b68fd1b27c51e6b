"""Reference solutions for workshop/03_drift.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "03_drift.1": '''
shares = {month: drift_report(january, flights[flights.month == month], columns=features).share_drifted
          for month in range(2, 13)}
answer_1 = max(shares, key=shares.get)
worst = drift_report(january, flights[flights.month == answer_1], columns=features)
print(f"month {answer_1}: {shares[answer_1]:.0%} of the columns drifted: {worst.drifted_columns}")
worst.plot_most_drifted(top=4)
''',
    "03_drift.2": '''
december_report = drift_report(january, flights[flights.month == 12], columns=features)
answer_2 = december_report.drifted_columns
december_report.table[["column", "kind", "statistic", "value", "threshold", "p_adjusted", "drifted"]]
''',
    "03_drift.3": '''
calibration = calibrate_alarms(flights.carrier, sizes=(100, 1_000, 10_000), repeats=40, random_state=0)
rates = calibration.table.pivot_table(index="alarm", columns="size", values="alarm_rate")
print(rates)
answer_3 = (f"With no drift at all, Jensen-Shannon above 0.1 fires in {rates.loc['jensen_shannon > 0.1', 100]:.0%} of "
            "the 100-flight samples: on 100 rows a histogram of carriers is mostly noise. The chi-square test keeps "
            "about its 5%, and the report's rule (distance and test) stays quiet. I would not alarm on 100-flight "
            "batches with a distance; I would pool a day of flights, or calibrate the threshold at the batch size.")
''',
}

WRONG = {
    # the largest share answered instead of the month it belongs to
    "03_drift.1": '''
shares = {month: drift_report(january, flights[flights.month == month], columns=features).share_drifted
          for month in range(2, 13)}
answer_1 = max(shares.values())
''',
    # a p-value alone: every column whose corrected test is significant
    "03_drift.2": '''
december_report = drift_report(january, flights[flights.month == 12], columns=features)
table = december_report.table
answer_2 = list(table.loc[table.p_adjusted < 0.05, "column"].unique())
''',
    # an answer with no reasoning
    "03_drift.3": '''
answer_3 = "Jensen-Shannon, the report's default."
''',
}
