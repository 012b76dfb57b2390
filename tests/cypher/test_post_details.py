"""Post details kept beside the graph (coordgraph/cypher/post_details.py) on a real FalkorDB:
where they go, what a lookup returns, that a load run twice adds nothing, that the newest
load wins, that dropping the graph removes them, and that the web app shows the text."""
from __future__ import annotations

import stat

import pandas as pd
import pytest

from coordgraph.cypher import post_details
from coordgraph.cypher.ingest import ingest


def _posts(texts: dict[str, str], account: str = "1") -> pd.DataFrame:
    ids = list(texts)
    return pd.DataFrame({"post_id": ids, "account_id": [account] * len(ids),
                         "ts": [100 * (i + 1) for i in range(len(ids))], "text": list(texts.values()),
                         "like_count": pd.array([i for i in range(len(ids))], dtype="Int64"),
                         "hashtags": [["t"]] * len(ids)})


def test_default_on_falkordb_is_beside_and_files_are_private(store):
    summary = ingest(store, posts=_posts({"p1": "hello", "p2": "world"}))
    assert summary.post_details == "beside"
    assert store.read("MATCH (p:Post {id: 'p1'}) RETURN p.text AS t, p.ts AS ts") == [{"t": None, "ts": 100}]
    folder = post_details.details_dir(store)
    files = list(folder.glob("*.parquet"))
    assert len(files) == 1
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert post_details.lookup(store, ["p2", "p1", "nope"], ("text", "like_count", "hashtags", "absent")) == {
        "p1": {"text": "hello", "like_count": 0, "hashtags": ["t"], "absent": None},
        "p2": {"text": "world", "like_count": 1, "hashtags": ["t"], "absent": None}}


def test_graph_mode_keeps_text_in_the_graph_and_writes_nothing_beside(store):
    ingest(store, posts=_posts({"p1": "hello"}), post_details="graph")
    assert store.read("MATCH (p:Post {id: 'p1'}) RETURN p.text AS t") == [{"t": "hello"}]
    assert not post_details.details_dir(store).exists()
    with pytest.raises(Exception, match="unknown post details mode"):
        ingest(store, posts=_posts({"p1": "hello"}), post_details="disk")


def test_same_load_twice_adds_nothing_and_a_later_load_wins(store):
    posts = _posts({"p1": "first", "p2": "two"})
    ingest(store, posts=posts, ingest_id="load-a")
    ingest(store, posts=posts, ingest_id="load-a")  # resumed / run again: the same part name
    assert len(list(post_details.details_dir(store).glob("*.parquet"))) == 1
    ingest(store, posts=_posts({"p1": "edited"}), ingest_id="load-b")
    assert post_details.lookup(store, ["p1", "p2"]) == {"p1": {"text": "edited"}, "p2": {"text": "two"}}
    assert store.read("MATCH (p:Post) RETURN count(p) AS n") == [{"n": 2}]


def test_lookup_reads_across_row_groups(store):
    n = 3 * post_details.ROW_GROUP + 5  # four row groups; ids sorted as bytes ("p10" < "p9")
    posts = _posts({f"p{i}": f"text {i}" for i in range(n)})
    ingest(store, posts=posts, mode="bulk")
    part = next(post_details.details_dir(store).glob("*.parquet"))
    import pyarrow.parquet as pq

    assert pq.ParquetFile(part).metadata.num_row_groups == 4
    wanted = ["p0", "p9", f"p{n - 1}", "p12345", "p99999"]
    assert post_details.lookup(store, wanted) == {p: {"text": f"text {p[1:]}"} for p in wanted if int(p[1:]) < n}


def test_dropping_the_graph_removes_its_details(store):
    ingest(store, posts=_posts({"p1": "x"}))
    assert post_details.details_dir(store).exists()
    store.clear()
    assert not post_details.details_dir(store).exists()
    assert post_details.lookup(store, ["p1"]) == {}


def test_web_app_shows_text_kept_beside(store):
    from coordgraph.webapp.source import RunSource

    ingest(store, posts=_posts({"p1": "older post", "p2": "newer post"}, account="7"))
    ingest(store, posts=_posts({"p3": "kept in the graph"}, account="7").assign(ts=[50]), post_details="graph")
    frame = RunSource(store).account_posts("7")
    assert frame[["post_id", "ts", "text"]].to_dict("records") == [
        {"post_id": "p2", "ts": 200, "text": "newer post"},
        {"post_id": "p1", "ts": 100, "text": "older post"},
        {"post_id": "p3", "ts": 50, "text": "kept in the graph"}]


def test_parts_share_one_schema_so_the_folder_reads_as_one_table(store):
    """A batch without entity lists or counts and one with them: the folder still reads as
    one table (pandas), typed as the loader's posts table."""
    ingest(store, posts=_posts({"p1": "with lists"}), ingest_id="one")
    ingest(store, posts=pd.DataFrame({"post_id": ["p2"], "account_id": ["1"], "ts": [5], "text": [None]}),
           ingest_id="two")
    frame = pd.read_parquet(post_details.details_dir(store)).sort_values("post_id")
    assert frame["post_id"].tolist() == ["p1", "p2"]
    assert frame["like_count"].tolist()[0] == 0 and pd.isna(frame["like_count"].tolist()[1])
    assert list(frame["hashtags"].iloc[0]) == ["t"] and frame["hashtags"].iloc[1] is None
    assert "ts" not in frame.columns and "account_id" not in frame.columns
