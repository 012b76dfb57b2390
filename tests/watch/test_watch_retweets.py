"""With the retweets intent, a retweeted original is a share of itself even when the original
and its retweets arrive in different batches (it counts for its author's pre-filter), as in
one ``coordgraph shares`` + ``detect`` run over all the posts."""
from __future__ import annotations

import numpy as np
import orjson
import pandas as pd
import pytest

from coordgraph.analysis.pipeline import DetectionParams, run_detection
from coordgraph.loader import iter_post_batches, parse_map, shares_from_batches
from tests.watch.helpers import edges_equal, rows_equal
from tests.watch.test_watch_cli import watch

MAP = "content_id=id,account_id=user,timestamp_share=t,retweeted_id=rt"


def posts(seed: int) -> list[dict]:
    """Originals retweeted within seconds, authors and retweeters from one pool of 60 accounts (many with one retweet, so an original decides the pre-filter); one original in three
    arrives after its retweets (at the end of the stream)."""
    rng = np.random.default_rng(seed)
    out, late = [], []
    for k in range(40):
        t0 = int(rng.integers(0, 3000))
        original = {"id": f"p{k}", "user": f"u{int(rng.integers(60))}", "t": t0, "rt": None}
        (late if rng.random() < 0.33 else out).append(original)
        for j in range(int(rng.integers(0, 5))):
            out.append({"id": f"r{k}_{j}", "user": f"u{int(rng.integers(60))}", "t": t0 + int(rng.integers(0, 12)),
                        "rt": f"p{k}"})
    out.sort(key=lambda p: p["t"])
    return out + late


@pytest.mark.parametrize("seed", [1, 2])
def test_originals_across_batches(tmp_path, seed):
    stream = posts(seed)
    path = tmp_path / "posts.jsonl"
    path.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in stream))
    full = shares_from_batches(iter_post_batches([path], column_map=parse_map(MAP)), ["retweets"])
    assert (full["object_id"] == full["content_id"]).sum() > 0  # originals are there
    without = full[full["object_id"] != full["content_id"]]
    cols = ["object_id", "account_id", "content_id", "timestamp_share"]
    assert len(run_detection(without[cols], DetectionParams()).result) < \
        len(run_detection(full[cols], DetectionParams()).result)  # and they decide the pre-filter
    out = tmp_path / "live"
    watch(["-", "-o", str(out), "-i", "retweets", "--map", MAP, "--batch-size", "7", "--late-bound", "100000",
           "--communities", "none"], stdin=path.read_bytes())
    want = run_detection(full[["object_id", "account_id", "content_id", "timestamp_share"]],
                         DetectionParams(10, 2, True, 0.5, None))
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["shares"] == len(full)
    live_rows = pd.read_parquet(out / "result.parquet")
    # ties may be oriented otherwise (originals come at the end of each batch, not of the run)
    key = ["object_id", "time_delta"]
    rows_equal(live_rows.loc[live_rows.time_delta > 0], want.result.loc[want.result.time_delta > 0])
    assert sorted(live_rows[key].astype(str).agg("|".join, axis=1)) == sorted(want.result[key].astype(str).agg("|".join, axis=1))
    edges_equal(pd.read_parquet(out / "edges.parquet"), want.network.edges)
