"""``coordgraph shares`` end to end: outputs, summary, rejects file, strict mode, no tracebacks."""
from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from coordgraph.cli import app

from .conftest import DATA, TOY

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["shares", *map(str, args)])


def test_multi_intent_parquet_with_rejects_beside_it(tmp_path):
    out = tmp_path / "out" / "shares.parquet"
    result = run(DATA / "twarc2", DATA / "broken" / "malformed.jsonl", "-i", "retweets", "-i", "hashtags", "--out", out)
    assert result.exit_code == 0, result.output
    shares = pd.read_parquet(out)
    assert set(shares["kind"]) == {"retweets", "hashtags"}
    assert shares["object_id"].str.match(r"^(retweets|hashtags):").all()
    rejects = tmp_path / "out" / "shares.rejects.jsonl"
    assert len(rejects.read_text().splitlines()) == 2
    assert "rejected" in result.output and "shares.rejects.jsonl" in result.output
    assert "duplicates" in result.output


def test_single_intent_csv_compat_equals_fixture(tmp_path):
    out = tmp_path / "urls.csv"
    result = run(*sorted(TOY.glob("T9_input_*.csv")), "--intent", "urls_domains", "--compat", "--out", out)
    assert result.exit_code == 0, result.output
    got = pd.read_csv(out, dtype=str)
    want = pd.read_csv(TOY / "T9_reshape_urls_domains.csv", dtype=str)
    assert sorted(map(tuple, got[list(want.columns)].values)) == sorted(map(tuple, want.values))
    assert not (tmp_path / "urls.rejects.jsonl").exists()


def test_map_option_defaults_to_objects_intent(tmp_path):
    out = tmp_path / "s.csv"
    result = run(DATA / "tables" / "shares_like.csv", "--map", "object_id=url,account_id=author,timestamp_share=time",
                 "--out", out)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["object_id"].tolist() == ["https://site.example/1", "https://site.example/1",
                                                      "https://site.example/2"]


def test_strict_exits_2_with_one_line_and_no_traceback(tmp_path):
    result = run(DATA / "broken" / "bad_time.jsonl", "-i", "cotweet", "--strict", "--out", tmp_path / "x.csv")
    assert result.exit_code == 2
    assert "bad_time.jsonl:1: field 'created_at': unparseable time" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.csv").exists()


def test_user_errors_are_one_line(tmp_path):
    cases = [
        (["-i", "likes"], "unknown intent 'likes'"),
        ([], "give at least one --intent"),
        (["-i", "hashtags", "--map", "oops"], "is not target=column"),
        (["-i", "hashtags", "--format", "xml"], "unknown format 'xml'"),
    ]
    for extra, message in cases:
        result = run(DATA / "snscrape", *extra, "--out", tmp_path / "x.parquet")
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.output and "Traceback" not in result.output
    result = run(tmp_path / "missing.jsonl", "-i", "hashtags", "--out", tmp_path / "x.parquet")
    assert result.exit_code == 2 and "no such file" in result.output


def test_running_twice_into_the_input_directory_gives_the_same_shares(tmp_path):
    import shutil

    shutil.copy(DATA / "snscrape" / "search.jsonl", tmp_path / "search.jsonl")
    out = tmp_path / "shares.csv"
    first = run(tmp_path, "-i", "hashtags", "-i", "urls", "--out", out)
    assert first.exit_code == 0, first.output
    before = out.read_bytes()
    second = run(tmp_path, "-i", "hashtags", "-i", "urls", "--out", out)
    assert second.exit_code == 0, second.output
    assert out.read_bytes() == before  # its own output is not read back as posts
    assert len(pd.read_csv(out)) == 3 + 2  # 3 hashtags, 2 urls (the twitter.com link dropped)
