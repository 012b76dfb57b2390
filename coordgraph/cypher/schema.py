"""The graph schema: node keys, relationship indexes, and creating them on a store.

Nodes and relationships (times are integers, epoch seconds UTC):

- ``(:Account {id, platform, handle, name, followers_count, following_count, posts_count,
  created_at, verified})``
- ``(:Post {id, ts, text, lang, platform, retweeted_id, quoted_id, replied_to_id, ...})``
- ``(:Object {id, kind})`` - what was shared; ``id`` unique across kinds (the loader prefixes
  ``kind:`` in multi-modal tables)
- ``(:Account)-[:POSTED]->(:Post)``
- ``(:Account)-[:SHARED {post_id, ts, kind}]->(:Object)`` - one per (post, object)
- ``(:Run {id, params, created, user, status, counts, ...})`` - provenance of one analysis
- ``(:Account)-[:COSHARE {run_id, object_id, post_id, post_id_y, time_delta, fast}]->(:Account)``
  - the rows of the run's detect_groups result (older share -> newer share)
- ``(:Account)-[:COORDINATED {run_id, weight, avg_time_delta, n_content_id, n_content_id_y,
  edge_symmetry_score, weight_threshold, first_ts, last_ts, [*_fast]}]->(:Account)`` - one
  per unordered account pair and run, stored from the smaller to the larger account id
- ``(:Account)-[:IN_RUN {run_id, community, pagerank, strength, degree, m}]->(:Run)`` -
  per-run statistics of an account (one account belongs to many runs)
- ``(:Ingest {id, done_batches, total_batches, status})`` - resumable loads
"""
from __future__ import annotations

import time

from coordgraph.cypher.errors import QueryError


def ensure_schema(store) -> list[str]:
    """Create every index/constraint of the schema on ``store``; returns the statements run.

    Re-running is harmless: on FalkorDB an existing index is an error that is ignored, on
    Neo4j the statements say ``IF NOT EXISTS``.
    """
    done = []
    for stmt in store.dialect.schema_statements():
        try:
            store.query(stmt)
        except QueryError as exc:
            if not store.dialect.is_duplicate_schema_error(str(exc)):
                raise
        done.append(stmt)
    return done


def await_indexes(store, timeout_s: float = 600.0) -> bool:
    """Wait until every index of ``store`` is built; True when they are, False after
    ``timeout_s`` seconds (queries stay correct meanwhile, only slower).

    Why: an index created over existing data (after a bulk first load) is built in the
    background, and until then a lookup by ``id`` scans every node of the label: right after
    a 1M-post load (4.5 s of index building), a run's 2,000 account lookups took 12 s instead
    of 0.02 s. A load is finished when its graph can be queried at full speed.
    """
    if store.dialect.name == "neo4j":
        try:
            store.query("CALL db.awaitIndexes($s)", {"s": max(1, int(timeout_s))})
        except QueryError:
            return False
        return True
    deadline = time.monotonic() + timeout_s
    while True:
        rows = store.read("CALL db.indexes() YIELD status RETURN status")
        if not any("UNDER CONSTRUCTION" in str(r["status"]).upper() for r in rows):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def indexed_keys(store) -> set[tuple[str, str]]:
    """(label or type, property) pairs that have an index on ``store`` (for tests and status)."""
    if store.dialect.name == "neo4j":
        rows = store.read("SHOW INDEXES YIELD labelsOrTypes, properties "
                          "RETURN labelsOrTypes AS l, properties AS p")
    else:
        rows = store.read("CALL db.indexes() YIELD label, properties RETURN label AS l, properties AS p")
    out = set()
    for row in rows:
        labels = row["l"] if isinstance(row["l"], list) else [row["l"]]
        for label in labels or []:
            for prop in row["p"] or []:
                out.add((label, prop))
    return out
