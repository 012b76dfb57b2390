"""Saved investigations ("cases") in the graph store, and the audit trail of analysis runs.

Why: investigators lose their notes between sessions. A case keeps, under a unique name:
notes, bookmarked accounts, bookmarked communities, saved views of the web app, the run it is
about and that run's parameters, who created it and when, who saved it last and when.

Stored as ``(:Case {name, notes, accounts, communities, views, run_id, params, created,
updated, user, updated_by})`` — lists and objects as JSON strings (FalkorDB keeps no maps as
properties); times are epoch seconds UTC. Links make cases queryable from the graph:
``(:Case)-[:ABOUT_RUN]->(:Run)`` and ``(:Case)-[:BOOKMARKS]->(:Account)`` for the accounts
that are in the store. Every query is a ``case_*.cypher`` file with its parameters documented.

The audit trail is the ``(:Run)`` nodes the analysis writes (who, when, where, parameters,
status): :func:`audit_trail` lists them all, complete or not, with the cases about them.

Every function returns plain dicts (JSON lists/objects decoded), for the CLI and the web app.
"""
from __future__ import annotations

import getpass
import time
from typing import Any, Iterable

import orjson

from coordgraph.cypher.errors import QueryError, StoreError

MAX_NAME = 200
_JSON_FIELDS = ("accounts", "communities", "views", "params", "run_params")


class CaseError(StoreError):
    """A problem with a case the user asked for (unknown name, bad field); one clear line."""


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def _decode(row: dict) -> dict:
    out = dict(row)
    for key in _JSON_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = orjson.loads(out[key])
    for key in ("accounts", "communities", "views"):
        if key in out and out[key] is None:
            out[key] = []
    return out


def check_name(name: str) -> str:
    """The case name, trimmed; a blank or overlong name raises CaseError."""
    if not isinstance(name, str) or not name.strip():
        raise CaseError("case name: must not be blank")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise CaseError(f"case name: at most {MAX_NAME} characters, got {len(name)}")
    return name


def _check_views(views: list) -> list[dict]:
    for k, view in enumerate(views):
        if not isinstance(view, dict) or not isinstance(view.get("name"), str) or not view["name"].strip():
            raise CaseError(f"case views: item {k}: must be an object with a non-empty 'name'")
        try:
            _dumps(view)
        except TypeError as exc:
            raise CaseError(f"case views: item {k} ({view['name']!r}): not JSON-serialisable: {exc}") from None
    return views


def _union(old: Iterable, new: Iterable) -> list:
    """``old`` then the items of ``new`` not yet in it, order kept (items compared as JSON)."""
    seen, out = set(), []
    for item in list(old) + list(new):
        key = _dumps(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def ensure_case_index(store) -> None:
    """Create the index/constraint on ``Case.name`` (an existing one is fine)."""
    try:
        store.write_file("case_index")
    except QueryError as exc:
        if not store.dialect.is_duplicate_schema_error(str(exc)):
            raise


def _run_params(store, run_id: str) -> dict:
    rows = store.read("MATCH (r:Run {id: $id}) RETURN r.params AS params", {"id": run_id})
    if not rows:
        raise CaseError(f"run {run_id!r} is not in the store: see 'coordgraph case audit' for the runs")
    params = rows[0]["params"]
    return orjson.loads(params) if isinstance(params, str) else (params or {})


def save_case(
    store,
    name: str,
    notes: str | None = None,
    accounts: list[str] | None = None,
    communities: list[int | str] | None = None,
    views: list[dict] | None = None,
    run_id: str | None = None,
    params: dict | None = None,
    user: str | None = None,
    merge: bool = True,
    now: int | None = None,
) -> dict:
    """Create or update the case ``name``; returns it as :func:`get_case` does.

    Fields left as None keep their saved value (empty on creation). With ``merge`` (default)
    the given ``accounts``, ``communities`` and ``views`` are added to the saved ones (a view
    replaces a saved view of the same name); with ``merge=False`` they replace them, as the
    web app does when it saves its whole state. A ``run_id`` must name a run in the store;
    ``params`` default to that run's parameters. ``user`` defaults to the OS user; ``now``
    (epoch seconds UTC) to the current time.
    """
    name = check_name(name)
    old = get_case(store, name) or {}
    if views is not None:
        views = _check_views(list(views))
    if merge and old:
        if accounts is not None:
            accounts = _union(old.get("accounts", []), accounts)
        if communities is not None:
            communities = _union(old.get("communities", []), communities)
        if views is not None:
            names = {v["name"] for v in views}
            views = [v for v in old.get("views", []) if v.get("name") not in names] + views
    if run_id is not None and params is None:
        params = _run_params(store, run_id) if run_id != old.get("run_id") or not old.get("params") else old["params"]
    elif run_id is not None:
        _run_params(store, run_id)  # the run must exist
    values = {
        "notes": notes if notes is not None else old.get("notes", ""),
        "accounts": [str(a) for a in (accounts if accounts is not None else old.get("accounts", []))],
        "communities": communities if communities is not None else old.get("communities", []),
        "views": views if views is not None else old.get("views", []),
        "run_id": run_id if run_id is not None else old.get("run_id"),
        "params": params if params is not None else old.get("params", {}),
    }
    ensure_case_index(store)
    store.write_file("case_save", {
        "name": name,
        "notes": values["notes"],
        "accounts": _dumps(values["accounts"]),
        "communities": _dumps(values["communities"]),
        "views": _dumps(values["views"]),
        "run_id": values["run_id"],
        "params": _dumps(values["params"]),
        "now": int(now if now is not None else time.time()),
        "user": user or getpass.getuser(),
    })
    store.write_file("case_unlink", {"name": name})
    if values["run_id"]:
        store.write_file("case_link_run", {"name": name, "run_id": values["run_id"]})
    if values["accounts"]:
        store.write_file("case_link_accounts", {"name": name, "account_ids": values["accounts"]})
    return get_case(store, name)


def list_cases(store) -> list[dict]:
    """All cases, most recently updated first: name, notes, run_id, accounts, communities,
    views (decoded lists), created, updated (epoch s UTC), user, updated_by."""
    return [_decode(r) for r in store.run_file("case_list")]


def get_case(store, name: str) -> dict | None:
    """The case ``name`` (fields as in :func:`list_cases` plus ``params`` and the linked run's
    ``run_status``, ``run_created``, ``run_user``, ``run_params``, ``run_intent``), or None."""
    rows = store.run_file("case_get", {"name": check_name(name)})
    return _decode(rows[0]) if rows else None


def delete_case(store, name: str) -> bool:
    """Delete the case ``name`` and its links; True when it existed."""
    name = check_name(name)
    if get_case(store, name) is None:
        return False
    store.write_file("case_delete", {"name": name})
    return True


def cases_for_account(store, account_id: str) -> list[dict]:
    """The cases that bookmark ``account_id``: name, updated, run_id (newest first)."""
    return store.run_file("case_for_account", {"account_id": str(account_id)})


def audit_trail(store) -> list[dict]:
    """Every analysis run (complete or not), newest first: run_id, created, finished, user,
    host, status, intent, engine, params (decoded), cases (names of the cases about it)."""
    return [_decode(r) for r in store.run_file("case_audit")]


def export_case(store, name: str) -> dict:
    """Everything a report needs about the case ``name``, as one JSON-ready dict.

    Keys: ``case`` (as :func:`get_case`), ``accounts`` (bookmarked accounts in the store with
    their statistics in the case's run), ``edges`` (the run's COORDINATED edges between
    bookmarked accounts), ``communities`` (community -> members with statistics),
    ``exported`` (epoch s UTC). Raises CaseError for an unknown case.
    """
    case = get_case(store, name)
    if case is None:
        raise CaseError(f"no case named {name!r}: see 'coordgraph case list'")
    run_id = case.get("run_id")
    accounts = store.run_file("case_accounts", {"name": case["name"], "run_id": run_id})
    edges = store.run_file("case_edges", {"name": case["name"], "run_id": run_id}) if run_id else []
    communities = {}
    if run_id:
        for community in case.get("communities", []):
            try:
                value = int(community)
            except (TypeError, ValueError):
                value = community
            communities[str(community)] = store.run_file(
                "webapp_community_members", {"run_id": run_id, "community": value})
    return {"case": case, "accounts": accounts, "edges": edges, "communities": communities,
            "exported": int(time.time())}


def _when(ts: int | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts)) if ts is not None else "-"


def export_markdown(export: dict) -> str:
    """A Markdown section for a report from :func:`export_case`'s dict."""
    case = export["case"]
    lines = [f"## Case: {case['name']}", "",
             f"- created {_when(case.get('created'))} by {case.get('user') or '-'}; "
             f"updated {_when(case.get('updated'))} by {case.get('updated_by') or '-'}",
             f"- run: {case.get('run_id') or '-'}"
             + (f" ({case.get('run_status')}, run by {case.get('run_user')} at {_when(case.get('run_created'))})"
                if case.get("run_status") else ""),
             f"- parameters: `{_dumps(case.get('params') or {})}`", ""]
    if case.get("notes"):
        lines += ["### Notes", "", case["notes"], ""]
    lines += ["### Bookmarked accounts", ""]
    if export["accounts"]:
        lines += ["| account | handle | community | degree | strength |", "|---|---|---|---|---|"]
        for a in export["accounts"]:
            lines.append(f"| {a['account_id']} | {a.get('handle') or ''} | {_cell(a.get('community'))} | "
                         f"{_cell(a.get('degree'))} | {_cell(a.get('strength'))} |")
    missing = set(case.get("accounts", [])) - {a["account_id"] for a in export["accounts"]}
    if missing:
        lines.append(f"\nNot in the store: {', '.join(sorted(missing))}")
    if not export["accounts"] and not missing:
        lines.append("(none)")
    lines.append("")
    if export["edges"]:
        lines += ["### Coordination among bookmarked accounts", "",
                  "| account | account | weight | mean delay (s) |", "|---|---|---|---|"]
        for e in export["edges"]:
            lines.append(f"| {e['account_id']} | {e['account_id_y']} | {e['weight']} | {_cell(e.get('avg_time_delta'))} |")
        lines.append("")
    for community, members in export["communities"].items():
        lines += [f"### Community {community} ({len(members)} accounts)", "",
                  ", ".join(m["account_id"] for m in members) or "(no members in this run)", ""]
    if case.get("views"):
        lines += ["### Saved views", ""] + [f"- {v['name']}" for v in case["views"]] + [""]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
