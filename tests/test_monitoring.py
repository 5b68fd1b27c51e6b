"""Monitor: a store that survives SIGKILL, concurrent writers that lose nothing, clear errors on foreign files, and its
statistics checked against scikit-learn, numpy and a Profile of all the rows."""
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mean_absolute_error, roc_auc_score

from ml_design.core import InputError, IntegrityError, is_result
from ml_design.datasets import load_flights
from ml_design.drift import Profile, drift_report
from ml_design.monitoring import AlertRule, Monitor, monitor_alerts
from ml_design.monitoring import _chunk_profile, _from_blob, _id_array, _to_blob, _with_predictions


def stored32(outputs) -> np.ndarray:
    "Probabilities as the store keeps them: each rounded to a 32-bit float, read back as a 64-bit one."
    return np.asarray(outputs, dtype=float).astype(np.float32).astype(float)

FEATURES = ["hour", "distance", "carrier"]
DEADLINE = 120  # seconds any subprocess may take before the test stops it and fails


@pytest.fixture(scope="module")
def flights():
    frame, _ = load_flights(n_rows=6_000, random_state=1)
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def model(flights):
    return LogisticRegression(solver="liblinear").fit(flights[["hour", "distance"]], flights["late"])


def writer_script(path, writer: int, batches: int, rows: int, flush_rows: int, report_commits: bool) -> str:
    "A child process that records `batches` batches of `rows` flights-like rows, one day per batch."
    return textwrap.dedent(f"""
        import sys
        import numpy as np, pandas as pd
        from ml_design.monitoring import Monitor
        rng = np.random.default_rng({writer})
        monitor = Monitor(None, {FEATURES!r}, path={str(path)!r}, window="D", flush_rows={flush_rows})
        for batch in range({batches}):
            frame = pd.DataFrame({{"hour": rng.integers(5, 23, {rows}), "distance": rng.integers(100, 3000, {rows}),
                                  "carrier": rng.choice(["UA", "AA", "B6"], {rows})}})
            ids = np.arange({rows}) + batch * {rows} + {writer} * 10_000_000
            at = pd.Timestamp("2013-01-01", tz="UTC") + pd.Timedelta(days=batch)
            monitor.record_batch(frame, rng.random({rows}), 0.001, request_ids=ids, at=at)
            if {report_commits}:
                monitor.flush()
                print(at.strftime("%Y-%m-%dT%H:%M:%S"), flush=True)
        monitor.close()
    """)


def run_child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "ML_DESIGN_QUIET": "1"})


def stop(process: subprocess.Popen):
    "Kill `process` if it still runs, and reap it (bounded)."
    if process.poll() is None:
        process.kill()
    try: process.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired: pass


@pytest.mark.parametrize("commits_before_kill", [1, 7, 25])
def test_a_writer_killed_mid_write_leaves_every_committed_window(tmp_path, commits_before_kill):
    path = tmp_path / "store.db"
    child = run_child(writer_script(path, 0, batches=10_000, rows=500, flush_rows=10**9, report_commits=True))
    committed = []
    try:
        start = time.monotonic()
        while len(committed) < commits_before_kill:
            line = child.stdout.readline()
            if not line or time.monotonic() - start > DEADLINE:
                pytest.fail(f"writer stopped early: {child.stderr.read() if child.poll() is not None else 'timeout'}")
            committed.append(line.strip())
        os.kill(child.pid, signal.SIGKILL)  # while it is writing the next windows
        child.wait(timeout=DEADLINE)
    finally:
        stop(child)
    assert child.returncode == -signal.SIGKILL
    reopened = Monitor.open(path)
    windows = reopened.windows()
    assert set(committed) <= set(windows["window"])  # every window committed before the kill is there
    assert (windows["rows"] == 500).all()  # and whole: no half-written chunk
    report = reopened.report()
    assert report.table["rows"].sum() == 500 * len(windows)
    reopened.close()


def test_two_processes_recording_into_one_store_lose_no_request(tmp_path):
    path = tmp_path / "shared.db"
    Monitor(None, FEATURES, path=path, window="D").close()  # created once; both writers append
    batches, rows = 40, 250
    children = [run_child(writer_script(path, writer, batches=batches, rows=rows, flush_rows=500, report_commits=False))
                for writer in (1, 2)]
    try:
        for child in children:
            _, error = child.communicate(timeout=DEADLINE)
            assert child.returncode == 0, error
    finally:
        for child in children: stop(child)
    monitor = Monitor.open(path)
    windows = monitor.windows()
    assert windows["rows"].sum() == 2 * batches * rows
    assert (windows["writers"] == 2).all() and len(windows) == batches
    ids = np.concatenate([np.arange(batches * rows) + writer * 10_000_000 for writer in (1, 2)])
    monitor.record_labels(ids, np.zeros(len(ids)), at="2014-01-01")
    report = monitor.report()
    assert report.table["labelled"].sum() == len(ids)  # every request id is in the store, once
    assert (report.table["labelled_share"] == 1.0).all()
    monitor.close()


def test_a_foreign_or_damaged_file_gets_a_clear_error(tmp_path, model):
    noise = tmp_path / "noise.db"
    noise.write_bytes(np.random.default_rng(0).bytes(10_000))
    with pytest.raises(IntegrityError, match="expected a SQLite monitoring store"):
        Monitor.open(noise)
    with pytest.raises(IntegrityError, match="expected a SQLite monitoring store"):
        Monitor(model, ["hour", "distance"], path=noise)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection: connection.execute("CREATE TABLE orders (id INTEGER)")
    with pytest.raises(IntegrityError, match=r"tables \['orders'\]"):
        Monitor.open(other)
    with pytest.raises(IntegrityError, match=r"tables \['orders'\]"):
        Monitor(model, ["hour", "distance"], path=other)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(IntegrityError, match="empty file"):
        Monitor.open(empty)
    with pytest.raises(InputError, match="an existing monitoring store"):
        Monitor.open(tmp_path / "absent.db")
    with pytest.raises(InputError, match="a file path for the store"):
        Monitor(model, ["hour", "distance"], path=tmp_path)


def test_a_store_with_damaged_pages_gets_an_integrity_error(tmp_path, flights):
    path = tmp_path / "damaged.db"
    monitor = Monitor(None, FEATURES, path=path, window="D", flush_rows=100)
    for day in range(20):
        monitor.record_batch(flights[FEATURES].iloc[:300], np.full(300, 0.2), 0.01, at=pd.Timestamp("2013-01-01") + pd.Timedelta(days=day))
    monitor.close()
    for suffix in ("-wal", "-shm"): (tmp_path / f"damaged.db{suffix}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    data[4096:len(data) - 4096] = np.random.default_rng(1).bytes(len(data) - 8192)  # pages past the first overwritten
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError):
        Monitor.open(path).report()


def test_windows_match_a_profile_of_all_their_rows_and_the_metrics_match_sklearn(tmp_path, flights, model):
    path = tmp_path / "check.db"
    X = flights[["hour", "distance"]]
    reference = X.iloc[:2000]
    served = flights.iloc[2000:]
    monitor = Monitor(model, ["hour", "distance"], path=path, reference=reference, window="D", flush_rows=700)
    day = pd.Timestamp("2013-03-01", tz="UTC")
    for start in range(0, len(served), 400):  # batches, buffered across flushes
        batch = served.iloc[start:start + 400]
        monitor.predict(batch, request_ids=batch.index.to_numpy(), at=day)
    labelled = served.iloc[: len(served) * 3 // 4]
    monitor.record_labels(labelled.index.to_numpy(), labelled["late"], at=day)
    report = monitor.report()
    assert is_result(report)
    scores = model.predict_proba(served[["hour", "distance"]])[:, 1]
    row = report.table.iloc[0]
    assert row["rows"] == len(served)
    # probabilities are stored as 32-bit floats, each within 3e-8 (2**-25) of the model's: so are their means
    np.testing.assert_allclose(row["prediction_mean"], scores.mean(), rtol=0, atol=3e-8)
    np.testing.assert_allclose(row["labelled_share"], len(labelled) / len(served))
    np.testing.assert_allclose(row["metric"], roc_auc_score(labelled["late"], scores[: len(labelled)]))
    np.testing.assert_allclose(row["calibration_gap"], abs(labelled["late"].mean() - scores[: len(labelled)].mean()), rtol=0, atol=3e-8)
    whole = Profile.from_frame(served[["hour", "distance"]].assign(prediction=stored32(scores)))
    expected = drift_report(Profile.from_frame(reference.assign(prediction=model.predict_proba(reference)[:, 1])), whole)
    np.testing.assert_allclose(report.drift[row["window"]].table["value"].to_numpy(), expected.table["value"].to_numpy())
    monitor.close()


def test_one_request_at_a_time_records_what_a_batch_records(tmp_path, flights, model):
    rows = flights[["hour", "distance"]].iloc[:300]
    one, batch = Monitor(model, ["hour", "distance"], path=tmp_path / "one.db"), Monitor(model, ["hour", "distance"], path=tmp_path / "batch.db")
    at = pd.Timestamp("2013-05-05 12:00", tz="UTC")
    outputs = [one.predict_one(row, request_id=index, at=at) for index, row in zip(rows.index, rows.to_dict("records"))]
    np.testing.assert_allclose(outputs, batch.predict(rows, request_ids=rows.index.to_numpy(), at=at))
    left, right = one.report(), batch.report()
    assert left.table["rows"].tolist() == right.table["rows"].tolist() == [300]
    np.testing.assert_allclose(left.table["prediction_mean"], right.table["prediction_mean"])
    assert len(one.report().table) == 1 and one._connection.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == 1
    one.close(); batch.close()


def test_latency_percentiles_are_numpys_on_the_recorded_calls(tmp_path):
    monitor = Monitor(None, ["x"], path=tmp_path / "latency.db", window="D", flush_rows=50)
    latencies = np.random.default_rng(3).exponential(0.01, 400)
    for index, latency in enumerate(latencies):
        monitor.record({"x": float(index)}, 0.5, float(latency), request_id=index, at="2013-01-01 10:00")
    row = monitor.report().table.iloc[0]
    np.testing.assert_allclose([row["latency_p50"], row["latency_p99"]], np.percentile(latencies, [50, 99]))
    monitor.close()


def test_labels_count_only_once_they_have_arrived(tmp_path):
    monitor = Monitor(None, ["x"], path=tmp_path / "lag.db", window="D", min_labelled=0.0)
    monitor.record_batch(pd.DataFrame({"x": np.arange(10.0)}), np.linspace(0, 1, 10), 0.01, request_ids=np.arange(10), at="2013-01-01")
    monitor.record_labels(np.arange(5), [0, 0, 1, 0, 1], at="2013-01-08")
    monitor.record_labels(np.arange(5, 10), [1, 1, 0, 1, 1], at="2013-01-15")
    shares = [monitor.report(as_of=day).table["labelled_share"].iloc[0] for day in ("2013-01-07", "2013-01-08", "2013-01-20")]
    assert shares == [0.0, 0.5, 1.0]
    assert monitor.report().table["labels_known_at"].iloc[0].startswith("2013-01-15")
    monitor.close()


def test_a_regression_is_scored_by_mean_absolute_error(tmp_path, flights):
    from sklearn.linear_model import LinearRegression
    regression = LinearRegression().fit(flights[["hour", "distance"]], flights["arr_delay"])
    monitor = Monitor(regression, ["hour", "distance"], path=None, window="D")
    monitor.predict(flights, request_ids=flights.index.to_numpy(), at="2013-02-01")
    monitor.record_labels(flights.index.to_numpy(), flights["arr_delay"], at="2013-02-02")
    np.testing.assert_allclose(monitor.report().table["metric"].iloc[0],
                               mean_absolute_error(flights["arr_delay"], regression.predict(flights[["hour", "distance"]])))
    monitor.close()


def test_alert_rules_fire_on_their_threshold_and_say_when_they_were_known(tmp_path):
    rules = [AlertRule("slow", "latency_p99", above=0.05), AlertRule("shifted", "prediction_mean", above=0.6)]
    monitor = Monitor(None, ["x"], path=None, window="D", rules=rules)
    for day, (latency, mean) in enumerate([(0.01, 0.2), (0.2, 0.2), (0.01, 0.9)]):
        monitor.record_batch(pd.DataFrame({"x": np.arange(100.0)}), np.full(100, mean), latency, at=pd.Timestamp("2013-01-01") + pd.Timedelta(days=day))
    alerts = monitor.report().alerts
    assert alerts[["rule", "window"]].values.tolist() == [["slow", "2013-01-02T00:00:00"], ["shifted", "2013-01-03T00:00:00"]]
    assert alerts["known_at"].tolist() == ["2013-01-03T00:00:00", "2013-01-04T00:00:00"]
    monitor.close()


def test_monitor_alerts_on_an_early_and_a_late_window(flights, model):
    early, late = flights.iloc[:3000], flights.iloc[3000:]
    report = monitor_alerts(early, late, model, features=["hour", "distance"], target="late")
    assert report.table["rows"].tolist() == [len(late)]
    np.testing.assert_allclose(report.table["label_mean"], late["late"].mean())
    shifted = late.assign(hour=late["hour"] + 6)
    drifted = monitor_alerts(early, shifted, model, features=["hour", "distance"])
    assert {"prediction drift", "feature drift"} <= set(drifted.alerts["rule"])
    assert "slow requests" not in set(drifted.alerts["rule"])  # a batch's latency is not a request's: left out by default
    slow = monitor_alerts(early, late, model, features=["hour", "distance"], rules=[AlertRule("slow", "latency_p99", above=0.0)])
    assert slow.alerts["rule"].tolist() == ["slow"]
    with pytest.raises(InputError, match="did you mean 'late'"):
        monitor_alerts(early, late, model, features=["hour", "distance"], target="lat")


def test_bad_input_is_refused_clearly(model, flights):
    monitor = Monitor(model, ["hour", "distance"], path=None)
    with pytest.raises(InputError, match="one time per row"):
        monitor.predict(flights.iloc[:10], at=["2013-01-01"] * 3)
    with pytest.raises(InputError, match="a time"):
        monitor.predict(flights.iloc[:10], at="not a time")
    with pytest.raises(InputError, match="one per row of X"):
        monitor.record_batch(flights.iloc[:10], [0.5] * 9, 0.01)
    with pytest.raises(InputError, match="a fitted estimator"):
        Monitor(LogisticRegression(), ["hour"])
    with pytest.raises(InputError, match="flush_rows"):
        Monitor(model, ["hour"], flush_rows=0)
    with pytest.raises(InputError, match="AlertRule objects"):
        Monitor(model, ["hour", "distance"], rules=["latency"])
    with pytest.raises(InputError, match=r"without \['distance'\]"):  # the model reads a column the monitor would not profile
        Monitor(model, ["hour"])
    with pytest.raises(InputError, match="finite threshold"): AlertRule("slow", "latency_p99", above=float("nan"))
    assert not AlertRule("slow", "latency_p99", above=0.1).fires(pd.NA)
    monitor.close()
    with pytest.raises(InputError, match="a closed one"):
        monitor.flush()


def test_the_alerts_between_two_named_windows_plot_every_panel():
    import matplotlib
    matplotlib.use("Agg")
    from ml_design.baselines import feature_frame, ladder_models
    from ml_design.datasets import load_flights
    from ml_design.monitoring import monitor_alerts
    flights, _ = load_flights(n_rows=4_000)
    X = feature_frame(flights[["sched_dep_time", "distance", "hour", "carrier"]])
    model = ladder_models(X, "classification", random_state=0)["linear model"].fit(X.iloc[:2_000], flights["late"].iloc[:2_000])
    frame = X.assign(late=flights["late"].to_numpy())
    result = monitor_alerts(frame.iloc[2_000:3_000], frame.iloc[3_000:], model, features=list(X.columns), target="late")
    for panel in ("prediction", "drift", "latency", "metric"):
        ax = result.plot(panel=panel)
        assert [t.get_text() for t in ax.get_xticklabels()] == [str(w) for w in result.table["window"]]


def test_a_sampled_profile_is_seeded_and_still_counts_every_request(tmp_path, flights, model):
    served = flights.iloc[:3000]
    def run(path, share, seed):
        monitor = Monitor(model, ["hour", "distance"], path=path, window="D", flush_rows=1000, profile_share=share, random_state=seed)
        monitor.predict(served, request_ids=served.index.to_numpy(), at=pd.Timestamp("2013-03-01", tz="UTC"))
        monitor.close()
        connection = sqlite3.connect(path)
        stored = connection.execute("SELECT rows, profile FROM chunks ORDER BY id").fetchall()
        connection.close()
        return [(rows, Profile.from_dict(__import__("json").loads(profile))) for rows, profile in stored]
    first, again, other = run(tmp_path / "a.db", 0.2, 0), run(tmp_path / "b.db", 0.2, 0), run(tmp_path / "c.db", 0.2, 1)
    assert [p.to_dict() for _, p in first] == [p.to_dict() for _, p in again]  # the same seed, the same sample
    assert [p.to_dict() for _, p in first] != [p.to_dict() for _, p in other]
    assert sum(rows for rows, _ in first) == len(served)  # every request counted
    profiled = sum(p.rows for _, p in first)
    assert abs(profiled - 0.2 * len(served)) < 4 * np.sqrt(len(served) * 0.2 * 0.8)  # a 20% sample, within binomial noise
    full = run(tmp_path / "d.db", 1.0, 0)
    assert [p.rows for _, p in full] == [rows for rows, _ in full]
    reopened = Monitor.open(tmp_path / "a.db")
    assert reopened.report().table["rows"].tolist() == [len(served)]
    reopened.close()
    with pytest.raises(InputError, match="profile_share"): Monitor(model, ["hour"], profile_share=0)
    with pytest.raises(InputError, match="random_state"): Monitor(model, ["hour", "distance"], random_state=-1)


def test_batches_with_different_category_sets_profile_as_all_their_rows(tmp_path):
    first = pd.DataFrame({"carrier": pd.Categorical(["UA", "AA", "UA"]), "hour": [5, 6, 7]})
    second = pd.DataFrame({"carrier": pd.Categorical(["B6", None]), "hour": [8.5, np.nan]})
    monitor = Monitor(None, ["carrier", "hour"], path=tmp_path / "mixed.db", window="D", flush_rows=100)
    at = pd.Timestamp("2013-03-01", tz="UTC")
    monitor.record_batch(first, [0.1, 0.2, 0.3], 0.01, at=at); monitor.record_batch(second, [0.4, 0.5], 0.01, at=at)
    monitor.flush()
    (profile,) = _stored_profiles(monitor)
    whole = Profile.from_frame(pd.concat([first, second], ignore_index=True).assign(prediction=stored32([0.1, 0.2, 0.3, 0.4, 0.5])))
    assert profile.to_dict() == whole.to_dict()
    monitor.close()


def test_a_batch_is_checked_cheaply_and_recorded_as_served(tmp_path):
    batch = pd.DataFrame({"hour": np.arange(200) % 24, "carrier": pd.Categorical(["UA", "AA"] * 100), "distance": np.linspace(100, 900, 200)})
    monitor = Monitor(None, ["hour", "carrier"], path=tmp_path / "served.db", window="D", flush_rows=10**6)
    at = pd.Timestamp("2013-03-01", tz="UTC")
    monitor.record_batch(batch, np.full(200, 0.25), 0.01, request_ids=np.arange(200) + 10**12, at=at)
    expected = Profile.from_frame(batch[["hour", "carrier"]])  # a chunk's profile holds the features; the outputs are stored whole
    batch.loc[0, "hour"] = 99  # the caller's later edit does not reach what was recorded
    monitor.flush()
    stored = monitor._connection.execute("SELECT profile, length(requests) FROM chunks").fetchone()
    assert Profile.from_dict(__import__("json").loads(stored[0])).to_dict() == expected.to_dict()
    assert stored[1] < 200 * 16  # consecutive ids stored as offsets, not 8 bytes each
    monitor.record_labels(np.arange(200) + 10**12, np.zeros(200), at=at)
    assert monitor.report().table["labelled"].tolist() == [200]  # the ids come back whole and join their labels
    with pytest.raises(InputError, match="predictions"):
        monitor.record_batch(batch, ["high"] * 200, 0.01)
    with pytest.raises(InputError, match="latency"):
        monitor.record_batch(batch, np.zeros(200), "slow")
    with pytest.raises(InputError, match="labels"):
        monitor.record_labels([1, 2], ["x", "y"])
    with pytest.raises(InputError, match="did you mean 'hours'"):
        monitor.record_batch(batch.rename(columns={"hour": "hours"}), np.zeros(200), 0.01)
    with pytest.raises(InputError, match="one scalar value per cell"):
        Monitor(None, ["tags"], path=None).record_batch(pd.DataFrame({"tags": [["a"], ["b"]]}), [0.1, 0.2], 0.01)
    monitor.close()


@pytest.mark.parametrize("old_format", ["ml_design.monitoring/1", "ml_design.monitoring/2"])
def test_an_older_store_still_opens_and_is_upgraded_on_its_next_write(tmp_path, old_format):
    "Format /1 (Arrow blobs) and /2 chunks also hold a sketch of the predictions in their profile: the report profiles the stored predictions instead."
    from ml_design.monitoring import MONITOR_STORE_FORMAT, _to_arrow
    path = tmp_path / "old.db"
    at = pd.Timestamp("2013-03-01", tz="UTC")
    frame = pd.DataFrame({"x": np.arange(100.0), "c": pd.Categorical(["a", "b"] * 50)})
    outputs = np.linspace(0.01, 0.99, 100)
    reference = Profile.from_frame(frame.assign(prediction=outputs ** 2))  # the prediction's drift is measured against it
    with Monitor(None, ["x", "c"], path=path, window="D", reference=reference) as monitor:
        monitor.record_batch(frame, outputs, 0.01, request_ids=np.arange(100), at=at)
        monitor.record_labels(np.arange(100), np.arange(100) % 2, at=at)
        expected = monitor.report().table
    assert expected["prediction_wasserstein"].iloc[0] > 0
    connection = sqlite3.connect(path, isolation_level=None)  # rewrite it as the old format wrote it
    for chunk, text, requests, calls in connection.execute("SELECT id, profile, requests, calls FROM chunks").fetchall():
        profile = __import__("json").loads(text)
        # a sketch of other predictions than the stored ones: a report reading it would differ
        profile["columns"].append(Profile.from_frame(pd.DataFrame({"prediction": np.full(100, 0.5)})).to_dict()["columns"][0])
        blobs = (requests, calls) if old_format.endswith("/2") else \
            [_to_arrow({name: column.to_numpy() for name, column in _from_blob(blob).items()}) for blob in (requests, calls)]
        connection.execute("UPDATE chunks SET profile = ?, requests = ?, calls = ? WHERE id = ?", (__import__("json").dumps(profile), *blobs, chunk))
    connection.execute("UPDATE meta SET value = ? WHERE key = 'format'", (old_format,))
    connection.close()
    reopened = Monitor.open(path)
    pd.testing.assert_frame_equal(reopened.report().table, expected, rtol=0, atol=3e-8)  # Arrow held 64-bit outputs
    reopened.record_batch(frame, outputs, 0.01, request_ids=np.arange(100, 200), at=at)
    reopened.flush()
    assert reopened._connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()[0] == MONITOR_STORE_FORMAT
    assert reopened.report().table["rows"].tolist() == [200]  # old and new chunks read together
    reopened.close()


def test_probabilities_are_stored_to_7_digits_and_other_outputs_whole(tmp_path):
    at = pd.Timestamp("2013-03-01", tz="UTC")
    frame = pd.DataFrame({"x": np.arange(1000.0)})
    probabilities = np.random.default_rng(0).random(1000)
    scores = probabilities * 40 - 20  # a decision function's scores: not between 0 and 1
    for outputs, tolerance in ((probabilities, 2.0**-25), (scores, 0.0)):
        with Monitor(None, ["x"], path=None, window="D") as monitor:
            monitor.record_batch(frame, outputs, 0.01, request_ids=np.arange(1000) * 3, at=at)  # not consecutive: offsets
            monitor.record_labels(np.arange(1000) * 3, (probabilities > 0.5).astype(float), at=at)
            row = monitor.report().table.iloc[0]
        assert abs(row["prediction_mean"] - outputs.mean()) <= tolerance
        assert row["labelled"] == 1000


def test_hostile_requests_labels_and_keys_are_refused(tmp_path):
    "A NaN latency, a missing label and a misspelled feature key are InputErrors, never silent NaN (issue 15)."
    frame, _ = load_flights(n_rows=600, random_state=2)
    features = ["hour", "distance"]
    sample = frame.dropna(subset=features + ["dep_delay"])
    model = LogisticRegression(max_iter=200).fit(sample[features], sample["dep_delay"] > 15)
    monitor = Monitor(model, features, tmp_path / "store.sqlite", window="D")
    row = sample[features].iloc[0].to_dict()
    with pytest.raises(InputError, match="latency"): monitor.record(row, 0.5, float("nan"))
    with pytest.raises(InputError, match="no missing values"): monitor.record_labels([1, 2], [np.nan, np.nan])
    with pytest.raises(InputError, match="did you mean 'distanse'"): monitor.predict_one({"hour": 5, "distanse": 500.0})
    assert 0 <= monitor.predict_one({"hour": 5, "distance": 500.0}) <= 1
    monitor.close()


def _stored_profiles(monitor) -> list:
    "Each chunk's Profile as the report reads it: the stored profile of the features, and the stored predictions profiled."
    return [_with_predictions(_chunk_profile(text), _from_blob(requests)["prediction"].to_numpy())
            for text, requests in monitor._connection.execute("SELECT profile, requests FROM chunks ORDER BY id")]


@pytest.mark.parametrize("seed", range(6))
def test_tallied_batches_profile_as_a_profile_of_all_their_rows(tmp_path, seed):
    "Integer and categorical columns are tallied batch by batch; the flush's Profile equals drift's Profile of every row."
    rng = np.random.default_rng(seed)
    batches = []
    for index in range(9):
        rows = int(rng.integers(1, 400))
        batches.append(pd.DataFrame({
            "small": rng.integers(0, 30, rows) if index != 4 else rng.integers(0, 10**7, rows),  # one batch too wide to tally
            "shifted": rng.integers(-50, 50, rows) if seed % 2 else rng.integers(10**6, 10**6 + 300, rows),
            "wide": rng.integers(-10**12, 10**12, rows),  # never tallied
            "narrow": rng.integers(0, 5, rows).astype(np.int8),
            "carrier": pd.Categorical(rng.choice(np.array(["UA", "AA", "B6", None], dtype=object), rows)) if index % 3
                       else pd.Categorical(rng.choice(["DL", "UA"], rows), categories=["UA", "DL", "WN"]),
            "x": rng.normal(size=rows)}))
    outputs = [rng.random(len(batch)) for batch in batches]
    features = list(batches[0].columns)
    monitor = Monitor(None, features, path=tmp_path / "tally.db", window="D", flush_rows=10**6)
    at = pd.Timestamp("2013-03-01", tz="UTC")
    for batch, output in zip(batches, outputs): monitor.record_batch(batch, output, 0.01, at=at)
    monitor.flush()
    whole = Profile.from_frame(pd.concat(batches, ignore_index=True).assign(prediction=stored32(np.concatenate(outputs))))
    assert [p.to_dict() for p in _stored_profiles(monitor)] == [whole.to_dict()]
    monitor.close()


def test_a_tally_is_sketched_as_from_tally_sketches_it():
    "The flush reads each integer's sketch code from a table cached per column; the profile is ColumnProfile.from_tally's, exactly."
    from ml_design.drift_stats import ColumnProfile
    from ml_design.monitoring import _tally_profile
    rng = np.random.default_rng(7)
    table: dict = {}  # one column's cache, reused across flushes as the monitor reuses it
    for trial in range(300):
        base = int(rng.choice([0, 1, -3, -50, 10**6, -10**12])) if trial % 4 else 0  # bases repeat, so the cache is hit
        size = int(rng.integers(1, 3000))
        counts = rng.integers(0, 5, size) * (rng.random(size) < 0.3)  # sparse: most values absent
        counts[rng.integers(0, len(counts))] += 1  # at least one value present
        present = np.flatnonzero(counts)
        expected = ColumnProfile.from_tally(present + base, counts[present])
        moved = table.get("key") != (base, 0.005)
        got = _tally_profile(counts, base, int(counts.sum()), 0.005, table)
        if moved: assert table["codes"] is None  # a start that moved codes only the values present: no table of its range
        assert (got.kind, got.rows, got.minimum, got.maximum) == (expected.kind, expected.rows, expected.minimum, expected.maximum)
        assert got.codes.tolist() == expected.codes.tolist() and got.counts.tolist() == expected.counts.tolist(), trial
    for accuracy in (0.005, 0.01, 0.005):  # the cached codes belong to one accuracy: another one is coded afresh
        counts = np.bincount(rng.integers(0, 500, 2000))
        for grow in (0, 0, 700):  # the same start three flushes in a row: coded, tabled, then a longer tally extends it
            counts = np.concatenate([counts, np.zeros(grow, int)]); counts[-1] += 1
            present = np.flatnonzero(counts)
            expected = ColumnProfile.from_tally(present, counts[present], accuracy)
            got = _tally_profile(counts, 0, int(counts.sum()), accuracy, table)
            assert got.codes.tolist() == expected.codes.tolist() and got.counts.tolist() == expected.counts.tolist()
    from ml_design.drift_stats import _value_codes
    mirrored = np.arange(-10**6, 10**6 + 1, 1000)  # codes rise with the values through zero, as the sketch orders them
    codes = _value_codes(mirrored, 0.005)
    assert 0 in mirrored and (np.diff(codes) >= 0).all() and codes[mirrored == 0].tolist() == [0]
    assert (codes[mirrored < 0] < 0).all() and (codes[mirrored > 0] > 0).all() and len(set(codes)) > 100


def test_categories_that_read_differently_as_text_are_never_counted_under_each_others_names(tmp_path):
    """Index.equals calls [1, 2] and [1.0, 2.0] (or [True, False] and [1, 0]) equal: each batch's levels are counted under
    their own names, within a flush and across (pandas' concat would count 1, 1.0 and True as one value)."""
    at = pd.Timestamp("2013-03-01", tz="UTC")
    typed = [pd.Categorical(values) for values in ([1, 2, 2], [1.0, 2.0], [True, False], [1, 0, 0], [0.0, -0.0, 1.0])]
    as_objects = [pd.Categorical(pd.Series(values, dtype=object)) for values in ([1, 2, "x"], [1.0, 2.0, "x"], [False, True], [0, 1])]
    batches = [pd.DataFrame({"c": values}) for values in typed + as_objects]
    for flush_each in (False, True):
        monitor = Monitor(None, ["c"], path=tmp_path / f"levels{flush_each}.db", window="D", flush_rows=10**6)
        for batch in batches:
            monitor.record_batch(batch, np.full(len(batch), 0.5), 0.01, at=at)
            if flush_each: monitor.flush()
        monitor.flush()
        stored = _stored_profiles(monitor)
        levels = [p.columns["c"].levels for p in stored]
        if flush_each: assert levels == [Profile.from_frame(batch).columns["c"].levels for batch in batches]
        else: assert levels == [Profile.merge_all([Profile.from_frame(batch) for batch in batches]).columns["c"].levels]
        monitor.close()


def test_a_window_of_probabilities_and_other_outputs_keeps_each_as_recorded(tmp_path):
    "Probabilities are kept in 32 bits batch by batch; a window that also holds other outputs is stored in 64 bits."
    at = pd.Timestamp("2013-03-01", tz="UTC")
    frame = pd.DataFrame({"x": np.arange(500.0)})
    probabilities, scores = np.random.default_rng(1).random(500), np.linspace(-3, 3, 500)
    ids = np.arange(500)
    with Monitor(None, ["x"], path=tmp_path / "mixed.db", window="D") as monitor:
        monitor.record_batch(frame, probabilities, 0.01, request_ids=ids, at=at)
        monitor.record_batch(frame, scores, 0.01, request_ids=ids + 500, at=at)
        monitor.record_batch(frame, probabilities, 0.01, request_ids=ids + 1000, at=at + pd.Timedelta(days=1))
        monitor.record_batch(frame, probabilities, 0.01, at=at + pd.Timedelta(days=2))  # no ids: an Arrow blob
        monitor.flush()
        blobs = [blob for (blob,) in monitor._connection.execute("SELECT requests FROM chunks ORDER BY window")]
        stored = [_from_blob(blob)["prediction"].to_numpy() for blob in blobs]
        assert stored[0].tolist() == [*stored32(probabilities), *scores]
        assert stored[1].tolist() == stored[2].tolist() == stored32(probabilities).tolist() and stored[2].dtype == np.float64
        assert len(blobs[1]) < 500 * 5 < 1000 * 8 < len(blobs[0])  # 4 bytes an output where all are probabilities, 8 where not
        in_64_bits = _to_blob({"request_id": _id_array([None], [500]), "prediction": probabilities})  # Arrow, as float64
        assert len(blobs[2]) <= len(in_64_bits) - 500 * 4 + 64  # the Arrow blob holds them in 32 bits too
        np.testing.assert_allclose(monitor.report().table["prediction_mean"],
                                   [np.r_[probabilities, scores].mean(), probabilities.mean(), probabilities.mean()], rtol=0, atol=3e-8)


def test_batches_whose_categories_come_in_another_order_are_counted_under_their_own_levels(tmp_path):
    # pandas calls two unordered dtypes with the same categories equal whatever their order, but a code names a
    # different level in each: the tallies must not add them code by code
    first = pd.DataFrame({"carrier": pd.Categorical(["UA"] * 5, categories=["UA", "AA"])})
    second = pd.DataFrame({"carrier": pd.Categorical(["UA"] * 3 + ["AA"], categories=["AA", "UA"])})
    assert first["carrier"].dtype == second["carrier"].dtype  # what pandas says, and why the tally cannot ask it
    monitor = Monitor(None, ["carrier"], path=tmp_path / "order.db", window="D", flush_rows=10**6)
    at = pd.Timestamp("2013-03-01", tz="UTC")
    monitor.record_batch(first, np.full(5, 0.5), 0.01, at=at); monitor.record_batch(second, np.full(4, 0.5), 0.01, at=at)
    monitor.flush()
    whole = Profile.from_frame(pd.concat([first.astype(object), second.astype(object)], ignore_index=True).assign(prediction=0.5))
    (stored,) = _stored_profiles(monitor)
    assert stored.columns["carrier"].levels == {"UA": 8, "AA": 1} == whole.columns["carrier"].levels
    monitor.close()


def test_a_column_served_as_numbers_then_text_profiles_as_pandas_concatenates_it(tmp_path):
    first, second = pd.DataFrame({"code": np.arange(300) % 7}), pd.DataFrame({"code": ["a", "b", "a"]})
    monitor = Monitor(None, ["code"], path=tmp_path / "kinds.db", window="D", flush_rows=10**6)
    at = pd.Timestamp("2013-03-01", tz="UTC")
    monitor.record_batch(first, np.full(300, 0.5), 0.01, at=at); monitor.record_batch(second, np.full(3, 0.5), 0.01, at=at)
    monitor.flush()
    whole = Profile.from_frame(pd.concat([first, second], ignore_index=True).assign(prediction=0.5))
    assert [p.to_dict() for p in _stored_profiles(monitor)] == [whole.to_dict()]
    monitor.close()


def test_a_sampled_profile_holds_the_same_rows_in_every_column(tmp_path, flights):
    batch = flights[["hour", "distance", "carrier"]].assign(carrier=lambda f: f["carrier"].astype("category"))
    monitor = Monitor(None, ["hour", "distance", "carrier"], path=tmp_path / "sampled.db", window="D", flush_rows=10**6,
                      profile_share=0.3, random_state=4)
    at = pd.Timestamp("2013-03-01", tz="UTC")
    for start in range(0, len(batch), 1000): monitor.record_batch(batch.iloc[start:start + 1000], np.full(1000, 0.5), 0.01, at=at)
    monitor.flush()
    (profile,) = _stored_profiles(monitor)
    assert {column.rows for name, column in profile.columns.items() if name != "prediction"} == {profile.rows}
    assert profile.columns["prediction"].rows == len(batch)  # the outputs are profiled whole, from the store
    assert sum(profile.columns["carrier"].levels.values()) + profile.columns["carrier"].missing == profile.rows
    assert abs(profile.rows - 0.3 * len(batch)) < 4 * np.sqrt(len(batch) * 0.3 * 0.7)
    monitor.close()


def test_an_alert_rule_fires_past_its_threshold_and_refuses_an_unclear_one():
    "Moved from the notebook 42_monitoring."
    rule = AlertRule("slow requests", "latency_p99", above=0.1)
    assert [rule.fires(v) for v in (0.05, 0.2, np.nan)] == [False, True, False]
    assert AlertRule("low auc", "metric", below=0.6).fires(0.55)
    with pytest.raises(InputError, match="exactly one of above= or below="): AlertRule("both", "metric", above=1, below=0)
    with pytest.raises(InputError, match=r"one of \['info', 'warn', 'fail'\]"): AlertRule("bad", "metric", above=1, severity="error")


def test_a_monitor_refuses_unclear_settings_and_mismatched_records(tmp_path, flights, model):
    "Moved from the notebook 42_monitoring: the refusals its example's store gives."
    features = ["hour", "distance"]
    store = tmp_path / "example.db"
    with Monitor(model, features, path=store, window="D") as monitor:
        monitor.predict(flights.iloc[:50], request_ids=np.arange(50), at="2013-02-01")
    reopened = Monitor.open(store)
    with pytest.raises(InputError, match="not named 'prediction'"): Monitor(model, ["hour", "prediction"])
    with pytest.raises(InputError, match="a pandas period frequency"): Monitor(model, features, window="fortnight")
    with pytest.raises(InputError, match="an existing monitoring store"): Monitor.open(tmp_path / "absent.db")
    with pytest.raises(InputError, match=r"columns \['distance'"): reopened.record_batch(flights[["hour"]].iloc[:5], [0.5] * 5, 0.01)
    with pytest.raises(InputError, match=r"one per request id \(2\)"): reopened.record_labels([1, 2], [0])
    with pytest.raises(InputError, match="as the store at"): Monitor(None, ["hour"], path=store)
    reopened.close()
    flights_frame = flights.assign(weekday=0)
    with pytest.raises(InputError, match="did you mean 'late'"):
        monitor_alerts(flights_frame.iloc[:1000], flights_frame.iloc[1000:2000], model, features=features, target="is_late")


def test_probabilities_are_sketched_as_a_plain_reference_sketches_each_value(tmp_path):
    "Outputs all at most 1 are sketched in fewer passes; every code is still ceil(log(p) / log(gamma)) + offset, value by value."
    rng = np.random.default_rng(3)
    accuracy = 0.005
    log_gamma = np.log((1 + accuracy) / (1 - accuracy))
    edges = np.exp(-np.arange(1, 3000) * log_gamma)  # values at and beside the buckets' edges, where a rounding would show
    values = np.concatenate([rng.beta(0.3, 2, 4000), rng.beta(5, 1, 4000), edges, np.nextafter(edges, 0), np.nextafter(edges, 1),
                             [1.0, np.nextafter(1.0, 0), 5e-324, 1e-300, 1e-30]])
    values = rng.permutation(values[values > 0])
    sketched = Profile.from_columns({"prediction": values}).columns["prediction"]  # how the report profiles the outputs
    offset = int(np.ceil(746 / log_gamma)) + 1
    codes, counts = np.unique(np.ceil(np.log(values) * (1 / log_gamma)).astype(np.int64) + offset, return_counts=True)
    assert sketched.codes.tolist() == codes.tolist() and sketched.counts.tolist() == counts.tolist()
    assert (sketched.minimum, sketched.maximum, sketched.rows) == (values.min(), values.max(), len(values))
    monitor = Monitor(None, ["x"], path=tmp_path / "sketch.db", window="D", flush_rows=10**6)
    monitor.record_batch(pd.DataFrame({"x": np.arange(len(values))}), values, 0.01, at=pd.Timestamp("2013-03-01", tz="UTC"))
    monitor.flush()
    stored = _stored_profiles(monitor)[0]  # the stored outputs: 32-bit floats, the smallest ones 0
    expected = Profile.from_columns({"prediction": stored32(values)})
    assert Profile({"prediction": stored.columns["prediction"]}, len(values)).to_dict() == expected.to_dict()
    monitor.close()


def test_a_model_answering_nan_or_inf_is_refused_by_name(tmp_path, flights, model):
    class Broken:
        def __init__(self, bad): self.bad, self.classes_ = bad, np.array([0, 1])
        def fit(self, X, y): return self
        def predict(self, X): return self.predict_proba(X).argmax(axis=1)
        def predict_proba(self, X):
            output = model.predict_proba(X[["hour", "distance"]]); output[3, 1] = self.bad
            return output
    for bad in (np.nan, np.inf):
        monitor = Monitor(Broken(bad), ["hour", "distance"], path=tmp_path / f"broken{bad}.db", window="D")
        with pytest.raises(InputError, match="1 NaN or infinite value"):
            monitor.predict(flights[["hour", "distance"]].iloc[:50])
        monitor.close()
    overflowing = Monitor(None, ["hour"], path=None)  # outputs whose sum overflows are finite: recorded
    overflowing.record_batch(flights[["hour"]].iloc[:3], [1e308, 1e308, 1e308], 0.01)
    overflowing.close()


def test_a_frame_read_without_pandas_column_accessor_records_the_same(tmp_path):
    "The batch's columns are read by pandas' column accessor; a frame without one is read column by column, to the same profile."
    class Plain(pd.DataFrame):
        _get_column_array = None
    batch = pd.DataFrame({"hour": np.arange(300) % 24, "carrier": pd.Categorical(["UA", "AA", None] * 100), "x": np.linspace(0, 1, 300)})
    stored = []
    for name, frame in (("fast", batch), ("plain", Plain(batch))):
        monitor = Monitor(None, list(batch.columns), path=tmp_path / f"{name}.db", window="D", flush_rows=10**6)
        monitor.record_batch(frame, np.linspace(0.1, 0.9, 300), 0.01, at=pd.Timestamp("2013-03-01", tz="UTC"))
        monitor.flush(); stored.append(_stored_profiles(monitor)[0].to_dict()); monitor.close()
    assert stored[0] == stored[1] == Profile.from_frame(batch.assign(prediction=stored32(np.linspace(0.1, 0.9, 300)))).to_dict()
