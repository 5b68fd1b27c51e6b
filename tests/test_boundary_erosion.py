"""Boundary erosion: blast radius, path counts and shortest paths against networkx on random graphs, change_impact's
shares against a plain loop, pipelines read column by column (names, indices, masks, slices, selectors, drop,
passthrough), access logs, the review step on a real candidate, and every input error."""
import json

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ml_design.boundary_erosion import (BlastRadius, BoundaryReport, ChangeImpact, DependencyGraph, boundary_report,
                                        change_impact)
from ml_design.core import InputError, is_result
from ml_design.datasets import load_loans


def random_system(seed: int, n_features: int = 5, n_models: int = 4, n_consumers: int = 3) -> DependencyGraph:
    "A random system: features read from one source, models reading features and earlier models, consumers reading models."
    rng = np.random.default_rng(seed)
    graph = DependencyGraph().add_source("source")
    features = [f"f{i}" for i in range(n_features)]
    for name in features: graph.add_feature(name, ["source"])
    models = []
    for i in range(n_models):
        pool = features + models
        chosen = rng.choice(pool, size=rng.integers(1, min(4, len(pool)) + 1), replace=False)
        graph.add_model(f"m{i}", list(chosen))
        models.append(f"m{i}")
    for i in range(n_consumers):
        graph.add_consumer(f"c{i}", list(rng.choice(models, size=rng.integers(1, min(2, len(models)) + 1), replace=False)))
    return graph


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6), st.integers(1, 6))
def test_blast_radius_matches_networkx(seed, n_features, n_models):
    graph = random_system(seed, n_features, n_models)
    for node in ["source", "f0", "m0"]:
        radius = graph.blast_radius(node)
        expected = {n for n in nx.descendants(graph.graph, node) if graph.kind(n) in ("model", "consumer")}
        assert set(radius.table["name"]) == expected
        for row in radius.table.itertuples():
            assert row.hops == nx.shortest_path_length(graph.graph, node, row.name)
            assert row.paths == len(list(nx.all_simple_paths(graph.graph, node, row.name)))
            assert row.path.split(" -> ")[0] == node and row.path.split(" -> ")[-1] == row.name
            upstream = [m for m in nx.ancestors(graph.graph, row.name) if graph.kind(m) == "model"
                        and (m == node or m in nx.descendants(graph.graph, node))]
            assert row.cascade == (row.kind == "model" and bool(upstream))
            assert not row.hidden


def test_correction_cascades_are_every_pair_of_connected_models():
    graph = random_system(3, 4, 6)
    pairs = set(map(tuple, graph.correction_cascades()[["upstream", "downstream"]].values))
    expected = {(a, b) for a in graph.nodes("model") for b in graph.nodes("model") if a != b and nx.has_path(graph.graph, a, b)}
    assert pairs == expected


def test_hidden_flag_only_when_the_declared_graph_cannot_reach():
    graph = (DependencyGraph().add_feature("x").add_model("a", ["x"]).add_consumer("c", ["a"])
             .record_reads([("c", "a"), ("spy", "a"), ("c", "x")]))
    table = graph.blast_radius("x").table.set_index("name")
    assert table.loc["c", "hidden"] == False  # reachable through the declared read of a (and also read directly, undeclared)
    assert table.loc["spy", "hidden"] == True
    assert table.loc["c", "paths"] == 2
    assert sorted(graph.hidden_consumers()[["output", "reader", "reader_declared"]].values.tolist()) == [["a", "spy", False], ["x", "c", True]]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=60), st.floats(0.05, 0.95))
def test_change_impact_shares_match_a_plain_loop(pairs, threshold):
    graph = DependencyGraph().add_feature("x").add_model("m", ["x"])
    before = pd.DataFrame({"m": [a for a, _ in pairs]})
    after = pd.DataFrame({"m": [b for _, b in pairs]})
    row = change_impact(graph.blast_radius("x"), before, after, thresholds=threshold).table.iloc[0]
    flipped = sum((a > threshold) != (b > threshold) for a, b in pairs) / len(pairs)
    moved = sum(a != b for a, b in pairs) / len(pairs)
    assert row["share_flipped"] == pytest.approx(flipped)
    assert row["share_moved"] == pytest.approx(moved)
    assert row["max_abs_change"] == pytest.approx(max(abs(a - b) for a, b in pairs))
    assert row["agrees"] == (moved > 0)


def test_change_impact_tolerance_and_missing_values():
    graph = DependencyGraph().add_feature("x").add_model("m", ["x"]).add_model("n", ["m"])
    before = pd.DataFrame({"m": [0.1, np.nan, 0.5, np.nan], "n": [0.2, 0.2, 0.2, 0.2]})
    after = pd.DataFrame({"m": [0.1 + 1e-12, np.nan, 0.5, 0.3], "n": [0.2, 0.2, 0.2, 0.2]})
    table = change_impact(graph.blast_radius("x"), before, after, tolerance=1e-9).table.set_index("name")
    assert table.loc["m", "share_moved"] == 0.25  # the NaN that became 0.3; NaN to NaN and 1e-12 do not count
    assert table.loc["n", "moved"] == False and table.loc["n", "agrees"] == False


def fitted(transformer, X, y=None):
    y = np.arange(len(X)) % 2 if y is None else y
    return make_pipeline(transformer, LogisticRegression()).fit(X, y)


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40), "c": rng.choice(["x", "y"], 40),
                         "d": rng.normal(size=40), "e": rng.normal(size=40)})


def test_pipeline_columns_by_name_index_mask_slice_and_selector(frame):
    transformer = ColumnTransformer([("by_name", StandardScaler(), ["a"]), ("by_index", StandardScaler(), [1]),
                                     ("by_selector", OneHotEncoder(), make_column_selector(dtype_exclude="number")),
                                     ("by_mask", StandardScaler(), [False, False, False, True, False]),
                                     ("gone", "drop", slice(4, 5))])
    graph = DependencyGraph.from_pipeline(fitted(transformer, frame), name="m")
    reads = {step: sorted(graph.graph.predecessors(step)) for step in graph.nodes("step")}
    assert reads == {"m/by_name": ["a"], "m/by_index": ["b"], "m/by_selector": ["c"], "m/by_mask": ["d"]}
    assert sorted(graph.graph.predecessors("m")) == sorted(reads)
    assert "e" in graph and graph.blast_radius("e").table.empty  # dropped: a change to it reaches nothing


def test_pipeline_passthrough_remainder_and_chained_steps(frame):
    transformer = ColumnTransformer([("scale", StandardScaler(), ["a", "b"]), ("keep", "passthrough", ["d"])], remainder="drop")
    numbers = frame[["a", "b", "d"]]
    graph = DependencyGraph.from_pipeline(make_pipeline(transformer, SimpleImputer(), LogisticRegression()).fit(numbers, np.arange(40) % 2), "m")
    assert sorted(graph.graph.predecessors("m/simpleimputer")) == ["d", "m/scale"]
    assert list(graph.graph.predecessors("m")) == ["m/simpleimputer"]
    bare = DependencyGraph.from_pipeline(HistGradientBoostingRegressor(max_iter=5).fit(numbers, frame["e"]), "hgb")
    assert sorted(bare.graph.predecessors("hgb")) == ["a", "b", "d"]
    only_steps = DependencyGraph.from_pipeline(transformer.fit(numbers), "prep")
    assert only_steps.nodes("model") == [] and only_steps.nodes("step") == ["prep/scale"]


def test_models_share_features_and_a_model_output_column_links_models(frame):
    graph = DependencyGraph().add_source("table")
    first = fitted(StandardScaler(), frame[["a", "b"]])
    graph.add_pipeline("first", first, source="table")
    second_input = frame[["b", "d"]].assign(first=first.predict_proba(frame[["a", "b"]])[:, 1])
    graph.add_pipeline("second", fitted(StandardScaler(), second_input), source="table")
    assert graph.nodes("feature") == ["a", "b", "d"]
    assert graph.blast_radius("a").table["name"].tolist() == ["first", "second"]
    assert graph.blast_radius("a").table.set_index("name").loc["second", "cascade"] == True
    assert graph.correction_cascades()["path"].tolist() == ["first -> second/standardscaler -> second"]


def test_reads_through_own_steps_are_declared(frame):
    graph = DependencyGraph.from_pipeline(fitted(StandardScaler(), frame[["a", "b"]]), "m")
    graph.record_reads([("m", "a")])  # the pipeline reads a through its scaler: already declared
    assert graph.hidden_consumers().empty


def test_results_follow_the_protocol(frame):
    graph = random_system(1).record_reads([("spy", "m0")])
    radius = graph.blast_radius("f0")
    before = pd.DataFrame({m: np.linspace(0, 1, 10) for m in graph.nodes("model")})
    impact = change_impact(radius, before, before.assign(m0=before["m0"][::-1].to_numpy()))
    report = boundary_report(fitted(StandardScaler(), frame[["a", "b"]]), graph=graph)
    for result in (radius, impact, report):
        assert is_result(result) and isinstance(result, (BlastRadius, ChangeImpact, BoundaryReport))
        json.dumps(result.to_dict())
        assert isinstance(result.plot(), plt.Axes)
        plt.close("all")
    json.dumps(graph.to_dict())
    assert isinstance(graph.plot(), plt.Axes) and isinstance(graph.plot(highlight="f0"), plt.Axes)
    plt.close("all")
    assert [f.evidence["reader"] for f in report.findings if "reader" in f.evidence] == ["spy"]
    assert len(graph) == len(random_system(1)) + 1  # boundary_report worked on a copy


def test_boundary_report_on_a_real_candidate():
    loans, card = load_loans(n_rows=2_000, random_state=0)
    numeric = loans.select_dtypes("number").drop(columns=[card.target])
    candidate = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=500))
    candidate.fit(numeric, (loans[card.target] > loans[card.target].median()).astype(int))
    clean = boundary_report(candidate)
    assert [f.severity for f in clean.findings] == ["info"]
    assert clean.findings[0].evidence["steps"] == ["candidate/simpleimputer", "candidate/standardscaler"]
    graded = make_pipeline(OneHotEncoder(handle_unknown="ignore"), LogisticRegression(max_iter=500))
    graded.fit(loans[["grade", "homeownership"]].astype(str), (loans[card.target] > 12).astype(int))
    warned = boundary_report(graded, model_outputs=["grade"])
    assert [(f.severity, f.evidence.get("input")) for f in warned.findings] == [("warn", "grade"), ("info", None)]


def test_input_errors(frame):
    graph = DependencyGraph().add_source("s").add_feature("x", ["s"]).add_model("m", ["x"]).add_consumer("c", ["m"])
    cases = [
        (lambda: graph.copy().add_feature("x", ["s"]), "already a feature"),
        (lambda: graph.copy().add_model("n", ["xx"]), "Did you mean 'x'?"),
        (lambda: graph.copy().add_model("n", "nothing"), "Declare it first"),
        (lambda: graph.copy().add_model("n", {"x": 1}), "a list of component names"),
        (lambda: graph.copy().add_model("", ["x"]), "a non-empty string"),
        (lambda: graph.copy().add_model(3, ["x"]), "a non-empty string"),
        (lambda: graph.copy().add_model("n", ["c"]), "Nothing consumes a consumer"),
        (lambda: graph.copy().add_inputs("s", ["x"]), "A source consumes nothing"),
        (lambda: graph.copy().add_inputs("x", ["m"]), "a cycle x -> m -> x"),
        (lambda: graph.copy().add_inputs("m", ["m"]), "a cycle m -> m"),
        (lambda: graph.copy().record_reads([("x", "m")]), "a cycle x -> m -> x"),
        (lambda: graph.copy().record_reads([("spy", "nothing")]), "reads: output"),
        (lambda: graph.copy().record_reads([("spy",)]), "(reader, output) pairs"),
        (lambda: graph.copy().record_reads(42), "(reader, output) pairs"),
        (lambda: graph.copy().record_reads(pd.DataFrame({"reader": ["spy"]})), "columns ['output']"),
        (lambda: graph.blast_radius("mm"), "Did you mean 'm'?"),
        (lambda: graph.kind("q"), "a component declared in the graph"),
        (lambda: DependencyGraph.from_pipeline(make_pipeline(StandardScaler(), LogisticRegression())), "Call .fit(X, y) first"),
        (lambda: DependencyGraph.from_pipeline("model"), "a fitted scikit-learn Pipeline"),
        (lambda: DependencyGraph.from_pipeline(fitted(StandardScaler(), frame[["a"]].to_numpy())), "or pass columns="),
        (lambda: DependencyGraph.from_pipeline(fitted(StandardScaler(), frame[["a"]]), columns=["b"]), "the columns the pipeline was fitted on"),
        (lambda: DependencyGraph.from_pipeline(fitted(StandardScaler(), frame[["a"]]), columns="a"), "a non-empty list of column names"),
        (lambda: graph.copy().add_pipeline("m", fitted(StandardScaler(), frame[["a"]])), "already declared"),
        (lambda: change_impact(graph, pd.DataFrame({"m": [1]}), pd.DataFrame({"m": [1]})), "a BlastRadius"),
        (lambda: change_impact(graph.blast_radius("x"), [1], pd.DataFrame({"m": [1]})), "before: expected a pandas DataFrame"),
        (lambda: change_impact(graph.blast_radius("x"), pd.DataFrame({"m": [1]}), pd.DataFrame({"m": [1, 2]})), "the same columns and rows"),
        (lambda: change_impact(graph.blast_radius("x"), pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1]})), "the output of a model or consumer"),
        (lambda: change_impact(graph.blast_radius("x"), pd.DataFrame({"m": ["a"]}), pd.DataFrame({"m": ["b"]})), "expected numbers"),
        (lambda: change_impact(graph.blast_radius("x"), pd.DataFrame({"m": [1]}), pd.DataFrame({"m": [1]}), thresholds={"q": 1}), "keys among the output columns"),
        (lambda: change_impact(graph.blast_radius("x"), pd.DataFrame({"m": [1]}), pd.DataFrame({"m": [1]}), thresholds="high"), "thresholds['m']: expected a number"),
        (lambda: change_impact(graph.blast_radius("x"), pd.DataFrame({"m": [1]}), pd.DataFrame({"m": [1]}), tolerance=-1), "a non-negative number"),
        (lambda: boundary_report(fitted(StandardScaler(), frame[["a"]]), graph="g"), "a DependencyGraph or None"),
        (lambda: boundary_report(fitted(StandardScaler(), frame[["a"]]), model_outputs="a"), "a list of column names"),
        (lambda: boundary_report(fitted(StandardScaler(), frame[["a"]]), model_outputs=["z"]), "columns the candidate reads"),
    ]
    for call, message in cases:
        with pytest.raises(InputError) as raised:
            call()
        assert message in str(raised.value), (message, str(raised.value))


def test_failed_additions_leave_the_graph_unchanged(frame):
    graph = DependencyGraph().add_feature("x").add_model("m", ["x"])
    edges, nodes = list(graph.graph.edges), list(graph.graph.nodes)
    with pytest.raises(InputError):
        graph.record_reads([("spy", "m"), ("x", "m")])  # the second read closes a cycle: the first is not kept
    with pytest.raises(InputError):
        graph.add_pipeline("m", fitted(StandardScaler(), frame[["a"]]))
    assert list(graph.graph.edges) == edges and list(graph.graph.nodes) == nodes


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_layout_runs_left_to_right_without_overlaps(seed):
    from ml_design.boundary_erosion import _layout
    graph = random_system(seed, 4, 5, 3).record_reads([("spy", "m0")])
    position = _layout(graph.graph)
    assert all(position[a][0] < position[b][0] for a, b in graph.graph.edges)  # every edge points right
    assert len(set(position.values())) == len(graph)  # no two components in the same place
    last = max(x for x, _ in position.values())
    assert all(position[c][0] == last for c in graph.nodes("consumer"))  # consumers in the last column


# --- hostile inputs (issue 15) ------------------------------------------------------------------------------------------

class _RecordsColumns:
    "A fitted-looking model that is not a scikit-learn estimator (no tags): it records its columns, nothing else."
    feature_names_in_ = np.array(["a", "b"], dtype=object)
    def fit(self, X, y=None): return self
    def predict(self, X): raise RuntimeError("prediction service unavailable")


def test_a_class_is_refused_and_a_non_sklearn_model_is_read_by_its_columns(frame):
    with pytest.raises(InputError, match="expected a fitted scikit-learn Pipeline.*received the class Pipeline"):
        boundary_report(type(fitted(StandardScaler(), frame[["a", "b"]])))
    with pytest.raises(InputError, match="received the class LogisticRegression"):
        DependencyGraph.from_pipeline(LogisticRegression)
    report = boundary_report(_RecordsColumns(), name="remote")  # predict is never called: the graph is what it reads
    assert sorted(report.dependency_graph.graph.predecessors("remote")) == ["a", "b"]
    assert json.dumps(report.to_dict(), allow_nan=False) and report.plot() is not None


# --- the graph's refusals and the review step's checks (moved from the notebook, which shows the lesson) ----------------

@pytest.fixture(scope="module")
def tiny_system():
    from ml_design.datasets import load_flights
    tiny = (DependencyGraph().add_source("flights table").add_feature("distance", ["flights table"])
            .add_feature("hour", ["flights table"]).add_model("delay", ["distance", "hour"]).add_consumer("gate alerts", ["delay"]))
    flights, _ = load_flights(n_rows=6_000, random_state=0, cancelled=True)
    sample = flights[flights["late"].notna()].head(2_000).astype({"late": int})
    encode = ColumnTransformer([("onehotencoder", OneHotEncoder(handle_unknown="ignore"), ["carrier", "origin"])],
                               remainder=StandardScaler())
    model = make_pipeline(encode, LogisticRegression()).fit(sample[["carrier", "origin", "hour"]], sample["late"])
    return tiny, sample, encode, model


def test_declaring_refuses_repeats_consumed_consumers_and_cycles(tiny_system):
    tiny = tiny_system[0]
    with pytest.raises(InputError, match="already a model"): tiny.copy().add_model("delay", ["hour"])
    with pytest.raises(InputError, match="Nothing consumes a consumer"): tiny.copy().add_model("rebooking", ["gate alerts"])
    with pytest.raises(InputError, match="a cycle distance -> delay -> distance"): tiny.copy().add_inputs("distance", ["delay"])
    logged = tiny.copy().add_model("rebooking", ["delay", "hour"]).record_reads([("fare desk", "delay")])
    with pytest.raises(InputError, match="a cycle delay -> rebooking -> delay"): logged.copy().record_reads([("delay", "rebooking")])
    with pytest.raises(InputError, match="Did you mean 'delay'"): logged.copy().record_reads([("fare desk", "delays")])
    with pytest.raises(InputError, match=r"columns \['reader', 'output'\]"): logged.copy().record_reads(pd.DataFrame({"who": ["x"]}))
    assert logged.blast_radius("gate alerts").table.empty
    with pytest.raises(InputError, match="Did you mean 'distance'"): logged.blast_radius("distnce")


def test_pipelines_must_be_fitted_and_named(tiny_system):
    _, sample, encode, model = tiny_system
    with pytest.raises(InputError, match=r"Call .fit\(X, y\) first"): DependencyGraph.from_pipeline(make_pipeline(encode, LogisticRegression()))
    unnamed = StandardScaler().fit(sample[["hour"]].to_numpy())
    with pytest.raises(InputError, match=r"or pass columns=list\(X.columns\)"): DependencyGraph.from_pipeline(unnamed)
    assert DependencyGraph.from_pipeline(unnamed, columns=["hour"]).nodes("model") == ["model"]
    graph = DependencyGraph.from_pipeline(model, name="delay", source="flights table")
    with pytest.raises(InputError, match="already declared"): graph.copy().add_pipeline("delay", model)


def test_change_impact_outside_the_graph_and_its_refusals(tiny_system):
    tiny = tiny_system[0]
    def outputs(delay, rebooking):
        return pd.DataFrame({"delay": delay, "gate alerts": (delay > 0.5).astype(int), "rebooking": rebooking, "fare desk": delay / 2})
    before = outputs(np.array([0.1, 0.6, 0.3, 0.8]), [0.2, 0.4, 0.45, 0.9])
    after = outputs(np.array([0.1, 0.4, 0.3, 0.8]), [0.2, 0.4, 0.55, 0.9])
    unknown = change_impact(tiny.blast_radius("distance"), before, after)  # tiny has no rebooking, no fare desk
    assert unknown.table.set_index("name").loc[["rebooking", "fare desk"], "kind"].tolist() == ["not in the graph"] * 2
    assert sum(f.severity == "fail" for f in unknown.findings) == 2 and not unknown.exact
    radius = tiny.blast_radius("distance")
    with pytest.raises(InputError, match="the output of a model or consumer"):
        change_impact(radius, before.assign(hour=1), after.assign(hour=2))
    with pytest.raises(InputError, match="the same columns and rows as before"): change_impact(radius, before, after.head(2))
    with pytest.raises(InputError, match=r"Compute it with graph.blast_radius\(node\)"): change_impact(tiny, before, after)


def test_boundary_report_reads_a_declared_model_output_and_refuses_unknown_outputs(tiny_system):
    from ml_design.boundary_erosion import MODEL_OUTPUT_PATTERN
    _, sample, encode, model = tiny_system
    graph = DependencyGraph.from_pipeline(model, name="delay", source="flights table")
    scored = sample[["carrier", "origin", "hour"]].assign(delay=model.predict_proba(sample[["carrier", "origin", "hour"]])[:, 1])
    fed = make_pipeline(encode, LogisticRegression()).fit(scored, sample["arr_delay"] > 60)
    in_system = boundary_report(fed, name="long delay", graph=graph)  # the column is the delay model's output
    assert [f.evidence.get("path") for f in in_system.findings] == ["delay -> long delay/remainder -> long delay", None]
    assert [MODEL_OUTPUT_PATTERN.search(c) is not None for c in ["prediction_2023", "credit_score", "prepaid", "scoreboard"]] == \
        [True, True, False, False]
    with pytest.raises(InputError, match="columns the candidate reads"): boundary_report(model, model_outputs=["risk"])
    with pytest.raises(InputError, match="already declared"): boundary_report(model, name="delay", graph=graph)
