"""The field's other methods as an engine of the one run: ``Run(..., method="qut"|"cosine")``.

Why here: a QUT or cosine run must come out as the same :class:`~coordgraph.run.result.RunResult`
as a CooRTweet run, so that the one file writer (:func:`coordgraph.run.write_files`) and the
one store writer (:func:`coordgraph.run.write_store`) put it where the web app, ``compare``
and the reports read it. The computation is :func:`coordgraph.analysis.methods.run.run_method`
(pure data); this module reads the shares, shapes the tables and the summary.

Tables: ``edges`` (canonical layout, one row per unordered pair, ``account_id <
account_id_y``; QUT keeps both directed weights as ``n_content_id``/``n_content_id_y``,
cosine adds ``support``), ``vertices`` (degree, strength = sum of the method's weights) and,
for QUT, ``directed_edges`` (the toolkit's own rows). No co-share rows: ``result`` is None and
``result_rows`` 0. Summary: the contract's keys plus ``method`` and ``params`` (the method's).
"""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from coordgraph.run.request import Run, StoreShares
from coordgraph.run.result import RunResult, canonical_edges, make_summary, vertex_frame


def method_share_frame(shares) -> pd.DataFrame:
    """The share table a method reads, with its ``kind`` column when the source has one (QUT's
    co_retweet/co_link/co_reply and cosine's features pick rows by intent): a store's SHARED
    (:func:`coordgraph.run.shares.store_share_frame`), a share file (read_shares) or a DataFrame."""
    if isinstance(shares, StoreShares):
        from coordgraph.run.shares import store_share_frame

        return store_share_frame(shares.store, shares.intents)
    if isinstance(shares, pd.DataFrame):
        return shares
    from coordgraph.analysis.shares import read_shares

    path = Path(shares)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such share file")
    return read_shares(path)


def run_method(run: Run, shares_path: Path | None, work: Path, frame: pd.DataFrame | None = None) -> RunResult:
    """Compute ``run.method`` on the shares (``frame``, else ``run.shares``) in process."""
    from coordgraph.analysis.methods.run import run_method as compute
    from coordgraph.analysis.network import vertices_of

    t0 = time.perf_counter()
    shares = frame if frame is not None else method_share_frame(run.shares)
    read_s = time.perf_counter() - t0
    out = compute(shares, run.method, run.time_window, run.method_params)
    edges = canonical_edges(out["edges"], False)
    vertices = vertex_frame(vertices_of(edges, "weight"))
    summary = make_summary("python", run.params(), shares=len(shares), result_rows=0, edges=edges,
                           vertices=len(vertices), threshold=out["threshold"], seconds=time.perf_counter() - t0,
                           method=run.method, timings={"read": round(read_s, 4),
                                                       run.method: round(time.perf_counter() - t0 - read_s, 4)})
    tables = {"result": None, "edges": edges, "vertices": vertices}
    if "directed_edges" in out:
        tables["directed_edges"] = out["directed_edges"]
    return RunResult("python", run.params(), summary, tables)
