"""The broken corpus: every bad record named by file, line and field; the run goes on."""
from __future__ import annotations

import orjson
import pytest

from coordgraph.loader import LoaderError, read_posts

from .conftest import DATA

BROKEN = DATA / "broken"


def load(name, tmp_path, **kw):
    rejects = tmp_path / "rejects.jsonl"
    res = read_posts(BROKEN / name, rejects_path=rejects, **kw)
    lines = [orjson.loads(x) for x in rejects.read_bytes().splitlines()] if rejects.exists() else []
    return res, lines


def test_malformed_json_lines_are_rejected_and_the_rest_kept(tmp_path):
    res, rejects = load("malformed.jsonl", tmp_path)
    assert list(res.posts["post_id"]) == ["901", "903", "904"]
    assert [(r["line"], r["reason"].split(":")[0]) for r in rejects] == [
        (2, "malformed JSON"), (4, "expected tweet objects, found a list of other values")]
    assert rejects[0]["file"].endswith("malformed.jsonl") and rejects[0]["record"].startswith('{"id": "902"')
    summary = res.summary()
    assert summary["rejected"] == 2 and summary["kept"] == 3 and summary["lines_read"] == 5
    assert res.rejects_path == tmp_path / "rejects.jsonl"


def test_missing_required_fields_name_the_field(tmp_path):
    res, rejects = load("missing_fields.jsonl", tmp_path)
    assert list(res.posts["post_id"]) == ["901", "908"]
    assert [(r["line"], r["field"], r["reason"]) for r in rejects] == [
        (2, "author_id", "missing required field"), (3, "created_at", "missing required field"),
        (4, "id", "missing required field")]


def test_unparseable_times(tmp_path):
    res, rejects = load("bad_time.jsonl", tmp_path)
    assert list(res.posts["post_id"]) == ["903"]
    assert [(r["line"], r["field"]) for r in rejects] == [(1, "created_at"), (2, "created_at")]
    assert "yesterday at noon" in rejects[0]["reason"]


def test_non_utf8_bytes(tmp_path):
    res, rejects = load("non_utf8.jsonl", tmp_path)
    assert list(res.posts["post_id"]) == ["901", "903"]
    assert rejects[0]["line"] == 2 and rejects[0]["reason"].startswith("invalid UTF-8: byte 0xe9")


def test_truncated_gzip_keeps_what_was_read(tmp_path):
    res, rejects = load("truncated.jsonl.gz", tmp_path)
    assert len(res.posts) == 9  # the 9 distinct tweets, repeated 50 times, until the cut
    assert res.summary()["duplicates"] > 300
    assert rejects[-1]["reason"].startswith("truncated or corrupt gzip")
    assert rejects[-1]["line"] > 400


def test_bad_counts_and_missing_user_in_snscrape(tmp_path):
    res, rejects = load("bad_counts.jsonl", tmp_path)
    assert list(res.posts["post_id"]) == ["931"]
    assert [(r["line"], r["field"]) for r in rejects] == [(2, "likeCount"), (3, "user")]


def test_bad_csv_rows(tmp_path):
    res, rejects = load("bad_rows.csv", tmp_path)
    assert list(res.posts["post_id"]) == ["c1", "c6"]
    assert res.posts["hashtags"].tolist() == [["a", "b"], ["x"]]
    assert [(r["line"], r["field"], r["reason"].split(":")[0]) for r in rejects] == [
        (3, "-", "expected 5 fields, found 6"), (4, "ts", "unparseable time"),
        (5, "account_id", "missing required field"), (6, "text", "invalid UTF-8")]


def test_csv_without_needed_columns_is_one_clear_file_reject(tmp_path):
    res, rejects = load("wrong_columns.csv", tmp_path)
    assert res.posts.empty and len(rejects) == 1
    assert "no column for 'account_id'" in rejects[0]["reason"] and "who, when, what" in rejects[0]["reason"]
    with pytest.raises(LoaderError, match="column 'nope' \\(for ts\\) not found"):
        read_posts(BROKEN / "wrong_columns.csv", column_map={"account_id": "who", "ts": "nope"}, strict=True)


def test_empty_file_is_not_an_error(tmp_path):
    res, rejects = load("empty.jsonl", tmp_path)
    assert res.posts.empty and rejects == [] and res.summary()["files"] == 1


def test_absurd_10mb_line_is_skipped_without_holding_it(tmp_path):
    path = tmp_path / "huge.jsonl"
    good = b'{"id": "1", "author_id": "a", "created_at": "2022-01-01T00:00:00Z", "text": "ok"}\n'
    with open(path, "wb") as fh:
        fh.write(good)
        fh.write(b'{"id": "2", "text": "' + b"x" * (10 * 1024 * 1024) + b'"}\n')
        fh.write(good.replace(b'"1"', b'"3"'))
    res = read_posts(path, rejects_path=tmp_path / "r.jsonl")
    assert list(res.posts["post_id"]) == ["1", "3"]
    (reject,) = [orjson.loads(x) for x in (tmp_path / "r.jsonl").read_bytes().splitlines()]
    assert reject["line"] == 2 and reject["reason"].startswith("line too long: 10485784 bytes")
    assert len(reject["record"]) <= 500


def test_strict_stops_at_the_first_bad_record_with_one_line():
    with pytest.raises(LoaderError) as info:
        read_posts(BROKEN / "missing_fields.jsonl", strict=True)
    message = str(info.value)
    assert message.endswith("missing_fields.jsonl:2: field 'author_id': missing required field")
    assert "\n" not in message


def test_whole_corpus_in_one_run_counts_every_reason(tmp_path):
    res = read_posts(BROKEN, rejects_path=tmp_path / "r.jsonl")
    summary = res.summary()
    assert summary["files"] == 9
    n_lines = len((tmp_path / "r.jsonl").read_bytes().splitlines())
    assert summary["rejected"] == n_lines == sum(summary["rejected_by_reason"].values())
    assert {"malformed JSON", "missing required field", "unparseable time", "invalid UTF-8",
            "truncated or corrupt gzip", "file rejected", "not a count"} <= set(summary["rejected_by_reason"])


def test_format_is_detected_past_a_broken_first_line(tmp_path):
    good = (DATA / "snscrape" / "search.jsonl").read_bytes()
    path = tmp_path / "scrape.jsonl"
    path.write_bytes(b'{"_type": "snscrape.modules.twitter.Tweet", "id": 1, "date": \n' + good)
    res = read_posts(path, rejects_path=tmp_path / "r.jsonl")
    assert res.summary()["formats"] == {"snscrape": 1}
    assert len(res.posts) == 4 and res.rejected == 1


def test_csv_absurd_field_and_truncated_gzip(tmp_path):
    import gzip

    big = tmp_path / "big.csv"
    big.write_bytes(b'post_id,account_id,ts,text\np0,a,1,ok\np1,a,2,"' + b"x" * (10 * 1024 * 1024) + b'"\np2,a,3,fine\n')
    res = read_posts(big)
    assert list(res.posts["post_id"]) == ["p0", "p2"]
    assert res.summary()["first_problems"][0].endswith("big.csv:3: malformed CSV: field larger than field limit (8388608)")
    rows = b"post_id,account_id,ts,text\n" + b"".join(b"p%d,a%d,%d,t\n" % (i, i % 7, 1700000000 + i) for i in range(2000))
    packed = gzip.compress(rows)
    (tmp_path / "cut.csv.gz").write_bytes(packed[: len(packed) // 2])
    res = read_posts(tmp_path / "cut.csv.gz")
    assert 0 < len(res.posts) < 2000
    assert list(res.posts["post_id"]) == [f"p{i}" for i in range(len(res.posts))]
    assert res.summary()["rejected_by_reason"] == {"truncated or corrupt gzip": 1, "cut by truncation": 1}
    # every complete row the cut file holds is kept; the one the cut went through is counted lost
    import zlib

    recoverable = zlib.decompressobj(wbits=31).decompress(packed[: len(packed) // 2])
    assert len(res.posts) == recoverable.count(b"\n") - 1  # minus the header
    report = res.summary()["report"]
    assert report["lost_to_truncation"] == 1 and report["records"] == report["kept"] == len(res.posts)


def test_tidy_v2_side_table_rows_are_never_dropped_silently(tmp_path):
    import shutil

    for name in ("tweets", "referenced", "hashtags", "urls", "mentions"):
        shutil.copy(DATA.parents[1] / "fixtures" / "coortweet" / "toy" / f"T9_input_{name}.csv", tmp_path / f"x_{name}.csv")
    with open(tmp_path / "x_hashtags.csv", "a") as fh:
        fh.write("t9,Broken\n")  # 2 fields where the table has 4
    res = read_posts(sorted(tmp_path.glob("x_*.csv")), rejects_path=tmp_path / "r.jsonl")
    assert len(res.posts) == 5 and res.rejected == 1
    assert res.summary()["first_problems"][0].endswith("x_hashtags.csv:7: expected 4 fields, found 2")
