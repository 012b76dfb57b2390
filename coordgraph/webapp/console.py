"""The researcher console: run read-only, parameterised Cypher and show a table.

Two locks keep the store safe: :func:`check_read_only` refuses statements that contain a
write clause (outside strings and comments) with a clear message, and the statement then
goes through ``Store.read`` (Neo4j read transaction / FalkorDB GRAPH.RO_QUERY), which the
database itself enforces. Parameters are passed separately, never pasted into the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from coordgraph.cypher.store import HAND_TYPED_TIMEOUT_S  # seconds a hand-typed query may run

#: Rows shown at most (the table is for reading, exports are for bulk).
MAX_ROWS = 1000

_WRITE_CLAUSES = re.compile(
    r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV)\b"
    r"|\bCALL\s+(?:gds\.[\w.]*\.(?:write|mutate)|db\.(?:create|drop|idx)|dbms\.|apoc\.(?:create|merge|refactor|periodic))",
    re.IGNORECASE,
)
_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL)
_QUERY_DIR = Path(__file__).resolve().parent.parent / "cypher" / "queries"


class WriteRefused(ValueError):
    """The console only reads: the statement contains a write clause."""


def check_read_only(cypher: str) -> None:
    """Raise :class:`WriteRefused` naming the first write clause found in ``cypher``."""
    code = _STRINGS_AND_COMMENTS.sub(" ", cypher)
    match = _WRITE_CLAUSES.search(code)
    if match:
        clause = " ".join(match.group(0).split()).upper()
        raise WriteRefused(f"refused: the console is read-only and this query writes ({clause})")


def parse_params(text: str | None) -> dict:
    """Parse the console's parameter box (a JSON object) into a dict; blank means none."""
    if not text or not text.strip():
        return {}
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"parameters must be a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError("parameters must be a JSON object, e.g. {\"run_id\": \"r1\"}")
    return value


@dataclass
class Result:
    """A console result: column names, rows (lists of display strings) and a status line."""

    columns: list[str]
    rows: list[dict]
    message: str


def run_console_query(store, cypher: str, params: dict | None = None, max_rows: int = MAX_ROWS) -> Result:
    """Check ``cypher`` is read-only, run it through ``store.read`` and tabulate the rows.

    Values that are not plain (nodes, lists, maps) are shown as compact JSON text.
    """
    if not cypher or not cypher.strip():
        raise ValueError("type a Cypher query or pick one from the library")
    check_read_only(cypher)
    records = store.read(cypher, params or {}, timeout_s=HAND_TYPED_TIMEOUT_S)
    columns: list[str] = []
    for rec in records[:max_rows]:
        for key in rec:
            if key not in columns:
                columns.append(key)
    rows = [{c: _cell(rec.get(c)) for c in columns} for rec in records[:max_rows]]
    more = f" (showing the first {max_rows:,})" if len(records) > max_rows else ""
    return Result(columns, rows, f"{len(records):,} rows{more}")


def _cell(value: object) -> object:
    """A table cell: numbers and strings as they are, anything else as compact JSON."""
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    props = getattr(value, "properties", None)
    if isinstance(props, dict):
        value = props
    try:
        return orjson.dumps(value, default=str).decode()
    except TypeError:
        return str(value)


@dataclass
class LibraryQuery:
    """A query file from the library: its name, text and header comment (parameters)."""

    name: str
    text: str
    header: str


def query_library(directory: Path = _QUERY_DIR) -> list[LibraryQuery]:
    """The read queries of ``coordgraph/cypher/queries`` the console offers, by name.

    A file's leading ``//`` comment lines are its documentation (parameters, units). Files
    whose body writes are left out.
    """
    out = []
    for path in sorted(directory.glob("*.cypher")):
        text = path.read_text(encoding="utf-8")
        header = "\n".join(
            line[2:].strip() for line in text.splitlines() if line.startswith("//")
        )
        try:
            check_read_only(text)
        except WriteRefused:
            continue
        out.append(LibraryQuery(path.stem, text, header))
    return out
