"""``coordgraph watch --engine spark``: share files dropped into a folder and read by Structured
Streaming's file source (local[2]) give the same live run as one batch run on the shares
applied and as the pandas engine's watch, whatever the micro-batch boundaries, with late
posts, duplicates and invalid rows; CooRTweet 2.1.3's planted campaign in micro-batches gives
CooRTweet's rows and edges; a run stopped in the middle of a micro-batch and started again
ends in the same run.

Expected values come from elsewhere: the late/duplicate rule worked out by a plain loop
below, the python engine (coordgraph.run) on the effective input, the pandas live engine
(coordgraph.analysis.incremental), and CooRTweet's own outputs (tests/fixtures/coortweet).
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest

from coordgraph.analysis import read_shares
from coordgraph.analysis.incremental import LiveParams, LiveState
from coordgraph.contracts import RESULT_COLUMNS, SHARE_COLUMNS
from tests.fixtures_coortweet import SIM, as_multiset, edges_by_pair, read_expected
from tests.watch.helpers import edges_equal, random_stream, rows_equal, split

# one xdist worker: the module fixture `streamed` (four micro-batches, ~60 s) is shared
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark_stream")]
PARAMS = LiveParams(time_window=10, min_participation=2, edge_weight=0.6, fast_window=4, late_bound=60)
FLAG = "time_window_4"


@pytest.fixture(scope="module")
def spark():
    """local[2], one shuffle partition, no adaptive planning and no whole-stage code
    generation: the inputs are tiny, and compiling plans costs more than running them."""
    from tests.engines.conftest import _has_spark

    if not _has_spark():
        pytest.skip("pyspark or java missing")
    from coordgraph.engines import spark as engine

    session = engine.get_spark("local[2]", shuffle_partitions=1)
    session.conf.set("spark.sql.adaptive.enabled", "false")
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    yield session


class Folder:
    """A collector's folder: files written elsewhere and moved in (as the file source needs),
    with increasing modification times (the order the engine applies files in)."""

    def __init__(self, root: Path) -> None:
        self.path = root / "inbox"
        self.path.mkdir(parents=True)
        self.k = 0
        self.base = time.time() - 10_000

    def drop(self, frame: pd.DataFrame) -> None:
        tmp = self.path.parent / f"part-{self.k:03d}.parquet"
        frame.to_parquet(tmp, index=False)
        os.utime(tmp, (self.base + self.k, self.base + self.k))
        os.replace(tmp, self.path / tmp.name)
        self.k += 1


def run_once(spark, out: Path, folder: Folder, max_files=None, fault=None, params=PARAMS):
    from coordgraph.live.runner import WatchOptions
    from coordgraph.live.spark_stream import SparkLiveRun

    run = SparkLiveRun(WatchOptions(out=out, params=params, algorithm=None, fault=fault), spark, max_files=max_files)
    run.run(folder.path, once=True)
    return run


def expected_input(micro_batches: list[pd.DataFrame], late_bound: int) -> tuple[pd.DataFrame, int, int, int]:
    """The shares a batch run must see, by a plain loop: each micro-batch in time order
    (equal times in arrival order); a row more than ``late_bound`` seconds older than the
    newest time of the earlier micro-batches is too late; an (object_id, content_id) seen
    before is a duplicate; rows without a value or with a blank object are rejected.
    Returns (effective input, too late, duplicates, rejected)."""
    newest, seen, kept = None, set(), []
    late = dup = bad = 0
    for batch in micro_batches:
        rows = sorted(batch.itertuples(index=False), key=lambda r: r.timestamp_share
                      if r.timestamp_share == r.timestamp_share else -1)
        batch_max = newest
        for r in rows:
            if any(v is None or v != v for v in r) or not str(r.object_id).strip():
                bad += 1
                continue
            batch_max = r.timestamp_share if batch_max is None else max(batch_max, r.timestamp_share)
            if newest is not None and r.timestamp_share < newest - late_bound:
                late += 1
            elif (r.object_id, r.content_id) in seen:
                dup += 1
            else:
                seen.add((r.object_id, r.content_id))
                kept.append(r)
        newest = batch_max
    frame = pd.DataFrame(kept, columns=list(SHARE_COLUMNS))
    frame["timestamp_share"] = frame["timestamp_share"].astype("int64")
    return frame, late, dup, bad


def read_run(out: Path):
    return (pd.read_parquet(out / "result.parquet"), pd.read_parquet(out / "edges.parquet"),
            pd.read_parquet(out / "vertices.parquet"), orjson.loads((out / "summary.json").read_bytes()))


def pandas_watch(micro_batches: list[pd.DataFrame], params: LiveParams) -> LiveState:
    """The pandas live engine fed the same micro-batches (each in time order, as watch does)."""
    state = LiveState(params)
    for batch in micro_batches:
        batch = batch.dropna()
        batch = batch[batch["object_id"].str.strip() != ""]
        order = np.argsort(batch["timestamp_share"].to_numpy(dtype=np.int64), kind="stable")
        state.apply(batch.iloc[order].astype({"timestamp_share": "int64"}).reset_index(drop=True))
    return state


def stream_files(seed: int = 0) -> list[pd.DataFrame]:
    """Five share files cut at random places from a stream with late posts (some beyond the
    60 s bound), duplicates, loops and equal times; the second carries two invalid rows."""
    stream = random_stream(seed, n_posts=120)
    files = split(stream, 5, seed)
    bad = pd.DataFrame({"object_id": ["  ", "o1"], "account_id": ["a01", None], "content_id": ["x1", "x2"],
                        "timestamp_share": [stream["timestamp_share"].max(), 5]})
    files[1] = pd.concat([files[1], bad], ignore_index=True)
    return files


@pytest.fixture(scope="module")
def streamed(spark, tmp_path_factory):
    """The five files in three runs of --once: files 0-1 together (one micro-batch), 2-3 one
    file a micro-batch (--max-files 1), then 4: four micro-batches."""
    files = stream_files()
    root = tmp_path_factory.mktemp("spark_stream")
    folder = Folder(root)
    for f in files[:2]:
        folder.drop(f)
    run_once(spark, root / "out", folder)
    for f in files[2:4]:
        folder.drop(f)
    run_once(spark, root / "out", folder, max_files=1)
    folder.drop(files[4])
    run_once(spark, root / "out", folder)
    micro = [pd.concat(files[:2], ignore_index=True), files[2], files[3], files[4]]
    return root / "out", micro


def test_micro_batches_equal_one_batch_run_and_the_pandas_watch(streamed):
    from coordgraph.run import Run, execute

    out, micro = streamed
    result, edges, vertices, summary = read_run(out)
    effective, late, dup, bad = expected_input(micro, PARAMS.late_bound)
    assert late > 0 and dup > 0 and bad == 2
    # one batch run (python engine) on the shares applied, in the order applied
    with execute(Run(effective, engine="python", time_window=10, min_participation=2, edge_weight=0.6,
                     fast_window=4)) as want:
        rows_equal(result, want.result, (FLAG,))
        edges_equal(edges, want.edges)
        assert summary["threshold"] == want.summary["threshold"]
        assert summary["threshold_fast"] == want.summary["threshold_fast"]
        cols = ["account_id", "degree", "strength"]
        assert vertices[cols].astype(str).values.tolist() == want.vertices[cols].astype(str).values.tolist()
    # the pandas engine's watch fed the same micro-batches: same rows, edges, counts
    state = pandas_watch(micro, PARAMS)
    rows_equal(result, state.result_frame(), (FLAG,))
    edges_equal(edges, state.edges_frame())
    counts = state.counts()
    for key in ("shares", "result_rows", "edges", "vertices", "edges_above_threshold", "threshold",
                "threshold_fast", "edges_above_fast_threshold", "duplicates", "too_late", "pending_pairs",
                "window_shares", "newest_time"):
        assert summary["live"][key] == counts[key], key
    assert summary["batch"] == 4 and summary["live"]["rejected"] == 2
    assert (summary["live"]["too_late"], summary["live"]["duplicates"]) == (late, dup)
    # nothing lost: too-late and rejected rows are written aside
    late_lines = [orjson.loads(x) for x in (out / "late.jsonl").read_bytes().splitlines()]
    rejects = [orjson.loads(x) for x in (out / "rejects.jsonl").read_bytes().splitlines()]
    assert len(late_lines) == late and len(rejects) == 2
    assert summary["live"]["rows_seen"] == sum(len(b) for b in micro) - 2


def test_stopped_mid_batch_and_started_again_gives_the_same_run(spark, streamed, tmp_path):
    """The same five files; the run fails in micro-batch 2 after its state tables are written
    (before the commit), is started again (the checkpoint re-runs micro-batch 2 with the same
    files), fails in micro-batch 3 after the commit (before the files), is started again."""
    want_out, _ = streamed
    files = stream_files()
    folder = Folder(tmp_path)
    for f in files[:2]:
        folder.drop(f)
    run_once(spark, tmp_path / "out", folder)

    class Stop(Exception):
        pass

    def stop_at(batch: int, step: str):
        def fault(name: str) -> None:
            summary = tmp_path / "out" / "summary.json"
            applied = orjson.loads(summary.read_bytes())["batch"] if summary.exists() else 0
            if name == step and applied == batch - 1:
                raise Stop(f"{step} of batch {batch}")
        return fault

    for f in files[2:4]:
        folder.drop(f)
    with pytest.raises(Exception, match="generation of batch 2"):
        run_once(spark, tmp_path / "out", folder, max_files=1, fault=stop_at(2, "generation"))
    with pytest.raises(Exception, match="committed of batch 3"):
        run_once(spark, tmp_path / "out", folder, max_files=1, fault=stop_at(3, "committed"))
    assert orjson.loads((tmp_path / "out" / "summary.json").read_bytes())["batch"] == 2  # 3 committed, not published
    folder.drop(files[4])
    run_once(spark, tmp_path / "out", folder)
    got, want = read_run(tmp_path / "out"), read_run(want_out)
    rows_equal(got[0], want[0], (FLAG,))
    edges_equal(got[1], want[1])
    assert got[3]["live"] == want[3]["live"]
    for name in ("late.jsonl", "rejects.jsonl"):  # each batch's lines once (rejects name their file)
        def lines(out):
            return sorted(orjson.dumps({k: v for k, v in orjson.loads(x).items() if k != "_file"},
                                       option=orjson.OPT_SORT_KEYS) for x in (out / name).read_bytes().splitlines())
        assert lines(tmp_path / "out") == lines(want_out)


def test_coortweet_planted_campaign_in_micro_batches(spark, tmp_path):
    """CooRTweet's simulate_data(seed 123) in three files, two micro-batches: CooRTweet's
    detect_groups rows, its 4,950 edges, threshold 2 and 54 edges above it."""
    shares = read_shares(SIM / "sim_input.csv.gz")[list(SHARE_COLUMNS)]
    params = LiveParams(time_window=10, min_participation=2, edge_weight=0.5, late_bound=10**9)
    folder = Folder(tmp_path)
    parts = split(shares, 3, 1)
    folder.drop(parts[0])
    run_once(spark, tmp_path / "out", folder, params=params)
    folder.drop(parts[1])
    folder.drop(parts[2])
    run_once(spark, tmp_path / "out", folder, params=params)
    result, edges, _, summary = read_run(tmp_path / "out")
    want_rows = read_expected(SIM / "detect_groups_result.csv.gz")
    assert as_multiset(result, RESULT_COLUMNS) == as_multiset(want_rows, RESULT_COLUMNS)
    edges = edges_by_pair(edges)
    want = edges_by_pair(read_expected(SIM / "graph_edges.csv.gz"), "from", "to")
    assert summary["threshold"] == 2 and len(edges) == 4950 and summary["edges_above_threshold"] == 54
    assert list(edges.index) == list(want.index)
    for column in ("weight", "avg_time_delta", "weight_threshold"):
        np.testing.assert_allclose(edges[column].to_numpy(float), want[column].to_numpy(float), atol=1e-9)
    shutil.rmtree(tmp_path / "out", ignore_errors=True)
