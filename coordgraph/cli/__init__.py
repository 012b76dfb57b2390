"""The ``coordgraph`` command line: thin typer commands that parse options and call the parts.

Each command group lives in its own module and registers itself on :data:`app`.
Errors in user data are one clear line on stderr and exit code 2 (see :func:`fail`).
"""
from __future__ import annotations

import importlib

from coordgraph.cli._app import app, fail  # noqa: F401

# Command modules register themselves on import. Each is owned by one part of the project.
_COMMAND_MODULES = (
    "detect",     # coordgraph detect           (analysis, issue 2)
    "demo",       # coordgraph demo
    "shares",     # coordgraph shares           (loader, issue 3)
    "store",      # coordgraph db/ingest/analyze/cypher/communities (graph store, issue 4)
    "trends",     # coordgraph trends           (issue 5)
    "serve",      # coordgraph serve / export   (web app, issue 6)
    "scale",      # coordgraph bench helpers / engines (issue 7)
    "beyond",     # similar text/images, significance, cases (issue 8)
)
for _name in _COMMAND_MODULES:
    importlib.import_module(f"coordgraph.cli.{_name}")


def main() -> None:
    """Console-script entry point: run the command, then leave without the interpreter's
    final clean-up.

    Why: after a ``coordgraph detect`` on 35k shares, Python's shutdown (tearing down pandas,
    pyarrow and ~80,000 objects one by one) took 0.13-0.2 s of a 0.9 s process, and the
    process is about to end anyway. So, once the command has returned and no other
    (non-daemon) thread runs, the exit handlers are run (``atexit``: temporary directories,
    logging, child processes), the output is flushed and the process ends with
    :func:`os._exit`. Set ``COORDGRAPH_CLEAN_EXIT=1`` for the ordinary interpreter exit.
    """
    import os

    try:
        app()
        code = 0
    except SystemExit as exc:
        if not (exc.code is None or isinstance(exc.code, int)) or os.environ.get("COORDGRAPH_CLEAN_EXIT"):
            raise
        code = exc.code or 0
    _fast_exit(code)


def _fast_exit(code: int) -> None:
    """Run the exit handlers, flush stdout/stderr and end the process with ``code``; falls
    back to the ordinary exit while a non-daemon thread still runs (it must be joined)."""
    import atexit
    import os
    import sys
    import threading

    if any(t is not threading.main_thread() and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken pipe: nothing more to say
            pass
    os._exit(code)
