"""Communities and rankings (pure, coordgraph.analysis.communities) on planted campaigns."""
from __future__ import annotations

import pandas as pd
import pytest

from coordgraph.analysis import coordinated_network, detect_groups, simulate_data
from coordgraph.analysis import communities as comm


@pytest.fixture(scope="module")
def campaign_edges():
    """Three planted campaigns plus background noise: the network and the truth."""
    sim = simulate_data(n_accounts_coord=36, n_accounts_noncoord=60, n_objects=40, n_campaigns=3, seed=5)
    edges = coordinated_network(detect_groups(sim.shares, 10, 2)).edges
    return edges, sim.campaigns


def _bridged(edges: pd.DataFrame) -> pd.DataFrame:
    """Add weak bridges between campaigns so the graph is connected (the harder case)."""
    accounts = sorted(set(edges["account_id"]))
    bridges = pd.DataFrame({"account_id": accounts[:3], "account_id_y": accounts[-3:], "weight": 1})
    return pd.concat([edges[["account_id", "account_id_y", "weight"]], bridges], ignore_index=True)


@pytest.mark.parametrize("algorithm", ["leiden", "louvain"])
def test_recovers_planted_campaigns(campaign_edges, algorithm):
    """Each planted campaign is exactly one community, even with weak bridges between them."""
    edges, truth = campaign_edges
    table = comm.communities(_bridged(edges), algorithm)
    found = dict(zip(table["account_id"], table["community"]))
    assert set(found) == set(truth)
    groups = {}
    for account, campaign in truth.items():
        groups.setdefault(campaign, set()).add(found[account])
    assert all(len(v) == 1 for v in groups.values())
    assert len({next(iter(v)) for v in groups.values()}) == 3


def test_seed_fixed_and_numbering_by_size(campaign_edges):
    """Same input, same output; community 0 is the largest."""
    edges, _ = campaign_edges
    a, b = comm.leiden(edges), comm.leiden(edges.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(a, b)
    sizes = a["community"].value_counts()
    assert sizes.index[0] == 0 and sizes.is_monotonic_decreasing


def test_weights_are_used():
    """Two triangles joined by heavy edges merge when weights count, split when they do not."""
    rows = [("a", "b", 1), ("b", "c", 1), ("a", "c", 1), ("d", "e", 1), ("e", "f", 1), ("d", "f", 1),
            ("a", "d", 50), ("b", "e", 50), ("c", "f", 50)]
    edges = pd.DataFrame(rows, columns=["account_id", "account_id_y", "weight"])
    heavy = comm.leiden(edges)
    pairs = dict(zip(heavy["account_id"], heavy["community"]))
    assert pairs["a"] == pairs["d"] and pairs["b"] == pairs["e"]
    flat = comm.leiden(edges.assign(weight=1).iloc[:6])
    assert flat["community"].nunique() == 2


def test_pagerank_and_weighted_degree():
    """A star: the hub ranks first; degree counts partners, strength sums weights."""
    edges = pd.DataFrame({"account_id": ["hub"] * 4 + ["x1"], "account_id_y": ["x1", "x2", "x3", "x4", "x2"],
                          "weight": [3, 1, 1, 1, 2]})
    ranking = comm.account_ranking(edges)
    assert ranking["account_id"].iloc[0] == "hub"
    assert ranking["pagerank"].sum() == pytest.approx(1.0)
    deg = comm.weighted_degree(edges).set_index("account_id")
    assert deg.loc["hub", "degree"] == 4 and deg.loc["hub", "strength"] == 6
    assert deg.loc["x2", "strength"] == 3


def test_empty_and_bad_input():
    empty = pd.DataFrame(columns=["account_id", "account_id_y", "weight"])
    assert comm.leiden(empty).empty and comm.pagerank(empty).empty
    with pytest.raises(ValueError, match="weight"):
        comm.leiden(pd.DataFrame({"account_id": ["a"], "account_id_y": ["b"]}))
    with pytest.raises(ValueError, match="unknown community algorithm"):
        comm.communities(empty, "girvan")
