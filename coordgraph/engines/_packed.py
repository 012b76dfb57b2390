"""Edge aggregation by sorting packed 64-bit keys: the out-of-core engine's fast path.

Why: grouping pair rows by account pair with ``argsort`` costs ~60 ns a row, while
numpy's value ``sort`` of a uint64 array runs vectorised (AVX2/AVX-512 sorting networks) in
~7 ns a row. So every quantity an edge needs is packed into the bits of one key and
three plain sorts do the whole aggregation, with no permutation carried around:

- ``k1 = (lo << a | hi) << t | time_delta``: sorted, runs of equal ``k1 >> t`` are the edges;
  the run length is the weight and the sum of the low bits the summed time delta (seconds);
- ``k2 = (lo << a | hi) << c | content_a``: sorted, the distinct keys in an edge's run are its
  distinct contents on side a (``n_content_id``); the same with side b (``n_content_id_y``).

All three are sorted by the edge first, so an edge occupies the same rows in each and the
run starts found in ``k1`` index the other two. ``lo``/``hi`` are the accounts' ranks in
code-point order (the output orientation); contents are relabelled to a dense range inside
the bucket when their codes are too wide. When the bits still do not fit in 64,
:func:`aggregate_packed` returns None and the caller uses the argsort aggregation
(:func:`coordgraph.engines._kernel.aggregate_edges`), which has no width limit.
"""
from __future__ import annotations

from concurrent.futures import Executor

import numpy as np

from coordgraph.engines._kernel import EdgeAggregate


def bits_for(n_values: int) -> int:
    """Bits needed to store the integers 0 .. n_values - 1 (at least 1)."""
    return max(1, int(n_values - 1).bit_length())


def edge_keys(lo: np.ndarray, hi: np.ndarray, time_delta: np.ndarray, account_bits: int, time_bits: int) -> np.ndarray:
    """``k1`` of each pair row: (lo, hi, time_delta) packed into uint64 (see module doc)."""
    k = lo.astype(np.uint64)
    k <<= np.uint64(account_bits)
    k |= hi.astype(np.uint64)
    k <<= np.uint64(time_bits)
    k |= time_delta.astype(np.uint64)
    return k


def fits(n_accounts: int, max_time_delta: int) -> bool:
    """Whether ``k1`` keys fit in 64 bits for this many accounts and this window (seconds)."""
    return 2 * bits_for(n_accounts) + bits_for(max_time_delta + 1) <= 64


def _first_of_runs(sorted_values: np.ndarray) -> np.ndarray:
    """True at the first row of every run of equal values (``sorted_values`` sorted)."""
    first = np.empty(len(sorted_values), dtype=bool)
    if len(first):
        first[0] = True
        np.not_equal(sorted_values[1:], sorted_values[:-1], out=first[1:])
    return first


def edge_weights(k1: np.ndarray, time_bits: int) -> np.ndarray:
    """Weight (number of pair rows) of every edge of these :func:`edge_keys`, which are
    sorted in place: the lengths of the runs of equal ``k1 >> time_bits``."""
    if not len(k1):
        return np.zeros(0, dtype=np.int64)
    k1.sort()
    return _gaps(np.flatnonzero(_first_of_runs(k1 >> np.uint64(time_bits))), len(k1))


def _dense_codes(values: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """Relabel non-negative integer codes to 0 .. distinct-1 (same labels across arrays):
    through a mark table over the code range when it is not much larger than the rows
    (linear time, no sort), else by sorting the distinct codes."""
    rows = sum(len(v) for v in values)
    top = max(int(v.max()) for v in values) + 1
    if top <= 8 * rows:
        used = np.zeros(top, dtype=bool)
        for v in values:
            used[v] = True
        label = np.cumsum(used, dtype=np.int64) - 1
        return [label[v] for v in values], int(label[-1]) + 1
    sorted_codes = np.sort(np.concatenate(values))
    distinct = sorted_codes[_first_of_runs(sorted_codes)]
    return [np.searchsorted(distinct, v) for v in values], len(distinct)


def _distinct_flags(edge: np.ndarray, content: np.ndarray, content_bits: int) -> np.ndarray:
    """Sort (edge, content) keys; True at the first row of every distinct pair (the rows of
    an edge are where they are in the sorted ``k1``: both sorts order by edge first)."""
    k = edge << np.uint64(content_bits)
    k |= content.astype(np.uint64)
    k.sort()
    return _first_of_runs(k)


def _run_sums(values: np.ndarray, starts: np.ndarray, total: np.ndarray | None = None) -> np.ndarray:
    """Sum of ``values`` (bool or unsigned) over each run ``starts[i] .. starts[i+1]-1``,
    as int64, from one cumulative sum (``total``, when the caller has it): several times
    faster than ``np.add.reduceat`` on millions of short runs. The sum runs in the input's
    own width (a casting cumsum is ~10x slower), so bool flags are summed as int8 into int32
    when the count fits."""
    if total is None:
        if values.dtype == bool:
            total = np.cumsum(values.view(np.int8), dtype=np.int32 if len(values) < 2**31 else np.int64)
        else:
            total = np.cumsum(values)
    first = total[starts]
    first -= values[starts]
    return _gaps(first, total[-1])


def _gaps(starts: np.ndarray, end) -> np.ndarray:
    """``starts[i+1] - starts[i]``, the last one to ``end``, as int64."""
    out = np.empty(len(starts), dtype=np.int64)
    np.subtract(starts[1:], starts[:-1], out=out[:-1])
    out[-1] = int(end) - int(starts[-1])
    return out


def aggregate_packed(k1: np.ndarray, content_a: np.ndarray, content_b: np.ndarray,
                     account_bits: int, time_bits: int, pool: Executor | None = None) -> EdgeAggregate | None:
    """Aggregate pair rows into edges by sorting packed keys.

    ``k1``: :func:`edge_keys` of every row of every edge in this bucket (sorted in place);
    ``content_a``/``content_b``: the content codes counted for the edge's first / second
    account (see :func:`coordgraph.engines._kernel.aggregate_edges` for which side is which).
    Returns weight, summed time delta (seconds), distinct contents per side, and ``lo``/``hi``
    ranks; None when (edge, content) keys cannot fit in 64 bits. With a ``pool``, the two
    content sorts run in its threads while this one sorts ``k1`` (numpy releases the GIL).
    """
    n = len(k1)
    if n == 0:
        z = np.zeros(0, dtype=np.int64)
        return EdgeAggregate(z, z, z, z.astype(np.float64), z, z)
    edge_bits = 2 * account_bits
    ca, cb = content_a, content_b
    content_bits = bits_for(max(int(ca.max()), int(cb.max())) + 1)
    if edge_bits + content_bits > 64:
        (ca, cb), distinct = _dense_codes([ca, cb])
        content_bits = bits_for(distinct)
        if edge_bits + content_bits > 64:
            return None
    shift = np.uint64(time_bits)
    edge = k1 >> shift  # one scratch array, reused below for the edges and the time sums
    if pool is None:
        distinct_a = _distinct_flags(edge, ca, content_bits)
        distinct_b = _distinct_flags(edge, cb, content_bits)
    else:
        jobs = [pool.submit(_distinct_flags, edge, c, content_bits) for c in (ca, cb)]
    k1.sort()  # meanwhile: k1 is not what the jobs read
    if pool is not None:
        distinct_a, distinct_b = (job.result() for job in jobs)
    np.right_shift(k1, shift, out=edge)
    starts = np.flatnonzero(_first_of_runs(edge))
    keys = edge[starts]
    weight = _gaps(starts, n)
    td = np.bitwise_and(k1, np.uint64((1 << time_bits) - 1), out=edge)
    td_values = td[starts]  # the first row's delta of each edge, before the cumulative sum
    np.cumsum(td, out=td)
    sum_td = _gaps(td[starts] - td_values, td[-1]).astype(np.float64)
    del edge, td, td_values
    n_a = _run_sums(distinct_a, starts)
    n_b = _run_sums(distinct_b, starts)
    lo = (keys >> np.uint64(account_bits)).astype(np.int32)
    hi = (keys & np.uint64((1 << account_bits) - 1)).astype(np.int32)
    return EdgeAggregate(lo, hi, weight, sum_td, n_a, n_b)
