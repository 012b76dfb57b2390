"""CooRTweet 2.1.3's row order and edge orientation, for ``compat`` mode.

What CooRTweet's code does, read from its source (R/flag_speed_share.R,
R/generate_coordinated_network.R) and igraph's (union, graph_from_data_frame):

1. ``flag_speed_share`` calls ``setkey(result, content_id, content_id_y)``: the caller's
   result is re-sorted in place, stably, by the two content ids in C-locale (byte) order.
   Everything downstream sees that order (:func:`coortweet_row_order`).
2. ``generate_coordinated_network`` rewrites each row's accounts as
   ``pmin(account_id, account_id_y)`` / ``pmax(...)`` in R's collation
   (:mod:`coordgraph.analysis.collation`) and groups by that ordered pair, groups in order of
   first appearance. The fast rows are a subset of those rows, so their pairs are the same
   ordered pairs (:func:`coortweet_rows`).
3. ``graph_from_data_frame`` numbers vertices by first appearance in
   ``c(account_id column, account_id_y column)`` of the aggregated (full) table; igraph lists
   an undirected edge from its end with the smaller vertex number. ``graph.union`` with the
   fast graph keeps the full graph's vertex numbers (fast vertices are a subset), matches edges
   as unordered pairs, and lists the union's edges by (smaller, larger) vertex number,
   largest first (:func:`igraph_layout`).

``from`` (our ``account_id``) therefore depends on the whole table, not on the pair alone;
``group_stats`` counts only ``from``, so the orientation changes its numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from coordgraph.analysis.collation import r_pmin_pmax


def flag_column(result: pd.DataFrame) -> str | None:
    """The ``time_window_<N>`` column of a flag_speed_share result (the first), or None."""
    flags = [c for c in result.columns if c.startswith("time_window_")]
    return flags[0] if flags else None


def coortweet_row_order(result: pd.DataFrame) -> pd.DataFrame:
    """``result`` in the order CooRTweet's ``flag_speed_share`` leaves it: stably sorted by
    (content_id, content_id_y), code-point order (data.table sorts in the C locale). Tables
    without a ``time_window_*`` column never went through flag_speed_share: returned as is."""
    if flag_column(result) is None or len(result) < 2:
        return result
    order = np.lexsort((result["content_id_y"].to_numpy(dtype=str), result["content_id"].to_numpy(dtype=str)))
    return result.iloc[order].reset_index(drop=True)


def coortweet_rows(result: pd.DataFrame, collation: str = "icu") -> pd.DataFrame:
    """CooRTweet's ``x`` of generate_coordinated_network: rows in flag_speed_share's order,
    accounts as R's ``pmin``/``pmax`` under ``collation``."""
    x = coortweet_row_order(result)
    lo, hi = r_pmin_pmax(x["account_id"].to_numpy(dtype=object), x["account_id_y"].to_numpy(dtype=object), collation)
    return x.assign(account_id=lo, account_id_y=hi)


def igraph_layout(edges: pd.DataFrame, union: bool) -> pd.DataFrame:
    """``edges`` keyed by the (pmin, pmax) pair of :func:`coortweet_rows` and in the full
    table's order (first appearance of each pair in the rows), in CooRTweet's orientation and
    row order: vertices numbered by first appearance in the two account columns, each edge
    from its lower-numbered end; rows as given, or (``union``: a fast_net graph) by (lower,
    higher) number, largest first."""
    if len(edges) == 0:
        return edges
    lo = edges["account_id"].to_numpy(dtype=object)
    hi = edges["account_id_y"].to_numpy(dtype=object)
    codes, _ = pd.factorize(np.concatenate([lo, hi]), sort=False)  # codes = first appearance
    i_lo, i_hi = codes[: len(lo)], codes[len(lo):]
    swap = i_hi < i_lo
    out = edges.assign(account_id=np.where(swap, hi, lo), account_id_y=np.where(swap, lo, hi))
    if union:
        order = np.lexsort((-np.maximum(i_lo, i_hi), -np.minimum(i_lo, i_hi)))
        out = out.iloc[order]
    return out.reset_index(drop=True)


def r_strsplit_comma(text: str) -> list[str]:
    """R's ``strsplit(text, ",", fixed = TRUE)``: a trailing empty piece is dropped."""
    pieces = text.split(",")
    if pieces and pieces[-1] == "":
        pieces.pop()
    return pieces
