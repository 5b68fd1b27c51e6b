"""Reference solutions for workshop/04_drift_statistics.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "04_drift_statistics.1": '''
reference_delays = january.dep_delay.dropna().to_numpy()
current_delays = july.dep_delay.dropna().to_numpy()
edges = np.unique(np.quantile(reference_delays, np.arange(1, 10) / 10, method="inverted_cdf"))
bins = len(edges) + 1
reference_share = np.bincount(np.searchsorted(edges, reference_delays, side="left"), minlength=bins) / len(reference_delays)
current_share = np.bincount(np.searchsorted(edges, current_delays, side="left"), minlength=bins) / len(current_delays)
answer_1 = float(np.sum((current_share - reference_share) * np.log(current_share / reference_share)))
print(answer_1, psi(january.dep_delay, july.dep_delay))
''',
    "04_drift_statistics.2": '''
answer_2 = wasserstein(january.dep_delay, july.dep_delay, normalised=False)
print(answer_2, july.dep_delay.mean() - january.dep_delay.mean(), wasserstein(january.dep_delay, july.dep_delay))
''',
    "04_drift_statistics.3": '''
with tempfile.TemporaryDirectory() as folder:
    january_csv = Path(folder) / "january.csv"
    january[features].to_csv(january_csv, index=False)
    answer_3 = Profile.from_csv(january_csv, chunksize=500)
kept = drift_report(answer_3, december, columns=features).table
direct = drift_report(january, december, columns=features).table
print(np.allclose(kept["value"], direct["value"]), kept["drifted"].equals(direct["drifted"]))
print({c: len(answer_3.columns[c].counts) for c in features[:5]}, "buckets for", answer_3.rows, "rows")
''',
    "04_drift_statistics.4": '''
ks_value, ks_p = ks_statistic(january.air_time, july.air_time)
air_distance = wasserstein(january.air_time, july.air_time)
answer_4 = (f"The KS statistic of air_time is {ks_value:.3f} with a p-value of {ks_p:.1e}, so the change is not "
            f"chance, but the mass moved only {air_distance:.3f} standard deviations, below the 0.1 threshold. With "
            "2,500 flights a month a test finds tiny changes; the distance says whether one is large enough to act on.")
''',
    "04_drift_statistics.5": '''
by_bins = pd.DataFrame({"july": [psi(january.dep_delay, july.dep_delay, bins=b) for b in (5, 10, 20, 50)],
                        "no_drift": [psi(january.dep_delay.iloc[::2], january.dep_delay.iloc[1::2], bins=b) for b in (5, 10, 20, 50)]},
                       index=pd.Index([5, 10, 20, 50], name="bins"))
print(by_bins.round(4))
answer_5 = float(by_bins.loc[20, "july"])
''',
}

WRONG = {
    # ten equal-width bins over the joint range, the usual hand-rolled histogram
    "04_drift_statistics.1": '''
reference_delays = january.dep_delay.dropna().to_numpy()
current_delays = july.dep_delay.dropna().to_numpy()
low, high = min(reference_delays.min(), current_delays.min()), max(reference_delays.max(), current_delays.max())
reference_share = np.histogram(reference_delays, bins=10, range=(low, high))[0] / len(reference_delays)
current_share = np.histogram(current_delays, bins=10, range=(low, high))[0] / len(current_delays)
both = (reference_share > 0) & (current_share > 0)
answer_1 = float(np.sum((current_share[both] - reference_share[both]) * np.log(current_share[both] / reference_share[both])))
''',
    # the toolkit's default, normalised by January's standard deviation: not minutes
    "04_drift_statistics.2": '''
answer_2 = wasserstein(january.dep_delay, july.dep_delay)
''',
    # the CSV written with the frame's index: an extra column 'Unnamed: 0' is profiled
    "04_drift_statistics.3": '''
with tempfile.TemporaryDirectory() as folder:
    january_csv = Path(folder) / "january.csv"
    january[features].to_csv(january_csv)
    answer_3 = Profile.from_csv(january_csv, chunksize=500)
''',
    # only the p-value cited, and a drift declared on it
    "04_drift_statistics.4": '''
ks_value, ks_p = ks_statistic(january.air_time, july.air_time)
answer_4 = (f"The KS p-value of air_time is {ks_p:.1e}, far below 0.05, so air_time drifted in July and the "
            "team should raise the alarm and retrain the model.")
''',
    # the default of 10 bins kept
    "04_drift_statistics.5": '''
answer_5 = psi(january.dep_delay, july.dep_delay)
''',
}
