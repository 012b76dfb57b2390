"""Fixtures of the run-layer parity suite: every engine through coordgraph.run.

``run_all(name, shares, **params)`` runs one data set once per engine (cached for the
session): python, outofcore with its C kernels, outofcore with its numpy kernels, spark
(local[2], skipped without pyspark/java) and cypher (the embedded FalkorDB of tests/conftest).
"""
from __future__ import annotations

import importlib
import os
import shutil
import uuid

import pytest

ENGINES = ("python", "outofcore", "outofcore-numpy", "spark", "cypher")


def _has_spark() -> bool:
    try:
        importlib.import_module("pyspark")
    except ImportError:
        return False
    return shutil.which("java") is not None


@pytest.fixture(scope="session")
def spark_ready():
    """The Spark engine's session in local[2] with one shuffle partition (tiny inputs)."""
    if not _has_spark():
        pytest.skip("pyspark or java missing")
    from coordgraph.engines import spark

    session = spark.get_spark("local[2]", shuffle_partitions=1)
    session.conf.set("spark.sql.adaptive.enabled", "false")
    yield session
    session.stop()
    spark._SESSION = None


@pytest.fixture(scope="session")
def run_all(embedded_server, request):
    """(data set name, shares, params) -> {engine: RunResult}, each engine run once."""
    from coordgraph.cypher.store import FalkorStore
    from coordgraph.run import Run, execute

    cache: dict = {}
    stores = []

    def run(name: str, shares, engines=ENGINES, **params):
        out = cache.setdefault(name, {})
        for engine in engines:
            if engine in out:
                continue
            kw = dict(params)
            if engine == "spark":
                request.getfixturevalue("spark_ready")
            if engine == "cypher":
                st = FalkorStore(embedded_server.host, embedded_server.port, f"parity_{uuid.uuid4().hex[:8]}")
                st.ensure_schema()
                stores.append(st)
                kw["store"] = st
            name_ = "outofcore" if engine.startswith("outofcore") else engine
            old = os.environ.get("COORDGRAPH_NATIVE")
            os.environ["COORDGRAPH_NATIVE"] = "0" if engine == "outofcore-numpy" else "1"
            try:
                res = execute(Run(shares, engine=name_, **kw))
                res.close()  # tables read into memory, scratch removed
            finally:
                if old is None:
                    os.environ.pop("COORDGRAPH_NATIVE", None)
                else:
                    os.environ["COORDGRAPH_NATIVE"] = old
            out[engine] = res
        return {e: out[e] for e in engines}

    yield run
    for st in stores:
        st.clear()
        st.close()
