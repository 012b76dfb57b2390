"""Trend statistics: is this trend real, and who drives it?

The public API (used by the CLI and the web app; definitions in docs/trends.md):

- :func:`select_trend` — the posts of a trend (hashtag, keyword / predicate, object ids);
- :func:`trend_stats` — every statistic and inflation indicator of one trend, as a dict;
- :func:`compare_trends` — the same for several trends side by side (rows: statistics);
- :func:`inflation_indicators` — only the indicators, one row per trend;
- :func:`trend_report` — all of it as JSON-ready plain values (what the web app shows);
- :func:`volume_per_hour`, :func:`account_time_gaps`, :func:`top_cohashtags`;
- :func:`common_users` / :func:`common_users_table` — accounts two trends share (count, Jaccard %);
- :func:`coordinated_groups_share` — which coordinated groups (communities) drive a trend;
- :class:`TrendAccumulator` — the same statistics, updated batch by batch from a stream.

Inputs are the posts table and (optionally) the accounts table of docs/contracts.md, and a
set of coordinated account ids (from detected groups or communities). Times are UNIX seconds
(UTC); percentages are 0..100.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from coordgraph.analysis.trend_report import (  # noqa: F401  (public re-exports)
    INDICATORS, common_accounts, common_table, comparison_table, group_shares, report_from_summaries,
    volume_table,
)
from coordgraph.analysis.trend_incremental import (  # noqa: F401  (public re-exports)
    TrendAccumulator, TrendSummary, normalise_texts, summarise,
)
from coordgraph.analysis.trend_select import (  # noqa: F401
    HashtagIndex, Trend, normalise_hashtag, normalise_text, select_trend, trend_mask,
)


def trend_stats(posts: pd.DataFrame, trend: "Trend | str", accounts: pd.DataFrame | None = None,
                coordinated_accounts: Iterable[str] | None = None,
                new_account_days: float = 30.0) -> dict:
    """All statistics of ``trend`` (``'#tag'``, a keyword, or a :class:`Trend`) in ``posts``.

    ``accounts`` (optional) gives creation dates for the new-account share;
    ``coordinated_accounts`` (optional) the ids of accounts in detected coordinated groups.
    Keys and their exact definitions: docs/trends.md.
    """
    return summarise(posts, trend).stats(accounts, coordinated_accounts, new_account_days)


def compare_trends(posts: pd.DataFrame, trends: Sequence["Trend | str"],
                   accounts: pd.DataFrame | None = None,
                   coordinated_accounts: Iterable[str] | None = None,
                   new_account_days: float = 30.0) -> pd.DataFrame:
    """Side-by-side statistics: one column per trend, one row per statistic.

    When two or more trends are given, rows ``common_accounts_with_first`` and
    ``common_accounts_jaccard_pct`` give, for each trend, the accounts it shares with the first.
    """
    parsed = [Trend.parse(t) for t in trends]
    if not parsed:
        raise ValueError("compare_trends: give at least one trend")
    return comparison_table(_summaries(posts, parsed), accounts, coordinated_accounts, new_account_days)


def _summaries(posts: pd.DataFrame, trends: Sequence["Trend | str"]) -> list[TrendSummary]:
    """One summary per trend, the hashtag index built once."""
    parsed = [Trend.parse(t) for t in trends]
    tags = HashtagIndex(posts) if any(t.hashtag for t in parsed) else None
    return [summarise(posts, t, tags) for t in parsed]


def trend_report(posts: pd.DataFrame, trends: Sequence["Trend | str"],
                 accounts: pd.DataFrame | None = None,
                 coordinated_accounts: Iterable[str] | None = None,
                 new_account_days: float = 30.0, top_k: int = 20) -> dict:
    """Everything about ``trends`` as JSON-ready plain values (for the web app and the CLI):
    statistics, indicators, users in common, top co-hashtags, hourly volume.
    See :func:`coordgraph.analysis.trend_report.report_from_summaries`."""
    return report_from_summaries(_summaries(posts, trends), accounts, coordinated_accounts,
                                 new_account_days, top_k)


def inflation_indicators(posts: pd.DataFrame, trends: Sequence["Trend | str"],
                         accounts: pd.DataFrame | None = None,
                         coordinated_accounts: Iterable[str] | None = None,
                         new_account_days: float = 30.0) -> pd.DataFrame:
    """One row per trend, one column per inflation indicator (see :data:`INDICATORS`).

    Higher is more suspicious for every column. Missing inputs give NaN (no creation dates:
    ``new_accounts_pct``; no coordinated set: ``coordinated_posts_pct``).
    """
    table = compare_trends(posts, trends, accounts, coordinated_accounts, new_account_days)
    out = table.loc[list(INDICATORS)].T.astype(np.float64)
    out.index.name = "trend"
    return out


def volume_per_hour(posts: pd.DataFrame, trend: "Trend | str") -> pd.DataFrame:
    """Posts of ``trend`` per UTC hour: columns hour (tz-aware UTC timestamp), hour_ts (UNIX s), posts.

    Every hour from the first post's hour to the last post's is present (zeros kept).
    """
    return volume_table(summarise(posts, trend).seconds)


def account_time_gaps(posts: pd.DataFrame, trend: "Trend | str") -> pd.DataFrame:
    """Per (trend, account): gaps between the account's consecutive posts *within the trend*.

    Columns: account_id, posts, first_ts, last_ts, mean_gap_s, median_gap_s, min_gap_s
    (seconds; NaN for accounts with one post). Posts of the same account in other trends
    never enter these gaps. Sorted by mean gap, shortest first.
    """
    sel = posts[trend_mask(posts, trend)]
    frame = pd.DataFrame({"account_id": sel["account_id"].astype(str).to_numpy(),
                          "ts": pd.to_numeric(sel["ts"]).to_numpy(dtype=np.int64)})
    frame = frame.sort_values(["account_id", "ts"], kind="stable")
    frame["gap"] = frame.groupby("account_id")["ts"].diff()
    g = frame.groupby("account_id")
    out = pd.DataFrame({"posts": g.size(), "first_ts": g["ts"].min(), "last_ts": g["ts"].max(),
                        "mean_gap_s": g["gap"].mean(), "median_gap_s": g["gap"].median(),
                        "min_gap_s": g["gap"].min()}).reset_index()
    return out.sort_values(["mean_gap_s", "account_id"], na_position="last",
                           kind="stable").reset_index(drop=True)


def top_cohashtags(posts: pd.DataFrame, trend: "Trend | str", k: int = 10) -> pd.DataFrame:
    """The ``k`` hashtags most often found on the trend's posts besides its own: hashtag, posts.

    Hashtags are lowercased without ``#``; a post counts once per hashtag.
    """
    return summarise(posts, trend).top_cohashtags(k)


def common_users(posts: pd.DataFrame, a: "Trend | str", b: "Trend | str") -> dict:
    """Accounts that posted in both trends.

    Returns ``count`` (accounts in both), ``jaccard_pct`` = 100 |A n B| / |A u B|,
    ``a_accounts``, ``b_accounts``, ``pct_of_a`` = 100 |A n B| / |A|, ``pct_of_b``.
    """
    acc = posts["account_id"].astype(str)
    set_a = set(acc[trend_mask(posts, a)])
    set_b = set(acc[trend_mask(posts, b)])
    return common_accounts(set_a, set_b)


def common_users_table(posts: pd.DataFrame, trends: Sequence["Trend | str"]) -> pd.DataFrame:
    """:func:`common_users` for every pair of ``trends``: columns a, b, count, jaccard_pct, ..."""
    return common_table(_summaries(posts, trends))


def coordinated_groups_share(posts: pd.DataFrame, trend: "Trend | str", groups: pd.DataFrame,
                             group_column: str = "community") -> pd.DataFrame:
    """Per coordinated group (e.g. Leiden community): accounts that posted in ``trend``, their
    posts and percent of the trend's posts, largest first. See ``trend_report.group_shares``."""
    return group_shares(summarise(posts, trend), groups, group_column)
