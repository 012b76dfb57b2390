"""Turn what the app shows (run, filters, expanded communities, focus) into data: the
account/edge tables of the current view, and a :class:`NetworkView` for exports."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from coordgraph.reporting.view import NetworkView
from coordgraph.webapp.filters import Filters

MAX_COSHARE_ACCOUNTS = 5000


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

    Focus on an account: its neighbourhood; on an object: the accounts that co-shared it;
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
    """A :class:`NetworkView` of the current view (``scope='view'``) or of one community."""
    run = view["run"]
    filters = Filters.from_dict(view.get("filters"))
    if scope == "community":
        if community is None:
            raise ValueError("select a community first (click one in the network)")
        return community_view(state, run, int(community), filters, notes)
    accounts, edges, what = view_tables(state, view)
    return _with_coshares(state, run, accounts, edges, filters, f"coordgraph view: {what}", notes)


def community_view(state, run: str, community: int, filters: Filters, notes: str = "") -> NetworkView:
    """Every member of ``community`` (run statistics) and its edges passing ``filters``."""
    members = state.source.community_members(run, community)
    if members.empty:
        raise ValueError(f"run {run} has no community {community}")
    _a, edges = state.snapshot(run).community_view(community, filters)
    return _with_coshares(state, run, members, edges, filters, f"coordgraph community {community} of run {run}", notes,
                          community=community)


def _with_coshares(state, run, accounts, edges, filters, title, notes, community=None) -> NetworkView:
    ids = accounts["account_id"].astype(str).tolist()
    objects = pd.DataFrame(columns=["object_id", "n_accounts", "n_shares"])
    timeline = pd.DataFrame(columns=["hour", "shares"])
    note = ""
    if 0 < len(ids) <= MAX_COSHARE_ACCOUNTS:
        rows = state.store.run_file("webapp_accounts_coshares", {"run_id": run, "account_ids": ids})
        co = pd.DataFrame.from_records(rows, columns=["object_id", "account_id", "account_id_y", "ts"])
        if len(co):
            both = pd.concat([co[["object_id", "account_id"]], co[["object_id", "account_id_y"]].set_axis(
                ["object_id", "account_id"], axis=1)])
            objects = (both.groupby("object_id")["account_id"].nunique().rename("n_accounts").to_frame()
                       .join(co.groupby("object_id").size().rename("n_shares"))
                       .sort_values(["n_accounts", "n_shares"], ascending=False).reset_index())
            ts = pd.to_numeric(co["ts"], errors="coerce").dropna().astype("int64")
            timeline = (ts // 3600 * 3600).value_counts().sort_index().rename_axis("hour").rename("shares").reset_index()
    elif len(ids):
        note = f"top objects and timeline left out: more than {MAX_COSHARE_ACCOUNTS:,} accounts"
    run_info = next((r for r in state.runs() if r["id"] == run), {})
    params = {"run_id": run, **({"community": community} if community is not None else {}),
              **{f"detection.{k}": v for k, v in (run_info.get("params") or {}).items()},
              **{f"filter.{k}": v for k, v in filters.as_dict().items()}}
    if note:
        params["note"] = note
    return NetworkView(accounts=accounts, edges=edges, objects=objects, timeline=timeline, params=params,
                       title=title, notes=notes)
