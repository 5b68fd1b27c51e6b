"""Reference solutions for workshop/24_glue_code.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "24_glue_code.1": '''
found = training_serving_skew(training_features, serving_features, serve)
found.table[["feature", "share_differing", "max_abs_difference"]]
answer_1 = found.skewed
''',
    "24_glue_code.2": '''
def serving_features_fixed(rows):
    new_york_time = rows["time_hour"].dt.tz_convert("America/New_York")  # the hour and the month are New York's
    origin_codes = pd.Categorical(rows["origin"].astype(str), categories=ORIGINS).codes  # the training order
    kilometres = rows["distance"] * 1.609344  # the exact factor, not 1.6
    return pd.DataFrame({"hour": new_york_time.dt.hour, "month": new_york_time.dt.month, "origin": origin_codes,
                         "distance_km": kilometres}, index=rows.index)

answer_2 = serving_features_fixed
''',
    "24_glue_code.3": '''
draft_audit = pipeline_audit(draft, raw_rows=serve[columns])
from sklearn.base import clone
fixed_pipeline = clone(draft).set_params(columntransformer__log_distance=FunctionTransformer(np.log1p),
                                         randomforestclassifier__random_state=0)
fixed_pipeline.fit(train[columns], train["late"])
answer_3 = fixed_pipeline
''',
    "24_glue_code.4": '''
requests = serve.iloc[:50]
batch_skew = training_serving_skew(standardise, one_request_at_a_time(standardise), requests)
scaler = StandardScaler().set_output(transform="pandas").fit(train[["distance"]])
scaled = lambda rows: scaler.transform(rows[["distance"]])
fixed_skew = training_serving_skew(scaled, one_request_at_a_time(scaled), requests)
missing = batch_skew.table.set_index("feature").loc["distance", "one_side_missing"]
answer_4 = (f"{missing} of the 50 single requests get a missing value: a lone row has no standard deviation, so the "
            "batch statistic cannot be computed one request at a time. A StandardScaler fitted on the training rows "
            f"gives each request the same value alone or in a batch (skew free: {fixed_skew.skew_free}).")
''',
}

WRONG = {
    # only the features that differ on most rows: the month, wrong on a few rows, is missed
    "24_glue_code.1": '''
found = training_serving_skew(training_features, serving_features, serve)
answer_1 = found.table.loc[found.table["share_differing"] > 0.5, "feature"].tolist()
''',
    # the hour fixed, the month left in UTC (and the other bugs)
    "24_glue_code.2": '''
def half_fixed(rows):
    hour = rows["time_hour"].dt.tz_convert("America/New_York").dt.hour
    return serving_features(rows).assign(hour=hour)

answer_2 = half_fixed
''',
    # seeded, but the lambda is still session code that no serving process can load
    "24_glue_code.3": '''
answer_3 = make_pipeline(
    ColumnTransformer([("log_distance", FunctionTransformer(lambda x: np.log1p(x)), ["distance"]),
                       ("origin", OneHotEncoder(handle_unknown="ignore"), ["origin"])], remainder="passthrough"),
    RandomForestClassifier(n_estimators=20, min_samples_leaf=20, n_jobs=1, random_state=0)).fit(train[columns], train["late"])
''',
    # a judgement without its figure
    "24_glue_code.4": '''
answer_4 = ("Single requests do not get the same values as the batch, because the mean and the standard deviation "
            "are computed from the rows at hand; a scaler fitted once on the training rows fixes it.")
''',
}
