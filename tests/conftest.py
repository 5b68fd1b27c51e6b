"""Shared by every test file: the Agg backend, a quiet library, and how pytest-xdist shares the files between workers.

`make test` runs `pytest -n 2 --dist loadgroup --no-loadscope-reorder` (tools/test.sh). With that:
- every test file is one unit of work, as with `--dist loadfile` (its module fixtures are built once, in one process),
  except the files of SPLIT: there the tests sharing one of the named (expensive, module-scoped) fixtures form a unit and
  the file's other tests are free (each its own unit), so one long file runs on both workers instead of one;
- the units are handed out in collection order, and the files of HEAVY (the longest, measured with --durations) are
  collected first, so that no long file starts last while the other worker has nothing left to do.
Without `--dist loadgroup` (plain pytest, -n 2 --dist loadfile, one file) nothing is grouped; the order still applies.
"""
import os

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("ML_DESIGN_QUIET", "1")

# The longest test files first (their summed test and fixture time in one `pytest -n 2 --durations=0` run, slowest
# first); a file not listed keeps its place after these.
HEAVY = ["test_workshop.py", "test_review.py", "test_cli.py", "test_objectives.py"]

# file: the module fixtures whose tests stay together; the file's other tests are spread one by one.
# (A module fixture is built again when a worker comes back to its file, so the cheap ones that many tests share are
# named too: their tests stay together.)
SPLIT = {"test_review.py": ("flights_review", "loans_review", "small_flights"), "test_cli.py": ("reviewed", "model_files")}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the xdist_group marks into work units
def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(HEAVY)}
    items.sort(key=lambda item: rank.get(item.path.name, len(HEAVY)))  # stable: in-file order and other files unchanged
    if config.getoption("dist", "no") != "loadgroup": return
    for item in items:
        if item.get_closest_marker("xdist_group"): continue
        name = item.path.name
        if name in SPLIT:
            shared = [fixture for fixture in SPLIT[name] if fixture in item.fixturenames]
            if shared: item.add_marker(pytest.mark.xdist_group(f"{name}::{'+'.join(shared)}"))
            # else: free, a unit of its own
        else:
            item.add_marker(pytest.mark.xdist_group(name))
