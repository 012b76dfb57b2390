"""Reading posts: format detection, batching, de-duplication, rejects and the summary.

:func:`iter_post_batches` streams ``(posts, accounts)`` DataFrame batches (memory bounded
by ``batch_size`` plus one set entry per distinct post id for de-duplication);
:func:`read_posts` collects them into one :class:`LoadResult`.
"""
from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pandas as pd

from coordgraph.loader import snscrape, tabular, twitter_v1, twitter_v2
from coordgraph.loader.documents import BOM, read_json_document
from coordgraph.loader.errors import LoaderError, RecordError, RejectLog, _reason_key
from coordgraph.loader.records import ACCOUNT, NOTE, POST, REJECT
from coordgraph.loader.report import LoadReport
from coordgraph.loader.schema import (
    ACCOUNT_COLUMNS,
    POST_COLUMNS,
    accounts_frame,
    empty_accounts,
    empty_posts,
    posts_frame,
)
from coordgraph.loader.formats import FORMAT_ALIASES as _FORMAT_ALIASES
from coordgraph.loader.formats import FORMATS
from coordgraph.loader.sources import MAX_LINE_BYTES, LineSource, content_start, expand_inputs, head

DEFAULT_BATCH_SIZE = 50_000
#: rejects that are about a whole file or stream, not one record
_NOT_RECORDS = ("file rejected", "truncated or corrupt gzip", "unreadable", "corrupt Parquet",
                "cut by truncation", "file larger than")
#: of those, the ones that end a file early (what was read before is kept)
_TRUNCATIONS = ("truncated or corrupt gzip", "corrupt Parquet")


@dataclass
class LoadStats:
    """What a load read, kept and rejected (filled in while batches are produced)."""

    files: int = 0
    bytes: int = 0
    records: int = 0  # post records read (kept + duplicates + rejected)
    kept: int = 0
    duplicates: int = 0
    accounts: int = 0
    formats: dict[str, int] = field(default_factory=dict)
    rejects: RejectLog = field(default_factory=RejectLog)
    report: LoadReport = field(default_factory=LoadReport)

    @property
    def rejected(self) -> int:
        """Number of rejected records."""
        return self.rejects.count

    def summary(self) -> dict:
        """A plain dict: files, lines_read, kept, duplicates, rejected, rejected_by_reason..."""
        return {
            "files": self.files,
            "bytes": self.bytes,
            "formats": dict(self.formats),
            "lines_read": self.records,
            "kept": self.kept,
            "duplicates": self.duplicates,
            "accounts": self.accounts,
            "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejects.by_reason),
            "rejects_path": str(self.rejects.path) if self.rejects.written else None,
            "first_problems": list(self.rejects.first),
            "report": self.report.to_dict(),
        }


@dataclass
class LoadResult:
    """All posts and accounts of a load, with its statistics."""

    posts: pd.DataFrame
    accounts: pd.DataFrame
    stats: LoadStats

    @property
    def rejected(self) -> int:
        """Number of rejected records."""
        return self.stats.rejected

    @property
    def rejects_path(self) -> Path | None:
        """The rejects file, when records were rejected and a path was given."""
        return self.stats.rejects.path if self.stats.rejects.written else None

    def summary(self) -> dict:
        """See :meth:`LoadStats.summary`."""
        return self.stats.summary()


def normalize_format(fmt: str) -> str:
    """Canonical format name; raises LoaderError naming the known ones."""
    fmt = _FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if fmt not in FORMATS:
        known = ", ".join(FORMATS + tuple(_FORMAT_ALIASES))
        raise LoaderError(f"unknown format '{fmt}' (known: {known})")
    return fmt


def _first_line(path: Path) -> bytes | None:
    """The first non-blank line of a file (bounded), or None."""
    for _, line in LineSource(path, max_line_bytes=MAX_LINE_BYTES):
        return line if isinstance(line, bytes) else None
    return None


def _document_kind(data: bytes) -> str:
    """'twitter-v1' when a document's start looks like v1.1 statuses, else 'twitter-v2'."""
    start = data[:20000]
    if b'"statuses"' in start[:200] or (b'"id_str"' in start and b'"user"' in start and b'"author_id"' not in start):
        return "twitter-v1"
    if b'"_type"' in start and b'"snscrape.' in start:
        return "snscrape"
    return "twitter-v2"


def detect_format(path: Path, column_map: Mapping[str, str] | None = None) -> str:
    """Guess a file's format from its name and first record.

    Parquet by magic bytes; CSV/TSV by extension; academictwitteR ``data_*/users_*.json``
    by name; a JSON document (an array, or one value over several lines, whatever its size
    or name) by its first bytes and content (v1.1 statuses, snscrape, else v2); other JSON
    by the first lines' shape (v2 page/tweet, v1.1 status, snscrape tweet). JSON lines that
    are neither, or any JSON when a column mapping is given, are a mapped table.
    """
    if tabular.is_parquet(path):
        return "parquet"
    raw = head(path, 4096)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if _looks_binary(raw):
        return "binary"
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" in suffixes or ".tsv" in suffixes:
        return "csv"
    if twitter_v2.is_document_name(path):
        return "twitter-v2"
    start = content_start(path)
    if not start:
        return "jsonl" if column_map else "twitter-v2"
    if start[:1] in (b"[", b"{") and _is_document(path):
        return _document_kind(start)
    if start[:1] not in (b"[", b"{"):
        return "csv"
    lines = _first_lines(path, 20)
    parsed = []
    for line in lines:
        try:
            parsed.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
    if not parsed:
        return "twitter-v2"  # broken JSON lines: the v2 reader names each bad line
    if column_map:
        return "jsonl"
    for obj in parsed:  # the first record of a known shape decides (a broken one may lead)
        if snscrape.looks_like_snscrape(obj):
            return "snscrape"
        if twitter_v2.looks_like_v2(obj):
            return "twitter-v2"
        if twitter_v1.looks_like_v1(obj):
            return "twitter-v1"
    return "jsonl"


def _first_lines(path: Path, n: int) -> list[bytes]:
    """Up to ``n`` first non-blank lines of a file (each bounded in size)."""
    out: list[bytes] = []
    for _, line in LineSource(path, max_line_bytes=MAX_LINE_BYTES):
        if isinstance(line, bytes):
            out.append(line)
        if len(out) >= n:
            break
    return out


def _items_for(
    path: Path, fmt: str, column_map, platform: str | None, max_line_bytes: int, known: set
) -> tuple[Iterator[tuple], Callable[[], int]]:
    """The item iterator of one file in format ``fmt`` and a function telling bytes consumed.

    ``known``: account ids already emitted with a profile (readers skip converting them).
    """
    if fmt in _NOT_TEXT:
        return iter([(REJECT, RecordError(f"file rejected: {_NOT_TEXT[fmt]}", "-", 0, str(path)))]), lambda: 0
    if fmt == "parquet":
        return tabular.read_parquet(path, column_map, platform or "unknown"), lambda: 0
    if fmt == "csv":
        return tabular.read_csv(path, column_map, platform or "unknown", max_line_bytes), lambda: 0
    if fmt in ("twitter-v1", "twitter-v2", "snscrape") and (twitter_v2.is_document_name(path) or _is_document(path)):
        return read_json_document(path, known), lambda: 0
    source = LineSource(path, max_line_bytes)
    if fmt == "snscrape":
        return snscrape.read_snscrape(path, source, known), source.position
    if fmt == "twitter-v1":
        return twitter_v1.read_v1_lines(path, source, known), source.position
    if fmt == "jsonl":
        return tabular.read_json_table(path, source, column_map, platform or "unknown"), source.position
    return twitter_v2.read_v2_lines(path, source, known), source.position


_CONTROL = bytes(c for c in range(32) if c not in b"\t\n\r\x0c")


def _looks_binary(raw: bytes) -> bool:
    """True for data that is no text: control bytes among the first 16 (NUL bytes later, e.g.
    a zero-filled block after a crash, are the problem of the records they fall in)."""
    start = raw[:16].lstrip(b"\xef\xbb\xbf")
    return any(b in _CONTROL for b in start)


#: files detect_format recognises as unreadable as they are, and why
_NOT_TEXT = {
    "utf-16": "UTF-16 text: convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8)",
    "binary": "binary data (control bytes at the start), not a format coordgraph reads",
}


def _is_document(path: Path) -> bool:
    """True when the file is one JSON value (an array, or an object over several lines, or
    one line too long for JSON lines with nothing after it), not JSON lines."""
    start = content_start(path)
    if start[:1] == b"[":
        return True
    if start[:1] != b"{":
        return False
    lines = iter(LineSource(path, max_line_bytes=MAX_LINE_BYTES))
    first = next(lines, None)
    if first is None:
        return False
    line = first[1]
    if isinstance(line, RecordError):  # one huge line: a document if nothing follows it
        if not line.reason.startswith("line too long"):
            return False
        return next(lines, None) is None
    if line.startswith(BOM):
        line = line[len(BOM):]
    try:
        orjson.loads(line)
        return False
    except orjson.JSONDecodeError:
        pass
    if line.rstrip()[-1:] not in (b"{", b"[", b",", b":"):
        return False
    second = next(lines, None)  # pretty-printed: the next line is no JSON value either
    if second is None or isinstance(second[1], RecordError):
        return second is None
    try:
        orjson.loads(second[1])
        return False
    except orjson.JSONDecodeError:
        return True


#: academictwitteR writes the search query it ran into a file named ``query`` beside the data
_QUERY_FILE = "query"


def _is_academic_query(path: Path) -> bool:
    """True for the ``query`` text file of an academictwitteR folder (not data)."""
    return path.name == _QUERY_FILE and any(path.parent.glob("data_*.json*"))


def _plan(files: list[Path], fmt: str, column_map) -> list[tuple[str, object]]:
    """Group inputs into units: ("file", path, format) or ("v2-tables", {part: path})."""
    units: list[tuple] = []
    groups: dict[str, dict[str, Path]] = {}
    for path in files:
        if not path.exists():
            raise LoaderError(f"{path}: no such file")
        if _is_academic_query(path):
            units.append(("skip", path, "academictwitteR query file (the search query, not data)"))
            continue
        part = tabular.tidy_part(path) if fmt in ("auto", "v2-tables") and not column_map else None
        if part is not None and (fmt == "v2-tables" or _has_tidy_header(path)):
            prefix, name = part
            if prefix not in groups:
                groups[prefix] = {}
                units.append(("v2-tables", groups[prefix], "v2-tables"))
            groups[prefix][name] = path
            continue
        if fmt == "v2-tables":
            raise LoaderError(f"{path}: not a tidy v2 table (name must end in {'|'.join(tabular.TIDY_PARTS)}.csv)")
        units.append(("file", path, fmt))
    return units


def _has_tidy_header(path: Path) -> bool:
    """True when a CSV's header starts like a tidy v2 table (tweet_id or author_id first)."""
    try:
        line = _first_line(path) or b""
    except OSError:
        return False
    first = line.split(b",", 1)[0].strip().lstrip(b"\xef\xbb\xbf").strip(b'"')
    return first in (b"tweet_id", b"author_id", b"id")


class _Batcher:
    """Collects items into batches: de-duplicates posts, emits each account once, and keeps
    the per-file report (records = kept + duplicates + rejected in every file)."""

    def __init__(self, stats: LoadStats, dedupe: bool) -> None:
        self.stats = stats
        self.dedupe = dedupe
        self.seen_posts: dict[str, set] = {}  # platform -> post ids kept so far
        self.known_accounts: set[str] = set()  # emitted with a profile (readers skip these)
        self.bare_accounts: set[str] = set()  # emitted as post authors without a profile
        self.posts: list[tuple] = []
        self.accounts: list[tuple] = []
        self.current = stats.report.file("-")  # the report of the file being read
        del stats.report.files["-"]

    def add_post(self, item: tuple) -> None:
        """Keep a post tuple unless this load already kept its (platform, post_id)."""
        self.stats.records += 1
        rep = self.current
        rep.records += 1
        if self.dedupe:
            seen = self.seen_posts.get(item[5])
            if seen is None:
                seen = self.seen_posts[item[5]] = set()
            if item[0] in seen:
                self.stats.duplicates += 1
                rep.duplicates += 1
                return
            seen.add(item[0])
        self.posts.append(item)
        self.stats.kept += 1
        rep.kept += 1

    def add_account(self, item: tuple) -> None:
        """Keep an account tuple the first time its id comes with a profile."""
        if item[0] not in self.known_accounts:
            self.known_accounts.add(item[0])
            self.accounts.append(item)

    def add_reject(self, err) -> None:
        """Count and log a rejected record (raises LoaderError in strict mode)."""
        rep = self.stats.report.file(err.file) if err.file else self.current
        reason = err.reason
        if reason.startswith(_TRUNCATIONS):
            rep.truncated = reason
        elif reason.startswith("cut by truncation"):
            rep.lost_to_truncation += 1
        elif reason.startswith(_NOT_RECORDS):
            rep.skipped = reason
        else:
            self.stats.records += 1
            rep.records += 1
            rep.rejected[_reason_key(reason)] += 1
        self.stats.rejects.add(err)

    def add_note(self, note: tuple) -> None:
        """A reader's note about how it read a file (e.g. entities taken from the text)."""
        file, message = note
        rep = self.stats.report.file(file)
        if message not in rep.notes:
            rep.notes.append(message)

    def flush(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The collected posts and accounts as DataFrames; starts a new batch."""
        posts, self.posts = self.posts, []
        accounts, self.accounts = self.accounts, []
        p_frame = posts_frame(dict(zip(POST_COLUMNS, map(list, zip(*posts))))) if posts else empty_posts()
        a_frame = _accounts_batch(accounts, p_frame, self.known_accounts, self.bare_accounts)
        self.stats.accounts += len(a_frame)
        return p_frame, a_frame


def _unreadable(path: Path, exc: OSError) -> Iterator[tuple]:
    """The one file-level reject of a file that cannot be opened."""
    yield REJECT, RecordError(f"unreadable file: {exc.strerror or exc}", "-", 0, str(path))


def _open_unit(unit: tuple, column_map, platform, max_line_bytes: int, known: set, stats: LoadStats,
               batcher: _Batcher):
    """Items of one planned unit (a file, or a set of tidy v2 tables), a byte-position
    function for progress, and the unit's size on disk; counts its files and format and
    points the batcher at the unit's file report."""
    kind, target, fmt = unit
    report = stats.report
    if kind == "skip":
        report.file(str(target), "skipped").skipped = fmt
        return iter(()), (lambda: 0), 0
    if kind == "v2-tables":
        stats.files += len(target)
        stats.formats["v2-tables"] = stats.formats.get("v2-tables", 0) + len(target)
        for path in target.values():
            report.file(str(path), "v2-tables")
        batcher.current = report.file(str(target.get("tweets", next(iter(target.values())))))
        try:
            size = sum(p.stat().st_size for p in target.values())
        except OSError as exc:
            return _unreadable(next(iter(target.values())), exc), (lambda: 0), 0
        return tabular.read_tidy_v2(target, platform or "twitter"), (lambda: 0), size
    stats.files += 1
    batcher.current = report.file(str(target))
    try:
        real = fmt if fmt != "auto" else detect_format(target, column_map)
        batcher.current.format = real
        stats.formats[real] = stats.formats.get(real, 0) + 1
        items, position = _items_for(target, real, column_map, platform, max_line_bytes, known)
        size = target.stat().st_size
    except OSError as exc:  # permission denied, a FIFO, a file gone since listing...
        batcher.current.format = "unreadable"
        return _unreadable(target, exc), (lambda: 0), 0
    return items, position, size


def iter_post_batches(
    paths,
    *,
    format: str = "auto",
    column_map: Mapping[str, str] | None = None,
    strict: bool = False,
    rejects_path: str | os.PathLike | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    platform: str | None = None,
    dedupe: bool = True,
    max_line_bytes: int = MAX_LINE_BYTES,
    stats: LoadStats | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream ``(posts_batch, accounts_batch)`` DataFrames from files of any supported format.

    Each posts batch holds at most ``batch_size`` posts, never seen before in this load when
    ``dedupe`` (a post collected twice is one post: the first copy is kept). Accounts are
    emitted once, with their profile when the data has one; an author first seen without a
    profile may appear again later with it (read_posts merges those). Bad records go to the
    rejects log (``rejects_path``, JSON lines) and are counted in ``stats``; with ``strict``
    the first one raises :class:`LoaderError` (one line: file, line, field, reason).
    ``progress(bytes_done)`` is called now and then with the bytes of input consumed.
    """
    fmt = normalize_format(format)
    if batch_size < 1:
        raise LoaderError("batch_size must be at least 1")
    stats = stats if stats is not None else LoadStats()
    if rejects_path is not None:
        stats.rejects.path = Path(rejects_path)
    stats.rejects.strict = strict
    files = expand_inputs(paths)
    if not files:
        raise LoaderError("no input files")
    units = _plan(files, fmt, column_map)
    batcher = _Batcher(stats, dedupe)
    done_bytes = 0
    # The cyclic garbage collector is paused while records are parsed (the parsed JSON makes
    # millions of short-lived containers without cycles; collecting them by reference count
    # alone halves the CPU time) and restored around each yield, so callers are unaffected.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for unit in units:
            items, position, size = _open_unit(unit, column_map, platform, max_line_bytes,
                                               batcher.known_accounts, stats, batcher)
            for kind, item in _guarded(items, unit):
                if kind == POST:
                    batcher.add_post(item)
                    if len(batcher.posts) >= batch_size:
                        batch = batcher.flush()
                        if progress is not None:
                            progress(done_bytes + position())
                        _gc_restore(gc_was_enabled)
                        yield batch
                        gc.disable()
                elif kind == ACCOUNT:
                    batcher.add_account(item)
                elif kind == NOTE:
                    batcher.add_note(item)
                else:
                    batcher.add_reject(item)
            done_bytes += size
            stats.bytes += size
            if progress is not None:
                progress(done_bytes)
        if batcher.posts or batcher.accounts:
            batch = batcher.flush()
            _gc_restore(gc_was_enabled)
            yield batch
    finally:
        _gc_restore(gc_was_enabled)
        stats.rejects.close()


def _guarded(items: Iterator[tuple], unit: tuple) -> Iterator[tuple]:
    """A unit's items; an OS error while reading (a file unreadable or gone, an I/O error)
    ends the file with one file-level reject instead of a traceback."""
    try:
        yield from items
    except OSError as exc:
        target = unit[1]
        path = target if isinstance(target, Path) else next(iter(target.values()))
        yield from _unreadable(path, exc)


def _gc_restore(was_enabled: bool) -> None:
    """Re-enable the cyclic garbage collector if it was on before the load."""
    if was_enabled:
        gc.enable()


def _accounts_batch(rows: list[tuple], posts: pd.DataFrame, known: set[str], bare: set[str]) -> pd.DataFrame:
    """This batch's accounts: the profiles read (each id once per load, first profile wins),
    then post authors never seen with a profile nor emitted before (all other columns null).
    """
    if rows:
        bare.difference_update(r[0] for r in rows)
    rows = list(rows)
    if len(posts):
        authors = posts.drop_duplicates("account_id")
        for aid, plat in zip(authors["account_id"].tolist(), authors["platform"].tolist()):
            if aid not in known and aid not in bare:
                bare.add(aid)
                rows.append((aid, None, None, plat, None, None, None, None, None))
    if not rows:
        return empty_accounts()
    return accounts_frame(dict(zip(ACCOUNT_COLUMNS, map(list, zip(*rows)))))


def read_posts(
    paths,
    *,
    format: str = "auto",
    column_map: Mapping[str, str] | None = None,
    strict: bool = False,
    rejects_path: str | os.PathLike | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    platform: str | None = None,
    dedupe: bool = True,
    max_line_bytes: int = MAX_LINE_BYTES,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Read every post and account of ``paths`` (files or directories) into one LoadResult.

    Same options as :func:`iter_post_batches`. Accounts seen several times are merged:
    per column, the first non-null value wins.
    """
    stats = LoadStats()
    post_batches, account_batches = [], []
    for p, a in iter_post_batches(
        paths,
        format=format,
        column_map=column_map,
        strict=strict,
        rejects_path=rejects_path,
        batch_size=batch_size,
        platform=platform,
        dedupe=dedupe,
        max_line_bytes=max_line_bytes,
        stats=stats,
        progress=progress,
    ):
        post_batches.append(p)
        account_batches.append(a)
    posts = pd.concat(post_batches, ignore_index=True) if post_batches else empty_posts()
    if account_batches:
        accounts = pd.concat(account_batches, ignore_index=True)
        if not accounts["account_id"].is_unique:  # an author first seen bare, later with a profile
            accounts = accounts.groupby("account_id", sort=False, as_index=False).first()
            accounts = accounts_frame({c: accounts[c].tolist() for c in ACCOUNT_COLUMNS})
    else:
        accounts = empty_accounts()
    stats.accounts = len(accounts)
    return LoadResult(posts=posts, accounts=accounts, stats=stats)

