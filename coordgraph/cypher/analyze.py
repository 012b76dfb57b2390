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
#: Engines of analyze: the store's own detector and every engine of coordgraph.run.
ENGINES = ("auto", "python", "outofcore", "spark", "cypher")


@dataclass
class RunSummary:
    """What a run produced: ids, counts and the thresholds (weights), with seconds per step."""

    run_id: str
    engine: str = "cypher"
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
            engine: str = "auto", run_id: str | None = None,
            on_step: Callable[[str], None] | None = None, method: str = "coortweet",
            method_params: dict | None = None) -> RunSummary:
    """Detect coordination on the stored shares and write a complete run; returns its summary.

    ``intents``: SHARED kinds to use (None = all); times in seconds; ``edge_weight`` a
    percentile in [0, 1]; ``fast_window`` (seconds, optional) adds the fast attributes.
    ``on_step(name)`` is called after each step (progress; tests use it to interrupt).
    On any error the partial run is deleted (when the store still answers) and the error
    re-raised; a store that went down leaves an incomplete run that readers never see and
    the next write removes. ``method`` ``qut``/``cosine`` (with ``method_params``, docs/methods.md)
    computes that method on the stored shares through the run layer (engine auto or python);
    ``min_participation``, ``edge_weight`` and ``fast_window`` are CooRTweet's and unused then.
    """
    if engine not in ENGINES:
        raise StoreError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if method != "coortweet":
        return _method_run(store, intents, time_window, fast_window, engine, run_id, method,
                           dict(method_params or {}), on_step or (lambda name: None))

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
        vertices = False
        if engine == "cypher":
            _cypher_engine(store, run_id, intents, time_window, min_participation, fast_window, summary, step)
            threshold(store, run_id, edge_weight, summary)
        else:
            vertices = _engine_run(store, run_id, intents, time_window, min_participation, fast_window, edge_weight,
                                   engine, summary, step)
        step("threshold")
        finish_run(store, run_id, summary, step, vertices_written=vertices)
    except BaseException:
        try:
            runs.delete_run(store, run_id)
        except StoreError:
            pass  # left incomplete: invisible to readers, removed by the next write
        raise
    return summary


def _method_run(store, intents, time_window, fast_window, engine, run_id, method, method_params, step) -> RunSummary:
    """A QUT or cosine run on the stored shares: :class:`coordgraph.run.Run` with ``method``,
    written by the one store writer (:func:`coordgraph.run.write_store`)."""
    from coordgraph.run import Run, StoreShares, execute, write_store

    started = time.perf_counter()
    try:
        run = Run(StoreShares(store, intents), engine=engine, time_window=time_window, fast_window=fast_window,
                  method=method, method_params=method_params)
    except ValueError as exc:
        raise StoreError(str(exc)) from None
    with execute(run) as res:
        step("detect")
        detect_s = time.perf_counter() - started
        run_id = write_store(res, store, run_id=run_id, intents=intents)
        step("edges")
        s = res.summary
    summary = RunSummary(run_id, engine=res.engine, coshares=0, edges=s["edges"], edges_above=s["edges_above_threshold"],
                         threshold=s["threshold"], seconds={"detect": round(detect_s, 3),
                                                            "write": round(time.perf_counter() - started - detect_s, 3)})
    summary.accounts = int(store.query("MATCH (:Account)-[i:IN_RUN]->(:Run {id: $id}) RETURN count(i) AS n",
                                       {"id": run_id})[0]["n"])
    return summary


def finish_run(store, run_id: str, summary: RunSummary, step: Callable[[str], None] = lambda name: None, *,
               vertices_written: bool = False) -> None:
    """The last steps of every run in the store: degree/strength on IN_RUN, accounts without
    an edge removed from the run (unless ``vertices_written``: the run's writer wrote them, :func:`in_run_table`),
    counts recorded and the run marked complete."""
    if not vertices_written:
        _timed(summary, "vertices", lambda: (store.write_file("run_vertices", {"run_id": run_id}),
                                             store.write_file("run_drop_isolated", {"run_id": run_id})))
    summary.accounts = int(store.query(
        "MATCH (:Account)-[i:IN_RUN]->(:Run {id: $id}) RETURN count(i) AS n", {"id": run_id})[0]["n"])
    step("vertices")
    runs.complete_run(store, run_id, summary.counts())


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


def _engine_run(store, run_id, intents, time_window, min_participation, fast_window, edge_weight, engine,
                summary, step) -> bool:
    """Any engine of the run layer (python, outofcore, spark, auto) on the stored shares, its
    result written into the run ``run_id`` by :func:`coordgraph.run.store.write_run_tables`;
    True when that wrote the vertices too."""
    from coordgraph.run import Run, StoreShares, execute
    from coordgraph.run.store import write_run_tables

    res = _timed(summary, "detect", lambda: execute(Run(
        StoreShares(store, intents), engine=engine, time_window=time_window,
        min_participation=min_participation, edge_weight=edge_weight, fast_window=fast_window)))
    step("detect")
    with res:
        vertices = _timed(summary, "write", lambda: write_run_tables(store, run_id, res, accounts_stored=True))
        summary.engine = res.engine
        summary.coshares = res.summary["result_rows"]
        summary.edges = res.summary["edges"]
        summary.threshold, summary.threshold_fast = res.threshold, res.threshold_fast
        summary.edges_above = res.summary["edges_above_threshold"]
    step("edges")
    return vertices


def ensure_accounts(store, ids) -> None:
    """MERGE an (:Account) for every id (a run from a share file may name accounts the store
    has not seen)."""
    ids = sorted({str(i) for i in ids})
    store.write_rows("UNWIND $rows AS r MERGE (:Account {id: r[0]})", [ids], batch=WRITE_BATCH)


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


#: COSHARE properties in the order of :func:`coshare_columns` (after the two account ids).
COSHARE_PROPS = ("object_id", "post_id", "post_id_y", "ts", "ts_y", "time_delta", "kind", "fast")


def coshare_columns(result: pd.DataFrame, kind_prefixed: bool = False, kind: str | None = None) -> dict:
    """COSHARE columns of a result table: ``a``, ``b`` (older, newer share's account), then
    :data:`COSHARE_PROPS` (``ts``/``ts_y`` when the table has them). With ``kind_prefixed``
    the object ids are ``kind:id`` (a multi-kind run): split into both."""
    from coordgraph.contracts import KIND_PREFIX_SEP

    flag = next((c for c in result.columns if c.startswith("time_window_")), None)
    n = len(result)
    objects = result["object_id"].astype(str).reset_index(drop=True)
    kinds = pd.Series([kind] * n, dtype=object)
    if kind_prefixed:
        parts = objects.str.split(KIND_PREFIX_SEP, n=1, expand=True)
        if parts.shape[1] == 2:
            split = parts[1].notna()
            kinds = kinds.where(~split, parts[0])
            objects = objects.where(~split, parts[1])
    missing = pd.Series([None] * n, dtype="Int64")
    return {"a": result["account_id"].reset_index(drop=True), "b": result["account_id_y"].reset_index(drop=True),
            "object_id": objects, "post_id": result["content_id"].reset_index(drop=True),
            "post_id_y": result["content_id_y"].reset_index(drop=True),
            "ts": result["ts"].reset_index(drop=True).astype("Int64") if "ts" in result else missing,
            "ts_y": result["ts_y"].reset_index(drop=True).astype("Int64") if "ts_y" in result else missing,
            "time_delta": result["time_delta"].reset_index(drop=True).astype("int64"), "kind": kinds,
            "fast": result[flag].reset_index(drop=True).astype("int64") if flag else pd.Series(np.zeros(n, "int64"))}


def coshare_rows(result: pd.DataFrame, kind_prefixed: bool = False, kind: str | None = None) -> list[dict]:
    """COSHARE property rows of a result table as dicts (a, b, o, p, py, t, ty, d, k, f)."""
    cols = coshare_columns(result, kind_prefixed, kind)
    short = dict(zip(("a", "b", *COSHARE_PROPS), ("a", "b", "o", "p", "py", "t", "ty", "d", "k", "f")))
    lists = {short[k]: [_plain(v) for v in c.tolist()] for k, c in cols.items()}
    return [dict(zip(lists, values)) for values in zip(*lists.values())]


def coshare_table(run_id: str, result: pd.DataFrame, shares: pd.DataFrame | None = None, *,
                  kind_prefixed: bool = False):
    """Result rows as COSHARE relationships of ``run_id`` (older -> newer share's account).
    ``shares`` (with ``kind``) gives each row's times and kind when ``result`` has no ``ts``/``ts_y``."""
    from coordgraph.cypher.store import RelationshipTable

    if shares is not None and "ts" not in result.columns:
        ts = dict(zip(shares["content_id"], shares["timestamp_share"]))
        result = result.assign(ts=result["content_id"].map(ts), ts_y=result["content_id_y"].map(ts))
    cols = coshare_columns(result, kind_prefixed)
    if shares is not None and "kind" in shares and not kind_prefixed:
        kind = dict(zip(zip(shares["content_id"], shares["object_id"]), shares["kind"]))
        cols["kind"] = pd.Series([kind.get(k) for k in zip(cols["post_id"], cols["object_id"])], dtype=object)
    a, b = cols.pop("a"), cols.pop("b")
    return RelationshipTable("COSHARE", "Account", a, "Account", b,
                             {"run_id": pd.Series([run_id] * len(a), dtype=object), **cols})


def write_coshares(store, run_id: str, result: pd.DataFrame, shares: pd.DataFrame | None = None, *,
                   kind_prefixed: bool = False) -> int:
    """Write result rows as COSHARE of ``run_id`` (:func:`coshare_table`)."""
    return store.create_relationships([coshare_table(run_id, result, shares, kind_prefixed=kind_prefixed)],
                                      batch=WRITE_BATCH)


#: Edge properties written to COORDINATED (the canonical edge columns of coordgraph.run).
EDGE_PROPS = ("weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score",
              "weight_threshold", "weight_fast", "avg_time_delta_fast", "n_content_id_fast",
              "n_content_id_y_fast", "edge_symmetry_score_fast", "weight_threshold_fast", "first_ts", "last_ts",
              # edge significance (detect --edge-significance, python engine): written when the run has it,
              # so the web app's ranked table shows median q-values (webapp_run_edges.cypher reads q_value)
              "p_value", "q_value", "significant",
              # cosine runs (--method cosine): the smaller feature count of the pair (Pacheco et al.'s support)
              "support")


def edge_table(run_id: str, edges: pd.DataFrame):
    """Edges as COORDINATED relationships of ``run_id`` (smaller id -> larger), every
    attribute of the canonical layout that is present (CooRTweet's ``_full`` names are
    accepted too; a missing value is no property)."""
    from coordgraph.cypher.store import RelationshipTable
    from coordgraph.run.result import canonical_edges

    edges = canonical_edges(edges, any(c.endswith("_fast") for c in edges.columns))
    a = edges["account_id"].astype(str).to_numpy(dtype=object)
    b = edges["account_id_y"].astype(str).to_numpy(dtype=object)
    swap = a > b
    props = {p: edges[p].reset_index(drop=True) for p in EDGE_PROPS if p in edges.columns}
    return RelationshipTable("COORDINATED", "Account", np.where(swap, b, a), "Account", np.where(swap, a, b),
                             {"run_id": pd.Series([run_id] * len(edges), dtype=object), **props})


def write_edges(store, run_id: str, edges: pd.DataFrame, result: pd.DataFrame | None = None) -> int:
    """Write edges as COORDINATED of ``run_id`` (:func:`edge_table`) and their accounts'
    IN_RUN. Missing ``first_ts``/``last_ts`` come from the run's COSHARE rows when there are any."""
    table = edge_table(run_id, edges)
    store.create_relationships([table], batch=WRITE_BATCH)
    if "first_ts" not in table.properties:
        edge_times_from_coshares(store, run_id)
    link_edge_accounts(store, run_id)
    return len(table)


def edge_times_from_coshares(store, run_id: str) -> None:
    """first_ts / last_ts of each COORDINATED of ``run_id`` from its COSHARE rows (for edges
    written without them)."""
    store.query("MATCH (a:Account)-[e:COORDINATED {run_id: $run_id}]->(b:Account) "
                "MATCH (a)-[c:COSHARE {run_id: $run_id}]-(b) "
                "WITH e, min(c.ts) AS first_ts, max(c.ts_y) AS last_ts "
                "SET e.first_ts = first_ts, e.last_ts = last_ts", {"run_id": run_id})


def link_edge_accounts(store, run_id: str) -> None:
    """IN_RUN (without degree/strength yet) for every account on an edge of ``run_id``, so
    that every engine leaves the same per-run vertices."""
    store.query("MATCH (r:Run {id: $run_id}) MATCH (a:Account)-[e:COORDINATED {run_id: $run_id}]-(:Account) "
                "WITH DISTINCT r, a MERGE (a)-[:IN_RUN {run_id: $run_id}]->(r)", {"run_id": run_id})


def vertex_table(edges: pd.DataFrame) -> pd.DataFrame | None:
    """account_id, degree (edges), strength (sum of weights, missing weights left out) of every
    account on an edge: what ``run_vertices.cypher`` computes from the stored edges, for edges
    without a loop (None when one has: the store's undirected match counts a loop its own way)."""
    from coordgraph.analysis.network import vertices_of

    a, b = edges["account_id"].astype(str), edges["account_id_y"].astype(str)
    if (a == b).any():
        return None
    weight = pd.to_numeric(edges["weight"], errors="coerce") if "weight" in edges else pd.Series(np.nan, index=edges.index)
    return vertices_of(pd.DataFrame({"account_id": a, "account_id_y": b, "weight": weight}), "weight")


def in_run_table(run_id: str, edges: pd.DataFrame):
    """IN_RUN relationships of ``run_id`` with degree and strength (an integer, as
    ``run_vertices.cypher`` writes a whole one) for every account on an edge
    (:func:`vertex_table`); None for edges with a loop or a fractional strength (a cosine
    run: the store then computes them, with its own integer-or-float rule)."""
    from coordgraph.cypher.store import RelationshipTable

    table = vertex_table(edges)
    if table is None:
        return None
    strength = table["strength"].to_numpy(dtype="float64")
    if not (strength == np.floor(strength)).all():
        return None
    n = len(table)
    return RelationshipTable("IN_RUN", "Account", table["account_id"].to_numpy(dtype=object), "Run",
                             np.full(n, run_id, dtype=object),
                             {"run_id": pd.Series([run_id] * n, dtype=object),
                              "degree": table["degree"].astype("int64").reset_index(drop=True),
                              "strength": pd.Series(strength.astype("int64"))})


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


def run_vertices(store, run_id: str) -> pd.DataFrame:
    """A run's vertices: account_id, degree, strength (from IN_RUN), sorted by account id."""
    rows = store.read("MATCH (a:Account)-[i:IN_RUN]->(:Run {id: $run_id}) "
                      "RETURN a.id AS account_id, i.degree AS degree, i.strength AS strength "
                      "ORDER BY account_id", {"run_id": run_id})
    return pd.DataFrame(rows, columns=["account_id", "degree", "strength"])
