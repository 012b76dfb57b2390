"""Per-trend statistics in the graph store, so the web app and Cypher users can read them.

Schema (added to the store's, docs/trends.md):

- ``(:Trend {id, <every statistic of trend_stats>, hour_ts, hour_posts, updated})`` - one node
  per trend; ``hour_ts``/``hour_posts`` the hourly volume (UNIX s UTC); NaN statistics are
  absent (null);
- ``(:Account)-[:IN_TREND {posts, first_ts, last_ts}]->(:Trend)`` - who posted in the trend.

Writes go through ``trend_upsert`` / ``trend_accounts`` (set, not add: saving the totals of a
:class:`~coordgraph.analysis.trends.TrendAccumulator` after every batch is safe); reads through
``trend_stats``, ``trend_common_users`` and ``trend_top_accounts`` (read-only path).
The statistics themselves come from :mod:`coordgraph.analysis.trends`; nothing is recomputed here.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from coordgraph.analysis.trend_incremental import TrendAccumulator, TrendSummary, summarise
from coordgraph.analysis.trend_indicators import hourly_volume

DEFAULT_BATCH = 5_000


def _plain(value):
    """A property value FalkorDB and Neo4j both store: NaN/NA -> None, numpy -> Python."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _summaries(source) -> list[TrendSummary]:
    if isinstance(source, TrendAccumulator):
        return list(source.summaries.values())
    if isinstance(source, TrendSummary):
        return [source]
    return list(source)


def save_trends(store, source: "TrendAccumulator | TrendSummary | Iterable[TrendSummary]",
                accounts: pd.DataFrame | None = None, coordinated_accounts=None,
                with_accounts: bool = True, batch_size: int = DEFAULT_BATCH,
                updated: int | None = None) -> dict[str, int]:
    """Write every trend of ``source`` (statistics, hourly volume, and IN_TREND links).

    ``accounts`` / ``coordinated_accounts`` as for :func:`coordgraph.analysis.trends.trend_stats`.
    Returns per trend the number of IN_TREND links written.
    """
    updated = int(time.time()) if updated is None else int(updated)
    written: dict[str, int] = {}
    for summary in _summaries(source):
        stats = summary.stats(accounts, coordinated_accounts)
        stats.pop("trend")
        volume = hourly_volume(summary.seconds)
        store.write_file("trend_upsert", {
            "trend": summary.name,
            "stats": {k: _plain(v) for k, v in stats.items()},
            "hour_ts": [int(x) for x in volume.index],
            "hour_posts": [int(x) for x in volume.to_numpy()],
            "updated": updated,
        })
        written[summary.name] = _save_accounts(store, summary, batch_size) if with_accounts else 0
    return written


def _save_accounts(store, summary: TrendSummary, batch_size: int) -> int:
    """IN_TREND links of one trend, ``batch_size`` accounts per query."""
    frame = summary.accounts.reset_index()
    frame.columns = ["account_id", "posts", "first_ts", "last_ts"]
    frame["account_id"] = frame["account_id"].astype(str)
    total = 0
    for start in range(0, len(frame), batch_size):
        part = frame.iloc[start:start + batch_size]
        rows = [{"account_id": a, "posts": int(p), "first_ts": int(f), "last_ts": int(last)}
                for a, p, f, last in part.itertuples(index=False)]
        res = store.write_file("trend_accounts", {"trend": summary.name, "rows": rows})
        total += int(res[0]["written"]) if res else 0
    return total


def save_trend_stats(store, posts: pd.DataFrame, trends: Sequence[str], accounts: pd.DataFrame | None = None,
                     coordinated_accounts=None, **kw) -> dict[str, int]:
    """Compute the statistics of ``trends`` on ``posts`` and save them (see :func:`save_trends`)."""
    return save_trends(store, [summarise(posts, t) for t in trends], accounts, coordinated_accounts, **kw)


def load_trend_stats(store, trend: str | None = None) -> dict[str, dict]:
    """Stored statistics: trend name -> {statistic: value} (absent statistics were NaN)."""
    rows = store.run_file("trend_stats", {"trend": trend})
    return {row["trend"]: dict(row["stats"]) for row in rows}


def stored_comparison(store, trends: Sequence[str] | None = None) -> pd.DataFrame:
    """Side-by-side table like :func:`coordgraph.analysis.trends.compare_trends`, from the store."""
    stats = load_trend_stats(store)
    names = list(trends) if trends is not None else sorted(stats)
    missing = [n for n in names if n not in stats]
    if missing:
        raise KeyError(f"no stored statistics for trend(s) {', '.join(missing)}")
    table = pd.DataFrame({n: {k: v for k, v in stats[n].items() if k not in ("id", "hour_ts", "hour_posts")}
                          for n in names})
    return table


def stored_common_users(store, a: str, b: str) -> dict:
    """Accounts in both trends (``count``) and ``jaccard_pct`` = 100 x both / either, from IN_TREND."""
    if a == b:
        rows = store.run_file("trend_top_accounts", {"trend": a, "limit": 2**31 - 1})
        return {"count": len(rows), "jaccard_pct": 100.0 if rows else math.nan}
    row = store.run_file("trend_common_users", {"a": a, "b": b})[0]
    common, either = int(row["common"] or 0), int(row["either"] or 0)
    return {"count": common, "jaccard_pct": 100.0 * common / either if either else math.nan}


def stored_volume(store, trend: str) -> pd.DataFrame:
    """Hourly volume of a stored trend: hour (UTC), hour_ts, posts."""
    stats = load_trend_stats(store, trend)
    if trend not in stats:
        raise KeyError(f"no stored statistics for trend {trend}")
    hours = np.asarray(stats[trend].get("hour_ts") or [], dtype=np.int64)
    return pd.DataFrame({"hour": pd.to_datetime(hours, unit="s", utc=True), "hour_ts": hours,
                         "posts": np.asarray(stats[trend].get("hour_posts") or [], dtype=np.int64)})


def stored_top_accounts(store, trend: str, limit: int = 20) -> pd.DataFrame:
    """The accounts that posted most in ``trend``: account_id, handle, posts, first_ts, last_ts."""
    rows = store.run_file("trend_top_accounts", {"trend": trend, "limit": int(limit)})
    return pd.DataFrame(rows, columns=["account_id", "handle", "posts", "first_ts", "last_ts"])
