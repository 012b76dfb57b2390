"""Per-account and per-object summaries of a coordinated network (CooRTweet:
``account_stats`` and ``group_stats``).

``compat=True`` reproduces CooRTweet 2.1.3's numbers, quirks included; the default is the
documented meaning (see docs/method.md, "Summaries").
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from coordgraph.analysis.network import CoordinatedNetwork

THRESHOLDS = ("none", "full", "fast")


def _column(edges: pd.DataFrame, name: str, weight_threshold: str) -> str:
    """The edge column for attribute ``name``: plain, or _full/_fast in a fast_net network."""
    if name in edges.columns:
        return name
    return f"{name}_fast" if weight_threshold == "fast" else f"{name}_full"


def selected_edges(network: CoordinatedNetwork, weight_threshold: str = "none") -> pd.DataFrame:
    """The edges a summary is computed on: all ('none'), those above the full-window
    threshold ('full') or above the fast-window threshold ('fast', needs fast_net)."""
    if weight_threshold not in THRESHOLDS:
        raise ValueError(f"weight_threshold must be one of {THRESHOLDS}, got {weight_threshold!r}")
    edges = network.edges
    if weight_threshold == "none":
        return edges
    column = _column(edges, "weight_threshold", weight_threshold)
    if column not in edges.columns:
        raise ValueError("weight_threshold='fast' needs a network built with fast_net=True")
    return edges.loc[edges[column].fillna(0).to_numpy() == 1]


def _flagged_rows(result: pd.DataFrame, weight_threshold: str) -> pd.DataFrame:
    """Result rows that count for a summary: all, or only the fast-window flagged ones."""
    if weight_threshold != "fast":
        return result
    flags = [c for c in result.columns if c.startswith("time_window_")]
    if len(flags) != 1:
        raise ValueError("weight_threshold='fast' needs a flag_speed_share() result")
    return result.loc[result[flags[0]].to_numpy() == 1]


def account_stats(
    network: CoordinatedNetwork, result: pd.DataFrame, weight_threshold: str = "none", compat: bool = False,
) -> pd.DataFrame:
    """Per account on the selected edges: ``avg_time_delta`` and ``avg_edge_symmetry_score``
    (means over the account's edges, seconds and [0, 1]) and ``unique_shares_count``
    (distinct content ids of the account in the result; fast: flagged rows only).

    CooRTweet removes duplicate (account, avg_time_delta, symmetry) tuples before averaging
    (edges of 10, 10 and 20 s average to 15 s); ``compat=True`` does the same, the default
    averages every edge (13.3 s).
    """
    edges = selected_edges(network, weight_threshold)
    if compat and "avg_time_delta_fast" in edges.columns:
        return _account_stats_fast_compat(edges, _flagged_rows(result, weight_threshold))
    delta = _column(edges, "avg_time_delta", weight_threshold)
    symmetry = _column(edges, "edge_symmetry_score", weight_threshold)
    long = pd.concat([
        edges[["account_id", delta, symmetry]].set_axis(["account", "delta", "sym"], axis=1),
        edges[["account_id_y", delta, symmetry]].set_axis(["account", "delta", "sym"], axis=1),
    ], ignore_index=True)
    if compat:
        long = long.drop_duplicates()
    stats = long.groupby("account", sort=True).agg(avg_time_delta=("delta", "mean"),
                                                   avg_edge_symmetry_score=("sym", "mean"))
    rows = _flagged_rows(result, weight_threshold)
    contents = pd.concat([
        rows[["account_id", "content_id"]].set_axis(["account", "content"], axis=1),
        rows[["account_id_y", "content_id_y"]].set_axis(["account", "content"], axis=1),
    ], ignore_index=True).drop_duplicates()
    unique_shares = contents.groupby("account").size()
    stats["unique_shares_count"] = unique_shares.reindex(stats.index, fill_value=0).astype(np.int64)
    return stats.rename_axis("account_id").reset_index()


def _account_stats_fast_compat(edges: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """CooRTweet's account_stats on a fast_net network: duplicate (account, avg_time_delta_full,
    avg_time_delta_fast, edge_symmetry_score_full, edge_symmetry_score_fast) tuples removed,
    then each column averaged without its missing values (missing when all are); accounts
    without result rows dropped (an inner join); sorted by account id in code-point order."""
    names = ["avg_time_delta_full", "avg_time_delta_fast", "edge_symmetry_score_full", "edge_symmetry_score_fast"]
    long = pd.concat([edges[["account_id", *names]],
                      edges[["account_id_y", *names]].rename(columns={"account_id_y": "account_id"})],
                     ignore_index=True)
    long[names] = long[names].astype(float)
    long = long.drop_duplicates()
    stats = long.groupby("account_id", sort=True)[names].mean()
    stats.columns = ["avg_time_delta_full", "avg_time_delta_fast", "avg_edge_symmetry_score_full",
                     "avg_edge_symmetry_score_fast"]
    contents = pd.concat([
        rows[["account_id", "content_id"]].set_axis(["account", "content"], axis=1),
        rows[["account_id_y", "content_id_y"]].set_axis(["account", "content"], axis=1),
    ], ignore_index=True).drop_duplicates()
    unique_shares = contents.groupby("account").size().rename("unique_shares_count").astype(np.int64)
    stats = stats.join(unique_shares, how="inner")
    return stats.rename_axis("account_id").reset_index()


def object_stats(
    network: CoordinatedNetwork, result: pd.DataFrame, weight_threshold: str = "none", compat: bool = False,
) -> pd.DataFrame:
    """Per object: ``num_accounts``, the distinct accounts on the selected edges that carry it,
    most first (CooRTweet: group_stats).

    CooRTweet counts only the first endpoint of each edge (``from``); ``compat=True`` does the
    same, the default counts both endpoints.
    """
    edges = selected_edges(network, weight_threshold)
    rows = _flagged_rows(result, weight_threshold)
    if compat:
        return _object_stats_compat(edges, rows, network.params.get("collation", "icu"))
    pairs = _unordered(rows["account_id"], rows["account_id_y"])
    pairs["object_id"] = rows["object_id"].to_numpy(dtype=object)
    ends = _unordered(edges["account_id"], edges["account_id_y"])
    ends["from"] = edges["account_id"].to_numpy(dtype=object)
    ends["to"] = edges["account_id_y"].to_numpy(dtype=object)
    chosen = pairs.merge(ends, on=["lo", "hi"])
    members = [chosen[["object_id", "from"]].set_axis(["object_id", "account_id"], axis=1)]
    if not compat:
        members.append(chosen[["object_id", "to"]].set_axis(["object_id", "account_id"], axis=1))
    members = pd.concat(members, ignore_index=True).drop_duplicates()
    counts = members.groupby("object_id").size().rename("num_accounts").reset_index()
    return counts.sort_values(["num_accounts", "object_id"], ascending=[False, True], ignore_index=True)


def _unordered(a: pd.Series, b: pd.Series) -> pd.DataFrame:
    """The two account columns as an unordered pair key (lo, hi) in code-point order."""
    a = a.to_numpy(dtype=object)
    b = b.to_numpy(dtype=object)
    first = a <= b if len(a) else np.zeros(0, dtype=bool)
    return pd.DataFrame({"lo": np.where(first, a, b), "hi": np.where(first, b, a)})


def _object_stats_compat(edges: pd.DataFrame, rows: pd.DataFrame, collation: str) -> pd.DataFrame:
    """CooRTweet's group_stats: per object, the distinct ``from`` accounts (our account_id) of
    the selected edges whose object_ids hold it. The object_ids string (R's
    ``paste(unique(object_id), collapse = ",")``) is split again at commas, so an object id
    with a comma counts as its pieces; rows most accounts first, ties in order of first
    appearance (edges in order, each edge's objects in row order)."""
    from coordgraph.analysis.collation import r_pmin_pmax
    from coordgraph.analysis.compat import coortweet_row_order, r_strsplit_comma

    if len(edges) == 0 or len(rows) == 0:
        return pd.DataFrame({"object_id": pd.Series(dtype=object), "num_accounts": pd.Series(dtype=np.int64)})
    rows = coortweet_row_order(rows)
    r_lo, r_hi = r_pmin_pmax(rows["account_id"].to_numpy(dtype=object), rows["account_id_y"].to_numpy(dtype=object),
                             collation)
    e_lo, e_hi = r_pmin_pmax(edges["account_id"].to_numpy(dtype=object), edges["account_id_y"].to_numpy(dtype=object),
                             collation)
    edge_at = pd.MultiIndex.from_arrays([e_lo, e_hi]).get_indexer(pd.MultiIndex.from_arrays([r_lo, r_hi]))
    keep = edge_at >= 0
    carried = pd.DataFrame({"edge": edge_at[keep], "object_id": rows["object_id"].to_numpy(dtype=object)[keep]})
    carried = carried.drop_duplicates().sort_values("edge", kind="stable")
    carried["from"] = edges["account_id"].to_numpy(dtype=object)[carried["edge"].to_numpy()]
    pieces = carried.assign(object_id=carried["object_id"].astype(str)).reset_index(drop=True)
    with_comma = pieces["object_id"].str.contains(",", regex=False)
    if with_comma.any():
        # only the edges with such an id change: their ids are pasted and split as R does
        # ("x," then "o2" gives "x,,o2": x, "", o2), one row per edge at its first row's place
        edge = pieces["edge"]
        touched = with_comma.groupby(edge).transform("any").to_numpy()
        joined = pieces.loc[touched].groupby("edge", sort=False)["object_id"].agg(",".join)
        first = touched & ~edge.duplicated().to_numpy()
        kept = ~touched | first
        pieces = pieces.loc[kept].copy()
        at = pieces.index[first[kept]]
        split = pd.Series([r_strsplit_comma(joined[e]) for e in pieces.loc[at, "edge"]], index=at, dtype=object)
        pieces["object_id"] = pieces["object_id"].astype(object)
        pieces.loc[at, "object_id"] = split
        pieces = pieces.explode("object_id").dropna(subset=["object_id"])
    counts = pieces.drop_duplicates(["object_id", "from"]).groupby("object_id", sort=False).size()
    counts = counts.rename("num_accounts").reset_index()
    return counts.sort_values("num_accounts", ascending=False, kind="stable", ignore_index=True)
