"""``coordgraph shares``: platform files in, a share table out (one or several intents).

``coordgraph shares INPUT... --intent retweets [--intent hashtags ...] --out shares.parquet
[--map object_id=url,...] [--format F] [--strict] [--compat] [--lowercase-hashtags]``
writes the shares (Parquet or CSV by extension) and, when records were rejected,
``<out>.rejects.jsonl`` beside it. Data errors never give a traceback: with ``--strict`` the
first one stops the run (exit 2) with one line naming file, line and field.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn, TransferSpeedColumn
from rich.table import Table

from coordgraph.cli._app import app, console, fail
from coordgraph.contracts import GLOBAL_INTENTS, INTENTS
from coordgraph.loader.formats import FORMATS

# The loader (pandas, ~0.4 s to import) is imported inside the command, so that
# ``coordgraph --help`` and the other commands start without it.


def rejects_path_for(out: Path) -> Path:
    """The rejects file beside an output: ``shares.parquet`` -> ``shares.rejects.jsonl``."""
    name = out.name
    for ext in (".csv.gz", ".parquet", ".csv", ".pq"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return out.with_name(f"{name}.rejects.jsonl")


def write_shares(shares: pd.DataFrame, out: Path) -> None:
    """Write a shares table as Parquet (.parquet/.pq) or CSV (.csv/.csv.gz)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    name = out.name.lower()
    if name.endswith((".parquet", ".pq")):
        shares.to_parquet(out, index=False)
    else:
        shares.to_csv(out, index=False)


def summary_table(summary: dict, counts: dict[str, int]) -> Table:
    """A rich table of what was read, kept and rejected, and the shares per intent."""
    table = Table(title="coordgraph shares", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    formats = ", ".join(f"{k} x{v}" for k, v in summary["formats"].items())
    table.add_row("files", f"{summary['files']} ({formats})")
    table.add_row("records read", f"{summary['lines_read']:,}")
    table.add_row("posts kept", f"{summary['kept']:,}")
    table.add_row("duplicates dropped", f"{summary['duplicates']:,}")
    table.add_row("accounts", f"{summary['accounts']:,}")
    table.add_row("rejected", f"{summary['rejected']:,}")
    for reason, n in sorted(summary["rejected_by_reason"].items(), key=lambda kv: -kv[1]):
        table.add_row(f"  {reason}", f"{n:,}")
    if summary.get("rejects_path"):
        table.add_row("rejects file", summary["rejects_path"])
    for intent, n in counts.items():
        table.add_row(f"shares: {intent}", f"{n:,}")
    return table


def make_shares(batches, intents: list[str], options: dict) -> pd.DataFrame:
    """Shares of ``intents`` from post batches: streamed batch by batch (memory of the shares,
    not of the posts), except for the similarity intents, which need every post at once."""
    import pandas as pd

    from coordgraph.loader import reshape, shares_from_batches, stack_intents
    from coordgraph.loader.schema import empty_posts

    if GLOBAL_INTENTS.isdisjoint(intents):
        return shares_from_batches(batches, intents, **options)
    frames = [posts for posts, _accounts in batches]
    posts = pd.concat(frames, ignore_index=True) if frames else empty_posts()
    if len(intents) == 1:
        return reshape(posts, intents[0], **options)
    return stack_intents(posts, intents, **options)


@app.command()
def shares(
    inputs: list[Path] = typer.Argument(..., help="Input files or directories (gzip is read transparently)."),
    intent: list[str] = typer.Option([], "--intent", "-i", help=f"Intent(s): {', '.join(INTENTS)}. Several give one "
                                     "multi-modal table with kind:-prefixed object ids."),
    out: Path = typer.Option(..., "--out", "-o", help="Output: .parquet or .csv (.csv.gz)."),
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
) -> None:
    """Read posts from platform files and write the shares of one or several intents."""
    from coordgraph.loader import LoaderError, LoadStats, iter_post_batches, parse_map
    from coordgraph.loader.sources import expand_inputs

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
    if not out.name.lower().endswith((".parquet", ".pq", ".csv", ".csv.gz")):
        fail(f"{out}: the output must end in .parquet or .csv")
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        fail(f"{missing[0]}: no such file or directory")
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
            table = make_shares(batches, intents, options)
        except LoaderError as exc:
            fail(str(exc))
    write_shares(table, out)
    summary = stats.summary()
    counts = table["kind"].value_counts().reindex(intents, fill_value=0).to_dict() if len(table) else dict.fromkeys(intents, 0)
    console.print(summary_table(summary, counts))
    console.print(f"wrote {len(table):,} shares to {out} in {time.perf_counter() - started:.1f} s", highlight=False)
    if summary["rejected"]:
        where = summary["rejects_path"] or "no rejects file"
        console.print(f"[yellow]{summary['rejected']:,} records rejected[/] (reasons in {where}); "
                      f"first: {summary['first_problems'][0]}", highlight=False, soft_wrap=True)
