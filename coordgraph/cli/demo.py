"""CLI commands for this part (registered on import on the shared app)."""
from __future__ import annotations

from coordgraph.cli._app import app  # noqa: F401
