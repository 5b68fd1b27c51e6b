#!/usr/bin/env bash
# `make test`: every step runs; the first failing one is named and the exit code is non-zero.
# FLAGS=slow also runs the notebook cells marked `#| slow`.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export ML_DESIGN_QUIET=1 MPLBACKEND=Agg
flags=${FLAGS:-}
# make test-slow (FLAGS=slow) also runs the whole hostile-input catalogue and its hypothesis properties (tests/test_hostile_inputs.py).
if [ -n "$flags" ]; then export HOSTILE_FULL=1; fi
failed=()
run() {
  local name=$1; shift
  local start=$SECONDS
  echo "== $name"
  if "$@"; then echo "   ok ($((SECONDS - start)) s)"; else echo "   FAILED: $name" >&2; failed+=("$name"); fi
}
run "(a+b) notebooks and generated library agree, notebooks clean" bash tools/sync_check.sh
run "README.md in step with nbs/index.ipynb" $bin/python tools/readme.py --check
run "notebooks read lesson first: implementation and tests folded (tools/reader_first.py)" $bin/python tools/reader_first.py --check
# (c) and (e) in one step: the docs build executes every notebook once, exactly as nbdev-test does (same skipped cells:
# `#| slow` unless FLAGS=slow, `#| eval: false`, skip_exec, .notest; same shell, folder, IN_TEST and cell timeout), on two
# workers, and fails naming the notebook and the cell when a cell raises. Running nbdev-test as well would execute each
# notebook twice. (`$bin/nbdev-test --n-workers 2` still runs them on their own.)
before=${#failed[@]}
run "(c+e) notebooks executed as nbdev-test does, and the docs built from them" \
  $bin/python tools/build_docs.py --workers 2 --timing ${flags:+--flags "$flags"}
# The docs' browser test (tests/test_docs_site.py) opens the site just built rather than building part of it again.
if [ ${#failed[@]} -eq "$before" ]; then export ML_DESIGN_DOCS_SITE="$PWD/_docs"; else unset ML_DESIGN_DOCS_SITE; fi
# The report's browser test needs Debian's chromium and chromium-driver: install them when missing and we may (root, apt).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    run "install chromium and chromium-driver (browser test of the report)" \
      bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null"
  else
    echo "   chromium or chromedriver missing and not installable here (needs root and apt-get): the browser test will skip (or fail under CI=true)."
  fi
fi
# Two workers, each test file one unit of work (--dist loadfile: a file's module fixtures are built once, in one
# process); tests/conftest.py collects the longest files first and --no-loadscope-reorder keeps that order.
run "(d) pytest tests/" $bin/python -m pytest tests/ -p no:cacheprovider -n 2 --dist loadfile --no-loadscope-reorder --durations=15
if [ ${#failed[@]} -gt 0 ]; then
  echo "make test failed at: ${failed[*]}" >&2
  exit 1
fi
echo "make test: all steps passed"
