"""The library as a user imports it: every exported name is reachable from `ml_design` itself."""
import importlib
import subprocess
import sys

import ml_design
from ml_design._modidx import d


def modules():
    return sorted(d["syms"])


def test_every_exported_name_is_reachable_from_the_package():
    for module_name in modules():  # every module nbdev generated
        module = importlib.import_module(module_name)
        for name in module.__all__:
            assert getattr(ml_design, name) is getattr(module, name), f"{module_name}.{name}"
        assert getattr(ml_design, module_name.split(".", 1)[1]) is module


def test_unknown_name_gives_a_clear_attribute_error():
    try:
        ml_design.load_flight
    except AttributeError as exc:
        assert "load_flight" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_import_is_lazy():
    code = "import sys, ml_design; print('pandas' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_version():
    assert ml_design.__version__.count(".") == 2
