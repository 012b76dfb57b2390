"""The console's read-only rule, the bind/password rule and the login flow."""
from __future__ import annotations

import pytest

from coordgraph.webapp.auth import BindRefused, check_bind, is_loopback, resolve_password
from coordgraph.webapp.console import (WriteRefused, check_read_only, parse_params, query_library,
                                       run_console_query)


@pytest.mark.parametrize("q", [
    "CREATE (n:X)", "match (n) detach delete n", "MATCH (n) SET n.x = 1", "MERGE (a:A {id: 1})",
    "MATCH (n) REMOVE n.x", "DROP INDEX ON :A(id)", "LOAD CSV FROM 'file:///x' AS r RETURN r",
    "MATCH (n) FOREACH (x IN [1] | CREATE (:Y))", "CALL gds.pageRank.write('g', {})",
    "MATCH (a)\n// harmless\nDELETE a",
])
def test_writes_are_refused(q):
    with pytest.raises(WriteRefused, match="read-only"):
        check_read_only(q)


@pytest.mark.parametrize("q", [
    "MATCH (a:Account) RETURN a.id", "RETURN 'CREATE (x)' AS text", "MATCH (a) WHERE a.settings = 1 RETURN a",
    "MATCH (a) RETURN a.id AS `delete`  // DELETE in a comment", "MATCH (a:Account {created_at: 1}) RETURN a",
])
def test_reads_pass(q):
    check_read_only(q)


def test_store_read_path_refuses_writes_too(store):
    """Even if a write slipped past the keyword check, Store.read runs it read-only."""
    from coordgraph.cypher.errors import ReadOnlyViolation

    store.query("CREATE (:Account {id: 'a'})")
    with pytest.raises(ReadOnlyViolation):
        store.read("MATCH (a:Account) SET a.flag = true")
    assert store.read("MATCH (a:Account) RETURN a.flag AS f")[0]["f"] is None


def test_console_runs_parameterised_queries(store):
    store.query("UNWIND range(1, 1500) AS i CREATE (:Account {id: toString(i), n: i})")
    r = run_console_query(store, "MATCH (a:Account) WHERE a.n <= $k RETURN a.id AS id, a AS node", {"k": 3})
    assert r.columns == ["id", "node"] and len(r.rows) == 3 and r.message == "3 rows"
    assert '"n":' in r.rows[0]["node"]  # nodes shown as compact JSON
    big = run_console_query(store, "MATCH (a:Account) RETURN a.id AS id")
    assert len(big.rows) == 1000 and "first 1,000" in big.message
    with pytest.raises(WriteRefused):
        run_console_query(store, "MATCH (a:Account) DELETE a")
    assert store.read("MATCH (a:Account) RETURN count(a) AS n")[0]["n"] == 1500


def test_params_box():
    assert parse_params("") == {} and parse_params('{"a": 1}') == {"a": 1}
    with pytest.raises(ValueError, match="JSON object"):
        parse_params("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        parse_params("{oops")


def test_library_has_documented_read_queries():
    lib = {q.name: q for q in query_library()}
    assert "webapp_edge_provenance" in lib and "$account_id" in lib["webapp_edge_provenance"].header
    for q in lib.values():
        check_read_only(q.text)


def test_bind_rule(monkeypatch):
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    check_bind("127.0.0.1", None)
    with pytest.raises(BindRefused, match="password"):
        check_bind("0.0.0.0", None)
    check_bind("0.0.0.0", "s3cret")
    monkeypatch.setenv("COORDGRAPH_PASSWORD", "from-env")
    assert resolve_password() == "from-env" and resolve_password("opt") == "opt"


def test_password_protects_pages_and_callbacks(store):
    from coordgraph.webapp.app import create_app

    app = create_app(store, password="s3cret")
    client = app.server.test_client()
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    token = client.get_cookie("_csrf_token").value
    assert client.post("/login", data={"password": "s3cret"}).status_code == 403  # no CSRF token
    bad = client.post("/login", data={"password": "wrong", "next": "/", "csrf_token": token})
    assert b"Wrong password" in bad.data
    ok = client.post("/login", data={"password": "s3cret", "next": "//evil.example", "csrf_token": token})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200


def test_store_down_page(dead_store):
    from coordgraph.webapp.app import create_app

    app = create_app(dead_store)
    text = str(app.server.test_client().get("/_dash-layout").get_json())
    assert "not reachable" in text and dead_store.uri in text and "coordgraph db start" in text


def test_empty_store_page(store):
    from coordgraph.webapp.app import create_app

    text = str(create_app(store).server.test_client().get("/_dash-layout").get_json())
    assert "no analysis run" in text
