"""``coordgraph shares``: platform files in, a share table out (one or several intents).

``coordgraph shares INPUT... --intent retweets [--intent hashtags ...] --out shares.parquet
[--map object_id=url,...] [--format F] [--strict] [--compat] [--lowercase-hashtags]``
writes the shares (Parquet or CSV by extension) and, when records were rejected,
``<out>.rejects.jsonl`` beside it. Data errors never give a traceback: with ``--strict`` the
first one stops the run (exit 2) with one line naming file, line and field.
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn
from rich.table import Table

from coordgraph.cli._app import app, console, fail
from coordgraph.contracts import INTENTS
from coordgraph.loader.formats import FORMATS

# The reader (cli.reading, the loader: pandas, ~0.4 s to import) is imported inside the
# functions, so that ``coordgraph --help`` and the other commands start without it.


#: the output names ``shares`` writes and every reader of share tables (``detect``,
#: ``ingest --shares-table``) recognises
OUT_EXTENSIONS = (".parquet", ".csv", ".csv.gz")


def rejects_path_for(out: Path) -> Path:
    """The rejects file beside an output: ``shares.parquet`` -> ``shares.rejects.jsonl``."""
    name = out.name
    for ext in (".csv.gz", ".parquet", ".csv"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return out.with_name(f"{name}.rejects.jsonl")


def write_shares(shares: pd.DataFrame, out: Path) -> None:
    """Write a shares table as Parquet (.parquet) or CSV (.csv/.csv.gz)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    name = out.name.lower()
    if name.endswith(".parquet"):
        shares.to_parquet(out, index=False)
    else:
        shares.to_csv(out, index=False)


def check_output(out: Path) -> str | None:
    """Why ``out`` cannot be written (checked before any input is read), or None.

    The file is opened for appending and, if this created it, removed again: the only test
    that holds for root, read-only mounts and pseudo file systems such as /proc alike.
    """
    if not out.name.lower().endswith(OUT_EXTENSIONS):
        return f"{out}: the output must end in {', '.join(OUT_EXTENSIONS)}"
    if out.is_dir():
        return f"{out}: is a directory (give a file name ending in .parquet or .csv)"
    existed = out.exists()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "ab"):
            pass
    except OSError as exc:
        return f"{out}: cannot write the output: {exc.strerror or exc}"
    if not existed:
        out.unlink(missing_ok=True)
    return None


def summary_table(summary: dict, counts: dict[str, int], title: str = "coordgraph shares") -> Table:
    """A rich table of what was read, kept and rejected, and the shares per intent."""
    from coordgraph.cli.reading import summary_rows

    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    for label, value in summary_rows(summary, counts):
        table.add_row(label, value)
    return table


def print_report(report, counts: dict[str, int], title: str = "coordgraph shares: what was read") -> None:
    """The loader report (per file) and the shares per intent, then every warning (the same
    report from ``shares`` and ``ingest``)."""
    console.print(report.rich_table(title))
    for intent, n in counts.items():
        console.print(f"shares: {intent} [bold]{n:,}[/]", highlight=False)
    for note in report.all_notes():
        console.print(f"[dim]note: {note}[/]", highlight=False, soft_wrap=True)
    for warning in report.all_warnings():
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)


@app.command()
def shares(
    inputs: list[Path] = typer.Argument(..., help="Input files or directories (gzip is read transparently)."),
    intent: list[str] = typer.Option([], "--intent", "-i", help=f"Intent(s): {', '.join(INTENTS)}. Several give one "
                                     "multi-modal table with kind:-prefixed object ids."),
    out: Path = typer.Option(..., "--out", "-o", help="Output: .parquet, .csv or .csv.gz."),
    column_map: Optional[str] = typer.Option(None, "--map", help="Column mapping for CSV/Parquet/JSON lines, "
                                             "e.g. object_id=url,account_id=author,timestamp_share=time."),
    fmt: str = typer.Option("auto", "--format", help=f"Input format: {', '.join(FORMATS)}."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad record (exit 2)."),
    compat: bool = typer.Option(False, "--compat", help="CooRTweet 2.1.3's URL, domain and text rules exactly."),
    lowercase_hashtags: bool = typer.Option(False, "--lowercase-hashtags", help="Fold hashtags to lower case."),
    keep_retweets: bool = typer.Option(False, "--keep-retweets", help="cotweet/mentions: keep retweets."),
    keep_replies: bool = typer.Option(False, "--keep-replies", help="cotweet/mentions: keep replies."),
    drop_hashtags: bool = typer.Option(False, "--drop-hashtags", help="cotweet: remove hashtags from the text."),
    platform: Optional[str] = typer.Option(None, "--platform", help="Platform name for tables (default: unknown)."),
    batch_size: int = typer.Option(50_000, "--batch-size", min=1, help="Posts per batch while reading."),
    report_path: Optional[Path] = typer.Option(None, "--report", help="Also write the loader report (per file: "
                                               "records read, kept, duplicates, rejected by reason, lost to "
                                               "truncation, warnings) as JSON to this file."),
) -> None:
    """Read posts from platform files and write the shares of one or several intents."""
    import orjson

    from coordgraph.cli.reading import ReadOptions, read_shares_input, resolve_intents
    from coordgraph.loader import LoaderError, parse_map
    from coordgraph.loader.sources import expand_inputs

    try:
        mapping = parse_map(column_map)
        intents = resolve_intents(intent, mapping)
    except LoaderError as exc:
        fail(str(exc))
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        fail(f"{missing[0]}: no such file or directory")
    problem = check_output(out)
    if problem:
        fail(problem)
    rejects = rejects_path_for(out)
    if rejects.exists():
        rejects.unlink()
    own = {out.resolve(), rejects.resolve()}
    files = [p for p in expand_inputs(inputs) if p.resolve() not in own]  # never re-read our output
    if not files:
        fail("no input files")
    total = sum(p.stat().st_size for p in files)
    started = time.perf_counter()
    options = ReadOptions(intents=intents, format=fmt, column_map=mapping, strict=strict, compat=compat,
                          lowercase_hashtags=lowercase_hashtags, keep_retweets=keep_retweets,
                          keep_replies=keep_replies, drop_hashtags=drop_hashtags, platform=platform,
                          batch_size=batch_size)
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("reading", total=total or None)
        try:
            read = read_shares_input(files, options, rejects=rejects,
                                     progress=lambda done: progress.update(task, completed=done))
        except LoaderError as exc:
            fail(str(exc))
    table = read.table
    try:
        write_shares(table, out)
    except OSError as exc:
        fail(f"{out}: cannot write the output: {exc.strerror or exc}")
    summary = read.stats.summary()
    counts = read.counts()
    print_report(read.stats.report, counts)
    if report_path is not None:
        payload = {**read.stats.report.to_dict(), "shares": {k: int(v) for k, v in counts.items()}}
        try:
            report_path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
        except OSError as exc:
            fail(f"{report_path}: cannot write the report: {exc.strerror or exc}")
    console.print(f"wrote {len(table):,} shares to {out} in {time.perf_counter() - started:.1f} s", highlight=False)
    report_rejects(summary, read.stats)


def report_rejects(summary: dict, stats=None) -> None:
    """Print the rejects notice; exit 1 when every record of a file was rejected (nothing
    usable in it). ``shares`` and ``ingest`` call this after their summary."""
    from coordgraph.cli.reading import rejects_message, wholly_rejected

    message = rejects_message(summary)
    if message:
        console.print(f"[yellow]{message}[/]", highlight=False, soft_wrap=True)
    bad = wholly_rejected(summary, stats)
    if bad:
        fail(f"every record was rejected in {', '.join(bad)} ({summary['rejected']:,} rejected of "
             f"{summary['lines_read']:,} read): check --format / --map, or see the rejects file", code=1)
