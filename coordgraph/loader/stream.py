"""Shares from a stream of post batches, without holding the posts table in memory.

Every intent but the two similarity ones is a function of one post at a time, except the
retweets intent's *originals* (a retweeted post found anywhere in the data is also a share
of itself). :func:`shares_from_batches` reshapes each batch as it comes, keeps only a
compact (post_id, account_id, ts) index of the posts that are not retweets, and adds the
originals at the end — giving exactly what :func:`~coordgraph.loader.reshape.reshape` /
:func:`~coordgraph.loader.reshape.stack_intents` give on the whole posts table.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

from coordgraph.loader.errors import LoaderError
from coordgraph.loader.reshape import INTENTS, reshape
from coordgraph.loader.schema import empty_posts

from coordgraph.contracts import GLOBAL_INTENTS  # noqa: E402


def shares_from_batches(
    batches: Iterable[pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]],
    intents: list[str],
    *,
    originals: bool = True,
    **options,
) -> pd.DataFrame:
    """Shares of ``intents`` from posts batches (``iter_post_batches`` output or posts frames).

    One intent gives that intent's shares; several give the multi-modal table with
    ``kind:``-prefixed object ids, in the same row order as ``stack_intents``.
    """
    intents = list(dict.fromkeys(intents))
    if not intents:
        raise LoaderError("no intent given")
    for intent in intents:
        if intent not in INTENTS:
            raise LoaderError(f"unknown intent '{intent}' (known: {', '.join(INTENTS)})")
        if intent in GLOBAL_INTENTS:
            raise LoaderError(f"intent '{intent}' needs all posts at once: use reshape on read_posts")
    parts: dict[str, list[pd.DataFrame]] = {i: [] for i in intents}
    index: list[pd.DataFrame] = []
    retweeted: set[str] = set()
    for batch in _posts_only(batches):
        for intent in intents:
            parts[intent].append(reshape(batch, intent, originals=False, **options))
        if "retweets" in intents and originals:
            is_rt = batch["retweeted_id"].notna()
            retweeted.update(batch.loc[is_rt, "retweeted_id"].tolist())
            index.append(batch.loc[~is_rt, ["post_id", "account_id", "ts"]])
    if "retweets" in intents and originals and index:
        posts = pd.concat(index, ignore_index=True)
        found = posts[posts["post_id"].isin(retweeted)]
        # each original is a share of itself: object = content = its own id
        parts["retweets"].append(reshape(found.assign(retweeted_id=found["post_id"]), "retweets", originals=False))
    frames = []
    for intent in intents:
        if parts[intent]:
            shares = pd.concat(parts[intent], ignore_index=True)
        else:
            shares = reshape(empty_posts(), intent, originals=False, **options)
        if len(intents) > 1:
            shares = shares.assign(object_id=intent + ":" + shares["object_id"])
        frames.append(shares)
    out = pd.concat(frames, ignore_index=True)
    out["timestamp_share"] = out["timestamp_share"].astype("int64")
    return out


def _posts_only(batches) -> Iterator[pd.DataFrame]:
    """The posts frame of each item (an ``iter_post_batches`` pair or a posts frame)."""
    for item in batches:
        yield item[0] if isinstance(item, tuple) else item
