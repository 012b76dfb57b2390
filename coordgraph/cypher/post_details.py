"""Post details (text, counts, entities, ...) kept as Parquet beside the graph.

Why: FalkorDB holds the whole graph in memory. Measured on 1M twarc2 posts (bench_pipeline's
data, FalkorDB 4, after a restart): 1,286 MiB resident with every post property in the graph,
715 MiB with posts holding only ``id`` and ``ts``. The bulky properties are read in one place
only, the web app's posts of an account, so on FalkorDB they live beside the graph and the
Post node keeps its id, its time (UNIX seconds, UTC) and its POSTED author. Neo4j keeps
properties on disk, so there they stay in the graph (:attr:`Dialect.post_details_beside`).
``coordgraph ingest --post-details graph|beside`` overrides the choice per load.

Layout: ``<workspace>/post_details/<store key>/<load>-<part>.parquet`` (0700 / 0600), one
file per set of posts a load writes, sorted by post id in row groups of :data:`ROW_GROUP`, so a
lookup reads only the row groups whose min/max post id admit one of the ids asked for. A load
run again (resumed, or the same input) writes the same file names: nothing is added. When a
post is in several files, the newest file's row wins, as a later load's ``SET`` wins in the
graph. Dropping the graph removes the folder (:func:`coordgraph.cypher.beside.forget`).
"""
from __future__ import annotations

import bisect
import shutil
import uuid
from pathlib import Path
from typing import Iterable, Sequence

from coordgraph.cypher import beside

#: Post properties that stay on the Post node when details are kept beside the graph.
GRAPH_PROPS = ("ts",)
ROW_GROUP = 8_192
MODES = ("auto", "graph", "beside")


def details_dir(store, create: bool = False) -> Path:
    """``<workspace>/post_details/<store key>`` for this store; ``create`` makes it (0700)."""
    path = beside.folder("post_details", create) / beside.store_key(store)
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def resolve_mode(store, mode: str = "auto") -> str:
    """``graph`` or ``beside`` for a load into ``store`` (``auto``: the store dialect's choice)."""
    if mode not in MODES:
        from coordgraph.cypher.errors import StoreError

        raise StoreError(f"unknown post details mode {mode!r}: use {', '.join(MODES)}")
    if mode == "auto":
        return "beside" if getattr(store.dialect, "post_details_beside", False) else "graph"
    return mode


def schema(props: Sequence[str]):
    """The Arrow schema of a part: ``post_id`` then ``props`` typed as the loader's posts table
    (coordgraph.loader.schema.POSTS_SCHEMA): every part of a load has the same columns and
    types, so a folder reads as one table (pandas, DuckDB)."""
    import pyarrow as pa

    from coordgraph.loader.schema import POSTS_SCHEMA

    return pa.schema([pa.field("post_id", pa.string(), nullable=False),
                      *[pa.field(p, POSTS_SCHEMA.field(p).type) for p in props]])


def _column(values, typ):
    """One posts column as an Arrow array of type ``typ`` (lists as list<string>; counts cast
    safely: a fractional count is an error, not a truncation)."""
    import pyarrow as pa

    if pa.types.is_list(typ):
        rows = [None if v is None or (isinstance(v, float) and v != v) else [str(x) for x in list(v)]
                for v in values]
        return pa.array(rows, typ)
    return pa.array(values, from_pandas=True).cast(typ)


def details_table(posts, props: Sequence[str]):
    """Arrow table ``post_id`` + ``props`` (:func:`schema`) of a posts frame, one row per post
    (the last), sorted by post id (byte order); a column the frame lacks is null."""
    import pyarrow as pa

    frame = posts[~posts["post_id"].duplicated(keep="last")]
    target = schema(props)
    arrays = [pa.array(frame["post_id"].astype(str).to_numpy(dtype=object), pa.string())]
    for f in list(target)[1:]:
        arrays.append(_column(frame[f.name].to_numpy(dtype=object), f.type) if f.name in frame.columns
                      else pa.nulls(len(frame), f.type))
    return pa.Table.from_arrays(arrays, schema=target).sort_by("post_id")


def write_part(store, posts, props: Sequence[str], name: str) -> Path | None:
    """Write the details (``props``) of the posts in frame ``posts`` as part ``name`` of this
    store's post details; None when there is nothing to keep."""
    if not len(posts):
        return None
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"part name {name!r} is not a file name")
    table = details_table(posts, props)
    return beside.write_private_parquet(table, details_dir(store, create=True) / f"{name}.parquet",
                                        row_group_size=ROW_GROUP, compression="zstd")


def new_load_name() -> str:
    """A part-name prefix for a load without an id of its own."""
    return f"load-{uuid.uuid4().hex[:16]}"


def _parts(store) -> list[Path]:
    """The store's part files, oldest first (the newest row of a post wins)."""
    folder = details_dir(store)
    if not folder.is_dir():
        return []
    files = [(p.stat().st_mtime_ns, p.name, p) for p in folder.glob("*.parquet")]
    return [p for _, _, p in sorted(files)]


def _row_groups(meta, wanted: list[str]) -> list[int]:
    """Row groups of a part whose post id min/max admit one of ``wanted`` (sorted)."""
    col = meta.schema.names.index("post_id")
    out = []
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(col).statistics
        if stats is None or not stats.has_min_max:
            out.append(g)
            continue
        i = bisect.bisect_left(wanted, stats.min)
        if i < len(wanted) and wanted[i] <= stats.max:
            out.append(g)
    return out


def lookup(store, post_ids: Iterable[str], columns: Sequence[str] = ("text",)) -> dict[str, dict]:
    """``{post id: {column: value}}`` for the posts of ``post_ids`` kept beside this store
    (posts not there are left out; a column a part lacks is None)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = sorted({str(p) for p in post_ids})
    found: dict[str, dict] = {}
    if not wanted:
        return found
    value_set = pa.array(wanted, pa.string())
    for path in _parts(store):
        try:
            part = pq.ParquetFile(path)
        except (FileNotFoundError, OSError):  # removed while we read (the graph was dropped)
            continue
        groups = _row_groups(part.metadata, wanted)
        if not groups:
            continue
        names = part.schema_arrow.names
        table = part.read_row_groups(groups, columns=["post_id", *[c for c in columns if c in names]])
        table = table.filter(pc.is_in(table["post_id"], value_set=value_set))
        for row in table.to_pylist():
            found[row.pop("post_id")] = {c: row.get(c) for c in columns}
    return found


def forget(store) -> None:
    """Remove this store's post details (its graph was dropped)."""
    shutil.rmtree(details_dir(store), ignore_errors=True)
