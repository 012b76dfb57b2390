"""``coordgraph serve`` (the investigation web app) and ``coordgraph export`` (the same exports
from the command line)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from coordgraph.cli._app import app, console, fail


@app.command("serve")
def serve_command(
    store: Optional[str] = typer.Option(None, "--store", help="store URI (default: the embedded FalkorDB)"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind; anything but loopback needs a password"),
    port: int = typer.Option(8050, "--port", help="TCP port"),
    ask_password: bool = typer.Option(False, "--ask-password",
                                      help="type the password the app asks for (not echoed); "
                                           "or set it in COORDGRAPH_PASSWORD"),
    password: Optional[str] = typer.Option(None, "--password", hidden=True,
                                           help="refused: a password in argv is visible to every user (ps)"),
    run: Optional[str] = typer.Option(None, "--run", help="run to show first (default: the newest)"),
) -> None:
    """Start the investigation web app on http://HOST:PORT (Ctrl-C stops it).

    A password (required for any address but loopback) comes from COORDGRAPH_PASSWORD or from
    --ask-password, never from the command line.
    """
    import sys

    from coordgraph.cypher import open_store
    from coordgraph.cypher.errors import StoreError
    from coordgraph.webapp.auth import PASSWORD_ENV, BindRefused, check_bind, is_loopback, resolve_password
    from coordgraph.webapp.server import serve

    if password is not None:
        fail(f"--password is not accepted: a password on the command line is visible to every user "
             f"of this machine (ps). Set {PASSWORD_ENV} or use --ask-password")
    password = resolve_password()
    if ask_password or (not password and not is_loopback(host) and sys.stdin.isatty()):
        password = typer.prompt("password for the web app", hide_input=True, confirmation_prompt=True)
        if not password:
            fail("--ask-password: the password must not be empty")
    try:
        check_bind(host, password)
    except BindRefused as exc:
        fail(str(exc))
    try:
        st = open_store(store)
    except StoreError as exc:
        fail(str(exc))
    if run is not None:
        from coordgraph.cypher.runs import get_run

        if get_run(st, run) is None:
            fail(f"no complete run {run!r} in the store (list them with: coordgraph runs)")
    try:
        serve(st, host=host, port=port, password=password, run_id=run, store_uri=store or st.uri,
              on_ready=lambda url: console.print(f"coordgraph web app on [bold]{url}[/] (Ctrl-C stops it)"))
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


@app.command("export")
def export_command(
    run: str = typer.Option(..., "--run", help="the run id"),
    community: int = typer.Option(..., "--community", help="the community (see coordgraph communities)"),
    fmt: str = typer.Option("html", "--format", help="csv, gexf, graphml, json, svg or html"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="output file (default: <run>-community<C>.<ext>)"),
    store: Optional[str] = typer.Option(None, "--store", help="store URI (default: the embedded FalkorDB)"),
    min_weight: float = typer.Option(0.0, "--min-weight", help="keep edges with at least this many co-shares"),
    case: Optional[str] = typer.Option(None, "--case", help="include this saved case's notes in the report"),
    compare: list[str] = typer.Option([], "--compare", help="html/pdf: add a comparison of --run with this run "
                                                            "(repeat; the numbers of `coordgraph compare`)"),
) -> None:
    """Export one community of a run: members CSV, GEXF/GraphML (Gephi), Cytoscape JSON, SVG or HTML report."""
    from coordgraph.cypher import open_store
    from coordgraph.cypher.errors import StoreError
    from coordgraph.cypher.runs import get_run
    from coordgraph.reporting.fetch import NO_FILTER, community_view
    from coordgraph.reporting.formats import EXPORT_FORMATS, export_bytes

    if fmt not in EXPORT_FORMATS:
        fail(f"--format: unknown format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)} "
             "(PNG comes from the web app's Export PNG button)")
    try:
        st = open_store(store)
        if get_run(st, run) is None:
            fail(f"--run: no complete run {run!r} in the store (list them with: coordgraph runs)")
        notes = ""
        if case:
            from coordgraph.cypher.cases import get_case

            found = get_case(st, case)
            if found is None:
                fail(f"--case: no saved case {case!r}")
            notes = f"Case '{case}':\n{found.get('notes') or ''}"
        view = community_view(st, run, community, {**NO_FILTER, "min_weight": float(min_weight)}, notes=notes)
    except ValueError as exc:
        fail(f"--community: {exc}")
    except StoreError as exc:
        fail(str(exc))
    if compare:
        view.comparison, view.comparison_labels = _comparison(st, run, compare, fmt)
    from coordgraph.reporting.pdf import PdfUnavailable

    try:
        content, ext = export_bytes(view, fmt)
    except PdfUnavailable as exc:  # no Chromium / Playwright: one line, not a traceback
        fail(f"--format {fmt}: {exc}")
    path = out or Path(f"{run}-community{community}.{ext}")
    try:
        path.write_bytes(content)
    except OSError as exc:
        fail(f"--out: cannot write {path}: {exc.strerror or exc}")
    console.print(f"wrote {path} ({len(view.accounts):,} accounts, {len(view.edges):,} edges, {fmt})")


def _comparison(st, run: str, others: list[str], fmt: str):
    """export --compare: (Comparison of ``run`` with ``others``, run id -> method in words)."""
    from coordgraph.cypher.compare import describe_run, store_comparison
    from coordgraph.cypher.errors import StoreError
    from coordgraph.cypher.runs import list_runs

    if fmt not in ("html", "pdf"):
        fail(f"--compare: the comparison is a section of the report (--format html or pdf), not of {fmt}")
    try:
        return store_comparison(st, [run, *others]), {r["id"]: describe_run(r) for r in list_runs(st)}
    except ValueError as exc:
        fail(f"--compare: {exc}")
    except StoreError as exc:
        fail(str(exc))
