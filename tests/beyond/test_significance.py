"""Edge significance: the null model keeps each account's rhythm; planted pairs are significant,
busy-but-innocent pairs are not; Benjamini-Hochberg and the threshold are exact."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis import coordinated_network, detect_groups, simulate_data
from coordgraph.analysis.significance import (
    PostTimeShuffler,
    benjamini_hochberg,
    edge_significance,
    significance_threshold,
)

COLS = ["object_id", "account_id", "content_id", "timestamp_share"]


def _busy_accounts(start: int, end: int, n_accounts: int = 6, n_posts: int = 300, seed: int = 9) -> pd.DataFrame:
    """Accounts that post a lot, at random times, from a pool of 5 popular objects: they
    co-share by accident (weights far above the planted pairs') but choose independently."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(n_accounts):
        times = rng.integers(start, end, size=n_posts)
        objs = rng.integers(0, 5, size=n_posts)
        rows += [(f"popular_{o}", f"busy_{a}", f"busy_{a}_{k}", int(t)) for k, (o, t) in enumerate(zip(objs, times))]
    return pd.DataFrame(rows, columns=COLS)


@pytest.fixture(scope="module")
def planted_and_busy():
    sim = simulate_data(n_accounts_coord=12, n_accounts_noncoord=30, n_objects=50, seed=5)
    shares = sim.shares[COLS]
    t0, t1 = int(shares["timestamp_share"].min()), int(shares["timestamp_share"].max())
    shares = pd.concat([shares, _busy_accounts(t0, t1)], ignore_index=True)
    result = detect_groups(shares, time_window=10, min_participation=2)
    edges = coordinated_network(result).edges
    sig = edge_significance(shares, result, edges, n_null=299, seed=1, time_window=10, min_participation=2)
    return sim, shares, sig


def test_null_keeps_each_accounts_times_and_objects():
    shares = pd.DataFrame({
        "object_id": ["x", "y", "z", "x", "h1", "h2", "w"],
        "account_id": ["a", "a", "a", "b", "c", "c", "c"],
        "content_id": ["1", "2", "3", "4", "5", "5", "6"],  # post 5 carries two objects
        "timestamp_share": [10, 20, 30, 11, 100, 100, 200],
    })
    shuffler = PostTimeShuffler(shares)
    rng = np.random.default_rng(0)
    moved = 0
    for _ in range(50):
        null = shuffler.draw(rng)
        for acc, grp in shares.groupby("account_id"):
            got = null.loc[grp.index]
            assert sorted(got.drop_duplicates("content_id")["timestamp_share"]) == sorted(grp.drop_duplicates("content_id")["timestamp_share"])
            assert (got[["object_id", "content_id"]].to_numpy() == grp[["object_id", "content_id"]].to_numpy()).all()
        post5 = null.loc[null["content_id"] == "5", "timestamp_share"]
        assert post5.nunique() == 1  # a post's rows move together
        moved += int((null["timestamp_share"] != shares["timestamp_share"]).any())
    assert moved > 40
    # blocks: with 50 s blocks, account c's posts (100 and 200) never swap
    blocked = PostTimeShuffler(shares, block_seconds=50)
    for _ in range(20):
        null = blocked.draw(rng)
        assert null.loc[null["content_id"] == "6", "timestamp_share"].item() == 200


def test_planted_pairs_are_significant_busy_pairs_are_not(planted_and_busy):
    sim, shares, sig = planted_and_busy
    coord = sim.coordinated_accounts
    planted = sig["account_id"].isin(coord) & sig["account_id_y"].isin(coord)
    busy = sig["account_id"].str.startswith("busy") & sig["account_id_y"].str.startswith("busy")
    assert planted.sum() == 12 * 11 // 2
    assert busy.sum() == 15  # every busy pair co-shares by accident...
    assert sig.loc[busy, "weight"].min() > sig.loc[planted, "weight"].max()  # ...more than planted pairs
    flagged = significance_threshold(sig, 0.01)
    assert flagged.loc[planted, "significant"].all()
    assert not flagged.loc[busy, "significant"].any()
    # the percentile threshold, by contrast, keeps the busy pairs
    assert sig.loc[busy, "weight_threshold"].all()
    assert (sig["observed_weight"] == sig["weight"]).all()
    assert sig.loc[busy, "p_value"].median() > 0.2
    assert (sig["p_value"] >= 1 / 300).all() and (sig["q_value"] >= sig["p_value"] - 1e-12).all()


def test_same_seed_same_p_values(planted_and_busy):
    sim, shares, sig = planted_and_busy
    result = detect_groups(shares, time_window=10, min_participation=2)
    edges = coordinated_network(result).edges.head(20)
    a = edge_significance(shares, result, edges, n_null=20, seed=7)
    b = edge_significance(shares, result, edges, n_null=20, seed=7)
    assert a["p_value"].tolist() == b["p_value"].tolist()
    assert a["null_mean"].tolist() == b["null_mean"].tolist()


def test_benjamini_hochberg_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.20])
    # sorted 0.01, 0.03, 0.04, 0.20 -> 0.04, 0.06, 0.0533, 0.20 -> running min from the top
    np.testing.assert_allclose(benjamini_hochberg(p), [0.04, 0.0533333333, 0.0533333333, 0.20])
    assert benjamini_hochberg(np.array([])).size == 0
    np.testing.assert_allclose(benjamini_hochberg(np.array([0.9, 0.8])), [0.9, 0.9])


def test_threshold_checks_inputs():
    edges = pd.DataFrame({"q_value": [0.001, 0.01, 0.02], "p_value": [0.001, 0.005, 0.02]})
    assert significance_threshold(edges, 0.01)["significant"].tolist() == [1, 1, 0]
    assert significance_threshold(edges, 0.005, column="p_value")["significant"].tolist() == [1, 1, 0]
    with pytest.raises(ValueError, match="alpha"):
        significance_threshold(edges, 0)
    with pytest.raises(ValueError, match="q_value"):
        significance_threshold(edges.drop(columns="q_value"), 0.01)
