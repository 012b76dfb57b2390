"""Command-line inputs that used to end in a traceback or a silently wrong output (issue 19):
each must give one clear line (exit 2) before any input is read."""
from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app

from .corpus.cases import jl, v2

RUNNER = CliRunner()


@pytest.fixture
def posts(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(jl(v2(1), v2(2, "2002")))
    return path


def run(*args):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_line(result) -> str:
    return " ".join(result.output[result.output.index("error:"):].split())


def test_out_with_unknown_extension_is_refused_up_front(posts, tmp_path):
    result = run("shares", posts, "-i", "retweets", "--out", tmp_path / "x.pq")
    assert result.exit_code == 2
    assert "x.pq: the output must end in .parquet, .csv, .csv.gz" in one_line(result)
    assert not (tmp_path / "x.pq").exists()


def test_out_an_existing_directory(posts, tmp_path):
    (tmp_path / "x.parquet").mkdir()
    result = run("shares", posts, "-i", "retweets", "--out", tmp_path / "x.parquet")
    assert result.exit_code == 2 and "x.parquet: is a directory" in one_line(result)


def test_out_in_proc(posts):
    result = run("shares", posts, "-i", "retweets", "--out", "/proc/x.parquet")
    assert result.exit_code == 2 and "/proc/x.parquet: cannot write the output" in one_line(result)


def test_out_check_leaves_no_file_behind(posts, tmp_path):
    result = run("shares", posts, "-i", "retweets", "--out", tmp_path / "sub" / "s.parquet", "--strict",
                 "--map", "bad")
    assert result.exit_code == 2 and not (tmp_path / "sub" / "s.parquet").exists()


def test_report_file_has_the_per_file_counts(posts, tmp_path):
    result = run("shares", posts, "-i", "retweets", "--out", tmp_path / "s.csv", "--report", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "r.json").read_bytes())
    assert (report["records"], report["kept"], report["duplicates"], report["rejected"]) == (2, 2, 0, 0)
    assert [f["file"] for f in report["files"]] == [str(posts)]
    assert report["files"][0]["format"] == "twitter-v2"
    assert "what was read" in result.output  # the rich report table


def test_cypher_param_name_with_a_backtick(tmp_path, monkeypatch):
    monkeypatch.setenv("COORDGRAPH_HOME", str(tmp_path))
    result = run("cypher", "RETURN 1", "-p", "a`b=1")
    assert result.exit_code == 2 and "the name must be letters, digits and _" in one_line(result)


def test_ingest_shares_table_empty_csv(tmp_path, monkeypatch):
    monkeypatch.setenv("COORDGRAPH_HOME", str(tmp_path / "home"))
    empty = tmp_path / "shares.csv"
    empty.write_bytes(b"")
    try:
        result = run("ingest", empty, "--shares-table", "--no-resume")
    finally:
        from coordgraph.cypher import server

        server.stop()
    assert result.exit_code == 2 and f"{empty}: empty file" in one_line(result)
