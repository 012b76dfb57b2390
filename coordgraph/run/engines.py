"""The engine protocol: ``engine(run, shares_path, work) -> RunResult``, one per engine.

Each engine computes independently (no engine calls another's analysis code), so the parity
suite compares implementations, not a function with itself:

- ``python``: :mod:`coordgraph.analysis` in process (pandas/numpy), the reference;
- ``outofcore``: :mod:`coordgraph.engines.outofcore` (integer codes, C kernels, spills to
  Parquet); the fast network is a second out-of-core pass with the fast window (the fast
  co-shares are exactly detect_groups with the narrower window: see :func:`run_outofcore`);
- ``spark``: :mod:`coordgraph.engines.spark` (PySpark, local or a cluster);
- ``cypher``: the store's detector (``detect_*.cypher``), computed in the graph database.

``auto`` chooses python or outofcore by size (:func:`coordgraph.engines.choose_engine`).
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from coordgraph.contracts import EDGE_ATTRIBUTES, EDGE_KEYS, FAST_SUFFIX, fast_flag_column
from coordgraph.run.request import Run
from coordgraph.run.result import RunResult, canonical_edges, make_summary, vertex_frame


# ------------------------------------------------------------------------------ python
#: Options only the python engine has (coordgraph.analysis.pipeline.DetectionParams).
PYTHON_EXTRAS = ("subgraph", "objects", "stats_threshold", "edge_significance", "n_null", "seed", "collation",
                 "significance_method")


def run_python(run: Run, shares_path: Path | None, work: Path, frame: pd.DataFrame | None = None) -> RunResult:
    """coordgraph.analysis in process; refuses (PairMemoryError) a run whose pairs would not
    fit in memory, before pairing. ``run.extras`` may hold DetectionParams' python-only
    options (subgraph, objects, stats_threshold, edge_significance, n_null, seed, collation,
    significance_method)."""
    from coordgraph.analysis.hubs import cap_object_shares, check_pair_memory, estimate_pairs, trend_hubs
    from coordgraph.analysis.pipeline import DetectionParams, run_detection
    from coordgraph.engines.inprocess import hub_records, read_share_parquet

    t0 = time.perf_counter()
    shares = frame if frame is not None else read_share_parquet(shares_path)
    n_shares = len(shares)
    shares, dropped = cap_object_shares(shares, run.max_object_shares)
    estimate = estimate_pairs(shares, run.time_window)
    check_pair_memory(estimate, run.memory_budget)
    read_s = time.perf_counter() - t0
    extras = {k: v for k, v in run.extras.items() if k in PYTHON_EXTRAS}
    params = DetectionParams(run.time_window, run.min_participation, run.remove_loops, run.edge_weight,
                             run.fast_window, compat=run.compat, **extras)
    detection = run_detection(shares, params, on_step=run.extras.get("on_step"))
    net = detection.network
    edges = canonical_edges(net.edges, run.fast_window is not None)
    vertices = vertex_frame(net.vertices)
    summary = make_summary("python", run.params(), shares=n_shares, result_rows=len(detection.result), edges=edges,
                           vertices=len(vertices), threshold=net.threshold, threshold_fast=net.threshold_fast,
                           dropped_hub_objects=len(dropped), seconds=time.perf_counter() - t0,
                           trend_hubs=hub_records(trend_hubs(estimate), dropped),
                           estimated_pairs=int(estimate.total_pairs), options=extras,
                           timings={"read": round(read_s, 4), **detection.timings})
    tables = {"result": detection.result, "edges": edges, "vertices": vertices,
              "account_stats": detection.account_stats, "object_stats": detection.object_stats}
    return RunResult("python", run.params(), summary, tables, shares_path=shares_path)


# ------------------------------------------------------------------------------ outofcore
def _fast_flags(result: pd.DataFrame, fast_result: pd.DataFrame, fast_window: int) -> pd.DataFrame:
    """``result`` with ``time_window_<S>`` = 1 on the rows whose (content_id, content_id_y)
    is a co-share of the fast pass (CooRTweet's flag_speed_share matches on that pair)."""
    keys = ["content_id", "content_id_y"]
    fast = fast_result[keys].drop_duplicates().assign(_f=1)
    out = result.merge(fast, on=keys, how="left")
    out[fast_flag_column(fast_window)] = out.pop("_f").fillna(0).astype("int64")
    return out


def _with_fast(edges: pd.DataFrame, fast_edges: pd.DataFrame) -> pd.DataFrame:
    """Full edges with the fast pass's attributes as ``<name>_fast`` (left join on the pair)."""
    fast = fast_edges[[*EDGE_KEYS, *EDGE_ATTRIBUTES]].rename(
        columns={n: f"{n}{FAST_SUFFIX}" for n in EDGE_ATTRIBUTES})
    return edges.merge(fast, on=list(EDGE_KEYS), how="left")


def run_outofcore(run: Run, shares_path: Path, work: Path) -> RunResult:
    """The out-of-core engine; tables stay in ``work`` as Parquet.

    Fast window: the fast co-shares are detect_groups with the narrower window. The fast
    window pairs are a subset of the full ones, and the OR post-filter on them can keep only
    pairs the full post-filter kept (participation never grows when pairs are removed), while
    a fast pair the full post-filter removed has two accounts below min_participation in
    either pass. So a second out-of-core pass with ``time_window = fast_window`` gives the
    fast co-shares and their network (threshold over the fast edges), computed by this engine.
    """
    from coordgraph.engines import outofcore

    t0 = time.perf_counter()
    keep = run.keep_result or run.fast_window is not None
    full = outofcore.detect_network_parquet(
        shares_path, work, run.time_window, run.min_participation, run.remove_loops, run.edge_weight,
        compat=run.compat, write_result=keep, max_object_shares=run.max_object_shares)
    tables = {"edges": work / "edges.parquet", "vertices": work / "vertices.parquet"}
    if keep:
        tables["result"] = work / "result.parquet"
    threshold_fast = None
    if run.fast_window is not None:
        fast_dir = work / "_fast"
        fast = outofcore.detect_network_parquet(
            shares_path, fast_dir, run.fast_window, run.min_participation, run.remove_loops, run.edge_weight,
            compat=run.compat, write_result=True, max_object_shares=run.max_object_shares)
        threshold_fast = fast["threshold"]
        result = _fast_flags(pq.read_table(work / "result.parquet").to_pandas(),
                             pq.read_table(fast_dir / "result.parquet").to_pandas(), run.fast_window)
        edges = _with_fast(pq.read_table(work / "edges.parquet").to_pandas(),
                           pq.read_table(fast_dir / "edges.parquet").to_pandas())
        tables.update(result=result if run.keep_result else None, edges=canonical_edges(edges, True))
        import shutil

        shutil.rmtree(fast_dir, ignore_errors=True)
    (work / "summary.json").unlink(missing_ok=True)
    res = RunResult("outofcore", run.params(), {}, tables, shares_path=shares_path)
    edges = res.edges
    res.summary = make_summary(
        "outofcore", run.params(), shares=full["shares"], result_rows=full["result_rows"], edges=edges,
        vertices=full.get("vertices", len(res.vertices)), threshold=full["threshold"], threshold_fast=threshold_fast,
        dropped_hub_objects=full["dropped_hub_objects"], seconds=time.perf_counter() - t0,
        trend_hubs=full.get("trend_hubs", []), timings=full.get("seconds", {}),
        kernels=full.get("kernels"), peak_rss_gib=full.get("peak_rss_gib"))
    return res


# ------------------------------------------------------------------------------ spark
def run_spark(run: Run, shares_path: Path, work: Path) -> RunResult:
    """The Spark engine (``run.master`` or $SPARK_MASTER or local[*]); tables written by
    Spark as Parquet directories in ``work`` (result.parquet/, edges.parquet/, vertices.parquet/)."""
    from coordgraph.engines import spark

    t0 = time.perf_counter()
    out = spark.detect_network_parquet(
        shares_path, work, run.time_window, run.min_participation, run.remove_loops, run.edge_weight,
        compat=run.compat, write_result=run.keep_result, master=run.master,
        max_object_shares=run.max_object_shares, fast_window=run.fast_window)
    (work / "summary.json").unlink(missing_ok=True)
    tables = {"edges": work / "edges.parquet", "vertices": work / "vertices.parquet"}
    if run.keep_result:
        tables["result"] = work / "result.parquet"
    res = RunResult("spark", run.params(), {}, tables, shares_path=shares_path)
    res.summary = make_summary(
        "spark", run.params(), shares=out["shares"], result_rows=out["result_rows"], edges=res.edges,
        vertices=len(res.vertices), threshold=out["threshold"], threshold_fast=out.get("threshold_fast"),
        dropped_hub_objects=out["dropped_hub_objects"], seconds=time.perf_counter() - t0,
        trend_hubs=out.get("trend_hubs", []), master=out.get("master"))
    return res


# ------------------------------------------------------------------------------ cypher
def run_cypher(run: Run, shares_path: Path | None, work: Path) -> RunResult:
    """The store's Cypher detector. Shares from a file or DataFrame are ingested into
    ``run.store`` first (SHARED of kind ``run.extras['kind']`` or 'shares'); store shares are
    used where they are. The run is complete in the store when this returns
    (``store_run_id``); its tables are read back from it."""
    from coordgraph.cypher.analyze import analyze, run_coshares, run_edges, run_vertices
    from coordgraph.run.request import StoreShares

    unsupported = [name for name, used in (("--compat", run.compat), ("--keep-loops", not run.remove_loops),
                                           ("--max-object-shares", run.max_object_shares is not None)) if used]
    if unsupported:
        raise ValueError(f"{', '.join(unsupported)}: not available with --engine cypher "
                         "(use python, outofcore or spark)")
    t0 = time.perf_counter()
    if isinstance(run.shares, StoreShares):
        store, intents = run.shares.store, run.shares.intents
        n_shares = None
    else:
        from coordgraph.cypher.ingest import ingest

        store = run.store
        if store is None:
            raise ValueError("--engine cypher computes in a graph store: give one (Run.store)")
        kind = run.extras.get("kind", "shares")
        frame = pq.read_table(shares_path).to_pandas()
        ingest(store, shares=frame, kind=kind)
        set_share_rows(store, frame, kind)
        intents, n_shares = [kind], len(frame)
    summary = analyze(store, intents=intents, time_window=run.time_window,
                      min_participation=run.min_participation, edge_weight=run.edge_weight,
                      fast_window=run.fast_window, engine="cypher")
    edges = canonical_edges(run_edges(store, summary.run_id).drop(columns=["first_ts", "last_ts"], errors="ignore"),
                            run.fast_window is not None)
    coshares = run_coshares(store, summary.run_id)
    fast = coshares.pop("fast")
    if run.fast_window is not None:
        coshares[fast_flag_column(run.fast_window)] = fast.fillna(0).astype("int64")
    vertices = vertex_frame(run_vertices(store, summary.run_id))
    if n_shares is None:
        n_shares = int(store.read("MATCH ()-[s:SHARED]->() WHERE $k IS NULL OR s.kind IN $k RETURN count(s) AS n",
                                  {"k": intents})[0]["n"])
    res_summary = make_summary(
        "cypher", run.params(), shares=n_shares, result_rows=len(coshares), edges=edges, vertices=len(vertices),
        threshold=summary.threshold, threshold_fast=summary.threshold_fast, seconds=time.perf_counter() - t0,
        timings=summary.seconds, run_id=summary.run_id)
    return RunResult("cypher", run.params(), res_summary,
                     {"result": coshares if run.keep_result else None, "edges": edges, "vertices": vertices},
                     store_run_id=summary.run_id, shares_path=shares_path)


def set_share_rows(store, frame: pd.DataFrame, kind: str, batch: int = 10_000) -> None:
    """Store each share's input row as ``SHARED.row``: the processing order that decides
    which of two simultaneous shares is the older (spec step 5), which the graph alone
    cannot give."""
    from coordgraph.cypher.share_snapshot import bump_version

    rows = [{"a": a, "o": o, "p": p, "i": i} for i, (a, o, p) in enumerate(zip(
        frame["account_id"].astype(str), frame["object_id"].astype(str), frame["content_id"].astype(str)))]
    query = ("UNWIND $rows AS r MATCH (a:Account {id: r.a})-[s:SHARED {post_id: r.p}]->(o:Object {id: r.o}) "
             "WHERE s.kind = $kind AND (s.row IS NULL OR s.row > r.i) SET s.row = r.i")
    for i in range(0, len(rows), batch):
        store.query(query, {"rows": rows[i:i + batch], "kind": kind})
    bump_version(store)  # the stored shares' order changed: no earlier snapshot is current


RUNNERS = {"python": run_python, "outofcore": run_outofcore, "spark": run_spark, "cypher": run_cypher}
