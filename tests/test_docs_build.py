"""The docs builder's processing of one notebook, without a browser: a small notebook written here is executed and
rendered by tools/build_docs.py's own subprocess, and its HTML is read back.

Checked: an `#| export` cell is folded in a closed <details> after the show_doc of what it defines, a class's public
methods are documented under it (in the order written, not properties nor private ones), a `jupyter.source_hidden`
cell folds its source and keeps its output visible, `#| hide` cells stay out, a progress bar's output is dropped,
no pilcrow; and the API index, search entries and link rewriting of the builder's helpers.
"""
import json
import re
import subprocess
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


# The docs build is also `make test`'s notebook run (nbdev-test is not run separately): it must execute the cells
# nbdev-test executes, in the same conditions, and fail naming the notebook and the cell when one raises.
PARITY_CELLS = [markdown("# Parity\n> Which cells run."),
                code("import os\ndef mark(what): open(os.environ['PARITY_LOG'], 'a').write(what + '\\n')\nmark('plain')"),
                code("#| slow\nmark('slow')"),
                code("#| notest\nmark('notest')"),
                code("#| eval: false\nmark('eval-false')"),
                code("mark('IN_TEST=' + os.environ.get('IN_TEST', '-'))\nmark('cwd=' + os.path.basename(os.getcwd()))"),
                code("#| slow\n#| eval: false\nmark('slow-and-eval-false')")]
SKIPPED_CELLS = [{"cell_type": "raw", "source": "---\ntitle: Skipped\nskip_exec: true\n---", "metadata": {}},
                 code("import os\nopen(os.environ['PARITY_LOG'], 'a').write('skip_exec notebook ran\\n')")]


def write_nb(path, cells):
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3",
                    "display_name": "Python 3", "language": "python"}}, "cells": cells}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    "A small nbdev project with this project's tst_flags: a notebook with each kind of skipped cell, one skip_exec."
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text('[project]\nname = "parity"\nversion = "0.0.1"\n\n[tool.nbdev]\n'
                                         'lib_path = "parity"\nnbs_path = "nbs"\ntst_flags = "notest slow"\n', encoding="utf-8")
    (root / "nbs").mkdir()
    return write_nb(root / "nbs" / "01_parity.ipynb", PARITY_CELLS), write_nb(root / "nbs" / "02_skipped.ipynb", SKIPPED_CELLS)


@pytest.mark.parametrize("flags", ["", "slow"])
def test_the_docs_build_runs_the_cells_nbdev_test_runs(project, tmp_path, monkeypatch, flags):
    import tomllib
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["nbdev"]["tst_flags"] == "notest slow"
    logs = {}
    for who in ("nbdev-test", "docs"):
        logs[who] = tmp_path / f"{who}.log"
        monkeypatch.setenv("PARITY_LOG", str(logs[who]))
        if who == "nbdev-test":
            proc = subprocess.run([str(Path(sys.executable).parent / "nbdev-test"), str(project[0].parent)]
                                  + (["--flags", flags] if flags else []), capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr[-2000:]
        else:
            for notebook in project: build_docs.render_in_subprocess(notebook, flags)
    ran = {who: log.read_text().splitlines() for who, log in logs.items()}
    assert ran["docs"] == ran["nbdev-test"]
    expected = ["plain", "slow", "IN_TEST=1", "cwd=nbs"] if flags else ["plain", "IN_TEST=1", "cwd=nbs"]
    assert ran["docs"] == expected


def test_a_raising_cell_fails_the_build_naming_the_notebook_and_the_cell(project):
    folder = project[0].parents[1] / "elsewhere"  # in the project (its tst_flags apply), not among the notebooks tested above
    folder.mkdir(exist_ok=True)
    notebook = write_nb(folder / "07_broken.ipynb",
                        [markdown("# Broken"), code("x = 1"), code("#| slow\nraise ValueError('slow: skipped')"),
                         {**code("y = x / 0"), "id": "the-bad-cell"}, code("z = 2")])
    with pytest.raises(RuntimeError) as failed:
        build_docs.render_in_subprocess(notebook, "")
    message = str(failed.value)
    assert "07_broken.ipynb: cell #4 (id the-bad-cell) raised ZeroDivisionError: division by zero" in message
    assert "y = x / 0" in message and "While Executing Cell #4" in message  # the source and nbdev's traceback
    with pytest.raises(RuntimeError, match=r"cell #3 .*raised ValueError: slow: skipped"):
        build_docs.render_in_subprocess(notebook, "slow")


def test_show_doc_pages_drop_the_numpydoc_parameters_section_the_signature_already_shows():
    from nbdev.showdoc import show_doc
    from ml_design.core import check_columns
    assert "Parameters\n----------" in check_columns.__doc__  # help() shows it ...
    output = {"output_type": "display_data", "data": {"text/markdown": show_doc(check_columns)._repr_markdown_()}}
    shown = build_docs._without_parameters_section(output)["data"]["text/markdown"]
    assert "Parameters\n----------" not in shown and "allow_empty:bool=False, # accept an empty list" in shown  # ... the page shows the signature's comments
    assert shown.rstrip().endswith("return them as a list.*")
    assert "[source](" not in shown  # nbdev links to a repository host; the project has none and the site is offline


def test_every_public_name_is_listed_once_by_the_chapter_that_defines_it():
    # a module can be written by two chapters (a continuation's `#| export <module>` cells): the API index and the
    # search list each public name under the page that defines it, and every name of every module's `__all__` once
    import importlib
    from nbdev.process import read_nb
    listed = {}
    for path in build_docs.notebooks():
        nb = read_nb(path)
        module = build_docs._default_exp(nb)
        if not module: continue
        for entry in build_docs.api_entries(module, build_docs._defined_names(nb)):
            listed.setdefault(f"{module}.{entry['name']}", []).append(path.name)
    modules = {name.split(".")[0] for name in listed}
    expected = {f"{m}.{n}" for m in modules for n in importlib.import_module(f"ml_design.{m}").__all__}
    assert set(listed) == expected, sorted(expected ^ set(listed))[:10]
    twice = {name: pages for name, pages in listed.items() if len(pages) > 1}
    assert not twice, twice
