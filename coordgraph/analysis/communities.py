"""Communities and account rankings of a coordinated network (pure: edges in, tables out).

Why here and not in the database: FalkorDB has no Louvain/Leiden and Neo4j has them only
with the GDS plugin, so the store falls back to these functions (igraph + leidenalg) and
writes the results back the same way. Seeds are fixed: same edges, same communities.

Input everywhere: an edges DataFrame with ``account_id``, ``account_id_y`` and a weight
column (``weight`` = number of co-shares, by default); edges are undirected.
Community ids are 0, 1, 2, ... by decreasing size (ties: smallest member id first), so
they are stable across runs and engines.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd

ALGORITHMS = ("leiden", "louvain")


def _graph(edges: pd.DataFrame, weight: str):
    """An undirected igraph Graph with vertex ``name`` = account id and edge attribute ``weight``."""
    import igraph as ig

    for col in ("account_id", "account_id_y", weight):
        if col not in edges.columns:
            raise ValueError(f"edges need a {col!r} column (have {', '.join(map(str, edges.columns))})")
    frame = pd.DataFrame({"source": edges["account_id"].astype(str), "target": edges["account_id_y"].astype(str),
                          "weight": pd.to_numeric(edges[weight], errors="raise").astype(float)})
    return ig.Graph.DataFrame(frame, directed=False, use_vids=False)


def number_by_size(names: list[str], membership: list[int]) -> pd.DataFrame:
    """account_id, community: raw community labels renumbered 0.. by decreasing size, ties by
    smallest member id (used for every algorithm, GDS included, so ids are comparable)."""
    frame = pd.DataFrame({"account_id": names, "raw": membership})
    order = (frame.groupby("raw")["account_id"].agg(["size", "min"])
             .sort_values(["size", "min"], ascending=[False, True]))
    mapping = {raw: i for i, raw in enumerate(order.index)}
    frame["community"] = frame["raw"].map(mapping).astype("int64")
    return frame[["account_id", "community"]].sort_values("account_id").reset_index(drop=True)


def leiden(edges: pd.DataFrame, weight: str = "weight", resolution: float = 1.0, seed: int = 42) -> pd.DataFrame:
    """Leiden communities (leidenalg, modularity with ``resolution``, weights used).

    Returns account_id, community (int, 0 = largest). Empty edges give an empty table.
    """
    if len(edges) == 0:
        return pd.DataFrame({"account_id": pd.Series(dtype=object), "community": pd.Series(dtype="int64")})
    import leidenalg

    graph = _graph(edges, weight)
    partition = leidenalg.find_partition(
        graph, leidenalg.RBConfigurationVertexPartition, weights="weight",
        resolution_parameter=resolution, seed=seed, n_iterations=-1)
    return number_by_size(graph.vs["name"], partition.membership)


def louvain(edges: pd.DataFrame, weight: str = "weight", resolution: float = 1.0, seed: int = 42) -> pd.DataFrame:
    """Louvain communities (igraph multilevel, weights used); same output as :func:`leiden`."""
    if len(edges) == 0:
        return leiden(edges, weight)
    graph = _graph(edges, weight)
    state = random.getstate()
    random.seed(seed)  # igraph draws from Python's random module
    try:
        clusters = graph.community_multilevel(weights="weight", resolution=resolution)
    finally:
        random.setstate(state)
    return number_by_size(graph.vs["name"], clusters.membership)


def communities(edges: pd.DataFrame, algorithm: str = "leiden", **kwargs) -> pd.DataFrame:
    """Dispatch to :func:`leiden` or :func:`louvain` by name."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown community algorithm {algorithm!r}: use {' or '.join(ALGORITHMS)}")
    return (leiden if algorithm == "leiden" else louvain)(edges, **kwargs)


def pagerank(edges: pd.DataFrame, weight: str = "weight", damping: float = 0.85) -> pd.DataFrame:
    """Weighted PageRank of each account (undirected; sums to 1): account_id, pagerank."""
    if len(edges) == 0:
        return pd.DataFrame({"account_id": pd.Series(dtype=object), "pagerank": pd.Series(dtype=float)})
    graph = _graph(edges, weight)
    scores = graph.pagerank(weights="weight", directed=False, damping=damping)
    return pd.DataFrame({"account_id": graph.vs["name"], "pagerank": np.asarray(scores, dtype=float)}) \
        .sort_values("account_id").reset_index(drop=True)


def weighted_degree(edges: pd.DataFrame, weight: str = "weight") -> pd.DataFrame:
    """account_id, degree (number of partners) and strength (sum of edge weights = co-shares)."""
    ends = pd.concat([
        pd.DataFrame({"account_id": edges["account_id"], "w": edges[weight]}),
        pd.DataFrame({"account_id": edges["account_id_y"], "w": edges[weight]}),
    ])
    out = ends.groupby("account_id")["w"].agg(degree="size", strength="sum").reset_index()
    out["degree"] = out["degree"].astype("int64")
    return out.sort_values("account_id").reset_index(drop=True)


def account_ranking(edges: pd.DataFrame, weight: str = "weight", algorithm: str = "leiden",
                    resolution: float = 1.0, seed: int = 42) -> pd.DataFrame:
    """One table per account: community, pagerank, degree, strength (sorted by pagerank, highest first)."""
    table = communities(edges, algorithm, weight=weight, resolution=resolution, seed=seed)
    table = table.merge(pagerank(edges, weight), on="account_id").merge(weighted_degree(edges, weight), on="account_id")
    return table.sort_values(["pagerank", "account_id"], ascending=[False, True]).reset_index(drop=True)
