"""The suite's xdist groups hold: under ``make test`` (``-n 2 --dist loadgroup``) a test marked
``xdist_group`` carries its group in its node id, which is what sends the whole group to one
worker. pytest 9.2 dropped that suffix without a word (pytest-xdist issue #1386): the parity
suite's module fixtures then ran every engine, Spark too, once per worker (pyproject pins
pytest below 9.2 until pytest-xdist handles it)."""
import pytest

pytestmark = pytest.mark.xdist_group("xdist_group_check")


def test_a_grouped_test_carries_its_group(request):
    if not getattr(request.config.option, "loadgroup", False):  # set by xdist only
        pytest.skip("not run under --dist loadgroup")
    assert request.node.nodeid.endswith("@xdist_group_check"), request.node.nodeid
