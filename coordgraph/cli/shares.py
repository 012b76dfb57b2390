"""``coordgraph shares``: platform files in, a share table out (one or several intents).

``coordgraph shares INPUT... --intent retweets [--intent hashtags ...] --out shares.parquet
[--map object_id=url,...] [--format F] [--strict] [--compat] [--lowercase-hashtags]
[--report report.json]`` writes the shares (.parquet, .csv or .csv.gz; the output is checked
before any input is read) and, when records were rejected, ``<out>.rejects.jsonl`` beside
it; it prints the loader report (per file: read, kept, duplicates, rejected, lost to
truncation; notes and warnings). Data errors never give a traceback: with ``--strict`` the
first one stops the run (exit 2) with one line naming file, line (or element) and field.
"""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Optional

import orjson
import pandas as pd
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn

from coordgraph.cli._app import app, console, fail
from coordgraph.loader import INTENTS, LoaderError, LoadStats, iter_post_batches, parse_map, reshape, stack_intents
from coordgraph.loader.read import FORMATS
from coordgraph.loader.schema import empty_posts
from coordgraph.loader.sources import expand_inputs
from coordgraph.loader.stream import GLOBAL_INTENTS, shares_from_batches, text_evidence


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


def make_shares(batches, intents: list[str], options: dict, report=None) -> pd.DataFrame:
    """Shares of ``intents`` from post batches: streamed batch by batch (memory of the shares,
    not of the posts), except for the similarity intents, which need every post at once.
    ``report`` (a LoadReport) receives the objects skipped on purpose and the text evidence
    of intents that found nothing."""
    skipped = report.skipped if report is not None else None
    evidence: Counter = Counter()
    if GLOBAL_INTENTS.isdisjoint(intents):
        table = shares_from_batches(batches, intents, skipped=skipped, evidence=evidence, **options)
    else:
        frames = [posts for posts, _accounts in batches]
        posts = pd.concat(frames, ignore_index=True) if frames else empty_posts()
        if len(intents) == 1:
            table = reshape(posts, intents[0], skipped=skipped, **options)
        else:
            table = stack_intents(posts, intents, skipped=skipped, **options)
        found = Counter(table["kind"]) if len(table) else Counter()
        text_evidence(posts, intents, evidence, found)
    if report is not None:
        found = table["kind"].value_counts().to_dict() if len(table) else {}
        report.check_intents({i: int(found.get(i, 0)) for i in intents}, evidence)
    return table


def print_report(report, counts: dict[str, int]) -> None:
    """The loader report (per file) and the shares per intent, then every warning."""
    console.print(report.rich_table("coordgraph shares: what was read"))
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
    try:
        mapping = parse_map(column_map)
    except LoaderError as exc:
        fail(str(exc))
    intents = list(dict.fromkeys(intent)) or (["objects"] if "object_id" in mapping else [])
    if not intents:
        fail("give at least one --intent (" + ", ".join(INTENTS) + ")")
    unknown = [i for i in intents if i not in INTENTS]
    if unknown:
        fail(f"unknown intent '{unknown[0]}' (known: {', '.join(INTENTS)})")
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
    options = dict(compat=compat, lowercase_hashtags=lowercase_hashtags, drop_retweets=not keep_retweets,
                   drop_replies=not keep_replies, drop_hashtags=drop_hashtags)
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task("reading", total=total or None)
        stats = LoadStats()
        try:
            batches = iter_post_batches(files, format=fmt, column_map=mapping or None, strict=strict,
                                        rejects_path=rejects, batch_size=batch_size, platform=platform,
                                        stats=stats, progress=lambda done: progress.update(task, completed=done))
            table = make_shares(batches, intents, options, stats.report)
        except LoaderError as exc:
            fail(str(exc))
    try:
        write_shares(table, out)
    except OSError as exc:
        fail(f"{out}: cannot write the output: {exc.strerror or exc}")
    summary = stats.summary()
    counts = table["kind"].value_counts().reindex(intents, fill_value=0).to_dict() if len(table) else dict.fromkeys(intents, 0)
    print_report(stats.report, counts)
    if report_path is not None:
        payload = {**stats.report.to_dict(), "shares": {k: int(v) for k, v in counts.items()}}
        try:
            report_path.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
        except OSError as exc:
            fail(f"{report_path}: cannot write the report: {exc.strerror or exc}")
    console.print(f"wrote {len(table):,} shares to {out} in {time.perf_counter() - started:.1f} s", highlight=False)
    if summary["rejected"]:
        where = summary["rejects_path"] or "no rejects file"
        console.print(f"[yellow]{summary['rejected']:,} records rejected[/] (reasons in {where}); "
                      f"first: {summary['first_problems'][0]}", highlight=False, soft_wrap=True)
