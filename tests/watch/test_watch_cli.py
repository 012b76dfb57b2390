"""``coordgraph watch`` end to end: a simulated day replayed as 96 15-minute batches equals one
run over the day (python and out-of-core engines), alerts come in the batch where the planted
campaigns cross the rule (worked out from batch runs on each prefix of the day), a folder
applied file by file with --once, and a run killed (SIGKILL) mid-batch."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import orjson
import pandas as pd
import pytest

from coordgraph.analysis.pipeline import DetectionParams, run_detection
from coordgraph.analysis.simulate import simulate_data
from tests.watch.helpers import edges_equal, rows_equal

ROOT = Path(__file__).resolve().parents[2]
MAP = "object_id=obj,account_id=user,content_id=id,timestamp_share=t"
QUARTER = 900
RULES = """
[[rules]]
name = "network of 5"
type = "component"
metric = "size"
at_least = 5

[[rules]]
name = "watched"
type = "watched_account"
accounts = ["account_003", "account_200"]
"""


def watch(args: list[str], stdin: bytes | None = None, env: dict | None = None, check: bool = True):
    """Run ``coordgraph watch`` in a fresh interpreter (as a user would)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "coordgraph.cli", "watch", *args], input=stdin,
                          capture_output=True, env=full_env, cwd=ROOT)
    if check:
        assert proc.returncode == 0, proc.stderr.decode()
    return proc


@pytest.fixture(scope="module")
def day():
    """A simulated day (3 planted campaigns of 5 accounts, 600 innocent accounts) in time order."""
    sim = simulate_data(n_accounts_coord=15, n_accounts_noncoord=600, n_objects=200, n_campaigns=3, seed=7)
    start = sim.params["start"]  # 2020-05-08 00:00 UTC
    shares = sim.shares[sim.shares["timestamp_share"] < start + 86400]
    shares = shares.sort_values(["timestamp_share", "content_id"]).reset_index(drop=True)
    lines = b"".join(orjson.dumps({"obj": r.object_id, "user": r.account_id, "id": r.content_id,
                                   "t": int(r.timestamp_share)}) + b"\n" for r in shares.itertuples(index=False))
    return shares, start, lines, sim


def expected_alert_batches(shares: pd.DataFrame, start: int) -> dict[tuple[str, str], int]:
    """(rule, subject) -> the first quarter (1-based batch) after which the rule holds, from a
    batch run on the prefix of the day up to that quarter and networkx components."""
    first: dict[tuple[str, str], int] = {}
    for k in range(1, 97):
        prefix = shares[shares["timestamp_share"] < start + k * QUARTER]
        edges = run_detection(prefix, DetectionParams(10, 2, True, 0.5, 5)).network.edges
        graph = nx.from_pandas_edgelist(edges, "account_id", "account_id_y")
        for comp in nx.connected_components(graph):
            if len(comp) >= 5 and not any(("network of 5", a) in first for a in comp):
                first.setdefault(("network of 5", min(comp)), k)
        for account in ("account_003", "account_200"):
            if account in graph:
                first.setdefault(("watched", account), k)
    return first


def test_a_day_in_96_batches_equals_one_run(day, tmp_path):
    shares, start, lines, sim = day
    (tmp_path / "rules.toml").write_text(RULES)
    out = tmp_path / "live"
    webhook = tmp_path / "hook" / "alerts.jsonl"
    watch(["-", "-o", str(out), "--map", MAP, "--every", "15m", "--clock", "event", "--fast-window", "5",
           "--alerts", str(tmp_path / "rules.toml"), "--webhook-file", str(webhook)], stdin=lines)
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["batch"] == 96 and summary["shares"] == len(shares)
    want = run_detection(shares, DetectionParams(10, 2, True, 0.5, 5))
    rows_equal(pd.read_parquet(out / "result.parquet"), want.result, ("time_window_5",))
    edges_equal(pd.read_parquet(out / "edges.parquet"), want.network.edges)
    assert summary["threshold"] == want.network.threshold
    assert summary["threshold_fast"] == want.network.threshold_fast
    assert pd.read_parquet(out / "vertices.parquet")["account_id"].tolist() == \
        want.network.vertices["account_id"].tolist()
    # the planted truth: exactly the campaigns' pairs
    assert len(want.result) == len(sim.truth[sim.truth["content_id_y"].isin(shares["content_id"])])
    # alerts: in the batch where each condition first holds
    alerts = [orjson.loads(line) for line in (out / "alerts.jsonl").read_bytes().splitlines()]
    got = {(a["rule"], a["subject"]): a["batch"] for a in alerts}
    expected = expected_alert_batches(shares, start)
    assert got == expected
    assert len([k for k in got if k[0] == "network of 5"]) == 3  # the three campaigns
    assert ("watched", "account_200") not in got  # an innocent account is never in a network
    assert webhook.read_bytes() == (out / "alerts.jsonl").read_bytes()


def test_the_day_equals_the_out_of_core_engine(day, tmp_path):
    from coordgraph.engines.outofcore import detect_network_parquet

    shares, _, lines, _ = day
    out = tmp_path / "live"
    watch(["-", "-o", str(out), "--map", MAP, "--batch-size", "97", "--communities", "none"], stdin=lines)
    shares.to_parquet(tmp_path / "shares.parquet", index=False)
    detect_network_parquet(tmp_path / "shares.parquet", tmp_path / "ooc", time_window=10, min_participation=2)
    ooc_edges = pd.read_parquet(tmp_path / "ooc" / "edges.parquet")
    live_edges = pd.read_parquet(out / "edges.parquet")
    edges_equal(live_edges, ooc_edges[[c for c in ooc_edges.columns if c in live_edges.columns]])
    ooc_summary = orjson.loads((tmp_path / "ooc" / "summary.json").read_bytes())
    assert orjson.loads((out / "summary.json").read_bytes())["threshold"] == ooc_summary["threshold"]


def _write_quarters(shares: pd.DataFrame, start: int, folder: Path, quarters: range) -> list[Path]:
    paths = []
    for k in quarters:
        part = shares[(shares["timestamp_share"] >= start + k * 4 * QUARTER)
                      & (shares["timestamp_share"] < start + (k + 1) * 4 * QUARTER)]
        path = folder / f"hour-{k:02d}.csv"
        part.rename(columns={"object_id": "obj", "account_id": "user", "content_id": "id",
                             "timestamp_share": "t"}).to_csv(path, index=False)
        paths.append(path)
    return paths


def test_folder_once_file_by_file_and_a_copy_is_not_applied_twice(day, tmp_path):
    shares, start, _, _ = day
    inbox, out = tmp_path / "inbox", tmp_path / "live"
    inbox.mkdir()
    staging = tmp_path / "staging"
    staging.mkdir()
    paths = _write_quarters(shares, start, staging, range(6))
    for path in paths:
        shutil.copy(path, inbox / path.name)
        watch([str(inbox), "-o", str(out), "--map", MAP, "--once"])
    shutil.copy(paths[2], inbox / "again.csv")  # the same file under another name
    proc = watch([str(inbox), "-o", str(out), "--map", MAP, "--once"])
    assert "nothing new" in " ".join(proc.stderr.decode().split())
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["batch"] == 6
    upto = shares[shares["timestamp_share"] < start + 6 * 4 * QUARTER]
    want = run_detection(upto, DetectionParams(10, 2, True, 0.5, None))
    rows_equal(pd.read_parquet(out / "result.parquet"), want.result)
    edges_equal(pd.read_parquet(out / "edges.parquet"), want.network.edges)


@pytest.mark.parametrize("step", ["names-part", "renamed", "committed", "files"])
def test_killed_mid_batch_reruns_to_the_same_run(day, tmp_path, step):
    shares, start, _, _ = day
    inbox, out = tmp_path / "inbox", tmp_path / "live"
    inbox.mkdir()
    (tmp_path / "rules.toml").write_text(RULES)
    paths = _write_quarters(shares, start, tmp_path, range(5))
    args = [str(inbox), "-o", str(out), "--map", MAP, "--once", "--fast-window", "5",
            "--alerts", str(tmp_path / "rules.toml")]
    for k, path in enumerate(paths, 1):
        shutil.copy(path, inbox / path.name)
        if k == 4:
            proc = watch(args, env={"COORDGRAPH_WATCH_KILL": f"4:{step}"}, check=False)
            assert proc.returncode == -9  # SIGKILL
        watch(args)
    # a clean run of the same files
    clean_inbox, clean = tmp_path / "clean_inbox", tmp_path / "clean"
    clean_inbox.mkdir()
    for path in paths:
        shutil.copy(path, clean_inbox / path.name)
        watch([str(clean_inbox), "-o", str(clean), *args[3:]])
    for name in ("result", "edges", "vertices", "communities"):
        a, b = pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(clean / f"{name}.parquet")
        pd.testing.assert_frame_equal(a, b)
    strip = lambda p: [{k: v for k, v in orjson.loads(x).items() if k != "raised_at"}  # noqa: E731
                       for x in p.read_bytes().splitlines()]
    assert strip(out / "alerts.jsonl") == strip(clean / "alerts.jsonl")
    assert orjson.loads((out / "summary.json").read_bytes())["batch"] == 5
