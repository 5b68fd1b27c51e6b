"""ml_design.drift against references: scipy for KS, chi-square, Jensen-Shannon and Wasserstein; an independent
pure-Python PSI; whole-frame profiles for merged chunk profiles; property-based tests over random frames."""
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial import distance

import warnings

from ml_design.core import InputError, is_result
from ml_design.drift import (DRIFT_THRESHOLDS, PSI_EMPTY_BIN, DriftReport, Profile, chi_square, drift_report,
                             jensen_shannon, ks_statistic, psi, wasserstein)


pytestmark = pytest.mark.filterwarnings("ignore:ks_2samp. Exact calculation unsuccessful:RuntimeWarning")


# --- an independent reference for the binning and PSI, written with plain Python loops -----------------------------

def reference_bins(reference, current, bins):
    "Counts over reference-decile bins: edge j is the smallest value with at least j/bins of the reference at or below."
    ordered = sorted(reference)
    edges = []
    for j in range(1, bins):
        rank = math.ceil(j * len(ordered) / bins)
        edge = ordered[rank - 1]
        if edge not in edges: edges.append(edge)
    def count(sample):
        counts = [0] * (len(edges) + 1)
        for value in sample:
            position = 0
            while position < len(edges) and value > edges[position]: position += 1
            counts[position] += 1
        return counts
    return count(reference), count(current)


def reference_psi(reference_counts, current_counts):
    total_reference, total_current = sum(reference_counts), sum(current_counts)
    value = 0.0
    for r, c in zip(reference_counts, current_counts):
        share_r = r / total_reference or PSI_EMPTY_BIN
        share_c = c / total_current or PSI_EMPTY_BIN
        value += (share_c - share_r) * math.log(share_c / share_r)
    return value


samples = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60)
small_integers = st.lists(st.integers(-20, 20).map(float), min_size=1, max_size=60)


@given(st.one_of(samples, small_integers), st.one_of(samples, small_integers), st.integers(2, 12))
@settings(max_examples=150, deadline=None)
def test_psi_equals_an_independent_reference(reference, current, bins):
    expected = reference_psi(*reference_bins(reference, current, bins))
    assert psi(reference, current, bins=bins) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(st.lists(st.sampled_from("abcde"), min_size=1, max_size=40), st.lists(st.sampled_from("abcdef"), min_size=1, max_size=40))
@settings(max_examples=100, deadline=None)
def test_categorical_psi_and_jensen_shannon_against_references(reference, current):
    levels = sorted(set(reference) | set(current))
    reference_counts = [reference.count(level) for level in levels]
    current_counts = [current.count(level) for level in levels]
    assert psi(reference, current) == pytest.approx(reference_psi(reference_counts, current_counts), rel=1e-9, abs=1e-12)
    assert jensen_shannon(reference, current) == pytest.approx(
        distance.jensenshannon(reference_counts, current_counts, base=2), rel=1e-9, abs=1e-12)


@given(st.one_of(samples, small_integers), st.one_of(samples, small_integers))
@settings(max_examples=150, deadline=None)
def test_numeric_jensen_shannon_equals_scipy_on_the_same_bins(reference, current):
    counts = reference_bins(reference, current, 10)
    assert jensen_shannon(reference, current) == pytest.approx(distance.jensenshannon(*counts, base=2), rel=1e-9, abs=1e-12)


@given(st.one_of(samples, small_integers), st.one_of(samples, small_integers))
@settings(max_examples=150, deadline=None)
def test_ks_equals_scipy(reference, current):
    statistic, p_value = ks_statistic(reference, current)
    expected = stats.ks_2samp(reference, current)
    assert statistic == pytest.approx(expected.statistic, abs=1e-9)
    assert p_value == pytest.approx(expected.pvalue, abs=1e-9)


@pytest.mark.parametrize("sizes", [(12_000, 15_000), (20_000, 9_000), (50_000, 50_000)])
def test_ks_equals_scipy_on_large_samples_with_ties(sizes):
    rng = np.random.default_rng(sum(sizes))
    reference, current = rng.poisson(20, sizes[0]).astype(float), rng.poisson(20.3, sizes[1]).astype(float)
    statistic, p_value = ks_statistic(reference, current)
    expected = stats.ks_2samp(reference, current)
    assert statistic == pytest.approx(expected.statistic, abs=1e-9)
    assert p_value == pytest.approx(expected.pvalue, abs=1e-9)


@given(st.one_of(samples, small_integers), st.one_of(samples, small_integers))
@settings(max_examples=150, deadline=None)
def test_wasserstein_equals_scipy(reference, current):
    expected = stats.wasserstein_distance(reference, current)
    assert wasserstein(reference, current, normalised=False) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    scale = np.std(reference)
    if scale > 0:
        assert wasserstein(reference, current) == pytest.approx(expected / scale, rel=1e-9, abs=1e-9)


@given(st.lists(st.sampled_from(["a", "b", "c", 1, 2.5]), min_size=1, max_size=50),
       st.lists(st.sampled_from(["a", "b", "c", "d", 1]), min_size=1, max_size=50))
@settings(max_examples=100, deadline=None)
def test_chi_square_equals_scipy(reference, current):
    levels = sorted({str(v) for v in reference} | {str(v) for v in current})
    table = np.array([[sum(str(v) == level for v in sample) for level in levels] for sample in (reference, current)])
    statistic, p_value = chi_square(reference, current)
    if table.shape[1] < 2:
        assert (statistic, p_value) == (0.0, 1.0)
        return
    expected = stats.chi2_contingency(table, correction=False)
    assert statistic == pytest.approx(expected.statistic, rel=1e-9, abs=1e-9)
    assert p_value == pytest.approx(expected.pvalue, abs=1e-9)


# --- Profile: merging chunk profiles equals profiling the whole frame ---------------------------------------------

numbers = st.one_of(st.floats(-1e9, 1e9), st.just(np.nan), st.just(np.inf), st.just(0.0), st.integers(-5, 5).map(float))
levels = st.one_of(st.sampled_from(["red", "green", "blue", "1"]), st.just(None), st.just(1))


@st.composite
def frames(draw, min_rows=0):
    rows = draw(st.integers(min_rows, 40))
    frame = pd.DataFrame({
        "x": draw(st.lists(numbers, min_size=rows, max_size=rows)),
        "n": draw(st.lists(st.integers(0, 30), min_size=rows, max_size=rows)),
        "colour": pd.Series(draw(st.lists(levels, min_size=rows, max_size=rows)), dtype=object),
    })
    return frame


def assert_same_profile(left: Profile, right: Profile):
    assert left.rows == right.rows and list(left.columns) == list(right.columns)
    for name in left.columns:
        a, b = left.columns[name], right.columns[name]
        assert (a.rows, a.missing, a.infinite, a.levels) == (b.rows, b.missing, b.infinite, b.levels), name
        assert np.array_equal(a.codes, b.codes) and np.array_equal(a.counts, b.counts), name
        if a.observed: assert (a.minimum, a.maximum) == (b.minimum, b.maximum), name


@given(frames(), st.lists(st.integers(0, 40), max_size=4))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_merged_chunk_profiles_equal_the_whole_frame_profile(frame, cuts):
    cuts = sorted({min(c, len(frame)) for c in cuts} | {0, len(frame)})
    chunks = [frame.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:])] or [frame]
    whole = Profile.from_frame(frame)
    assert_same_profile(Profile.merge_all([Profile.from_frame(c) for c in chunks]), whole)
    assert_same_profile(Profile.merge_all([Profile.from_frame(c) for c in reversed(chunks)]), whole)
    updated = Profile()
    for chunk in chunks: updated = updated.update(chunk)
    assert_same_profile(updated, whole)


@given(frames(min_rows=1), frames(min_rows=1), st.integers(1, 39))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_drift_report_from_merged_profiles_equals_the_report_on_frames(reference, current, cut):
    merged = Profile.from_frame(reference.iloc[:cut]).merge(Profile.from_frame(reference.iloc[cut:]))
    expected = drift_report(reference, current, numeric="all", categorical="all").table
    pd.testing.assert_frame_equal(drift_report(merged, current, numeric="all", categorical="all").table, expected)


@given(frames(min_rows=1), frames(min_rows=1))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_drift_report_on_random_frames_is_a_clear_result(reference, current):
    report = drift_report(reference, current, numeric="all", categorical="all")
    assert is_result(report) and isinstance(report, DriftReport)
    table = report.table
    assert {"column", "kind", "statistic", "value", "p_value", "threshold", "drifted"} <= set(table.columns)
    assert set(table["kind"]) <= {"numeric", "categorical", "missing"}
    assert table["p_value"].dropna().between(0, 1).all() and table["p_adjusted"].dropna().between(0, 1).all()
    assert table["drifted"].dtype == bool
    assert (table.loc[table["value"].isna(), "note"] != "").all()  # a missing value always says why
    assert not table.loc[table["value"].isna(), "drifted"].any()
    assert 0 <= report.share_drifted <= 1 and set(report.drifted_columns) <= set(table["column"])
    same = drift_report(reference, reference, numeric="all", categorical="all")
    assert same.drifted_columns == [] and (same.table["value"].fillna(0) == 0).all()


# --- sketch statistics against exact ones ---------------------------------------------------------------------------

def test_report_statistics_are_exact_when_every_value_has_its_own_bucket():
    rng = np.random.default_rng(3)
    reference, current = pd.DataFrame({"x": rng.integers(0, 60, 20_000)}), pd.DataFrame({"x": rng.integers(2, 62, 15_000)})
    table = drift_report(reference, current, numeric="all").table.set_index("statistic")
    assert table.loc["ks", "value"] == pytest.approx(stats.ks_2samp(reference.x, current.x).statistic, abs=1e-12)
    effective = round(20_000 * 15_000 / 35_000)  # above 1,000: the limiting distribution, within 0.009 of scipy's asymptotic one
    assert table.loc["ks", "p_value"] == pytest.approx(stats.kstwobign.sf(math.sqrt(effective) * table.loc["ks", "value"]), abs=1e-12)
    assert table.loc["ks", "p_value"] == pytest.approx(stats.ks_2samp(reference.x, current.x).pvalue, abs=0.009)
    assert table.loc["psi", "value"] == pytest.approx(psi(reference.x, current.x), abs=1e-12)
    assert table.loc["jensen_shannon", "value"] == pytest.approx(jensen_shannon(reference.x, current.x), abs=1e-12)
    # values are represented within 0.5%: the distance in units moves by at most that much of the values' scale
    assert table.loc["wasserstein", "value"] == pytest.approx(wasserstein(reference.x, current.x), rel=0.01)


@pytest.mark.parametrize("shift", [0.0, 0.05, 0.3])
def test_report_statistics_on_continuous_data_are_within_the_sketch_error(shift):
    rng = np.random.default_rng(7)
    reference = pd.DataFrame({"x": rng.lognormal(0, 1, 30_000)})
    current = pd.DataFrame({"x": rng.lognormal(shift, 1, 20_000)})
    table = drift_report(reference, current, numeric="all").table.set_index("statistic")
    exact_ks = stats.ks_2samp(reference.x, current.x).statistic
    # ties within a bucket can only hide part of the gap, at most the largest share of one bucket
    assert exact_ks - 0.01 <= table.loc["ks", "value"] <= exact_ks + 1e-12
    assert table.loc["wasserstein", "value"] == pytest.approx(wasserstein(reference.x, current.x), rel=0.02, abs=2e-3)
    assert table.loc["psi", "value"] == pytest.approx(psi(reference.x, current.x), rel=0.1, abs=2e-3)


# --- bad input: a clear result or a clear error -------------------------------------------------------------------

def test_bad_inputs_give_clear_results_or_errors():
    reference = pd.DataFrame({"x": np.arange(100.0), "c": list("ab") * 50, "nan": np.nan, "const": 1.0,
                              "mixed": pd.Series([1, "a", 2.5, None] * 25, dtype=object)})
    current = reference.drop(columns=["c"]).assign(x=lambda d: d.x.where(d.index % 10 > 0, np.inf))
    report = drift_report(reference, current)
    notes = report.table.set_index(["column", "kind"])["note"]
    assert notes[("c", "missing")] == "absent from current" and "c" in report.drifted_columns
    assert notes[("nan", "numeric")] == "no values in reference"
    assert notes[("const", "numeric")] == "constant in reference"
    assert any("infinite values" in f.message for f in report.findings)
    assert report.table.query("column == 'mixed'")["kind"].tolist() == ["categorical", "missing"]
    with pytest.raises(InputError, match="reference: expected at least 1 row"):
        drift_report(reference.iloc[:0], current)
    with pytest.raises(InputError, match="columns: expected columns of the reference"):
        drift_report(reference, current, columns=["nope"])
    with pytest.raises(InputError, match="expected a pandas DataFrame"):
        drift_report([1, 2], current)


def test_a_category_with_100000_levels_is_reported_not_compared():
    rng = np.random.default_rng(0)
    ids = pd.DataFrame({"id": pd.Categorical([f"id{i}" for i in rng.permutation(100_000)]), "x": rng.normal(size=100_000)})
    report = drift_report(ids, ids.sample(frac=1.0, random_state=1))
    row = report.table.query("column == 'id' and kind == 'categorical'").iloc[0]
    assert math.isnan(row["value"]) and "100,000 levels" in row["note"] and not row["drifted"]
    assert any(f.severity == "warn" and "identifier" in f.message for f in report.findings)


def test_from_csv_equals_from_frame(tmp_path):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x": rng.normal(size=2_500), "k": rng.integers(0, 9, 2_500), "c": rng.choice(list("xyz"), 2_500)})
    frame.loc[::17, "x"] = np.nan
    frame.loc[1000:1500, "c"] = None  # a chunk where the column is entirely empty reads as float
    frame.to_csv(tmp_path / "f.csv", index=False)
    chunked = Profile.from_csv(tmp_path / "f.csv", chunksize=300)
    assert_same_profile(chunked, Profile.from_frame(pd.read_csv(tmp_path / "f.csv")))


def test_thresholds_and_corrections_are_applied():
    rng = np.random.default_rng(11)
    reference = pd.DataFrame({f"x{i}": rng.normal(size=400) for i in range(5)})
    current = reference + rng.normal(0.3, 0.01, size=reference.shape)
    loose = drift_report(reference, current, thresholds={"wasserstein": 0.2}, correction="none")
    strict = drift_report(reference, current, thresholds={"wasserstein": 0.5}, correction="bonferroni")
    assert len(loose.drifted_columns) == 5 and strict.drifted_columns == []
    rows = loose.table.query("kind == 'numeric'")
    assert (rows["p_adjusted"] == rows["p_value"]).all() and (rows["threshold"] == 0.2).all()
    assert DRIFT_THRESHOLDS["wasserstein"] == 0.1


@given(frames())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_saved_profiles_load_back_equal(frame):
    import json
    profile = Profile.from_frame(frame)
    restored = Profile.from_dict(json.loads(json.dumps(profile.to_dict(), allow_nan=False)))
    assert_same_profile(restored, profile)


def test_report_ks_p_value_uses_the_limiting_distribution_for_large_effective_sizes():
    rng = np.random.default_rng(9)
    reference, current = pd.DataFrame({"x": rng.integers(0, 50, 60_000)}), pd.DataFrame({"x": rng.integers(0, 51, 40_000)})
    row = drift_report(reference, current, numeric="ks").table.iloc[0]
    effective_size = round(60_000 * 40_000 / 100_000)
    assert row["p_value"] == pytest.approx(stats.kstwobign.sf(math.sqrt(effective_size) * row["value"]), abs=1e-12)
    assert row["p_value"] == pytest.approx(stats.ks_2samp(reference.x, current.x).pvalue, abs=3e-3)


def test_bad_arguments_and_mismatched_profiles_are_refused_clearly():
    frame = pd.DataFrame({"x": np.arange(50.0), "c": list("ab") * 25})
    with pytest.raises(InputError, match="bins: expected an integer of at least 2, received int 1"):
        drift_report(frame, frame, bins=1)
    with pytest.raises(InputError, match="Profile the same columns on both sides"):
        Profile.from_frame(frame).merge(Profile.from_frame(frame[["c"]]))


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200),
       st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=200))
@settings(max_examples=150, deadline=None)
def test_report_ks_is_never_above_scipy_and_short_of_it_by_at_most_one_bucket(reference, current):
    left, right = Profile.from_frame(pd.DataFrame({"x": reference})), Profile.from_frame(pd.DataFrame({"x": current}))
    report_ks = drift_report(left, right, numeric="ks").table.iloc[0]["value"]
    exact_ks = stats.ks_2samp(reference, current).statistic
    largest_bucket_share = max(left.columns["x"].counts.max() / len(reference), right.columns["x"].counts.max() / len(current))
    assert exact_ks - largest_bucket_share - 1e-12 <= report_ks <= exact_ks + 1e-12


# --- the sketch: its fast paths against a plain reference ------------------------------------------------------------

def reference_sketch(values, relative_accuracy=0.005):
    "Codes and counts the plain way: one code per value (sign * (ceil(log|x| / log gamma) + offset), zero 0), np.unique."
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    log_gamma = math.log((1 + relative_accuracy) / (1 - relative_accuracy))
    offset = math.ceil(746 / log_gamma) + 1
    with np.errstate(divide="ignore"):
        magnitude = np.ceil(np.log(np.abs(values)) * (1 / log_gamma)) + offset
    codes = np.where(values == 0, 0, np.sign(values) * np.where(values == 0, 0, magnitude)).astype(np.int64)
    return np.unique(codes, return_counts=True)


@given(st.lists(st.one_of(st.floats(-1e300, 1e300), st.just(0.0), st.just(-0.0), st.just(np.nan), st.just(-np.inf),
                          st.floats(1e-310, 1e-300)), max_size=80))
@settings(max_examples=200, deadline=None)
def test_sketch_of_floats_equals_a_plain_reference(values):
    column = Profile.from_frame(pd.DataFrame({"x": np.asarray(values, dtype=float)})).columns["x"]
    codes, counts = reference_sketch(values)
    assert np.array_equal(column.codes, codes) and np.array_equal(column.counts, counts)


@given(st.lists(st.integers(-2**40, 2**40), max_size=80), st.sampled_from(["int64", "int32", "int8", "uint8", "uint64"]))
@settings(max_examples=200, deadline=None)
def test_sketch_of_integers_tallies_distinct_values_and_equals_the_float_sketch(values, dtype):
    info = np.iinfo(dtype)
    values = np.clip(np.asarray(values, dtype=np.int64), max(info.min, -2**40), min(info.max, 2**40)).astype(dtype)
    as_integers = Profile.from_frame(pd.DataFrame({"x": values})).columns["x"]
    as_floats = Profile.from_frame(pd.DataFrame({"x": values.astype(float)})).columns["x"]
    codes, counts = reference_sketch(values.astype(float))
    assert np.array_equal(as_integers.codes, codes) and np.array_equal(as_integers.counts, counts)
    assert_same_profile(Profile({"x": as_integers}, len(values)), Profile({"x": as_floats}, len(values)))


def test_categorical_columns_are_counted_from_their_codes():
    values = pd.Categorical(["b", None, "a", "b", "b"], categories=["a", "b", "unused"])
    column = Profile.from_frame(pd.DataFrame({"c": values})).columns["c"]
    assert (column.missing, column.levels) == (1, {"a": 1, "b": 3})
    as_text = Profile.from_frame(pd.DataFrame({"c": pd.Series(values).astype(object)})).columns["c"]
    assert (as_text.missing, as_text.levels) == (column.missing, column.levels)


@given(frames())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_from_columns_equals_from_frame(frame):
    if frame.shape[0] == 0: return
    assert_same_profile(Profile.from_columns({name: frame[name] for name in frame.columns}), Profile.from_frame(frame))
    assert_same_profile(Profile.from_columns({"n": frame["n"].to_numpy()}), Profile.from_frame(frame[["n"]]))


def test_from_columns_refuses_unequal_or_shaped_columns():
    with pytest.raises(InputError, match="columns of one length"): Profile.from_columns({"a": [1, 2], "b": [1]})
    with pytest.raises(InputError, match="1-d columns"): Profile.from_columns({"a": np.zeros((2, 2))})
    with pytest.raises(InputError, match="non-empty mapping"): Profile.from_columns({})


# --- hardening: thresholds, bins, the KS p-value's cost and the cached drifted columns ------------------------------

@pytest.mark.parametrize("bad", [np.nan, None, -0.1, np.inf, "0.1", True])
def test_a_threshold_that_is_not_a_finite_number_at_least_0_is_refused(bad):
    frame = pd.DataFrame({"x": np.arange(100.0)})
    with pytest.raises(InputError, match=r"thresholds\['wasserstein'\]: expected a finite number of at least 0"):
        drift_report(frame, frame + 1, thresholds={"wasserstein": bad})
    with pytest.raises(InputError, match="thresholds"):
        drift_report(frame, frame, thresholds=[("psi", 0.2)])


def test_a_numpy_threshold_is_taken():
    frame = pd.DataFrame({"x": np.arange(100.0)})
    report = drift_report(frame, frame + 30, thresholds={"wasserstein": np.float32(0.5)})
    assert report.table["threshold"].iloc[0] == 0.5 and report.to_dict()["table"][0]["threshold"] == 0.5


@pytest.mark.parametrize("bins", [0, 1, -3, 2.5, None])
def test_jensen_shannon_refuses_bins_below_2_like_psi(bins):
    reference, current = np.random.default_rng(0).normal(size=500), np.random.default_rng(1).normal(3, 1, 500)
    for statistic in (psi, jensen_shannon):
        with pytest.raises(InputError, match="bins: expected an integer from 2 to 10,000"): statistic(reference, current, bins=bins)


@pytest.mark.parametrize("sizes", [(300, 400), (500, 500), (800, 900), (3_000, 4_000), (30_000, 20_000)])
def test_report_ks_p_value_is_scipys_exact_asymptotic_or_limiting_one_by_size(sizes):
    rng = np.random.default_rng(sum(sizes))
    reference, current = rng.integers(0, 60, sizes[0]), rng.integers(0, 62, sizes[1])  # every value its own bucket
    row = drift_report(pd.DataFrame({"x": reference}), pd.DataFrame({"x": current}), numeric="ks").table.iloc[0]
    n, m = sizes
    effective = round(n * m / (n + m))
    if n * m <= 250_000: expected, tolerance = stats.ks_2samp(reference, current, method="exact").pvalue, 1e-9
    elif effective < 1_000: expected, tolerance = stats.ks_2samp(reference, current, method="asymp").pvalue, 1e-9
    else:
        assert row["p_value"] == pytest.approx(stats.kstwobign.sf(math.sqrt(effective) * row["value"]), abs=1e-12)
        expected, tolerance = stats.ks_2samp(reference, current, method="asymp").pvalue, 0.009
    assert row["value"] == pytest.approx(stats.ks_2samp(reference, current).statistic, abs=1e-12)
    assert row["p_value"] == pytest.approx(expected, abs=tolerance)


def test_drifted_columns_are_computed_once():
    rng = np.random.default_rng(4)
    reference = pd.DataFrame({"a": rng.normal(size=2_000), "b": rng.normal(size=2_000)})
    report = drift_report(reference, reference.assign(a=reference["a"] + 1))
    assert report.drifted_columns == ["a"] and report.share_drifted == 0.5
    report.drifted_columns.append("mutated")  # a copy: the report's answer does not change
    assert report.drifted_columns == ["a"] and report._drifted is report._drifted


def test_files_options_and_times_that_do_not_fit_get_an_input_error(tmp_path):
    from ml_design.drift import drift_over_time
    with pytest.raises(InputError): Profile.load(tmp_path / "absent.json")
    with pytest.raises(InputError): Profile.load(tmp_path)
    (tmp_path / "junk.json").write_bytes(b"\x00\xff" * 50)
    with pytest.raises(InputError): Profile.load(tmp_path / "junk.json")
    with pytest.raises(InputError, match="what Profile.to_dict wrote"): Profile.from_dict({"format": Profile().to_dict()["format"]})
    with pytest.raises(InputError): Profile.from_csv(tmp_path / "absent.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="a CSV file pandas can read"): Profile.from_csv(tmp_path / "empty.csv")
    times = pd.date_range("2013-01-01", periods=60, freq="D", tz="UTC")
    frame = pd.DataFrame({"t": times, "x": np.arange(60.0)})
    with pytest.raises(InputError, match="freq"): drift_over_time(frame, "t", ["x"], freq="bogus")
    with pytest.raises(InputError, match=r"\['period'\]"): drift_over_time(frame, "t", ["x"], period="M")  # before any work
    with pytest.raises(InputError, match="reference_period"): drift_over_time(frame, "t", ["x"], reference_period="not a month")
    with pytest.raises(InputError): drift_over_time(frame.assign(t=pd.NaT), "t", ["x"])
    assert list(drift_over_time(frame, "t", "x").table["column"].unique()) == ["x"]  # a str is one column


# ----- options refused before any work (issue 15) ------------------------------------------------------------------------
from ml_design.drift import adjust_p_values, calibrate_alarms  # noqa: E402


@pytest.mark.parametrize("correction", ["benjamini-hochberg", "bonferroni", "none"])
def test_adjust_p_values_refuses_p_values_outside_0_1(correction):
    for bad in ([0.2, 1.5], [-0.1, 0.3], [0.1, np.inf]):
        with pytest.raises(InputError, match="p_values"):
            adjust_p_values(bad, correction)
    np.testing.assert_array_equal(np.isnan(adjust_p_values([0.01, np.nan, 0.5], correction)), [False, True, False])


@pytest.mark.parametrize("option, bad", [("sizes", []), ("sizes", None), ("sizes", [1]), ("shift", np.nan), ("shift", pd.NA),
                                         ("repeats", 0), ("repeats", 10**30), ("repeats", True), ("alpha", 1.5),
                                         ("alpha", np.nan), ("random_state", -1), ("random_state", 1.5)])
def test_calibrate_alarms_refuses_bad_options(option, bad):
    with pytest.raises(InputError, match=option):
        calibrate_alarms(np.arange(50.0), **{option: bad})


def test_drift_report_plots_a_column_absent_from_one_side_and_checks_plot_options():
    reference = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) % 3})
    report = drift_report(reference, reference[["b"]] + 5.0)
    assert report.plot() is not None and report.plot(column="a").get_title().startswith("a: absent from current")
    for top, ncols in [(np.nan, 2), (True, 2), (4, 0), (4, 10**30), (4, -1)]:
        with pytest.raises(InputError):
            report.plot_most_drifted(top=top, ncols=ncols)
    assert drift_report(reference, reference, alpha=np.float32(0.05)).ok
    for share in (np.nan, 1.5, True):
        with pytest.raises(InputError, match="dataset_share"):
            drift_report(reference, reference, dataset_share=share)


def test_huge_values_never_overflow_into_an_infinite_statistic():
    reference = pd.DataFrame({"a": np.r_[np.arange(50.0), 1e308]})
    current = pd.DataFrame({"a": np.r_[np.arange(50.0) + 3, -1e308]})
    report = drift_report(reference, current, numeric="all")
    assert np.isfinite(report.table["value"]).all(), report.table
    small = drift_report(reference.iloc[:50], current.iloc[:50], numeric="wasserstein").table["value"].iloc[0]
    scaled = drift_report(reference.iloc[:50] * 1e300, current.iloc[:50] * 1e300, numeric="wasserstein").table["value"].iloc[0]
    assert math.isclose(small, scaled, rel_tol=0.01)  # the normalised distance does not depend on the unit (up to the sketch)


# ----- edge cases and invariants moved out of the notebooks 03_drift and 08_drift_alarms (issue 14) ----------------------
from ml_design.datasets import load_flights  # noqa: E402
from ml_design.drift import drift_over_time  # noqa: E402

FLIGHT_FEATURES = ["dep_delay", "arr_delay", "air_time", "distance", "hour", "carrier", "origin", "dest"]


@pytest.fixture(scope="module")
def january_july():
    "The notebooks' flights: January and July of a 40,000-row sample."
    flights, _ = load_flights(n_rows=40_000, random_state=0)
    return flights, flights[flights.month == 1], flights[flights.month == 7]


def test_adjust_p_values_equals_hand_computed_corrections():
    np.testing.assert_allclose(adjust_p_values([0.01, 0.04, np.nan], "bonferroni")[:2], [0.02, 0.08])
    np.testing.assert_allclose(adjust_p_values([0.01, 0.04, 0.03]), [0.03, 0.04, 0.04])
    with pytest.raises(InputError, match=re.escape("expected one of ['benjamini-hochberg', 'bonferroni', 'none']")):
        adjust_p_values([0.1], "holm")


def test_july_against_january_from_frames_profiles_and_merged_chunks_is_one_report(january_july):
    _, january, july = january_july
    report = drift_report(january, july, columns=FLIGHT_FEATURES)
    assert drift_report(january, january, columns=FLIGHT_FEATURES).drifted_columns == []
    assert set(report.table["kind"]) == {"numeric", "categorical", "missing"}
    january_profile, july_profile = Profile.from_frame(january), Profile.from_frame(july)
    assert drift_report(january_profile, july_profile, columns=FLIGHT_FEATURES).table.equals(report.table)
    halves = Profile.from_frame(january.iloc[:1000]).merge(Profile.from_frame(january.iloc[1000:]))  # two chunks
    assert drift_report(halves, july_profile, columns=FLIGHT_FEATURES).table.equals(report.table)
    with pytest.raises(InputError, match=re.escape("current: expected at least 1 row(s), received 0 row(s)")):
        drift_report(january, july.iloc[:0])
    with pytest.raises(InputError, match=re.escape("Did you mean 'ks'?")):
        drift_report(january, july, numeric="kss")
    with pytest.raises(InputError, match=re.escape("received ['psy']")):
        drift_report(january, july, columns=["dep_delay"], thresholds={"psy": 0.2})


def test_report_statistics_of_flight_hours_are_exact(january_july):
    "Hours 5..23 each have a bucket of their own: the report's statistics equal the exact ones (Wasserstein to the 0.5% scale)."
    _, january, july = january_july
    table = drift_report(january, july, columns=["hour"], numeric="all").table
    from_profiles = table[table["kind"] == "numeric"].set_index("statistic")["value"]
    exact = {"ks": ks_statistic(january.hour, july.hour)[0], "psi": psi(january.hour, july.hour),
             "wasserstein": wasserstein(january.hour, july.hour), "jensen_shannon": jensen_shannon(january.hour, july.hour)}
    for name, value in exact.items():
        assert abs(from_profiles[name] - value) < (1e-12 if name != "wasserstein" else 0.01 * value), name


def test_calibrate_alarms_refuses_a_shift_of_categories():
    with pytest.raises(InputError, match="shift: expected 0 for categories"):
        calibrate_alarms(["a", "b"], shift=0.1)


def test_drift_over_time_refuses_a_time_column_that_holds_no_datetimes(january_july):
    flights, _, _ = january_july
    with pytest.raises(InputError, match="month: expected datetimes"):
        drift_over_time(flights, "month", ["dep_delay"])


# ----- edge cases and internals moved out of the notebooks 04_drift_statistics and 07_profiles (issue 14) ----------------
from ml_design.drift_stats import DEFAULT_RELATIVE_ACCURACY, _sketch_values  # noqa: E402


def test_statistics_of_a_sample_against_itself_and_of_a_single_level(january_july):
    _, january, _ = january_july
    assert psi(january.dep_delay, january.dep_delay) == 0.0
    assert jensen_shannon(january.carrier, january.carrier) == 0.0
    assert chi_square(["a", "b"], ["a", "b"]) == (0.0, 1.0)
    assert chi_square(["a"], ["a", "a"]) == (0.0, 1.0)  # a single level: the samples cannot differ


def test_statistics_refuse_infinite_all_missing_and_categorical_samples():
    with pytest.raises(InputError, match=re.escape("1 infinite value(s)")): psi([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(InputError, match="reference: expected at least one non-missing number"): psi([np.nan, np.nan], [1.0])
    with pytest.raises(InputError, match="Use chi_square for categories"): ks_statistic(["a"], ["b"])
    with pytest.raises(InputError, match="reference: expected at least one non-missing value"): chi_square([None], ["a"])


def test_sketch_codes_sort_like_their_values_and_close_values_share_a_bucket():
    sample = np.array([0.0, -2.5, 1.002, 1.006, 1000.0])
    column = Profile.from_frame(pd.DataFrame({"x": sample})).columns["x"]
    assert column.codes[0] < column.codes[1] == 0 < column.codes[2] < column.codes[3]  # -2.5, 0, 1.00x, 1000
    assert column.counts.tolist() == [1, 1, 2, 1]  # 1.002 and 1.006 share a bucket
    represented = np.repeat(_sketch_values(column.codes, DEFAULT_RELATIVE_ACCURACY), column.counts)
    assert np.all(np.abs(represented - np.sort(sample)) <= DEFAULT_RELATIVE_ACCURACY * np.abs(np.sort(sample)))


def test_profiles_of_another_format_or_of_columns_of_another_kind_are_refused():
    with pytest.raises(InputError, match="expected format 'ml_design.drift.Profile/1'"): Profile.from_dict({"format": "other/9"})
    with pytest.raises(InputError, match="column 'x': expected the same kind in both profiles \\(numeric\\), received categorical"):
        Profile.from_frame(pd.DataFrame({"x": [1.0]})).merge(Profile.from_frame(pd.DataFrame({"x": ["a"]})))


def test_from_tally_keeps_whole_counts_past_what_a_float_holds():
    "Integer counts above 2**53 are taken as given, not through a float (which would round 2**60 + 1 down)."
    from ml_design.drift_stats import ColumnProfile
    profile = ColumnProfile.from_tally(np.array([1.0, 2.0]), np.array([2**60 + 1, 3], dtype=np.int64))
    assert profile.rows == 2**60 + 4 and int(profile.counts.sum()) == 2**60 + 4
