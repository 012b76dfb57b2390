"""Web app speed: first page and filter change on a run with 100,000 COORDINATED edges, or
(``--shares``) the investigator's workbench on a simulated run of 1M shares, end to end.

``--shares N --communities C`` (issue 15): simulate_data with C planted campaigns of 10
accounts and background accounts up to N shares, ingested and analysed in the embedded store
(python engine, 10 s window, 5 s fast window, Leiden communities); then the app on a
loopback port and, in headless Chromium: the first page (navigation until the overview and
the ranked table are drawn, median of 3 fresh sessions) and the server's answer time of each
filter or click (measured in a WSGI wrapper around the app: the time from request to the
last byte of the answer, per Dash callback); then 20 concurrent sessions replaying the
recorded callback requests for 60 s over HTTP, each thread its own session (answers over 2 s
and errors counted), back to back (a stress test) and with 500 ms after each answer (a quick
user's pace; a browser also spends that time drawing). The
machine's load average is printed with the figures.

    .venv/bin/python -m bench.bench_webapp --shares 1000000 --communities 520 [--keep]

Writes a synthetic run (planted communities, weights 1..50, symmetry scores, fast flags)
into its own graph ``webapp_bench`` of the embedded store, then times, on the server side
(no browser): the first page (runs + weight distribution + overview elements) and filter
changes (overview re-queried with another threshold / symmetry / fast flag), plus one
community expansion. Prints the figures; the targets are 2 s and 300 ms.

    .venv/bin/python -m bench.bench_webapp [--edges 100000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd


def synthetic_edges(n_edges: int, n_communities: int = 200, seed: int = 1) -> pd.DataFrame:
    """``n_edges`` distinct account pairs, 85 % inside planted communities."""
    rng = np.random.default_rng(seed)
    n_accounts = max(100, n_edges // 5)
    comm_of = rng.integers(0, n_communities, n_accounts)
    members = [np.flatnonzero(comm_of == c) for c in range(n_communities)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < n_edges:
        k = n_edges - len(pairs)
        inside = rng.random(k) < 0.85
        a = rng.integers(0, n_accounts, k)
        b = np.where(inside, [rng.choice(members[comm_of[x]]) for x in a], rng.integers(0, n_accounts, k))
        for x, y in zip(a, b):
            if x != y:
                pairs.add((min(x, y), max(x, y)))
    arr = np.array(sorted(pairs))[:n_edges]
    w = np.minimum(rng.zipf(1.8, len(arr)), 50) + 1
    e = pd.DataFrame({
        "account_id": [f"acc_{i:07d}" for i in arr[:, 0]],
        "account_id_y": [f"acc_{i:07d}" for i in arr[:, 1]],
        "weight": w,
        "avg_time_delta": rng.uniform(0, 10, len(arr)).round(2),
        "edge_symmetry_score": rng.uniform(0.2, 1, len(arr)).round(3),
        "first_ts": 1_700_000_000 + rng.integers(0, 86_400, len(arr)),
    })
    e["last_ts"] = e["first_ts"] + rng.integers(0, 86_400, len(arr))
    e["weight_fast"] = np.where(rng.random(len(arr)) < 0.4, np.maximum(1, w // 2), np.nan)
    return e


def load(store, edges: pd.DataFrame, run_id: str) -> None:
    """Write accounts, the run and the edges (communities by Leiden, as the app expects)."""
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests.webapp.campaign import write_network
    from coordgraph.cypher.schema import ensure_schema

    ensure_schema(store)
    ids = sorted(set(edges["account_id"]) | set(edges["account_id_y"]))
    for i in range(0, len(ids), 10_000):
        store.query("UNWIND $ids AS id CREATE (:Account {id: id, handle: '@' + id})", {"ids": ids[i:i + 10_000]})
    store.query("CREATE (:Run {id: $id, status: 'complete', created: 1700000000})", {"id": run_id})
    write_network(store, run_id, edges)


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``repeat`` runs, in milliseconds, and its last value."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--shares", type=int, default=0, help="the workbench bench on a simulated run of this many shares")
    ap.add_argument("--communities", type=int, default=520, help="planted campaigns (--shares)")
    ap.add_argument("--sessions", type=int, default=20, help="concurrent sessions (--shares)")
    ap.add_argument("--seconds", type=int, default=60, help="duration of the concurrent replay (--shares)")
    ap.add_argument("--think-ms", type=int, nargs="+", default=[0, 500],
                    help="pause of each session after an answer, one replay per value (--shares)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="reuse the bench graph if it is there")
    ap.add_argument("--cypher", action="store_true",
                    help="also time the pure-Cypher overview (webapp_overview_*.cypher; slow at 100k)")
    args = ap.parse_args()
    if args.shares:
        from bench.bench_workbench import workbench_bench

        workbench_bench(args)
        return

    from coordgraph.cypher import open_store
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.callbacks import build_filters
    from coordgraph.webapp.elements import overview_elements
    from coordgraph.webapp.filters import Filters
    from coordgraph.webapp.source import RunSource
    from plotly.io.json import to_json_plotly  # what Dash uses to send callback outputs

    store = open_store(graph="webapp_bench")
    run_id = f"bench{args.edges}"
    have = store.query("MATCH (r:Run {id: $id}) RETURN count(r) AS n", {"id": run_id})[0]["n"]
    if not (args.keep and have):
        store.clear()
        t = time.perf_counter()
        load(store, synthetic_edges(args.edges), run_id)
        print(f"loaded {args.edges:,} COORDINATED edges in {time.perf_counter() - t:.1f} s")
    n = store.query("MATCH ()-[e:COORDINATED]->() WHERE e.run_id = $r RETURN count(e) AS n", {"r": run_id})[0]["n"]
    print(f"run with {n:,} COORDINATED edges")

    # server start: the app reads the run's edge snapshot once (coordgraph serve does it before listening)
    def start():
        app = create_app(store, run_id=run_id)
        app.state.warm_up(run_id)
        return app
    ms_start, app = timed(start, max(1, args.repeat // 2))
    print(f"server start (create app + load the run snapshot): {ms_start:.0f} ms median")
    client = app.server.test_client()

    def first_page():
        """What a browser's first visit costs on the server: page, layout, first redraw."""
        assert client.get("/").status_code == 200
        assert client.get("/_dash-layout").status_code == 200
        state = app.state
        comms, links = state.snapshot(run_id).overview(Filters())
        d = overview_elements(comms, links)
        to_json_plotly(d.elements)
        return d
    ms_first, drawing = timed(first_page, args.repeat)
    print(f"first page (HTML + layout with runs + first overview redraw as JSON): {ms_first:.0f} ms median "
          f"-> {len(drawing.elements)} elements ({drawing.summary()})")

    snap = app.state.snapshot(run_id)
    changes = {
        "threshold percentile 0.5": ("percentile", 0.5, 0, [], 1, None, None, []),
        "threshold percentile 0.9": ("percentile", 0.9, 0, [], 1, None, None, []),
        "absolute weight >= 5": ("absolute", 5, 0, [], 1, None, None, []),
        "symmetry >= 0.8": ("percentile", 0, 0.8, [], 1, None, None, []),
        "fast edges only": ("percentile", 0, 0, ["fast"], 1, None, None, []),
        "time range 6 h": ("percentile", 0, 0, [], 1, "2023-11-14 22:13", "2023-11-15 04:13", []),
        "community size >= 300": ("percentile", 0, 0, [], 300, None, None, []),
    }
    for name, values in changes.items():
        def change():
            f = build_filters(*values)
            d = overview_elements(*snap.overview(f))
            to_json_plotly(d.elements)
            return d
        ms, d = timed(change, args.repeat)
        print(f"filter change [{name}] (filters -> snapshot -> layout -> elements -> JSON): {ms:.0f} ms median "
              f"-> {len(d.elements)} elements")
    comms, links = snap.overview(Filters())
    big = int(comms.sort_values("size").iloc[-1]["community"])
    ms, d = timed(lambda: overview_elements(comms, links, expanded={big: snap.community_view(big, Filters())}),
                  args.repeat)
    print(f"expand the largest community ({int(comms['size'].max())} accounts): {ms:.0f} ms median "
          f"-> {len(d.elements)} elements")
    if args.cypher:
        src = RunSource(store)
        for name, f in (("no filter", Filters()), ("percentile 0.9", Filters(weight_mode="percentile", weight_value=0.9))):
            ms, _ = timed(lambda: src.overview(run_id, f), 1)
            print(f"pure-Cypher overview [{name}] (webapp_overview_*.cypher): {ms:.0f} ms")


if __name__ == "__main__":
    main()
