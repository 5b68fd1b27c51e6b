"""Every dataset loads with networking unavailable: socket connections and DNS look-ups raise."""
import socket

import numpy as np
import pandas as pd
import pytest

from ml_design import datasets

EXPECTED = {"flights": (327_346, 20), "hmda": (2_380, 14), "arrests": (5_226, 8), "loans": (10_000, 55),
            "rainfall": (18_159, 10), "movielens": (100_004, 7)}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted in an offline test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_network_really_is_blocked(no_network):
    with pytest.raises(OSError, match="offline"):
        socket.create_connection(("127.0.0.1", 9))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_dataset_loads_offline(no_network, name):
    frame, card = datasets.load(name)
    assert frame.shape == EXPECTED[name]
    assert card.rows == EXPECTED[name][0] and card.columns == EXPECTED[name][1]
    assert card.target in frame.columns and card.licence and card.source and card.quirks
    if card.time_column:
        assert frame[card.time_column].is_monotonic_increasing
    for column in card.sensitive_columns + card.group_columns + card.known_after:
        assert column in frame.columns or column == "month" and "month" in frame.columns


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_samples_are_reproducible_and_keep_time_order(name):
    first, card = datasets.load(name, n_rows=500, random_state=7)
    second, _ = datasets.load(name, n_rows=500, random_state=7)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) == 500
    if card.time_column:
        assert first[card.time_column].is_monotonic_increasing


def test_flights_late_share_matches_the_published_seasonal_range():
    flights, _ = datasets.load_flights()
    monthly = flights.groupby(flights["time_hour"].dt.month)["late"].mean()
    assert monthly.idxmin() == 9 and round(monthly.min(), 2) == 0.13
    assert monthly.idxmax() == 12 and round(monthly.max(), 2) == 0.33


def test_cancelled_flights_kept_on_request():
    flights, _ = datasets.load_flights(cancelled=True)
    assert len(flights) == 336_776
    assert flights["late"].isna().sum() == 9_430  # the card's "9,430 flights (2.8%)"
    assert round(9_430 / len(flights), 3) == 0.028
    assert flights["tailnum"].nunique() > 4_000  # the card's "4,000+ levels"


@pytest.mark.parametrize("seed", [-1, 1.5, "x", True, 2**32])
def test_loaders_refuse_a_bad_seed_before_reading(seed):
    from ml_design.core import InputError
    for loader in (datasets.load_flights, datasets.sample_rows):
        args = () if loader is datasets.load_flights else (pd.DataFrame({"a": [1, 2, 3]}), 2)
        with pytest.raises(InputError, match="random_state"):
            loader(*args, random_state=seed)


def test_data_card_checks_its_counts_and_takes_a_str_as_one_column():
    from ml_design.core import InputError
    card = datasets.DataCard("x", "X", "s", "CC0", rows=10, columns=2, group_columns="carrier")
    assert card.group_columns == ("carrier",)
    for rows in (np.nan, pd.NA, True, -1, 2.5):
        with pytest.raises(InputError, match="rows"):
            datasets.DataCard("x", "X", "s", "CC0", rows=rows, columns=2)
