"""Search at scale: ingest stores ``Account.handle_lc`` (the handle lower-cased, one leading '@'
removed) on both load paths and indexes it; the web app's search then uses the index
(webapp_search_lc.cypher) and falls back to the ``toLower`` scan on a store ingested before.
Expected keys are written out by hand from the handles below."""
from __future__ import annotations

import pandas as pd
import pytest

from coordgraph.webapp.source import RunSource

ACCOUNTS = pd.DataFrame({"account_id": ["a1", "a2", "A3", "a4"],
                         "handle": ["@User_C6", "user_c61", "MiXeD", None],
                         "platform": "twitter"})
EXPECTED = {"a1": "user_c6", "a2": "user_c61", "A3": "mixed", "a4": None}


def _keys(store) -> dict:
    rows = store.read("MATCH (a:Account) RETURN a.id AS id, a.handle_lc AS k")
    return {r["id"]: r["k"] for r in rows}


@pytest.mark.parametrize("mode", ["merge", "bulk"])
def test_ingest_writes_handle_key_and_search_uses_it(store, mode):
    from coordgraph.cypher.ingest import ingest

    ingest(store, accounts=ACCOUNTS, mode=mode)
    assert _keys(store) == EXPECTED
    src = RunSource(store)
    assert src.has_handle_keys()
    hits = src.search("no-run", "@USER_C6")
    assert list(hits["id"])[:2] == ["a1", "a2"]  # exact handle first, then the prefix match
    assert set(src.search("no-run", "mixed")["id"]) == {"A3"}
    assert set(src.search("no-run", "A3")["id"]) == {"A3"}  # ids as stored (case kept)
    assert set(src.search("no-run", "a4")["id"]) == {"a4"}  # no handle: found by id
    # the account part of the search is an index scan on handle_lc, not a scan of every account
    # exact handles are index lookups on handle_lc (the first branch of the query)
    plan = str(store._graph.explain("MATCH (a:Account) WHERE a.handle_lc = $text RETURN a.id", {"text": "user_c6"}))
    assert "Node By Index Scan | (a:Account)" in plan, plan


def test_search_falls_back_on_a_store_without_handle_keys(store):
    """Accounts written before handle_lc existed (simulated by removing it): the old query."""
    from coordgraph.cypher.ingest import ingest

    ingest(store, accounts=ACCOUNTS, mode="merge")
    store.query("MATCH (a:Account {id: 'a1'}) REMOVE a.handle_lc")
    src = RunSource(store)
    assert not src.has_handle_keys()
    assert list(src.search("no-run", "@user_c6")["id"])[:2] == ["a1", "a2"]
