"""Runs of the store as the comparison's input: a run id -> its flagged accounts and edges.

The comparison itself (overlaps, Jaccard, accounts only one run flags, groups) is pure data in
:mod:`coordgraph.analysis.compare`; this module only reads a stored run's edges with
``run_flagged_edges.cypher`` and hands them to the same rule a run directory goes through,
so a run compares the same whether it is read from its files or from the store.
"""
from __future__ import annotations

import pandas as pd

from coordgraph.analysis.compare import Flagged, flagged_from_edges


def store_flagged(store, run_id: str) -> Flagged:
    """The flagged accounts and edges of the complete run ``run_id``; ValueError naming the
    run when the store holds no complete run of that id."""
    from coordgraph.cypher.runs import get_run

    if get_run(store, run_id) is None:
        raise ValueError(f"no complete run {run_id!r} in the store (list them with: coordgraph runs)")
    rows = store.run_file("run_flagged_edges", {"run_id": run_id})
    return flagged_from_edges(pd.DataFrame(rows, columns=["account_id", "account_id_y", "weight_threshold"]))


def store_comparison(store, run_ids: list[str]):
    """:func:`coordgraph.analysis.compare.compare` of stored runs, named by their ids."""
    from coordgraph.analysis.compare import compare

    return compare({run_id: store_flagged(store, run_id) for run_id in dict.fromkeys(run_ids)})


def describe_run(run: dict) -> str:
    """A run (a row of :func:`coordgraph.cypher.runs.list_runs`) in words for comparisons:
    its method, intent and edge count, e.g. 'qut, retweets, 3 edges'."""
    edges = (run.get("counts") or {}).get("edges")
    parts = [run.get("method") or "coortweet", run.get("intent") or "all intents"]
    if isinstance(edges, int):
        parts.append(f"{edges:,} edges")
    return ", ".join(parts)
