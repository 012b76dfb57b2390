"""Detection runs in the store: two engines behind one function, the same edges out.

- ``engine="cypher"`` computes in the database with the ``detect_*.cypher`` files
  (co-shares, participation, OR post-filter, fast flag, edges) - nothing leaves the store;
- ``engine="python"`` reads the stored shares, computes with :mod:`coordgraph.analysis`
  (``detect_groups``, ``flag_speed_share``, ``coordinated_network``) and writes the same
  COSHARE rows and COORDINATED edges.

Both then threshold with ``run_threshold.cypher`` (so re-thresholding never recomputes
co-shares) and store per-account degree/strength with ``run_vertices.cypher``. A run is
written completely or not at all: see :mod:`coordgraph.cypher.runs`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from coordgraph.cypher import runs
from coordgraph.cypher.errors import StoreError

WRITE_BATCH = 10_000
ENGINES = ("cypher", "python")
KIND_SEP = "\x1f"  # joins kind and object id in the python engine's multi-kind table


@dataclass
class RunSummary:
    """What a run produced: ids, counts and the thresholds (weights), with seconds per step."""

    run_id: str
    coshares: int = 0
    edges: int = 0
    accounts: int = 0
    edges_above: int = 0
    threshold: float | None = None
    threshold_fast: float | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict:
        """Counts stored on the Run node."""
        return {"coshares": self.coshares, "edges": self.edges, "accounts": self.accounts,
                "edges_above_threshold": self.edges_above}


def _check(time_window: int, min_participation: int, edge_weight: float, fast_window: int | None) -> None:
    if time_window < 0:
        raise StoreError(f"--time-window must be >= 0 seconds, got {time_window}")
    if min_participation < 0:
        raise StoreError(f"--min-participation must be >= 0, got {min_participation}")
    if not 0 <= edge_weight <= 1:
        raise StoreError(f"--edge-weight is a percentile in [0, 1], got {edge_weight}")
    if fast_window is not None and not 0 <= fast_window <= time_window:
        raise StoreError(f"--fast-window must be between 0 and --time-window ({time_window}) seconds, "
                         f"got {fast_window}")


def analyze(store, *, intents: list[str] | None = None, time_window: int = 10,
            min_participation: int = 2, edge_weight: float = 0.5, fast_window: int | None = None,
            engine: str = "cypher", run_id: str | None = None,
            on_step: Callable[[str], None] | None = None) -> RunSummary:
    """Detect coordination on the stored shares and write a complete run; returns its summary.

    ``intents``: SHARED kinds to use (None = all); times in seconds; ``edge_weight`` a
    percentile in [0, 1]; ``fast_window`` (seconds, optional) adds the fast attributes.
    ``on_step(name)`` is called after each step (progress; tests use it to interrupt).
    On any error the partial run is deleted (when the store still answers) and the error
    re-raised; a store that went down leaves an incomplete run that readers never see and
    the next write removes.
    """
    if engine not in ENGINES:
        raise StoreError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    _check(time_window, min_participation, edge_weight, fast_window)
    store.ensure_schema()
    runs.remove_abandoned_runs(store)
    params = {"intent": ",".join(intents) if intents else None, "kinds": intents,
              "time_window": time_window, "min_participation": min_participation,
              "edge_weight": edge_weight, "fast_window": fast_window, "engine": engine,
              "remove_loops": True}
    run_id = runs.create_run(store, params, run_id)
    summary = RunSummary(run_id)
    step = on_step or (lambda name: None)
    try:
        if engine == "cypher":
            _cypher_engine(store, run_id, intents, time_window, min_participation, fast_window, summary, step)
        else:
            _python_engine(store, run_id, intents, time_window, min_participation, fast_window,
                           edge_weight, summary, step)
        threshold(store, run_id, edge_weight, summary)
        step("threshold")
        _timed(summary, "vertices", lambda: (store.write_file("run_vertices", {"run_id": run_id}),
                                             store.write_file("run_drop_isolated", {"run_id": run_id})))
        summary.accounts = int(store.query(
            "MATCH (:Account)-[i:IN_RUN]->(:Run {id: $id}) RETURN count(i) AS n", {"id": run_id})[0]["n"])
        step("vertices")
        runs.complete_run(store, run_id, summary.counts())
    except BaseException:
        try:
            runs.delete_run(store, run_id)
        except StoreError:
            pass  # left incomplete: invisible to readers, removed by the next write
        raise
    return summary


def _timed(summary: RunSummary, name: str, fn):
    started = time.perf_counter()
    out = fn()
    summary.seconds[name] = round(time.perf_counter() - started, 3)
    return out


def _cypher_engine(store, run_id, intents, time_window, min_participation, fast_window, summary, step):
    """The in-database engine: every step a query file, no data leaves the store."""
    base = {"run_id": run_id}
    rows = _timed(summary, "coshares", lambda: store.write_file("detect_coshares", {
        **base, "kinds": intents, "time_window": time_window, "min_participation": min_participation}))
    step("coshares")
    _timed(summary, "participation", lambda: store.write_file(
        "detect_participation", {**base, "max_delta": None, "fast": False}))
    step("participation")
    removed = _timed(summary, "postfilter", lambda: store.write_file(
        "detect_postfilter", {**base, "min_participation": min_participation}))
    step("postfilter")
    summary.coshares = int(rows[0]["coshares"]) - int(removed[0]["removed"] if removed else 0)
    if fast_window is not None:
        _timed(summary, "fast", lambda: (
            store.write_file("detect_participation", {**base, "max_delta": fast_window, "fast": True}),
            store.write_file("detect_fastflag", {**base, "fast_window": fast_window,
                                                 "min_participation": min_participation})))
        step("fast")
    edges = _timed(summary, "edges", lambda: store.write_file("detect_edges", base))
    summary.edges = int(edges[0]["edges"]) if edges else 0
    step("edges")


def _python_engine(store, run_id, intents, time_window, min_participation, fast_window,
                   edge_weight, summary, step):
    """The in-process engine: coordgraph.analysis on the stored shares, results written back."""
    from coordgraph.analysis import coordinated_network, detect_groups, flag_speed_share
    from coordgraph.cypher.ingest import read_shares

    shares = _timed(summary, "read_shares", lambda: read_shares(store, intents))
    step("read_shares")
    multi_kind = shares["kind"].nunique() > 1
    table = shares[["object_id", "account_id", "content_id", "timestamp_share"]]
    if multi_kind:  # objects are (kind, id): keep equal strings of different kinds apart
        table = table.assign(object_id=shares["kind"] + KIND_SEP + shares["object_id"])
    result = _timed(summary, "detect_groups", lambda: detect_groups(
        table, time_window=time_window, min_participation=min_participation))
    if fast_window is not None:
        result = flag_speed_share(table, result, min_participation, fast_window)
    network = coordinated_network(result, fast_net=fast_window is not None, edge_weight=edge_weight)
    step("detect")
    if multi_kind:
        result = result.assign(object_id=result["object_id"].str.split(KIND_SEP, n=1).str[1])
    _timed(summary, "write_coshares", lambda: write_coshares(store, run_id, result, shares))
    summary.coshares = len(result)
    step("coshares")
    _timed(summary, "write_edges", lambda: write_edges(store, run_id, network.edges, result))
    summary.edges = len(network.edges)
    step("edges")


def write_coshares(store, run_id: str, result: pd.DataFrame, shares: pd.DataFrame) -> int:
    """Write a detect_groups result as COSHARE rows of ``run_id`` (older -> newer share)."""
    ts = dict(zip(shares["content_id"], shares["timestamp_share"]))
    kind = dict(zip(zip(shares["content_id"], shares["object_id"]), shares["kind"]))
    flag = next((c for c in result.columns if c.startswith("time_window_")), None)
    rows = [
        {"a": a, "b": b, "o": o, "p": p, "py": py, "t": int(ts[p]), "ty": int(ts[py]), "d": int(d),
         "k": kind.get((p, o)), "f": int(f) if flag else 0}
        for a, b, o, p, py, d, f in zip(
            result["account_id"], result["account_id_y"], result["object_id"], result["content_id"],
            result["content_id_y"], result["time_delta"],
            result[flag] if flag else np.zeros(len(result), dtype=np.int64))
    ]
    query = ("UNWIND $rows AS r MATCH (a:Account {id: r.a}) MATCH (b:Account {id: r.b}) "
             "CREATE (a)-[:COSHARE {run_id: $run_id, object_id: r.o, post_id: r.p, post_id_y: r.py, "
             "ts: r.t, ts_y: r.ty, time_delta: r.d, kind: r.k, fast: r.f}]->(b)")
    for i in range(0, len(rows), WRITE_BATCH):
        store.query(query, {"rows": rows[i:i + WRITE_BATCH], "run_id": run_id})
    return len(rows)


def write_edges(store, run_id: str, edges: pd.DataFrame, result: pd.DataFrame) -> int:
    """Write a coordinated_network's edges as COORDINATED of ``run_id`` (smaller id -> larger).

    ``first_ts``/``last_ts`` come from the COSHARE rows already written for the run.
    """
    fast = "weight_full" in edges.columns
    names = ["weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score"]
    rows = []
    for rec in edges.to_dict("records"):
        props = {}
        for name in names:
            props[name] = rec[f"{name}_full" if fast else name]
            if fast:
                value = rec.get(f"{name}_fast")
                props[f"{name}_fast"] = None if value is None or pd.isna(value) else value
        rows.append({"a": rec["account_id"], "b": rec["account_id_y"],
                     "props": {k: (v.item() if hasattr(v, "item") else v) for k, v in props.items()
                               if v is not None}})
    query = ("UNWIND $rows AS r MATCH (a:Account {id: r.a}) MATCH (b:Account {id: r.b}) "
             "MERGE (a)-[e:COORDINATED {run_id: $run_id}]->(b) SET e += r.props")
    for i in range(0, len(rows), WRITE_BATCH):
        store.query(query, {"rows": rows[i:i + WRITE_BATCH], "run_id": run_id})
    store.query("MATCH (a:Account)-[e:COORDINATED {run_id: $run_id}]->(b:Account) "
                "MATCH (a)-[c:COSHARE {run_id: $run_id}]-(b) "
                "WITH e, min(c.ts) AS first_ts, max(c.ts_y) AS last_ts "
                "SET e.first_ts = first_ts, e.last_ts = last_ts", {"run_id": run_id})
    # participation accounts (IN_RUN) so that every engine leaves the same per-run vertices
    store.query("MATCH (r:Run {id: $run_id}) MATCH (a:Account)-[e:COORDINATED {run_id: $run_id}]-(:Account) "
                "WITH DISTINCT r, a MERGE (a)-[:IN_RUN {run_id: $run_id}]->(r)", {"run_id": run_id})
    return len(rows)


def threshold(store, run_id: str, edge_weight: float, summary: RunSummary | None = None) -> dict:
    """(Re-)threshold a run's edges at the ``edge_weight`` percentile; no co-share is recomputed."""
    if not 0 <= edge_weight <= 1:
        raise StoreError(f"--edge-weight is a percentile in [0, 1], got {edge_weight}")
    rows = store.write_file("run_threshold", {"run_id": run_id, "edge_weight": float(edge_weight)})
    out = rows[0] if rows else {"threshold": None, "threshold_fast": None, "edges": 0, "above": 0}
    props = {"threshold": out["threshold"], "threshold_fast": out["threshold_fast"], "edge_weight": edge_weight}
    runs.update_run(store, run_id, {k: v for k, v in props.items() if v is not None})
    if summary is not None:
        summary.threshold, summary.threshold_fast = out["threshold"], out["threshold_fast"]
        summary.edges_above = int(out["above"] or 0)
    return out


def run_edges(store, run_id: str) -> pd.DataFrame:
    """A run's COORDINATED edges as a DataFrame (account_id < account_id_y and every attribute)."""
    rows = store.read(
        "MATCH (a:Account)-[e:COORDINATED {run_id: $run_id}]->(b:Account) "
        "RETURN a.id AS account_id, b.id AS account_id_y, e.weight AS weight, "
        "e.avg_time_delta AS avg_time_delta, e.n_content_id AS n_content_id, "
        "e.n_content_id_y AS n_content_id_y, e.edge_symmetry_score AS edge_symmetry_score, "
        "e.weight_threshold AS weight_threshold, e.weight_fast AS weight_fast, "
        "e.avg_time_delta_fast AS avg_time_delta_fast, e.n_content_id_fast AS n_content_id_fast, "
        "e.n_content_id_y_fast AS n_content_id_y_fast, "
        "e.edge_symmetry_score_fast AS edge_symmetry_score_fast, "
        "e.weight_threshold_fast AS weight_threshold_fast, e.first_ts AS first_ts, e.last_ts AS last_ts "
        "ORDER BY account_id, account_id_y", {"run_id": run_id})
    return pd.DataFrame(rows)


def run_coshares(store, run_id: str) -> pd.DataFrame:
    """A run's COSHARE rows as a detect_groups result table (plus ``fast``, 0/1)."""
    rows = store.read(
        "MATCH (a:Account)-[c:COSHARE {run_id: $run_id}]->(b:Account) "
        "RETURN c.object_id AS object_id, c.post_id AS content_id, c.post_id_y AS content_id_y, "
        "c.time_delta AS time_delta, a.id AS account_id, b.id AS account_id_y, c.fast AS fast",
        {"run_id": run_id})
    return pd.DataFrame(rows, columns=["object_id", "content_id", "content_id_y", "time_delta",
                                       "account_id", "account_id_y", "fast"])
