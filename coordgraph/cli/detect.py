"""``coordgraph detect``: the method on a share table, written as CSV files and a summary.

The contract other tools rely on:
``coordgraph detect SHARES --out DIR [--time-window S] [--min-participation N] [--keep-loops]
[--edge-weight P] [--fast-window S] [--subgraph K] [--objects] [--compat]``
writes DIR/result.csv, edges.csv, vertices.csv, account_stats.csv, object_stats.csv and
summary.json.
"""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from coordgraph import __version__
from coordgraph.cli._app import app, console, fail, fail_about

if TYPE_CHECKING:
    from coordgraph.analysis.pipeline import Detection

EDGE_COLUMNS = ["account_id", "account_id_y", "weight", "avg_time_delta", "n_content_id",
                "n_content_id_y", "edge_symmetry_score", "weight_threshold", "object_ids",
                "observed_weight", "null_mean", "n_opportunities", "p_close", "p_value", "q_value", "significant"]


def coortweet_edges(edges, fast: bool):
    """Canonical run edges (coordgraph.run) as edges.csv: CooRTweet's ``<name>_full`` /
    ``<name>_fast`` names with a fast window, columns in contract order."""
    from coordgraph.contracts import EDGE_ATTRIBUTES

    if fast:
        edges = edges.rename(columns={n: f"{n}_full" for n in EDGE_ATTRIBUTES})
    present = edges.columns
    columns = ["account_id", "account_id_y"]
    for name in EDGE_COLUMNS[2:]:
        for candidate in (name, f"{name}_full", f"{name}_fast"):
            if candidate in present:
                columns.append(candidate)
    return edges[columns]


@app.command()
def detect(
    shares: Path = typer.Argument(..., help="Share table: CSV, CSV.gz or Parquet with object_id, account_id, "
                                            "content_id, timestamp_share (UNIX seconds or ISO 8601, UTC)."),
    out: Path = typer.Option(..., "--out", help="Directory for result.csv, edges.csv, vertices.csv, "
                                                "account_stats.csv, object_stats.csv, summary.json."),
    time_window: str = typer.Option("10", "--time-window",
                                    help="Co-share window in seconds (inclusive), or 'auto': CooRnet's estimate "
                                         "from the data (docs/methods.md)."),
    auto_q: float = typer.Option(0.1, "--auto-q", min=0.0, max=1.0, help="--time-window auto: quantile of quickest objects."),
    auto_p: float = typer.Option(0.5, "--auto-p", min=0.0, max=1.0, help="--time-window auto: share of an object's shares to pass."),
    min_participation: int = typer.Option(2, "--min-participation", min=0,
                                          help="Minimum shares of an account (pre-filter) and coordinated shares (post-filter)."),
    keep_loops: bool = typer.Option(False, "--keep-loops", help="Keep self-pairs (same account, same content, object = content)."),
    edge_weight: float = typer.Option(0.5, "--edge-weight", min=0.0, max=1.0,
                                      help="Percentile of edge weights above which an edge is flagged (weight_threshold=1)."),
    fast_window: Optional[int] = typer.Option(None, "--fast-window", min=0,
                                              help="Also flag co-shares within this narrower window (seconds) and build the fast network."),
    subgraph: int = typer.Option(0, "--subgraph", min=0, max=3,
                                 help="0 all; 1 edges above threshold; 2 above fast threshold; 3 fast core + neighbours."),
    objects: bool = typer.Option(False, "--objects", help="Add the object ids of each edge."),
    compat: bool = typer.Option(False, "--compat", help="Reproduce CooRTweet 2.1.3's numbers and quirks exactly."),
    collation: str = typer.Option("icu", "--collation",
                                  help="With --compat: R's string order for CooRTweet's edge orientation: icu (R in "
                                       "a UTF-8 locale such as en_US.UTF-8, the usual case) or c (LC_COLLATE=C, "
                                       "code points)."),
    stats_threshold: str = typer.Option("none", "--stats-threshold", help="Edges the summaries use: none, full or fast."),
    edge_significance: Optional[float] = typer.Option(
        None, "--edge-significance", min=0.0, max=1.0,
        help="Also test each edge against a null model of independent timing (--significance-method); "
             "flag edges with Benjamini-Hochberg q <= this (column 'significant')."),
    n_null: int = typer.Option(999, "--n-null", min=1, help="Null-model replicates for --edge-significance."),
    significance_method: str = typer.Option(
        "shuffle", "--significance-method",
        help="Null model of --edge-significance: shuffle (n_null detection re-runs, p >= 1/(1+n_null)) or "
             "parametric (exact binomial tails under independent timing, no re-runs) or parametric-conditional "
             "(the same given one co-share: fewer false positives on big data); docs/significance.md."),
    seed: int = typer.Option(42, "--seed", help="Random seed of the null model."),
    engine: str = typer.Option("python", "--engine",
                               help="python (in process, CSV outputs, every option); outofcore, spark or auto "
                                    "(big inputs: Parquet outputs, see docs/scale.md); cypher (in the graph "
                                    "store, with --store)."),
    method: str = typer.Option("coortweet", "--method",
                               help="coortweet (CooRTweet, every option above), qut (QUT toolkit networks) or cosine "
                                    "(Pacheco et al.): docs/methods.md."),
    param: Optional[list[str]] = typer.Option(None, "--param", help="KEY=VALUE for --method qut/cosine (repeatable)."),
    max_object_shares: Optional[int] = typer.Option(
        None, "--max-object-shares", min=1,
        help="Drop hub objects shared more than N times (with a warning naming them) before pairing."),
    to_store: bool = typer.Option(False, "--store", help="Also put the run into the graph store (the web app and "
                                                         "`coordgraph communities` open it)."),
    store_uri: Optional[str] = typer.Option(None, "--store-uri", envvar="COORDGRAPH_STORE",
                                            help="The graph store for --store (default: the embedded FalkorDB)."),
) -> None:
    """Detect coordinated co-shares (CooRTweet's method) and write the network and summaries."""
    auto = time_window.strip().lower() == "auto"
    if auto and engine != "python":
        fail("--time-window auto needs --engine python")
    if not auto:
        if not time_window.strip().isdigit():
            fail(f"--time-window: seconds (an integer >= 0) or 'auto', got {time_window!r}")
        time_window = int(time_window)
    method_params = method_params_option(method, param or [])
    interval = None
    if auto:  # CooRnet's estimate_coord_interval (coordgraph.analysis.coord_interval)
        from coordgraph.analysis.coord_interval import estimate_coord_interval
        from coordgraph.analysis.shares import ShareError, read_shares

        try:
            interval = estimate_coord_interval(read_shares(shares), q=auto_q, p=auto_p)
        except (ShareError, ValueError) as exc:
            fail_about(shares, exc)
        time_window = interval.window
    from coordgraph.analysis.hubs import PairMemoryError
    from coordgraph.analysis.shares import ShareError
    from coordgraph.run import Run, execute

    python_only = {"--subgraph": subgraph != 0, "--objects": objects, "--edge-significance": edge_significance is not None,
                   "--stats-threshold": stats_threshold != "none"}
    asked = [flag for flag, used in python_only.items() if used]
    if engine != "python" and asked:
        fail(f"{', '.join(asked)} need(s) --engine python; the {engine} engine computes the network and its "
             "fast columns only (docs/scale.md)")
    if method != "coortweet" and engine not in ("python", "auto"):
        fail(f"--method {method} runs in process: use --engine python (the default)")
    if engine == "cypher" and not to_store:
        fail("--engine cypher computes in the graph store: add --store (and --store-uri URI or $COORDGRAPH_STORE)")
    extras = dict(subgraph=subgraph, objects=objects, stats_threshold=stats_threshold,
                  edge_significance=edge_significance, n_null=n_null, seed=seed,
                  collation=collation, significance_method=significance_method) \
        if engine == "python" and method == "coortweet" else {}
    more = {"time_window_auto": {"q": auto_q, "p": auto_p, **interval.as_dict()}} if interval is not None else {}
    started = time.perf_counter()
    st = None
    try:
        if to_store or engine == "cypher":
            from coordgraph.cypher import open_store

            st = open_store(store_uri)
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task(f"reading {shares}")
            if engine == "python":
                extras["on_step"] = lambda name: progress.update(task, description=name.replace("_", " "))
            run = Run(str(shares), engine=engine, time_window=time_window, min_participation=min_participation,
                      remove_loops=not keep_loops, edge_weight=edge_weight, fast_window=fast_window, compat=compat,
                      max_object_shares=max_object_shares, store=st, extras=extras, method=method,
                      method_params=method_params)
            res = execute(run, work=None if engine == "python" else out)
            progress.update(task, description="writing")
            with res:
                _write(res, out, shares, started, more)
                if st is not None:
                    from coordgraph.run import write_store

                    progress.update(task, description="writing into the graph store")
                    run_id = write_store(res, st, source=str(shares))
                    _write(res, out, shares, started, more)  # the summary names the run id
    except (ShareError, PairMemoryError, FileNotFoundError, ValueError, MemoryError) as exc:
        fail_about(shares, exc)
    except Exception as exc:  # store errors: one line, exit 2
        from coordgraph.cypher.errors import StoreError

        if isinstance(exc, StoreError):
            fail(str(exc))
        raise
    finally:
        if st is not None:
            st.close()
    s = res.summary
    where = f"{out}/" + (f" and run {run_id} in {st.uri}" if st is not None else "")
    if method != "coortweet":
        console.print(f"{method}: [bold]{s['edges']:,}[/] edges ({s['edges_above_threshold']:,} flagged), "
                      f"[bold]{s['vertices']:,}[/] accounts -> {where}", highlight=False)
        return
    console.print(
        f"[bold]{s['result_rows']:,}[/] coordinated co-shares, [bold]{s['edges']:,}[/] account pairs "
        f"({s['edges_above_threshold']:,} above the {edge_weight:g} percentile, weight > "
        f"{s['threshold'] if s['threshold'] is not None else 'n/a'}), "
        f"[bold]{s['vertices']:,}[/] accounts -> {where}  (engine {res.engine}, {s['seconds']:.2f} s)",
        highlight=False,
    )


def _write(res, out: Path, shares: Path, started: float, more: dict) -> None:
    """The run's files: CSV (CooRTweet's names, account/object statistics) from the python
    engine, Parquet from the others; summary.json with the contract's keys plus detect's."""
    from coordgraph.run import write_files

    s = res.summary
    counts = {"result_rows": s["result_rows"], "edges": s["edges"], "edges_above_threshold": s["edges_above_threshold"],
              "vertices": s["vertices"]}
    if res.result is not None:
        counts["objects"] = int(res.result["object_id"].nunique())
    if "edges_above_fast_threshold" in s:
        counts["edges_above_fast_threshold"] = s["edges_above_fast_threshold"]
    if "significant" in res.edges:
        counts["edges_significant"] = int(res.edges["significant"].sum())
    params = {**s["params"], **s.get("options", {})}
    extra = {"coordgraph": __version__, "input": str(shares), "input_rows": s["shares"], "counts": counts,
             "params": params, "thresholds": {"weight": s["threshold"], "weight_fast": s["threshold_fast"]},
             "hub_objects": [h for h in s.get("trend_hubs", []) if h.get("dropped")],
             "timings_s": {**s.get("timings", {}), "total": round(time.perf_counter() - started, 4)}, **more}
    if s.get("method", "coortweet") != "coortweet":  # the method's columns only (no empty CooRTweet ones)
        edges = res.edges
        write_files(res, out, fmt="csv", summary_extra=extra,
                    frames={"edges": edges[[c for c in edges.columns if edges[c].notna().any() or c in
                                            ("account_id", "account_id_y", "weight", "weight_threshold")]]})
    elif res.engine == "python":
        write_files(res, out, fmt="csv", summary_extra=extra,
                    frames={"edges": coortweet_edges(res.edges, res.fast)})
    else:
        write_files(res, out, summary_extra=extra, extra_tables=False)


@app.command("load-run")
def load_run(
    directory: Path = typer.Argument(..., help="A run directory written by `coordgraph detect` or `coordgraph scale run` "
                                               "(summary.json with result/edges/vertices as Parquet or CSV)."),
    shares: Optional[Path] = typer.Option(None, "--shares", help="The run's share table, for first/last share times "
                                                                "of each edge (optional)."),
    store: Optional[str] = typer.Option(None, "--store", envvar="COORDGRAPH_STORE",
                                        help="Store URI (default: the embedded FalkorDB)."),
) -> None:
    """Put a run written to files into the graph store (the web app and `communities` open it)."""
    from coordgraph.cli._app import store_session
    from coordgraph.run import read_run_dir, write_store

    try:
        res = read_run_dir(directory)
    except (ValueError, OSError) as exc:
        fail(str(exc))
    if shares is not None:
        from coordgraph.run.shares import as_share_parquet

        import tempfile

        scratch = Path(tempfile.mkdtemp(prefix="coordgraph-load-"))
        res.shares_path, _, _ = as_share_parquet(str(shares), scratch)
        res.scratch = scratch
    with store_session(store) as st, res:
        run_id = write_store(res, st, source=str(directory))
    console.print(f"run {run_id}: {res.summary['edges']:,} edges, {res.summary['vertices']:,} accounts from {directory} "
                  f"-> {st.uri}", highlight=False)


def method_params_option(method: str, pairs: list[str]) -> dict:
    """--method and --param checked and typed (coordgraph.analysis.methods.run.parse_params);
    exit 2 naming the problem. CooRTweet takes no --param."""
    from coordgraph.run.request import METHODS

    if method not in METHODS:
        fail(f"--method: one of {', '.join(METHODS)}, got {method!r}")
    if method == "coortweet":
        if pairs:
            fail("--param is for --method qut or cosine (CooRTweet's options are named flags)")
        return {}
    from coordgraph.analysis.methods.run import parse_params

    try:
        return parse_params(method, pairs)
    except ValueError as exc:
        fail(str(exc))
