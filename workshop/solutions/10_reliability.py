"""Reference solutions for workshop/10_reliability.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "10_reliability.1": '''
stressed = stress_test(boosted, X_test, y_test, rates=[0, 0.2], random_state=0).table
at_20 = stressed[stressed["rate"] == 0.2]
answer_1 = at_20.loc[(at_20["error"] == "") & (at_20["change"] < -0.02), "fault"].tolist()
''',
    "10_reliability.2": '''
linear = make_pipeline(
    make_column_transformer((make_pipeline(SimpleImputer(), StandardScaler()), numeric),
                            (OneHotEncoder(handle_unknown="ignore"), categorical)),
    LogisticRegression(max_iter=1000)).fit(X_train, y_train)
outlier_change = {name: stress_test(model, X_test, y_test, faults=["outlier"], rates=[0, 0.2], random_state=0)
                  .table["change"].iloc[-1] for name, model in [("logistic", linear), ("boosted", boosted)]}
answer_2 = (f"With 20% outliers the logistic regression's ROC AUC changes by {outlier_change['logistic']:.3f} and the "
            f"boosted trees' by {outlier_change['boosted']:.3f}. The linear model is the fragile one: it multiplies "
            "an extreme value by its coefficient and extrapolates, while a tree sends it to its last split.")
''',
    "10_reliability.3": '''
schema = Schema.infer(X_train, tolerance=0.1)
for spec in schema.columns.values():
    spec.nullable = True
guard = GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
                     schema=schema).fit(X_train, y_train)
guard.predict(inject(X_test, "unit_error", 0.1, columns=["lvrat"], random_state=0))
answer_3 = guard.counts_["fallback"] / guard.counts_["rows"]
''',
    "10_reliability.4": '''
guard = GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
                     schema=schema).fit(X_train, y_train)
answer_4 = None
for number, start in enumerate(range(0, len(X_test), 60)):
    request = X_test.iloc[start:start + 60]
    if number >= 10:
        request = inject(request, "unit_error", min(1.0, 0.05 * (number - 9)), columns=["lvrat"], size=100, random_state=number)
    before = dict(guard.counts_)
    guard.predict(request)
    request_share = (guard.counts_["fallback"] - before["fallback"]) / (guard.counts_["rows"] - before["rows"])
    if request_share > 0.2 and answer_4 is None:
        answer_4 = number
''',
}

WRONG = {
    # every fault with a warning finding: the loud wrong_type crash counted as silent
    "10_reliability.1": '''
answer_1 = sorted({f.evidence["fault"] for f in stress_test(boosted, X_test, y_test, rates=[0, 0.2],
                                                            random_state=0).findings if f.severity == "warn"})
''',
    # the scores instead of their changes
    "10_reliability.2": '''
scores = stress_test(boosted, X_test, y_test, faults=["outlier"], rates=[0, 0.2], random_state=0).table["score"]
answer_2 = f"The boosted model scores {scores.iloc[-1]:.3f} with outliers, so outliers barely matter to any model here."
''',
    # the number of rows instead of their share
    "10_reliability.3": '''
schema = Schema.infer(X_train, tolerance=0.1)
for spec in schema.columns.values():
    spec.nullable = True
guard = GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
                     schema=schema).fit(X_train, y_train)
guard.predict(inject(X_test, "unit_error", 0.1, columns=["lvrat"], random_state=0))
answer_3 = guard.counts_["fallback"]
''',
    # the running share since fit, which lags the fault
    "10_reliability.4": '''
guard = GuardedModel(HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0),
                     schema=schema).fit(X_train, y_train)
answer_4 = None
for number, start in enumerate(range(0, len(X_test), 60)):
    request = X_test.iloc[start:start + 60]
    if number >= 10:
        request = inject(request, "unit_error", min(1.0, 0.05 * (number - 9)), columns=["lvrat"], size=100, random_state=number)
    guard.predict(request)
    if guard.counts_["fallback"] / guard.counts_["rows"] > 0.2 and answer_4 is None:
        answer_4 = number
''',
}
