"""The out-of-core engine's building blocks against plain references: the packed-key edge
aggregation against the argsort aggregation (and a pandas groupby), pair chunking against
all pairs, and the allocator settings."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from coordgraph.engines import _kernel as K
from coordgraph.engines import _packed as P
from coordgraph.engines._memory import large_array_allocation


def random_pairs(rng, n, n_accounts, n_contents, window):
    lo = rng.integers(0, n_accounts, n)
    hi = rng.integers(0, n_accounts, n)
    lo, hi = np.minimum(lo, hi), np.maximum(lo, hi) + 1  # lo < hi, as oriented pairs are
    td = rng.integers(0, window + 1, n)
    ca = rng.integers(0, n_contents, n).astype(np.int32)
    cb = rng.integers(0, n_contents, n).astype(np.int32)
    return lo, hi, td, ca, cb


def by_edge(agg: K.EdgeAggregate) -> pd.DataFrame:
    frame = pd.DataFrame({"lo": agg.lo, "hi": agg.hi, "weight": agg.weight, "sum_td": agg.sum_time_delta,
                          "n_lo": agg.n_lo, "n_hi": agg.n_hi}).astype({"lo": np.int64, "hi": np.int64})
    return frame.sort_values(["lo", "hi"]).reset_index(drop=True)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("threads", [False, True])
def test_packed_aggregation_equals_argsort_and_groupby(seed, threads):
    rng = np.random.default_rng(seed)
    n_accounts, n_contents, window = [(40, 30, 10), (3000, 10**6, 60), (7, 5, 0)][seed % 3]
    lo, hi, td, ca, cb = random_pairs(rng, 20_000, n_accounts, n_contents, window)
    bits, tbits = P.bits_for(n_accounts + 1), P.bits_for(window + 1)
    k1 = P.edge_keys(lo, hi, td, bits, tbits)
    pool = ThreadPoolExecutor(2) if threads else None
    got = by_edge(P.aggregate_packed(k1, ca, cb, bits, tbits, pool))
    want = by_edge(K.aggregate_edges(lo, hi, td, ca, cb, None, compat=True))
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    frame = pd.DataFrame({"lo": lo, "hi": hi, "td": td, "ca": ca, "cb": cb})
    ref = frame.groupby(["lo", "hi"]).agg(weight=("td", "size"), sum_td=("td", "sum"),
                                          n_lo=("ca", "nunique"), n_hi=("cb", "nunique")).reset_index()
    pd.testing.assert_frame_equal(got, ref, check_dtype=False)


def test_wide_contents_are_relabelled_and_too_wide_keys_refused():
    rng = np.random.default_rng(3)
    lo, hi, td, ca, cb = random_pairs(rng, 5_000, 2**20, 50, 10)
    ca = ca.astype(np.int64) * (2**40)  # content codes far wider than 64 - 40 bits
    bits = 20
    got = P.aggregate_packed(P.edge_keys(lo, hi, td, bits, 4), ca, cb, bits, 4)
    want = K.aggregate_edges(lo, hi, td, ca, cb, None, compat=True)
    pd.testing.assert_frame_equal(by_edge(got), by_edge(want), check_dtype=False)
    # 2 x 31 account bits + any content leave no room: the caller must use the argsort path
    assert P.aggregate_packed(P.edge_keys(lo, hi, td, 31, 1), ca, cb, 31, 1) is None
    assert P.fits(2**20, 10) and not P.fits(2**31, 10)


def test_pair_chunks_cover_every_window_pair_once():
    from coordgraph.analysis.pairs import iter_window_pairs

    rng = np.random.default_rng(5)
    n = 3_000
    obj = np.sort(rng.integers(0, 40, n))
    t = np.concatenate([np.sort(rng.integers(0, 400, (obj == o).sum())) for o in np.unique(obj)])
    got = set()
    for older, newer in iter_window_pairs(obj, t, 10, chunk_pairs=97):
        assert older.dtype == np.int32
        got.update(zip(older.tolist(), newer.tolist()))
    i, j = np.triu_indices(n, 1)
    same = (obj[i] == obj[j]) & (np.abs(t[j] - t[i]) <= 10)
    assert got == set(zip(i[same].tolist(), j[same].tolist()))


def test_allocator_settings_are_restored():
    setter = np._core.multiarray._set_madvise_hugepage
    before = setter(True)
    setter(before)
    with large_array_allocation():
        inside = setter(False)
        assert inside is False  # advice off inside the block
        np.ones(10_000_000).sum()
    assert setter(before) == before


def test_arrow_pool_restored():
    import pyarrow as pa

    before = pa.default_memory_pool().backend_name
    with large_array_allocation():
        assert pa.default_memory_pool().backend_name == "system"
        pa.array(range(1000)).sum()
    assert pa.default_memory_pool().backend_name == before


@pytest.mark.parametrize("n, key_bits", [(1000, 10), (5000, 52), (5000, 60), (300, 62), (1, 3), (0, 3)])
def test_packed_argsort_sorts_like_argsort(n, key_bits):
    rng = np.random.default_rng(n + key_bits)
    key = rng.integers(0, 2**key_bits, n, dtype=np.int64)
    key[: n // 3] = key[n // 3: 2 * (n // 3)]  # ties
    order = K.packed_argsort(key, key_bits)
    assert sorted(order.tolist()) == list(range(n))  # a permutation
    assert np.array_equal(key[order], np.sort(key))


def test_window_fraction_estimate_follows_the_data():
    from coordgraph.engines.outofcore import window_fraction_estimate, window_rows

    rng = np.random.default_rng(9)
    obj = rng.integers(0, 5_000, 200_000).astype(np.int32)
    for spacing, expect_high in [(1, True), (10_000, False)]:
        t = rng.integers(0, 400 * spacing, len(obj)).astype(np.int64)
        order = np.lexsort((t, obj))
        exact = window_rows(obj[order], t[order], 10)[1].mean()
        estimate = window_fraction_estimate(obj, t, 10)
        assert abs(estimate - exact) < 0.1 and (estimate > 0.5) == expect_high
