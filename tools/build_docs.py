"""Build the documentation site from the notebooks, offline and in pure Python.

Each notebook under nbs/ is executed exactly as nbdev-test executes it (execute_like_nbdev_test: the same cells skipped --
`tst_flags` of pyproject.toml such as `#| slow` unless --flags names them, `#| eval: false`, skip_exec, .notest --, the
same shell, folder, IN_TEST and cell timeout), each in a fresh process, two at a time; this is `make test`'s notebook
run, so a cell that raises fails the build naming the notebook, the cell and its traceback. It is then processed by
nbdev's own documentation processors (hidden cells removed, `show_doc` rendered, directives stripped) and rendered to
HTML with nbconvert.
On top of what nbdev gives:
- code is highlighted by Pygments (its CSS is in style.css);
- a class's `show_doc` is followed by the `show_doc` of each public method its class body defines;
- every `#| export` cell (or a cell whose metadata has `jupyter.source_hidden`) is folded in a closed <details>
  "show the implementation", placed after the `show_doc` of what it defines; `#| hide` cells stay hidden;
- api.html lists every public name (each module's `__all__`) with its one-line summary and a link to its anchor;
- a search box in the sidebar searches an index built here (search_index.js, a script, so it works from file://);
- the workshop notebooks (workshop/*.ipynb) are rendered, not executed, as workshop/<name>.html, and every chapter
  page ends with a link to its exercises.
Pages get a sidebar by chapter. Nothing is fetched from the network, at build or at view time. The build fails on a
notebook that raises, on an error output, and on a dead internal link.

Usage: python tools/build_docs.py [--out _docs] [--flags "slow"] [--workers 2] [--only NOTEBOOK ...]
A partial build (`--only nbs/index.ipynb nbs/00_foundations/00_core.ipynb --out /tmp/site`) builds those pages, the
workshop pages of those chapters, and an API index and search of those pages.
"""
from __future__ import annotations

import argparse
import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
WORKSHOP = ROOT / "workshop"
ASSETS = Path(__file__).resolve().parent / "docs_assets"
CHAPTERS = {"00_foundations": "Foundations", "10_properties": "The four properties",
            "20_debt": "Hidden technical debt", "30_before_you_start": "Before you start",
            "40_in_production": "In production", "50_review": "The design review", "60_workshop": "Workshop"}
FOLD_SUMMARY = "show the implementation"
FOLD_DIRECTIVES = {"export", "exports", "exporti"}  # `#| export` and its variants: library source, folded
PROGRESS = re.compile(r"\r|\d+%\|[^\n]*\||\bit/s\]")  # a tqdm bar in a stream output


def page_path(notebook: Path) -> Path:
    "Relative output path of a notebook's page: nbdev's name for a chapter (numeric prefix stripped), workshop/<name>.html."
    notebook = Path(notebook).resolve()
    if notebook.parent == WORKSHOP.resolve(): return Path("workshop") / f"{notebook.stem}.html"
    from nbdev.config import nbpath2html
    return nbpath2html(notebook.relative_to(NBS))


def notebooks() -> list[Path]:
    return sorted(p for p in NBS.rglob("*.ipynb") if not any(part.startswith((".", "_")) for part in p.relative_to(NBS).parts))


def workshop_of(notebook: Path) -> Path | None:
    "The workshop notebook of a chapter (workshop/<same name>.ipynb), if there is one."
    path = WORKSHOP / Path(notebook).name
    return path if Path(notebook).resolve().parent != WORKSHOP.resolve() and path.is_file() else None


def workshop_notebooks() -> list[Path]:
    return sorted(WORKSHOP.glob("*.ipynb")) if WORKSHOP.is_dir() else []


def _frontmatter(cell) -> dict | None:
    "The YAML frontmatter nbdev makes of a notebook's title cell, or None."
    import yaml
    if cell.cell_type != "raw" or not cell.source.lstrip().startswith("---"): return None
    return yaml.safe_load(cell.source.strip().strip("-")) or {}


def _quarto_to_html(cell):
    "Turn what nbdev leaves for Quarto into what nbconvert renders: title cell, `#| echo: false`, directives."
    front = _frontmatter(cell)
    if front is not None:
        text = f"# {front.get('title', '')}" + (f"\n\n> {front['description']}" if front.get("description") else "")
        return type(cell)(cell.idx_, {"cell_type": "markdown", "source": text, "metadata": {}})
    if cell.cell_type == "code":
        lines = cell.source.splitlines()
        directives = [l for l in lines if l.startswith("#|")]
        cell.source = "\n".join(l for l in lines if not l.startswith("#|")).strip()
        if any(re.match(r"#\|\s*echo:\s*false", d) for d in directives): cell.source = ""
        if not cell.source and not cell.get("outputs"): return None
    return cell


def title_of(nb) -> str:
    for cell in nb.cells:
        front = _frontmatter(cell)
        if front and front.get("title"): return str(front["title"])
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+)$", cell.source, re.M)
            if match: return match.group(1).strip()
    return "Untitled"


def _exporter():
    "nbconvert's HTML exporter as the site uses it: body only, no prompts, a quiet '#' as heading anchors."
    from nbconvert import HTMLExporter
    from traitlets.config import Config
    config = Config()
    config.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    config.TagRemovePreprocessor.enabled = True
    return HTMLExporter(config=config, template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True,
                        anchor_link_text="#")


def _to_html(cells: list[dict]) -> str:
    "Render cells to an HTML body; a cell {'html': ...} is put in as it is (nbconvert would sanitise a raw cell's HTML)."
    import nbformat
    verbatim = {}
    for i, cell in enumerate(cells):
        if "html" in cell:
            verbatim[f"@@ml-design-verbatim-{i}@@"] = cell.pop("html")
            cell.update({"cell_type": "raw", "source": f"@@ml-design-verbatim-{i}@@", "metadata": {"raw_mimetype": "text/html"}})
        cell.setdefault("id", f"cell-{i}")
    node = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                               "metadata": {"language_info": {"name": "python"},
                                            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}})
    body, _ = _exporter().from_notebook_node(node)
    for marker, text in verbatim.items():
        if marker not in body: raise RuntimeError(f"docs: a folded cell was lost in rendering ({marker})")
        body = body.replace(marker, text)
    return body


def _default_exp(nb) -> str | None:
    """The module a notebook documents: its `#| default_exp`, or, for a chapter that continues another's module, the
    module its `#| export <module>` cells append to."""
    for pattern in (r"^\s*#\|\s*default_exp\s+(\S+)", r"^\s*#\|\s*exports?\s+([A-Za-z_][\w.]*)\s*$"):
        for cell in nb.cells:
            if cell.cell_type != "code": continue
            match = re.search(pattern, cell.source, re.M)
            if match: return match.group(1)
    return None


def _defined_names(nb) -> set:
    "The top-level names a notebook's exported cells define (functions, classes, assignments)."
    import ast
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or not re.search(r"^\s*#\|\s*exports?\b", cell.source, re.M): continue
        try: tree = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%")))
        except SyntaxError: continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    # `x = ...` and `x, y = ...` define names; `Cls.method = f` attaches to a name defined elsewhere
                    elements = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                    names.update(e.id for e in elements if isinstance(e, ast.Name))
    return names


class NotebookFailed(RuntimeError):
    "A notebook cell raised (or timed out) while the docs build executed it the way nbdev-test does."


def tested_by_nbdev(notebook: Path) -> bool:
    "Whether `nbdev-test` runs this notebook at all: not when a `.notest` file sits beside it (nbdev.test._keep_file)."
    from nbdev.test import _keep_file
    return bool(_keep_file(Path(notebook), ".notest"))


def execute_like_nbdev_test(path: Path, flags: str = ""):
    """Execute a notebook exactly as `nbdev-test --flags FLAGS` does (nbdev.test.test_nb) and return (nb, shell).

    Same notebook object (NBProcessor, directives parsed, not removed), same cells skipped (nbdev.test._skip_cell:
    frontmatter `skip_exec`, `#| eval: false` and the notebook's default eval, the `tst_flags` of pyproject.toml unless
    --flags names them), same shell (execnb's CaptureShell, the IPython profile when `exec_profile`), same working
    directory (the notebook's folder), `IN_TEST=1`, the project root on sys.path, the `cell_timeout` of the config, and
    the same stop: `run_all(exc_stop=True)` raises the first exception a cell raises. That raises NotebookFailed naming
    the notebook, the cell (its number as nbdev counts them, and its id), the exception, the cell's source and nbdev's
    traceback."""
    from execnb.shell import CaptureShell
    from fastcore.basics import str2bool
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.frontmatter import nb_frontmatter
    from nbdev.process import NBProcessor, nb_lang
    from nbdev.test import _skip_cell

    path = Path(path).resolve()
    cfg = get_config(path.parent)
    skip_flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    os.environ["IN_TEST"] = "1"
    if str(cfg.config_path) not in sys.path: sys.path.insert(0, str(cfg.config_path))
    nb = NBProcessor(path, rm_directives=False, process=True).nb
    fm = nb_frontmatter(nb)
    runs = tested_by_nbdev(path) and not str2bool(fm.get("skip_exec", False)) and nb_lang(nb) == "python"
    no_eval = _skip_cell(nb, skip_flags, flags.split()) if runs else (lambda cell: True)

    def skipped(cell):
        if no_eval(cell):
            if cell.cell_type == "code": cell.outputs = []
            return True
        return False

    shell = CaptureShell(path, profile=bool(cfg.exec_profile))
    timeout = cfg.get("cell_timeout", 600)
    with working_directory(path.parent):
        try: shell.run_all(nb, exc_stop=True, preproc=skipped, cell_timeout=int(timeout) or None)
        except KeyboardInterrupt: raise
        except BaseException as exc:
            cell = next((c for c in nb.cells if c.get("idx_") == (shell._cell_idx or 0) - 1), None)
            where = f"cell #{shell._cell_idx}" + (f" (id {cell.get('id')})" if cell is not None and cell.get("id") else "")
            source = f"\n--- cell source ---\n{cell.source}" if cell is not None else ""
            raise NotebookFailed(f"{_shown(path)}: {where} raised {type(exc).__name__}: {exc}{source}\n"
                                 f"--- traceback (nbdev) ---\n{shell.prettytb(fname=path)}") from None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code": continue
        for output in cell.get("outputs", []): _join_text(output)  # nbconvert wants strings
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if errors:  # an error output without an exception nbdev saw: the build still fails on it
            raise NotebookFailed(f"{_shown(path)}: cell #{i + 1} (id {cell.get('id')}) has an error output "
                                 f"{errors[0].get('ename')}: {errors[0].get('evalue')}\n--- cell source ---\n{cell.source}")
    return nb, shell


def _shown(path: Path) -> str:
    "A notebook's path as a message names it: relative to the project when it is inside it."
    try: return str(Path(path).resolve().relative_to(ROOT))
    except ValueError: return str(path)


def execute_and_process(notebook: str, flags: str) -> tuple[str, str, str, list]:
    """Execute one notebook as nbdev-test does (execute_like_nbdev_test), apply nbdev's doc processors, render its body
    to HTML; return (path, title, body, api)."""
    os.environ["ML_DESIGN_QUIET"] = "1"
    DocProcessors = _make_doc_processors()
    path = Path(notebook)
    nb, shell = execute_like_nbdev_test(path, flags)
    module, defined = _default_exp(nb), _defined_names(nb)  # before the doc processors strip the directives
    shell.run_cell("from nbdev.showdoc import show_doc")
    processor = DocProcessors(shell).nb_proc(nb)  # hide, show_doc, directives: what nbdev-proc-nbs applies, and folds
    processor.process()
    processed = processor.nb
    title = title_of(nb)
    cells = [c for c in (_quarto_to_html(cell) for cell in processed.cells) if c is not None]
    body = _to_html([out for c in _place_folds(cells) for out in _clean_cell(c)])
    return str(path), title, body, api_entries(module, defined)


def api_entries(module: str | None, defined: set | None = None) -> list[dict]:
    """Every public name of `ml_design.<module>` (its `__all__`) that the notebook defines (`defined`; all when None),
    with its one-line summary and, for a class, its methods. A module two chapters write lists each name on its own."""
    if not module: return []
    import importlib
    import inspect
    mod = importlib.import_module(f"ml_design.{module}")
    entries = []
    for name in getattr(mod, "__all__", []):
        if defined is not None and name not in defined: continue
        obj = getattr(mod, name, None)
        documented = inspect.isclass(obj) or inspect.isroutine(obj)
        doc = inspect.getdoc(obj) if documented else None
        entry = {"name": name, "module": module, "kind": "class" if inspect.isclass(obj) else
                 "function" if inspect.isroutine(obj) else type(obj).__name__,
                 "summary": (doc or "").strip().splitlines()[0] if doc else "", "methods": []}
        if inspect.isclass(obj):
            for method in _public_methods(obj):
                mdoc = inspect.getdoc(vars(obj)[method])
                entry["methods"].append({"name": f"{name}.{method}",
                                         "summary": mdoc.strip().splitlines()[0] if mdoc else ""})
        entries.append(entry)
    return entries


def _public_methods(cls) -> list[str]:
    """The public methods a class defines (not inherited, not properties), in the order written: those of its body and
    those its module attaches after it (`Schema.validate = _validate`, a method written in a later cell)."""
    methods = []
    for name, value in vars(cls).items():
        if name.startswith("_"): continue
        if isinstance(value, (staticmethod, classmethod)): value = value.__func__
        if not callable(value) or isinstance(value, type): continue
        if (getattr(value, "__qualname__", "").startswith(cls.__qualname__ + ".")
                or getattr(value, "__module__", None) == cls.__module__): methods.append(name)
    return methods


def _class_methods_in(source: str) -> dict[str, list[str]]:
    "{class: public methods its body defines} for the top-level classes of a cell's source."
    try: tree = ast.parse(source)
    except SyntaxError: return {}
    found = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name.startswith("_"): continue
        names = []
        for item in node.body:
            if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) or item.name.startswith("_"): continue
            decorators = {ast.unparse(d).split("(")[0].split(".")[-1] for d in item.decorator_list}
            if decorators & {"property", "cached_property", "setter", "getter", "deleter", "overload"}: continue
            names.append(item.name)
        if names: found[node.name] = names
    return found


def render_in_subprocess(notebook: Path, flags: str) -> tuple:
    """Run `execute_and_process` in a fresh Python process (isolated imports and matplotlib state). A failure raises
    RuntimeError with what the process reported: for a raising cell, the notebook, the cell, its source and traceback."""
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "page.json"
        env = {**os.environ, "ML_DESIGN_QUIET": "1"}
        proc = subprocess.run([sys.executable, __file__, "--render-one", str(notebook), "--result", str(result),
                               "--flags", flags], capture_output=True, text=True, cwd=ROOT, env=env)
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines()
            raise RuntimeError("\n".join(lines[-80:]) if lines else f"exit {proc.returncode}")
        return tuple(json.loads(result.read_text(encoding="utf-8")))


def _timed(render, notebook: Path, flags: str) -> tuple[tuple, float]:
    start = time.time()
    return render(notebook, flags), time.time() - start


def _make_doc_processors():
    "nbdev's documentation processors, with show_doc cells run in the notebook's shell, methods shown, exports folded."
    from fastcore.nbio import mk_cell
    from nbdev.processors import (FilterDefaults, _def_names, _get_nm, _show_docs, _want_doc, add_show_docs, cell_lang,
                                  exec_show_docs, rm_export)
    from nbdev.process import Processor

    class DocProcessors(FilterDefaults):
        def __init__(self, shell): self.shell = shell
        def base_procs(self):
            shell = self.shell

            class show_docs_in_shell(Processor):
                "Run the show_doc cells nbdev adds in the notebook's own shell (nothing is executed twice)."
                def __call__(self, cell):
                    if cell.cell_type != "code" or not _show_docs(cell.parsed_() or []): return
                    shell.cell(cell)
                    for output in cell.get("outputs", []): _join_text(output)

            class add_show_docs_and_methods(add_show_docs):
                "nbdev's show_doc cells after exported definitions (in the order defined), each class's followed by one per public method."
                def begin(self):
                    cells = self.nb.cells
                    methods = {}
                    for cell in cells:
                        if cell.cell_type == "code" and FOLD_DIRECTIVES & set(cell.directives_ or {}):
                            methods.update(_class_methods_in(cell.source))
                    shown = {_get_nm(t) for t in _show_docs([t for c in cells for t in (c.parsed_() or [])])}

                    def doc_cells(name, level=None):
                        new = mk_cell(f"show_doc({name}" + (f", title_level={level})" if level else ")"))
                        new.has_sd = True
                        return [new] + [c for m in methods.get(name, []) if f"{name}.{m}" not in shown
                                        for c in doc_cells(f"{name}.{m}", 4)]

                    exports = [c for c in cells if _want_doc(c)]
                    for cell in reversed(exports):
                        if cell_lang(cell) != "python": raise ValueError(f"{cell.metadata.language} can't export:\n{cell.source}")
                        new = [c for name in _def_names(cell, shown) for c in doc_cells(name)]
                        at = next(i for i, c in enumerate(cells) if c is cell) + 1
                        cells[at:at] = new
                    i = 0
                    while i < len(cells):  # a class the author documents with show_doc(Class): its methods too
                        cell = cells[i]
                        match = re.fullmatch(r"\s*show_doc\((\w+)\)\s*", cell.source or "") if cell.cell_type == "code" else None
                        if match and not cell.get("has_sd") and match.group(1) in methods:
                            extra = doc_cells(match.group(1))[1:]
                            cells[i + 1:i + 1] = extra
                            i += len(extra)
                        i += 1
                    self.nb.has_docs_ = shown or exports

            class fold_exports(Processor):
                "Keep `#| export` cells (and source_hidden ones) for the docs, marked to be folded; `#| hide` stays hidden."
                def __call__(self, cell):
                    if cell.cell_type != "code": return
                    found = set(cell.directives_ or {})
                    hidden = bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))
                    if "hide" in found or "default_exp" in found:
                        del cell["source"]
                    elif found & FOLD_DIRECTIVES or hidden:
                        cell.metadata["ml_design_fold"] = "export" if found & FOLD_DIRECTIVES else "hidden"

            swap = {exec_show_docs: show_docs_in_shell, add_show_docs: add_show_docs_and_methods, rm_export: fold_exports}
            return [swap.get(p, p) for p in super().base_procs()]
    return DocProcessors


def _place_folds(cells: list) -> list:
    "Move each folded export cell after the show_doc cells that follow it: the API first, its implementation under it."
    cells = list(cells)
    i = 0
    while i < len(cells):
        if cells[i].get("metadata", {}).get("ml_design_fold") == "export":
            j = i + 1
            while j < len(cells) and cells[j].get("has_sd"): j += 1
            if j > i + 1:
                cells[i:j] = cells[i + 1:j] + [cells[i]]
                i = j
                continue
        i += 1
    return cells


def _join_text(output: dict) -> dict:
    "execnb stores multi-line text as lists of lines; nbconvert wants strings."
    join = lambda v: "".join(v) if isinstance(v, list) else v
    if "text" in output: output["text"] = join(output["text"])
    if "data" in output:
        for key in list(output["data"]): output["data"][key] = join(output["data"][key])
    return output


SOURCE_LINK = re.compile(r"\[source\]\([^)]*\)(\{[^}]*\})?\n*")  # show_doc's of an object defined in another notebook
PARAMETERS_SECTION = re.compile(r"\n\nParameters\n-{10}\n(?:[^\n]+\n?)*")  # numpydoc's, as core.document_parameters appends it


def _without_parameters_section(output: dict) -> dict:
    "A show_doc output without the docstring's numpydoc Parameters section (its signature already shows each parameter's comment) and without a dead [source] link."
    markdown = output.get("data", {}).get("text/markdown")
    if isinstance(markdown, str) and "\nParameters\n----------\n" in markdown:
        output["data"]["text/markdown"] = markdown = PARAMETERS_SECTION.sub("\n", markdown)
    if isinstance(markdown, str) and "[source](" in markdown:  # nbdev's link to a repository host the project has none of (offline)
        output["data"]["text/markdown"] = SOURCE_LINK.sub("", markdown)
    return output


def _is_progress(output: dict) -> bool:
    "A progress bar's stream output (tqdm writes to stderr with carriage returns)."
    return output.get("output_type") == "stream" and output.get("name") == "stderr" and bool(PROGRESS.search(output.get("text", "")))


def highlight_python(source: str) -> str:
    "Source highlighted by Pygments, in the markup nbconvert gives a code cell (so the same CSS applies)."
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer
    return highlight(source, PythonLexer(), HtmlFormatter(cssclass="highlight hl-ipython3"))


def _clean_cell(cell) -> list[dict]:
    "The cell(s) nbconvert renders for one processed cell; a folded cell becomes a closed <details> and its outputs."
    outputs = [_without_parameters_section(_join_text(dict(o))) for o in cell.get("outputs", [])] if cell.cell_type == "code" else []
    outputs = [o for o in outputs if not _is_progress(o)]
    fold = cell.get("metadata", {}).get("ml_design_fold")
    if cell.cell_type == "code" and fold and cell.source.strip():
        kind = "implementation" if fold == "export" else "implementation hidden-source"
        details = (f'<details class="{kind}"><summary>{FOLD_SUMMARY}</summary>\n'
                   f'{highlight_python(cell.source)}</details>')
        folded = [{"html": details}]
        if outputs:
            folded.append({"cell_type": "code", "source": "", "metadata": {"tags": ["remove_input"]}, "outputs": outputs,
                           "execution_count": None})
        return folded
    out = {"cell_type": cell.cell_type, "source": cell.source,
           "metadata": {"tags": ["remove_input"]} if cell.cell_type == "code" and not cell.source.strip() else {}}
    if cell.cell_type == "code":
        out["outputs"] = outputs
        out["execution_count"] = None
    return [out]


def render_workshop(notebook: Path) -> tuple[str, str, str, list]:
    "A workshop notebook rendered as it is, without running it: directives stripped, `#| hide` cells left out."
    from fastcore.nbio import read_nb
    nb = read_nb(notebook)
    cells = []
    for cell in nb.cells:
        source = cell.source
        if cell.cell_type == "code":
            lines = source.splitlines()
            if any(re.match(r"#\|\s*hide\s*$", l) for l in lines): continue
            source = "\n".join(l for l in lines if not l.startswith("#|")).strip()
            if not source and not cell.get("outputs"): continue
            outputs = [o for o in (_join_text(dict(o)) for o in cell.get("outputs", [])) if not _is_progress(o)]
            cells.append({"cell_type": "code", "source": source, "outputs": outputs, "execution_count": None,
                          "metadata": {"tags": ["remove_input"]} if not source else {}})
        elif cell.cell_type == "markdown":
            cells.append({"cell_type": "markdown", "source": source, "metadata": {}})
    return str(notebook), title_of(nb), _to_html(cells), []


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - ml-design</title><link rel="stylesheet" href="{root}style.css"></head>
<body data-root="{root}"><nav class="sidebar"><a class="brand" href="{root}index.html">ml-design</a>
<div class="search" role="search"><input id="search-input" type="search" placeholder="Search the docs" aria-label="Search the docs"
 autocomplete="off"><div id="search-results" class="search-results"></div></div>
<a{api_current} href="{root}api.html">API index</a>{nav}</nav>
<main>{body}</main>
<script src="{root}search_index.js"></script><script src="{root}search.js"></script></body></html>
"""


def style_css() -> str:
    "The site's CSS with Pygments' highlighting rules for the `highlight` class."
    from pygments.formatters import HtmlFormatter
    return (ASSETS / "style.css").read_text(encoding="utf-8") + "\n/* Pygments (style 'default') */\n" + \
        HtmlFormatter(style="default").get_style_defs(".highlight") + "\n"


def nav_html(pages: list[tuple[Path, str]], current: Path) -> str:
    root = "../" * (len(current.parts) - 1)
    parts, chapter, workshop = [], None, []
    for rel, title in pages:
        if rel.name in ("index.html", "api.html") and len(rel.parts) == 1: continue
        cls = ' class="current"' if rel == current else ""
        link = f'<a{cls} href="{root}{rel.as_posix()}">{html.escape(title)}</a>'
        if rel.parts[0] == "workshop":
            workshop.append(link)
            continue
        folder = rel.parts[0] if len(rel.parts) > 1 else ""
        if folder != chapter:
            chapter = folder
            parts.append(f"<h4>{html.escape(CHAPTERS.get(folder, folder))}</h4>")
        parts.append(link)
    if workshop:
        opened = " open" if current.parts[0] == "workshop" else ""
        parts.append(f"<details{opened}><summary>Workshop notebooks</summary>{''.join(workshop)}</details>")
    return "".join(parts)


def rewrite_links(body: str, notebook: Path) -> str:
    "Point links to notebooks (`x.ipynb`, chapters and workshop) at their pages, as nbdev does."
    def fix(match):
        href = match.group(2)
        url = urlparse(href)
        if url.scheme or url.netloc: return match.group(0)
        if url.path.startswith("/"):  # nbdev's symbol links are site-absolute (doc_baseurl "/"): make them relative
            rel_here = page_path(notebook)
            new = os.path.relpath(url.path.lstrip("/"), rel_here.parent).replace(os.sep, "/")
            return f'{match.group(1)}"{new}' + (f"#{url.fragment}" if url.fragment else "") + '"'
        if not url.path.endswith(".ipynb"): return match.group(0)
        target = (Path(notebook).parent / unquote(url.path)).resolve()
        try: rel_target = page_path(target)
        except ValueError: return match.group(0)
        rel_here = page_path(notebook)
        new = os.path.relpath(rel_target, rel_here.parent).replace(os.sep, "/") + (f"#{url.fragment}" if url.fragment else "")
        return f'{match.group(1)}"{new}"'
    return re.sub(r'(href=)"([^"]+)"', fix, body)


def link_workshop(body: str, notebook: Path, root: str) -> str:
    "A chapter's mentions of `workshop/<name>.ipynb` become links to its page, and the page ends with its exercises."
    workshop = workshop_of(notebook)
    if workshop is None: return body
    href = f"{root}workshop/{workshop.stem}.html"
    body = re.sub(rf'(?<!<a href="{re.escape(href)}">)<code>workshop/{re.escape(workshop.name)}</code>',
                  f'<a href="{href}"><code>workshop/{workshop.name}</code></a>', body)
    return body + f'\n<p class="exercises">Exercises: <a href="{href}">workshop/{workshop.stem}</a></p>\n'


def link_chapter(body: str, notebook: Path, root: str) -> str:
    "A workshop page starts with a link back to its chapter; its mentions of `nbs/<chapter>.ipynb` link there too."
    chapters = {nb.relative_to(ROOT).as_posix(): nb for nb in notebooks()}
    def link(match):
        nb = chapters.get(match.group(1))
        return f'<a href="{root}{page_path(nb).as_posix()}">{match.group(0)}</a>' if nb else match.group(0)
    body = re.sub(r"<code>(nbs/[^<]+\.ipynb)</code>", link, body)
    same = [nb for nb in chapters.values() if nb.name == Path(notebook).name]
    if not same: return body
    from fastcore.nbio import read_nb
    title = title_of(read_nb(same[0]))
    return (f'<p class="chapter-link">Chapter: <a href="{root}{page_path(same[0]).as_posix()}">{html.escape(title)}</a></p>\n'
            + body)


def alias_anchors(body: str) -> str:
    "nbdev links symbols with lower-case anchors (Quarto's); give each mixed-case heading id a lower-case twin."
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    def add(match):
        lower = match.group(2).lower()
        if lower == match.group(2) or lower in ids: return match.group(0)
        ids.add(lower)
        return f'<span id="{lower}" class="anchor-alias"></span>{match.group(0)}'
    return re.sub(r'(<h[1-6] id=")([^"]+)(")', add, body)


class _Sections(HTMLParser):
    "Split a page body into sections at its headings: [(id, heading, text)], text without code outputs' markup."
    SKIP = {"script", "style"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections, self.heading, self.depth_skip, self.in_heading, self.anchor = [["", "", []]], None, 0, 0, 0

    BLOCK = {"p", "div", "li", "td", "th", "tr", "br", "pre", "blockquote", "dt", "dd", "hr", "table", "details", "summary"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.BLOCK: self.handle_data(" ")
        if tag in self.SKIP: self.depth_skip += 1
        if tag == "a" and "anchor-link" in (attrs.get("class") or ""): self.anchor += 1
        if re.fullmatch(r"h[1-4]", tag):
            self.sections.append([attrs.get("id", ""), "", []])
            self.in_heading += 1

    def handle_endtag(self, tag):
        if tag in self.BLOCK: self.handle_data(" ")
        if tag in self.SKIP and self.depth_skip: self.depth_skip -= 1
        if tag == "a" and self.anchor: self.anchor -= 1
        if re.fullmatch(r"h[1-4]", tag) and self.in_heading: self.in_heading -= 1

    def handle_data(self, data):
        if self.depth_skip or self.anchor: return
        if self.in_heading: self.sections[-1][1] += data
        else: self.sections[-1][2].append(data)


def search_entries(rel: Path, title: str, body: str, api: list[dict]) -> list[dict]:
    "The search index's entries of one page: the page, each section (heading and text) and each public name."
    parser = _Sections()
    parser.feed(body)
    url = rel.as_posix()
    kind = "workshop" if rel.parts[0] == "workshop" else "page"
    entries = []
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    names = {item["name"] for entry in api for item in [entry] + entry["methods"]}
    for i, (anchor, heading, texts) in enumerate(parser.sections):
        text = re.sub(r"\s+", " ", "".join(texts)).strip()
        heading = re.sub(r"\s+", " ", heading).strip()
        if i <= 1 and (not heading or heading == title):  # the page itself: title and its opening text
            if i == 0 and not text: continue
            entries.append({"k": kind, "n": title, "w": "Workshop" if kind == "workshop" else "Page", "u": url,
                            "x": text[:600]})
        elif heading and anchor and anchor not in names:  # a public name's own heading: its entry below says it
            entries.append({"k": "section", "n": heading, "w": title, "u": f"{url}#{anchor}", "x": text[:600]})
    for entry in api:
        for item, kind_ in [(entry, "name")] + [(m, "method") for m in entry["methods"]]:
            if kind_ == "method" and item["name"] not in ids: continue
            anchor = f"#{item['name']}" if item["name"] in ids else ""
            entries.append({"k": kind_, "n": item["name"], "w": f"{title} (ml_design.{entry['module']})",
                            "u": url + anchor, "x": item["summary"]})
    return entries


def _inline_code(text: str) -> str:
    "Escape a docstring's line for HTML, with its `backticks` as <code>."
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def api_page(pages: list[tuple[Path, str, str, list]]) -> str:
    "The body of api.html: every public name by module, its one-line summary and a link to its anchor."
    parts = ['<h1 id="API-index">API index</h1>',
             "<p>Every public name of <code>ml_design</code> (each module's <code>__all__</code>; all are importable from "
             "<code>ml_design</code> itself), with the first line of its docstring. A name links to its documentation in "
             "its chapter; the methods a class defines are listed under it.</p>"]
    seen = set()
    for rel, title, body, api in pages:
        if not api: continue
        ids = set(re.findall(r'\sid="([^"]+)"', body))
        module = api[0]["module"]
        heading_id = module if module not in seen else f"{module}-{rel.stem}"  # a module two chapters write
        seen.add(module)
        parts.append(f'<h2 id="{heading_id}"><code>ml_design.{module}</code>: <a href="{rel.as_posix()}">{html.escape(title)}</a></h2>'
                     '<dl class="api-index">')
        for entry in api:
            anchor = f"#{entry['name']}" if entry["name"] in ids else ""
            parts.append(f'<dt><a class="api-name" href="{rel.as_posix()}{anchor}"><code>{html.escape(entry["name"])}</code></a> '
                         f'<span class="kind">{html.escape(entry["kind"])}</span></dt>'
                         f'<dd>{_inline_code(entry["summary"])}</dd>')
            for method in entry["methods"]:
                if method["name"] not in ids: continue
                parts.append(f'<dt class="method"><a class="api-name" href="{rel.as_posix()}#{method["name"]}">'
                             f'<code>{html.escape(method["name"])}</code></a></dt>'
                             f'<dd class="method">{_inline_code(method["summary"])}</dd>')
        parts.append("</dl>")
    return "\n".join(parts)


def dead_links(out: Path, elsewhere: set[Path] = frozenset()) -> list[str]:
    "Internal links whose target is not in `out` (nor among `elsewhere`: pages of a full build not built this time)."
    problems = []
    for page in out.rglob("*.html"):
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            url = urlparse(href)
            if url.scheme or url.netloc or href.startswith(("#", "mailto:")): continue
            target = (page.parent / unquote(url.path)).resolve()
            if target.exists(): continue
            try: known = target.relative_to(out.resolve()) in elsewhere
            except ValueError: known = False
            if not known: problems.append(f"{page.relative_to(out)} -> {href}")
    return problems


def missing_anchors(out: Path) -> list[str]:
    "Internal links to a page of `out` that lacks the anchor they name (reported, not fatal: prose may name a heading loosely)."
    ids, problems = {}, []
    pages = list(out.rglob("*.html"))
    for page in pages: ids[page.resolve()] = set(re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8")))
    for page in pages:
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            url = urlparse(href)
            if url.scheme or url.netloc or not url.fragment: continue
            target = (page.parent / unquote(url.path)).resolve() if url.path else page.resolve()
            if target in ids and unquote(url.fragment) not in ids[target]: problems.append(f"{page.relative_to(out)} -> {href}")
    return problems


def build(out: Path, flags: str = "", workers: int = 2, only: list[Path] | None = None, timing: bool = False) -> int:
    started = time.time()
    sources = only or notebooks()
    workshops = [w for w in (workshop_of(nb) for nb in sources) if w] if only else workshop_notebooks()
    sources = [nb for nb in sources if nb.resolve().parent != WORKSHOP.resolve()]
    workshops = list(dict.fromkeys(workshops + [nb for nb in (only or []) if nb.resolve().parent == WORKSHOP.resolve()]))
    os.chdir(ROOT)
    failures, rendered, seconds = [], {}, {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        # the slowest notebooks first (the order of the last build's timing), so that no long one starts last
        futures = {nb: pool.submit(_timed, render_in_subprocess, nb, flags) for nb in _slowest_first(sources, out)}
        for nb in workshops:
            try: rendered[nb] = render_workshop(nb)
            except Exception as exc: failures.append(f"{nb.relative_to(ROOT)}: {type(exc).__name__}: {exc}")
        for nb, future in futures.items():
            try: rendered[nb], seconds[nb] = future.result()
            except Exception as exc:  # report every broken notebook, not only the first
                failures.append(f"FAILED {nb.relative_to(ROOT)}:\n{exc}")
    if timing:
        for nb, took in sorted(seconds.items(), key=lambda item: -item[1]): print(f"{nb.relative_to(ROOT)}: {took:.0f} s")
    if failures:
        names = "\n  ".join(f.splitlines()[0].removeprefix("FAILED ").rstrip(":") for f in failures)
        print("\n\n".join(failures) + f"\n\ndocs: {len(failures)} notebook(s) failed to run (executed as nbdev-test does):\n  "
              + names, file=sys.stderr)
        return 1
    staging = Path(tempfile.mkdtemp(prefix="_docs.", dir=ROOT))
    try:
        everything = sources + workshops
        pages = [(page_path(nb), rendered[nb][1]) for nb in everything]
        built, index = [], []
        for nb in everything:
            rel = page_path(nb)
            _, title, body, api = rendered[nb]
            root = "../" * (len(rel.parts) - 1)
            body = alias_anchors(rewrite_links(body, nb))
            body = link_chapter(body, nb, root) if nb in workshops else link_workshop(body, nb, root)
            built.append((rel, title, body, api))
            index += search_entries(rel, title, body, api)
            text = PAGE.format(title=html.escape(title), root=root, nav=nav_html(pages, rel), body=body, api_current="")
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_text(text, encoding="utf-8")
        if not only:  # the whole site: every public name of every documented module is listed by some chapter
            import importlib
            listed = {(entry["module"], entry["name"]) for *_, api in built for entry in api}
            modules = {module for module, _ in listed}
            unlisted = sorted(f"{m}.{n}" for m in modules for n in importlib.import_module(f"ml_design.{m}").__all__
                              if (m, n) not in listed)
            if unlisted:
                print("docs: public names no chapter defines (its `#| export` cells):\n  " + "\n  ".join(unlisted),
                      file=sys.stderr)
                return 1
        api_body = api_page(built)
        (staging / "api.html").write_text(PAGE.format(title="API index", root="", nav=nav_html(pages, Path("api.html")),
                                                      body=api_body, api_current=' class="current"'), encoding="utf-8")
        index += search_entries(Path("api.html"), "API index", api_body, [])[:1]
        (staging / "search_index.js").write_text(
            "// Built by tools/build_docs.py: the search index (a script, so that it loads from file://).\n"
            "window.ML_DESIGN_SEARCH = " + json.dumps(index, ensure_ascii=False, separators=(",", ":")) + ";\n",
            encoding="utf-8")
        shutil.copyfile(ASSETS / "search.js", staging / "search.js")
        (staging / "style.css").write_text(style_css(), encoding="utf-8")
        record = {**_known_timing(out), **{nb.relative_to(ROOT).as_posix(): round(t, 1) for nb, t in seconds.items()}}
        (staging / TIMING).write_text(json.dumps(record, indent=0, sort_keys=True), encoding="utf-8")
        elsewhere = ({page_path(nb) for nb in notebooks() + workshop_notebooks()}) if only else set()
        dead = dead_links(staging, elsewhere)
        if dead:
            print("docs: dead internal links:\n  " + "\n  ".join(dead), file=sys.stderr)
            return 1
        loose = missing_anchors(staging)
        if loose:
            print(f"docs: {len(loose)} link(s) name an anchor their page lacks (the page opens at its top):\n  "
                  + "\n  ".join(loose[:20]), file=sys.stderr)
        if out.exists(): shutil.rmtree(out)
        shutil.move(str(staging), str(out))
    finally:
        if staging.exists(): shutil.rmtree(staging)
    print(f"docs: {len(sources)} pages and {len(workshops)} workshop pages in {out}/ ({time.time() - started:.0f} s)")
    return 0


TIMING = ".timing.json"  # in the site folder: the seconds each notebook took in the last build (to schedule the next)


def _known_timing(out: Path) -> dict:
    try: return json.loads((out / TIMING).read_text(encoding="utf-8"))
    except (OSError, ValueError): return {}


def _slowest_first(sources: list[Path], out: Path) -> list[Path]:
    "The notebooks, the slowest of the last build first (so that no long one starts last); unknown ones keep their order."
    known = _known_timing(out)
    return sorted(sources, key=lambda nb: -float(known.get(nb.relative_to(ROOT).as_posix(), 0)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="_docs", help="output folder (default _docs)")
    parser.add_argument("--flags", default="", help="test flags to run anyway, e.g. 'slow'")
    parser.add_argument("--workers", type=int, default=2, help="notebooks executed in parallel")
    parser.add_argument("--timing", action="store_true", help="print the seconds each notebook took, slowest first")
    parser.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks (default: all)")
    parser.add_argument("--only", nargs="+", type=Path, default=[], help="only these notebooks (same as the positional list)")
    parser.add_argument("--render-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # jsonschema (imported by nbformat, so by every page's build) imports rfc3987_syntax when it is installed, which costs
    # about 2.6 s in every process that builds a page, only to check "iri" string formats that neither nbformat nor this
    # project's schemas use (ml_design.review._jsonschema says more): the build's processes skip it (set here, not at
    # import, so that a test importing this module keeps jsonschema as it is).
    sys.modules.setdefault("rfc3987_syntax", None)
    if args.render_one:
        try: page = execute_and_process(str(args.render_one.resolve()), args.flags)
        except NotebookFailed as exc:
            print(str(exc), file=sys.stderr)
            sys.exit(1)
        except Exception:
            import traceback
            print(f"{_shown(args.render_one)}: the docs build failed after running it:\n{traceback.format_exc()}", file=sys.stderr)
            sys.exit(1)
        args.result.write_text(json.dumps(page), encoding="utf-8")
        sys.exit(0)
    only = [p.resolve() for p in args.notebooks + args.only] or None
    sys.exit(build(ROOT / args.out, args.flags, args.workers, only, args.timing))
