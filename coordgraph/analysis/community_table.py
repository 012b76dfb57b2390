"""The ranked community table: one row of figures per community and a suspicion score.

Pure pandas, no store and no web page: the web app and the report pass it the run's edges,
accounts and (optionally) co-shares; a notebook can pass its own DataFrames.

Every figure is computed on a community's *internal* edges (both accounts in the community);
links between communities are not counted. Times are UNIX seconds UTC, durations seconds.
The suspicion score is defined in docs/method.md ("Ranking communities"):

    score = mean( pct_rank(co-shares per account),
                  pct_rank(-median seconds apart),
                  pct_rank(share of fast-window edges),
                  pct_rank(mean edge symmetry) )

``pct_rank`` is the percentile rank among the communities with at least one internal edge
(pandas ``rank(pct=True)``, ties averaged; 1.0 = the most suspicious value). A community
without an internal edge scores 0. The table is sorted by score, then co-shares.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: The columns of :func:`community_table`, in order (the web app and the report show them).
COLUMNS = [
    "rank", "community", "score", "size", "edges", "coshares", "coshares_per_account",
    "median_seconds_apart", "fast_share", "symmetry", "median_q_value", "median_followers",
    "median_age_days", "top_objects",
]

#: The figures the score combines and their direction (+1: higher is more suspicious).
SCORE_PARTS = {"coshares_per_account": 1, "median_seconds_apart": -1, "fast_share": 1, "symmetry": 1}

#: Plain-language definitions (docs, the app's column tooltips and the report).
DEFINITIONS = {
    "rank": "position in the table, by suspicion score (1 = most suspicious)",
    "community": "community number in the run (0 = the largest)",
    "score": "suspicion score, 0..1: the mean of the percentile ranks of co-shares per account, "
             "speed (fewer seconds apart), share of fast-window edges and symmetry",
    "size": "accounts in the community",
    "edges": "coordinated account pairs inside the community",
    "coshares": "co-shares inside the community: pairs of posts by two of its accounts sharing the same "
                "object within the time window (one post can take part in several co-shares)",
    "coshares_per_account": "co-shares divided by accounts",
    "median_seconds_apart": "median time between the two posts of a co-share, seconds",
    "fast_share": "share of the community's edges that also hold in the narrower fast window",
    "symmetry": "mean edge symmetry score (1 = both accounts lead equally often)",
    "median_q_value": "median Benjamini-Hochberg q-value of the edges (blank: significance not computed)",
    "median_followers": "median followers of the accounts (blank: unknown)",
    "median_age_days": "median account age in days at the run's last co-share (blank: unknown)",
    "top_objects": "the most co-shared objects, with their co-share counts",
}


def _internal(edges: pd.DataFrame, community_of: pd.Series) -> pd.DataFrame:
    """Edges whose two accounts are in the same community, with a ``community`` column
    (taken from ``community``/``community_y`` columns when the caller has them already)."""
    if "community" in edges and "community_y" in edges:
        ca, cb = edges["community"], edges["community_y"]
        keep = ca.notna() & (ca == cb)
        return edges.loc[keep].assign(community=ca[keep].astype(np.int64))
    ca = edges["account_id"].map(community_of)
    cb = edges["account_id_y"].map(community_of)
    keep = ca.notna() & (ca == cb)
    return edges.loc[keep].assign(community=ca[keep].astype(np.int64))


def suspicion_score(table: pd.DataFrame) -> pd.Series:
    """The documented score (module docstring) of each row of ``table``; rows with no edge
    score 0. Needs the columns of :data:`SCORE_PARTS` and ``edges``."""
    active = table["edges"] > 0
    if not active.any():
        return pd.Series(0.0, index=table.index)
    ranks = []
    for column, direction in SCORE_PARTS.items():
        values = table.loc[active, column].astype(float) * direction
        ranks.append(values.rank(pct=True, method="average").fillna(0.0))
    score = pd.concat(ranks, axis=1).mean(axis=1)
    return score.reindex(table.index).fillna(0.0).round(4)


def community_table(
    edges: pd.DataFrame,
    accounts: pd.DataFrame,
    coshares: pd.DataFrame | None = None,
    top_objects: int = 3,
    reference_time: int | None = None,
) -> pd.DataFrame:
    """One row per community with the :data:`COLUMNS` figures, most suspicious first.

    ``edges``: ``account_id, account_id_y, weight, avg_time_delta, edge_symmetry_score`` and
    optionally ``fast`` (bool) and ``q_value``; ``edges`` and ``coshares`` may carry the two
    accounts' communities as ``community``/``community_y`` (faster than looking them up). ``accounts``: ``account_id, community`` and
    optionally ``followers_count``, ``created_at`` (UNIX s). ``coshares`` (optional):
    ``account_id, account_id_y, object_id, time_delta`` and optionally ``ts``; without it the
    median seconds apart is the weight-weighted median of the edges' averages and
    ``top_objects`` is blank. ``reference_time`` (UNIX s) dates account ages; default the
    latest co-share ``ts``.
    """
    accounts = accounts.dropna(subset=["community"])
    community_of = pd.Series(accounts["community"].astype(np.int64).to_numpy(),
                             index=accounts["account_id"].astype(str))
    e = edges if "community" in edges else edges.assign(account_id=edges["account_id"].astype(str),
                                                        account_id_y=edges["account_id_y"].astype(str))
    inner = _internal(e, community_of)
    out = pd.DataFrame({"size": community_of.groupby(community_of).size()})
    out.index.name = "community"
    g = inner.groupby("community")
    out["edges"] = g.size()
    out["coshares"] = g["weight"].sum()
    fast = inner["fast"].astype(bool) if "fast" in inner else pd.Series(False, index=inner.index)
    out["fast_share"] = fast.groupby(inner["community"]).mean()
    out["symmetry"] = g["edge_symmetry_score"].mean()
    if "q_value" in inner and inner["q_value"].notna().any():
        out["median_q_value"] = g["q_value"].median()
    else:
        out["median_q_value"] = np.nan
    out[["edges", "coshares"]] = out[["edges", "coshares"]].fillna(0).astype(np.int64)
    out["coshares_per_account"] = (out["coshares"] / out["size"]).round(2)

    tops = pd.Series(dtype=object)
    if coshares is not None and len(coshares):
        cs = coshares if "community" in coshares else coshares.assign(
            account_id=coshares["account_id"].astype(str), account_id_y=coshares["account_id_y"].astype(str))
        cs = _internal(cs, community_of)
        out["median_seconds_apart"] = cs.groupby("community")["time_delta"].median()
        counts = cs.groupby(["community", "object_id"]).size().rename("n").reset_index()
        counts = counts.sort_values(["community", "n", "object_id"], ascending=[True, False, True])
        head = counts.groupby("community").head(top_objects)
        tops = (head["object_id"].astype(str) + " (" + head["n"].astype(str) + ")").groupby(head["community"]).agg(", ".join)
        if reference_time is None and "ts" in cs and cs["ts"].notna().any():
            reference_time = int(pd.to_numeric(coshares["ts"]).max())
    else:
        out["median_seconds_apart"] = pd.Series(
            {c: _weighted_median(f["avg_time_delta"].to_numpy(float), f["weight"].to_numpy(float))
             for c, f in inner.groupby("community")}, dtype=float)
    out["top_objects"] = tops.reindex(out.index).fillna("")

    if "followers_count" in accounts:
        followers = pd.to_numeric(accounts["followers_count"], errors="coerce")
        out["median_followers"] = followers.groupby(accounts["community"].astype(np.int64).to_numpy()).median()
    else:
        out["median_followers"] = np.nan
    if "created_at" in accounts and reference_time is not None:
        age = (reference_time - pd.to_numeric(accounts["created_at"], errors="coerce")) / 86_400
        out["median_age_days"] = age.groupby(accounts["community"].astype(np.int64).to_numpy()).median().round(1)
    else:
        out["median_age_days"] = np.nan

    out = out.reset_index()
    out["score"] = suspicion_score(out)
    out = out.sort_values(["score", "coshares", "community"], ascending=[False, False, True], kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    for column in ("fast_share", "symmetry", "median_seconds_apart"):
        out[column] = out[column].astype(float).round(3)
    return out[COLUMNS].reset_index(drop=True)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The median of ``values`` repeated ``weights`` times (lower median on an even split)."""
    if values.size == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2.0)])
