"""``coordgraph scale``: big runs with a chosen engine, and the hub-object report.

    coordgraph scale run SHARES --out DIR [--engine auto|python|outofcore|spark] [--master URL]
                         [--max-object-shares N] [--time-window S] [--min-participation N]
                         [--edge-weight P] [--fast-window S] [--compat] [--no-result]
    coordgraph scale hubs SHARES [--time-window S] [--min-pairs N] [--top K]

``run`` writes result, edges and vertices as Parquet plus summary.json into DIR.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from coordgraph.cli._app import app, console, fail, fail_about

scale_app = typer.Typer(help="Big runs (out-of-core, Spark) and hub objects.", no_args_is_help=True)
app.add_typer(scale_app, name="scale")


@scale_app.command("run")
def run(
    shares: Path = typer.Argument(..., help="Share table (Parquet; CSV is converted) with object_id, account_id, "
                                            "content_id, timestamp_share (UNIX seconds, UTC)."),
    out: Path = typer.Option(..., "--out", help="Directory for result, edges, vertices Parquet and summary.json."),
    engine: str = typer.Option("auto", "--engine", help="auto, python, outofcore or spark."),
    master: Optional[str] = typer.Option(None, "--master", help="Spark master URL (default $SPARK_MASTER or local[*])."),
    max_object_shares: Optional[int] = typer.Option(None, "--max-object-shares", min=1,
                                                    help="Drop objects shared more than N times (trend hubs), with a warning."),
    time_window: int = typer.Option(10, "--time-window", min=0, help="Co-share window in seconds (inclusive)."),
    min_participation: int = typer.Option(2, "--min-participation", min=0, help="Minimum shares per account."),
    edge_weight: float = typer.Option(0.5, "--edge-weight", min=0.0, max=1.0, help="Percentile for weight_threshold."),
    compat: bool = typer.Option(False, "--compat", help="CooRTweet 2.1.3's content counts."),
    fast_window: Optional[int] = typer.Option(None, "--fast-window", min=0,
                                              help="Also flag co-shares within this narrower window (seconds): "
                                                   "the fast columns of the edges."),
    keep_loops: bool = typer.Option(False, "--keep-loops", help="Keep self-pairs."),
    no_result: bool = typer.Option(False, "--no-result", help="Do not write the detect_groups rows (edges only)."),
) -> None:
    """Detect and build the network with one engine; report trend hubs and timings."""
    from coordgraph.analysis.hubs import PairMemoryError
    from coordgraph.run import Run, execute, write_files

    if engine not in ("auto", "python", "outofcore", "spark"):
        fail(f"--engine must be one of auto, python, outofcore, spark, got {engine!r}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            run = Run(str(shares), engine=engine, time_window=time_window, min_participation=min_participation,
                      remove_loops=not keep_loops, edge_weight=edge_weight, compat=compat, fast_window=fast_window,
                      max_object_shares=max_object_shares, keep_result=not no_result, master=master)
            with execute(run, work=out) as res:
                write_files(res, out, extra_tables=False)
                summary = res.summary
        except PairMemoryError as exc:
            fail(str(exc))
        except (FileNotFoundError, ValueError) as exc:
            fail_about(shares, exc)
    for w in caught:
        if "max-object-shares" in str(w.message):
            console.print(f"[yellow]warning:[/] {w.message}", highlight=False, soft_wrap=True)
    hubs = summary.get("trend_hubs") or []
    console.print(
        f"{summary['engine']}: {summary['result_rows']:,} co-shares, {summary['edges']:,} edges "
        f"(threshold {summary['threshold']}), {len(hubs)} trend hub(s); written to {out}", highlight=False)


@scale_app.command("hubs")
def hubs(
    shares: Path = typer.Argument(..., help="Share table (CSV, CSV.gz or Parquet)."),
    time_window: int = typer.Option(10, "--time-window", min=0, help="Co-share window in seconds."),
    min_pairs: int = typer.Option(1_000_000, "--min-pairs", min=0, help="An object is a hub above this many window pairs."),
    top: int = typer.Option(20, "--top", min=1, help="Rows to show."),
) -> None:
    """Count window pairs per object before any pairing and list the trend hubs."""
    from coordgraph.analysis.hubs import BYTES_PER_PAIR, estimate_pairs, trend_hubs
    from coordgraph.analysis.shares import ShareError, read_shares

    try:
        frame = read_shares(shares)
    except (ShareError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    est = estimate_pairs(frame, time_window)
    found = trend_hubs(est, min_pairs)
    table = Table(title=f"{len(found)} trend hub(s) over {min_pairs:,} pairs")
    for col in ("object_id", "n_shares", "n_pairs", "share_of_pairs"):
        table.add_column(col)
    for row in found.head(top).itertuples(index=False):
        table.add_row(str(row.object_id), f"{row.n_shares:,}", f"{row.n_pairs:,}", f"{row.share_of_pairs:.1%}")
    from rich.console import Console

    Console().print(table)
    console.print(f"{len(frame):,} shares would form {est.total_pairs:,} window pairs "
                  f"(~{est.total_pairs * BYTES_PER_PAIR / 2**30:.2f} GiB in the python engine)", highlight=False)
