"""``make bench``: time detection plus network end to end, with peak memory, for every engine
and size, side by side with the QUT toolkit; write bench/results/results.csv and summary.md.

Each run is a fresh subprocess (``python -m bench.run_all --child ...``) so that peak memory
is the run's own: the parent polls the whole process tree (Spark's JVM included) with psutil
every 0.1 s and also takes the child's ``ru_maxrss``. A run killed by a signal (e.g. the
kernel's OOM killer) is recorded as such, never silently.

    python -m bench.run_all                      # 100k and 1M, dense and realistic, python + outofcore + QUT
    python -m bench.run_all --sizes 10M --engines outofcore --density dense --no-qut
    python -m bench.run_all --sizes 100M --density realistic --engines outofcore

Rows: engine (python, outofcore, spark, floor = read Parquet + one sort, qut), size,
density, shares, seconds (whole subprocess), run_seconds (inside it), peak_rss_gib,
result_rows, edges, status, note.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import DEFAULT_DIR, generate, parquet_path

RESULTS = Path(__file__).parent / "results"
SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000, "100M": 100_000_000}
FIELDS = ["engine", "size", "density", "shares", "seconds", "run_seconds", "peak_rss_gib", "result_rows", "edges", "status", "note"]


# --- child side: one measured run --------------------------------------------------------------

def child(engine: str, path: Path, out: Path) -> dict:
    """Run one engine on one file (in this process) and return its summary."""
    t0 = time.perf_counter()
    if engine == "floor":
        import numpy as np
        import pandas as pd
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=["object_id", "timestamp_share"])
        obj = pd.factorize(table.column(0).to_pandas())[0]
        order = np.lexsort((table.column(1).to_numpy(), obj))
        return {"engine": "floor", "seconds": time.perf_counter() - t0, "result_rows": "", "edges": "",
                "shares": len(order)}
    if engine == "qut":
        from bench.bench_qut import compare

        res = compare(path, 10, "outofcore", workdir=out)
        return {"engine": "qut", "seconds": res["qut_total_s"], "result_rows": "", "edges": res["qut_account_pairs"],
                "note": f"load {res['qut_load_s']} s + compute {res['qut_compute_s']} s; same account pairs as "
                        f"coordgraph: {res['same_pairs']}; coordgraph outofcore (mp=1) {res['coordgraph_s']} s "
                        f"(median of {res['coordgraph_runs_s']}), ratio {res['ratio']}x",
                "ratio": res["ratio"], "coordgraph_s": res["coordgraph_s"],
                "same_pairs": res["same_pairs"]}
    from coordgraph.engines import run_engine

    summary = run_engine(engine, path, out, time_window=10, min_participation=2, write_result=False)
    summary["seconds"] = time.perf_counter() - t0
    return summary


# --- parent side: subprocess, memory polling, table ---------------------------------------------

def measure(engine: str, path: Path, timeout: float) -> dict:
    """Run ``engine`` on ``path`` in a subprocess; wall seconds, peak RSS (GiB), status."""
    import psutil

    with tempfile.TemporaryDirectory(prefix=f"bench-{engine}-", dir=path.parent) as tmp:
        out_json = Path(tmp) / "child.json"
        cmd = [sys.executable, "-m", "bench.run_all", "--child", engine, str(path), tmp, str(out_json)]
        t0 = time.perf_counter()
        err_path = Path(tmp) / "stderr.txt"
        with err_path.open("w") as err_file:  # a file, not a pipe: Spark's logs must never block the child
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err_file,
                                    env={**os.environ, "PYTHONWARNINGS": "ignore"})
        peak = 0
        status = None
        root = psutil.Process(proc.pid)
        while status is None:
            try:
                rss = root.memory_info().rss + sum(c.memory_info().rss for c in root.children(recursive=True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
            try:
                _, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if _ == 0:
                    status = None
                else:
                    peak = max(peak, usage.ru_maxrss * 1024)
            except ChildProcessError:
                status = 0
            if status is None and time.perf_counter() - t0 > timeout:
                proc.kill()
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        err = err_path.read_text(errors="replace")
        row = {"engine": engine, "peak_rss_gib": round(peak / 2**30, 2), "seconds": round(wall, 2)}
        if os.WIFSIGNALED(status):
            row.update(status=f"killed by signal {os.WTERMSIG(status)}", note="timeout" if wall > timeout else "")
            return row
        code = os.WEXITSTATUS(status)
        if code != 0 or not out_json.exists():
            last = [line for line in err.strip().splitlines() if line.strip()][-1:] or ["no output"]
            row.update(status=f"exit {code}", note=last[0][:300])
            return row
        summary = json.loads(out_json.read_text())
        row.update(status="ok", result_rows=summary.get("result_rows", ""), edges=summary.get("edges", ""),
                   note=summary.get("note", ""), run_seconds=round(summary["seconds"], 2))
        if engine == "qut":
            row["seconds"] = summary["seconds"]
            row.update(ratio=summary["ratio"], same_pairs=summary["same_pairs"], coordgraph_s=summary["coordgraph_s"])
        return row


def ensure_data(n: int, density: str, data_dir: Path) -> Path:
    """The generated file for (n, density), generated once."""
    path = parquet_path(data_dir, n, density)
    if not path.exists():
        t = time.perf_counter()
        generate(n, data_dir, density)
        print(f"generated {path} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def write_tables(rows: list[dict], results: Path, command: str) -> None:
    """results.csv (appending to earlier runs of other sizes) and summary.md."""
    results.mkdir(parents=True, exist_ok=True)
    csv_path = results / "results.csv"
    old = []
    if csv_path.exists():
        with csv_path.open() as f:
            old = list(csv.DictReader(f))
    keys = {(r["engine"], r["size"], r["density"]) for r in rows}
    merged = [r for r in old if (r["engine"], r["size"], r["density"]) not in keys] + rows
    with csv_path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in merged:
            w.writerow(r)
    lines = [
        "# coordgraph benchmarks", "",
        f"Machine: {os.cpu_count()} cores, {_mem_gib():.0f} GiB, shared with other jobs while measured. Detection "
        "(time window 10 s, min_participation 2) plus the network, end to end from a Parquet file to edges.parquet "
        "and vertices.parquet (the co-share rows are computed but not written), in a fresh process; peak memory "
        "of the whole process tree. `floor` = reading the Parquet file and sorting it once. `qut` = the QUT "
        "coordination-network-toolkit's co-retweet network (load + compute) on the same file, compared with "
        "coordgraph's outofcore engine at min_participation 1 (same account pairs required).", "",
        f"Last command: `{command}`", "",
        "`seconds` is the wall time of the whole subprocess (interpreter start and imports included); "
        "`run s` the time inside it from reading the input to the last output written.", "",
        "| engine | size | density | shares | seconds | run s | peak GiB | co-shares | edges | status | note |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(merged, key=lambda r: (SIZES.get(r["size"], 0), r["density"], r["engine"])):
        lines.append("| " + " | ".join(str(r.get(k, "")) for k in FIELDS) + " |")
    lines += ["", *target_lines(merged)]
    (results / "summary.md").write_text("\n".join(lines) + "\n")


#: The scale targets (issue 7): (label, engine, size, density, test on the row).
TARGETS = [
    ("1M dense shares end to end in under 3 s", "outofcore", "1M", "dense", lambda r: _f(r["seconds"]) < 3),
    ("10M dense shares under 60 s and 4 GiB", "outofcore", "10M", "dense",
     lambda r: _f(r["seconds"]) < 60 and _f(r["peak_rss_gib"]) < 4),
    ("10M realistic shares under 15 s", "outofcore", "10M", "realistic", lambda r: _f(r["seconds"]) < 15),
    ("100M shares finish on one machine", "outofcore", "100M", "realistic", lambda r: r["status"] == "ok"),
    ("at least 30x faster than QUT at 1M (dense)", "qut", "1M", "dense", lambda r: _ratio(r) >= 30),
    ("at least 30x faster than QUT at 1M (realistic)", "qut", "1M", "realistic", lambda r: _ratio(r) >= 30),
    ("at least 30x faster than QUT at 10M (dense)", "qut", "10M", "dense", lambda r: _ratio(r) >= 30),
    ("at least 30x faster than QUT at 10M (realistic)", "qut", "10M", "realistic", lambda r: _ratio(r) >= 30),
]


def _f(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _ratio(row: dict) -> float:
    """QUT seconds / coordgraph seconds, from the QUT row's note ("ratio 12.6x")."""
    import re

    found = re.search(r"ratio ([0-9.]+)x", row.get("note", "") or "")
    return float(found.group(1)) if found else float("nan")


def target_lines(rows: list[dict]) -> list[str]:
    """A markdown table: each target, the measured row it is judged on, met or not."""
    out = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for label, engine, size, density, test in TARGETS:
        row = next((r for r in rows if (r["engine"], r["size"], r["density"]) == (engine, size, density)), None)
        if row is None:
            out.append(f"| {label} | not measured | |")
            continue
        measured = (f"{_ratio(row)}x (QUT {row['seconds']} s)" if engine == "qut"
                    else f"{row['seconds']} s, {row['peak_rss_gib']} GiB ({row['status']})")
        out.append(f"| {label} | {measured} | {'yes' if test(row) else 'no'} |")
    return out


def _mem_gib() -> float:
    import psutil

    return psutil.virtual_memory().total / 2**30


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        engine, path, out, out_json = argv[1], Path(argv[2]), Path(argv[3]), Path(argv[4])
        summary = child(engine, path, out)
        out_json.write_text(json.dumps(summary, default=str))
        return
    ap = argparse.ArgumentParser(description="coordgraph benchmarks")
    ap.add_argument("--sizes", default="100k,1M", help="comma list of 100k, 1M, 10M, 100M")
    ap.add_argument("--density", default="dense,realistic", help="comma list of dense, realistic")
    ap.add_argument("--engines", default="floor,outofcore,python",
                    help="comma list of floor, python, outofcore, spark (run in this order: the heaviest last, so "
                         "that no run starts while the VM still reclaims the memory of a 10 GiB one)")
    ap.add_argument("--no-qut", action="store_true", help="skip the QUT toolkit")
    ap.add_argument("--qut-sizes", default="100k,1M", help="sizes on which to run QUT (its load alone takes minutes at 10M)")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds before a run is killed")
    ap.add_argument("--pause", type=float, default=5.0,
                    help="seconds to wait before each run, so that the memory the previous run freed is "
                         "settled (on a VM, first-touch page faults right after a 10 GiB run cost up to 30%%)")
    args = ap.parse_args(argv)
    command = "python -m bench.run_all " + " ".join(argv)
    rows = []
    for size in args.sizes.split(","):
        if size not in SIZES:
            raise SystemExit(f"unknown size {size!r}: choose from {', '.join(SIZES)}")
        for density in args.density.split(","):
            path = ensure_data(SIZES[size], density, args.data_dir)
            import pyarrow.parquet as pq

            n = pq.ParquetFile(path).metadata.num_rows
            engines = args.engines.split(",")
            if not args.no_qut and size in args.qut_sizes.split(","):
                engines.append("qut")
            for engine in engines:
                time.sleep(args.pause)
                print(f"{engine:9s} {size:>4s} {density:9s} ...", end=" ", flush=True)
                row = measure(engine, path, args.timeout)
                row.update(size=size, density=density, shares=n)
                print(f"{row['status']}: {row['seconds']} s, {row['peak_rss_gib']} GiB {row.get('note', '')}", flush=True)
                rows.append(row)
                write_tables(rows, args.results, command)
    print(f"wrote {args.results / 'results.csv'} and {args.results / 'summary.md'}")


if __name__ == "__main__":
    main()
