"""The field's methods as runs of the one run layer: ``detect --method qut|cosine --store`` and
``analyze --method qut|cosine`` on stored shares write a normal run (Run node with its method
and parameters, COORDINATED edges with the method's weight, IN_RUN) whose stored edges equal
the files the method writes, and QUT's directed weights come back exactly.

Expected values: the QUT toolkit's test data worked by hand in tests/analysis/test_qut.py
(window 60 s: uid0->uid1 2, uid1->uid0 1, uid2<->uid3 1, uid4<->uid5 2) and the cosine case
of tests/analysis/test_methods_cli.py (four pairs of identical vectors, cosine 1).
"""
from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app
from tests.analysis.test_qut import ROWS

runner = CliRunner()
#: tests/analysis/test_qut.py, window 60 s, no loops: (user_1, user_2) -> weight
QUT_60 = {("uid0", "uid1"): 2, ("uid1", "uid0"): 1, ("uid2", "uid3"): 1, ("uid3", "uid2"): 1,
          ("uid4", "uid5"): 2, ("uid5", "uid4"): 2}
COSINE_PAIRS = {("uid0", "uid1"), ("uid2", "uid3"), ("uid4", "uid5"), ("uid11", "uid12")}
COSINE_PARAMS = ["--param", "tfidf=false", "--param", "min_features=1", "--param", "top_percentile=none"]


@pytest.fixture
def shares_csv(tmp_path):
    frame = pd.DataFrame(ROWS, columns=["content_id", "account_id", "object_id", "timestamp_share"])
    path = tmp_path / "shares.csv"
    frame[["object_id", "account_id", "content_id", "timestamp_share"]].to_csv(path, index=False)
    return path


def stored_edges(store, run_id: str) -> pd.DataFrame:
    rows = store.read("MATCH (a:Account)-[e:COORDINATED {run_id: $r}]->(b:Account) RETURN a.id AS account_id, "
                      "b.id AS account_id_y, e.weight AS weight, e.n_content_id AS n_content_id, "
                      "e.n_content_id_y AS n_content_id_y, e.weight_threshold AS weight_threshold, "
                      "e.support AS support ORDER BY account_id, account_id_y", {"r": run_id})
    return pd.DataFrame(rows)


def directed(edges: pd.DataFrame) -> dict:
    from coordgraph.analysis.methods.qut import directed_edges

    return {(a, b): int(w) for a, b, w in directed_edges(edges).itertuples(index=False)}


def run_node(store, run_id: str) -> dict:
    row = store.read("MATCH (r:Run {id: $r}) RETURN r.method AS method, r.params AS params, r.status AS status, "
                     "r.engine AS engine", {"r": run_id})[0]
    return {**row, "params": json.loads(row["params"])}


def test_detect_qut_store_equals_its_files_and_the_toolkit(store, store_uri, shares_csv, tmp_path):
    out = tmp_path / "qut"
    res = runner.invoke(app, ["detect", str(shares_csv), "--out", str(out), "--method", "qut", "--time-window", "60",
                              "--store", "--store-uri", store_uri])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    run_id = summary["run_id"]
    node = run_node(store, run_id)
    assert node["status"] == "complete" and node["method"] == "qut" and node["engine"] == "python"
    assert {k: node["params"][k] for k in ("method", "time_window", "network", "min_edge_weight", "loops")} == \
        {"method": "qut", "time_window": 60, "network": "co_retweet", "min_edge_weight": 1, "loops": False}
    assert summary["method"] == "qut" and summary["params"]["network"] == "co_retweet"
    got = stored_edges(store, run_id)
    files = pd.read_csv(out / "edges.csv", dtype={"account_id": str, "account_id_y": str})
    cols = ["account_id", "account_id_y", "weight", "n_content_id", "n_content_id_y", "weight_threshold"]
    assert got[cols].astype(object).where(got[cols].notna(), None).values.tolist() == \
        files[cols].astype(object).where(files[cols].notna(), None).values.tolist()
    # both directions kept: the store's edges give the toolkit's directed network back
    assert directed(got) == QUT_60
    toolkit = pd.read_csv(out / "directed_edges.csv")
    assert {(a, b): w for a, b, w in toolkit.itertuples(index=False)} == QUT_60
    # IN_RUN: degree 1 each, strength = the larger direction (2, 2, 1, 1, 2, 2)
    strength = {r["a"]: r["s"] for r in store.read(
        "MATCH (a:Account)-[i:IN_RUN]->(:Run {id: $r}) RETURN a.id AS a, i.strength AS s", {"r": run_id})}
    assert strength == {"uid0": 2, "uid1": 2, "uid2": 1, "uid3": 1, "uid4": 2, "uid5": 2}


def test_analyze_methods_on_stored_shares(store, store_uri, shares_csv, tmp_path):
    res = runner.invoke(app, ["ingest", "--shares-table", str(shares_csv), "-i", "retweets", "--store", store_uri])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["analyze", "--method", "qut", "--time-window", "60", "--store", store_uri])
    assert res.exit_code == 0, res.output
    from coordgraph.cypher.runs import list_runs

    qut_run = list_runs(store)[0]
    assert qut_run["method"] == "qut" and qut_run["counts"]["edges"] == 3
    assert directed(stored_edges(store, qut_run["id"])) == QUT_60
    # the same method on the file: its files equal the stored run
    out = tmp_path / "qut"
    assert runner.invoke(app, ["detect", str(shares_csv), "--out", str(out), "--method", "qut",
                               "--time-window", "60"]).exit_code == 0
    assert directed(pd.read_csv(out / "edges.csv")) == QUT_60

    res = runner.invoke(app, ["analyze", "--method", "cosine", *COSINE_PARAMS, "--store", store_uri])
    assert res.exit_code == 0, res.output
    cos_run = next(r for r in list_runs(store) if r["method"] == "cosine")  # both may have the same second
    assert cos_run["method"] == "cosine" and cos_run["params"]["tfidf"] is False
    got = stored_edges(store, cos_run["id"])
    assert set(zip(got.account_id, got.account_id_y)) == COSINE_PAIRS
    assert (got["weight"].round(12) == 1).all() and (got["weight_threshold"] == 1).all()
    out = tmp_path / "cos"
    assert runner.invoke(app, ["detect", str(shares_csv), "--out", str(out), "--method", "cosine",
                               *COSINE_PARAMS]).exit_code == 0
    files = pd.read_csv(out / "edges.csv", dtype={"account_id": str, "account_id_y": str})
    assert files[["account_id", "account_id_y", "support"]].values.tolist() == \
        got[["account_id", "account_id_y", "support"]].values.tolist()
    assert (files["weight"] - got["weight"]).abs().max() < 1e-12
    # CooRTweet's re-threshold is refused on a method run; a CooRTweet option is refused with a method
    res = runner.invoke(app, ["analyze", "--run-id", cos_run["id"], "--edge-weight", "0.9", "--store", store_uri])
    assert res.exit_code == 2 and "cosine run" in res.output
    res = runner.invoke(app, ["analyze", "--method", "qut", "--fast-window", "5", "--store", store_uri])
    assert res.exit_code == 2 and "--fast-window" in res.output


def test_load_run_of_a_method_directory(store, store_uri, shares_csv, tmp_path):
    out = tmp_path / "qut"
    assert runner.invoke(app, ["detect", str(shares_csv), "--out", str(out), "--method", "qut",
                               "--time-window", "60"]).exit_code == 0
    res = runner.invoke(app, ["load-run", str(out), "--store", store_uri])
    assert res.exit_code == 0, res.output
    from coordgraph.cypher.runs import list_runs

    run = list_runs(store)[0]
    assert run["method"] == "qut" and directed(stored_edges(store, run["id"])) == QUT_60
