"""ml-design: a notebook-first toolkit for production machine-learning system design."""

__version__ = "0.1.0"

# Every module's exported names (its nbdev-generated `__all__`) are reachable from the package itself
# (`ml_design.load_flights`), imported lazily on first use so that `import ml_design` stays fast.
# The names are read from the modules' source without importing them.
import ast as _ast
from functools import lru_cache as _lru_cache
from importlib import import_module as _import_module
from pathlib import Path as _Path


@_lru_cache(maxsize=1)
def _exported_names() -> dict:
    "Map every module name and every name in a module's `__all__` to the module that defines it."
    names = {}
    for path in sorted(_Path(__file__).parent.glob("*.py")):
        if path.name.startswith("_"): continue
        module = f"{__name__}.{path.stem}"
        names.setdefault(path.stem, module)
        for node in _ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, _ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
                for name in _ast.literal_eval(node.value): names.setdefault(name, module)
    return names


def __getattr__(name: str):
    module = _exported_names().get(name)
    if module is None:
        raise AttributeError(f"module 'ml_design' has no attribute {name!r}")
    loaded = _import_module(module)
    return loaded if module == f"{__name__}.{name}" else getattr(loaded, name)


def __dir__():
    return sorted(set(globals()) | set(_exported_names()))
