"""Data errors: one clear message naming file, line and field; a rejects log beside the output.

A reader raises :class:`RecordError` for one bad record; the driver records it in the
:class:`RejectLog` and goes on (or, in strict mode, raises :class:`LoaderError`, whose
message is the one line a user sees).
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import orjson


class LoaderError(ValueError):
    """A data or input problem the user must fix; ``str()`` is one line naming file/line/field."""


@dataclass
class RecordError(Exception):
    """One record could not be read. ``line`` is 1-based (0 = the whole file); ``element``
    is the 0-based index of the record in a JSON array document (None otherwise)."""

    reason: str
    field: str = "-"
    line: int = 0
    file: str = ""
    record: bytes | str | None = None
    element: int | None = None

    def __str__(self) -> str:
        return format_problem(self.file, self.line, self.field, self.reason, self.element)


def format_problem(file: str, line: int, field: str, reason: str, element: int | None = None) -> str:
    """The one-line message for a bad record: ``file:line: field 'x': reason`` (with
    ``element N`` after the line for a record of a JSON array)."""
    where = f"{file}:{line}" if line else f"{file}"
    if element is not None:
        where += f": element {element}"
    what = f"field '{field}': " if field and field != "-" else ""
    return f"{where}: {what}{reason}"


def _safe(text: str | None) -> str | None:
    """``text`` with undecodable bytes (surrogate escapes from a file name or a binary
    header) shown as U+FFFD, so the rejects file is always valid UTF-8 JSON."""
    if text is None or text.isascii():
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    return data.decode("utf-8", "replace")


def _snippet(record: bytes | str | None, limit: int = 500) -> str | None:
    """The first ``limit`` characters of a raw record, decoded leniently, for the rejects file."""
    if record is None:
        return None
    if isinstance(record, bytes):
        record = record[:limit].decode("utf-8", errors="replace")
    return _safe(record[:limit])


class RejectLog:
    """Counts rejected records by reason and writes them (JSON lines) to ``path`` if given.

    Each line: ``{"file", "line", "field", "reason", "record"}`` where record is the first
    500 characters of the raw input. The file is created on the first reject only.
    """

    def __init__(self, path: str | os.PathLike | None = None, strict: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.strict = strict
        self.by_reason: Counter[str] = Counter()
        self.first: list[str] = []  # the first few messages, for summaries
        self._fh = None

    @property
    def count(self) -> int:
        """Number of rejected records so far."""
        return sum(self.by_reason.values())

    def add(self, err: RecordError) -> None:
        """Record one rejected record; raise :class:`LoaderError` at once in strict mode."""
        message = str(err)
        if self.strict:
            raise LoaderError(message)
        self.by_reason[_reason_key(err.reason)] += 1
        if len(self.first) < 20:
            self.first.append(message)
        if self.path is not None:
            if self._fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.path, "wb")
            row = {
                "file": _safe(err.file),
                "line": err.line,
                "field": _safe(err.field),
                "reason": _safe(err.reason),
                "element": err.element,
                "record": _snippet(err.record),
            }
            self._fh.write(orjson.dumps(row) + b"\n")

    def close(self) -> None:
        """Flush and close the rejects file (if one was opened)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @property
    def written(self) -> bool:
        """True when a rejects file exists for this run."""
        return self.path is not None and self.path.exists() and self.count > 0


def _reason_key(reason: str) -> str:
    """The reason without record-specific detail (text after the first ':'), for counting."""
    return reason.split(":", 1)[0].strip()
