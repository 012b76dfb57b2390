"""Influence per account: engagement received, followers, cascades, audience places, one score.

A *cascade* is the tree of posts in the data linked by "retweets / quotes / replies to": each
post has at most one parent, chosen in that order of priority (``retweeted_id``, then
``quoted_id``, then ``replied_to_id``), and only when the parent post is in the data.
For a post p: ``size`` = number of posts below p (any depth), ``depth`` = length of the longest
chain below p (0 = nobody responded). On Twitter a retweet of a retweet points to the
original, so retweets alone give depth 1; quotes and replies make deeper trees.

:func:`account_influence` returns one row per author; definitions of every column and of the
score are in docs/trends.md and in the function's docstring.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from coordgraph.analysis.trend_select import check_posts

#: Default weights of the influence score components (renormalised over those available).
SCORE_WEIGHTS = {
    "retweets": 1.0, "quotes": 1.0, "replies": 1.0, "likes": 1.0,
    "followers": 1.0, "cascade_size": 1.0, "cascade_depth": 1.0,
}
_LINKS = ("retweeted_id", "quoted_id", "replied_to_id")


def _ids(posts: pd.DataFrame, col: str) -> pd.Series:
    """Referenced-id column as str with missing/blank -> NaN (missing column -> all NaN)."""
    if col not in posts.columns:
        return pd.Series(np.nan, index=posts.index, dtype=object)
    raw = posts[col]
    text = raw.astype(str).astype(object)
    return text.where(raw.notna() & (text != ""), np.nan)


def _position_of(posts: pd.DataFrame) -> pd.Series:
    """Row position by post id (the first row wins when an id repeats)."""
    pos_of = pd.Series(np.arange(len(posts)), index=posts["post_id"].astype(str))
    return pos_of[~pos_of.index.duplicated(keep="first")]


def link_positions(posts: pd.DataFrame) -> dict[str, np.ndarray]:
    """For each link column (retweeted_id, quoted_id, replied_to_id): the row position of the
    referenced post in ``posts``, -1 when it is not in the data (or not given)."""
    pos_of = _position_of(posts)
    out = {}
    for col in _LINKS:
        pos = pos_of.reindex(_ids(posts, col).to_numpy()).to_numpy()
        out[col] = np.where(np.isnan(pos), -1, pos).astype(np.int64)
    return out


def parent_positions(posts: pd.DataFrame, links: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Row position of each post's parent in ``posts`` (-1: no parent in the data).

    Parent = the post it retweets, else quotes, else replies to. Self-references are dropped.
    """
    links = link_positions(posts) if links is None else links
    parent = np.full(len(posts), -1, dtype=np.int64)
    for col in reversed(_LINKS):                     # later assignments win: retweet first
        found = links[col] >= 0
        parent[found] = links[col][found]
    parent[parent == np.arange(len(posts))] = -1
    return parent


def _levels(parent: np.ndarray, post_ids: pd.Series | None) -> np.ndarray:
    """Distance of every post from the root of its cascade (pointer jumping, O(n log depth)).

    Raises ``ValueError`` naming a post when the links form a cycle.
    """
    dist = (parent >= 0).astype(np.int64)          # distance to anc[i] (or to the root)
    anc = parent.copy()
    for _ in range(64):
        m = anc >= 0
        if not m.any():
            return dist
        a = anc[m]
        new_dist = dist.copy()
        new_dist[m] = dist[m] + dist[a]
        new_anc = anc.copy()
        new_anc[m] = anc[a]
        dist, anc = new_dist, new_anc
    bad = int(np.flatnonzero(anc >= 0)[0])
    name = post_ids.iloc[bad] if post_ids is not None else bad
    raise ValueError(f"posts: retweeted_id/quoted_id/replied_to_id links form a cycle "
                     f"through post_id {name}")


def cascade_size_depth(parent: np.ndarray, post_ids: pd.Series | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(size, depth) of the cascade under every post, from parent positions (-1 = root).

    Posts are folded into their parents level by level, deepest first. Raises ``ValueError``
    when the links form a cycle.
    """
    n = parent.size
    level = _levels(parent, post_ids)
    size = np.zeros(n, dtype=np.int64)
    depth = np.zeros(n, dtype=np.int64)
    order = np.argsort(-level, kind="stable")
    bounds = np.flatnonzero(np.diff(level[order])) + 1
    for idx in np.split(order, bounds):
        if idx.size == 0 or level[idx[0]] == 0:
            continue
        par = parent[idx]
        np.add.at(size, par, size[idx] + 1)
        np.maximum.at(depth, par, depth[idx] + 1)
    return size, depth


def _received(posts: pd.DataFrame, authors: np.ndarray, col: str, pos: np.ndarray) -> pd.Series:
    """Posts by *other* accounts that point at each account's posts through ``col``.

    ``pos``: row positions of the referenced posts (-1 outside the data).
    """
    target = np.full(len(posts), None, dtype=object)
    found = pos >= 0
    target[found] = authors[pos[found]]
    if col == "replied_to_id" and "replied_to_account_id" in posts.columns:
        acc = _ids(posts, "replied_to_account_id").to_numpy()
        given = pd.notna(acc)
        target[given] = acc[given]
    keep = pd.notna(target) & (target != authors)
    return pd.Series(target[keep]).value_counts()


def _counter_sums(posts: pd.DataFrame, authors: np.ndarray) -> pd.DataFrame:
    """Engagement counters summed over each account's original (non-retweet) posts."""
    orig = _ids(posts, "retweeted_id").isna().to_numpy()
    data = {"account_id": authors[orig]}
    for col in ("retweet_count", "like_count", "quote_count", "reply_count"):
        vals = pd.to_numeric(posts[col], errors="coerce").fillna(0) if col in posts.columns \
            else pd.Series(0, index=posts.index)
        data[f"{col}_sum"] = vals.to_numpy(dtype=np.int64)[orig]
    return pd.DataFrame(data).groupby("account_id").sum()


def _audience_places(posts: pd.DataFrame, authors: np.ndarray, parent: np.ndarray) -> pd.Series | None:
    """Distinct places of direct responses by other accounts, per account; None without places."""
    if "place" not in posts.columns or posts["place"].isna().all():
        return None
    place = posts["place"].to_numpy(dtype=object)
    child = np.flatnonzero(parent >= 0)
    owner = authors[parent[child]]
    frame = pd.DataFrame({"account_id": owner, "place": place[child], "by": authors[child]})
    frame = frame[frame["place"].notna() & (frame["account_id"] != frame["by"])]
    return frame.groupby("account_id")["place"].nunique()


def influence_score(table: pd.DataFrame, weights: dict[str, float] | None = None) -> pd.Series:
    """Score 0..100: weighted mean over components of log1p(x) / log1p(max x over accounts).

    Components (columns of ``table``): retweets, quotes, replies, likes, followers,
    cascade_size, cascade_depth. A component whose maximum is 0 or that is missing for an
    account (followers unknown) is left out of that account's mean (weights renormalised).
    Log scaling keeps one viral account from flattening everyone else to zero.
    """
    w = SCORE_WEIGHTS if weights is None else weights
    num = pd.Series(0.0, index=table.index)
    den = pd.Series(0.0, index=table.index)
    for comp, weight in w.items():
        if comp not in table.columns or weight == 0:
            continue
        x = pd.to_numeric(table[comp], errors="coerce").astype(np.float64)
        top = x.max(skipna=True)
        if not np.isfinite(top) or top <= 0:
            continue
        part = np.log1p(x.clip(lower=0)) / np.log1p(top)
        avail = part.notna()
        num[avail] += weight * part[avail]
        den[avail] += weight
    return (100.0 * num / den.where(den > 0)).fillna(0.0)


def account_influence(posts: pd.DataFrame, accounts: pd.DataFrame | None = None,
                      weights: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per author of ``posts``, most influential first.

    Columns:
    - posts: posts authored; retweets_received / quotes_received / replies_received: posts in
      the data by other accounts that retweet / quote / reply to the account's posts (a reply
      counts for ``replied_to_account_id`` when given, else the author of the replied post);
    - retweet_count_sum, like_count_sum, quote_count_sum, reply_count_sum: the platform's
      counters summed over the account's original (non-retweet) posts (a retweet carries the
      original's counters, so retweets are left out to avoid double counting);
    - retweets, quotes, replies = max(events received, counter sum) (stream data has counters
      of 0 at posting time; search data has counters beyond the posts collected); likes =
      like_count_sum; followers: ``followers_count`` from ``accounts`` (<NA> when unknown);
    - cascade_size / cascade_depth: the largest size and depth of the cascades under the
      account's posts; cascades: its posts with at least one response;
    - audience_places: distinct ``place`` values of direct responses by other accounts
      (only when the data has places);
    - influence_score: :func:`influence_score` (0..100).
    """
    check_posts(posts)
    posts = posts.reset_index(drop=True)
    authors = posts["account_id"].astype(str).to_numpy(dtype=object)
    links = link_positions(posts)
    parent = parent_positions(posts, links)
    size, depth = cascade_size_depth(parent, posts["post_id"])
    per_post = pd.DataFrame({"account_id": authors, "size": size, "depth": depth,
                             "responded": (size > 0).astype(np.int64)})
    g = per_post.groupby("account_id")
    table = pd.DataFrame({"posts": g.size(), "cascade_size": g["size"].max(),
                          "cascade_depth": g["depth"].max(), "cascades": g["responded"].sum()})
    for col, name in (("retweeted_id", "retweets_received"), ("quoted_id", "quotes_received"),
                      ("replied_to_id", "replies_received")):
        table[name] = _received(posts, authors, col, links[col]).reindex(table.index).fillna(0).astype(np.int64)
    table = table.join(_counter_sums(posts, authors))
    for c in ("retweet_count_sum", "like_count_sum", "quote_count_sum", "reply_count_sum"):
        table[c] = table[c].fillna(0).astype(np.int64)
    table["retweets"] = np.maximum(table["retweets_received"], table["retweet_count_sum"])
    table["quotes"] = np.maximum(table["quotes_received"], table["quote_count_sum"])
    table["replies"] = np.maximum(table["replies_received"], table["reply_count_sum"])
    table["likes"] = table["like_count_sum"]
    table["followers"] = _followers(accounts).reindex(table.index).round().astype("Int64")
    places = _audience_places(posts, authors, parent)
    if places is not None:
        table["audience_places"] = places.reindex(table.index).fillna(0).astype(np.int64)
    table["influence_score"] = influence_score(table, weights)
    table.index.name = "account_id"
    return (table.reset_index()
            .sort_values(["influence_score", "account_id"], ascending=[False, True], kind="stable")
            .reset_index(drop=True))


def _followers(accounts: pd.DataFrame | None) -> pd.Series:
    """followers_count per account id (empty when unknown)."""
    if accounts is None or "followers_count" not in accounts.columns:
        return pd.Series([], dtype=np.float64)
    s = pd.to_numeric(accounts["followers_count"], errors="coerce").astype(np.float64)
    s.index = accounts["account_id"].astype(str)
    return s[~s.index.duplicated()]


#: Columns of a post that influence needs (texts and entities are not kept by the accumulator).
INFLUENCE_COLUMNS = ("post_id", "account_id", "ts", "retweeted_id", "quoted_id", "replied_to_id",
                     "replied_to_account_id", "place", "retweet_count", "like_count", "quote_count",
                     "reply_count")


class InfluenceAccumulator:
    """Follow influence over a stream: ``add(batch)`` then ``table()``, equal to the one-shot result.

    A reply arriving later can deepen the cascade under any earlier post, so the accumulator
    keeps the link columns of every post (:data:`INFLUENCE_COLUMNS`: ids, links, place and
    counters; no texts or entity lists) and folds the cascades again, in numpy, when asked
    for the table. Posts already seen (same post_id) are ignored.
    """

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self._seen: set[str] = set()
        self.batches = 0

    def add(self, posts: pd.DataFrame) -> "InfluenceAccumulator":
        """Keep the influence columns of the batch's new posts."""
        check_posts(posts)
        slim = pd.DataFrame({c: posts[c] for c in INFLUENCE_COLUMNS if c in posts.columns})
        ids = slim["post_id"].astype(str)
        fresh = ~ids.isin(self._seen) & ~ids.duplicated()
        slim = slim[fresh.to_numpy()]
        self._seen.update(ids[fresh])
        if len(slim):
            self._parts = [pd.concat([*self._parts, slim], ignore_index=True)] if len(self._parts) > 16 \
                else [*self._parts, slim]
        self.batches += 1
        return self

    def posts(self) -> pd.DataFrame:
        """The kept columns of every post seen so far."""
        if not self._parts:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("post_id", "account_id", "ts")})
        self._parts = [pd.concat(self._parts, ignore_index=True)] if len(self._parts) > 1 else self._parts
        return self._parts[0]

    def table(self, accounts: pd.DataFrame | None = None, weights: dict[str, float] | None = None) -> pd.DataFrame:
        """:func:`account_influence` over every post seen so far."""
        return account_influence(self.posts(), accounts, weights)
