"""Inflation indicators: small pure functions on counts and timestamps.

Each answers one question an analyst asks of a trend's volume: does it come in bursts, from
few accounts, from copies, from new accounts, from coordinated accounts? Definitions are in
docs/trends.md; all percentages are 0..100, all times in seconds (UTC).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def gini(counts: np.ndarray | pd.Series) -> float:
    """Gini coefficient of non-negative ``counts`` (posts per account): 0 even, ->1 concentrated.

    G = sum_i (2i - n - 1) x_(i) / (n * sum x), x sorted ascending, i = 1..n. Only accounts
    that posted are counted (no zeros). NaN for no accounts; 0 for one account.
    """
    x = np.sort(np.asarray(counts, dtype=np.float64))
    n = x.size
    if n == 0 or x.sum() == 0:
        return math.nan
    i = np.arange(1, n + 1, dtype=np.float64)
    return float(((2 * i - n - 1) * x).sum() / (n * x.sum()))


def top_share_pct(counts: np.ndarray | pd.Series, top_fraction: float = 0.01) -> float:
    """Percent of all posts made by the top ``top_fraction`` of accounts (at least one account).

    The top k = ceil(top_fraction * n_accounts) accounts by post count (ties do not matter:
    the k largest counts are summed). NaN when there are no posts.
    """
    x = np.asarray(counts, dtype=np.float64)
    if x.size == 0 or x.sum() == 0:
        return math.nan
    k = max(1, math.ceil(top_fraction * x.size - 1e-12))
    top = np.partition(x, x.size - k)[x.size - k:]
    return float(100.0 * top.sum() / x.sum())


def burstiness_from_second_counts(second_counts: pd.Series) -> float:
    """Goh-Barabasi burstiness B = (sigma - mu) / (sigma + mu) of the inter-post times.

    ``second_counts``: posts per UNIX second (index = second, value = posts). Inter-post
    times are those of all posts in time order: 0 between posts in the same second, the
    difference of seconds otherwise; sigma is the population standard deviation.
    B is -1 for a perfectly regular series, about 0 for random (Poisson) arrivals and near 1
    for bursts. NaN with fewer than 3 posts; 1 when all posts share one second.
    """
    s = second_counts[second_counts > 0].sort_index()
    n = int(s.sum())
    if n < 3:
        return math.nan
    secs = s.index.to_numpy(dtype=np.float64)
    diffs = np.diff(secs)                       # the non-zero gaps, one per change of second
    n_gaps = n - 1
    mu = diffs.sum() / n_gaps
    var = (diffs ** 2).sum() / n_gaps - mu ** 2
    sigma = math.sqrt(max(var, 0.0))
    if sigma + mu == 0:
        return 1.0
    return float((sigma - mu) / (sigma + mu))


def hourly_volume(second_counts: pd.Series) -> pd.Series:
    """Posts per UTC hour from posts per second, every hour from first to last (zeros kept).

    Index: hour start in UNIX seconds (multiple of 3600); values: posts (int64).
    """
    s = second_counts[second_counts > 0]
    if s.empty:
        return pd.Series([], dtype=np.int64, name="posts")
    hours = (s.index.to_numpy(dtype=np.int64) // 3600) * 3600
    per = pd.Series(s.to_numpy(dtype=np.int64), index=hours).groupby(level=0).sum()
    full = np.arange(per.index.min(), per.index.max() + 1, 3600, dtype=np.int64)
    return per.reindex(full, fill_value=0).astype(np.int64).rename("posts")


def peak_to_mean(volume: pd.Series) -> float:
    """Peak bin volume over mean bin volume (zeros included): 1 = flat; large = one spike."""
    if volume.empty or volume.mean() == 0:
        return math.nan
    return float(volume.max() / volume.mean())


def new_account_pcts(first_ts: pd.Series, created_at: pd.Series, post_counts: pd.Series,
                     new_account_days: float = 30.0) -> tuple[float, float, int]:
    """(percent of accounts that are new, percent of posts by new accounts, accounts known).

    ``first_ts``: each account's first post in the trend (UNIX s); ``created_at``: account
    creation time (UNIX s, nullable), indexed by account id; ``post_counts``: posts per
    account in the trend. An account is *new* when its first post in the trend came less than
    ``new_account_days`` days after its creation. Only accounts with a known creation time
    count (both numerator and denominator); NaN when none is known.
    """
    created = pd.to_numeric(created_at.reindex(first_ts.index), errors="coerce")
    known = created.notna()
    if not known.any():
        return math.nan, math.nan, 0
    age = first_ts[known].astype(np.float64) - created[known].astype(np.float64)
    is_new = age < new_account_days * 86400.0
    posts_known = post_counts.reindex(first_ts.index)[known]
    acc_pct = 100.0 * float(is_new.sum()) / float(known.sum())
    post_pct = 100.0 * float(posts_known[is_new].sum()) / float(posts_known.sum())
    return acc_pct, post_pct, int(known.sum())


def coordinated_pcts(post_counts: pd.Series, coordinated_accounts) -> tuple[float, int]:
    """(percent of the trend's posts by coordinated accounts, how many such accounts posted).

    ``post_counts``: posts per account (index = account id); ``coordinated_accounts``: ids of
    accounts in detected coordinated groups. NaN when no set is given (None).
    """
    if coordinated_accounts is None:
        return math.nan, 0
    coord = set(map(str, coordinated_accounts))
    total = float(post_counts.sum())
    if total == 0:
        return math.nan, 0
    is_coord = post_counts.index.to_series().astype(str).isin(coord).to_numpy()
    return 100.0 * float(post_counts[is_coord].sum()) / total, int(is_coord.sum())
