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
