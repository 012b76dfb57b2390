"""Every difference between the two stores' Cypher lives here (FalkorDB 4.x and Neo4j 5).

Most Cypher text is shared: the query files in ``queries/`` run unchanged on both. Where a
store needs other text, a file ``<name>.<dialect>.cypher`` next to ``<name>.cypher`` replaces
it for that dialect only. Differences measured on FalkorDB 4.16 (see docs/store.md):

- no named or ``IF NOT EXISTS`` indexes, and no ``CREATE CONSTRAINT ... REQUIRE`` syntax:
  uniqueness comes from MERGE on indexed keys; re-creating an index is an error we ignore;
- no temporal types: times are integers, epoch seconds UTC, on both stores;
- no ``EXISTS {}`` / ``COUNT {}`` subqueries, no ``CALL {} IN TRANSACTIONS``: the shared
  queries avoid them, and batching is done by the caller. The load queries (``ingest_*``)
  have ``.neo4j`` variants that commit every ``$tx_rows`` rows with ``CALL {} IN
  TRANSACTIONS``, which Neo4j runs only in an auto-commit transaction
  (:meth:`Dialect.load_call`); FalkorDB's first loads take ``GRAPH.BULK`` instead
  (coordgraph.cypher.bulk);
- ``sum()`` of integers returns a float: shared queries wrap it in ``toInteger()``;
- ``MATCH (a)-[:R]->(o) RETURN count(o)`` collapses parallel relationships unless the
  relationship variable is bound: shared queries always bind it (``-[s:SHARED]->``);
- ``toString(float)`` keeps 6 decimals: floats are returned as numbers, never as strings;
- an undirected pattern filtered on an *indexed* relationship property
  (``MATCH (a)-[e:R {p: 1}]-(b)``) matches only one direction of each relationship (measured
  on FalkorDB 4.16: the edge index scan ignores the other direction). We therefore create no
  relationship-property indexes on FalkorDB, so undirected patterns stay correct everywhere;
- a ``SET`` followed by ``WITH ... WHERE ... DELETE`` in the same query loses the SET: such
  steps are separate query files;
- ``x + collect(...)`` inside an aggregating ``WITH`` fails: written another way.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from coordgraph.cypher.errors import StoreError

NEO4J_TX_ROWS = 1_000  # rows per inner transaction of the Neo4j load queries (CALL {} IN TRANSACTIONS)
QUERY_DIR = Path(str(resources.files("coordgraph.cypher") / "queries"))

# (label, property) of every node key: MERGE uses them, so each needs an index.
NODE_KEYS: tuple[tuple[str, str], ...] = (
    ("Account", "id"),
    ("Post", "id"),
    ("Object", "id"),
    ("Run", "id"),
    ("Ingest", "id"),
)
# (relationship type, property) indexed for lookups by run and by post.
REL_INDEXES: tuple[tuple[str, str], ...] = (
    ("SHARED", "post_id"),
    ("COORDINATED", "run_id"),
    ("COSHARE", "run_id"),
    ("IN_RUN", "run_id"),
)
EXTRA_NODE_INDEXES: tuple[tuple[str, str], ...] = (
    ("Account", "handle"),
    ("Account", "handle_lc"),  # lower-cased handle without '@': the web app's search (webapp_search_lc)
    ("Object", "kind"),
)


@dataclass(frozen=True)
class Dialect:
    """The Cypher dialect of one store: its name and the statements that differ."""

    name: str  # "falkordb" or "neo4j"

    @property
    def post_details_beside(self) -> bool:
        """True when post details (text, counts, entities) are best kept beside the graph
        (coordgraph.cypher.post_details): FalkorDB holds every property in memory."""
        return self.name == "falkordb"

    def schema_statements(self) -> list[str]:
        """Index (and on Neo4j constraint) statements that make the schema; safe to re-run."""
        if self.name == "neo4j":
            out = [
                f"CREATE CONSTRAINT {label.lower()}_{prop}_unique IF NOT EXISTS "
                f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
                for label, prop in NODE_KEYS if label != "Object"
            ]
            # objects are keyed by (id, kind): a hashtag and a URL may be the same string
            out.append("CREATE CONSTRAINT object_id_kind_unique IF NOT EXISTS "
                       "FOR (n:Object) REQUIRE (n.id, n.kind) IS UNIQUE")
            out.append("CREATE INDEX object_id IF NOT EXISTS FOR (n:Object) ON (n.id)")
            out += [
                f"CREATE INDEX {label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
                for label, prop in EXTRA_NODE_INDEXES
            ]
            out += [
                f"CREATE INDEX {rel.lower()}_{prop} IF NOT EXISTS FOR ()-[r:{rel}]-() ON (r.{prop})"
                for rel, prop in REL_INDEXES
            ]
            return out
        out = [f"CREATE INDEX FOR (n:{label}) ON (n.{prop})" for label, prop in NODE_KEYS + EXTRA_NODE_INDEXES]
        # no relationship-property indexes on FalkorDB: see the module doc (undirected patterns)
        return out

    def load_call(self, store, name: str, params: dict, tx_rows: int = NEO4J_TX_ROWS) -> list[dict]:
        """Run load query ``name`` (``ingest_*``) with ``params``: on Neo4j in an auto-commit
        transaction with ``$tx_rows`` rows per inner transaction (``CALL {} IN
        TRANSACTIONS``), elsewhere as one write query."""
        text = self.query_text(name)
        if self.name == "neo4j":
            return store.write_autocommit(text, {**params, "tx_rows": tx_rows})
        return store.query(text, params)

    def is_duplicate_schema_error(self, message: str) -> bool:
        """True when a schema statement failed only because the index already exists."""
        low = message.lower()
        return "already indexed" in low or "already exists" in low or "equivalent" in low

    def query_path(self, name: str) -> Path:
        """The file holding query ``name`` in this dialect (a ``.<dialect>.cypher`` override first)."""
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise StoreError(f"bad query name {name!r}: use a file name from {QUERY_DIR} without '.cypher'")
        special = QUERY_DIR / f"{name}.{self.name}.cypher"
        if special.exists():
            return special
        shared = QUERY_DIR / f"{name}.cypher"
        if shared.exists():
            return shared
        raise StoreError(f"no query named {name!r} in {QUERY_DIR} (see docs/store.md for the list)")

    def query_text(self, name: str) -> str:
        """The Cypher text of query ``name`` in this dialect."""
        return self.query_path(name).read_text(encoding="utf-8")


FALKORDB = Dialect("falkordb")
NEO4J = Dialect("neo4j")


def query_names() -> list[str]:
    """Names of all query files (without dialect suffix or ``.cypher``), sorted."""
    names = set()
    for path in QUERY_DIR.glob("*.cypher"):
        stem = path.name[: -len(".cypher")]
        for dialect in ("falkordb", "neo4j"):
            if stem.endswith("." + dialect):
                stem = stem[: -len(dialect) - 1]
        names.add(stem)
    return sorted(names)


def parse_header(text: str) -> dict[str, str]:
    """The parameters documented in a query file's leading comment, as name -> description.

    Two styles are read: ``// param: $name type - meaning`` and ``//   $name  type  meaning``.
    """
    params: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("//"):
            if line:
                break
            continue
        body = line[2:].strip()
        if body.lower().startswith("param:"):
            body = body[len("param:"):].strip()
        if body.startswith("$"):
            name, _, desc = body.partition(" ")
            params[name.lstrip("$").rstrip(":,")] = " ".join(desc.split())
    return params


def used_parameters(text: str) -> set[str]:
    """Names of the ``$parameters`` a query uses (comments ignored)."""
    import re

    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))
