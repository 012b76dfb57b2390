"""The file target of the run writer, and reading a written run back.

One layout for every engine: ``result.parquet`` (co-share rows), ``edges.parquet``,
``vertices.parquet`` and ``summary.json`` in the output directory. A table is a Parquet file
(python, cypher) or a directory of Parquet part files (outofcore, spark): pyarrow, pandas,
polars and Spark read both as one table. ``fmt="csv"`` writes ``<name>.csv`` instead
(``coordgraph detect``'s CooRTweet-compatible outputs).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from coordgraph.run.result import TABLES, RunResult, canonical_edges

SUMMARY = "summary.json"


def _same(path, target: Path) -> bool:
    return isinstance(path, (str, Path)) and Path(path).resolve() == target.resolve()


def write_files(res: RunResult, out: str | Path, fmt: str = "parquet", extra_tables: bool = True,
                summary_extra: dict | None = None, frames: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write ``res`` into ``out``; tables the engine already wrote there are left as they
    are. ``frames`` overrides tables by name (e.g. CSV edges in CooRTweet's column names).
    ``extra_tables``: also account_stats / object_stats when the engine made them."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, not {fmt!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = list(TABLES) + ([n for n in res.tables if n not in TABLES] if extra_tables else [])
    for name in names:
        target = out / f"{name}.{fmt}"
        value = (frames or {}).get(name, res.tables.get(name))
        if value is None or (fmt == "parquet" and _same(value, target)):
            continue
        frame = value if isinstance(value, pd.DataFrame) else res.table(name)
        if target.is_dir():
            shutil.rmtree(target)
        if fmt == "csv":
            frame.to_csv(target, index=False)
        else:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target, compression="zstd")
    summary = {**res.summary, **(summary_extra or {})}
    if res.store_run_id:
        summary["run_id"] = res.store_run_id
    (out / SUMMARY).write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    return out


def write_tables_atomic(out: str | Path, tables: dict[str, pd.DataFrame], summary: dict,
                        compression_level: int | None = 1) -> Path:
    """Write ``tables`` (name -> DataFrame) as ``<name>.parquet`` and ``summary`` as
    summary.json into ``out``, each file under a temporary name then renamed, summary.json
    last: a reader sees the previous files or the new ones, never half a file. The live run
    (``coordgraph watch``) rewrites its files this way after every batch; zstd level 1 by
    default because it is written often."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        tmp = out / f".{name}.parquet.tmp"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, compression="zstd",
                       compression_level=compression_level)
        os.replace(tmp, out / f"{name}.parquet")
    tmp = out / f".{SUMMARY}.tmp"
    tmp.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    os.replace(tmp, out / SUMMARY)
    return out


def read_summary(directory: str | Path) -> dict | None:
    """The summary.json of a run directory, or None when there is none."""
    path = Path(directory) / SUMMARY
    return orjson.loads(path.read_bytes()) if path.exists() else None


def _table_path(directory: Path, name: str) -> Path | None:
    for suffix in ("parquet", "csv"):
        path = directory / f"{name}.{suffix}"
        if path.exists():
            return path
    return None


def read_run_dir(directory: str | Path) -> RunResult:
    """A run written by ``detect``, ``scale run`` or :func:`write_files` (Parquet or CSV,
    the summary of any coordgraph version) as a RunResult. ValueError names what is missing."""
    directory = Path(directory)
    if not (directory / SUMMARY).exists():
        raise ValueError(f"{directory}: no {SUMMARY} (not a coordgraph run directory)")
    summary = orjson.loads((directory / SUMMARY).read_bytes())
    params = dict(summary.get("params") or {})
    tables = {}
    for name in TABLES:
        path = _table_path(directory, name)
        if path is None and name != "result":
            raise ValueError(f"{directory}: no {name}.parquet or {name}.csv")
        if path is None:
            continue
        if path.suffix == ".csv":
            ids = {"account_id": str, "account_id_y": str, "object_id": str, "content_id": str, "content_id_y": str}
            tables[name] = pd.read_csv(path, dtype=ids, keep_default_na=False, na_values=[""])
        else:
            tables[name] = path
    fast = params.get("fast_window") is not None
    res = RunResult(summary.get("engine", "python"), params, {}, tables)
    edges = canonical_edges(res.table("edges"), fast)
    res.tables["edges"] = edges
    thresholds = summary.get("thresholds") or {}
    counts = summary.get("counts") or {}
    res.summary = {
        **summary,
        "engine": summary.get("engine", "python"),
        "shares": int(summary.get("shares", summary.get("input_rows", 0)) or 0),
        "result_rows": int(summary.get("result_rows", counts.get("result_rows", 0)) or 0),
        "edges": len(edges), "vertices": len(res.table("vertices")),
        "edges_above_threshold": int(pd.to_numeric(edges["weight_threshold"]).fillna(0).sum()) if len(edges) else 0,
        "threshold": summary.get("threshold", thresholds.get("weight")),
        "threshold_fast": summary.get("threshold_fast", thresholds.get("weight_fast")),
        "dropped_hub_objects": _hub_count(summary.get("dropped_hub_objects", 0)),
        "seconds": summary["seconds"] if isinstance(summary.get("seconds"), (int, float)) else 0.0,
        "source": summary.get("source", summary.get("input", str(directory))),
    }
    return res


def _hub_count(value) -> int:
    """dropped_hub_objects of any version: a count (now) or a list of objects (before)."""
    return len(value) if isinstance(value, list) else int(value or 0)
