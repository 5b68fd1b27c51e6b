"""help() and Shift-Tab show what every parameter of the public API means.

Each module ends with `document_parameters(globals())`, which appends a numpydoc Parameters section built from the
parameters' comments (docments). This test enumerates every public function, class and public method from the
package's `__all__` lists, so a new function is covered as soon as it is exported.
"""
import importlib
import inspect

from ml_design._modidx import d

SKIP = {"self", "cls"}


def public_callables():
    for module_name in sorted(d["syms"]):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if getattr(obj, "__module__", None) != module_name: continue
            if inspect.isfunction(obj): yield f"{module_name}.{name}", obj
            elif inspect.isclass(obj):
                yield f"{module_name}.{name}", obj
                for attr, value in vars(obj).items():
                    if inspect.isfunction(value) and not attr.startswith("_"): yield f"{module_name}.{name}.{attr}", value


def parameters(obj):
    try: signature = inspect.signature(obj)
    except (TypeError, ValueError): return []
    return [p for p in signature.parameters if p not in SKIP and not p.startswith("_")]


def undocumented(obj):
    doc = inspect.getdoc(obj) or ""
    if "Parameters\n----------" not in doc: return parameters(obj)
    section = doc.split("Parameters\n----------", 1)[1]
    lines = section.splitlines()
    missing = []
    for p in parameters(obj):
        heads = [i for i, line in enumerate(lines) if line.lstrip("*").split(" :")[0].split(",")[0] == p]
        if not heads or heads[0] + 1 >= len(lines) or "(no description)" in lines[heads[0] + 1] \
                or not lines[heads[0] + 1].strip():
            missing.append(p)
    return missing


def test_every_public_parameter_is_described_in_the_docstring():
    gaps = {name: missing for name, obj in public_callables() if (missing := undocumented(obj))}
    listed = "\n".join(f"  {name}: {', '.join(missing)}" for name, missing in sorted(gaps.items()))
    assert not gaps, (f"{sum(map(len, gaps.values()))} parameters in {len(gaps)} public callables have no comment "
                      f"(`name: type, # what it means`) to show in help():\n{listed}")


def test_help_shows_the_parameters():
    from ml_design.drift import drift_report
    doc = inspect.getdoc(drift_report)
    assert "Parameters\n----------" in doc and "\nreference" in doc


def _without_sections(callables):
    "Strip the Parameters sections document_parameters appended, so both readers see the docstrings as written."
    saved = {}
    for _, obj in callables:
        doc = obj.__doc__ or ""
        if "\n\nParameters\n----------" in doc:
            saved[obj] = doc
            obj.__doc__ = doc.split("\n\nParameters\n----------")[0]
    return saved


def test_the_fast_reader_gives_what_fastcore_docments_gives_on_every_public_callable():
    from fastcore.docments import docments
    from ml_design.core import _fast_docments, _parameters_section
    callables = list(public_callables())
    saved = _without_sections(callables)
    try:
        cache, fast, differences = {}, 0, []
        for name, obj in callables:
            mine = _fast_docments(obj, cache)
            if mine is None: continue  # handed to docments itself
            fast += 1
            reference = docments(obj, full=True, args_kwargs=True)
            got = {k: (v["docment"], v["anno"], v.get("kind")) for k, v in mine.items()}
            want = {k: (v.docment, v.anno, v.get("kind")) for k, v in reference.items()}
            defaults_match = all(mine[k]["default"] is reference[k].default or repr(mine[k]["default"]) == repr(reference[k].default)
                                 for k in reference)
            if got != want or not defaults_match or list(mine) != list(reference): differences.append(name)
            if _parameters_section(obj, cache=cache) != _parameters_section(obj, reference=True): differences.append(f"{name} (section)")
        assert not differences, f"{len(differences)} callables differ from docments: {differences[:10]}"
        assert fast >= 0.9 * len(callables), f"only {fast} of {len(callables)} callables took the fast path"
    finally:
        for obj, doc in saved.items(): obj.__doc__ = doc


def test_document_parameters_parses_each_module_once():
    import ast
    from unittest import mock
    import ml_design.review as review
    callables = [(n, o) for n, o in public_callables() if n.startswith("ml_design.review.")]
    saved = _without_sections(callables)
    try:
        with mock.patch("ast.parse", wraps=ast.parse) as parse:
            done = __import__("ml_design.core", fromlist=["x"]).document_parameters(vars(review))
        assert len(done) >= 5 and parse.call_count == 1, (len(done), parse.call_count)
    finally:
        for obj, doc in saved.items():
            if "\n\nParameters\n----------" not in (obj.__doc__ or ""): obj.__doc__ = doc
