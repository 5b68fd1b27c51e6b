"""Scale-out on Dask: the same answers as the pandas path, on a real local cluster; the same clear errors on bad partitions."""
import builtins

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from ml_design.contracts import ColumnSpec, Schema
from ml_design.core import InputError, MLDesignError
from ml_design.datasets import load_flights, load_loans
from ml_design.drift import Profile, drift_report
from ml_design.scale_out import (DaskCluster, dask_cluster, profile_dask, require_dask, scale_comparison, score_batches,
                                 validate_dask, write_replicas)


@pytest.fixture(scope="module")
def cluster():
    "A real LocalCluster of two worker processes with a memory limit each, on loopback; stopped even on failure."
    with dask_cluster(n_workers=2, memory_limit="768MiB") as running:
        yield running


@pytest.fixture(scope="module")
def loans():
    frame, _ = load_loans(n_rows=3_000)
    return frame.drop(columns=["emp_title"])


def _from_parts(parts, meta):
    return dd.from_delayed([dask.delayed(p) for p in parts], meta=meta, verify_meta=False)


def test_drift_report_on_the_cluster_equals_pandas(cluster, loans):
    early, late = loans.iloc[:1_500].reset_index(drop=True), loans.iloc[1_500:].reset_index(drop=True)
    on_dask = drift_report(dd.from_pandas(early, npartitions=5), dd.from_pandas(late, npartitions=3))
    pd.testing.assert_frame_equal(on_dask.table, drift_report(early, late).table)
    profile = profile_dask(dd.from_pandas(early, npartitions=5), client=cluster)
    assert profile.to_dict() == Profile.from_frame(early).to_dict() or \
        drift_report(profile, late).table.equals(drift_report(early, late).table)


def test_validation_counts_equal_pandas_with_a_unique_rule_across_partitions(cluster, loans):
    schema = Schema.infer(loans.iloc[:2_000], max_levels=60)
    frame = loans.copy().reset_index(drop=True)
    frame["loan_id"] = np.arange(len(frame))
    frame.loc[[2_900, 2_950], "loan_id"] = [3, 4]  # duplicates of rows in the first partition, planted in the last
    schema.columns["loan_id"] = ColumnSpec("int", unique=True)
    frame.loc[[10, 1_700, 2_999], "annual_income"] = -5.0
    frame.loc[[20, 21], "homeownership"] = None
    pandas_result = schema.validate(frame)
    dask_result = validate_dask(schema, dd.from_pandas(frame, npartitions=4), client=cluster)
    key = ["column", "rule", "n_rows", "share", "examples"]
    ordered = lambda t: t[key].sort_values(["column", "rule"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ordered(dask_result.table), ordered(pandas_result.table))
    assert (dask_result.row_mask == pandas_result.row_mask).all()
    unique_row = dask_result.table.query("rule == 'unique'")
    assert int(unique_row["n_rows"].iloc[0]) == 4  # both copies of each duplicated id, as pandas counts them


def test_schema_validate_hands_a_dask_frame_to_validate_dask(loans):
    schema = Schema.infer(loans)
    result = schema.validate(dd.from_pandas(loans, npartitions=3))
    assert result.ok and result.n_rows == len(loans)


def test_unknown_divisions_and_an_empty_partition_change_nothing(loans):
    early = loans.iloc[:1_000].reset_index(drop=True)
    unknown = dd.from_pandas(early, npartitions=4).clear_divisions()
    assert not unknown.known_divisions
    with_empty = _from_parts([early.iloc[:400], early.iloc[:0], early.iloc[400:]], early.iloc[:0])
    for frame in (unknown, with_empty):
        pd.testing.assert_frame_equal(drift_report(frame, early).table, drift_report(early, early).table)
        assert validate_dask(Schema.infer(early), frame).n_rows == len(early)


def test_a_column_missing_in_one_partition_is_named(loans):
    early = loans.iloc[:600].reset_index(drop=True)
    frame = _from_parts([early.iloc[:300], early.iloc[300:].drop(columns=["state"])], early.iloc[:0])
    for call in (lambda: profile_dask(frame), lambda: validate_dask(Schema.infer(early), frame)):
        with pytest.raises(InputError, match=r"partition 1 .*without \['state'\]") as error:
            call()
        assert error.value.__cause__ is None and error.value.__suppress_context__


def test_mixed_types_across_partitions_are_named(cluster, loans):
    early = loans.iloc[:600].reset_index(drop=True)
    broken = early.iloc[300:].copy()
    broken["annual_income"] = broken["annual_income"].astype(str)  # numbers written as text in one file
    frame = _from_parts([early.iloc[:300], broken], early.iloc[:0])
    with pytest.raises(InputError, match=r"column 'annual_income' in partition 1.*number values.*text values"):
        profile_dask(frame, client=cluster)
    with pytest.raises(InputError, match="dtype="):
        validate_dask(Schema.infer(early), frame, client=cluster)


def test_score_batches_equals_the_model_and_refuses_missing_features(cluster):
    from ml_design.baselines import feature_frame, ladder_models
    flights, _ = load_flights(n_rows=4_000)
    features = feature_frame(flights[["sched_dep_time", "distance", "hour", "carrier", "origin"]])
    model = ladder_models(features, "classification", random_state=0)["linear model"].fit(features, flights["late"])
    scores = score_batches(model, dd.from_pandas(features, npartitions=3))
    got = cluster.client.compute(scores, sync=True)
    np.testing.assert_allclose(got.to_numpy(), model.predict_proba(features)[:, 1], rtol=0, atol=1e-12)
    with pytest.raises(InputError, match="without"):
        score_batches(model, dd.from_pandas(features.drop(columns=["distance"]), npartitions=2))
    with pytest.raises(InputError, match="a dask DataFrame"):
        score_batches(model, features)


def test_write_replicas_keeps_time_moving_forward_and_refuses_a_full_folder(tmp_path):
    flights, _ = load_flights(n_rows=2_000)
    folder = write_replicas(flights, 5_000, tmp_path / "copies", partition_rows=1_500, time_column="time_hour")
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == [f"part-{i:05d}.parquet" for i in range(4)]  # no staging file left behind
    copies = pd.read_parquet(folder)
    assert len(copies) == 5_000 and copies["time_hour"].is_monotonic_increasing
    assert copies["time_hour"].iloc[2_000] > flights["time_hour"].max()
    with pytest.raises(InputError, match="an empty or new folder"):
        write_replicas(flights, 10, folder)


def test_scale_comparison_measures_both_engines_on_one_cluster(cluster, tmp_path):
    flights, _ = load_flights(n_rows=6_000)
    folders = [write_replicas(flights, n, tmp_path / str(n), partition_rows=2_000) for n in (2_000, 6_000)]
    result = scale_comparison(folders, "profile", n_workers=(1, 2), cluster=cluster)
    assert sorted(result.table.groupby(["engine", "workers"]).size().to_dict().items()) == \
        [(("dask", 1), 2), (("dask", 2), 2), (("pandas", 1), 2)]
    assert (result.table["seconds"] > 0).all()
    dask_rows = result.table[result.table["engine"] == "dask"]
    assert (dask_rows["peak_mb"] < dask_rows["memory_limit_mb"]).all()
    assert result.estimate(1e6, 4) > 0 and result.to_dict()["table"]
    with pytest.raises(InputError, match="at most the cluster's 2 workers"):
        scale_comparison(folders, "profile", n_workers=(3,), cluster=cluster)
    with pytest.raises(InputError, match="contracts.Schema"):
        scale_comparison(folders, "validate", cluster=cluster)


def test_the_cluster_stops_even_when_the_block_fails():
    with pytest.raises(RuntimeError, match="boom"):
        with dask_cluster(n_workers=1, memory_limit="512MiB") as running:
            assert isinstance(running, DaskCluster) and len(running.workers) == 1
            raise RuntimeError("boom")
    assert running.cluster.status.name == "closed"


def test_a_missing_dask_names_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.split(".")[0] in ("dask", "distributed"): raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(MLDesignError, match=r"ml-design\[scale\]"):
        require_dask()


def test_an_existing_cluster_is_reached_by_its_address(cluster, loans):
    with dask_cluster(address=cluster.client.scheduler.address) as connected:
        assert connected.cluster is None and connected.workers == cluster.workers
        profile = profile_dask(dd.from_pandas(loans, npartitions=2), client=connected)
        assert profile.rows == len(loans)
    assert cluster.client.status == "running"  # closing the second client leaves the cluster up
    with pytest.raises(InputError, match="a running Dask scheduler"):
        dask_cluster(address="tcp://127.0.0.1:1")


def test_estimate_stays_positive_when_noisy_timings_give_no_slope():
    from ml_design.scale_out import ScaleComparison
    # a busy machine: the larger 1-worker run finished sooner, so a straight line through the runs slopes down
    table = pd.DataFrame({"operation": "profile", "engine": "dask", "workers": 1, "rows": [2_000, 6_000],
                          "seconds": [3.0, 2.0]})
    noisy = ScaleComparison(table)
    assert noisy.estimate(1e6, 4) == pytest.approx(2.0 / 6_000 * 1e6 / 4)  # the largest run's cost per row
    assert noisy.estimate(1e9, 64) < noisy.estimate(1e9, 2) and noisy.estimate(1e6, 1) > 0
    clean = ScaleComparison(table.assign(seconds=[1.0, 2.0]))
    assert clean.estimate(1e6, 4) == pytest.approx(0.5 + 1 / 4_000 * 1e6 / 4)  # intercept + slope * rows / workers


def test_hostile_models_and_folders_are_input_errors(tmp_path):
    "A model that raises in predict, a folder under a file and more rows than can be written are named up front."
    from sklearn.linear_model import LogisticRegression
    frame = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) % 3})
    fitted = LogisticRegression().fit(frame, np.arange(40) % 2)

    class Broken(LogisticRegression):
        def predict_proba(self, X): raise RuntimeError("prediction service unavailable")

    broken = Broken().fit(frame, np.arange(40) % 2)
    with pytest.raises(InputError, match="RuntimeError: prediction service unavailable"):
        score_batches(broken, dd.from_pandas(frame, npartitions=2))
    assert len(score_batches(fitted, dd.from_pandas(frame, npartitions=2)).compute()) == 40  # a working one still scores
    (tmp_path / "file.json").write_text("{}")
    with pytest.raises(InputError, match="folder: expected"):
        write_replicas(frame, 100, tmp_path / "file.json" / "child")
    with pytest.raises(InputError, match="rows: expected"):
        write_replicas(frame, 10**30, tmp_path / "huge")
    with pytest.raises(InputError, match="files of rows"):
        write_replicas(frame, 10**9, tmp_path / "many", partition_rows=1)
    assert not (tmp_path / "huge").exists() and not (tmp_path / "many").exists()  # refused before anything is written
