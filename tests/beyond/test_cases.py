"""Saved investigations on a real embedded FalkorDB: save, merge, list, reopen, export, delete,
the links to runs and accounts, and the audit trail of runs."""
from __future__ import annotations

import pytest

from coordgraph.analysis import simulate_data
from coordgraph.cypher.analyze import analyze, run_edges
from coordgraph.cypher.cases import (
    CaseError,
    audit_trail,
    cases_for_account,
    delete_case,
    export_case,
    export_markdown,
    get_case,
    list_cases,
    save_case,
)
from coordgraph.cypher.communities import compute_communities
from coordgraph.cypher.ingest import ingest


@pytest.fixture
def analysed(store):
    """A store holding a planted campaign (two campaigns of 6) and one complete run."""
    sim = simulate_data(n_accounts_coord=12, n_accounts_noncoord=10, n_objects=20, n_campaigns=2, seed=4)
    ingest(store, shares=sim.shares, kind="retweets")
    run = analyze(store, time_window=10, min_participation=2)
    table = compute_communities(store, run.run_id)
    return store, sim, run.run_id, table


def test_save_reopen_merge_and_replace(store):
    saved = save_case(store, "  Election 2024 ", notes="first look", accounts=["a1", "a2"],
                      communities=[3], views=[{"name": "core", "layout": "cose"}], user="ana", now=1000)
    assert saved["name"] == "Election 2024"
    assert saved["accounts"] == ["a1", "a2"] and saved["communities"] == [3]
    assert saved["created"] == 1000 and saved["user"] == "ana" and saved["run_id"] is None
    # reopened in a new session: everything is read back from the store
    again = save_case(store, "Election 2024", accounts=["a2", "a3"], views=[{"name": "core", "layout": "grid"}],
                      user="bo", now=2000)
    assert again["accounts"] == ["a1", "a2", "a3"]  # merged, order kept, no duplicates
    assert again["views"] == [{"layout": "grid", "name": "core"}]  # same-name view replaced
    assert again["notes"] == "first look"  # not given: kept
    assert (again["created"], again["user"], again["updated"], again["updated_by"]) == (1000, "ana", 2000, "bo")
    replaced = save_case(store, "Election 2024", accounts=["z"], communities=[], merge=False, now=3000)
    assert replaced["accounts"] == ["z"] and replaced["communities"] == []
    save_case(store, "Other", now=2500)
    assert [c["name"] for c in list_cases(store)] == ["Election 2024", "Other"]  # newest update first
    assert get_case(store, "missing") is None
    assert delete_case(store, "Other") and not delete_case(store, "Other")
    assert [c["name"] for c in list_cases(store)] == ["Election 2024"]


def test_bad_input_is_one_clear_error(store):
    with pytest.raises(CaseError, match="blank"):
        save_case(store, "   ")
    with pytest.raises(CaseError, match="item 0: must be an object with a non-empty 'name'"):
        save_case(store, "c", views=[{"layout": "x"}])
    with pytest.raises(CaseError, match="run 'run-nope' is not in the store"):
        save_case(store, "c", run_id="run-nope")
    with pytest.raises(CaseError, match="no case named 'nope'"):
        export_case(store, "nope")
    assert list_cases(store) == []  # nothing half-saved


def test_case_about_a_run_links_export_and_audit(analysed):
    store, sim, run_id, table = analysed
    campaign0 = sorted(a for a, c in sim.campaigns.items() if c == 0)
    community = int(table.loc[table["account_id"] == campaign0[0], "community"].item())
    case = save_case(store, "campaign A", notes="planted", accounts=campaign0[:3] + ["not_in_store"],
                     communities=[community], run_id=run_id, user="ana")
    assert case["params"]["time_window"] == 10 and case["params"]["min_participation"] == 2  # from the run
    assert case["run_status"] == "complete" and case["run_params"] == case["params"]
    # the links are real graph relationships
    linked = store.read("MATCH (:Case {name: $n})-[:BOOKMARKS]->(a:Account) RETURN a.id AS id ORDER BY id",
                        {"n": "campaign A"})
    assert [r["id"] for r in linked] == campaign0[:3]
    assert store.read("MATCH (:Case {name: $n})-[:ABOUT_RUN]->(r:Run) RETURN r.id AS id", {"n": "campaign A"}) == [{"id": run_id}]
    assert [c["name"] for c in cases_for_account(store, campaign0[0])] == ["campaign A"]

    export = export_case(store, "campaign A")
    assert [a["account_id"] for a in export["accounts"]] == campaign0[:3]
    assert all(a["community"] == community for a in export["accounts"])
    edges = run_edges(store, run_id)
    first3 = set(campaign0[:3])
    want = edges[edges["account_id"].isin(first3) & edges["account_id_y"].isin(first3)]
    assert len(export["edges"]) == len(want) == 3  # the complete graph on three planted accounts
    assert sorted(e["weight"] for e in export["edges"]) == sorted(want["weight"].tolist())
    members = {m["account_id"] for m in export["communities"][str(community)]}
    assert members == set(campaign0)  # Leiden recovers the planted campaign
    md = export_markdown(export)
    assert "## Case: campaign A" in md and "Not in the store: not_in_store" in md and run_id in md

    trail = audit_trail(store)
    assert [t["run_id"] for t in trail] == [run_id]
    assert trail[0]["user"] and trail[0]["created"] and trail[0]["params"]["time_window"] == 10
    assert trail[0]["cases"] == ["campaign A"]
    # saving the whole state again replaces the links too
    save_case(store, "campaign A", accounts=[campaign0[3]], merge=False)
    linked = store.read("MATCH (:Case {name: $n})-[:BOOKMARKS]->(a:Account) RETURN a.id AS id", {"n": "campaign A"})
    assert [r["id"] for r in linked] == [campaign0[3]]
    assert get_case(store, "campaign A")["run_id"] == run_id  # not given: kept, and still linked
    assert audit_trail(store)[0]["cases"] == ["campaign A"]
    delete_case(store, "campaign A")
    assert store.read("MATCH (a:Account) RETURN count(a) AS n")[0]["n"] == 22  # accounts untouched
    assert audit_trail(store)[0]["cases"] == []
