"""Communities and rankings of a run, written back to the store (IN_RUN per account and run).

On Neo4j with Graph Data Science: GDS Leiden (or Louvain) and PageRank on a projection of
the run's COORDINATED edges, weights used, streamed and written back by coordgraph (so both
stores write the same properties the same way). On FalkorDB, or Neo4j without GDS:
:mod:`coordgraph.analysis.communities` (igraph + leidenalg) in process.

Written per account: ``IN_RUN.community`` (0 = largest) and ``pagerank`` (``degree`` and
``strength`` = sum of weights come from the run itself); on the Run: ``community_algorithm``,
``n_communities``.
"""
from __future__ import annotations

import pandas as pd

from coordgraph.analysis import communities as comm
from coordgraph.cypher import runs
from coordgraph.cypher.analyze import run_edges
from coordgraph.cypher.errors import StoreError

WRITE_BATCH = 10_000


def compute_communities(store, run_id: str, algorithm: str = "leiden", resolution: float = 1.0,
                        seed: int = 42, use_gds: bool | None = None, above_threshold: bool = False) -> pd.DataFrame:
    """Compute and store communities, PageRank and weighted degree for run ``run_id``.

    ``use_gds`` None = GDS when the store is Neo4j with GDS installed. ``above_threshold``
    uses only edges with weight_threshold = 1. Returns the per-account table written.
    """
    if algorithm not in comm.ALGORITHMS:
        raise StoreError(f"unknown community algorithm {algorithm!r}: use {' or '.join(comm.ALGORITHMS)}")
    if runs.get_run(store, run_id, complete_only=False) is None:
        raise StoreError(f"no run {run_id!r} in the store (list them with: coordgraph runs)")
    edges = run_edges(store, run_id)
    if above_threshold and len(edges):
        edges = edges[edges["weight_threshold"] == 1]
    if use_gds is None:
        use_gds = store.dialect.name == "neo4j" and getattr(store, "has_gds", lambda: False)()
    if use_gds and len(edges):
        table = gds_ranking(store, run_id, algorithm, resolution, above_threshold)
        engine = f"gds.{algorithm}"
    else:
        table = comm.account_ranking(edges, algorithm=algorithm, resolution=resolution, seed=seed) \
            if len(edges) else pd.DataFrame(columns=["account_id", "community", "pagerank", "degree", "strength"])
        engine = f"igraph.{algorithm}"
    write_ranking(store, run_id, table)
    runs.update_run(store, run_id, {"community_algorithm": engine,
                                    "n_communities": int(table["community"].nunique()) if len(table) else 0})
    return table


def write_ranking(store, run_id: str, table: pd.DataFrame) -> None:
    """Write community and pagerank onto each account's IN_RUN of ``run_id`` (earlier values
    of the run are reset first)."""
    store.write_file("run_reset_ranking", {"run_id": run_id})
    rows = [{"id": str(r.account_id), "c": int(r.community), "pr": float(r.pagerank)}
            for r in table.itertuples(index=False)]
    for i in range(0, len(rows), WRITE_BATCH):
        store.write_file("run_write_ranking", {"run_id": run_id, "rows": rows[i:i + WRITE_BATCH]})


def gds_ranking(store, run_id: str, algorithm: str, resolution: float, above_threshold: bool) -> pd.DataFrame:
    """Communities and PageRank with Neo4j GDS on a Cypher projection of the run's edges."""
    graph_name = f"coordgraph_{run_id}"
    params = {"graph_name": graph_name, "run_id": run_id, "min_threshold": 1 if above_threshold else 0}
    drop = "CALL gds.graph.drop($graph_name, false) YIELD graphName RETURN graphName"
    store.query(drop, {"graph_name": graph_name})  # a leftover of an interrupted call
    store.query(store.dialect.query_text("gds_project"), params)
    try:
        community = store.query(store.dialect.query_text(f"gds_{algorithm}"),
                                {"graph_name": graph_name, "resolution": float(resolution)})
        ranks = store.query(store.dialect.query_text("gds_pagerank"), {"graph_name": graph_name})
    finally:
        store.query(drop, {"graph_name": graph_name})
    table = pd.DataFrame(community).merge(pd.DataFrame(ranks), on="account_id")
    # renumber GDS community ids like the in-process path (0 = largest)
    renum = comm.number_by_size(table["account_id"].tolist(), table["community"].tolist())
    table = table.drop(columns="community").merge(renum, on="account_id")
    edges = run_edges(store, run_id)
    if above_threshold:
        edges = edges[edges["weight_threshold"] == 1]
    return table.merge(comm.weighted_degree(edges), on="account_id")
