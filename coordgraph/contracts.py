"""The method's contracts, owned here and imported by every layer (loader, analysis,
engines, store, web app, CLI): never copy them.

- share columns (what a loader writes, what every engine reads);
- intents and how a multi-intent table marks an object's kind;
- the detect_groups result columns, the edge and vertex columns of a run;
- the summary keys every engine reports;
- the threshold rule (R type-7 quantile of the edge weights, edges strictly above it flagged).

This module imports only numpy lazily, so the CLI can import it at start-up for free.
Reference: CooRTweet 2.1.3 (Righetti & Balluff), ``coordinated_network`` and docs/method.md.
"""
from __future__ import annotations

from typing import Sequence

# ------------------------------------------------------------------------------ shares
#: The four columns of a share table, in order: what was shared, who shared it, the post
#: that carries it, and when (UNIX seconds, UTC). Ids are strings, byte-exact.
SHARE_COLUMNS: tuple[str, ...] = ("object_id", "account_id", "content_id", "timestamp_share")
#: The optional fifth column: the intent that produced the share.
KIND_COLUMN = "kind"
#: A share table with its kind column.
SHARES_COLUMNS: tuple[str, ...] = (*SHARE_COLUMNS, KIND_COLUMN)

# ------------------------------------------------------------------------------ intents
#: Every intent a loader can turn posts into shares with (see coordgraph.loader.reshape).
INTENTS: tuple[str, ...] = (
    "retweets", "quotes", "replies", "mentions", "hashtags", "urls", "urls_domains",
    "cotweet", "images", "objects", "similar_text", "similar_images",
)  # fmt: skip
#: Intents that group posts across the whole input (near-duplicate texts or images), so a
#: loader must see every post at once; the others are a function of one post at a time
#: (retweet originals are resolved at the end of a stream, see coordgraph.loader.stream).
GLOBAL_INTENTS: frozenset[str] = frozenset({"similar_text", "similar_images"})
#: In a table of several intents, object ids are written ``<kind><KIND_PREFIX_SEP><id>`` so
#: equal strings of different kinds (a hashtag and a URL) stay different objects.
KIND_PREFIX_SEP = ":"


def kind_prefixed(kind: str, object_id: str) -> str:
    """The object id of a multi-intent share table: ``'hashtags:abc'``."""
    return f"{kind}{KIND_PREFIX_SEP}{object_id}"


# ------------------------------------------------------------------------------ results
#: detect_groups' result: one row per co-share (older share first), CooRTweet's six columns.
RESULT_COLUMNS: tuple[str, ...] = ("object_id", "content_id", "content_id_y", "time_delta",
                                   "account_id", "account_id_y")
#: The ordered account pair that keys an edge.
EDGE_KEYS: tuple[str, ...] = ("account_id", "account_id_y")
#: An edge's attributes, in coordinated_network's order.
EDGE_ATTRIBUTES: tuple[str, ...] = ("weight", "avg_time_delta", "n_content_id", "n_content_id_y",
                                    "edge_symmetry_score", "weight_threshold")
#: Suffixes of the edge attributes when a fast window is given (CooRTweet's fast_net).
FULL_SUFFIX, FAST_SUFFIX = "_full", "_fast"
#: A vertex of the network.
VERTEX_COLUMNS: tuple[str, ...] = ("account_id", "degree", "strength")


def fast_flag_column(fast_window: int) -> str:
    """The result column that flags co-shares within the fast window: ``time_window_<S>``."""
    return f"time_window_{int(fast_window)}"


# ------------------------------------------------------------------------------ summary
#: Keys every engine's summary.json (and the store's Run node) holds, with their types.
SUMMARY_KEYS: dict[str, type] = {
    "engine": str,               # the engine that ran (python, outofcore, spark, cypher)
    "shares": int,               # share rows read
    "result_rows": int,          # co-share rows after the post-filter
    "edges": int,
    "vertices": int,
    "edges_above_threshold": int,
    "threshold": float,          # None when there is no edge
    "dropped_hub_objects": int,  # objects left out by max_object_shares (a count, never a list)
    "seconds": float,            # wall time of the run
}


# ------------------------------------------------------------------------------ threshold
def quantile_threshold(weights: Sequence[float], edge_weight: float) -> float | None:
    """The ``edge_weight`` quantile of ``weights`` with linear interpolation (R type 7,
    numpy's default, as CooRTweet's ``quantile(weight, edge_weight)``). None for no weights.

    ``edge_weight`` is a percentile in [0, 1]; ValueError otherwise.
    """
    if not 0 <= edge_weight <= 1:
        raise ValueError(f"edge_weight is a percentile in [0, 1], got {edge_weight}")
    import numpy as np

    arr = np.asarray(weights, dtype=float)
    if arr.size == 0:
        return None
    return float(np.quantile(arr, edge_weight))


def above_threshold(weights, threshold: float | None):
    """The threshold rule: 1 where an edge's weight is strictly above ``threshold``, else 0
    (int64 array; all 0 when there is no threshold)."""
    import numpy as np

    arr = np.asarray(weights, dtype=float)
    if threshold is None:
        return np.zeros(arr.shape, dtype=np.int64)
    return (arr > threshold).astype(np.int64)
