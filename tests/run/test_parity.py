"""One parity suite: every engine (python, outofcore with C and numpy kernels, spark local,
cypher on the embedded FalkorDB) through the run layer (coordgraph.run) gives the same run.

Expected values come from outside the engines: CooRTweet 2.1.3's outputs (tests/fixtures/
coortweet) and a generated data set whose answer is worked out by hand (tests/run/planted.py).
Engines are then compared with each other: they are independent implementations (the
out-of-core fast network is its own pass, spark and cypher aggregate in their own engines);
no test compares a function with itself.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.fixtures_coortweet import SIM, TOY, read_expected
from tests.run import planted
from tests.run.conftest import ENGINES

# one xdist worker runs the whole module: its data sets are run once per engine (Spark too)
# by module fixtures, which two workers would each run again
pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning",
                                         "ignore:The copy keyword"), pytest.mark.xdist_group("run_parity")]

ATTRS = ["weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score", "weight_threshold"]
FAST_ATTRS = [f"{a}_fast" for a in ATTRS]


def shares_csv(path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["timestamp_share"] = frame["timestamp_share"].astype(np.int64)
    return frame


def by_pair(edges: pd.DataFrame, columns) -> dict:
    """{(lo, hi): (attributes...)} with per-account counts swapped with the pair's order and
    missing values as None, floats rounded to 1e-9."""
    out = {}
    for rec in edges.to_dict("records"):
        a, b = str(rec["account_id"]), str(rec["account_id_y"])
        vals = {c: rec.get(c) for c in columns}
        if a > b:
            a, b = b, a
            for x, y in (("n_content_id", "n_content_id_y"), ("n_content_id_fast", "n_content_id_y_fast")):
                if x in vals:
                    vals[x], vals[y] = vals[y], vals[x]
        norm = []
        for c in columns:
            v = vals[c]
            if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
                norm.append(None)
            else:
                norm.append(round(float(v), 9))
        out[(a, b)] = tuple(norm)
    return out


def coshares(result: pd.DataFrame, flag: str | None = None) -> list[tuple]:
    """Co-share rows as a multiset, each pair unordered (tie orientation is compared apart)."""
    rows = []
    for rec in result.to_dict("records"):
        side = sorted([(str(rec["account_id"]), str(rec["content_id"])), (str(rec["account_id_y"]), str(rec["content_id_y"]))])
        rows.append((str(rec["object_id"]), *side[0], *side[1], int(rec["time_delta"]),
                     int(rec[flag]) if flag else 0))
    return sorted(rows)


# --- the planted data set: every engine equals the hand-worked answer ------------------------

@pytest.fixture(scope="module")
def planted_runs(run_all):
    return run_all("planted", planted.planted_shares(), time_window=planted.TIME_WINDOW,
                   min_participation=2, edge_weight=0.5, fast_window=planted.FAST_WINDOW,
                   extras={"kind": "planted"})


@pytest.mark.parametrize("engine", ENGINES)
def test_planted_edges_weights_and_fast_columns_equal_the_hand_worked_answer(planted_runs, engine):
    res = planted_runs[engine]
    expected = by_pair(planted.expected_edges(), ATTRS + FAST_ATTRS)
    assert by_pair(res.edges, ATTRS + FAST_ATTRS) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_planted_thresholds_counts_and_summary(planted_runs, engine):
    from coordgraph.contracts import SUMMARY_KEYS

    s = planted_runs[engine].summary
    assert set(SUMMARY_KEYS) <= set(s)
    assert all(isinstance(s[k], t) for k, t in SUMMARY_KEYS.items() if s[k] is not None)
    assert (s["threshold"], s["threshold_fast"]) == (planted.THRESHOLD, planted.THRESHOLD_FAST)
    assert (s["edges"], s["edges_above_threshold"], s["edges_above_fast_threshold"]) == \
        (planted.N_EDGES, planted.N_ABOVE, planted.N_FAST_ABOVE)
    assert s["result_rows"] == planted.N_RESULT_ROWS and s["dropped_hub_objects"] == 0


@pytest.mark.parametrize("engine", ENGINES)
def test_planted_vertices_and_fast_flags(planted_runs, engine):
    res = planted_runs[engine]
    got = {r.account_id: (int(r.degree), int(r.strength)) for r in res.vertices.itertuples()}
    assert got == planted.expected_vertices()
    flag = f"time_window_{planted.FAST_WINDOW}"
    assert len(res.result) == planted.N_RESULT_ROWS and int(res.result[flag].sum()) == planted.N_FAST_ROWS
    # a row is fast exactly when its shares are at most 5 s apart (every account here is active)
    assert (res.result[flag] == (res.result["time_delta"] <= planted.FAST_WINDOW)).all()


# --- CooRTweet's simulate_data(seed 123): every engine equals CooRTweet, then each other ------

@pytest.fixture(scope="module")
def sim_runs(run_all):
    return run_all("sim", shares_csv(SIM / "sim_input.csv.gz"), time_window=10, min_participation=2,
                   edge_weight=0.5, fast_window=3, extras={"kind": "sim"})


@pytest.mark.parametrize("engine", ENGINES)
def test_sim_equals_coortweet(sim_runs, engine):
    res = sim_runs[engine]
    expected = read_expected(SIM / "sim_expected_edges.csv.gz")
    assert by_pair(res.edges, ["weight"]) == by_pair(expected, ["weight"])
    assert res.threshold == 2.0 and res.summary["edges_above_threshold"] == 54
    rows = read_expected(SIM / "sim_expected_detect_groups.csv.gz")
    assert coshares(res.result) == coshares(rows)


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != "python"])
def test_sim_every_column_equals_the_python_engine(sim_runs, engine):
    """Full and fast attributes, thresholds, vertices and fast flags: the reference vs an
    independent implementation."""
    ref, res = sim_runs["python"], sim_runs[engine]
    assert by_pair(res.edges, ATTRS + FAST_ATTRS) == by_pair(ref.edges, ATTRS + FAST_ATTRS)
    assert (res.threshold, res.threshold_fast) == (ref.threshold, ref.threshold_fast)
    assert ref.threshold_fast is not None and ref.summary["edges_above_fast_threshold"] > 0
    pd.testing.assert_frame_equal(res.vertices[["account_id", "degree", "strength"]],
                                  ref.vertices[["account_id", "degree", "strength"]], check_dtype=False)
    assert coshares(res.result, "time_window_3") == coshares(ref.result, "time_window_3")


# --- ties: which share is the older one ------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_tie_orientation_follows_processing_order(run_all, engine):
    """T1 (CooRTweet): at equal times the share first in processing order is the older
    (B before A at t=100), whatever the post ids say."""
    res = run_all("t1", shares_csv(TOY / "T1_input.csv"), engines=(engine,), time_window=10,
                  min_participation=1, extras={"kind": "t1"})[engine]
    expected = read_expected(TOY / "T1_detect_groups_tw10_mp1.csv")
    cols = ["object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y"]
    got = sorted(tuple(str(v) for v in r) for r in res.result[cols].itertuples(index=False))
    want = sorted(tuple(str(v) for v in r) for r in expected[cols].itertuples(index=False))
    assert got == want


# --- a generated campaign with hub objects, bursts and many ties: every engine equals python ---

@pytest.fixture(scope="module")
def campaign_runs(run_all):
    """The bench generator's data (Zipf popularity with hub objects, bursty times on a coarse
    clock: many simultaneous shares, five planted campaigns, some self-shares), rows shuffled."""
    from bench.generate import bursty_times, plant_campaigns, zipf_counts

    rng = np.random.default_rng(3)
    counts = zipf_counts(3_000, 120, 1.0, 300, rng)
    obj = np.repeat(np.arange(len(counts)), counts)
    ts = bursty_times(counts, "dense", rng) // 4
    acct = rng.integers(0, 400, size=len(obj))
    c_obj, c_acct, c_ts, _ = plant_campaigns(5, len(counts), rng, size=12, events=8)
    frame = pd.DataFrame({
        "object_id": [f"o{o}" for o in np.concatenate([obj, c_obj])],
        "account_id": [f"u{a}" for a in acct] + list(c_acct),
        "content_id": [f"c{i}" for i in range(len(obj) + len(c_obj))],
        "timestamp_share": np.concatenate([ts, c_ts // 4]).astype(np.int64),
    })
    frame.loc[::50, "content_id"] = frame.loc[::50, "object_id"]
    frame = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
    return run_all("campaign", frame, time_window=10, min_participation=2, edge_weight=0.7, fast_window=4,
                   extras={"kind": "campaign"})


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != "python"])
def test_campaign_every_column_equals_the_python_engine(campaign_runs, engine):
    ref, res = campaign_runs["python"], campaign_runs[engine]
    assert ref.summary["edges"] > 100 and 0 < ref.summary["edges_above_fast_threshold"] < ref.summary["edges"]
    assert by_pair(res.edges, ATTRS + FAST_ATTRS) == by_pair(ref.edges, ATTRS + FAST_ATTRS)
    assert (res.threshold, res.threshold_fast) == (ref.threshold, ref.threshold_fast)
    assert coshares(res.result, "time_window_4") == coshares(ref.result, "time_window_4")
    cols = ["object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y", "time_window_4"]
    oriented = sorted(tuple(str(v) for v in r) for r in res.result[cols].itertuples(index=False))
    # older/newer at ties by processing order in every engine (cypher: from SHARED.row)
    assert oriented == sorted(tuple(str(v) for v in r) for r in ref.result[cols].itertuples(index=False))
