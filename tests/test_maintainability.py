"""The model registry under crashes (a writer killed mid-register), tampering and hostile names; fingerprints against pandas."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LogisticRegression

from ml_design.core import InputError, IntegrityError
from ml_design.datasets import load_flights
from ml_design.maintainability import (MANIFEST_FILE, MODEL_FILE, ModelRegistry, check_reproducible, fingerprint,
                                       unseeded_parameters)

FEATURES = ["hour", "minute", "distance"]


@pytest.fixture(scope="module")
def flights():
    frame, _ = load_flights(n_rows=3_000, random_state=1)
    return frame


@pytest.fixture
def registry(tmp_path, flights):
    registry = ModelRegistry(tmp_path / "registry")
    model = LogisticRegression(solver="liblinear").fit(flights[FEATURES], flights["late"])
    registry.register(model, "late", data=flights[FEATURES], metrics={"accuracy": 0.8})
    return registry


def snapshot(root: Path) -> dict:
    "Every file under root (staging excluded) with its bytes."
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".staging" not in p.parts}


# A child process that registers a model into the registry and dies (SIGKILL: no cleanup, no finally) at a chosen point.
CHILD = textwrap.dedent("""
    import os, signal, sys
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    import ml_design.maintainability as maintainability
    from ml_design.datasets import load_flights

    root, kill_at = sys.argv[1], sys.argv[2]
    frame, _ = load_flights(n_rows=3_000, random_state=1)
    features = ["hour", "minute", "distance"]
    model = LogisticRegression(solver="liblinear", C=0.5).fit(frame[features], frame["late"])

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    real_write = maintainability.atomic_write
    def dying_write(path, data, *args, **kwargs):
        if kill_at == "mid-model-write" and str(path).endswith("model.skops"):
            with open(str(path) + ".partial", "wb") as stream:  # half a file on disk, then death
                stream.write(data[: len(data) // 2]); stream.flush(); os.fsync(stream.fileno())
            die()
        if kill_at == "before-manifest" and str(path).endswith("manifest.json"):
            die()
        return real_write(path, data, *args, **kwargs)
    maintainability.atomic_write = dying_write
    if kill_at == "before-rename":
        maintainability.os.rename = die
    registry = maintainability.ModelRegistry(root)
    if kill_at == "loop":
        print("ready", flush=True)
        while True:
            print("done", registry.register(model, "late", data=frame[features])["version"], flush=True)
    registry.register(model, "late", data=frame[features])
    print("survived", flush=True)
""")


def run_child(root: Path, kill_at: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, str(root), kill_at], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "ML_DESIGN_QUIET": "1"})


@pytest.mark.parametrize("kill_at", ["mid-model-write", "before-manifest", "before-rename"])
def test_a_writer_killed_mid_register_leaves_the_registry_as_it_was(registry, kill_at):
    before = snapshot(registry.path)
    child = run_child(registry.path, kill_at)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "survived" not in child.stdout
    assert snapshot(registry.path) == before
    assert registry.versions("late") == [1] and registry.names() == ["late"]
    registry.load("late", 1)
    # the registry keeps working: the next version is 2, and the dead writer's staging folder is not a version
    manifest = registry.register(registry.load("late", 1), "late")
    assert manifest["version"] == 2 and registry.versions("late") == [1, 2]


def test_clean_staging_removes_only_a_dead_writers_old_folder(registry):
    child = run_child(registry.path, "before-rename")  # dies with its staging folder complete but not renamed
    assert child.returncode == -signal.SIGKILL, child.stderr
    staging = registry.path / ".staging"
    (left,) = [p for p in staging.iterdir()]
    stranger = staging / "notes.txt"  # not a folder register made: never touched
    stranger.write_text("keep me")
    before = snapshot(registry.path)
    assert registry.clean_staging() == []  # a fresh folder may belong to a live writer
    assert left.is_dir()
    for path in [*left.iterdir(), left]:
        os.utime(path, (time.time() - 7200,) * 2)
    assert registry.clean_staging(older_than=7300) == []
    assert registry.clean_staging() == [left.name]
    assert not left.exists() and stranger.read_text() == "keep me"
    assert snapshot(registry.path) == before and registry.versions("late") == [1]
    assert ModelRegistry(registry.path / "nowhere").clean_staging() == []
    for bad in (-1, "1h", None, float("nan")):
        with pytest.raises(InputError, match="older_than: expected a non-negative number of seconds"):
            registry.clean_staging(older_than=bad)


def test_a_writer_killed_at_random_moments_never_leaves_a_broken_version(registry):
    rng = np.random.default_rng(0)
    for attempt in range(4):
        process = subprocess.Popen([sys.executable, "-c", CHILD, str(registry.path), "loop"], stdout=subprocess.PIPE,
                                   text=True, env={**os.environ, "ML_DESIGN_QUIET": "1"})
        assert process.stdout.readline().strip() == "ready"
        reported = int(process.stdout.readline().split()[1])  # one register done: the next one is under way
        time.sleep(float(rng.uniform(0.0, 0.3)))  # somewhere inside a later register call (or between two)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        versions = registry.versions("late")
        assert reported in versions
        assert versions == list(range(1, len(versions) + 1))  # no gaps, no half versions
        for version in versions:
            registry.verify("late", version)
    registry.load("late")


def test_an_unchanged_artifact_round_trips(registry, flights):
    model = registry.load("late")
    manifest = registry.manifest("late", 1)
    assert manifest["data"]["fingerprint"] == fingerprint(flights[FEATURES])
    assert [column["name"] for column in manifest["schema"]["columns"]] == FEATURES
    assert manifest["files"][MODEL_FILE]["bytes"] == (registry.path / "late" / "v1" / MODEL_FILE).stat().st_size
    assert {"python", "numpy", "pandas", "scikit-learn", "skops"} <= set(manifest["libraries"])
    assert model.predict(flights[FEATURES]).tolist() == LogisticRegression(solver="liblinear").fit(
        flights[FEATURES], flights["late"]).predict(flights[FEATURES]).tolist()


@given(position=st.floats(0, 1, exclude_max=True), flip=st.integers(1, 255))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_changed_byte_is_refused(registry, position, flip):
    path = registry.path / "late" / "v1" / MODEL_FILE
    original = path.read_bytes()
    damaged = bytearray(original)
    damaged[int(position * len(damaged))] ^= flip
    try:
        path.write_bytes(bytes(damaged))
        with pytest.raises(IntegrityError, match="changed after it was registered"):
            registry.load("late", 1)
    finally:
        path.write_bytes(original)


@given(keep=st.floats(0, 1, exclude_max=True))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_truncation_is_refused(registry, keep):
    path = registry.path / "late" / "v1" / MODEL_FILE
    original = path.read_bytes()
    try:
        path.write_bytes(original[: int(keep * len(original))])
        with pytest.raises(IntegrityError, match="truncated"):
            registry.load("late", 1)
    finally:
        path.write_bytes(original)


def test_damaged_manifests_and_missing_files_are_refused(registry):
    folder = registry.path / "late" / "v1"
    manifest = (folder / MANIFEST_FILE).read_text()
    (folder / MANIFEST_FILE).write_text(manifest[: len(manifest) // 2])
    with pytest.raises(IntegrityError, match="not valid JSON"):
        registry.load("late", 1)
    (folder / MANIFEST_FILE).write_text(manifest.replace('"version": 1', '"version": 3'))
    with pytest.raises(IntegrityError, match="copied or edited by hand"):
        registry.load("late", 1)
    (folder / MANIFEST_FILE).write_text(manifest)
    (folder / MODEL_FILE).rename(folder / "elsewhere")
    with pytest.raises(IntegrityError, match="is missing"):
        registry.load("late", 1)
    (folder / MANIFEST_FILE).unlink()
    with pytest.raises(IntegrityError, match="manifest.json is missing"):
        registry.load("late", 1)


@pytest.mark.parametrize("name", ["../escape", "../../etc/passwd", "/tmp/absolute", "a/../../b", "..\\escape", "..",
                                  ".", ".staging", "sub/dir", "name\x00", "tab\tname", "", "ça", 3, None, ".hidden",
                                  "x" * 101, "a..b", "c:\\temp", "a/b"])
def test_path_traversal_and_odd_names_are_refused(tmp_path, registry, name):
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    model = registry.load("late")
    for call in (lambda: registry.register(model, name), lambda: registry.load(name), lambda: registry.versions(name)):
        with pytest.raises(InputError, match="Model names become folder names"):
            call()
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_models_with_types_skops_does_not_trust_need_an_explicit_allow_list(tmp_path, flights):
    registry = ModelRegistry(tmp_path)
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(flights[FEATURES], flights["late"])
    manifest = registry.register(model, "boosted")
    assert manifest["untrusted_types"]
    with pytest.raises(InputError, match="trusted"):
        registry.load("boosted")
    loaded = registry.load("boosted", trusted=manifest["untrusted_types"])
    assert (loaded.predict_proba(flights[FEATURES]) == model.predict_proba(flights[FEATURES])).all()


def test_compatible_follows_the_contracts_diff(registry, flights):
    from ml_design.contracts import Schema
    same = registry.compatible("late", 1, flights[FEATURES])
    assert same.compatible and same.ok
    renamed = flights[FEATURES].rename(columns={"distance": "distance_km"})
    reference = Schema.infer(flights[FEATURES]).diff(Schema.infer(renamed))
    result = registry.compatible("late", 1, renamed)
    assert result.compatible is (not reference.breaking) is False
    assert result.table["change"].tolist() == reference.table["change"].tolist()
    registry.register(registry.load("late"), "bare")
    with pytest.raises(InputError, match="Register with data"):
        registry.compatible("bare", None, flights[FEATURES])


# ---- fingerprints -------------------------------------------------------------------------------------------------

frames = st.lists(st.tuples(st.integers(-5, 5), st.one_of(st.floats(-1e3, 1e3), st.just(float("nan")), st.just(-0.0)), st.sampled_from(["a", "b", "c"])),
                  min_size=1, max_size=12).map(lambda rows: pd.DataFrame(rows, columns=["i", "x", "s"]))


@given(frames, frames)
@settings(max_examples=200)
def test_fingerprints_agree_with_frame_equality(left, right):
    assert (fingerprint(left) == fingerprint(right)) == left.reset_index(drop=True).equals(right.reset_index(drop=True))


@given(frames, st.randoms())
@settings(max_examples=100)
def test_the_unordered_fingerprint_ignores_row_order_only(frame, rng):
    order = list(range(len(frame)))
    rng.shuffle(order)
    shuffled = frame.iloc[order]
    assert fingerprint(shuffled, order_sensitive=False) == fingerprint(frame, order_sensitive=False)
    same_order = shuffled.reset_index(drop=True).equals(frame.reset_index(drop=True))
    assert (fingerprint(shuffled) == fingerprint(frame)) == same_order


def test_fingerprint_normalises_floats_and_refuses_what_it_cannot_hash(flights):
    assert fingerprint(pd.DataFrame({"x": [0.0, np.nan]})) == fingerprint(pd.DataFrame({"x": [-0.0, float("nan")]}))
    assert len(fingerprint(flights, length=64)) == 64 and len(fingerprint(flights)) == 16
    for bad in (4, 65, 16.0, True):
        with pytest.raises(InputError, match="length: expected an integer from 8 to 64"):
            fingerprint(flights, length=bad)
    for bad in (print, LogisticRegression):
        with pytest.raises(InputError, match="not a function or a class"):
            fingerprint(bad)
    with pytest.raises(InputError, match="Convert list or dict cells to text first"):
        fingerprint(pd.DataFrame({"tags": [["a"], ["b"]]}))


def test_fingerprints_are_stable_across_processes_and_hash_seeds(flights):
    code = ("from ml_design.datasets import load_flights; from ml_design.maintainability import fingerprint; "
            "f, _ = load_flights(n_rows=3_000, random_state=1); print(fingerprint(f), fingerprint(f, order_sensitive=False))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert outputs == {f"{fingerprint(flights)} {fingerprint(flights, order_sensitive=False)}\n"}


def test_check_reproducible_matches_a_direct_comparison(flights):
    def train(random_state=None):
        return RandomForestClassifier(n_estimators=5, random_state=random_state).fit(flights[FEATURES], flights["late"])
    seeds = iter([1, 2])
    result = check_reproducible(lambda: train(next(seeds)), flights[FEATURES])
    first, second = train(1).predict_proba(flights[FEATURES]), train(2).predict_proba(flights[FEATURES])
    difference = np.abs(first - second).max(axis=1)
    assert result.table["max_abs_difference"].iloc[1] == pytest.approx(difference.max())
    assert result.table["share_changed"].iloc[1] == pytest.approx((difference > 0).mean())
    assert check_reproducible(train, flights[FEATURES], random_state=7).reproducible
    assert unseeded_parameters(RandomForestClassifier()) == ["random_state"]


def test_two_writers_claiming_the_same_version_do_not_overwrite_each_other(registry, monkeypatch):
    from ml_design.maintainability import RegistryConflictError
    before = snapshot(registry.path)
    monkeypatch.setattr(ModelRegistry, "versions", lambda self, name: [])  # a writer that has not seen v1 yet
    with pytest.raises(RegistryConflictError, match="registered by another writer"):
        registry.register(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), "late")
    assert snapshot(registry.path) == before
    assert not any((registry.path / ".staging").iterdir())


class _NaNModel(RegressorMixin, BaseEstimator):
    "A fitted model whose predictions are all NaN."
    def __init__(self): self.fitted_ = True
    def fit(self, X, y): return self
    def predict(self, X): return np.full(len(X), np.nan)


def test_check_reproducible_refuses_a_model_that_predicts_nan(flights):
    X = flights[FEATURES].iloc[:50]
    with pytest.raises(InputError, match=r"train_fn\(\) result of run 1: expected finite predict outputs"):
        check_reproducible(lambda: _NaNModel(), X)


def test_check_reproducible_plots_every_result(flights):
    X = flights[FEATURES].iloc[:200]
    y = flights["late"].iloc[:200]
    same = check_reproducible(lambda: LogisticRegression(max_iter=200).fit(X, y), X)
    moved = check_reproducible(lambda: RandomForestClassifier(n_estimators=5).fit(X, y), X, runs=3)
    for result in (same, moved):
        assert result.plot() is not None
        assert result.reproducible == (result.findings[0].severity != "fail")
    with pytest.raises(InputError):
        check_reproducible(lambda: LogisticRegression(max_iter=200).fit(X, y), X.drop(columns=FEATURES[0]))


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe junk", b"[]", b"null", b"{\"name\": \"late\"}", b"{"])
def test_a_damaged_manifest_raises_integrity_error(registry, content):
    path = registry.path / "late" / "v1" / MANIFEST_FILE
    path.write_bytes(content)
    with pytest.raises(IntegrityError, match="model 'late' v1"):
        registry.manifest("late")
    with pytest.raises(IntegrityError):
        registry.load("late")


def test_a_manifest_lacking_a_field_or_replaced_by_a_folder_raises_integrity_error(registry):
    path = registry.path / "late" / "v1" / MANIFEST_FILE
    manifest = json.loads(path.read_text())
    for field in ("files", "schema", "metrics"):
        path.write_text(json.dumps({k: v for k, v in manifest.items() if k != field}))
        with pytest.raises(IntegrityError, match=f"lacks \\['{field}'\\]"):
            registry.verify("late")
    path.write_text(json.dumps({**manifest, "files": {MODEL_FILE: {"sha256": "x"}}}))
    with pytest.raises(IntegrityError, match="malformed"):
        registry.verify("late")
    path.unlink()
    path.mkdir()
    with pytest.raises(IntegrityError, match="a folder stands in its place"):
        registry.manifest("late")


def test_a_model_file_of_junk_with_matching_checksums_raises_integrity_error(registry):
    import hashlib
    folder = registry.path / "late" / "v1"
    junk = b"PK\x03\x04 not a zip archive"
    (folder / MODEL_FILE).write_bytes(junk)
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    manifest["files"][MODEL_FILE] = {"sha256": hashlib.sha256(junk).hexdigest(), "bytes": len(junk)}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(IntegrityError, match="cannot be loaded"):
        registry.load("late")


def test_registry_path_must_be_a_path(tmp_path):
    for bad in (None, 3, ""):
        with pytest.raises(InputError, match="path: expected a path"):
            ModelRegistry(bad)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="path: expected a folder"):
        ModelRegistry(tmp_path / "file")


def test_check_reproducible_names_a_train_fn_that_refuses_its_data_and_bounds_runs(flights):
    X = flights[FEATURES].iloc[:100]
    y = flights["late"].iloc[:100]
    train = lambda X_train, y_train: LogisticRegression(max_iter=200).fit(X_train, y_train)
    with pytest.raises(InputError, match=r"train_fn: expected a function that trains on the arguments given \(X_train, "
                                         r"y_train\), received ValueError in run 1: Input X contains NaN"):
        check_reproducible(train, X, X_train=X.assign(hour=np.nan), y_train=y)
    with pytest.raises(InputError, match="runs: expected an integer from 2 to 1,000"):
        check_reproducible(train, X, runs=10**30, X_train=X, y_train=y)
    assert check_reproducible(train, X, X_train=X, y_train=y).reproducible


def test_unseeded_parameters_refuses_a_class():
    with pytest.raises(InputError, match="estimator: expected an estimator instance, received the class RandomForestClassifier"):
        unseeded_parameters(RandomForestClassifier)


# ---- moved from the notebooks (12_maintainability, 16_model_registry): edge cases and refusals -------------------

def test_fingerprint_of_a_copy_is_the_same_and_the_dtype_is_part_of_the_content(flights):
    assert fingerprint(flights) == fingerprint(flights.copy())
    assert fingerprint(flights["distance"]) != fingerprint(flights["distance"].astype(float))


def test_check_reproducible_names_the_unseeded_forest_and_refuses_an_unfitted_model(flights):
    X = flights[FEATURES]

    def forest(random_state=None):
        return RandomForestClassifier(n_estimators=10, min_samples_leaf=20, n_jobs=1, random_state=random_state)

    def unseeded():
        sample = flights.sample(frac=0.8)  # no seed: a different sample every call
        return forest().fit(sample[FEATURES], sample["late"])

    def seeded(random_state=0):
        sample = flights.sample(frac=0.8, random_state=random_state)
        return forest(random_state).fit(sample[FEATURES], sample["late"])

    hidden = check_reproducible(unseeded, X, runs=3)
    assert [f.severity for f in hidden.findings] == ["fail", "warn"]
    assert hidden.findings[1].evidence["parameters"] == ["random_state"]
    assert check_reproducible(seeded, X, runs=3, random_state=0).table["artifact"].nunique() == 1
    with pytest.raises(InputError, match=r"Call \.fit\(X, y\) first"):
        check_reproducible(lambda: LogisticRegression(), X)


def test_check_name_keeps_dotted_names_and_refuses_a_parent_folder():
    from ml_design.maintainability import check_name
    assert check_name("late-arrivals_v2.1") == "late-arrivals_v2.1"
    with pytest.raises(InputError, match="Model names become folder names"):
        check_name("../outside")


def test_register_versions_table_and_its_refusals(registry, flights):
    model = registry.load("late")
    assert registry.manifest("late")["data"]["fingerprint"] == fingerprint(flights[FEATURES])
    assert registry.register(model, "late", data=flights[FEATURES])["version"] == 2
    assert registry.versions("late") == [1, 2]
    assert registry.table()[["name", "version"]].values.tolist() == [["late", 1], ["late", 2]]
    with pytest.raises(InputError, match=r"one of the versions of 'late': \[1, 2\]"):
        registry.load("late", 7)
    with pytest.raises(InputError, match="Model names become folder names"):
        registry.register(model, "../../etc")
    with pytest.raises(InputError, match=r"Call \.fit\(X, y\) first"):
        registry.register(LogisticRegression(), "unfitted")


def test_compatible_refuses_a_schema_that_is_neither_a_schema_nor_a_frame(registry):
    with pytest.raises(InputError, match="a contracts.Schema or a DataFrame"):
        registry.compatible("late", 1, "origin")
