"""The bad-input corpus: every case a small file (or folder) of a real shape, built at test
time, with what every entry point must make of it.

Each case: ``id``, ``build(dir) -> path`` (the input), ``kind`` ("posts": platform files for
``shares``/``ingest``; "table": a share table for ``detect``/``ingest --shares-table``),
``intents``, extra ``args`` for ``shares``, and ``expect``:

posts cases
    kept, duplicates, rejected (records), lost (to truncation), reason (the reason key of
    the first reject, or of the file-level problem), field (the field it names), where
    ("line N" / "element N" / "file": how the first message locates it), ids (the post ids
    kept, byte-exact, when given), shares ({intent: n}, when given), strict_ok (``--strict``
    succeeds), skipped (a load-wide skip reason expected in the report), warning (a
    substring of a warning).
table cases
    rows (shares detect reads) or error (a substring of the one-line error; the message
    must also name the file).

Expected numbers are worked out by hand from the records written here, never by the code.
``python -m tests.loader.corpus.cases`` rewrites manifest.json (the list a reader can scan).
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import orjson

ID = "15000000000000000"  # 19-digit ids: ID + "01", ...
T0 = "2022-03-01T10:00:0{}.000Z"


def tid(n: int) -> str:
    """A 19-digit tweet id."""
    return f"{ID}{n:02d}"


def v2(n: int, author: str = "2001", sec: int = 0, text: str = "hello", **extra) -> dict:
    """A v2 tweet."""
    t = {"id": tid(n), "author_id": author, "created_at": T0.format(sec % 10), "text": text}
    t.update(extra)
    return t


def rt2(n: int, of: int, author: str, sec: int = 0) -> dict:
    """A v2 retweet of tweet ``of``."""
    return v2(n, author, sec, f"RT @x: hello", referenced_tweets=[{"type": "retweeted", "id": tid(of)}])


def v1(n: int, uid: str = "2001", text: str = "hello", **extra) -> dict:
    """A v1.1 status."""
    s = {"id": int(tid(n)), "id_str": tid(n), "created_at": "Tue Mar 01 10:00:00 +0000 2022", "text": text,
         "user": {"id": int(uid), "id_str": uid, "screen_name": f"u{uid}", "followers_count": 3},
         "entities": {"hashtags": [], "urls": [], "user_mentions": []}}
    s.update(extra)
    return s


def v1rt(n: int, of: int, uid: str) -> dict:
    """A v1.1 retweet of status ``of``."""
    return v1(n, uid, "RT @u9: hello", retweeted_status=v1(of, "2009"))


def sn(n: int, uid: int = 2001, **extra) -> dict:
    """An snscrape tweet."""
    t = {"_type": "snscrape.modules.twitter.Tweet", "id": int(tid(n)), "date": "2022-03-01T10:00:00+00:00",
         "rawContent": "hello", "user": {"_type": "snscrape.modules.twitter.User", "id": uid, "username": f"u{uid}"}}
    t.update(extra)
    return t


def jl(*objs) -> bytes:
    """JSON lines."""
    return b"".join(orjson.dumps(o) + b"\n" for o in objs)


def pretty(obj) -> bytes:
    """A pretty-printed JSON document (what json.dump(indent=2) writes)."""
    return json.dumps(obj, indent=2).encode()


CSV_HEAD = "post_id,account_id,ts,text,hashtags\n"


def csv_rows(*rows: str, head: str = CSV_HEAD) -> bytes:
    """A CSV text."""
    return (head + "".join(r + "\n" for r in rows)).encode()


def write(name: str, data: bytes):
    """A builder writing ``data`` to ``dir/name``."""
    def build(d: Path) -> Path:
        p = d / name
        p.write_bytes(data)
        return p
    return build


def write_dir(name: str, files: dict):
    """A builder writing a folder of files (values: bytes, or a callable(path) for special files)."""
    def build(d: Path) -> Path:
        root = d / name
        root.mkdir()
        for fname, data in files.items():
            if callable(data):
                data(root / fname)
            else:
                (root / fname).write_bytes(data)
        return root
    return build


def parquet(name: str, columns: dict, types: dict | None = None):
    """A builder writing a Parquet file with pyarrow (explicit types where given)."""
    def build(d: Path) -> Path:
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrays = {k: pa.array(v, type=(types or {}).get(k)) for k, v in columns.items()}
        p = d / name
        pq.write_table(pa.table(arrays), p)
        return p
    return build


def pandas_parquet(name: str, frame_kwargs: dict):
    """A builder writing a Parquet file the way pandas does (int column with NaN -> float64)."""
    def build(d: Path) -> Path:
        import pandas as pd

        p = d / name
        pd.DataFrame(frame_kwargs).to_parquet(p, index=False)
        return p
    return build


def gz(data: bytes, cut: float | None = None) -> bytes:
    """gzip ``data``; ``cut`` keeps that fraction of the compressed bytes (a truncated file)."""
    packed = gzip.compress(data, mtime=0)
    return packed[: int(len(packed) * cut)] if cut else packed


def _link(target: str):
    def make(p: Path) -> None:
        os.symlink(target, p)
    return make


def case(id, build, expect, kind="posts", intents=("retweets",), args=()):
    return {"id": id, "build": build, "kind": kind, "intents": list(intents), "args": list(args), "expect": expect}


def ok(kept, **kw):
    """Expectation of a clean file."""
    return {"kept": kept, "duplicates": 0, "rejected": 0, "lost": 0, "strict_ok": True, **kw}


def bad(kept, rejected, reason, field, where, **kw):
    """Expectation of a file with rejected records (strict fails on the first)."""
    return {"kept": kept, "duplicates": 0, "rejected": rejected, "lost": 0, "reason": reason, "field": field,
            "where": where, "strict_ok": False, **kw}


NOTICE_1 = "https://support.twitter.com/articles/20169222"
NOTICE_2 = "https://support.twitter.com/articles/20169199"
NOTICE_3 = "https://help.twitter.com/articles/20169222"
NOTICE_4 = "https://help.twitter.com/en/articles/20169199"


def _urls(*urls):
    return {"urls": [{"url": "https://t.co/x", "expanded_url": u} for u in urls]}


def _v1urls(*urls):
    return {"hashtags": [], "urls": [{"url": "https://t.co/x", "expanded_url": u} for u in urls], "user_mentions": []}


BIG_TEXT = "x" * 2000

CASES = [
    # ---------------------------------------------------------------- issue 19: notice links
    case("notice_links_v2_page", write("page.jsonl", jl({"data": [
        v2(1, "2001", entities=_urls(NOTICE_1, "https://news.example/a")),
        v2(2, "2002", entities=_urls(NOTICE_2)),
        v2(3, "2003", entities=_urls(NOTICE_3, NOTICE_4, "https://news.example/a"))]})),
        ok(3, shares={"urls": 2}, skipped="Twitter withheld/media-policy notice link"), intents=["urls"]),
    case("notice_links_v1_domains", write("stream.jsonl", jl(
        v1(1, "2001", entities=_v1urls(NOTICE_1)), v1(2, "2002", entities=_v1urls(NOTICE_2, "http://www.site.org/x")))),
        ok(2, shares={"urls_domains": 1}, skipped="Twitter withheld/media-policy notice link"), intents=["urls_domains"]),
    case("notice_links_compat", write("page2.jsonl", jl({"data": [
        v2(1, "2001", entities=_urls(NOTICE_1)), v2(2, "2002", entities=_urls(NOTICE_1))]})),
        ok(2, shares={"urls": 0}), intents=["urls"], args=["--compat"]),
    # ---------------------------------------------------------------- academictwitteR folder
    case("academic_folder_with_query", write_dir("academic", {
        "data_1500000000000000010.json": pretty([v2(1, "2001"), rt2(2, 1, "2002")]),
        "users_1500000000000000010.json": pretty({"users": [{"id": "2001", "username": "a"}, {"id": "2002", "username": "b"}]}),
        "query": b"(#election OR #vote) lang:en -is:retweet\n"}),
        ok(2, ids=[tid(1), tid(2)], skipped_file="query")),
    # ---------------------------------------------------------------- API v1.1 REST responses
    case("v1_timeline_array", write("timeline.json", pretty([v1(1, "2001"), v1rt(2, 1, "2002"), v1rt(3, 1, "2003")])),
         ok(3, ids=[tid(1), tid(2), tid(3)], shares={"retweets": 3})),
    case("v1_timeline_array_oneline", write("mentions.json", orjson.dumps([v1(1), v1(2, "2002")])),
         ok(2, ids=[tid(1), tid(2)])),
    case("v1_search_response", write("search.json", pretty({"statuses": [v1(1), v1rt(2, 1, "2002")],
                                                            "search_metadata": {"count": 2, "max_id": 1}})),
         ok(2, ids=[tid(1), tid(2)])),
    case("v1_search_responses_as_lines", write("searches.jsonl", jl(
        {"statuses": [v1(1)], "search_metadata": {}}, {"statuses": [v1(2, "2002"), v1(3, "2003")], "search_metadata": {}})),
        ok(3)),
    case("v1_pretty_status", write("status.json", pretty(v1(7, "2001", "pretty"))), ok(1, ids=[tid(7)])),
    case("v1_array_bad_element", write("tl.json", pretty([v1(1), {**v1(2), "created_at": "not a date"}, v1(3)])),
         bad(2, 1, "unparseable time", "created_at", "element 1")),
    case("v1_array_non_object_element", write("tl2.json", pretty([v1(1), 42, v1(3)])),
         bad(2, 1, "expected a status object, found int", None, "element 1")),
    case("v1_huge_array_oneline_any_name", write("dump.txt", orjson.dumps([v1(i, "2001", BIG_TEXT) for i in range(1, 100)] * 50)),
         {**ok(99), "duplicates": 99 * 49}),
    # ---------------------------------------------------------------- JSON arrays, BOM
    case("bom_pretty_v2_array", write("tweets.json", b"\xef\xbb\xbf" + pretty([v2(1), v2(2, "2002")])), ok(2)),
    case("bom_v1_array", write("tl.json", b"\xef\xbb\xbf" + pretty([v1(1)])), ok(1)),
    case("bom_jsonl", write("lines.jsonl", b"\xef\xbb\xbf" + jl(v2(1), v2(2, "2002"))),
         bad(1, 1, "malformed JSON", None, "line 1")),
    case("v2_array_bad_element_index", write("data_1500000000000000099.json",
                                             pretty([v2(1), v2(2), {"id": tid(3), "created_at": T0.format(0)}, v2(4)])),
         bad(3, 1, "missing required field", "author_id", "element 2")),
    case("v2_array_string_element", write("arr.json", pretty([v2(1), "oops", v2(3)])),
         bad(2, 1, "expected a tweet object, found str", None, "element 1")),
    # a NUL character: refused in an id (no share file or store can carry it, as in a CSV
    # field), kept in a text (stored as U+FFFD: FalkorDB's query text ends at a NUL)
    case("v2_nul_in_id", write("nul.jsonl", jl(v2(1), {**v2(2, "2002"), "id": "15\u00002"},
                                               v2(3, "2003", 0, "a\u0000b"))),
         bad(2, 1, "NUL character in an id", "id", "line 2")),
    case("v2_big_oneline_array", write("export.json", orjson.dumps([v2(i % 90 + 1, "2001", 0, BIG_TEXT) for i in range(5000)])),
         {**ok(90), "duplicates": 5000 - 90}),
    # ---------------------------------------------------------------- Parquet
    case("parquet_timestamp_time", parquet("ts.parquet", {
        "post_id": [tid(1), tid(2)], "account_id": ["a", "b"],
        "ts": [1646128800_000_000, 1646128801_000_000], "retweeted_id": [None, tid(1)]},
        {"ts": __import__("pyarrow").timestamp("us", tz="UTC")}), ok(2, shares={"retweets": 2})),
    case("parquet_naive_timestamp", parquet("ts2.parquet", {
        "post_id": [tid(1)], "account_id": ["a"], "ts": [1646128800_000]},
        {"ts": __import__("pyarrow").timestamp("ms")}), ok(1)),
    case("parquet_float_retweeted_id", pandas_parquet("rt.parquet", {
        "post_id": [tid(1), tid(2), tid(3)], "account_id": ["a", "b", "c"], "ts": [1646128800, 1646128801, 1646128802],
        "retweeted_id": [float("nan"), 1.3729603989379236e18, 1.3729603989379236e18]}),
        bad(1, 2, "id written as a float: 1.3729603989379236e+18 cannot be recovered exactly", "retweeted_id", "line 2")),
    case("parquet_float_account_id", pandas_parquet("acc.parquet", {
        "post_id": [tid(1)], "account_id": [2.5e9], "ts": [1646128800]}),
        bad(0, 1, "id written as a float: 2500000000.0 cannot be recovered exactly", "account_id", "line 1")),
    case("parquet_int64_ids_exact", parquet("int.parquet", {
        "post_id": [int(tid(1)), int(tid(2))], "account_id": [2001, 2002], "ts": [1646128800, 1646128801],
        "retweeted_id": [None, int(tid(1))]}), ok(2, ids=[tid(1), tid(2)])),
    case("parquet_corrupt", write("bad.parquet", b"PAR1" + b"\x00junk" * 50 + b"PAR1"),
         {**ok(0), "strict_ok": False, "reason": "unreadable Parquet", "field": None, "where": "file"}),
    case("parquet_missing_column", parquet("nocol.parquet", {"post_id": [tid(1)], "ts": [1646128800]}),
         {**ok(0), "strict_ok": False, "reason": "file rejected", "field": None, "where": "file"}),
    case("parquet_null_account", parquet("null.parquet", {
        "post_id": [tid(1), tid(2)], "account_id": ["a", None], "ts": [1646128800, 1646128801]}),
        bad(1, 1, "missing required field", "account_id", "line 2")),
    case("parquet_list_hashtags", parquet("tags.parquet", {
        "post_id": [tid(1), tid(2)], "account_id": ["a", "b"], "ts": [1646128800, 1646128801],
        "hashtags": [["Vote", "x"], ["vote"]]}), ok(2, shares={"hashtags": 3}), intents=["hashtags"]),
    # ---------------------------------------------------------------- CSV quotes
    case("csv_unterminated_quote_eof", write("q.csv", csv_rows(
        f'{tid(1)},a,1646128800,hi,#ok', f'{tid(2)},b,1646128801,"broken,#x',
        f'{tid(3)},c,1646128802,hi,#y', f'{tid(4)},d,1646128803,hi,#z')),
        bad(1, 3, "malformed CSV", None, "line 3", ids=[tid(1)]), intents=["hashtags"]),
    case("csv_unterminated_quote_mid", write("q2.csv", csv_rows(
        f'{tid(1)},a,1646128800,hi,#ok', f'{tid(2)},b,1646128801,"broken,#x',
        f'{tid(3)},c,1646128802,"fine",#y', f'{tid(4)},d,1646128803,hi,#z')),
        bad(2, 2, "malformed CSV", None, "line 3", ids=[tid(1), tid(4)]), intents=["hashtags"]),
    case("csv_quoted_newline_is_fine", write("nl.csv", csv_rows(
        f'{tid(1)},a,1646128800,"two\nlines",#ok', f'{tid(2)},b,1646128801,"x, y",#ok')),
        ok(2, shares={"hashtags": 2}), intents=["hashtags"]),
    case("csv_quote_inside_unquoted", write("qi.csv", csv_rows(f'{tid(1)},a,1646128800,say "hi",#ok')),
         ok(1), intents=["hashtags"]),
    # ---------------------------------------------------------------- entities from text
    case("csv_hashtags_from_text", write("ira.csv", csv_rows(
        f"{tid(1)},a,1646128800,Go #Vote now #MAGA", f"{tid(2)},b,1646128801,#vote! and C# and &#39; #123",
        head="post_id,account_id,ts,text\n")),
        ok(2, shares={"hashtags": 3}, warning="taken from the text"), intents=["hashtags"]),
    case("csv_mentions_from_text", write("ira2.csv", csv_rows(
        f"{tid(1)},a,1646128800,hi @Bob and @alice_1", f"{tid(2)},b,1646128801,mail me at x@y.com",
        head="post_id,account_id,ts,text\n")),
        ok(2, shares={"mentions": 2}, warning="taken from the text"), intents=["mentions"]),
    case("jsonl_table_hashtags_from_text", write("flat.jsonl", jl(
        {"post_id": tid(1), "account_id": "a", "ts": 1646128800, "text": "#one #two"})),
        ok(1, shares={"hashtags": 2}), intents=["hashtags"], args=["--map", "post_id=post_id"]),
    case("v2_no_entities_hashtag_text", write("flat.jsonl", jl(v2(1, text="vote #Now"), v2(2, "2002", text="#now!"))),
         ok(2, shares={"hashtags": 0}, warning="intent 'hashtags' found nothing, but 2 posts"), intents=["hashtags"]),
    case("csv_lowercase_hashtags_nfkc", write("fold.csv", csv_rows(
        f"{tid(1)},a,1646128800,x,\uff25\uff2c\uff25\uff23\uff34", f"{tid(2)},b,1646128801,x,elect",
        f"{tid(3)},c,1646128802,x,Stra\u00dfe", f"{tid(4)},d,1646128803,x,STRASSE",
        f"{tid(5)},e,1646128804,x,cafe\u0301", f"{tid(6)},f,1646128805,x,Caf\u00e9")),
        ok(6, shares={"hashtags": 6}, objects={"elect": 2, "strasse": 2, "caf\u00e9": 2}),
        intents=["hashtags"], args=["--lowercase-hashtags"]),
    # ---------------------------------------------------------------- ids written as floats
    case("csv_float_account_ids", write("f.csv", csv_rows(
        f"{tid(1)},1.3729603989379236e+18,1646128800,hi,", f"{tid(2)},b,1646128801,hi,")),
        bad(1, 1, "id written as a float", "account_id", "line 2")),
    case("csv_float_post_ids_dot0", write("f2.csv", csv_rows(
        "1372960398937923584.0,a,1646128800,hi,", f"{tid(2)},b,1646128801,hi,")),
        bad(1, 1, "id written as a float", "post_id", "line 2")),
    case("csv_handles_with_dots_are_ids", write("h.csv", csv_rows(
        f"{tid(1)},john.doe,1646128800,hi,", f"{tid(2)},e.e.cummings,1646128801,hi,")), ok(2)),
    case("v2_float_id", write("fl.jsonl", jl({**v2(1), "id": 1.5e18}, v2(2))),
         bad(1, 1, "id written as a float", "id", "line 1")),
    case("v1_float_reply_id", write("rp.jsonl", jl(v1(1, in_reply_to_status_id=1.5e18), v1(2))),
         bad(1, 1, "id written as a float", "in_reply_to_status_id_str", "line 1")),
    # ---------------------------------------------------------------- truncated gzip
    case("truncated_gzip_jsonl", write("cut.jsonl.gz", gz(jl(*[v2(i, str(3000 + i)) for i in range(1, 61)]), 0.6)),
         {"kept": "recoverable", "duplicates": 0, "rejected": 0, "lost": 1, "reason": "truncated or corrupt gzip",
          "field": None, "where": "line", "strict_ok": False}),
    case("truncated_gzip_csv", write("cut.csv.gz", gz(csv_rows(*[f"{tid(i)},a{i},{1646128800 + i},hi," for i in range(1, 90)]), 0.5)),
         {"kept": "recoverable", "duplicates": 0, "rejected": 0, "lost": 1, "reason": "truncated or corrupt gzip",
          "field": None, "where": "line", "strict_ok": False}),
    case("gzip_corrupt_middle", write("bad.jsonl.gz", (lambda b: b[:40] + b"\xff" * 30 + b[70:])(gz(jl(*[v2(i) for i in range(1, 40)])))),
         {"kept": "any", "duplicates": 0, "rejected": 0, "lost": "any", "reason": "truncated or corrupt gzip",
          "field": None, "where": "line", "strict_ok": False}),
    case("gzip_multi_member", write("multi.jsonl.gz", gz(jl(v2(1))) + gz(jl(v2(2, "2002")))), ok(2)),
    case("gzip_magic_only", write("magic.jsonl.gz", b"\x1f\x8b"),
         {**ok(0), "strict_ok": False, "reason": "truncated or corrupt gzip", "field": None, "where": "line"}),
    # ---------------------------------------------------------------- dates
    case("v2_date_1969", write("old.jsonl", jl({**v2(1), "created_at": "1969-12-31T23:59:59.000Z"}, v2(2))),
         bad(1, 1, "time before Twitter's start (2006-03-21)", "created_at", "line 1")),
    case("v1_date_year_1", write("y1.jsonl", jl({**v1(1), "created_at": "0001-01-01T00:00:00Z"}, v1(2))),
         bad(1, 1, "time before Twitter's start (2006-03-21)", "created_at", "line 1")),
    case("v2_date_2005", write("2005.jsonl", jl({**v2(1), "created_at": "2005-06-01T00:00:00.000Z"})),
         bad(0, 1, "time before Twitter's start (2006-03-21)", "created_at", "line 1")),
    case("snscrape_date_epoch0", write("sn.jsonl", jl({**sn(1), "date": "1970-01-01T00:00:00+00:00"}, sn(2))),
         bad(1, 1, "time before Twitter's start (2006-03-21)", "date", "line 1")),
    case("csv_date_1969", write("d.csv", csv_rows(f"{tid(1)},a,1969-07-20T20:17:00Z,moon,", f"{tid(2)},b,1646128800,x,")),
         bad(1, 1, "time before 1970-01-01", "ts", "line 2")),
    case("csv_date_year_1", write("d1.csv", csv_rows(f"{tid(1)},a,0001-01-01 00:00:00,x,")),
         bad(0, 1, "time before 1970-01-01", "ts", "line 2")),
    case("csv_negative_epoch", write("neg.csv", csv_rows(f"{tid(1)},a,-5,x,")),
         bad(0, 1, "time before 1970-01-01", "ts", "line 2")),
    case("csv_date_year_99999", write("far.csv", csv_rows(f"{tid(1)},a,99999-01-01T00:00:00Z,x,")),
         bad(0, 1, "unparseable time", "ts", "line 2")),
    # ---------------------------------------------------------------- unreadable / special files
    case("dir_with_unreadable_file", write_dir("mixed", {"a.jsonl": jl(v2(1)), "b.jsonl": _link("/proc/self/mem")}),
         {**ok(1), "strict_ok": False, "reason": "unreadable file", "field": None, "where": "file"}),
    case("dir_with_dangling_link", write_dir("dangle", {"a.jsonl": jl(v2(1)), "b.jsonl": _link("/nonexistent/x")}), ok(1)),
    # ---------------------------------------------------------------- empty and junk files
    case("empty_jsonl", write("empty.jsonl", b""), ok(0)),
    case("empty_csv", write("empty.csv", b""), ok(0)),
    case("whitespace_only", write("ws.jsonl", b"\n\n   \n\t\n"), ok(0)),
    case("binary_junk_jsonl", write("junk.jsonl", bytes(range(256)) * 4),
         {**ok(0), "strict_ok": False, "reason": "file rejected: binary data", "field": None, "where": "file"}),
    case("binary_junk_no_ext", write("junk", b"\x89PNG\r\n\x1a\n" + bytes(range(200))),
         {**ok(0), "strict_ok": False, "reason": "file rejected: binary data", "field": None, "where": "file"}),
    case("nul_bytes_jsonl", write("nul.jsonl", jl(v2(1)) + b'{"id": "\x00' + b"\x00" * 10 + b'"}\n' + jl(v2(3))),
         bad(2, 1, "malformed JSON", None, "line 2")),
    case("nul_in_csv_field", write("nul.csv", csv_rows(f"{tid(1)},a,1646128800,he\x00llo,", f"{tid(2)},b,1646128801,x,")),
         bad(1, 1, "NUL byte in the field", "text", "line 2")),
    case("latin1_csv", write("l1.csv", csv_rows(f"{tid(1)},a,1646128800,caf\xe9,").replace(b"\xc3\xa9", b"\xe9")
                             + f"{tid(2)},b,1646128801,ok,\n".encode()),
         bad(1, 1, "invalid UTF-8", "text", "line 2")),
    case("latin1_jsonl", write("l1.jsonl", jl(v2(1)) + b'{"id": "9", "text": "caf\xe9"}\n'),
         bad(1, 1, "invalid UTF-8", None, "line 2")),
    case("utf16_jsonl", write("u16.jsonl", "\ufeff".encode("utf-16-le") + jl(v2(1)).decode().encode("utf-16-le")),
         {**ok(0), "strict_ok": False, "reason": "file rejected: UTF-16 text", "field": None, "where": "file"}),
    case("crlf_jsonl", write("crlf.jsonl", jl(v2(1), v2(2, "2002")).replace(b"\n", b"\r\n")), ok(2)),
    case("crlf_csv", write("crlf.csv", csv_rows(f"{tid(1)},a,1646128800,x,", f"{tid(2)},b,1646128801,y,").replace(b"\n", b"\r\n")),
         ok(2)),
    # ---------------------------------------------------------------- duplicates
    case("duplicate_ids_conflicting_content", write("dup.jsonl", jl(v2(1, "2001", 0, "first"), v2(1, "2999", 5, "second"), v2(2))),
         {**ok(2, ids=[tid(1), tid(2)]), "duplicates": 1}),
    case("duplicates_across_files", write_dir("two", {"a.jsonl": jl(v2(1), v2(2)), "b.jsonl": jl(v2(2), v2(3))}),
         {**ok(3), "duplicates": 1}),
    case("duplicate_csv_rows", write("dup.csv", csv_rows(f"{tid(1)},a,1646128800,x,", f"{tid(1)},a,1646128800,x,")),
         {**ok(1), "duplicates": 1}),
    # ---------------------------------------------------------------- wrong types and missing fields (v2)
    case("v2_id_as_int", write("int.jsonl", jl({**v2(1), "id": int(tid(1))})), ok(1, ids=[tid(1)])),
    case("v2_author_bool", write("bool.jsonl", jl({**v2(1), "author_id": True}, v2(2))),
         bad(1, 1, "not an id", "author_id", "line 1")),
    case("v2_created_at_ms", write("ms.jsonl", jl({**v2(1), "created_at": 1646128800123})), ok(1)),
    case("v2_created_at_garbage", write("g.jsonl", jl({**v2(1), "created_at": "yesterday"}, v2(2))),
         bad(1, 1, "unparseable time", "created_at", "line 1")),
    case("v2_text_list", write("tl.jsonl", jl({**v2(1), "text": ["a"]}, v2(2))),
         bad(1, 1, "text is not a string", "text", "line 1")),
    case("v2_missing_id", write("noid.jsonl", jl({k: v for k, v in v2(1).items() if k != "id"}, v2(2))),
         bad(1, 1, "missing required field", "id", "line 1")),
    case("v2_page_data_string", write("pg.jsonl", jl({"data": "oops"}, {"data": [v2(2)]})),
         bad(1, 1, "unexpected structure", "data", "line 1")),
    case("v2_page_users_not_list", write("pu.jsonl", jl({"data": [v2(1)], "includes": {"users": "x"}})),
         bad(1, 1, "unexpected structure", "includes.users", "line 1")),
    case("v2_page_bad_tweet_in_data", write("pd.jsonl", jl({"data": [v2(1), {**v2(2), "author_id": None}]})),
         bad(1, 1, "missing required field", "data[1].author_id", "line 1")),
    case("v2_hashtags_string", write("hs.jsonl", jl({**v2(1), "entities": {"hashtags": "abc"}}, v2(2))),
         bad(1, 1, "unexpected structure", None, "line 1")),
    case("v2_referenced_not_list", write("rf.jsonl", jl({**v2(1), "referenced_tweets": 5}, v2(2))),
         bad(1, 1, "unexpected structure", None, "line 1")),
    case("v2_metrics_negative", write("neg.jsonl", jl({**v2(1), "public_metrics": {"retweet_count": -3}}, v2(2))),
         bad(1, 1, "not a count", "public_metrics.retweet_count", "line 1")),
    case("v2_note_tweet_string", write("nt.jsonl", jl({**v2(1), "note_tweet": "long"}, v2(2))),
         bad(1, 1, "unexpected structure", None, "line 1")),
    # ---------------------------------------------------------------- v1 and snscrape
    case("v1_user_missing", write("nu.jsonl", jl({k: v for k, v in v1(1).items() if k != "user"}, v1(2))),
         {**bad(1, 1, "missing required field", "user", "line 1")}),
    case("v1_user_id_missing", write("nui.jsonl", jl({**v1(1), "user": {"screen_name": "x"}}, v1(2))),
         bad(1, 1, "missing required field", "user.id_str", "line 1")),
    case("v1_favorite_count_text", write("fc.jsonl", jl({**v1(1), "favorite_count": "many"}, v1(2))),
         bad(1, 1, "not a count", "favorite_count", "line 1")),
    case("v1_control_messages_only", write("ctl.jsonl", jl({"delete": {"status": {"id": 1}}}, {"limit": {"track": 5}}, v1(1))),
         ok(1)),
    case("snscrape_missing_date", write("snd.jsonl", jl({k: v for k, v in sn(1).items() if k != "date"}, sn(2))),
         bad(1, 1, "missing required field", "date", "line 1")),
    case("snscrape_user_not_object", write("snu.jsonl", jl(sn(1), {**sn(2), "user": "bob"})),
         bad(1, 1, "missing required field", "user", "line 2")),
    case("snscrape_array_document", write("sn.json", pretty([sn(1), sn(2, 2002)])), ok(2)),
    # ---------------------------------------------------------------- JSON lines shapes
    case("huge_line", write("huge.jsonl", jl(v2(1)) + b'{"id": "' + b"9" * (9 * 1024 * 1024) + b'"}\n' + jl(v2(3))),
         bad(2, 1, "line too long", None, "line 2")),
    case("trailing_garbage", write("tg.jsonl", jl(v2(1)) + orjson.dumps(v2(2)) + b" xyz\n"),
         bad(1, 1, "malformed JSON", None, "line 2")),
    case("line_is_number_array", write("na.jsonl", jl(v2(1)) + b"[1, 2, 3]\n"),
         bad(1, 1, "expected tweet objects", None, "line 2")),
    case("last_line_cut", write("cut.jsonl", jl(v2(1)) + orjson.dumps(v2(2))[:30]),
         bad(1, 1, "malformed JSON", None, "line 2")),
    case("deep_nesting", write("deep.jsonl", jl(v2(1)) + b"[" * 2000 + b"]" * 2000 + b"\n"),
         bad(1, 1, "malformed JSON", None, "line 2")),
    case("jsonl_mapped_missing_column", write("m.jsonl", jl({"who": "a", "when": 1646128800})),
         bad(0, 1, "missing required field", "author", "line 1"), args=["--map", "account_id=author,ts=when"]),
    # ---------------------------------------------------------------- CSV shapes
    case("csv_wrong_field_count", write("wc.csv", csv_rows(f"{tid(1)},a,1646128800,x,", f"{tid(2)},b,1646128801")),
         bad(1, 1, "expected 5 fields, found 3", None, "line 3")),
    case("csv_missing_account_column", write("na.csv", csv_rows(f"{tid(1)},1646128800", head="post_id,ts\n")),
         {**ok(0), "strict_ok": False, "reason": "file rejected", "field": None, "where": "line"}),
    case("csv_header_only", write("ho.csv", csv_rows()), ok(0)),
    case("csv_blank_lines", write("bl.csv", csv_rows(f"{tid(1)},a,1646128800,x,", "", "  ", f"{tid(2)},b,1646128801,y,")), ok(2)),
    case("csv_bad_count", write("bc.csv", csv_rows(f"{tid(1)},a,1646128800,x,3", head="post_id,account_id,ts,text,like_count\n")
                                + f"{tid(2)},b,1646128801,y,lots\n".encode()),
         bad(1, 1, "not a count", "like_count", "line 3")),
    case("csv_ts_with_offset", write("off.csv", csv_rows(f"{tid(1)},a,2022-03-01T12:00:00+02:00,x,")), ok(1)),
    case("csv_ts_garbage", write("tg.csv", csv_rows(f"{tid(1)},a,soon,x,", f"{tid(2)},b,1646128801,y,")),
         bad(1, 1, "unparseable time", "ts", "line 2")),
    case("csv_empty_account", write("ea.csv", csv_rows(f"{tid(1)},,1646128800,x,", f"{tid(2)},b,1646128801,y,")),
         bad(1, 1, "missing required field", "account_id", "line 2")),
    case("tsv_file", write("t.tsv", (CSV_HEAD.replace(",", "\t") + f"{tid(1)}\ta\t1646128800\tx\t#t\n").encode()),
         ok(1, shares={"hashtags": 1}), intents=["hashtags"]),
    case("csv_gz", write("ok.csv.gz", gz(csv_rows(f"{tid(1)},a,1646128800,x,", f"{tid(2)},b,1646128801,y,"))), ok(2)),
    case("csv_bom_header", write("bom.csv", b"\xef\xbb\xbf" + csv_rows(f"{tid(1)},a,1646128800,x,")), ok(1, ids=[tid(1)])),
    case("csv_mapped", write("mapped.csv", csv_rows("a,1646128800,https://x.org/1", "b,1646128801,https://x.org/1",
                                                   head="author,time,link\n")),
         ok(2, shares={"objects": 2}), intents=["objects"], args=["--map", "account_id=author,ts=time,object_id=link"]),
    case("csv_leading_zero_ids", write("lz.csv", csv_rows("007,a,1646128800,x,", "0012,b,1646128801,y,")),
         ok(2, ids=["007", "0012"])),
    # ---------------------------------------------------------------- share tables (detect, ingest --shares-table)
    case("table_float64_object_ids", pandas_parquet("shares.parquet", {
        "object_id": [1.3729603989379236e18, float("nan"), 1.3729603989379236e18],
        "account_id": ["a", "b", "c"], "content_id": ["1", "2", "3"], "timestamp_share": [1, 2, 3]}),
        {"error": "column 'object_id' is float64"}, kind="table"),
    case("table_float64_account_ids", pandas_parquet("shares2.parquet", {
        "object_id": ["o", "o"], "account_id": [1.1e18, 2.2e18], "content_id": ["1", "2"], "timestamp_share": [1, 2]}),
        {"error": "column 'account_id' is float64"}, kind="table"),
    case("table_csv_float_text_ids", write("shares.csv", b"object_id,account_id,content_id,timestamp_share\n"
                                                        b"o,1.3729603989379236e+18,1,1\no,b,2,2\n"),
         {"error": "line 2: column 'account_id': id written as a float"}, kind="table"),
    case("table_empty_csv", write("empty_shares.csv", b""), {"error": "empty file"}, kind="table"),
    case("table_header_only", write("ho_shares.csv", b"object_id,account_id,content_id,timestamp_share\n"),
         {"rows": 0}, kind="table"),
    case("table_int_ids_exact", write("exact.csv", b"object_id,account_id,content_id,timestamp_share\n"
                                                  b"1500000000000000001,0042,1500000000000000002,1646128800\n"),
         {"rows": 1, "ids": ["0042"]}, kind="table"),
    case("table_missing_column", write("mc.csv", b"object_id,account_id,timestamp_share\no,a,1\n"),
         {"error": "missing column"}, kind="table"),
    case("table_bad_time", write("bt.csv", b"object_id,account_id,content_id,timestamp_share\no,a,1,soon\n"),
         {"error": "cannot parse time"}, kind="table"),
    case("table_pq_extension", parquet("shares.pq", {"object_id": ["o"], "account_id": ["a"], "content_id": ["1"],
                                                    "timestamp_share": [1]}), {"rows": 1}, kind="table"),
]


def manifest() -> list[dict]:
    """The cases without their builders (what manifest.json lists)."""
    return [{k: v for k, v in c.items() if k != "build"} for c in CASES]


if __name__ == "__main__":
    out = Path(__file__).with_name("manifest.json")
    out.write_text(json.dumps(manifest(), indent=1) + "\n")
    print(f"{len(CASES)} cases -> {out}")
