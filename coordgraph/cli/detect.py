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
from typing import Optional

import orjson
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from coordgraph import __version__
from coordgraph.analysis.pipeline import Detection, DetectionParams, run_detection
from coordgraph.analysis.shares import ShareError, read_shares
from coordgraph.cli._app import app, console, fail

EDGE_COLUMNS = ["account_id", "account_id_y", "weight", "avg_time_delta", "n_content_id",
                "n_content_id_y", "edge_symmetry_score", "weight_threshold", "object_ids",
                "observed_weight", "null_mean", "p_value", "q_value", "significant"]


def edge_columns(detection: Detection) -> list[str]:
    """The edges.csv columns in contract order (suffixed _full/_fast with a fast window)."""
    present = detection.network.edges.columns
    columns = ["account_id", "account_id_y"]
    for name in EDGE_COLUMNS[2:]:
        for candidate in (name, f"{name}_full", f"{name}_fast"):
            if candidate in present:
                columns.append(candidate)
    return columns


def write_outputs(detection: Detection, out: Path, summary: dict) -> None:
    """Write the run's tables and summary.json into ``out`` (created if needed)."""
    out.mkdir(parents=True, exist_ok=True)
    detection.result.to_csv(out / "result.csv", index=False)
    detection.network.edges[edge_columns(detection)].to_csv(out / "edges.csv", index=False)
    detection.network.vertices.to_csv(out / "vertices.csv", index=False)
    detection.account_stats.to_csv(out / "account_stats.csv", index=False)
    detection.object_stats.to_csv(out / "object_stats.csv", index=False)
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))


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
    stats_threshold: str = typer.Option("none", "--stats-threshold", help="Edges the summaries use: none, full or fast."),
    edge_significance: Optional[float] = typer.Option(
        None, "--edge-significance", min=0.0, max=1.0,
        help="Also test each edge against a null model that shuffles every account's own post times; "
             "flag edges with Benjamini-Hochberg q <= this (column 'significant')."),
    n_null: int = typer.Option(999, "--n-null", min=1, help="Null-model replicates for --edge-significance."),
    seed: int = typer.Option(42, "--seed", help="Random seed of the null model."),
    engine: str = typer.Option("python", "--engine",
                               help="python (in process, CSV outputs, every option); outofcore, spark or auto "
                                    "(big inputs: Parquet outputs, see docs/scale.md)."),
    method: str = typer.Option("coortweet", "--method",
                               help="coortweet (CooRTweet, every option above), qut (QUT toolkit networks) or cosine "
                                    "(Pacheco et al.): docs/methods.md."),
    param: Optional[list[str]] = typer.Option(None, "--param", help="KEY=VALUE for --method qut/cosine (repeatable)."),
    max_object_shares: Optional[int] = typer.Option(
        None, "--max-object-shares", min=1,
        help="Drop hub objects shared more than N times (with a warning naming them) before pairing."),
) -> None:
    """Detect coordinated co-shares (CooRTweet's method) and write the network and summaries."""
    auto = time_window.strip().lower() == "auto"
    if auto and engine != "python":
        fail("--time-window auto needs --engine python")
    if not auto:
        if not time_window.strip().isdigit():
            fail(f"--time-window: seconds (an integer >= 0) or 'auto', got {time_window!r}")
        time_window = int(time_window)
    if method != "coortweet":
        _run_method(method, shares, out, time_window, auto, auto_q, auto_p, param or [])
        return
    if engine != "python":
        _run_big_engine(engine, shares, out, time_window=time_window, min_participation=min_participation,
                        remove_loops=not keep_loops, edge_weight=edge_weight, compat=compat,
                        max_object_shares=max_object_shares,
                        unsupported={"--fast-window": fast_window is not None, "--subgraph": subgraph != 0,
                                     "--objects": objects, "--edge-significance": edge_significance is not None})
        return
    try:
        # with 'auto' the window is known once the shares are read: a placeholder until then
        params = DetectionParams(fast_window or 0 if auto else time_window, min_participation, not keep_loops, edge_weight, fast_window,
                                 subgraph, objects, compat, stats_threshold, edge_significance, n_null, seed)
    except ValueError as exc:
        fail(str(exc))
    started = time.perf_counter()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task(f"reading {shares}")
        try:
            t0 = time.perf_counter()
            table = read_shares(shares)
            read_seconds = time.perf_counter() - t0
            if auto:  # CooRnet's estimate_coord_interval (coordgraph.analysis.coord_interval)
                from coordgraph.analysis.coord_interval import estimate_coord_interval

                interval = estimate_coord_interval(table, q=auto_q, p=auto_p)
                time_window = interval.window
                params = dataclasses.replace(params, time_window=time_window)  # re-checks the fast window
            table, hubs = _guard_hubs(table, time_window, max_object_shares)
            detection = run_detection(table, params,
                                      on_step=lambda name: progress.update(task, description=name.replace("_", " ")))
        except ShareError as exc:
            fail(str(exc))
        except (ValueError, MemoryError) as exc:  # PairMemoryError names the hubs and the options
            fail(f"{shares}: {exc}")
        progress.update(task, description="writing")
        summary = {
            "coordgraph": __version__,
            "input": str(shares),
            "params": params.as_dict(),
            **({"time_window_auto": {"q": auto_q, "p": auto_p, **interval.as_dict()}} if auto else {}),
            "input_rows": int(len(table)),
            "dropped_blank_objects": int(table.attrs.get("dropped_blank_objects", 0)),
            "dropped_hub_objects": hubs.to_dict("records"),
            "counts": detection.counts(),
            "thresholds": {"weight": detection.network.threshold, "weight_fast": detection.network.threshold_fast},
            "timings_s": {"read": round(read_seconds, 4), **detection.timings},
        }
        write_outputs(detection, out, summary)
        summary["timings_s"]["total"] = round(time.perf_counter() - started, 4)
        (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    counts = summary["counts"]
    console.print(
        f"[bold]{counts['result_rows']:,}[/] coordinated co-shares, [bold]{counts['edges']:,}[/] account pairs "
        f"({counts['edges_above_threshold']:,} above the {edge_weight:g} percentile, weight > "
        f"{detection.network.threshold if detection.network.threshold is not None else 'n/a'}), "
        f"[bold]{counts['vertices']:,}[/] accounts -> {out}/  ({summary['timings_s']['total']:.2f} s)",
        highlight=False,
    )


def _guard_hubs(table, time_window: int, max_object_shares: Optional[int]):
    """Apply the hub cap, then refuse (PairMemoryError) a run whose pairs would not fit in memory.

    Returns (shares to use, dropped hub objects as object_id/n_shares)."""
    from coordgraph.analysis.hubs import cap_object_shares, check_pair_memory, estimate_pairs

    table, dropped = cap_object_shares(table, max_object_shares)
    check_pair_memory(estimate_pairs(table, time_window))
    return table, dropped


def _run_big_engine(engine: str, shares: Path, out: Path, *, unsupported: dict[str, bool], **params) -> None:
    """Run an engine of coordgraph.engines (Parquet outputs) and print its summary line."""
    from coordgraph.analysis.hubs import PairMemoryError
    from coordgraph.engines import run_engine

    asked = [flag for flag, used in unsupported.items() if used]
    if asked:
        fail(f"{', '.join(asked)} need(s) --engine python; the {engine} engine computes the full-window "
             "network only (docs/scale.md)")
    try:
        summary = run_engine(engine, shares, out, **params)
    except (PairMemoryError, ValueError, FileNotFoundError, ShareError) as exc:
        fail(f"{shares}: {exc}")
    console.print(
        f"[bold]{summary.get('result_rows', 0):,}[/] coordinated co-shares, [bold]{summary.get('edges', 0):,}[/] "
        f"account pairs ({summary.get('edges_above_threshold', 0):,} above weight {summary.get('threshold')}), "
        f"[bold]{summary.get('vertices', 0):,}[/] accounts -> {out}/ (engine {summary.get('engine', engine)}, Parquet)",
        highlight=False)


def _run_method(method, shares: Path, out: Path, time_window, auto: bool, q: float, p: float, pairs: list[str]) -> None:
    """--method qut/cosine: coordgraph.analysis.methods.run on the shares, written by write_method_run."""
    from coordgraph.analysis.coord_interval import estimate_coord_interval
    from coordgraph.analysis.methods.outputs import write_method_run
    from coordgraph.analysis.methods.run import METHODS, parse_params, run_method

    if method not in METHODS:
        fail(f"--method: one of {', '.join(METHODS)}, got {method!r}")
    try:
        params = parse_params(method, pairs)
        started = time.perf_counter()
        table = read_shares(shares)
        interval = estimate_coord_interval(table, q=q, p=p) if auto else None
        window = interval.window if auto else time_window
        edges = run_method(table, method, window, params)
    except (ShareError, ValueError) as exc:
        fail(f"{shares}: {exc}")
    summary = write_method_run(edges, out, {
        "coordgraph": __version__, "input": str(shares), "method": method, "input_rows": int(len(table)),
        "params": {"time_window": window, **params}, "threshold": edges.attrs.get("threshold"),
        **({"time_window_auto": {"q": q, "p": p, **interval.as_dict()}} if auto else {}),
        "timings_s": {"total": round(time.perf_counter() - started, 4)}})
    counts = summary["counts"]
    console.print(f"{method}: [bold]{counts['edges']:,}[/] edges ({counts['edges_above_threshold']:,} flagged), "
                  f"[bold]{counts['vertices']:,}[/] accounts -> {out}/", highlight=False)
