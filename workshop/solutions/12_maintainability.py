"""Reference solutions for workshop/12_maintainability.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "12_maintainability.1": '''
print(check_reproducible(train_sgd, test[features]).reproducible, unseeded_parameters(train_sgd()))

def train_sgd_fixed(random_state=0):
    part, _ = train_test_split(train, test_size=0.2, random_state=random_state)
    categories = ["carrier", "origin"]
    encoder = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), categories), remainder=StandardScaler())
    model = make_pipeline(encoder, SGDClassifier(loss="log_loss", random_state=random_state))
    return model.fit(part[features], part["late"])

answer_1 = train_sgd_fixed
''',
    "12_maintainability.2": '''
def same_data(a, b):
    return fingerprint(a, order_sensitive=False) == fingerprint(b, order_sensitive=False)

answer_2 = same_data
''',
    "12_maintainability.3": '''
with tempfile.TemporaryDirectory() as folder:  # the registry is removed when the block ends
    registry = ModelRegistry(Path(folder) / "registry")
    january = train[train["month"] == 1]
    for data in (train, january):
        model = late_model().fit(data[features], data["late"])
        test_auc = roc_auc_score(test["late"], model.predict_proba(test[features])[:, 1])
        registry.register(model, "late", data=data[features], metrics={"roc_auc": test_auc})
    versions = registry.table()
    answer_3 = int(versions.loc[versions["roc_auc"].idxmax(), "version"])
    serving = registry.load("late", answer_3)
''',
    "12_maintainability.4": '''
answer_4 = ("A global seed makes one run repeatable only while the sequence of random calls never changes: add a "
            "split or a model and every later draw moves. Explicit random_state on each estimator and split survives "
            "such edits. No seed pins the data or the library versions, so the manifest keeps the data fingerprint "
            "and the versions.")
''',
}

WRONG = {
    # the classifier seeded, the random split forgotten
    "12_maintainability.1": '''
def train_sgd_fixed(random_state=0):
    part, _ = train_test_split(train, test_size=0.2)
    encode = make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["carrier", "origin"]),
                                     remainder=StandardScaler())
    model = make_pipeline(encode, SGDClassifier(loss="log_loss", random_state=random_state))
    return model.fit(part[features], part["late"])

answer_1 = train_sgd_fixed
''',
    # an order-sensitive fingerprint: the same rows shuffled are refused
    "12_maintainability.2": '''
answer_2 = lambda a, b: fingerprint(a) == fingerprint(b)
''',
    # the latest version, whatever its metric
    "12_maintainability.3": '''
with tempfile.TemporaryDirectory() as folder:
    registry = ModelRegistry(Path(folder) / "registry")
    for data in (train, train[train["month"] == 1]):
        registry.register(late_model().fit(data[features], data["late"]), "late", data=data[features])
    answer_3 = int(registry.table()["version"].max())
''',
    # too short to discuss
    "12_maintainability.4": '''
answer_4 = "Yes, that is enough."
''',
}
