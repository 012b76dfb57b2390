"""Integration tests against a real Neo4j 5 (with GDS when installed).

They run only when NEO4J_URI is set (with NEO4J_USER / NEO4J_PASSWORD), e.g. against the
docker-compose service: ``NEO4J_URI=bolt://localhost:7687 NEO4J_PASSWORD=... pytest -m neo4j``.
WARNING: they delete everything in that database - point them at a disposable one.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from coordgraph.analysis import simulate_data
from coordgraph.cypher import ReadOnlyViolation, list_runs, open_store
from coordgraph.cypher.analyze import analyze, run_edges
from coordgraph.cypher.communities import compute_communities
from coordgraph.cypher.ingest import ingest
from coordgraph.cypher.schema import indexed_keys

pytestmark = [
    pytest.mark.neo4j,
    pytest.mark.skipif(not os.environ.get("NEO4J_URI"),
                       reason="no Neo4j: set NEO4J_URI (and NEO4J_USER/NEO4J_PASSWORD) to a disposable database"),
]
SIM = Path(__file__).resolve().parents[1] / "fixtures" / "coortweet" / "simulate_seed123" / "sim_input.csv.gz"


@pytest.fixture
def neo4j_store():
    store = open_store(os.environ["NEO4J_URI"])
    store.clear()
    store.ensure_schema()
    yield store
    store.clear()
    store.close()


def test_schema_constraints(neo4j_store):
    keys = indexed_keys(neo4j_store)
    assert ("Account", "id") in keys and ("COORDINATED", "run_id") in keys
    neo4j_store.ensure_schema()


def test_sim_both_engines_on_neo4j(neo4j_store):
    shares = pd.read_csv(SIM, dtype={"object_id": str, "account_id": str, "content_id": str})
    ingest(neo4j_store, shares=shares, kind="retweets")
    ingest(neo4j_store, shares=shares, kind="retweets")
    assert neo4j_store.read("MATCH ()-[s:SHARED]->() RETURN count(s) AS n")[0]["n"] == len(shares)
    edges = {}
    for engine in ("cypher", "python"):
        run = analyze(neo4j_store, time_window=10, min_participation=2, fast_window=5, engine=engine)
        assert (run.coshares, run.edges, run.threshold, run.edges_above) == (9954, 4950, 2, 54)
        edges[engine] = run_edges(neo4j_store, run.run_id).drop(columns=[]).astype(str)
    pd.testing.assert_frame_equal(edges["cypher"], edges["python"])
    assert len(list_runs(neo4j_store)) == 2


def test_read_only_on_neo4j(neo4j_store):
    with pytest.raises(ReadOnlyViolation):
        neo4j_store.read("CREATE (:Account {id: 'x'})")
    assert neo4j_store.read("MATCH (a:Account) RETURN count(a) AS n")[0]["n"] == 0


def test_communities_gds_or_fallback(neo4j_store):
    sim = simulate_data(n_accounts_coord=30, n_accounts_noncoord=30, n_objects=30, n_campaigns=3, seed=2)
    ingest(neo4j_store, shares=sim.shares, kind="retweets")
    run = analyze(neo4j_store)
    table = compute_communities(neo4j_store, run.run_id)
    found = dict(zip(table["account_id"], table["community"]))
    groups = {}
    for account, campaign in sim.campaigns.items():
        groups.setdefault(campaign, set()).add(found[account])
    assert all(len(g) == 1 for g in groups.values()) and len(groups) == 3
    algo = neo4j_store.read("MATCH (r:Run {id: $id}) RETURN r.community_algorithm AS a", {"id": run.run_id})[0]["a"]
    assert algo == ("gds.leiden" if neo4j_store.has_gds() else "igraph.leiden")
