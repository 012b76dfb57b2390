"""Store-side bugs met by an investigator (issue 15), each on the real embedded FalkorDB:

- ``coordgraph cypher`` crashed with "File name too long" on any query over ~250 characters;
- library queries picked in the console were filled with ``limit: null`` and failed;
- read-only ``db.idx.fulltext.queryNodes`` and ``dbms.procedures()`` were refused as writes;
- the console's 1,000-row cap was applied after fetching every row;
- after ``coordgraph db start`` came back on a new port the running web app never recovered.
"""
from __future__ import annotations

import urllib.request

import orjson
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app
from coordgraph.cypher import server
from coordgraph.cypher.errors import QueryError
from coordgraph.cypher.store import limit_rows, open_store
from coordgraph.webapp.console import (READ_ONLY_PROCEDURES, WriteRefused, check_read_only, library_params,
                                       query_library, run_console_query)

runner = CliRunner()


def invoke(*args, **env):
    return runner.invoke(app, [str(a) for a in args], env=env or None, catch_exceptions=False)


def test_cypher_command_takes_long_query_text(store, store_uri):
    store.query("UNWIND range(1, 5) AS i CREATE (:Account {id: toString(i), n: i})")
    padding = " AND ".join(f"a.n <> {-k}" for k in range(1, 60))  # always true, makes the text long
    query = f"MATCH (a:Account) WHERE a.n >= $lo AND {padding} RETURN a.id AS id ORDER BY id"
    assert len(query) > 600
    res = invoke("cypher", query, "-p", "lo=4", "-f", "json", "--store", store_uri)
    assert res.exit_code == 0, res.output
    assert orjson.loads(res.stdout) == [{"id": "4"}, {"id": "5"}]
    # a library name and a missing .cypher file still behave as before
    res = invoke("cypher", "research_runs", "-f", "json", "--store", store_uri)
    assert res.exit_code == 0 and orjson.loads(res.stdout) == []
    res = invoke("cypher", "nope/missing.cypher", "--store", store_uri)
    assert res.exit_code == 2 and "nope/missing.cypher" in res.output


def _ranked_run(store):
    """A run with three accounts of strength 5, 3 and 1 (top accounts by hand: c, a, b)."""
    store.query("CREATE (r:Run {id: 'r1'}) WITH r UNWIND $rows AS row "
                "CREATE (:Account {id: row.id, handle: row.id})-[:IN_RUN {run_id: 'r1', community: 0, "
                "degree: 1, strength: row.s, pagerank: 0.1}]->(r)",
                {"rows": [{"id": "a", "s": 3}, {"id": "b", "s": 1}, {"id": "c", "s": 5}]})


def test_library_query_gets_a_limit_not_null(store):
    _ranked_run(store)
    lib = {q.name: q for q in query_library()}
    text = lib["research_top_accounts"].text
    params = library_params(text, "r1")
    assert params == {"run_id": "r1", "limit": 100}
    with pytest.raises(QueryError):  # what the console sent before: LIMIT null
        store.read(text, {"run_id": "r1", "limit": None})
    res = run_console_query(store, text, {"run_id": "r1", "limit": None})  # a null left in the box
    assert [r["account_id"] for r in res.rows] == ["c", "a", "b"] and res.message == "3 rows"
    res = run_console_query(store, text, params)
    assert [r["strength"] for r in res.rows] == [5, 3, 1]


def _wait_index_operational(store, tries: int = 600) -> None:
    """FalkorDB builds a new index in the background: poll db.indexes() until every index is
    OPERATIONAL (a bounded number of polls, no wall-clock assertion)."""
    import time

    for _ in range(tries):
        rows = store.read("CALL db.indexes() YIELD status RETURN status")
        if all(r["status"] == "OPERATIONAL" for r in rows):
            return
        time.sleep(0.05)
    raise AssertionError("the full-text index never became OPERATIONAL")


def test_read_only_procedures_pass_and_writing_ones_are_refused(store):
    store.query("UNWIND ['anna_k', 'bob', 'anna_z'] AS h CREATE (:Account {id: h, handle: h})")
    store.query("CALL db.idx.fulltext.createNodeIndex('Account', 'handle')")
    _wait_index_operational(store)
    check_read_only("CALL db.idx.fulltext.queryNodes('Account', 'bob') YIELD node RETURN node.id")
    check_read_only("CALL dbms.procedures()")
    check_read_only("CALL gds.pageRank.stream('g') YIELD nodeId RETURN nodeId")
    res = run_console_query(store, "CALL db.idx.fulltext.queryNodes('Account', 'bob') YIELD node "
                                   "RETURN node.id AS id")
    assert res.rows == [{"id": "bob"}]
    procs = run_console_query(store, "CALL dbms.procedures() YIELD name RETURN name ORDER BY name")
    names = [r["name"] for r in procs.rows]
    assert "db.idx.fulltext.queryNodes" in names and "db.labels" in names
    assert "db.idx.fulltext.querynodes" in READ_ONLY_PROCEDURES
    assert run_console_query(store, "CALL dbms.procedures()").rows  # a bare CALL, no RETURN
    for q in ["CALL db.idx.fulltext.createNodeIndex('Account', 'id')", "CALL db.idx.fulltext.drop('Account')",
              "CALL apoc.create.node(['X'], {})", "CALL gds.pageRank.write('g', {})", "CALL my.own.proc()"]:
        with pytest.raises(WriteRefused, match="read-only"):
            check_read_only(q)


def test_console_cap_is_applied_in_the_store(store):
    """Row 1,002 divides by zero: a query evaluated to its end fails, one stopped by the store
    after the rows the console shows (1,000 and one more to know there are more) does not."""
    query = "UNWIND range(1, 5000) AS i RETURN i, 1 / (1002 - i) AS x"
    with pytest.raises(QueryError, match="(?i)division by zero"):
        store.read(query)  # the whole result: the store reaches row 1,002
    res = run_console_query(store, query)
    assert len(res.rows) == 1000 and res.rows[-1] == {"i": 1000, "x": 0} and res.columns == ["i", "x"]
    assert "first 1,000" in res.message
    # queries with their own LIMIT, UNION or a final CALL {} are wrapped, the others get a LIMIT
    assert limit_rows("MATCH (a) RETURN a ORDER BY a.id;", 5) == "MATCH (a) RETURN a ORDER BY a.id\nLIMIT 5"
    assert limit_rows("MATCH (a) RETURN a LIMIT 3", 5) == "MATCH (a) RETURN a LIMIT 3"
    assert limit_rows("MATCH (a) RETURN a LIMIT $n", 5).startswith("CALL {")
    assert limit_rows("RETURN 1 AS x UNION RETURN 2 AS x", 5).startswith("CALL {")
    assert limit_rows("CALL dbms.procedures()", 5) is None
    two = run_console_query(store, "UNWIND range(1, 5000) AS i RETURN i AS x LIMIT $n "
                                   "UNION UNWIND range(1, 3) AS i RETURN -i AS x", {"n": 4000}, max_rows=10)
    assert len(two.rows) == 10 and "first 10" in two.message


def test_web_app_recovers_when_the_store_comes_back_on_a_new_port(tmp_path, monkeypatch):
    """The app (real HTTP on loopback) over the embedded store; the store is stopped and started
    again on another port; the next page load works without restarting the app."""
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.server import AppServer

    home = tmp_path / "home"
    monkeypatch.setenv("COORDGRAPH_HOME", str(home))
    st = open_store(None, graph="app")
    srv = AppServer(create_app(st), "127.0.0.1", 0).start()
    try:
        def layout() -> str:
            with urllib.request.urlopen(srv.url + "/_dash-layout", timeout=30) as resp:
                return resp.read().decode()

        assert "no analysis run" in layout()
        first = server.status(home).port
        assert server.stop(home)
        assert "not reachable" in layout()
        info = server.start(home)
        assert info.port != first
        assert "no analysis run" in layout()
    finally:
        srv.stop()
        st.close()
        server.stop(home)
