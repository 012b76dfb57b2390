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
    "compare",    # coordgraph compare          (methods side by side, issue 17)
)
for _name in _COMMAND_MODULES:
    importlib.import_module(f"coordgraph.cli.{_name}")


def main() -> None:
    """Console-script entry point."""
    app()
