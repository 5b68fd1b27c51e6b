"""Every workshop notebook runs top to bottom against the current library (its worked solutions included)."""
import os
from pathlib import Path

import pytest
from execnb.shell import CaptureShell
from fastcore.nbio import read_nb

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "workshop").glob("*.ipynb"))


def test_every_principle_notebook_has_a_workshop():
    principles = [p for p in (ROOT / "nbs").rglob("*.ipynb") if p.name != "index.ipynb" and not p.name.startswith("_")]
    missing = [p.name for p in principles if not (ROOT / "workshop" / p.name).exists()]
    assert not missing, f"no workshop/ notebook for {missing}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_workshop_runs(notebook, monkeypatch):
    monkeypatch.chdir(notebook.parent)
    shell = CaptureShell()
    shell.run_all(read_nb(notebook), exc_stop=True)
