"""A literal, quadratic transcription of the spec's detect_groups: the oracle for property tests.

Written for clarity, not speed: it forms every pair of an object and then filters, as
CooRTweet does.
"""
from __future__ import annotations

import pandas as pd


def naive_detect_groups(shares: pd.DataFrame, time_window: int, min_participation: int,
                        remove_loops: bool = True) -> list[tuple]:
    rows = list(shares[["object_id", "account_id", "content_id", "timestamp_share"]].itertuples(index=False))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.account_id] = counts.get(r.account_id, 0) + 1
    if min_participation > 1:
        rows = [r for r in rows if counts[r.account_id] >= min_participation]
    # processing order: accounts by first appearance, rows in input order
    first: dict[str, int] = {}
    for i, r in enumerate(rows):
        first.setdefault(r.account_id, i)
    order = sorted(range(len(rows)), key=lambda i: (first[rows[i].account_id], i))
    proc = [rows[i] for i in order]
    pairs = []
    for i in range(len(proc)):
        for j in range(i + 1, len(proc)):
            ri, rj = proc[i], proc[j]
            if ri.object_id != rj.object_id or abs(ri.timestamp_share - rj.timestamp_share) > time_window:
                continue
            if remove_loops and (ri.object_id in (ri.content_id, rj.content_id)
                                 or ri.content_id == rj.content_id or ri.account_id == rj.account_id):
                continue
            older, newer = (ri, rj) if ri.timestamp_share <= rj.timestamp_share else (rj, ri)
            pairs.append((older, newer))
    if min_participation >= 1 and pairs:
        c = {p.content_id for pair in pairs for p in pair}
        m: dict[str, int] = {}
        for r in proc:
            if r.content_id in c:
                m[r.account_id] = m.get(r.account_id, 0) + 1
        p_set = {r.content_id for r in proc if m.get(r.account_id, 0) >= min_participation}
        pairs = [(a, b) for a, b in pairs if a.content_id in p_set or b.content_id in p_set]
    return sorted((a.object_id, a.content_id, b.content_id, str(b.timestamp_share - a.timestamp_share),
                   a.account_id, b.account_id) for a, b in pairs)


# ------------------------------------------------------------------ trend statistics
def naive_normalised_text(text) -> str:
    """docs/trends.md's normalised text: lowercase; URLs, @mentions and a leading RT removed;
    whitespace collapsed; trimmed."""
    import re

    t = str(text or "").lower()
    t = re.sub(r"https?://\S+", " ", t)
    t = re.sub(r"@\w+", " ", t)
    t = re.sub(r"^\s*rt\b:?", " ", t)
    return " ".join(t.split())


def naive_trend_stats(posts: pd.DataFrame, tag: str, accounts: pd.DataFrame | None = None,
                      coordinated: set[str] | None = None, new_account_days: int = 30) -> dict:
    """A trend's headline statistics written from docs/trends.md's definitions, row by row
    (the oracle for the trend tests; never calls coordgraph.analysis.trends)."""
    want = tag.lstrip("#").lower()
    rows = [r for r in posts.to_dict("records") if want in {h.lower().lstrip("#") for h in (r["hashtags"] or [])}]
    out: dict = {"posts": len(rows)}
    by_account: dict[str, list[int]] = {}
    for r in rows:
        by_account.setdefault(r["account_id"], []).append(int(r["ts"]))
    out["accounts"] = len(by_account)
    originals = [r for r in rows if r["retweeted_id"] is None or r["retweeted_id"] != r["retweeted_id"]]
    authors: dict[str, set[str]] = {}
    for r in originals:
        text = naive_normalised_text(r["text"])
        if text:
            authors.setdefault(text, set()).add(r["account_id"])
    out["duplicate_text_posts"] = sum(1 for r in originals
                                      if len(authors.get(naive_normalised_text(r["text"]), ())) >= 2)
    gaps_sum, gaps_n = 0, 0
    for times in by_account.values():
        gaps_sum += max(times) - min(times)
        gaps_n += len(times) - 1
    out["mean_gap_s"] = gaps_sum / gaps_n if gaps_n else float("nan")
    times = sorted(int(r["ts"]) for r in rows)
    gaps = [b - a for a, b in zip(times, times[1:])]
    if len(times) < 3:
        out["burstiness"] = float("nan")
    else:
        m = sum(gaps) / len(gaps)
        s = (sum((g - m) ** 2 for g in gaps) / len(gaps)) ** 0.5
        out["burstiness"] = 1.0 if s + m == 0 else (s - m) / (s + m)
    counts = sorted(len(v) for v in by_account.values())
    n = len(counts)
    out["gini_posts_per_account"] = (sum((2 * i - n - 1) * x for i, x in enumerate(counts, start=1))
                                     / (n * sum(counts))) if n else float("nan")
    if coordinated is not None:
        out["coordinated_accounts"] = sum(1 for a in by_account if a in coordinated)
    if accounts is not None:
        created = {a: c for a, c in zip(accounts["account_id"], accounts["created_at"]) if c == c and c is not None}
        known = [a for a in by_account if a in created]
        new = [a for a in known if min(by_account[a]) - int(created[a]) < new_account_days * 86_400]
        out["new_accounts_pct"] = 100 * len(new) / len(known) if known else float("nan")
    return out
