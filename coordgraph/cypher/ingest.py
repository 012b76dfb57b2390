"""Loading posts, accounts and shares into the graph: batched, parameterised UNWIND ... MERGE.

Why this shape: one query per batch of rows (default 10,000) keeps the parameter header a
few MB and each batch one transaction; MERGE on indexed keys makes a load idempotent (loading
twice = once); an ``(:Ingest {id, done_batches})`` node records how many batches of a load are
written, so an interrupted load resumes where it stopped (batches are MERGEd, so redoing the
last partial batch is harmless).

A share (row of the shares table, docs/contracts.md) becomes
``(:Account {id})-[:SHARED {post_id, ts, kind}]->(:Object {id, kind})``; one SHARED per
(account, object, post): a post that carries the same object twice is stored once. Objects
are keyed by (id, kind), so a hashtag and a URL that happen to be the same string stay apart.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import pandas as pd

from coordgraph.cypher.errors import StoreError

BATCH_ROWS = 10_000

from coordgraph.contracts import SHARE_COLUMNS  # noqa: E402
ACCOUNT_PROPS = ("handle", "name", "platform", "followers_count", "following_count",
                 "posts_count", "created_at", "verified")
POST_PROPS = ("ts", "text", "lang", "platform", "retweet_count", "like_count", "quote_count",
              "reply_count", "retweeted_id", "quoted_id", "replied_to_id",
              "replied_to_account_id", "place", "source", "hashtags", "urls", "mentions", "image_hashes")

Q_ACCOUNTS = """UNWIND $rows AS r
MERGE (a:Account {id: r.id})
SET a += r.props"""

Q_POSTS = """UNWIND $rows AS r
MERGE (p:Post {id: r.id})
SET p += r.props
MERGE (a:Account {id: r.account_id})
MERGE (a)-[:POSTED]->(p)"""

# Shares are sent grouped by object ($groups: {o, k, rows: [{a, p, t}]}): one object lookup
# per group instead of one per share (popular objects carry most shares): ~20% faster.
Q_SHARES = """UNWIND $groups AS g
MERGE (o:Object {id: g.o, kind: g.k})
WITH o, g
UNWIND g.rows AS r
MERGE (a:Account {id: r.a})
MERGE (a)-[s:SHARED {post_id: r.p}]->(o)
ON CREATE SET s.ts = r.t, s.kind = g.k"""


def group_by_object(rows: list[dict]) -> list[dict]:
    """Share rows ``{a, o, p, t, k}`` -> ``[{o, k, rows: [{a, p, t}]}]`` (first-seen order)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["o"], r["k"]), []).append({"a": r["a"], "p": r["p"], "t": r["t"]})
    return [{"o": o, "k": k, "rows": items} for (o, k), items in groups.items()]


@dataclass
class IngestSummary:
    """What one load wrote: rows sent per table, batches written/skipped, seconds taken."""

    accounts: int = 0
    posts: int = 0
    shares: int = 0
    batches_written: int = 0
    batches_skipped: int = 0
    seconds: float = 0.0
    ingest_id: str | None = None
    per_kind: dict[str, int] = field(default_factory=dict)

    @property
    def shares_per_second(self) -> float:
        """SHARED relationships sent per second of wall time."""
        return self.shares / self.seconds if self.seconds else 0.0


def _clean(value):
    """pandas/numpy values -> plain Python: NaN/NA -> None; entity lists (hashtags, urls, ...)
    -> lists of strings; numpy scalars -> Python scalars."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) == 1:
        return [str(v) for v in list(value) if v is not None]
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    return value


def check_shares(shares: pd.DataFrame, source: str = "shares") -> pd.Series:
    """Validate a whole shares table before anything is written; returns the timestamps.

    Raises StoreError naming the row and field of bad input (missing column, blank
    object/account/content id, a timestamp that is not an integer >= 0 epoch seconds).
    """
    missing = [c for c in SHARE_COLUMNS if c not in shares.columns]
    if missing:
        raise StoreError(f"{source}: missing column(s) {', '.join(missing)} "
                         f"(a shares table has {', '.join(SHARE_COLUMNS)}[, kind])")
    for col in ("object_id", "account_id", "content_id"):
        values = shares[col]
        bad = values.isna() | (values.astype(str).str.strip() == "")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise StoreError(f"{source}: row {row + 1}, field {col}: empty value")
    ts = pd.to_numeric(shares["timestamp_share"], errors="coerce")
    bad = ts.isna() | (ts != ts.round()) | (ts < 0)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise StoreError(f"{source}: row {row + 1}, field timestamp_share: "
                         f"{str(shares['timestamp_share'].iloc[row])!r} is not epoch seconds (an integer >= 0)")
    return ts.astype("int64")


def share_rows(shares: pd.DataFrame, kind: str | None = None, source: str = "shares") -> list[dict]:
    """Validate a shares table and turn it into parameter rows ``{a, o, p, t, k}``.

    ``kind`` fills a missing ``kind`` column; errors as in :func:`check_shares`.
    """
    ts = check_shares(shares, source)
    if "kind" in shares.columns:
        kinds = shares["kind"].fillna(kind or "unknown").astype(str).tolist()
    else:
        kinds = [kind or "unknown"] * len(shares)
    return [
        {"a": a, "o": o, "p": p, "t": t, "k": k}
        for a, o, p, t, k in zip(shares["account_id"].astype(str).tolist(),
                                 shares["object_id"].astype(str).tolist(),
                                 shares["content_id"].astype(str).tolist(),
                                 ts.tolist(), kinds)
    ]


def account_rows(accounts: pd.DataFrame) -> list[dict]:
    """Accounts table -> parameter rows ``{id, props}`` (missing values left out)."""
    if "account_id" not in accounts.columns:
        raise StoreError("accounts: missing column account_id")
    props = [c for c in ACCOUNT_PROPS if c in accounts.columns]
    out = []
    for rec in accounts[["account_id", *props]].itertuples(index=False, name=None):
        values = {k: _clean(v) for k, v in zip(props, rec[1:])}
        out.append({"id": str(rec[0]), "props": {k: v for k, v in values.items() if v is not None}})
    return out


def post_rows(posts: pd.DataFrame) -> list[dict]:
    """Posts table -> parameter rows ``{id, account_id, props}`` (ts as epoch seconds)."""
    for col in ("post_id", "account_id"):
        if col not in posts.columns:
            raise StoreError(f"posts: missing column {col}")
    props = [c for c in POST_PROPS if c in posts.columns]
    out = []
    for rec in posts[["post_id", "account_id", *props]].itertuples(index=False, name=None):
        values = {k: _clean(v) for k, v in zip(props, rec[2:])}
        out.append({"id": str(rec[0]), "account_id": str(rec[1]),
                    "props": {k: v for k, v in values.items() if v is not None}})
    return out


def _slices(frame: pd.DataFrame, size: int) -> Iterator[pd.DataFrame]:
    for i in range(0, len(frame), size):
        yield frame.iloc[i:i + size]


def _batches(posts, accounts, shares, kind, batch_rows) -> Iterator[tuple[str, Callable[[], list]]]:
    """(query, make_rows) per batch: accounts first, then posts, then shares.

    Whole tables are validated first (bad input writes nothing); parameter rows are built
    per batch, only when the batch is written (memory stays one batch, resumed loads skip
    the conversion).
    """
    if accounts is not None and len(accounts):
        account_rows(accounts.iloc[:0])  # column check
        for part in _slices(accounts, batch_rows):
            yield Q_ACCOUNTS, (lambda part=part: account_rows(part))
    if posts is not None and len(posts):
        post_rows(posts.iloc[:0])
        for part in _slices(posts, batch_rows):
            yield Q_POSTS, (lambda part=part: post_rows(part))
    if shares is not None and len(shares):
        check_shares(shares)
        for part in _slices(shares, batch_rows):
            yield Q_SHARES, (lambda part=part: share_rows(part, kind))


def ingest_progress(store, ingest_id: str) -> int:
    """How many batches of load ``ingest_id`` are already written (0 for a new load)."""
    rows = store.query("MATCH (i:Ingest {id: $id}) RETURN i.done_batches AS d", {"id": ingest_id})
    return int(rows[0]["d"] or 0) if rows else 0


def ingest(store, *, shares: pd.DataFrame | None = None, posts: pd.DataFrame | None = None,
           accounts: pd.DataFrame | None = None, kind: str | None = None,
           batch_rows: int = BATCH_ROWS, ingest_id: str | None = None,
           progress: Callable[[int, int], None] | None = None) -> IngestSummary:
    """Write accounts, posts and shares to ``store`` in batched MERGE transactions.

    Idempotent: loading the same tables twice leaves the graph as after one load. With an
    ``ingest_id``, the batches already recorded as written for that id are skipped, so an
    interrupted load called again resumes. ``progress(done, total)`` is called per batch.
    """
    store.ensure_schema()
    return ingest_stream(store, [(posts, accounts, shares)], kind=kind, batch_rows=batch_rows,
                         ingest_id=ingest_id, progress=progress)


def ingest_stream(store, tables: Iterable[tuple], *, kind: str | None = None,
                  batch_rows: int = BATCH_ROWS, ingest_id: str | None = None,
                  progress: Callable[[int, int], None] | None = None) -> IngestSummary:
    """Like :func:`ingest` for a stream of ``(posts, accounts, shares)`` tables (any may be None).

    Batches are numbered across the whole stream; with ``ingest_id`` the first
    ``done_batches`` are skipped (resume) and the count is updated after each batch.
    """
    started = time.perf_counter()
    summary = IngestSummary(ingest_id=ingest_id)
    done = 0
    if ingest_id:
        done = ingest_progress(store, ingest_id)
        store.query("MERGE (i:Ingest {id: $id}) ON CREATE SET i.done_batches = 0, i.created = $now "
                    "SET i.status = 'running'", {"id": ingest_id, "now": int(time.time())})
    number = 0
    for posts, accounts, shares in tables:
        for query, make_rows in list(_batches(posts, accounts, shares, kind, batch_rows)):
            number += 1
            if number <= done:
                summary.batches_skipped += 1
                continue
            rows = make_rows()
            if query is Q_SHARES:
                store.query(query, {"groups": group_by_object(rows)})
            else:
                store.query(query, {"rows": rows})
            if query is Q_SHARES:
                summary.shares += len(rows)
                for r in rows:
                    summary.per_kind[r["k"]] = summary.per_kind.get(r["k"], 0) + 1
            elif query is Q_POSTS:
                summary.posts += len(rows)
            else:
                summary.accounts += len(rows)
            summary.batches_written += 1
            if ingest_id:
                store.query("MATCH (i:Ingest {id: $id}) SET i.done_batches = $n",
                            {"id": ingest_id, "n": number})
            if progress:
                progress(number, len(rows))
    if ingest_id:
        store.query("MATCH (i:Ingest {id: $id}) SET i.status = 'complete', i.finished = $now",
                    {"id": ingest_id, "now": int(time.time())})
    summary.seconds = time.perf_counter() - started
    return summary


def read_shares(store, kinds: list[str] | None = None) -> pd.DataFrame:
    """The stored shares (of ``kinds``, all when None) as a shares table (docs/contracts.md).

    Rows come ordered by post time, then post id, so that analyses are reproducible.
    """
    rows = store.read(
        "MATCH (a:Account)-[s:SHARED]->(o:Object) WHERE $kinds IS NULL OR s.kind IN $kinds "
        "RETURN o.id AS object_id, a.id AS account_id, s.post_id AS content_id, "
        "s.ts AS timestamp_share, s.kind AS kind ORDER BY s.ts, s.post_id, o.id",
        {"kinds": kinds})
    frame = pd.DataFrame(rows, columns=["object_id", "account_id", "content_id", "timestamp_share", "kind"])
    frame["timestamp_share"] = frame["timestamp_share"].astype("int64")
    return frame
