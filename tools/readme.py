"""Generate README.md from nbs/index.ipynb (the landing page), or check that they agree.

Usage: python tools/readme.py [--check]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INDEX = ROOT / "nbs" / "index.ipynb"
README = ROOT / "README.md"


def render() -> str:
    "README text: the index notebook's markdown cells, with notebook links pointing into nbs/."
    cells = json.loads(INDEX.read_text(encoding="utf-8"))["cells"]
    parts = []
    for cell in cells:
        if cell["cell_type"] != "markdown": continue
        text = "".join(cell["source"]).strip()
        text = re.sub(r"\]\((?!https?:|#)([^)]+\.ipynb)\)", r"](nbs/\1)", text)
        parts.append(text)
    header = "<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->"
    return header + "\n\n" + "\n\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not README.exists() or README.read_text(encoding="utf-8") != text:
            print("README.md is out of step with nbs/index.ipynb: run `python tools/readme.py`.", file=sys.stderr)
            return 1
        return 0
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
