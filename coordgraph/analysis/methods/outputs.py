"""A method run's files, so every method's output directory reads like ``coordgraph detect``'s.

A method other than CooRTweet writes DIR/edges.csv (``account_id, account_id_y, weight,
weight_threshold`` plus method columns), DIR/vertices.csv (contracts.VERTEX_COLUMNS) and
DIR/summary.json (``method``, ``params`` and ``counts`` as detect's). ``weight_threshold`` = 1
marks the edges the method flags, so ``coordgraph compare`` treats every run the same way.
"""
from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd

from coordgraph.analysis.network import vertices_of


def write_method_run(edges: pd.DataFrame, out: Path, summary: dict) -> dict:
    """Write ``edges`` (account_id, account_id_y, weight, weight_threshold, ...) and their
    vertices into ``out``; ``summary`` gains ``counts``. Returns the summary written."""
    out.mkdir(parents=True, exist_ok=True)
    vertices = vertices_of(edges, "weight")
    edges.to_csv(out / "edges.csv", index=False)
    vertices.to_csv(out / "vertices.csv", index=False)
    summary = {**summary, "counts": {"shares": summary.get("input_rows"), "edges": int(len(edges)),
                                     "edges_above_threshold": int(edges["weight_threshold"].sum()),
                                     "vertices": int(len(vertices))}}
    (out / "summary.json").write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    return summary
