"""Opening input files: gzip transparently, lines with numbers, absurd lines cut off.

Readers get raw ``bytes`` lines (no decoding here: orjson parses UTF-8 bytes directly and
reports invalid UTF-8 itself), each with its 1-based line number.
"""
from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from coordgraph.loader.errors import RecordError

BOM = b"\xef\xbb\xbf"  # UTF-8 byte order mark

GZIP_MAGIC = b"\x1f\x8b"
#: Lines longer than this (bytes) are rejected without being held in memory. A twarc2 page
#: of 500 tweets with every expansion is about 2-4 MB, so 8 MiB leaves room for real data.
MAX_LINE_BYTES = 8 * 1024 * 1024
_CHUNK = 1 << 20


def is_gzip(path: str | os.PathLike) -> bool:
    """True when the file starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


class GzipRaw(io.RawIOBase):
    """A gzip stream (one or several members) that ends quietly where its data end.

    ``gzip.GzipFile`` raises on a truncated file and loses what it had decompressed but
    not yet returned; this one returns every byte the compressed data hold and then sets
    :attr:`truncated` to the reason (``None`` when the stream ended properly), so a reader
    keeps every complete record and counts the one that was cut.
    """

    def __init__(self, raw: io.BufferedReader) -> None:
        self._raw = raw
        self._z = zlib.decompressobj(wbits=31)
        self._pending = b""
        self._at = 0  # bytes of _pending already returned (no copy of the rest per read)
        self.truncated: str | None = None
        self._done = False

    def readable(self) -> bool:
        return True

    def tell_raw(self) -> int:
        """Bytes of the compressed file consumed."""
        return self._raw.tell()

    def readinto(self, buffer) -> int:
        while self._at >= len(self._pending) and not self._done:
            self._at = 0
            chunk = self._raw.read(_CHUNK)
            try:
                if not chunk:
                    if not self._z.eof:
                        self.truncated = "compressed file ended before the end-of-stream marker was reached"
                    self._pending = self._z.flush() if not self._z.eof else b""
                    self._done = True
                    break
                out = self._z.decompress(chunk)
                while self._z.eof and self._z.unused_data:  # next member of a multi-member file
                    rest = self._z.unused_data
                    self._z = zlib.decompressobj(wbits=31)
                    out += self._z.decompress(rest)
                self._pending = out
            except zlib.error as exc:
                self.truncated = f"corrupt gzip data: {exc}"
                self._pending = b""
                self._done = True
        at = self._at
        n = min(len(buffer), len(self._pending) - at)
        if n <= 0:
            return 0
        buffer[:n] = memoryview(self._pending)[at:at + n]
        self._at = at + n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_binary(path: str | os.PathLike) -> io.BufferedIOBase:
    """Open ``path`` for reading bytes, decompressing gzip transparently (a truncated gzip
    ends early: see :func:`truncation`)."""
    raw = open(path, "rb", buffering=_CHUNK)
    if raw.peek(2)[:2] == GZIP_MAGIC:
        return io.BufferedReader(GzipRaw(raw), buffer_size=_CHUNK)
    return raw


def truncation(fh) -> str | None:
    """Why the gzip stream under ``fh`` (from :func:`open_binary`) ended early, else None."""
    raw = getattr(fh, "raw", None)
    return raw.truncated if isinstance(raw, GzipRaw) else None


def head(path: str | os.PathLike, size: int = 1 << 16) -> bytes:
    """The first ``size`` bytes of a file's (decompressed) content."""
    with open_binary(path) as fh:
        return fh.read(size)


def content_start(path: str | os.PathLike, size: int = 1 << 16) -> bytes:
    """The first ``size`` bytes of a file's (decompressed) content, a UTF-8 BOM and leading
    blanks removed: what a file's format is recognised by (``[`` or ``{``: JSON)."""
    return head(path, size).removeprefix(BOM).lstrip()


def read_all(path: str | os.PathLike, max_bytes: int = 512 * 1024 * 1024) -> bytes:
    """Read a whole (possibly gzipped) file; raise RecordError on truncation or excess size."""
    name = str(path)
    with open_binary(path) as fh:
        data = fh.read(max_bytes + 1)
        cut = truncation(fh)
    if cut:
        raise RecordError(f"truncated or corrupt gzip: {cut}", file=name) from None
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
        gz = GzipRaw(raw) if raw.peek(2)[:2] == GZIP_MAGIC else None
        fh = io.BufferedReader(gz, buffer_size=_CHUNK) if gz is not None else raw
        try:
            readline = fh.readline
            while True:
                line = readline(limit + 1)
                if not line:
                    break
                number += 1
                if gz is not None and gz.truncated and not line.endswith(b"\n") and not fh.peek(1):
                    # the record the cut went through: counted lost, never parsed
                    yield number, RecordError(
                        "cut by truncation: the last record of a truncated gzip is incomplete",
                        line=number, file=name, record=line[:200])
                    break
                if len(line) > limit and not line.endswith(b"\n"):
                    size = len(line)
                    while True:
                        rest = readline(_CHUNK)
                        size += len(rest)
                        if not rest or rest.endswith(b"\n"):
                            break
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
            if gz is not None and gz.truncated:
                yield number + 1, RecordError(f"truncated or corrupt gzip: {gz.truncated}", line=number + 1, file=name)
        finally:
            fh.close()
            raw.close()


def expand_inputs(paths: str | os.PathLike | list) -> list[Path]:
    """Turn one path or a list of paths/directories into a sorted list of files.

    A directory contributes its files (hidden files and earlier rejects files
    ``*.rejects.jsonl`` left out), sorted by name, so the load order, and hence
    de-duplication, is the same on every run. academictwitteR's ``query`` file stays in: the
    reader recognises it and reports it as skipped (it holds the query, not posts).
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
                )
            )
        else:
            out.append(p)
    return out
