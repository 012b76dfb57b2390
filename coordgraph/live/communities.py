"""Communities of a live network, kept current by recomputing only the connected components
that changed in a batch.

Each connected component is partitioned on its own (Leiden or Louvain from
:mod:`coordgraph.analysis.communities`, fixed seed) with its edges in (account_id,
account_id_y) order, so a component's communities depend only on its own edges: the live
result equals :func:`by_component` on the final edges, whatever the batches. Community ids
are 0, 1, ... by decreasing size (ties: smallest member id first), as everywhere.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from coordgraph.analysis.communities import communities as partition


def components(edges: pd.DataFrame) -> pd.Series:
    """Connected component of every account (a Series account_id -> smallest member id)."""
    import igraph as ig

    if len(edges) == 0:
        return pd.Series(dtype=object)
    graph = ig.Graph.DataFrame(edges[["account_id", "account_id_y"]].astype(str), directed=False, use_vids=False)
    membership = np.asarray(graph.connected_components().membership)
    names = np.asarray(graph.vs["name"], dtype=object)
    label = pd.Series(names).groupby(membership).transform("min").to_numpy()
    return pd.Series(label, index=names)


def _one(edges: pd.DataFrame, algorithm: str, weight: str) -> pd.DataFrame:
    """Communities of one component: account_id, local (community number within it)."""
    edges = edges.sort_values(["account_id", "account_id_y"], kind="stable")
    table = partition(edges, algorithm, weight=weight)
    return table.rename(columns={"community": "local"})


def by_component(edges: pd.DataFrame, algorithm: str = "leiden", weight: str = "weight",
                 previous: pd.DataFrame | None = None, changed: set | None = None) -> pd.DataFrame:
    """account_id, component (its smallest member id), local, community.

    With ``previous`` (an earlier output) and ``changed`` (accounts on edges that changed),
    components without a changed account keep their previous partition."""
    comp = components(edges)
    if len(comp) == 0:
        return pd.DataFrame({"account_id": pd.Series(dtype=object), "component": pd.Series(dtype=object),
                             "local": pd.Series(dtype="int64"), "community": pd.Series(dtype="int64")})
    redo = set(comp.unique())
    parts = []
    if previous is not None and changed is not None and len(previous):
        dirty = set(comp.reindex(list(changed)).dropna().unique())
        prev = previous.set_index("account_id")
        # a component is clean when unchanged: no changed account and the same members as before
        members = comp.groupby(comp.values).apply(lambda s: frozenset(s.index))
        for label in list(redo):
            if label in dirty:
                continue
            old = prev.reindex(list(members[label]))
            if old["component"].notna().all() and (old["component"] == label).all() \
                    and (prev["component"] == label).sum() == len(members[label]):
                parts.append(old.reset_index()[["account_id", "component", "local"]])
                redo.discard(label)
    src = edges.assign(_c=comp.reindex(edges["account_id"].astype(str)).to_numpy())
    for label, group in src[src["_c"].isin(redo)].groupby("_c", sort=True):
        one = _one(group.drop(columns="_c"), algorithm, weight)
        one["component"] = label
        parts.append(one[["account_id", "component", "local"]])
    table = pd.concat(parts, ignore_index=True)
    # global numbering by size, ties by smallest member
    key = table["component"].astype(str) + "\x00" + table["local"].astype(str)
    stats = table.groupby(key)["account_id"].agg(["size", "min"]).sort_values(["size", "min"], ascending=[False, True])
    number = pd.Series(np.arange(len(stats)), index=stats.index)
    table["community"] = number.reindex(key).to_numpy().astype(np.int64)
    table["local"] = table["local"].astype(np.int64)
    return table.sort_values("account_id").reset_index(drop=True)


def community_metrics(table: pd.DataFrame, edges: pd.DataFrame, threshold_column: str = "weight_threshold") -> pd.DataFrame:
    """Per community: size (accounts), edges inside, weight (co-shares inside), edges above
    the threshold inside, density (edges / possible pairs) and score (edges above the
    threshold / possible pairs), and its members (sorted list)."""
    if len(table) == 0:
        return pd.DataFrame(columns=["community", "size", "edges", "weight", "edges_above_threshold",
                                     "density", "score", "members"])
    of = table.set_index("account_id")["community"]
    ca = of.reindex(edges["account_id"]).to_numpy()
    cb = of.reindex(edges["account_id_y"]).to_numpy()
    inside = edges.loc[ca == cb].assign(community=ca[ca == cb])
    grouped = inside.groupby("community")
    out = table.groupby("community")["account_id"].agg(size="size", members=lambda s: sorted(s))
    out["edges"] = grouped.size().reindex(out.index, fill_value=0)
    out["weight"] = grouped["weight"].sum().reindex(out.index, fill_value=0)
    out["edges_above_threshold"] = grouped[threshold_column].sum().reindex(out.index, fill_value=0)
    pairs = out["size"] * (out["size"] - 1) / 2
    out["density"] = np.where(pairs > 0, out["edges"] / pairs.where(pairs > 0, 1), 0.0)
    out["score"] = np.where(pairs > 0, out["edges_above_threshold"] / pairs.where(pairs > 0, 1), 0.0)
    return out.reset_index()
