"""Detection inside the store: the cypher engine (all in the database) against the python
engine (read shares, coordgraph.analysis, write back), on the same stored shares.

Measured per engine: seconds per step (co-shares, participation, post-filter, fast flag,
edges, threshold ... or read/detect/write), total seconds, co-shares and edges (which must be
equal between engines), and the seconds to re-threshold a run (no co-share recomputed).

    python -m bench.bench_store_detect                  # 35k real-world-like shares + 100k realistic
    python -m bench.bench_store_detect --shares 200000
Starts its own embedded server in a temporary COORDGRAPH_HOME; writes bench/results/store_detect.csv.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).parent / "results"


def datasets(n: int) -> dict[str, pd.DataFrame]:
    from bench.bench_detect import realworld_35k
    from bench.generate import generate

    return {"realworld_35k": realworld_35k(), f"realistic_{n // 1000}k": pd.read_parquet(generate(n, density="realistic"))}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=int, default=100_000)
    args = parser.parse_args(argv)

    from coordgraph.cypher import server
    from coordgraph.cypher.analyze import analyze, threshold
    from coordgraph.cypher.ingest import ingest
    from coordgraph.cypher.store import FalkorStore

    rows = []
    with tempfile.TemporaryDirectory() as home:
        info = server.start(Path(home))
        try:
            for name, shares in datasets(args.shares).items():
                store = FalkorStore(info.host, info.port, f"bench_{name}")
                store.clear()
                store.ensure_schema()
                ingest(store, shares=shares[["object_id", "account_id", "content_id", "timestamp_share"]],
                       kind="retweets")
                for engine in ("cypher", "python"):
                    started = time.perf_counter()
                    run = analyze(store, time_window=10, min_participation=2, fast_window=5, engine=engine)
                    total = time.perf_counter() - started
                    started = time.perf_counter()
                    threshold(store, run.run_id, 0.9)
                    rethreshold = time.perf_counter() - started
                    rows.append({"data": name, "shares": len(shares), "engine": engine,
                                 "coshares": run.coshares, "edges": run.edges,
                                 "seconds": round(total, 2), "rethreshold_s": round(rethreshold, 3),
                                 "steps": " ".join(f"{k}={v}" for k, v in run.seconds.items())})
                store.clear()
        finally:
            server.stop(Path(home))
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "store_detect.csv", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
