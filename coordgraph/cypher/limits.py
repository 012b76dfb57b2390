"""Limits of the queries people type (``coordgraph cypher``, the web app's console).

A module of its own, free of imports, so that the CLI can show them in ``--help`` without
loading the store adapters.
"""
from __future__ import annotations

#: Default time limit of a hand-typed query, seconds (applied by the store: FalkorDB's
#: TIMEOUT, Neo4j's transaction timeout).
HAND_TYPED_TIMEOUT_S = 60.0
