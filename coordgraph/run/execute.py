"""Running a :class:`~coordgraph.run.request.Run`: shares to one Parquet file, the engine
chosen (``auto`` by size), the engine's :class:`~coordgraph.run.result.RunResult` returned.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from coordgraph.run.request import Run, StoreShares
from coordgraph.run.result import RunResult


def choose(run: Run, shares_path: Path) -> str:
    """The engine ``run`` uses: its own, or for ``auto`` python/outofcore by size
    (:func:`coordgraph.engines.choose_engine`)."""
    if run.engine != "auto":
        return run.engine
    from coordgraph.engines import choose_engine

    return choose_engine(shares_path, run.memory_budget)


def execute(run: Run, work: str | Path | None = None) -> RunResult:
    """Run ``run`` and return its result.

    ``work``: where the big engines (outofcore, spark) write their Parquet tables; give the
    output directory to have them written there once. Default: a temporary directory, removed
    by :meth:`RunResult.close` (tables on disk are read into memory first when needed).
    ``auto`` falls back from python to outofcore when the python engine's pairs would not
    fit in memory (PairMemoryError).
    """
    from coordgraph.analysis.hubs import PairMemoryError
    from coordgraph.run.engines import RUNNERS
    from coordgraph.run.shares import as_share_parquet

    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="coordgraph-run-"))
    work = Path(work) if work is not None else scratch / "out"
    work.mkdir(parents=True, exist_ok=True)
    try:
        if run.method != "coortweet":  # the field's other methods: in process, on the share table itself
            from coordgraph.run.methods import run_method

            return _finish(run, run_method(run, None, work), False, started, scratch)
        frame = None
        if run.engine == "python" and run.store is None and isinstance(run.shares, (str, Path)):
            from coordgraph.run.shares import file_share_frame

            frame = file_share_frame(run.shares)  # a CSV read once, in memory (no store to feed)
        if frame is not None:
            from coordgraph.run.engines import run_python

            res = run_python(run, None, work, frame=frame)
            shares_path, prefixed, engine = None, False, "python"
        elif run.engine == "cypher" and isinstance(run.shares, StoreShares):
            shares_path, prefixed = None, False
        else:
            shares_path, _, prefixed = as_share_parquet(run.shares, scratch)
        if frame is None:
            engine = "cypher" if shares_path is None else choose(run, shares_path)
            try:
                res = RUNNERS[engine](run, shares_path, work)
            except PairMemoryError:
                if run.engine != "auto":
                    raise
                engine = "outofcore"
                res = RUNNERS[engine](run, shares_path, work)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return _finish(run, res, prefixed, started, scratch)


def _finish(run: Run, res: RunResult, prefixed: bool, started: float, scratch: Path) -> RunResult:
    """The summary keys every run gets from the run layer (source, method, wall seconds)."""
    res.summary["source"] = run.source()
    res.summary["kind_prefixed"] = prefixed
    res.summary["requested_engine"] = run.engine
    res.summary["method"] = run.method
    res.summary["seconds"] = round(time.perf_counter() - started, 4)
    res.scratch = scratch
    return res
