"""The ``similar_images`` intent: posts whose images are perceptually near-identical share one object.

Why: the ``images`` intent matches identical hashes only, so re-encoding, resizing or a
watermark (which move a perceptual hash by a few bits) hide a campaign. Here two 64-bit
perceptual hashes are *near* when their Hamming distance is ``<= max_distance`` bits
(default 4), and each group of near images is one object.

How (no all-pairs comparison):

* **Multi-index hashing** (Norouzi, Punjani & Fleet, 2012): the 64 bits are cut into
  ``max_distance + 1`` disjoint chunks. Two hashes within ``d`` bits differ in at most ``d``
  chunks, so by the pigeonhole principle they agree exactly on at least one chunk. Hashes are
  bucketed by each chunk's value; only hashes sharing a bucket are compared (XOR + popcount),
  and only distinct hashes are considered. The result is exact: the same pairs as all-pairs.
* **Groups = connected components** of the near pairs (igraph), like ``similar_text``:
  every near pair ends in one object; chains (A~B, B~C) join A and C too.
* The object id of a group is its representative hash: the one carried by most shares, ties
  broken by the smallest hash; written as 16 lowercase hex digits.

Cost: with ``n`` distinct hashes and chunks of ``64 / (d + 1)`` bits, a bucket holds about
``n / 2**(64 / (d + 1))`` hashes; at d = 4 (13-bit chunks) a million hashes give ~120 per
bucket. Distances above ~8 bits make chunks small and buckets big: use with care.

Input: the posts' ``image_hashes`` column (list of hex strings, up to 16 hex digits, an
optional ``0x``). Retweets (``retweeted_id`` set) are left out by default, as their images are
the original's.
"""
from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd

KIND = "similar_images"
HASH_BITS = 64


def parse_hashes(values: list, where: list[int]) -> np.ndarray:
    """Parse hex hash strings to uint64; a bad one raises ValueError naming its posts row."""
    out = np.empty(len(values), dtype=np.uint64)
    for k, (value, row) in enumerate(zip(values, where)):
        text = str(value).strip().lower()
        if text.startswith("0x"):
            text = text[2:]
        try:
            if not text or len(text) > 16:
                raise ValueError
            out[k] = int(text, 16)
        except ValueError:
            raise ValueError(
                f"posts: row {row}: field 'image_hashes': {value!r} is not a 64-bit hex hash"
            ) from None
    return out


def chunk_bounds(max_distance: int) -> list[tuple[int, int]]:
    """The ``max_distance + 1`` disjoint bit ranges (shift, width) covering 64 bits, widest first."""
    m = max_distance + 1
    base, extra = divmod(HASH_BITS, m)
    bounds, shift = [], 0
    for c in range(m):
        width = base + (1 if c < extra else 0)
        bounds.append((shift, width))
        shift += width
    return bounds


def near_pairs(hashes: np.ndarray, max_distance: int = 4) -> np.ndarray:
    """All pairs ``(i, j)``, ``i < j``, of distinct ``hashes`` within ``max_distance`` bits.

    Multi-index hashing (see module doc): exact, compares only hashes sharing a chunk value.
    Returns an ``(m, 2)`` int64 array of positions into ``hashes``, without duplicates.
    """
    if max_distance < 0 or max_distance >= HASH_BITS:
        raise ValueError(f"max_distance must be in 0..63 bits, got {max_distance}")
    hashes = np.asarray(hashes, dtype=np.uint64)
    n = len(hashes)
    found = []
    for shift, width in chunk_bounds(max_distance):
        key = (hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            members = np.sort(order[start : start + size])
            a, b = np.triu_indices(size, k=1)
            dist = np.bitwise_count(hashes[members[a]] ^ hashes[members[b]])
            hit = dist <= max_distance
            if hit.any():
                found.append(np.column_stack([members[a[hit]], members[b[hit]]]))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.vstack(found).astype(np.int64), axis=0)


def image_rows(posts: pd.DataFrame, include_retweets: bool = False) -> pd.DataFrame:
    """One row per (post, image hash): post_id, account_id, ts, hash (uint64), in posts order."""
    missing = [c for c in ("post_id", "account_id", "ts", "image_hashes") if c not in posts.columns]
    if missing:
        raise ValueError(f"posts: missing column(s) {', '.join(missing)} for the similar_images intent")
    frame = posts.reset_index(drop=True)
    frame = frame.assign(_row=np.arange(len(frame)))
    if not include_retweets and "retweeted_id" in frame.columns:
        frame = frame[frame["retweeted_id"].isna()]
    lists = frame["image_hashes"].tolist()
    lengths = np.fromiter((len(v) if isinstance(v, (list, tuple, np.ndarray)) else 0 for v in lists), dtype=np.int64, count=len(lists))
    rows = np.repeat(np.arange(len(frame)), lengths)
    flat = [h for v, n in zip(lists, lengths) if n for h in v]
    keep = np.fromiter((h is not None and str(h).strip() != "" for h in flat), dtype=bool, count=len(flat))
    rows = rows[keep]
    flat = [h for h, k in zip(flat, keep) if k]
    sub = frame.iloc[rows]
    return pd.DataFrame(
        {
            "post_id": sub["post_id"].astype(str).to_numpy(),
            "account_id": sub["account_id"].astype(str).to_numpy(),
            "ts": sub["ts"].astype("int64").to_numpy(),
            "hash": parse_hashes(flat, sub["_row"].tolist()),
        }
    )


def similar_image_groups(
    posts: pd.DataFrame, max_distance: int = 4, include_retweets: bool = False
) -> pd.DataFrame:
    """Per (post, image hash): its group's object id (representative hash) and group size.

    Columns: post_id, account_id, ts, hash (16 hex digits), object_id, group_hashes (distinct
    hashes in the group).
    """
    rows = image_rows(posts, include_retweets)
    if rows.empty:
        return rows.assign(hash=pd.Series(dtype=object), object_id=pd.Series(dtype=object), group_hashes=pd.Series(dtype="int64"))
    uniq, inverse, counts = np.unique(rows["hash"].to_numpy(), return_inverse=True, return_counts=True)
    pairs = near_pairs(uniq, max_distance)
    graph = ig.Graph(n=len(uniq), edges=pairs.tolist())
    group = np.asarray(graph.connected_components().membership, dtype=np.int64)
    # representative: most shares, then the smallest hash (uniq is sorted ascending)
    order = np.lexsort((uniq, -counts, group))
    first = order[np.r_[True, group[order][1:] != group[order][:-1]]]
    rep = np.empty(group.max() + 1, dtype=np.uint64)
    rep[group[first]] = uniq[first]
    sizes = np.bincount(group)
    g = group[inverse]
    return rows.assign(
        hash=[f"{h:016x}" for h in rows["hash"].tolist()],
        object_id=[f"{h:016x}" for h in rep[g].tolist()],
        group_hashes=sizes[g].astype("int64"),
    )


def similar_image_shares(
    posts: pd.DataFrame, max_distance: int = 4, include_retweets: bool = False
) -> pd.DataFrame:
    """Shares (docs/contracts.md) of the ``similar_images`` intent.

    One row per (post, near-image group): ``object_id`` = the group's representative hash,
    ``content_id`` = ``post_id``, ``timestamp_share`` = ``ts`` (UNIX seconds, UTC), ``kind`` =
    ``"similar_images"``. A post with two images of one group shares that object once.
    """
    groups = similar_image_groups(posts, max_distance, include_retweets)
    shares = pd.DataFrame(
        {
            "object_id": groups["object_id"].astype(str),
            "account_id": groups["account_id"].astype(str),
            "content_id": groups["post_id"].astype(str),
            "timestamp_share": groups["ts"].astype("int64"),
            "kind": KIND,
        }
    )
    return shares.drop_duplicates(["object_id", "content_id"]).reset_index(drop=True)
