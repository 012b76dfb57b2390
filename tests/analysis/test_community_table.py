"""The ranked community table on a hand-made network (expected figures worked out by hand)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from coordgraph.analysis.community_table import COLUMNS, community_table

DAY = 86_400


@pytest.fixture
def network():
    # communities: 0 = {a, b, c}, 1 = {d, e}, 2 = {f} (no internal edge); c-d links 0 and 1
    edges = pd.DataFrame([
        ("a", "b", 4, 2.0, 1.0, True),
        ("a", "c", 2, 4.0, 0.5, True),
        ("b", "c", 2, 6.0, 1.0, False),
        ("d", "e", 2, 9.0, 0.0, False),
        ("c", "d", 5, 1.0, 1.0, True),
    ], columns=["account_id", "account_id_y", "weight", "avg_time_delta", "edge_symmetry_score", "fast"])
    accounts = pd.DataFrame({
        "account_id": list("abcdef"), "community": [0, 0, 0, 1, 1, 2],
        "followers_count": [10, 20, None, 1000, 3000, 5],
        "created_at": [100 * DAY, 90 * DAY, 80 * DAY, 0, 0, None],
    })
    return edges, accounts


def test_figures_without_coshares(network):
    edges, accounts = network
    t = community_table(edges, accounts, reference_time=110 * DAY).set_index("community")
    assert sorted(t.reset_index().columns) == sorted(COLUMNS)
    assert t.loc[0, "size"] == 3 and t.loc[0, "edges"] == 3 and t.loc[0, "coshares"] == 8  # c-d not counted
    assert t.loc[0, "coshares_per_account"] == 2.67
    assert t.loc[0, "fast_share"] == pytest.approx(0.667)
    assert t.loc[0, "symmetry"] == pytest.approx(0.833)
    # weighted median of averages 2, 4, 6 with weights 4, 2, 2: half of 8 reached at 2
    assert t.loc[0, "median_seconds_apart"] == 2.0
    assert t.loc[1, "median_seconds_apart"] == 9.0 and t.loc[1, "fast_share"] == 0.0
    assert t.loc[0, "median_followers"] == 15 and t.loc[1, "median_followers"] == 2000
    assert t.loc[0, "median_age_days"] == 20.0 and t.loc[1, "median_age_days"] == 110.0
    assert math.isnan(t.loc[2, "median_age_days"])
    assert math.isnan(t.loc[0, "median_q_value"])
    # community 0 beats 1 on all four parts: ranks 1.0 vs 0.5; f has no edge: 0
    assert t.loc[0, "score"] == 1.0 and t.loc[1, "score"] == 0.5 and t.loc[2, "score"] == 0.0
    assert t["rank"].tolist() == [1, 2, 3] and t.index.tolist() == [0, 1, 2]


def test_coshares_give_median_and_top_objects(network):
    edges, accounts = network
    coshares = pd.DataFrame([
        ("a", "b", "o1", 1, 1000), ("b", "a", "o1", 3, 1100), ("a", "b", "o2", 2, 1200), ("a", "b", "o2", 8, 1300),
        ("c", "a", "o1", 5, 1400), ("a", "c", "o3", 7, 1500), ("b", "c", "o3", 9, 1600), ("c", "b", "o1", 9, 1700),
        ("d", "e", "o4", 9, 1800), ("e", "d", "o4", 9, 1900), ("c", "d", "o9", 1, 2000),
    ], columns=["account_id", "account_id_y", "object_id", "time_delta", "ts"])
    t = community_table(edges, accounts, coshares).set_index("community")
    # internal deltas of 0: 1 2 3 5 7 8 9 9 -> median (5 + 7) / 2
    assert t.loc[0, "median_seconds_apart"] == 6.0
    assert t.loc[0, "top_objects"] == "o1 (4), o2 (2), o3 (2)"
    assert t.loc[1, "top_objects"] == "o4 (2)"
    # ages at the last co-share ts (2000 s): unknown-ish but computed: (2000 - 0) / 86400 = 0.0
    assert t.loc[1, "median_age_days"] == 0.0


def test_q_values_when_computed(network):
    edges, accounts = network
    edges = edges.assign(q_value=[0.001, 0.003, 0.2, 0.5, 0.0])
    t = community_table(edges, accounts).set_index("community")
    assert t.loc[0, "median_q_value"] == 0.003 and t.loc[1, "median_q_value"] == 0.5


def test_empty_network():
    t = community_table(pd.DataFrame(columns=["account_id", "account_id_y", "weight", "avg_time_delta",
                                              "edge_symmetry_score"]),
                        pd.DataFrame({"account_id": ["a"], "community": [0]}))
    assert t["score"].tolist() == [0.0] and t["edges"].tolist() == [0]
