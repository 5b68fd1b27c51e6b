"""Shared by every test file: the Agg backend, a quiet library, and the order in which pytest-xdist hands out the files.

`make test` runs `pytest -n 2 --dist loadfile --no-loadscope-reorder` (tools/test.sh): every test file is one unit of
work, so its module fixtures (a design review, a docs build, a browser) are built once, in one process. The files are
handed out in collection order, and the files of HEAVY (the longest, measured with --durations) are collected first, so
that no long file starts last while the other worker has nothing left to do.

(`--dist loadgroup` with an `xdist_group` mark per file did this before, but with pytest 9 pytest-xdist 3.8 can no
longer add the group to a test's node id (pytest's `nodeid` is now read from `_id`), so every test became a unit of its
own: a worker coming back to a file built its module fixtures again, the CLI's reviews among them.)
"""
import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("ML_DESIGN_QUIET", "1")

# The longest test files first (the first four from one `pytest -n 2 --durations=0` run, slowest first; the next three
# build a review, a docs site or kill writers in their fixtures); a file not listed keeps its place after these.
HEAVY = ["test_workshop.py", "test_review.py", "test_cli.py", "test_objectives.py", "test_report_browser.py",
         "test_docs_site.py", "test_maintainability.py"]


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(HEAVY)}
    items.sort(key=lambda item: rank.get(item.path.name, len(HEAVY)))  # stable: in-file order and other files unchanged
