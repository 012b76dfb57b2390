"""How a run's rows reach the store (issue 14: analyze on 10M stored shares).

- ``rows_literal``: parameter text built column-wise, checked against text written by hand;
- ``Store.write_rows``: values come back from the real FalkorDB with their types;
- ``Store.create_relationships``: FalkorDB's GRAPH.BULK append and the generic
  UNWIND/MATCH/CREATE path build the same relationships; a match on their run_id finds them;
  a missing end node is an error with nothing written; they survive a crash of the server
  (the persistence log replays the bulk call).
"""
from __future__ import annotations

import os
import signal
import time

import numpy as np
import orjson
import pandas as pd
import pytest

from coordgraph.cypher.rows import rows_literal
from coordgraph.cypher.store import FalkorStore, QueryError, RelationshipTable, Store, StoreError


def test_rows_literal_text_written_by_hand():
    cols = [pd.Series(["a", 'b"c', "d\\e", None]), pd.Series([1, 2, 3, 4]),
            pd.Series([0.5, 3.0, np.nan, 1e-7]), pd.Series([True, False, True, None], dtype="boolean")]
    assert rows_literal(cols) == ('[["a",1,0.5,true],["b\\"c",2,3.0,false],["d\\\\e",3,null,true],'
                                  '[null,4,1e-7,null]]')
    assert rows_literal([pd.Series([], dtype=object)]) == "[]"
    with pytest.raises(ValueError, match="infinite"):
        rows_literal([pd.Series([1.0, np.inf])])


def test_write_rows_round_trip_keeps_values_and_types(store):
    ids = ["x", 'q"uote', "back\\slash", "ünï ✓"]
    store.write_rows("UNWIND $rows AS r CREATE (:Probe {id: r[0], i: r[1], f: r[2], s: r[3], tag: $tag})",
                     [ids, pd.Series([1, None, -3, 2**40], dtype="Int64"), pd.Series([3.0, 0.1 + 0.2, np.nan, 1e20]),
                      pd.Series(["t", None, "", "z"], dtype=object)], {"tag": "p"}, batch=3)
    rows = {r["id"]: r for r in store.read("MATCH (n:Probe) RETURN n.id AS id, n.i AS i, n.f AS f, n.s AS s, "
                                           "n.tag AS tag, keys(n) AS k")}
    assert set(rows) == set(ids)
    assert rows["x"]["i"] == 1 and isinstance(rows["x"]["i"], int)
    assert rows["x"]["f"] == 3.0 and isinstance(rows["x"]["f"], float)   # a whole float stays a float
    assert rows['q"uote']["f"] == pytest.approx(0.30000000000000004) and "i" not in rows['q"uote']["k"]
    assert "f" not in rows["back\\slash"]["k"] and rows["back\\slash"]["s"] == ""
    assert rows["ünï ✓"]["i"] == 2**40 and rows["ünï ✓"]["f"] == 1e20
    assert {r["tag"] for r in rows.values()} == {"p"}


def _accounts(store, n=6):
    store.query("UNWIND range(0, $n - 1) AS i CREATE (:Account {id: 'a' + toString(i)})", {"n": n})
    store.query("CREATE (:Run {id: 'r1'})")


def _tables():
    return [RelationshipTable("COORDINATED", "Account", ["a0", "a1", "a2"], "Account", ["a1", "a2", "a5"],
                              {"run_id": ["r1"] * 3, "weight": pd.Series([3, 1, 2]),
                               "avg_time_delta": pd.Series([1.5, np.nan, 2.0]),
                               "significant": pd.Series([True, False, None], dtype="boolean")}),
            RelationshipTable("IN_RUN", "Account", ["a0", "a1"], "Run", ["r1", "r1"],
                              {"run_id": ["r1", "r1"], "degree": pd.Series([1, 2]), "strength": pd.Series([3, 4])})]


def _dump(store):
    rows = store.read("MATCH (a)-[r]->(b) RETURN type(r) AS t, a.id AS a, b.id AS b, properties(r) AS p")
    return sorted(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in rows)


@pytest.fixture
def other_graph(embedded_server):
    st = FalkorStore(embedded_server.host, embedded_server.port, f"other_{os.getpid()}_{time.time_ns()}")
    st.ensure_schema()
    yield st
    st.clear()
    st.close()


def test_bulk_append_and_unwind_create_build_the_same_relationships(store, other_graph):
    _accounts(store)
    _accounts(other_graph)
    assert store.create_relationships(_tables()) == 5                 # FalkorDB: GRAPH.BULK, no BEGIN
    assert Store.create_relationships(other_graph, _tables()) == 5    # the generic path
    assert _dump(store) == _dump(other_graph)
    got = store.read("MATCH (a:Account)-[e:COORDINATED {run_id: 'r1'}]->(b:Account) "
                     "RETURN a.id AS a, b.id AS b, e.weight AS w, e.avg_time_delta AS d, e.significant AS s, "
                     "keys(e) AS k ORDER BY a")
    assert [(r["a"], r["b"], r["w"], r["d"], r["s"]) for r in got] == [
        ("a0", "a1", 3, 1.5, True), ("a1", "a2", 1, None, False), ("a2", "a5", 2, 2.0, None)]
    assert "avg_time_delta" not in got[1]["k"] and "significant" not in got[2]["k"]  # missing: no property
    assert store.read("MATCH (:Account)-[i:IN_RUN]->(:Run {id: 'r1'}) RETURN sum(i.strength) AS s") == [{"s": 7}]


@pytest.mark.parametrize("accounts", [2, 400])  # ends read by a scan of the label / looked up by index
def test_a_missing_end_node_is_an_error_and_nothing_is_written(store, accounts):
    _accounts(store, accounts)
    table = RelationshipTable("COORDINATED", "Account", ["a0", "a1"], "Account", ["a1", "nobody"],
                              {"run_id": ["r1", "r1"]})
    with pytest.raises(StoreError, match="1 Account node.*'nobody'"):
        store.create_relationships([table])
    assert store.read("MATCH ()-[e]->() RETURN count(e) AS n") == [{"n": 0}]
    table.end_keys = ["a1", "a0"]
    assert store.create_relationships([table]) == 2
    assert sorted((r["a"], r["b"]) for r in store.read("MATCH (a)-[:COORDINATED]->(b) RETURN a.id AS a, b.id AS b")) \
        == [("a0", "a1"), ("a1", "a0")]
    with pytest.raises(ValueError, match="plain name"):
        store.create_relationships([RelationshipTable("X]->() DELETE", "Account", ["a0"], "Account", ["a1"])])


def test_bulk_appended_relationships_survive_a_crash(tmp_path):
    """The bulk call is in the server's persistence log like any write: after a SIGKILL the
    replayed graph has the relationships, found by their run_id."""
    from coordgraph.cypher import server

    home = tmp_path / "home"
    info = server.start(home)
    try:
        with FalkorStore(info.host, info.port, "g") as st:
            st.ensure_schema()
            _accounts(st)
            st.create_relationships(_tables())
        os.kill(info.pid, signal.SIGKILL)
        while server.pid_alive(info.pid):
            try:
                os.waitpid(info.pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.02)
        info = server.start(home)
        with FalkorStore(info.host, info.port, "g") as st:
            assert st.read("MATCH ()-[e:COORDINATED {run_id: 'r1'}]->() RETURN count(e) AS n, sum(e.weight) AS w") \
                == [{"n": 3, "w": 6}]
            assert st.read("MATCH ()-[i:IN_RUN {run_id: 'r1'}]->() RETURN count(i) AS n") == [{"n": 2}]
    finally:
        server.stop(home)


def test_store_errors_are_query_errors_not_crashes(store):
    with pytest.raises(QueryError):
        store.write_rows("UNWIND $rows AS r CREATE (:P {id: r[0]}) RETURN nosuchfunction(r)", [["a"]])
