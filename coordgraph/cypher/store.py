"""One store interface, two adapters: the embedded FalkorDB (default) and Neo4j 5.

``open_store(uri)`` picks the adapter from the URI:

- None / "" / "embedded": the embedded FalkorDB of ``$COORDGRAPH_HOME`` (started on demand);
- ``falkordb://host:port[/graph]`` or ``redis://...``: a FalkorDB server that already runs;
- ``bolt://``, ``neo4j://``, ``bolt+s://``, ``neo4j+s://``: Neo4j, with the credentials from
  NEO4J_USER / NEO4J_PASSWORD (and the database from NEO4J_DATABASE, default ``neo4j``).

Both adapters expose ``query`` (write path, for coordgraph's own code), ``read`` (read-only:
FalkorDB ``GRAPH.RO_QUERY``, a Neo4j read transaction; optional time limit ``timeout_s``),
``read_table`` (the same as a DataFrame), ``run_file`` (a query file in this store's dialect,
read-only) and ``write_file`` (a query file on the write path). Writes are
never retried automatically: a retried write would run twice.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence
from urllib.parse import urlparse

from coordgraph.cypher import server
from coordgraph.cypher.dialect import FALKORDB, NEO4J, Dialect
from coordgraph.cypher.errors import QueryError, ReadOnlyViolation, StoreError, StoreUnavailable

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_GRAPH = "coordgraph"
from coordgraph.cypher.limits import HAND_TYPED_TIMEOUT_S  # noqa: E402,F401 (re-exported)


class QueryTimeout(QueryError):
    """A read-only query ran longer than its time limit and the store stopped it."""


def _timeout_message(timeout_s: float) -> str:
    return (f"the query ran longer than its time limit of {timeout_s:g} s and was stopped; narrow it "
            "(a run_id, a LIMIT, fewer hops) or allow more time (coordgraph cypher --timeout SECONDS)")


@dataclass
class RelationshipTable:
    """Relationships to create, one per row: ``rel_type`` from the ``start_label`` node whose
    ``id`` is ``start_keys[i]`` to the ``end_label`` node ``end_keys[i]``, with one property
    per column of ``properties`` (a missing value leaves it unset). Labels and types are
    coordgraph's own names (checked), never user text."""

    rel_type: str
    start_label: str
    start_keys: Any
    end_label: str
    end_keys: Any
    properties: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.start_keys)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _name(name: str) -> str:
    """A label, type or property name of coordgraph's queries (letters, digits, _)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a plain name: {name!r}")
    return name


class Store:
    """The graph store interface shared by both adapters."""

    dialect: Dialect
    uri: str

    def query(self, cypher: str, params: dict | None = None) -> list[dict]:
        """Run ``cypher`` on the write path; rows as dicts (column name -> plain value)."""
        raise NotImplementedError

    def read(self, cypher: str, params: dict | None = None, timeout_s: float | None = None,
             max_rows: int | None = None) -> list[dict]:
        """Run ``cypher`` read-only; a write raises ReadOnlyViolation (nothing is changed).

        ``timeout_s`` (seconds, None = no limit) stops the query in the store when it runs
        longer and raises QueryTimeout: meant for queries people type by hand (see
        HAND_TYPED_TIMEOUT_S), so that a runaway pattern does not occupy the store.
        ``max_rows`` (None = all) returns at most that many rows and stops the query in the
        store once it has them (FalkorDB: the text gets a LIMIT, see ``limit_rows``; Neo4j:
        the result is streamed and the transaction ended), so a query matching millions of
        rows costs no more than its first ones.
        """
        raise NotImplementedError

    def read_table(self, cypher: str, params: dict | None = None, timeout_s: float | None = None,
                   fast: bool = False) -> "pd.DataFrame":
        """Run ``cypher`` read-only and return its rows as a DataFrame (one column a returned
        name, in the query's order). Same errors and ``timeout_s`` as ``read``.

        ``fast=True`` is for large tables of plain values: on FalkorDB the rows come in the
        server's plain reply format, which redis parses natively (100,000 rows in about 0.8 s
        instead of about 6 s through the falkordb client's parser), but floats then arrive as
        text - convert with ``pd.to_numeric`` - and nodes as nested lists. Other stores ignore it.
        """
        import pandas as pd

        rows = self.read(cypher, params, timeout_s)
        return pd.DataFrame.from_records(rows, columns=list(rows[0]) if rows else None)

    def write_rows(self, cypher: str, columns: "Sequence", params: dict | None = None,
                   batch: int = 10_000) -> int:
        """Run ``cypher`` on the write path once per ``batch`` rows of ``columns`` (Arrow
        arrays, Series or lists of equal length), given as ``$rows``: a list of lists, so the
        query reads a row's values as ``r[0]``, ``r[1]``, ... in the order of ``columns``.
        Other parameters in ``params``. Returns the number of rows. FalkorDB gets the rows
        as parameter text built column-wise (coordgraph.cypher.rows); other stores as values.
        """
        from coordgraph.cypher.rows import row_lists

        n = len(columns[0]) if len(columns) else 0
        for start in range(0, n, batch):
            part = [c[start:start + batch] for c in columns]
            self.query(cypher, {**(params or {}), "rows": row_lists(part)})
        return n

    def create_relationships(self, tables: "Sequence[RelationshipTable]", batch: int = 10_000) -> int:
        """Create the relationships of ``tables`` between nodes that exist (each end found by
        its label and ``id``); returns how many. Here with ``UNWIND ... MATCH ... CREATE``
        (:meth:`write_rows`); FalkorDB appends them with ``GRAPH.BULK`` instead."""
        n = 0
        for t in tables:
            props = ", ".join(f"{_name(k)}: r[{i}]" for i, k in enumerate(t.properties, start=2))
            n += self.write_rows(
                f"UNWIND $rows AS r MATCH (a:{_name(t.start_label)} {{id: r[0]}}) "
                f"MATCH (b:{_name(t.end_label)} {{id: r[1]}}) CREATE (a)-[:{_name(t.rel_type)} {{{props}}}]->(b)",
                [t.start_keys, t.end_keys, *t.properties.values()], batch=batch)
        return n

    def write_autocommit(self, cypher: str, params: dict | None = None) -> list[dict]:
        """Run a write in an auto-commit transaction (Neo4j's ``CALL {} IN TRANSACTIONS``
        needs one); elsewhere the same as :meth:`query`."""
        return self.query(cypher, params)

    def close(self) -> None:
        """Release connections (the embedded server keeps running)."""

    # shared helpers -------------------------------------------------------------------
    def run_file(self, name: str, params: dict | None = None, timeout_s: float | None = None) -> list[dict]:
        """Run query file ``queries/<name>.cypher`` read-only in this store's dialect
        (``timeout_s`` as in ``read``)."""
        return self.read(self.dialect.query_text(name), params, timeout_s)

    def write_file(self, name: str, params: dict | None = None) -> list[dict]:
        """Run query file ``queries/<name>.cypher`` on the write path (coordgraph's own writes)."""
        return self.query(self.dialect.query_text(name), params)

    def ensure_schema(self) -> None:
        """Create the indexes (and on Neo4j the uniqueness constraints); safe to call again."""
        from coordgraph.cypher.schema import ensure_schema

        ensure_schema(self)

    def clear(self) -> None:
        """Delete every node and relationship of this graph (tests and ``db reset``)."""
        raise NotImplementedError

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _plain(value: Any) -> Any:
    """Driver values -> plain Python: nodes/relationships become property dicts."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    props = getattr(value, "properties", None)
    if isinstance(props, dict):  # FalkorDB Node / Edge
        return {k: _plain(v) for k, v in props.items()}
    if hasattr(value, "items") and hasattr(value, "element_id"):  # neo4j Node / Relationship
        return {k: _plain(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------------------
_STRINGS_AND_COMMENTS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL)


def limit_rows(cypher: str, n: int) -> str | None:
    """``cypher`` rewritten to return at most ``n`` rows, or None when it cannot be.

    The store then stops producing rows after the n-th (its pipeline is lazy), instead of
    building the whole result. A query whose final RETURN has no LIMIT gets ``LIMIT n``
    appended (its columns keep their order); one with a LIMIT, a UNION or a final RETURN
    inside braces is wrapped as ``CALL { ... } RETURN * LIMIT n`` (columns then come in
    name order). A query without RETURN (a bare ``CALL proc()``) is left alone: None.
    """
    text = cypher.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    code = _STRINGS_AND_COMMENTS.sub(" ", text)
    returns = list(re.finditer(r"\bRETURN\b", code, re.IGNORECASE))
    if not returns:
        return None
    tail = code[returns[-1].end():]
    own = re.search(r"\bLIMIT\s+(\d+)\s*$", tail, re.IGNORECASE)
    if own and int(own.group(1)) <= n and not re.search(r"\bUNION\b", code, re.IGNORECASE) and "}" not in tail:
        return text  # already limited to at most n rows
    if re.search(r"\b(LIMIT|UNION)\b", code[returns[0].start():], re.IGNORECASE) or "}" in tail:
        return f"CALL {{\n{text}\n}}\nRETURN * LIMIT {int(n)}"
    return f"{text}\nLIMIT {int(n)}"


def _timeout_ms(timeout_s: float | None) -> int | None:
    """A time limit in seconds as FalkorDB's TIMEOUT argument (whole milliseconds, >= 1)."""
    if timeout_s is None or timeout_s <= 0:
        return None
    return max(1, math.ceil(timeout_s * 1000))


class FalkorStore(Store):
    """A FalkorDB graph reached with the ``falkordb`` client (RESP, no Bolt).

    No socket timeout (long writes must finish), no automatic retries of a write that may have
    reached the server (a retried write would run twice). ``password`` None looks it up
    (``server.password_for``: $COORDGRAPH_FALKORDB_PASSWORD, or the workspace password of the
    local embedded server on that port).

    ``home`` (the embedded store's workspace) makes the store follow its server: when the
    connection fails, ``server.json`` is read again and the client reconnects to the port the
    server runs on now (``coordgraph db start`` after a stop picks a new free port), so a
    long-running web app recovers by itself. After a reconnection a read is run again; a
    write only when it was never sent (the connection was refused).
    """

    dialect = FALKORDB

    def __init__(self, host: str, port: int, graph: str = DEFAULT_GRAPH, password: str | None = None,
                 home: "os.PathLike | None" = None):
        self.graph_name = graph
        self._home = home
        self._given_password = password
        self._connect(host, port)

    def _connect(self, host: str, port: int, password: str | None = None) -> None:
        """(Re)build the client for host:port and check it answers; StoreUnavailable if not."""
        from falkordb import FalkorDB
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        if password is None:
            password = self._given_password
        if password is None:
            password = server.password_for(host, port)
        self.host, self.port = host, port
        self.uri = f"falkordb://{host}:{port}/{self.graph_name}"
        try:
            self._db = FalkorDB(host=host, port=port, password=password, socket_timeout=None,
                                socket_connect_timeout=5, retry=Retry(NoBackoff(), 0), retry_on_error=[])
            self._db.connection.ping()
        except Exception as exc:  # noqa: BLE001
            raise StoreUnavailable(f"cannot reach the FalkorDB store at {host}:{port} ({exc}); "
                                   "start it with: coordgraph db start") from exc
        self._graph = self._db.select_graph(self.graph_name)

    def _reconnect(self) -> bool:
        """Connect again (embedded: to the port in ``server.json`` now); True when it answers."""
        try:
            self._db.connection.close()
        except Exception:  # noqa: BLE001
            pass
        host, port, password = self.host, self.port, None
        if self._home is not None:
            try:
                info = server.status(Path(self._home))
            except StoreError:
                info = None
            if info is None:
                return False
            host, port, password = info.host, info.port, info.password
        try:
            self._connect(host, port, password)
        except StoreUnavailable:
            return False
        return True

    def _call(self, action, retry_safe: bool):
        """``action()``, reconnecting once when the connection fails (see the class doc)."""
        import redis

        try:
            return action()
        except redis.exceptions.ConnectionError as exc:
            down = StoreUnavailable(f"the FalkorDB store at {self.uri} is down or unreachable ({exc}); "
                                    "start it with: coordgraph db start")
            if not self._reconnect():
                if self._home is not None:  # the embedded store: say what state it is in
                    found = server.inspect(Path(self._home))
                    if found.state not in ("stopped", "running"):
                        raise StoreUnavailable(found.message) from exc
                raise down from exc
            # "Error 111 connecting to ...": the command never left this process
            if not (retry_safe or "connecting to" in str(exc)):
                raise StoreUnavailable(
                    f"the connection to the FalkorDB store dropped during a write ({exc}); it may or may not "
                    f"have been applied; reconnected to {self.uri}: check, then run it again") from exc
            try:
                return action()
            except redis.exceptions.ConnectionError as again:
                raise StoreUnavailable(f"the FalkorDB store at {self.uri} is down or unreachable ({again}); "
                                       "start it with: coordgraph db start") from again

    def _run(self, cypher: str, params: dict | None, read_only: bool,
             timeout_s: float | None = None) -> list[dict]:
        import redis

        try:
            if read_only:
                res = self._call(lambda: self._graph.ro_query(cypher, params or None,
                                                              timeout=_timeout_ms(timeout_s)), True)
            else:
                res = self._call(lambda: self._graph.query(cypher, params or None), False)
        except redis.exceptions.ResponseError as exc:
            msg = str(exc)
            if read_only and "empty key" in msg:
                return []  # the graph does not exist yet: nothing to read
            if timeout_s and "timed out" in msg.lower():
                raise QueryTimeout(_timeout_message(timeout_s)) from exc
            if read_only and ("read-only" in msg.lower() or "readonly" in msg.lower()
                              or "graph.ro_query is to be executed only on read-only queries" in msg.lower()):
                raise ReadOnlyViolation(
                    "this query writes to the graph, but only read-only queries are allowed here") from exc
            raise QueryError(f"the store rejected the query: {msg}") from exc
        header = [h[1] if isinstance(h, (list, tuple)) else h for h in (res.header or [])]
        return [{name: _plain(v) for name, v in zip(header, row)} for row in res.result_set]

    def query(self, cypher: str, params: dict | None = None) -> list[dict]:
        return self._run(cypher, params, read_only=False)

    def read(self, cypher: str, params: dict | None = None, timeout_s: float | None = None,
             max_rows: int | None = None) -> list[dict]:
        if max_rows is not None:
            capped = limit_rows(cypher, max_rows)
            rows = self._run(capped or cypher, params, read_only=True, timeout_s=timeout_s)
            return rows[:max_rows]
        return self._run(cypher, params, read_only=True, timeout_s=timeout_s)

    def read_table(self, cypher: str, params: dict | None = None, timeout_s: float | None = None,
                   fast: bool = False) -> "pd.DataFrame":
        if not fast:
            return super().read_table(cypher, params, timeout_s)
        import pandas as pd
        import redis

        from coordgraph.cypher.rows import params_literal

        header = f"CYPHER {params_literal(params)} " if params else ""
        args = ["GRAPH.RO_QUERY", self.graph_name, header + cypher]
        if (ms := _timeout_ms(timeout_s)) is not None:
            args += ["timeout", ms]
        try:
            reply = self._call(lambda: self._db.connection.execute_command(*args), True)
        except redis.exceptions.ResponseError as exc:
            msg = str(exc)
            if "empty key" in msg:
                return pd.DataFrame()  # the graph does not exist yet: nothing to read
            if timeout_s and "timed out" in msg.lower():
                raise QueryTimeout(_timeout_message(timeout_s)) from exc
            if "read-only" in msg.lower() or "readonly" in msg.lower() or "ro_query" in msg.lower():
                raise ReadOnlyViolation(
                    "this query writes to the graph, but only read-only queries are allowed here") from exc
            raise QueryError(f"the store rejected the query: {msg}") from exc
        if len(reply) < 3:  # a query without RETURN: statistics only
            return pd.DataFrame()
        return pd.DataFrame.from_records(reply[1], columns=list(reply[0]))

    def write_rows(self, cypher: str, columns: Sequence, params: dict | None = None,
                   batch: int = 10_000) -> int:
        import redis

        from coordgraph.cypher.rows import list_literal, params_literal, row_texts

        n = len(columns[0]) if len(columns) else 0
        if n == 0:
            return 0
        rows = row_texts(columns)  # every row's text at once; each batch a slice of them
        head = params_literal(params or {})
        for start in range(0, n, batch):
            text = f"CYPHER rows={list_literal(rows[start:start + batch])} {head} {cypher}"
            try:
                self._call(lambda: self._db.connection.execute_command(
                    "GRAPH.QUERY", self.graph_name, text, "--compact"), False)
            except redis.exceptions.ResponseError as exc:
                raise QueryError(f"the store rejected the query: {exc}") from exc
        return n

    def create_relationships(self, tables: Sequence[RelationshipTable], batch: int = 10_000) -> int:
        """Append the relationships with ``GRAPH.BULK`` (no ``BEGIN``: the graph exists): the
        ends' node ids are looked up once per label, the rows encoded column by column
        (coordgraph.cypher.bulk). 647,068 COORDINATED with 8 properties: 1.9 s instead of 9.4 s
        through ``UNWIND ... CREATE`` (issue 14, 10M shares). The server updates any
        relationship index and logs the call like any write. An end missing from the store is
        an error (nothing is written)."""
        import pandas as pd
        import redis

        from coordgraph.cypher.bulk import BulkWriter

        tables = [t for t in tables if len(t)]
        if not tables:
            return 0
        keys: dict[str, list] = {}
        for t in tables:
            keys.setdefault(t.start_label, []).append(t.start_keys)
            keys.setdefault(t.end_label, []).append(t.end_keys)
        ids = {label: self._node_ids(label, parts) for label, parts in keys.items()}
        writer = BulkWriter(self.bulk_connection(), self.graph_name, append=True)
        try:
            for t in tables:
                src = ids[t.start_label].reindex(pd.Index(t.start_keys).astype(str)).to_numpy()
                dst = ids[t.end_label].reindex(pd.Index(t.end_keys).astype(str)).to_numpy()
                writer.add_edge_table(_name(t.rel_type), src, dst,
                                      {_name(k): pd.Series(v).reset_index(drop=True) for k, v in t.properties.items()})
            writer.close()
        except redis.exceptions.ResponseError as exc:
            raise QueryError(f"the store rejected the relationships: {exc}") from exc
        except redis.exceptions.ConnectionError as exc:
            raise StoreUnavailable(f"the connection to the FalkorDB store at {self.uri} dropped during a write "
                                   f"({exc}); it may or may not have been applied") from exc
        return sum(len(t) for t in tables)

    def _node_ids(self, label: str, parts: list) -> "pd.Series":
        """Internal node id by ``id`` for the keys in ``parts`` (a Series indexed by key).
        Few keys (against the label's node count) are looked up by index; otherwise every
        node of the label is read once."""
        import numpy as np
        import pandas as pd

        wanted = pd.Index(pd.unique(np.concatenate([np.asarray(p, dtype=object) for p in parts]))).astype(str)
        nodes = self.read(f"MATCH (n:{_name(label)}) RETURN count(n) AS n")  # a count the store keeps
        # a lookup per key costs an index probe (a scan of the label while its index is being
        # built); reading every node of the label once wins when the keys are not few
        if len(wanted) <= 10_000 and len(wanted) * 50 < (nodes[0]["n"] if nodes else 0):
            found = self.read_table(f"UNWIND $k AS k MATCH (n:{_name(label)} {{id: k}}) RETURN n.id AS id, id(n) AS nid",
                                    {"k": wanted.tolist()}, fast=True)
        else:
            found = self.read_table(f"MATCH (n:{_name(label)}) RETURN n.id AS id, id(n) AS nid", fast=True)
        if not len(found):
            found = pd.DataFrame({"id": pd.Series([], dtype=object), "nid": pd.Series([], dtype="int64")})
        found = found.drop_duplicates("id")
        lookup = pd.Series(found["nid"].astype("int64").to_numpy(), index=pd.Index(found["id"]).astype(str))
        missing = wanted.difference(lookup.index)
        if len(missing):
            raise StoreError(f"{len(missing):,} {label} node(s) are not in the store, e.g. id {missing[0]!r}")
        return lookup

    def bulk_connection(self):
        """The (authenticated) redis connection, for ``GRAPH.BULK`` (coordgraph.cypher.bulk)."""
        return self._db.connection

    def pause_log_rewrites(self) -> Callable[..., None]:
        """Stop the server's automatic append-only-file rewrites until the returned function is
        called (it restores the setting, then, unless ``compact=False``, compacts the log once,
        the writes being done). A load killed in between leaves them paused until the server
        restarts or the next bulk load of the embedded store ends.

        Why: a 10M-post bulk load hung the embedded server for good (measured here, FalkorDB
        4.16.3 / Redis 8.2.3): an automatic rewrite forked in the middle of the load (after a
        9 s "fork preparation" waiting for the running GRAPH.BULK), and from then on the server
        answered no command, not even PING, with every thread idle. Two earlier rewrites during
        the same load had gone through. Without the fork during the load, the log is compacted
        once at its end. A server that refuses ``CONFIG`` (a managed one) is left as it is.
        """
        import redis

        conn = self._db.connection
        try:
            before = conn.config_get("auto-aof-rewrite-percentage").get("auto-aof-rewrite-percentage")
            if before == "0" and self._home is not None:  # left paused by a load that was killed
                before = server.AUTO_REWRITE_PERCENTAGE
            conn.config_set("auto-aof-rewrite-percentage", 0)
        except redis.exceptions.RedisError:
            return lambda: None

        def resume(compact: bool = True) -> None:
            from coordgraph.cypher.server import compact_log

            try:
                conn.config_set("auto-aof-rewrite-percentage", before if before is not None else 100)
            except redis.exceptions.RedisError:
                return
            if compact and conn.config_get("appendonly").get("appendonly") == "yes":
                compact_log(self.port, self.host, password=self._given_password)

        return resume

    def clear(self) -> None:
        """Drop the graph key with the plain Redis ``DEL``, not ``GRAPH.DELETE``.

        Why: a read-only query sent on the write path (``GRAPH.QUERY``) to a graph that does
        not exist creates an empty graph in memory, but FalkorDB records only queries that
        change something in the append-only file. ``GRAPH.DELETE`` of that graph *is* recorded,
        and when the server replays its log at the next start the graph is not there: the
        server logs "== CRITICAL == ... graph.DELETE" (measured on FalkorDB 4.16.3 / Redis
        8.2.3). ``DEL`` removes the same key (the module frees the graph) and is recorded only
        when a key was removed; replaying it on a missing key is a no-op, so a restart always
        replays cleanly. Dropping a graph that does not exist does nothing.
        """
        from coordgraph.cypher.beside import forget

        self._graph.schema.clear()  # the client's cached labels / types of this graph
        self._call(lambda: self._db.connection.delete(self.graph_name), True)  # DEL twice is harmless
        forget(self)

    def close(self) -> None:
        try:
            self._db.connection.close()
        except Exception:  # noqa: BLE001
            pass


# --------------------------------------------------------------------------------------
class Neo4jStore(Store):
    """Neo4j 5 through the official driver; reads in read transactions, writes unretried."""

    dialect = NEO4J

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None):
        import neo4j

        self.uri = uri
        self.database = database or os.environ.get("NEO4J_DATABASE", "neo4j")
        user = user or os.environ.get("NEO4J_USER", "neo4j")
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        if password is None:
            raise StoreError("set NEO4J_PASSWORD (and NEO4J_USER, default neo4j) to connect to " + uri)
        try:
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
            self._driver.verify_connectivity()
        except neo4j.exceptions.AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {uri} refused the credentials of NEO4J_USER={user}") from exc
        except Exception as exc:  # noqa: BLE001
            raise StoreUnavailable(f"cannot reach Neo4j at {uri} ({exc})") from exc

    def _run(self, cypher: str, params: dict | None, read_only: bool,
             timeout_s: float | None = None, max_rows: int | None = None) -> list[dict]:
        import neo4j

        mode = neo4j.READ_ACCESS if read_only else neo4j.WRITE_ACCESS
        limit = timeout_s if read_only and timeout_s and timeout_s > 0 else None
        try:
            with self._driver.session(database=self.database, default_access_mode=mode) as session:
                # explicit: the driver does not retry it; the server ends it after ``limit`` s
                tx = session.begin_transaction(timeout=limit)
                try:
                    rows = []
                    for rec in tx.run(cypher, params or {}):  # streamed: stop at max_rows
                        if max_rows is not None and len(rows) >= max_rows:
                            break
                        rows.append({k: _plain(v) for k, v in rec.items()})
                    if read_only:
                        tx.rollback()
                    else:
                        tx.commit()
                finally:
                    if not tx.closed():
                        tx.close()
                return rows
        except neo4j.exceptions.ServiceUnavailable as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} is down or unreachable ({exc})") from exc
        except neo4j.exceptions.ClientError as exc:
            # Neo.ClientError.Transaction.TransactionTimedOut(ClientConfiguration)
            if limit and "TransactionTimedOut" in (exc.code or ""):
                raise QueryTimeout(_timeout_message(limit)) from exc
            # Neo.ClientError.Statement.AccessMode: "Writing in read access mode not allowed"
            if read_only and ("AccessMode" in (exc.code or "") or "read access mode" in (exc.message or "").lower()):
                raise ReadOnlyViolation(
                    "this query writes to the graph, but only read-only queries are allowed here") from exc
            raise QueryError(f"Neo4j rejected the query: {exc.message}") from exc
        except neo4j.exceptions.Neo4jError as exc:  # database or transient errors
            if limit and "TransactionTimedOut" in (exc.code or ""):  # Neo.TransientError.* (Neo4j 4)
                raise QueryTimeout(_timeout_message(limit)) from exc
            raise QueryError(f"Neo4j failed to run the query: {exc.message or exc}") from exc
        except neo4j.exceptions.DriverError as exc:  # session expired, connection lost, ...
            raise StoreUnavailable(f"lost the connection to Neo4j at {self.uri} ({exc})") from exc

    def query(self, cypher: str, params: dict | None = None) -> list[dict]:
        return self._run(cypher, params, read_only=False)

    def read(self, cypher: str, params: dict | None = None, timeout_s: float | None = None,
             max_rows: int | None = None) -> list[dict]:
        return self._run(cypher, params, read_only=True, timeout_s=timeout_s, max_rows=max_rows)

    def write_autocommit(self, cypher: str, params: dict | None = None) -> list[dict]:
        import neo4j

        try:
            with self._driver.session(database=self.database, default_access_mode=neo4j.WRITE_ACCESS) as session:
                return [{k: _plain(v) for k, v in rec.items()} for rec in session.run(cypher, params or {})]
        except neo4j.exceptions.ServiceUnavailable as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} is down or unreachable ({exc})") from exc
        except neo4j.exceptions.Neo4jError as exc:
            raise QueryError(f"Neo4j rejected the query: {exc.message or exc}") from exc
        except neo4j.exceptions.DriverError as exc:
            raise StoreUnavailable(f"lost the connection to Neo4j at {self.uri} ({exc})") from exc

    def clear(self) -> None:
        from coordgraph.cypher.beside import forget

        while self.query("MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS c")[0]["c"]:
            pass
        forget(self)

    def has_gds(self) -> bool:
        """True when the Graph Data Science plugin is installed."""
        try:
            self.read("RETURN gds.version() AS v")
            return True
        except StoreError:
            return False

    def close(self) -> None:
        self._driver.close()


# --------------------------------------------------------------------------------------
def open_store(uri: str | None = None, graph: str | None = None) -> Store:
    """Open the store named by ``uri`` (see the module doc); None = the embedded default.

    ``graph`` names the FalkorDB graph (default ``$COORDGRAPH_GRAPH`` or ``coordgraph``).
    """
    graph = graph or os.environ.get("COORDGRAPH_GRAPH") or DEFAULT_GRAPH
    uri = uri if uri is not None else os.environ.get("COORDGRAPH_STORE")
    if not uri or uri == "embedded":
        home = server.home_dir()
        info = server.ensure_running(home)
        return FalkorStore(info.host, info.port, graph, password=info.password, home=home)
    parsed = urlparse(uri)
    if parsed.scheme in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"):
        return Neo4jStore(uri)
    if parsed.scheme in ("falkordb", "redis"):
        path_graph = parsed.path.strip("/")
        # falkordb://:password@host:port (the password may also come from the environment)
        from urllib.parse import unquote

        password = unquote(parsed.password) if parsed.password else None
        return FalkorStore(parsed.hostname or "127.0.0.1", parsed.port or 6379, path_graph or graph,
                           password=password)
    raise StoreError(f"unknown store URI {uri!r}: use bolt://host:7687, neo4j://host:7687, "
                     "falkordb://host:port or leave --store out for the embedded store")
