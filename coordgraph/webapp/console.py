"""The researcher console: run read-only, parameterised Cypher and show a table.

Two locks keep the store safe: :func:`check_read_only` refuses statements that contain a
write clause (outside strings and comments) or call a procedure that is not on the list of
read-only procedures (READ_ONLY_PROCEDURES), with a clear message; the statement then goes
through ``Store.read`` (Neo4j read transaction / FalkorDB GRAPH.RO_QUERY), which the database
itself enforces. Parameters are passed separately, never pasted into the text.

The row cap (MAX_ROWS) and the time limit (HAND_TYPED_TIMEOUT_S) are applied in the store:
the query is limited there (``Store.read(max_rows=...)``) and stopped by the store after the
time limit, so a query matching millions of rows neither runs to the end nor travels to the
web server.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import orjson

from coordgraph.cypher.store import HAND_TYPED_TIMEOUT_S  # seconds a hand-typed query may run

#: Rows shown at most (the table is for reading, exports are for bulk).
MAX_ROWS = 1000
#: What a library query's ``$limit`` / ``$skip`` is filled with when left empty.
DEFAULT_LIMIT = 100

#: Procedures that only read, on FalkorDB 4.x and Neo4j 5 (names compared case-insensitively).
#: Any other ``CALL name(...)`` is refused: an unknown procedure may write.
READ_ONLY_PROCEDURES = frozenset(name.lower() for name in (
    # FalkorDB
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.indexes", "db.constraints", "db.meta.stats",
    "db.idx.fulltext.queryNodes", "db.idx.fulltext.queryRelationships",
    "db.idx.vector.queryNodes", "db.idx.vector.queryRelationships",
    "dbms.procedures", "algo.pageRank", "algo.BFS", "algo.betweenness", "algo.labelPropagation",
    "algo.WCC", "algo.SPpaths", "algo.SSpaths", "algo.MSF",
    # Neo4j
    "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships",
    "db.index.vector.queryNodes", "db.index.vector.queryRelationships", "db.ping", "db.info",
    "dbms.components", "dbms.functions", "dbms.info", "dbms.listConfig",
    "dbms.showCurrentUser", "gds.version", "gds.list", "gds.graph.list", "gds.graph.exists",
    "apoc.help", "apoc.meta.schema", "apoc.meta.stats", "apoc.meta.data",
))
#: Graph Data Science modes that only read (``gds.<algo>.stream|stats|estimate``).
_GDS_READ_MODES = re.compile(r"^gds\.[\w.]+\.(stream|stats|estimate)(\.estimate)?$", re.IGNORECASE)

_WRITE_CLAUSES = re.compile(r"\b(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|FOREACH|LOAD\s+CSV)\b", re.IGNORECASE)
_CALLS = re.compile(r"\bCALL\s+([A-Za-z_][\w.]*)\s*\(", re.IGNORECASE)
_PAGING = re.compile(r"\b(LIMIT|SKIP)\s+\$([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL)
_QUERY_DIR = Path(__file__).resolve().parent.parent / "cypher" / "queries"


class WriteRefused(ValueError):
    """The console only reads: the statement contains a write clause."""


def is_read_only_procedure(name: str) -> bool:
    """True when procedure ``name`` is known to only read (READ_ONLY_PROCEDURES, GDS stream/stats)."""
    return name.lower() in READ_ONLY_PROCEDURES or bool(_GDS_READ_MODES.match(name))


def check_read_only(cypher: str) -> None:
    """Raise :class:`WriteRefused` naming the first write clause or unknown procedure in ``cypher``."""
    code = _STRINGS_AND_COMMENTS.sub(" ", cypher)
    match = _WRITE_CLAUSES.search(code)
    if match:
        clause = " ".join(match.group(0).split()).upper()
        raise WriteRefused(f"refused: the console is read-only and this query writes ({clause})")
    for call in _CALLS.finditer(code):
        if not is_read_only_procedure(call.group(1)):
            raise WriteRefused(
                f"refused: the console is read-only and procedure {call.group(1)} is not on its list of "
                "read-only procedures (coordgraph.webapp.console.READ_ONLY_PROCEDURES)")


def fill_paging(cypher: str, params: dict, limit: int = DEFAULT_LIMIT) -> dict:
    """``params`` with every ``LIMIT $x`` / ``SKIP $x`` parameter that is missing or null set to
    ``limit`` / 0 (a library query picked in the console leaves them empty)."""
    out = dict(params)
    code = _STRINGS_AND_COMMENTS.sub(" ", cypher)
    for kind, name in _PAGING.findall(code):
        if out.get(name) is None:
            out[name] = limit if kind.upper() == "LIMIT" else 0
    return out


def library_params(text: str, run_id: str | None) -> dict:
    """The parameter box of a library query: ``run_id`` the selected run, ``LIMIT``/``SKIP``
    parameters DEFAULT_LIMIT / 0, the others null (to fill in)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    names = dict.fromkeys(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))
    params = {n: (run_id if n == "run_id" else None) for n in names}
    return fill_paging(body, params)


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


def run_console_query(store, cypher: str, params: dict | None = None, max_rows: int = MAX_ROWS,
                      timeout_s: float | None = HAND_TYPED_TIMEOUT_S) -> Result:
    """Check ``cypher`` is read-only, run it through ``store.read`` and tabulate the rows.

    At most ``max_rows`` rows are produced by the store (one more is asked for, to tell that
    there are more); the store stops the query after ``timeout_s`` seconds. Values that are
    not plain (nodes, lists, maps) are shown as compact JSON text.
    """
    if not cypher or not cypher.strip():
        raise ValueError("type a Cypher query or pick one from the library")
    check_read_only(cypher)
    params = fill_paging(cypher, params or {})
    records = store.read(cypher, params, timeout_s=timeout_s, max_rows=max_rows + 1)
    more = len(records) > max_rows
    records = records[:max_rows]
    columns: list[str] = []
    for rec in records:
        for key in rec:
            if key not in columns:
                columns.append(key)
    rows = [{c: _cell(rec.get(c)) for c in columns} for rec in records]
    if more:
        return Result(columns, rows, f"showing the first {max_rows:,} rows (the query matches more; "
                                     "narrow it or add LIMIT/SKIP)")
    return Result(columns, rows, f"{len(records):,} rows")


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
