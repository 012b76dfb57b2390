"""The QUT coordination network toolkit's networks on a share table (``--method qut``).

Reference: Graham, Vodden, Bruns et al., *coordination-network-toolkit* (QUT Digital
Observatory; PyPI ``coordination-network-toolkit`` 1.5.2; github.com/QUT-Digital-Observatory/
coordination-network-toolkit), ``compute_networks.py``: ``compute_co_retweet_parallel``,
``compute_co_link_network``, ``compute_co_reply_network``, ``compute_co_post_network``.
Every one of them is the SQL self-join::

    select e_1.user_id as user_1, e_2.user_id as user_2, count(distinct e_1.message_id) as weight
    from T e_1 join T e_2
      on e_1.<object> = e_2.<object>              -- co-post: no object condition
     and e_2.timestamp between e_1.timestamp - w and e_1.timestamp + w   -- inclusive
     and e_1.message_id != e_2.message_id
    group by e_1.user_id, e_2.user_id having weight >= min_edge_weight

so an edge is **directed**: ``weight(A -> B)`` is the number of *distinct messages of A* that
have at least one other message of B on the same object within ``w`` seconds (inclusive); it can
differ from ``weight(B -> A)``. A user pairs with itself when two of its own messages match
(a self-loop); the toolkit stores those and its graph output drops them unless ``--loops``.

Our share table maps as: message_id = ``content_id``, user_id = ``account_id``, the object
(repost_id, url, reply_id) = ``object_id``; duplicate (content_id, object_id) rows count once
(the toolkit's ``message_url`` key). With a ``kind`` column, ``co_retweet`` / ``co_link`` /
``co_reply`` use only the rows of the matching intent. ``co_post`` ignores objects: every
message (distinct content_id, its earliest time) against every other message.

Release note: PyPI 1.5.2 (2022-07) lacks the ``message_id !=`` condition (added in the
toolkit's PR #51, 2022-11), so its raw tables also hold a trivial self-loop per user whose weight
is that user's message count; edges between two different users are identical in both
versions. ``loops=True`` gives the newer rule's self-loops.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Networks and the share intent (contracts.INTENTS) each reads when the table has a kind column.
NETWORKS: dict[str, str | None] = {"co_retweet": "retweets", "co_link": "urls", "co_reply": "replies",
                                   "co_object": None, "co_post": None}
EDGE_COLUMNS = ("user_1", "user_2", "weight")


def qut_network(shares: pd.DataFrame, network: str = "co_retweet", time_window: int = 60,
                min_edge_weight: int = 1, loops: bool = False) -> pd.DataFrame:
    """The toolkit's ``network`` over ``shares`` (contracts.SHARE_COLUMNS, seconds): a frame of
    directed edges ``user_1, user_2, weight`` (int64), sorted by user_1, user_2.

    ``co_object`` is the same join on every row whatever its kind. ValueError for an unknown
    network or a negative window."""
    if network not in NETWORKS:
        raise ValueError(f"network must be one of {', '.join(NETWORKS)}, got {network!r}")
    if time_window < 0:
        raise ValueError(f"time_window is seconds >= 0, got {time_window}")
    table = shares
    kind = NETWORKS[network]
    if kind is not None and "kind" in table.columns:
        table = table[table["kind"] == kind]
    if network == "co_post":
        table = (table.groupby("content_id", sort=False)
                 .agg(account_id=("account_id", "first"), timestamp_share=("timestamp_share", "min"))
                 .reset_index())
        objects = np.zeros(len(table), dtype=np.int64)
    else:
        table = table.drop_duplicates(["content_id", "object_id"])
        objects = pd.factorize(table["object_id"])[0].astype(np.int64)
    messages = pd.factorize(table["content_id"])[0].astype(np.int64)
    users, user_names = pd.factorize(table["account_id"])
    times = table["timestamp_share"].to_numpy(dtype=np.int64)
    if times.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(EDGE_COLUMNS, (object, object, np.int64))})

    # one monotone key per row: objects laid end to end, further apart than any window
    order = np.lexsort((times, objects))
    objects, times, messages, users = objects[order], times[order], messages[order], users[order]
    gap = int(times.max() - times.min()) + 2 * int(time_window) + 1
    key = objects * gap + (times - times.min())
    lo = np.searchsorted(key, key - time_window, side="left")
    hi = np.searchsorted(key, key + time_window, side="right")
    counts = hi - lo
    left = np.repeat(np.arange(key.size), counts)
    right = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
    keep = messages[left] != messages[right]
    left, right = left[keep], right[keep]

    pairs = pd.DataFrame({"u1": users[left], "u2": users[right], "m": messages[left]}).drop_duplicates()
    edges = pairs.groupby(["u1", "u2"], sort=False).size().rename("weight").reset_index()
    if not loops:
        edges = edges[edges["u1"] != edges["u2"]]
    edges = edges[edges["weight"] >= min_edge_weight]
    out = pd.DataFrame({"user_1": user_names[edges["u1"].to_numpy()],
                        "user_2": user_names[edges["u2"].to_numpy()],
                        "weight": edges["weight"].to_numpy(dtype=np.int64)})
    return out.sort_values(["user_1", "user_2"], ignore_index=True)


#: The run layout of a QUT network: one row per unordered pair (account_id < account_id_y).
UNDIRECTED_COLUMNS = ("account_id", "account_id_y", "weight", "n_content_id", "n_content_id_y",
                      "edge_symmetry_score")


def undirected_edges(directed: pd.DataFrame) -> pd.DataFrame:
    """The directed edges of :func:`qut_network` as one row per unordered pair, losing nothing.

    Why: every run of coordgraph is stored as undirected COORDINATED edges (one per pair,
    smaller id first), so a QUT network keeps both directions on the pair's one edge:

    - ``n_content_id`` = weight(account_id -> account_id_y), ``n_content_id_y`` =
      weight(account_id_y -> account_id), missing (NA) when that direction is not in the
      toolkit's output (no match, or below ``min_edge_weight``). The toolkit's weight(A -> B)
      is the number of distinct messages of A matched by a message of B: CooRTweet's
      ``n_content_id`` (distinct posts of an account in the pair's co-shares) under QUT's rule;
    - ``weight`` = the larger of the two (what the web app's weight filter and strength use);
    - ``edge_symmetry_score`` = smaller / larger (0 when one direction is missing), as CooRTweet.

    A self-loop (``loops=True``) has the same weight in both columns. :func:`directed_edges`
    gives the toolkit's rows back exactly."""
    a = directed["user_1"].astype(str).to_numpy(dtype=object)
    b = directed["user_2"].astype(str).to_numpy(dtype=object)
    w = directed["weight"].to_numpy(dtype=np.int64)
    forward = a <= b
    frame = pd.DataFrame({"account_id": np.where(forward, a, b), "account_id_y": np.where(forward, b, a),
                          "fwd": np.where(forward, w, -1), "rev": np.where(forward & (a != b), -1, w)})
    pairs = frame.groupby(["account_id", "account_id_y"], sort=True)[["fwd", "rev"]].max().reset_index()
    fwd = pd.array(np.where(pairs["fwd"] >= 0, pairs["fwd"], 0), dtype="Int64")
    rev = pd.array(np.where(pairs["rev"] >= 0, pairs["rev"], 0), dtype="Int64")
    fwd[pairs["fwd"].to_numpy() < 0] = pd.NA
    rev[pairs["rev"].to_numpy() < 0] = pd.NA
    hi = np.maximum(pairs["fwd"], pairs["rev"]).to_numpy(dtype=np.int64)
    lo = np.clip(np.minimum(pairs["fwd"], pairs["rev"]).to_numpy(dtype=np.int64), 0, None)
    return pd.DataFrame({"account_id": pairs["account_id"], "account_id_y": pairs["account_id_y"], "weight": hi,
                         "n_content_id": fwd, "n_content_id_y": rev,
                         "edge_symmetry_score": lo / np.maximum(hi, 1)})[list(UNDIRECTED_COLUMNS)]


def directed_edges(edges: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`undirected_edges`: ``user_1, user_2, weight`` (int64), sorted as
    :func:`qut_network` sorts them. Works on a run's edges read back from files or the store."""
    a = edges["account_id"].astype(str).to_numpy(dtype=object)
    b = edges["account_id_y"].astype(str).to_numpy(dtype=object)
    fwd = pd.to_numeric(edges["n_content_id"], errors="coerce").to_numpy(dtype=float)
    rev = pd.to_numeric(edges["n_content_id_y"], errors="coerce").to_numpy(dtype=float)
    loop = a == b
    keep_rev = ~np.isnan(rev) & ~loop
    keep_fwd = ~np.isnan(fwd)
    out = pd.DataFrame({"user_1": np.concatenate([a[keep_fwd], b[keep_rev]]),
                        "user_2": np.concatenate([b[keep_fwd], a[keep_rev]]),
                        "weight": np.concatenate([fwd[keep_fwd], rev[keep_rev]]).astype(np.int64)})
    return out.sort_values(["user_1", "user_2"], ignore_index=True)
