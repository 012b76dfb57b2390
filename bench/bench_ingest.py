"""Load speed of the graph store: SHARED relationships per second into the embedded FalkorDB.

Target (issue 4): at least 20,000 SHARED relationships per second into the embedded store.
Data: bench.generate's realistic shares (n/10 accounts, n/50 objects, Zipf popularity), so
each batch MERGEs new and known accounts/objects like a real load. Measured: a first load
(every node and relationship new), a second identical load (idempotent: everything MERGEs
onto existing data) and the batch size.

    python -m bench.bench_ingest                 # 200k shares, batches of 10,000
    python -m bench.bench_ingest --shares 1000000 --batch-rows 20000
Starts its own embedded server in a temporary COORDGRAPH_HOME; writes bench/results/ingest.csv.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).parent / "results"


def shares_for(n: int) -> pd.DataFrame:
    from bench.generate import generate

    path = generate(n, density="realistic")
    return pd.read_parquet(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, default=200_000)
    parser.add_argument("--batch-rows", type=int, default=10_000)
    args = parser.parse_args(argv)

    from coordgraph.cypher import server
    from coordgraph.cypher.ingest import ingest
    from coordgraph.cypher.store import FalkorStore

    shares = shares_for(args.shares)
    rows = []
    with tempfile.TemporaryDirectory() as home:
        info = server.start(Path(home))
        try:
            store = FalkorStore(info.host, info.port, "bench_ingest")
            store.clear()
            store.ensure_schema()
            for label in ("first load", "second load (idempotent)"):
                started = time.perf_counter()
                summary = ingest(store, shares=shares, kind="retweets", batch_rows=args.batch_rows)
                seconds = time.perf_counter() - started
                n = store.read("MATCH (:Account)-[s:SHARED]->(:Object) RETURN count(s) AS n")[0]["n"]
                rows.append({"load": label, "shares": summary.shares, "batch_rows": args.batch_rows,
                             "seconds": round(seconds, 2), "shared_per_s": round(summary.shares / seconds),
                             "shared_in_store": n})
            store.clear()
        finally:
            server.stop(Path(home))
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "ingest.csv", index=False)
    print(table.to_string(index=False))
    first = rows[0]["shared_per_s"]
    print(f"\ntarget >= 20,000 SHARED/s: {'met' if first >= 20_000 else 'NOT met'} ({first:,}/s first load)")


if __name__ == "__main__":
    main()
