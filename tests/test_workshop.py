"""The workshop as participants and instructors get it.

Every workshop notebook follows the check-cell pattern (ml_design.workshop): 3 to 6 exercises, each a placeholder
cell `answer_N = ...` and a `check("<id>", answer_N)` cell. For every exercise the notebook is run cell by cell and,
at its placeholder, the check is asked three times: as handed out (not answered yet, no error), with the typical wrong
answer from workshop/solutions/<notebook>.py (fails, with a hint) and with the reference solution (passes).
"""
import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from execnb.shell import CaptureShell
from fastcore.nbio import read_nb

from ml_design.workshop import Feedback, check, exercise_table, _load_exercises

ROOT = Path(__file__).resolve().parents[1]
WORKSHOP = ROOT / "workshop"
NOTEBOOKS = sorted(WORKSHOP.glob("*.ipynb"))
CHECK = re.compile(r"""check\(\s*["']([^"']+)["']\s*,\s*([A-Za-z_]\w*)""")


def code_cells(notebook):
    return [c for c in read_nb(notebook).cells if c.cell_type == "code"]


def exercises_in(notebook):
    "[(exercise id, answer variable, index of the placeholder cell, index of the check cell)] in notebook order."
    cells, found = code_cells(notebook), []
    for i, cell in enumerate(cells):
        for ex_id, var in CHECK.findall(cell.source):
            placeholder = re.compile(rf"^\s*{re.escape(var)}\s*=\s*\.\.\.", re.M)
            where = [j for j in range(i + 1) if placeholder.search(cells[j].source)]
            found.append((ex_id, var, where[-1] if where else None, i))
    return found


def solutions(notebook):
    path = WORKSHOP / "solutions" / f"{notebook.stem}.py"
    if not path.exists(): return {}, {}
    ns = runpy.run_path(str(path))
    return ns.get("SOLUTIONS", {}), ns.get("WRONG", {})


def solution_lines(notebook):
    "The distinctive lines of the reference solutions: none may appear in a participant's notebook."
    right, _ = solutions(notebook)
    return {line.strip() for code in right.values() for line in code.splitlines()
            if len(line.strip()) > 30 and not line.strip().startswith("#")}


def test_every_principle_notebook_has_a_workshop():
    # nbs/60_workshop teaches the check cells and holds the checkers: the workshop itself, not a principle
    principles = [p for p in (ROOT / "nbs").rglob("*.ipynb") if p.name != "index.ipynb" and not p.name.startswith("_")
                  and p.parent.name != "60_workshop"]
    missing = [p.name for p in principles if not (WORKSHOP / SHARED_WORKSHOPS.get(p.name, p.name)).exists()]
    assert not missing, f"no workshop/ notebook for {missing}"
    for chapter, workshop in SHARED_WORKSHOPS.items():  # a chapter split from another shares its exercises, and says so
        source = next((ROOT / "nbs").rglob(chapter)).read_text(encoding="utf-8")
        assert f"workshop/{workshop}" in source, f"{chapter} does not point at workshop/{workshop}"


# A chapter that continues another's module shares that chapter's exercises (05_schema_lifecycle: exercises 2 and 3 of
# workshop/02_contracts.ipynb are its exercises).
SHARED_WORKSHOPS = {"05_schema_lifecycle.ipynb": "02_contracts.ipynb",
                    "06_checking.ipynb": "00_core.ipynb", "09_checking_models_files.ipynb": "00_core.ipynb",
                    "25_pipeline_audit.ipynb": "24_glue_code.ipynb", "26_change_impact.ipynb": "20_boundary_erosion.ipynb",
                    "27_cace_report.ipynb": "21_entanglement.ipynb", "45_tradeoffs_serving.ipynb": "44_tradeoffs.ipynb",
                    "07_profiles.ipynb": "04_drift_statistics.ipynb", "08_drift_alarms.ipynb": "03_drift.ipynb",
                    "15_guarded_model.ipynb": "10_reliability.ipynb", "16_model_registry.ipynb": "12_maintainability.ipynb",
                    "17_cluster_cost.ipynb": "14_scale_out.ipynb",
                    "35_leakage_and_stale_features.ipynb": "34_failure_modes.ipynb",
                    "46_load_testing.ipynb": "43_serving.ipynb", "48_canary.ipynb": "40_rollout.ipynb",
                    "47_monitoring_store.ipynb": "42_monitoring.ipynb", "49_ruled_model.ipynb": "41_business_rules.ipynb",
                    "53_review_verdict.ipynb": "51_review.ipynb", "54_review_report.ipynb": "51_review.ipynb",
                    "55_test_score_checks.ipynb": "50_test_score.ipynb"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_follows_the_pattern(notebook):
    found = exercises_in(notebook)
    assert 3 <= len(found) <= 6, f"{notebook.name}: {len(found)} exercises, expected 3 to 6"
    registry = _load_exercises()
    right, wrong = solutions(notebook)
    ids = [f[0] for f in found]
    assert len(set(ids)) == len(ids), f"{notebook.name}: an exercise id is checked twice"
    for ex_id, var, placeholder, _ in found:
        assert ex_id.rsplit(".", 1)[0] == notebook.stem, f"{ex_id} is not named after {notebook.name}"
        assert placeholder is not None, f"{ex_id}: no placeholder cell `{var} = ...` before its check"
        assert ex_id in registry, f"{ex_id}: no checker registered in an ml_design.exercises_* module"
        assert ex_id in right and ex_id in wrong, f"{ex_id}: workshop/solutions/{notebook.stem}.py lacks SOLUTIONS or WRONG"
    registered = {i for i in registry if i.rsplit(".", 1)[0] == notebook.stem}
    assert registered == set(ids), f"{notebook.name}: checkers without an exercise: {sorted(registered - set(ids))}"
    assert set(right) == set(ids) == set(wrong), f"{notebook.name}: solutions for unknown exercises"
    kinds = {registry[i].kind for i in ids}
    assert kinds & {"words", "discussion"}, f"{notebook.name}: no exercise asks for a judgement in words"
    text = "\n".join(c.source for c in read_nb(notebook).cells)
    leaked = [line for line in solution_lines(notebook) if line in text]
    assert not leaked, f"{notebook.name} holds solution code: {leaked[:2]}"
    assert "# Solution" not in text, f"{notebook.name} still holds a worked solution"
    for ex_id, var, placeholder, _ in found:  # the answer variable is only ever assigned the placeholder
        assigned = re.findall(rf"^\s*{re.escape(var)}\s*=(?!=)\s*(.*)$", text, re.M)
        assert all(value.split("#")[0].strip() == "..." for value in assigned), f"{ex_id}: {var} is assigned {assigned}"


def _ask(shell, ex_id, var):
    shell.run(f"__feedback = check({ex_id!r}, {var})")
    assert shell.exc is None, f"{ex_id}: check raised {shell.exc!r}"
    feedback = shell.user_ns["__feedback"]
    assert isinstance(feedback, Feedback)
    return feedback


def _run(shell, source, what):
    outputs = shell.run(source)
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert shell.exc is None and not errors, f"{what} raised: {errors[0]['ename'] if errors else shell.exc!r}: " \
        f"{errors[0]['evalue'] if errors else ''}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exercises_right_wrong_and_untouched(notebook, monkeypatch):
    monkeypatch.chdir(notebook.parent)
    right, wrong = solutions(notebook)
    at_placeholder = {placeholder: (ex_id, var) for ex_id, var, placeholder, _ in exercises_in(notebook)}
    shell = CaptureShell()
    for i, cell in enumerate(code_cells(notebook)):
        _run(shell, cell.source, f"{notebook.name} cell {i}")
        if i not in at_placeholder: continue
        ex_id, var = at_placeholder[i]
        untouched = _ask(shell, ex_id, var)
        assert not untouched.passed and not untouched.answered, f"{ex_id} as handed out: {untouched}"
        _run(shell, wrong[ex_id], f"{ex_id}'s wrong answer")
        failed = _ask(shell, ex_id, var)
        assert not failed.passed and failed.hint, f"{ex_id}: the typical wrong answer passed or got no hint: {failed}"
        stronger = check(ex_id, shell.user_ns[var], hint=2)
        assert stronger.hint, f"{ex_id}: no hint at level 2"
        _run(shell, right[ex_id], f"{ex_id}'s solution")
        passed = _ask(shell, ex_id, var)
        assert passed.passed, f"{ex_id}: the reference solution fails its own check: {passed}"


HOSTILE = [None, "some text that is not the answer", 3.5, -1, [1, 2], {"a": 1}, pd.DataFrame({"a": [1]}), float("nan")]


def test_checkers_never_crash_on_wrong_types():
    for ex_id, ex in list(_load_exercises().items()):
        for value in HOSTILE:
            feedback = check(ex_id, value)
            assert isinstance(feedback, Feedback) and not feedback.passed and feedback.message, (ex_id, value, feedback)


def test_exercise_table_lists_every_exercise():
    table = exercise_table()
    found = {f[0] for nb in NOTEBOOKS for f in exercises_in(nb)}
    assert set(table.id) >= found - {i for i in found if i.startswith("60_workshop.")}
    assert (table.minutes > 0).all() and table.goal.str.len().gt(10).all()


def test_cli_copies_the_participants_notebooks_without_solutions(tmp_path):
    dest = tmp_path / "room"
    script = Path(sys.executable).parent / "ml-design"  # the console script, as a user runs it
    run = lambda *args: subprocess.run([str(script), "workshop", *args], capture_output=True, text=True, timeout=120)
    done = run(str(dest))
    assert done.returncode == 0, done.stderr
    copied = sorted(p.name for p in dest.glob("*.ipynb"))
    assert copied == [p.name for p in NOTEBOOKS]
    assert (dest / "README.md").read_text().count("jupyter lab") >= 1
    assert not (dest / "solutions").exists()
    for notebook in NOTEBOOKS:
        text = "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                         for c in json.loads((dest / notebook.name).read_text())["cells"])
        leaked = [line for line in solution_lines(notebook) if line in text]
        assert not leaked, f"{notebook.name}: solution code in the participants' copy: {leaked[:1]}"
    again = run(str(dest))
    assert again.returncode == 2 and "new or empty folder" in again.stderr and "Traceback" not in again.stderr
    assert run(str(dest), "--force").returncode == 0


def test_instructor_guide_is_in_step_with_the_checkers():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "workshop_guide.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
