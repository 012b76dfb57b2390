"""Build posts tables by hand, and simulate an organic trend next to an inflated one.

:func:`make_posts` fills the posts-table columns of docs/contracts.md with their defaults,
so tests, notebooks and demos can write only the columns they care about.
:func:`simulate_trend_pair` makes a day of two trends: one organic, one whose volume is
inflated by a planted campaign (new accounts posting copied texts in bursts, many times
each); its coordinated accounts are returned so the coordinated share can be checked.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Posts columns and their defaults (docs/contracts.md).
POST_DEFAULTS = {
    "post_id": None, "account_id": None, "ts": None, "text": "", "lang": None,
    "platform": "twitter", "retweet_count": 0, "like_count": 0, "quote_count": 0,
    "reply_count": 0, "retweeted_id": None, "quoted_id": None, "replied_to_id": None,
    "replied_to_account_id": None, "hashtags": (), "urls": (), "mentions": (),
    "image_hashes": (), "place": None, "source": None,
}
_INT_COLS = ("ts", "retweet_count", "like_count", "quote_count", "reply_count")
_LIST_COLS = ("hashtags", "urls", "mentions", "image_hashes")


def make_posts(records: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """A posts table from records that give at least post_id, account_id and ts (UNIX s UTC).

    Missing columns take the defaults of :data:`POST_DEFAULTS`; ids become str, counts int64,
    list columns lists of str.
    """
    frame = pd.DataFrame(records)
    for col in ("post_id", "account_id", "ts"):
        if col not in frame.columns:
            raise ValueError(f"make_posts: records need column {col!r}")
    for col, default in POST_DEFAULTS.items():
        if col not in frame.columns:
            frame[col] = [list(default) if isinstance(default, tuple) else default] * len(frame)
    frame = frame[list(POST_DEFAULTS)].copy()
    for col in _INT_COLS:
        frame[col] = pd.to_numeric(frame[col]).fillna(0).astype(np.int64)
    for col in ("post_id", "account_id"):
        frame[col] = frame[col].astype(str)
    for col in ("retweeted_id", "quoted_id", "replied_to_id", "replied_to_account_id"):
        frame[col] = frame[col].map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    for col in _LIST_COLS:
        frame[col] = frame[col].map(lambda v: [] if v is None or (isinstance(v, float) and np.isnan(v)) else [str(x) for x in v])
    return frame.reset_index(drop=True)


def make_accounts(records: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """An accounts table (docs/contracts.md) from records with at least account_id."""
    frame = pd.DataFrame(records)
    defaults = {"handle": None, "name": None, "platform": "twitter", "followers_count": None,
                "following_count": None, "posts_count": None, "created_at": None, "verified": None}
    for col, default in defaults.items():
        if col not in frame.columns:
            frame[col] = default
    frame["account_id"] = frame["account_id"].astype(str)
    for col in ("followers_count", "following_count", "posts_count", "created_at"):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    frame["verified"] = frame["verified"].astype("boolean")
    return frame[["account_id", *defaults]].reset_index(drop=True)


@dataclass
class TrendPair:
    """A simulated day: ``posts``, ``accounts``, the two trend hashtags, the planted accounts."""

    posts: pd.DataFrame
    accounts: pd.DataFrame
    organic: str
    inflated: str
    coordinated_accounts: set[str]


_WORDS = np.array(("vote rally city people today news power change love water road farm "
                   "school jobs leader youth future truth march street voice stand home "
                   "rain hope fight price market train night morning sun river hill").split())


def _organic_posts(rng: np.random.Generator, tag: str, n_accounts: int, start: int,
                   duration: int, prefix: str, other_tags: list[str]) -> list[dict]:
    """Posts of ``n_accounts`` ordinary accounts: Poisson arrivals, own texts, likes > retweets."""
    per_account = 1 + rng.poisson(0.6, n_accounts)
    n = int(per_account.sum())
    ts = np.sort(rng.integers(start, start + duration, n))
    owners = rng.permutation(np.repeat(np.arange(n_accounts), per_account))
    likes = rng.poisson(4, n)
    rts = rng.binomial(likes, 0.3)
    out = []
    for i in range(n):
        words = " ".join(rng.choice(_WORDS, 9))
        extra = [other_tags[rng.integers(len(other_tags))]] if rng.random() < 0.3 else []
        out.append({"post_id": f"{prefix}p{i}", "account_id": f"{prefix}{owners[i]}", "ts": int(ts[i]),
                    "text": f"{words} #{tag}", "hashtags": [tag, *extra],
                    "like_count": int(likes[i]), "retweet_count": int(rts[i])})
    return out


def simulate_trend_pair(seed: int = 7, organic_accounts: int = 1500, background_accounts: int = 500,
                        campaign_accounts: int = 40, bursts: int = 8, posts_per_burst: int = 3,
                        shared_accounts: int = 100, start: int = 1_556_668_800,
                        duration: int = 86_400) -> TrendPair:
    """Two trends over ``duration`` seconds from ``start`` (UNIX s UTC).

    - ``#organicday``: ``organic_accounts`` accounts posting at random times, each 1 + Poisson(0.6)
      posts with its own text; accounts created years before.
    - ``#inflatedday``: ``background_accounts`` such accounts plus a campaign of
      ``campaign_accounts`` accounts created 1-10 days before ``start``; in each of ``bursts``
      one-minute bursts every campaign account posts ``posts_per_burst`` copies of one of
      three texts, with more retweets than likes.
    - ``shared_accounts`` organic accounts also post once in the inflated trend.
    """
    rng = np.random.default_rng(seed)
    org, inf = "organicday", "inflatedday"
    records = _organic_posts(rng, org, organic_accounts, start, duration, "o", ["news", "india"])
    records += _organic_posts(rng, inf, background_accounts, start, duration, "b", ["news", "vote"])
    for j in range(shared_accounts):
        records.append({"post_id": f"s{j}", "account_id": f"o{j}",
                        "ts": int(rng.integers(start, start + duration)),
                        "text": f"{' '.join(rng.choice(_WORDS, 9))} #{inf}", "hashtags": [inf],
                        "like_count": 2, "retweet_count": 0})
    texts = [f"Everyone stands with our leader! #{inf}", f"Join the wave today #{inf} #vote",
             f"The whole nation agrees #{inf}"]
    burst_starts = np.sort(rng.integers(start, start + duration - 60, bursts))
    k = 0
    for b, t0 in enumerate(burst_starts):
        for a in range(campaign_accounts):
            for _ in range(posts_per_burst):
                records.append({"post_id": f"c{k}", "account_id": f"c{a}",
                                "ts": int(t0 + rng.integers(0, 60)),
                                "text": texts[(b + a) % len(texts)],
                                "hashtags": [inf] + (["vote"] if "#vote" in texts[(b + a) % 3] else []),
                                "retweet_count": int(rng.integers(20, 60)), "like_count": int(rng.integers(0, 5))})
                k += 1
    posts = make_posts(records).sort_values("ts", kind="stable").reset_index(drop=True)
    old = [{"account_id": f"{p}{i}", "created_at": int(start - rng.integers(400, 3000) * 86400),
            "followers_count": int(rng.integers(10, 2000))}
           for p, n in (("o", organic_accounts), ("b", background_accounts)) for i in range(n)]
    new = [{"account_id": f"c{a}", "created_at": int(start - rng.integers(1, 10) * 86400),
            "followers_count": int(rng.integers(0, 30))} for a in range(campaign_accounts)]
    return TrendPair(posts=posts, accounts=make_accounts(old + new), organic=f"#{org}",
                     inflated=f"#{inf}", coordinated_accounts={f"c{a}" for a in range(campaign_accounts)})
