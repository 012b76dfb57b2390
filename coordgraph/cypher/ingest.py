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
import os
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from coordgraph.cypher.errors import StoreError
from coordgraph.cypher.share_snapshot import bump_version

BATCH_ROWS = 10_000
BULK_SHARE_ROWS = 500_000  # shares turned into SHARED per slice on the bulk path (memory)
_Q8 = struct.Struct("=q")

from coordgraph.contracts import SHARE_COLUMNS  # noqa: E402
ACCOUNT_PROPS = ("handle", "name", "platform", "followers_count", "following_count",
                 "posts_count", "created_at", "verified")
POST_PROPS = ("ts", "text", "lang", "platform", "retweet_count", "like_count", "quote_count",
              "reply_count", "retweeted_id", "quoted_id", "replied_to_id",
              "replied_to_account_id", "place", "source", "hashtags", "urls", "mentions", "image_hashes")

# The load queries live in queries/ingest_{accounts,posts,shares}.cypher (parameters documented
# there; Neo4j variants ``.neo4j.cypher``). Shares are sent grouped by object ($groups: {o, k,
# rows: [{a, p, t}]}): one object lookup per group instead of one per share: ~20% faster.
Q_ACCOUNTS, Q_POSTS, Q_SHARES = "ingest_accounts", "ingest_posts", "ingest_shares"


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
    mode: str = "merge"  # "merge" (batched MERGE) or "bulk" (GRAPH.BULK first load)
    post_details: str = "graph"  # where post text etc. went: "graph" or "beside" (post_details.py)

    @property
    def shares_per_second(self) -> float:
        """SHARED relationships sent per second of wall time."""
        return self.shares / self.seconds if self.seconds else 0.0


def _clean(value):
    """pandas/numpy values -> plain Python: NaN/NA -> None; entity lists (hashtags, urls, ...)
    -> lists of strings; numpy scalars -> Python scalars. A NUL character in a text becomes
    U+FFFD: FalkorDB's query text ends at a NUL (the whole batch was refused), and the bulk
    path does the same (coordgraph/cypher/bulk.py); share ids never hold one (the readers
    reject them)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) == 1:
        return [_clean(str(v)) for v in list(value) if v is not None]
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


def handle_keys(handles: pd.Series) -> pd.Series:
    """The search key of each handle: lower-cased, one leading '@' removed (null stays null).
    Stored as ``Account.handle_lc`` and indexed, so the web app's search is an index lookup
    instead of ``toLower`` over every account."""
    keys = handles.astype("string").str.lower().str.removeprefix("@")
    return keys.astype(object).where(keys.notna(), None)


def account_rows(accounts: pd.DataFrame) -> list[dict]:
    """Accounts table -> parameter rows ``{id, props}`` (missing values left out)."""
    if "account_id" not in accounts.columns:
        raise StoreError("accounts: missing column account_id")
    props = [c for c in ACCOUNT_PROPS if c in accounts.columns]
    if "handle" in props:
        accounts = accounts.assign(handle_lc=handle_keys(accounts["handle"]))
        props.append("handle_lc")
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


def _last_of_each(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per key, the last one (a later profile of an account wins, on both paths; a
    MERGE of the same key twice in one FalkorDB query would keep the first)."""
    dup = frame[key].duplicated(keep="last")
    return frame[~dup] if dup.any() else frame


def _batches(posts, accounts, shares, kind, batch_rows) -> Iterator[tuple[str, Callable[[], list]]]:
    """(query name, make_rows) per batch: accounts first, then posts, then shares.

    Whole tables are validated first (bad input writes nothing); parameter rows are built
    per batch, only when the batch is written (memory stays one batch, resumed loads skip
    the conversion).
    """
    if accounts is not None and len(accounts):
        account_rows(accounts.iloc[:0])  # column check
        accounts = _last_of_each(accounts, "account_id")
        for part in _slices(accounts, batch_rows):
            yield Q_ACCOUNTS, (lambda part=part: account_rows(part))
    if posts is not None and len(posts):
        post_rows(posts.iloc[:0])
        posts = _last_of_each(posts, "post_id")
        for part in _slices(posts, batch_rows):
            yield Q_POSTS, (lambda part=part: post_rows(part))
    if shares is not None and len(shares):
        check_shares(shares)
        for part in _slices(shares, batch_rows):
            yield Q_SHARES, (lambda part=part: share_rows(part, kind))


IDENTITY_SPAN = 64 * 1024  # bytes hashed at the head and at the tail of a file


def file_identity(path) -> str:
    """A file's content identity for resuming: size, modification time (ns) and a SHA-256 of
    its first and last IDENTITY_SPAN bytes, as ``<size>-<mtime_ns>-<hash16>``.

    Why not the directory's stat: rewriting a file inside a directory does not change the
    directory's size or mtime, so a resume keyed on it skipped the new posts (issue 14: 5,000
    of 25,000). Any rewrite changes the mtime, the size or the hashed bytes."""
    import hashlib
    import os

    st = os.stat(path)
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            h.update(fh.read(IDENTITY_SPAN))
            if st.st_size > IDENTITY_SPAN:
                fh.seek(max(IDENTITY_SPAN, st.st_size - IDENTITY_SPAN))
                h.update(fh.read(IDENTITY_SPAN))
    except OSError as exc:  # unreadable: the reader rejects the file and says why
        return f"{st.st_size}-{st.st_mtime_ns}-unreadable-{exc.errno}"
    return f"{st.st_size}-{st.st_mtime_ns}-{h.hexdigest()[:16]}"


def load_identity(file_identities: list[str], options: str) -> str:
    """A load's id: its files' identities (in reading order) and the options that change the
    shares. The same files read the same way give the same id (resume, skip); any rewritten
    file gives a new id (a full, idempotent MERGE load)."""
    import hashlib

    h = hashlib.sha256()
    for ident in file_identities:
        h.update(ident.encode() + b"\n")
    h.update(options.encode())
    return "ingest-" + h.hexdigest()[:16]


def ingest_progress(store, ingest_id: str) -> int:
    """How many batches of load ``ingest_id`` are already written (0 for a new load)."""
    rows = store.read(store.dialect.query_text("ingest_progress"), {"id": ingest_id})
    return int(rows[0]["done"] or 0) if rows else 0


def ingest_status(store, ingest_id: str) -> str | None:
    """'running' (interrupted or under way), 'complete', or None for a load never started."""
    rows = store.read(store.dialect.query_text("ingest_progress"), {"id": ingest_id})
    return rows[0]["status"] if rows else None


def graph_is_empty(store) -> bool:
    """True when the graph has no node at all (a first load may then use the bulk path)."""
    rows = store.read("MATCH (n) RETURN n LIMIT 1")
    return not rows


class LoadWriter:
    """Writes one load (accounts, posts, shares, in that order per table set) to a store.

    Two paths, the same graph (tests/cypher/test_ingest_paths.py):

    - ``merge``: batched ``UNWIND ... MERGE`` (queries ``ingest_*.cypher``; on Neo4j the
      ``.neo4j`` variants commit every ``tx_rows`` rows with ``CALL {} IN TRANSACTIONS``).
      Idempotent; with an ``ingest_id`` the batches already recorded as written are skipped
      and the count is updated after each batch (resume).
    - ``bulk`` (FalkorDB, first load into an empty graph): ``GRAPH.BULK`` binary calls
      (coordgraph.cypher.bulk), indexes created after. Nothing is recorded until the end:
      an interrupted bulk load leaves a non-empty graph without a complete mark, so running
      it again takes the merge path over everything and ends in the same graph.

    ``mode``: ``auto`` (bulk when possible, else merge), ``merge`` or ``bulk`` (an error
    unless the graph is empty and the store is FalkorDB). Batches are numbered the same way
    on both paths (``batch_rows`` rows per table), so a load done in bulk is "complete" with
    the same batch count for a later identical load.
    """

    def __init__(self, store, *, ingest_id: str | None = None, files: list[str] | None = None,
                 batch_rows: int = BATCH_ROWS, mode: str = "auto", post_details: str = "auto",
                 progress: Callable[[int, int], None] | None = None):
        from coordgraph.cypher import post_details as details

        if mode not in ("auto", "merge", "bulk"):
            raise StoreError(f"unknown load mode {mode!r}: use auto, merge or bulk")
        self.store = store
        self.post_details = details.resolve_mode(store, post_details)
        self._details_name = ingest_id or details.new_load_name()  # part names: a re-run rewrites its own
        self._details_parts = 0
        self._resume_rewrites = None
        self.ingest_id = ingest_id
        self.files = list(files or [])
        self.batch_rows = batch_rows
        self.progress = progress
        self.summary = IngestSummary(ingest_id=ingest_id, post_details=self.post_details)
        self._started = time.perf_counter()
        self.done = 0
        self.number = 0
        self.bulk = None
        store.ensure_schema()
        if ingest_id:
            self.done = ingest_progress(store, ingest_id)
        can_bulk = getattr(store.dialect, "name", "") == "falkordb" and hasattr(store, "bulk_connection")
        empty = graph_is_empty(store) if mode != "merge" else False
        if mode == "bulk" and not (can_bulk and empty):
            raise StoreError("the bulk path needs an empty FalkorDB graph (use --mode merge or auto)")
        if mode in ("auto", "bulk") and can_bulk and empty and self.done == 0:
            from coordgraph.cypher.bulk import BulkWriter

            store.clear()  # GRAPH.BULK creates the graph: the key (indexes only) must not exist
            # no automatic log rewrite (a fork) in the middle of the bulk calls: see
            # FalkorStore.pause_log_rewrites; resumed (and the log compacted) at finish
            self._resume_rewrites = store.pause_log_rewrites() if hasattr(store, "pause_log_rewrites") else None
            self.bulk = BulkWriter(store.bulk_connection(), store.graph_name)
            self._accounts: dict[str, int] = {}
            self._objects: dict[str, int] = {}  # "<object id>\x1f<kind>" -> node id
            self._late_accounts: list[dict] = []
            self._snapshot = None  # the SHARED written, for the share snapshot (share_snapshot)
            self.summary.mode = "bulk"
        else:
            bump_version(store)  # stored shares change from here: no snapshot taken before is current
            if ingest_id:
                self._mark("running")

    # ------------------------------------------------------------------------------------
    def _mark(self, status: str) -> None:
        self.store.query(self.store.dialect.query_text("ingest_mark"),
                         {"id": self.ingest_id, "done": self.number if status == "complete" else self.done,
                          "status": status, "now": int(time.time()), "files": self.files})

    def _write(self, name: str, params: dict) -> None:
        """One batch on the merge path (Neo4j: committed in inner transactions)."""
        self.store.dialect.load_call(self.store, name, params)

    def add(self, posts=None, accounts=None, shares=None, kind: str | None = None) -> None:
        """Write one set of tables (any may be None); shares are validated first."""
        if posts is not None and len(posts) and self.post_details == "beside":
            posts = self._details_beside(posts)
        plan = list(_batches(posts, accounts, shares, kind, self.batch_rows))
        if self.bulk is not None:
            self._add_bulk(posts, accounts, shares, kind)
            for query, _ in plan:
                self.number += 1
                self.summary.batches_written += 1
                if self.progress:
                    self.progress(self.number, 0)
            return
        for query, make_rows in plan:
            self.number += 1
            if self.number <= self.done:
                self.summary.batches_skipped += 1
                continue
            rows = make_rows()
            if query == Q_SHARES:
                self._write(query, {"groups": group_by_object(rows)})
                self._count_shares(rows)
            elif query == Q_POSTS:
                self._write(query, {"rows": rows})
                self.summary.posts += len(rows)
            else:
                self._write(query, {"rows": rows})
                self.summary.accounts += len(rows)
            self.summary.batches_written += 1
            self.done = self.number
            if self.ingest_id:
                self._mark("running")
            if self.progress:
                self.progress(self.number, len(rows))

    def _details_beside(self, posts: pd.DataFrame) -> pd.DataFrame:
        """Write the posts' details beside the graph (coordgraph.cypher.post_details); returns
        what goes to the graph: id, author and :data:`post_details.GRAPH_PROPS`."""
        from coordgraph.cypher import post_details as details

        post_rows(posts.iloc[:0])  # column check
        self._details_parts += 1
        details.write_part(self.store, posts, [c for c in POST_PROPS if c not in details.GRAPH_PROPS],
                           f"{self._details_name}-{self._details_parts:06d}")
        return posts[["post_id", "account_id", *[c for c in details.GRAPH_PROPS if c in posts.columns]]]

    def _count_shares(self, rows: list[dict]) -> None:
        self.summary.shares += len(rows)
        for r in rows:
            self.summary.per_kind[r["k"]] = self.summary.per_kind.get(r["k"], 0) + 1

    # ------------------------------------------------------------------------------ bulk
    def _node_ids(self, keys: pd.Series, known: dict, create) -> np.ndarray:
        """Node ids of ``keys`` (vectorised: factorize, then one dict lookup per distinct
        key); ``create(first_rows)`` makes the nodes of the keys not seen yet and returns
        their ids (``first_rows``: the row of each new key's first occurrence)."""
        codes, uniques = pd.factorize(keys)
        uniq = uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)
        get = known.get
        nodes = np.fromiter((get(u, -1) for u in uniq), dtype=np.int64, count=len(uniq))
        missing = np.flatnonzero(nodes < 0)
        if len(missing):
            _, first = np.unique(codes, return_index=True)  # first row of each distinct key
            created = create(first[missing])
            nodes[missing] = np.arange(created.start, created.stop, dtype=np.int64)
            known.update(zip([uniq[i] for i in missing], nodes[missing].tolist()))
        return nodes[codes]

    def _account_ids(self, ids: pd.Series) -> np.ndarray:
        """Node ids of accounts, creating (bare) the ones not seen yet."""
        ids = ids.reset_index(drop=True)
        return self._node_ids(ids, self._accounts, lambda rows: self.bulk.add_node_table(
            "Account", {"id": ids.iloc[rows].reset_index(drop=True)}))

    def _add_bulk(self, posts, accounts, shares, kind) -> None:
        if accounts is not None and len(accounts):
            account_rows(accounts.iloc[:0])  # column check
            props = [c for c in ACCOUNT_PROPS if c in accounts.columns]
            frame = _last_of_each(accounts, "account_id").reset_index(drop=True)
            ids = frame["account_id"].astype(str)
            # a profile for an account already created is set after the bulk with the MERGE
            # path's query, in the order met (the last one wins, as there)
            known = self._accounts
            late = pd.Series(np.fromiter((a in known for a in ids.tolist()), dtype=bool, count=len(ids)))
            if late.any():
                self._late_accounts.extend(account_rows(frame[late]))
            fresh = frame[~late]
            columns = {p: fresh[p] for p in props}
            if "handle" in columns:
                columns["handle_lc"] = handle_keys(fresh["handle"])
            nodes = self.bulk.add_node_table("Account", {"id": ids[~late], **columns})
            self._accounts.update(zip(ids[~late].tolist(), nodes))
            self.summary.accounts += len(frame)
        if posts is not None and len(posts):
            post_rows(posts.iloc[:0])  # column check
            frame = _last_of_each(posts, "post_id").reset_index(drop=True)
            props = [c for c in POST_PROPS if c in frame.columns]
            nodes = self.bulk.add_node_table("Post", {"id": frame["post_id"].astype(str),
                                                      **{p: frame[p] for p in props}})
            authors = self._account_ids(frame["account_id"].astype(str))
            self.bulk.add_edge_table("POSTED", authors, np.arange(nodes.start, nodes.stop, dtype=np.int64))
            self.summary.posts += len(frame)
        if shares is not None and len(shares):
            self._add_bulk_shares(shares, kind)

    def _add_bulk_shares(self, shares: pd.DataFrame, kind: str | None) -> None:
        """SHARED (and their new objects / bare accounts) on the bulk path, in slices of
        :data:`BULK_SHARE_ROWS` rows: one SHARED per (account, object, post), the first, as
        MERGE ... ON CREATE SET keeps it. The id columns stay pandas strings (Arrow-backed),
        not Python objects: at 10M posts (3.4M shares) the share step held 1.5 GB more in
        object columns."""
        ts = check_shares(shares)
        table = pd.DataFrame({"a": shares["account_id"].astype(str), "o": shares["object_id"].astype(str),
                              "p": shares["content_id"].astype(str), "t": ts}).reset_index(drop=True)
        if "kind" in shares.columns:
            table["k"] = shares["kind"].fillna(kind or "unknown").astype(str).to_numpy()
        else:
            table["k"] = kind or "unknown"
        table["k"] = table["k"].astype(str)
        for k, n in table["k"].value_counts().items():
            self.summary.per_kind[k] = self.summary.per_kind.get(k, 0) + int(n)
        self.summary.shares += len(table)
        first = ~table.duplicated(subset=["a", "o", "k", "p"], keep="first").to_numpy()
        if not first.all():
            table = table[first].reset_index(drop=True)
        for start in range(0, len(table), BULK_SHARE_ROWS):
            part = table.iloc[start:start + BULK_SHARE_ROWS].reset_index(drop=True)
            keys = part["o"] + "\x1f" + part["k"]  # objects are keyed by (id, kind)
            targets = self._node_ids(keys, self._objects, lambda rows, part=part: self.bulk.add_node_table(
                "Object", {"id": part["o"].iloc[rows].reset_index(drop=True),
                           "kind": part["k"].iloc[rows].reset_index(drop=True)}))
            sources = self._account_ids(part["a"])
            self.bulk.add_edge_table("SHARED", sources, targets,
                                     {"post_id": part["p"], "ts": part["t"], "kind": part["k"]})
            self._keep_for_snapshot(part)

    def _keep_for_snapshot(self, table: pd.DataFrame) -> None:
        """Append the SHARED rows just written to a scratch Parquet file (the snapshot is
        sorted and written at :meth:`finish`; memory stays flat during the load)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from coordgraph.cypher import share_snapshot as snap

        part = snap.as_snapshot_table(pa.table({
            "object_id": pa.array(table["o"], pa.string()),
            "account_id": pa.array(table["a"], pa.string()),
            "content_id": pa.array(table["p"], pa.string()),
            "timestamp_share": pa.array(table["t"].to_numpy(dtype="int64")),
            "kind": pa.array(table["k"], pa.string())}))
        if self._snapshot is None:
            snap.remove_stale_scratch(self.store)  # left by an interrupted bulk load
            scratch = snap.scratch_path(self.store, os.getpid())
            old = os.umask(0o077)
            try:
                self._snapshot = (scratch, pq.ParquetWriter(scratch, snap.SCHEMA, compression="none"))
            finally:
                os.umask(old)
        self._snapshot[1].write_table(part)

    def _write_snapshot(self) -> None:
        """The bulk load's shares, sorted as the store sorts them, as the share snapshot of a
        new version, then that version in the store (in this order: a crash between leaves
        the store without the snapshot's version, so the snapshot is never used)."""
        import pyarrow.parquet as pq

        from coordgraph.cypher import share_snapshot as snap

        if self._snapshot is None:
            bump_version(self.store)
            return
        scratch, writer = self._snapshot
        writer.close()
        try:
            version = uuid.uuid4().hex
            snap.write_snapshot(self.store, snap.sort_like_store(pq.read_table(scratch)), version)
            bump_version(self.store, version)
        finally:
            scratch.unlink(missing_ok=True)

    def abandon(self) -> None:
        """The load stops here (an error in the caller): automatic log rewrites paused by a
        bulk load are resumed, without compacting. Nothing written is undone: running the
        load again ends in the same graph (see the class doc)."""
        resume, self._resume_rewrites = getattr(self, "_resume_rewrites", None), None
        if resume is not None:
            resume(compact=False)

    def finish(self) -> "IngestSummary":
        """Send what is pending, create the indexes (bulk), mark the load complete."""
        if self.bulk is not None:
            from coordgraph.cypher.schema import await_indexes

            try:
                self.bulk.close()
                # the node id maps are done with: free them before the store builds its indexes
                # (the peak of a 10M-post load is then: 2M accounts, 2.5M objects)
                self._accounts.clear()
                self._objects.clear()
                self.store.ensure_schema()
                await_indexes(self.store)  # built in the background: wait, so the load ends ready to query
                for part in range(0, len(self._late_accounts), self.batch_rows):
                    self._write(Q_ACCOUNTS, {"rows": self._late_accounts[part:part + self.batch_rows]})
                self._write_snapshot()
            finally:
                resume, self._resume_rewrites = self._resume_rewrites, None
                if resume is not None:
                    resume()
        else:
            bump_version(self.store)
        if self.ingest_id:
            self._mark("complete")
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary


def ingest(store, *, shares: pd.DataFrame | None = None, posts: pd.DataFrame | None = None,
           accounts: pd.DataFrame | None = None, kind: str | None = None,
           batch_rows: int = BATCH_ROWS, ingest_id: str | None = None, mode: str = "merge",
           post_details: str = "auto", progress: Callable[[int, int], None] | None = None) -> IngestSummary:
    """Write accounts, posts and shares to ``store`` (see :class:`LoadWriter`).

    Idempotent: loading the same tables twice leaves the graph as after one load. With an
    ``ingest_id``, the batches already recorded as written for that id are skipped, so an
    interrupted load called again resumes. ``progress(done, total)`` is called per batch.
    ``mode``: ``merge`` (default here, as callers add to graphs piece by piece), ``auto``
    or ``bulk`` (first load into an empty FalkorDB graph). ``post_details``: where post text,
    counts and entities go (``auto``, ``graph``, ``beside``: coordgraph.cypher.post_details).
    """
    return ingest_stream(store, [(posts, accounts, shares)], kind=kind, batch_rows=batch_rows,
                         ingest_id=ingest_id, progress=progress, mode=mode, post_details=post_details)


def ingest_stream(store, tables: Iterable[tuple], *, kind: str | None = None,
                  batch_rows: int = BATCH_ROWS, ingest_id: str | None = None, mode: str = "merge",
                  post_details: str = "auto",
                  progress: Callable[[int, int], None] | None = None) -> IngestSummary:
    """Like :func:`ingest` for a stream of ``(posts, accounts, shares)`` tables (any may be None).

    Batches are numbered across the whole stream; with ``ingest_id`` the first
    ``done_batches`` are skipped (resume) and the count is updated after each batch.
    """
    writer = LoadWriter(store, ingest_id=ingest_id, batch_rows=batch_rows, mode=mode,
                        post_details=post_details, progress=progress)
    for posts, accounts, shares in tables:
        writer.add(posts, accounts, shares, kind)
    return writer.finish()


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
