"""Co-share provenance kept columnar: one Parquet file per run beside the store.

Why: a co-share as a graph relationship costs the store a relationship each (143M at 10M
dense shares). The run's co-share rows go to ``<workspace>/provenance/<run_id>.parquet``
instead, sorted by the unordered account pair (``lo`` < ``hi``) in row groups of
:data:`ROW_GROUP` rows, so that one edge's evidence is read with a filter that skips every
row group whose min/max statistics exclude the pair (:func:`edge_evidence`).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from coordgraph.cypher.beside import write_private_parquet

ROW_GROUP = 16_384


def provenance_dir() -> Path:
    """``<workspace>/provenance`` (the workspace is $COORDGRAPH_HOME or ./.coordgraph), 0700."""
    from coordgraph.cypher.server import home_dir

    path = home_dir() / "provenance"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def provenance_path(run_id: str, directory: Path | None = None) -> Path:
    """Where the co-shares of ``run_id`` are kept."""
    if not run_id or "/" in run_id or run_id.startswith("."):
        raise ValueError(f"run id {run_id!r} is not a file name")
    return (directory or provenance_dir()) / f"{run_id}.parquet"


def with_times(result: pd.DataFrame, shares_path: Path | None) -> pd.DataFrame:
    """``result`` plus ``ts``/``ts_y`` (UNIX seconds of the older/newer share) looked up by
    content id in the run's share file (the first row of an id); unchanged when there is none.
    Looked up in Arrow: 10M shares in seconds."""
    if shares_path is None or not len(result) or "ts" in result.columns:
        return result
    wanted = {c: pa.array(result[c].astype(str).to_numpy(dtype=object), pa.string())
              for c in ("content_id", "content_id_y")}
    shares = pq.read_table(shares_path, columns=["content_id", "timestamp_share"])
    ids = shares["content_id"].combine_chunks().cast(pa.string())
    # only the shares the result names (a hash of the result's ids, probed by every share id:
    # cheaper than hashing every share id), in file order, so the first row of an id stays first
    keep = pc.is_in(ids, value_set=pc.unique(pa.concat_arrays(list(wanted.values()))))
    ids, times = ids.filter(keep), shares["timestamp_share"].combine_chunks().filter(keep)

    def lookup(column: str) -> pd.Series:
        where = pc.index_in(wanted[column], value_set=ids)
        return pd.Series(pc.take(times, where).to_pandas(), index=result.index).astype("Int64")

    return result.assign(ts=lookup("content_id"), ts_y=lookup("content_id_y"))


def write_provenance(run_id: str, result: pd.DataFrame, directory: Path | None = None) -> Path:
    """Write a run's co-share rows (detect_groups columns, optional ``time_window_<S>``,
    ``ts``/``ts_y``, ``kind``) sorted by account pair; returns the file (mode 0600)."""
    table = pa.Table.from_pandas(result, preserve_index=False)
    a = pc.cast(table["account_id"], pa.string())
    b = pc.cast(table["account_id_y"], pa.string())
    less = pc.less_equal(a, b)
    table = table.append_column("lo", pc.if_else(less, a, b)).append_column("hi", pc.if_else(less, b, a))
    table = table.sort_by([("lo", "ascending"), ("hi", "ascending")])
    target = provenance_path(run_id, directory)
    return write_private_parquet(table, target, row_group_size=ROW_GROUP, compression="zstd",
                                 write_statistics=["lo", "hi"])


def _row_groups(meta: pq.FileMetaData, lo: str) -> list[int]:
    """Row groups whose ``lo`` min/max statistics admit ``lo`` (the file is sorted by it)."""
    col = meta.schema.names.index("lo")
    out = []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(col).statistics
        if stats is None or not stats.has_min_max or stats.min <= lo <= stats.max:
            out.append(i)
    return out


def edge_evidence(run_id: str, account_id: str, account_id_y: str, directory: Path | None = None) -> pd.DataFrame:
    """The co-shares that make the edge between two accounts in ``run_id`` (either order);
    empty when there are none. Reads only the row groups whose statistics admit the pair."""
    path = provenance_path(run_id, directory)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no co-share provenance for run {run_id}")
    lo, hi = sorted((str(account_id), str(account_id_y)))
    file = pq.ParquetFile(path)
    groups = _row_groups(file.metadata, lo)
    table = file.read_row_groups(groups) if groups else file.schema_arrow.empty_table()
    table = table.filter(pc.and_(pc.equal(table["lo"], lo), pc.equal(table["hi"], hi)))
    return table.drop_columns(["lo", "hi"]).to_pandas()


def remove_provenance(run_id: str, directory: Path | None = None) -> None:
    """Delete a run's provenance file (when a run is deleted)."""
    try:
        provenance_path(run_id, directory).unlink(missing_ok=True)
    except ValueError:
        pass


