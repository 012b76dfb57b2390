"""``coordgraph trends`` / ``coordgraph influence`` end to end: loader -> statistics -> files."""
from __future__ import annotations

import orjson
import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.analysis.trend_simulate import simulate_trend_pair
from coordgraph.cli import app
from tests.analysis.naive import naive_trend_stats

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("trends_cli")
    pair = simulate_trend_pair(seed=3, organic_accounts=300, background_accounts=100,
                               campaign_accounts=12, bursts=4, shared_accounts=30)
    pair.posts.to_parquet(d / "posts.parquet")
    acc = pair.accounts[["account_id", "created_at", "followers_count"]].copy()
    acc["created_at"] = pd.to_datetime(acc["created_at"], unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    acc.to_csv(d / "accounts.csv", index=False)
    (d / "coord.txt").write_text("\n".join(sorted(pair.coordinated_accounts)))
    return d, pair


def test_trends_writes_the_numbers_of_the_definitions(files):
    """The written statistics equal docs/trends.md's definitions worked out row by row
    (tests/analysis/naive.py), not numbers of the code under test."""
    d, pair = files
    res = runner.invoke(app, ["trends", str(d / "posts.parquet"), "-t", pair.organic, "-t", pair.inflated,
                              "--compare", "--accounts", str(d / "accounts.csv"),
                              "--coordinated", str(d / "coord.txt"), "-o", str(d / "out" / "t"),
                              "--batch-size", "500"])
    assert res.exit_code == 0, res.output
    assert "Accounts in common" in res.output and "highest" in res.output
    table = pd.read_csv(d / "out" / "t.csv", index_col="statistic")
    expected = {t: naive_trend_stats(pair.posts, t, pair.accounts, pair.coordinated_accounts)
                for t in (pair.organic, pair.inflated)}
    for stat in ("posts", "duplicate_text_posts", "accounts", "coordinated_accounts"):
        assert table.loc[stat].astype(int).tolist() == [expected[t][stat] for t in (pair.organic, pair.inflated)]
    for stat in ("burstiness", "gini_posts_per_account", "new_accounts_pct", "mean_gap_s"):
        assert table.loc[stat].astype(float).tolist() == pytest.approx(
            [expected[t][stat] for t in (pair.organic, pair.inflated)])
    assert expected[pair.inflated]["coordinated_accounts"] == 12  # the planted campaign, all of it
    doc = orjson.loads((d / "out" / "t.json").read_bytes())
    assert doc["common_users"][0]["count"] == 30
    assert sum(doc["volume_per_hour"][pair.inflated]["posts"]) == expected[pair.inflated]["posts"]
    hourly = pd.read_csv(d / "out" / "t_hourly.csv")
    assert set(hourly["trend"]) == {pair.organic, pair.inflated}
    assert hourly["hour"].str.endswith("Z").all()


def test_compare_without_accounts_or_coordinated_set(files, tmp_path):
    """Indicators that are undefined for every trend (no creation dates) show a dash."""
    d, pair = files
    res = runner.invoke(app, ["trends", str(d / "posts.parquet"), "-t", pair.organic, "-t", pair.inflated,
                              "-t", "wave", "--compare", "-o", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if "new_accounts_pct" in x and "│" in x)
    assert line.rstrip("│ ").endswith("-")


def test_influence_command(files):
    d, pair = files
    res = runner.invoke(app, ["influence", str(d / "posts.parquet"), "-t", pair.inflated, "--top", "5",
                              "--accounts", str(d / "accounts.csv"), "-o", str(d / "infl.csv")])
    assert res.exit_code == 0, res.output
    infl = pd.read_csv(d / "infl.csv")
    assert infl["influence_score"].is_monotonic_decreasing
    assert infl["followers"].notna().all()


def test_user_errors_are_one_line_exit_2(files, tmp_path):
    d, pair = files
    res = runner.invoke(app, ["trends", str(tmp_path / "missing.parquet"), "-t", "#x"])
    assert res.exit_code == 2
    bad = tmp_path / "acc.csv"
    bad.write_text("account_id,created_at\nA,2020-01-01\nB,yesterday-ish\n")
    res = runner.invoke(app, ["trends", str(d / "posts.parquet"), "-t", "#x", "--accounts", str(bad),
                              "-o", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "acc.csv:3: field 'created_at'" in res.output
    res = runner.invoke(app, ["trends", str(d / "posts.parquet"), "-t", "#", "-o", str(tmp_path / "o")])
    assert res.exit_code == 2 and "names no hashtag" in res.output


def test_trends_save_to_the_store(files, store, store_uri, tmp_path):
    from coordgraph.cypher.trend_store import load_trend_stats

    d, pair = files
    res = runner.invoke(app, ["trends", str(d / "posts.parquet"), "-t", pair.inflated,
                              "--store", store_uri, "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    stored = load_trend_stats(store)
    table = pd.read_csv(tmp_path / "s.csv", index_col="statistic")
    assert stored[pair.inflated]["posts"] == int(table.loc["posts", pair.inflated])
