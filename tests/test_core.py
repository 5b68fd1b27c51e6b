"""Property-based tests of the core helpers against pandas and json as references."""
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ml_design.core import InputError, atomic_write, check_numeric, to_jsonable

scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**62, 2**62), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=5), st.datetimes().map(pd.Timestamp))
nested = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
                      max_leaves=20)


@given(nested)
def test_to_jsonable_always_gives_strict_json(value):
    json.dumps(to_jsonable(value), allow_nan=False)


@given(st.lists(st.one_of(st.integers(-10**6, 10**6), st.floats(allow_infinity=False), st.text(max_size=3)), max_size=20))
@settings(max_examples=200)
def test_check_numeric_agrees_with_pandas_to_numeric(values):
    try:
        reference = pd.to_numeric(pd.Series(values, dtype=object), errors="raise").to_numpy(dtype=float)
    except (ValueError, TypeError):
        with pytest.raises(InputError, match="expected numbers"):
            check_numeric(values)
        return
    if np.isinf(reference).any():
        with pytest.raises(InputError, match="infinite"):
            check_numeric(values)
    else:
        np.testing.assert_array_equal(check_numeric(values), reference)


def test_atomic_write_leaves_old_content_when_the_write_fails(tmp_path, monkeypatch):
    target = atomic_write(tmp_path / "a.json", "old")

    def broken_replace(*args):
        raise OSError("disk full")
    monkeypatch.setattr("os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


@given(st.one_of(st.integers(-10, 10), st.floats(-10, 10), st.just(float("nan")), st.booleans(), st.text(max_size=2),
                 st.integers(-10, 10).map(np.int64), st.floats(-10, 10, width=32).map(np.float32)),
       st.booleans(), st.integers(-5, 5), st.booleans())
def test_check_number_accepts_exactly_what_a_plain_reference_accepts(value, integer, low, low_open):
    from ml_design.core import check_number
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    reference = (is_number and not (integer and not isinstance(value, (int, np.integer)))
                 and not (isinstance(value, (float, np.floating)) and np.isnan(value))
                 and (value > low if low_open else value >= low))
    if reference:
        assert check_number(value, "x", "a number", integer=integer, low=low, low_open=low_open) is value
    else:
        with pytest.raises(InputError, match="x: expected a number"):
            check_number(value, "x", "a number", integer=integer, low=low, low_open=low_open)


def test_atomic_write_gives_the_mode_of_a_plain_file_and_keeps_an_existing_one(tmp_path):
    import os, stat
    from ml_design.core import atomic_write
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    written = atomic_write(tmp_path / "report.html", "<p>hi</p>")
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    os.chmod(written, 0o640)
    atomic_write(written, "<p>again</p>")
    assert stat.S_IMODE(written.stat().st_mode) == 0o640 and written.read_text() == "<p>again</p>"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
