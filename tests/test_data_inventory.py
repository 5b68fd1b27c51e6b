"""data_inventory: counts against pandas, volume against a groupby, gaps against a brute-force scan, on real and generated frames."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from ml_design.core import InputError, is_result
from ml_design.data_inventory import inventory, largest_gap, volume_over_time
from ml_design.datasets import load_arrests, load_hmda, load_rainfall

frames = data_frames([column("a", dtype=float), column("b", elements=st.sampled_from(["x", "y", None])),
                      column("c", dtype=int, elements=st.integers(0, 3))])


@given(frames)
@settings(max_examples=100, deadline=None)
def test_counts_equal_pandas(df):
    if len(df) == 0:
        with pytest.raises(InputError, match="at least 1 row"):
            inventory(df)
        return
    result = inventory(df)
    table = result.table.set_index("column")
    np.testing.assert_allclose(table["missing_share"].to_numpy(dtype=float), df.isna().mean().to_numpy())
    assert table["n_unique"].tolist() == df.nunique().tolist()
    assert result.overview["duplicated_rows"] == int(df.duplicated().sum())
    json.dumps(result.to_dict(), allow_nan=False)
    assert is_result(result)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=80), st.sampled_from(["D", "2D", "W"]))
@settings(max_examples=100, deadline=None)
def test_volume_equals_a_resample_and_gaps_a_scan(days, freq):
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    df = pd.DataFrame({"t": times, "y": np.where(np.array(days) % 3 == 0, np.nan, 1.0)})
    volume = volume_over_time(df, "t", freq=freq, target="y")
    expected = df.set_index("t").resample(freq)["y"].agg(["size", "count"])
    assert volume["rows"].tolist() == expected["size"].tolist()
    assert volume["labelled"].tolist() == expected["count"].tolist()
    longest, run = 0, 0
    for rows in volume["rows"]:
        run = run + 1 if rows == 0 else 0
        longest = max(longest, run)
    assert largest_gap(volume)[0] == longest


def test_numeric_time_columns_on_real_data():
    arrests, card = load_arrests()
    result = inventory(arrests, target=card.target, time_column=card.time_column)
    by_year = arrests.groupby("year").size()
    assert result.volume["rows"].tolist() == by_year.tolist()
    rain, rain_card = load_rainfall(n_rows=3000)
    rain_result = inventory(rain, target=rain_card.target, time_column=rain_card.time_column, freq=1)
    assert rain_result.volume["rows"].sum() == 3000
    assert rain_result.overview["empty_periods"] == rain_result.volume["rows"].eq(0).sum() > 0  # a sample leaves gaps


def test_label_balance_and_missing_labels():
    hmda, card = load_hmda()
    result = inventory(hmda, target="deny")
    assert result.label_balance.to_dict() == pytest.approx(hmda["deny"].value_counts(normalize=True).to_dict())
    partly = hmda.assign(deny=hmda["deny"].where(np.arange(len(hmda)) % 4 != 0))
    missing = inventory(partly, target="deny")
    assert missing.overview["label_available_share"] == pytest.approx(partly["deny"].notna().mean())
    assert any("no label" in f.message for f in missing.findings)
    rare = inventory(hmda, target="deny", min_class_share=0.2)
    assert any("rarest class" in f.message for f in rare.findings)


def test_duplicates_and_identifiers_are_flagged():
    hmda, _ = load_hmda()
    doubled = pd.concat([hmda, hmda.head(50)], ignore_index=True).reset_index(names="application_id")
    result = inventory(doubled.drop(columns="application_id"))
    assert result.overview["duplicated_rows"] == int(hmda.duplicated().sum()) + 50 and result.severity == "warn"
    flagged = inventory(doubled).table.set_index("column")["identifier_like"]
    assert flagged["application_id"] and not flagged.drop("application_id").any()


def test_freshness_against_now():
    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=10, freq="D"), "x": range(10)})
    stale = inventory(df, time_column="t", now=pd.Timestamp("2024-02-01"), max_age="7D")
    assert stale.overview["age_of_newest"] == pd.Timedelta("22D")
    assert any("stale" in f.message for f in stale.findings)
    fresh = inventory(df, time_column="t", now=pd.Timestamp("2024-01-11"), max_age="7D")
    assert not any("stale" in f.message for f in fresh.findings)


def test_edge_cases_moved_from_the_notebook():
    from ml_design.data_inventory import column_kind, identifier_like
    assert column_kind(pd.Series([True, False])) == "boolean"
    assert identifier_like(pd.Series([f"A{i % 60}" for i in range(100)], name="account_id"))  # id-like name, 60% distinct
    assert volume_over_time(pd.DataFrame({"year": [1997, 1997, 1999]}), "year", freq=1)["rows"].tolist() == [2, 0, 1]
    toy = pd.DataFrame({"day": pd.to_datetime(["2024-01-01", "2024-01-02"]), "state": ["a", "b"]})
    with pytest.raises(InputError, match="a pandas offset alias"):
        volume_over_time(toy, "day", freq="fortnightly")
    result = inventory(toy)
    with pytest.raises(InputError, match="Pass time_column="):
        result.plot_volume()
    with pytest.raises(InputError, match=r"one of \['missingness', 'volume'\]"):
        result.plot(kind="bars")


def test_inventory_refuses_bad_options_and_frames():
    import numpy as np
    import pandas as pd
    import pytest
    from ml_design.core import InputError
    from ml_design.data_inventory import inventory, volume_over_time
    df = pd.DataFrame({"t": np.arange(100.0), "y": [0, 1] * 50})
    for options, named in [({"max_missing": float("nan")}, "max_missing"), ({"max_missing": pd.NA}, "max_missing"),
                           ({"min_class_share": True}, "min_class_share"), ({"target": ["y"]}, "target"),
                           ({"target": "yy"}, "target"), ({"max_gap_periods": -1}, "max_gap_periods"),
                           ({"max_levels": 0}, "max_levels"), ({"id_threshold": 0}, "id_threshold"),
                           ({"time_column": "t", "freq": 0}, "freq"), ({"time_column": "t", "freq": float("nan")}, "freq")]:
        with pytest.raises(InputError, match=f"^{named}: expected"):
            inventory(df, **options)
    with pytest.raises(InputError, match="each column name once"):
        inventory(df.set_axis(["t", "t"], axis=1))
    with pytest.raises(InputError, match="one scalar value per cell"):
        inventory(df.assign(cell=[{"a": 1}] * 100))
    assert inventory(df, target="y", time_column="t", max_missing=np.float32(0.5)).plot() is not None
    with pytest.raises(InputError, match="^freq: expected a period giving at most"):
        volume_over_time(df, "t", freq=1e-9)
