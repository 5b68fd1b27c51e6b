"""Hostile inputs against every public callable of ml_design (issue 15).

Every public function, class and public method (enumerated from the package's `__all__`, so a new one is covered
automatically, or this test fails until it has a baseline in tests/hostile_cases.py) is called once validly, then once
per hostile value of each of its parameters. Each call must either return (a result: strict-JSON to_dict(), an Axes
from plot(), escaped HTML) or raise core.MLDesignError saying what was expected; never another exception, never a hang,
never a change to the caller's data; values that must be refused are refused, valid ones (np.float32, a str naming one
column) accepted.

    pytest tests/test_hostile_inputs.py                       # the default catalogue
    HOSTILE_FULL=1 pytest tests/test_hostile_inputs.py        # every case, plus hypothesis properties
    python tests/test_hostile_inputs.py --report /work/coord/hostile/report.md   # the failure report, by module
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pytest  # noqa: E402

import hostile_cases as hc  # noqa: E402


def _selected_cases() -> list:
    cases = hc.all_cases()
    return cases if hc.full_mode() else hc.default_selection(cases)


CASES = _selected_cases()


def test_every_public_callable_has_a_baseline():
    "A new public function, class or method fails here until it has a baseline (or a stated exclusion)."
    problems = hc.coverage_problems()
    assert not problems, "public callables without a baseline call in tests/hostile_cases.py:\n" + "\n".join(problems)


def test_catalogue_covers_every_callable():
    covered = {c.target.qualname for c in CASES}
    missing = [t.qualname for t in hc.covered_targets()
               if t.qualname not in covered and (hc.full_mode() or t.qualname not in hc.FULL_ONLY_BASELINES) and not (t.kind == "class" and t.qualname in hc.PRODUCED_BY
                                                     and t.qualname not in hc.OVERRIDES)]
    assert not missing, f"callables without any case: {missing}"


def test_produced_classes_come_from_their_producer():
    "Each result or record class is returned by the function named as its producer (so its plot/to_dict are checked)."
    wrong = []
    for name, producer in hc.PRODUCED_BY.items():
        target = hc.TARGETS_BY_NAME().get(name)
        if target is None or name in hc.EXCLUDED or producer in hc.EXCLUDED: continue
        if not hc.full_mode() and producer in hc.FULL_ONLY_BASELINES: continue
        if target.kind != "class": continue
        try: value = hc.instance_for(hc.Target(f"{name}.x", target.module, None, owner=target.obj, kind="method"))
        except Exception as exc:  # reported by the producer's baseline case
            continue
        if not isinstance(value, target.obj) and name not in ("ReviewContext", "ReviewStep", "ColumnProfile"):
            wrong.append(f"{name}: {producer} returned {type(value).__name__}")
    assert not wrong, wrong


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_case(case):
    outcome = hc.run_case(case)
    assert outcome.ok, outcome.line()


@pytest.mark.parametrize("name", sorted(hc.HTML_PROBES))
def test_html_escapes_user_strings(name):
    "A name, title, column or finding holding <script> is escaped in every HTML rendering."
    try: obj = hc.HTML_PROBES[name]()
    except ml_design_error() as exc:  # refusing such a name up front is fine
        assert "expected" in str(exc)
        return
    assert hc.html_problem(obj) is None, hc.html_problem(obj)


def test_every_html_class_is_probed():
    "Each class rendering HTML is probed above, or is a result whose producer's <script>-column case checks it."
    probed = {n.split(" ")[0] for n in hc.HTML_PROBES}
    missing = [n for n in hc.html_classes() if n not in probed and n not in hc.PRODUCED_BY and n not in hc.EXCLUDED]
    assert not missing, f"classes rendering HTML without an escaping probe: {missing}"


def ml_design_error():
    from ml_design.core import MLDesignError
    return MLDesignError


# ----- the larger randomized run (HOSTILE_FULL=1) ----------------------------------------------------------------------
# Built only in full mode: enumerating them builds every baseline's arguments again.
FRAME_TARGETS = [t for t in hc.covered_targets() if hc.tier(t) == "fast" and hc.frame_parameter(t)] if hc.full_mode() else []


@pytest.mark.skipif(not hc.full_mode(), reason="the randomized run is part of HOSTILE_FULL=1 (make test-slow)")
@pytest.mark.parametrize("target", FRAME_TARGETS, ids=[t.qualname for t in FRAME_TARGETS])
def test_random_frames(target):
    "Random frames (mixed dtypes, NaN, inf, odd names, duplicated rows) in place of the frame argument: same contract."
    from hypothesis import HealthCheck, given, settings
    parameter = hc.frame_parameter(target)

    @settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "25")), deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(hc.random_frames())
    def check(frame):
        case = hc.Case(target, parameter, hc.Hostile("random frame", lambda v, kw: frame.copy()))
        outcome = hc.run_case(case)
        assert outcome.ok, outcome.line() + f"\nframe:\n{frame.head()}\ndtypes: {dict(frame.dtypes)}"

    check()


NUMBER_CASES = [(t, p) for t in hc.covered_targets() if hc.tier(t) == "fast" for p in hc.number_parameters(t)] \
    if hc.full_mode() else []


@pytest.mark.skipif(not hc.full_mode(), reason="the randomized run is part of HOSTILE_FULL=1 (make test-slow)")
@pytest.mark.parametrize("target,parameter", NUMBER_CASES, ids=[f"{t.qualname}.{p}" for t, p in NUMBER_CASES])
def test_random_numbers(target, parameter):
    "Random numbers (any float, NaN, inf, big ints, numpy scalars) for each numeric option: same contract."
    from hypothesis import HealthCheck, given, settings, strategies as st
    import numpy as np

    values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20),
                       st.floats(-1e6, 1e6).map(np.float32), st.integers(-1000, 1000).map(np.int64))

    @settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "25")), deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(values)
    def check(value):
        case = hc.Case(target, parameter, hc.Hostile(f"random number {value!r}", lambda v, kw: value))
        outcome = hc.run_case(case)
        assert outcome.ok, outcome.line()

    check()


def main(argv: list[str]) -> int:
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", required=True, help="where to write the markdown report (one file per module beside it)")
    parser.add_argument("--only", default="", help="run only callables whose name contains this")
    parser.add_argument("--every", type=int, default=100, help="rewrite the report every this many cases")
    parser.add_argument("--rerun", default="", help="a previous report's .json: keep its passes, rerun its failures and "
                                                   "the cases it did not reach")
    parser.add_argument("--modules", default="", help="comma-separated modules (e.g. drift,core): run only their cases; "
                                                     "with --rerun the other modules' previous outcomes are kept as they were")
    parser.add_argument("--only-reached", action="store_true", help="with --rerun: skip the cases the previous run did not reach")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    modules = {m.strip() for m in args.modules.split(",") if m.strip()} or None
    cases = hc.round_robin([c for c in CASES if args.only in c.target.qualname])
    outcomes, previous = [], {}
    if args.rerun:  # refresh: earlier passes stand, failures and unreached cases run again (in the modules asked for)
        import json
        previous = {r["id"]: r for r in json.loads(Path(args.rerun).read_text())}

        def keep(c):
            r = previous.get(c.id)
            return r is not None and (r["ok"] or (modules is not None and c.module not in modules))
        kept = [c for c in cases if keep(c)]
        outcomes = [hc.Outcome(c, previous[c.id]["ok"], previous[c.id]["kind"], previous[c.id]["detail"],
                               previous[c.id].get("where", ""), seconds=previous[c.id]["seconds"]) for c in kept]
        kept_ids = {c.id for c in kept}
        cases = [c for c in cases if c.id not in kept_ids and (c.id in previous or not args.only_reached)]
    if modules is not None: cases = [c for c in cases if c.module in modules]
    planned = len(outcomes) + len(cases)
    for i, case in enumerate(cases, 1):
        outcomes.append(hc.run_case(case))
        if i % args.every == 0:  # an interim report while the run goes on (cases not rerun yet: their previous outcome)
            pending = [hc.Outcome(c, previous[c.id]["ok"], previous[c.id]["kind"], previous[c.id]["detail"],
                                  previous[c.id].get("where", ""), seconds=previous[c.id]["seconds"])
                       for c in cases[i:] if c.id in previous] if args.rerun else []
            hc.write_report(outcomes + pending, args.report, time.perf_counter() - start, hc.coverage_problems(), planned=planned,
                            rerun_modules=modules)
    path = hc.write_report(outcomes, args.report, time.perf_counter() - start, hc.coverage_problems(), planned=planned,
                           rerun_modules=modules)
    failures = sum(not o.ok for o in outcomes)
    print(f"{len(outcomes)} cases, {failures} failures, {time.perf_counter() - start:.0f} s: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
