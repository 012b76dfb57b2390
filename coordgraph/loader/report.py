"""What a load did, per file: the one report ``shares``, ``ingest`` and the web app show.

For every input file: records read, kept, duplicates, rejected (by reason), records lost
to truncation (counted: the records read before the cut are kept and reported, the cut
one is counted lost), and warnings. For the whole load: objects skipped on purpose by
reason (e.g. Twitter's withheld notice links), files skipped, and a warning for each
intent that found nothing where the data has a column or text it could use.

The invariant a report keeps (tested on the bad-input corpus)::

    records == kept + duplicates + rejected      (per file and in total)

:meth:`LoadReport.to_dict` is plain JSON (the web app and ``summary.json`` use it);
:meth:`LoadReport.rich_table` renders it for the CLI.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

#: where an intent's objects come from in the data, when the platform gave no entities:
#: (description, test on a post's text) -- used only to warn, never to invent shares
_HINTS = {
    "hashtags": ("'#' in the text", "#"),
    "mentions": ("'@' in the text", "@"),
    "urls": ("links in the text", "http"),
    "urls_domains": ("links in the text", "http"),
    "retweets": ("texts starting 'RT @'", "RT @"),
}


@dataclass
class FileReport:
    """One input file's counts (``records`` = kept + duplicates + rejected)."""

    file: str
    format: str = "?"
    records: int = 0
    kept: int = 0
    duplicates: int = 0
    rejected: Counter = field(default_factory=Counter)
    lost_to_truncation: int = 0
    truncated: str | None = None  # the truncation message, when the file was cut
    skipped: str | None = None  # why the whole file was skipped (not read at all)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how it was read (e.g. entities from the text)

    @property
    def rejected_total(self) -> int:
        """Records rejected in this file."""
        return sum(self.rejected.values())

    def to_dict(self) -> dict:
        """Plain JSON."""
        return {
            "file": self.file,
            "format": self.format,
            "records": self.records,
            "kept": self.kept,
            "duplicates": self.duplicates,
            "rejected": self.rejected_total,
            "rejected_by_reason": dict(self.rejected),
            "lost_to_truncation": self.lost_to_truncation,
            "truncated": self.truncated,
            "skipped": self.skipped,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


@dataclass
class LoadReport:
    """Per-file reports plus load-wide skips and warnings."""

    files: dict[str, FileReport] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)  # objects left out on purpose, by reason
    warnings: list[str] = field(default_factory=list)

    def file(self, name: str, fmt: str | None = None) -> FileReport:
        """The report of ``name`` (created on first use)."""
        rep = self.files.get(name)
        if rep is None:
            rep = self.files[name] = FileReport(name)
        if fmt is not None:
            rep.format = fmt
        return rep

    def warn(self, message: str) -> None:
        """Add a load-wide warning (once)."""
        if message not in self.warnings:
            self.warnings.append(message)

    # -- totals
    def total(self, name: str) -> int:
        """Sum of a per-file count: records, kept, duplicates, lost_to_truncation."""
        return sum(getattr(f, name) for f in self.files.values())

    @property
    def rejected(self) -> int:
        """Records rejected in all files."""
        return sum(f.rejected_total for f in self.files.values())

    def rejected_by_reason(self) -> Counter:
        """Rejected records of all files by reason."""
        out: Counter = Counter()
        for f in self.files.values():
            out.update(f.rejected)
        return out

    def all_warnings(self) -> list[str]:
        """Load-wide warnings, then each file's (prefixed with its name)."""
        out = list(self.warnings)
        for f in self.files.values():
            out.extend(f"{f.file}: {w}" for w in f.warnings)
            if f.truncated:
                out.append(f"{f.file}: truncated after {f.records:,} records "
                           f"({f.lost_to_truncation} lost at the cut): {f.truncated}")
            if f.skipped:
                out.append(f"{f.file}: skipped: {f.skipped}")
        return out

    def all_notes(self) -> list[str]:
        """Each file's notes (how it was read), prefixed with its name."""
        return [f"{f.file}: {n}" for f in self.files.values() for n in f.notes]

    def check_intents(self, shares_per_intent: dict[str, int], evidence: dict[str, int]) -> None:
        """Warn for each intent with 0 shares while ``evidence[intent]`` posts had a hint
        (see ``_HINTS``) that the data holds such objects in a form not read as entities."""
        for intent, n in shares_per_intent.items():
            hint = _HINTS.get(intent)
            seen = evidence.get(intent, 0)
            if n == 0 and hint and seen:
                self.warn(f"intent '{intent}' found nothing, but {seen:,} posts have {hint[0]}: "
                          f"map a column with --map or check the input format")

    def to_dict(self) -> dict:
        """Plain JSON: totals, per-file reports, skips and warnings."""
        return {
            "records": self.total("records"),
            "kept": self.total("kept"),
            "duplicates": self.total("duplicates"),
            "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejected_by_reason()),
            "lost_to_truncation": self.total("lost_to_truncation"),
            "skipped": dict(self.skipped),
            "warnings": self.all_warnings(),
            "notes": self.all_notes(),
            "files": [f.to_dict() for f in self.files.values()],
        }

    def rich_table(self, title: str = "loader report"):
        """A rich Table: one row per file and a total row, then skips and warnings below."""
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for col, just in (("file", "left"), ("format", "left"), ("read", "right"), ("kept", "right"),
                          ("duplicates", "right"), ("rejected", "right"), ("lost (truncation)", "right")):
            table.add_column(col, justify=just)
        for f in self.files.values():
            table.add_row(f.file, f.format, f"{f.records:,}", f"{f.kept:,}", f"{f.duplicates:,}",
                          f"{f.rejected_total:,}", f"{f.lost_to_truncation:,}")
        if len(self.files) > 1:
            table.add_row("[bold]total", "", f"{self.total('records'):,}", f"{self.total('kept'):,}",
                          f"{self.total('duplicates'):,}", f"{self.rejected:,}",
                          f"{self.total('lost_to_truncation'):,}")
        for reason, n in sorted(self.rejected_by_reason().items(), key=lambda kv: -kv[1]):
            table.add_row(f"  rejected: {reason}", "", "", "", "", f"{n:,}", "")
        for reason, n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
            table.add_row(f"  skipped: {reason} ({n:,})", "", "", "", "", "", "", style="dim")
        return table
