"""Files coordgraph keeps beside a store, in the workspace (``$COORDGRAPH_HOME``).

What a graph store is bad at is kept next to it as Parquet: the share snapshot
(:mod:`coordgraph.cypher.share_snapshot`), post details (:mod:`coordgraph.cypher.post_details`)
and run provenance (:mod:`coordgraph.run.provenance`). Each store has its own files, named by
:func:`store_key`; folders are 0700 and files 0600 (they hold what people posted), written
atomically (a reader never sees half a file).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def store_key(store) -> str:
    """A file-name-safe key of one store's graph: the embedded store by its graph name (its
    port changes between starts), others by URI and graph/database name (16 hex digits)."""
    if getattr(store, "_home", None) is not None:
        key = f"embedded/{store.graph_name}"
    else:
        key = f"{store.uri}/{getattr(store, 'graph_name', None) or getattr(store, 'database', '')}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def folder(name: str, create: bool = False) -> Path:
    """``<workspace>/<name>``; ``create`` makes it (0700)."""
    from coordgraph.cypher.server import home_dir

    path = home_dir() / name
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private_parquet(table, target: Path, **options) -> Path:
    """Write an Arrow ``table`` to ``target`` (mode 0600) through a temporary file in the same
    folder renamed over it; ``options`` go to ``pyarrow.parquet.write_table``."""
    import pyarrow.parquet as pq

    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    old = os.umask(0o077)
    try:
        pq.write_table(table, tmp, **options)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        os.umask(old)
        tmp.unlink(missing_ok=True)
    return target


def forget(store) -> None:
    """Remove every file kept beside ``store`` (its graph was dropped); provenance is per run
    and goes with its run."""
    from coordgraph.cypher import post_details, share_snapshot

    share_snapshot.forget(store)
    post_details.forget(store)
