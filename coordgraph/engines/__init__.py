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
               master: str | None = None, memory_budget: int | None = None) -> dict:
    """Run detection plus the network on a share Parquet file with ``engine`` (python,
    outofcore, spark or auto) and write ``result``, ``edges``, ``vertices`` Parquet and
    ``summary.json`` into ``out_dir``. Returns the summary (``engine`` = the one that ran,
    counts, threshold, ``trend_hubs``, seconds).

    ``auto`` picks python or outofcore by input size vs available memory, and moves to
    outofcore when the python engine's pair estimate would not fit. The python engine raises
    :class:`coordgraph.analysis.hubs.PairMemoryError` (a clear message) rather than run out
    of memory; ``max_object_shares`` drops hub objects with a warning.
    """
    from pathlib import Path as _Path

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if not _Path(shares_path).exists():
        raise FileNotFoundError(f"{shares_path}: no such share file")
    common = dict(time_window=time_window, min_participation=min_participation, remove_loops=remove_loops,
                  edge_weight=edge_weight, compat=compat, write_result=write_result,
                  max_object_shares=max_object_shares)
    converted = None
    if not str(shares_path).endswith(".parquet"):
        converted = shares_path = _as_parquet(shares_path, _Path(out_dir))
    try:
        return _run(engine, shares_path, out_dir, common, master, memory_budget)
    finally:
        if converted is not None:
            converted.unlink(missing_ok=True)


def _as_parquet(path, out_dir: Path) -> Path:
    """A CSV/CSV.gz share table, checked by :func:`coordgraph.analysis.read_shares`, as a
    Parquet file in ``out_dir`` (removed after the run)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from coordgraph.analysis import read_shares

    frame = read_shares(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "_input_shares.parquet"
    cols = ["object_id", "account_id", "content_id", "timestamp_share"]
    pq.write_table(pa.Table.from_pandas(frame[cols], preserve_index=False), target)
    return target


def _run(engine, shares_path, out_dir, common, master, memory_budget) -> dict:
    """Dispatch one run (see :func:`run_engine`)."""
    from coordgraph.analysis.hubs import PairMemoryError

    chosen = choose_engine(shares_path, memory_budget) if engine == "auto" else engine
    if chosen == "python":
        from coordgraph.engines import inprocess

        try:
            return inprocess.detect_network_parquet(shares_path, out_dir, memory_budget=memory_budget, **common)
        except PairMemoryError:
            if engine != "auto":
                raise
            chosen = "outofcore"
    if chosen == "outofcore":
        from coordgraph.engines import outofcore

        return outofcore.detect_network_parquet(shares_path, out_dir, **common)
    from coordgraph.engines import spark

    return spark.detect_network_parquet(shares_path, out_dir, master=master, **common)
