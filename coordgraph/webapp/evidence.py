"""The co-shares behind a run, for the web app: from the run's provenance file when this
workspace has it, else from the store's COSHARE rows.

Why: the run writer (coordgraph/run/store.py) keeps every co-share of a run in
``<workspace>/provenance/<run_id>.parquet`` but as COSHARE relationships only up to
COSHARE_LIMIT rows, then the 20 earliest per edge, so that the store never holds one
relationship per co-share at scale (issue 14). Read from the store alone, a big run's time
filter, replay slider, community medians and edge evidence would see that subset; read from
the file they see every co-share, with one edge's rows in a few milliseconds (row-group
statistics). Both give the same columns; on a run within the limit, the same rows.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

#: The snapshot's co-share columns (webapp_run_coshares.cypher's RETURN).
RUN_COSHARE_COLUMNS = ["account_id", "account_id_y", "object_id", "ts", "time_delta", "fast"]
#: One edge's evidence columns (webapp_edge_provenance.cypher's RETURN).
EDGE_COLUMNS = ["object_id", "kind", "older_account", "newer_account", "post_id", "post_id_y",
                "ts", "time_delta", "fast"]


def provenance_file(run_id: str) -> Path | None:
    """The run's provenance file in this workspace, or None."""
    from coordgraph.run.provenance import provenance_path

    try:
        path = provenance_path(run_id)
    except ValueError:
        return None
    return path if path.exists() else None


def run_kind_prefixed(store, run_id: str) -> bool | None:
    """Whether the run's object ids are ``kind:id`` (a run over several kinds: the store's
    COSHARE rows hold the id and the kind apart), from the summary on its Run node; None when
    the run does not say (then the web app reads the store, not the file)."""
    import orjson

    rows = store.run_file("webapp_run_summary", {"run_id": run_id})
    if not rows or not rows[0].get("summary"):
        return None
    try:
        return bool(orjson.loads(rows[0]["summary"]).get("kind_prefixed", False))
    except (orjson.JSONDecodeError, AttributeError):
        return None


def _objects(frame: pd.DataFrame, kind_prefixed: bool) -> tuple[pd.Series, pd.Series | None]:
    """(object id, kind or None) of provenance rows as the store's COSHARE rows hold them:
    a ``kind:id`` object id of a multi-kind run is split in two (coordgraph.cypher.analyze
    .coshare_rows)."""
    from coordgraph.contracts import KIND_PREFIX_SEP

    objects = frame["object_id"].astype(str)
    if not kind_prefixed:
        return objects, None
    parts = objects.str.split(KIND_PREFIX_SEP, n=1, expand=True)
    if parts.shape[1] < 2:
        return objects, None
    has = parts[1].notna()
    return parts[1].where(has, objects), parts[0].where(has, None)


def _fast(frame: pd.DataFrame) -> pd.Series:
    """The fast-window flag (1/0) of provenance rows: their ``time_window_<S>`` column, or 0
    when the run had no fast window (as the COSHARE rows)."""
    cols = [c for c in frame.columns if str(c).startswith("time_window_")]
    if not cols:
        return pd.Series(0, index=frame.index, dtype="Int64")
    return pd.to_numeric(frame[cols[0]], errors="coerce").astype("Int64")


def run_coshares_from_file(path: Path, kind_prefixed: bool) -> pd.DataFrame | None:
    """Every co-share of a run from its provenance file (:data:`RUN_COSHARE_COLUMNS`), or
    None when the file has no share times (written without a share file)."""
    import pyarrow.parquet as pq

    names = pq.ParquetFile(path).schema_arrow.names
    if "ts" not in names:
        return None
    wanted = ["account_id", "account_id_y", "object_id", "ts", "time_delta"] + \
        [c for c in names if c.startswith("time_window_")][:1]
    frame = pq.read_table(path, columns=wanted).to_pandas()
    if frame["ts"].isna().any():
        return None
    objects, _ = _objects(frame, kind_prefixed)
    return pd.DataFrame({"account_id": frame["account_id"].astype(str), "account_id_y": frame["account_id_y"].astype(str),
                         "object_id": objects, "ts": frame["ts"],
                         "time_delta": frame["time_delta"], "fast": _fast(frame)})[RUN_COSHARE_COLUMNS]


def edge_rows_from_file(run_id: str, account_id: str, account_id_y: str, limit: int,
                        object_kinds, kind_prefixed: bool) -> pd.DataFrame | None:
    """One edge's co-shares from the run's provenance file (:data:`EDGE_COLUMNS`, oldest
    first, at most ``limit``), or None when there is no file or it lacks share times.
    ``object_kinds(ids) -> {id: kind}`` names the objects' kinds when the rows do not."""
    from coordgraph.run.provenance import edge_evidence

    if provenance_file(run_id) is None:
        return None
    ev = edge_evidence(run_id, account_id, account_id_y)
    if len(ev) and ("ts" not in ev or ev["ts"].isna().any()):
        return None
    if not len(ev):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in EDGE_COLUMNS})
    objects, kind = _objects(ev, kind_prefixed)
    if kind is None and "kind" in ev and ev["kind"].notna().all():
        kind = ev["kind"].astype(str)
    elif kind is None:
        kind = objects.map(object_kinds(sorted(set(objects))))
    out = pd.DataFrame({"object_id": objects, "kind": kind,
                        "older_account": ev["account_id"].astype(str), "newer_account": ev["account_id_y"].astype(str),
                        "post_id": ev["content_id"].astype(str), "post_id_y": ev["content_id_y"].astype(str),
                        "ts": ev["ts"].astype("int64"), "time_delta": ev["time_delta"], "fast": _fast(ev)})
    out = out.sort_values(["ts", "object_id"], kind="stable").head(limit).reset_index(drop=True)
    return out[EDGE_COLUMNS]
