"""The graph store on a real embedded FalkorDB: schema, loads, runs, read-only, failures."""
from __future__ import annotations

import os
import re
import signal
import socket
from pathlib import Path

import pandas as pd
import pytest

from coordgraph.analysis import simulate_data
from coordgraph.cypher import ReadOnlyViolation, StoreError, StoreUnavailable, list_runs, latest_run, server
from coordgraph.cypher import runs
from coordgraph.cypher.analyze import analyze, run_coshares, run_edges
from coordgraph.cypher.communities import compute_communities
from coordgraph.cypher.dialect import FALKORDB, NEO4J, QUERY_DIR, parse_header, query_names
from coordgraph.cypher.ingest import ingest, read_shares
from coordgraph.cypher.schema import indexed_keys
from coordgraph.cypher.store import FalkorStore, open_store

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "coortweet"


def _counts(store) -> dict:
    q = {
        "accounts": "MATCH (a:Account) RETURN count(a) AS n",
        "objects": "MATCH (o:Object) RETURN count(o) AS n",
        "posts": "MATCH (p:Post) RETURN count(p) AS n",
        "shared": "MATCH (:Account)-[s:SHARED]->(:Object) RETURN count(s) AS n",
        "posted": "MATCH (:Account)-[s:POSTED]->(:Post) RETURN count(s) AS n",
    }
    return {k: store.read(v)[0]["n"] for k, v in q.items()}


@pytest.fixture(scope="module")
def sim_shares():
    return pd.read_csv(FIX / "simulate_seed123" / "sim_input.csv.gz",
                       dtype={"object_id": str, "account_id": str, "content_id": str})


# ---------------------------------------------------------------------------- schema
def test_schema_created_and_idempotent(store):
    store.ensure_schema()  # a second time is harmless
    keys = indexed_keys(store)
    for key in [("Account", "id"), ("Post", "id"), ("Object", "id"), ("Run", "id"), ("Account", "handle")]:
        assert key in keys
    assert all(stmt.startswith("CREATE INDEX") for stmt in FALKORDB.schema_statements())
    neo = NEO4J.schema_statements()
    assert any("REQUIRE n.id IS UNIQUE" in s and "IF NOT EXISTS" in s for s in neo)


# ---------------------------------------------------------------------------- loads
def test_ingest_twice_equals_once(store, sim_shares):
    first = ingest(store, shares=sim_shares, kind="retweets")
    after_one = _counts(store)
    ingest(store, shares=sim_shares, kind="retweets")
    assert _counts(store) == after_one
    assert after_one["shared"] == len(sim_shares) == first.shares
    assert after_one["accounts"] == sim_shares["account_id"].nunique()
    back = read_shares(store).sort_values("content_id").reset_index(drop=True)
    exp = sim_shares.sort_values("content_id").reset_index(drop=True)
    assert back["content_id"].tolist() == exp["content_id"].tolist()
    assert back["timestamp_share"].tolist() == exp["timestamp_share"].tolist()
    assert set(back["kind"]) == {"retweets"}


def test_interrupted_ingest_resumes(store, sim_shares):
    """A load stopped after 3 batches resumes at batch 4 and ends equal to a full load."""
    class Stop(Exception):
        pass

    def stop_after_three(done, _rows):
        if done == 3:
            raise Stop

    with pytest.raises(Stop):
        ingest(store, shares=sim_shares, kind="retweets", batch_rows=2000, ingest_id="load-1",
               progress=stop_after_three)
    partial = _counts(store)["shared"]
    assert partial == 6000
    summary = ingest(store, shares=sim_shares, kind="retweets", batch_rows=2000, ingest_id="load-1")
    assert summary.batches_skipped == 3 and summary.batches_written == 7
    assert _counts(store)["shared"] == len(sim_shares)
    status = store.read("MATCH (i:Ingest {id: 'load-1'}) RETURN i.status AS s, i.done_batches AS d")[0]
    assert status == {"s": "complete", "d": 10}


def test_posts_and_accounts(store):
    accounts = pd.DataFrame({"account_id": ["1", "2"], "handle": ["alice", None], "platform": ["twitter"] * 2,
                             "followers_count": pd.array([10, None], dtype="Int64")})
    posts = pd.DataFrame({"post_id": ["p1", "p2", "p3"], "account_id": ["1", "1", "2"],
                          "ts": [100, 200, 300], "text": ['say "hi"\\n', "é ☃", "x"], "lang": ["en", None, "de"],
                          "hashtags": [["a", "B"], [], ["c"]]})
    ingest(store, posts=posts, accounts=accounts, post_details="graph")
    ingest(store, posts=posts, accounts=accounts, post_details="graph")
    assert _counts(store)["posts"] == 3 and _counts(store)["posted"] == 3
    row = store.read("MATCH (a:Account {id: '1'})-[:POSTED]->(p:Post {id: 'p1'}) "
                     "RETURN a.handle AS h, a.followers_count AS f, p.ts AS ts, p.text AS t")[0]
    assert row == {"h": "alice", "f": 10, "ts": 100, "t": 'say "hi"\\n'}
    assert store.read("MATCH (a:Account {id: '2'}) RETURN a.handle AS h")[0]["h"] is None
    tags = store.read("MATCH (p:Post) RETURN p.id AS id, p.hashtags AS h ORDER BY id")
    assert [t["h"] for t in tags] == [["a", "B"], [], ["c"]]


def test_bad_shares_name_row_and_field(store):
    bad = pd.DataFrame({"object_id": ["o1", " "], "account_id": ["a", "b"], "content_id": ["c1", "c2"],
                        "timestamp_share": [1, 2]})
    with pytest.raises(StoreError, match=r"row 2, field object_id"):
        ingest(store, shares=bad)
    with pytest.raises(StoreError, match=r"field timestamp_share"):
        ingest(store, shares=bad.assign(object_id="o", timestamp_share=[1, "x"]))
    with pytest.raises(StoreError, match=r"row 1, field timestamp_share: '-5'"):
        ingest(store, shares=bad.assign(object_id="o", timestamp_share=[-5, 2]))
    with pytest.raises(StoreError, match="missing column"):
        ingest(store, shares=bad.drop(columns="content_id"))
    assert _counts(store)["shared"] == 0


# ---------------------------------------------------------------------------- runs
def test_runs_are_listed_complete_only_and_rethreshold(store, sim_shares):
    ingest(store, shares=sim_shares, kind="retweets")
    run = analyze(store, time_window=10, min_participation=2, engine="cypher")
    runs.create_run(store, {"engine": "cypher"})  # an incomplete run of this live process
    listed = list_runs(store)
    assert [r["id"] for r in listed] == [run.run_id]
    assert listed[0]["params"]["time_window"] == 10 and listed[0]["counts"]["edges"] == 4950
    assert latest_run(store)["id"] == run.run_id
    assert latest_run(store, intent="urls") is None


def test_interrupted_run_leaves_nothing(store, sim_shares):
    """An error in the middle of a run deletes everything written under its id."""
    ingest(store, shares=sim_shares, kind="retweets")

    def boom(step):
        if step == "edges":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        analyze(store, time_window=10, min_participation=2, on_step=boom)
    assert store.read("MATCH (r:Run) RETURN count(r) AS n")[0]["n"] == 0
    for rel in ("COSHARE", "COORDINATED", "IN_RUN"):
        assert store.read(f"MATCH ()-[x:{rel}]->() RETURN count(x) AS n")[0]["n"] == 0


def test_store_down_mid_run_is_clear_and_leaves_no_visible_run(tmp_path, sim_shares):
    """Kill the server during a run: a clear StoreUnavailable; after a restart no run is
    visible and the abandoned one is removed by the next write."""
    home = tmp_path / "home"
    info = server.start(home)
    try:
        st = FalkorStore(info.host, info.port, "down")
        st.ensure_schema()
        ingest(st, shares=sim_shares, kind="retweets")

        def kill(step):
            if step == "participation":
                st.query("CALL db.indexes()")  # flush nothing: just prove it is up until now
                os.kill(info.pid, signal.SIGKILL)

        with pytest.raises(StoreUnavailable, match="down or unreachable"):
            analyze(st, time_window=10, min_participation=2, engine="cypher", on_step=kill)
        os.waitpid(info.pid, 0)
        assert server.status(home) is None
        info = server.start(home)
        st2 = FalkorStore(info.host, info.port, "down")
        assert list_runs(st2) == []
        leftovers = st2.query("MATCH (r:Run) RETURN r.status AS s")
        assert all(r["s"] == "incomplete" for r in leftovers)
        # the next run removes the abandoned one (its process is this one, still alive:
        # pretend it died by clearing its pid, as a crashed writer would look after a reboot)
        st2.query("MATCH (r:Run) SET r.pid = null")
        analyze(st2, time_window=10, min_participation=2)
        statuses = [r["s"] for r in st2.query("MATCH (r:Run) RETURN r.status AS s")]
        assert statuses == ["complete"]
        ids = {r["id"] for r in st2.query("MATCH ()-[c:COSHARE]->() RETURN DISTINCT c.run_id AS id")}
        assert ids == {list_runs(st2)[0]["id"]}
    finally:
        server.stop(home)


def test_unreachable_store_is_a_clear_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreUnavailable, match=f"127.0.0.1:{port}"):
        open_store(f"falkordb://127.0.0.1:{port}")
    with pytest.raises(StoreError, match="unknown store URI"):
        open_store("mysql://x")


# ---------------------------------------------------------------------------- read-only
def test_read_path_refuses_writes(store):
    store.query("CREATE (:Account {id: 'x'})")
    for q in ("CREATE (:Account {id: 'y'})", "MATCH (a:Account) SET a.handle = 'h'",
              "MATCH (a:Account) DETACH DELETE a", "MERGE (:Object {id: 'z'})",
              "MATCH (a:Account) REMOVE a.id", "CREATE INDEX FOR (n:Account) ON (n.name)",
              "CALL db.idx.fulltext.createNodeIndex('Account', 'name')"):
        with pytest.raises(ReadOnlyViolation, match="only read-only queries"):
            store.read(q)
    assert store.read("MATCH (a:Account) RETURN a.id AS id, a.handle AS h") == [{"id": "x", "h": None}]


# ---------------------------------------------------------------------------- communities
def test_communities_written_back_recover_campaigns(store):
    sim = simulate_data(n_accounts_coord=30, n_accounts_noncoord=40, n_objects=30, n_campaigns=3, seed=9)
    ingest(store, shares=sim.shares, kind="retweets")
    run = analyze(store, time_window=10, min_participation=2)
    table = compute_communities(store, run.run_id)
    rows = store.run_file("webapp_community_members", {"run_id": run.run_id, "community": 0})
    assert len(rows) == (table["community"] == 0).sum() > 0
    stored = store.read("MATCH (a:Account)-[i:IN_RUN]->(:Run {id: $id}) RETURN a.id AS a, i.community AS c, "
                        "i.pagerank AS pr, i.strength AS s, i.degree AS d", {"id": run.run_id})
    assert {r["a"] for r in stored} == sim.coordinated_accounts
    by_campaign = {}
    for r in stored:
        by_campaign.setdefault(sim.campaigns[r["a"]], set()).add(r["c"])
        assert r["pr"] > 0 and r["s"] >= r["d"] > 0
    assert all(len(c) == 1 for c in by_campaign.values()) and len(by_campaign) == 3
    meta = store.read("MATCH (r:Run {id: $id}) RETURN r.community_algorithm AS a, r.n_communities AS n",
                      {"id": run.run_id})[0]
    assert meta == {"a": "igraph.leiden", "n": 3}
    edges = run_edges(store, run.run_id)
    strength = pd.concat([edges[["account_id", "weight"]],
                          edges[["account_id_y", "weight"]].rename(columns={"account_id_y": "account_id"})]) \
        .groupby("account_id")["weight"].sum()
    assert all(strength[r["a"]] == r["s"] for r in stored)


# ---------------------------------------------------------------------------- query files
OWN_PREFIXES = ("detect_", "run_", "gds_", "research_")


def test_every_own_query_documents_its_parameters():
    """Each parameter used in a query file is named in its header comment."""
    checked = 0
    for path in sorted(QUERY_DIR.glob("*.cypher")):
        if not path.name.startswith(OWN_PREFIXES):
            continue
        text = path.read_text()
        body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
        documented = parse_header(text)
        used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))
        assert used <= set(documented), f"{path.name}: undocumented {used - set(documented)}"
        checked += 1
    assert checked >= 10
    assert "research_cluster_members" in query_names()


def test_run_file_rejects_bad_names(store):
    with pytest.raises(StoreError, match="no query named"):
        store.run_file("nope")
    with pytest.raises(StoreError, match="bad query name"):
        store.run_file("../secrets")


def test_research_queries_on_a_planted_campaign(store):
    """The documented research queries return what they promise on a known network."""
    sim = simulate_data(n_accounts_coord=20, n_accounts_noncoord=30, n_objects=25, n_campaigns=2, seed=4)
    ingest(store, shares=sim.shares, kind="retweets")
    run = analyze(store, time_window=10, min_participation=2, fast_window=5)
    other = analyze(store, time_window=4, min_participation=2)
    compute_communities(store, run.run_id)
    compute_communities(store, other.run_id)
    edges = run_edges(store, run.run_id)
    a, b, weight = edges.iloc[0][["account_id", "account_id_y", "weight"]]
    prov = store.run_file("research_edge_coshares", {"run_id": run.run_id, "account_id": b, "account_id_y": a})
    assert len(prov) == weight
    assert all({p["older_account"], p["newer_account"]} == {a, b} and p["seconds_apart"] <= 10
               and p["newer_ts"] - p["older_ts"] == p["seconds_apart"] for p in prov)
    top = store.run_file("research_top_accounts", {"run_id": run.run_id, "limit": 5})
    assert len(top) == 5 and [t["strength"] for t in top] == sorted([t["strength"] for t in top], reverse=True)
    comms = store.run_file("research_communities", {"run_id": run.run_id})
    assert [c["accounts"] for c in comms] == [10, 10]
    members = store.run_file("research_cluster_members", {"run_id": run.run_id, "community": 0, "max_objects": 2})
    assert len(members) == 10 and all(len(m["objects"]) <= 2 < m["n_objects"] for m in members)
    assert len({sim.campaigns[m["account_id"]] for m in members}) == 1
    objects = store.run_file("research_cluster_objects", {"run_id": run.run_id, "community": 0, "limit": 100})
    inside = run_coshares(store, run.run_id)
    inside = inside[inside["account_id"].isin({m["account_id"] for m in members})]
    assert sum(o["coshares"] for o in objects) == len(inside)
    timeline = store.run_file("research_cluster_timeline",
                              {"run_id": run.run_id, "community": 0, "bucket_seconds": 3600})
    assert sum(t["coshares"] for t in timeline) == len(inside)
    assert all(t["bucket_start"] % 3600 == 0 for t in timeline)
    both = store.run_file("research_accounts_in_two_runs",
                          {"run_id": run.run_id, "run_id_y": other.run_id, "limit": 1000})
    other_accounts = set(run_edges(store, other.run_id)[["account_id", "account_id_y"]].stack())
    assert {r["account_id"] for r in both} == other_accounts & sim.coordinated_accounts
    listed = store.run_file("research_runs")
    assert {r["id"] for r in listed} == {run.run_id, other.run_id}


def test_run_without_coordination_is_complete_and_empty(store):
    shares = pd.DataFrame({"object_id": ["o1", "o1", "o2"], "account_id": ["a", "b", "a"],
                           "content_id": ["1", "2", "3"], "timestamp_share": [0, 100, 200]})
    ingest(store, shares=shares, kind="urls")
    for engine in ("cypher", "python"):
        run = analyze(store, time_window=10, min_participation=1, fast_window=5, engine=engine)
        assert (run.coshares, run.edges, run.accounts, run.threshold) == (0, 0, 0, None)
        assert compute_communities(store, run.run_id).empty
    assert len(list_runs(store)) == 2


def test_neo4j_uri_without_server_or_password_is_clear(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(StoreError, match="set NEO4J_PASSWORD"):
        open_store(f"bolt://127.0.0.1:{port}")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    with pytest.raises(StoreUnavailable, match=f"cannot reach Neo4j at bolt://127.0.0.1:{port}"):
        open_store(f"bolt://127.0.0.1:{port}")


def test_communities_above_threshold_leave_no_stale_values(store):
    sim = simulate_data(n_accounts_coord=20, n_accounts_noncoord=20, n_objects=20, n_campaigns=2, seed=3)
    ingest(store, shares=sim.shares, kind="retweets")
    run = analyze(store, time_window=10, min_participation=2, edge_weight=0.8)
    full = compute_communities(store, run.run_id)
    part = compute_communities(store, run.run_id, above_threshold=True, algorithm="louvain")
    assert len(part) < len(full)
    stored = store.read("MATCH (a:Account)-[i:IN_RUN]->(:Run {id: $id}) RETURN a.id AS a, i.community AS c, "
                        "i.strength AS s", {"id": run.run_id})
    with_community = {r["a"] for r in stored if r["c"] is not None}
    assert with_community == set(part["account_id"])
    assert all(r["s"] > 0 for r in stored)  # the whole network's strength stays
