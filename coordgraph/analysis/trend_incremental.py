"""Trend statistics from mergeable summaries, so a stream can be followed batch by batch.

:class:`TrendSummary` holds the *sufficient statistics* of one trend: counts and sums, posts
and first/last post time per account, posts per second, per normalised text its post count
and whether two accounts posted it, co-occurring hashtags. Two summaries of disjoint batches
merge into the summary of their union; :meth:`TrendSummary.stats` turns a summary into the
statistics of docs/trends.md. :func:`coordgraph.analysis.trends.trend_stats` is exactly
``summarise(posts).stats()``, and :class:`TrendAccumulator` keeps one summary per trend and
merges each new batch into it: earlier batches are never read again.

An account's mean gap between consecutive posts needs only its first time, last time and
post count: the gaps telescope, sum = last - first, whatever order the batches arrive in.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coordgraph.analysis import trend_indicators as ind
from coordgraph.analysis.trend_select import (  # noqa: F401  (normalise_texts re-exported)
    HashtagIndex, Trend, check_posts, explode_list_column, normalise_hashtag, normalise_texts, trend_mask,
)

_ENGAGEMENT = ("retweet_count", "like_count", "quote_count", "reply_count")


def _referenced(posts: pd.DataFrame, col: str) -> np.ndarray:
    """True where the referenced-id column ``col`` is set (missing column -> all False)."""
    if col not in posts.columns:
        return np.zeros(len(posts), dtype=bool)
    c = posts[col]
    return (c.notna() & (c.astype(str).str.len() > 0)).to_numpy(dtype=bool)


def _timestamps(posts: pd.DataFrame) -> np.ndarray:
    """``ts`` as int64 UNIX seconds; a ValueError names the first bad row (index label, post_id)."""
    ts = pd.to_numeric(posts["ts"], errors="coerce")
    bad = ts.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"posts: field 'ts': index {posts.index[i]} (post_id {posts['post_id'].iloc[i]!r}): "
                         f"{posts['ts'].iloc[i]!r} is not UNIX seconds")
    return ts.to_numpy(dtype=np.int64)


def _counts(posts: pd.DataFrame, col: str) -> np.ndarray:
    """Engagement counter ``col`` as int64 (missing column or value -> 0)."""
    if col not in posts.columns:
        return np.zeros(len(posts), dtype=np.int64)
    return pd.to_numeric(posts[col], errors="coerce").fillna(0).to_numpy(dtype=np.int64)


@dataclass
class TrendSummary:
    """Mergeable sufficient statistics of one trend (see the module docstring).

    ``scalars``: event counts and engagement sums; ``accounts``: index account_id, columns
    posts, first_ts, last_ts (UNIX s); ``seconds``: posts per UNIX second; ``texts``: index
    normalised text of original posts, columns posts, first_account, multi (posted by two or
    more accounts); ``cohashtags``: posts per co-occurring hashtag (lowercase, no ``#``).
    """

    name: str
    hashtag: str | None = None
    scalars: dict[str, int] = field(default_factory=dict)
    accounts: pd.DataFrame = field(default_factory=lambda: _empty_accounts())
    seconds: pd.Series = field(default_factory=lambda: pd.Series([], dtype=np.int64))
    texts: pd.DataFrame = field(default_factory=lambda: _empty_texts())
    cohashtags: pd.Series = field(default_factory=lambda: pd.Series([], dtype=np.int64))

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_posts(cls, posts: pd.DataFrame, trend: "Trend | str | None" = None) -> "TrendSummary":
        """Summary of ``posts`` (all of them are the trend's posts; select them first)."""
        check_posts(posts)
        t = Trend.parse(trend) if trend is not None else Trend(name="all", query=lambda p: [True] * len(p))
        is_rt = _referenced(posts, "retweeted_id")
        orig = ~is_rt
        eng = {c: _counts(posts, c) for c in _ENGAGEMENT}
        scalars = {
            "posts": len(posts),
            "originals": int(orig.sum()),
            "retweets": int(is_rt.sum()),
            "quotes": int(_referenced(posts, "quoted_id").sum()),
            "replies": int(_referenced(posts, "replied_to_id").sum()),
            **{f"{c}_sum": int(eng[c][orig].sum()) for c in _ENGAGEMENT},
            "more_retweets_than_likes": int((eng["retweet_count"] > eng["like_count"])[orig].sum()),
        }
        ts = _timestamps(posts)
        acc = posts["account_id"].astype(str).to_numpy()
        frame = pd.DataFrame({"account_id": acc, "ts": ts})
        accounts = frame.groupby("account_id", sort=False)["ts"].agg(
            posts="size", first_ts="min", last_ts="max")
        seconds = frame.groupby("ts")["ts"].size().astype(np.int64)
        return cls(name=t.name, hashtag=t.hashtag, scalars=scalars,
                   accounts=accounts.astype(np.int64),
                   seconds=seconds.rename_axis(None).rename(None),
                   texts=_text_table(posts, orig), cohashtags=_cohashtag_counts(posts, t.hashtag))

    def merge(self, other: "TrendSummary") -> "TrendSummary":
        """Summary of the union of the two (disjoint) batches summarised by ``self`` and ``other``."""
        scalars = {k: self.scalars.get(k, 0) + other.scalars.get(k, 0)
                   for k in dict.fromkeys([*self.scalars, *other.scalars])}
        both = pd.concat([self.accounts, other.accounts])
        accounts = both.groupby(level=0, sort=False).agg(
            posts=("posts", "sum"), first_ts=("first_ts", "min"), last_ts=("last_ts", "max"))
        seconds = pd.concat([self.seconds, other.seconds]).groupby(level=0).sum()
        texts = _merge_texts(self.texts, other.texts)
        co = pd.concat([self.cohashtags, other.cohashtags]).groupby(level=0).sum()
        return TrendSummary(self.name, self.hashtag, scalars, accounts.astype(np.int64),
                            seconds.astype(np.int64), texts, co.astype(np.int64))

    # -- reading -----------------------------------------------------------------------------
    def post_counts(self) -> pd.Series:
        """Posts per account in the trend (index account id)."""
        return self.accounts["posts"]

    def account_ids(self) -> set[str]:
        """The trend's distinct accounts."""
        return set(self.accounts.index.astype(str))

    def top_cohashtags(self, k: int = 10) -> pd.DataFrame:
        """The ``k`` hashtags most often on the trend's posts besides its own: hashtag, posts."""
        co = self.cohashtags.sort_index().sort_values(ascending=False, kind="stable").head(k)
        return pd.DataFrame({"hashtag": co.index.astype(str), "posts": co.to_numpy(dtype=np.int64)})

    def stats(self, accounts: pd.DataFrame | None = None, coordinated_accounts=None,
              new_account_days: float = 30.0, top_k_hashtags: int = 5) -> dict:
        """Every statistic and inflation indicator of the trend (keys defined in docs/trends.md)."""
        sc = self.scalars
        n_posts = sc.get("posts", 0)
        n_orig = sc.get("originals", 0)
        per_acc = self.accounts
        n_acc = len(per_acc)
        repeat = per_acc[per_acc["posts"] >= 2]
        span = (repeat["last_ts"] - repeat["first_ts"]).astype(np.float64)
        n_gaps = (repeat["posts"] - 1).astype(np.float64)
        texts = self.texts
        dup = texts[texts["multi"]]
        n_text_posts = int(texts["posts"].sum()) if len(texts) else 0
        volume = ind.hourly_volume(self.seconds)
        counts = per_acc["posts"]
        created = _created_at(accounts)
        new_acc, new_posts, known = ind.new_account_pcts(per_acc["first_ts"], created, counts,
                                                         new_account_days)
        coord_pct, coord_n = ind.coordinated_pcts(counts, coordinated_accounts)
        top = self.top_cohashtags(top_k_hashtags)
        out = {
            "trend": self.name,
            "posts": n_posts,
            "originals": n_orig,
            "retweets": sc.get("retweets", 0),
            "quotes": sc.get("quotes", 0),
            "replies": sc.get("replies", 0),
            "retweet_count_sum": sc.get("retweet_count_sum", 0),
            "like_count_sum": sc.get("like_count_sum", 0),
            "quote_count_sum": sc.get("quote_count_sum", 0),
            "reply_count_sum": sc.get("reply_count_sum", 0),
            "more_retweets_than_likes_pct": _pct(sc.get("more_retweets_than_likes", 0), n_orig),
            "accounts": n_acc,
            "posts_per_account": _ratio(n_posts, n_acc),
            "retweets_per_account": _ratio(sc.get("retweets", 0), n_acc),
            "retweet_count_per_account": _ratio(sc.get("retweet_count_sum", 0), n_acc),
            "duplicate_text_posts": int(dup["posts"].sum()) if len(dup) else 0,
            "duplicate_text_pct": _pct(int(dup["posts"].sum()) if len(dup) else 0, n_text_posts),
            "duplicated_texts": len(dup),
            "accounts_with_gap": len(repeat),
            "mean_gap_s": float(span.sum() / n_gaps.sum()) if len(repeat) else math.nan,
            "mean_account_gap_s": float((span / n_gaps).mean()) if len(repeat) else math.nan,
            "first_ts": int(per_acc["first_ts"].min()) if n_acc else None,
            "last_ts": int(per_acc["last_ts"].max()) if n_acc else None,
            "hours": len(volume),
            "peak_hour_posts": int(volume.max()) if len(volume) else 0,
            "peak_to_mean_hourly": ind.peak_to_mean(volume),
            "burstiness": ind.burstiness_from_second_counts(self.seconds),
            "top1pct_accounts_posts_pct": ind.top_share_pct(counts, 0.01),
            "gini_posts_per_account": ind.gini(counts),
            "new_accounts_pct": new_acc,
            "new_accounts_posts_pct": new_posts,
            "accounts_with_created_at": known,
            "coordinated_posts_pct": coord_pct,
            "coordinated_accounts": coord_n,
            "top_cohashtags": ", ".join(f"#{h} ({p})" for h, p in zip(top["hashtag"], top["posts"])),
        }
        return out


def _empty_accounts() -> pd.DataFrame:
    return pd.DataFrame({"posts": pd.Series([], dtype=np.int64),
                         "first_ts": pd.Series([], dtype=np.int64),
                         "last_ts": pd.Series([], dtype=np.int64)})


def _empty_texts() -> pd.DataFrame:
    return pd.DataFrame({"posts": pd.Series([], dtype=np.int64),
                         "first_account": pd.Series([], dtype=object),
                         "multi": pd.Series([], dtype=bool)})


def _pct(num: float, den: float) -> float:
    return 100.0 * num / den if den else math.nan


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def _text_table(posts: pd.DataFrame, orig: np.ndarray) -> pd.DataFrame:
    """Per normalised text of the original (non-retweet) posts: posts, first account, multi."""
    if "text" not in posts.columns or not orig.any():
        return _empty_texts()
    norm = normalise_texts(posts["text"][orig])
    frame = pd.DataFrame({"text": norm.to_numpy(),
                          "account_id": posts["account_id"][orig].astype(str).to_numpy()})
    frame = frame[frame["text"] != ""]
    if frame.empty:
        return _empty_texts()
    g = frame.groupby("text", sort=False)["account_id"]
    return pd.DataFrame({"posts": g.size().astype(np.int64), "first_account": g.first(),
                         "multi": g.nunique() > 1})


def _merge_texts(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Merge two text tables: a text is multi when either is, or their first accounts differ."""
    if a.empty:
        return b.copy()
    if b.empty:
        return a.copy()
    both = pd.concat([a, b])
    g = both.groupby(level=0, sort=False)
    return pd.DataFrame({"posts": g["posts"].sum().astype(np.int64),
                         "first_account": g["first_account"].first(),
                         "multi": g["multi"].any() | (g["first_account"].nunique() > 1)})


def _cohashtag_counts(posts: pd.DataFrame, own: str | None) -> pd.Series:
    """Posts per hashtag (lowercase, no ``#``, once per post), the trend's own hashtag left out."""
    rows, vals = explode_list_column(posts, "hashtags")
    if not len(vals):
        return pd.Series([], dtype=np.int64)
    tags = pd.Series(vals).str.lstrip("#").str.lower()
    frame = pd.DataFrame({"row": rows, "tag": tags.to_numpy()}).drop_duplicates()
    if own is not None:
        frame = frame[frame["tag"] != normalise_hashtag(own)]
    frame = frame[frame["tag"] != ""]
    return frame.groupby("tag")["row"].size().astype(np.int64).rename_axis(None).rename(None)


def _created_at(accounts: pd.DataFrame | None) -> pd.Series:
    """Account creation times (UNIX s) indexed by account id; empty when unknown."""
    if accounts is None or "created_at" not in accounts.columns:
        return pd.Series([], dtype="Int64")
    s = pd.to_numeric(accounts["created_at"], errors="coerce")
    s.index = accounts["account_id"].astype(str)
    return s[~s.index.duplicated()]


def summarise(posts: pd.DataFrame, trend: "Trend | str", tags: HashtagIndex | None = None) -> TrendSummary:
    """Summary of the posts of ``posts`` that belong to ``trend`` (``tags``: a reusable index)."""
    t = Trend.parse(trend)
    return TrendSummary.from_posts(posts[trend_mask(posts, t, tags)], t)


class TrendAccumulator:
    """Follow trends over a stream: ``add(batch)`` then ``stats()``, equal to the one-shot result.

    Keeps one :class:`TrendSummary` per trend; each batch is summarised once and merged.
    Memory grows with the distinct accounts, seconds, texts and hashtags seen, not the posts.
    Batches must not repeat posts (de-duplicate upstream; a repeated post counts twice).
    """

    def __init__(self, trends: Iterable["Trend | str"]):
        self.trends = [Trend.parse(t) for t in trends]
        if not self.trends:
            raise ValueError("TrendAccumulator: give at least one trend")
        self.summaries = {t.name: TrendSummary(name=t.name, hashtag=t.hashtag) for t in self.trends}
        self.batches = 0

    def add(self, posts: pd.DataFrame) -> "TrendAccumulator":
        """Merge a new batch of posts (a posts table) into every trend's summary."""
        tags = HashtagIndex(posts) if any(t.hashtag for t in self.trends) else None
        for t in self.trends:
            self.summaries[t.name] = self.summaries[t.name].merge(summarise(posts, t, tags))
        self.batches += 1
        return self

    def stats(self, trend: "Trend | str", accounts: pd.DataFrame | None = None,
              coordinated_accounts=None, **kw) -> dict:
        """Statistics of one trend over every batch added so far."""
        return self.summaries[Trend.parse(trend).name].stats(accounts, coordinated_accounts, **kw)

    def compare(self, accounts: pd.DataFrame | None = None, coordinated_accounts=None) -> pd.DataFrame:
        """Side-by-side table (rows: statistics, columns: trends) over every batch so far."""
        from coordgraph.analysis.trend_report import comparison_table
        return comparison_table(list(self.summaries.values()), accounts, coordinated_accounts)

    def report(self, accounts: pd.DataFrame | None = None, coordinated_accounts=None, top_k: int = 20) -> dict:
        """JSON-ready report over every batch so far (see ``trend_report.report_from_summaries``)."""
        from coordgraph.analysis.trend_report import report_from_summaries
        return report_from_summaries(list(self.summaries.values()), accounts, coordinated_accounts,
                                     top_k=top_k)
