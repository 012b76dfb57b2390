"""Files for ``neo4j-admin database import full``, Neo4j's fastest first load.

``coordgraph ingest --neo4j-import DIR`` reads its input exactly as a normal ingest does, but
instead of writing to a store it writes the CSV files that ``neo4j-admin database import full``
reads (offline, into a new or empty database) and prints the command that imports them
(:func:`admin_command`). The graph they give is the one a normal load gives on Neo4j
(docs/store.md, "Schema"): the same labels and relationship types, the same property names and
types, the same keys (accounts and posts by id, objects by (id, kind)), and one SHARED per
(account, object, post).

One header file per table, then data files written while the input streams by (one per
:meth:`ImportFilesWriter.add` call; memory stays one batch plus the sets of account ids and
object keys already written, as on the bulk path)::

    accounts.header.csv accounts-00001.csv ...  (:Account)  id:ID(Account), profile, handle_lc
    posts.header.csv    posts-00001.csv ...     (:Post)     id:ID(Post), ts:long, details
    objects.header.csv  objects-00001.csv ...   (:Object)   :ID(Object) (not stored), id, kind
    posted.header.csv   posted-00001.csv ...    [:POSTED]   :START_ID(Account), :END_ID(Post)
    shared.header.csv   shared-00001.csv ...    [:SHARED]   :START_ID(Account), :END_ID(Object), post_id, ts:long, kind

Why the format is written by hand and not with ``csv.writer``: neo4j-admin reads an unquoted
empty field as null (no property) and a quoted ``""`` as the empty string. Python 3.11's csv
module writes both None and "" as ``""`` with QUOTE_ALL (QUOTE_NOTNULL exists from 3.12 only).
So every string is quoted (RFC 4180: ``"`` doubled; commas, newlines, ``\\`` and non-ASCII kept
as they are), a null is an empty unquoted field, and numbers and booleans are bare.

Entity lists (hashtags, urls, mentions, image_hashes) are ``string[]`` joined with U+001F (the
ASCII unit separator, ``--array-delimiter=U+001F``). It cannot occur in a hashtag, a handle or a
hex hash, nor in a valid URL (control characters are percent-encoded). An item that holds it, or
an empty item, is refused with the post id and the field named, never changed.

Differences from a normal load, all documented in docs/store.md:

- an empty list is no property at all (a CSV import cannot store an empty array; a normal load
  stores ``[]``); no coordgraph query reads these lists;
- post details are always in the graph (Neo4j's default): ``--post-details`` does not apply;
- an account's profile is its first one (the reader sends each profile once per load anyway;
  an account first seen bare and later with a profile gets the profile, as in a normal load);
- no ``(:Ingest)`` record and no shares version are written (there is no store to write them
  to): a later ``coordgraph ingest --store`` of the same files merges everything again, which
  changes nothing (MERGE).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd
import pyarrow as pa

from coordgraph.cypher.errors import StoreError
from coordgraph.cypher.ingest import (
    ACCOUNT_PROPS,
    BATCH_ROWS,
    POST_PROPS,
    _clean,
    _last_of_each,
    account_rows,
    check_shares,
    handle_keys,
    post_rows,
)
from coordgraph.loader.schema import ACCOUNTS_SCHEMA, POSTS_SCHEMA

ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_OPTION = "U+001F"  # neo4j-admin's notation for --array-delimiter
MOUNT = "/import"  # where the files are mounted in the neo4j container

# table -> (neo4j-admin option, label or relationship type)
TABLES: dict[str, tuple[str, str]] = {
    "accounts": ("nodes", "Account"),
    "posts": ("nodes", "Post"),
    "objects": ("nodes", "Object"),
    "posted": ("relationships", "POSTED"),
    "shared": ("relationships", "SHARED"),
}


def _neo4j_type(arrow_type: pa.DataType) -> str:
    """The neo4j-admin header type of a loader column: what a normal load stores for it."""
    if pa.types.is_list(arrow_type):
        return "string[]"
    if pa.types.is_integer(arrow_type):
        return "long"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    return "string"


# (property, neo4j-admin type), in header order; types follow the loader's schema
ACCOUNT_FIELDS: tuple[tuple[str, str], ...] = (
    *((name, _neo4j_type(ACCOUNTS_SCHEMA.field(name).type)) for name in ACCOUNT_PROPS),
    ("handle_lc", "string"),
)
POST_FIELDS: tuple[tuple[str, str], ...] = tuple(
    (name, _neo4j_type(POSTS_SCHEMA.field(name).type)) for name in POST_PROPS)


def _header_field(name: str, kind: str) -> str:
    """``name`` for a string property, ``name:type`` otherwise."""
    return name if kind == "string" else f"{name}:{kind}"


HEADERS: dict[str, list[str]] = {
    "accounts": ["id:ID(Account)", *(_header_field(n, k) for n, k in ACCOUNT_FIELDS)],
    "posts": ["id:ID(Post)", *(_header_field(n, k) for n, k in POST_FIELDS)],
    "objects": [":ID(Object)", "id", "kind"],  # the key is not stored (no property name)
    "posted": [":START_ID(Account)", ":END_ID(Post)"],
    "shared": [":START_ID(Account)", ":END_ID(Object)", "post_id", "ts:long", "kind"],
}


def object_key(object_id: str, kind: str) -> str:
    """The import key of object (id, kind), unique by construction: ``<len(kind)>:<kind>:<id>``
    (the length makes it unambiguous whatever the kind and id hold)."""
    return f"{len(kind)}:{kind}:{object_id}"


@dataclass
class ImportSummary:
    """What the import files hold: nodes and relationships per table, the shares read (rows,
    per kind), the files of each table (header first) and whether a value spans lines."""

    directory: Path
    accounts: int = 0
    posts: int = 0
    objects: int = 0
    posted: int = 0
    shared: int = 0
    shares: int = 0  # share rows given (a repeated (account, object, post) is one SHARED)
    per_kind: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    multiline: bool = False
    seconds: float = 0.0


# ------------------------------------------------------------------------------ cells
def _text_cell(value) -> str:
    """A string, quoted (inner quotes doubled); None -> an empty field (no property)."""
    if value is None:
        return ""
    return '"' + str(value).replace('"', '""') + '"'


def _long_cell(value) -> str:
    """An integer, bare; None -> an empty field."""
    if value is None:
        return ""
    if isinstance(value, float):
        if not value.is_integer():
            raise StoreError(f"{value!r} is not an integer")
        value = int(value)
    return str(int(value))


def _bool_cell(value) -> str:
    """``true`` / ``false`` (neo4j-admin reads exactly ``true`` as true); None -> empty."""
    if value is None:
        return ""
    return "true" if value else "false"


def _list_cell(items, where: Callable[[], str]) -> str:
    """A ``string[]`` value joined with U+001F and quoted; an empty list -> an empty field.
    Refuses an item that holds the delimiter or is empty (neo4j-admin would split it or drop
    it): ``where()`` names the post and field in the error."""
    if not items:
        return ""
    for item in items:
        if ARRAY_DELIMITER in item:
            raise StoreError(f"{where()}: item {item!r} holds U+001F, the array delimiter of the import "
                             "files (neo4j-admin would split it); load this input with coordgraph ingest "
                             "--store instead")
        if not item:
            raise StoreError(f"{where()}: an empty item cannot be written to the import files "
                             "(neo4j-admin drops it); load this input with coordgraph ingest --store instead")
    return _text_cell(ARRAY_DELIMITER.join(items))


def _cells(values: Iterable, kind: str, where: Callable[[int], Callable[[], str]]) -> list[str]:
    """One column's cells: values cleaned as the normal load cleans them (NaN -> null, NUL ->
    U+FFFD, numpy -> Python), then written as ``kind``."""
    out = []
    for i, raw in enumerate(values):
        value = _clean(raw)
        if kind == "string[]":
            out.append(_list_cell(value, where(i)))
        elif kind == "long":
            try:
                out.append(_long_cell(value))
            except StoreError as exc:
                raise StoreError(f"{where(i)()}: {exc}") from None
        elif kind == "boolean":
            out.append(_bool_cell(value))
        else:
            out.append(_text_cell(value))
    return out


def _column(frame: pd.DataFrame, name: str) -> list:
    """A column's values, or nulls when the table does not have it."""
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


# ------------------------------------------------------------------------------ files
def _private_directory(directory: Path) -> Path:
    """``directory`` created (or found empty) with mode 0700: the files are the user's data.
    A non-empty directory is refused: old files would be imported with the new ones."""
    directory = Path(directory).expanduser().resolve()
    if directory.exists():
        if not directory.is_dir():
            raise StoreError(f"{directory}: not a directory")
        if any(directory.iterdir()):
            raise StoreError(f"{directory} is not empty: --neo4j-import writes into a new or empty directory "
                             "(remove the files of an earlier run first)")
    else:
        directory.mkdir(parents=True, mode=0o700)
    os.chmod(directory, 0o700)
    return directory


def _private_file(path: Path):
    """A new text file with mode 0600 (never an existing one)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)  # whatever the umask
    return open(fd, "w", encoding="utf-8", newline="")


class ImportFilesWriter:
    """Writes one load as neo4j-admin import files into a new directory.

    The interface is :class:`coordgraph.cypher.ingest.LoadWriter`'s, so ``ingest`` drives both
    the same way: ``add(posts, accounts, shares, kind)`` per batch, then ``finish()``.

    Keys and duplicates, as a normal load ends up:

    - accounts: one node per id. A profile is written when it comes (the reader sends each
      profile once per load, first one winning); an account named only bare (no profile), as
      a post author or by a share is written at :meth:`finish`, so a profile that comes in a
      later batch is still the one used;
    - posts: one node per id (the reader drops repeated posts; in a batch the last row wins,
      as on the merge path), with its POSTED from the author;
    - objects: one node per (id, kind);
    - SHARED: one per (account, object, post) in each ``add`` call, the first (as the bulk
      path; ``ingest`` gives all the shares of a posts input in one call).
    """

    def __init__(self, directory: Path, *, batch_rows: int = BATCH_ROWS,
                 progress: Callable[[int], None] | None = None):
        self.directory = _private_directory(directory)
        self.batch_rows = batch_rows
        self.progress = progress
        self.summary = ImportSummary(directory=self.directory)
        self._started = time.perf_counter()
        self._accounts: set[str] = set()  # account ids written to a file
        self._bare: dict[str, str | None] = {}  # named but not written yet -> platform (None: unknown)
        self._objects: set[str] = set()  # object keys written
        self._adds = 0

    # ------------------------------------------------------------------------------ tables
    def add(self, posts=None, accounts=None, shares=None, kind: str | None = None) -> None:
        """Write one set of tables (any may be None): accounts, then posts, then shares."""
        if accounts is not None and len(accounts):
            self._add_accounts(accounts)
        if posts is not None and len(posts):
            self._add_posts(posts)
        if shares is not None and len(shares):
            self._add_shares(shares, kind)
        self._adds += 1
        if self.progress:
            self.progress(self._adds)

    def _add_accounts(self, accounts: pd.DataFrame) -> None:
        """Profiles not written yet go to a file; bare accounts wait for :meth:`finish`."""
        account_rows(accounts.iloc[:0])  # column check
        frame = _last_of_each(accounts, "account_id").reset_index(drop=True)
        ids = frame["account_id"].astype(str).tolist()
        others = [c for c in ACCOUNT_PROPS if c != "platform" and c in frame.columns]
        bare = frame[others].isna().all(axis=1).tolist() if others else [True] * len(frame)
        platforms = [_clean(p) for p in _column(frame, "platform")]
        keep = []
        for i, (account, is_bare, platform) in enumerate(zip(ids, bare, platforms)):
            if account in self._accounts:
                continue  # a second profile of a written account: the first one stays
            if is_bare:
                if self._bare.get(account) is None:
                    self._bare[account] = platform
                continue
            self._bare.pop(account, None)
            self._accounts.add(account)
            keep.append(i)
        if keep:
            self._write_accounts(frame.iloc[keep].reset_index(drop=True))

    def _write_accounts(self, frame: pd.DataFrame) -> None:
        """Account rows: id, the profile, handle_lc (as the normal load computes it)."""
        if "handle" in frame.columns:
            frame = frame.assign(handle_lc=handle_keys(frame["handle"]))
        ids = frame["account_id"].astype(str).tolist()

        def where(i):
            return lambda: f"account {ids[i]!r}"

        def rows(part: pd.DataFrame, offset: int) -> list[str]:
            columns = [[_text_cell(a) for a in ids[offset:offset + len(part)]]]
            columns += [_cells(_column(part, name), kind, lambda i: where(offset + i))
                        for name, kind in ACCOUNT_FIELDS]
            return [",".join(cells) for cells in zip(*columns)]

        self._write("accounts", (rows(frame.iloc[i:i + self.batch_rows], i)
                                 for i in range(0, len(frame), self.batch_rows)))
        self.summary.accounts += len(frame)

    def _name(self, account_ids: Iterable[str]) -> None:
        """Accounts met as post authors or sharers: written bare at :meth:`finish` unless a
        profile comes first."""
        for account in account_ids:
            if account not in self._accounts and account not in self._bare:
                self._bare[account] = None

    def _add_posts(self, posts: pd.DataFrame) -> None:
        """Post nodes (every post property: Neo4j keeps details in the graph) and POSTED."""
        post_rows(posts.iloc[:0])  # column check
        frame = _last_of_each(posts, "post_id").reset_index(drop=True)
        ids = frame["post_id"].astype(str).tolist()
        authors = frame["account_id"].astype(str).tolist()

        def where(i, name):
            return lambda: f"post {ids[i]!r}, field {name}"

        def rows(part: pd.DataFrame, offset: int) -> list[str]:
            columns = [[_text_cell(p) for p in ids[offset:offset + len(part)]]]
            columns += [_cells(_column(part, name), kind, lambda i, name=name: where(offset + i, name))
                        for name, kind in POST_FIELDS]
            return [",".join(cells) for cells in zip(*columns)]

        self._write("posts", (rows(frame.iloc[i:i + self.batch_rows], i)
                              for i in range(0, len(frame), self.batch_rows)))
        self._write("posted", ([f"{_text_cell(a)},{_text_cell(p)}" for a, p in
                                zip(authors[i:i + self.batch_rows], ids[i:i + self.batch_rows])]
                               for i in range(0, len(ids), self.batch_rows)))
        self._name(authors)
        self.summary.posts += len(ids)
        self.summary.posted += len(ids)

    def _add_shares(self, shares: pd.DataFrame, kind: str | None) -> None:
        """New objects, then one SHARED per (account, object, post) of this table (the first)."""
        ts = check_shares(shares)
        table = pd.DataFrame({"a": shares["account_id"].astype(str).to_numpy(),
                              "o": shares["object_id"].astype(str).to_numpy(),
                              "p": shares["content_id"].astype(str).to_numpy(), "t": ts.to_numpy()})
        if "kind" in shares.columns:
            table["k"] = shares["kind"].fillna(kind or "unknown").astype(str).to_numpy()
        else:
            table["k"] = kind or "unknown"
        for k, n in table["k"].value_counts().items():
            self.summary.per_kind[k] = self.summary.per_kind.get(k, 0) + int(n)
        self.summary.shares += len(table)
        table = table[~table.duplicated(["a", "o", "k", "p"], keep="first")].reset_index(drop=True)
        keys = [object_key(o, k) for o, k in zip(table["o"].tolist(), table["k"].tolist())]
        new = {}
        for key, o, k in zip(keys, table["o"].tolist(), table["k"].tolist()):
            if key not in self._objects and key not in new:
                new[key] = (o, k)
        self._objects.update(new)
        objects = [f"{_text_cell(key)},{_text_cell(o)},{_text_cell(k)}" for key, (o, k) in new.items()]
        self._write("objects", (objects[i:i + self.batch_rows] for i in range(0, len(objects), self.batch_rows)))
        self.summary.objects += len(objects)
        self._name(dict.fromkeys(table["a"].tolist()))

        def rows(start: int) -> list[str]:
            part = table.iloc[start:start + self.batch_rows]
            return [f"{_text_cell(a)},{_text_cell(key)},{_text_cell(p)},{int(t)},{_text_cell(k)}"
                    for a, key, p, t, k in zip(part["a"].tolist(), keys[start:start + self.batch_rows],
                                               part["p"].tolist(), part["t"].tolist(), part["k"].tolist())]

        self._write("shared", (rows(i) for i in range(0, len(table), self.batch_rows)))
        self.summary.shared += len(table)

    # ------------------------------------------------------------------------------ files
    def _write(self, table: str, parts: Iterator[list[str]]) -> None:
        """One new data file of ``table`` from its row parts (nothing when there are none);
        the table's header file is written with its first data file."""
        parts = iter(parts)
        first = next(parts, None)
        if not first:
            return
        names = self.summary.files.setdefault(table, [])
        if not names:
            with _private_file(self.directory / f"{table}.header.csv") as fh:
                fh.write(",".join(HEADERS[table]) + "\n")
            names.append(f"{table}.header.csv")
        name = f"{table}-{len(names):05d}.csv"
        with _private_file(self.directory / name) as fh:
            names.append(name)
            for rows in (first, *parts):
                text = "\n".join(rows) + "\n"
                # a value with a line break: rows joined hold more "\n" than rows, or a "\r"
                if not self.summary.multiline and (text.count("\n") != len(rows) or "\r" in text):
                    self.summary.multiline = True
                fh.write(text)

    def finish(self) -> ImportSummary:
        """Write the accounts named but never given a profile (bare: id and, when known,
        platform), then return what the files hold."""
        if self._bare:
            ids = list(self._bare)
            frame = pd.DataFrame({"account_id": ids, "platform": [self._bare[a] for a in ids]})
            self._accounts.update(ids)
            self._bare = {}
            self._write_accounts(frame)
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary


# ------------------------------------------------------------------------------ command
def admin_arguments(summary: ImportSummary, mount: str = MOUNT, database: str = "neo4j") -> list[str]:
    """The arguments of ``neo4j-admin`` that import the files, as mounted at ``mount``:
    ``database import full <database>`` (the database first: ``--nodes`` takes several
    values and would swallow a database name after it), one ``--nodes=Label=header,data...`` /
    ``--relationships=TYPE=header,data...`` per table, then the options the files need."""
    args = ["database", "import", "full", database]
    for table, (option, name) in TABLES.items():
        files = summary.files.get(table)
        if files:
            args.append(f"--{option}={name}=" + ",".join(f"{mount}/{f}" for f in files))
    args.append(f"--array-delimiter={ARRAY_DELIMITER_OPTION}")
    # a safety net: the reader drops repeated posts per platform; any other repeated node id
    # is imported once (the first) instead of failing the import
    args.append("--skip-duplicate-nodes=true")
    if summary.multiline:
        args.append("--multiline-fields=true")
    return args


def admin_command(summary: ImportSummary, service: str = "neo4j", database: str = "neo4j") -> str:
    """The shell lines that import the files into the docker-compose.yml Neo4j: stop the
    server, run neo4j-admin in a one-off container of the service with the directory mounted
    read-only at /import, start again.

    Why ``--entrypoint neo4j-admin``: the image's entrypoint runs commands as its ``neo4j``
    user and first checks that /import is readable by that user, which a 0700 directory of
    another user is not. Run directly, neo4j-admin runs as the container's root, which can read
    the files; the database files it writes belong to root until the next start of the
    service, whose entrypoint gives /data back to ``neo4j`` (it chowns what that user cannot
    write)."""
    import shlex

    args = admin_arguments(summary, database=database)
    volume = shlex.quote(f"{summary.directory}:{MOUNT}:ro")
    lines = [f"docker compose stop {service}",
             f"docker compose run --rm --no-deps --entrypoint neo4j-admin -v {volume} {service} \\",
             "  " + " ".join(args[:4]) + " \\"]
    lines += [f"  {arg} \\" for arg in args[4:-1]]
    lines.append(f"  {args[-1]}")
    lines.append(f"docker compose up -d  # then: coordgraph analyze --store bolt://localhost:7687 "
                 "(creates coordgraph's constraints and indexes)")
    return "\n".join(lines)
