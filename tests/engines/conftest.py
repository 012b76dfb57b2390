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
    """pytest params for every engine, Spark marked ``spark``."""
    return [pytest.param(name, marks=pytest.mark.spark) if name == "spark" else name for name in ENGINES]


@pytest.fixture(params=engine_params())
def engine(request):
    """The engine module (detect_groups, flag_speed_share, coordinated_network) by name."""
    name = request.param
    if name == "spark":
        request.getfixturevalue("spark_session")
    from coordgraph.engines import engine_module

    return engine_module(name)
