"""Opening input files: gzip transparently, lines with numbers, absurd lines cut off.

Readers get raw ``bytes`` lines (no decoding here: orjson parses UTF-8 bytes directly and
reports invalid UTF-8 itself), each with its 1-based line number.
"""
from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from coordgraph.loader.errors import RecordError

GZIP_MAGIC = b"\x1f\x8b"
#: Lines longer than this (bytes) are rejected without being held in memory. A twarc2 page
#: of 500 tweets with every expansion is about 2-4 MB, so 8 MiB leaves room for real data.
MAX_LINE_BYTES = 8 * 1024 * 1024
_CHUNK = 1 << 20


def is_gzip(path: str | os.PathLike) -> bool:
    """True when the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_binary(path: str | os.PathLike) -> io.BufferedIOBase:
    """Open ``path`` for reading bytes, decompressing gzip transparently."""
    if is_gzip(path):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb", buffering=_CHUNK)


def read_all(path: str | os.PathLike, max_bytes: int = 512 * 1024 * 1024) -> bytes:
    """Read a whole (possibly gzipped) file; raise RecordError on truncation or excess size."""
    name = str(path)
    try:
        with open_binary(path) as fh:
            data = fh.read(max_bytes + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise RecordError(f"truncated or corrupt gzip: {exc}", file=name) from None
    if len(data) > max_bytes:
        raise RecordError(f"file larger than {max_bytes} bytes: use a JSON-lines format", file=name)
    return data


class LineSource:
    """The non-blank lines of one (possibly gzipped) file as ``(line_number, raw_bytes)``.

    Instead of a line, a :class:`RecordError` is yielded for a line longer than
    ``max_line_bytes`` (its bytes are skipped, never held in memory) and for a truncated
    or corrupt gzip stream (after which the file ends). Line numbers are 1-based.
    :meth:`position` tells how many bytes of the file on disk were consumed (progress).
    """

    def __init__(self, path: str | os.PathLike, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        self.path = Path(path)
        self.max_line_bytes = max_line_bytes
        self._raw = None

    def position(self) -> int:
        """Bytes of the on-disk (compressed) file read so far."""
        try:
            return self._raw.tell() if self._raw is not None else 0
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[tuple[int, bytes | RecordError]]:
        name = str(self.path)
        limit = self.max_line_bytes
        number = 0
        raw = open(self.path, "rb", buffering=_CHUNK)
        self._raw = raw
        fh = gzip.GzipFile(fileobj=raw, mode="rb") if raw.peek(2)[:2] == GZIP_MAGIC else raw
        errors = (EOFError, zlib.error, gzip.BadGzipFile, OSError)
        try:
            readline = fh.readline
            while True:
                try:
                    line = readline(limit + 1)
                except errors as exc:
                    yield number + 1, RecordError(
                        f"truncated or corrupt gzip: {exc}", line=number + 1, file=name
                    )
                    return
                if not line:
                    return
                number += 1
                if len(line) > limit and not line.endswith(b"\n"):
                    size = len(line)
                    try:
                        while True:
                            rest = readline(_CHUNK)
                            size += len(rest)
                            if not rest or rest.endswith(b"\n"):
                                break
                    except errors:
                        pass
                    yield number, RecordError(
                        f"line too long: {size} bytes (limit {limit})",
                        line=number,
                        file=name,
                        record=line[:200],
                    )
                    continue
                if line.isspace():
                    continue
                yield number, line
        finally:
            if fh is not raw:
                fh.close()
            raw.close()


#: Files of a collection folder that hold no posts: academictwitteR's ``query``.
DIRECTORY_METADATA = frozenset({"query"})


def expand_inputs(paths: str | os.PathLike | list) -> list[Path]:
    """Turn one path or a list of paths/directories into a sorted list of files.

    A directory contributes its files (hidden files, earlier rejects files
    ``*.rejects.jsonl`` and academictwitteR's ``query`` file -- the query, start and end of
    a collection, kept for ``resume_collection`` -- left out), sorted by name, so the load
    order, and hence de-duplication, is the same on every run.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            out.extend(
                sorted(
                    c
                    for c in p.rglob("*")
                    if c.is_file() and not c.name.startswith(".") and not c.name.endswith(".rejects.jsonl")
                    and c.name not in DIRECTORY_METADATA
                )
            )
        else:
            out.append(p)
    return out
