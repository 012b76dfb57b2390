"""Callbacks of the live view (:mod:`coordgraph.webapp.live_panel`): follow a run that
``coordgraph watch --store`` keeps current. Everything is read from the store
(``webapp_live_run``, ``webapp_live_growth``, ``webapp_live_alerts``); nothing is computed
here but the stylesheet that marks what appeared after the chosen batch.

- the refresh: every REFRESH_MS (only while the opened run is live) the Run node's ``batch``
  is read; when it moved on, the run's cached snapshot is dropped and the drawing redrawn;
- "new since": a batch (or a UTC time: the last batch applied at or before it, by the data's
  newest share time) -> accounts and edges with ``first_batch`` after it highlighted, or the
  others hidden; communities that are new or grew since then listed with their size then
  and now, outlined in the overview;
- alerts: listed newest first; a click opens the community that now holds the alert's
  network (or the watched account's neighbourhood).
"""
from __future__ import annotations

import datetime as dt

import orjson
from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from coordgraph.cypher.errors import StoreError
from coordgraph.webapp.callbacks import LINK, community_details, account_details, store_problem
from coordgraph.webapp.style import STYLESHEET
from coordgraph.webapp.views import parse_utc

NEW = "#d81b60"


def _utc(ts) -> str:
    if ts is None or int(ts) < 0:
        return "?"
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def live_info(store, run_id: str | None) -> dict | None:
    """{run, batch, batches: [{batch, time, applied_at, edges}], updated} of a live run, else None."""
    if not run_id:
        return None
    rows = store.run_file("webapp_live_run", {"run_id": run_id})
    if not rows or not rows[0].get("live"):
        return None
    r = rows[0]
    batches = orjson.loads(r["batches"]) if isinstance(r.get("batches"), str) else (r.get("batches") or [])
    return {"run": run_id, "batch": int(r["batch"] or 0), "batches": batches, "updated": r.get("live_updated")}


def since_batch(info: dict, batch, time_text) -> tuple[int | None, str]:
    """The batch "new since" means, and a line saying so. A UTC time wins over the dropdown:
    the last batch whose newest share time is at or before it (0 = before the first)."""
    t = parse_utc(time_text, "new since")
    if t is not None:
        done = [b["batch"] for b in info["batches"] if b.get("time") is not None and int(b["time"]) <= t]
        k = max(done) if done else 0
        return k, f"new since {_utc(t)} UTC = after batch {k}"
    if batch is None:
        return None, "pick a batch or a time to see what is new"
    return int(batch), f"new since batch {int(batch)}"


def stylesheet(since: int | None, mode: str, grown: list[int]) -> list[dict]:
    """The base stylesheet plus the live marks: accounts/edges with first_batch > since
    highlighted (or, mode "only", the others hidden); grown communities outlined."""
    if since is None:
        return STYLESHEET
    extra = [{"selector": f"node.account[first_batch > {since}]",
              "style": {"border-width": 4, "border-color": NEW}},
             {"selector": f"edge.edge[first_batch > {since}]", "style": {"line-color": NEW}}]
    if mode == "only":
        extra += [{"selector": f"node.account[first_batch <= {since}]", "style": {"display": "none"}},
                  {"selector": f"edge.edge[first_batch <= {since}]", "style": {"display": "none"}}]
    extra += [{"selector": f'node.community[community = {int(c)}]',
               "style": {"border-width": 4, "border-color": NEW}} for c in grown]
    return [*STYLESHEET, *extra]


def register(app, state) -> None:
    """Attach the live view's callbacks to ``app``."""

    @app.callback(
        Output("live-panel", "style"), Output("live-tick", "disabled"), Output("live-info", "data"),
        Output("live-since", "options"), Output("live-status", "children"),
        Output("expanded", "data", allow_duplicate=True), Output("live-tick", "interval"),
        Input("run-select", "value"), Input("live-tick", "n_intervals"),
        State("live-info", "data"), State("live-panel", "style"), State("expanded", "data"),
        prevent_initial_call="initial_duplicate",
    )
    def follow(run, _tick, known, style, expanded):
        """Show the panel for a live run and notice when the watcher wrote a new batch."""
        style = dict(style or {})
        try:
            info = live_info(state.store, run)
        except StoreError:
            raise PreventUpdate
        if info is None:
            return {**style, "display": "none"}, True, None, [], "", no_update, no_update
        if info == known and (style or {}).get("display") == "block":
            raise PreventUpdate  # nothing new: no re-render (a click on a list item is not lost)
        redraw = no_update
        if known and known.get("run") == run and known.get("batch") != info["batch"]:
            state.refresh(run)
            redraw = list(expanded or [])  # the same value: the drawing is redrawn from the new snapshot
        options = [{"label": f"batch {b['batch']} ({_utc(b.get('time'))} UTC)", "value": int(b["batch"])}
                   for b in reversed(info["batches"])]
        status = (f"batch {info['batch']}, updated "
                  f"{_utc(info['updated'])} UTC; checked every {app_refresh_s(app)} s")
        return {**style, "display": "block"}, False, info, options, status, redraw, app_refresh_s(app) * 1000

    @app.callback(
        Output("live-growth", "children"), Output("live-alerts", "children"), Output("graph", "stylesheet"),
        Output("live-since-explain", "children"),
        Input("live-info", "data"), Input("live-since", "value"), Input("live-since-time", "value"),
        Input("live-mode", "value"),
    )
    def show(info, batch, time_text, mode):
        """The growing networks, the alerts and the graph's marks for the chosen "new since"."""
        if not info:
            return [], [], STYLESHEET, ""
        try:
            since, explain = since_batch(info, batch, time_text)
        except ValueError as exc:
            return no_update, no_update, no_update, str(exc)
        try:
            alerts = state.store.run_file("webapp_live_alerts", {"run_id": info["run"]})
            growth = state.store.run_file("webapp_live_growth", {"run_id": info["run"], "since": since}) \
                if since is not None else []
        except StoreError as exc:
            return store_problem(exc), [], STYLESHEET, ""
        grown = [int(g["community"]) for g in growth]
        items = [html.Button(
            f"#{int(g['community'])}: {int(g['size_then'])} → {int(g['size_now'])} accounts"
            + (" (new)" if int(g["size_then"]) == 0 else ""),
            id={"type": "live-community", "community": int(g["community"])}, className="live-growth-item",
            style=LINK) for g in growth]
        if since is not None and not items:
            items = [html.I("no network appeared or grew", style={"fontSize": "12px"})]
        alert_items = [html.Button(
            f"batch {a['batch']} · {(a.get('raised_at') or '')[:16].replace('T', ' ')} UTC · {a['rule']} · "
            f"{a['subject']}: {a['message']}",
            id={"type": "live-alert", "index": i}, className="live-alert-item", style=LINK)
            for i, a in enumerate(alerts)] or [html.I("no alert", style={"fontSize": "12px"})]
        return items, alert_items, stylesheet(since, mode or "highlight", grown), explain

    @app.callback(
        Output("details", "children", allow_duplicate=True), Output("expanded", "data", allow_duplicate=True),
        Output("selected-community", "data", allow_duplicate=True), Output("focus", "data", allow_duplicate=True),
        Input({"type": "live-community", "community": ALL}, "n_clicks"),
        Input({"type": "live-alert", "index": ALL}, "n_clicks"),
        State("live-info", "data"), State("view-state", "data"), prevent_initial_call=True,
    )
    def open_item(_growth, _alerts, info, view):
        """A growing network or an alert opens its community (an alert's network: the
        community that now holds most of its members) or the watched account."""
        trig = ctx.triggered_id
        if not trig or not info or not any(t.get("value") for t in ctx.triggered):
            raise PreventUpdate
        run = info["run"]
        try:
            if trig["type"] == "live-community":
                c = int(trig["community"])
            else:
                alert = state.store.run_file("webapp_live_alerts", {"run_id": run})[int(trig["index"])]
                if alert["type"] == "watched_account":
                    return (account_details(state, run, alert["subject"]), no_update, no_update,
                            {"kind": "account", "id": alert["subject"], "label": alert["subject"]})
                c = community_of_members(state, run, orjson.loads(alert["members"] or "[]") or [alert["subject"]])
                if c is None:
                    raise PreventUpdate
            return community_details(state, run, {"community": c}, view), [c], c, None
        except StoreError as exc:
            return store_problem(exc), no_update, no_update, no_update


def community_of_members(state, run: str, members: list[str]) -> int | None:
    """The community (of the run as it is now) that holds most of ``members``."""
    snap = state.snapshot(run)
    of = dict(zip(snap.accounts["account_id"].astype(str), snap.accounts["community"]))
    found = [int(of[m]) for m in map(str, members) if m in of and of[m] == of[m] and of[m] is not None]
    if not found:
        return None
    return max(set(found), key=lambda c: (found.count(c), -c))


def app_refresh_s(app) -> int:
    """The refresh period of ``app`` in seconds (the live-tick interval)."""
    from coordgraph.webapp.live_panel import REFRESH_MS

    return max(1, getattr(app, "live_refresh_ms", REFRESH_MS) // 1000)
