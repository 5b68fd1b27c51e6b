# Every target sets up .venv on first use (python3 -m venv; pip install -e ".[dev]") and reuses it after.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup review test test-slow lab docs bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

review: $(STAMP)
	@echo "make review: the design review (ml-design review) is not there yet; it arrives with the review chapter (nbs/50_review)." >&2
	@exit 2

test: $(STAMP)
	@bash tools/test.sh

test-slow: $(STAMP)
	@FLAGS=slow bash tools/test.sh

# --allow-root only where the user is root (containers, CI machines): Jupyter refuses to start as root otherwise.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=nbs $(LAB_ARGS)

docs: $(STAMP)
	$(BIN)/python tools/build_docs.py

bench: $(STAMP)
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf _docs _proc .pytest_cache
