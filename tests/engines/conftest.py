"""Fixtures of the engine parity suite: one SparkSession for the whole session (local[2],
quiet, one shuffle partition so the small fixtures run quickly), engines by name."""
from __future__ import annotations

import importlib
import shutil

import pytest

ENGINES = ("python", "outofcore", "spark")


def _has_spark() -> bool:
    try:
        importlib.import_module("pyspark")
    except ImportError:
        return False
    return shutil.which("java") is not None


@pytest.fixture(scope="session")
def spark_session():
    """The Spark engine's session in local[2] mode (skipped without pyspark or Java)."""
    if not _has_spark():
        pytest.skip("pyspark or java missing")
    from coordgraph.engines import spark

    session = spark.get_spark("local[2]", shuffle_partitions=1)
    session.conf.set("spark.sql.adaptive.enabled", "false")  # tiny inputs: planning costs more than it saves
    yield session
    session.stop()
    spark._SESSION = None


def engine_params():
    """pytest params for every engine, Spark marked ``spark``; the out-of-core engine twice:
    with its C kernels and with its numpy kernels (the fallback when they are not built)."""
    params = [pytest.param(name, marks=pytest.mark.spark) if name == "spark" else name for name in ENGINES]
    return params[:2] + ["outofcore-numpy"] + params[2:]


def use_kernels(kernels: str, monkeypatch) -> None:
    """Run the out-of-core engine with its ``native`` (C) or ``numpy`` kernels."""
    from coordgraph.engines import outofcore

    if kernels == "native":
        assert outofcore.N is not None, "the C kernels (coordgraph/engines/_native.c) are not built"
    monkeypatch.setenv("COORDGRAPH_NATIVE", "1" if kernels == "native" else "0")


@pytest.fixture(params=["native", "numpy"])
def kernels(request, monkeypatch):
    """Both kernel sets of the out-of-core engine, one after the other."""
    use_kernels(request.param, monkeypatch)
    return request.param


@pytest.fixture(params=engine_params())
def engine(request, monkeypatch):
    """The engine module (detect_groups, flag_speed_share, coordinated_network) by name."""
    name = request.param
    if name == "spark":
        request.getfixturevalue("spark_session")
    if name.startswith("outofcore"):
        use_kernels("numpy" if name.endswith("-numpy") else "native", monkeypatch)
        name = "outofcore"
    from coordgraph.engines import engine_module

    return engine_module(name)
