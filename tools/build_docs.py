"""Build the documentation site from the notebooks, offline and in pure Python.

Each notebook under nbs/ is executed in process (execnb, the engine nbdev-test uses; cells flagged with the
`tst_flags` of pyproject.toml are skipped unless --flags names them), processed by nbdev's own documentation
processors (hidden cells removed, `show_doc` rendered, directives stripped) and rendered to HTML with nbconvert.
Pages get a sidebar by chapter. The build fails on a notebook that raises, on an error output, and on a dead
internal link.

Usage: python tools/build_docs.py [--out _docs] [--flags "slow"] [--workers 2]
"""
from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import tempfile
import time
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / "nbs"
CHAPTERS = {"00_foundations": "Foundations", "10_properties": "The four properties",
            "20_debt": "Hidden technical debt", "30_before_you_start": "Before you start",
            "40_in_production": "In production", "50_review": "The design review"}


def page_path(notebook: Path) -> Path:
    "Relative output path of a notebook's page, named as nbdev names it (numeric prefix stripped)."
    from nbdev.config import nbpath2html
    return nbpath2html(notebook.relative_to(NBS))


def notebooks() -> list[Path]:
    return sorted(p for p in NBS.rglob("*.ipynb") if not any(part.startswith((".", "_")) for part in p.relative_to(NBS).parts))


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


def execute_and_process(notebook: str, flags: str) -> tuple[str, str, str]:
    "Execute one notebook, apply nbdev's doc processors, render its body to HTML; return (path, title, body)."
    os.environ["ML_DESIGN_QUIET"] = "1"
    import nbformat
    from fastcore.nbio import read_nb
    from execnb.shell import CaptureShell
    from nbconvert import HTMLExporter
    from nbdev.config import get_config
    DocProcessors = _make_doc_processors()
    from nbdev.test import _skip_cell
    from nbdev.process import NBProcessor

    path = Path(notebook)
    cfg = get_config()
    skip_flags = set(cfg.tst_flags.split()) - set(flags.split())
    nb = read_nb(path)
    directives = NBProcessor(path, rm_directives=False, process=True).nb  # parses `#|` directives per cell
    skip = _skip_cell(directives, skip_flags)
    runnable = [not skip(c) for c in directives.cells]
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        shell = CaptureShell(path)
        for cell, run in zip(nb.cells, runnable):
            if cell.cell_type != "code": continue
            if not run:
                cell.outputs = []
                continue
            shell.cell(cell)
            for output in cell.outputs: _join_text(output)  # in place: nbdev's processors want strings
            errors = [o for o in cell.outputs if o.get("output_type") == "error"]
            if errors:
                raise RuntimeError(f"{path.relative_to(NBS)}: cell raised {errors[0].get('ename')}: "
                                   f"{errors[0].get('evalue')}\n--- cell source ---\n{cell.source}")
    finally:
        os.chdir(cwd)
    shell.run_cell("from nbdev.showdoc import show_doc")
    processor = DocProcessors(shell).nb_proc(nb)  # hide, show_doc, directives: what nbdev-proc-nbs applies
    processor.process()
    processed = processor.nb
    title = title_of(nb)
    cells = [c for c in (_quarto_to_html(cell) for cell in processed.cells) if c is not None]
    node = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                               "cells": [_clean_cell(c) for c in cells]})
    from traitlets.config import Config
    config = Config()
    config.TagRemovePreprocessor.remove_input_tags = {"remove_input"}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(config=config, template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(node)
    return str(path), title, body


def render_in_subprocess(notebook: Path, flags: str) -> tuple[str, str, str]:
    "Run `execute_and_process` in a fresh Python process (isolated imports and matplotlib state)."
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "page.json"
        proc = subprocess.run([sys.executable, __file__, "--render-one", str(notebook), "--result", str(result),
                               "--flags", flags], capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}")
        return tuple(json.loads(result.read_text(encoding="utf-8")))


def _make_doc_processors():
    "nbdev's documentation processors, with show_doc cells run in the shell that already ran the notebook."
    from nbdev.processors import FilterDefaults, _show_docs, exec_show_docs
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

            return [show_docs_in_shell if p is exec_show_docs else p for p in super().base_procs()]
    return DocProcessors


def _join_text(output: dict) -> dict:
    "execnb stores multi-line text as lists of lines; nbconvert wants strings."
    join = lambda v: "".join(v) if isinstance(v, list) else v
    if "text" in output: output["text"] = join(output["text"])
    if "data" in output:
        for key in list(output["data"]): output["data"][key] = join(output["data"][key])
    return output


def _clean_cell(cell) -> dict:
    out = {"cell_type": cell.cell_type, "source": cell.source,
           "metadata": {"tags": ["remove_input"]} if cell.cell_type == "code" and not cell.source.strip() else {}}
    if cell.cell_type == "code":
        out["outputs"] = [_join_text(dict(o)) for o in cell.get("outputs", [])]
        out["execution_count"] = None
    return out


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - ml-design</title><link rel="stylesheet" href="{root}style.css"></head>
<body><nav class="sidebar"><a class="brand" href="{root}index.html">ml-design</a>{nav}</nav>
<main>{body}</main></body></html>
"""

STYLE = """body{margin:0;font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;display:flex}
.sidebar{width:250px;min-height:100vh;background:#f4f6fa;padding:1rem;box-sizing:border-box;flex-shrink:0;font-size:14px}
.sidebar .brand{font-weight:700;font-size:18px;display:block;margin-bottom:1rem;color:#1d2330;text-decoration:none}
.sidebar h4{margin:1rem 0 .3rem;font-size:12px;text-transform:uppercase;color:#667}
.sidebar a{display:block;color:#2a5db0;text-decoration:none;padding:2px 0}.sidebar a.current{font-weight:700;color:#1d2330}
main{max-width:980px;padding:1rem 2rem;box-sizing:border-box;overflow-x:auto;flex:1}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;font-size:13px}code{font-size:90%}
.jp-InputArea pre{border-left:3px solid #9ab}img{max-width:100%}
table{border-collapse:collapse;font-size:13px;margin:.5rem 0}td,th{border:1px solid #dde;padding:2px 6px}
blockquote{color:#556;border-left:4px solid #dde;margin:0;padding-left:1rem}
.jp-OutputArea-output pre{background:#fff}
"""


def nav_html(pages: list[tuple[Path, str]], current: Path) -> str:
    root = "../" * (len(current.parts) - 1)
    parts, chapter = [], None
    for rel, title in pages:
        if rel.name == "index.html" and len(rel.parts) == 1: continue
        folder = rel.parts[0] if len(rel.parts) > 1 else ""
        if folder != chapter:
            chapter = folder
            parts.append(f"<h4>{html.escape(CHAPTERS.get(folder, folder))}</h4>")
        cls = ' class="current"' if rel == current else ""
        parts.append(f'<a{cls} href="{root}{rel.as_posix()}">{html.escape(title)}</a>')
    return "".join(parts)


def rewrite_links(body: str, notebook: Path) -> str:
    "Point links to notebooks (`x.ipynb`) at their pages, as nbdev does."
    def fix(match):
        href = match.group(2)
        url = urlparse(href)
        if url.scheme or url.netloc: return match.group(0)
        if url.path.startswith("/"):  # nbdev's symbol links are site-absolute (doc_baseurl "/"): make them relative
            rel_here = page_path(notebook)
            new = os.path.relpath(url.path.lstrip("/"), rel_here.parent).replace(os.sep, "/")
            return f'{match.group(1)}"{new}' + (f"#{url.fragment}" if url.fragment else "") + '"'
        if not url.path.endswith(".ipynb"): return match.group(0)
        target = (notebook.parent / unquote(url.path)).resolve()
        try: rel_target = page_path(target)
        except ValueError: return match.group(0)
        rel_here = page_path(notebook)
        new = os.path.relpath(rel_target, rel_here.parent).replace(os.sep, "/") + (f"#{url.fragment}" if url.fragment else "")
        return f'{match.group(1)}"{new}"'
    return re.sub(r'(href=)"([^"]+)"', fix, body)


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


def build(out: Path, flags: str = "", workers: int = 2, only: list[Path] | None = None) -> int:
    started = time.time()
    sources = only or notebooks()
    os.chdir(ROOT)
    failures, rendered = [], {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {nb: pool.submit(render_in_subprocess, nb, flags) for nb in sources}
        for nb, future in futures.items():
            try: rendered[nb] = future.result()
            except Exception as exc:  # report every broken notebook, not only the first
                failures.append(f"{nb.relative_to(ROOT)}: {exc}")
    if failures:
        print("docs: notebooks failed to run:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    staging = Path(tempfile.mkdtemp(prefix="_docs.", dir=ROOT))
    try:
        pages = [(page_path(nb), rendered[nb][1]) for nb in sources]
        for nb in sources:
            rel = page_path(nb)
            _, title, body = rendered[nb]
            root = "../" * (len(rel.parts) - 1)
            text = PAGE.format(title=html.escape(title), root=root, nav=nav_html(pages, rel), body=rewrite_links(body, nb))
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            (staging / rel).write_text(text, encoding="utf-8")
        (staging / "style.css").write_text(STYLE, encoding="utf-8")
        elsewhere = {page_path(nb) for nb in notebooks()} if only else set()
        dead = dead_links(staging, elsewhere)
        if dead:
            print("docs: dead internal links:\n  " + "\n  ".join(dead), file=sys.stderr)
            return 1
        if out.exists(): shutil.rmtree(out)
        shutil.move(str(staging), str(out))
    finally:
        if staging.exists(): shutil.rmtree(staging)
    print(f"docs: {len(sources)} pages in {out}/ ({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="_docs", help="output folder (default _docs)")
    parser.add_argument("--flags", default="", help="test flags to run anyway, e.g. 'slow'")
    parser.add_argument("--workers", type=int, default=2, help="notebooks executed in parallel")
    parser.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks (default: all)")
    parser.add_argument("--render-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render_one:
        try: page = execute_and_process(str(args.render_one.resolve()), args.flags)
        except Exception as exc:
            print(str(exc).replace("\n", " | "), file=sys.stderr)
            sys.exit(1)
        args.result.write_text(json.dumps(page), encoding="utf-8")
        sys.exit(0)
    only = [p.resolve() for p in args.notebooks] or None
    sys.exit(build(ROOT / args.out, args.flags, args.workers, only))
