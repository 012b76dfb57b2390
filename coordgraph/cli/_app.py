"""The shared typer application and the one-line error convention."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, NoReturn, Optional

import typer
from rich.console import Console

app = typer.Typer(
    name="coordgraph",
    help="Find coordinated accounts: load posts, detect co-shares, explore the network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(stderr=True)


class UserError(Exception):
    """An error in the user's input or environment: shown as one line, exit code 2."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``message`` as one clear line on stderr and exit with ``code`` (2 by default)."""
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def fail_about(path, exc: BaseException, code: int = 2) -> NoReturn:
    """:func:`fail` with ``exc``'s message about the file ``path``, named once (the readers'
    messages usually start with the path already)."""
    message = str(exc)
    fail(message if message.startswith(f"{path}") else f"{path}: {message}", code)


def _print_version(value: bool) -> None:
    """``--version``: print and exit before the command is looked for (an eager callback)."""
    if value:
        from coordgraph import __version__

        typer.echo(f"coordgraph {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True,
                                 callback=_print_version),
) -> None:
    """coordgraph: find coordinated accounts, store them in a graph database, explore and export."""


STORE_OPTION = typer.Option(None, "--store", envvar="COORDGRAPH_STORE",
                            help="bolt://host:7687 or neo4j://... (NEO4J_USER/NEO4J_PASSWORD), "
                                 "falkordb://host:port; default: the embedded store")


@contextmanager
def store_session(uri: Optional[str]) -> Iterator:
    """Open the store for one command and close it after; store errors become one-line
    failures (exit 2) instead of tracebacks."""
    from coordgraph.cypher import open_store
    from coordgraph.cypher.errors import StoreError

    try:
        store = open_store(uri)
    except StoreError as exc:
        fail(str(exc))
    try:
        yield store
    except StoreError as exc:
        fail(str(exc))
    finally:
        store.close()
