"""``ingest`` and ``shares`` are one reader; bulk and MERGE paths give one graph; resume is
keyed on file contents. All on the real embedded FalkorDB (tests/conftest.py).

Data (:func:`write_twarc2`): twarc2-flattened tweets where every retweet comes *before* its
original in the file, so with 50 posts per read batch the originals are always in another
batch (issue 14: per-batch resolution lost their shares). Expected counts are worked out
from the generator's design, not by the code under test:

- 400 retweets, retweet j of original k = (13 j) mod 150: 13 is coprime with 150, so the
  originals 0..149 are each retweeted (150 originals' own shares), 150..199 never;
- retweets intent: 400 + 150 = 550 shares;
- hashtags: original k carries #h{k mod 4} (200 shares), retweets carry none;
- two bad lines (not JSON; a tweet whose created_at is not a time): 2 rejects.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app
from coordgraph.cypher.ingest import LoadWriter, read_shares
from coordgraph.cypher.store import FalkorStore

runner = CliRunner()
T0 = 1_650_000_000  # UNIX seconds, UTC


def _iso(ts: int) -> str:
    return pd.Timestamp(ts, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _tweet(pid: str, author: str, ts: int, text: str, retweet_of: str | None = None, tags=()) -> dict:
    t = {"id": pid, "author_id": author, "created_at": _iso(ts), "text": text, "lang": "en",
         "author": {"id": author, "username": f"user{author}", "name": f"User {author}",
                    "public_metrics": {"followers_count": int(author) * 3}},
         "entities": {"hashtags": [{"start": 0, "end": len(h) + 1, "tag": h} for h in tags]}}
    if retweet_of:
        t["referenced_tweets"] = [{"type": "retweeted", "id": retweet_of}]
    return t


def tweets(n_originals: int = 200, n_retweets: int = 400, id_base: int = 1000) -> list[dict]:
    """Retweets first (ids 5000+j), then the originals (ids 1000+k)."""
    out = []
    for j in range(n_retweets):
        k = (13 * j) % 150
        out.append(_tweet(str(id_base + 4000 + j), str(100 + (7 * j) % 30), T0 + 5000 + j,
                          f"RT @user{k % 20}: post {k}", retweet_of=str(id_base + k)))
    for k in range(n_originals):
        out.append(_tweet(str(id_base + k), str(100 + k % 20), T0 + 10 * k, f"post {k} #h{k % 4}",
                          tags=[f"h{k % 4}"]))
    return out


def write_twarc2(path: Path, rows: list[dict], bad: bool = True) -> Path:
    lines = [orjson.dumps(t) for t in rows]
    if bad:
        lines.insert(123, b"{not json")
        broken = dict(rows[0], id="999999", created_at="yesterday-ish")
        lines.insert(321, orjson.dumps(broken))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    cols = ["object_id", "account_id", "content_id", "timestamp_share", "kind"]
    return frame[cols].astype({"timestamp_share": "int64"}).sort_values(cols).reset_index(drop=True)


def graph_dump(store) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (type, ends, properties) but the
    load bookkeeping, sorted: two graphs are the same graph when their dumps are equal."""
    nodes = store.read("MATCH (n) WHERE NOT n:Ingest AND NOT n:Meta RETURN labels(n) AS l, properties(n) AS p")
    rels = store.read("MATCH (a)-[r]->(b) RETURN type(r) AS t, labels(a) AS la, a.id AS a, labels(b) AS lb, "
                      "b.id AS b, b.kind AS bk, properties(r) AS p")
    key = lambda row: orjson.dumps(row, option=orjson.OPT_SORT_KEYS)  # noqa: E731
    return sorted(map(key, nodes)), sorted(map(key, rels))


@pytest.fixture
def other_graph(embedded_server):
    """A second, empty graph on the session's server."""
    st = FalkorStore(embedded_server.host, embedded_server.port, f"t_other_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    yield st
    st.clear()
    st.close()


@pytest.fixture
def posts_file(tmp_path):
    return write_twarc2(tmp_path / "posts.jsonl", tweets())


# ---------------------------------------------------------------------------- one reader
@pytest.mark.parametrize("mode", ["merge", "bulk"])
def test_ingest_stores_exactly_the_shares_table(store, posts_file, tmp_path, mode):
    out = tmp_path / "shares.parquet"
    res = invoke("shares", posts_file, "-i", "retweets", "--batch-size", 50, "--out", out)
    assert res.exit_code == 0, res.output
    table = pd.read_parquet(out)
    assert len(table) == 550 and table["kind"].eq("retweets").all()
    rejects = tmp_path / "ingest.rejects.jsonl"
    res = invoke("ingest", posts_file, "-i", "retweets", "--batch-size", 50, "--batch-rows", 64, "--mode", mode,
                 "--rejects", rejects, "--store", store.uri)
    assert res.exit_code == 0, res.output
    assert f"({mode})" in res.output and "2 records rejected" in res.output
    pd.testing.assert_frame_equal(_sorted(read_shares(store)), _sorted(table))
    # the same rejected records, in the same words, as `shares` wrote beside its output
    assert rejects.read_bytes() == (tmp_path / "shares.rejects.jsonl").read_bytes()
    assert len(rejects.read_bytes().splitlines()) == 2
    assert store.read("MATCH (p:Post) RETURN count(p) AS n")[0]["n"] == 600
    assert store.read("MATCH (:Account)-[r:POSTED]->(:Post) RETURN count(r) AS n")[0]["n"] == 600


def test_multi_intent_ingest_equals_shares(store, posts_file, tmp_path):
    out = tmp_path / "shares.parquet"
    args = ("-i", "retweets", "-i", "hashtags", "--batch-size", 50)
    assert invoke("shares", posts_file, *args, "--out", out).exit_code == 0
    table = pd.read_parquet(out)
    assert table["kind"].value_counts().to_dict() == {"retweets": 550, "hashtags": 200}
    res = invoke("ingest", posts_file, *args, "--store", store.uri)
    assert res.exit_code == 0, res.output
    back = read_shares(store)  # the store keys objects by (id, kind): prefix them as shares does
    back["object_id"] = back["kind"] + ":" + back["object_id"]
    pd.testing.assert_frame_equal(_sorted(back), _sorted(table))


def test_bulk_and_merge_paths_build_the_same_graph(store, other_graph, posts_file):
    args = (posts_file, "-i", "retweets", "-i", "hashtags", "--batch-size", 50, "--batch-rows", 100)
    assert "(bulk)" in invoke("ingest", *args, "--mode", "bulk", "--store", store.uri).output
    assert "(merge)" in invoke("ingest", *args, "--mode", "merge", "--store", other_graph.uri).output
    nodes, rels = graph_dump(store)
    assert len(nodes) == 600 + 30 + 150 + 4  # posts, accounts (ids 100..129), originals, hashtags
    assert graph_dump(other_graph) == (nodes, rels)
    profile = store.read("MATCH (a:Account {id: '101'}) RETURN a.handle AS h, a.followers_count AS f")
    assert profile == [{"h": "user101", "f": 303}]


# ---------------------------------------------------------------------------- bad input
def test_wholly_rejected_input_exits_non_zero_in_both(store, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"{nope\n[1, 2\n")
    shares = invoke("shares", bad, "-i", "retweets", "--out", tmp_path / "s.parquet")
    ingest = invoke("ingest", bad, "-i", "retweets", "--rejects", tmp_path / "i.rejects.jsonl", "--store", store.uri)
    assert shares.exit_code == ingest.exit_code == 1
    assert "every record was rejected" in shares.output and "every record was rejected" in ingest.output
    assert len((tmp_path / "i.rejects.jsonl").read_bytes().splitlines()) == 2


def test_strict_stops_both_at_the_first_bad_record(store, posts_file, tmp_path):
    shares = invoke("shares", posts_file, "-i", "retweets", "--strict", "--out", tmp_path / "s.parquet")
    ingest = invoke("ingest", posts_file, "-i", "retweets", "--strict", "--store", store.uri)
    assert shares.exit_code == ingest.exit_code == 2
    assert f"{posts_file}:124" in shares.output and f"{posts_file}:124" in ingest.output


# ---------------------------------------------------------------------------- resume
def test_reload_changes_nothing_and_skips_every_batch(store, posts_file):
    args = ("ingest", posts_file, "-i", "retweets", "--batch-rows", 100, "--store", store.uri)
    first = invoke(*args)
    assert first.exit_code == 0 and "(bulk)" in first.output
    before = graph_dump(store)
    again = invoke(*args)
    assert again.exit_code == 0 and "(merge)" in again.output
    written = next(line for line in again.output.splitlines() if "batches written" in line)
    assert written.split()[-2] == "0"
    assert graph_dump(store) == before


def test_rewritten_file_in_a_directory_is_loaded_again(store, tmp_path):
    """A directory's stat does not change when a file in it is rewritten in place."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_twarc2(folder / "a.jsonl", tweets(), bad=False)
    second = folder / "b.jsonl"
    write_twarc2(second, tweets(id_base=100_000), bad=False)
    args = ("ingest", folder, "-i", "retweets", "--batch-size", 50, "--store", store.uri)
    assert invoke(*args).exit_code == 0
    assert store.read("MATCH (p:Post) RETURN count(p) AS n")[0]["n"] == 1200
    dir_stat = os.stat(folder)
    st = os.stat(second)
    write_twarc2(second, tweets(id_base=200_000), bad=False)  # same length, other posts
    os.utime(second, ns=(st.st_atime_ns, st.st_mtime_ns))      # even the same mtime
    os.utime(folder, ns=(dir_stat.st_atime_ns, dir_stat.st_mtime_ns))
    assert os.stat(folder).st_mtime_ns == dir_stat.st_mtime_ns and os.stat(second).st_size == st.st_size
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    assert store.read("MATCH (p:Post) RETURN count(p) AS n")[0]["n"] == 1800
    assert store.read("MATCH (:Account)-[s:SHARED]->(:Object) RETURN count(s) AS n")[0]["n"] == 3 * 550


@pytest.mark.parametrize("mode", ["merge", "bulk"])
def test_interrupted_load_reruns_to_the_same_graph(store, other_graph, posts_file, mode):
    """A load stopped part-way (merge: after 3 batches; bulk: after its first GRAPH.BULK
    call) and run again ends in the graph of an uninterrupted load."""
    args = (posts_file, "-i", "retweets", "--batch-size", 50, "--batch-rows", 64)
    assert invoke("ingest", *args, "--store", other_graph.uri).exit_code == 0
    expected = graph_dump(other_graph)

    class Stop(Exception):
        pass

    from coordgraph.cli.reading import ReadOptions, read_shares_input
    from coordgraph.cypher.ingest import file_identity, load_identity

    ident = [file_identity(posts_file)]
    load_id = load_identity(ident, ReadOptions(intents=["retweets"], batch_size=50).identity() + "|shares_table=False")

    def stop_after_three(done, _rows):
        if done == 3:
            raise Stop

    writer = LoadWriter(store, ingest_id=load_id, files=ident, batch_rows=64, mode=mode,
                        progress=stop_after_three if mode == "merge" else None)
    if mode == "bulk":
        writer.bulk.max_call_bytes = 2_000  # many small calls: stop after the first
        sent = []
        real = writer.bulk.flush

        def flush_once():
            real()
            writer.bulk.wait()
            sent.append(1)
            raise Stop
        writer.bulk.flush = flush_once
    with pytest.raises(Stop):
        read_shares_input([posts_file], ReadOptions(intents=["retweets"], batch_size=50), rejects=None,
                          on_batch=lambda p, a: writer.add(posts=p, accounts=a))
    writer.abandon()  # as the CLI does on an error (a killed process cannot)
    partial = graph_dump(store)
    assert 0 < len(partial[0]) < len(expected[0])
    res = invoke("ingest", *args, "--store", store.uri)
    assert res.exit_code == 0, res.output
    assert "(merge)" in res.output
    if mode == "merge":
        skipped = next(line for line in res.output.splitlines() if "batches skipped" in line)
        assert skipped.split()[-2] == "3"  # batches 1-3 recorded as written before the stop
    assert graph_dump(store) == expected


@pytest.mark.parametrize("details", ["graph", "beside"])
def test_bulk_keeps_the_merge_paths_value_types(store, other_graph, details):
    """Nullable ints, booleans, floats, unicode, empty and non-empty lists, an account seen
    twice (the later profile wins on both paths); post details in the graph or beside it."""
    from coordgraph.cypher.ingest import ingest

    accounts = pd.DataFrame({"account_id": ["1", "2", "1"], "handle": ["alice", None, "alice2"],
                             "platform": ["twitter"] * 3, "verified": pd.array([True, None, False], dtype="boolean"),
                             "followers_count": pd.array([10, None, 12], dtype="Int64")})
    posts = pd.DataFrame({"post_id": ["p1", "p2", "p3"], "account_id": ["1", "1", "3"],
                          "ts": [100, 200, 300], "text": ['say "hi"\x00\n', "é ☃ \U0001F600", None],
                          "lang": ["en", None, "de"], "hashtags": [["a", "B"], [], None]})
    shares = pd.DataFrame({"object_id": ["o", "o", "o"], "account_id": ["1", "3", "1"],
                           "content_id": ["p1", "p3", "p1"], "timestamp_share": [100, 300, 100]})
    for st, mode in ((store, "bulk"), (other_graph, "merge")):
        summary = ingest(st, posts=posts, accounts=accounts, shares=shares, kind="urls", mode=mode,
                         post_details=details)
        assert summary.mode == mode and summary.post_details == details
    assert graph_dump(store) == graph_dump(other_graph)
    if details == "beside":
        from coordgraph.cypher.post_details import lookup

        cols = ("text", "lang", "hashtags")
        assert lookup(store, ["p1", "p2", "p3"], cols) == lookup(other_graph, ["p1", "p2", "p3"], cols) == {
            "p1": {"text": 'say "hi"\x00\n', "lang": "en", "hashtags": ["a", "B"]},  # byte-exact: NUL kept
            "p2": {"text": "é ☃ \U0001F600", "lang": None, "hashtags": []},
            "p3": {"text": None, "lang": "de", "hashtags": None}}
        assert store.read("MATCH (p:Post) RETURN p.id AS id, keys(p) AS k ORDER BY id") == [
            {"id": f"p{i}", "k": ["id", "ts"]} for i in (1, 2, 3)]
    assert store.read("MATCH (:Account)-[s:SHARED]->(:Object) RETURN count(s) AS n")[0]["n"] == 2
    assert store.read("MATCH (a:Account {id: '1'}) RETURN a.handle AS h, a.verified AS v, a.followers_count AS f") \
        == [{"h": "alice2", "v": False, "f": 12}]


def test_bulk_numbers_nodes_across_batches_and_calls(store, other_graph):
    """New accounts (with and without a profile), posts and objects in every batch, and
    GRAPH.BULK calls cut every few hundred bytes: each edge still joins the right nodes."""
    from coordgraph.cypher.ingest import ingest_stream

    tables = []
    for b in range(4):
        ids = [str(b * 10 + i) for i in range(10)]
        accounts = pd.DataFrame({"account_id": ids[:5], "handle": [f"h{i}" for i in ids[:5]],
                                 "platform": "twitter"})  # ids[5:] author posts without a profile
        posts = pd.DataFrame({"post_id": [f"p{b}_{i}" for i in range(10)], "account_id": ids,
                              "ts": list(range(b * 100, b * 100 + 10)), "text": [f"t{i}" for i in ids]})
        shares = pd.DataFrame({"object_id": [f"o{(b + i) % 7}" for i in range(10)], "account_id": ids,
                               "content_id": [f"p{b}_{i}" for i in range(10)],
                               "timestamp_share": list(range(b * 100, b * 100 + 10))})
        tables.append((posts, accounts, shares))

    import coordgraph.cypher.bulk as bulk

    old = bulk.MAX_CALL_BYTES
    bulk.MAX_CALL_BYTES = 300
    try:
        assert ingest_stream(store, tables, kind="urls", mode="bulk", post_details="graph").mode == "bulk"
    finally:
        bulk.MAX_CALL_BYTES = old
    ingest_stream(other_graph, tables, kind="urls", mode="merge", post_details="graph")
    assert graph_dump(store) == graph_dump(other_graph)
    rows = store.read("MATCH (a:Account)-[:POSTED]->(p:Post) RETURN a.id AS a, p.text AS t")
    assert len(rows) == 40 and all(r["t"] == f"t{r['a']}" for r in rows)
    assert store.read("MATCH (:Account)-[s:SHARED]->(:Object) RETURN count(s) AS n")[0]["n"] == 40


def test_file_identity_follows_content_not_name(tmp_path):
    from coordgraph.cypher.ingest import file_identity

    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(b"x" * 200_000)
    b.write_bytes(b"x" * 200_000)
    os.utime(b, ns=(os.stat(a).st_atime_ns, os.stat(a).st_mtime_ns))
    assert file_identity(a) == file_identity(b)
    b.write_bytes(b"x" * 199_999 + b"y")  # the tail changed
    os.utime(b, ns=(os.stat(a).st_atime_ns, os.stat(a).st_mtime_ns))
    assert file_identity(a) != file_identity(b)
    assert file_identity(tmp_path / "a.jsonl").startswith("200000-")


def test_bulk_load_pauses_automatic_log_rewrites_and_restores_them(store):
    """No automatic append-only-file rewrite (a fork) during the bulk calls
    (FalkorStore.pause_log_rewrites); the setting is back and the log compacted after."""
    from coordgraph.cypher.ingest import LoadWriter

    conn = store.bulk_connection()
    before = conn.config_get("auto-aof-rewrite-percentage")["auto-aof-rewrite-percentage"]
    rewrites = int(conn.info("persistence")["aof_rewrites"])
    seen = []
    writer = LoadWriter(store, mode="bulk", progress=lambda *_: seen.append(
        conn.config_get("auto-aof-rewrite-percentage")["auto-aof-rewrite-percentage"]))
    writer.add(shares=pd.DataFrame({"object_id": ["o"], "account_id": ["a"], "content_id": ["p"],
                                    "timestamp_share": [1]}), kind="urls")
    assert seen == ["0"]
    assert writer.finish().mode == "bulk"
    assert conn.config_get("auto-aof-rewrite-percentage")["auto-aof-rewrite-percentage"] == before != "0"
    assert int(conn.info("persistence")["aof_rewrites"]) > rewrites
