"""The live engine reproduces CooRTweet 2.1.3's own outputs (tests/fixtures/coortweet) when
its input arrives in batches; live communities equal per-component communities of the final
network."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis import read_shares
from coordgraph.analysis.incremental import LiveParams, LiveState
from coordgraph.contracts import RESULT_COLUMNS
from coordgraph.live.communities import by_component
from tests.fixtures_coortweet import SIM, TOY, as_multiset, edges_by_pair, read_expected
from tests.watch.helpers import random_stream, split


def live(shares, params, n_batches, seed=0):
    """The fixtures' rows are not in time order: a late bound of 30 years keeps them all."""
    state = LiveState(LiveParams(**{**params.as_dict(), "late_bound": 10**9}))
    for part in split(shares, n_batches, seed):
        state.apply(part)
    return state


@pytest.mark.parametrize("case, mp, loops, expected", [
    ("T1", 1, True, "T1_detect_groups_tw10_mp1.csv"),
    ("T2", 2, True, "T2_detect_groups_tw10_mp2.csv"),
    ("T2", 2, False, "T2_detect_groups_tw10_mp2_noloopremoval.csv"),
    ("T3", 1, True, "T3_detect_groups_tw10_mp1.csv"),
])
@pytest.mark.parametrize("n_batches", [1, 3, 100])
def test_toy_cases_in_batches_match_coortweet(case, mp, loops, expected, n_batches):
    shares = read_shares(TOY / f"{case}_input.csv")
    state = live(shares, LiveParams(time_window=10, min_participation=mp, remove_loops=loops), n_batches)
    want = read_expected(TOY / expected)
    assert as_multiset(state.result_frame(), RESULT_COLUMNS) == as_multiset(want, RESULT_COLUMNS)


def test_fast_flags_match_coortweet():
    shares = read_shares(TOY / "T1_input.csv")
    state = live(shares, LiveParams(time_window=10, min_participation=1, fast_window=5), 4)
    want = read_expected(TOY / "T7_flag_speed_share_T1_tw5.csv")
    columns = [*RESULT_COLUMNS, "time_window_5"]
    assert as_multiset(state.result_frame(), columns) == as_multiset(want, columns)


def test_simulated_seed123_in_batches_matches_coortweet():
    shares = read_shares(SIM / "sim_input.csv.gz")
    state = live(shares, LiveParams(time_window=10, min_participation=2, edge_weight=0.5), 37, seed=1)
    want_rows = read_expected(SIM / "detect_groups_result.csv.gz")
    assert as_multiset(state.result_frame(), RESULT_COLUMNS) == as_multiset(want_rows, RESULT_COLUMNS)
    edges = edges_by_pair(state.edges_frame())
    want = edges_by_pair(read_expected(SIM / "graph_edges.csv.gz"), "from", "to")
    assert state.thresholds()[0] == 2 and len(edges) == 4950
    assert int(edges["weight_threshold"].sum()) == 54
    assert list(edges.index) == list(want.index)
    for column in ("weight", "avg_time_delta", "weight_threshold"):
        np.testing.assert_allclose(edges[column].to_numpy(float), want[column].to_numpy(float), atol=1e-9)


@pytest.mark.parametrize("algorithm", ["leiden", "louvain"])
def test_live_communities_equal_per_component_communities_of_the_final_network(algorithm):
    stream = random_stream(4, n_posts=600, n_accounts=60, n_objects=12)
    state = LiveState(LiveParams(time_window=10, min_participation=2, late_bound=10_000))
    table = None
    for part in split(stream, 25, 4):
        rep = state.apply(part)
        changed = {state.accounts.names[i] for i in
                   np.concatenate((state.e_lo[rep.changed_edges], state.e_hi[rep.changed_edges])).tolist()}
        table = by_component(state.edges_frame(), algorithm, previous=table, changed=changed)
    fresh = by_component(state.edges_frame(), algorithm)
    pd.testing.assert_frame_equal(table, fresh)
    # every community lies inside one connected component
    assert (table.groupby("community")["component"].nunique() == 1).all()
