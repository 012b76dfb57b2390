"""Shared helpers of the watch tests: random share streams with every hard case, the batch
engines' answer on the effective input, and comparisons of live vs batch tables."""
from __future__ import annotations

import numpy as np
import pandas as pd

from coordgraph.contracts import RESULT_COLUMNS

FLOATS = ("avg_time_delta", "edge_symmetry_score", "avg_time_delta_fast", "edge_symmetry_score_fast")


def random_stream(seed: int, n_posts: int = 400, n_accounts: int = 25, n_objects: int = 6,
                  span: int = 400, late_frac: float = 0.1, late_max: int = 120, dup_frac: float = 0.05) -> pd.DataFrame:
    """Shares in arrival order: posts with 1-3 objects (one content, one time), loops
    (object = content id), equal times, duplicates of earlier rows and late posts (arriving
    up to ``late_max`` seconds after newer ones)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n_posts):
        acc = f"a{int(rng.zipf(1.6)) % n_accounts:02d}"
        t = int(rng.integers(0, span))
        cid = f"c{k:04d}"
        for o in rng.choice(n_objects, size=int(rng.integers(1, 4)), replace=False):
            rows.append((f"o{o}", acc, cid, t))
        if rng.random() < 0.03:
            rows.append((cid, acc, cid, t))  # a loop: the post is its own object
    frame = pd.DataFrame(rows, columns=["object_id", "account_id", "content_id", "timestamp_share"])
    # arrival: by time, then some rows held back (late)
    arrival = frame["timestamp_share"].to_numpy().astype(float)
    late = rng.random(len(frame)) < late_frac
    arrival[late] += rng.integers(1, late_max, late.sum())
    frame = frame.iloc[np.argsort(arrival, kind="stable")].reset_index(drop=True)
    # duplicates: copies of rows arriving again a little later (up to 50 rows after)
    n = len(frame)
    dup_of = np.flatnonzero(rng.random(n) < dup_frac)
    slot = np.concatenate((np.arange(n, dtype=float), dup_of + rng.integers(1, 50, len(dup_of)) + 0.5))
    source = np.concatenate((np.arange(n), dup_of))
    rows = [frame.iloc[i] for i in source[np.argsort(slot, kind="stable")]]
    out = pd.DataFrame(rows).reset_index(drop=True)
    out["timestamp_share"] = out["timestamp_share"].astype(np.int64)
    return out


def effective_input(stream: pd.DataFrame, late_bound: int) -> pd.DataFrame:
    """What a batch run must see, worked out by a plain loop: rows more than ``late_bound``
    seconds older than the newest row before them are dropped, then repeated
    (object_id, content_id) rows (first copy kept)."""
    newest = None
    keep = []
    for t in stream["timestamp_share"].tolist():
        keep.append(newest is None or t >= newest - late_bound)
        newest = t if newest is None else max(newest, t)
    kept = stream.loc[keep]
    return kept.loc[~kept.duplicated(["object_id", "content_id"])].reset_index(drop=True)


def split(frame: pd.DataFrame, n_batches: int, seed: int) -> list[pd.DataFrame]:
    """``frame`` cut at random places into ``n_batches`` consecutive batches (some empty)."""
    rng = np.random.default_rng(seed)
    cuts = np.sort(rng.integers(0, len(frame) + 1, n_batches - 1))
    edges = np.concatenate(([0], cuts, [len(frame)]))
    return [frame.iloc[a:b] for a, b in zip(edges[:-1], edges[1:])]


def rows_equal(live: pd.DataFrame, batch: pd.DataFrame, extra: tuple = ()) -> None:
    """Co-share rows equal as multisets (orientation included)."""
    cols = [*RESULT_COLUMNS, *extra]
    a = live[cols].astype(str).sort_values(cols).reset_index(drop=True)
    b = batch[cols].astype(str).sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def edges_equal(live: pd.DataFrame, batch: pd.DataFrame) -> None:
    """Edges equal: same unordered pairs and attributes (floats to 1e-9); ``batch`` may use
    CooRTweet's ``_full`` suffixes."""
    batch = batch.rename(columns=lambda c: c[: -len("_full")] if c.endswith("_full") else c)
    keys = ["account_id", "account_id_y"]
    cols = [c for c in live.columns if c in batch.columns]
    assert set(live.columns) - set(cols) == set(), set(live.columns) - set(cols)
    a = live[cols].sort_values(keys).reset_index(drop=True)
    b = batch[cols].sort_values(keys).reset_index(drop=True)
    assert len(a) == len(b)
    for c in cols:
        x, y = a[c], b[c]
        if c in FLOATS:
            assert np.allclose(x.astype(float), y.astype(float), equal_nan=True, atol=1e-9), c
        else:
            xs = x.astype(object).where(x.notna(), None).tolist()
            ys = y.astype(object).where(y.notna(), None).tolist()
            assert [None if v is None else str(int(v)) if not isinstance(v, str) else v for v in xs] == \
                   [None if v is None else str(int(v)) if not isinstance(v, str) else v for v in ys], c
