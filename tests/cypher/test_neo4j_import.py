"""``ingest --neo4j-import DIR``: the files of ``neo4j-admin database import full``.

No Neo4j nor neo4j-admin runs here, so the files themselves are checked: against the documented
format (header syntax, quoting, nulls, the array delimiter; docs/store.md) with values worked
out by hand from a small input full of tricky values, and against a real load of the same
input into the embedded store (every node, property and relationship, with the one documented
difference: an empty list is no property in the files).
"""
from __future__ import annotations

import csv
import os
import re
import shlex
import stat
from pathlib import Path

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app

runner = CliRunner()
DELIM = "\x1f"

KEYS = ("post_id", "account_id", "ts", "text", "lang", "retweeted_id", "hashtags", "urls", "mentions",
        "handle", "name", "followers_count", "verified")
TEXT_007 = 'say "hi", all\nline2\r\nnul\x00 🙂'
ROWS = (  # read in batches of 2 posts: the account "a,1" and the post "007" come again later
    {"post_id": "007", "account_id": "a,1", "ts": 100, "text": TEXT_007, "lang": "en",
     "hashtags": ["Tag", "ünï"], "urls": ['http://x.y/a,b;c"q'], "mentions": [],
     "handle": '@Al"ice', "name": 'Alice, "A"', "followers_count": 5, "verified": True},
    {"post_id": "p2", "account_id": "b", "ts": 105, "text": "rt", "retweeted_id": "007",
     "hashtags": ["Tag"], "urls": [], "mentions": [], "handle": "Bob", "name": "Bøb"},
    # a hashtag and a URL that are the same string; the same hashtag twice (one SHARED)
    {"post_id": "p3", "account_id": "a,1", "ts": 110, "text": "again", "hashtags": ["tag", "tag"],
     "urls": ["tag"], "mentions": []},
    {"post_id": "007", "account_id": "a,1", "ts": 100, "text": "a repeated post", "hashtags": [], "urls": [],
     "mentions": []},
)
INTENTS = ("-i", "retweets", "-i", "hashtags", "-i", "urls")

# worked out by hand from ROWS (platform "unknown": no --platform; counts 0: not in the input)
ACCOUNTS = {
    "a,1": {"id": "a,1", "handle": '@Al"ice', "name": 'Alice, "A"', "platform": "unknown", "followers_count": 5,
            "verified": True, "handle_lc": 'al"ice'},
    "b": {"id": "b", "handle": "Bob", "name": "Bøb", "platform": "unknown", "handle_lc": "bob"},
}
COUNTS = {"retweet_count": 0, "like_count": 0, "quote_count": 0, "reply_count": 0}
POSTS = {
    "007": {"id": "007", "ts": 100, "text": 'say "hi", all\nline2\r\nnul\ufffd 🙂', "lang": "en",
            "platform": "unknown", **COUNTS, "hashtags": ["Tag", "ünï"], "urls": ['http://x.y/a,b;c"q']},
    "p2": {"id": "p2", "ts": 105, "text": "rt", "platform": "unknown", **COUNTS, "retweeted_id": "007",
           "hashtags": ["Tag"]},
    "p3": {"id": "p3", "ts": 110, "text": "again", "platform": "unknown", **COUNTS, "hashtags": ["tag", "tag"],
           "urls": ["tag"]},
}
OBJECTS = {("007", "retweets"), ("Tag", "hashtags"), ("ünï", "hashtags"), ("tag", "hashtags"),
           ('http://x.y/a,b;c"q', "urls"), ("tag", "urls")}
POSTED = {("a,1", "007"), ("b", "p2"), ("a,1", "p3")}
SHARED = sorted([  # (account, object id, object kind, post_id, ts, kind)
    ("b", "007", "retweets", "p2", 105, "retweets"), ("a,1", "007", "retweets", "007", 100, "retweets"),
    ("a,1", "Tag", "hashtags", "007", 100, "hashtags"), ("a,1", "ünï", "hashtags", "007", 100, "hashtags"),
    ("b", "Tag", "hashtags", "p2", 105, "hashtags"), ("a,1", "tag", "hashtags", "p3", 110, "hashtags"),
    ("a,1", 'http://x.y/a,b;c"q', "urls", "007", 100, "urls"), ("a,1", "tag", "urls", "p3", 110, "urls")])

HEADERS = {
    "accounts": "id:ID(Account),handle,name,platform,followers_count:long,following_count:long,posts_count:long,"
                "created_at:long,verified:boolean,handle_lc",
    "posts": "id:ID(Post),ts:long,text,lang,platform,retweet_count:long,like_count:long,quote_count:long,"
             "reply_count:long,retweeted_id,quoted_id,replied_to_id,replied_to_account_id,place,source,"
             "hashtags:string[],urls:string[],mentions:string[],image_hashes:string[]",
    "objects": ":ID(Object),id,kind",
    "posted": ":START_ID(Account),:END_ID(Post)",
    "shared": ":START_ID(Account),:END_ID(Object),post_id,ts:long,kind",
}


def write_posts(path: Path, rows=ROWS) -> Path:
    """Flat JSON lines, every key on every line (the reader takes the columns from the first)."""
    path.write_bytes(b"".join(orjson.dumps({k: r.get(k) for k in KEYS}) + b"\n" for r in rows))
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """COORDGRAPH_HOME in the test's folder; COORDGRAPH_STORE names a server that is not there,
    so any attempt to open a store would fail."""
    home = tmp_path / "home"
    monkeypatch.setenv("COORDGRAPH_HOME", str(home))
    monkeypatch.setenv("COORDGRAPH_STORE", "bolt://127.0.0.1:9")
    return home


# ------------------------------------------------------------------------------ reading the files back
def data_files(directory: Path, table: str) -> list[Path]:
    return sorted(directory.glob(f"{table}-*.csv"))


def parse(directory: Path, table: str) -> list[dict]:
    """A table's rows as typed dicts, read as neo4j-admin reads them: the header file gives
    names and types; an empty field is no property; ``string[]`` splits on U+001F."""
    header = (directory / f"{table}.header.csv").read_text(encoding="utf-8").rstrip("\n").split(",")
    rows = []
    for path in data_files(directory, table):
        with open(path, newline="", encoding="utf-8") as fh:
            for values in csv.reader(fh, strict=True):
                assert len(values) == len(header), (path, values)
                row = {}
                for spec, value in zip(header, values):
                    if value == "":
                        continue
                    name, _, kind = spec.partition(":")
                    if kind.startswith(("ID", "START_ID", "END_ID")):
                        row[spec] = value
                        if name:  # a named ID column is also stored as that property
                            row[name] = value
                    elif kind == "long":
                        row[name] = int(value)
                    elif kind == "boolean":
                        row[name] = value == "true"
                    elif kind == "string[]":
                        row[name] = value.split(DELIM)
                    else:
                        row[name] = value
                rows.append(row)
    return rows


def graph_of_files(directory: Path) -> dict:
    """Nodes and relationships as the import would create them (ID columns resolved)."""
    objects = {r[":ID(Object)"]: (r["id"], r["kind"]) for r in parse(directory, "objects")}
    props = lambda r: {k: v for k, v in r.items() if ":" not in k}  # noqa: E731
    return {
        "accounts": {r["id"]: props(r) for r in parse(directory, "accounts")},
        "posts": {r["id"]: props(r) for r in parse(directory, "posts")} if (directory / "posts.header.csv").exists()
        else {},
        "objects": set(objects.values()),
        "posted": {(r[":START_ID(Account)"], r[":END_ID(Post)"]) for r in parse(directory, "posted")}
        if (directory / "posted.header.csv").exists() else set(),
        "shared": sorted((r[":START_ID(Account)"], *objects[r[":END_ID(Object)"]], r["post_id"], r["ts"], r["kind"])
                         for r in parse(directory, "shared")),
    }


def graph_of_store(store) -> dict:
    """The same view of a store loaded by ``coordgraph ingest --store`` (empty lists dropped:
    a CSV import cannot store an empty array, docs/store.md)."""
    def props(p):
        return {k: v for k, v in p.items() if v != []}

    return {
        "accounts": {r["id"]: props(r["p"]) for r in store.read("MATCH (a:Account) RETURN a.id AS id, "
                                                                "properties(a) AS p")},
        "posts": {r["id"]: props(r["p"]) for r in store.read("MATCH (p:Post) RETURN p.id AS id, properties(p) AS p")},
        "objects": {(r["id"], r["kind"]) for r in store.read("MATCH (o:Object) RETURN o.id AS id, o.kind AS kind")},
        "posted": {(r["a"], r["p"]) for r in store.read("MATCH (a:Account)-[r:POSTED]->(p:Post) "
                                                        "RETURN a.id AS a, p.id AS p")},
        "shared": sorted(tuple(r.values()) for r in store.read(
            "MATCH (a:Account)-[s:SHARED]->(o:Object) RETURN a.id AS a, o.id AS o, o.kind AS ok, "
            "s.post_id AS p, s.ts AS t, s.kind AS k")),
    }


def printed_command(output: str) -> list[str]:
    """The arguments of the printed ``docker compose run ... neo4j-admin`` line (continuations
    joined, as a shell reads them)."""
    text = output[output.index("docker compose run"):]
    line = text.replace("\\\n", " ").splitlines()[0]
    return shlex.split(line)


def table_value(output: str, label: str) -> str:
    """The value of a row of the printed tables (rich box drawing stripped)."""
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]
        if cells and cells[0] == label:
            return cells[1]
    raise AssertionError(f"no row {label!r} in:\n{output}")


# ------------------------------------------------------------------------------ tests
def test_files_hold_the_graph_worked_out_by_hand(tmp_path, home):
    """Headers, every node and relationship, quoting, counts, modes and the printed command."""
    posts = write_posts(tmp_path / "posts.jsonl")
    out = tmp_path / "import"
    old = os.umask(0)  # the modes must not depend on the umask
    try:
        res = invoke("ingest", posts, *INTENTS, "--batch-size", 2, "--neo4j-import", out)
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output

    # no store was opened: COORDGRAPH_STORE names nothing, and no embedded server started
    assert not (home / "falkordb").exists()

    # headers: neo4j-admin's typed syntax, one header file per table
    for table, header in HEADERS.items():
        assert (out / f"{table}.header.csv").read_text(encoding="utf-8") == header + "\n"

    # the graph, value by value
    graph = graph_of_files(out)
    assert graph["accounts"] == ACCOUNTS
    assert graph["posts"] == POSTS
    assert graph["objects"] == OBJECTS
    assert graph["posted"] == POSTED
    assert graph["shared"] == SHARED
    # one row per node and per relationship: no account, post or object twice
    assert len(parse(out, "accounts")) == 2 and len(parse(out, "posts")) == 3
    assert len(parse(out, "objects")) == 6 and len(parse(out, "shared")) == 8

    # the bytes: strings quoted with "" doubled, nulls empty and unquoted, numbers and booleans
    # bare, U+001F between list items, line breaks kept inside quotes, NUL -> U+FFFD
    accounts_text = "".join(p.read_bytes().decode("utf-8") for p in data_files(out, "accounts"))
    assert '"a,1","@Al""ice","Alice, ""A""","unknown",5,,,,true,"al""ice"\n' in accounts_text
    assert '"b","Bob","Bøb","unknown",,,,,,"bob"\n' in accounts_text
    posts_text = "".join(p.read_bytes().decode("utf-8") for p in data_files(out, "posts"))
    assert ('"007",100,"say ""hi"", all\nline2\r\nnul\ufffd 🙂","en","unknown",0,0,0,0,,,,,,,'
            '"Tag\x1fünï","http://x.y/a,b;c""q",,\n') in posts_text
    assert '"p3",110,"again",,"unknown",0,0,0,0,,,,,,,"tag\x1ftag","tag",,\n' in posts_text
    shared_text = "".join(p.read_bytes().decode("utf-8") for p in data_files(out, "shared"))
    assert '"a,1","4:urls:tag","p3",110,"urls"\n' in shared_text
    assert '"a,1","8:hashtags:tag","p3",110,"hashtags"\n' in shared_text

    # the user's data: directory 0700, files 0600 (umask 0 above)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    files = sorted(p.name for p in out.iterdir())
    assert files and all(stat.S_IMODE((out / f).stat().st_mode) == 0o600 for f in files)

    # the counts printed: the read table (as ingest) and what the files hold
    assert table_value(res.output, "accounts written") == "2"
    assert table_value(res.output, "posts written") == "3"
    assert table_value(res.output, "objects written") == "6"
    assert table_value(res.output, "shares") == "9"
    assert table_value(res.output, "hashtags") == "5"
    assert table_value(res.output, "retweets") == "2"
    assert table_value(res.output, "urls") == "2"
    assert table_value(res.output, "SHARED written") == "8"
    assert table_value(res.output, "files") == str(len(files))
    read_rows = [[c.strip() for c in re.split(r"[│┃]", line) if c.strip()] for line in res.output.splitlines()]
    assert [r[2:6] for r in read_rows if r[1:2] == ["jsonl"]] == [["4", "3", "1", "0"]]  # read, kept, dup, rejected

    # the command: every file, header first, mounted read-only at /import; the options the files need
    assert "docker compose stop neo4j" in res.output and "docker compose up -d" in res.output
    args = printed_command(res.output)
    assert args[:9] == ["docker", "compose", "run", "--rm", "--no-deps", "--entrypoint", "neo4j-admin", "-v",
                        f"{out}:/import:ro"]
    assert args[9:14] == ["neo4j", "database", "import", "full", "neo4j"]
    groups = {}
    for arg in args[14:]:
        option, _, value = arg.partition("=")
        if option in ("--nodes", "--relationships"):
            name, _, paths = value.partition("=")
            groups[name] = paths.split(",")
    assert set(groups) == {"Account", "Post", "Object", "POSTED", "SHARED"}
    table_of = {"Account": "accounts", "Post": "posts", "Object": "objects", "POSTED": "posted", "SHARED": "shared"}
    for name, paths in groups.items():
        table = table_of[name]
        assert paths == [f"/import/{table}.header.csv", *(f"/import/{p.name}" for p in data_files(out, table))]
    named = sorted(p.rsplit("/", 1)[1] for paths in groups.values() for p in paths)
    assert named == files
    assert {"--array-delimiter=U+001F", "--skip-duplicate-nodes=true", "--multiline-fields=true"} <= set(args[14:])
    assert "--overwrite-destination=true" in res.output  # explained, not in the command
    assert "--overwrite-destination=true" not in args


@pytest.mark.parametrize("mode", ["merge", "bulk"])
def test_files_equal_a_real_load(tmp_path, home, store, mode):
    """The same input loaded by ``ingest --store`` (post details in the graph; the MERGE path
    Neo4j takes, and FalkorDB's bulk first load) gives the same nodes, properties and
    relationships as the files describe."""
    posts = write_posts(tmp_path / "posts.jsonl")
    out = tmp_path / "import"
    res = invoke("ingest", posts, *INTENTS, "--batch-size", 2, "--neo4j-import", out)
    assert res.exit_code == 0, res.output
    res = invoke("ingest", posts, *INTENTS, "--batch-size", 2, "--post-details", "graph", "--mode", mode,
                 "--store", store.uri)
    assert res.exit_code == 0, res.output
    from_files, from_store = graph_of_files(out), graph_of_store(store)
    assert from_files == from_store
    assert from_store["accounts"] == ACCOUNTS and from_store["shared"] == SHARED


def test_share_tables(tmp_path, home, store):
    """``--shares-table``: objects keyed by (id, kind), a repeated share once, accounts bare;
    no post files, so the command names no Post/POSTED and needs no multi-line fields. Equal
    to a real load of the same table."""
    table = tmp_path / "shares.csv"
    pd.DataFrame({"object_id": ["x", "x", "x", "http://a"], "account_id": ["007", "007", "u 2", "007"],
                  "content_id": ["1", "1", "2", "1"], "timestamp_share": [10, 10, 12, 10],
                  "kind": ["hashtags", "hashtags", "urls", "urls"]}).to_csv(table, index=False)
    out = tmp_path / "import"
    res = invoke("ingest", "--shares-table", table, "--neo4j-import", out)
    assert res.exit_code == 0, res.output
    graph = graph_of_files(out)
    assert graph["accounts"] == {"007": {"id": "007"}, "u 2": {"id": "u 2"}}
    assert graph["objects"] == {("x", "hashtags"), ("x", "urls"), ("http://a", "urls")}
    assert graph["shared"] == sorted([("007", "x", "hashtags", "1", 10, "hashtags"),
                                      ("u 2", "x", "urls", "2", 12, "urls"),
                                      ("007", "http://a", "urls", "1", 10, "urls")])
    assert sorted(p.name for p in out.iterdir()) == [
        "accounts-00001.csv", "accounts.header.csv", "objects-00001.csv", "objects.header.csv",
        "shared-00001.csv", "shared.header.csv"]
    assert table_value(res.output, "shares") == "4" and table_value(res.output, "SHARED written") == "3"
    args = printed_command(res.output)
    assert not any(a.startswith(("--nodes=Post", "--relationships=POSTED", "--multiline")) for a in args)
    res = invoke("ingest", "--shares-table", table, "--store", store.uri)
    assert res.exit_code == 0, res.output
    assert graph_of_store(store) == graph


def test_refusals(tmp_path, home):
    """A list item holding the array delimiter is refused (post and field named), never
    changed; a directory with files in it is refused (old files would be imported too)."""
    bad = write_posts(tmp_path / "bad.jsonl", [{"post_id": "p9", "account_id": "a", "ts": 1, "text": "t",
                                                "hashtags": ["a\x1fb"], "urls": [], "mentions": []}])
    out = tmp_path / "import"
    res = invoke("ingest", bad, "-i", "hashtags", "--neo4j-import", out)
    assert res.exit_code == 2
    assert "post 'p9', field hashtags" in res.output and "U+001F" in res.output
    assert list(out.iterdir()) == []  # a batch is checked before its file is written
    # a bad item in a later batch: the files written before are named incomplete
    rows = [{**ROWS[2], "post_id": f"ok{i}"} for i in range(2)] + [
        {"post_id": "p9", "account_id": "a", "ts": 1, "text": "t", "hashtags": ["a\x1fb"], "urls": [], "mentions": []}]
    res = invoke("ingest", write_posts(tmp_path / "late.jsonl", rows), "-i", "hashtags", "--batch-size", 2,
                 "--neo4j-import", out)
    assert res.exit_code == 2 and "post 'p9', field hashtags" in res.output
    assert f"{out} holds incomplete files" in res.output.replace("\n", "")
    res = invoke("ingest", write_posts(tmp_path / "ok.jsonl"), *INTENTS, "--neo4j-import", out)
    assert res.exit_code == 2 and "is not empty" in res.output
    (tmp_path / "file").write_text("x")
    res = invoke("ingest", write_posts(tmp_path / "ok.jsonl"), *INTENTS, "--neo4j-import", tmp_path / "file")
    assert res.exit_code == 2 and "not a directory" in res.output


def test_nothing_read_prints_no_command(tmp_path, home):
    """Every record rejected: the same exit 1 and rejects file as ingest, and no command."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"post_id": "p1", "account_id": "a", "ts": "noon"}\n'
                   '{"post_id": "p2", "account_id": "a", "ts": "later"}\n')
    out = tmp_path / "import"
    res = invoke("ingest", bad, "--neo4j-import", out)
    assert res.exit_code == 1 and "every record was rejected" in res.output
    assert "Nothing to import" in res.output and "docker compose run" not in res.output
    assert list(out.iterdir()) == []
    assert len(list((home / "rejects").glob("*.rejects.jsonl"))) == 1
