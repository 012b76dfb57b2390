"""The QUT coordination-network-toolkit (PyPI ``coordination-network-toolkit``) on the same
share data, side by side with coordgraph.

Why: the field's Python reference for co-retweet networks. Its co-retweet network links two
users who retweeted the same tweet within ``time_window`` seconds of each other (inclusive,
SQLite self-join), which is coordgraph's window pairing with ``min_participation=1`` and loop
removal (generated content ids are unique and never equal an object id). So both must find
the same *account pairs*; weights differ by definition (QUT counts distinct messages of the
first user) and are not compared.

    python -m bench.bench_qut /tmp/coordgraph-bench/shares_1M_dense.parquet [--engine outofcore]

Prints load and compute seconds for QUT, coordgraph's end-to-end seconds (median of three
fresh runs), the ratio, and whether the account pairs are identical. Run in a subprocess by
bench.run_all.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def qut_rows(path: Path, batch_rows: int = 500_000):
    """Shares as QUT message tuples: (message_id, user_id, username, repost_id, reply_id,
    message, timestamp, urls); a share is a retweet of its object."""
    pf = pq.ParquetFile(path)
    for batch in pf.iter_batches(batch_size=batch_rows, columns=["object_id", "account_id", "content_id", "timestamp_share"]):
        cols = batch.to_pydict()
        for obj, acc, cid, ts in zip(cols["object_id"], cols["account_id"], cols["content_id"], cols["timestamp_share"]):
            yield cid, acc, acc, obj, None, "", ts, []


def run_qut(path: Path, time_window: int, workdir: Path, n_threads: int = 2) -> dict:
    """Load the shares into QUT's SQLite database and compute its co-retweet network.
    Returns seconds for each step and the set of unordered account pairs (user_1 != user_2)."""
    from coordination_network_toolkit.compute_networks import compute_co_retweet_parallel
    from coordination_network_toolkit.preprocess import preprocess_data

    db = workdir / "qut.db"
    with contextlib.redirect_stdout(sys.stderr):  # QUT prints progress
        t0 = time.perf_counter()
        preprocess_data(str(db), qut_rows(path))
        t1 = time.perf_counter()
        compute_co_retweet_parallel(str(db), time_window, n_threads=n_threads, min_edge_weight=1)
        t2 = time.perf_counter()
    con = sqlite3.connect(db)
    rows = con.execute("select min(user_1, user_2), max(user_1, user_2) from co_retweet_network "
                       "where user_1 < user_2")  # QUT stores both directions; keep one
    pairs = _pair_table(rows)
    con.close()
    return {"load_s": t1 - t0, "compute_s": t2 - t1, "total_s": t2 - t0, "pairs": pairs}


#: coordgraph runs per comparison, each in a fresh interpreter; the ratio uses their median.
COORDGRAPH_REPEATS = 3

_ONE_RUN = """
import json, sys, time
from pathlib import Path
from coordgraph.engines import engine_module, run_engine
path, out, window, engine = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for name in (("python", "outofcore") if engine == "auto" else (engine,)):
    engine_module(name)
t0 = time.perf_counter()
summary = run_engine(engine, path, out, time_window=window, min_participation=1, write_result=False)
print(json.dumps({"seconds": time.perf_counter() - t0, "engine": summary["engine"]}))
"""


def run_coordgraph(path: Path, time_window: int, workdir: Path, engine: str,
                   repeats: int = COORDGRAPH_REPEATS) -> dict:
    """coordgraph end to end (detection + network, edges written) with min_participation=1,
    ``repeats`` times, each in a fresh interpreter whose modules are imported before the
    clock starts (as QUT's are in :func:`run_qut`). A sub-second run on this VM varies by
    +-20% from one minute to the next, so the median of the runs is reported (all are in
    ``runs_s``); QUT's runs last tens of seconds to minutes and are run once."""
    import statistics
    import subprocess

    runs = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", _ONE_RUN, str(path), str(workdir / "cg"), str(time_window),
                               engine], check=True, capture_output=True, text=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    edges = pq.read_table(workdir / "cg" / "edges.parquet", columns=["account_id", "account_id_y"]) \
        if (workdir / "cg" / "edges.parquet").exists() else \
        pq.read_table(str(workdir / "cg" / "edges.parquet"), columns=["account_id", "account_id_y"])
    seconds = [r["seconds"] for r in runs]
    return {"total_s": statistics.median(seconds), "runs_s": [round(x, 3) for x in seconds],
            "engine": runs[-1]["engine"], "pairs": _sorted_pairs(edges.column(0), edges.column(1))}


def _pair_table(rows, batch: int = 5_000_000) -> pa.Table:
    """SQLite rows (lo, hi) -> a sorted Arrow table, built in batches (no Python set of
    hundreds of millions of tuples)."""
    parts = []
    while True:
        chunk = rows.fetchmany(batch)
        if not chunk:
            break
        lo, hi = zip(*chunk)
        parts.append(pa.table({"lo": pa.array(lo, pa.string()), "hi": pa.array(hi, pa.string())}))
    if not parts:
        return pa.table({"lo": pa.array([], pa.string()), "hi": pa.array([], pa.string())})
    return pa.concat_tables(parts).sort_by([("lo", "ascending"), ("hi", "ascending")])


def _sorted_pairs(a: pa.ChunkedArray, b: pa.ChunkedArray) -> pa.Table:
    """Unordered account pairs as a sorted (lo, hi) Arrow table."""
    swap = pc.greater(a, b)
    lo, hi = pc.if_else(swap, b, a), pc.if_else(swap, a, b)
    return pa.table({"lo": lo, "hi": hi}).sort_by([("lo", "ascending"), ("hi", "ascending")])


def compare(path: Path, time_window: int = 10, engine: str = "auto", workdir: Path | None = None) -> dict:
    """Both tools on one file; the summary as a dict (no pair sets)."""
    with tempfile.TemporaryDirectory(prefix="qut-bench-", dir=workdir) as tmp:
        tmp = Path(tmp)
        cg = run_coordgraph(path, time_window, tmp, engine)
        qut = run_qut(path, time_window, tmp)
    same = cg["pairs"].num_rows == qut["pairs"].num_rows and cg["pairs"].equals(qut["pairs"].cast(cg["pairs"].schema))
    return {
        "file": str(path), "time_window": time_window, "coordgraph_engine": cg["engine"],
        "coordgraph_s": round(cg["total_s"], 3), "coordgraph_runs_s": cg["runs_s"], "qut_load_s": round(qut["load_s"], 3),
        "qut_compute_s": round(qut["compute_s"], 3), "qut_total_s": round(qut["total_s"], 3),
        "ratio": round(qut["total_s"] / cg["total_s"], 1), "account_pairs": cg["pairs"].num_rows,
        "qut_account_pairs": qut["pairs"].num_rows, "same_pairs": same,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="QUT coordination-network-toolkit vs coordgraph on one share file")
    ap.add_argument("shares", type=Path)
    ap.add_argument("--time-window", type=int, default=10)
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    args = ap.parse_args(argv)
    out = compare(args.shares, args.time_window, args.engine)
    if args.json:
        print(json.dumps(out))
        return
    print(f"QUT: load {out['qut_load_s']} s + co-retweet {out['qut_compute_s']} s = {out['qut_total_s']} s")
    print(f"coordgraph ({out['coordgraph_engine']}): {out['coordgraph_s']} s (median of {out['coordgraph_runs_s']})"
          f"  -> {out['ratio']}x faster")
    print(f"account pairs: coordgraph {out['account_pairs']}, QUT {out['qut_account_pairs']}, "
          f"identical: {out['same_pairs']}")
    if not out["same_pairs"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
