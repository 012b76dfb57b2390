"""The store target of the run writer: a run's edges, vertices and Run node in the graph
store (what the web app and ``communities`` open), its co-shares as Parquet beside it.

COORDINATED edges carry every canonical attribute (fast ones included) and first/last share
times; IN_RUN carries degree and strength; the Run node the parameters, engine, method, thresholds
and counts. Runs of the field's other methods (``Run(method="qut"|"cosine")``) go the same way:
their edges carry the method's weight (QUT: both directed weights as n_content_id /
n_content_id_y, docs/methods.md), they have no co-shares. Co-shares: every row in ``<workspace>/provenance/<run_id>.parquet``
(:mod:`coordgraph.run.provenance`); as COSHARE relationships (what the web app's evidence
views read today) all of them up to :data:`COSHARE_LIMIT` rows, beyond that at most
:data:`COSHARE_PER_EDGE` per edge (the earliest), so the store never holds one relationship
per co-share at scale. A run is written completely or not at all (:mod:`coordgraph.cypher.runs`).
"""
from __future__ import annotations

import orjson
import pandas as pd

from coordgraph.run.result import RunResult

#: Runs with at most this many co-shares get every one as a COSHARE relationship.
COSHARE_LIMIT = 200_000
#: Above COSHARE_LIMIT, COSHARE relationships kept per edge (the earliest by time).
COSHARE_PER_EDGE = 20


def bounded_coshares(result: pd.DataFrame, limit: int = COSHARE_LIMIT, per_edge: int = COSHARE_PER_EDGE) -> pd.DataFrame:
    """All rows when there are at most ``limit``, else the ``per_edge`` earliest of each pair
    (by the older share's time ``ts`` when the rows have it, then content id; by content id
    alone otherwise: ids sorted as text, which is not time order)."""
    if len(result) <= limit:
        return result
    a, b = result["account_id"].astype(str), result["account_id_y"].astype(str)
    lo, hi = a.where(a < b, b), b.where(a < b, a)
    keys = ["_lo", "_hi", "ts", "content_id"] if "ts" in result else ["_lo", "_hi", "content_id"]
    order = result.assign(_lo=lo, _hi=hi).sort_values(keys, kind="stable")
    return order.groupby(["_lo", "_hi"], sort=False).head(per_edge).drop(columns=["_lo", "_hi"])


def edge_times(result: pd.DataFrame) -> pd.DataFrame:
    """first_ts / last_ts per unordered account pair (earliest older share, latest newer)."""
    a, b = result["account_id"].astype(str), result["account_id_y"].astype(str)
    frame = pd.DataFrame({"account_id": a.where(a < b, b), "account_id_y": b.where(a < b, a),
                          "ts": result["ts"], "ts_y": result["ts_y"]})
    out = frame.groupby(["account_id", "account_id_y"], sort=False).agg(first_ts=("ts", "min"), last_ts=("ts_y", "max"))
    return out.reset_index()


def write_run_tables(store, run_id: str, res: RunResult, *, accounts_stored: bool = False) -> bool:
    """Write ``res`` into the existing (incomplete) run ``run_id``: accounts, COORDINATED
    edges, IN_RUN, bounded COSHARE rows, the provenance file and the thresholds. True when
    IN_RUN got their degree and strength too (every run without loops; else
    :func:`coordgraph.cypher.analyze.finish_run` computes them in the store).
    ``accounts_stored``: every account of the run is in the store already (a run on its
    SHARED), so none is merged first."""
    from coordgraph.cypher import runs
    from coordgraph.cypher.analyze import (WRITE_BATCH, coshare_table, edge_table, edge_times_from_coshares,
                                           ensure_accounts, in_run_table, link_edge_accounts)
    from coordgraph.run.provenance import with_times, write_provenance

    edges = res.edges
    if not accounts_stored:  # a run on the store's own shares names only accounts it has
        ensure_accounts(store, pd.concat([edges["account_id"], edges["account_id_y"]]).unique())
    result, tables = res.result, []
    if result is not None and len(result):
        result = with_times(result, res.shares_path)
        write_provenance(run_id, result)
        if "ts" in result:
            a, b = edges["account_id"].astype(str), edges["account_id_y"].astype(str)
            keyed = edges.assign(_lo=a.where(a < b, b).values, _hi=b.where(a < b, a).values)
            times = edge_times(result).rename(columns={"account_id": "_lo", "account_id_y": "_hi"})
            edges = keyed.merge(times, on=["_lo", "_hi"], how="left").drop(columns=["_lo", "_hi"])
        tables.append(coshare_table(run_id, bounded_coshares(result),
                                    kind_prefixed=res.summary.get("kind_prefixed", False)))
    coordinated, in_run = edge_table(run_id, edges), in_run_table(run_id, edges)
    # one call for every relationship of the run (FalkorDB: one GRAPH.BULK stream, node ids looked up once)
    store.create_relationships([*tables, coordinated, *([in_run] if in_run is not None else [])], batch=WRITE_BATCH)
    if "first_ts" not in coordinated.properties and tables:
        edge_times_from_coshares(store, run_id)
    if in_run is None:
        link_edge_accounts(store, run_id)
    props = {"threshold": res.threshold, "threshold_fast": res.threshold_fast,
             "edge_weight": res.params.get("edge_weight"), "engine": res.engine,
             "summary": orjson.dumps({k: v for k, v in res.summary.items() if k != "trend_hubs"},
                                     option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_SORT_KEYS).decode()}
    runs.update_run(store, run_id, {k: v for k, v in props.items() if v is not None})
    return in_run is not None


def write_store(res: RunResult, store, *, run_id: str | None = None, intents: list[str] | None = None,
                source: str | None = None) -> str:
    """Put a run in the store (complete, or not at all); returns its run id. A run computed
    in this store by the cypher engine is there already: its id is returned."""
    from coordgraph.cypher import runs
    from coordgraph.cypher.analyze import RunSummary, finish_run
    from coordgraph.cypher.errors import StoreError

    if res.store_run_id is not None:
        return res.store_run_id
    store.ensure_schema()
    runs.remove_abandoned_runs(store)
    params = {**res.params, "intent": ",".join(intents) if intents else None, "kinds": intents,
              "engine": res.engine, "source": source or res.summary.get("source"),
              "method": res.params.get("method") or res.summary.get("method") or "coortweet"}
    run_id = runs.create_run(store, params, run_id)
    summary = RunSummary(run_id, engine=res.engine, coshares=res.summary["result_rows"], edges=res.summary["edges"],
                         edges_above=res.summary["edges_above_threshold"], threshold=res.threshold,
                         threshold_fast=res.threshold_fast)
    try:
        finish_run(store, run_id, summary, vertices_written=write_run_tables(store, run_id, res))
    except BaseException:
        try:
            runs.delete_run(store, run_id)
        except StoreError:
            pass
        raise
    res.store_run_id = run_id
    return run_id
