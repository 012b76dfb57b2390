"""Turn what the app shows (run, filters, expanded communities, focus) into data: the
account/edge tables of the current view, and a :class:`NetworkView` for exports."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from coordgraph.reporting import fetch
from coordgraph.reporting.view import NetworkView
from coordgraph.webapp.filters import Filters


def parse_utc(text: str | None, field: str) -> int | None:
    """'YYYY-MM-DD[ HH:MM[:SS]]' (UTC) or UNIX seconds -> UNIX seconds; blank -> None."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if text.isdigit():
        return int(text)
    try:
        stamp = dt.datetime.fromisoformat(text.replace("T", " "))
    except ValueError:
        raise ValueError(f"{field}: '{text}' is not a time; use YYYY-MM-DD HH:MM (UTC)") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return int(stamp.timestamp())


def view_tables(state, view: dict) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(accounts, edges, description) of the current view of the app.

    Focus on an account: its ego network; on an object: the accounts that co-shared it;
    expanded communities: their members; otherwise every edge passing the filters.
    """
    run = view["run"]
    filters = Filters.from_dict(view.get("filters"))
    snap = state.snapshot(run)
    focus = view.get("focus")
    if focus and focus.get("kind") == "account":
        a, _ = snap.neighbourhood(focus["id"], filters)
        a, e = snap.among(set(a["account_id"]), filters)
        return a, e, f"neighbourhood of account {focus['id']}"
    if focus and focus.get("kind") == "object":
        rows = state.source.object_accounts(run, focus["id"])
        ids = set(rows["account_id"]) | set(rows["account_id_y"])
        a, e = snap.among(ids, filters)
        return a, e, f"accounts that co-shared object {focus['id']}"
    expanded = view.get("expanded") or []
    if expanded:
        parts = [snap.community_view(int(c), filters) for c in expanded]
        a = pd.concat([p[0] for p in parts], ignore_index=True)
        e = pd.concat([p[1] for p in parts], ignore_index=True)
        return a, e, f"communities {', '.join(map(str, expanded))}"
    a, e = snap.among(None, filters)
    return a, e, "all edges passing the filters"


def build_export_view(state, view: dict, scope: str, community: int | None, notes: str = "") -> NetworkView:
    """A :class:`NetworkView` of the current view (``scope='view'``) or of one community
    (every member; the edges that pass the current filters)."""
    run = view["run"]
    filters = Filters.from_dict(view.get("filters"))
    if scope == "community":
        if community is None:
            raise ValueError("select a community first (click one in the network)")
        params = filters.params(run, state.snapshot(run).weight)
        return fetch.community_view(state.store, run, int(community), params, filters_shown=filters.as_dict(),
                                    notes=notes)
    accounts, edges, what = view_tables(state, view)
    return fetch.network_view(state.store, run, accounts, edges, title=f"coordgraph view: {what}",
                              filters=filters.as_dict(), notes=notes)
