"""edges.parquet of the out-of-core engine: the edge table (accounts as dictionary columns,
the CooRTweet edge attributes) and the Parquet settings it is written with.

Why a module of its own: both kernel sets (numpy and C) build the same table, and how it
is encoded (dictionaries, compression, statistics, row groups) is a large part of a dense
run's time, measured and tuned here in one place.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from coordgraph.engines import _kernel as K
from coordgraph.engines._arrow import from_numpy

#: Not nullable: Parquet then stores no definition levels (~15% of the encoding time).
EDGE_SCHEMA = pa.schema([pa.field(name, type_, nullable=False) for name, type_ in [
    ("account_id", pa.dictionary(pa.int32(), pa.string())), ("account_id_y", pa.dictionary(pa.int32(), pa.string())),
    ("weight", pa.int64()), ("avg_time_delta", pa.float64()), ("n_content_id", pa.int64()),
    ("n_content_id_y", pa.int64()), ("edge_symmetry_score", pa.float64()), ("weight_threshold", pa.int64()),
]])

#: Rows per row group of edges.parquet: each row group repeats the account dictionary.
EDGE_ROW_GROUP = 8_000_000

#: Files of the edges.parquet dataset, written at once.
EDGE_WRITERS = 2

#: From this many pairs on, the pairs go to at least EDGE_WRITERS buckets, so that the writer
#: threads aggregate and write them side by side (1M dense shares: network 2.6 -> 2.3 s).
SPLIT_PAIRS = 1_000_000

#: Columns of edges.parquet stored with a dictionary (the account names: repeated strings).
#: The numbers are stored plain: hashing every value into a dictionary cost more (~5 ns a
#: value a column) than LZ4 takes to squeeze runs of 1s and 0s.
EDGE_DICTIONARY_COLUMNS = ("account_id", "account_id_y")

#: zstd for the mean deltas (many distinct values, 20% smaller than LZ4 at the same speed),
#: LZ4 for the rest (1.7M-edge row group: 53 ms instead of 58 ms with zstd on the account
#: columns too, for a file 3% larger).
EDGE_COMPRESSION = {f.name: "zstd" if f.name == "avg_time_delta" else "lz4" for f in EDGE_SCHEMA}

#: Columns with min/max statistics (for filters such as weight > 5 or weight_threshold = 1).
EDGE_STATISTICS = ("weight", "weight_threshold")


def edge_columns(agg: K.EdgeAggregate) -> dict:
    """The columns :func:`edge_table` takes, from one bucket's aggregate."""
    return {"lo": agg.lo.astype(np.int32, copy=False), "hi": agg.hi.astype(np.int32, copy=False),
            "weight": agg.weight, "sum_td": agg.sum_time_delta, "n_lo": agg.n_lo, "n_hi": agg.n_hi}


def edge_table(e: dict, sorted_accounts: pa.Array, threshold: float) -> pa.Table:
    """The edges.parquet rows of staged edges ``e`` (lo/hi ranks, weight, summed delta,
    distinct contents per side)."""
    w = e["weight"]
    n_lo, n_hi = e["n_lo"], e["n_hi"]
    return edge_arrow(e["lo"], e["hi"], sorted_accounts, {
        "weight": w.astype(np.int64, copy=False),
        "avg_time_delta": e["sum_td"] / w,
        "n_content_id": n_lo.astype(np.int64, copy=False),
        "n_content_id_y": n_hi.astype(np.int64, copy=False),
        "edge_symmetry_score": np.minimum(n_lo, n_hi) / np.maximum(n_lo, n_hi),
        "weight_threshold": (w > threshold).astype(np.int64),
    })


def edge_arrow(lo: np.ndarray, hi: np.ndarray, sorted_accounts: pa.Array, cols: dict,
                rank_range: tuple[int, int] | None = None) -> pa.Table:
    """An edge table: accounts (ranks ``lo``/``hi`` into ``sorted_accounts``) as dictionary
    columns, then the numeric ``cols`` in :data:`EDGE_SCHEMA` order.

    Each row group of edges.parquet repeats its columns' dictionaries, so they are kept
    small: with ``rank_range`` (every lo in it, every hi above its start) account_id gets
    the range's names and account_id_y the names from the range's start on; a dictionary
    is cut down to the names in use when they are fewer than half of it."""
    if rank_range is None:
        lo, hi, dictionary = used_names(lo, hi, sorted_accounts)
        lo_dict = hi_dict = dictionary
    else:
        start, stop = rank_range
        lo_dict = sorted_accounts.slice(start, stop - start)
        lo = lo - np.int32(start)
        hi = hi - np.int32(start)
        hi, _, hi_dict = used_names(hi, None, sorted_accounts.slice(start))
    return pa.table({
        "account_id": pa.DictionaryArray.from_arrays(from_numpy(lo.astype(np.int32, copy=False)), lo_dict),
        "account_id_y": pa.DictionaryArray.from_arrays(from_numpy(hi.astype(np.int32, copy=False)), hi_dict),
        **{name: from_numpy(v) for name, v in cols.items()},
    }, schema=EDGE_SCHEMA)


def used_names(a: np.ndarray, b: np.ndarray | None, dictionary: pa.Array):
    """Indices ``a`` (and ``b``) into ``dictionary``, relabelled to a dictionary of the used
    names only when fewer than half are used (else unchanged)."""
    used = np.zeros(len(dictionary), dtype=bool)
    used[a] = True
    if b is not None:
        used[b] = True
    if int(used.sum()) >= len(used) // 2:
        return a, b, dictionary
    relabel = np.cumsum(used, dtype=np.int32) - 1
    return relabel[a], None if b is None else relabel[b], dictionary.take(from_numpy(np.flatnonzero(used)))


def fresh_dir(target: Path) -> None:
    """An empty directory at ``target`` (an earlier run's file or directory is removed)."""
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    target.mkdir(parents=True)


def write_part(path: Path, tables) -> None:
    """One file of the edges.parquet dataset from an iterable of edge tables (a row group
    each, split at EDGE_ROW_GROUP rows). Settings measured on the 1M-share dense bench:
    plain numbers with LZ4 and statistics on two columns took the network phase from
    ~0.75 s to ~0.58 s for a file of 52 MB instead of 46 MB."""
    with pq.ParquetWriter(path, EDGE_SCHEMA, compression=EDGE_COMPRESSION,
                          store_schema=False,  # readers get plain strings, not categoricals
                          dictionary_pagesize_limit=1 << 30,  # never fall back to plain strings
                          use_dictionary=list(EDGE_DICTIONARY_COLUMNS),
                          # the mean delta's bytes split into streams compress well
                          column_encoding={"avg_time_delta": "BYTE_STREAM_SPLIT"},
                          data_page_size=8 << 20,  # fewer pages: each costs a compression context
                          write_statistics=list(EDGE_STATISTICS)) as writer:
        for table in tables:
            for start in range(0, len(table), EDGE_ROW_GROUP):
                piece = table.slice(start, EDGE_ROW_GROUP)
                writer.write_table(piece, row_group_size=len(piece))
