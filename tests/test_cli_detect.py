"""The `coordgraph detect` contract: files, columns, numbers, one-line errors with exit 2."""
import json
import subprocess
import sys

import pandas as pd
from typer.testing import CliRunner

from coordgraph.cli import app
from tests.fixtures_coortweet import SIM, TOY, as_multiset, read_expected

runner = CliRunner()


def test_detect_writes_the_contract_files(tmp_path):
    out = tmp_path / "run"
    res = runner.invoke(app, ["detect", str(SIM / "sim_input.csv.gz"), "--out", str(out), "--compat", "--objects"])
    assert res.exit_code == 0, res.output
    for name in ("result.csv", "edges.csv", "vertices.csv", "account_stats.csv", "object_stats.csv", "summary.json"):
        assert (out / name).exists(), name
    result = pd.read_csv(out / "result.csv", dtype=str)
    assert list(result.columns) == ["object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y"]
    want = read_expected(SIM / "detect_groups_result.csv.gz")
    assert as_multiset(result, result.columns) == as_multiset(want, result.columns)
    edges = pd.read_csv(out / "edges.csv")
    assert list(edges.columns) == ["account_id", "account_id_y", "weight", "avg_time_delta", "n_content_id",
                                   "n_content_id_y", "edge_symmetry_score", "weight_threshold", "object_ids"]
    assert len(edges) == 4950 and edges["weight_threshold"].sum() == 54
    summary = json.loads((out / "summary.json").read_text())
    assert summary["params"]["compat"] is True and summary["thresholds"]["weight"] == 2
    assert summary["counts"]["result_rows"] == 9954 and summary["input_rows"] == 19998
    assert "detect_groups" in summary["timings_s"]
    stats = pd.read_csv(out / "object_stats.csv")
    assert as_multiset(stats, ["object_id", "num_accounts"]) == \
        as_multiset(read_expected(SIM / "group_stats_none.csv.gz"), ["object_id", "num_accounts"])


def test_fast_window_adds_flag_column_and_suffixed_attributes(tmp_path):
    out = tmp_path / "fast"
    res = runner.invoke(app, ["detect", str(TOY / "T1_input.csv"), "--out", str(out), "--min-participation", "1",
                              "--fast-window", "5"])
    assert res.exit_code == 0, res.output
    result = pd.read_csv(out / "result.csv", dtype=str)
    assert "time_window_5" in result.columns
    flags = read_expected(TOY / "T7_flag_speed_share_T1_tw5.csv")
    assert as_multiset(result, flags.columns) == as_multiset(flags, flags.columns)
    edges = pd.read_csv(out / "edges.csv")
    assert {"weight_full", "weight_fast", "edge_symmetry_score_full", "weight_threshold_fast"} <= set(edges.columns)


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("object_id,account_id,content_id,timestamp_share\nx,a,1,100\nx,b,2,not-a-time\n")
    proc = subprocess.run([sys.executable, "-m", "coordgraph.cli", "detect", str(bad), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    message = " ".join(proc.stderr.split())
    assert "bad.csv" in message and "timestamp_share" in message and "line 3" in message
    assert "Traceback" not in proc.stderr


def test_missing_file_and_bad_parameters_exit_2(tmp_path):
    res = runner.invoke(app, ["detect", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    res = runner.invoke(app, ["detect", str(TOY / "T1_input.csv"), "--out", str(tmp_path / "o"),
                              "--time-window", "5", "--fast-window", "10"])
    assert res.exit_code == 2


def test_edge_significance_flags_planted_pairs_not_chance(tmp_path):
    from coordgraph.analysis import simulate_data

    sim = simulate_data(n_accounts_coord=8, n_accounts_noncoord=30, n_objects=20, seed=5)
    path = tmp_path / "s.csv"
    sim.shares.to_csv(path, index=False)
    out = tmp_path / "sig"
    res = runner.invoke(app, ["detect", str(path), "--out", str(out), "--edge-significance", "0.05", "--n-null", "99"])
    assert res.exit_code == 0, res.output
    edges = pd.read_csv(out / "edges.csv")
    assert {"p_value", "q_value", "significant"} <= set(edges.columns)
    assert edges["significant"].sum() == len(edges) == 28  # the planted clique of 8, all significant
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["edges_significant"] == 28 and summary["params"]["edge_significance"] == 0.05


def test_outofcore_engine_writes_parquet_with_the_same_network(tmp_path):
    out = tmp_path / "ooc"
    res = runner.invoke(app, ["detect", str(SIM / "sim_input.csv.gz"), "--out", str(out), "--engine", "outofcore"])
    assert res.exit_code == 0, res.output
    edges = pd.read_parquet(out / "edges.parquet")
    assert len(edges) == 4950 and int(edges["weight_threshold"].sum()) == 54
    res = runner.invoke(app, ["detect", str(SIM / "sim_input.csv.gz"), "--out", str(out), "--engine", "outofcore",
                              "--objects"])
    assert res.exit_code == 2 and "--engine python" in res.output


def test_max_object_shares_drops_hubs_and_says_so(tmp_path):
    out = tmp_path / "cap"
    res = runner.invoke(app, ["detect", str(SIM / "sim_input.csv.gz"), "--out", str(out), "--max-object-shares", "1100"])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    dropped = {d["object_id"] for d in summary["hub_objects"]}
    assert summary["dropped_hub_objects"] == len(dropped)  # a count, as in every engine's summary
    assert dropped and all(n > 1100 for n in (d["n_shares"] for d in summary["hub_objects"]))
    result = pd.read_csv(out / "result.csv")
    assert not set(result["object_id"]) & dropped and len(result) > 0
