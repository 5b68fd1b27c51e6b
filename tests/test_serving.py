"""serving: the HTTP model server (both modes), its answers to bad requests, and the bounded load generator.

Every server is started in a `with` block (or a fixture that wraps one), so it is stopped even when a test fails.
No test checks a wall-clock threshold: timings are only compared with other timings of the same run.
"""
import asyncio
import json
import sys

import httpx
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from ml_design.baselines import feature_frame, ladder_models
from ml_design.contracts import Schema
from ml_design.core import InputError, MLDesignError, to_jsonable
from ml_design.datasets import load_flights
from ml_design.serving import DelayedModel, ModelServer, compare_serving, load_test, serve
from ml_design.serving import _Rejected, _rows_frame, _serving_schema

COLUMNS = ["month", "day", "hour", "minute", "distance", "sched_arr_time", "carrier", "origin", "dest"]


@pytest.fixture(scope="module")
def flights():
    frame, _ = load_flights(n_rows=3000, random_state=0)
    X, y = feature_frame(frame[COLUMNS]), frame["late"]
    serving = np.arange(len(X)) % 3 == 0  # every third flight is a request, the others train the model
    X_train, X_serve = X[~serving], X[serving]
    model = ladder_models(X_train, "classification", random_state=0)["linear model"].fit(X_train, y[~serving])
    X_serve = X_serve[~Schema.infer(X_train).validate(X_serve).row_mask]  # the requests the inferred contract accepts
    assert len(X_serve) > 900
    return model, X_train, X_serve


@pytest.fixture(scope="module", params=["single", "batch"])
def server(request, flights):
    model, X_train, _ = flights
    with serve(model, X_train, mode=request.param, max_wait_ms=2) as running:
        yield running


@pytest.fixture
def client():
    with httpx.Client(trust_env=False, timeout=20) as http:
        yield http


def rows_json(frame):
    return to_jsonable(frame)


def post(client, server, body: bytes):
    return client.post(f"{server.url}/predict", content=body, headers={"content-type": "application/json"})


def test_predictions_match_the_model_in_process(server, client, flights):
    model, _, X_serve = flights
    answer = client.post(f"{server.url}/predict", json=rows_json(X_serve.head(25)))
    assert answer.status_code == 200
    assert answer.json()["predictions"] == model.predict(X_serve.head(25)).tolist()
    health = client.get(f"{server.url}/health").json()
    assert health["status"] == "ok" and health["mode"] == server.mode and health["columns"] == COLUMNS


def bad_bodies(X_serve):
    good = rows_json(X_serve.head(2))
    one = good[0]
    return {
        "malformed JSON": b'[{"month": 1,',
        "not JSON at all": b"\xff\xfe not text",
        "an object, not a list": json.dumps(one).encode(),
        "a number": b"3",
        "empty batch": b"[]",
        "a row that is not an object": json.dumps([one, [1, 2, 3]]).encode(),
        "missing field": json.dumps([{k: v for k, v in one.items() if k != "carrier"}]).encode(),
        "missing field in the second row": json.dumps([one, {k: v for k, v in one.items() if k != "hour"}]).encode(),
        "extra field": json.dumps([{**one, "tailnum": "N14228"}]).encode(),
        "text for a number": json.dumps([{**one, "distance": "far"}]).encode(),
        "boolean for a number": json.dumps([{**one, "hour": True}]).encode(),
        "fraction for a whole number": json.dumps([{**one, "month": 1.5}]).encode(),
        "array for a value": json.dumps([{**one, "dest": ["LAX"]}]).encode(),
        "object for a value": json.dumps([{**one, "dest": {"code": "LAX"}}]).encode(),
        "unknown category": json.dumps([{**one, "origin": "BOS"}]).encode(),
        "null where none is allowed": json.dumps([{**one, "distance": None}]).encode(),
        "out of range": json.dumps([{**one, "month": 13}]).encode(),
        "infinity": b'[' + json.dumps(one).encode()[:-1] + b', "distance": Infinity}]',
    }


@pytest.mark.parametrize("case", list(bad_bodies(pd.DataFrame({c: [0] for c in COLUMNS})).keys()))
def test_bad_requests_get_a_4xx_with_one_line_and_the_server_keeps_serving(server, client, flights, case):
    model, _, X_serve = flights
    before = server.stats
    answer = post(client, server, bad_bodies(X_serve)[case])
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    detail = answer.json()["detail"]
    assert detail and "\n" not in detail and "Traceback" not in detail
    after = client.post(f"{server.url}/predict", json=rows_json(X_serve.head(3)))
    assert after.status_code == 200 and after.json()["predictions"] == model.predict(X_serve.head(3)).tolist()
    after_stats = server.stats
    assert after_stats["rejected"] == before["rejected"] + 1 and after_stats["failed"] == 0
    assert after_stats["answered"] == before["answered"] + 1


def test_contract_violations_get_422_with_the_schemas_message(server, client, flights):
    _, X_train, X_serve = flights
    one = rows_json(X_serve.head(1))[0]
    answer = post(client, server, json.dumps([one, {**one, "distance": "far"}]).encode())
    assert answer.status_code == 422
    expected = Schema.infer(X_train).validate(pd.DataFrame([one, {**one, "distance": "far"}])).findings[0].message
    assert answer.json()["detail"] == expected  # the schema's own words, with the row within the request
    assert answer.json()["detail"].startswith("distance: type rule broken by 1 row(s)")


def test_a_10_mb_body_gets_413_and_the_server_keeps_serving(server, client, flights):
    _, _, X_serve = flights
    one = rows_json(X_serve.head(1))
    body = json.dumps(one * (10 * 2**20 // len(json.dumps(one)) + 1)).encode()
    assert len(body) > 10 * 2**20
    answer = post(client, server, body)
    assert answer.status_code == 413
    assert "over the 1,048,576-byte limit" in answer.json()["detail"]
    assert client.post(f"{server.url}/predict", json=one).status_code == 200


def test_a_chunked_body_over_the_limit_gets_413(flights, client):
    model, X_train, X_serve = flights
    one = json.dumps(rows_json(X_serve.head(1))).encode()
    def chunks():
        yield b"["
        for _ in range(400):
            yield one[1:-1] + b","
        yield one[1:]
    with serve(model, X_train, max_body_bytes=20_000) as running:
        answer = client.post(f"{running.url}/predict", content=chunks())  # no content-length: counted while read
        assert answer.status_code == 413 and "20,000-byte limit" in answer.json()["detail"]
        assert client.post(f"{running.url}/predict", content=one).status_code == 200


async def _post_all(url: str, bodies: list) -> list:
    async with httpx.AsyncClient(trust_env=False, timeout=30) as http:
        return await asyncio.gather(*(http.post(f"{url}/predict", content=b, headers={"content-type": "application/json"})
                                      for b in bodies))


def test_micro_batching_answers_each_request_with_its_own_rows(flights):
    model, X_train, X_serve = flights
    slow = DelayedModel(model, delay_ms=30)  # calls are slow, so concurrent requests queue and share calls
    requests = [X_serve.iloc[i:i + 1 + i % 3] for i in range(0, 120, 4)]  # 1 to 3 rows each, all different
    bodies = [json.dumps(rows_json(r)).encode() for r in requests]
    with serve(slow, X_train, mode="batch", max_batch=16, max_wait_ms=20, method="predict_proba") as running:
        answers = asyncio.run(_post_all(running.url, bodies))
        stats = running.stats
    for frame, answer in zip(requests, answers):
        assert answer.status_code == 200
        np.testing.assert_allclose(answer.json()["predictions"], model.predict_proba(frame), rtol=1e-12)
    assert stats["model_calls"] < len(requests)  # requests were batched
    assert 1 < stats["max_rows_per_call"] <= 16  # and no batch exceeded max_batch
    assert stats["rows_scored"] == sum(len(r) for r in requests)


def test_a_bad_request_in_a_batch_gets_its_own_422_and_the_rest_are_answered(flights):
    model, X_train, X_serve = flights
    good = [rows_json(X_serve.iloc[i:i + 1]) for i in range(12)]
    bad = [{**good[3][0], "distance": "far"}]
    bodies = [json.dumps(rows).encode() for rows in good[:6]] + [json.dumps(bad).encode()] + \
             [json.dumps(rows).encode() for rows in good[6:]]
    with serve(DelayedModel(model, delay_ms=30), X_train, mode="batch", max_wait_ms=20) as running:
        answers = asyncio.run(_post_all(running.url, bodies))
        stats = running.stats
    statuses = [a.status_code for a in answers]
    assert statuses == [200] * 6 + [422] + [200] * 6
    assert answers[6].json()["detail"].startswith("distance: type rule broken by 1 row(s)")
    assert "row 0" in answers[6].json()["detail"]  # row numbers within the request, not within the batch
    for rows, answer in zip(good[:6] + good[6:], answers[:6] + answers[7:]):
        assert answer.json()["predictions"] == model.predict(pd.DataFrame(rows).astype(X_serve.dtypes)).tolist()
    assert stats["rejected"] == 1 and stats["answered"] == 12


def test_a_request_larger_than_max_batch_is_scored_alone(flights, client):
    model, X_train, X_serve = flights
    with serve(model, X_train, mode="batch", max_batch=8) as running:
        answer = client.post(f"{running.url}/predict", json=rows_json(X_serve.head(50)))
        assert answer.json()["predictions"] == model.predict(X_serve.head(50)).tolist()
        assert running.stats["max_rows_per_call"] == 50 and running.stats["model_calls"] == 1


def test_a_model_that_fails_on_valid_rows_gets_a_one_line_500(flights, client):
    model, X_train, X_serve = flights
    broken = DelayedModel(model, delay_ms=-1)  # its predict raises: a server fault, not the client's
    for mode in ("single", "batch"):
        with serve(broken, X_train, mode=mode) as running:
            answer = client.post(f"{running.url}/predict", json=rows_json(X_serve.head(2)))
            assert answer.status_code == 500
            assert answer.json()["detail"].startswith("the model failed on rows that meet the contract: InputError")
            assert "\n" not in answer.json()["detail"] and running.stats["failed"] == 1


def test_the_server_stops_when_the_block_raises(flights):
    model, X_train, _ = flights
    with pytest.raises(RuntimeError, match="boom"):
        with serve(model, X_train) as running:
            url = running.url
            assert running.running
            raise RuntimeError("boom")
    assert not running.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health", timeout=2, trust_env=False)
    running.close()  # closing twice is harmless


def test_ephemeral_ports_do_not_collide_and_a_taken_port_is_refused(flights):
    model, X_train, _ = flights
    with serve(model, X_train) as first, serve(model, X_train, mode="batch") as second:
        assert first.port != second.port and first.port > 0
        with pytest.raises(InputError, match="expected a free port"):
            serve(model, X_train, port=first.port)


def test_schema_arguments(flights, client):
    model, X_train, X_serve = flights
    with pytest.raises(InputError, match="Pass schema=X_train"):
        serve(model)
    with pytest.raises(InputError, match=r"a schema without \['dest'\]"):
        serve(model, Schema.infer(X_train.drop(columns="dest")))
    with pytest.raises(InputError, match="expected a contracts.Schema, a sample DataFrame or None"):
        serve(model, {"month": "int"})
    lenient = Schema.infer(X_train, allow_extra_columns=True)
    with serve(model, lenient) as running:
        one = rows_json(X_serve.head(1))[0]
        answer = client.post(f"{running.url}/predict", json=[{**one, "tailnum": "N14228"}])
        assert answer.status_code == 200 and answer.json()["predictions"] == model.predict(X_serve.head(1)).tolist()


@pytest.mark.parametrize("kwargs, message", [
    ({"host": "0.0.0.0"}, "expected a loopback address"),
    ({"mode": "stream"}, "expected one of ['single', 'batch']"),
    ({"max_batch": 0}, "max_batch: expected a positive whole number"),
    ({"max_wait_ms": -1}, "max_wait_ms: expected a number of milliseconds from 0 to 10,000"),
    ({"port": 70000}, "port: expected a port number"),
    ({"workers": 0}, "workers: expected a positive number of threads"),
    ({"method": "transform"}, "method: expected a method of Pipeline"),
])
def test_serve_refuses_bad_arguments(flights, kwargs, message):
    model, X_train, _ = flights
    with pytest.raises(InputError) as error:
        serve(model, X_train, **kwargs)
    assert message in str(error.value)


def test_serve_refuses_an_unfitted_model(flights):
    _, X_train, _ = flights
    with pytest.raises(InputError, match="an unfitted Pipeline"):
        serve(ladder_models(X_train, "classification")["linear model"], X_train)
    with pytest.raises(InputError, match="an unfitted DelayedModel"):
        serve(DelayedModel(ladder_models(X_train, "classification")["linear model"]), X_train)


def test_a_request_is_read_with_the_training_dtypes_and_bad_bodies_are_refused(flights):
    model, X_train, X_serve = flights
    schema, columns = _serving_schema(model, X_train)
    rows = _rows_frame(json.dumps(to_jsonable(X_serve.head(2))).encode(), schema, columns)
    assert list(rows.dtypes.astype(str)) == list(X_train.dtypes.astype(str))  # the training dtypes, categories included
    np.testing.assert_array_equal(model.predict(rows), model.predict(X_serve.head(2)))

    def rejected(body: bytes) -> tuple:
        with pytest.raises(_Rejected) as error:
            _rows_frame(body, schema, columns)
        return error.value.status, error.value.message
    one = to_jsonable(X_serve.head(1))[0]
    assert rejected(b"[{")[0] == 400
    assert rejected(b"[]") == (422, "expected at least one row, received an empty list")
    assert "unexpected field(s) ['colour']" in rejected(json.dumps([{**one, "colour": 1}]).encode())[1]
    assert rejected(json.dumps([{**one, "distance": "far"}]).encode())[1].startswith("distance: type rule")
    with pytest.raises(InputError, match="Pass schema=X_train"):
        _serving_schema(model, None)
    with pytest.raises(InputError, match=r"expected columns \['dest'\]"):
        _serving_schema(model, X_train.drop(columns="dest"))


def test_missing_serve_extra_names_the_install_command(flights, monkeypatch):
    model, X_train, X_serve = flights
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now raises ImportError
    with pytest.raises(MLDesignError, match=r'pip install "ml-design\[serve\]"'):
        serve(model, X_train)
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(MLDesignError, match=r'pip install "ml-design\[serve\]"'):
        load_test("http://127.0.0.1:9", X_serve.head(2))


@pytest.mark.parametrize("url", ["http://example.com", "http://192.168.1.10:8000", "https://8.8.8.8/predict",
                                 "ftp://127.0.0.1/predict", "http://127.0.0.1.example.com", "http://localhost@example.com/",
                                 "127.0.0.1:8000"])
def test_load_test_refuses_anything_but_loopback(url, flights):
    with pytest.raises(InputError, match="only loads servers on this machine"):
        load_test(url, flights[2].head(2))


def test_load_test_refuses_bad_arguments(flights):
    X_serve = flights[2]
    url = "http://127.0.0.1:9"
    with pytest.raises(InputError, match="url: expected the address"):
        load_test(9, X_serve)
    with pytest.raises(InputError, match="distinct levels in increasing order"):
        load_test(url, X_serve, concurrency=(4, 4))
    with pytest.raises(InputError, match="concurrency: expected positive integers"):
        load_test(url, X_serve, concurrency=(0, 2))
    with pytest.raises(InputError, match="concurrency: expected a list"):
        load_test(url, X_serve, concurrency=())
    with pytest.raises(InputError, match="duration_s: expected a positive number"):
        load_test(url, X_serve, duration_s=0)
    with pytest.raises(InputError, match="rows: expected a DataFrame or a non-empty list"):
        load_test(url, "rows")
    with pytest.raises(InputError, match="rows_per_request: expected at most the 2 rows"):
        load_test(url, X_serve.head(2), rows_per_request=3)
    with pytest.raises(InputError, match="requests: expected a positive number"):
        load_test(url, X_serve, requests=0)


def test_load_test_counts_and_littles_law(flights):
    model, X_train, X_serve = flights
    with serve(DelayedModel(model, delay_ms=10), X_train) as running:
        result = load_test(running.url, X_serve, concurrency=(1, 4), requests=24, rows_per_request=2, duration_s=60,
                           timeout_s=30)  # a busy machine is slow, not broken: no level may stop by time
        stats = running.stats
    table = result.table
    assert table["sent"].tolist() == [24, 24] and table["answered"].tolist() == [24, 24]
    assert table["errors"].sum() == 0 and (table["stopped_by"] == "requests").all()
    assert stats["answered"] == 48 + 1 + 4  # the timed requests and one untimed round per level
    assert stats["rows_scored"] == 2 * stats["answered"]
    np.testing.assert_allclose(table["throughput_rps"], table["answered"] / table["seconds"])
    np.testing.assert_allclose(table["rows_per_s"], 2 * table["throughput_rps"])
    # closed loop: mean latency = clients / throughput (Little's law) when no client idles, and never more, since no
    # client waits longer in all than the level lasts: a bound no load can break
    assert (table["mean_ms"] / 1e3 <= table["concurrency"] / table["throughput_rps"] * (1 + 1e-9)).all()
    # one model worker, 10 ms of sleep a call: one client waits for one call, four queue behind each other
    assert table["p50_ms"].iloc[0] >= 10 and table["p50_ms"].iloc[1] > table["p50_ms"].iloc[0]
    assert all((table[a] <= table[b]).all() for a, b in [("p50_ms", "p95_ms"), ("p95_ms", "p99_ms"), ("p99_ms", "max_ms")])
    json.dumps(result.to_dict())
    assert result.plot() is not None


def test_load_test_stops_at_the_time_cap_and_counts_timeouts(flights):
    model, X_train, X_serve = flights
    with serve(DelayedModel(model, delay_ms=100), X_train) as running:
        capped = load_test(running.url, X_serve, concurrency=(1,), requests=10_000, duration_s=0.5, timeout_s=5)
    assert capped.table["stopped_by"].tolist() == ["time"] and capped.table["sent"].iloc[0] < 100
    assert any("hit the time cap" in f.message for f in capped.findings)
    with serve(DelayedModel(model, delay_ms=600), X_train) as running:
        late = load_test(running.url, X_serve, concurrency=(2,), requests=2, timeout_s=0.2)
    assert late.table["answered"].tolist() == [0] and late.errors[2] == {"timeout": 2}
    assert late.severity == "fail"


def test_load_test_against_no_server_fails_cleanly():
    frame, _ = load_flights(n_rows=50, random_state=0)
    result = load_test("http://127.0.0.1:9", frame[COLUMNS].head(5), concurrency=(1, 2), requests=3, timeout_s=1)
    assert result.table["answered"].tolist() == [0, 0] and result.table["errors"].tolist() == [3, 3]
    assert result.severity == "fail"


def test_compare_serving_orders_the_modes_for_a_model_with_a_fixed_cost(flights):
    model, X_train, X_serve = flights
    slow = DelayedModel(model, delay_ms=25)
    comparison = compare_serving(slow, X_serve, schema=X_train, concurrency=(1, 8), requests=24, max_wait_ms=5, duration_s=60,
                                 timeout_s=30)
    by = comparison.table.set_index(["mode", "concurrency"])
    # one worker sleeping 25 ms a call answers at most 40 calls a second, whatever the load; batch mode shares the calls
    assert (by.loc["single", "throughput_rps"] <= 1000 / 25 * (1 + 1e-9)).all()
    assert by.loc[("batch", 8), "throughput_rps"] > by.loc[("single", 8), "throughput_rps"]
    assert by.loc[("batch", 8), "p50_ms"] < by.loc[("single", 8), "p50_ms"]  # medians: one late request cannot flip them
    assert (by.loc["single", "rows_per_call"] == 1).all() and by.loc[("batch", 8), "rows_per_call"] > 1
    assert comparison.knee == 8 and comparison.table["errors"].sum() == 0
    ratios = comparison.ratios
    np.testing.assert_allclose(ratios.loc[8, "throughput_rps batch/single"],
                               by.loc[("batch", 8), "throughput_rps"] / by.loc[("single", 8), "throughput_rps"])
    assert comparison.findings[0].message.startswith(f"Micro-batching pays from {comparison.knee} concurrent clients")
    json.dumps(comparison.to_dict())
    for kind in ("throughput", "latency"):
        assert comparison.plot(kind=kind) is not None
    with pytest.raises(InputError, match="kind: expected one of"):
        comparison.plot(kind="cost")


def test_delayed_model_delegates_and_clones(flights):
    model, X_train, X_serve = flights
    wrapped = DelayedModel(model, delay_ms=0)
    np.testing.assert_array_equal(wrapped.predict(X_serve), model.predict(X_serve))
    np.testing.assert_array_equal(wrapped.classes_, model.classes_)
    copy = clone(DelayedModel(ladder_models(X_train, "classification")["linear model"], delay_ms=1))
    assert copy.get_params()["delay_ms"] == 1
    y = model.predict(X_train)  # any labels will do: the clone must learn from what it is given
    np.testing.assert_array_equal(copy.fit(X_train, y).predict(X_serve),
                                  clone(model).fit(X_train, y).predict(X_serve))


def test_model_server_repr_and_url(flights):
    model, X_train, _ = flights
    with serve(model, X_train, host="::1") as running:
        assert running.url.startswith("http://[::1]:")
        assert httpx.get(f"{running.url}/health", trust_env=False, timeout=10).json()["status"] == "ok"
        assert "running" in repr(running) and isinstance(running, ModelServer)
    assert "stopped" in repr(running)


# Issue 15: the delayed stand-in refuses hostile rows and options with an InputError, and never sleeps unbounded.
def _delayed():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).astype(int)
    return X, y, DelayedModel(make_pipeline(StandardScaler(), LogisticRegression()), delay_ms=0).fit(X, y)


@pytest.mark.parametrize("bad", ["not a frame", "empty", "dup", "lists", "nan", "inf", "other columns"])
def test_delayed_model_refuses_bad_rows(bad):
    X, y, model = _delayed()
    rows = {"not a frame": "not a frame", "empty": X.iloc[:0], "dup": X.set_axis(["a", "a", "c"], axis=1),
            "lists": X.assign(a=[[1]] * len(X)), "nan": X.assign(a=np.nan), "inf": X.assign(a=np.inf),
            "other columns": X.rename(columns={"a": "<script>"})}[bad]
    for call in (model.predict, model.predict_proba):
        with pytest.raises(InputError, match="expected"): call(rows)
    if bad not in ("other columns",):
        with pytest.raises(InputError): clone(model).fit(rows, y)


def test_delayed_model_refuses_unbounded_or_missing_delays():
    X, y, model = _delayed()
    for delay in (float("nan"), pd.NA, True, 1e308, -1):
        with pytest.raises(InputError): clone(model).set_params(delay_ms=delay).fit(X, y).predict(X)
    assert clone(model).set_params(delay_ms=np.float32(0)).fit(X, y).predict(X).shape == (60,)


def test_serve_refuses_a_batch_wait_beyond_ten_seconds(flights):
    model, X_train, _ = flights
    for wait in (1e308, float("inf"), 10_001):
        with pytest.raises(InputError, match="max_wait_ms"): serve(model, X_train, mode="batch", max_wait_ms=wait)
