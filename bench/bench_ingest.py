"""Load speed of the graph store: SHARED relationships per second into the embedded FalkorDB.

Target (issue 14): a first load through the bulk path (``GRAPH.BULK``) at >= 100,000 SHARED/s;
re-loads stay idempotent (MERGE path). Two kinds of input:

* ``table``: a share table (bench.generate's realistic shares: n/10 accounts, n/50 objects,
  Zipf popularity) loaded like ``coordgraph ingest --shares-table``: first load (bulk, into
  an empty graph), second identical load (MERGE path: nothing changes), and optionally a first
  load forced through MERGE (``--merge-first``, slow) for comparison;
* ``posts``: twarc2 JSON lines (bench.bench_loader's realistic tweets: a third are retweets
  of earlier tweets, 2% collected twice) loaded like ``coordgraph ingest -i retweets``: the
  shares reading path of ``coordgraph shares`` (posts and accounts written while they stream,
  the share table resolved over the whole input), first load in bulk. Reported: read+reshape
  seconds, store seconds, SHARED stored == ``shares`` rows.

SHARED/s = SHARED relationships in the store after the load / wall seconds of the load (for
``posts``: of the store writes, and end to end). The machine's load (``/proc/loadavg``, 1 min)
is recorded before and after each measurement: on a shared 2-core machine the figures move
with it.

    python -m bench.bench_ingest                          # 200k shares, 200k posts
    python -m bench.bench_ingest --shares 1000000 --posts 1000000
Starts its own embedded server in a temporary COORDGRAPH_HOME; writes bench/results/ingest.csv.
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.bench_loader import loadavg

RESULTS = Path(__file__).parent / "results"


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the store's server process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CPU:
    """CPU seconds of this process and of the server between start and stop: unlike wall
    time they hardly move with the other jobs on the machine."""

    def __init__(self, pid: int):
        self.pid = pid
        self.client0, self.server0 = time.process_time(), server_cpu(pid)

    def row(self, shared: int) -> dict:
        client = time.process_time() - self.client0
        server = server_cpu(self.pid) - self.server0
        return {"cpu_client_s": round(client, 2), "cpu_server_s": round(server, 2),
                "shared_per_cpu_s_of_slower_side": round(shared / max(client, server, 1e-9))}


def shares_for(n: int) -> pd.DataFrame:
    from bench.generate import generate

    return pd.read_parquet(generate(n, density="realistic"))


def write_posts(path: Path, n: int, seed: int = 7) -> Path:
    """``n`` twarc2-flattened tweets (bench.bench_loader._tweet), 2% of lines repeated."""
    from bench.bench_loader import tweet_lines, write_lines

    if not path.exists():
        write_lines(path, tweet_lines(n, random.Random(seed)), atomic=True)
    return path


def count_shared(store) -> int:
    return store.read("MATCH (:Account)-[s:SHARED]->(:Object) RETURN count(s) AS n")[0]["n"]


def bench_table(store, pid: int, n: int, batch_rows: int, merge_first: bool) -> list[dict]:
    from coordgraph.cypher.ingest import ingest

    shares = shares_for(n)
    rows = []
    runs = [("first load", "auto"), ("second load (idempotent)", "auto")]
    if merge_first:
        runs.append(("first load, MERGE path", "merge-fresh"))
    for label, mode in runs:
        if mode == "merge-fresh":
            store.clear()
            store.ensure_schema()
            mode = "merge"
        before = loadavg()
        cpu = CPU(pid)
        started = time.perf_counter()
        summary = ingest(store, shares=shares, kind="retweets", batch_rows=batch_rows, mode=mode,
                         )
        seconds = time.perf_counter() - started
        stored = count_shared(store)
        rows.append({"input": f"share table {n:,} rows", "load": label, "path": summary.mode,
                     "rows": len(shares), "shared_in_store": stored, "seconds": round(seconds, 2),
                     "shared_per_s": round(stored / seconds), **cpu.row(stored),
                     "load_before": before, "load_after": loadavg()})
    store.clear()
    return rows


def bench_posts(store, pid: int, n: int, batch_rows: int, workdir: Path) -> list[dict]:
    from coordgraph.cli.reading import ReadOptions, read_shares_input
    from coordgraph.cypher.ingest import LoadWriter

    path = write_posts(workdir / f"posts_{n}.jsonl", n)
    store.clear()
    before = loadavg()
    cpu = CPU(pid)
    started = time.perf_counter()
    writer = LoadWriter(store, batch_rows=batch_rows, mode="auto")
    write_s = 0.0

    def on_batch(posts, accounts):
        nonlocal write_s
        t = time.perf_counter()
        writer.add(posts=posts, accounts=accounts)
        write_s += time.perf_counter() - t

    read = read_shares_input([path], ReadOptions(intents=["retweets"]), rejects=None, on_batch=on_batch)
    t = time.perf_counter()
    writer.add(shares=read.table)
    summary = writer.finish()
    shares_write_s = time.perf_counter() - t
    total = time.perf_counter() - started
    stored = count_shared(store)
    row = {"input": f"twarc2 posts {n:,} ({path.stat().st_size / 2**20:,.0f} MiB)", "load": "first load",
           "path": summary.mode, "rows": len(read.table), "shared_in_store": stored,
           "seconds": round(total, 2), "shared_per_s": round(stored / total),
           "read_reshape_s": round(total - write_s - shares_write_s, 2),
           "posts_write_s": round(write_s, 2), "shares_write_s": round(shares_write_s, 2),
           "shared_per_s_of_share_write": round(stored / shares_write_s) if shares_write_s else None,
           **cpu.row(stored),
           "load_before": before, "load_after": loadavg()}
    store.clear()
    return [row]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, nargs="*", default=[200_000])
    parser.add_argument("--posts", type=int, nargs="*", default=[200_000])
    parser.add_argument("--batch-rows", type=int, default=10_000)
    parser.add_argument("--merge-first", action="store_true", help="also time a first load through MERGE")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "coordgraph_bench_ingest")
    args = parser.parse_args(argv)

    from coordgraph.cypher import server
    from coordgraph.cypher.store import FalkorStore

    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as home:
        os.environ["COORDGRAPH_HOME"] = home
        info = server.start(Path(home))
        try:
            store = FalkorStore(info.host, info.port, "bench_ingest")
            store.clear()
            for n in args.shares:
                rows += bench_table(store, info.pid, n, args.batch_rows, args.merge_first)
                print(pd.DataFrame(rows).tail(3).to_string(index=False), flush=True)
            for n in args.posts:
                rows += bench_posts(store, info.pid, n, args.batch_rows, args.workdir)
                print(pd.DataFrame(rows).tail(1).T.to_string(), flush=True)
        finally:
            server.stop(Path(home))
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "ingest.csv", index=False)
    print(table.to_string(index=False))
    firsts = table[(table["load"] == "first load") & (table["path"] == "bulk")]
    if len(firsts):
        best = int(firsts["shared_per_s"].max())
        print(f"\ntarget >= 100,000 SHARED/s on a bulk first load: {'met' if best >= 100_000 else 'NOT met'} "
              f"(best {best:,}/s; machine load {firsts['load_before'].max()} before)")


if __name__ == "__main__":
    main()
