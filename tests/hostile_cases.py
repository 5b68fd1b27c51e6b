"""The hostile-input catalogue of issue 15: every public callable of ml_design, a valid baseline call derived from its
signature, and hostile values applied one parameter at a time.

Used by tests/test_hostile_inputs.py (pytest) and by its report mode
(`.venv/bin/python tests/test_hostile_inputs.py --report /work/coord/hostile/report.md`).

A case passes when the call either returns (a result following the protocol must give strict JSON from to_dict(), an
Axes from plot(), and escaped HTML) or raises core.MLDesignError whose message contains "expected"; a value listed as
invalid must be refused; a value listed as valid must be accepted; the call never hangs; the caller's data is never
modified in place.
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import inspect
import json
import math
import os
import tempfile
import threading
import traceback
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

os.environ.setdefault("ML_DESIGN_QUIET", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import ml_design  # noqa: E402
from ml_design import core  # noqa: E402

TIMEOUT = float(os.environ.get("HOSTILE_TIMEOUT", "15"))
SCRIPT = "<script>alert(1)</script>"
EXCLUDED_MODULES = ("ml_design.workshop", "ml_design.cli")  # the CLI has its own tests; workshop/exercises are checkers
PASS, REFUSE, EITHER = "must pass", "must refuse", "either"
LIKE_LIST = "like the one-column list"  # a str naming one column must behave as [that column]


# ----------------------------------------------------------------------------------------------------------------------
# Small real data, built once
# ----------------------------------------------------------------------------------------------------------------------
class Data:
    "Lazily built, cached real data and fitted models shared by every case (never handed out without a copy)."

    @staticmethod
    @lru_cache(maxsize=None)
    def hmda() -> pd.DataFrame:
        frame, _ = ml_design.load_hmda(n_rows=240, random_state=0)
        return frame[["pirat", "hirat", "lvrat", "unemp", "chist", "afam", "single", "deny"]].reset_index(drop=True)

    @staticmethod
    def X() -> pd.DataFrame:
        return Data.hmda()[["pirat", "hirat", "lvrat", "unemp"]].copy()

    @staticmethod
    def y() -> pd.Series:
        return Data.hmda()["deny"].copy()

    @staticmethod
    def groups() -> pd.Series:
        return Data.hmda()["afam"].astype(str).copy()

    @staticmethod
    @lru_cache(maxsize=None)
    def _flights() -> pd.DataFrame:
        frame, _ = ml_design.load_flights(n_rows=300, random_state=0)
        keep = ["dep_delay", "distance", "air_time", "hour", "carrier", "origin", "time_hour", "late"]
        return frame[keep].dropna(subset=["dep_delay", "air_time"]).sort_values("time_hour").reset_index(drop=True)

    @staticmethod
    def timed() -> pd.DataFrame:
        "Real flights, time-ordered: numeric and categorical features, a tz-aware time column, a binary target."
        return Data._flights().copy()

    @staticmethod
    def timed_short() -> pd.DataFrame:
        "The first five months of timed() (about 110 rows): replays over a few periods (adaptability)."
        d = Data._flights()
        return d[d["time_hour"] < d["time_hour"].min() + pd.Timedelta(days=150)].reset_index(drop=True)

    @staticmethod
    @lru_cache(maxsize=None)
    def _loans() -> pd.DataFrame:
        frame, _ = ml_design.load_loans(n_rows=240, random_state=0)
        keep = ["annual_income", "debt_to_income", "loan_amount", "term", "homeownership", "grade", "issue_month",
                "interest_rate"]
        return frame[keep].dropna().reset_index(drop=True)

    @staticmethod
    def loans() -> pd.DataFrame:
        return Data._loans().copy()

    @staticmethod
    @lru_cache(maxsize=None)
    def _ratings() -> pd.DataFrame:
        frame, _ = ml_design.load_movielens(n_rows=3000, random_state=0)
        return frame[["userId", "movieId", "rating", "timestamp"]].reset_index(drop=True)

    @staticmethod
    def ratings() -> pd.DataFrame:
        return Data._ratings().copy()

    @staticmethod
    @lru_cache(maxsize=None)
    def _model():
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression(max_iter=500).fit(Data.X(), Data.y())

    @staticmethod
    def model():
        return copy.deepcopy(Data._model())

    @staticmethod
    @lru_cache(maxsize=None)
    def _pipeline():
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.linear_model import LogisticRegression
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(Data.X(), Data.y())

    @staticmethod
    def pipeline():
        return copy.deepcopy(Data._pipeline())

    @staticmethod
    def unfitted():
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression(max_iter=500)

    @staticmethod
    def scores() -> np.ndarray:
        return Data._model().predict_proba(Data.X())[:, 1]

    @staticmethod
    def predictions() -> np.ndarray:
        return Data._model().predict(Data.X())

    @staticmethod
    @lru_cache(maxsize=None)
    def _schema():
        return ml_design.Schema.infer(Data.X(), name="hmda")

    @staticmethod
    def schema():
        return copy.deepcopy(Data._schema())

    @staticmethod
    def profile():
        return ml_design.Profile.from_frame(Data.X())


class NaNProbaModel:
    "A fitted-looking model whose predict_proba returns NaN."
    def __init__(self, model): self.model, self.classes_ = model, model.classes_
    @property
    def feature_names_in_(self): return self.model.feature_names_in_
    @property
    def n_features_in_(self): return self.model.n_features_in_
    def fit(self, X, y=None): return self
    def predict_proba(self, X): return np.full((len(X), 2), np.nan)
    def predict(self, X): return np.full(len(X), np.nan)
    def decision_function(self, X): return np.full(len(X), np.nan)
    def get_params(self, deep=True): return {"model": self.model}
    def set_params(self, **params): return self


class RaisingModel(NaNProbaModel):
    "A fitted-looking model whose predict raises."
    def predict_proba(self, X): raise RuntimeError("prediction service unavailable")
    def predict(self, X): raise RuntimeError("prediction service unavailable")
    def decision_function(self, X): raise RuntimeError("prediction service unavailable")


def _other_features_model():
    "A model fitted on columns the data does not hold."
    from sklearn.linear_model import LogisticRegression
    X = Data.X().rename(columns=lambda c: f"other_{c}")
    return LogisticRegression(max_iter=500).fit(X, Data.y())


# ----------------------------------------------------------------------------------------------------------------------
# Parameter kinds and baseline factories keyed by name
# ----------------------------------------------------------------------------------------------------------------------
FRAME_NAMES = {"df", "frame", "data", "X", "reference", "current", "train", "test", "batch", "raw_rows", "rows",
               "request_rows", "batch_rows", "before", "after", "reference_frame", "current_frame", "ratings", "chunk",
               "recent", "training", "raw"}
TARGET_NAMES = {"y", "y_true", "target", "label", "labels", "control", "canary"}
ESTIMATOR_NAMES = {"model", "estimator", "live", "shadow", "pipeline", "stronger_model"}
COLUMNS_NAMES = {"columns", "features", "group_columns", "known_after"}
COLUMN_NAMES = {"time_column", "column", "user_column", "item_column", "rating_column"}
PROBABILITY_NAMES = {"alpha", "confidence", "power", "test_size", "share", "min_share", "default_share", "accept_share",
                     "dataset_share", "max_missing", "min_class_share", "id_threshold", "warn_share",
                     "max_fallback_share", "rate", "epsilon", "profile_share", "min_labelled", "max_stale",
                     "max_duplicated", "percentage_share"}  # popularity_weight is a weight beside taste (1.0 is typical), not a share
OPTION_NAMES = {"task", "metric", "method", "mode", "correction", "numeric", "categorical", "on_error", "logging",
                "latency", "mixed", "operation", "proxy", "panel", "fault", "kind"}
FREQ_NAMES = {"freq", "period", "window"}
LOAD_PATH_NAMES = {"path"}  # reading functions override this list per callable (see READERS)
SEQUENCE_NAMES = {"faults", "rates", "sizes", "batch_sizes", "concurrency", "shares", "every", "n_workers", "changes",
                  "rungs", "stages"}


def default_value(name: str, param: inspect.Parameter, ctx: dict) -> Any:
    "A valid value for a parameter, from its name (and the frame `ctx['frame']` chosen for this call); NO_FACTORY if none."
    frame = ctx.get("frame")
    if name in ("X", "df", "frame", "reference", "current", "batch", "chunk", "raw_rows", "rows", "request_rows",
                "batch_rows", "reference_frame", "current_frame", "train", "test"):
        return Data.X()
    if name in ("data",): return Data.timed()
    if name == "ratings": return Data.ratings()
    if name in ("y", "y_true", "labels"): return Data.y()
    if name in ("y_pred", "predicted"): return Data.predictions()
    if name in ("scores",): return Data.scores()
    if name in ("sensitive", "groups"): return Data.groups()
    if name in ("model", "estimator", "live", "shadow", "pipeline"): return Data.pipeline()
    if name == "schema": return Data.schema()
    if name == "random_state": return 0
    if name == "cv": return 3
    if name in ("target",): return "late" if frame is None else ctx.get("target", "late")
    if name == "time_column": return ctx.get("time_column", "time_hour")
    if name == "name": return "model"
    return NO_FACTORY


NO_FACTORY = object()


# ----------------------------------------------------------------------------------------------------------------------
# The callables
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class Target:
    "One public callable: a function, a class constructor or a method of an instance built by `instance`."
    qualname: str  # "baseline_ladder", "Schema", "Schema.validate"
    module: str  # "ml_design.baselines"
    obj: Any  # the function, the class, or the unbound function of a method
    owner: Any = None  # the class, for a method
    kind: str = "function"  # "function", "class", "method"

    @property
    def short_module(self) -> str: return self.module.rsplit(".", 1)[-1]


def public_targets() -> list[Target]:
    "Every public function, class and public method of the package (exception classes, constants and excluded modules left out)."
    out = []
    for name, module in sorted(ml_design._exported_names().items(), key=lambda kv: (kv[1], kv[0])):
        if module.startswith("ml_design.exercises_") or module in EXCLUDED_MODULES or module == f"ml_design.{name}":
            continue
        obj = getattr(importlib.import_module(module), name)
        if inspect.isclass(obj):
            if issubclass(obj, BaseException): continue
            out.append(Target(name, module, obj, kind="class"))
            for attr, value in vars(obj).items():
                if attr.startswith("_"): continue
                function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
                if inspect.isfunction(function):
                    out.append(Target(f"{name}.{attr}", module, function, owner=obj, kind="method"))
        elif inspect.isfunction(obj):
            out.append(Target(name, module, obj))
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Per-callable baselines where the name-keyed defaults cannot work
# ----------------------------------------------------------------------------------------------------------------------
def _fresh_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="hostile-"))


def _registry():
    registry = ml_design.ModelRegistry(_fresh_dir() / "registry")
    registry.register(Data.pipeline(), "model", data=Data.X())
    registry.register(Data.pipeline(), "model", data=Data.X())
    return registry


def _graph():
    g = ml_design.DependencyGraph()
    g.add_source("data").add_feature("pirat", consumes=["data"]).add_model("model", consumes=["pirat"])
    g.add_consumer("dashboard", consumes=["model"])
    return g


def _monitor():
    return ml_design.Monitor(Data.pipeline(), features=list(Data.X().columns), reference=Data.X(), window="D")


def _recorded_monitor():
    m = _monitor()
    at = pd.Timestamp("2026-01-01", tz="UTC")
    m.predict(Data.X(), request_ids=[f"r{i}" for i in range(len(Data.X()))], at=at)
    return m


def _rule():
    return ml_design.BusinessRule(name="cap", kind="floor", value=0.1)


def _policy_state():
    d = Data.timed()
    return ml_design.PolicyState(period=5, periods_served=2, recent=d.iloc[:50], training=d.iloc[50:150], observed=[0.7, 0.6])


def _replay_options() -> dict:
    return dict(data=Data.timed(), time_column="time_hour", target="late", model_factory=_factory,
                features=["dep_delay", "distance", "air_time", "hour"], period="M", warmup=2, window=3)


def _factory():
    from sklearn.linear_model import LogisticRegression
    return LogisticRegression(max_iter=300)


def _file(content: bytes | str, suffix: str = ".json") -> Path:
    path = _fresh_dir() / f"file{suffix}"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _saved_schema() -> Path:
    return Data.schema().save(_fresh_dir() / "schema.json")


def _saved_profile() -> Path:
    path = _fresh_dir() / "profile.json"
    Data.profile().save(path)
    return path


def _csv() -> Path:
    path = _fresh_dir() / "rows.csv"
    Data.X().to_csv(path, index=False)
    return path


def _saved_rules() -> Path:
    path = _fresh_dir() / "rules.json"
    ml_design.RuleLayer([_rule()]).to_json(path)
    return path


def _saved_model() -> Path:
    import skops.io
    path = _fresh_dir() / "model.skops"
    skops.io.dump(Data.pipeline(), path)
    return path


def _answers_file() -> Path:
    return _file(json.dumps({}), ".json")


def _canvas():
    return ml_design.ProjectCanvas(title="Loan screening", proxy_metric="recall of denials at fixed precision",
                                   business_metric="losses avoided per thousand applications",
                                   ethical_constraints="parity of approval rates across race groups",
                                   data_sources="HMDA Boston applications of 1990",
                                   baseline="the loan officer's current rule of thumb",
                                   failure_modes="a proxy for race leaks through the neighbourhood")


def _blast():
    return _graph().blast_radius("pirat")


def _shadow():
    return ml_design.ShadowDeployment(Data.pipeline(), Data.pipeline())


def _guarded():
    return ml_design.GuardedModel(Data.pipeline(), schema=Data.schema(), fallback=0)


def _class_rule():
    return ml_design.BusinessRule(name="deny bad history", kind="override", column="pirat", isin=(0.5,), decision=1)


def _ruled():
    return ml_design.RuledModel(Data.pipeline(), rules=[_class_rule()])


def _monitor_store() -> Path:
    path = _fresh_dir() / "monitor"
    m = ml_design.Monitor(Data.pipeline(), features=list(Data.X().columns), path=path, reference=Data.X())
    m.predict(Data.X(), at=pd.Timestamp("2026-01-01", tz="UTC"))
    m.close()
    return path


_SERVER = []


def _server_url() -> str:
    if not _SERVER: _SERVER.append(ml_design.serve(Data.pipeline(), schema=Data.schema()))
    return _SERVER[0].url


@lru_cache(maxsize=None)
def _complexity():
    return ml_design.review_complexity(Data.pipeline(), Data.X(), Data.y(), repeats=3)


def _server():
    return ml_design.serve(Data.pipeline(), schema=Data.schema())


# Instances for methods: class name -> factory of a fresh instance. A class without an entry and without every method
# listed in METHOD_EXCLUDED fails the coverage test.
INSTANCES: dict[str, Callable[[], Any]] = {
    "Schema": Data.schema,
    "Profile": Data.profile,
    "DependencyGraph": _graph,
    "ModelRegistry": _registry,
    "Monitor": _recorded_monitor,
    "FeatureFlag": lambda: ml_design.FeatureFlag("new-model", percentage=10.0),
    "RuleLayer": lambda: ml_design.RuleLayer([_rule()]),
    "BusinessRule": _rule,
    "RuledModel": lambda: _ruled().fit(Data.X(), Data.y()),
    "Result": lambda: ml_design.drift_report(Data.X().iloc[:120], Data.X().iloc[120:]),
    "GuardedModel": lambda: _guarded().fit(Data.X(), Data.y()),
    "SchemaGuard": lambda: ml_design.SchemaGuard(Data.schema()).fit(Data.X()),
    "ProjectCanvas": _canvas,
    "LookupClassifier": lambda: ml_design.LookupClassifier().fit(Data.X(), Data.y()),
    "LookupRegressor": lambda: ml_design.LookupRegressor().fit(Data.loans()[["annual_income", "term"]],
                                                                 Data.loans()["interest_rate"]),
    "HandLinear": lambda: ml_design.HandLinear(weights={"pirat": 1.0}).fit(Data.X(), Data.y()),
    "Rule": lambda: ml_design.Rule(lambda X: (X["pirat"] > 0.35).astype(int), "high payment ratio"),
    "DelayedModel": lambda: ml_design.DelayedModel(Data.pipeline(), delay_ms=0.0),
    "ShadowDeployment": _shadow,
    "DataCard": lambda: ml_design.load_hmda(n_rows=50)[1],
    "AlertRule": lambda: ml_design.AlertRule("drift", "prediction_wasserstein", above=0.1),
    "Finding": lambda: core.Finding("warn", "core", "a message", {"x": 1}),
    "NeverRetrain": lambda: ml_design.NeverRetrain(),
    "ScheduledRetrain": lambda: ml_design.ScheduledRetrain(every=2),
    "PerformanceTriggeredRetrain": lambda: ml_design.PerformanceTriggeredRetrain(),
    "DriftTriggeredRetrain": lambda: ml_design.DriftTriggeredRetrain(),
    "RetrainPolicy": lambda: ml_design.ScheduledRetrain(every=2),
}


# Per-callable keyword arguments: values or zero-argument factories. "frame"/"target"/"time_column" set the context the
# name-keyed defaults use.
def L(f): return f  # marks a lazy factory (any callable value is called at build time)


OVERRIDES: dict[str, dict] = {
    # adaptability
    "DriftTriggeredRetrain.decide": {"state": _policy_state},
    "NeverRetrain.decide": {"state": _policy_state},
    "PerformanceTriggeredRetrain.decide": {"state": _policy_state},
    "RetrainPolicy.decide": {"state": _policy_state},
    "ScheduledRetrain.decide": {"state": _policy_state},
    "PolicyState": {"period": 5, "periods_served": 2, "recent": L(lambda: Data.timed().iloc[:50]),
                    "training": L(lambda: Data.timed().iloc[50:150]), "observed": L(lambda: [0.7, 0.6])},
    "replay": {**{k: (L(v) if callable(v) and k == "data" else v) for k, v in {}.items()},
               "data": Data.timed_short, "time_column": "time_hour", "target": "late", "model_factory": L(lambda: _factory),
               "features": L(lambda: ["dep_delay", "distance", "air_time", "hour"]), "period": "M", "warmup": 2,
               "window": 3, "policy": L(lambda: ml_design.ScheduledRetrain(every=2))},
    "compare_policies": {"policies": L(lambda: [ml_design.NeverRetrain(), ml_design.ScheduledRetrain(every=2)]),
                         "data": Data.timed_short, "time_column": "time_hour", "target": "late",
                         "model_factory": L(lambda: _factory), "features": L(lambda: ["dep_delay", "distance", "hour"]),
                         "period": "M", "warmup": 2, "window": 3},
    "retrain_frequency": {"every": L(lambda: (2,)), "data": Data.timed_short, "time_column": "time_hour", "target": "late",
                          "model_factory": L(lambda: _factory), "features": L(lambda: ["dep_delay", "distance", "hour"]),
                          "period": "M", "warmup": 2, "window": 3},
    # baselines
    "baseline_ladder": {"cv": 3},
    "cv_splitter": {"cv": 3, "task": "classification"},
    "ladder_models": {"task": "classification"},
    "LookupClassifier.predict_proba": {"X": Data.X}, "LookupClassifier.predict": {"X": Data.X},
    "LookupRegressor.predict": {"X": L(lambda: Data.loans()[["annual_income", "term"]])},
    # boundary erosion
    "DependencyGraph.kind": {"name": "pirat"},
    "DependencyGraph.add_source": {"name": "logs"},
    "DependencyGraph.add_feature": {"name": "hirat", "consumes": L(lambda: ["data"])},
    "DependencyGraph.add_step": {"name": "clean", "consumes": L(lambda: ["data"])},
    "DependencyGraph.add_model": {"name": "model2", "consumes": L(lambda: ["pirat"])},
    "DependencyGraph.add_consumer": {"name": "team", "consumes": L(lambda: ["model"])},
    "DependencyGraph.add_inputs": {"name": "model", "consumes": L(lambda: ["data"])},
    "DependencyGraph.add_pipeline": {"name": "candidate", "pipeline": Data.pipeline},
    "DependencyGraph.from_pipeline": {"pipeline": Data.pipeline},
    "DependencyGraph.record_reads": {"reads": L(lambda: [("dashboard", "pirat")])},
    "DependencyGraph.blast_radius": {"node": "pirat"},
    "boundary_report": {"model": Data.pipeline},
    "change_impact": {"radius": _blast, "before": L(lambda: pd.DataFrame({"model": Data.scores()})),
                      "after": L(lambda: pd.DataFrame({"model": Data.scores()[::-1].copy()}))},
    # business rules
    "BusinessRule": {"name": "cap", "kind": "floor", "value": 0.1},
    "BusinessRule.from_dict": {"spec": L(lambda: _rule().to_dict())},
    "RuleLayer": {"rules": L(lambda: [_rule()])},
    "RuleLayer.to_json": {"path": L(lambda: _fresh_dir() / "rules.json")},
    "RuleLayer.from_json": {"path": _saved_rules},
    "RuleLayer.apply": {"X": Data.X, "output": Data.scores},
    "RuledModel": {"model": Data.pipeline, "rules": L(lambda: [_class_rule()])},
    "RuledModel.fit": {"X": Data.X, "y": Data.y}, "RuledModel.score": {"X": Data.X, "y": Data.y},
    "RuledModel.decide": {"X": Data.X}, "RuledModel.predict": {"X": Data.X},
    "RuledModel.with_rules": {"rules": L(lambda: [_class_rule()])},
    "apply_rule": {"rule": _rule, "X": Data.X, "output": Data.scores},
    "rule_violations": {"X": Data.X, "decisions": Data.scores, "rules": L(lambda: [_rule()])},
    # contracts
    "ColumnSpec": {"kind": "float"},
    "Schema": {"columns": L(lambda: dict(Data.schema().columns))},
    "Schema.infer": {"df": Data.X},
    "Schema.validate": {"df": Data.X},
    "Schema.diff": {"new_schema": L(lambda: ml_design.Schema.infer(Data.X().drop(columns="unemp")))},
    "Schema.save": {"path": L(lambda: _fresh_dir() / "schema.json")},
    "Schema.from_dict": {"data": L(lambda: Data.schema().to_dict())},
    "Schema.from_json": {"text": L(lambda: Data.schema().to_json())},
    "Schema.load": {"path": _saved_schema},
    "SchemaGuard.fit": {"X": Data.X}, "SchemaGuard.check": {"X": Data.X}, "SchemaGuard.transform": {"X": Data.X},
    # core
    "Finding": {"severity": "warn", "principle": "core", "message": "a message"},
    "atomic_write": {"path": L(lambda: _fresh_dir() / "out.txt"), "data": "text"},
    "check_fitted": {"estimator": Data.pipeline},
    "check_frame": {"df": Data.X},
    "check_number": {"value": 0.5, "name": "share", "expected": "a share between 0 and 1", "low": 0, "high": 1},
    "check_numeric": {"values": Data.X},
    "check_one_of": {"value": "a", "options": L(lambda: ["a", "b"]), "name": "option"},
    "describe": {"value": Data.X},
    "document_parameters": {"namespace": L(lambda: {"__name__": "x"})},
    "input_error": {"what": "x", "expected": "a number", "received": "a string"},
    "is_result": {"obj": Data.X},
    "new_axes": {},
    "progress": {"iterable": L(lambda: [1, 2, 3])},
    "to_jsonable": {"obj": L(lambda: {"a": np.float32(1.5), "b": [np.nan]})},
    "worst_severity": {"findings": L(lambda: [core.Finding("warn", "core", "m")])},
    # data dependencies
    "correlated_pairs": {"frame": Data.X, "min_rows": 30},
    "feature_audit": {"estimator": Data.pipeline, "n_repeats": 2, "n_resamples": 20, "max_retrains": 1},
    "hold_constant": {"frame": Data.X, "columns": L(lambda: ["pirat"])},
    "importance_intervals": {"importances": L(lambda: np.random.default_rng(0).normal(size=(4, 5))),
                             "features": L(lambda: list(Data.X().columns))},
    "unstable_inputs": {"reference": L(lambda: Data.X().iloc[:120]), "current": L(lambda: Data.X().iloc[120:])},
    # data inventory
    "column_kind": {"values": L(lambda: Data.X()["pirat"])},
    "identifier_like": {"values": L(lambda: Data.X()["pirat"])},
    "inventory": {"df": Data.timed, "target": "late", "time_column": "time_hour", "freq": "MS"},
    "largest_gap": {"volume": L(lambda: ml_design.volume_over_time(Data.timed(), "time_hour", freq="MS"))},
    "volume_over_time": {"df": Data.timed, "time_column": "time_hour", "freq": "MS"},
    # datasets
    "DataCard": {"name": "x", "title": "X", "source": "s", "licence": "CC0", "rows": 10, "columns": 2},
    "Dataset": {"frame": Data.X, "card": L(lambda: ml_design.load_hmda(n_rows=50)[1])},
    "load": {"name": "hmda", "n_rows": 50},
    "load_arrests": {"n_rows": 50}, "load_flights": {"n_rows": 50}, "load_hmda": {"n_rows": 50},
    "load_loans": {"n_rows": 50}, "load_movielens": {"n_rows": 50}, "load_rainfall": {"n_rows": 50},
    "sample_rows": {"frame": Data.X, "n_rows": 50},
    # drift
    "adjust_p_values": {"p_values": L(lambda: [0.01, 0.04, 0.2, 0.9])},
    "calibrate_alarms": {"values": L(lambda: Data.X()["pirat"]), "sizes": L(lambda: (50, 100)), "repeats": 5},
    "drift_over_time": {"frame": Data.timed, "time_column": "time_hour", "columns": L(lambda: ["dep_delay", "distance"]),
                        "freq": "M"},
    "drift_report": {"reference": L(lambda: Data.X().iloc[:120]), "current": L(lambda: Data.X().iloc[120:])},
    "DriftReport.plot_most_drifted": {},
    "ColumnProfile": {"kind": "numeric"},
    "ColumnProfile.from_tally": {"values": L(lambda: np.array([1.0, 2.0, 5.0])), "counts": L(lambda: np.array([10, 3, 1]))},
    "Profile.from_frame": {"df": Data.X},
    "Profile.from_columns": {"columns": L(lambda: {c: Data.X()[c] for c in Data.X().columns})},
    "Profile.update": {"chunk": Data.X},
    "Profile.merge": {"other": Data.profile},
    "Profile.merge_all": {"profiles": L(lambda: [Data.profile(), Data.profile()])},
    "Profile.from_csv": {"path": _csv},
    "Profile.from_dict": {"data": L(lambda: Data.profile().to_dict())},
    "Profile.save": {"path": L(lambda: _fresh_dir() / "profile.json")},
    "Profile.load": {"path": _saved_profile},
    "chi_square": {"reference": L(lambda: Data.hmda()["chist"].iloc[:120]), "current": L(lambda: Data.hmda()["chist"].iloc[120:])},
    "jensen_shannon": {"reference": L(lambda: Data.X()["pirat"].iloc[:120]), "current": L(lambda: Data.X()["pirat"].iloc[120:])},
    "ks_statistic": {"reference": L(lambda: Data.X()["pirat"].iloc[:120]), "current": L(lambda: Data.X()["pirat"].iloc[120:])},
    "psi": {"reference": L(lambda: Data.X()["pirat"].iloc[:120]), "current": L(lambda: Data.X()["pirat"].iloc[120:])},
    "wasserstein": {"reference": L(lambda: Data.X()["pirat"].iloc[:120]), "current": L(lambda: Data.X()["pirat"].iloc[120:])},
    # entanglement
    "cace_report": {"estimator": Data.pipeline, "cv": 3, "min_count": 20},
    "prediction_churn": {"a": Data.scores, "b": L(lambda: Data.scores()[::-1].copy())},
    "PredictionChurn": {"rows": 10, "flipped_rows": 1, "flipped": 0.1, "mean_abs_change": 0.1, "max_abs_change": 0.2},
    # failure modes
    "FailureMode": {"name": "x", "kind": "silent", "symptom": "s", "detector": "d"},
    "bootstrap_interval": {"statistic": L(lambda: (lambda a, b: (a == b).mean(axis=-1))), "y_true": L(lambda: Data.y().to_numpy()),
                           "y_pred": Data.predictions, "n_resamples": 50},
    "failure_catalogue": {},
    "leakage_check": {"cv": 3},
    "resolve_detector": {"detector": "drift.drift_report"},
    "slice_report": {"y_pred": Data.predictions, "groups": L(lambda: Data.hmda()[["afam", "single"]].astype(str)),
                     "n_resamples": 50, "min_count": 10},
    "stale_features": {"df": Data.timed, "time_column": "time_hour", "n_shuffles": 5},
    # feedback loops
    "catalogue_coverage": {"exposure": L(lambda: np.array([5, 3, 0, 1]))},
    "exposure_gini": {"exposure": L(lambda: np.array([5, 3, 0, 1]))},
    "simulate_recommendation_loop": {"ratings": Data.ratings, "rounds": 2, "slots": 3, "min_ratings": 2},
    "simulate_selective_labels": {"data": L(lambda: Data.hmda()), "target": "deny", "rounds": 2, "batch": 60,
                                  "initial": 60, "features": L(lambda: ["pirat", "hirat", "lvrat", "unemp"])},
    # glue code
    "calendar_features": {"timestamps": L(lambda: Data.timed()["time_hour"])},
    "pipeline_audit": {"pipeline": Data.pipeline, "raw_rows": Data.X},
    "training_serving_skew": {"train_transform": L(lambda: Data.pipeline()[:-1]), "serve_transform": L(lambda: Data.pipeline()[:-1]),
                              "raw_rows": Data.X},
    # maintainability
    "ModelRegistry": {"path": L(lambda: _fresh_dir() / "registry")},
    "ModelRegistry.versions": {"name": "model"},
    "ModelRegistry.register": {"model": Data.pipeline, "name": "model", "data": Data.X},
    "ModelRegistry.manifest": {"name": "model"}, "ModelRegistry.verify": {"name": "model"},
    "ModelRegistry.load": {"name": "model"},
    "ModelRegistry.compatible": {"name": "model", "version": None, "schema": Data.schema},
    "check_name": {"name": "model"},
    "check_reproducible": {"train_fn": L(lambda: (lambda X_train, y_train: _factory().fit(X_train, y_train))), "X": Data.X,
                           "X_train": Data.X, "y_train": Data.y},
    "fingerprint": {"obj": Data.X},
    "unseeded_parameters": {"estimator": Data.pipeline},
    # monitoring
    "AlertRule": {"name": "drift", "column": "prediction_wasserstein", "above": 0.1},
    "AlertRule.fires": {"value": 0.2},
    "AlertRule.finding": {"window": "2026-01-01", "value": 0.2, "known_at": "2026-01-02"},
    "Monitor": {"model": Data.pipeline, "features": L(lambda: list(Data.X().columns)), "reference": Data.X},
    "Monitor.open": {"path": L(lambda: _monitor_store()), "model": Data.pipeline},
    "Monitor.record": {"features": L(lambda: Data.X().iloc[0].to_dict()), "prediction": 0.3, "latency": 0.01},
    "Monitor.record_batch": {"X": Data.X, "predictions": Data.scores, "latency": 0.01},
    "Monitor.predict": {"X": Data.X},
    "Monitor.predict_one": {"features": L(lambda: Data.X().iloc[0].to_dict())},
    "Monitor.record_labels": {"request_ids": L(lambda: [f"r{i}" for i in range(10)]), "labels": L(lambda: Data.y().iloc[:10].tolist())},
    "monitor_alerts": {"reference_frame": L(lambda: Data.hmda().iloc[:120].drop(columns=["chist", "afam", "single"])),
                       "current_frame": L(lambda: Data.hmda().iloc[120:].drop(columns=["chist", "afam", "single"])),
                       "model": Data.pipeline, "features": L(lambda: list(Data.X().columns)), "target": "deny"},
    # objectives
    "ProjectCanvas": {"title": "Loan screening"},
    "ProjectCanvas.save": {"path": L(lambda: _fresh_dir() / "canvas.md")},
    "decision_counts": {"thresholds": L(lambda: [0.2, 0.5])},
    "metric_alignment": {"value": L(lambda: [[0, -1], [-5, 10]])},
    "proxy_from_counts": {"counts": L(lambda: ml_design.decision_counts(Data.y(), Data.scores(), [0.2, 0.5])),
                          "proxy": "accuracy"},
    "threshold_under_parity": {"value": L(lambda: [[0, -1], [-5, 10]]), "grid": 101},
    "value_matrix": {"value": L(lambda: [[0, -1], [-5, 10]])},
    # reliability
    "GuardedModel": {"model": Data.pipeline, "schema": Data.schema, "fallback": 0},
    "GuardedModel.fit": {"X": Data.X, "y": Data.y}, "GuardedModel.predict": {"X": Data.X},
    "GuardedModel.score": {"X": Data.X, "y": Data.y},
    "inject": {"df": Data.X, "fault": "missing", "rate": 0.1, "random_state": 0},
    "stress_test": {"faults": L(lambda: ("missing", "outlier")), "rates": L(lambda: (0.0, 0.2)), "random_state": 0},
    # review
    "design_review": {"data": L(lambda: Data.hmda().rename(columns={"pirat": SCRIPT})), "target": "deny", "sample": 240},
    "load_reviewed_model": {"path": _saved_model},
    "strip_timings": {"report": L(lambda: {"timings": {"a": 1.0}, "steps": {}})},
    "validate_report": {"report": L(lambda: _review_dict())},
    "DesignReview.write": {"out_dir": L(lambda: _fresh_dir() / "review")},
    # right tool
    "HandLinear": {"weights": L(lambda: {"pirat": 1.0})},
    "HandLinear.fit": {"X": Data.X, "y": Data.y}, "HandLinear.decision_function": {"X": Data.X}, "HandLinear.predict": {"X": Data.X},
    "Rule": {"function": L(lambda: (lambda X: (X["pirat"] > 0.35).astype(int))), "description": "rule"},
    "Rule.fit": {"X": Data.X, "y": Data.y}, "Rule.predict": {"X": Data.X},
    "candidate_kind": {"candidate": Data.pipeline},
    "candidate_output": {"estimator": Data.pipeline, "uses_scores": True},
    "compare_to_rules": {"cv": 3},
    "default_rules": {},
    # rollout
    "FeatureFlag": {"name": "new-model", "percentage": 10.0},
    "FeatureFlag.bucket": {"key": "user-1"}, "FeatureFlag.is_on": {"key": "user-1"},
    "FeatureFlag.assign": {"keys": L(lambda: [f"user-{i}" for i in range(20)])},
    "FeatureFlag.set_percentage": {"percentage": 50.0},
    "Rollback": {"model": Data.pipeline, "name": "model", "version": 2, "replaced": 1, "manifest": L(lambda: {})},
    "ShadowDeployment": {"live": Data.pipeline, "shadow": Data.pipeline},
    "ShadowDeployment.predict": {"X": Data.X},
    "canary_analysis": {"control": L(lambda: Data.y().iloc[:120].to_numpy()), "canary": L(lambda: Data.y().iloc[120:].to_numpy()),
                        "min_effect": 0.05},
    "canary_plan": {"predicted": Data.scores},
    "minimum_detectable_effect": {"variance": 0.25, "requests": 10000, "share": 0.1},
    "requests_needed": {"variance": 0.25, "min_effect": 0.02, "share": 0.1},
    "rollback": {"registry": _registry, "name": "model"},
    # scalability
    "cost_curve": {"estimator": L(lambda: _factory()), "sizes": L(lambda: (60, 120)), "random_state": 0},
    "growth_exponent": {"sizes": L(lambda: [100, 200, 400]), "costs": L(lambda: [1.0, 2.1, 3.9])},
    "latency_breakdown": {"repeats": 5, "warmup": 1, "random_state": 0},
    "latency_profile": {"batch_sizes": L(lambda: (1, 10)), "repeats": 5, "warmup": 1, "random_state": 0},
    "plain_log_axis": {"ax": L(lambda: core.new_axes())},
    # scale out (dask)
    "DaskCluster": {"client": L(lambda: None)},
    "ScaleComparison.estimate": {"rows": 1000, "workers": 2},
    "is_dask_frame": {"obj": Data.X},
    "profile_dask": {"ddf": L(lambda: _ddf())},
    "require_dask": {},
    "score_batches": {"model": Data.pipeline, "ddf": L(lambda: _ddf())},
    "validate_dask": {"schema": Data.schema, "ddf": L(lambda: _ddf())},
    "write_replicas": {"frame": Data.X, "rows": 500, "folder": L(lambda: _fresh_dir() / "replicas"), "partition_rows": 250},
    # serving
    "DelayedModel": {"estimator": Data.pipeline, "delay_ms": 0.0},
    "DelayedModel.fit": {"X": Data.X, "y": Data.y}, "DelayedModel.predict": {"X": Data.X},
    "DelayedModel.predict_proba": {"X": Data.X},
    "serve": {"model": Data.pipeline, "schema": Data.schema},
    "compare_serving": {"model": Data.pipeline, "schema": Data.X, "rows": L(lambda: Data.X().iloc[:20]), "concurrency": L(lambda: (1, 2)),
                        "requests": 10, "duration_s": 1.0},
    # test score
    "RubricItem": {"id": "x", "section": "data", "title": "t", "question": "q", "notebook": "n"},
    "load_answers": {"path": _answers_file},
    "score_band": {"score": 3.0},
    "score_tests": {},
    # tradeoffs
    "compare_models": {"candidates": L(lambda: {"logistic": _factory()}), "repeats": 3, "batch_size": 50},
    "ensemble_tradeoff": {"members": L(lambda: {"a": _factory(), "b": ml_design.LookupClassifier()}), "repeats": 3,
                          "batch_size": 50},
    "learned_parameters": {"model": Data.pipeline},
    "online_vs_batch": {"model": Data.pipeline, "age": L(lambda: np.arange(60) / 4.0), "request_rows": L(lambda: Data.X().iloc[:60]), "batch_rows": L(lambda: Data.X().iloc[:60]),
                        "server": False, "repeats": 3, "batch_size": 30},
    "pareto_front": {"benefit": L(lambda: [0.7, 0.8, 0.75]), "cost": L(lambda: [1.0, 3.0, 0.5])},
    "review_complexity": {"model": Data.pipeline, "repeats": 3},
    "tradeoff_table": {"complexity": L(lambda: copy.deepcopy(_complexity()))},
    "load_test": {"url": L(lambda: _server_url()), "rows": L(lambda: Data.X().iloc[:10]), "concurrency": L(lambda: (1, 2)),
                  "requests": 6, "duration_s": 1.0},
    "call_model": {"model": Data.pipeline, "method": "predict_proba", "X": Data.X},
    "check_columns": {"columns": L(lambda: ["pirat"]), "df": Data.X},
    "check_target": {"y": Data.y},
    "check_seed": {"random_state": 0},
    "check_folds": {"cv": 3, "n_rows": 240, "y": Data.y},
    "check_time_column": {"values": L(lambda: Data.timed()["time_hour"])},
    "check_path": {"path": _saved_schema},
    "read_json_file": {"path": _saved_schema},
}


def _ddf():
    import dask.dataframe as dd
    return dd.from_pandas(Data.X(), npartitions=2)


def _review_cached():
    "The design review of the catalogue's baseline (run once, through design_review's baseline case)."
    t = TARGETS_BY_NAME()["DesignReview"]
    return instance_for(Target("DesignReview.x", t.module, None, owner=t.obj, kind="method"))


def _review_dict():
    return copy.deepcopy(_review_cached().to_dict())


# Results and records that a function returns: covered by that function's baseline (the test checks that it returns one).
PRODUCED_BY: dict[str, str] = {
    "PolicyComparison": "compare_policies", "ReplayResult": "replay", "BaselineLadder": "baseline_ladder",
    "BlastRadius": "DependencyGraph.blast_radius", "BoundaryReport": "boundary_report", "ChangeImpact": "change_impact",
    "RuleDecisions": "RuleLayer.apply", "SchemaDiff": "Schema.diff", "ValidationResult": "Schema.validate",
    "FeatureAudit": "feature_audit", "UnstableInputs": "unstable_inputs", "InventoryResult": "inventory",
    "CalibrationResult": "calibrate_alarms", "DriftOverTime": "drift_over_time", "DriftReport": "drift_report",
    "CACEReport": "cace_report", "LeakageReport": "leakage_check", "SliceReport": "slice_report",
    "StaleReport": "stale_features", "RecommendationLoopResult": "simulate_recommendation_loop",
    "SelectiveLabelsResult": "simulate_selective_labels", "PipelineAudit": "pipeline_audit",
    "SkewReport": "training_serving_skew", "CompatibilityResult": "ModelRegistry.compatible",
    "ReproducibilityResult": "check_reproducible", "MonitorReport": "Monitor.report", "AlignmentResult": "metric_alignment",
    "CanvasCheck": "ProjectCanvas.validate", "ParityResult": "threshold_under_parity", "GuardReport": "GuardedModel.report",
    "StressResult": "stress_test", "DesignReview": "design_review", "RightToolResult": "compare_to_rules",
    "CanaryPlan": "canary_plan", "CanaryResult": "canary_analysis", "Rollback": "rollback",
    "ShadowReport": "ShadowDeployment.report", "BreakdownResult": "latency_breakdown", "CostResult": "cost_curve",
    "LatencyResult": "latency_profile", "LoadTestResult": "load_test", "ServingComparison": "compare_serving",
    "ModelServer": "serve", "TestScoreResult": "score_tests", "EnsembleTradeoff": "ensemble_tradeoff",
    "ModelComparison": "compare_models", "OnlineBatch": "online_vs_batch", "RetrainFrequency": "retrain_frequency",
    "TradeoffTable": "tradeoff_table", "Dataset": "load", "PredictionChurn": "prediction_churn",
    "DaskCluster": "dask_cluster", "ScaleComparison": "scale_comparison", "ColumnProfile": "Profile.from_frame",
    "ReviewContext": "design_review", "ReviewStep": "design_review",
}

_PRODUCERS = set(PRODUCED_BY.values())

# Methods of produced classes are run on the instance their producer returns.
PRODUCED_METHODS = True

# Callables deliberately not run, with the reason (the coverage test accepts only these).
EXCLUDED: dict[str, str] = {
    "Result": "the protocol's abstract base; every concrete result is checked through the function returning it",
    "Result.plot": "abstract (raises NotImplementedError by design); concrete plots are checked on every result",
    "core.Result": "abstract base",
    "dask_cluster": "starts a local dask cluster with worker processes (seconds and memory); scale_out's own tests cover it",
    "DaskCluster.close": "needs a running dask cluster (see dask_cluster)",
    "scale_comparison": "runs dask clusters over Parquet folders; scale_out's own tests cover it",
    "ScaleComparison.plot": "its only producer is scale_comparison (excluded: dask clusters)",
    "ScaleComparison.estimate": "its only producer is scale_comparison (excluded: dask clusters)",
    "ScaleComparison": "its only producer is scale_comparison (excluded: dask clusters)",
    "ModelServer": "built by serve(); its constructor is internal (covered through serve)",
    "ModelServer.start": "covered through serve(), which starts the server",
    "ReviewContext.split": "internal state of a running design_review",
    "ReviewContext.evaluation": "internal state of a running design_review",
    "ReviewContext": "internal state of design_review (its public fields are filled by design_review)",
    "ReviewStep": "a registry entry of design_review's steps (covered through design_review)",
    "document_parameters": "mutates a module namespace's docstrings by design (an import-time helper)",
    "ShadowDeployment.drain": "lifecycle call; covered by ShadowDeployment.report which drains",
}


# ----------------------------------------------------------------------------------------------------------------------
# Building a baseline call
# ----------------------------------------------------------------------------------------------------------------------
class NoBaseline(Exception):
    "A callable has no valid baseline: neither name-keyed defaults nor an override cover a required parameter."


def _materialise(value: Any) -> Any:
    if inspect.isfunction(value) or (callable(value) and getattr(value, "__qualname__", "").startswith("Data.")):
        return value()
    return value


def signature_of(target: Target) -> inspect.Signature:
    obj = target.obj
    sig = inspect.signature(obj)
    if target.kind == "method":
        params = list(sig.parameters.values())
        if params and params[0].name in ("self", "cls"): params = params[1:]
        sig = sig.replace(parameters=params)
    return sig


def plan_kwargs(target: Target) -> dict:
    """The baseline's keyword arguments as factories (callables) or values; raises NoBaseline when a required parameter
    has neither an override nor a name-keyed default."""
    override = OVERRIDES.get(target.qualname, {})
    sig = signature_of(target)
    plan, ctx = {}, {}
    for name, param in sig.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD): continue
        if name in override: plan[name] = override[name]; continue
        if param.default is not param.empty: continue
        value = default_value(name, param, ctx)
        if value is NO_FACTORY:
            raise NoBaseline(f"{target.qualname}: no baseline for required parameter {name!r}")
        plan[name] = value
    for name, value in override.items():  # **options passed through
        if name not in plan: plan[name] = value
    # targets default to the frame chosen: the hmda X goes with y, the flights data with its target
    return plan


def build_kwargs(plan: dict) -> dict:
    out = {}
    for name, value in plan.items():
        v = value
        if callable(v) and not isinstance(v, type) and not hasattr(v, "fit") and not isinstance(v, (np.ndarray, pd.DataFrame, pd.Series)):
            v = v()
        elif isinstance(v, (pd.DataFrame, pd.Series, np.ndarray, list, dict)):
            v = copy.deepcopy(v)
        out[name] = v
    return out


_PRODUCED_CACHE: dict = {}  # producer -> the value of its baseline call (copied for each method's case)
_BASELINE_OUTCOMES: dict = {}  # producer -> the Outcome of its baseline case (run once per process)
_NOT_SHARED = {"serve", "dask_cluster", "scale_comparison"}  # live objects: their baseline closes what it returns


def instance_for(target: Target) -> Any:
    "A fresh instance for a method's call: from INSTANCES, or the result of the class's producing function."
    name = target.owner.__name__
    if name in INSTANCES: return INSTANCES[name]()
    producer = PRODUCED_BY.get(name)
    if producer is None: raise NoBaseline(f"{target.qualname}: no instance of {name} (add INSTANCES or PRODUCED_BY)")
    if producer not in _PRODUCED_CACHE:
        ptarget = TARGETS_BY_NAME()[producer]
        if producer in _NOT_SHARED:
            fn = bound_callable(ptarget)
            _PRODUCED_CACHE[producer] = fn(**build_kwargs(plan_kwargs(ptarget)))
        else:  # the producer's baseline case, run once: its outcome is that case's, its value every method's instance
            outcome = run_case(Case(ptarget, "", None))
            if producer not in _PRODUCED_CACHE:
                raise RuntimeError(f"{producer}'s baseline failed ({outcome.kind}): {outcome.detail}")
    return copy.deepcopy(_PRODUCED_CACHE[producer]) if name not in ("ModelServer", "DaskCluster") else _PRODUCED_CACHE[producer]


def bound_callable(target: Target, instance: Any = None) -> Callable:
    if target.kind == "method":
        raw = inspect.getattr_static(target.owner, target.qualname.split(".", 1)[1])
        if isinstance(raw, (classmethod, staticmethod)):
            return getattr(target.owner, target.qualname.split(".", 1)[1])
        inst = instance if instance is not None else instance_for(target)
        return getattr(inst, target.qualname.split(".", 1)[1])
    return target.obj


@lru_cache(maxsize=1)
def _targets() -> tuple:
    return tuple(public_targets())


def TARGETS_BY_NAME() -> dict:
    return {t.qualname: t for t in _targets()}


def covered_targets() -> list[Target]:
    "The targets the catalogue runs (excluded ones and those produced by a function without own constructor call left out)."
    return [t for t in _targets() if t.qualname not in EXCLUDED]


def coverage_problems() -> list[str]:
    "Public callables with neither a baseline nor a stated exclusion."
    problems = []
    for t in _targets():
        if t.qualname in EXCLUDED: continue
        if t.kind == "class" and t.__dict__ and t.qualname in PRODUCED_BY and t.qualname not in OVERRIDES:
            continue  # a result or record: covered by its producer
        try:
            plan_kwargs(t)
            if t.kind == "method":
                owner = t.owner.__name__
                raw = inspect.getattr_static(t.owner, t.qualname.split(".", 1)[1])
                if not isinstance(raw, (classmethod, staticmethod)) and owner not in INSTANCES and owner not in PRODUCED_BY:
                    problems.append(f"{t.module}.{t.qualname}: no instance of {owner} (add it to INSTANCES or PRODUCED_BY)")
        except NoBaseline as e:
            problems.append(f"{t.module}.{e}")
    return problems


# ----------------------------------------------------------------------------------------------------------------------
# Hostile values
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class Hostile:
    "One hostile value for a parameter: how to make it from the baseline value, and whether it must be refused."
    label: str
    make: Callable[[Any, dict], Any]  # (baseline value, the baseline kwargs) -> hostile value
    expect: str = EITHER  # PASS, REFUSE or EITHER
    check_html: bool = False  # the result's HTML must escape SCRIPT
    alt: Callable | None = None  # LIKE_LIST: the equivalent valid value, (baseline value, kwargs) -> value


def _referenced(kwargs: dict) -> set:
    "Column names the call refers to in its other arguments (kept intact when a frame is mutated)."
    names = set()
    for k, v in kwargs.items():
        if isinstance(v, str): names.add(v)
        elif isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v): names.update(v)
    return names


def _free_columns(df: pd.DataFrame, kwargs: dict, numeric: bool = False) -> list:
    ref = _referenced(kwargs)
    cols = [c for c in df.columns if c not in ref] or list(df.columns)
    if numeric:
        def is_number(c): return pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        cols = [c for c in cols if is_number(c)] or [c for c in df.columns if is_number(c)]
        if not cols: raise _NotApplicable("no numeric column to mutate")
    return cols


class _NotApplicable(Exception):
    "A hostile frame that cannot be made from this baseline (no such column)."


def _time_column(df: pd.DataFrame, kwargs: dict):
    t = kwargs.get("time_column")
    if isinstance(t, str) and t in df.columns: return t
    dt = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]
    return dt[0] if dt else None


def _set(df, col, values):
    df = df.copy()
    df[col] = values
    return df


def _dup(df, kw):
    c = _free_columns(df, kw)[0]
    return pd.concat([df, df[[c]]], axis=1)


def _int_names(df, kw):
    ref = _referenced(kw)
    return df.rename(columns={c: i for i, c in enumerate(df.columns) if c not in ref})


def _tuple_name(df, kw):
    c = _free_columns(df, kw)[0]
    return df.rename(columns={c: (c, "level")})


def _script_name(df, kw):
    c = _free_columns(df, kw)[0]
    return df.rename(columns={c: SCRIPT})


def _cells(df, kw, kind):
    c = _free_columns(df, kw)[0]
    values = [[i, i + 1] if kind == "list" else {"v": i} for i in range(len(df))]
    return _set(df, c, pd.Series(values, index=df.index, dtype=object))


def _all_nan(df, kw):
    c = _free_columns(df, kw, numeric=True)[0]
    return _set(df, c, np.nan)


def _inf(df, kw):
    c = _free_columns(df, kw, numeric=True)[0]
    col = df[c].astype(float).copy()
    col.iloc[::7] = np.inf
    col.iloc[3::11] = -np.inf
    return _set(df, c, col)


def _huge(df, kw):
    c = _free_columns(df, kw, numeric=True)[0]
    col = df[c].astype(float).copy()
    col.iloc[::2] = 1e308
    return _set(df, c, col)


def _str_numbers(df, kw):
    c = _free_columns(df, kw, numeric=True)[0]
    return _set(df, c, df[c].astype(str))


def _mixed_tz(df, kw):
    t = _time_column(df, kw)
    if t is None: return None
    col = pd.Series(df[t].astype(object).to_numpy(), index=df.index, dtype=object)
    naive = pd.to_datetime(df[t]).dt.tz_localize(None) if getattr(df[t].dt, "tz", None) is not None else df[t]
    aware = naive.dt.tz_localize("UTC") if getattr(naive.dt, "tz", None) is None else naive
    col.iloc[::2] = naive.iloc[::2].astype(object)
    col.iloc[1::2] = aware.iloc[1::2].astype(object)
    return _set(df, t, col)


def _all_nat(df, kw):
    t = _time_column(df, kw)
    return None if t is None else _set(df, t, pd.Series(pd.NaT, index=df.index, dtype=df[t].dtype))


def _inf_time(df, kw):
    t = _time_column(df, kw)
    if t is None: return None
    numeric = np.arange(len(df), dtype=float)
    numeric[-3:] = np.inf
    return _set(df, t, numeric)


def frame_hostiles() -> list[Hostile]:
    return [
        Hostile("not a DataFrame (a string)", lambda v, kw: "not a frame", REFUSE),
        Hostile("empty frame (0 rows)", lambda v, kw: v.iloc[:0].copy()),
        Hostile("one row", lambda v, kw: v.iloc[:1].copy()),
        Hostile("duplicate column names", lambda v, kw: _dup(v, kw)),
        Hostile("int column names", lambda v, kw: _int_names(v, kw)),
        Hostile("tuple column name", lambda v, kw: _tuple_name(v, kw)),
        Hostile("column named <script>", lambda v, kw: _script_name(v, kw), check_html=True),
        Hostile("object cells holding lists", lambda v, kw: _cells(v, kw, "list")),
        Hostile("object cells holding dicts", lambda v, kw: _cells(v, kw, "dict")),
        Hostile("all-NaN column", lambda v, kw: _all_nan(v, kw)),
        Hostile("inf values", lambda v, kw: _inf(v, kw)),
        Hostile("1e308 values", lambda v, kw: _huge(v, kw)),
        Hostile("str column where numbers are expected", lambda v, kw: _str_numbers(v, kw)),
        Hostile("mixed tz-aware/naive datetimes", lambda v, kw: _mixed_tz(v, kw)),
        Hostile("all-NaT time column", lambda v, kw: _all_nat(v, kw)),
        Hostile("inf in a numeric time column", lambda v, kw: _inf_time(v, kw)),
    ]


def _as_series_like(v, values):
    if isinstance(v, pd.Series): return pd.Series(values, name=v.name)
    if isinstance(v, np.ndarray): return np.asarray(values)
    return list(values)


# Callables whose target-like arguments are independent samples (their lengths need not match anything).
INDEPENDENT_SAMPLES = {"canary_analysis"}


def _aligned(name: str, n: int, kwargs: dict, target: "Target | None") -> bool:
    "Whether another argument of the call fixes the length a target must have (a frame, an array, or n_rows)."
    if target is not None and target.qualname in INDEPENDENT_SAMPLES: return False
    for k, other in kwargs.items():
        if k == name: continue
        if k == "n_rows" and isinstance(other, (int, np.integer)) and not isinstance(other, bool): return True
        if isinstance(other, (pd.DataFrame, pd.Series, np.ndarray)) and len(other) == n: return True
    return False


def target_hostiles(v: Any, name: str = "y", kwargs: dict | None = None, target: "Target | None" = None,
                    optional: bool = False) -> list[Hostile]:
    """A target's hostile values. `optional`: the parameter defaults to None (scikit-learn's fit(X, y=None) of an
    estimator that learns nothing from y), so None is valid and a bad y may be ignored."""
    if isinstance(v, str):  # a column name
        return [Hostile("target None", lambda v, kw: None),
                Hostile("misspelled target column", lambda v, kw: v[:-1] + ("x" if not v.endswith("x") else "y"), REFUSE),
                Hostile("target named <script>", lambda v, kw: SCRIPT,  # valid where the baseline's frame has such a column
                        EITHER if any(isinstance(f, pd.DataFrame) and SCRIPT in f.columns for f in (kwargs or {}).values()) else REFUSE)]
    n = len(v)
    must = EITHER if optional else REFUSE
    out = [Hostile("y None", lambda v, kw: None, must),
           Hostile("all-NaN", lambda v, kw: _as_series_like(v, [np.nan] * len(v)), must)]
    if _aligned(name, n, kwargs or {}, target):  # without a frame or n_rows beside it, any length is a valid target
        out.insert(1, Hostile("wrong length", lambda v, kw: _as_series_like(v, list(v)[:-7]), must))
    values = pd.Series(np.asarray(v)).dropna()
    if values.nunique() <= 10 and n > 4:
        out += [Hostile("single class", lambda v, kw: _as_series_like(v, [list(v)[0]] * len(v))),
                Hostile("one example of a class", lambda v, kw: _as_series_like(v, [0] * (len(v) - 1) + [1])),
                Hostile("three classes", lambda v, kw: _as_series_like(v, [i % 3 for i in range(len(v))]))]
    return out


# Callables that clone and fit the estimator they are given (their docstrings say "fitted or not"), or only read its
# parameters: an unfitted estimator is their normal input.
FITS_ESTIMATOR = {"cace_report", "cost_curve", "feature_audit", "compare_models", "review_complexity",
                  "unseeded_parameters", "candidate_kind"}


def estimator_hostiles(target: "Target | None" = None) -> list[Hostile]:
    from sklearn.base import clone
    unfitted = PASS if target is not None and target.qualname in FITS_ESTIMATOR else REFUSE
    return [Hostile("unfitted estimator", lambda v, kw: clone(v) if hasattr(v, "get_params") else Data.unfitted(), unfitted),
            Hostile("a class instead of an instance", lambda v, kw: type(v), REFUSE),
            Hostile("features not matching the data", lambda v, kw: _other_features_model()),
            Hostile("predict_proba returns NaN", lambda v, kw: NaNProbaModel(Data._model())),
            Hostile("predict raises", lambda v, kw: RaisingModel(Data._model()))]


def columns_hostiles(v: Any, kwargs: dict) -> list[Hostile]:
    "Columns of a frame given beside them (a misspelled name can only be refused when the frame is known)."
    if isinstance(v, dict):  # one row's features by name (Monitor.record)
        return [Hostile("misspelled column", lambda v, kw: {"no_such_colum": 0.0}, REFUSE)]
    if not any(isinstance(x, pd.DataFrame) for x in kwargs.values()): return []
    first = next((x for x in (v or []) if isinstance(x, str)), None) if isinstance(v, (list, tuple)) else None
    out = [Hostile("misspelled column", lambda v, kw: ["no_such_colum"], REFUSE),
           Hostile("empty list", lambda v, kw: [])]
    if first is not None:
        out.insert(0, Hostile("a str meaning one column", lambda v, kw: first, LIKE_LIST, alt=lambda v, kw: [first]))
    return out


def _frame_columns(kwargs):
    for v in kwargs.values():
        if isinstance(v, pd.DataFrame): return list(v.columns)
    return []


def column_hostiles() -> list[Hostile]:
    return [Hostile("misspelled column", lambda v, kw: str(v)[:-1] + "q", REFUSE)]


def random_state_hostiles() -> list[Hostile]:
    return [Hostile("random_state=-1", lambda v, kw: -1, REFUSE), Hostile("random_state=1.5", lambda v, kw: 1.5, REFUSE),
            Hostile("random_state='x'", lambda v, kw: "x", REFUSE), Hostile("random_state=True", lambda v, kw: True, REFUSE),
            Hostile("random_state=np.int64(3)", lambda v, kw: np.int64(3), PASS)]


def cv_hostiles() -> list[Hostile]:
    return [Hostile("cv=0", lambda v, kw: 0, REFUSE), Hostile("cv=1", lambda v, kw: 1, REFUSE),
            Hostile("cv=1.5", lambda v, kw: 1.5, REFUSE), Hostile("cv=None", lambda v, kw: None),
            Hostile("cv more folds than rows", lambda v, kw: 100_000),
            Hostile("cv=np.int64(3)", lambda v, kw: np.int64(3), PASS)]


def number_hostiles(v: Any, probability: bool) -> list[Hostile]:
    integer = isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    valid_numpy = (lambda v, kw: np.int64(v)) if integer else (lambda v, kw: np.float32(v))
    out = [Hostile("NaN", lambda v, kw: float("nan"), REFUSE), Hostile("pd.NA", lambda v, kw: pd.NA, REFUSE),
           Hostile("True", lambda v, kw: True, REFUSE), Hostile("-1", lambda v, kw: -1),
           Hostile("0", lambda v, kw: 0),
           Hostile("np.int64 valid value" if integer else "np.float32 valid value", valid_numpy, PASS),
           Hostile("huge (1e308 / 10**30)", lambda v, kw: 10 ** 30 if integer else 1e308)]
    if probability:
        out += [Hostile("probability 1.5", lambda v, kw: 1.5, REFUSE), Hostile("probability -0.5", lambda v, kw: -0.5, REFUSE)]
    return out


def _is_frequency(value: str) -> bool:
    from pandas.tseries.frequencies import to_offset
    try: to_offset(value); return True
    except Exception:
        try: pd.Period("2026-01", freq=value); return True
        except Exception: return False


def option_hostiles(name: str, value: str = "") -> list[Hostile]:
    if name in FREQ_NAMES:
        if not _is_frequency(value): return []  # a window label such as '2026-01-01', not a frequency
        return [Hostile("unknown pandas frequency 'bogus'", lambda v, kw: "bogus", REFUSE)]
    return [Hostile("unknown option 'bogus'", lambda v, kw: "bogus", REFUSE)]


def sequence_hostiles() -> list[Hostile]:
    return [Hostile("empty list", lambda v, kw: []), Hostile("None", lambda v, kw: None)]


def _nested_json(depth=100_000):
    return "[" * depth + "]" * depth


READ_PATH_HOSTILES = [
    ("missing file", lambda: _fresh_dir() / "missing.json"),
    ("a directory", lambda: _fresh_dir()),
    ("empty file", lambda: _file(b"")),
    ("binary junk", lambda: _file(bytes(range(256)) * 4)),
    ("deeply nested JSON", lambda: _file(_nested_json())),
    ("JSON []", lambda: _file("[]")),
    ("JSON null", lambda: _file("null")),
]

# Callables that read the file at `path`-like parameters (every hostile path must be refused).
# What each one reads: "json" (a JSON document of a given shape: [] and null refused), "any json" (any JSON value is
# valid), "csv" (a CSV: JSON text is just an odd header), "exists" (only the path is checked, not the content);
# default "json".
READER_KIND = {"check_path": "exists", "read_json_file": "any json", "Profile.from_csv": "csv",
               "load_reviewed_model": "json"}
READERS = {"read_json_file": "path", "check_path": "path", "Schema.load": "path", "Profile.load": "path", "Profile.from_csv": "path", "RuleLayer.from_json": "path",
           "load_answers": "path", "load_reviewed_model": "path", "Schema.from_json": "text"}


def _reader_expect(kind: str, label: str) -> str:
    if kind == "exists" and label not in ("missing file", "a directory"): return PASS  # a file's content is not its job
    if kind == "any json" and label in ("JSON []", "JSON null"): return PASS  # valid JSON values
    if kind == "csv" and label in ("JSON []", "JSON null", "deeply nested JSON"): return EITHER  # a header-only CSV
    return REFUSE


def path_hostiles(reader: bool, kind: str = "json") -> list[Hostile]:
    if reader:
        return [Hostile(label, (lambda make: lambda v, kw: make())(make), _reader_expect(kind, label))
                for label, make in READ_PATH_HOSTILES]
    return [Hostile("a directory", lambda v, kw: _fresh_dir()),
            Hostile("a path under a file", lambda v, kw: _file("x") / "child")]


def json_text_hostiles() -> list[Hostile]:
    return [Hostile("empty text", lambda v, kw: "", REFUSE), Hostile("binary junk text", lambda v, kw: "\x00\xff{[", REFUSE),
            Hostile("deeply nested JSON text", lambda v, kw: _nested_json(), REFUSE),
            Hostile("JSON [] text", lambda v, kw: "[]", REFUSE), Hostile("JSON null text", lambda v, kw: "null", REFUSE)]


def dict_spec_hostiles() -> list[Hostile]:
    return [Hostile("[] instead of a dict", lambda v, kw: [], REFUSE), Hostile("None instead of a dict", lambda v, kw: None, REFUSE),
            Hostile("a dict lacking fields", lambda v, kw: {}, REFUSE)]


def name_hostiles() -> list[Hostile]:
    return [Hostile("name <script>", lambda v, kw: SCRIPT, EITHER, check_html=True)]


def hostiles_for(target: Target, name: str, param: inspect.Parameter | None, value: Any, kwargs: dict) -> list[Hostile]:
    "The hostile values that apply to parameter `name` (baseline `value`) of `target`."
    default = param.default if param is not None and param.default is not inspect.Parameter.empty else None
    probe = value if name in kwargs else default
    if READERS.get(target.qualname) == name:
        return json_text_hostiles() if name == "text" else path_hostiles(True, READER_KIND.get(target.qualname, "json"))
    if name in ("path", "out_dir", "folder"): return path_hostiles(False)
    if target.qualname in ("Schema.from_dict", "Profile.from_dict", "BusinessRule.from_dict") and name in ("data", "spec"):
        return dict_spec_hostiles()
    if isinstance(probe, pd.DataFrame) or (name in FRAME_NAMES and probe is None and name in kwargs):
        return frame_hostiles()
    if name in ESTIMATOR_NAMES and probe is not None and hasattr(probe, "predict"):
        return estimator_hostiles(target)
    if name in TARGET_NAMES and probe is not None and (isinstance(probe, str) or hasattr(probe, "__len__")):
        return target_hostiles(probe, name, kwargs, target, optional=param is not None and param.default is None)
    if name in COLUMNS_NAMES and (probe is None or isinstance(probe, (str, list, tuple, dict))):
        return columns_hostiles(probe, kwargs)
    if name in COLUMN_NAMES and isinstance(probe, str) and any(isinstance(x, pd.DataFrame) for x in kwargs.values()):
        return column_hostiles()  # a misspelled column only against the frame given beside it
    if name == "random_state": return random_state_hostiles()
    if name == "cv": return cv_hostiles()
    if name == "p_values":
        return [Hostile("p-values outside [0, 1]", lambda v, kw: [0.01, 1.5, -0.2], REFUSE),
                Hostile("empty p-values", lambda v, kw: [])]
    if name in SEQUENCE_NAMES and isinstance(probe, (list, tuple)): return sequence_hostiles()
    if isinstance(probe, bool): return []
    if isinstance(probe, (int, float, np.integer, np.floating)) and not (isinstance(probe, float) and math.isnan(probe)):
        return number_hostiles(probe, name in PROBABILITY_NAMES)
    if isinstance(probe, str) and (name in OPTION_NAMES or name in FREQ_NAMES): return option_hostiles(name, probe)
    if name in ("name", "title", "description", "reason", "label") and isinstance(probe, str): return name_hostiles()
    return []


# ----------------------------------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class Case:
    target: Target
    parameter: str  # "" for the baseline call
    hostile: Hostile | None

    @property
    def id(self) -> str:
        return f"{self.target.qualname}[{self.parameter or 'baseline'}:{self.hostile.label if self.hostile else 'valid'}]"

    @property
    def module(self) -> str: return self.target.short_module


PREVIEW_FROM_SIGNATURE = {"validate_report", "strip_timings", "tradeoff_table"}  # their arguments cost a full run


def _baseline_preview(target: Target) -> dict:
    "The baseline keyword arguments, built once per callable to decide which hostile values apply."
    if target.qualname in PREVIEW_FROM_SIGNATURE: return {}
    return build_kwargs(plan_kwargs(target))


def cases_for(target: Target) -> list[Case]:
    out = [Case(target, "", None)]
    try: preview = _baseline_preview(target)
    except NoBaseline: return out
    except Exception:
        return out  # the baseline itself fails: reported by the baseline case
    sig = signature_of(target)
    params = dict(sig.parameters)
    names = [n for n, p in params.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    names += [n for n in preview if n not in params]
    for name in names:
        for hostile in hostiles_for(target, name, params.get(name), preview.get(name), preview):
            out.append(Case(target, name, hostile))
    return out


def all_cases() -> list[Case]:
    out = []
    for t in covered_targets():
        if t.kind == "class" and t.qualname in PRODUCED_BY and t.qualname not in OVERRIDES: continue
        out += cases_for(t)
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Running one case
# ----------------------------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    case: Case
    ok: bool
    kind: str = ""  # failure class: "raw exception", "accepted silently", "refused a valid value", "hang", ...
    detail: str = ""
    where: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        c = self.case
        return (f"- `{c.target.qualname}` · {c.parameter or '(baseline)'} · {c.hostile.label if c.hostile else 'valid call'} · "
                f"**{self.kind}**: {self.detail}" + (f" ({self.where})" if self.where else ""))


def _raise_site(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb: return ""
    frame = tb[-1]
    inside = [f for f in tb if "/ml_design/" in f.filename]
    last_ours = inside[-1] if inside else None
    site = f"{_short(frame.filename)}:{frame.lineno}"
    if last_ours is not None and last_ours is not frame:
        site += f" via {_short(last_ours.filename)}:{last_ours.lineno}"
    return site


def _short(path: str) -> str:
    for marker in ("/ml_design/", "/site-packages/", "/tests/"):
        if marker in path: return marker.strip("/") + "/" + path.split(marker, 1)[1]
    return path


def _first_line(text: str, limit: int = 160) -> str:
    line = (str(text).strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[:limit - 3] + "..."


def _snapshot(kwargs: dict) -> dict:
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, (pd.DataFrame, pd.Series, np.ndarray, list, dict)):
            try: out[k] = copy.deepcopy(v)
            except Exception: pass
    return out


def _same(a, b) -> bool:
    try:
        if isinstance(a, pd.DataFrame):
            return isinstance(b, pd.DataFrame) and a.shape == b.shape and list(map(repr, a.columns)) == list(map(repr, b.columns)) \
                and list(a.dtypes.astype(str)) == list(b.dtypes.astype(str)) and a.equals(b)
        if isinstance(a, pd.Series): return isinstance(b, pd.Series) and a.equals(b) and a.dtype == b.dtype
        if isinstance(a, np.ndarray):
            return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and \
                (np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        return repr(a) == repr(b)
    except Exception:
        return True


def _run_threaded(fn: Callable, timeout: float):
    box = {}

    def work():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - classified by the caller
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True, name="hostile-case")
    thread.start()
    thread.join(timeout)
    if thread.is_alive(): return "hang", None
    if "error" in box: return "error", box["error"]
    return "value", box.get("value")


class _Timeout(BaseException):
    "Raised by the alarm in the main thread when a call runs past its time."


def _run_bounded(fn: Callable, timeout: float):
    """Run fn with a time bound: an alarm signal in the main thread (it interrupts the call, so nothing keeps running),
    a daemon thread elsewhere. Returns (status, value): ("value", v), ("error", exc) or ("hang", None)."""
    import signal
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return _run_threaded(fn, timeout)

    def alarm(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "value", fn()
    except _Timeout:
        return "hang", None
    except Exception as exc:  # noqa: BLE001 - classified by the caller
        return "error", exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _cleanup(value):
    for attr in ("close",):
        method = getattr(value, attr, None)
        if callable(method) and type(value).__name__ in ("ModelServer", "ShadowDeployment", "Monitor", "DaskCluster"):
            try: method()
            except Exception: pass


def _check_result(result, html_needed: bool) -> tuple[str, str, str] | None:
    "None when the returned value follows the protocol; else (kind, detail, where)."
    if not core.is_result(result):
        if html_needed and hasattr(result, "_repr_html_"):
            return _check_html(result)
        return None
    try: json.dumps(result.to_dict(), allow_nan=False)
    except Exception as exc:
        return "to_dict not strict JSON", f"{type(exc).__name__}: {_first_line(exc)}", _raise_site(exc)
    try:
        ax = result.plot()
        from matplotlib.axes import Axes
        if not isinstance(ax, Axes):
            return "plot failed", f"plot() returned {type(ax).__name__}, not an Axes", ""
    except Exception as exc:
        return "plot failed", f"{type(exc).__name__}: {_first_line(exc)}", _raise_site(exc)
    finally:
        plt.close("all")
    if html_needed: return _check_html(result)
    return None


def _check_html(obj) -> tuple | None:
    for method in ("_repr_html_", "to_html"):
        fn = getattr(obj, method, None)
        if not callable(fn): continue
        try: text = fn()
        except Exception as exc:
            return "html failed", f"{method}: {type(exc).__name__}: {_first_line(exc)}", _raise_site(exc)
        if isinstance(text, str) and SCRIPT in text:
            return "HTML not escaped", f"{method}() holds {SCRIPT} unescaped", ""
    return None


# Records of values their producer computed (replay's PolicyState, prediction_churn, Profile.from_frame's Profile and
# ColumnProfile, rollback, the loaders' DataCard and Dataset): their constructors store fields as given, like a dataclass; the
# producers' inputs are checked (Profile.from_frame/from_dict/load). A record must still never raise a raw exception,
# and its to_dict() must stay strict JSON.
RECORDS = {"PolicyState", "PredictionChurn", "ColumnProfile", "Profile", "Rollback", "DataCard", "Dataset"}
# Parameters that take any value by design: a description or hash of any object, a type test, an observed metric
# (AlertRule: "NaN never fires").
ANY_VALUE = {("describe", "value"), ("is_result", "obj"), ("fingerprint", "obj"), ("is_dask_frame", "obj"),
             ("to_jsonable", "obj"), ("AlertRule.fires", "value"), ("AlertRule.finding", "value")}

# Baselines whose HTML is checked: the review's data holds a column named <script> (one review run checks both).
BASELINE_HTML = {"design_review"}

TIMEOUTS = {"design_review": 240.0, "DesignReview": 120.0, "validate_report": 60.0, "strip_timings": 60.0}


def timeout_for(target: Target) -> float:
    "The time bound of one call: 15 s (HOSTILE_TIMEOUT); a slow callable (loads every dataset, fits, serves) 4 times that."
    name = target.qualname
    default = TIMEOUT * 4 if tier(target) == "slow" else TIMEOUT
    return TIMEOUTS.get(name, TIMEOUTS.get(name.split(".")[0], default))


def _warm(target: Target) -> None:
    "Build (once, in the main thread) the result a method of a produced class runs on."
    if target.kind == "method" and target.owner.__name__ not in INSTANCES and target.owner.__name__ in PRODUCED_BY:
        raw = inspect.getattr_static(target.owner, target.qualname.split(".", 1)[1])
        if not isinstance(raw, (classmethod, staticmethod)): instance_for(target)


def run_case(case: Case, timeout: float | None = None) -> Outcome:
    import time
    target, hostile = case.target, case.hostile
    if hostile is None and target.qualname in _BASELINE_OUTCOMES: return _BASELINE_OUTCOMES[target.qualname]
    timeout = timeout_for(target) if timeout is None else timeout
    start = time.perf_counter()
    try: _warm(target)
    except NoBaseline as exc:
        return Outcome(case, False, "no baseline", str(exc))
    except Exception as exc:
        return Outcome(case, False, "baseline setup failed", f"{type(exc).__name__}: {_first_line(exc)}", _raise_site(exc))
    state: dict = {}

    def prepare():  # in the worker thread: some objects (a Monitor's SQLite store) belong to the thread that made them
        plan = plan_kwargs(target)
        kwargs = build_kwargs(plan)
        fn = bound_callable(target)
        if hostile is not None:
            params = signature_of(target).parameters
            base = kwargs.get(case.parameter, params[case.parameter].default if case.parameter in params else None)
            try: value = hostile.make(base, kwargs)
            except _NotApplicable:
                value = None
            if value is None and hostile.label not in ("y None", "target None", "cv=None", "None", "None instead of a dict"):
                state["skip"] = True
                return None
            kwargs[case.parameter] = value
        state["kwargs"], state["before"] = kwargs, _snapshot(kwargs)
        state["ready"] = True
        return fn(**kwargs)

    status, value = _run_bounded(prepare, timeout)
    seconds = time.perf_counter() - start
    if state.get("skip"): return Outcome(case, True, "not applicable", "no such column to mutate", seconds=seconds)
    if status == "error" and not state.get("ready"):
        exc = value
        kind = "no baseline" if isinstance(exc, NoBaseline) else ("baseline setup failed" if hostile is None else "case setup failed")
        return Outcome(case, False, kind, f"{type(exc).__name__}: {_first_line(exc)}", _raise_site(exc), seconds)
    expect = hostile.expect if hostile is not None else PASS
    if expect == REFUSE and target.kind == "class" and hasattr(target.obj, "fit"):
        expect = EITHER  # scikit-learn's convention: an estimator's constructor stores its arguments; fit validates them
    if expect == REFUSE and (target.qualname in RECORDS or (target.qualname, case.parameter) in ANY_VALUE):
        expect = EITHER
    if status == "hang":
        return Outcome(case, False, "hang", f"no answer after {timeout:.0f} s", seconds=seconds)
    kwargs = state["kwargs"]
    for k, v in state["before"].items():
        if k in kwargs and not _same(v, kwargs[k]):
            return Outcome(case, False, "modified input in place", f"argument {k!r} changed by the call", seconds=seconds)
    if status == "error":
        exc = value
        if isinstance(exc, core.MLDesignError):
            message = str(exc)
            if "expected" not in message:
                return Outcome(case, False, "message lacks 'expected'", f"{type(exc).__name__}: {_first_line(message)}",
                               _raise_site(exc), seconds)
            if expect == LIKE_LIST:  # refused: fine only when the one-column list is refused too
                same = Case(target, case.parameter, Hostile("one-column list", hostile.alt, EITHER))
                twin = run_case(same, timeout)
                if twin.ok and twin.kind == "returned":
                    return Outcome(case, False, "refused a valid value",
                                   f"a str column is refused while the one-column list is accepted: {_first_line(message)}",
                                   _raise_site(exc), seconds)
                return Outcome(case, True, "refused", _first_line(message), seconds=seconds)
            if expect == PASS:
                return Outcome(case, False, "refused a valid value", f"{type(exc).__name__}: {_first_line(message)}",
                               _raise_site(exc), seconds)
            return Outcome(case, True, "refused", _first_line(message), seconds=seconds)
        return Outcome(case, False, "raw exception", f"{type(exc).__name__}: {_first_line(exc)}", _raise_site(exc), seconds)
    problem = None
    try:
        problem = _check_result(value, (hostile is not None and hostile.check_html)
                                or (hostile is None and target.qualname in BASELINE_HTML))
    finally:
        if hostile is None and target.qualname in _PRODUCERS and target.qualname not in _NOT_SHARED:
            if problem is None: _PRODUCED_CACHE[target.qualname] = value
        else:
            _cleanup(value)
    if problem is not None:
        outcome = Outcome(case, False, *problem, seconds=seconds)
        if hostile is None and target.qualname in _PRODUCERS: _BASELINE_OUTCOMES[target.qualname] = outcome
        return outcome
    if hostile is None and target.qualname in _PRODUCERS:
        _BASELINE_OUTCOMES[target.qualname] = Outcome(case, True, "returned", "", seconds=seconds)
    if expect == REFUSE:
        return Outcome(case, False, "accepted silently", f"returned {type(value).__name__} for a value that must be refused",
                       seconds=seconds)
    return Outcome(case, True, "returned", "", seconds=seconds)


# ----------------------------------------------------------------------------------------------------------------------
# Selection: the default catalogue and the full one
# ----------------------------------------------------------------------------------------------------------------------
def full_mode() -> bool:
    return os.environ.get("HOSTILE_FULL", "") == "1"


def _stable(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


# ----------------------------------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------------------------------
def write_report(outcomes: list[Outcome], path: str | Path, seconds: float, problems: list[str], planned: int | None = None,
                 rerun_modules: set | None = None) -> Path:
    """The markdown report (totals, by class, by module, every failure), one <module>.md per module and a .json of every
    outcome. `rerun_modules`: the modules whose cases ran now (None: all); only their per-module files are rewritten."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    failures = [o for o in outcomes if not o.ok]
    modules = sorted({o.case.module for o in outcomes})
    by_kind: dict = {}
    for o in failures: by_kind[o.kind] = by_kind.get(o.kind, 0) + 1
    import time as _t
    head = [f"Refreshed {_t.strftime('%Y-%m-%d %H:%M UTC', _t.gmtime())}"
            + (f" (modules rerun now: {', '.join(sorted(rerun_modules))}; the others' outcomes kept from the previous run)"
               if rerun_modules is not None else "") + ".",
            "",
            f"# Hostile-input catalogue report",
            "",
            f"Generated {_t.strftime('%Y-%m-%d %H:%M UTC', _t.gmtime())} by `tests/test_hostile_inputs.py --report` "
            f"({'every case (HOSTILE_FULL=1)' if full_mode() else 'the default catalogue'}).",
            "",
            f"**Totals**: {len(outcomes)} cases run over {len({o.case.target.qualname for o in outcomes})} callables, "
            f"{len(failures)} failures, {seconds:.0f} s."
            + (f" (Interim: {len(outcomes)} of {planned} planned cases done.)" if planned and planned > len(outcomes) else ""),
            "",
            "Failures by class: " + (", ".join(f"{k} {v}" for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])) or "none"),
            "",
            "Each line: callable · parameter · hostile value · **outcome** (exception, first line of its message, where it was "
            "raised: the last frame, then the last ml_design frame). A case passes when the call returns a result whose "
            "to_dict() is strict JSON and whose plot() gives an Axes, or raises MLDesignError saying what was expected; "
            "'accepted silently' marks a value that must be refused. Rerun one callable's cases: "
            "`HOSTILE_FULL=1 .venv/bin/python -m pytest tests/test_hostile_inputs.py -q -k 'test_hostile_case and <callable>'`.",
            ""]
    if problems:
        head += ["## Callables without a baseline", ""] + [f"- {p}" for p in problems] + [""]
    head += ["| module | cases | failures |", "|---|---:|---:|"]
    for m in modules:
        mo = [o for o in outcomes if o.case.module == m]
        head.append(f"| {m} | {len(mo)} | {sum(not o.ok for o in mo)} |")
    head.append("")
    body = []
    for m in modules:
        mf = [o for o in failures if o.case.module == m]
        mo = [o for o in outcomes if o.case.module == m]
        section = [f"## {m}", "", f"{len(mo)} cases, {len(mf)} failures.", ""] + [o.line() for o in mf] + [""]
        body += section
        if rerun_modules is not None and m not in rerun_modules: continue
        stamp = _t.strftime('%Y-%m-%d %H:%M UTC', _t.gmtime())
        (path.parent / f"{m}.md").write_text(f"Refreshed {stamp} ({'HOSTILE_FULL=1' if full_mode() else 'default catalogue'}; "
                                             f"earlier passes kept, failures and new cases rerun).\n\n"
                                             f"# Hostile inputs: ml_design.{m}\n\n(From {path.name}.)\n\n"
                                             + "\n".join(section[2:]) + "\n", encoding="utf-8")
    path.write_text("\n".join(head + body) + "\n", encoding="utf-8")
    records = [{"id": o.case.id, "module": o.case.module, "callable": o.case.target.qualname, "parameter": o.case.parameter,
                "case": o.case.hostile.label if o.case.hostile else "valid call", "ok": o.ok, "kind": o.kind,
                "detail": o.detail, "where": o.where, "seconds": round(o.seconds, 3)} for o in outcomes]
    path.with_suffix(".json").write_text(json.dumps(records, indent=0), encoding="utf-8")
    return path


# Callables whose every call fits models, replays time or starts servers: the default catalogue runs their baseline and a
# few hostile cases (a stable choice, a different one per parameter kind); HOSTILE_FULL=1 runs them all.
SLOW = {"replay", "compare_policies", "retrain_frequency", "baseline_ladder", "feature_audit", "cace_report",
        "leakage_check", "compare_to_rules", "compare_models", "ensemble_tradeoff", "review_complexity", "tradeoff_table",
        "online_vs_batch", "simulate_selective_labels", "simulate_recommendation_loop", "stress_test", "cost_curve",
        "latency_breakdown", "latency_profile", "compare_serving", "serve", "load_test", "ShadowDeployment",
        "pipeline_audit", "training_serving_skew", "threshold_under_parity", "drift_over_time", "list_datasets",
        "load_flights", "load", "profile_dask", "score_batches", "validate_dask", "write_replicas", "check_reproducible",
        "Monitor", "Monitor.open", "monitor_alerts", "calibrate_alarms", "stale_features", "slice_report",
        "ModelRegistry", "rollback", "ModelRegistry.register", "boundary_report", "inventory", "unstable_inputs",
        "metric_alignment", "GuardedModel.fit", "RuledModel.fit", "DelayedModel", "DependencyGraph.from_pipeline",
        "DependencyGraph.add_pipeline", "bootstrap_interval"}
# The design review runs every step (tens of seconds on a loaded machine): full mode only, except its baseline and the
# HTML-escaping case (tests/test_review.py covers the review itself).
VERY_SLOW = {"design_review", "validate_report", "strip_timings", "DesignReview.plot", "DesignReview.to_dict",
             "DesignReview.to_html", "DesignReview.write"}
# Baselines left to HOSTILE_FULL=1 (seconds of rendering each): design_review's baseline already checks the review's
# to_html() and _repr_html_() (its data holds a <script> column), and tests/test_review.py writes and renders reviews.
# The design review itself (about 20 s of CPU: every step) is covered by tests/test_review.py, which also checks that its
# HTML escapes a <script> column and target; the default catalogue runs it only with HOSTILE_REVIEW=1.
FULL_ONLY_BASELINES = {"DesignReview.to_html", "DesignReview.write"}
if os.environ.get("HOSTILE_REVIEW", "") != "1":
    FULL_ONLY_BASELINES |= {"design_review", "DesignReview.plot", "DesignReview.to_dict", "validate_report", "strip_timings"}
SLOW_CASES = int(os.environ.get("HOSTILE_SLOW_CASES", "1"))  # hostile cases per slow callable in the default catalogue
FAST_CASES = int(os.environ.get("HOSTILE_FAST_CASES", "2"))  # ... per fast callable (HOSTILE_FULL=1: all of them)


def tier(target: Target) -> str:
    "'very slow' (the design review and what runs on it), 'slow' (fits models, replays, serves) or 'fast'."
    name = target.qualname
    if name in VERY_SLOW or (target.kind == "method" and target.owner.__name__ in PRODUCED_BY
                             and PRODUCED_BY[target.owner.__name__] in VERY_SLOW): return "very slow"
    return "slow" if name in SLOW else "fast"


def default_selection(cases: list[Case]) -> list[Case]:
    """The default catalogue: every callable's baseline (a producer's baseline runs once and serves its result's methods),
    plus FAST_CASES hostile cases per fast callable, each on a different parameter, chosen so that the classes of
    hostile value (labels) spread evenly and every class appears at least once; and SLOW_CASES per slow callable among
    the values it must refuse (cheap once it checks up front). Very slow callables (the design review) run their
    baseline only. HOSTILE_FULL=1 runs every case."""
    from collections import Counter
    out = [c for c in cases if c.hostile is None and c.target.qualname not in FULL_ONLY_BASELINES]
    groups: dict = {}
    for c in cases:
        if c.hostile is not None and tier(c.target) != "very slow": groups.setdefault(c.target.qualname, []).append(c)
    counts: Counter = Counter()
    chosen_ids = set()
    for name in sorted(groups, key=_stable):
        group = groups[name]
        slow = tier(group[0].target) == "slow"
        pool = [c for c in group if c.hostile.expect == REFUSE] if slow else list(group)
        budget, seen = (SLOW_CASES if slow else FAST_CASES), set()
        for _ in range(budget):
            options = [c for c in pool if c.parameter not in seen and c.id not in chosen_ids]
            if not options: break
            pick = min(options, key=lambda c: (counts[c.hostile.label], _stable(c.id)))
            out.append(pick); chosen_ids.add(pick.id); seen.add(pick.parameter); counts[pick.hostile.label] += 1
    for label in sorted({c.hostile.label for g in groups.values() for c in g if tier(c.target) == "fast"}):
        if counts[label]: continue  # every class of hostile value at least once, on a fast callable
        pick = min((c for g in groups.values() for c in g if c.hostile.label == label and tier(c.target) == "fast"),
                   key=lambda c: _stable(c.id))
        out.append(pick); chosen_ids.add(pick.id); counts[label] += 1
    return out


def round_robin(cases: list[Case]) -> list[Case]:
    "Cases reordered so that every callable's first cases come first (an interrupted run still covers every callable)."
    groups: dict = {}
    for c in cases: groups.setdefault(c.target.qualname, []).append(c)
    out, depth = [], 0
    while len(out) < len(cases):
        for group in groups.values():
            if depth < len(group): out.append(group[depth])
        depth += 1
    return out


# ----------------------------------------------------------------------------------------------------------------------
# HTML: user strings are escaped
# ----------------------------------------------------------------------------------------------------------------------
def _script_frame():
    return Data.X().rename(columns={"pirat": SCRIPT})


HTML_PROBES: dict[str, Callable[[], Any]] = {  # class name -> an instance holding SCRIPT as a user string
    "Schema": lambda: ml_design.Schema.infer(Data.X(), name=SCRIPT),
    "Schema (column)": lambda: ml_design.Schema.infer(_script_frame()),
    "DataCard": lambda: ml_design.DataCard(name=SCRIPT, title=SCRIPT, source=SCRIPT, licence="CC0", rows=1, columns=1),
    "ProjectCanvas": lambda: ml_design.ProjectCanvas(title=SCRIPT, proxy_metric=SCRIPT, business_metric=SCRIPT),
    "DriftReport": lambda: ml_design.drift_report(_script_frame().iloc[:120], _script_frame().iloc[120:]),
    "ValidationResult": lambda: ml_design.Schema.infer(_script_frame()).validate(_script_frame()),
    "SchemaDiff": lambda: ml_design.Schema.infer(_script_frame()).diff(ml_design.Schema.infer(Data.X())),
    "InventoryResult": lambda: ml_design.inventory(_script_frame().assign(deny=Data.y()), target="deny"),
    "Finding in a result": lambda: _finding_result(),
    "Profile": lambda: ml_design.Profile.from_frame(_script_frame()),
}


def _finding_result():
    r = ml_design.drift_report(Data.X().iloc[:120], Data.X().iloc[120:])
    r.findings.append(core.Finding("warn", "drift", SCRIPT, {SCRIPT: SCRIPT}))
    return r


def html_classes() -> list[str]:
    "Public classes that render HTML (a _repr_html_ or to_html of their own or inherited)."
    out = []
    for t in _targets():
        if t.kind != "class" or not (hasattr(t.obj, "_repr_html_") or hasattr(t.obj, "to_html")): continue
        owner = next((k for k in t.obj.__mro__ if "_repr_html_" in vars(k) or "to_html" in vars(k)), None)
        if owner is not None and owner.__module__.startswith("sklearn"): continue  # scikit-learn's estimator display escapes
        out.append(t.qualname)
    return out


def html_problem(obj) -> str | None:
    "None when every HTML rendering of obj escapes SCRIPT."
    for method in ("_repr_html_", "to_html"):
        fn = getattr(obj, method, None)
        if not callable(fn): continue
        text = fn()
        if SCRIPT in text: return f"{type(obj).__name__}.{method}() holds {SCRIPT} unescaped"
    return None


# ----------------------------------------------------------------------------------------------------------------------
# Randomized inputs (HOSTILE_FULL=1)
# ----------------------------------------------------------------------------------------------------------------------
def frame_parameter(target: Target) -> str | None:
    "The first parameter of target whose baseline is a DataFrame."
    try: preview = _baseline_preview(target)
    except Exception: return None
    return next((k for k, v in preview.items() if isinstance(v, pd.DataFrame)), None)


def number_parameters(target: Target) -> list:
    "Parameters whose baseline or default is a plain number."
    try: preview = _baseline_preview(target)
    except Exception: return []
    out = []
    for name, param in signature_of(target).parameters.items():
        value = preview.get(name, param.default)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name != "random_state": out.append(name)
    return out


def random_frames():
    "A hypothesis strategy of small frames: numbers (NaN, inf, huge), strings, categories, datetimes, odd names."
    from hypothesis import strategies as st
    from hypothesis.extra.pandas import column, data_frames, range_indexes
    names = st.sampled_from(["pirat", "hirat", "lvrat", "unemp", "deny", "a", "a b", "", SCRIPT, "é"])
    numbers = st.floats(allow_nan=True, allow_infinity=True, width=64)
    columns = [column("pirat", elements=numbers, dtype=float), column("hirat", elements=st.floats(0, 3), dtype=float),
               column("lvrat", elements=st.integers(-5, 5), dtype=int),
               column("unemp", elements=st.one_of(numbers, st.none()), dtype=object),
               column("deny", elements=st.integers(0, 1), dtype=int),
               column("when", elements=st.datetimes(), dtype="datetime64[ns]"),
               column("kind", elements=st.sampled_from(["x", "y", "z"]), dtype=object)]

    @st.composite
    def build(draw):
        frame = draw(data_frames(columns=columns, index=range_indexes(min_size=0, max_size=60)))
        keep = draw(st.lists(st.sampled_from(list(frame.columns)), min_size=1, max_size=7, unique=True))
        frame = frame[keep]
        if draw(st.booleans()):
            frame = frame.rename(columns={keep[0]: draw(names)})
        return frame

    return build()
