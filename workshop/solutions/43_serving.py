"""Reference solutions for workshop/43_serving.ipynb; instructors only: `ml-design workshop` does not copy this folder."""

SOLUTIONS = {
    "43_serving.1": '''
draft_contract = Schema.infer(X_train, name="flight requests")
failing_checks = draft_contract.validate(X_serve).table
print(failing_checks[["column", "rule", "n_rows", "detail"]])
answer_1 = sorted(set(failing_checks["column"]))
''',
    "43_serving.2": '''
first_rows = to_jsonable(X_serve.head(50))
with serve(model, contract, mode="batch", method="predict_proba") as proba_server, \\
        httpx.Client(trust_env=False, timeout=30) as http:
    replies = [http.post(f"{proba_server.url}/predict", json=first_rows[i:i + 10]).json()["predictions"]
               for i in range(0, 50, 10)]
answer_2 = np.concatenate(replies)[:, 1]
print(f"largest difference from the model in process: {np.abs(answer_2 - model.predict_proba(X_serve.head(50))[:, 1]).max()}")
''',
    "43_serving.3": '''
one_flight = to_jsonable(X_serve.head(1))[0]
with serve(model, contract) as strict_server, httpx.Client(trust_env=False, timeout=30) as http:
    refused = http.post(f"{strict_server.url}/predict", json=[{**one_flight, "dest": one_flight["dest"].lower()}])
answer_3 = (f"The server answers status {refused.status_code} with the reason: {refused.json()['detail']} "
            "The caller learns at once that the dest field is wrong, where the bare model would encode the unknown "
            "airport as no airport and return a prediction nobody could tell from a real one.")
''',
    "43_serving.4": '''
costly = DelayedModel(model, delay_ms=20)
by_mode = {}
for serving_mode in ("single", "batch"):
    with serve(costly, contract, mode=serving_mode) as costly_server:
        measured = load_test(costly_server.url, X_serve, concurrency=(8,), requests=16).table.iloc[0]
        by_mode[serving_mode] = (measured["throughput_rps"], costly_server.stats["model_calls"])
answer_4 = (f"One request per call made {by_mode['single'][1]} model calls for eight clients, micro-batching "
            f"{by_mode['batch'][1]}, so the fixed 20 ms was paid less often (throughput {by_mode['single'][0]:.1f} against "
            f"{by_mode['batch'][0]:.1f} requests a second in this run). A lone client only waits for company, so the wait "
            "is worth it when requests arrive together often enough to fill batches.")
''',
}

WRONG = {
    # the labels served (predict) instead of the probabilities
    "43_serving.2": '''
first_rows = to_jsonable(X_serve.head(50))
with serve(model, contract, mode="batch") as label_server, httpx.Client(trust_env=False, timeout=30) as http:
    answer_2 = np.concatenate([http.post(f"{label_server.url}/predict", json=first_rows[i:i + 10]).json()["predictions"]
                               for i in range(0, 50, 10)])
''',
    # the training rows validated: the draft accepts them all
    "43_serving.1": '''
answer_1 = sorted(set(Schema.infer(X_train, name="flight requests").validate(X_train).table["column"]))
''',
    # reasoned from the model in process, which answers whatever it is given
    "43_serving.3": '''
in_process = model.predict(X_serve.head(1))[0]
answer_3 = (f"The model answers {in_process} for this flight in process, so the server would answer a prediction "
            "for the lower-case airport as well, and the caller would get a normal answer.")
''',
    # one timing read as the verdict, in one line
    "43_serving.4": '''
with serve(DelayedModel(model, delay_ms=20), contract, mode="batch") as costly_server:
    batch_p50 = load_test(costly_server.url, X_serve, concurrency=(8,), requests=16).table["p50_ms"].iloc[0]
answer_4 = f"Batching: {batch_p50:.0f} ms, faster."
''',
}
