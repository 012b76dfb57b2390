"""The one reading path of ``coordgraph shares`` and ``coordgraph ingest``: platform files in,
a share table, load statistics and rejects out.

Why one path: the two commands must give the same shares, the same rejected records (and
rejects file), the same counts and accept the same options (``--format``, ``--map``,
``--strict``, intents and their options). ``ingest`` used to reshape each 10,000-post batch
on its own, so a retweet whose original was in another batch lost the original's share
(issue 14: 28,929 SHARED stored where ``shares`` wrote 30,844). Here the share table is
always built over the whole input (:func:`coordgraph.loader.stream.shares_from_batches`,
which streams the posts and resolves retweet originals at the end), and ``ingest`` writes
that table; ``on_batch`` lets it store posts and accounts while they stream by.

No typer/rich here: errors are :class:`~coordgraph.loader.LoaderError` (one line naming
file, line and field), the callers turn them into exit codes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

#: Posts per batch while reading (``--batch-size`` of both commands).
READ_BATCH_SIZE = 50_000


@dataclass
class ReadOptions:
    """Everything that decides which shares a set of files gives (identical for both commands)."""

    intents: list[str]
    format: str = "auto"
    column_map: dict[str, str] = field(default_factory=dict)
    strict: bool = False
    compat: bool = False
    lowercase_hashtags: bool = False
    keep_retweets: bool = False
    keep_replies: bool = False
    drop_hashtags: bool = False
    platform: str | None = None
    batch_size: int = READ_BATCH_SIZE

    def reshape_options(self) -> dict:
        """The keyword options of reshape / shares_from_batches."""
        return dict(compat=self.compat, lowercase_hashtags=self.lowercase_hashtags,
                    drop_retweets=not self.keep_retweets, drop_replies=not self.keep_replies,
                    drop_hashtags=self.drop_hashtags)

    def identity(self) -> str:
        """A stable text of the options that change the shares (for a load's resume key)."""
        parts = [",".join(self.intents), self.format, ",".join(f"{k}={v}" for k, v in sorted(self.column_map.items())),
                 str(self.compat), str(self.lowercase_hashtags), str(self.keep_retweets),
                 str(self.keep_replies), str(self.drop_hashtags), str(self.platform)]
        return "|".join(parts)


def resolve_intents(intent: list[str], column_map: dict[str, str]) -> list[str]:
    """The intents asked for (order kept, duplicates dropped); ``objects`` when none is
    given but ``--map`` names an object_id column. LoaderError for an unknown one or none."""
    from coordgraph.contracts import INTENTS
    from coordgraph.loader import LoaderError

    intents = list(dict.fromkeys(intent)) or (["objects"] if "object_id" in column_map else [])
    if not intents:
        raise LoaderError("give at least one --intent (" + ", ".join(INTENTS) + ")")
    unknown = [i for i in intents if i not in INTENTS]
    if unknown:
        raise LoaderError(f"unknown intent '{unknown[0]}' (known: {', '.join(INTENTS)})")
    return intents


def make_shares(batches: Iterable, intents: list[str], options: dict, report=None) -> pd.DataFrame:
    """Shares of ``intents`` from post batches: streamed batch by batch (memory of the shares,
    not of the posts), except for the similarity intents, which need every post at once.
    Retweet originals are resolved over the whole input in both cases.

    ``report``: the loader's per-file LoadReport when the loader has one (it then receives
    the objects skipped on purpose and the text evidence of intents that found nothing)."""
    from collections import Counter

    from coordgraph.contracts import GLOBAL_INTENTS
    from coordgraph.loader import reshape, shares_from_batches, stack_intents
    from coordgraph.loader.schema import empty_posts

    extra: dict = {}
    evidence: Counter = Counter()
    if report is not None:
        extra = {"skipped": report.skipped}
    if GLOBAL_INTENTS.isdisjoint(intents):
        table = shares_from_batches(batches, intents, **({**extra, "evidence": evidence} if extra else {}),
                                    **options)
    else:
        frames = [posts for posts, _accounts in batches]
        posts = pd.concat(frames, ignore_index=True) if frames else empty_posts()
        if len(intents) == 1:
            table = reshape(posts, intents[0], **extra, **options)
        else:
            table = stack_intents(posts, intents, **extra, **options)
        if report is not None:
            from coordgraph.loader.stream import text_evidence

            text_evidence(posts, intents, evidence, Counter(table["kind"]) if len(table) else Counter())
    if "kind" not in table.columns:
        table = table.assign(kind=intents[0])
    if report is not None:
        found = table["kind"].value_counts().to_dict() if len(table) else {}
        report.check_intents({i: int(found.get(i, 0)) for i in intents}, evidence)
    return table


@dataclass
class ReadResult:
    """A share table and what reading the files found (``stats``: LoadStats)."""

    table: pd.DataFrame
    stats: object
    intents: list[str]

    def drop_table(self) -> None:
        """Let the share table go once it is written (``ingest``: 3.4M shares at 10M posts),
        keeping its counts for the report."""
        self._counts = self.counts()
        self.table = self.table.iloc[:0]

    def counts(self) -> dict[str, int]:
        """Shares per intent, in the order asked (0 for an intent without shares)."""
        if getattr(self, "_counts", None) is not None:
            return self._counts
        if not len(self.table):
            return dict.fromkeys(self.intents, 0)
        return self.table["kind"].value_counts().reindex(self.intents, fill_value=0).astype(int).to_dict()


def read_shares_input(files: list[Path], options: ReadOptions, *, rejects: Path | None,
                      on_batch: Callable[[pd.DataFrame, pd.DataFrame], None] | None = None,
                      progress: Callable[[int], None] | None = None) -> ReadResult:
    """Read ``files`` and build their share table (both commands call this).

    ``rejects``: the rejects file (JSON lines, created on the first bad record);
    ``on_batch(posts, accounts)``: called for every batch of posts as it is read (ingest
    stores them); ``progress(bytes_done)``. Raises LoaderError (strict mode: the first bad
    record; no input files; ...).
    """
    from coordgraph.loader import LoadStats, iter_post_batches

    stats = LoadStats()
    batches = iter_post_batches(files, format=options.format, column_map=options.column_map or None,
                                strict=options.strict, rejects_path=rejects, batch_size=options.batch_size,
                                platform=options.platform, stats=stats, progress=progress)
    try:
        table = make_shares(_tee(batches, on_batch), options.intents, options.reshape_options(),
                            getattr(stats, "report", None))
    finally:
        stats.rejects.close()
    if "kind" not in table.columns:
        table = table.assign(kind=options.intents[0])
    table["timestamp_share"] = table["timestamp_share"].astype("int64")
    return ReadResult(table, stats, options.intents)


def _tee(batches, on_batch) -> Iterator:
    for posts, accounts in batches:
        if on_batch is not None:
            on_batch(posts, accounts)
        yield posts, accounts


def wholly_rejected(summary: dict, stats=None) -> list[str]:
    """The inputs of which every record read was rejected (nothing kept): such a file is
    unusable, so the command must exit non-zero even without --strict. Per file when the
    loader keeps a per-file report (``stats.report``), else the whole input as one."""
    report = getattr(stats, "report", None)
    if report is not None and getattr(report, "files", None):
        return [f.file for f in report.files.values()
                if f.records and not f.kept and not f.duplicates and f.rejected_total == f.records]
    if summary["kept"] == 0 and summary["rejected"] > 0:
        return ["the input"]
    return []


def summary_rows(summary: dict, counts: dict[str, int]) -> list[tuple[str, str]]:
    """(label, value) rows of what was read, kept and rejected, and the shares per intent
    (the same rows in ``shares`` and ``ingest``)."""
    formats = ", ".join(f"{k} x{v}" for k, v in summary["formats"].items())
    rows = [("files", f"{summary['files']} ({formats})"),
            ("records read", f"{summary['lines_read']:,}"),
            ("posts kept", f"{summary['kept']:,}"),
            ("duplicates dropped", f"{summary['duplicates']:,}"),
            ("accounts", f"{summary['accounts']:,}"),
            ("rejected", f"{summary['rejected']:,}")]
    for reason, n in sorted(summary["rejected_by_reason"].items(), key=lambda kv: -kv[1]):
        rows.append((f"  {reason}", f"{n:,}"))
    if summary.get("rejects_path"):
        rows.append(("rejects file", summary["rejects_path"]))
    for intent, n in counts.items():
        rows.append((f"shares: {intent}", f"{n:,}"))
    return rows


def rejects_message(summary: dict) -> str | None:
    """The one-line notice about rejected records (None when nothing was rejected)."""
    if not summary["rejected"]:
        return None
    where = summary["rejects_path"] or "no rejects file"
    first = summary["first_problems"][0] if summary["first_problems"] else ""
    return f"{summary['rejected']:,} records rejected (reasons in {where}); first: {first}"
