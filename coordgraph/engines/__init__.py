"""Engines: the same detection and network behind one signature, for different scales.

- ``python``: :mod:`coordgraph.analysis` in process (pandas/numpy), the reference.
- ``outofcore``: :mod:`coordgraph.engines.outofcore`, integer codes, object partitions and
  edge buckets spilled to Parquet: one machine, shares beyond what fits as strings.
- ``spark``: :mod:`coordgraph.engines.spark`, PySpark (local mode or any cluster).
"""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

ENGINES = ("python", "outofcore", "spark", "auto")


def engine_module(name: str) -> ModuleType:
    """The module implementing ``detect_groups``, ``flag_speed_share`` and
    ``coordinated_network`` (pandas in/out) for engine ``name``."""
    modules = {"python": "coordgraph.analysis", "outofcore": "coordgraph.engines.outofcore",
               "spark": "coordgraph.engines.spark"}
    if name not in modules:
        raise ValueError(f"unknown engine {name!r}: choose one of {', '.join(modules)}")
    return importlib.import_module(modules[name])


#: Bytes a share costs in the python engine as pandas strings (measured, pessimistic).
PYTHON_BYTES_PER_SHARE = 400
#: Above this many shares ``auto`` prefers the out-of-core engine: same results, bounded
#: memory, and faster once pairs number in the millions (bench: 1M dense shares, 14.3M pairs:
#: python 67 s / 10.2 GiB, outofcore 2.7 s / 1.5 GiB).
AUTO_PYTHON_MAX_ROWS = 250_000


def choose_engine(shares_path: str | Path, budget_bytes: int | None = None) -> str:
    """'python' for small inputs (at most AUTO_PYTHON_MAX_ROWS shares that also fit in half
    the memory budget as pandas strings), else 'outofcore'. Spark is chosen only by name."""
    import pyarrow.parquet as pq

    from coordgraph.analysis.hubs import available_memory_bytes

    rows = pq.ParquetFile(shares_path).metadata.num_rows
    budget = available_memory_bytes() if budget_bytes is None else budget_bytes
    small = rows <= AUTO_PYTHON_MAX_ROWS and rows * PYTHON_BYTES_PER_SHARE <= budget // 2
    return "python" if small else "outofcore"


def run_engine(engine: str, shares_path: str | Path, out_dir: str | Path, *, time_window: int = 10,
               min_participation: int = 2, remove_loops: bool = True, edge_weight: float = 0.5,
               compat: bool = False, max_object_shares: int | None = None, write_result: bool = True,
               master: str | None = None, memory_budget: int | None = None,
               fast_window: int | None = None) -> dict:
    """Run detection plus the network on a share file with ``engine`` (python, outofcore,
    spark or auto) through the run layer (:mod:`coordgraph.run`) and write ``result``,
    ``edges``, ``vertices`` Parquet and ``summary.json`` into ``out_dir``. Returns the summary
    (``engine`` = the one that ran, the contract's summary keys, ``trend_hubs``, timings).

    ``auto`` picks python or outofcore by input size vs available memory, and moves to
    outofcore when the python engine's pair estimate would not fit. The python engine raises
    :class:`coordgraph.analysis.hubs.PairMemoryError` (a clear message) rather than run out
    of memory; ``max_object_shares`` drops hub objects with a warning.
    """
    from coordgraph.run import Run, execute, write_files

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    run = Run(str(shares_path), engine=engine, time_window=time_window, min_participation=min_participation,
              remove_loops=remove_loops, edge_weight=edge_weight, compat=compat, max_object_shares=max_object_shares,
              keep_result=write_result, master=master, memory_budget=memory_budget, fast_window=fast_window)
    with execute(run, work=out_dir) as res:
        write_files(res, out_dir, extra_tables=False)
        return res.summary
