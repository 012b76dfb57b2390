"""Engines: the same detection and network behind one signature, for different scales.

- ``python``: :mod:`coordgraph.analysis` in process (pandas/numpy), the reference.
- ``outofcore``: :mod:`coordgraph.engines.outofcore`, integer codes, object partitions and
  edge buckets spilled to Parquet: one machine, shares beyond what fits as strings.
- ``spark``: :mod:`coordgraph.engines.spark`, PySpark (local mode or any cluster).
"""
from __future__ import annotations

import importlib
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
