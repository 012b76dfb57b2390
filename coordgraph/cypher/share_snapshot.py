"""The store's SHARED relationships kept as one Parquet snapshot beside it, so that a run on
the stored shares does not read them out of the graph every time.

Why: reading 10M SHARED out of FalkorDB (match, sort, reply, parse) takes minutes on a 2-core
machine, detecting on them seconds. The snapshot holds exactly what
:func:`coordgraph.run.shares.store_share_frame` reads (every kind, in the store's order) and
is used only while it is the store's state:

- the store carries a version, ``(:Meta {name: 'shares'}).version`` (a random id), that
  every writer of SHARED changes (:func:`bump_version`: a load through
  :class:`coordgraph.cypher.ingest.LoadWriter` at its start and end, the share rows of a
  cypher run); dropping the graph drops it;
- the snapshot file records the version it was taken at (Parquet metadata) and is used only
  when that is the store's version now *and* its row count is the store's SHARED count (an
  O(1) count in both stores), so a load running beside a reader, or interrupted, can never
  leave a snapshot that passes for the store.

It is written by the bulk first load (the shares it wrote, sorted as the store sorts them) or
after a read from the store. ``<workspace>/snapshots``, 0700, files 0600, written atomically.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from coordgraph.cypher import beside

#: Columns of the snapshot: the share columns plus the SHARED kind and input row (processing order).
COLUMNS = ("object_id", "account_id", "content_id", "timestamp_share", "kind", "row")
VERSION_KEY = b"coordgraph.shares_version"
SCHEMA = pa.schema([("object_id", pa.string()), ("account_id", pa.string()), ("content_id", pa.string()),
                    ("timestamp_share", pa.int64()), ("kind", pa.string()), ("row", pa.int64())])


def shares_version(store) -> str | None:
    """The store's shares version (None when no writer has set one, or the graph is empty)."""
    rows = store.read("MATCH (m:Meta {name: 'shares'}) RETURN m.version AS version")
    return rows[0]["version"] if rows else None


def bump_version(store, version: str | None = None) -> str:
    """Give the store's shares a new version (``version``, or a random one); returns it. Every
    write to SHARED calls this, so that no snapshot taken before passes for the store."""
    version = version or uuid.uuid4().hex
    store.query("MERGE (m:Meta {name: 'shares'}) SET m.version = $v", {"v": version})
    return version


def shared_count(store) -> int:
    """Number of SHARED relationships in the store (a count the store keeps: no scan)."""
    rows = store.read("MATCH ()-[s:SHARED]->() RETURN count(s) AS n")
    return int(rows[0]["n"]) if rows else 0


def snapshot_path(store, create: bool = False) -> Path:
    """``<workspace>/snapshots/shares-<store key>.parquet`` for this store
    (:func:`coordgraph.cypher.beside.store_key`); ``create`` makes the folder (0700)."""
    return beside.folder("snapshots", create) / f"shares-{beside.store_key(store)}.parquet"


def forget(store) -> None:
    """Remove this store's snapshot (its graph was dropped)."""
    snapshot_path(store).unlink(missing_ok=True)


def scratch_path(store, pid: int) -> Path:
    """Where process ``pid``'s bulk load collects its SHARED before sorting them into the
    snapshot (hidden, 0600)."""
    path = snapshot_path(store, create=True)
    return path.with_name(f".{path.name}.{pid}.load")


def remove_stale_scratch(store) -> list[Path]:
    """Remove the scratch files of this store's bulk loads whose process is gone (an
    interrupted load); returns them."""
    import os

    from coordgraph.cypher.server import pid_alive

    path = snapshot_path(store)
    removed = []
    for scratch in path.parent.glob(f".{path.name}.*.load"):
        pid = scratch.name[len(path.name) + 2:-len(".load")]
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            scratch.unlink(missing_ok=True)
            removed.append(scratch)
    return removed


def as_snapshot_table(table: pa.Table) -> pa.Table:
    """``table`` with the snapshot's columns and types (``row`` null when absent)."""
    cols = []
    for field in SCHEMA:
        if field.name in table.column_names:
            cols.append(table[field.name].cast(field.type))
        else:
            cols.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(cols, schema=SCHEMA)


def write_snapshot(store, table: pa.Table, version: str) -> Path:
    """Write ``table`` (snapshot columns, in the store's order) as the snapshot of ``version``."""
    target = snapshot_path(store, create=True)
    table = as_snapshot_table(table)
    table = table.replace_schema_metadata({VERSION_KEY: version.encode()})
    beside.write_private_parquet(table, target, compression="lz4")
    return target


def read_snapshot(store, version: str | None) -> pa.Table | None:
    """The snapshot when it is the store's state (taken at ``version``, the store's version
    now, with as many rows as the store has SHARED); None otherwise."""
    if version is None:
        return None
    path = snapshot_path(store)
    try:
        meta = pq.read_schema(path).metadata or {}
    except (FileNotFoundError, OSError, pa.ArrowInvalid):
        return None
    if meta.get(VERSION_KEY) != version.encode():
        return None
    if pq.ParquetFile(path).metadata.num_rows != shared_count(store):
        return None
    return pq.read_table(path)


def sort_like_store(table: pa.Table) -> pa.Table:
    """Rows in the order of the store's read (``ORDER BY s.row, s.ts, s.post_id, o.id, s.kind,
    a.id``: every row has its place; a missing row last, as the store sorts null: Arrow's
    default placement; strings by their bytes in both)."""
    return table.sort_by([("row", "ascending"), ("timestamp_share", "ascending"), ("content_id", "ascending"),
                          ("object_id", "ascending"), ("kind", "ascending"), ("account_id", "ascending")])
