"""README.md is generated from nbs/index.ipynb and must stay in step with it."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_matches_index_notebook():
    result = subprocess.run([sys.executable, "tools/readme.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_readme_quickstart_is_two_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("## Quickstart", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make review", "make test"]


def test_index_links_every_notebook():
    import json
    index = json.loads((ROOT / "nbs/index.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in index["cells"] if c["cell_type"] == "markdown")
    notebooks = [p.relative_to(ROOT / "nbs").as_posix() for p in (ROOT / "nbs").rglob("*.ipynb")
                 if p.name != "index.ipynb" and not any(part.startswith((".", "_")) for part in p.parts)]
    missing = [nb for nb in notebooks if f"({nb})" not in text]
    assert not missing, f"nbs/index.ipynb does not link {missing}"
