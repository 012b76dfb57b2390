"""The graph store: Cypher query files, the store interface, Neo4j and FalkorDB adapters.

Start here: ``open_store(uri=None)`` returns a :class:`Store` (None = the embedded FalkorDB,
started on demand). See docs/store.md for the schema and the researcher queries.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from coordgraph.cypher.errors import (QueryError, ReadOnlyViolation, StoreError,
                                      StoreUnavailable)

if TYPE_CHECKING:
    from coordgraph.cypher.store import FalkorStore, Neo4jStore, Store, open_store

#: loaded on first use (PEP 562): the adapters import the drivers (~40 ms), which
#: ``coordgraph --help`` and the file-only commands never need
_STORE_EXPORTS = frozenset({"FalkorStore", "Neo4jStore", "Store", "open_store"})


def __getattr__(name: str):
    if name in _STORE_EXPORTS:
        from coordgraph.cypher import store as _store

        value = getattr(_store, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'coordgraph.cypher' has no attribute {name!r}")

__all__ = ["FalkorStore", "Neo4jStore", "QueryError", "ReadOnlyViolation", "Store", "StoreError",
           "StoreUnavailable", "latest_run", "list_runs", "open_store"]


def latest_run(store: Store, intent: str | None = None) -> dict | None:
    """The newest complete run (optionally of one intent) as a dict, or None (for the web app)."""
    from coordgraph.cypher.runs import latest_run as _latest

    return _latest(store, intent)


def list_runs(store: Store) -> list[dict]:
    """All complete runs, newest first, with their params and counts (for the web app)."""
    from coordgraph.cypher.runs import list_runs as _list

    return _list(store)
