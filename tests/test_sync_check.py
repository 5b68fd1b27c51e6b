"""tools/sync_check.sh (step a+b of `make test`) catches the three ways notebooks and library drift apart."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def repo(tmp_path):
    "A git copy of the project's tracked and untracked files, as the sync check sees them."
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split("\n")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    subprocess.run("git init -q && git add -A && git -c user.email=t@t -c user.name=t commit -qm base", shell=True,
                   cwd=tmp_path, check=True)
    return tmp_path


def sync_check(repo):
    return subprocess.run(["bash", str(ROOT / "tools/sync_check.sh"), str(repo)], capture_output=True, text=True,
                          env={"BIN": str(BIN), "PATH": f"{BIN}:/usr/bin:/bin"})


def test_clean_tree_passes(repo):
    result = sync_check(repo)
    assert result.returncode == 0, result.stderr


def test_hand_edit_to_a_generated_module_fails(repo):
    module = repo / "ml_design/core.py"
    module.write_text(module.read_text() + "\nHAND_EDIT = 1\n")
    result = sync_check(repo)
    assert result.returncode == 1 and "ml_design/core.py" in result.stderr


def test_unexported_notebook_change_fails(repo):
    path = repo / "nbs/00_foundations/00_core.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "abcd1234", "metadata": {}, "outputs": [],
                        "source": ["#| export\n", "def added_but_not_exported(): return 1"]})
    path.write_text(json.dumps(nb, indent=1) + "\n")
    subprocess.run([str(BIN / "nbdev-clean"), "--fname", str(path)], cwd=repo, check=True)
    result = sync_check(repo)
    assert result.returncode == 1 and "ml_design/core.py" in result.stderr


def test_unclean_notebook_fails(repo):
    path = repo / "nbs/00_foundations/01_datasets.ipynb"
    nb = json.loads(path.read_text())
    nb["metadata"]["widgets"] = {"stale": True}
    nb["cells"][0]["metadata"]["collapsed"] = True
    path.write_text(json.dumps(nb, indent=1) + "\n")
    result = sync_check(repo)
    assert result.returncode == 1 and "not clean" in result.stderr and "01_datasets.ipynb" in result.stderr


def test_stale_module_of_a_deleted_notebook_fails(repo):
    (repo / "nbs/00_foundations/01_datasets.ipynb").unlink()
    result = sync_check(repo)
    assert result.returncode == 1 and "ml_design/datasets.py" in result.stderr
