"tools/reader_first.py: what it folds, what it splits, and that a second run changes nothing."
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import reader_first  # noqa: E402


def notebook(*sources):
    return {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
                       "source": s.splitlines(keepends=True)} for i, s in enumerate(sources)]}


def sources(nb):
    return ["".join(c["source"]) for c in nb["cells"]]


def test_a_demonstration_that_tests_is_split_into_its_result_and_a_hidden_test_cell():
    nb = notebook("#| slow\n# the rows\nrows = load()\ntest_eq(len(rows), 3)\nassert rows\n# what a reader sees\nrows.head()")
    changes = reader_first.fold(nb)
    assert sources(nb) == ["#| slow\n# the rows\nrows = load()\n# what a reader sees\nrows.head()",
                           "#| hide\n#| slow\ntest_eq(len(rows), 3)\nassert rows"]
    assert nb["cells"][1]["metadata"] == {"jupyter": {"source_hidden": True}} and nb["cells"][0]["metadata"] == {}
    assert changes and reader_first.fold(nb) == []  # folded once, nothing left to do


def test_export_cells_are_collapsed_and_test_only_cells_hidden():
    nb = notebook("#| export\ndef f(): return 1", "test_eq(f(), 1)", "f()")
    reader_first.fold(nb)
    assert sources(nb)[1] == "#| hide\ntest_eq(f(), 1)" and sources(nb)[2] == "f()"
    hidden = [c["metadata"].get("jupyter", {}).get("source_hidden", False) for c in nb["cells"]]
    assert hidden == [True, True, False]


def test_statements_sharing_a_line_are_left_whole():
    for source in ["x = 1; test_eq(x, 1)", "test_eq(1, 1); x = 2\nx"]:
        nb = notebook(source)
        assert reader_first.fold(nb) == [] and sources(nb) == [source]


def test_a_cell_that_does_not_parse_is_left_alone():
    nb = notebook("%timeit f()\ntest_eq(1, 1)")
    assert reader_first.fold(nb) == [] and sources(nb) == ["%timeit f()\ntest_eq(1, 1)"]
