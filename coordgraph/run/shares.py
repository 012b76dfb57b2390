"""Share sources of a run as one Parquet file with the contract's four share columns.

Every engine reads the same file, so every engine sees the same rows in the same order (the
order decides which of two simultaneous shares is the older one: spec step 5).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from coordgraph.contracts import KIND_COLUMN, SHARE_COLUMNS


def share_table(frame: pd.DataFrame) -> pa.Table:
    """The four share columns of ``frame`` as an Arrow table (ids as strings, times int64)."""
    missing = [c for c in SHARE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"shares lack column(s) {', '.join(missing)} (found {', '.join(map(str, frame.columns))})")
    if not pd.api.types.is_integer_dtype(frame["timestamp_share"]):
        raise ValueError("field 'timestamp_share' must be integer UNIX seconds (UTC)")
    cols = {c: pa.array(frame[c].astype(str).to_numpy(dtype=object), pa.string()) for c in SHARE_COLUMNS[:3]}
    cols["timestamp_share"] = pa.array(frame["timestamp_share"].to_numpy(dtype="int64"), pa.int64())
    return pa.table(cols)


def file_share_frame(path) -> pd.DataFrame | None:
    """The four share columns of a CSV/CSV.gz share file as the python engine reads them from
    the scratch Parquet (the same Arrow conversion, without the disk round trip: ~0.3 s of a
    35k-share ``detect``), or None when ``path`` is Parquet or a directory (read as files)."""
    path = Path(path)
    if path.name.endswith(".parquet") or path.is_dir() or not path.exists():
        return None
    from coordgraph.analysis.shares import read_shares

    return share_table(read_shares(path)).to_pandas()


def store_share_frame(store, intents: list[str] | None) -> pd.DataFrame:
    """The store's SHARED (of ``intents``) as a share table, in processing order: by
    ``SHARED.row`` (the input row, when a run stored it) then time, post id and object id (the
    order the cypher engine's tie rule assumes too). With several kinds, object ids
    are kind-prefixed (:func:`coordgraph.contracts.kind_prefixed`) so that equal strings of two
    kinds stay two objects, as in a multi-intent share file.

    The rows come from the store's share snapshot when it is the store's state, else from the
    store, and a new snapshot is kept (:mod:`coordgraph.cypher.share_snapshot`)."""
    return store_share_arrow(store, intents).to_pandas()


def store_share_arrow(store, intents: list[str] | None) -> pa.Table:
    """:func:`store_share_frame` as an Arrow table (no pandas round trip: 10M rows)."""
    import pyarrow.compute as pc

    from coordgraph.contracts import KIND_PREFIX_SEP

    table = store_share_table(store)
    if intents is not None:
        table = table.filter(pc.is_in(table[KIND_COLUMN], pa.array(list(intents), pa.string())))
    if _several_kinds(table):
        kinds = pc.fill_null(table[KIND_COLUMN], "unknown")  # the kind a load gives shares without one
        prefixed = pc.binary_join_element_wise(kinds, table["object_id"], KIND_PREFIX_SEP)
        table = table.set_column(table.column_names.index("object_id"), "object_id", prefixed)
    return table


def _several_kinds(table: pa.Table) -> bool:
    """True when the rows hold more than one (non-null) kind."""
    import pyarrow.compute as pc

    return table.num_rows > 0 and pc.count_distinct(table[KIND_COLUMN]).as_py() > 1


def store_share_table(store) -> pa.Table:
    """Every SHARED of the store (snapshot columns, the store's order): from the snapshot when
    it is current, else read from the store (then snapshotted when no write came between)."""
    from coordgraph.cypher import share_snapshot as snap
    from coordgraph.cypher.errors import StoreError

    version = snap.shares_version(store)
    table = snap.read_snapshot(store, version)
    if table is not None:
        return table
    if version is None:
        try:
            version = snap.bump_version(store)
        except StoreError:  # a store this user may only read: no snapshot
            version = None
    # fast=True: on FalkorDB the rows come in the server's plain reply format, parsed by redis
    # itself (1M shares, alternating runs at load ~4.5: 6.4-8.7 s instead of 16-20 s; the rows are
    # strings and integers, which that format keeps as they are)
    frame = store.read_table(
        "MATCH (a:Account)-[s:SHARED]->(o:Object) "
        "RETURN o.id AS object_id, a.id AS account_id, s.post_id AS content_id, "
        "s.ts AS timestamp_share, s.kind AS kind, s.row AS row ORDER BY s.row, s.ts, s.post_id, o.id, s.kind, a.id",
        None, fast=True)
    columns = list(snap.COLUMNS)
    frame = frame.reindex(columns=columns) if len(frame) else pd.DataFrame(columns=columns)
    frame["timestamp_share"] = frame["timestamp_share"].astype("int64")
    frame["row"] = pd.to_numeric(frame["row"]).astype("Int64")
    table = snap.as_snapshot_table(pa.Table.from_pandas(frame, preserve_index=False))
    if version is not None and snap.shares_version(store) == version and table.num_rows == snap.shared_count(store):
        snap.write_snapshot(store, table, version)
    return table


def as_share_parquet(shares, work: Path) -> tuple[Path, int, bool]:
    """(a share Parquet file for ``shares``, its row count, whether object ids carry a kind
    prefix that the store's objects do not). A Parquet file with the four
    columns and integer times is used as it is; CSV, other Parquet, DataFrames and
    :class:`~coordgraph.run.request.StoreShares` are written to ``work/shares.parquet``."""
    from coordgraph.run.request import StoreShares

    if isinstance(shares, (str, Path)):
        path = Path(shares)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such share file")
        if path.name.endswith(".parquet") or path.is_dir():
            schema = pq.read_schema(path) if path.is_file() else None
            if schema is not None and all(c in schema.names for c in SHARE_COLUMNS) \
                    and pa.types.is_integer(schema.field("timestamp_share").type) \
                    and not any(pa.types.is_floating(schema.field(c).type) for c in SHARE_COLUMNS
                                if c != "timestamp_share"):  # float ids: read_shares refuses them, naming the column
                return path, pq.ParquetFile(path).metadata.num_rows, False
        from coordgraph.analysis.shares import read_shares

        frame = read_shares(path)
    elif isinstance(shares, StoreShares):
        stored = store_share_arrow(shares.store, shares.intents)
        prefixed = _several_kinds(stored)
        work.mkdir(parents=True, exist_ok=True)
        target = work / "shares.parquet"
        pq.write_table(stored.select(list(SHARE_COLUMNS)), target, compression="none")
        return target, stored.num_rows, prefixed
    elif isinstance(shares, pd.DataFrame):
        frame = shares
    else:
        raise TypeError(f"shares must be a path, a DataFrame or StoreShares, not {type(shares).__name__}")
    work.mkdir(parents=True, exist_ok=True)
    target = work / "shares.parquet"
    table = share_table(frame)
    pq.write_table(table, target, compression="none")  # a scratch file, read once: no codec time
    return target, table.num_rows, isinstance(shares, StoreShares) and prefixed
