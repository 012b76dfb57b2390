"""``coordgraph case save|list|show|export|delete|audit``: saved investigations in the graph store.

A case keeps notes, bookmarked accounts and communities, saved views and the run it is about
(with that run's parameters); ``audit`` lists every analysis run with who ran it, when and
with what parameters. Every command takes ``--store URI`` (or $COORDGRAPH_STORE); without it
the embedded FalkorDB is used. Errors are one line on stderr and exit code 2.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

import orjson
import typer
from rich.console import Console
from rich.table import Table

from coordgraph.cli._app import STORE_OPTION, app, store_session, fail

case_app = typer.Typer(help="Saved investigations: notes, bookmarks, views and their run.", no_args_is_help=True)
app.add_typer(case_app, name="case")

FORMAT_OPTION = typer.Option("table", "--format", help="table or json")
out = Console()




def _when(ts: Optional[int]) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts)) if ts is not None else "-"


def _json(value) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        fail(f"--format: use {' or '.join(allowed)}, not {fmt!r}")


def _parse_views(views: List[str]) -> list[dict]:
    parsed = []
    for k, text in enumerate(views):
        try:
            view = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            fail(f"--view #{k + 1}: not valid JSON ({exc}); e.g. --view '{{\"name\": \"core\", \"filter\": \"weight>3\"}}'")
        parsed.append(view)
    return parsed


def _parse_communities(values: List[str]) -> list:
    return [int(v) if v.lstrip("-").isdigit() else v for v in values]


@case_app.command("save")
def case_save(
    name: str = typer.Argument(..., help="the case name (creates it, or updates the case of that name)"),
    notes: Optional[str] = typer.Option(None, "--notes", help="notes (replace the saved notes)"),
    notes_file: Optional[Path] = typer.Option(None, "--notes-file", help="read the notes from a text file"),
    account: List[str] = typer.Option([], "--account", "-a", help="bookmark an account id (repeatable)"),
    community: List[str] = typer.Option([], "--community", "-c", help="bookmark a community of the run (repeatable)"),
    view: List[str] = typer.Option([], "--view", help="a saved view as JSON with a 'name' (repeatable)"),
    run: Optional[str] = typer.Option(None, "--run", help="the run the case is about, or 'latest'"),
    replace: bool = typer.Option(False, "--replace", help="replace the saved bookmarks and views instead of adding"),
    user: Optional[str] = typer.Option(None, "--user", help="who saves (default: the OS user)"),
    store_uri: Optional[str] = STORE_OPTION,
) -> None:
    """Create or update a saved investigation."""
    from coordgraph.cypher import latest_run
    from coordgraph.cypher.cases import save_case

    if notes is not None and notes_file is not None:
        fail("give --notes or --notes-file, not both")
    if notes_file is not None:
        try:
            notes = notes_file.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"{notes_file}: cannot read the notes ({exc.strerror})")
    views = _parse_views(view)
    with store_session(store_uri) as store:
        run_id = run
        if run == "latest":
            newest = latest_run(store)
            if newest is None:
                fail("--run latest: the store holds no complete run (run 'coordgraph analyze' first)")
            run_id = newest["id"]
        case = save_case(store, name, notes=notes, accounts=account or None,
                         communities=_parse_communities(community) or None, views=views or None,
                         run_id=run_id, user=user, merge=not replace)
    out.print(f"saved case {case['name']!r}: {len(case['accounts'])} accounts, "
              f"{len(case['communities'])} communities, {len(case['views'])} views, run {case['run_id'] or '-'}")


@case_app.command("list")
def case_list(fmt: str = FORMAT_OPTION, store_uri: Optional[str] = STORE_OPTION) -> None:
    """List the saved investigations, most recently updated first."""
    from coordgraph.cypher.cases import list_cases

    _check_format(fmt, ("table", "json"))
    with store_session(store_uri) as store:
        cases = list_cases(store)
    if fmt == "json":
        _json(cases)
        return
    table = Table("name", "run", "accounts", "communities", "views", "updated", "by", title="cases")
    for c in cases:
        table.add_row(c["name"], c["run_id"] or "-", str(len(c["accounts"])), str(len(c["communities"])),
                      str(len(c["views"])), _when(c["updated"]), c.get("updated_by") or "-")
    out.print(table if cases else "no saved cases (create one with: coordgraph case save NAME)")


@case_app.command("show")
def case_show(name: str = typer.Argument(...), fmt: str = FORMAT_OPTION,
              store_uri: Optional[str] = STORE_OPTION) -> None:
    """Show one saved investigation."""
    from coordgraph.cypher.cases import get_case

    _check_format(fmt, ("table", "json"))
    with store_session(store_uri) as store:
        case = get_case(store, name)
    if case is None:
        fail(f"no case named {name!r}: see 'coordgraph case list'")
    if fmt == "json":
        _json(case)
        return
    out.print(f"[bold]{case['name']}[/]  created {_when(case['created'])} by {case['user']}, "
              f"updated {_when(case['updated'])} by {case['updated_by']}", highlight=False)
    out.print(f"run: {case['run_id'] or '-'} ({case.get('run_status') or 'not in the store'})", highlight=False)
    out.print(f"parameters: {orjson.dumps(case['params'] or {}, option=orjson.OPT_SORT_KEYS).decode()}", highlight=False)
    out.print(f"accounts: {', '.join(case['accounts']) or '-'}", highlight=False)
    out.print(f"communities: {', '.join(map(str, case['communities'])) or '-'}", highlight=False)
    out.print(f"views: {', '.join(v['name'] for v in case['views']) or '-'}", highlight=False)
    if case["notes"]:
        out.print("notes:\n" + case["notes"], highlight=False, markup=False)


@case_app.command("export")
def case_export(
    name: str = typer.Argument(...),
    output: Optional[Path] = typer.Option(None, "--out", "-o", help="file to write (default: stdout)"),
    fmt: str = typer.Option("json", "--format", help="json or md (a Markdown section for a report)"),
    store_uri: Optional[str] = STORE_OPTION,
) -> None:
    """Export a case with its accounts' statistics, their edges and its communities."""
    from coordgraph.cypher.cases import export_case, export_markdown

    _check_format(fmt, ("json", "md"))
    with store_session(store_uri) as store:
        data = export_case(store, name)
    text = (export_markdown(data) if fmt == "md"
            else orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write the export ({exc.strerror})")
    out.print(f"wrote {output}")


@case_app.command("delete")
def case_delete(name: str = typer.Argument(...), store_uri: Optional[str] = STORE_OPTION) -> None:
    """Delete a saved investigation (accounts and runs stay)."""
    from coordgraph.cypher.cases import delete_case

    with store_session(store_uri) as store:
        if not delete_case(store, name):
            fail(f"no case named {name!r}: see 'coordgraph case list'")
    out.print(f"deleted case {name!r}")


@case_app.command("audit")
def case_audit(fmt: str = FORMAT_OPTION, store_uri: Optional[str] = STORE_OPTION) -> None:
    """The audit trail: every analysis run, who ran it, when, with what parameters."""
    from coordgraph.cypher.cases import audit_trail

    _check_format(fmt, ("table", "json"))
    with store_session(store_uri) as store:
        trail = audit_trail(store)
    if fmt == "json":
        _json(trail)
        return
    table = Table("run", "started", "user", "host", "status", "parameters", "cases", title="analysis runs")
    for r in trail:
        params = orjson.dumps(r["params"] or {}, option=orjson.OPT_SORT_KEYS).decode()
        table.add_row(r["run_id"], _when(r["created"]), r["user"] or "-", r["host"] or "-", r["status"] or "-",
                      params, ", ".join(r["cases"]) or "-")
    out.print(table if trail else "no runs in the store")
