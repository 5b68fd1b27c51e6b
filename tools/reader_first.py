"""Fold what a learner need not read first, in every notebook of nbs/; `--check` fails where a notebook is not folded.

- Implementation cells (`#| export`) and hidden cells (`#| hide`: imports for the tests, the tests themselves) open
  collapsed in JupyterLab: their cell metadata gets `jupyter.source_hidden`, which nbdev-clean keeps
  (`allowed_cell_metadata_keys` in pyproject.toml). A click on the bar opens them; they run all the same.
- A visible cell that only tests (every statement an `assert`, a fastcore `test_*` call or the import of them) gets
  `#| hide`, so the docs show the demonstration and its result, not its test.
- A visible cell that demonstrates and tests is split in two: the demonstration (its other statements, in order, so its
  last expression shows its result) and, right after it, a hidden cell of its tests. A test that relied on running
  before a later statement of the demonstration then fails when the notebook runs, naming the cell.

`--stats` prints, per notebook, the share of code lines a learner sees unfolded, in the notebook as given (before)
and after folding.
"""
import argparse
import ast
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _directives(source: str) -> set:
    found = set()
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped: continue
        if not stripped.startswith("#|"): break
        found.add(stripped[2:].strip().split()[0] if stripped[2:].strip() else "")
    return found


def _only_tests(source: str) -> bool:
    "True when every statement of the cell is an assert, a `test_*(...)` call or an import from fastcore.test."
    try: tree = ast.parse(source)
    except SyntaxError: return False
    if not tree.body: return False
    for node in tree.body:
        if isinstance(node, ast.Assert): continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Name) and func.id.startswith("test_"): continue
        if isinstance(node, ast.ImportFrom) and node.module == "fastcore.test": continue
        return False
    return True


def _is_test(node) -> bool:
    if isinstance(node, ast.Assert): return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        return isinstance(func, ast.Name) and func.id.startswith("test_")
    return False


def _split_tests(source: str):
    """A visible cell that demonstrates and tests, as (demonstration, tests): each statement's lines (with the comments
    just above it) go to one or the other, in their order. None when the cell holds no test or nothing but tests."""
    try: tree = ast.parse(source)
    except SyntaxError: return None
    kinds = [_is_test(node) for node in tree.body]
    if not any(kinds) or all(kinds): return None
    if any(a.end_lineno >= b.lineno for a, b in zip(tree.body, tree.body[1:])):
        return None  # two statements share a line (`x = 1; test_eq(x, 1)`): cut by lines it would go wrong, so leave it
    lines = source.splitlines()
    demo, tests, start = [], [], 0
    for node, is_test in zip(tree.body, kinds):
        end = node.end_lineno
        (tests if is_test else demo).extend(lines[start:end])
        start = end
    demo.extend(lines[start:])  # trailing comments stay with the demonstration
    strip = lambda block: "\n".join(block).strip("\n")
    return strip(demo), strip(tests)


def _code_cell(source: str, hidden: bool) -> dict:
    cell = {"cell_type": "code", "execution_count": None,
            "id": hashlib.sha1(source.encode("utf-8")).hexdigest()[:8], "metadata": {}, "outputs": [],
            "source": source.splitlines(keepends=True)}
    if hidden: cell["metadata"]["jupyter"] = {"source_hidden": True}
    return cell


def fold(nb: dict) -> list:
    "Fold `nb` in place; return what changed, as (cell index, change) pairs."
    changes = []
    i = -1
    while i + 1 < len(nb["cells"]):
        i += 1
        cell = nb["cells"][i]
        if cell["cell_type"] != "code": continue
        source = "".join(cell["source"])
        flags = _directives(source)
        split = None if {"export", "exports", "hide"} & flags else _split_tests(source)
        if split is not None:  # the cell's own directives (`#| slow`, `#| eval: false` ...) go with both halves
            demo, tests = split
            lines = source.splitlines()
            head = [line for line in lines[:next((k for k, line in enumerate(lines) if line.strip() and
                                                  not line.strip().startswith("#|")), len(lines))] if line.strip()]
            demo = "\n".join(line for line in demo.splitlines() if line not in head).strip("\n")
            tests = "\n".join(line for line in tests.splitlines() if line not in head).strip("\n")
            cell["source"] = "\n".join(head + [demo]).splitlines(keepends=True)
            nb["cells"].insert(i + 1, _code_cell("\n".join(["#| hide"] + head + [tests]), hidden=True))
            changes.append((i, "the demonstration's tests moved to a hidden cell after it"))
            continue
        if not ({"export", "exports", "hide"} & flags) and _only_tests(source):
            source = "#| hide\n" + source
            cell["source"] = source.splitlines(keepends=True)
            flags.add("hide")
            changes.append((i, "test-only cell hidden in the docs"))
        if {"export", "exports", "hide"} & flags:
            meta = cell.setdefault("metadata", {}).setdefault("jupyter", {})
            if meta.get("source_hidden") is not True:
                meta["source_hidden"] = True
                changes.append((i, "collapsed in JupyterLab"))
    return changes


def visible_share(nb: dict) -> tuple:
    "(visible code lines, all code lines) with the notebook's folding as it is."
    total = shown = 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "code": continue
        lines = len("".join(cell["source"]).splitlines())
        total += lines
        if not cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"): shown += lines
    return shown, total


def notebooks(paths=()):
    return [Path(p) for p in paths] or sorted(p for p in (ROOT / "nbs").rglob("*.ipynb")
                                              if ".ipynb_checkpoints" not in p.parts and not p.name.startswith("_"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks (default: every notebook in nbs/)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is not folded")
    parser.add_argument("--stats", action="store_true", help="print the share of visible code lines before and after")
    args = parser.parse_args(argv)
    unfolded = []
    for path in notebooks(args.paths):
        nb = json.loads(path.read_text(encoding="utf-8"))
        before = visible_share(nb)
        changes = fold(nb)
        after = visible_share(nb)
        if args.stats:
            name = path.relative_to(ROOT) if path.is_absolute() else path
            print(f"{str(name):52s} visible code lines {before[0]:5d}/{before[1]:5d} = {before[0] / max(1, before[1]):4.0%}"
                  f"  ->  {after[0]:5d}/{after[1]:5d} = {after[0] / max(1, after[1]):4.0%}")
        if not changes: continue
        if args.check:
            unfolded.append(f"{path}: {len(changes)} cells, e.g. cell {changes[0][0]}: {changes[0][1]}")
        elif not args.stats:
            tmp = path.with_suffix(".ipynb.tmp")
            tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            tmp.replace(path)
    if unfolded:
        print("not folded (run `python tools/reader_first.py`, then nbdev-clean):\n  " + "\n  ".join(unfolded), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
