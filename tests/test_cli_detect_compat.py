"""`coordgraph detect --compat --fast-window S [--collation icu|c]`: CooRTweet 2.1.3's files.

Expected values worked out by hand from CooRTweet's code on fixture T1 with its accounts
renamed A -> Al, B -> bob, C -> Cy (see the comments).
"""
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app
from tests.fixtures_coortweet import TOY

runner = CliRunner()

# T1 at tw 10, mp 1, fast 5: rows after flag_speed_share's setkey: a1/c1 (Al, Cy), b1/a1 (bob, Al,
# flagged), b1/c1 (bob, Cy), b2/a2 (bob, Al).
# icu: pmin/pmax (Al, Cy), (Al, bob), (bob, Cy), (Al, bob); vertices Al 0, bob 1, Cy 2; union order
#      (1,2) bob-Cy, (0,2) Al-Cy, (0,1) Al-bob.
# c:   'A' < 'C' < 'b': (Al, Cy), (Al, bob), (Cy, bob), (Al, bob); vertices Al 0, Cy 1, bob 2; union
#      order (1,2) Cy-bob, (0,2) Al-bob, (0,1) Al-Cy.
WANT = {
    "icu": [("bob", "Cy", 1, None), ("Al", "Cy", 1, None), ("Al", "bob", 2, 1)],
    "c": [("Cy", "bob", 1, None), ("Al", "bob", 2, 1), ("Al", "Cy", 1, None)],
}


@pytest.fixture
def renamed(tmp_path):
    shares = pd.read_csv(TOY / "T1_input.csv", dtype=str)
    shares["account_id"] = shares["account_id"].map({"A": "Al", "B": "bob", "C": "Cy"})
    path = tmp_path / "t1_renamed.csv"
    shares.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("collation", ["icu", "c"])
def test_compat_fast_window_files_follow_coortweet(tmp_path, renamed, collation):
    out = tmp_path / collation
    res = runner.invoke(app, ["detect", str(renamed), "--out", str(out), "--min-participation", "1",
                              "--fast-window", "5", "--compat", "--objects", "--collation", collation])
    assert res.exit_code == 0, res.output
    result = pd.read_csv(out / "result.csv", dtype=str)
    assert list(zip(result["content_id"], result["content_id_y"], result["time_window_5"])) == \
        [("a1", "c1", "0"), ("b1", "a1", "1"), ("b1", "c1", "0"), ("b2", "a2", "0")]
    edges = pd.read_csv(out / "edges.csv", dtype={"account_id": str, "account_id_y": str})
    got = [(r.account_id, r.account_id_y, int(r.weight_full), None if pd.isna(r.weight_fast) else int(r.weight_fast))
           for r in edges.itertuples()]
    assert got == WANT[collation]
    accounts = pd.read_csv(out / "account_stats.csv")
    assert list(accounts.columns) == ["account_id", "avg_time_delta_full", "avg_time_delta_fast",
                                      "avg_edge_symmetry_score_full", "avg_edge_symmetry_score_fast",
                                      "unique_shares_count"]
    assert list(accounts["account_id"]) == ["Al", "Cy", "bob"]  # data.table's setorder: C locale
    assert json.loads((out / "summary.json").read_text())["params"]["collation"] == collation


def test_unknown_collation_is_a_clear_error(tmp_path, renamed):
    res = runner.invoke(app, ["detect", str(renamed), "--out", str(tmp_path / "x"), "--compat",
                              "--collation", "de"])
    assert res.exit_code != 0
    assert "collation must be one of icu, c" in res.output
