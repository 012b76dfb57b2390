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
from coordgraph.loader.errors import LoaderError, RejectLog
from coordgraph.loader.records import ACCOUNT, POST
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
from coordgraph.loader.sources import MAX_LINE_BYTES, LineSource, expand_inputs

DEFAULT_BATCH_SIZE = 50_000
#: rejects that are about a whole file or stream, not one record
_NOT_RECORDS = ("file rejected", "truncated or corrupt gzip", "unreadable", "corrupt Parquet")


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


def detect_format(path: Path, column_map: Mapping[str, str] | None = None) -> str:
    """Guess a file's format from its name and first record.

    Parquet by magic bytes; CSV/TSV by extension; academictwitteR ``data_*/users_*.json``
    by name; other JSON by the first line's shape (v2 page/tweet, snscrape tweet). JSON lines
    that are neither, or any JSON when a column mapping is given, are a mapped table.
    """
    if tabular.is_parquet(path):
        return "parquet"
    suffixes = [s.lower() for s in path.suffixes]
    if ".csv" in suffixes or ".tsv" in suffixes:
        return "csv"
    if twitter_v2.is_document_name(path):
        return "twitter-v2"
    lines = _first_lines(path, 20)
    if not lines:
        return "jsonl" if column_map else "twitter-v2"
    parsed = []
    for line in lines:
        try:
            parsed.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
    if not parsed:
        if lines[0].lstrip()[:1] in (b"[", b"{"):
            return "twitter-v2"  # a pretty-printed JSON document, or broken JSON lines
        return "csv"
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
    if fmt == "parquet":
        return tabular.read_parquet(path, column_map, platform or "unknown"), lambda: 0
    if fmt == "csv":
        return tabular.read_csv(path, column_map, platform or "unknown", max_line_bytes), lambda: 0
    source = LineSource(path, max_line_bytes)
    if fmt == "snscrape":
        return snscrape.read_snscrape(path, source, known), source.position
    if fmt == "twitter-v1":
        return twitter_v1.read_v1_lines(path, source, known), source.position
    if fmt == "jsonl":
        return tabular.read_json_table(path, source, column_map, platform or "unknown"), source.position
    # twitter-v2: one JSON document (array / pretty object) or JSON lines
    if twitter_v2.is_document_name(path) or _is_document(path):
        return twitter_v2.read_v2_document(path, known), lambda: 0
    return twitter_v2.read_v2_lines(path, source, known), source.position


def _is_document(path: Path) -> bool:
    """True when the file is one JSON value over several lines (not JSON lines)."""
    line = _first_line(path)
    if line is None:
        return False
    if line.lstrip()[:1] == b"[":
        return True
    try:
        orjson.loads(line)
        return False
    except orjson.JSONDecodeError:
        return line.strip() in (b"{", b"[")


def _plan(files: list[Path], fmt: str, column_map) -> list[tuple[str, object]]:
    """Group inputs into units: ("file", path, format) or ("v2-tables", {part: path})."""
    units: list[tuple] = []
    groups: dict[str, dict[str, Path]] = {}
    for path in files:
        if not path.exists():
            raise LoaderError(f"{path}: no such file")
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
    line = _first_line(path) or b""
    first = line.split(b",", 1)[0].strip().lstrip(b"\xef\xbb\xbf").strip(b'"')
    return first in (b"tweet_id", b"author_id", b"id")


class _Batcher:
    """Collects items into batches: de-duplicates posts, emits each account once."""

    def __init__(self, stats: LoadStats, dedupe: bool) -> None:
        self.stats = stats
        self.dedupe = dedupe
        self.seen_posts: dict[str, set] = {}  # platform -> post ids kept so far
        self.known_accounts: set[str] = set()  # emitted with a profile (readers skip these)
        self.bare_accounts: set[str] = set()  # emitted as post authors without a profile
        self.posts: list[tuple] = []
        self.accounts: list[tuple] = []

    def add_post(self, item: tuple) -> None:
        """Keep a post tuple unless this load already kept its (platform, post_id)."""
        self.stats.records += 1
        if self.dedupe:
            seen = self.seen_posts.get(item[5])
            if seen is None:
                seen = self.seen_posts[item[5]] = set()
            if item[0] in seen:
                self.stats.duplicates += 1
                return
            seen.add(item[0])
        self.posts.append(item)
        self.stats.kept += 1

    def add_account(self, item: tuple) -> None:
        """Keep an account tuple the first time its id comes with a profile."""
        if item[0] not in self.known_accounts:
            self.known_accounts.add(item[0])
            self.accounts.append(item)

    def add_reject(self, err) -> None:
        """Count and log a rejected record (raises LoaderError in strict mode)."""
        if not err.reason.startswith(_NOT_RECORDS):
            self.stats.records += 1
        self.stats.rejects.add(err)

    def flush(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The collected posts and accounts as DataFrames; starts a new batch."""
        posts, self.posts = self.posts, []
        accounts, self.accounts = self.accounts, []
        p_frame = posts_frame(dict(zip(POST_COLUMNS, map(list, zip(*posts))))) if posts else empty_posts()
        a_frame = _accounts_batch(accounts, p_frame, self.known_accounts, self.bare_accounts)
        self.stats.accounts += len(a_frame)
        return p_frame, a_frame


def _open_unit(unit: tuple, column_map, platform, max_line_bytes: int, known: set, stats: LoadStats):
    """Items of one planned unit (a file, or a set of tidy v2 tables), a byte-position
    function for progress, and the unit's size on disk; counts its files and format."""
    kind, target, fmt = unit
    if kind == "v2-tables":
        stats.files += len(target)
        stats.formats["v2-tables"] = stats.formats.get("v2-tables", 0) + len(target)
        size = sum(p.stat().st_size for p in target.values())
        return tabular.read_tidy_v2(target, platform or "twitter"), (lambda: 0), size
    real = fmt if fmt != "auto" else detect_format(target, column_map)
    stats.files += 1
    stats.formats[real] = stats.formats.get(real, 0) + 1
    items, position = _items_for(target, real, column_map, platform, max_line_bytes, known)
    return items, position, target.stat().st_size


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
                                               batcher.known_accounts, stats)
            for kind, item in items:
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

