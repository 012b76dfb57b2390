"""``compat`` with a fast window: edges, subgraph 2, group_stats and account_stats as CooRTweet
2.1.3 gives them, orientation in R's collation (ICU in a UTF-8 locale, or C).

Expected values are worked out by hand in the comments from CooRTweet's code (see
docs/method.md, "CooRTweet compatibility"), or come from the literal transcription in
tests/analysis/coortweet_transcript.py (no coordgraph code).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis import account_stats, coordinated_network, flag_speed_share, object_stats, read_shares
from coordgraph.analysis.collation import ranks, r_pmin_pmax
from coordgraph.analysis.detect import detect_groups
from tests.analysis import coortweet_transcript as T
from tests.fixtures_coortweet import TOY, read_expected

COLUMNS = ["object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y", "time_window_5"]

# Rows as detect_groups gives them (older -> newer), flagged at 5 s.
MIXED = pd.DataFrame([
    ("o1", "k2", "k5", 8, "bob", "Carl", 0),    # A
    ("o2", "k1", "k4", 2, "Carl", "Alice", 1),  # B
    ("o1", "k3", "k6", 4, "Alice", "bob", 1),   # C
    ("o4", "k7", "k8", 1, "bob", "Carl", 1),    # D
    ("o5", "k9", "kA", 1, "Carl", "bob", 1),    # E
    ("o1", "kB", "kC", 9, "dan", "Carl", 0),    # F
], columns=COLUMNS)
# flag_speed_share's setkey: B, A, C, D, E, F.
# ICU (en_US): alice < bob < carl < dan, so pmin/pmax give B (Alice, Carl), A (bob, Carl),
# C (Alice, bob), D (bob, Carl), E (bob, Carl), F (Carl, dan). Groups in that order;
# vertices unique(c(Alice, bob, Alice, Carl, Carl, Carl, bob, dan)) = Alice 0, bob 1, Carl 2, dan 3.
# Union order, (lower, higher) vertex number largest first: Carl-dan (2,3), bob-Carl (1,2),
# Alice-Carl (0,2), Alice-bob (0,1). Weights full 1,3,1,1 -> type-7 median 1 -> only bob-Carl;
# fast weights (D, E | B | C) 2,1,1 -> 1 -> only bob-Carl.
ICU_EDGES = [
    # from, to, weight_full, avg_time_delta_full, weight_fast, avg_time_delta_fast, thr_full, thr_fast, objects full
    ("Carl", "dan", 1, 9.0, None, None, 0, None, "o1"),
    ("bob", "Carl", 3, 10 / 3, 2, 1.0, 1, 1, "o1,o4,o5"),
    ("Alice", "Carl", 1, 2.0, 1, 2.0, 0, 0, "o2"),
    ("Alice", "bob", 1, 4.0, 1, 4.0, 0, 0, "o1"),
]
# C locale: 'C' < 'b' < 'd', so A, D, E become (Carl, bob); vertices Alice 0, Carl 1, bob 2, dan 3.
C_EDGES = [
    ("Carl", "dan", 1, 9.0, None, None, 0, None, "o1"),
    ("Carl", "bob", 3, 10 / 3, 2, 1.0, 1, 1, "o1,o4,o5"),
    ("Alice", "bob", 1, 4.0, 1, 4.0, 0, 0, "o1"),
    ("Alice", "Carl", 1, 2.0, 1, 2.0, 0, 0, "o2"),
]


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _edge_rows(edges: pd.DataFrame) -> list[tuple]:
    out = []
    for r in edges.to_dict("records"):
        fast = None if _missing(r["weight_fast"]) else int(r["weight_fast"])
        out.append((r["account_id"], r["account_id_y"], int(r["weight_full"]), pytest.approx(r["avg_time_delta_full"]),
                    fast, None if fast is None else pytest.approx(r["avg_time_delta_fast"]),
                    int(r["weight_threshold_full"]),
                    None if _missing(r["weight_threshold_fast"]) else int(r["weight_threshold_fast"]),
                    r["object_ids_full"]))
    return out


@pytest.mark.parametrize("collation, want", [("icu", ICU_EDGES), ("c", C_EDGES)])
def test_fast_network_orientation_and_order_by_hand(collation, want):
    net = coordinated_network(MIXED, fast_net=True, edge_weight=0.5, objects=True, compat=True, collation=collation)
    assert _edge_rows(net.edges) == want
    assert net.edges["weight_fast"].notna().sum() == 3  # every edge with flagged rows keeps its fast columns
    sub = coordinated_network(MIXED, fast_net=True, edge_weight=0.5, subgraph=2, objects=True, compat=True,
                              collation=collation)
    assert list(zip(sub.edges["account_id"], sub.edges["account_id_y"])) == [want[1][:2]]


def test_group_stats_counts_from_in_union_order_by_hand():
    net = coordinated_network(MIXED, fast_net=True, edge_weight=0.5, objects=True, compat=True, collation="icu")
    # none: o1 on Carl-dan (from Carl), bob-Carl (bob), Alice-bob (Alice) -> 3; then first appearance
    got = object_stats(net, MIXED, "none", compat=True)
    assert list(zip(got["object_id"], got["num_accounts"])) == [("o1", 3), ("o4", 1), ("o5", 1), ("o2", 1)]
    got = object_stats(net, MIXED, "full", compat=True)  # bob-Carl only, object_ids_full
    assert list(zip(got["object_id"], got["num_accounts"])) == [("o1", 1), ("o4", 1), ("o5", 1)]
    got = object_stats(net, MIXED, "fast", compat=True)  # bob-Carl only, object_ids_fast = o4,o5
    assert list(zip(got["object_id"], got["num_accounts"])) == [("o4", 1), ("o5", 1)]


def test_group_stats_splits_object_ids_at_commas_like_r():
    rows = MIXED.assign(object_id=MIXED["object_id"].replace({"o2": "https://x.org/a,b,"}))
    net = coordinated_network(rows, fast_net=True, edge_weight=0.5, objects=True, compat=True)
    got = object_stats(net, rows, "none", compat=True)
    # paste(...) then strsplit(",", fixed = TRUE): "https://x.org/a", "b" (the trailing empty piece dropped)
    assert ("https://x.org/a", 1) in list(zip(got["object_id"], got["num_accounts"]))
    assert ("b", 1) in list(zip(got["object_id"], got["num_accounts"]))
    assert len(got) == 5


def test_account_stats_fast_network_by_hand():
    net = coordinated_network(MIXED, fast_net=True, edge_weight=0.5, objects=True, compat=True)
    got = account_stats(net, MIXED, "none", compat=True)
    assert list(got.columns) == ["account_id", "avg_time_delta_full", "avg_time_delta_fast",
                                 "avg_edge_symmetry_score_full", "avg_edge_symmetry_score_fast",
                                 "unique_shares_count"]
    assert list(got["account_id"]) == ["Alice", "Carl", "bob", "dan"]  # setorder: C locale
    # Carl: full deltas 9 (Carl-dan), 10/3 (bob-Carl), 2 (Alice-Carl); fast 1 and 2 (NA dropped)
    carl = got.set_index("account_id").loc["Carl"]
    assert carl["avg_time_delta_full"] == pytest.approx((9 + 10 / 3 + 2) / 3)
    assert carl["avg_time_delta_fast"] == pytest.approx(1.5)
    assert carl["unique_shares_count"] == 5  # k1, k5, k8, k9, kC
    dan = got.set_index("account_id").loc["dan"]
    assert dan["avg_time_delta_full"] == 9 and pd.isna(dan["avg_time_delta_fast"]) and dan["unique_shares_count"] == 1


def test_account_stats_fast_dedupes_the_five_column_tuple():
    rows = pd.DataFrame([
        ("o1", "a1", "b1", 1, "a", "b", 1), ("o2", "a2", "b2", 5, "a", "b", 0),  # a-b: full 3, fast 1
        ("o3", "a3", "c3", 1, "a", "c", 1), ("o4", "a4", "c4", 7, "a", "c", 0),  # a-c: full 4, fast 1
        ("o5", "a5", "d5", 4, "a", "d", 1),                                      # a-d: full 4, fast 4
    ], columns=COLUMNS[:-1] + ["time_window_4"])
    net = coordinated_network(rows, fast_net=True, edge_weight=0.5, compat=True)
    got = account_stats(net, rows, "none", compat=True).set_index("account_id")
    # a's tuples (3,1,1,1), (4,1,1,1), (4,4,1,1) are distinct: no value is dropped
    assert got.loc["a", "avg_time_delta_full"] == pytest.approx(11 / 3)
    assert got.loc["a", "avg_time_delta_fast"] == pytest.approx(2.0)
    assert got.loc["a", "unique_shares_count"] == 5
    fast = account_stats(net, rows, "fast", compat=True).set_index("account_id")
    # fast threshold: fast weights 1,1,1 -> 1 -> no edge above: empty
    assert fast.empty


def test_flag_speed_share_leaves_coortweets_order_t7():
    shares = read_shares(TOY / "T1_input.csv")
    result = detect_groups(shares, 10, 1)
    got = flag_speed_share(shares, result, 1, 5, sort_like_coortweet=True)
    want = read_expected(TOY / "T7_flag_speed_share_T1_tw5.csv")
    assert list(zip(got["content_id"], got["content_id_y"], got["time_window_5"])) == \
        list(zip(want["content_id"], want["content_id_y"], want["time_window_5"]))


def test_r_collation_orders():
    words = ["b", "A", "a", "B", "_x", "10", "9", "Zoe", "zoe"]
    # R 4.x, en_US.UTF-8 with ICU: sort(words)
    icu = [w for _, w in sorted(zip(ranks(words, "icu"), words))]
    assert icu == ["_x", "10", "9", "a", "A", "b", "B", "zoe", "Zoe"]
    # LC_COLLATE=C: sort(words)
    c = [w for _, w in sorted(zip(ranks(words, "c"), words))]
    assert c == ["10", "9", "A", "B", "Zoe", "_x", "a", "b", "zoe"]
    # strings the collator finds equal: R's pmin and pmax both return the first argument
    lo, hi = r_pmin_pmax(["e\u0301", "bob"], ["\u00e9", "Al"], "icu")
    assert list(lo) == ["e\u0301", "Al"] and list(hi) == ["e\u0301", "bob"]


def _random_result(rng, n_rows: int, n_accounts: int) -> pd.DataFrame:
    names = [rng.choice(["ann", "Ann", "ANN", "bo", "Bo", "b0b", "Cy", "cy", "dee", "Dee9", "e", "E", "zed", "Zed"])
             + str(i % 3) for i in range(n_accounts)]
    names = list(dict.fromkeys(names))
    rows = []
    for i in range(n_rows):
        a, b = rng.choice(len(names), size=2, replace=False)
        td = int(rng.integers(0, 11))
        objects = ["o0", "o1", "o2", "o3", "o4", "o5", "o1,o2", "x,", ",o3", "a,,b"]  # R splits at commas
        rows.append((objects[rng.integers(0, len(objects))], f"c{rng.integers(0, 40)}", f"c{rng.integers(40, 80)}", td,
                     names[a], names[b], int(td <= 4)))
    return pd.DataFrame(rows, columns=COLUMNS[:-1] + ["time_window_4"])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("collation", ["icu", "c"])
def test_random_mixed_case_results_equal_the_transcription(seed, collation):
    rng = np.random.default_rng(seed)
    result = _random_result(rng, int(rng.integers(5, 60)), int(rng.integers(3, 14)))
    ew = float(rng.choice([0.0, 0.5, 0.8, 0.99]))
    key = T.icu_alnum_key if collation == "icu" else T.c_key
    rows = T.setkey_content(result.to_dict("records"))
    want = T.generate_coordinated_network(rows, ew, key, "time_window_4")
    net = coordinated_network(result, fast_net=True, edge_weight=ew, objects=True, compat=True, collation=collation)
    got = net.edges.to_dict("records")
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert (g["account_id"], g["account_id_y"]) == (w["from"], w["to"])
        for name, value in w.items():
            if name in ("from", "to"):
                continue
            if value is None:
                assert _missing(g[name]), name
            elif isinstance(value, str):
                assert g[name] == value, name
            else:
                assert float(g[name]) == pytest.approx(value, abs=1e-9), name
    sub2 = coordinated_network(result, fast_net=True, edge_weight=ew, subgraph=2, objects=True, compat=True,
                               collation=collation)
    want2 = T.generate_coordinated_network(rows, ew, key, "time_window_4", subgraph=2)
    assert list(zip(sub2.edges["account_id"], sub2.edges["account_id_y"])) == [(e["from"], e["to"]) for e in want2]
    for threshold in ("none", "full", "fast"):
        g_stats = object_stats(net, result, threshold, compat=True)
        assert list(zip(g_stats["object_id"], g_stats["num_accounts"])) == T.group_stats(want, threshold)
        a_stats = account_stats(net, result, threshold, compat=True)
        w_stats = T.account_stats(want, rows, threshold, "time_window_4")
        assert list(a_stats["account_id"]) == [r["account_id"] for r in w_stats]
        for g, w in zip(a_stats.to_dict("records"), w_stats):
            for name, value in w.items():
                if value is None:
                    assert _missing(g[name]), name
                elif name != "account_id":
                    assert float(g[name]) == pytest.approx(value, abs=1e-9), name


def test_simulation_fixture_row_for_row_in_coortweets_order():
    """CooRTweet's own outputs, compared as written (not as multisets): object_ids strings in
    first-row order, group_stats ties in first-appearance order, account_stats sorted."""
    from tests.fixtures_coortweet import SIM

    shares = read_shares(SIM / "sim_input.csv.gz")
    result = detect_groups(shares, 10, 2)
    net = coordinated_network(result, objects=True, compat=True)
    want = read_expected(SIM / "graph_edges.csv.gz")
    assert list(zip(net.edges["account_id"], net.edges["account_id_y"], net.edges["object_ids"])) == \
        list(zip(want["from"], want["to"], want["object_ids"]))
    groups = object_stats(net, result, "none", compat=True)
    want_groups = read_expected(SIM / "group_stats_none.csv.gz")
    assert list(zip(groups["object_id"], groups["num_accounts"])) == \
        list(zip(want_groups["object_id"], want_groups["num_accounts"]))
    accounts = account_stats(net, result, "none", compat=True)
    assert list(accounts["account_id"]) == list(read_expected(SIM / "account_stats_none.csv.gz")["account_id"])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("collation", ["icu", "c"])
def test_random_mixed_case_results_without_fast_window_equal_the_transcription(seed, collation):
    rng = np.random.default_rng(100 + seed)
    result = _random_result(rng, int(rng.integers(5, 60)), int(rng.integers(3, 14))).drop(columns="time_window_4")
    ew = float(rng.choice([0.0, 0.5, 0.9]))
    key = T.icu_alnum_key if collation == "icu" else T.c_key
    want = T.generate_coordinated_network(result.to_dict("records"), ew, key)
    net = coordinated_network(result, edge_weight=ew, objects=True, compat=True, collation=collation)
    got = net.edges.to_dict("records")
    assert [(g["account_id"], g["account_id_y"], g["weight"], g["object_ids"], g["weight_threshold"]) for g in got] == \
        [(w["from"], w["to"], w["weight"], w["object_ids"], w["weight_threshold"]) for w in want]
    for threshold in ("none", "full"):
        g_stats = object_stats(net, result, threshold, compat=True)
        assert list(zip(g_stats["object_id"], g_stats["num_accounts"])) == T.group_stats(want, threshold)


def test_icu_missing_is_a_clear_error(monkeypatch):
    from coordgraph.analysis import collation

    monkeypatch.setattr(collation, "_icu_library_paths", lambda: [])
    collation._icu.cache_clear()
    try:
        with pytest.raises(collation.CollationError, match="--collation c"):
            ranks(["a", "B"], "icu")
        assert list(ranks(["a", "B"], "c")) == [1, 0]  # the C order needs no library
    finally:
        collation._icu.cache_clear()
