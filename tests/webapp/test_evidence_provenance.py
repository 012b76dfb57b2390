"""A big run's co-shares in the web app come from its provenance file, not the store's bounded
COSHARE subset (coordgraph/webapp/evidence.py).

The case, worked out by hand: accounts a and b share the same 25 objects o00..o24, b always
2 s after a (a at 1,600,000,000 + 100 k s for object k), so the run has one edge a-b made of
25 co-shares, 2 s apart each, the older share a's. The store is made to keep at most 20
COSHARE rows per edge (the writer's rule above its row limit, forced here with limit 0); those
are the 20 earliest by time (they were the first 20 by content id as text: pa0, pa1, pa10, ...)."""
from __future__ import annotations

import functools

import pandas as pd
import pytest

T0 = 1_600_000_000


def shares() -> pd.DataFrame:
    rows = []
    for k in range(25):
        rows.append({"object_id": f"o{k:02d}", "account_id": "a", "content_id": f"pa{k}", "timestamp_share": T0 + 100 * k})
        rows.append({"object_id": f"o{k:02d}", "account_id": "b", "content_id": f"pb{k}", "timestamp_share": T0 + 100 * k + 2})
    return pd.DataFrame(rows)


@pytest.fixture
def big_run(store, monkeypatch):
    import coordgraph.run.store as run_store
    from coordgraph.cypher.analyze import analyze
    from coordgraph.cypher.ingest import ingest

    monkeypatch.setattr(run_store, "bounded_coshares", functools.partial(run_store.bounded_coshares, limit=0))
    ingest(store, shares=shares(), kind="urls")
    summary = analyze(store, time_window=10, min_participation=2, edge_weight=0.5, engine="python")
    return store, summary.run_id


def test_the_store_holds_only_the_bounded_subset(big_run):
    store, run_id = big_run
    n = store.read("MATCH ()-[c:COSHARE]->() WHERE c.run_id = $r RETURN count(c) AS n", {"r": run_id})[0]["n"]
    assert n == 20


def test_edge_evidence_has_every_coshare_in_time_order(big_run):
    from coordgraph.webapp.source import RunSource

    store, run_id = big_run
    rows = RunSource(store).edge_provenance(run_id, "b", "a")
    assert len(rows) == 25
    assert rows["ts"].tolist() == [T0 + 100 * k for k in range(25)]
    assert rows["object_id"].tolist() == [f"o{k:02d}" for k in range(25)]
    assert set(rows["older_account"]) == {"a"} and set(rows["newer_account"]) == {"b"}
    assert rows["post_id"].tolist() == [f"pa{k}" for k in range(25)]
    assert rows["post_id_y"].tolist() == [f"pb{k}" for k in range(25)]
    assert rows["time_delta"].astype(int).tolist() == [2] * 25
    assert set(rows["kind"]) == {"urls"}
    assert RunSource(store).edge_provenance(run_id, "a", "b", limit=3)["object_id"].tolist() == ["o00", "o01", "o02"]


def test_file_and_store_agree_on_the_rows_the_store_has(big_run, monkeypatch):
    import coordgraph.webapp.evidence as evidence
    from coordgraph.webapp.source import RunSource

    store, run_id = big_run
    from_file = RunSource(store).edge_provenance(run_id, "a", "b")
    monkeypatch.setattr(evidence, "provenance_file", lambda run_id: None)  # as a workspace without the file
    from_store = RunSource(store).edge_provenance(run_id, "a", "b")
    assert len(from_store) == 20
    cols = ["object_id", "kind", "older_account", "newer_account", "post_id", "post_id_y"]
    assert from_file.head(20)[cols].astype(str).values.tolist() == from_store[cols].astype(str).values.tolist()
    assert from_file.head(20)["ts"].astype(int).tolist() == from_store["ts"].astype(int).tolist()


def test_snapshot_time_filter_counts_every_coshare(big_run):
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.filters import Filters

    store, run_id = big_run
    snap = create_app(store, run_id=run_id).state.snapshot(run_id)
    assert len(snap.coshares()) == 25
    # objects o21..o24 were co-shared at T0 + 2,100 .. 2,400 s: beyond the store's 20 earliest
    assert snap.coshares().in_range(T0 + 2_100, None).sum() == 4
    rows = snap.coshares().rows(None, Filters().time_from, Filters().time_to)
    assert sorted(rows["object_id"]) == [f"o{k:02d}" for k in range(25)]
