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
