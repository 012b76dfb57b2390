"""Every engine in the graph store against ``detect`` on the same generated shares (issue 14):

* "``analyze --engine auto`` on 10M stored shares within 3x of ``detect`` on the same shares";
* "every engine in the store equal to ``detect`` ... on 1M generated shares (counts and
  checksums of edges with weights)".

Per size N (bench.generate's realistic share table, cached in ``--data-dir``), each step the
real command in its own process, as a user runs it:

1. ``coordgraph detect SHARES --out DIR --engine auto``, then ``--engine <the one auto picked>``
   (``--repeat`` times each; the median is the reference for the ratios);
2. in a fresh ``COORDGRAPH_HOME``: ``coordgraph ingest --shares-table SHARES`` (the bulk path on
   a first load);
3. ``coordgraph analyze --engine E --no-communities`` for E in auto, python, outofcore, spark
   (local mode), cypher; python, spark and cypher are skipped above ``--max-python``,
   ``--max-spark``, ``--max-cypher`` shares (the output says so: on this 2-core / 24 GiB machine
   they would not finish in reasonable time or memory).

After each analyze the run's COORDINATED edges are read from the store and compared with
detect's ``edges.parquet`` (the reference, python or outofcore as auto picked it): number of
edges, number above the threshold, the threshold, and an order-independent SHA-256 over the
rows (account_id, account_id_y, weight, n_content_id, n_content_id_y, weight_threshold,
edge_symmetry_score). The checksum is computed here with plain pandas/hashlib, not with
coordgraph's code: each edge is put with the smaller account id first (its two content counts
swapped with it), numbers are written with 12 significant digits, the row texts are sorted and
hashed. When the checksums differ, the first differing rows are printed and saved.

Measured per command: wall seconds of the whole process, peak resident memory of its process
tree plus the embedded redis-server/FalkorDB (psutil, every 0.2 s; ``server_pids(home)``), and
the 1-minute load average (``/proc/loadavg``) before and after: on a shared 2-core machine the
figures move with it.

    python -m bench.bench_store_engines                              # 1M shares
    python -m bench.bench_store_engines --shares 1000000 10000000 --repeat 3
Writes bench/results/store_engines.csv (appends) and prints a markdown table.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.bench_loader import loadavg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
ENGINES = ("auto", "python", "outofcore", "spark", "cypher")
#: The edge columns the checksum covers (issue 14: "counts and checksums of edges with weights").
CHECK_COLUMNS = ("account_id", "account_id_y", "weight", "n_content_id", "n_content_id_y", "weight_threshold",
                 "edge_symmetry_score")


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["COORDGRAPH_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_cli(argv: list[str], home: Path, log: Path) -> dict:
    """One ``coordgraph`` command in its own process to its end: wall seconds, exit code, peak
    RSS (MiB) of its process tree plus the store's servers, load before/after."""
    from bench.bench_pipeline import PeakMemory

    before = loadavg()
    started = time.perf_counter()
    with open(log, "ab") as out:
        out.write(f"\n$ coordgraph {' '.join(argv)}\n".encode())
        out.flush()
        proc = subprocess.Popen([sys.executable, "-m", "coordgraph.cli", *argv], env=_env(home), stdout=out,
                                stderr=subprocess.STDOUT, cwd=ROOT)
        with PeakMemory(proc.pid, home) as mem:
            rc = proc.wait()
    return {"seconds": round(time.perf_counter() - started, 2), "rc": rc, "peak_rss_mib": round(mem.peak / 2**20),
            "load_before": before, "load_after": loadavg()}


# ------------------------------------------------------------------------------ the comparison
def _num(value) -> str:
    """A number as text with 12 significant digits (so 3, 3.0 and 3.0000000000001 agree);
    missing as ''."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return format(float(value), ".12g")


def canonical_rows(edges: pd.DataFrame) -> pd.DataFrame:
    """The checksum columns, one row per edge with the smaller account id first (its
    n_content_id / n_content_id_y swapped with it), every value as text; sorted."""
    a, b = edges["account_id"].astype(str), edges["account_id_y"].astype(str)
    swap = (a > b).to_numpy()
    n1, n2 = edges["n_content_id"], edges["n_content_id_y"]
    frame = pd.DataFrame({
        "account_id": a.where(~swap, b).to_numpy(), "account_id_y": b.where(~swap, a).to_numpy(),
        "weight": [_num(v) for v in edges["weight"]],
        "n_content_id": [_num(v) for v in n1.where(~swap, n2)],
        "n_content_id_y": [_num(v) for v in n2.where(~swap, n1)],
        "weight_threshold": [_num(v) for v in edges["weight_threshold"]],
        "edge_symmetry_score": [_num(v) for v in edges["edge_symmetry_score"]],
    })
    return frame.sort_values(["account_id", "account_id_y"], kind="stable").reset_index(drop=True)


def checksum(rows: pd.DataFrame) -> str:
    """SHA-256 of the sorted row texts (fields joined by tabs, rows by newlines)."""
    lines = sorted("\t".join(r) for r in rows[list(CHECK_COLUMNS)].itertuples(index=False, name=None))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def edge_figures(edges: pd.DataFrame, threshold) -> dict:
    rows = canonical_rows(edges)
    above = int((pd.to_numeric(edges["weight_threshold"]) == 1).sum()) if len(edges) else 0
    return {"edges": len(edges), "above": above, "threshold": _num(threshold), "checksum": checksum(rows),
            "rows": rows}


def first_differences(ref: pd.DataFrame, got: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Up to ``n`` edges that differ: in one table only, or with other values."""
    key = ["account_id", "account_id_y"]
    both = ref.merge(got, on=key, how="outer", suffixes=("_detect", "_store"), indicator=True)
    cols = [c for c in CHECK_COLUMNS if c not in key]
    differs = both["_merge"] != "both"
    for c in cols:
        differs |= both[f"{c}_detect"].fillna("") != both[f"{c}_store"].fillna("")
    return both[differs].head(n)


def read_detect(out: Path) -> tuple[pd.DataFrame, object, str]:
    """detect's edges (edges.parquet, a file or a directory of parts; the python engine writes
    CooRTweet's edges.csv instead, where a fast window adds ``_full``/``_fast`` names), its
    threshold and the engine that ran."""
    summary = json.loads((out / "summary.json").read_text())
    if (out / "edges.parquet").exists():
        edges = pd.read_parquet(out / "edges.parquet")
    else:
        edges = pd.read_csv(out / "edges.csv", dtype={"account_id": str, "account_id_y": str})
        edges = edges.rename(columns={c: c[:-len("_full")] for c in edges.columns if c.endswith("_full")})
    return edges, summary.get("threshold"), summary.get("engine")


def read_store_run(home: Path, known: set[str]) -> tuple[str, pd.DataFrame, object, str]:
    """The run the last analyze wrote (the complete run not in ``known``): its COORDINATED
    edges, threshold and engine, read with plain Cypher."""
    os.environ["COORDGRAPH_HOME"] = str(home)
    from coordgraph.cypher import open_store

    store = open_store(None)
    try:
        runs = store.read("MATCH (r:Run) WHERE r.status = 'complete' RETURN r.id AS id, r.threshold AS threshold, "
                          "r.engine AS engine")
        new = [r for r in runs if r["id"] not in known]
        if len(new) != 1:
            raise RuntimeError(f"expected one new complete run, found {len(new)}")
        run = new[0]
        edges = store.read_table(
            "MATCH (a:Account)-[e:COORDINATED {run_id: $id}]->(b:Account) RETURN a.id AS account_id, "
            "b.id AS account_id_y, e.weight AS weight, e.n_content_id AS n_content_id, "
            "e.n_content_id_y AS n_content_id_y, e.weight_threshold AS weight_threshold, "
            "e.edge_symmetry_score AS edge_symmetry_score", {"id": run["id"]}, fast=True)
        engine = store.read("MATCH (r:Run {id: $id}) RETURN r.summary AS s", {"id": run["id"]})[0]["s"]
    finally:
        store.close()
    if edges.empty:
        edges = pd.DataFrame(columns=list(CHECK_COLUMNS))
    engine = json.loads(engine).get("engine", run["engine"]) if engine else run["engine"]
    return run["id"], edges, run["threshold"], engine


def known_runs(home: Path) -> set[str]:
    os.environ["COORDGRAPH_HOME"] = str(home)
    from coordgraph.cypher import open_store

    store = open_store(None)
    try:
        return {r["id"] for r in store.read("MATCH (r:Run) RETURN r.id AS id")}
    finally:
        store.close()


# ------------------------------------------------------------------------------ one size
def bench_size(n: int, args, table: list[dict]) -> None:
    from bench.generate import generate, parquet_path

    shares = parquet_path(args.data_dir, n, "realistic")  # generated once (same seed, same rows), then reused
    if not shares.exists():
        shares = generate(n, out_dir=args.data_dir, density="realistic")
    rows_in = __import__("pyarrow.parquet", fromlist=["ParquetFile"]).ParquetFile(shares).metadata.num_rows
    work = Path(tempfile.mkdtemp(prefix=f"cg-store-engines-{n}-", dir=args.work_dir))
    log = work / "bench.log"
    print(f"\n## {n:,} generated shares ({rows_in:,} rows): {shares}; work dir {work}", flush=True)

    def record(step: str, engine: str, m: dict, **extra) -> dict:
        row = {"shares": rows_in, "step": step, "engine": engine, **m, **extra,
               "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        table.append(row)
        print(f"  {step} {engine}: " + ", ".join(f"{k}={v}" for k, v in row.items()
                                                 if k not in ("shares", "step", "engine", "when")), flush=True)
        return row

    try:
        # 1. detect on the file: auto, then the engine auto picked
        detect_home = work / "detect_home"
        detect_home.mkdir()
        ref = None
        detect_s: dict[str, list[float]] = {}
        picked = None
        for engine in ("auto", None):
            engine = engine or picked
            times = []
            for i in range(args.repeat):
                out = work / f"detect_{engine}_{i}"
                m = run_cli(["detect", str(shares), "--out", str(out), "--engine", engine], detect_home, log)
                if m["rc"] != 0:
                    record("detect", engine, m, note=f"failed; see {log}")
                    raise SystemExit(f"detect --engine {engine} failed; see {log}")
                edges, thr, ran = read_detect(out)
                figs = edge_figures(edges, thr)
                if ref is None:
                    ref = figs
                    picked = ran
                same = figs["checksum"] == ref["checksum"] and figs["threshold"] == ref["threshold"]
                times.append(m["seconds"])
                record("detect", engine, m, ran=ran, run=i + 1, edges=figs["edges"], above=figs["above"],
                       threshold=figs["threshold"], checksum=figs["checksum"][:16], equal="yes" if same else "NO")
                if i or engine != "auto":
                    shutil.rmtree(out, ignore_errors=True)
            detect_s[engine] = times
            if engine == picked:
                break
        reference_s = statistics.median(detect_s["auto"])  # detect as a user runs it
        print(f"  detect reference: median {reference_s} s of {detect_s}, auto ran {picked}", flush=True)

        # 2. ingest into a fresh home
        home = work / "home"
        home.mkdir()
        m = run_cli(["ingest", "--shares-table", str(shares)], home, log)
        record("ingest --shares-table", "", m, note="" if m["rc"] == 0 else f"failed; see {log}")
        if m["rc"] != 0:
            raise SystemExit(f"ingest failed; see {log}")

        # 3. analyze with every engine, compared with detect
        limits = {"python": args.max_python, "spark": args.max_spark, "cypher": args.max_cypher}
        for engine in args.engines:
            if limits.get(engine) is not None and rows_in > limits[engine]:
                record("analyze", engine, {}, note=f"skipped: {rows_in:,} shares > --max-{engine} "
                                                  f"{limits[engine]:,} (would not finish in reasonable time or "
                                                  "memory on this 2-core/24 GiB machine)")
                continue
            for i in range(args.repeat if engine == "auto" else 1):
                known = known_runs(home)
                m = run_cli(["analyze", "--engine", engine, "--no-communities"], home, log)
                if m["rc"] != 0:
                    record("analyze", engine, m, ratio=round(m["seconds"] / reference_s, 2), run=i + 1,
                           note=f"failed (exit {m['rc']}); see {log}")
                    continue
                run_id, edges, thr, ran = read_store_run(home, known)
                figs = edge_figures(edges, thr)
                same = (figs["checksum"], figs["edges"], figs["above"], figs["threshold"]) == \
                       (ref["checksum"], ref["edges"], ref["above"], ref["threshold"])
                note = ""
                if not same:
                    diff = first_differences(ref["rows"], figs["rows"])
                    path = work / f"diff_{engine}_{run_id}.csv"
                    diff.to_csv(path, index=False)
                    note = f"first differing rows in {path}"
                    print(diff.to_string(index=False), flush=True)
                record("analyze", engine, m, ran=ran, run=i + 1, ratio=round(m["seconds"] / reference_s, 2),
                       edges=figs["edges"], above=figs["above"], threshold=figs["threshold"],
                       checksum=figs["checksum"][:16], equal="yes" if same else "NO", note=note)
    finally:
        subprocess.run([sys.executable, "-m", "coordgraph.cli", "db", "stop"], env=_env(work / "home"),
                       capture_output=True, cwd=ROOT)
        if args.keep:
            print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


FIELDS = ["shares", "step", "engine", "ran", "run", "seconds", "ratio", "rc", "peak_rss_mib", "edges", "above",
          "threshold", "checksum", "equal", "load_before", "load_after", "note", "when"]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shares", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    ap.add_argument("--repeat", type=int, default=1, help="runs of detect and of analyze --engine auto (median)")
    ap.add_argument("--max-python", type=int, default=2_000_000, help="skip analyze --engine python above (shares)")
    ap.add_argument("--max-spark", type=int, default=2_000_000, help="skip analyze --engine spark above (shares)")
    ap.add_argument("--max-cypher", type=int, default=2_000_000, help="skip analyze --engine cypher above (shares)")
    ap.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "coordgraph-bench")
    ap.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--keep", action="store_true", help="keep the work dir (detect outputs, store home)")
    args = ap.parse_args(argv)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    table: list[dict] = []
    try:
        for n in args.shares:
            bench_size(n, args, table)
    finally:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / "store_engines.csv"
        new = not path.exists()
        with open(path, "a", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
            if new:
                w.writeheader()
            w.writerows(table)
        print("\n| shares | step | engine (ran) | run | wall s | x detect | peak RSS MiB (store incl.) | edges | above "
              "| threshold | checksum | = detect | load before/after | note |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in table:
            eng = r["engine"] + (f" ({r['ran']})" if r.get("ran") and r.get("ran") != r["engine"] else "")
            print(f"| {r['shares']:,} | {r['step']} | {eng} | {r.get('run', '')} | {r.get('seconds', '')} "
                  f"| {r.get('ratio', '')} | {r.get('peak_rss_mib', '')} | {r.get('edges', '')} | {r.get('above', '')} "
                  f"| {r.get('threshold', '')} | {r.get('checksum', '')} | {r.get('equal', '')} "
                  f"| {r.get('load_before', '')}/{r.get('load_after', '')} | {r.get('note', '')} |")
        print_medians(table)


def print_medians(table: list[dict]) -> None:
    """Median wall seconds per (shares, step, engine) over the runs that finished, and for
    analyze the ratio of that median to detect --engine auto's median."""
    frame = pd.DataFrame([r for r in table if r.get("rc") == 0])
    if frame.empty:
        return
    med = frame.groupby(["shares", "step", "engine"], sort=False).agg(
        runs=("seconds", "size"), median_s=("seconds", "median"), peak_rss_mib=("peak_rss_mib", "max"),
        load_min=("load_before", "min"), load_max=("load_after", "max"),
        equal=("equal", lambda s: "yes" if (s.fillna("yes") == "yes").all() else "NO")).reset_index()
    ref = med[(med["step"] == "detect") & (med["engine"] == "auto")].set_index("shares")["median_s"]
    med["x_detect_auto"] = [round(m / ref[n], 2) if n in ref.index else None
                            for n, m in zip(med["shares"], med["median_s"])]
    print("\nmedians:\n| " + " | ".join(med.columns) + " |\n" + "|---" * len(med.columns) + "|")
    for row in med.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
