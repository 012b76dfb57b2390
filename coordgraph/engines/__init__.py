"""Engines: the same detection and network behind one signature, for different scales.

- ``python``: :mod:`coordgraph.analysis` in process (pandas/numpy), the reference.
- ``outofcore``: :mod:`coordgraph.engines.outofcore`, integer codes, object partitions and
  edge buckets spilled to Parquet: one machine, shares beyond what fits as strings.
- ``spark``: :mod:`coordgraph.engines.spark`, PySpark (local mode or any cluster).
"""
