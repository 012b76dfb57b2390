"""Hub objects: exact pair counts before pairing, trend-hub report, the cap with its warning,
and a clear memory error (never a silent kill) — in every engine's Parquet run."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from coordgraph import analysis
from coordgraph.analysis import hubs
from coordgraph.engines import run_engine


def viral_shares(n_viral: int = 400, seed: int = 5) -> pd.DataFrame:
    """Background shares plus one viral object shared by ``n_viral`` accounts within 60 s."""
    rng = np.random.default_rng(seed)
    n_bg = 3000
    frame = pd.DataFrame({
        "object_id": [f"o{k}" for k in rng.integers(0, 300, n_bg)] + ["viral"] * n_viral,
        "account_id": [f"u{k}" for k in rng.integers(0, 500, n_bg)] + [f"u{k}" for k in rng.integers(0, 500, n_viral)],
        "content_id": [f"c{i}" for i in range(n_bg + n_viral)],
        "timestamp_share": np.concatenate([rng.integers(0, 200_000, n_bg), 100_000 + rng.integers(0, 60, n_viral)]),
    })
    return frame.astype({"timestamp_share": np.int64})


def test_window_pair_counts_equal_brute_force():
    rng = np.random.default_rng(1)
    obj = np.sort(rng.integers(0, 5, 300))
    t = rng.integers(0, 100, 300)
    order = np.lexsort((t, obj))
    obj, t = obj[order], t[order]
    got = hubs.window_pair_counts(obj, t, 7)
    want = [sum(1 for j in range(i + 1, len(t)) if obj[j] == obj[i] and t[j] - t[i] <= 7) for i in range(len(t))]
    assert got.tolist() == want


def test_estimate_is_exactly_the_pairs_detect_groups_forms():
    shares = viral_shares()
    est = hubs.estimate_pairs(shares, 10)
    # no filters and no loop removal: detect_groups returns every window pair
    assert est.total_pairs == len(analysis.detect_groups(shares, 10, 0, remove_loops=False))
    assert est.per_object.iloc[0]["object_id"] == "viral"
    assert est.per_object.iloc[0]["n_shares"] == 400


def test_trend_hubs_report_the_viral_object_only():
    est = hubs.estimate_pairs(viral_shares(), 10)
    found = hubs.trend_hubs(est, min_pairs=5_000)
    assert found["object_id"].tolist() == ["viral"]
    assert 0.5 < found["share_of_pairs"].iloc[0] <= 1.0


def test_cap_drops_hub_with_a_warning_naming_it():
    shares = viral_shares()
    with pytest.warns(hubs.HubCapWarning, match=r"viral \(400 shares\)"):
        kept, dropped = hubs.cap_object_shares(shares, 100)
    assert dropped["object_id"].tolist() == ["viral"] and "viral" not in set(kept["object_id"])
    assert len(kept) == len(shares) - 400
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same, none = hubs.cap_object_shares(shares, None)
    assert same is shares and none.empty


def test_memory_check_stops_with_a_clear_error():
    est = hubs.estimate_pairs(viral_shares(), 10)
    with pytest.raises(hubs.PairMemoryError, match=r"viral.*--max-object-shares"):
        hubs.check_pair_memory(est, budget_bytes=1000)
    hubs.check_pair_memory(est, budget_bytes=10**12)  # fits: no error


@pytest.fixture
def viral_parquet(tmp_path):
    path = tmp_path / "viral.parquet"
    pq.write_table(pa.Table.from_pandas(viral_shares(), preserve_index=False), path)
    return path


@pytest.mark.parametrize("engine", ["python", "outofcore"])
def test_engines_cap_and_report_hubs_identically(engine, viral_parquet, tmp_path):
    with pytest.warns(hubs.HubCapWarning, match="viral"):
        summary = run_engine(engine, viral_parquet, tmp_path / engine, max_object_shares=100)
    assert summary["dropped_hub_objects"] == 1
    assert summary["trend_hubs"][0]["object_id"] == "viral" and summary["trend_hubs"][0]["dropped"]
    result = pq.read_table(tmp_path / engine / "result.parquet").to_pandas()
    capped = viral_shares()
    capped = capped[capped["object_id"] != "viral"]
    assert "viral" not in set(result["object_id"])
    assert len(result) == len(analysis.detect_groups(capped, 10, 2))


def test_python_engine_refuses_pairs_beyond_memory_and_auto_moves_on(viral_parquet, tmp_path):
    with pytest.raises(hubs.PairMemoryError, match="viral"):
        run_engine("python", viral_parquet, tmp_path / "py", memory_budget=10_000)
    summary = run_engine("auto", viral_parquet, tmp_path / "auto", memory_budget=10_000_000_000_000 // 10**6)
    assert summary["engine"] in ("python", "outofcore")
    forced = run_engine("auto", viral_parquet, tmp_path / "auto2", memory_budget=20_000)
    assert forced["engine"] == "outofcore"
    assert forced["result_rows"] == len(analysis.detect_groups(viral_shares(), 10, 2))


def test_cli_memory_error_is_one_line_exit_2(viral_parquet, tmp_path, monkeypatch):
    from coordgraph.cli import app

    monkeypatch.setattr(hubs, "available_memory_bytes", lambda: 10_000)
    res = CliRunner().invoke(app, ["scale", "run", str(viral_parquet), "--out", str(tmp_path / "o"), "--engine", "python"])
    assert res.exit_code == 2
    assert "co-share pairs" in res.output and "--max-object-shares" in res.output


def test_cli_hubs_lists_the_viral_object(viral_parquet):
    from coordgraph.cli import app

    res = CliRunner().invoke(app, ["scale", "hubs", str(viral_parquet), "--min-pairs", "5000"])
    assert res.exit_code == 0, res.output
    assert "viral" in res.output and "1 trend hub" in res.output


def test_available_memory_agrees_with_psutil():
    """The /proc/meminfo reading (kept free of the psutil import for start-up) gives what
    psutil reports as available, within what the system may allocate between the two reads."""
    import psutil

    from coordgraph.analysis.hubs import available_memory_bytes

    ours, theirs = available_memory_bytes(), int(psutil.virtual_memory().available)
    assert abs(ours - theirs) < 0.05 * theirs
