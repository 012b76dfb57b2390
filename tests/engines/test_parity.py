"""Parity of the engines' pandas functions (python, outofcore, spark): the CooRTweet 2.1.3
fixtures and a simulated campaign with hubs and ties must give identical results. Each
engine aggregates networks with its own code (the out-of-core engine with Arrow group-bys).
Whole runs of every engine, cypher included, are compared in tests/run/test_parity.py.

Each test runs once per engine (the ``engine`` fixture); Spark runs carry the ``spark`` mark.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coordgraph import analysis
from tests.fixtures_coortweet import SIM, TOY, as_multiset, edges_by_pair, read_expected

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning",
                                        "ignore:The copy keyword")

RESULT = list(analysis.RESULT_COLUMNS)
EDGE_NUMBERS = ["weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score", "weight_threshold"]


def shares_csv(path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["timestamp_share"] = frame["timestamp_share"].astype(np.int64)
    return frame


@pytest.fixture(scope="module")
def sim_shares():
    return shares_csv(SIM / "sim_input.csv.gz")


@pytest.fixture(scope="module")
def campaign_shares():
    """A small bench-generator data set: Zipf popularity with hub objects, bursty times,
    many equal timestamps (ties), five planted campaigns."""
    from bench.generate import bursty_times, plant_campaigns, zipf_counts

    rng = np.random.default_rng(3)
    counts = zipf_counts(3_000, 120, 1.0, 300, rng)
    obj = np.repeat(np.arange(len(counts)), counts)
    ts = bursty_times(counts, "dense", rng) // 4  # coarser clock: many ties
    acct = rng.integers(0, 400, size=len(obj))
    c_obj, c_acct, c_ts, _ = plant_campaigns(5, len(counts), rng, size=12, events=8)
    frame = pd.DataFrame({
        "object_id": [f"o{o}" for o in np.concatenate([obj, c_obj])],
        "account_id": [f"u{a}" for a in acct] + list(c_acct),
        "content_id": [f"c{i}" for i in range(len(obj) + len(c_obj))],
        "timestamp_share": np.concatenate([ts, c_ts // 4]).astype(np.int64),
    })
    frame.loc[::50, "content_id"] = frame.loc[::50, "object_id"]  # some self-shares (loops)
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)  # input order matters for ties


# --- detect_groups on the toy cases ----------------------------------------------------------

@pytest.mark.parametrize("case, tw, mp, loops", [
    ("T1_detect_groups_tw10_mp1", 10, 1, True),
    ("T2_detect_groups_tw10_mp2", 10, 2, True),
    ("T2_detect_groups_tw10_mp2_noloopremoval", 10, 2, False),
    ("T3_detect_groups_tw10_mp1", 10, 1, True),
])
def test_detect_groups_toy_equals_coortweet(engine, case, tw, mp, loops):
    shares = shares_csv(TOY / f"{case.split('_')[0]}_input.csv")
    got = engine.detect_groups(shares, time_window=tw, min_participation=mp, remove_loops=loops)
    expected = read_expected(TOY / f"{case}.csv")
    assert as_multiset(got, RESULT) == as_multiset(expected, RESULT)


def test_inclusive_window_and_ties(engine):
    """T1 at 9 s drops the 10 s pairs; the tie at t=100 keeps B (first in input) as older."""
    shares = shares_csv(TOY / "T1_input.csv")
    got = engine.detect_groups(shares, time_window=9, min_participation=1)
    assert as_multiset(got, RESULT) == [("o1", "b1", "a1", "0", "B", "A")]


def test_flag_speed_share_equals_coortweet(engine):
    shares = shares_csv(TOY / "T1_input.csv")
    result = read_expected(TOY / "T1_detect_groups_tw10_mp1.csv")
    got = engine.flag_speed_share(shares, result, 1, 5)
    expected = read_expected(TOY / "T7_flag_speed_share_T1_tw5.csv")
    cols = RESULT + ["time_window_5"]
    assert as_multiset(got, cols) == as_multiset(expected, cols)


# --- the network on the toy cases ------------------------------------------------------------

@pytest.mark.parametrize("edge_weight, case", [(0.5, "T4_edges_ew05"), (0.8, "T4_edges_ew08")])
def test_threshold_equals_coortweet(engine, edge_weight, case):
    result = read_expected(TOY / "T4_result_input.csv")
    net = engine.coordinated_network(result, edge_weight=edge_weight)
    got = edges_by_pair(net.edges)
    expected = edges_by_pair(read_expected(TOY / f"{case}.csv"), "from", "to")
    assert list(got.index) == list(expected.index)
    np.testing.assert_allclose(got[EDGE_NUMBERS].to_numpy(float), expected[EDGE_NUMBERS].to_numpy(float))


def test_compat_counts_equal_coortweet(engine):
    """T3: CooRTweet counts the older side's contents (3) and the newer side's (2)."""
    result = analysis.detect_groups(shares_csv(TOY / "T3_input.csv"), 10, 1)
    net = engine.coordinated_network(result, objects=True, compat=True)
    got = edges_by_pair(net.edges)
    expected = edges_by_pair(read_expected(TOY / "T3_edges.csv"), "from", "to")
    np.testing.assert_allclose(got[EDGE_NUMBERS].to_numpy(float), expected[EDGE_NUMBERS].to_numpy(float))
    assert [set(s.split(",")) for s in got["object_ids"]] == [set(s.split(",")) for s in expected["object_ids"]]


# --- CooRTweet's simulate_data (seed 123) ------------------------------------------------------

def test_simulation_detect_and_network_equal_coortweet(engine, sim_shares):
    result = engine.detect_groups(sim_shares, time_window=10, min_participation=2)
    expected = read_expected(SIM / "detect_groups_result.csv.gz")
    assert len(result) == 9954
    assert as_multiset(result, RESULT) == as_multiset(expected, RESULT)

    net = engine.coordinated_network(result, edge_weight=0.5, objects=True, compat=True)
    got = edges_by_pair(net.edges)
    exp = edges_by_pair(read_expected(SIM / "graph_edges.csv.gz"), "from", "to")
    assert list(got.index) == list(exp.index) and len(got) == 4950
    np.testing.assert_allclose(got[EDGE_NUMBERS].to_numpy(float), exp[EDGE_NUMBERS].to_numpy(float), rtol=1e-9)
    assert net.threshold == 2 and int(net.edges["weight_threshold"].sum()) == 54
    vert = read_expected(SIM / "graph_vertices.csv.gz").sort_values("name")
    mine = net.vertices.sort_values("account_id")
    assert list(mine["account_id"]) == list(vert["name"])
    assert list(mine["degree"]) == list(vert["degree"]) and list(mine["strength"]) == list(vert["strength"])


# --- a simulated campaign with hubs and ties: every engine equals the python engine -------------

@pytest.mark.parametrize("tw, mp, loops", [(10, 2, True), (3, 3, True), (0, 1, False)])
def test_campaign_detect_equals_python(engine, campaign_shares, tw, mp, loops):
    not_the_reference(engine)
    want = analysis.detect_groups(campaign_shares, tw, mp, loops)
    got = engine.detect_groups(campaign_shares, tw, mp, loops)
    assert len(want) > 100
    assert as_multiset(got, RESULT) == as_multiset(want, RESULT)


def not_the_reference(engine) -> None:
    """Comparisons with the python engine skip the python engine: no test compares a
    function with itself."""
    if engine is analysis:
        pytest.skip("the python engine is the reference of this comparison")


def _assert_same_network(got, want):
    assert got.threshold == want.threshold and got.threshold_fast == want.threshold_fast
    g = edges_by_pair(got.edges)
    w = edges_by_pair(want.edges)
    assert list(g.index) == list(w.index)
    assert set(g.columns) == set(w.columns)
    for col in w.columns:
        if col in ("account_id", "account_id_y"):
            continue
        if w[col].dtype.kind in "if" or str(w[col].dtype) == "Int64":
            np.testing.assert_allclose(g[col].astype(float).to_numpy(), w[col].astype(float).to_numpy(),
                                       rtol=1e-9, equal_nan=True, err_msg=col)
        else:
            assert list(g[col].fillna("")) == list(w[col].fillna("")), col
    gv = got.vertices.sort_values("account_id").reset_index(drop=True)
    wv = want.vertices.sort_values("account_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(gv, wv, check_dtype=False)


@pytest.mark.parametrize("subgraph", [3])
def test_campaign_fast_network_equals_python(engine, campaign_shares, subgraph):
    not_the_reference(engine)
    result = analysis.detect_groups(campaign_shares, 10, 2)
    flagged_want = analysis.flag_speed_share(campaign_shares, result, 2, 4)
    flagged = engine.flag_speed_share(campaign_shares, result, 2, 4)
    assert as_multiset(flagged, RESULT + ["time_window_4"]) == as_multiset(flagged_want, RESULT + ["time_window_4"])
    assert 0 < flagged_want["time_window_4"].sum() < len(result)
    want = analysis.coordinated_network(flagged_want, fast_net=True, subgraph=subgraph, objects=True)
    got = engine.coordinated_network(flagged_want, fast_net=True, subgraph=subgraph, objects=True)
    _assert_same_network(got, want)


def test_campaign_network_default_meaning_equals_python(engine, campaign_shares):
    not_the_reference(engine)
    result = analysis.detect_groups(campaign_shares, 10, 2)
    for ew in (0.5, 0.9):
        _assert_same_network(engine.coordinated_network(result, edge_weight=ew),
                             analysis.coordinated_network(result, edge_weight=ew))


def test_subgraph_options_refused_like_python(engine, campaign_shares):
    result = analysis.detect_groups(campaign_shares, 10, 2)
    with pytest.raises(ValueError, match="fast_net"):
        engine.coordinated_network(result, subgraph=2)


# --- compat with a fast window: CooRTweet's orientation, row order and object order ------------

@pytest.mark.parametrize("collation", ["icu", "c"])
def test_compat_fast_network_equals_python_exactly(engine, campaign_shares, collation):
    """Mixed-case accounts: every engine gives the python engine's compat edges, oriented and
    ordered as CooRTweet (R's collation), object ids in CooRTweet's order."""
    shares = campaign_shares.assign(account_id=[a.upper() if sum(map(ord, a)) % 3 == 0 else a
                                                for a in campaign_shares["account_id"]])
    result = analysis.detect_groups(shares, 10, 2)
    want_flag = analysis.flag_speed_share(shares, result, 2, 4, sort_like_coortweet=True)
    got_flag = engine.flag_speed_share(shares, result, 2, 4, sort_like_coortweet=True)
    pd.testing.assert_frame_equal(got_flag.reset_index(drop=True), want_flag, check_dtype=False)
    for subgraph in (0, 2):
        want = analysis.coordinated_network(want_flag, fast_net=True, subgraph=subgraph, objects=True, compat=True,
                                            collation=collation)
        got = engine.coordinated_network(want_flag, fast_net=True, subgraph=subgraph, objects=True, compat=True,
                                         collation=collation)
        assert len(want.edges) > 50 if subgraph == 0 else len(want.edges) > 0
        assert got.threshold == want.threshold and got.threshold_fast == want.threshold_fast
        cols = list(want.edges.columns)
        pd.testing.assert_frame_equal(got.edges[cols].reset_index(drop=True), want.edges, check_dtype=False,
                                      check_exact=False, rtol=1e-12)
