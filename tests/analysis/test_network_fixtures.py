"""coordinated_network, account_stats and object_stats against CooRTweet 2.1.3."""
import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis import (
    account_stats, coordinated_network, detect_groups, flag_speed_share, object_stats, read_shares,
)
from tests.fixtures_coortweet import SIM, TOY, as_multiset, edges_by_pair, read_expected


def _result(name):
    return read_expected(TOY / name).astype({"time_delta": "int64"})


def test_t3_weight_counts_rows_and_compat_counts_older_newer_contents():
    shares = read_shares(TOY / "T3_input.csv")
    result = detect_groups(shares, 10, 1)
    want = read_expected(TOY / "T3_edges.csv")
    compat = coordinated_network(result, objects=True, compat=True).edges
    assert len(compat) == 1
    row = compat.iloc[0]
    assert row["weight"] == 3 and row["avg_time_delta"] == pytest.approx(4)
    assert (row["n_content_id"], row["n_content_id_y"]) == (3, 2)
    assert row["edge_symmetry_score"] == pytest.approx(want["edge_symmetry_score"][0], abs=1e-9)
    assert set(row["object_ids"].split(",")) == set(want["object_ids"][0].split(","))
    # documented meaning: a contributes a1, a3 (2); b contributes b1, b2, b3 (3)
    default = coordinated_network(result, objects=True).edges.iloc[0]
    assert (default["account_id"], default["account_id_y"]) == ("a", "b")
    assert (default["n_content_id"], default["n_content_id_y"]) == (2, 3)
    assert default["edge_symmetry_score"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("edge_weight, expected, threshold", [
    (0.5, "T4_edges_ew05.csv", 1.0), (0.8, "T4_edges_ew08.csv", 2.6)])
def test_t4_percentile_threshold_is_type7_and_strict(edge_weight, expected, threshold):
    result = _result("T4_result_input.csv")
    network = coordinated_network(result, edge_weight=edge_weight, compat=True)
    assert network.threshold == pytest.approx(threshold)
    want = edges_by_pair(read_expected(TOY / expected), "from", "to")
    got = edges_by_pair(network.edges)
    assert list(got.index) == list(want.index)
    for column in ["weight", "avg_time_delta", "n_content_id", "n_content_id_y",
                   "edge_symmetry_score", "weight_threshold"]:
        np.testing.assert_allclose(got[column].to_numpy(float), want[column].to_numpy(float), atol=1e-9)


def test_t5_account_stats_compat_reproduces_unique_quirk_and_default_averages_all():
    result = _result("T5_result_input.csv")
    network = coordinated_network(result, objects=True, compat=True)
    want = read_expected(TOY / "T5_account_stats_none.csv").set_index("account_id").sort_index()
    got = account_stats(network, result, "none", compat=True).set_index("account_id").sort_index()
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9)
    default = account_stats(coordinated_network(result), result).set_index("account_id")
    assert default.loc["a", "avg_time_delta"] == pytest.approx(40 / 3)
    assert account_stats(network, result, "full", compat=True).empty  # ew 0.5 -> thr 1, none > 1


def test_t5_object_stats_compat_counts_one_endpoint_default_both():
    result = _result("T5_result_input.csv")
    network = coordinated_network(result, objects=True, compat=True)
    want = read_expected(TOY / "T5_group_stats_none.csv")
    got = object_stats(network, result, "none", compat=True)
    assert as_multiset(got, ["object_id", "num_accounts"]) == as_multiset(want, ["object_id", "num_accounts"])
    default = object_stats(coordinated_network(result), result)
    assert set(default["num_accounts"]) == {2}


@pytest.fixture(scope="module")
def sim():
    shares = read_shares(SIM / "sim_input.csv.gz")
    result = detect_groups(shares, 10, 2)
    return shares, result, coordinated_network(result, objects=True, compat=True)


def test_simulated_network_edges_match_coortweet(sim):
    _, _, network = sim
    want = read_expected(SIM / "graph_edges.csv.gz")
    assert network.threshold == 2 and len(network.edges) == 4950
    assert int(network.edges["weight_threshold"].sum()) == 54
    # compat mode also reproduces CooRTweet's edge orientation and order (igraph vertex order)
    assert network.edges["account_id"].tolist() == want["from"].tolist()
    assert network.edges["account_id_y"].tolist() == want["to"].tolist()
    for column in ["weight", "avg_time_delta", "n_content_id", "n_content_id_y",
                   "edge_symmetry_score", "weight_threshold"]:
        np.testing.assert_allclose(network.edges[column].to_numpy(float), want[column].to_numpy(float), atol=1e-9)
    assert [set(s.split(",")) for s in network.edges["object_ids"]] == [set(s.split(",")) for s in want["object_ids"]]


def test_simulated_vertices_match_coortweet(sim):
    _, _, network = sim
    want = read_expected(SIM / "graph_vertices.csv.gz")
    assert as_multiset(network.vertices, ["account_id", "degree", "strength"]) == \
        as_multiset(want, ["name", "degree", "strength"])


def test_simulated_expected_edges_are_the_complete_graph(sim):
    _, _, network = sim
    want = read_expected(SIM / "sim_expected_edges.csv.gz")
    assert as_multiset(edges_by_pair(network.edges).reset_index(), ["pair", "weight"]) == \
        as_multiset(edges_by_pair(want).reset_index(), ["pair", "weight"])


def test_simulated_account_and_object_stats_match_coortweet(sim):
    _, result, network = sim
    want = read_expected(SIM / "account_stats_none.csv.gz").set_index("account_id").sort_index()
    got = account_stats(network, result, "none", compat=True).set_index("account_id").sort_index()
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-9)
    groups = object_stats(network, result, "none", compat=True)
    want_groups = read_expected(SIM / "group_stats_none.csv.gz")
    assert as_multiset(groups, ["object_id", "num_accounts"]) == as_multiset(want_groups, ["object_id", "num_accounts"])


def test_fast_net_attributes_and_subgraphs():
    shares = read_shares(TOY / "T1_input.csv")
    result = flag_speed_share(shares, detect_groups(shares, 10, 1), 1, 5)
    network = coordinated_network(result, fast_net=True, edge_weight=0.5)
    edges = edges_by_pair(network.edges)
    assert {"weight_full", "weight_fast", "weight_threshold_fast"} <= set(network.edges.columns)
    assert edges.loc["A|B", "weight_full"] == 2 and edges.loc["A|B", "weight_fast"] == 1
    assert pd.isna(edges.loc["A|C", "weight_fast"])  # no flagged rows: missing, not 0
    assert network.threshold_fast == 1.0
    with pytest.raises(ValueError, match="fast_net"):
        coordinated_network(result, subgraph=2)
    with pytest.raises(ValueError):
        coordinated_network(result, fast_net=True, subgraph=1)


def test_subgraph_three_marks_core_and_keeps_neighbours():
    result = pd.DataFrame({
        "object_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
        "content_id": ["a1", "a2", "a3", "b4", "c5", "x6"],
        "content_id_y": ["b1", "b2", "b3", "c4", "d5", "y6"],
        "time_delta": [1, 1, 1, 9, 9, 1],
        "account_id": ["a", "a", "a", "b", "c", "x"],
        "account_id_y": ["b", "b", "b", "c", "d", "y"],
        "time_window_2": [1, 1, 1, 0, 0, 1],
    })
    network = coordinated_network(result, fast_net=True, edge_weight=0.0, subgraph=3)
    colors = dict(zip(network.vertices["account_id"], network.vertices["color_v"]))
    # fast edges a-b (3) and x-y (1): threshold 1, core {a, b}; c neighbours the core, d does not
    assert network.threshold_fast == 1.0
    assert colors == {"a": 1, "b": 1, "c": 0}
    assert len(network.edges) == 2


def test_threshold_example_from_the_spec():
    result = _result("T4_result_input.csv")
    assert coordinated_network(result, edge_weight=0.8).threshold == pytest.approx(2.6)


def test_graph_views(sim):
    _, _, network = sim
    graph = network.to_igraph()
    assert graph.vcount() == 100 and graph.ecount() == 4950
    assert sum(graph.es["weight"]) == network.edges["weight"].sum()
    nxg = network.to_networkx()
    assert nxg.number_of_edges() == 4950 and nxg.nodes["account_001"]["degree"] == 99
