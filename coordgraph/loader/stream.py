"""Shares from a stream of post batches, without holding the posts table in memory.

Every intent but the two similarity ones is a function of one post at a time, except the
retweets intent's *originals* (a retweeted post found anywhere in the data is also a share
of itself). :func:`shares_from_batches` reshapes each batch as it comes, keeps only a
compact (post_id, account_id, ts) index of the posts that are not retweets, and adds the
originals at the end — giving exactly what :func:`~coordgraph.loader.reshape.reshape` /
:func:`~coordgraph.loader.reshape.stack_intents` give on the whole posts table.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import pandas as pd

from coordgraph.loader.errors import LoaderError
from coordgraph.loader.reshape import INTENTS, reshape
from coordgraph.loader.schema import empty_posts

from coordgraph.contracts import GLOBAL_INTENTS  # noqa: E402


#: what in a post's text hints that an intent could have found objects (see report.py)
_TEXT_HINTS = {"hashtags": "#", "mentions": "@", "urls": "http", "urls_domains": "http", "retweets": "RT @"}


def text_evidence(posts: pd.DataFrame, intents, evidence: Counter, found: Counter) -> None:
    """Count, for each intent that has found no share yet, the posts whose text hints at its
    objects (``'#'`` for hashtags...): cheap, since an intent stops looking once it finds one."""
    text = posts["text"]
    for intent in intents:
        hint = _TEXT_HINTS.get(intent)
        if hint and not found[intent] and len(posts):
            evidence[intent] += int(text.str.contains(hint, regex=False).fillna(False).sum())


def shares_from_batches(
    batches: Iterable[pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]],
    intents: list[str],
    *,
    originals: bool = True,
    skipped: Counter | None = None,
    evidence: Counter | None = None,
    **options,
) -> pd.DataFrame:
    """Shares of ``intents`` from posts batches (``iter_post_batches`` output or posts frames).

    One intent gives that intent's shares; several give the multi-modal table with
    ``kind:``-prefixed object ids, in the same row order as ``stack_intents``.
    ``skipped`` (Counter) receives the objects left out on purpose by reason; ``evidence``
    (Counter) the posts whose text hints at objects of an intent that found none.
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
    found: Counter = Counter()
    for batch in _posts_only(batches):
        for intent in intents:
            part = reshape(batch, intent, originals=False, skipped=skipped, **options)
            found[intent] += len(part)
            parts[intent].append(part)
        if evidence is not None:
            text_evidence(batch, intents, evidence, found)
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
