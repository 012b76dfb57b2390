"""simulate_data plants campaigns that detect_groups recovers exactly."""
import pytest

from coordgraph.analysis import RESULT_COLUMNS, coordinated_network, detect_groups, simulate_data
from tests.fixtures_coortweet import as_multiset


@pytest.mark.parametrize("campaigns, tw, mp, seed", [(1, 10, 2, 1), (3, 30, 3, 2), (4, 5, 2, 3)])
def test_planted_campaigns_are_recovered_exactly(campaigns, tw, mp, seed):
    sim = simulate_data(n_accounts_coord=24, n_accounts_noncoord=40, n_objects=30, min_participation=mp,
                        time_window=tw, n_campaigns=campaigns, seed=seed)
    result = detect_groups(sim.shares, time_window=tw, min_participation=mp)
    assert as_multiset(result, RESULT_COLUMNS) == as_multiset(sim.truth, RESULT_COLUMNS)
    network = coordinated_network(result)
    assert set(network.vertices["account_id"]) == sim.coordinated_accounts
    sizes = [sum(1 for c in sim.campaigns.values() if c == k) for k in range(campaigns)]
    assert len(network.edges) == sum(n * (n - 1) // 2 for n in sizes)  # one clique per campaign
    same = [sim.campaigns[a] == sim.campaigns[b] for a, b in zip(network.edges.account_id, network.edges.account_id_y)]
    assert all(same)


def test_same_seed_same_data():
    a, b = simulate_data(seed=9), simulate_data(seed=9)
    assert a.shares.equals(b.shares) and a.truth.equals(b.truth)
    assert not simulate_data(seed=10).shares.equals(a.shares)
