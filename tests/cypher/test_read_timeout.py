"""Time limits on the read-only path, on a real embedded FalkorDB (GRAPH.RO_QUERY ... TIMEOUT)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from coordgraph.cli import app
from coordgraph.cypher.errors import QueryError
from coordgraph.cypher.store import QueryTimeout

# 2,000 accounts: the triple cartesian product counts 8e9 rows, minutes of work for the store
RUNAWAY = "MATCH (a:Account), (b:Account), (c:Account) RETURN count(*) AS n"


@pytest.fixture
def accounts(store):
    store.query("UNWIND range(1, 2000) AS i CREATE (:Account {id: toString(i)})")
    return store


def test_read_over_its_limit_is_stopped_with_one_clear_line(accounts):
    with pytest.raises(QueryTimeout) as err:  # raised from the store's own timeout error:
        accounts.read(RUNAWAY, timeout_s=0.3)  # the query was stopped there, not run to the end
    assert isinstance(err.value, QueryError)  # shown as one line wherever QueryError is
    msg = str(err.value)
    assert "time limit of 0.3 s" in msg and "--timeout" in msg and "\n" not in msg
    # the store is fine afterwards, and a quick query within its limit runs normally
    assert accounts.read("MATCH (a:Account) RETURN count(a) AS n", timeout_s=600) == [{"n": 2000}]
    assert accounts.read_table("MATCH (a:Account) RETURN count(a) AS n", timeout_s=600)["n"].tolist() == [2000]


def test_no_limit_by_default_on_the_api(accounts):
    """Without ``timeout_s`` nothing changes for coordgraph's own reads."""
    rows = accounts.read("MATCH (a:Account), (b:Account) WHERE a.id = '1' RETURN count(*) AS n")
    assert rows == [{"n": 2000}]


def test_cypher_command_timeout(accounts, store_uri):
    runner = CliRunner()
    res = runner.invoke(app, ["cypher", RUNAWAY, "--timeout", "0.3", "--store", store_uri])
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "time limit of 0.3 s" in lines[0], res.output
    ok = runner.invoke(app, ["cypher", "MATCH (a:Account) RETURN count(a) AS n", "-f", "json",
                             "--store", store_uri])
    assert ok.exit_code == 0 and '"n": 2000' in ok.output, ok.output


def test_read_table_fast_matches_read_and_keeps_the_limit(accounts, embedded_server):
    """``read_table(fast=True)`` (FalkorDB's plain reply) gives the same rows as ``read``, with
    floats as text, honours parameters and the time limit, and reads a missing graph as empty."""
    q = "MATCH (a:Account) WHERE toInteger(a.id) <= $n RETURN a.id AS id, toInteger(a.id) / 2.0 AS half ORDER BY id"
    exact = accounts.read_table(q, {"n": 3})
    fast = accounts.read_table(q, {"n": 3}, fast=True)
    assert list(fast.columns) == ["id", "half"] and fast["id"].tolist() == exact["id"].tolist() == ["1", "2", "3"]
    assert fast["half"].astype(float).tolist() == exact["half"].tolist() == [0.5, 1.0, 1.5]
    with pytest.raises(QueryTimeout):
        accounts.read_table(RUNAWAY, timeout_s=0.3, fast=True)
    from coordgraph.cypher.store import FalkorStore

    with FalkorStore(embedded_server.host, embedded_server.port, "no_such_graph_here") as empty:
        assert empty.read_table(q, {"n": 3}, fast=True).empty
