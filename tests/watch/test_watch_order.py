"""A collector's file written newest first (twarc2 search pages are) loses no post in `watch`.

Expected values come from a peer path: `coordgraph shares` + `coordgraph detect` (the batch
engine) on the same sample file; before the fix `watch --once` called 106 of its 156 retweet
shares "too late" and kept 28 -> 0 edges.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from coordgraph.cli import app

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "twarc2"


def test_newest_first_folder_equals_detect(tmp_path, monkeypatch):
    monkeypatch.setenv("COORDGRAPH_HOME", str(tmp_path / "home"))
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    runner = CliRunner()
    res = runner.invoke(app, ["shares", str(inbox), "-i", "retweets", "--out", str(tmp_path / "rt.parquet")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["detect", str(tmp_path / "rt.parquet"), "--out", str(tmp_path / "batch")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["watch", str(inbox), "-i", "retweets", "-o", str(tmp_path / "live"), "--once"])
    assert res.exit_code == 0, res.output
    batch = pd.read_csv(tmp_path / "batch" / "edges.csv", dtype={"account_id": str, "account_id_y": str})
    edges = pd.read_parquet(tmp_path / "live" / "edges.parquet")
    assert len(edges) == len(batch) == 28
    key = ["account_id", "account_id_y"]
    got = edges[key + ["weight"]].sort_values(key).reset_index(drop=True)
    want = batch[key + ["weight"]].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert not (tmp_path / "live" / "late.jsonl").exists() or not (tmp_path / "live" / "late.jsonl").read_text().strip()
