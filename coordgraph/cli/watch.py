"""``coordgraph watch SOURCE``: keep a live run current as a collector writes posts.

SOURCE is a folder a collector writes into (twarc2 ``stream``/``search`` output,
academictwitteR pages, CSV ...) or ``-`` for JSON lines on stdin (``twarc2 stream |
coordgraph watch - ...``). Each batch is read like ``coordgraph shares`` (``-i``, ``--map``,
``--format``), detected like ``analyze`` (``--time-window``, ``--min-participation``,
``--edge-weight``, ``--fast-window``) and applied incrementally (coordgraph.analysis.incremental);
OUT receives result/edges/vertices/communities Parquet and summary.json after every batch,
alerts.jsonl (and ``--webhook-file``) when a rule of ``--alerts`` fires, late.jsonl for posts
beyond ``--late-bound``. With ``--store`` the live run is also kept in the graph store (run id
``live-<OUT's name>`` or ``--run-id``; coordgraph.run.store_live) for the web app. Heavy modules are imported inside the command (``coordgraph --help``
stays fast).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer

from coordgraph.cli._app import app, console, fail


@app.command()
def watch(
    source: str = typer.Argument(..., help="A folder a collector writes into, or - for JSON lines on stdin."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory of the live run (files, state/, alerts.jsonl)."),
    intent: list[str] = typer.Option([], "--intent", "-i", help="Intent(s), as for 'coordgraph shares'."),
    column_map: Optional[str] = typer.Option(None, "--map", help="Column mapping for CSV/Parquet/JSON lines."),
    fmt: str = typer.Option("auto", "--format", help="Input format, as for 'coordgraph shares'."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad record (exit 2)."),
    lowercase_hashtags: bool = typer.Option(False, "--lowercase-hashtags", help="Fold hashtags to lower case."),
    platform: Optional[str] = typer.Option(None, "--platform", help="Platform name for tables."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", min=1, help="Posts per batch."),
    every: Optional[str] = typer.Option(None, "--every", help="Batch period: 30s, 15m, 1h (folder: poll period)."),
    clock: str = typer.Option("wall", "--clock", help="wall: --every is wall-clock time; event: cut batches at "
                                                      "multiples of --every of the posts' own times (replays)."),
    once: bool = typer.Option(False, "--once", help="Folder: apply the files not seen yet, then exit."),
    time_window: int = typer.Option(10, "--time-window", min=0, help="Co-share window in seconds (inclusive)."),
    min_participation: int = typer.Option(2, "--min-participation", min=0, help="As for detect/analyze."),
    keep_loops: bool = typer.Option(False, "--keep-loops", help="Keep self-pairs."),
    edge_weight: float = typer.Option(0.5, "--edge-weight", min=0.0, max=1.0, help="Percentile threshold of weights."),
    fast_window: Optional[int] = typer.Option(None, "--fast-window", min=0, help="Also the fast network (seconds)."),
    late_bound: int = typer.Option(3600, "--late-bound", min=0,
                                   help="Seconds a post may be older than the newest seen and still count "
                                        "exactly; older ones go to OUT/late.jsonl."),
    communities: str = typer.Option("leiden", "--communities", help="leiden, louvain or none."),
    alerts: Optional[Path] = typer.Option(None, "--alerts", help="Alert rules (TOML or JSON, docs/watch.md)."),
    webhook_file: Optional[Path] = typer.Option(None, "--webhook-file", help="Also append alerts (JSON lines) here."),
    state: Optional[Path] = typer.Option(None, "--state", help="State directory (default OUT/state)."),
    to_store: bool = typer.Option(False, "--store", help="Also keep the live run in the graph store after every "
                                                         "batch (the web app opens it and follows it)."),
    store_uri: Optional[str] = typer.Option(None, "--store-uri", envvar="COORDGRAPH_STORE",
                                            help="The graph store for --store (default: the embedded FalkorDB)."),
    run_id: Optional[str] = typer.Option(None, "--run-id", help="The store's run id (default live-<OUT's name>)."),
    engine: str = typer.Option("python", "--engine", help="python (in process) or spark (Structured Streaming "
                                                          "on a folder of share files, docs/watch.md)."),
    master: Optional[str] = typer.Option(None, "--master", help="Spark master URL (--engine spark; default "
                                                                "$SPARK_MASTER or local[*])."),
    max_files: Optional[int] = typer.Option(None, "--max-files", min=1,
                                            help="--engine spark: at most N files per micro-batch."),
) -> None:
    """Update a live coordination run batch by batch as posts arrive, and raise alerts."""
    from coordgraph.analysis.incremental import LiveParams
    from coordgraph.live.alerts import RuleError, load_rules
    from coordgraph.live.runner import LiveRun, WatchOptions
    from coordgraph.live.sources import parse_duration
    from coordgraph.loader import INTENTS, LoaderError, parse_map

    try:
        mapping = parse_map(column_map)
        params = LiveParams(time_window, min_participation, not keep_loops, edge_weight, fast_window, late_bound)
        period = parse_duration(every) if every is not None else None
        rules = load_rules(alerts) if alerts is not None else []
    except (LoaderError, ValueError) as exc:
        fail(str(exc))
    if engine not in ("python", "spark"):
        fail(f"--engine must be python or spark, got {engine!r}")
    if engine == "spark":
        if to_store or run_id is not None:
            fail("--store/--run-id: not available with --engine spark yet (the live run is kept in OUT/ files; "
                 "put it in the store with 'coordgraph load-run OUT')")
        _watch_spark(source, out, params, intent, column_map, clock, batch_size, fmt, communities, rules,
                     webhook_file, state, master, max_files, once, period)
        return
    if (state or out / "state").joinpath("spark").exists():
        fail(f"{out}: this live run is kept by --engine spark (its state is in {(state or out / 'state') / 'spark'})")
    intents = list(dict.fromkeys(intent)) or (["objects"] if "object_id" in mapping else [])
    if not intents:
        fail("give at least one --intent (" + ", ".join(INTENTS) + ")")
    unknown = [i for i in intents if i not in INTENTS]
    if unknown:
        fail(f"unknown intent '{unknown[0]}' (known: {', '.join(INTENTS)})")
    if clock not in ("wall", "event"):
        fail(f"--clock must be wall or event, got {clock!r}")
    if clock == "event" and period is None:
        fail("--clock event needs --every (the period of the posts' times that makes a batch)")
    if communities not in ("leiden", "louvain", "none"):
        fail(f"--communities must be leiden, louvain or none, got {communities!r}")
    folder = None if source == "-" else Path(source)
    if folder is not None and not folder.is_dir():
        fail(f"{source}: not a folder (give a folder a collector writes into, or - for stdin)")
    st = None
    if to_store:
        from coordgraph.cypher import open_store
        from coordgraph.cypher.errors import StoreError
        from coordgraph.run.store_live import live_run_id

        try:
            st = open_store(store_uri)
            st.ensure_schema()
        except StoreError as exc:
            fail(str(exc))
        run_id = live_run_id(run_id or out.resolve().name)
    elif run_id is not None:
        fail("--run-id names the run in the graph store: add --store")
    options = WatchOptions(out=out, params=params, intents=intents, column_map=mapping or None, fmt=fmt,
                           strict=strict, platform=platform,
                           reshape_options=dict(lowercase_hashtags=lowercase_hashtags),
                           algorithm=None if communities == "none" else communities, rules=rules,
                           webhook_file=webhook_file, state=state, store=st, run_id=run_id,
                           source=source if source != "-" else "stdin")
    try:
        run = LiveRun(options)
        if folder is None:
            _watch_stdin(run, batch_size, period, clock)
        else:
            _watch_folder(run, folder, batch_size, period, clock, once)
    except (LoaderError, RuleError, ValueError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        console.print("stopped", highlight=False)
    except Exception as exc:  # store errors at start: one line, exit 2
        from coordgraph.cypher.errors import StoreError

        if isinstance(exc, StoreError):
            fail(str(exc))
        raise
    finally:
        if st is not None:
            st.close()


def _watch_spark(source, out, params, intent, column_map, clock, batch_size, fmt, communities, rules, webhook_file,
                 state, master, max_files, once, period) -> None:
    """``--engine spark``: Structured Streaming's file source on a folder of share files
    (coordgraph.live.spark_stream); pyspark is imported here only."""
    from coordgraph.live.runner import WatchOptions

    if communities not in ("leiden", "louvain", "none"):
        fail(f"--communities must be leiden, louvain or none, got {communities!r}")
    unsupported = [name for name, used in (("-i/--intent", intent), ("--map", column_map), ("--clock event", clock ==
                   "event"), ("--batch-size", batch_size)) if used]
    if unsupported:
        fail(f"{', '.join(unsupported)}: not available with --engine spark, which reads share files (the contract's "
             "object_id, account_id, content_id, timestamp_share); turn posts into shares first with "
             "'coordgraph shares' (--max-files sets the files per micro-batch)")
    folder = Path(source)
    if source == "-" or not folder.is_dir():
        fail(f"{source}: --engine spark reads a folder of share files (Parquet or CSV)")
    if out.resolve().is_relative_to(folder.resolve()):
        fail(f"{out}: put the live run outside the folder Spark reads ({folder})")
    if (state or out / "state").joinpath("CURRENT").exists():
        fail(f"{out}: this live run is kept by --engine python (state in {state or out / 'state'})")
    from coordgraph.engines.spark import get_spark
    from coordgraph.live.spark_stream import SparkLiveRun, detect_format

    options = WatchOptions(out=out, params=params, algorithm=None if communities == "none" else communities,
                           rules=rules, webhook_file=webhook_file, state=state)
    try:
        fmt = detect_format(folder, fmt)
        run = SparkLiveRun(options, get_spark(master, app_name="coordgraph-watch"), fmt=fmt, max_files=max_files)
        run.on_summary = _report
        run.run(folder, once=once, every=period)
    except ValueError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        console.print("stopped", highlight=False)
    if once and run.last_summary is None:
        console.print(f"{folder}: nothing new", highlight=False, soft_wrap=True)


def _report(summary: dict) -> None:
    last = summary.get("last_batch") or {}
    console.print(
        f"batch {summary['batch']} {last.get('label') or ''}: +{last.get('applied', 0):,} shares "
        f"({last.get('duplicates', 0):,} duplicates, {last.get('too_late', 0):,} too late), "
        f"+{last.get('newly_kept', 0):,} co-shares -> {summary['result_rows']:,} co-shares, {summary['edges']:,} edges "
        f"(threshold {summary['threshold']}), {summary.get('communities') or 0} communities "
        f"[{last.get('apply_seconds', 0):.2f} s]" + (f"; store: {summary['store']}" if summary.get("store") else ""),
        highlight=False, soft_wrap=True)


def _apply_posts(run, post_batches: list, files=None, label=None) -> None:
    shares = run.shares_of(post_batches)
    _report(run.apply(shares, files=files, label=label))


def _watch_stdin(run, batch_size, period, clock) -> None:
    import tempfile

    from coordgraph.live.sources import event_batches, posts_of_lines, stdin_line_batches

    scratch = Path(tempfile.mkdtemp(prefix="coordgraph-watch-"))
    try:
        if clock == "event":
            lines = stdin_line_batches(sys.stdin.buffer, batch_size or 10_000, None)
            for label, posts in event_batches((posts_of_lines(run, chunk, scratch) for chunk in lines), period):
                _apply_posts(run, posts, label=label)
            return
        if batch_size is None and period is None:
            batch_size = 10_000
        for chunk in stdin_line_batches(sys.stdin.buffer, batch_size, period):
            _apply_posts(run, posts_of_lines(run, chunk, scratch))
    finally:
        import shutil

        shutil.rmtree(scratch, ignore_errors=True)


def _watch_folder(run, folder: Path, batch_size, period, clock, once: bool) -> None:
    from coordgraph.live.sources import event_batches

    while True:
        found = run.new_files(folder)
        if found:
            files = [p for p, _ in found]
            idents = [i for _, i in found]
            batches = run.read_files(files, batch_size or 10**12)
            if clock == "event":
                items = list(event_batches(([b] for b in batches), period))
                for k, (label, posts) in enumerate(items):
                    _apply_posts(run, posts, files=idents if k == len(items) - 1 else None, label=label)
            else:
                items = list(batches)
                for k, posts in enumerate(items or [[]]):
                    _apply_posts(run, [posts] if len(items) else [], files=idents if k == max(len(items) - 1, 0)
                                 else None, label=f"{len(files)} file(s)")
        elif once:
            console.print(f"{folder}: nothing new", highlight=False, soft_wrap=True)
        if once:
            return
        time.sleep(period or 60)
