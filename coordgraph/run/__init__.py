"""The run layer (the spine): shares -> one engine behind one protocol -> one typed result ->
one writer (files or the graph store).

    from coordgraph.run import Run, execute, write_files, write_store
    res = execute(Run("shares.parquet", engine="auto", time_window=10, fast_window=5))
    write_files(res, "out/")            # result/edges/vertices Parquet + summary.json
    write_store(res, store)             # the web app and `communities` open it

``detect``, ``scale run``, ``analyze`` and ``demo`` are thin callers of these functions.
"""
from __future__ import annotations

from coordgraph.run.execute import execute
from coordgraph.run.files import read_run_dir, write_files
from coordgraph.run.request import ENGINES, Run, StoreShares
from coordgraph.run.result import RunResult
from coordgraph.run.store import write_store

__all__ = ["ENGINES", "Run", "RunResult", "StoreShares", "execute", "read_run_dir", "write_files", "write_store"]
