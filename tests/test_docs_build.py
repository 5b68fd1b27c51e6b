"""The docs builder's processing of one notebook, without a browser: a small notebook written here is executed and
rendered by tools/build_docs.py's own subprocess, and its HTML is read back.

Checked: an `#| export` cell is folded in a closed <details> after the show_doc of what it defines, a class's public
methods are documented under it (in the order written, not properties nor private ones), a `jupyter.source_hidden`
cell folds its source and keeps its output visible, `#| hide` cells stay out, a progress bar's output is dropped,
no pilcrow; and the API index, search entries and link rewriting of the builder's helpers.
"""
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_docs  # noqa: E402

CLASS = '''#| export
class Meter:
    "Counts what it is given."
    def __init__(self): self.n = 0
    def add(self, k: int = 1): # how many to add
        "Add `k` to the count."
        self.n += k
        return self
    @property
    def doubled(self):
        "Twice the count."
        return 2 * self.n
    def _secret(self): return 0
    def reset(self):
        "Back to zero."
        self.n = 0'''


def code(source, **metadata):
    return {"cell_type": "code", "source": source, "metadata": metadata, "outputs": [], "execution_count": None}


def markdown(source):
    return {"cell_type": "markdown", "source": source, "metadata": {}}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb")
    cells = [markdown("# A small chapter\n> What the builder does with each kind of cell."),
             code("#| hide\nHIDDEN_MARKER = 'never on the page'"),
             markdown("## Counting"),
             code(CLASS),
             code("Meter().add(2).n"),
             code("import sys\nsys.stderr.write('\\r 50%|#####     | 1/2 [00:01<00:01, 1.00it/s]')\nprint('shown output')",
                  jupyter={"source_hidden": True}),
             code("#| export\ndef twice(x: float) -> float:\n    \"Twice `x`.\"\n    return 2 * x")]
    notebook = folder / "99_small.ipynb"
    notebook.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3",
                        "display_name": "Python 3", "language": "python"}}, "cells": cells}), encoding="utf-8")
    path, title, body, api = build_docs.render_in_subprocess(notebook, "")
    return title, body


def order(body):
    "Headings and folds in page order."
    return re.findall(r'<h[1-4] id="([^"]+)"|<details class="(implementation[^"]*)"', body)


def test_exports_fold_after_their_api_and_classes_list_their_methods(page):
    title, body = page
    assert title == "A small chapter"
    marks = [h or d for h, d in order(body)]
    start = marks.index("Meter")
    assert marks[start:start + 4] == ["Meter", "Meter.add", "Meter.reset", "implementation"]
    assert marks[-2:] == ["twice", "implementation"]
    assert "Meter.doubled" not in marks and "Meter._secret" not in marks
    folds = re.findall(r'<details class="implementation"><summary>show the implementation</summary>(.*?)</details>', body, re.S)
    assert len(folds) == 2 and "class</span>" in folds[0] and 'class="nf"' in folds[0]  # highlighted by Pygments
    assert "#|" not in body  # directives stripped


def test_hidden_cells_progress_and_pilcrows(page):
    _, body = page
    assert "HIDDEN_MARKER" not in body
    fold = re.search(r'<details class="implementation hidden-source">(.*?)</details>(.*?)(<details|$)', body, re.S)
    text = lambda fragment: re.sub(r"<[^>]+>", "", fragment)
    assert fold and "sys.stderr.write" in text(fold.group(1)) and "shown output" in text(fold.group(2))  # output visible
    assert "1/2 [00:01" not in text(fold.group(2))  # the progress bar written to stderr is not in the output
    assert "¶" not in body
    assert re.search(r'<h2 id="Counting">Counting<a class="anchor-link" href="#Counting">#</a></h2>', body)


def test_api_entries_search_entries_and_links():
    entries = build_docs.api_entries("core")
    names = {e["name"]: e for e in entries}
    import ml_design.core
    assert list(names) == list(ml_design.core.__all__)
    assert names["check_frame"]["summary"].startswith("Check that `df` is a DataFrame")
    assert [m["name"] for m in names["Result"]["methods"]] == ["Result.plot", "Result.findings_frame", "Result.to_dict"]
    body = '<h1 id="Core">Core</h1><p>Intro.</p><h2 id="Input-checks">Input checks</h2><p>About checks.</p><h3 id="check_frame">check_frame</h3>'
    found = build_docs.search_entries(Path("00_foundations/core.html"), "Core", body, [names["check_frame"]])
    assert {"k": "page", "n": "Core", "w": "Page", "u": "00_foundations/core.html", "x": "Intro."} in found
    assert any(e["k"] == "section" and e["u"].endswith("#Input-checks") and e["x"] == "About checks." for e in found)
    assert [e["u"] for e in found if e["k"] == "name"] == ["00_foundations/core.html#check_frame"]
    assert not any(e["k"] == "section" and e["n"] == "check_frame" for e in found)  # the name's entry says it once
    chapter = ROOT / "nbs" / "00_foundations" / "00_core.ipynb"
    linked = build_docs.link_workshop("<p>See <code>workshop/00_core.ipynb</code>.</p>", chapter, "../")
    assert '<a href="../workshop/00_core.html"><code>workshop/00_core.ipynb</code></a>' in linked
    assert linked.rstrip().endswith('<p class="exercises">Exercises: <a href="../workshop/00_core.html">workshop/00_core</a></p>')
    assert build_docs.page_path(ROOT / "workshop" / "00_core.ipynb") == Path("workshop/00_core.html")
    assert build_docs.alias_anchors('<h3 id="Finding">Finding</h3>').startswith('<span id="finding" class="anchor-alias">')
