"""The out-of-core engine: detection plus network for share files larger than memory allows
with strings, on one machine.

Why: 100 million shares as Python strings need tens of GiB; as integer codes they need ~21
bytes each. The pipeline (all steps stream, none holds every pair):

1. **Encode** the object, account and content columns (Arrow, or the C string coder for
   columns of many distinct values; codes in order of first appearance, which is
   CooRTweet's processing order for accounts). Strings are dropped once a column is coded.
2. **Partition by object** into ``n_partitions``; sort each partition once by (object,
   time, processing order), count its window pairs and note the shares in one; keep one
   partition in memory or **spill** several to Parquet (codes only, sorted).
3. **Code the contents** of the shares in a window pair (:func:`code_contents`), unless
   most shares are in one and step 1 coded them all.
4. **Pass A**: per partition, the window pairs chunk by chunk, loops removed; the contents
   in a pair (C); the OR post-filter on codes.
5. **Pass B**: the kept pairs again; result rows go to ``result.parquet`` (strings restored
   from the dictionaries) and pairs, packed into 16 bytes, to **edge buckets** by their
   lower account, so every edge lives in one bucket (C kernels: :mod:`._native_run`, by
   ranges of accounts; numpy kernels: by a hash of the account pair).
6. **Aggregate** each bucket into edges (weight, mean time delta, distinct contents per
   account, symmetry); the weights come first, for the exact type-7 threshold; two writer
   threads write ``edges.parquet`` (a dataset of part files, :mod:`._edges`) as they
   aggregate; then ``vertices.parquet``.

Results equal the python engine (:mod:`coordgraph.analysis`); the parity suite in
tests/engines checks it on the CooRTweet fixtures and a simulated campaign.
"""
from __future__ import annotations

import json
import mmap
import resource
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from coordgraph.analysis.pairs import chunk_ranges, range_pairs
from coordgraph.analysis.pairs import window_partner_counts as window_pair_counts
from coordgraph.engines import _edges as E
from coordgraph.engines import _kernel as K
from coordgraph.engines import _native_run as NR
from coordgraph.engines import _packed as P
from coordgraph.engines._arrow import empty_strings, from_numpy, to_numpy
from coordgraph.engines._memory import large_array_allocation
from coordgraph.engines._native_run import N, native_available
from coordgraph.engines._threads import AGGREGATE_THREADS, PAIR_THREADS, bounded_map


if TYPE_CHECKING:
    import pandas as pd

from coordgraph.contracts import SHARE_COLUMNS as SHARE_FIELDS  # noqa: E402
from coordgraph.contracts import RESULT_COLUMNS  # noqa: E402

#: Bytes per share held while pairing one partition (codes, sort keys and permutation).
BYTES_PER_SHARE = 100
#: Most shares in one object partition (bounds the pairing phase's memory to ~2 GiB).
MAX_PARTITION_SHARES = 20_000_000
#: Pairs per edge bucket: bounds the aggregation scratch (~60 bytes a pair, per thread).
BUCKET_PAIRS = 8_000_000
#: With the C kernels, buckets of 8 pairs an account but at least this many: each writer
#: thread reuses its aggregation memory from bucket to bucket (fresh memory costs a page
#: fault every 4 KiB), while each bucket's row group repeats the account dictionary, which
#: is then at most ~1/8 of its rows (1M dense shares: 8 buckets, network 0.75 -> 0.6 s).
NATIVE_MIN_BUCKET_PAIRS = 2_000_000
#: Bytes of one stored pair row (packed key: uint64; two content codes: int32).
PAIR_ROW_BYTES = 16
#: Pair rows kept in memory instead of spilled at most this many bytes (bench, 10M dense shares,
#: 147M pairs: in memory 70 s / 10.7 GiB, spilled 73 s / 2.8 GiB).
IN_MEMORY_BUCKET_BYTES = 1 << 30
#: The same with the C kernels, whose pairs take just their 16 bytes (10M dense shares, 2.1
#: GiB of pairs: in memory 12.5 s / 3.8 GiB, spilled 14.5 s / 2.2 GiB).
NATIVE_IN_MEMORY_BUCKET_BYTES = 5 << 29
#: Pairs in memory: buckets of at most 1/36 of them, so that the two writers' aggregation
#: blocks (56 bytes an edge each) add at most ~20% to the pairs' memory.
IN_MEMORY_BUCKETS_PER_BLOCK = 36
#: Above this many shares the id columns are coded one after the other (memory over speed).
PARALLEL_ENCODE_ROWS = 20_000_000
#: When more than this fraction of the shares is in a window pair, every content is coded
#: (else only those of the shares in a pair get a dictionary: see code_contents).
DENSE_WINDOW_FRACTION = 0.5


class EngineInputError(ValueError):
    """The share file cannot be used; the message names the file, row and field."""


@dataclass
class Encoded:
    """The shares of one file as codes (all rows, input order) and the dictionaries.

    ``content``, ``loop``, ``contents`` and ``n_contents`` are filled by
    :func:`code_contents` once it is known which shares are in a window pair."""

    obj: np.ndarray
    account: np.ndarray
    content: np.ndarray | None
    time: np.ndarray
    loop: np.ndarray | None
    objects: pa.Array
    accounts: pa.Array
    contents: pa.Array | None  # None when the result rows are not written
    n_contents: int
    path: Path | None = None
    keep_contents: bool = True


def _column(path: Path, name: str) -> pa.ChunkedArray:
    """Read one column of the share file, with a clear error when absent or holding nulls."""
    # ParquetFile, not pq.read_table: the latter imports pyarrow.dataset (~0.2 s) on first use
    file = pq.ParquetFile(path)
    schema = file.schema_arrow
    if name not in schema.names:
        raise EngineInputError(f"{path}: no column {name!r} (found {', '.join(schema.names)})")
    col = file.read(columns=[name]).column(0)
    if col.null_count:
        first = int(np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))[0])
        raise EngineInputError(f"{path}: row {first + 1}, field {name!r} is empty")
    return col


def _string_column(path: Path, name: str) -> pa.ChunkedArray:
    """One id column of the share file as strings (ids stored as numbers are cast)."""
    col = _column(path, name)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        col = pc.cast(col, pa.string())
    return col


def _encode_strings(path: Path, name: str) -> tuple[np.ndarray, pa.Array]:
    """One string column -> (int32 codes in order of first appearance, dictionary)."""
    return _code_strings(_string_column(path, name), name)


def _code_strings(col: pa.ChunkedArray, name: str) -> tuple[np.ndarray, pa.Array]:
    """Codes and dictionary of id column ``name``.

    Content ids (nearly one a share) and, in large files, account ids have too many
    distinct values for Arrow's hash table to stay in the CPU caches: the C kernel codes
    them 2-4x faster (same codes). Object ids are few and grouped: Arrow is faster."""
    if native_available() and (name == "content_id" or (name == "account_id" and len(col) >= NR.NATIVE_ACCOUNT_CODES_ROWS)):
        return NR.string_codes(col)
    return _dictionary_codes(col)


def _contents_and_loops(path: Path, objects: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    """Codes and dictionary of the content column, and each row's loop flag (its content id
    equals its object id), compared row by row with the object column ``objects``."""
    col = _string_column(path, "content_id")
    codes, contents = _code_strings(col, "content_id")
    same = pc.cast(pc.equal(objects, col), pa.uint8())
    return codes, contents, to_numpy(same).astype(bool)


def encode_parquet(path: Path, keep_contents: bool = True, time_window: int | None = None) -> Encoded:
    """Code the id columns of a share Parquet file and read the times.

    Objects first; then, up to PARALLEL_ENCODE_ROWS rows, accounts and (with the C string
    coder, or when most shares are in a window pair, as estimated on a sample of objects
    with ``time_window``) contents in parallel threads. Otherwise contents are coded later
    by :func:`code_contents`, once it is known which shares are in a window pair; above
    PARALLEL_ENCODE_ROWS the columns are coded one at a time (only one column's strings in
    memory).
    ``keep_contents``: keep the content dictionary (only the result rows need it)."""
    path = Path(path)
    ts = _column(path, "timestamp_share")
    if not pa.types.is_integer(ts.type):
        raise EngineInputError(f"{path}: field 'timestamp_share' must be integer UNIX seconds, found {ts.type}")
    t = to_numpy(ts).astype(np.int64, copy=False)
    del ts
    parallel = len(t) <= PARALLEL_ENCODE_ROWS
    with ThreadPoolExecutor(max_workers=2) as pool:
        accounts_job = pool.submit(_encode_strings, path, "account_id") if parallel else None
        obj_col = _string_column(path, "object_id")  # meanwhile
        obj, objects = _code_strings(obj_col, "object_id")
        contents_job = None
        # most are needed, or the C coder makes coding them all cheap (1M realistic shares: the
        # contents phase 0.08 s -> 0): code them all now, and compare each with its row's object
        if parallel and time_window is not None and \
                (native_available() or window_fraction_estimate(obj, t, time_window) > DENSE_WINDOW_FRACTION):
            contents_job = pool.submit(_contents_and_loops, path, obj_col)
        del obj_col
        account, accounts = accounts_job.result() if parallel else _encode_strings(path, "account_id")
        enc = Encoded(obj, account, None, t, None, objects, accounts, None, 0, path, keep_contents)
        if contents_job is not None:
            enc.content, contents, loop = contents_job.result()
            _set_contents(enc, contents, None, loop)
    return enc


def window_fraction_estimate(obj: np.ndarray, time_: np.ndarray, time_window: int, sample: int = 64) -> float:
    """Estimated fraction of the shares that are in a window pair, from the shares of about
    one object in ``sample`` (all shares when that leaves fewer than 10,000). Only decides
    how contents are coded, never what is computed."""
    rows = np.flatnonzero(((obj.astype(np.int64) * 2654435761) >> 11) % sample == 0)
    if len(rows) < 10_000:
        rows = np.arange(len(obj))
    if not len(rows):
        return 0.0
    o, tt = obj[rows], time_[rows]
    order = np.lexsort((tt, o))
    _, in_pair = window_rows(o[order], tt[order], time_window)
    return float(in_pair.mean())


def code_contents(enc: Encoded, in_window: np.ndarray) -> None:
    """Code the content column: ``enc.content`` (int32 a row), ``enc.loop`` (the row's
    content id equals its object id) and the dictionary, unless :func:`encode_parquet`
    coded them already.

    Why not code every content: content ids are nearly unique (one per post), and building a
    dictionary of 10M distinct strings takes seconds and GiBs. A content code is only ever
    compared for shares in a window pair, and for the rows that carry one of their contents
    (the post-filter counts those). So when few shares are in a window pair (``in_window``,
    a mask over all rows), only their contents get a dictionary, every row is looked up in
    it, and the rows whose content is not in it share one extra code that no pair ever sees.
    When most shares are in a pair, the whole column is dictionary-coded at once."""
    col = _string_column(enc.path, "content_id")
    n_window = int(in_window.sum())
    if n_window > DENSE_WINDOW_FRACTION * len(in_window):
        enc.content, contents = _code_strings(col, "content_id")
        outside = None
    else:
        _, contents = _dictionary_codes(col.take(from_numpy(np.flatnonzero(in_window))))
        outside = len(contents)  # the code of every row whose content is in no window pair
        enc.content = _lookup_codes(col, contents, outside)
    del col
    _set_contents(enc, contents, outside)


def _set_contents(enc: Encoded, contents: pa.Array, outside: int | None, loop: np.ndarray | None = None) -> None:
    """Loop flags (``loop`` when known), code count and (when kept) dictionary from coded
    contents; ``outside``: the extra code of the rows whose content is not in ``contents``
    (None: there are none)."""
    if loop is not None:
        enc.loop = loop
    elif (content_as_obj := pc.index_in(contents, value_set=enc.objects)).null_count == len(content_as_obj):
        enc.loop = np.zeros(len(enc.obj), dtype=bool)
    else:
        c2o = to_numpy(content_as_obj, null_value=-1).astype(np.int64)
        if outside is not None:
            c2o = np.append(c2o, -1)
        enc.loop = c2o[enc.content] == enc.obj
        del c2o
    enc.n_contents = len(contents) + (outside is not None)
    if enc.keep_contents:
        enc.contents = contents if outside is None else pa.concat_arrays([contents, empty_strings(1, contents.type)])


def _lookup_codes(col: pa.ChunkedArray, dictionary: pa.Array, missing: int, threads: int = 2) -> np.ndarray:
    """Each value's index in ``dictionary`` (``missing`` when absent) as int32; the chunks
    are looked up in ``threads`` threads (each hashes the dictionary once)."""
    chunks = col.chunks
    if not chunks:
        return np.zeros(0, dtype=np.int32)
    step = -(-len(chunks) // threads)

    def lookup(part: list) -> np.ndarray:
        found = pc.index_in(pa.chunked_array(part, col.type), value_set=dictionary)
        return to_numpy(found, null_value=missing).astype(np.int32, copy=False)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return np.concatenate(list(pool.map(lookup, [chunks[i:i + step] for i in range(0, len(chunks), step)])))


def _dictionary_codes(col) -> tuple[np.ndarray, pa.Array]:
    """Codes (int32, order of first appearance) and dictionary of a string array."""
    enc = pc.dictionary_encode(col)
    if isinstance(enc, pa.ChunkedArray):
        if enc.num_chunks == 0:  # no rows (e.g. no share in any window pair)
            return np.zeros(0, dtype=np.int32), empty_strings(0, col.type)
        codes = np.concatenate([to_numpy(c.indices) for c in enc.chunks]).astype(np.int32, copy=False)
        return codes, enc.chunk(enc.num_chunks - 1).dictionary
    return to_numpy(enc.indices).astype(np.int32, copy=False), enc.dictionary


def window_rows(obj: np.ndarray, time_: np.ndarray, time_window: int) -> tuple[np.ndarray, np.ndarray]:
    """For shares sorted by (object, time, processing order): each share's window pair count
    (later shares of its object within ``time_window`` seconds) and whether it is in any
    window pair at all (as the older or the newer share)."""
    counts = window_pair_counts(obj, time_, time_window)
    n = len(counts)
    in_pair = counts > 0
    if n > 1:
        # share j is someone's newer partner when an earlier share's last partner reaches j
        reach = np.maximum.accumulate(np.arange(n, dtype=np.int64) + counts)
        in_pair[1:] |= reach[:-1] >= np.arange(1, n)
    return counts, in_pair


def partition_rows(enc: Encoded, keep: np.ndarray, n_partitions: int, order_ties: bool = True):
    """Yield, partition by partition (objects hashed into ``n_partitions``), the kept rows
    of the partition sorted for pairing: by (object, time, processing order); see
    :func:`coordgraph.engines._kernel.sort_for_pairing` for ``order_ties``."""
    rows = np.flatnonzero(keep)
    if n_partitions == 1:
        parts = [rows]
    else:
        order, bounds = K.group_order((enc.obj[rows].astype(np.int64) * 2654435761) % n_partitions, n_partitions)
        rows = rows[order]
        del order
        parts = (rows[bounds[p]:bounds[p + 1]] for p in range(n_partitions))
    for r in parts:
        yield r[K.sort_for_pairing(enc.obj[r], enc.time[r], enc.account[r], r, order_ties)]


def _spill_partition(enc: Encoded, rows: np.ndarray, target: Path) -> Path:
    """Write a partition's sorted rows (object, account, time codes and row ids) to Parquet;
    contents are gathered by row id when it is read back."""
    table = pa.table({"obj": from_numpy(enc.obj[rows]), "account": from_numpy(enc.account[rows]),
                      "time": from_numpy(enc.time[rows]), "row": from_numpy(rows.astype(np.int64))})
    pq.write_table(table, target, compression="lz4")
    return target


def _partition_shares(col: dict, enc: Encoded, lex: np.ndarray) -> K.CodedShares:
    """Coded shares of one partition from its sorted (obj, account, time, row) columns, with
    contents and loop flags gathered from ``enc`` by row, and account ranks."""
    row = col["row"]
    return K.CodedShares(col["obj"], col["account"], enc.content[row], col["time"], enc.loop[row],
                         len(enc.accounts), enc.n_contents, lex[col["account"]])


def _load_partition(path: Path, enc: Encoded, lex: np.ndarray) -> K.CodedShares:
    """Read one spilled partition (already sorted for pairing)."""
    tab = pq.ParquetFile(path).read()
    return _partition_shares({name: to_numpy(tab.column(name)) for name in tab.column_names}, enc, lex)


def _memory_partition(enc: Encoded, rows: np.ndarray, lex: np.ndarray) -> K.CodedShares:
    """The partition of these sorted rows, without a round trip through disk."""
    return _partition_shares({"obj": enc.obj[rows], "account": enc.account[rows], "time": enc.time[rows],
                              "row": rows}, enc, lex)


def _edge_bucket(lo: np.ndarray, hi: np.ndarray, n_buckets: int) -> np.ndarray:
    """Bucket of each account pair (lo, hi ranks): a cheap multiplicative hash."""
    h = (lo.astype(np.uint64) * np.uint64(0x9E3779B1)) ^ (hi.astype(np.uint64) * np.uint64(0x85EBCA77))
    return (h % np.uint64(n_buckets)).astype(np.int64)


class _Buckets:
    """Pair rows by edge bucket. Several buckets: each column of each bucket is appended as
    raw little-endian binary to its own file (the cheapest spill there is: no encoding, read
    back with one ``np.fromfile``); when they fit (``in_memory``), numpy chunks in memory."""

    def __init__(self, tmp: Path, n_buckets: int, in_memory: bool | None = None, prefix: str = "bucket",
                 mapped: bool = False):
        self.in_memory = n_buckets == 1 if in_memory is None else in_memory
        self.mapped = mapped  # read() maps files (see map_column) instead of copying them
        self.tmp = tmp
        self.prefix = prefix
        self.dtypes: dict[str, np.dtype] = {}
        self.used = [False] * n_buckets
        self.chunks: list[list[dict]] = [[] for _ in range(n_buckets)]
        self.files: dict[tuple[int, str], object] = {}

    def _path(self, bucket: int, name: str) -> Path:
        return self.tmp / f"{self.prefix}-{bucket:04d}-{name}.bin"

    def append(self, bucket: int, cols: dict) -> None:
        if self.in_memory:
            self.chunks[bucket].append(cols)
            return
        self.used[bucket] = True
        for name, values in cols.items():
            self.dtypes.setdefault(name, values.dtype)
            f = self.files.get((bucket, name))
            if f is None:
                f = self.files[(bucket, name)] = open(self._path(bucket, name), "ab")
            np.ascontiguousarray(values, dtype=self.dtypes[name]).tofile(f)
            if len(self.files) > 256:  # bound the open files: close and append again later
                self.close()

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        self.files.clear()

    def length(self, bucket: int, name: str) -> int:
        """Number of values of column ``name`` in the bucket (0 when empty)."""
        if self.in_memory:
            return sum(len(c[name]) for c in self.chunks[bucket])
        if not self.used[bucket]:
            return 0
        return self._path(bucket, name).stat().st_size // np.dtype(self.dtypes[name]).itemsize

    def consolidate(self, bucket: int, name: str = "rec") -> np.ndarray | None:
        """In memory only: join the bucket's chunks of its one column ``name`` into one
        array, kept as the bucket (so changes to it, e.g. an in-place sort, stay)."""
        chunks = self.chunks[bucket]
        if not chunks:
            return None
        if len(chunks) > 1:
            self.chunks[bucket] = [{name: np.concatenate([c[name] for c in chunks])}]
        return self.chunks[bucket][0][name]

    def map_column(self, bucket: int, name: str) -> np.ndarray | None:
        """On disk only: column ``name`` of the bucket as an array mapped onto its file
        (shared: changes, e.g. an in-place sort, are the file's), None when empty. No copy
        into fresh memory as with a read: the pages are the page cache's, mapped at once."""
        if not self.used[bucket]:
            return None
        path = self._path(bucket, name)
        size = path.stat().st_size
        if size == 0:
            return np.zeros(0, dtype=self.dtypes[name])
        with open(path, "r+b") as f:
            mapped = mmap.mmap(f.fileno(), size, flags=mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0))
        return np.frombuffer(mapped, dtype=self.dtypes[name])

    def read_column(self, bucket: int, name: str) -> np.ndarray | None:
        """A copy of one column of the bucket (None when empty); the bucket stays as it is."""
        if self.in_memory:
            chunks = self.chunks[bucket]
            return np.concatenate([c[name] for c in chunks]) if chunks else None
        if not self.used[bucket]:
            return None
        return np.fromfile(self._path(bucket, name), dtype=self.dtypes[name])

    def read(self, bucket: int) -> dict | None:
        """The bucket's columns as numpy arrays (None when empty); frees memory or disk."""
        if self.in_memory:
            chunks, self.chunks[bucket] = self.chunks[bucket], []
            if not chunks:
                return None
            if len(chunks) == 1:
                return chunks[0]
            return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
        if not self.used[bucket]:
            return None
        out = {}
        for name, dtype in self.dtypes.items():
            path = self._path(bucket, name)
            out[name] = self.map_column(bucket, name) if self.mapped else np.fromfile(path, dtype=dtype)
            path.unlink()  # a mapped file lives on until its array is gone
        return out


@dataclass
class _PairLayout:
    """How pair rows are stored for aggregation: packed ``k1`` keys (see
    :mod:`coordgraph.engines._packed`) when (lo, hi, time delta) fit in 64 bits, else plain
    columns for the argsort aggregation. ``native``: the C kernels form the pairs and store
    them as 16-byte records (``rec``: k1 and the two contents, see ``_native.c``)."""

    packed: bool
    account_bits: int
    time_bits: int
    compat: bool
    native: bool = False

    @classmethod
    def choose(cls, n_accounts: int, time_window: int, compat: bool, native: bool | None = None) -> "_PairLayout":
        packed = P.fits(n_accounts, time_window)
        native = native_available() if native is None else native
        return cls(packed, P.bits_for(n_accounts), P.bits_for(time_window + 1), compat, packed and native)

    def columns(self, shares: K.CodedShares, older: np.ndarray, newer: np.ndarray) -> tuple[dict, np.ndarray, np.ndarray]:
        """The stored columns of these pairs, and their (lo, hi) account ranks.

        lo/hi: the pair's accounts in code-point order; ``ca``/``cb``: the contents counted for
        lo / hi (``compat``: CooRTweet's older / newer side, whatever the account)."""
        r_old, r_new = shares.rank[older], shares.rank[newer]
        older_is_lo = r_old < r_new
        lo = np.minimum(r_old, r_new)
        hi = np.maximum(r_old, r_new)
        del r_old, r_new
        td = shares.time[newer] - shares.time[older]
        c_old, c_new = shares.content[older], shares.content[newer]
        if self.compat:
            ca, cb = c_old, c_new
        else:
            ca = np.where(older_is_lo, c_old, c_new)
            cb = np.where(older_is_lo, c_new, c_old)
        if self.packed:
            return {"k1": P.edge_keys(lo, hi, td, self.account_bits, self.time_bits), "ca": ca, "cb": cb}, lo, hi
        return {"lo": lo, "hi": hi, "td": td, "ca": ca, "cb": cb}, lo, hi

    def native_args(self, shares: K.CodedShares, sel: np.ndarray | None, remove_loops: bool) -> tuple:
        """The share arrays the C kernels take (see ``_native.c``: count_pairs, fill_pairs)."""
        loop = shares.loop if remove_loops and shares.has_loop_rows else None
        return shares.rank, shares.content, shares.account, loop, sel, remove_loops

    def native_fill(self, shares: K.CodedShares, counts: np.ndarray, chunk: tuple, sel: np.ndarray | None,
                    remove_loops: bool, table: np.ndarray, rec: np.ndarray, at: np.ndarray, n_pairs: int,
                    want_rows: bool):
        """Write the kept pairs of one chunk into ``rec``: a pair of lo rank r to the position
        ``at[table[r]]`` (moved on). Returns (older, newer) rows (None unless ``want_rows``)
        and the pairs written."""
        rank, content, account, loop, sel, remove_loops = self.native_args(shares, sel, remove_loops)
        older = np.empty(n_pairs, dtype=np.int64) if want_rows else None
        newer = np.empty(n_pairs, dtype=np.int64) if want_rows else None
        n = N.fill_pairs(counts, chunk[0], chunk[1], rank, shares.time, content, account, loop, sel, remove_loops,
                         self.compat, table, self.account_bits, self.time_bits, rec, at, older, newer)
        return older, newer, n

    def native_count(self, shares: K.CodedShares, counts: np.ndarray, chunk: tuple, sel: np.ndarray | None,
                     remove_loops: bool, table: np.ndarray, n_groups: int) -> np.ndarray:
        """Kept pairs of one chunk per group, a pair's group being ``table[its lo rank]``
        (int64, one a group)."""
        rank, content, account, loop, sel, remove_loops = self.native_args(shares, sel, remove_loops)
        per_group = np.zeros(n_groups, dtype=np.int64)
        N.count_pairs(counts, chunk[0], chunk[1], rank, content, account, loop, sel, remove_loops, table, per_group)
        return per_group

    def weight_hist(self, buckets: "_Buckets", b: int, blocks: "NR.EdgeBlocks | None" = None,
                    presorted_bits: int | None = None) -> np.ndarray | None:
        """Count of bucket ``b``'s edges by weight (None when empty). Native: the bucket's
        records are sorted in place (in memory, or in its file through a shared mapping),
        so its aggregation finds them sorted; ``blocks`` lends the sort its scratch memory;
        ``presorted_bits``: see ``_native.edge_weights``."""
        if self.native:
            rec = buckets.consolidate(b) if buckets.in_memory else buckets.map_column(b, "rec")
            if rec is None:
                return None
            hist = np.zeros(len(rec) // 2 + 1, dtype=np.int64)  # calloc: untouched pages cost nothing
            presorted = -1 if presorted_bits is None else presorted_bits
            with NR.lend(blocks) as block:
                scratch = None if block is None else block.scratch(len(rec) // 2)
                _, largest = N.edge_weights(rec, self.account_bits, self.time_bits, hist, scratch, presorted)
            return hist[: largest + 1]
        k1 = buckets.read_column(b, "k1")
        return None if k1 is None else np.bincount(P.edge_weights(k1, self.time_bits))

    def aggregate(self, cols: dict, pool: ThreadPoolExecutor | None = None) -> K.EdgeAggregate:
        """Edges of one bucket's pair rows (packed sort, or argsort when the bits do not fit);
        ``pool``: threads for the packed sorts of this one bucket. (Native records are
        aggregated straight into an edge table: :func:`coordgraph.engines._native_run.edge_table`.)"""
        if self.packed:
            agg = P.aggregate_packed(cols["k1"], cols["ca"], cols["cb"], self.account_bits, self.time_bits, pool)
            if agg is not None:
                return agg
            k1 = cols["k1"]
            td = (k1 & np.uint64((1 << self.time_bits) - 1)).astype(np.int64)
            edge = k1 >> np.uint64(self.time_bits)
            lo = (edge >> np.uint64(self.account_bits)).astype(np.int64)
            hi = (edge & np.uint64((1 << self.account_bits) - 1)).astype(np.int64)
            cols = {"lo": lo, "hi": hi, "td": td, "ca": cols["ca"], "cb": cols["cb"]}
        # compat=True: count ca / cb as given (the orientation was applied when they were stored)
        return K.aggregate_edges(cols["lo"], cols["hi"], cols["td"], cols["ca"], cols["cb"], None, compat=True)


def detect_network_parquet(
    in_path: str | Path,
    out_dir: str | Path,
    time_window: int = 10,
    min_participation: int = 2,
    remove_loops: bool = True,
    edge_weight: float = 0.5,
    compat: bool = False,
    write_result: bool = True,
    n_partitions: int | None = None,
    bucket_pairs: int | None = None,
    chunk_pairs: int = K.DEFAULT_CHUNK_PAIRS,
    tmp_dir: str | Path | None = None,
    max_object_shares: int | None = None,
    hub_pairs: int | None = None,
    max_stash_pairs: int = 50_000_000,
    in_memory_buckets: bool | None = None,
) -> dict:
    """Run detect_groups and the coordinated network on a share Parquet file, out of core.

    Writes ``result.parquet`` (detect_groups rows; skipped when not ``write_result``),
    ``edges.parquet`` (a directory of Parquet part files, read as one table by pyarrow,
    pandas, polars and Spark: account_id < account_id_y, weight, avg_time_delta,
    n_content_id, n_content_id_y, edge_symmetry_score, weight_threshold), ``vertices.parquet``
    (account_id, degree, strength) and ``summary.json`` in ``out_dir``. Returns the summary
    (counts, threshold, seconds per phase). ``n_partitions``: object partitions (default:
    from the file size vs available memory; one partition stays in memory); spill files go
    to ``tmp_dir`` (default: a temporary directory next to ``out_dir``) and are removed at
    the end.
    ``max_object_shares``: drop objects with more shares than that (a warning names them);
    the summary lists them and every object whose window pairs exceed ``hub_pairs``
    (default :data:`coordgraph.analysis.hubs.DEFAULT_HUB_PAIRS`) as ``trend_hubs``.
    ``bucket_pairs``: pairs per edge bucket (default: :data:`BUCKET_PAIRS`, or with the C
    kernels 8 an account within [:data:`NATIVE_MIN_BUCKET_PAIRS`, :data:`BUCKET_PAIRS`],
    and in memory at most 1/:data:`IN_MEMORY_BUCKETS_PER_BLOCK` of the pairs).
    With one partition and the numpy kernels, pass A keeps up to ``max_stash_pairs`` pairs
    (8 bytes each) for pass B instead of forming them twice. Edge buckets stay in memory when the pairs take
    at most a quarter of the available memory (``in_memory_buckets`` forces either way).
    """
    from coordgraph.analysis.hubs import DEFAULT_HUB_PAIRS, available_memory_bytes

    hub_pairs = DEFAULT_HUB_PAIRS if hub_pairs is None else hub_pairs
    in_path, out_dir = Path(in_path), Path(out_dir)
    if not in_path.exists():
        raise EngineInputError(f"{in_path}: no such share file")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="coordgraph-ooc-", dir=tmp_dir or out_dir))
    clock = {"start": time.perf_counter()}

    peak = {}

    def lap(name: str) -> None:
        clock[name] = time.perf_counter()
        peak[name] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)  # GiB (Linux: KiB)

    with large_array_allocation():
        try:
            enc = encode_parquet(in_path, keep_contents=write_result, time_window=time_window)
            n_accounts = len(enc.accounts)
            lex, sorted_accounts = _lexical_order(enc.accounts)
            lap("encode")
            obj_shares = np.bincount(enc.obj, minlength=len(enc.objects))
            capped = _cap_objects(enc, obj_shares, max_object_shares)
            keep = _prefilter_kept(enc.account, n_accounts, min_participation, capped, enc.obj)
            if n_partitions is None:
                n_partitions = choose_partitions(int(keep.sum()))
            # Each partition is sorted once; its window pairs are counted (hubs, bucket count) and
            # the shares in a window pair noted (which contents to code). One partition stays in
            # memory, several are spilled (codes only) and read back one at a time.
            single = n_partitions == 1
            in_window = np.zeros(len(enc.obj), dtype=bool)
            obj_pairs = np.zeros(len(enc.objects), dtype=np.float64)
            upper = 0
            parts, counts_of, single_rows = [], {}, None
            # ties of (object, time) matter only for which share is "older" in result rows and compat counts
            for p, rows in enumerate(partition_rows(enc, keep, n_partitions, order_ties=write_result or compat)):
                counts, in_pair = window_rows(enc.obj[rows], enc.time[rows], time_window)
                in_window[rows[in_pair]] = True
                obj_pairs += np.bincount(enc.obj[rows], weights=counts, minlength=len(obj_pairs))
                upper += int(counts.sum())
                if single:
                    single_rows, counts_of[0] = rows, counts
                    parts.append(None)
                else:
                    parts.append(_spill_partition(enc, rows, tmp / f"part-{p:04d}.parquet"))
                del counts, in_pair
            lap("partition")
            if enc.content is None:
                code_contents(enc, in_window)
            del in_window
            n_contents = enc.n_contents
            loaded = {0: _memory_partition(enc, single_rows, lex)} if single else {}
            acc_kept, cont_kept = enc.account[keep], enc.content[keep]
            del keep, single_rows
            enc.obj = enc.time = None  # the partitions hold them now
            lap("contents")

            # Pass A: per-object pair counts (hubs, bucket count) and, for the post-filter, the
            # contents in a loop-free pair (C). One partition: keep it and its pairs for pass B.
            # Chunks of pairs are formed in PAIR_THREADS threads (numpy releases the GIL).
            pool = ThreadPoolExecutor(max_workers=PAIR_THREADS)
            layout = _PairLayout.choose(n_accounts, time_window, compat)
            # the C kernel forms pairs faster than a stash would give them back
            stash: list | None = [] if single and min_participation >= 2 and not layout.native else None
            stash_pairs = 0
            paired = np.zeros(n_contents, dtype=bool) if min_participation >= 2 else None
            for i, path in enumerate(parts):
                if paired is None:
                    break
                shares = loaded[i] if single else _load_partition(path, enc, lex)
                counts = counts_of[i] if single else window_pair_counts(shares.obj, shares.time, time_window)
                in_pair = np.zeros(len(shares), dtype=bool)
                if layout.native:
                    NR.mark_pairs(pool, shares, counts, remove_loops, chunk_pairs, in_pair)
                for older, newer in () if layout.native else _loop_free_pairs(pool, shares, counts, remove_loops,
                                                                               chunk_pairs):
                    in_pair[older] = True
                    in_pair[newer] = True
                    if stash is not None:
                        stash_pairs += len(older)
                        if stash_pairs <= max_stash_pairs:
                            stash.append((older, newer))
                        else:
                            stash = None
                paired[shares.content[in_pair]] = True
                del counts, in_pair
            if paired is not None:
                kept = K.CodedShares(None, acc_kept, cont_kept, None, None, n_accounts, n_contents)
                in_p = K.post_filter_contents(kept, paired, min_participation)
                del kept
                if in_p[cont_kept].all():
                    in_p = None  # every pair survives the post-filter: no need to test each
            else:
                in_p = None
            del paired, acc_kept, cont_kept
            lap("pass_a")

            # Pass B: kept pairs -> result.parquet and edge buckets of ~bucket_pairs pairs.
            if in_memory_buckets is None:
                limit = NATIVE_IN_MEMORY_BUCKET_BYTES if layout.native else IN_MEMORY_BUCKET_BYTES
                in_memory_buckets = upper * PAIR_ROW_BYTES <= min(available_memory_bytes() // 4, limit)
            if bucket_pairs is None:
                bucket_pairs = BUCKET_PAIRS if not layout.native else \
                    min(BUCKET_PAIRS, max(NATIVE_MIN_BUCKET_PAIRS, 8 * n_accounts))
                if layout.native and in_memory_buckets:
                    bucket_pairs = min(bucket_pairs, max(NATIVE_MIN_BUCKET_PAIRS, upper // IN_MEMORY_BUCKETS_PER_BLOCK))
            n_buckets = max(1, -(-upper // bucket_pairs))
            if upper >= E.SPLIT_PAIRS:
                n_buckets = max(n_buckets, E.EDGE_WRITERS)  # a bucket per writer thread at least
            # the post-filter of each share (the one partition's is needed for the bucket plan too)
            single_sel = None if in_p is None or not single else in_p[loaded[0].content]
            plan = None
            if layout.native:
                if single:  # count the pairs by account first: buckets of account ranges
                    plan = NR.range_buckets(pool, layout, loaded[0], counts_of[0], single_sel, remove_loops,
                                            n_accounts, bucket_pairs, chunk_pairs)
                else:
                    plan = NR.hashed_buckets(n_accounts, n_buckets)
                n_buckets = plan.n_buckets
            buckets = _Buckets(tmp, n_buckets, in_memory=in_memory_buckets, mapped=layout.native)
            result_writer = None
            n_result = 0
            for i, path in enumerate(parts):
                shares = loaded.pop(i) if i in loaded else _load_partition(path, enc, lex)
                sel = single_sel if single else None if in_p is None else in_p[shares.content]
                if stash is not None:
                    chunks = stash
                else:
                    counts = counts_of.pop(i, None)
                    if counts is None:
                        counts = window_pair_counts(shares.obj, shares.time, time_window)
                    chunks = None if layout.native else _loop_free_pairs(pool, shares, counts, remove_loops,
                                                                         chunk_pairs)

                def kept_columns(chunk, shares=shares, sel=sel):
                    older, newer = chunk
                    if sel is not None:
                        keep_pair = sel[older] | sel[newer]
                        older, newer = older[keep_pair], newer[keep_pair]
                    return older, newer, _bucket_columns(layout, shares, older, newer, n_buckets), len(older)

                if layout.native:  # the C kernels put the pairs into the buckets themselves
                    produced = ((older, newer, [], n) for older, newer, n in NR.pass_b(
                        pool, layout, shares, counts, sel, remove_loops, buckets, plan, write_result, chunk_pairs))
                else:
                    produced = bounded_map(pool, kept_columns, chunks, PAIR_THREADS)
                for older, newer, by_bucket, n_kept in produced:
                    if not n_kept:
                        continue
                    n_result += n_kept
                    if write_result:
                        table = _result_table(enc, shares, older, newer)
                        if result_writer is None:
                            result_writer = pq.ParquetWriter(out_dir / "result.parquet", table.schema, compression="zstd")
                        result_writer.write_table(table)
                    for b, cols in by_bucket:
                        buckets.append(b, cols)
                if path is not None:
                    path.unlink()
                stash = chunks = sel = single_sel = produced = shares = counts = None  # the network needs only the buckets
            pool.shutdown()
            buckets.close()
            if result_writer is not None:
                result_writer.close()
            elif write_result:
                pq.write_table(_empty_result(), out_dir / "result.parquet")
            del in_p
            if plan is not None:
                plan.chunks = plan.per_chunk = plan.per_chunk_group = None
            lap("pass_b")

            summary = _aggregate_buckets(buckets, n_buckets, layout, sorted_accounts, n_accounts, edge_weight,
                                         out_dir, tmp, plan)
            lap("network")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    summary.update(
        engine="outofcore",
        trend_hubs=_hub_report(enc.objects, obj_shares, obj_pairs, hub_pairs, capped),
        dropped_hub_objects=int(capped.sum()) if capped is not None else 0,
        kernels="native" if layout.native else "numpy",
        shares=int(len(enc.account)), accounts=n_accounts, result_rows=int(n_result),
        partitions=int(n_partitions), edge_buckets=int(n_buckets),
        params=dict(time_window=time_window, min_participation=min_participation, remove_loops=remove_loops,
                    edge_weight=edge_weight, compat=compat),
        seconds={k: round(v - clock["start"], 3) for k, v in clock.items() if k != "start"},
        peak_rss_gib=peak,
    )
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary


def _cap_objects(enc: Encoded, obj_shares: np.ndarray, max_object_shares: int | None) -> np.ndarray | None:
    """Boolean per object code: dropped by ``max_object_shares`` (None when no cap).
    Warns with the largest dropped objects, like :func:`coordgraph.analysis.hubs.cap_object_shares`."""
    if not max_object_shares:
        return None
    import warnings

    from coordgraph.analysis.hubs import HubCapWarning

    over = obj_shares > int(max_object_shares)
    if over.any():
        top = np.argsort(-obj_shares * over, kind="stable")[:3]
        names = ", ".join(f"{enc.objects[int(o)].as_py()} ({int(obj_shares[o])} shares)" for o in top if over[o])
        warnings.warn(
            f"--max-object-shares {max_object_shares}: dropped {int(over.sum())} hub object(s) with "
            f"{int(obj_shares[over].sum())} shares in all, largest: {names}. Their co-shares are not in the "
            f"result; they are reported as trend hubs.", HubCapWarning, stacklevel=3)
    return over


def _prefilter_kept(account: np.ndarray, n_accounts: int, min_participation: int, capped: np.ndarray | None,
                    obj: np.ndarray) -> np.ndarray:
    """Rows kept: not on a capped object, and of an account with >= min_participation such rows."""
    if capped is None:
        return K.prefilter(account, n_accounts, min_participation)
    base = ~capped[obj]
    if min_participation <= 1:
        return base
    counts = np.bincount(account[base], minlength=n_accounts)
    return base & (counts[account] >= min_participation)


def _hub_report(objects: pa.Array, obj_shares: np.ndarray, obj_pairs: np.ndarray, hub_pairs: int,
                capped: np.ndarray | None) -> list[dict]:
    """Objects over ``hub_pairs`` window pairs, or dropped by the cap, heaviest first."""
    hub = obj_pairs > hub_pairs
    if capped is not None:
        hub |= capped
    idx = np.flatnonzero(hub)
    idx = idx[np.lexsort((-obj_shares[idx], -obj_pairs[idx]))][:100]
    return [{"object_id": objects[int(o)].as_py(), "n_shares": int(obj_shares[o]),
             "n_pairs": int(obj_pairs[o]) if not (capped is not None and capped[o]) else None,
             "dropped": bool(capped is not None and capped[o])} for o in idx]


def choose_partitions(n_shares: int, budget_bytes: int | None = None) -> int:
    """Object partitions so that one partition's pairing scratch takes at most a quarter of
    the budget (default: available memory) and holds at most MAX_PARTITION_SHARES shares."""
    if budget_bytes is None:
        from coordgraph.analysis.hubs import available_memory_bytes

        budget_bytes = available_memory_bytes()
    per_part = max(min(budget_bytes // 4 // BYTES_PER_SHARE, MAX_PARTITION_SHARES), 1_000_000)
    return max(1, -(-n_shares // per_part))


def _lexical_order(dictionary: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Rank (int32) of each dictionary entry in code-point order (the output orientation),
    and the entries in that order."""
    order = pc.sort_indices(dictionary)
    rank = np.empty(len(order), dtype=np.int32)
    rank[to_numpy(order)] = np.arange(len(order), dtype=np.int32)
    return rank, dictionary.take(order)


def _result_table(enc: Encoded, shares: K.CodedShares, older: np.ndarray, newer: np.ndarray) -> pa.Table:
    """detect_groups rows with the original ids (taken from the dictionaries)."""
    return pa.table({
        "object_id": enc.objects.take(from_numpy(shares.obj[older])),
        "content_id": enc.contents.take(from_numpy(shares.content[older])),
        "content_id_y": enc.contents.take(from_numpy(shares.content[newer])),
        "time_delta": from_numpy((shares.time[newer] - shares.time[older]).astype(np.int64, copy=False)),
        "account_id": enc.accounts.take(from_numpy(shares.account[older])),
        "account_id_y": enc.accounts.take(from_numpy(shares.account[newer])),
    })


def _empty_result() -> pa.Table:
    """A result table with no rows (built without pa.array, which imports pandas)."""
    return pa.table({name: from_numpy(np.zeros(0, dtype=np.int64)) if name == "time_delta" else empty_strings(0)
                     for name in RESULT_COLUMNS})


def _loop_free_pairs(pool: ThreadPoolExecutor, shares: K.CodedShares, counts: np.ndarray, remove_loops: bool,
                     chunk_pairs: int):
    """(older, newer) chunks of the partition's window pairs, loops removed, formed in the
    pool's threads and yielded in order."""
    cum = np.cumsum(counts)

    def pairs(chunk):
        older, newer = range_pairs(counts, cum, chunk)
        return K.drop_loops(shares, older, newer) if remove_loops else (older, newer)

    for older, newer in bounded_map(pool, pairs, chunk_ranges(cum, chunk_pairs), PAIR_THREADS):
        if len(older):
            yield older, newer


def _bucket_columns(layout: _PairLayout, shares: K.CodedShares, older, newer, n_buckets: int) -> list[tuple[int, dict]]:
    """The pairs' stored columns (see :class:`_PairLayout`), split by edge bucket."""
    if not len(older):
        return []
    cols, lo, hi = layout.columns(shares, older, newer)
    if n_buckets == 1:
        return [(0, cols)]
    order, bounds = K.group_order(_edge_bucket(lo, hi, n_buckets), n_buckets)
    del lo, hi
    out = []
    for k in range(n_buckets):
        if bounds[k] < bounds[k + 1]:
            idx = order[bounds[k]:bounds[k + 1]]
            out.append((k, {name: v[idx] for name, v in cols.items()}))
    return out


def _aggregate_one(buckets: _Buckets, staged: _Buckets, layout: _PairLayout, b: int,
                   pool: ThreadPoolExecutor | None = None):
    """Aggregate bucket ``b``; stage its edges (in memory or on disk). Returns (weight, lo, hi)
    for the histogram and vertex sums, or None when the bucket is empty."""
    c = buckets.read(b)
    if c is None:
        return None
    agg = layout.aggregate(c, pool)
    del c
    staged.append(b, E.edge_columns(agg))
    return agg.weight, agg.lo, agg.hi


def _write_edges(staged: _Buckets, n_buckets: int, sorted_accounts: pa.Array, threshold: float, target: Path,
                 parts: int = E.EDGE_WRITERS) -> None:
    """Write the staged edges as a Parquet dataset ``target/part-K.parquet``, ``parts`` files
    written at once (Parquet encoding is single-threaded per file and the slowest step of a
    dense run: 14M edges take ~0.75 s to encode). Buckets go to the parts in turn; a single
    bucket is split between them. Readers (pyarrow, pandas, polars, Spark) read the directory
    as one table; DuckDB reads ``target/*.parquet``."""
    E.fresh_dir(target)
    single = staged.read(0) if n_buckets == 1 else None

    def tables(k: int):
        if single is not None:
            n = len(single["weight"])
            lo, hi = n * k // parts, n * (k + 1) // parts
            if hi > lo:
                yield E.edge_table({name: v[lo:hi] for name, v in single.items()}, sorted_accounts, threshold)
            return
        for b in range(k, n_buckets, parts):
            e = staged.read(b)
            if e is not None:
                yield E.edge_table(e, sorted_accounts, threshold)

    with ThreadPoolExecutor(max_workers=parts) as pool:
        list(pool.map(lambda k: E.write_part(target / f"part-{k}.parquet", tables(k)), range(parts)))


def _add_vertex_sums(degree: np.ndarray, strength: np.ndarray, weight: np.ndarray, lo: np.ndarray,
                     hi: np.ndarray) -> None:
    """Add these edges to each account's degree and strength (sum of weights). Strength =
    degree + the extra weight of edges heavier than 1, so the weighted counts run only over
    those (a few percent of the edges in dense runs)."""
    n = len(degree)
    here = np.bincount(lo, minlength=n)
    here += np.bincount(hi, minlength=n)
    degree += here
    strength += here
    heavy = np.flatnonzero(weight > 1)
    if len(heavy):
        extra = (weight[heavy] - 1).astype(np.float64)
        strength += (np.bincount(lo[heavy], weights=extra, minlength=n)
                     + np.bincount(hi[heavy], weights=extra, minlength=n)).astype(np.int64)


def _add_hist(hist: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``hist`` (count of edges by weight) plus these weights; may return a longer array."""
    return _add_counts(hist, np.bincount(weight))


def _add_counts(hist: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Two counts by weight added; may return a longer array than ``hist``."""
    if len(h) > len(hist):
        hist = np.pad(hist, (0, len(h) - len(hist)))
    hist[: len(h)] += h
    return hist


def _aggregate_buckets(buckets: _Buckets, n_buckets: int, layout: _PairLayout, sorted_accounts: pa.Array,
                       n_accounts: int, edge_weight: float, out_dir: Path, tmp: Path,
                       plan: NR.BucketPlan | None = None) -> dict:
    """Aggregate every bucket into edges; threshold from the weight histogram; write edges
    and vertices Parquet. Returns counts and the threshold.

    ``weight_threshold`` needs the threshold, a quantile of every edge's weight, before the
    first edge is written. With several buckets of packed keys the weights come first from
    the ``k1`` column alone (read and sort: ~1/6 of an aggregation), then each writer thread
    aggregates its buckets and writes them straight away: no edge is staged. Otherwise the
    aggregated edges are staged (in memory for one bucket) until the threshold is known.
    """
    t0 = time.perf_counter()
    degree = np.zeros(n_accounts, dtype=np.int64)
    strength = np.zeros(n_accounts, dtype=np.int64)
    target = out_dir / "edges.parquet"
    if (n_buckets > 1 and layout.packed) or layout.native:
        blocks = None
        if layout.native:
            largest = max((buckets.length(b, "rec") // 2 for b in range(n_buckets)), default=0)
            blocks = NR.EdgeBlocks(min(E.EDGE_WRITERS, n_buckets), largest)
        hist = _weight_histogram(buckets, n_buckets, layout, blocks,
                                 plan.presorted_bits if plan is not None else None)
        t1 = time.perf_counter()
        n_edges = int(hist.sum())
        threshold = K.type7_quantile_from_histogram(hist, edge_weight) if n_edges else None
        _aggregate_and_write(buckets, n_buckets, layout, sorted_accounts, threshold, target, degree, strength,
                             blocks=blocks, plan=plan)
        del blocks
    else:
        hist = np.zeros(1, dtype=np.int64)
        staged = _Buckets(tmp, n_buckets, in_memory=buckets.in_memory, prefix="edges")
        with ThreadPoolExecutor(max_workers=AGGREGATE_THREADS) as pool:  # numpy sorts release the GIL
            if n_buckets == 1:  # one bucket: its sorts run in parallel instead
                results = [_aggregate_one(buckets, staged, layout, 0, pool)]
            else:
                results = bounded_map(pool, lambda b: _aggregate_one(buckets, staged, layout, b), range(n_buckets))
            for done in results:
                if done is None:
                    continue
                weight, lo, hi = done
                hist = _add_hist(hist, weight)
                _add_vertex_sums(degree, strength, weight, lo, hi)
        staged.close()
        t1 = time.perf_counter()
        n_edges = int(hist.sum())
        threshold = K.type7_quantile_from_histogram(hist, edge_weight) if n_edges else None
        _write_edges(staged, n_buckets, sorted_accounts, threshold, target)
    present = np.flatnonzero(degree)  # ranks in code-point order: the vertices come out sorted
    vert = pa.table({"account_id": sorted_accounts.take(from_numpy(present)), "degree": from_numpy(degree[present]),
                     "strength": from_numpy(strength[present])})
    pq.write_table(vert, out_dir / "vertices.parquet", compression="zstd")
    return {"edges": n_edges, "vertices": int(len(present)), "threshold": threshold,
            "edges_above_threshold": int(hist[int(np.floor(threshold)) + 1:].sum()) if n_edges else 0,
            "network_seconds": {"weights" if (n_buckets > 1 and layout.packed) or layout.native else "aggregate":
                                round(t1 - t0, 3),
                                "write": round(time.perf_counter() - t1, 3)}}


def _weight_histogram(buckets: _Buckets, n_buckets: int, layout: _PairLayout,
                      blocks: NR.EdgeBlocks | None = None, presorted_bits: int | None = None) -> np.ndarray:
    """Count of edges by weight over every bucket, from the packed ``k1`` keys alone: sorted,
    an edge's weight is the length of its run of equal ``k1 >> time_bits``."""
    hist = np.zeros(1, dtype=np.int64)
    with ThreadPoolExecutor(max_workers=AGGREGATE_THREADS) as pool:
        for h in bounded_map(pool, lambda b: layout.weight_hist(buckets, b, blocks, presorted_bits), range(n_buckets)):
            if h is not None:
                hist = _add_counts(hist, h)
    return hist


def _aggregate_and_write(buckets: _Buckets, n_buckets: int, layout: _PairLayout, sorted_accounts: pa.Array,
                         threshold: float, target: Path, degree: np.ndarray, strength: np.ndarray,
                         parts: int = E.EDGE_WRITERS, blocks: NR.EdgeBlocks | None = None,
                         plan: NR.BucketPlan | None = None) -> None:
    """Part k of the edges.parquet dataset aggregates and writes buckets k, k + parts, ...,
    all parts at once; adds every edge to ``degree`` and ``strength``. ``blocks``: the
    native aggregation's memory, one block a part at most; ``plan``: the native buckets.
    With range buckets each part takes consecutive buckets instead, so the parts hold
    consecutive ranges of account_id, in order."""
    E.fresh_dir(target)
    ranged = plan is not None and plan.rank_start is not None
    parts = min(parts, n_buckets) if ranged else parts
    order = [list(range(k * n_buckets // parts, (k + 1) * n_buckets // parts)) if ranged
             else list(range(k, n_buckets, parts)) for k in range(parts)]
    sums = [(np.zeros_like(degree), np.zeros_like(strength)) for _ in range(parts)]
    vertex_sums = [np.zeros((len(degree), 2), dtype=np.int64) for _ in range(parts)] if layout.native else None

    def tables(k: int):
        for b in order[k]:
            c = buckets.read(b)
            if c is None:
                continue
            if layout.native:
                rank_range = plan.rank_range(b) if plan is not None else None
                with NR.lend(blocks) as block:  # the part's next table is asked for once this one is written
                    yield NR.edge_table(layout, c.pop("rec"), sorted_accounts, threshold, vertex_sums[k], block,
                                        rank_range)
                continue
            agg = layout.aggregate(c)
            del c
            _add_vertex_sums(*sums[k], agg.weight, agg.lo, agg.hi)
            e = E.edge_columns(agg)
            del agg
            yield E.edge_table(e, sorted_accounts, threshold)

    with ThreadPoolExecutor(max_workers=parts) as pool:
        list(pool.map(lambda k: E.write_part(target / f"part-{k}.parquet", tables(k)), range(parts)))
    for d, s in sums:
        degree += d
        strength += s
    for vs in vertex_sums or ():
        degree += vs[:, 0]
        strength += vs[:, 1]


# --- the pandas interface shared by every engine -------------------------------------------

def detect_groups(shares: pd.DataFrame, time_window: int = 10, min_participation: int = 2,
                  remove_loops: bool = True, *, n_partitions: int = 1, bucket_pairs: int | None = None,
                  chunk_pairs: int = K.DEFAULT_CHUNK_PAIRS) -> pd.DataFrame:
    """detect_groups through the out-of-core pipeline (spilled to a temporary directory).

    Same columns and rows as :func:`coordgraph.analysis.detect_groups` (row order differs).
    """
    with tempfile.TemporaryDirectory(prefix="coordgraph-ooc-") as tmp:
        tmp = Path(tmp)
        _write_shares(shares, tmp / "shares.parquet")
        detect_network_parquet(tmp / "shares.parquet", tmp / "out", time_window, min_participation, remove_loops,
                               n_partitions=n_partitions, bucket_pairs=bucket_pairs, chunk_pairs=chunk_pairs)
        return pq.read_table(tmp / "out" / "result.parquet").to_pandas()


def _write_shares(shares: pd.DataFrame, path: Path) -> None:
    """The four share columns of ``shares`` as Parquet (ids as strings, times int64)."""
    missing = [c for c in SHARE_FIELDS if c not in shares.columns]
    if missing:
        raise EngineInputError(f"shares lack column(s) {', '.join(missing)}")
    table = pa.table({
        "object_id": pa.array(shares["object_id"].astype(str).to_numpy(dtype=object), pa.string()),
        "account_id": pa.array(shares["account_id"].astype(str).to_numpy(dtype=object), pa.string()),
        "content_id": pa.array(shares["content_id"].astype(str).to_numpy(dtype=object), pa.string()),
        "timestamp_share": pa.array(shares["timestamp_share"].to_numpy(dtype=np.int64), pa.int64()),
    })
    pq.write_table(table, path)


def flag_speed_share(shares: pd.DataFrame, result: pd.DataFrame, min_participation: int, time_window: int,
                     *, sort_like_coortweet: bool = False) -> pd.DataFrame:
    """Flag the result rows that hold in a narrower window (``time_window_<N>``), with this
    engine's own pipeline: the fast co-shares are detect_groups with the narrower window (its
    window pairs are a subset of the full ones and the OR post-filter keeps no pair the full
    one dropped), matched on (content_id, content_id_y) as CooRTweet does.

    ``sort_like_coortweet`` (``--compat``): CooRTweet's row order after its re-sort is a quirk
    of its R code, reproduced once, by the reference (python) engine's function."""
    from coordgraph.contracts import fast_flag_column

    if sort_like_coortweet:
        from coordgraph.analysis import flag_speed_share as reference

        return reference(shares, result, min_participation, time_window, sort_like_coortweet=True)

    fast = detect_groups(shares, time_window, min_participation)
    keys = fast[["content_id", "content_id_y"]].astype(str).drop_duplicates().assign(_f=1)
    out = result.copy()
    joined = out[["content_id", "content_id_y"]].astype(str).merge(keys, on=["content_id", "content_id_y"], how="left")
    out[fast_flag_column(time_window)] = joined["_f"].fillna(0).astype(np.int64).to_numpy()
    return out


def _edges_of_rows(table: pa.Table, objects: bool, compat: bool) -> pd.DataFrame:
    """Result rows -> undirected edges with Arrow group-bys (this engine's own aggregation,
    independent of the python engine's): account_id < account_id_y in code-point order
    (UTF-8 byte order), weight, avg_time_delta, n_content_id, n_content_id_y (per account;
    with ``compat`` CooRTweet's distinct older / newer contents), edge_symmetry_score and
    ``object_ids`` (sorted, comma-joined) with ``objects``."""
    a, b = table["account_id"], table["account_id_y"]
    less = pc.less(a, b)
    lo, hi = pc.if_else(less, a, b), pc.if_else(less, b, a)
    rows = pa.table({"lo": lo, "hi": hi, "d": pc.cast(table["time_delta"], pa.float64()),
                     "c": table["content_id"], "cy": table["content_id_y"], "o": table["object_id"]})
    aggs = [("d", "count"), ("d", "mean")]
    if compat:
        aggs += [("c", "count_distinct"), ("cy", "count_distinct")]
    edges = rows.group_by(["lo", "hi"], use_threads=False).aggregate(aggs)
    names = {"d_count": "weight", "d_mean": "avg_time_delta", "c_count_distinct": "n_content_id",
             "cy_count_distinct": "n_content_id_y", "o_distinct": "object_ids"}
    edges = edges.rename_columns([names.get(n, n) for n in edges.column_names])
    if not compat:  # distinct (account, content) per edge, counted for the lower and the higher account
        sides = pa.concat_tables([
            pa.table({"lo": lo, "hi": hi, "acc": a, "cont": table["content_id"]}),
            pa.table({"lo": lo, "hi": hi, "acc": b, "cont": table["content_id_y"]})])
        sides = sides.group_by(["lo", "hi", "acc", "cont"], use_threads=False).aggregate([])
        sides = sides.append_column("low", pc.equal(sides["acc"], sides["lo"]))
        per = sides.group_by(["lo", "hi", "low"], use_threads=False).aggregate([("cont", "count")])
        low = per.filter(per["low"]).select(["lo", "hi", "cont_count"]).rename_columns(["lo", "hi", "n_content_id"])
        high = per.filter(pc.invert(per["low"])).select(["lo", "hi", "cont_count"]).rename_columns(
            ["lo", "hi", "n_content_id_y"])
        edges = edges.join(low, ["lo", "hi"]).join(high, ["lo", "hi"])
    frame = edges.to_pandas()
    frame = frame.rename(columns={"lo": "account_id", "hi": "account_id_y"})
    n, ny = frame["n_content_id"].astype(np.int64), frame["n_content_id_y"].astype(np.int64)
    frame["n_content_id"], frame["n_content_id_y"] = n, ny
    frame["weight"] = frame["weight"].astype(np.int64)
    frame["edge_symmetry_score"] = np.minimum(n, ny) / np.maximum(n, ny)
    if objects:  # lists cannot pass an Arrow join: grouped apart, joined as strings
        objs = rows.group_by(["lo", "hi"], use_threads=False).aggregate([("o", "distinct")]).to_pandas()
        objs["object_ids"] = [",".join(sorted(v)) for v in objs.pop("o_distinct")]
        frame = frame.merge(objs.rename(columns={"lo": "account_id", "hi": "account_id_y"}),
                            on=["account_id", "account_id_y"])
    cols = ["account_id", "account_id_y", "weight", "avg_time_delta", "n_content_id", "n_content_id_y",
            "edge_symmetry_score"] + (["object_ids"] if objects else [])
    return frame[cols].sort_values(["account_id", "account_id_y"], kind="stable").reset_index(drop=True)


def _thresholded(edges: pd.DataFrame, edge_weight: float) -> tuple[pd.DataFrame, float | None]:
    from coordgraph.contracts import above_threshold, quantile_threshold

    threshold = quantile_threshold(edges["weight"].to_numpy(), edge_weight)
    edges["weight_threshold"] = above_threshold(edges["weight"].to_numpy(), threshold)
    return edges, threshold


def coordinated_network(result: pd.DataFrame, fast_net: bool = False, edge_weight: float = 0.5, subgraph: int = 0,
                        objects: bool = False, compat: bool = False, collation: str = "icu"):
    """The coordinated network of an in-memory result, aggregated with Arrow group-bys (this
    engine's own code: for a result on disk use :func:`detect_network_parquet`, which
    aggregates bucket by bucket). Returns the python engine's
    :class:`~coordgraph.analysis.CoordinatedNetwork` (same columns and meaning).

    With ``compat`` the edges must come out oriented and ordered as CooRTweet's R code leaves
    them (R's collation ``collation``, igraph's union order): that reproduction of a reference
    tool's quirks lives once, in the python engine, and is used here."""
    from coordgraph.analysis.network import (CoordinatedNetwork, check_subgraph, merge_fast, select_subgraph,
                                             vertices_of)

    if compat:
        from coordgraph.analysis import coordinated_network as reference

        return reference(result, fast_net=fast_net, edge_weight=edge_weight, subgraph=subgraph, objects=objects,
                         compat=True, collation=collation)

    check_subgraph(subgraph, fast_net)
    params = dict(fast_net=fast_net, edge_weight=edge_weight, subgraph=subgraph, objects=objects, compat=compat)
    cols = {c: pa.array(result[c].astype(str).to_numpy(dtype=object), pa.string())
            for c in ("object_id", "content_id", "content_id_y", "account_id", "account_id_y")}
    cols["time_delta"] = pa.array(result["time_delta"].to_numpy(dtype=np.int64), pa.int64())
    table = pa.table(cols)
    full, threshold = _thresholded(_edges_of_rows(table, objects, compat), edge_weight)
    if not fast_net:
        edges = select_subgraph(full, subgraph)
        return CoordinatedNetwork(edges, vertices_of(edges, "weight"), threshold, None, params)
    flags = [c for c in result.columns if c.startswith("time_window_")]
    if len(flags) != 1:
        raise ValueError("fast_net needs exactly one time_window_<N> column from flag_speed_share(); "
                         f"found {flags or 'none'}")
    fast_rows = table.filter(pa.array(result[flags[0]].to_numpy() == 1))
    fast, threshold_fast = _thresholded(_edges_of_rows(fast_rows, objects, compat), edge_weight)
    edges, vertices = select_subgraph(merge_fast(full, fast), subgraph, with_vertices=True)
    return CoordinatedNetwork(edges, vertices, threshold, threshold_fast, params)


def network_from_pairs_parquet(out_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read back (edges, vertices) written by :func:`detect_network_parquet`."""
    out_dir = Path(out_dir)
    return pq.read_table(out_dir / "edges.parquet").to_pandas(), pq.read_table(out_dir / "vertices.parquet").to_pandas()
