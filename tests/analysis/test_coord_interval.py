"""CooRnet's estimate_coord_interval on a hand-worked table (expected values worked by hand).

Objects (times in seconds; shares are rows):
  A: 0, 4, 10, 20          second-share gap 4;  first share with rank/n > .5 is rank 3 -> 10 s
  B: 100, 102, 131         gap 2;  > .5 -> rank 2 -> 2 s;  > .7 -> rank 3 -> 31 s
  C: 200, 260              gap 60; > .5 -> rank 2 -> 60 s
  D: 300, 301, 301, 400, 500, 600   gap 1; > .5 -> rank 4 -> 100 s; > .7 -> rank 5 -> 200 s
  E: 1000                  shared once: left out
  F: 50, 40 (input order)  gap 10; > .5 -> rank 2 -> 10 s
Gaps sorted 1, 2, 4, 10, 60; type-7 quantile at q is 1 + 4q'th order statistic interpolated.
"""
import pandas as pd
import pytest

from coordgraph.analysis.coord_interval import coordination_window, estimate_coord_interval

ROWS = [("A", 0), ("A", 4), ("A", 10), ("A", 20), ("B", 100), ("B", 102), ("B", 131), ("C", 200), ("C", 260),
        ("D", 300), ("D", 301), ("D", 301), ("D", 400), ("D", 500), ("D", 600), ("E", 1000), ("F", 50), ("F", 40)]


@pytest.fixture
def shares():
    frame = pd.DataFrame(ROWS, columns=["object_id", "timestamp_share"])
    frame["account_id"] = [f"u{i}" for i in range(len(frame))]
    frame["content_id"] = [f"c{i}" for i in range(len(frame))]
    return frame.sample(frac=1, random_state=3).reset_index(drop=True)  # order carries no meaning


def test_defaults_keep_the_quickest_tenth(shares):
    # q=.1: quantile = 1 + .4 * (2 - 1) = 1.4 -> only D (gap 1); D passes 50 % at rank 4 -> 100 s
    est = estimate_coord_interval(shares)
    assert (est.seconds, est.window, est.n_objects) == (100.0, 100, 1)


def test_median_over_quick_objects(shares):
    # q=.5: quantile = 4 -> A, B, D; per object 10, 2, 100 -> median 10
    est = estimate_coord_interval(shares, q=0.5)
    assert (est.seconds, est.window, est.n_objects) == (10.0, 10, 3)
    assert est.summary["min"] == 2.0 and est.summary["max"] == 100.0
    # q=1: every object shared twice: 10, 2, 60, 100, 10 -> median 10
    assert estimate_coord_interval(shares, q=1.0).n_objects == 5


def test_fractional_median_is_truncated_as_cut_does(shares):
    # q=.3: quantile = 2 + .2 * (4 - 2) = 2.4 -> B, D; p=.7: B 31 s, D 200 s -> median 115.5 -> window 115
    est = estimate_coord_interval(shares, q=0.3, p=0.7)
    assert est.seconds == 115.5 and est.window == 115
    assert coordination_window(shares, q=0.3, p=0.7) == 115


def test_zero_median_becomes_one_second(shares):
    # p=0: the first share already passes 0 % -> 0 s everywhere -> CooRnet's 1 s
    est = estimate_coord_interval(shares, q=0.5, p=0.0)
    assert est.seconds == 0.0 and est.window == 1


def test_errors(shares):
    with pytest.raises(ValueError, match="p must be"):
        estimate_coord_interval(shares, p=1.5)
    with pytest.raises(ValueError, match="shared more than once"):
        estimate_coord_interval(shares[shares.object_id == "E"])
    with pytest.raises(ValueError, match="undefined"):
        estimate_coord_interval(shares, p=1.0)


def test_cli_time_window_auto(tmp_path, shares):
    """`detect --time-window auto --auto-q 0.5` runs with the 10 s window worked above.
    Pairs within 10 s, by hand: A (0,4) (0,10) (4,10) (10,20); B (100,102); D (300,301) x2, (301,301); F (40,50)."""
    import json

    from typer.testing import CliRunner

    from coordgraph.cli import app

    path = tmp_path / "shares.csv"
    shares[["object_id", "account_id", "content_id", "timestamp_share"]].to_csv(path, index=False)
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["detect", str(path), "--out", str(out), "--time-window", "auto",
                                   "--auto-q", "0.5", "--min-participation", "1"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["params"]["time_window"] == 10
    assert summary["time_window_auto"]["window"] == 10 and summary["time_window_auto"]["q"] == 0.5
    assert summary["counts"]["result_rows"] == 9
    bad = CliRunner().invoke(app, ["detect", str(path), "--out", str(out), "--time-window", "ten"])
    assert bad.exit_code == 2 and "--time-window" in bad.output
