"""The store's share snapshot (coordgraph.cypher.share_snapshot): a run reads the stored
shares from it only while it is the store's state, and then gets exactly the rows, in exactly
the order, that reading the store gives (that order decides ties: spec step 5)."""
from __future__ import annotations

import stat

import pandas as pd
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")

# ties at t=100 (post ids and object ids decide), ids that sort differently as bytes and as
# text folded by case, two kinds sharing an object id
RETWEETS = pd.DataFrame(
    [("o1", "A", "p3", 100), ("o1", "B", "p2", 100), ("o2", "C", "p1", 50), ("O2", "ä", "p1", 100),
     ("o10", "B", "Z9", 100), ("o9", "C", "z1", 200), ("o1", "D", "p4", 101)],
    columns=["object_id", "account_id", "content_id", "timestamp_share"])
HASHTAGS = pd.DataFrame([("o1", "A", "p3", 100), ("#x", "B", "p2", 99)], columns=RETWEETS.columns)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("COORDGRAPH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _bulk_load(store):
    from coordgraph.cypher.ingest import ingest_stream

    shares = pd.concat([RETWEETS.assign(kind="retweets"), HASHTAGS.assign(kind="hashtags")], ignore_index=True)
    summary = ingest_stream(store, [(None, None, shares)], mode="bulk")
    assert summary.mode == "bulk"


def _from_store(store):
    """The rows as the store gives them (the snapshot removed first, so it is read again)."""
    from coordgraph.cypher.share_snapshot import snapshot_path
    from coordgraph.run.shares import store_share_table

    snapshot_path(store).unlink(missing_ok=True)
    return store_share_table(store).to_pandas()


def test_the_bulk_load_snapshot_is_the_store_read_row_for_row(store, home):
    from coordgraph.cypher import share_snapshot as snap
    from coordgraph.run.shares import store_share_frame, store_share_table

    _bulk_load(store)
    path = snap.snapshot_path(store)
    assert path.exists() and snap.read_snapshot(store, snap.shares_version(store)) is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    from_snapshot = store_share_table(store).to_pandas()
    assert len(from_snapshot) == 9
    pd.testing.assert_frame_equal(from_snapshot, _from_store(store))
    # worked out by hand: time, then post id, object id, kind, account (strings as bytes: "Z9" < "p1")
    one = store_share_frame(store, ["retweets"])
    assert one[["object_id", "content_id"]].values.tolist() == [
        ["o2", "p1"], ["o10", "Z9"], ["O2", "p1"], ["o1", "p2"], ["o1", "p3"], ["o1", "p4"], ["o9", "z1"]]
    both = store_share_frame(store, None)
    assert both[["object_id", "content_id"]].values.tolist()[:7] == [
        ["retweets:o2", "p1"], ["hashtags:#x", "p2"], ["retweets:o10", "Z9"], ["retweets:O2", "p1"],
        ["retweets:o1", "p2"], ["hashtags:o1", "p3"], ["retweets:o1", "p3"]]


def test_a_later_load_makes_the_snapshot_stale(store, home):
    from coordgraph.cypher import share_snapshot as snap
    from coordgraph.cypher.ingest import ingest
    from coordgraph.run.shares import store_share_table

    _bulk_load(store)
    before = snap.shares_version(store)
    ingest(store, shares=pd.DataFrame([("o1", "E", "p5", 102)], columns=RETWEETS.columns), kind="retweets")
    assert snap.shares_version(store) != before
    assert snap.read_snapshot(store, snap.shares_version(store)) is None
    got = store_share_table(store).to_pandas()     # read from the store, and snapshotted again
    assert len(got) == 10 and "p5" in set(got["content_id"])
    assert snap.read_snapshot(store, snap.shares_version(store)) is not None
    pd.testing.assert_frame_equal(store_share_table(store).to_pandas(), _from_store(store))


def test_a_share_written_without_a_new_version_is_not_hidden(store, home):
    """A SHARED written behind coordgraph's back (an older version, a hand-made query) leaves
    the version as it was, but not the count: the snapshot is not used."""
    from coordgraph.cypher import share_snapshot as snap
    from coordgraph.run.shares import store_share_table

    _bulk_load(store)
    store.query("MATCH (a:Account {id: 'A'}), (o:Object {id: 'o9'}) "
                "CREATE (a)-[:SHARED {post_id: 'p8', ts: 300, kind: 'retweets'}]->(o)")
    assert snap.read_snapshot(store, snap.shares_version(store)) is None
    assert "p8" in set(store_share_table(store).to_pandas()["content_id"])


def test_dropping_the_graph_drops_the_snapshot(store, home):
    from coordgraph.cypher import share_snapshot as snap

    _bulk_load(store)
    path = snap.snapshot_path(store)
    assert path.exists()
    store.clear()
    assert not path.exists() and snap.shares_version(store) is None


def test_analyze_from_the_snapshot_equals_analyze_from_the_store(store, home):
    from coordgraph.cypher.analyze import analyze, run_edges
    from coordgraph.cypher.share_snapshot import snapshot_path

    _bulk_load(store)
    first = run_edges(store, analyze(store, intents=["retweets"], time_window=2, min_participation=1,
                                     engine="python").run_id)
    snapshot_path(store).unlink()
    second = run_edges(store, analyze(store, intents=["retweets"], time_window=2, min_participation=1,
                                      engine="python").run_id)
    # by hand: only o1 is shared by several accounts within 2 s (A and B at 100, D at 101)
    assert sorted(zip(first["account_id"], first["account_id_y"])) == [("A", "B"), ("A", "D"), ("B", "D")]
    pd.testing.assert_frame_equal(first, second)


def test_a_share_without_kind_never_gets_a_null_object_id(store, home):
    """A SHARED stored without a kind (by an older load): beside one kind, ids stay plain (one
    kind is not prefixed); beside two, it is prefixed with the default kind a load gives,
    'unknown'. Order by hand: time, post id, object id, kind."""
    from coordgraph.cypher.ingest import ingest
    from coordgraph.run.shares import store_share_frame

    ingest(store, shares=RETWEETS.head(2), kind="retweets")
    store.query("MERGE (a:Account {id: 'Z'}) MERGE (o:Object {id: 'o7'}) "
                "CREATE (a)-[:SHARED {post_id: 'q1', ts: 400}]->(o)")
    assert store_share_frame(store, None)["object_id"].tolist() == ["o1", "o1", "o7"]
    ingest(store, shares=HASHTAGS.head(1), kind="hashtags")
    assert store_share_frame(store, None)["object_id"].tolist() == [
        "retweets:o1", "hashtags:o1", "retweets:o1", "unknown:o7"]


def test_a_bulk_load_removes_the_scratch_file_an_interrupted_load_left(store, home):
    """An interrupted bulk load leaves its hidden scratch file; the next bulk load of the store
    removes it when its process is gone, and keeps one whose process still runs."""
    import os

    from coordgraph.cypher import share_snapshot as snap

    gone = _dead_pid()
    stale, live = snap.scratch_path(store, gone), snap.scratch_path(store, os.getppid())
    stale.write_bytes(b"half a load")
    live.write_bytes(b"a load under way")
    _bulk_load(store)
    assert not stale.exists() and live.exists()
    live.unlink()


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    import subprocess

    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
