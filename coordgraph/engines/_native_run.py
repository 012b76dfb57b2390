"""The out-of-core engine's steps on the C kernels (``coordgraph/engines/_native.c``):
string coding, bucket plans, pass B (pairs straight into edge buckets) and the aggregation
of a bucket into an edge table, with the memory blocks the writer threads reuse.

The numpy kernels (``_kernel``, ``_packed``) do the same work when the C kernels are not
built or are switched off (``COORDGRAPH_NATIVE=0``); the tests run both.
"""
from __future__ import annotations

import contextlib
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from coordgraph.analysis.pairs import chunk_ranges
from coordgraph.engines import _kernel as K
from coordgraph.engines import _packed as P
from coordgraph.engines._arrow import from_numpy
from coordgraph.engines._edges import EDGE_WRITERS, SPLIT_PAIRS, edge_arrow
from coordgraph.engines._threads import PAIR_THREADS, bounded_map

if TYPE_CHECKING:
    from coordgraph.engines.outofcore import _Buckets, _PairLayout

try:  # the C kernels (setup.py builds them; without a compiler the numpy kernels do the work)
    from coordgraph.engines import _native as N
except ImportError:  # pragma: no cover - exercised on installs without a C compiler
    N = None

#: Rows from which account ids are coded by the C kernel rather than by Arrow (measured: 1M
#: shares with 90k accounts, Arrow 0.045 s vs 0.074 s; 10M with 900k, 1.66 s vs 0.87 s).
NATIVE_ACCOUNT_CODES_ROWS = 2_000_000


def native_available() -> bool:
    """Whether the C kernels are built and not switched off (``COORDGRAPH_NATIVE=0``)."""
    return N is not None and os.environ.get("COORDGRAPH_NATIVE", "1") != "0"


def string_codes(col: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Codes (int32, order of first appearance) and dictionary of a string column, by the
    C kernel (``_native.string_codes``): equal to :func:`coordgraph.engines.outofcore._dictionary_codes`."""
    arr = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if pa.types.is_large_string(arr.type):
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)
    else:
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    offsets = offsets[arr.offset: arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    codes = np.empty(len(arr), dtype=np.int32)
    first_rows = np.empty(len(arr), dtype=np.int64)
    distinct = N.string_codes(offsets, data, codes, first_rows)
    return codes, arr.take(from_numpy(first_rows[:distinct]))


def mark_pairs(pool: ThreadPoolExecutor, shares: K.CodedShares, counts: np.ndarray, remove_loops: bool,
               chunk_pairs: int, in_pair: np.ndarray) -> None:
    """Pass A with the C kernel: set ``in_pair`` (bool a share) for the shares in a
    loop-free window pair, chunks of pairs in the pool's threads (two threads may set the
    same flag to True at once: a benign race)."""
    cum = np.cumsum(counts)
    loop = shares.loop if remove_loops and shares.has_loop_rows else None

    def mark(chunk):
        return N.mark_pairs(counts, chunk[0], chunk[1], shares.content, shares.account, loop, remove_loops, in_pair)

    for _ in bounded_map(pool, mark, chunk_ranges(cum, chunk_pairs), PAIR_THREADS):
        pass


@dataclass
class BucketPlan:
    """Which edge bucket the pairs of each account go to, for the C kernels: a pair goes to
    ``table[lo]`` (lo: the smaller account rank), so every edge lies in one bucket.

    ``rank_start``: bucket b holds the pairs whose lo is in ``rank_start[b] ..
    rank_start[b + 1] - 1`` (None when accounts are hashed to buckets instead). Range buckets
    write their edges in (account_id, account_id_y) order across the whole file, and each
    bucket's account_id dictionary is its range only. ``chunks``/``per_chunk``: when the
    plan was made by counting the only partition's pairs, its chunks and their kept pairs
    per bucket."""

    table: np.ndarray
    n_buckets: int
    rank_start: np.ndarray | None = None
    chunks: list | None = None
    per_chunk: np.ndarray | None = None
    #: Range buckets: the rank groups (``group_of``: group of each rank, ``group_shift``: ranks
    #: a group = 2**group_shift), the kept pairs of each chunk per group and each bucket's first
    #: group. The in-memory fill writes pairs in order of group, so a bucket's sort is one
    #: small sort per group (``presorted_bits``, set once the pairs are so written).
    group_of: np.ndarray | None = None
    group_shift: int = 0
    per_chunk_group: np.ndarray | None = None
    group_start: np.ndarray | None = None
    presorted_bits: int | None = None

    def rank_range(self, b: int) -> tuple[int, int] | None:
        return None if self.rank_start is None else (int(self.rank_start[b]), int(self.rank_start[b + 1]))


def hashed_buckets(n_accounts: int, n_buckets: int) -> BucketPlan:
    """Accounts spread over the buckets by a multiplicative hash of their rank."""
    ranks = np.arange(n_accounts, dtype=np.uint64)
    table = (((ranks * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(32)) % np.uint64(n_buckets)).astype(np.int32)
    return BucketPlan(table, n_buckets)


#: Ranks are counted, bucketed and (in memory) written in groups of consecutive ranks, at
#: most 2**RANK_GROUP_BITS groups: few enough that writing pairs group by group streams into
#: the CPU caches (1M dense shares: 65,536 groups 0.33 s of fill, 4,096 0.22 s), and a group's
#: pairs are then sorted in cache.
RANK_GROUP_BITS = 12


def range_buckets(pool: ThreadPoolExecutor, layout: _PairLayout, shares: K.CodedShares, counts: np.ndarray,
                   sel: np.ndarray | None, remove_loops: bool, n_accounts: int, bucket_pairs: int,
                   chunk_pairs: int) -> BucketPlan:
    """Buckets of consecutive lo ranks holding about equal numbers of pairs (at most
    ``bucket_pairs`` each, and one per writer thread at least), from a count of the kept
    pairs of the only partition by lo rank (in groups of ranks, at most 2**RANK_GROUP_BITS)."""
    shift = max(0, P.bits_for(n_accounts) - RANK_GROUP_BITS)
    n_groups = max(1, ((n_accounts - 1) >> shift) + 1)  # one group even without accounts
    group_of = (np.arange(n_accounts, dtype=np.int64) >> shift).astype(np.int32)
    chunks = chunk_ranges(np.cumsum(counts), chunk_pairs)
    per_chunk = list(pool.map(lambda ch: layout.native_count(shares, counts, ch, sel, remove_loops, group_of,
                                                             n_groups), chunks))
    per_chunk = np.array(per_chunk, dtype=np.int64).reshape(len(chunks), n_groups)
    per_group = per_chunk.sum(axis=0)
    total = int(per_group.sum())
    n_buckets = max(1, -(-total // bucket_pairs))
    if total >= SPLIT_PAIRS:
        n_buckets = max(n_buckets, EDGE_WRITERS)
    # bucket k starts at the first group whose cumulative pairs reach k / n_buckets of the total
    cum = np.cumsum(per_group)
    first_group = np.searchsorted(cum, np.arange(1, n_buckets) * (total / n_buckets), side="right")
    bucket_of_group = np.zeros(n_groups, dtype=np.int32)
    bucket_of_group[np.unique(first_group[(first_group > 0) & (first_group < n_groups)])] = 1  # no empty bucket
    bucket_of_group = np.cumsum(bucket_of_group, dtype=np.int32)
    n_buckets = int(bucket_of_group[-1]) + 1
    group_start = np.searchsorted(bucket_of_group, np.arange(n_buckets + 1))
    rank_start = np.minimum(group_start.astype(np.int64) << shift, n_accounts)
    per_bucket = np.add.reduceat(per_chunk, group_start[:-1], axis=1) if len(chunks) else \
        np.zeros((0, n_buckets), dtype=np.int64)
    return BucketPlan(bucket_of_group[group_of], n_buckets, rank_start, chunks, per_bucket,
                       group_of, shift, per_chunk, group_start)


def pass_b(pool: ThreadPoolExecutor, layout: _PairLayout, shares: K.CodedShares, counts: np.ndarray,
           sel: np.ndarray | None, remove_loops: bool, buckets: "_Buckets", plan: BucketPlan,
           want_rows: bool, chunk_pairs: int):
    """Pass B with the C kernels: the kept pairs of one partition go to the edge buckets;
    yields (older, newer, pairs) a chunk, in order, for the result rows (older/newer are
    None unless ``want_rows``). Chunks are counted (unless the plan counted them), then
    filled, in the pool's threads.

    Counted and in memory: every pair is written straight to its place in one array of
    exactly the kept pairs, bucket after bucket (no chunk arrays to join later). Else each
    chunk's records go to the buckets as they are formed (spilled when on disk)."""
    table, n_buckets = plan.table, plan.n_buckets
    if plan.per_chunk is not None:
        chunks, per_chunk = plan.chunks, plan.per_chunk
    else:
        chunks, per_chunk = chunk_ranges(np.cumsum(counts), chunk_pairs), None

    if per_chunk is not None and buckets.in_memory:
        # pairs go in order of rank group (a bucket is a range of groups): chunk c writes its
        # pairs of group g after those of chunks 0 .. c-1
        per_group = plan.per_chunk_group.sum(axis=0)
        group_base = np.concatenate([[0], np.cumsum(per_group)])
        rec = np.empty(2 * int(group_base[-1]), dtype=np.uint64)
        at = group_base[:-1] + np.cumsum(plan.per_chunk_group, axis=0) - plan.per_chunk_group

        def fill(c):
            return layout.native_fill(shares, counts, chunks[c], sel, remove_loops, plan.group_of, rec,
                                      at[c].copy(), int(per_chunk[c].sum()), want_rows)

        yield from bounded_map(pool, fill, range(len(chunks)), PAIR_THREADS)
        pair_start = group_base[plan.group_start]
        for b in range(n_buckets):
            if pair_start[b + 1] > pair_start[b]:
                buckets.append(b, {"rec": rec[2 * pair_start[b]: 2 * pair_start[b + 1]]})
        plan.presorted_bits = layout.account_bits + plan.group_shift
        return

    def form(c):
        per_bucket = per_chunk[c] if per_chunk is not None else \
            layout.native_count(shares, counts, chunks[c], sel, remove_loops, table, n_buckets)
        bucket_start = np.concatenate([[0], np.cumsum(per_bucket)])
        rec = np.empty(2 * int(bucket_start[-1]), dtype=np.uint64)
        older, newer, n = layout.native_fill(shares, counts, chunks[c], sel, remove_loops, table, rec,
                                             bucket_start[:-1].copy(), int(bucket_start[-1]), want_rows)
        return older, newer, n, [(b, rec[2 * bucket_start[b]: 2 * bucket_start[b + 1]])
                                 for b in range(n_buckets) if per_bucket[b]]

    for older, newer, n, by_bucket in bounded_map(pool, form, range(len(chunks)), PAIR_THREADS):
        for b, part in by_bucket:
            buckets.append(b, {"rec": part})
        yield older, newer, n


class EdgeBlock:
    """Memory for aggregating one bucket of native records: the edge columns (56 bytes an
    edge), whose first 16 bytes an edge double as the radix sort's scratch (the sort is
    done before any column is written)."""

    COLUMNS = (("lo", np.int32), ("hi", np.int32), ("weight", np.int64), ("avg_time_delta", np.float64),
               ("n_content_id", np.int64), ("n_content_id_y", np.int64), ("edge_symmetry_score", np.float64),
               ("weight_threshold", np.int64))

    def __init__(self, records: int):
        self.records = records
        self.memory = np.empty(records * sum(np.dtype(t).itemsize for _, t in self.COLUMNS), dtype=np.uint8)

    def scratch(self, n: int) -> np.ndarray:
        """Room for ``n`` records (uint64, two words each)."""
        return self.memory[: 16 * n].view(np.uint64)

    def columns(self, n: int) -> dict[str, np.ndarray]:
        """The edge columns for up to ``n`` edges, as views of this block."""
        out, at = {}, 0
        for name, dtype in self.COLUMNS:
            size = np.dtype(dtype).itemsize * n
            out[name] = self.memory[at: at + size].view(dtype)
            at += size
        return out


class EdgeBlocks:
    """One :class:`EdgeBlock` a thread, sized for the largest bucket and allocated once by
    the calling thread: reused from bucket to bucket, and from the weight pass to the
    writers, instead of fresh arrays (which cost a page fault every 4 KiB, ~30% of a dense
    run's CPU time; worker threads cannot reuse freed memory across buckets with glibc)."""

    def __init__(self, count: int, records: int):
        import queue

        self.free: queue.SimpleQueue = queue.SimpleQueue()
        self.blocks = [EdgeBlock(records) for _ in range(count)]
        for block in self.blocks:
            self.free.put(block)

    @contextlib.contextmanager
    def lend(self):
        block = self.free.get()
        try:
            yield block
        finally:
            self.free.put(block)


def lend(blocks: EdgeBlocks | None):
    """A block of ``blocks`` for the ``with`` statement's duration, or None without blocks
    (the kernels then allocate their own memory)."""
    return contextlib.nullcontext() if blocks is None else blocks.lend()


def edge_table(layout: _PairLayout, rec: np.ndarray, sorted_accounts: pa.Array, threshold: float | None,
               vertex_sums: np.ndarray, block: EdgeBlock | None = None,
               rank_range: tuple[int, int] | None = None) -> pa.Table:
    """The edges.parquet rows of one bucket's pair records, aggregated by the C kernel
    (which also adds each edge to ``vertex_sums``: (degree, strength) a rank). The table's
    columns are views of ``block`` (default: a new one): write it before the block is used
    again. ``rank_range``: the bucket's lo ranks, when buckets are ranges."""
    n = len(rec) // 2
    block = EdgeBlock(n) if block is None else block
    cols = block.columns(n)
    lo, hi = cols.pop("lo"), cols.pop("hi")
    e = N.aggregate(rec, layout.account_bits, layout.time_bits, math.inf if threshold is None else float(threshold),
                    lo, hi, *cols.values(), vertex_sums, block.scratch(n))
    return edge_arrow(lo[:e], hi[:e], sorted_accounts, {name: v[:e] for name, v in cols.items()}, rank_range)
