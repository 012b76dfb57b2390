"""Detection in the store: the cypher and python engines against CooRTweet and each other.

Everything runs on the real embedded FalkorDB (session fixture in tests/conftest.py).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis import coordinated_network, detect_groups, flag_speed_share, simulate_data
from coordgraph.cypher import runs
from coordgraph.cypher.analyze import analyze, run_coshares, run_edges, threshold, write_edges
from coordgraph.cypher.ingest import ingest

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "coortweet"
EDGE_COLS = ["account_id", "account_id_y", "weight", "avg_time_delta", "n_content_id",
             "n_content_id_y", "edge_symmetry_score", "weight_threshold", "weight_fast",
             "avg_time_delta_fast", "n_content_id_fast", "n_content_id_y_fast",
             "edge_symmetry_score_fast", "weight_threshold_fast", "first_ts", "last_ts"]


def _rows_multiset(result: pd.DataFrame) -> Counter:
    """detect_groups rows as a multiset, orientation-free (ties may be oriented either way)."""
    return Counter(
        (o, frozenset([(c, a), (cy, ay)]), int(d))
        for o, c, cy, d, a, ay in result[["object_id", "content_id", "content_id_y", "time_delta",
                                          "account_id", "account_id_y"]].itertuples(index=False)
    )


def _oriented(result: pd.DataFrame) -> Counter:
    """Rows as a multiset keeping orientation, for rows whose time_delta > 0."""
    strict = result[result["time_delta"] > 0]
    return Counter(map(tuple, strict[["object_id", "content_id", "content_id_y", "time_delta",
                                      "account_id", "account_id_y"]].astype(str).to_numpy()))


def _norm(edges: pd.DataFrame) -> pd.DataFrame:
    out = edges.reindex(columns=EDGE_COLS).sort_values(["account_id", "account_id_y"]).reset_index(drop=True)
    for col in EDGE_COLS[2:]:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out


def _load(store, path: Path, kind: str = "test") -> pd.DataFrame:
    shares = pd.read_csv(path, dtype={"object_id": str, "account_id": str, "content_id": str})
    ingest(store, shares=shares, kind=kind)
    return shares


@pytest.mark.parametrize("case,tw,mp", [("T1", 10, 1), ("T2", 10, 2), ("T3", 10, 1)])
@pytest.mark.parametrize("engine", ["cypher", "python"])
def test_engines_match_coortweet_toy_cases(store, case, tw, mp, engine):
    """COSHARE rows equal CooRTweet's detect_groups rows (ties, inclusive window, OR rule)."""
    _load(store, FIX / "toy" / f"{case}_input.csv")
    expected_file = next((FIX / "toy").glob(f"{case}_detect_groups_tw{tw}_mp{mp}.csv"))
    expected = pd.read_csv(expected_file, dtype=str).astype({"time_delta": int})
    run = analyze(store, time_window=tw, min_participation=mp, engine=engine)
    got = run_coshares(store, run.run_id)
    assert _rows_multiset(got) == _rows_multiset(expected)
    assert _oriented(got) == _oriented(expected)
    assert run.coshares == len(expected)


def test_window_is_inclusive_and_narrower_window_drops(store):
    """T1 at tw=9 keeps only the tie (delta 10 is outside a 9 s window)."""
    _load(store, FIX / "toy" / "T1_input.csv")
    run = analyze(store, time_window=9, min_participation=1, engine="cypher")
    got = run_coshares(store, run.run_id)
    assert sorted(got["time_delta"]) == [0]


def test_cypher_fast_flag_matches_coortweet_t7(store):
    """The in-database flag_speed_share marks the same rows as CooRTweet (T1, 5 s)."""
    _load(store, FIX / "toy" / "T1_input.csv")
    run = analyze(store, time_window=10, min_participation=1, fast_window=5, engine="cypher")
    got = run_coshares(store, run.run_id)
    expected = pd.read_csv(FIX / "toy" / "T7_flag_speed_share_T1_tw5.csv", dtype=str)
    flagged = {frozenset([c, cy]) for c, cy, f in expected[["content_id", "content_id_y", "time_window_5"]]
               .itertuples(index=False) if f == "1"}
    got_flagged = {frozenset([c, cy]) for c, cy, f in got[["content_id", "content_id_y", "fast"]]
                   .itertuples(index=False) if f == 1}
    assert got_flagged == flagged


def test_t3_weight_counts_rows_and_symmetry_per_account(store):
    """T3: weight = result rows; n_content_id counts each account's own posts (documented)."""
    _load(store, FIX / "toy" / "T3_input.csv")
    run = analyze(store, time_window=10, min_participation=1, engine="cypher")
    edges = run_edges(store, run.run_id)
    expected = pd.read_csv(FIX / "toy" / "T3_edges.csv")
    assert len(edges) == 1 and edges["weight"].iloc[0] == expected["weight"].iloc[0]
    assert edges["avg_time_delta"].iloc[0] == pytest.approx(expected["avg_time_delta"].iloc[0])
    python = coordinated_network(detect_groups(pd.read_csv(FIX / "toy" / "T3_input.csv", dtype=str)
                                               .astype({"timestamp_share": int}), 10, 1)).edges
    assert edges["n_content_id"].iloc[0] == python["n_content_id"].iloc[0]
    assert edges["n_content_id_y"].iloc[0] == python["n_content_id_y"].iloc[0]
    assert edges["edge_symmetry_score"].iloc[0] == pytest.approx(python["edge_symmetry_score"].iloc[0])


@pytest.mark.parametrize("edge_weight,expected_file", [(0.5, "T4_edges_ew05.csv"), (0.8, "T4_edges_ew08.csv")])
def test_rethreshold_matches_t4_without_recomputing_coshares(store, edge_weight, expected_file):
    """T4: R type-7 quantile, strict '>'; re-thresholding touches only weight_threshold."""
    result = pd.read_csv(FIX / "toy" / "T4_result_input.csv", dtype=str).astype({"time_delta": int})
    accounts = sorted(set(result["account_id"]) | set(result["account_id_y"]))
    ingest(store, accounts=pd.DataFrame({"account_id": accounts, "platform": "test"}))
    run_id = runs.create_run(store, {"engine": "python", "intent": None})
    write_edges(store, run_id, coordinated_network(result, edge_weight=0.5).edges, result)
    threshold(store, run_id, 0.5)
    before = run_edges(store, run_id)
    out = threshold(store, run_id, edge_weight)
    after = run_edges(store, run_id)
    expected = pd.read_csv(FIX / "toy" / expected_file)
    exp = {frozenset([f, t]): w for f, t, w in expected[["from", "to", "weight_threshold"]].itertuples(index=False)}
    got = {frozenset([a, b]): w for a, b, w in after[["account_id", "account_id_y", "weight_threshold"]]
           .itertuples(index=False)}
    assert got == exp
    pd.testing.assert_frame_equal(before.drop(columns=["weight_threshold"]), after.drop(columns=["weight_threshold"]))
    assert out["threshold"] == pytest.approx(np.quantile(after["weight"].to_numpy(float), edge_weight))


def test_sim_seed123_both_engines_equal_coortweet_and_each_other(store):
    """CooRTweet's simulate_data(seed 123): 9,954 rows, 4,950 edges, threshold 2, 54 above."""
    _load(store, FIX / "simulate_seed123" / "sim_input.csv.gz")
    expected_rows = pd.read_csv(FIX / "simulate_seed123" / "sim_expected_detect_groups.csv.gz", dtype=str)
    expected_rows["time_delta"] = expected_rows["time_delta"].astype(int)
    expected_edges = pd.read_csv(FIX / "simulate_seed123" / "graph_edges.csv.gz")
    by_engine = {}
    for engine in ("cypher", "python"):
        run = analyze(store, time_window=10, min_participation=2, edge_weight=0.5, fast_window=5, engine=engine)
        assert run.coshares == 9954 and run.edges == 4950 and run.accounts == 100
        assert run.threshold == 2 and run.edges_above == 54
        assert _rows_multiset(run_coshares(store, run.run_id)) == _rows_multiset(expected_rows)
        by_engine[engine] = _norm(run_edges(store, run.run_id))
    pd.testing.assert_frame_equal(by_engine["cypher"], by_engine["python"], check_exact=False, rtol=1e-12)
    got = by_engine["cypher"].set_index(["account_id", "account_id_y"])
    exp = expected_edges.assign(
        account_id=expected_edges[["from", "to"]].min(axis=1),
        account_id_y=expected_edges[["from", "to"]].max(axis=1)).set_index(["account_id", "account_id_y"])
    exp = exp.loc[got.index]
    np.testing.assert_array_equal(got["weight"], exp["weight"])
    np.testing.assert_allclose(got["avg_time_delta"], exp["avg_time_delta"], rtol=1e-9)
    np.testing.assert_array_equal(got["weight_threshold"], exp["weight_threshold"])


def _messy_shares(seed: int = 7) -> pd.DataFrame:
    """Random dense shares that exercise every rule: ties, posts with several objects, self
    shares (object = content id, as retweets of an original), uneven activity."""
    rng = np.random.default_rng(seed)
    rows = []
    for post in range(700):
        account = f"acc{int(rng.zipf(1.6)) % 40:02d}"
        ts = 1_700_000_000 + int(rng.integers(0, 3000))
        objects = {f"obj{int(x)}" for x in rng.integers(0, 25, size=int(rng.integers(1, 4)))}
        if rng.random() < 0.05:
            objects.add(f"post{post}")  # an original sharing itself: a loop
        rows += [(o, account, f"post{post}", ts) for o in sorted(objects)]
    # pairs of quiet accounts (4 rows each, one co-share): the OR post-filter removes them at
    # min_participation 2-3 ...
    for k in range(4):
        t0 = 1_700_100_000 + 1000 * k
        for side, dt in (("a", 0), ("b", 2)):
            acc = f"quiet{k}{side}"
            rows.append((f"quietobj{k}", acc, f"q{k}{side}0", t0 + dt))
            rows += [(f"solo{k}{side}{j}", acc, f"q{k}{side}{j}", t0 + 100 * j) for j in (1, 2, 3)]
    # ... unless the co-shared post carries a second object: m = 2 rows, kept at 2, not at 3
    rows.append(("quietextra", "quiet0a", "q0a0", 1_700_100_000))
    return pd.DataFrame(rows, columns=["object_id", "account_id", "content_id", "timestamp_share"])


@pytest.mark.parametrize("tw,mp,fw", [(10, 2, 3), (30, 3, None), (0, 1, None)])
def test_engines_agree_on_messy_data_and_with_analysis(store, tw, mp, fw):
    """Both engines write identical edges, equal to coordgraph.analysis on the same shares."""
    shares = _messy_shares()
    ingest(store, shares=shares, kind="hashtags")
    edges = {}
    for engine in ("cypher", "python"):
        run = analyze(store, time_window=tw, min_participation=mp, fast_window=fw, engine=engine)
        edges[engine] = _norm(run_edges(store, run.run_id))
        result = detect_groups(shares, tw, mp)
        assert _rows_multiset(run_coshares(store, run.run_id)) == _rows_multiset(result)
    assert len(edges["cypher"]) > (3 if tw == 0 else 20)
    quiet = {a for a in set(edges["cypher"]["account_id"]) if a.startswith("quiet")}
    if tw >= 2:  # the quiet pairs co-share 2 s apart
        assert quiet == ({"quiet0a", "quiet1a", "quiet2a", "quiet3a"} if mp <= 1
                         else {"quiet0a"} if mp == 2 else set())
    pd.testing.assert_frame_equal(edges["cypher"], edges["python"], check_exact=False, rtol=1e-12)
    result = detect_groups(shares, tw, mp)
    if fw is not None:
        result = flag_speed_share(shares, result, mp, fw)
    net = coordinated_network(result, fast_net=fw is not None).edges
    weight = "weight_full" if fw is not None else "weight"
    assert dict(zip(zip(net["account_id"], net["account_id_y"]), net[weight])) == \
        dict(zip(zip(edges["cypher"]["account_id"], edges["cypher"]["account_id_y"]), edges["cypher"]["weight"]))


def test_intent_filter_uses_only_that_kind(store):
    """--intent restricts detection to SHARED relationships of that kind."""
    shares = _messy_shares(3)
    ingest(store, shares=shares.assign(kind="hashtags"))
    other = shares.assign(object_id="u:" + shares["object_id"], content_id=shares["content_id"] + "u",
                          kind="urls").iloc[:200]
    ingest(store, shares=other)
    run_h = analyze(store, intents=["hashtags"], time_window=10, min_participation=2)
    expected = detect_groups(shares, 10, 2)
    assert _rows_multiset(run_coshares(store, run_h.run_id)) == _rows_multiset(expected)
    run_u = analyze(store, intents=["urls"], time_window=10, min_participation=2)
    got_u = run_coshares(store, run_u.run_id)
    assert set(got_u["object_id"]) <= set(other["object_id"])
    assert _rows_multiset(got_u) == _rows_multiset(detect_groups(other.drop(columns="kind"), 10, 2))


def test_planted_campaign_simulation_engines_agree(store):
    """simulate_data with two campaigns: both engines find exactly the planted pairs."""
    sim = simulate_data(n_accounts_coord=24, n_accounts_noncoord=40, n_objects=30, n_campaigns=2, seed=11)
    ingest(store, shares=sim.shares, kind="retweets")
    found = {}
    for engine in ("cypher", "python"):
        run = analyze(store, time_window=10, min_participation=2, engine=engine)
        edges = run_edges(store, run.run_id)
        found[engine] = _norm(edges)
        accounts = set(edges["account_id"]) | set(edges["account_id_y"])
        assert accounts == sim.coordinated_accounts
        assert all(sim.campaigns[a] == sim.campaigns[b] for a, b in edges[["account_id", "account_id_y"]]
                   .itertuples(index=False))
    pd.testing.assert_frame_equal(found["cypher"], found["python"], check_exact=False, rtol=1e-12)
