"""Parametric edge significance: binomial tails worked out by hand, agreement with the shuffle
null (same expected weights, similar order of edges), planted pairs far below q = 0.01."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from coordgraph.analysis import coordinated_network, detect_groups, simulate_data
from coordgraph.analysis.significance import edge_significance, significance_threshold
from coordgraph.analysis.significance_parametric import binomial_upper_tail, pair_null

COLS = ["object_id", "account_id", "content_id", "timestamp_share"]


def _run(shares: pd.DataFrame, min_participation: int = 2) -> pd.DataFrame:
    result = detect_groups(shares, time_window=10, min_participation=min_participation)
    edges = coordinated_network(result).edges
    return edge_significance(shares, result, edges, time_window=10, method="parametric")


def test_hand_worked_pair():
    # a posts at 0, 100, 200 (objects x, y, z); b at 5, 105, 300 (x, y, w).
    # Co-shares within 10 s: x (0, 5) and y (100, 105): weight 2.
    # Opportunities K: x 1*1 + y 1*1 = 2. Close instant pairs C: (0,5), (100,105) of 3*3 = 9,
    # so p = 2/9, null mean 4/9, and P(Bin(2, 2/9) >= 2) = (2/9)^2 = 4/81.
    shares = pd.DataFrame({
        "object_id": ["x", "y", "z", "x", "y", "w"],
        "account_id": ["a", "a", "a", "b", "b", "b"],
        "content_id": ["1", "2", "3", "4", "5", "6"],
        "timestamp_share": [0, 100, 200, 5, 105, 300],
    })
    sig = _run(shares)
    assert len(sig) == 1
    row = sig.iloc[0]
    assert row["observed_weight"] == 2 and row["n_opportunities"] == 2
    assert row["p_close"] == pytest.approx(2 / 9)
    assert row["null_mean"] == pytest.approx(4 / 9)
    assert row["p_value"] == pytest.approx(4 / 81, rel=1e-12)
    assert row["q_value"] == pytest.approx(4 / 81, rel=1e-12)  # one edge: q = p
    # given at least one co-share: P(W >= 2) / P(W >= 1) = (4/81) / (1 - (7/9)^2) = 4/32 = 1/8
    result = detect_groups(shares, time_window=10, min_participation=2)
    given = edge_significance(shares, result, coordinated_network(result).edges, time_window=10,
                              method="parametric-conditional")
    assert given.iloc[0]["p_value"] == pytest.approx(1 / 8, rel=1e-12)


def test_hand_worked_repeated_object_and_multi_row_post():
    # a: x at 0, x at 50, z at 400 (post 3 also carries object q at 400); b: x at 5, z at 500.
    # Posts: a has 3 instants {0, 50, 400}, b has {5, 500}; close (<= 10 s): only (0, 5): C = 1,
    # p = 1/6. K: x 2*1 + z 1*1 + q 1*0 = 3. Weight: x (0, 5) only = 1.
    # P(Bin(3, 1/6) >= 1) = 1 - (5/6)^3 = 91/216; null mean 3/6.
    shares = pd.DataFrame({
        "object_id": ["x", "x", "z", "q", "x", "z"],
        "account_id": ["a", "a", "a", "a", "b", "b"],
        "content_id": ["1", "2", "3", "3", "4", "5"],
        "timestamp_share": [0, 50, 400, 400, 5, 500],
    })
    null = pair_null(shares, np.array(["a"]), np.array(["b"]), time_window=10)
    assert null.iloc[0].tolist() == pytest.approx([3, 1, 3, 2, 1 / 6])
    sig = _run(shares, min_participation=1)  # with 2, the post-filter drops the lone co-share
    row = sig.iloc[0]
    assert row["observed_weight"] == 1
    assert row["null_mean"] == pytest.approx(0.5)
    assert row["p_value"] == pytest.approx(91 / 216, rel=1e-12)


def test_tails_far_below_any_shuffle_floor():
    # every opportunity close: P(Bin(n, p) >= n) = p^n exactly
    np.testing.assert_allclose(binomial_upper_tail([50, 3], [50, 3], [0.1, 0.5]), [1e-50, 0.125], rtol=1e-10)
    # P(Bin(4, 1/2) >= 3) = (4 + 1) / 16
    assert binomial_upper_tail([3], [4], [0.5])[0] == pytest.approx(5 / 16, rel=1e-12)
    # given one: a single co-share is never evidence; P(Bin(4, 1/2) >= 3 | >= 1) = (5/16) / (15/16)
    np.testing.assert_allclose(binomial_upper_tail([1, 3], [4, 4], [0.5, 0.5], given_one=True), [1.0, 1 / 3])
    # 0.1^400 underflows: floored at 1e-300; nothing observed: 1
    assert binomial_upper_tail([400, 0], [400, 7], [0.1, 0.3]).tolist() == [1e-300, 1.0]


@pytest.fixture(scope="module")
def both_nulls():
    """Planted campaigns plus busy-but-innocent accounts (as in test_significance), tested with
    both null models."""
    from tests.beyond.test_significance import _busy_accounts

    sim = simulate_data(n_accounts_coord=12, n_accounts_noncoord=30, n_objects=50, seed=5)
    shares = sim.shares[COLS]
    t0, t1 = int(shares["timestamp_share"].min()), int(shares["timestamp_share"].max())
    shares = pd.concat([shares, _busy_accounts(t0, t1)], ignore_index=True)
    result = detect_groups(shares, time_window=10, min_participation=2)
    edges = coordinated_network(result).edges
    shuffle = edge_significance(shares, result, edges, n_null=299, seed=1, method="shuffle")
    parametric = edge_significance(shares, result, edges, method="parametric")
    return sim, shuffle, parametric


def test_planted_pairs_significant_busy_pairs_not(both_nulls):
    sim, _, sig = both_nulls
    coord = sim.coordinated_accounts
    planted = sig["account_id"].isin(coord) & sig["account_id_y"].isin(coord)
    busy = sig["account_id"].str.startswith("busy") & sig["account_id_y"].str.startswith("busy")
    assert planted.sum() == 66 and busy.sum() == 15
    flagged = significance_threshold(sig, 0.01)
    assert flagged.loc[planted, "significant"].all()
    assert not flagged.loc[busy, "significant"].any()
    # far below the shuffle floor 1/300: BH over many edges keeps planted pairs
    assert sig.loc[planted, "q_value"].max() < 0.01
    assert (sig["observed_weight"] <= sig["n_opportunities"]).all()


def test_agrees_with_shuffle_null(both_nulls):
    _, shuffle, parametric = both_nulls
    assert (shuffle["observed_weight"] == parametric["observed_weight"]).all()
    # the parametric null mean is the shuffle's expected weight (filters aside)
    assert np.corrcoef(shuffle["null_mean"], parametric["null_mean"])[0, 1] > 0.99
    # busy pairs, where the shuffle p-values are not at their floor, get close p-values
    busy = parametric["account_id"].str.startswith("busy")
    assert np.abs(shuffle.loc[busy, "p_value"] - parametric.loc[busy, "p_value"]).max() < 0.1
    # edges in a similar order (the shuffle's ties at 1/300 cap the rank correlation)
    assert spearmanr(shuffle["p_value"], parametric["p_value"]).statistic > 0.6


def test_method_checks():
    shares = pd.DataFrame({"object_id": ["x", "x"], "account_id": ["a", "b"], "content_id": ["1", "2"],
                           "timestamp_share": [0, 1]})
    edges = pd.DataFrame({"account_id": ["a"], "account_id_y": ["b"]})
    result = detect_groups(shares, time_window=10, min_participation=1)
    with pytest.raises(ValueError, match="shuffle, parametric, parametric-conditional"):
        edge_significance(shares, result, edges, method="exact")
    with pytest.raises(ValueError, match="block_seconds"):
        edge_significance(shares, result, edges, method="parametric", block_seconds=60)
    empty = edge_significance(shares, result, edges.iloc[:0], method="parametric")
    assert {"p_value", "q_value", "null_mean"} <= set(empty.columns) and empty.empty


def test_cli_significance_method_parametric(tmp_path):
    import json

    from typer.testing import CliRunner

    from coordgraph.cli import app

    sim = simulate_data(n_accounts_coord=8, n_accounts_noncoord=30, n_objects=20, seed=5)
    path = tmp_path / "s.csv"
    sim.shares.to_csv(path, index=False)
    out = tmp_path / "sig"
    runner = CliRunner()
    res = runner.invoke(app, ["detect", str(path), "--out", str(out), "--edge-significance", "0.01",
                              "--significance-method", "parametric"])
    assert res.exit_code == 0, res.output
    edges = pd.read_csv(out / "edges.csv")
    assert {"null_mean", "n_opportunities", "p_close", "p_value", "q_value", "significant"} <= set(edges.columns)
    assert edges["significant"].sum() == len(edges) == 28  # the planted clique of 8, all at q <= 0.01
    summary = json.loads((out / "summary.json").read_text())
    assert summary["params"]["significance_method"] == "parametric"
    assert summary["counts"]["edges_significant"] == 28
    res = runner.invoke(app, ["detect", str(path), "--out", str(out), "--edge-significance", "0.01",
                              "--significance-method", "exact"])
    assert res.exit_code != 0 and "shuffle, parametric" in res.output
