"""The last, small steps of the network on an edge table that fits in memory (pandas):
joining full and fast edges, the subgraph options and the vertex table.

Engines that aggregate edges elsewhere (Spark) finish here, so that their output has the
same columns, dtypes and meaning as :func:`coordgraph.analysis.coordinated_network`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["account_id", "account_id_y"]


def check_subgraph(subgraph: int, fast_net: bool) -> None:
    """Refuse subgraph options that make no sense (spec network step 6)."""
    if subgraph not in (0, 1, 2, 3):
        raise ValueError(f"subgraph must be 0, 1, 2 or 3, got {subgraph}")
    if subgraph == 1 and fast_net:
        raise ValueError("subgraph=1 selects full-window edges and cannot be combined with fast_net")
    if subgraph in (2, 3) and not fast_net:
        raise ValueError(f"subgraph={subgraph} selects fast edges: it needs fast_net=True and a "
                         "flag_speed_share() result (CooRTweet silently returns an empty graph)")


def merge_fast(full: pd.DataFrame, fast: pd.DataFrame) -> pd.DataFrame:
    """Full and fast edge attributes side by side (``<name>_full`` / ``<name>_fast``; fast
    ones missing where an edge has no flagged row; counts as nullable Int64)."""
    edges = full.merge(fast, on=KEYS, how="left", suffixes=("_full", "_fast"))
    for column in [c for c in edges.columns if c.endswith("_fast") and c != "object_ids_fast"]:
        if column.startswith(("weight", "n_content")):
            edges[column] = edges[column].astype("Int64")
    return edges


def vertices_of(edges: pd.DataFrame, weight_column: str) -> pd.DataFrame:
    """account_id, degree, strength (sum of ``weight_column``) of the edges' endpoints,
    sorted by account_id."""
    ends = pd.DataFrame({
        "account_id": np.concatenate([edges["account_id"].to_numpy(dtype=object),
                                      edges["account_id_y"].to_numpy(dtype=object)]),
        "w": np.concatenate([edges[weight_column].to_numpy(), edges[weight_column].to_numpy()]),
    })
    grouped = ends.groupby("account_id", sort=True)["w"]
    return pd.DataFrame({"degree": grouped.size().astype(np.int64), "strength": grouped.sum()}).reset_index()


def select_subgraph(edges: pd.DataFrame, subgraph: int, with_vertices: bool = False):
    """Apply ``subgraph`` (0 all; 1 above threshold; 2 above fast threshold; 3 core of 2 plus
    its neighbours, with ``color_v``). Returns edges, or (edges, vertices) when asked."""
    weight_column = "weight" if "weight" in edges.columns else "weight_full"
    if subgraph == 1:
        edges = edges.loc[edges["weight_threshold"] == 1].reset_index(drop=True)
    elif subgraph == 2:
        edges = edges.loc[edges["weight_threshold_fast"] == 1].reset_index(drop=True)
    elif subgraph == 3:
        core_edges = edges.loc[edges["weight_threshold_fast"] == 1]
        core = set(core_edges["account_id"]) | set(core_edges["account_id_y"])
        touches = edges["account_id"].isin(core) | edges["account_id_y"].isin(core)
        members = core | set(edges.loc[touches, "account_id"]) | set(edges.loc[touches, "account_id_y"])
        edges = edges.loc[edges["account_id"].isin(members) & edges["account_id_y"].isin(members)].reset_index(drop=True)
        if with_vertices:
            vertices = vertices_of(edges, weight_column)
            vertices["color_v"] = vertices["account_id"].isin(core).astype(np.int64)
            return edges, vertices
    if with_vertices:
        return edges, vertices_of(edges, weight_column)
    return edges
