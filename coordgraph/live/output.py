"""The one place a live run's files are written (result/edges/vertices Parquet, communities,
summary.json): each file to a temporary name then renamed, summary.json last, so a reader
sees the previous batch's files or the new ones. When the run layer (coordgraph.run) is
merged, this function is where its writer is called instead.
"""
from __future__ import annotations

import os
from pathlib import Path

import orjson


def write_live_run(out_dir: str | Path, tables: dict, summary: dict) -> None:
    """Write ``tables`` (name -> DataFrame) as ``<name>.parquet`` and ``summary`` as
    summary.json into ``out_dir``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        target = out / f"{name}.parquet"
        tmp = out / f".{name}.parquet.tmp"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, compression="zstd",
                       compression_level=1)
        os.replace(tmp, target)
    tmp = out / ".summary.json.tmp"
    tmp.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    os.replace(tmp, out / "summary.json")


def read_summary(out_dir: str | Path) -> dict | None:
    """The summary.json of a live run, or None."""
    path = Path(out_dir) / "summary.json"
    return orjson.loads(path.read_bytes()) if path.exists() else None
