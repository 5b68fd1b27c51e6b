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
