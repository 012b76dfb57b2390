"""Readers for tables: CSV/TSV, Parquet and flat JSON lines, through a column mapping.

A column mapping says which source column holds each loader column, e.g.
``{"object_id": "url", "account_id": "author", "timestamp_share": "time"}``. Targets are
the posts columns (``post_id``, ``account_id``, ``ts``, ``text``, ``hashtags``, ...), the
account profile columns (``handle``, ``name``, ``followers_count``, ``following_count``,
``posts_count``, ``created_at``, ``verified``), and the shares names as aliases:
``content_id`` = post_id, ``timestamp_share`` = ts, ``object_id`` = objects (shared by the
``objects`` intent). Without a mapping, columns whose names are targets are used as they are.

List cells (hashtags, urls, mentions, image_hashes, objects) are a JSON array
(``["a","b"]``) or items separated by whitespace, ``,``, ``;`` or ``|``. A table without a
post id column gets ``<file name>#<line>`` as post id, so every row stays one post.

Ids are kept as written; a float id (Parquet float64, or text like ``1.37e+18``) is refused.
A table with a text column but no hashtags / mentions column gets them from the text
(:func:`extract_tags`) and the report notes it. CSV quotes are parsed strictly.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import orjson

from coordgraph.loader.errors import LoaderError, RecordError
from coordgraph.loader.records import (
    ACCOUNT,
    POST,
    NOTE,
    REJECT,
    STRUCTURE_ERRORS,
    account_tuple,
    clean_list,
    clean_tags,
    count,
    opt_bool,
    opt_count,
    opt_id,
    opt_str,
    opt_time,
    req_id,
    post_time,
    float_id_error,
    structure_error,
)
from coordgraph.loader.sources import LineSource, open_binary, truncation
from coordgraph.loader.twitter_v2 import json_error

#: every target a mapping can name, in the order rows are converted
TARGETS = (
    "post_id", "account_id", "ts", "text", "lang", "platform",
    "retweet_count", "like_count", "quote_count", "reply_count",
    "retweeted_id", "quoted_id", "replied_to_id", "replied_to_account_id",
    "hashtags", "urls", "mentions", "image_hashes", "place", "source", "objects",
    "handle", "name", "followers_count", "following_count", "posts_count", "created_at",
    "verified",
)  # fmt: skip
ALIASES = {"content_id": "post_id", "timestamp_share": "ts", "object_id": "objects"}
_IDX = {name: i for i, name in enumerate(TARGETS)}
_PROFILE = ("handle", "name", "followers_count", "following_count", "posts_count",
            "created_at", "verified")  # fmt: skip
_SPLIT = re.compile(r"[\s,;|]+")


def parse_map(text: str | None) -> dict[str, str]:
    """Parse the CLI form ``object_id=url,account_id=author`` into a mapping (target->source)."""
    if not text:
        return {}
    out: dict[str, str] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        target, sep, source = part.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise LoaderError(f"--map: '{part}' is not target=column")
        out[target.strip()] = source.strip()
    return out


def resolve_map(column_map: Mapping[str, str] | None, columns: list[str]) -> dict[str, str]:
    """Check a mapping against the source's columns; return target->source (aliases resolved).

    Without a mapping, the columns named like targets (or aliases) are taken as they are.
    Raises LoaderError for an unknown target or a source column that is not there.
    """
    resolved: dict[str, str] = {}
    if column_map:
        for target, source in column_map.items():
            name = ALIASES.get(target, target)
            if name not in _IDX:
                known = ", ".join(list(TARGETS) + list(ALIASES))
                raise LoaderError(f"unknown mapping target '{target}' (known: {known})")
            resolved[name] = source
    present = set(columns)
    for col in columns:
        name = ALIASES.get(col, col)
        if name in _IDX and name not in resolved:
            if not column_map or col not in column_map.values():
                resolved[name] = col
    missing = [f"'{s}' (for {t})" for t, s in resolved.items() if s not in present and "." not in s]
    if missing:
        raise LoaderError(f"column {', '.join(missing)} not found; columns are: {', '.join(columns)}")
    for need in ("account_id", "ts"):
        if need not in resolved:
            alias = {"ts": "timestamp_share"}.get(need, need)
            raise LoaderError(
                f"no column for '{need}' (map one with --map {alias}=COLUMN); "
                f"columns are: {', '.join(columns)}"
            )
    return resolved


def split_cell(value: object) -> list:
    """A list cell: a list as is, a JSON array text, or items split on whitespace , ; |."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist"):
        return list(value.tolist())
    text = str(value).strip()
    if not text:
        return []
    if text[0] == "[":
        try:
            parsed = orjson.loads(text)
            if isinstance(parsed, list):
                return parsed
        except orjson.JSONDecodeError:
            pass
    return _SPLIT.split(text)


_FLOAT_TEXT = re.compile(r"[+-]?\d+(?:\.\d*)?[eE][+-]?\d+|[+-]?\d+\.\d*")


def _tab_id(value: object, field: str, required: bool = False) -> str | None:
    """An id from a table cell: text as written, ints as digits; a float (a Parquet float64
    column, or text such as ``1.3729603989379236e+18`` / ``1372960398937923584.0`` that a
    spreadsheet or pandas wrote) is refused, since its digits are no longer the id's."""
    if value is None and not required:
        return None
    if type(value) is str and value[:1].isdigit() and ("." in value or "e" in value or "E" in value):
        if _FLOAT_TEXT.fullmatch(value.strip()):
            raise float_id_error(value, field)
    return req_id(value, field) if required else opt_id(value, field)


def extract_tags(text: object, sign: str) -> list[str]:
    """Hashtags (``sign='#'``) or mentions (``'@'``) written in a post's text, with Twitter's
    entity rules in short: the sign (or its full-width form) at a word start, then word
    characters (letters, digits, ``_``, any script); a hashtag is not all digits."""
    if not isinstance(text, str) or sign not in text and _FULLWIDTH[sign] not in text:
        return []
    pattern = _HASHTAG_IN_TEXT if sign == "#" else _MENTION_IN_TEXT
    out = [m for m in pattern.findall(text) if not (sign == "#" and m.isdigit())]
    return out


_FULLWIDTH = {"#": "\uff03", "@": "\uff20"}
_HASHTAG_IN_TEXT = re.compile(r"(?<![\w&#\uff03])[#\uff03](\w+)")
_MENTION_IN_TEXT = re.compile(r"(?<![\w@\uff20!#$%&*])[@\uff20](\w{1,50})")


def row_to_items(v: list, platform: str, synth_id: str, from_text: tuple = ()) -> list[tuple]:
    """Post (and account) items from one row given as values in ``TARGETS`` order.

    ``from_text`` names the entity columns the table lacks ("hashtags", "mentions"): those
    are extracted from the text instead (see :func:`extract_tags`).
    """
    post_id = _tab_id(v[0], "post_id", True) if v[0] not in (None, "") else synth_id
    account_id = _tab_id(v[1], "account_id", True)
    plat = opt_str(v[5]) or platform
    text = v[3] if isinstance(v[3], str) else opt_str(v[3])
    if from_text:
        tags = extract_tags(text, "#") if "hashtags" in from_text else None
        mentioned = extract_tags(text, "@") if "mentions" in from_text else None
    post = (
        post_id,
        account_id,
        post_time(v[2], "ts"),
        text,
        opt_str(v[4]),
        plat,
        count(v[6], "retweet_count"),
        count(v[7], "like_count"),
        count(v[8], "quote_count"),
        count(v[9], "reply_count"),
        _tab_id(v[10], "retweeted_id"),
        _tab_id(v[11], "quoted_id"),
        _tab_id(v[12], "replied_to_id"),
        _tab_id(v[13], "replied_to_account_id"),
        tags if from_text and tags is not None else [] if v[14] is None else clean_tags(split_cell(v[14])),
        [] if v[15] is None else clean_list(split_cell(v[15])),
        mentioned if from_text and mentioned is not None else [] if v[16] is None else clean_tags(split_cell(v[16]), "@"),
        [] if v[17] is None else clean_list(split_cell(v[17])),
        opt_str(v[18]),
        opt_str(v[19]),
        [] if v[20] is None else clean_list(split_cell(v[20])),
    )
    items = [(POST, post)]
    if any(x is not None and x != "" for x in v[21:]):
        items.append(
            (
                ACCOUNT,
                account_tuple(
                    account_id,
                    plat,
                    handle=opt_str(v[21]),
                    name=opt_str(v[22]),
                    followers=opt_count(v[23], "followers_count"),
                    following=opt_count(v[24], "following_count"),
                    posts=opt_count(v[25], "posts_count"),
                    created_at=opt_time(v[26], "created_at"),
                    verified=opt_bool(v[27]),
                ),
            )
        )
    return items


def _convert(values, path: Path, line: int, platform: str, raw, field_names, from_text=()) -> Iterator[tuple]:
    """Items for one row, or one reject naming the source column of the bad field."""
    try:
        items = row_to_items(values, platform, f"{path.name}#{line}", from_text)
    except (RecordError, *STRUCTURE_ERRORS) as exc:
        err = exc if isinstance(exc, RecordError) else structure_error(exc)
        err.field = field_names.get(err.field, err.field)
        err.file, err.line, err.record = str(path), line, raw
        yield REJECT, err
        return
    yield from items


def entities_from_text(mapping: Mapping[str, str], path: Path, extract: bool = True) -> tuple[tuple, list]:
    """(entity targets to extract from the text, note items saying so) for a table that has
    a text column but no hashtags / mentions column."""
    if not extract or "text" not in mapping:
        return (), []
    missing = tuple(t for t in ("hashtags", "mentions") if t not in mapping)
    if not missing:
        return (), []
    note = (f"no {' or '.join(missing)} column: {' and '.join(missing)} taken from the text "
            f"(column '{mapping['text']}', Twitter's entity rules)")
    return missing, [(NOTE, (str(path), note))]


def _text_stream(path: Path) -> io.TextIOWrapper:
    """A text stream over a (possibly gzipped) file; invalid UTF-8 kept as surrogates."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="surrogateescape", newline="")


class _CsvLines:
    """The lines of a (possibly gzipped) CSV as text for ``csv.reader``; the line a gzip
    truncation cut is held back (:attr:`cut`) instead of being parsed as a short row."""

    def __init__(self, fh) -> None:
        self._fh = fh
        self.cut: bytes | None = None

    def __iter__(self):
        fh = self._fh
        for line in fh:
            if not line.endswith(b"\n") and truncation(fh):
                self.cut = line
                return
            yield line.decode("utf-8", "surrogateescape")


def _swallowed_rows(row: list[str], delimiter: str, width: int) -> bool:
    """True when a field holds line breaks followed by what looks like whole rows (at least
    ``width - 1`` delimiters on a line): the mark of an unterminated quote."""
    for cell in row:
        if "\n" in cell:
            for part in cell.split("\n")[1:]:
                if part.count(delimiter) >= width - 1:
                    return True
    return False


def read_csv(
    path: Path,
    column_map: Mapping[str, str] | None = None,
    platform: str = "unknown",
    max_field_bytes: int = 8 * 1024 * 1024,
    extract: bool = True,
) -> Iterator[tuple]:
    """Items from a CSV (or TSV, by extension) file through a column mapping.

    Quotes are parsed strictly: an unterminated quote (which would swallow the following
    rows into one field) rejects every physical line it spans, each counted and named.
    Without hashtags/mentions columns they are extracted from the text (``extract``).
    """
    name = str(path)
    csv.field_size_limit(max_field_bytes)
    delimiter = "\t" if ".tsv" in path.suffixes or path.suffix == ".tab" else ","
    with open_binary(path) as fh:
        lines = _CsvLines(fh)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield REJECT, RecordError(f"file rejected: unreadable header: {exc}", "-", 1, name)
            return
        if header:
            header[0] = header[0].lstrip("\ufeff")
        header = [h.strip() for h in header]
        try:
            mapping = resolve_map(column_map, header)
        except LoaderError as exc:
            yield REJECT, RecordError(f"file rejected: {exc}", "-", 1, name)
            return
        from_text, notes = entities_from_text(mapping, path, extract)
        yield from notes
        pos = {h: i for i, h in enumerate(header)}
        index = [pos.get(mapping.get(t, "\0")) for t in TARGETS]
        field_names = {t: s for t, s in mapping.items()}
        width = len(header)
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                last = max(reader.line_num, line)
                why = str(exc)
                if "end of data" in why or last > line:
                    why = f"unterminated quote: the quoted field opened at line {line} runs to line {last} ({exc})"
                for n in range(line, last + 1):
                    yield REJECT, RecordError(f"malformed CSV: {why}", "-", n, name)
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            last = reader.line_num
            if last > line and (len(row) != width or _swallowed_rows(row, delimiter, width)):
                bad = next((header[i] for i, c in enumerate(row) if "\n" in c and i < width), "-")
                why = (f"malformed CSV: unterminated quote: the quoted field opened at line {line} "
                       f"swallows lines up to {last}")
                for n in range(line, last + 1):
                    yield REJECT, RecordError(why, bad, n, name, ",".join(row)[:500] if n == line else None)
                continue
            if len(row) != width:
                yield REJECT, RecordError(
                    f"expected {width} fields, found {len(row)}", "-", line, name, ",".join(row)
                )
                continue
            joined = ",".join(row)
            try:
                if not joined.isascii():
                    joined.encode("utf-8")
            except UnicodeEncodeError as exc:
                raw = joined
                bad_at = exc.start
                bad = next((header[i] for i, c in enumerate(row) if _has_surrogate(c)), "-")
                yield REJECT, RecordError(
                    f"invalid UTF-8: byte 0x{ord(raw[bad_at]) - 0xDC00:02x}", bad, line, name,
                    raw.encode("utf-8", "surrogateescape"),
                )
                continue
            if "\0" in joined:
                bad = next((header[i] for i, c in enumerate(row) if "\0" in c), "-")
                yield REJECT, RecordError("NUL byte in the field", bad, line, name, joined)
                continue
            values = [row[i] if i is not None else None for i in index]
            yield from _convert(values, path, line, platform, joined, field_names, from_text)
        cut = truncation(fh)
        if cut:
            if lines.cut:
                yield REJECT, RecordError("cut by truncation: the last record of a truncated gzip is incomplete",
                                          "-", reader.line_num + 1, name, lines.cut[:200])
            yield REJECT, RecordError(f"truncated or corrupt gzip: {cut}", "-", reader.line_num + 1, name)


def _has_surrogate(text: str) -> bool:
    """True when ``text`` holds undecodable bytes (surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_parquet(
    path: Path,
    column_map: Mapping[str, str] | None = None,
    platform: str = "unknown",
    batch_size: int = 65536,
) -> Iterator[tuple]:
    """Items from a Parquet file through a column mapping (row number = ``line``)."""
    import pyarrow.parquet as pq

    name = str(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        yield REJECT, RecordError(f"unreadable Parquet: {exc}"[:300], "-", 0, name)
        return
    columns = pf.schema_arrow.names
    try:
        mapping = resolve_map(column_map, columns)
    except LoaderError as exc:
        yield REJECT, RecordError(f"file rejected: {exc}", "-", 0, name)
        return
    wanted = sorted(set(mapping.values()))
    field_names = dict(mapping)
    from_text, notes = entities_from_text(mapping, path)
    yield from notes
    row_number = 0
    try:
        for batch in pf.iter_batches(batch_size=batch_size, columns=wanted):
            cols = {n: batch.column(n).to_pylist() for n in wanted}
            lists = [cols[mapping[t]] if t in mapping else None for t in TARGETS]
            for r in range(batch.num_rows):
                row_number += 1
                values = [c[r] if c is not None else None for c in lists]
                yield from _convert(values, path, row_number, platform, None, field_names, from_text)
    except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        yield REJECT, RecordError(f"corrupt Parquet: {exc}"[:300], "-", row_number + 1, name)


def _get_path(obj: dict, dotted: str):
    """``obj['a']['b']`` for ``'a.b'``; None when any step is missing."""
    if dotted in obj:
        return obj[dotted]
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def read_json_table(
    path: Path,
    source: LineSource,
    column_map: Mapping[str, str] | None = None,
    platform: str = "unknown",
) -> Iterator[tuple]:
    """Items from JSON lines of flat (or dotted-path) records through a column mapping."""
    name = str(path)
    mapping: dict[str, str] | None = None
    getters: list[str | None] = []
    from_text: tuple = ()
    for number, line in source:
        if isinstance(line, RecordError):
            yield REJECT, line
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield REJECT, json_error(exc, line, name, number)
            continue
        if not isinstance(obj, dict):
            yield REJECT, RecordError("expected a JSON object", "-", number, name, line)
            continue
        if mapping is None:
            try:
                mapping = resolve_map(column_map, list(obj.keys()) + list((column_map or {}).values()))
            except LoaderError as exc:
                yield REJECT, RecordError(f"file rejected: {exc}", "-", number, name, line)
                return
            getters = [mapping.get(t) for t in TARGETS]
            from_text, notes = entities_from_text(mapping, path)
            yield from notes
        values = [(_get_path(obj, g) if g else None) for g in getters]
        yield from _convert(values, path, number, platform, line, dict(mapping), from_text)


# --- academictwitteR / CooRTweet tidy v2 tables --------------------------------------------

TIDY_PARTS = ("tweets", "referenced", "hashtags", "urls", "mentions", "users")
_TIDY_NAME = re.compile(r"^(.*?)(tweets|referenced|hashtags|urls|mentions|users)\.(csv|tsv)(\.gz)?$")


def tidy_part(path: Path) -> tuple[str, str] | None:
    """(group prefix, part) when ``path`` is named like one table of a tidy v2 set."""
    m = _TIDY_NAME.match(path.name)
    if not m:
        return None
    return str(path.parent / m.group(1)), m.group(2)


def _read_side_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a small side table (hashtags, urls, ...)."""
    with _text_stream(path) as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return [], []
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    return header, rows[1:]


def read_tidy_v2(parts: dict[str, Path], platform: str = "twitter") -> Iterator[tuple]:
    """Items from a set of tidy Twitter v2 tables (CooRTweet's preprocess_tweets layout).

    ``parts`` maps a part name to its file: ``tweets`` (tweet_id, author_id,
    created_timestamp or created_at, text, optional lang/counts/source/
    in_reply_to_user_id), ``referenced`` (tweet_id, referenced_tweet_id, type), ``hashtags``
    (tweet_id, tag), ``urls`` (tweet_id, expanded_url), ``mentions`` (tweet_id, username),
    ``users`` (author_id or id, username, name, followers_count, ...). The side tables are
    held in memory (keyed by tweet id); the tweets table is streamed.
    """
    tweets = parts.get("tweets")
    if tweets is None:
        some = next(iter(parts.values()))
        yield REJECT, RecordError("file rejected: a tidy v2 set needs a tweets table", "-", 0, str(some))
        return
    side: dict[str, dict[str, list]] = {}
    spec = {
        "referenced": ("referenced_tweet_id", "type"),
        "hashtags": ("tag",),
        "urls": ("expanded_url",),
        "mentions": ("username",),
    }
    for part, cols in spec.items():
        path = parts.get(part)
        if path is None:
            continue
        header, rows = _read_side_table(path)
        try:
            key = header.index("tweet_id")
            idx = [header.index(c) if c in header else header.index("url") for c in cols]
        except ValueError:
            yield REJECT, RecordError(
                f"file rejected: needs columns tweet_id, {', '.join(cols)}", "-", 1, str(path)
            )
            continue
        table: dict[str, list] = {}
        for number, row in enumerate(rows, start=2):
            if len(row) != len(header):
                yield REJECT, RecordError(
                    f"expected {len(header)} fields, found {len(row)}", "-", number, str(path), ",".join(row)
                )
                continue
            table.setdefault(row[key], []).append(tuple(row[i] for i in idx))
        side[part] = table
    column_map = {"post_id": "tweet_id", "account_id": "author_id"}
    with _text_stream(tweets) as fh:
        header = [h.strip().lstrip("\ufeff") for h in (next(csv.reader(fh), None) or [])]
    column_map["ts"] = "created_timestamp" if "created_timestamp" in header else "created_at"
    refs, tags, urls, mentions = (side.get(p, {}) for p in ("referenced", "hashtags", "urls", "mentions"))
    for kind, item in read_csv(tweets, column_map, platform, extract=not side):
        if kind == POST:
            pid = item[0]
            retweeted = quoted = replied = None
            for rid, rtype in refs.get(pid, ()):
                if rtype == "retweeted":
                    retweeted = rid
                elif rtype == "quoted":
                    quoted = rid
                elif rtype == "replied_to":
                    replied = rid
            item = (
                *item[:10],
                retweeted or item[10],
                quoted or item[11],
                replied or item[12],
                item[13],
                clean_tags([t[0] for t in tags.get(pid, ())]) or item[14],
                clean_list([u[0] for u in urls.get(pid, ())]) or item[15],
                clean_tags([m[0] for m in mentions.get(pid, ())], "@") or item[16],
                *item[17:],
            )
        yield kind, item
    users = parts.get("users")
    if users is not None:
        yield from _read_users_table(users, platform)


def _read_users_table(path: Path, platform: str) -> Iterator[tuple]:
    """Account items from a tidy users table (id or author_id, username, name, counts...)."""
    header, rows = _read_side_table(path)
    pos = {h: i for i, h in enumerate(header)}
    id_col = "author_id" if "author_id" in pos else "id"
    if id_col not in pos:
        yield REJECT, RecordError("file rejected: a users table needs an id column", "-", 1, str(path))
        return

    def get(row, col):
        i = pos.get(col)
        return row[i] if i is not None and i < len(row) else None

    for n, row in enumerate(rows, start=2):
        try:
            yield ACCOUNT, account_tuple(
                req_id(get(row, id_col), id_col),
                platform,
                handle=opt_str(get(row, "username")),
                name=opt_str(get(row, "name")),
                followers=opt_count(get(row, "followers_count"), "followers_count"),
                following=opt_count(get(row, "following_count"), "following_count"),
                posts=opt_count(get(row, "tweet_count"), "tweet_count"),
                created_at=opt_time(get(row, "created_at"), "created_at"),
                verified=opt_bool(get(row, "verified")),
            )
        except RecordError as err:
            err.file, err.line = str(path), n
            yield REJECT, err


def is_parquet(path: Path) -> bool:
    """True when the file starts with Parquet's magic bytes."""
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def parquet_float_ids(path: Path, id_columns) -> list[str]:
    """The columns of ``id_columns`` that a Parquet file stores as floating point."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    return [c for c in id_columns if c in schema.names and pa.types.is_floating(schema.field(c).type)]

