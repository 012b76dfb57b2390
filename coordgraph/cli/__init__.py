"""The ``coordgraph`` command line: thin typer commands that parse options and call the parts.

Each command group lives in its own module and registers itself on the typer app
(``coordgraph.cli.app``). Errors in user data are one clear line on stderr and exit code 2
(see :func:`fail`).

Start-up: ``main()`` imports only the module of the command being run (``coordgraph detect``
does not build the other 22 commands: ~0.05 s), and every module for ``--help`` or an unknown
word. ``from coordgraph.cli import app`` gives the app with every command registered.
"""
from __future__ import annotations

import importlib
import sys

from coordgraph.cli._app import fail  # noqa: F401

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
    "watch",      # coordgraph watch            (continuous monitoring, issue 16)
    "compare",    # coordgraph compare          (methods side by side, issue 17)
)
#: The first word of a command line -> the module that registers it (tests/test_startup.py
#: checks this against the registered commands; a word missing here loads every module).
COMMAND_MODULE = {
    "detect": "detect", "demo": "demo", "shares": "shares",
    "db": "store", "ingest": "store", "analyze": "store", "communities": "store", "cypher": "store",
    "runs": "store", "trends": "trends", "influence": "trends", "serve": "serve", "export": "serve",
    "scale": "scale", "case": "beyond", "load-run": "detect", "watch": "watch", "compare": "compare",
}


def register(modules=_COMMAND_MODULES):
    """Import command modules (each registers its commands on the app); returns the app."""
    for name in modules:
        importlib.import_module(f"coordgraph.cli.{name}")
    from coordgraph.cli._app import app as typer_app

    return typer_app


def __getattr__(name: str):
    if name == "app":  # the app with every command, for `from coordgraph.cli import app`
        return register()
    raise AttributeError(f"module 'coordgraph.cli' has no attribute {name!r}")


def _modules_for(argv: list[str]) -> tuple[str, ...]:
    """The command modules a command line needs: its command's, or all of them."""
    word = next((a for a in argv if not a.startswith("-")), None)
    if word in COMMAND_MODULE and not any(a in ("--help", "-h") for a in argv[:argv.index(word)]):
        return (COMMAND_MODULE[word],)
    return _COMMAND_MODULES


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

    typer_app = register(_modules_for(sys.argv[1:]))
    try:
        typer_app()
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
