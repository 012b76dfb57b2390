"""The C kernels of the out-of-core engine (coordgraph/engines/_native.c) against the numpy
kernels and plain references: pair forming (loops, post-filter, orientation, buckets),
the radix sort, edge weights and aggregation, and clear errors instead of crashes on
inconsistent arguments."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis.pairs import chunk_ranges, range_pairs, window_partner_counts
from coordgraph.engines import _kernel as K
from coordgraph.engines import _packed as P
from coordgraph.engines import _native_run as NR
from coordgraph.engines import outofcore

N = outofcore.N


@pytest.fixture(autouse=True)
def _kernels_required():
    """Missing C kernels FAIL every test here (not skip): a failed build would otherwise pass
    unnoticed while the engine silently falls back to its slower numpy kernels."""
    if N is None:
        pytest.fail("the C kernels (coordgraph/engines/_native*.so) are not built: "
                    "pip install -e . needs a C compiler (make system-deps installs gcc)")


def test_kernels_are_built():
    """setup.py builds the C kernels wherever a C compiler is (CI has one): a failed build
    would silently fall back to the slower numpy kernels, so the suite says so."""
    assert outofcore.N is not None
    assert outofcore.native_available()


def random_shares(rng, n, n_objects=30, n_accounts=25, n_contents=400, span=60, loops=True):
    """Coded shares sorted for pairing, with repeated contents and loop rows."""
    obj = rng.integers(0, n_objects, n).astype(np.int32)
    account = rng.integers(0, n_accounts, n).astype(np.int32)
    content = rng.integers(0, n_contents, n).astype(np.int32)
    t = rng.integers(0, span, n).astype(np.int64)
    loop = rng.random(n) < 0.05 if loops else np.zeros(n, dtype=bool)
    order = np.lexsort((np.arange(n), account, t, obj))
    rank = rng.permutation(n_accounts).astype(np.int32)  # code-point order differs from codes
    s = K.CodedShares(obj[order], account[order], content[order], t[order], loop[order], n_accounts, n_contents)
    s.rank = rank[s.account]
    return s


def numpy_pairs(shares, counts, remove_loops, sel):
    cum = np.cumsum(counts)
    older, newer = range_pairs(counts, cum, (0, len(counts), 0))
    if remove_loops:
        older, newer = K.drop_loops(shares, older, newer)
    if sel is not None:
        keep = sel[older] | sel[newer]
        older, newer = older[keep], newer[keep]
    return older.astype(np.int64), newer.astype(np.int64)


def records_frame(rec: np.ndarray, account_bits: int, time_bits: int) -> pd.DataFrame:
    k1, c = rec[0::2], rec[1::2]
    edge = k1 >> np.uint64(time_bits)
    return pd.DataFrame({
        "lo": (edge >> np.uint64(account_bits)).astype(np.int64),
        "hi": (edge & np.uint64((1 << account_bits) - 1)).astype(np.int64),
        "td": (k1 & np.uint64((1 << time_bits) - 1)).astype(np.int64),
        "ca": (c & np.uint64(0xFFFFFFFF)).astype(np.int64), "cb": (c >> np.uint64(32)).astype(np.int64)})


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("remove_loops", [True, False])
@pytest.mark.parametrize("compat", [False, True])
@pytest.mark.parametrize("post_filter", [False, True])
def test_count_and_fill_pairs_equal_the_numpy_pairs(seed, remove_loops, compat, post_filter):
    rng = np.random.default_rng(seed)
    shares = random_shares(rng, 3_000)
    window = 5
    counts = window_partner_counts(shares.obj, shares.time, window)
    sel = rng.random(len(shares)) < 0.3 if post_filter else None
    layout = outofcore._PairLayout.choose(shares.n_accounts, window, compat, native=True)
    n_buckets = 3
    table = NR.hashed_buckets(shares.n_accounts, n_buckets).table
    want_older, want_newer = numpy_pairs(shares, counts, remove_loops, sel)
    cols, lo, hi = layout.columns(shares, want_older, want_newer)

    # two chunks, each counted then filled, as the engine does
    per_chunk = [layout.native_count(shares, counts, ch, sel, remove_loops, table, n_buckets)
                 for ch in chunk_ranges(np.cumsum(counts), len(want_older) // 2 + 1)]
    per_bucket = np.sum(per_chunk, axis=0)
    assert per_bucket.sum() == len(want_older)
    starts = np.concatenate([[0], np.cumsum(per_bucket)])
    rec = np.empty(2 * int(starts[-1]), dtype=np.uint64)
    at = starts[:-1].copy()
    older, newer = [], []
    for ch, pc in zip(chunk_ranges(np.cumsum(counts), len(want_older) // 2 + 1), per_chunk):
        o, n, written = layout.native_fill(shares, counts, ch, sel, remove_loops, table, rec, at, int(pc.sum()),
                                           True)
        assert written == pc.sum()
        older.append(o)
        newer.append(n)
    assert np.array_equal(at, starts[1:])  # every bucket filled exactly
    assert np.array_equal(np.concatenate(older), want_older) and np.array_equal(np.concatenate(newer), want_newer)

    got = records_frame(rec, layout.account_bits, layout.time_bits)
    want = pd.DataFrame({"lo": lo, "hi": hi, "td": shares.time[want_newer] - shares.time[want_older],
                         "ca": cols["ca"], "cb": cols["cb"]}).astype(np.int64)
    key = ["lo", "hi", "td", "ca", "cb"]
    pd.testing.assert_frame_equal(got.sort_values(key).reset_index(drop=True),
                                  want.sort_values(key).reset_index(drop=True))
    # each pair lands in the bucket of its lo account
    bucket = np.repeat(np.arange(n_buckets), per_bucket)
    assert np.array_equal(bucket, table[got["lo"].to_numpy()])


def test_mark_pairs_marks_the_shares_of_loop_free_pairs():
    rng = np.random.default_rng(5)
    shares = random_shares(rng, 2_000)
    counts = window_partner_counts(shares.obj, shares.time, 4)
    older, newer = numpy_pairs(shares, counts, True, None)
    in_pair = np.zeros(len(shares), dtype=bool)
    n = N.mark_pairs(counts, 0, len(shares), shares.content, shares.account, shares.loop, True, in_pair)
    want = np.zeros(len(shares), dtype=bool)
    want[older] = want[newer] = True
    assert n == len(older) and np.array_equal(in_pair, want)


def packed_records(lo, hi, td, ca, cb, account_bits, time_bits):
    rec = np.empty(2 * len(lo), dtype=np.uint64)
    rec[0::2] = P.edge_keys(lo, hi, td, account_bits, time_bits)
    rec[1::2] = ca.astype(np.uint64) | (cb.astype(np.uint64) << np.uint64(32))
    return rec


@pytest.mark.parametrize("case", [(40, 30, 10, 20_000), (3000, 10**6, 60, 50_000), (7, 5, 0, 5_000),
                                  (2**20, 100, 3, 30_000)])
def test_aggregate_equals_the_numpy_aggregation(case):
    """Small account sets give heavy edges (distinct counts by insertion sort and qsort);
    2**20 accounts need a three-pass radix sort."""
    n_accounts, n_contents, window, n = case
    rng = np.random.default_rng(n_accounts)
    lo = rng.integers(0, n_accounts - 1, n)
    hi = lo + 1 + rng.integers(0, n_accounts - 1 - lo)
    td = rng.integers(0, window + 1, n)
    ca, cb = rng.integers(0, n_contents, n), rng.integers(0, n_contents, n)
    ab, tb = P.bits_for(n_accounts), P.bits_for(window + 1)
    rec = packed_records(lo, hi, td, ca, cb, ab, tb)
    rng.shuffle(rec.reshape(-1, 2))

    hist = np.zeros(n + 1, dtype=np.int64)
    n_edges, largest = N.edge_weights(rec.copy(), ab, tb, hist)
    want = K.aggregate_edges(lo, hi, td, ca, cb, None, compat=True)
    assert n_edges == len(want.lo) and largest == want.weight.max()
    assert np.array_equal(hist[: largest + 1], np.bincount(want.weight))

    out = NR.EdgeBlock(n).columns(n)
    sums = np.zeros((n_accounts, 2), dtype=np.int64)
    threshold = float(np.median(want.weight))
    e = N.aggregate(rec, ab, tb, threshold, out["lo"], out["hi"], out["weight"], out["avg_time_delta"],
                    out["n_content_id"], out["n_content_id_y"], out["edge_symmetry_score"], out["weight_threshold"],
                    sums)
    degree, strength = sums[:, 0], sums[:, 1]
    got = {k: v[:e] for k, v in out.items()}
    assert np.all(np.diff(got["lo"].astype(np.int64) * n_accounts + got["hi"]) > 0)  # sorted by (lo, hi)
    order = np.lexsort((want.hi, want.lo))
    assert np.array_equal(got["lo"], want.lo[order]) and np.array_equal(got["hi"], want.hi[order])
    assert np.array_equal(got["weight"], want.weight[order])
    assert np.allclose(got["avg_time_delta"], (want.sum_time_delta / want.weight)[order])
    assert np.array_equal(got["n_content_id"], want.n_lo[order])
    assert np.array_equal(got["n_content_id_y"], want.n_hi[order])
    assert np.allclose(got["edge_symmetry_score"],
                       (np.minimum(want.n_lo, want.n_hi) / np.maximum(want.n_lo, want.n_hi))[order])
    assert np.array_equal(got["weight_threshold"], (want.weight[order] > threshold).astype(np.int64))
    want_degree, want_strength = np.zeros_like(degree), np.zeros_like(strength)
    outofcore._add_vertex_sums(want_degree, want_strength, want.weight, want.lo, want.hi)
    assert np.array_equal(degree, want_degree) and np.array_equal(strength, want_strength)
    # sorted in place: aggregating again gives the same edges
    assert N.aggregate(rec, ab, tb, threshold, *[np.empty_like(v) for v in out.values()], np.zeros_like(sums)) == e


def test_inconsistent_arguments_raise_instead_of_crashing():
    rng = np.random.default_rng(1)
    shares = random_shares(rng, 200)
    counts = window_partner_counts(shares.obj, shares.time, 5)
    bad = counts.copy()
    bad[-1] = 3  # the last share cannot have later partners
    per_bucket = np.zeros(2, dtype=np.int64)
    table = NR.hashed_buckets(shares.n_accounts, 2).table
    args = (shares.rank, shares.content, shares.account, None, None, True, table, per_bucket)
    with pytest.raises(ValueError, match="partners beyond the last share"):
        N.count_pairs(bad, 0, 200, *args)
    with pytest.raises(TypeError, match="rank: items of 4 bytes"):
        N.count_pairs(counts, 0, 200, shares.rank.astype(np.int64), *args[1:])
    with pytest.raises(ValueError, match="rows out of range"):
        N.count_pairs(counts, 0, 201, *args)
    total = N.count_pairs(counts, 0, 200, *args)
    assert total > 0
    short = np.empty(2 * (total - 1), dtype=np.uint64)  # one pair too few
    with pytest.raises(ValueError, match="outside its bucket"):
        N.fill_pairs(counts, 0, 200, shares.rank, shares.time, shares.content, shares.account, None, None, True,
                     False, table, 5, 3, short, np.array([0, per_bucket[0]]), None, None)
    with pytest.raises(ValueError, match="time delta / account rank exceeds"):  # deltas up to 5 need 3 bits
        rec = np.empty(2 * total, dtype=np.uint64)
        N.fill_pairs(counts, 0, 200, shares.rank, shares.time, shares.content, shares.account, None, None, True,
                     False, table, 5, 2, rec, np.array([0, per_bucket[0]]), None, None)
    with pytest.raises(ValueError, match="rank beyond bucket_table"):
        N.count_pairs(counts, 0, 200, *args[:6], table[:3], per_bucket)
    with pytest.raises(ValueError, match="bucket beyond bucket_counts"):
        N.count_pairs(counts, 0, 200, *args[:6], table, per_bucket[:1])
    with pytest.raises(ValueError, match="room for fewer records"):
        N.edge_weights(np.zeros(8, dtype=np.uint64), 5, 3, np.zeros(5, dtype=np.int64), np.zeros(2, dtype=np.uint64))
    with pytest.raises(ValueError, match="beyond vertex_sums"):
        rec = packed_records(np.array([3]), np.array([9]), np.array([1]), np.array([0]), np.array([0]), 5, 3)
        cols = [np.empty(1, np.int32), np.empty(1, np.int32)] + [np.empty(1)] * 6
        N.aggregate(rec, 5, 3, 1.0, *cols, np.zeros((4, 2), dtype=np.int64))


@pytest.mark.parametrize("kind", ["string", "large_string", "sliced", "chunked", "grouped", "empty"])
def test_string_codes_equal_arrow_dictionary_encode(kind):
    """Codes in order of first appearance and the dictionary, as Arrow's dictionary_encode
    gives them: short, long (past 8-byte words), empty and non-ASCII strings, runs of equal
    rows (coded without a lookup), 64-bit offsets, slices and chunks."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(7)
    pool = ["", "a", "ab", "é", "ünïcødé-😀", "x" * 8, "x" * 9, "y" * 31] + [f"user{i}" for i in range(5000)]
    values = [pool[i] for i in rng.integers(0, len(pool), 40_000)]
    if kind == "grouped":
        values = sorted(values)
    if kind == "empty":
        values = []
    arr = pa.array(values, pa.large_string() if kind == "large_string" else pa.string())
    if kind == "sliced":
        arr = arr.slice(1234, 30_000)
    col = pa.chunked_array([arr.slice(0, 10_000), arr.slice(10_000)] if kind == "chunked" else [arr])
    codes, dictionary = NR.string_codes(col)
    want_codes, want_dictionary = outofcore._dictionary_codes(col)
    assert np.array_equal(codes, want_codes)
    assert dictionary.cast(pa.string()).equals(want_dictionary.cast(pa.string()))
    if len(values):
        assert pc.all(pc.equal(dictionary.take(pa.array(codes)), col.combine_chunks())).as_py()


@pytest.mark.parametrize("truthful", [True, False])
def test_presorted_records_are_sorted_group_by_group(truthful):
    """Records already in order of (edge >> bits) (as the in-memory fill writes them) are
    sorted one group at a time; a wrong claim is noticed and the records fully sorted."""
    rng = np.random.default_rng(3)
    n, ab, tb, bits = 60_000, 17, 4, 18
    lo = rng.integers(0, 2**ab - 2, n)
    hi = lo + 1 + rng.integers(0, 2**ab - 2 - lo)
    td, ca, cb = rng.integers(0, 16, n), rng.integers(0, 500, n), rng.integers(0, 500, n)
    rec = packed_records(lo, hi, td, ca, cb, ab, tb).reshape(-1, 2)
    group = (rec[:, 0] >> np.uint64(tb + bits)).astype(np.int64)
    rec = rec[np.lexsort((rng.random(n), group))] if truthful else rec  # grouped, shuffled inside groups
    want_hist = np.zeros(n + 1, dtype=np.int64)
    want = N.edge_weights(rec.copy().ravel(), ab, tb, want_hist)
    got_rec = rec.copy().ravel()
    got_hist = np.zeros(n + 1, dtype=np.int64)
    assert N.edge_weights(got_rec, ab, tb, got_hist, None, bits) == want
    assert np.array_equal(got_hist, want_hist)
    edges = got_rec[0::2] >> np.uint64(tb)
    assert np.all(edges[1:] >= edges[:-1])
