"""The one typed result of a run, whatever engine produced it.

Edges always carry the contract's attributes (:data:`coordgraph.contracts.EDGE_ATTRIBUTES`,
unsuffixed = the full window) and, when the run has a fast window, the same attributes with
the ``_fast`` suffix (missing where an edge has no fast co-share): the store's layout, so the
store writer, the web app and the parity suite read one shape. The co-share rows (``result``,
CooRTweet's detect_groups columns plus ``time_window_<S>`` with a fast window) are the run's
provenance. Tables may stay on disk (a Parquet file or a directory of part files written by a
big engine) and are read on first use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from coordgraph.contracts import EDGE_ATTRIBUTES, EDGE_KEYS, FAST_SUFFIX, FULL_SUFFIX, SUMMARY_KEYS, VERTEX_COLUMNS

TABLES = ("result", "edges", "vertices")


def edge_columns(fast: bool) -> list[str]:
    """The canonical edge columns: keys, full attributes, then ``_fast`` ones when ``fast``."""
    cols = [*EDGE_KEYS, *EDGE_ATTRIBUTES]
    if fast:
        cols += [f"{name}{FAST_SUFFIX}" for name in EDGE_ATTRIBUTES]
    return cols


def canonical_edges(edges: pd.DataFrame, fast: bool) -> pd.DataFrame:
    """``edges`` in the canonical layout: CooRTweet's ``<name>_full`` columns lose their
    suffix, missing fast columns are added empty, extra columns (object_ids, significance)
    are kept at the end. Counts are nullable Int64 in the fast columns."""
    edges = edges.rename(columns={f"{n}{FULL_SUFFIX}": n for n in EDGE_ATTRIBUTES})
    want = edge_columns(fast)
    for col in want:
        if col not in edges.columns:
            edges[col] = pd.array([pd.NA] * len(edges), dtype="Int64") if col.endswith(FAST_SUFFIX) else None
    for col in ("weight_fast", "n_content_id_fast", "n_content_id_y_fast", "weight_threshold_fast"):
        if col in edges.columns:
            edges[col] = edges[col].astype("Int64")
    for col in ("avg_time_delta_fast", "edge_symmetry_score_fast"):
        if col in edges.columns:
            edges[col] = edges[col].astype("float64")
    extra = [c for c in edges.columns if c not in want]
    return edges[want + extra].reset_index(drop=True)


@dataclass
class RunResult:
    """What a run produced.

    ``summary`` holds every key of :data:`coordgraph.contracts.SUMMARY_KEYS` (``seconds`` =
    wall time of the run) plus ``threshold_fast``, ``edges_above_fast_threshold``, ``params``,
    ``source``, ``trend_hubs`` (list) and ``timings`` (seconds per step). ``tables`` maps
    result/edges/vertices to a DataFrame or to a Parquet path read on first use.
    ``store_run_id`` is set once the run is in a graph store (the cypher engine computes
    there, the store writer puts the others there).
    """

    engine: str
    params: dict
    summary: dict
    tables: dict[str, Any] = field(default_factory=dict)
    store_run_id: str | None = None
    shares_path: Path | None = None  # the share Parquet file the run read (when there was one)
    scratch: Path | None = None  # temporary files of the run, removed by close()

    def close(self) -> None:
        """Read every table still on disk in the scratch directory, then remove it."""
        if self.scratch is None:
            return
        import shutil

        for name, value in list(self.tables.items()):
            if isinstance(value, (str, Path)) and Path(value).resolve().is_relative_to(self.scratch.resolve()):
                self.table(name)
        if self.shares_path is not None and self.shares_path.resolve().is_relative_to(self.scratch.resolve()):
            self.shares_path = None
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.scratch = None

    def __enter__(self) -> "RunResult":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def table(self, name: str) -> pd.DataFrame | None:
        """One table as a DataFrame (read from disk the first time), or None when not kept."""
        value = self.tables.get(name)
        if isinstance(value, (str, Path)):
            import pyarrow.parquet as pq

            value = pq.read_table(value).to_pandas()
            if name == "edges":
                value = canonical_edges(value, self.fast)
            self.tables[name] = value
        return value

    @property
    def fast(self) -> bool:
        return self.params.get("fast_window") is not None

    @property
    def edges(self) -> pd.DataFrame:
        return self.table("edges")

    @property
    def vertices(self) -> pd.DataFrame:
        return self.table("vertices")

    @property
    def result(self) -> pd.DataFrame | None:
        return self.table("result")

    @property
    def threshold(self) -> float | None:
        return self.summary.get("threshold")

    @property
    def threshold_fast(self) -> float | None:
        return self.summary.get("threshold_fast")


def make_summary(engine: str, run_params: dict, *, shares: int, result_rows: int, edges: pd.DataFrame,
                 vertices: int, threshold: float | None, threshold_fast: float | None = None,
                 dropped_hub_objects: int = 0, seconds: float = 0.0, **extra) -> dict:
    """A summary with every SUMMARY_KEYS key (types as the contract says) and the extras."""
    above = int(pd.to_numeric(edges["weight_threshold"]).fillna(0).sum()) if len(edges) else 0
    summary = {
        "engine": engine, "shares": int(shares), "result_rows": int(result_rows), "edges": int(len(edges)),
        "vertices": int(vertices), "edges_above_threshold": above,
        "threshold": None if threshold is None else float(threshold),
        "dropped_hub_objects": int(dropped_hub_objects), "seconds": round(float(seconds), 4),
    }
    assert set(summary) == set(SUMMARY_KEYS)
    summary["threshold_fast"] = None if threshold_fast is None else float(threshold_fast)
    if run_params.get("fast_window") is not None and "weight_threshold_fast" in edges:
        summary["edges_above_fast_threshold"] = int(edges["weight_threshold_fast"].fillna(0).sum())
    summary["params"] = dict(run_params)
    summary.update(extra)
    return summary


def vertex_frame(vertices: pd.DataFrame) -> pd.DataFrame:
    """Vertices with the contract's columns first, sorted by account id; strength int64 when
    every value is whole (co-shares), else float (another method's weights)."""
    extra = [c for c in vertices.columns if c not in VERTEX_COLUMNS]
    out = vertices[[*VERTEX_COLUMNS, *extra]].copy()
    out["degree"] = out["degree"].astype("int64")
    strength = out["strength"].astype("float64")
    # co-share counts are integers; a cosine run's strength (sum of similarities) stays a float
    out["strength"] = strength.astype("int64") if (strength == strength.round()).all() else strength
    return out.sort_values("account_id", kind="stable").reset_index(drop=True)
