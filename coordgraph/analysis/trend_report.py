"""Tables and a JSON-ready report built from trend summaries (one-shot or streamed alike).

Used by the CLI (CSV/JSON files) and meant for the web app: :func:`report_from_summaries`
returns plain Python values only (NaN -> None), so it can go straight to ``orjson.dumps`` or a
Dash store.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from coordgraph.analysis.trend_incremental import TrendSummary
from coordgraph.analysis.trend_indicators import hourly_volume

#: The inflation indicators, higher = more suspicious (see docs/trends.md).
INDICATORS = (
    "burstiness",
    "peak_to_mean_hourly",
    "top1pct_accounts_posts_pct",
    "gini_posts_per_account",
    "duplicate_text_pct",
    "new_accounts_pct",
    "coordinated_posts_pct",
)
COMMON_COLUMNS = ["a", "b", "count", "jaccard_pct", "a_accounts", "b_accounts", "pct_of_a", "pct_of_b"]


def volume_table(seconds: pd.Series) -> pd.DataFrame:
    """Hourly volume from posts per second: hour (UTC timestamp), hour_ts (UNIX s), posts."""
    vol = hourly_volume(seconds)
    hours = vol.index.to_numpy(dtype=np.int64)
    return pd.DataFrame({"hour": pd.to_datetime(hours, unit="s", utc=True), "hour_ts": hours,
                         "posts": vol.to_numpy(dtype=np.int64)})


def common_accounts(a: set[str], b: set[str]) -> dict:
    """count = |A n B|, jaccard_pct = 100 |A n B| / |A u B|, sizes, and the share of each."""
    inter = len(a & b)
    union = len(a | b)
    return {"count": inter, "jaccard_pct": 100.0 * inter / union if union else math.nan,
            "a_accounts": len(a), "b_accounts": len(b),
            "pct_of_a": 100.0 * inter / len(a) if a else math.nan,
            "pct_of_b": 100.0 * inter / len(b) if b else math.nan}


def common_table(summaries: list[TrendSummary]) -> pd.DataFrame:
    """:func:`common_accounts` for every pair of trends (columns :data:`COMMON_COLUMNS`)."""
    sets = [s.account_ids() for s in summaries]
    rows = [{"a": summaries[i].name, "b": summaries[j].name, **common_accounts(sets[i], sets[j])}
            for i in range(len(summaries)) for j in range(i + 1, len(summaries))]
    return pd.DataFrame(rows, columns=COMMON_COLUMNS)


def comparison_table(summaries: list[TrendSummary], accounts=None, coordinated_accounts=None,
                     new_account_days: float = 30.0) -> pd.DataFrame:
    """Statistics side by side: one column per trend, one row per statistic.

    With two or more trends, rows ``common_accounts_with_first`` and
    ``common_accounts_jaccard_pct`` compare each trend's accounts with the first trend's.
    """
    coord = None if coordinated_accounts is None else set(map(str, coordinated_accounts))
    cols = {s.name: s.stats(accounts, coord, new_account_days) for s in summaries}
    table = pd.DataFrame(cols).drop(index="trend")
    if len(summaries) >= 2:
        first = summaries[0].account_ids()
        common = [common_accounts(first, s.account_ids()) for s in summaries]
        table.loc["common_accounts_with_first"] = [c["count"] for c in common]
        table.loc["common_accounts_jaccard_pct"] = [c["jaccard_pct"] for c in common]
    return table


def plain(value):
    """A JSON-safe value: NaN / NA -> None, numpy scalars -> Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def report_from_summaries(summaries: Iterable[TrendSummary], accounts=None, coordinated_accounts=None,
                          new_account_days: float = 30.0, top_k: int = 20) -> dict:
    """Everything about the trends as plain values.

    Keys: ``trends`` (name -> statistics), ``indicators`` (name -> the :data:`INDICATORS`),
    ``common_users`` (list of pair rows), ``top_cohashtags`` (name -> [{hashtag, posts}], top
    ``top_k``), ``volume_per_hour`` (name -> {hour_ts: [...], posts: [...]}).
    """
    summaries = list(summaries)
    table = comparison_table(summaries, accounts, coordinated_accounts, new_account_days)
    stats = {n: {k: plain(v) for k, v in table[n].items()} for n in table.columns}
    volume = {s.name: volume_table(s.seconds) for s in summaries}
    return {
        "trends": stats,
        "indicators": {n: {k: stats[n][k] for k in INDICATORS} for n in stats},
        "common_users": [{k: plain(v) for k, v in row.items()}
                         for row in common_table(summaries).to_dict("records")],
        "top_cohashtags": {s.name: s.top_cohashtags(top_k).to_dict("records") for s in summaries},
        "volume_per_hour": {n: {"hour_ts": v["hour_ts"].tolist(), "posts": v["posts"].tolist()}
                            for n, v in volume.items()},
    }


def group_shares(summary: TrendSummary, groups: pd.DataFrame, group_column: str = "community") -> pd.DataFrame:
    """Which coordinated groups drive a trend: per group, its accounts that posted, their posts
    and their share of the trend's posts (percent), largest first.

    ``groups``: one row per account (``account_id`` and ``group_column``), e.g. the output of
    ``communities.leiden`` or the vertices of a coordinated network with a community column.
    Accounts in no group are left out (their share is 100 minus the column's sum).
    """
    for col in ("account_id", group_column):
        if col not in groups.columns:
            raise ValueError(f"groups: missing column {col!r}")
    counts = summary.post_counts()
    total = float(counts.sum())
    member = groups[["account_id", group_column]].astype({"account_id": str}).drop_duplicates("account_id")
    joined = member.join(counts.rename("posts"), on="account_id", how="inner")
    out = (joined.groupby(group_column, sort=False)
           .agg(accounts=("account_id", "size"), posts=("posts", "sum")).reset_index())
    out["posts_pct"] = 100.0 * out["posts"] / total if total else math.nan
    return out.sort_values(["posts", group_column], ascending=[False, True], kind="stable").reset_index(drop=True)
