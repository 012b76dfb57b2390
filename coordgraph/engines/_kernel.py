"""The integer-coded co-share kernel shared by the out-of-core engine: numpy only.

Why a kernel: on hundreds of millions of shares the strings are what exhaust memory. Here
every share is four integers (object, account, content codes, time in UNIX seconds) plus a
loop flag, shares are sorted once by (object, time, processing order), and the window pairs
are produced chunk by chunk straight from that order
(:func:`coordgraph.analysis.pairs.chunk_ranges`, O(output), never all at once), so memory is
bounded by the chunk size whatever the number of pairs.

The method is the one of docs (spec/coordination.md): pre-filter, window pairs (inclusive),
loop removal, the OR post-filter, orientation (older = earlier time, ties by processing
order). The post-filter needs every pair's contents before any pair is kept, so pairs are
generated twice (cheap) instead of being stored.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


#: Pairs produced per chunk (~80 bytes of scratch a pair while a chunk is processed; smaller
#: chunks gained nothing measurable on the 1M-share dense bench, larger ones cost memory).
DEFAULT_CHUNK_PAIRS = 2_000_000


@dataclass
class CodedShares:
    """Shares as integer codes, sorted by (object, time, processing order).

    ``account``: code whose order is the processing order (first appearance in the input);
    ``content``: code, equal strings equal codes; ``loop``: the share's object equals its own
    content id; ``time``: UNIX seconds (int64). ``n_accounts`` / ``n_contents``: code ranges.
    ``rank``: optional, each share's account rank in code-point order (the edge orientation).
    """

    obj: np.ndarray
    account: np.ndarray
    content: np.ndarray
    time: np.ndarray
    loop: np.ndarray
    n_accounts: int
    n_contents: int
    rank: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.time)

    @property
    def has_loop_rows(self) -> bool:
        """Any share whose object equals its content id (computed once)."""
        if not hasattr(self, "_has_loop"):
            self._has_loop = bool(self.loop.any())
        return self._has_loop

    @property
    def has_repeated_contents(self) -> bool:
        """Any content id on two shares (else no pair can have equal contents; computed once)."""
        if not hasattr(self, "_repeated"):
            self._repeated = bool(len(self.content)) and int(np.bincount(self.content).max()) > 1
        return self._repeated

    def take(self, index: np.ndarray) -> "CodedShares":
        """The shares at ``index`` (same code ranges)."""
        return CodedShares(
            self.obj[index], self.account[index], self.content[index], self.time[index],
            self.loop[index], self.n_accounts, self.n_contents,
            None if self.rank is None else self.rank[index],
        )


def prefilter(account: np.ndarray, n_accounts: int, min_participation: int) -> np.ndarray:
    """Boolean mask of the rows whose account has at least ``min_participation`` rows
    (all objects, no window); ``min_participation <= 1`` keeps every row."""
    if min_participation <= 1:
        return np.ones(len(account), dtype=bool)
    counts = np.bincount(account, minlength=n_accounts)
    return counts[account] >= min_participation


def group_order(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ordered by a small non-negative group number (0 .. n_groups - 1), and where each
    group starts: group g is ``order[bounds[g]:bounds[g + 1]]``. Numbers that fit in int16
    are ordered by numpy's stable radix sort (linear time)."""
    g = group.astype(np.int16 if n_groups < 2**15 else np.int64, copy=False)
    order = np.argsort(g, kind="stable")
    return order, np.searchsorted(g[order], np.arange(n_groups + 1))


def packed_argsort(key: np.ndarray, key_bits: int, max_groups: int = 256) -> np.ndarray:
    """``np.argsort(key)`` for non-negative int64 keys below ``2**key_bits``, by value sorts.

    The position rides in the low bits of a uint64 whose high bits are the key, so a plain
    value sort (vectorised, ~8x faster than ``argsort``) yields the permutation. When key and
    position need more than 64 bits, the keys are first split by their high bits into up to
    ``max_groups`` ranges (a linear radix pass) and each range is sorted the same way with
    its own, shorter keys and positions; beyond that, ``argsort``. Ties come out in any order.
    """
    n = len(key)
    pos_bits = max(1, int(n - 1).bit_length())
    extra = key_bits + pos_bits - 64
    if extra <= 0:
        packed = key.astype(np.uint64) << np.uint64(pos_bits)
        packed |= np.arange(n, dtype=np.uint64)
        packed.sort()
        return (packed & np.uint64((1 << pos_bits) - 1)).astype(np.int64)
    if (1 << extra) > max_groups:
        return np.argsort(key)
    shift = key_bits - extra  # keys in group g lie in [g << shift, (g + 1) << shift)
    by_group, bounds = group_order(key >> shift, 1 << extra)
    parts = []
    for g in range(1 << extra):
        idx = by_group[bounds[g]:bounds[g + 1]]
        if len(idx):
            parts.append(idx[packed_argsort(key[idx] - (g << shift), shift, max_groups=1)])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def sort_for_pairing(obj: np.ndarray, time: np.ndarray, account: np.ndarray, row: np.ndarray,
                     order_ties: bool = True) -> np.ndarray:
    """Permutation sorting shares by (object, time, processing order), where processing order
    is (account code = first appearance, input row).

    ``order_ties=False`` leaves shares of equal (object, time) in any order: the set of window
    pairs, the loops, the post-filter and the edges (oriented by account name) do not depend
    on it; only which share of a tie is "older" in the result rows and in ``compat`` counts does.

    One sort of a combined (object, time) key, then only the runs of equal (object, time)
    are re-sorted by (account, row): several times faster than a 4-key lexsort. When the key
    and the position fit in 64 bits together, the position rides in the low bits of a plain
    value sort (vectorised, ~8x faster than ``argsort``), which gives the permutation.
    """
    n = len(time)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    t0 = int(time.min())
    span = int(time.max()) - t0 + 1
    if (int(obj.max()) + 1) * span >= 2**62:
        return np.lexsort((row, account, time, obj))
    key = obj.astype(np.int64) * span + (time - t0)
    order = packed_argsort(key, int(int(obj.max()) * span + span - 1).bit_length())
    ks = key[order]
    del key
    if not order_ties:
        return order
    tie = np.zeros(n, dtype=bool)
    same = ks[1:] == ks[:-1]
    tie[1:] |= same
    tie[:-1] |= same
    pos = np.flatnonzero(tie)
    if len(pos):
        idx = order[pos]
        sub = np.lexsort((row[idx], account[idx], ks[pos]))
        order[pos] = idx[sub]
    return order


def drop_loops(shares: CodedShares, older: np.ndarray, newer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remove loop pairs: object equal to either content id, equal content ids, same account."""
    keep = shares.account[older] != shares.account[newer]
    if shares.has_loop_rows:
        keep &= ~(shares.loop[older] | shares.loop[newer])
    if shares.has_repeated_contents:
        keep &= shares.content[older] != shares.content[newer]
    return older[keep], newer[keep]


def post_filter_contents(shares: CodedShares, paired: np.ndarray, min_participation: int) -> np.ndarray:
    """The OR rule: boolean array over content codes, true for contents in P.

    ``paired``: boolean over content codes, true for contents on either side of a pair (C).
    m(a) = number of a's (pre-filtered) rows whose content is in C; P = contents of the rows
    of accounts with m(a) >= min_participation. A pair is kept when either content is in P.
    """
    in_c = paired[shares.content]
    m = np.bincount(shares.account[in_c], minlength=shares.n_accounts)
    good_row = m[shares.account] >= min_participation
    keep = np.zeros(shares.n_contents, dtype=bool)
    keep[shares.content[good_row]] = True
    return keep


def type7_quantile_from_histogram(hist: np.ndarray, q: float) -> float:
    """The R type-7 (numpy 'linear') quantile of a multiset of non-negative integers given
    as ``hist[v]`` = how many times v occurs. Exact, without materialising the values."""
    n = int(hist.sum())
    if n == 0:
        return float("nan")
    h = (n - 1) * float(q)
    lo_rank = int(np.floor(h))
    hi_rank = min(lo_rank + 1, n - 1)
    cum = np.cumsum(hist)
    v_lo = int(np.searchsorted(cum, lo_rank, side="right"))
    v_hi = int(np.searchsorted(cum, hi_rank, side="right"))
    return v_lo + (h - lo_rank) * (v_hi - v_lo)


@dataclass
class EdgeAggregate:
    """Per-edge aggregates of one bucket of pairs, accounts as codes (``lo`` < ``hi`` in the
    output orientation order)."""

    lo: np.ndarray
    hi: np.ndarray
    weight: np.ndarray
    sum_time_delta: np.ndarray
    n_lo: np.ndarray
    n_hi: np.ndarray


def aggregate_edges(
    lo: np.ndarray,
    hi: np.ndarray,
    time_delta: np.ndarray,
    older_content: np.ndarray,
    newer_content: np.ndarray,
    older_is_lo: np.ndarray,
    compat: bool = False,
) -> EdgeAggregate:
    """Aggregate pair rows into edges: weight (rows), summed time_delta (seconds) and the
    distinct-content counts (documented: contents of each account; ``compat``: CooRTweet's
    older/newer-side counts, whatever the account). Every row of an edge must be here."""
    n = len(lo)
    if n == 0:
        z = np.zeros(0, dtype=np.int64)
        return EdgeAggregate(z, z, z, z.astype(np.float64), z, z)
    n_hi_code = int(hi.max()) + 1
    key = lo.astype(np.int64) * n_hi_code + hi
    order = np.argsort(key)
    key = key[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    seg = np.cumsum(new) - 1
    del new
    weight = np.diff(np.append(starts, n)).astype(np.int64)
    sum_td = np.add.reduceat(time_delta[order], starts, dtype=np.int64).astype(np.float64)
    edges = key[starts]
    del key
    if compat:
        side_a, side_b = older_content[order], newer_content[order]
    else:
        flip = older_is_lo[order]
        c_old, c_new = older_content[order], newer_content[order]
        side_a = np.where(flip, c_old, c_new)
        side_b = np.where(flip, c_new, c_old)
        del c_old, c_new, flip
    n_lo = _distinct_per_sorted_group(seg, side_a, len(starts))
    n_hi = _distinct_per_sorted_group(seg, side_b, len(starts))
    return EdgeAggregate(edges // n_hi_code, edges % n_hi_code, weight, sum_td, n_lo, n_hi)


def _distinct_per_sorted_group(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """Number of distinct ``value`` per ``group``; ``group`` is non-decreasing, so the
    combined key is nearly sorted and one in-place sort (no argsort) finds the distinct ones."""
    span = int(value.max()) + 1 if len(value) else 1
    if n_groups * span >= 2**62:  # keys would overflow: a slower but safe lexsort
        order = np.lexsort((value, group))
        g, v = group[order], value[order]
        first = np.ones(len(g), dtype=bool)
        first[1:] = (g[1:] != g[:-1]) | (v[1:] != v[:-1])
        return np.bincount(g[first], minlength=n_groups).astype(np.int64)
    k = group * span + value.astype(np.int64)
    k.sort()
    first = np.empty(len(k), dtype=bool)
    if len(k):
        first[0] = True
        np.not_equal(k[1:], k[:-1], out=first[1:])
    return np.bincount(k[first] // span, minlength=n_groups).astype(np.int64)
