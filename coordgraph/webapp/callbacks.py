"""Dash callbacks: redraw on filter change, expand/inspect on tap, search, exports."""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict

import orjson

import numpy as np
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from coordgraph.cypher.errors import StoreError, StoreUnavailable
from coordgraph.reporting.formats import EXPORT_FORMATS, export_bytes
from coordgraph.webapp.elements import _plain, neighbourhood_elements, overview_elements
from coordgraph.webapp.filters import Filters
from coordgraph.webapp.latest import LatestOnly, Superseded
from coordgraph.webapp.measures import (ACCOUNT_METRICS, COMMUNITY_MEASURES, LOW_IS_HIGH, apply_account_metric,
                                        apply_community_measure, legend)
from coordgraph.webapp.views import build_export_view, parse_utc

EXPORT_IDS = [f"export-{fmt}" for fmt in EXPORT_FORMATS if fmt != "svg"]


def _utc(ts) -> str:
    if ts is None or (isinstance(ts, float) and np.isnan(ts)):
        return ""
    return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _table(frame: pd.DataFrame, table_id: str | None = None, max_rows: int = 50) -> html.Div:
    """A compact HTML table of ``frame`` (first ``max_rows`` rows)."""
    head = html.Tr([html.Th(c, style={"textAlign": "left", "borderBottom": "1px solid #ccc", "padding": "2px 4px"})
                    for c in frame.columns])
    body = [html.Tr([html.Td("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v),
                             style={"padding": "2px 4px", "borderBottom": "1px solid #eee"}) for v in row])
            for row in frame.head(max_rows).itertuples(index=False)]
    kwargs = {"id": table_id} if table_id else {}
    table = html.Table([html.Thead(head), html.Tbody(body)], style={"borderCollapse": "collapse", "fontSize": "12px",
                                                                     "width": "100%"}, **kwargs)
    return html.Div(table, style={"overflowX": "auto"})


def table_records(table: pd.DataFrame) -> list[dict]:
    """The community table as DataTable rows (``id`` = community, so a click names it)."""
    rows = table.assign(id=table["community"]).to_dict("records")
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def build_filters(mode, value, symmetry, fast, min_size, t_from, t_to, intents) -> Filters:
    """Filters from the controls' values (raises ValueError with a readable message)."""
    return Filters(
        weight_mode=mode or "percentile",
        weight_value=float(value or 0),
        min_symmetry=float(symmetry or 0),
        fast_only="fast" in (fast or []),
        min_community_size=max(1, int(min_size or 1)),
        time_from=parse_utc(t_from, "time from"),
        time_to=parse_utc(t_to, "time to"),
        intents=tuple(intents or ()),
    )


def _session_key() -> str:
    """The browser session of the current request: its CSRF token (every page view gets one,
    coordgraph/webapp/auth.py), else the client's address."""
    import flask

    return flask.session.get("csrf") or flask.request.remote_addr or ""


def register(app, state) -> None:
    """Attach the network, details, search and export callbacks to ``app``."""

    @app.callback(
        Output("weight-slider", "min"), Output("weight-slider", "max"), Output("weight-slider", "step"),
        Output("weight-slider", "marks"), Output("weight-slider", "value"),
        Input("weight-mode", "value"), Input("run-select", "value"), State("weight-slider", "value"),
        prevent_initial_call=True,
    )
    def slider_range(mode, run, current):
        """Percentile: 0..1; absolute: 0..the run's largest weight. Resets the value only when
        the mode changes and the value does not fit the new mode (a reopened case sets mode
        and value together: its value stays)."""
        value = no_update
        if ctx.triggered_id == "weight-mode" and mode == "percentile" and (current or 0) > 1:
            value = 0
        if mode == "absolute" and run:
            snap = state.snapshot(run)
            top = max(float(snap.weight.max()) if len(snap) else 1.0, 1.0)
            step = 1 if top <= 200 else max(1, round(top / 200))
            marks = {int(v): str(int(v)) for v in np.unique(np.linspace(0, top, 5).round())}
            return 0, top, step, marks, value
        return 0, 1, 0.01, {0: "0", 0.5: "0.5", 0.9: "0.9", 1: "1"}, value

    cache: OrderedDict = OrderedDict()
    cache_lock = threading.Lock()
    latest = LatestOnly()

    def redraw(*args):
        """The drawing, table and legend of the current inputs; the last 64 answers are kept
        (a run's snapshot never changes, so the same inputs draw the same picture: going
        back to a view, or many sessions on the same views, costs a dictionary lookup)."""
        started = time.perf_counter()
        key = orjson.dumps((state.version(args[0]), args), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                           default=str)  # a refreshed live run draws anew
        with cache_lock:
            hit = cache.get(key)
            if hit is not None:
                cache.move_to_end(key)
        if hit is None:
            try:
                out = latest.run(_session_key(), lambda: _redraw(*args))
            except Superseded:
                raise PreventUpdate from None
            if out[1] is no_update:  # an input error: not cached
                return out
            with cache_lock:
                cache[key] = out
                while len(cache) > 64:
                    cache.popitem(last=False)
            return out
        ms = (time.perf_counter() - started) * 1000
        elements, summary, *rest = hit
        return (elements, summary.rsplit(" — answered in", 1)[0] + f" — answered in {ms:.0f} ms (again)", *rest)

    app.callback(
        Output("graph", "elements"), Output("graph-summary", "children"), Output("filter-error", "children"),
        Output("weight-explain", "children"), Output("view-state", "data"), Output("community-table", "data"),
        Output("legend-box", "children"),
        Input("run-select", "value"), Input("weight-mode", "value"), Input("weight-slider", "value"),
        Input("symmetry-slider", "value"), Input("fast-only", "value"), Input("min-size", "value"),
        Input("time-from", "value"), Input("time-to", "value"), Input("intents", "value"),
        Input("expanded", "data"), Input("focus", "data"), Input("community-measure", "value"),
        Input("account-metric", "value"), Input("account-colour", "value"), Input("replay", "value"),
        State("replay", "max"),
    )(redraw)

    def _redraw(run, mode, value, symmetry, fast, min_size, t_from, t_to, intents, expanded, focus, measure,
                metric, colour, replay, replay_max):
        started = time.perf_counter()
        if not run:
            raise PreventUpdate
        if mode == "percentile" and value is not None and value > 1:
            value = 0
        try:
            filters = build_filters(mode, value, symmetry, fast, min_size, t_from, t_to, intents)
        except ValueError as exc:
            return no_update, no_update, str(exc), no_update, no_update, no_update, no_update
        snap = state.snapshot(run)
        shown_filters = filters
        if replay is not None and replay_max is not None and replay < replay_max:
            # the replay slider ends the time range earlier (co-shares up to the slider)
            to = replay if filters.time_to is None else min(filters.time_to, replay)
            shown_filters = Filters(**{**filters.as_dict(), "intents": tuple(filters.intents), "time_to": int(to),
                                       "time_from": filters.time_from if filters.time_from is None or
                                       filters.time_from <= to else int(to)})
        min_w = filters.min_weight(snap.weight)
        kept = int((snap.weight >= min_w).sum())
        explain = f"weight >= {min_w:.4g}: {kept:,} of {len(snap):,} edges"
        first, last = snap.time_span()
        if first is not None:
            explain += f"; co-shares from {_utc(first)[:16]} to {_utc(last)[:16]} UTC"
        table = snap.community_table(shown_filters)
        legend_children = None
        kind = (focus or {}).get("kind")
        if kind in ("account", "object", "accounts"):
            if kind == "account":
                accounts, _ = snap.neighbourhood(focus["id"], shown_filters)
                # the ego network: the account, its partners and the edges among them all
                accounts, edges = snap.among(set(accounts["account_id"]), shown_filters)
                drawing = neighbourhood_elements(accounts, edges, focus=focus["id"])
                what = f"Neighbourhood of {focus.get('label') or focus['id']}"
            elif kind == "accounts":
                accounts, edges = snap.among(set(focus["ids"]), shown_filters)
                drawing = neighbourhood_elements(accounts, edges, focus=focus.get("id") or "")
                what = f"{len(focus['ids']):,} accounts and their expanded neighbours"
            else:
                rows = state.source.object_accounts(run, focus["id"])
                ids = set(rows["account_id"]) | set(rows["account_id_y"])
                accounts, edges = snap.among(ids, shown_filters)
                drawing = neighbourhood_elements(accounts, edges, focus="")
                what = f"Accounts that co-shared {focus['id']}"
        else:
            comms, links = snap.overview(shown_filters)
            open_ = {}
            for c in expanded or []:
                if c in set(comms["community"].tolist()):
                    open_[c] = snap.community_view(int(c), shown_filters)
            drawing = overview_elements(comms, links, expanded=open_, positions=snap.community_positions())
            lo, hi = apply_community_measure(drawing.elements, table, measure or "score")
            label = COMMUNITY_MEASURES.get(measure or "score", "")
            legend_children = [legend(f"Communities by {label}", lo, hi, invert=(measure in LOW_IS_HIGH))]
            what = "Overview: one node per community" + (f"; expanded {', '.join(map(str, open_))}" if open_ else "")
        if any(el["data"].get("kind") == "account" for el in drawing.elements):
            lo, hi = apply_account_metric(drawing.elements, snap.accounts, metric or "strength", "on" in (colour or []))
            legend_children = (legend_children or []) + [
                legend(f"Accounts by {ACCOUNT_METRICS.get(metric or 'strength')}", lo, hi)
                if "on" in (colour or []) else
                html.Div(f"Account size: {ACCOUNT_METRICS.get(metric or 'strength')} ({lo:,.3g} to {hi:,.3g}); "
                         "colour: community", style={"fontSize": "12px"})]
        ms = (time.perf_counter() - started) * 1000
        summary = f"{what} — {drawing.summary()} — answered in {ms:.0f} ms"
        view = {"run": run, "filters": filters.as_dict(), "expanded": list(expanded or []), "focus": focus}
        return (drawing.elements, summary, "", explain, view, table_records(table), legend_children)

    @app.callback(
        Output("details", "children"), Output("expanded", "data"), Output("selected-community", "data"),
        Input("graph", "tapNode"), Input("graph", "tapEdge"),
        State("expanded", "data"), State("run-select", "value"), State("view-state", "data"),
        prevent_initial_call=True,
    )
    def on_tap(node, edge, expanded, run, view):
        try:
            return _on_tap(node, edge, expanded, run, view)
        except StoreError as exc:
            return store_problem(exc), no_update, no_update

    def _on_tap(node, edge, expanded, run, view):
        expanded = list(expanded or [])
        if ctx.triggered_id == "graph" and ctx.triggered_prop_ids and "graph.tapEdge" in ctx.triggered_prop_ids:
            return edge_details(state, run, (edge or {}).get("data", {})), no_update, no_update
        data = (node or {}).get("data", {})
        if data.get("kind") == "community":
            c = data["community"]
            if c in expanded:
                expanded.remove(c)
            else:
                expanded.append(c)
            try:  # expanding works from the snapshot even when the store is down
                details = community_details(state, run, data, view)
            except StoreError as exc:
                details = store_problem(exc)
            return details, expanded, c
        if data.get("kind") == "account":
            return account_details(state, run, data["account_id"]), no_update, data.get("community", no_update)
        raise PreventUpdate

    @app.callback(
        Output("search-results", "options"), Output("search-results", "value"),
        Input("search-button", "n_clicks"), Input("search-input", "n_submit"),
        State("search-input", "value"), State("run-select", "value"), prevent_initial_call=True,
    )
    def search(_clicks, _submit, text, run):
        try:
            hits = state.source.search(run, text or "")
        except StoreError as exc:
            return [{"label": f"search failed: {exc}", "value": "", "disabled": True}], None
        if hits.empty:
            return [{"label": f"nothing matches '{text}'", "value": "", "disabled": True}], None
        options = []
        for h in hits.itertuples(index=False):
            extra = f" (community {int(h.community)})" if h.community is not None and not pd.isna(h.community) else ""
            options.append({"label": f"{h.kind}: {h.label}{extra}", "value": f"{h.kind}|{h.id}|{h.label}"})
        return options, None

    @app.callback(
        Output("focus", "data"), Output("expanded", "data", allow_duplicate=True),
        Output("details", "children", allow_duplicate=True),
        Input("search-results", "value"), Input("overview-button", "n_clicks"), State("run-select", "value"),
        prevent_initial_call=True,
    )
    def set_focus(choice, _back, run):
        """Draw the picked search hit and show its details (not the previously open ones)."""
        if ctx.triggered_id == "overview-button":
            return None, [], [html.I("Overview: click a community or a row of the table.")]
        if not choice:
            raise PreventUpdate
        kind, ident, label = choice.split("|", 2)
        try:
            details = account_details(state, run, ident) if kind == "account" else object_details(state, run, ident)
        except StoreError as exc:
            details = store_problem(exc)
        return {"kind": kind, "id": ident, "label": label}, no_update, details

    @app.callback(
        Output("download", "data"), Output("export-message", "children"),
        *[Input(i, "n_clicks") for i in EXPORT_IDS],
        State("view-state", "data"), State("export-scope", "value"), State("selected-community", "data"),
        State("open-case", "data"),
        prevent_initial_call=True,
    )
    def export(*args):
        view, scope, community, case = args[-4:]
        fmt = (ctx.triggered_id or "").removeprefix("export-")
        if fmt not in EXPORT_FORMATS or not view:
            raise PreventUpdate
        try:
            net = build_export_view(state, view, scope, community, notes=_case_notes(state, case))
        except (ValueError, StoreError) as exc:
            return no_update, str(exc)
        try:
            content, ext = export_bytes(net, fmt)
        except RuntimeError as exc:  # PdfUnavailable: no Chromium/Playwright on the server
            return no_update, str(exc)
        stem = f"coordgraph-{view['run']}-" + (f"community{community}" if scope == "community" else "view")
        return (dcc.send_bytes(content, f"{stem}.{ext}"),
                f"exported {len(net.accounts):,} accounts and {len(net.edges):,} edges as {fmt}")

    @app.callback(Output("case-bookmarks", "value"), Input("bookmark-account", "n_clicks"),
                  State("bookmark-account", "value"), State("case-bookmarks", "value"), prevent_initial_call=True)
    def bookmark(_n, account_id, current):
        """Add the inspected account to the bookmarks of the case being written."""
        ids = [a.strip() for a in (current or "").split(",") if a.strip()]
        if not account_id or account_id in ids:
            raise PreventUpdate
        return ", ".join([*ids, account_id])

    @app.callback(Output("graph", "generateImage"), Input("export-png", "n_clicks"),
                  State("view-state", "data"), prevent_initial_call=True)
    def export_png(_clicks, view):
        run = (view or {}).get("run", "run")
        return {"type": "png", "action": "download", "filename": f"coordgraph-{run}-view",
                "options": {"full": True, "scale": 2, "bg": "#ffffff"}}


def store_problem(exc: Exception) -> list:
    """What the details panel says when the store fails (down, or a query rejected)."""
    title = "The graph store is not reachable" if isinstance(exc, StoreUnavailable) else "The store refused a query"
    return [html.H4(title, style={"margin": "0 0 4px", "color": "#b00020"}, id="store-problem"),
            html.Pre(str(exc), style={"whiteSpace": "pre-wrap", "fontSize": "12px"}),
            html.Div("The drawing still answers filters from memory; details need the store. "
                     "Start it (coordgraph db start) and click again.")]


def _case_notes(state, case_name: str | None) -> str:
    if not case_name:
        return ""
    try:
        from coordgraph.cypher.cases import get_case

        case = get_case(state.store, case_name) or {}
        return f"Case '{case_name}':\n{case.get('notes') or ''}"
    except ImportError:
        return ""


def goto_account(account_id: str, label: str | None = None) -> html.Button:
    """A link-like button that draws the account's neighbourhood."""
    return html.Button(label or account_id, id={"type": "goto-account", "id": str(account_id)}, className="goto",
                       title="draw in the graph", style=LINK)


def goto_object(object_id: str) -> html.Button:
    """A link-like button that draws the accounts that co-shared the object."""
    return html.Button(object_id, id={"type": "goto-object", "id": str(object_id)}, className="goto",
                       title="draw in the graph", style=LINK)


LINK = {"background": "none", "border": "none", "padding": 0, "color": "#1a5fb4", "textDecoration": "underline",
        "cursor": "pointer", "fontSize": "12px", "textAlign": "left"}


def _cells_table(header: list[str], rows: list[list], table_id: str) -> html.Div:
    """A compact table whose cells may be components (goto buttons)."""
    head = html.Tr([html.Th(c, style={"textAlign": "left", "borderBottom": "1px solid #ccc", "padding": "2px 4px"})
                    for c in header])
    body = [html.Tr([html.Td(v, style={"padding": "2px 4px", "borderBottom": "1px solid #eee"}) for v in r])
            for r in rows]
    return html.Div(html.Table([html.Thead(head), html.Tbody(body)], id=table_id,
                               style={"borderCollapse": "collapse", "fontSize": "12px", "width": "100%"}),
                    style={"overflowX": "auto"})


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:,.4g}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def community_details(state, run: str, data: dict, view: dict | None, row: dict | None = None) -> list:
    """Details of a community: its figures from the ranked table, top objects (click to draw),
    strongest members (click to draw)."""
    c = int(data["community"])
    members = state.source.community_members(run, c)
    if row is None:
        snap = state.snapshot(run)
        table = snap.community_table(Filters.from_dict((view or {}).get("filters")))
        match = table[table["community"] == c]
        row = match.iloc[0].to_dict() if len(match) else {}
    figures = [("rank", "rank (1 = most suspicious)"), ("score", "suspicion score"), ("size", "accounts"),
               ("coshares", "co-shares"), ("coshares_per_account", "co-shares per account"),
               ("median_seconds_apart", "median seconds apart"), ("fast_share", "share of fast-window edges"),
               ("symmetry", "mean symmetry"), ("median_q_value", "median q-value"),
               ("median_followers", "median followers"), ("median_age_days", "median account age (days)")]
    objects = [o.rsplit(" (", 1)[0] for o in str(row.get("top_objects") or "").split(", ") if o]
    return [
        html.H4(f"Community #{c}", style={"margin": "0 0 4px"}, id="community-title"),
        _cells_table(["figure", "value"], [[label, _fmt(row.get(k))] for k, label in figures], "community-figures"),
        html.Div("Top objects (click to draw who shared them):", style={"marginTop": "6px"}),
        html.Div([goto_object(o) for o in objects] or [html.I("none")], id="community-objects",
                 style={"display": "flex", "flexDirection": "column"}),
        html.Div(f"Members ({len(members):,}; click one to draw its neighbourhood):", style={"marginTop": "6px"}),
        _cells_table(["account", "handle", "degree", "strength"],
                     [[goto_account(m.account_id), m.handle or "", _fmt(m.degree), _fmt(m.strength)]
                      for m in members.head(25).itertuples(index=False)], "community-members"),
    ]


def object_details(state, run: str, object_id: str) -> list:
    """Details of an object: the co-shares of it in the run (accounts clickable)."""
    rows = state.source.object_accounts(run, object_id)
    rows = rows.sort_values("ts", kind="stable")
    return [
        html.H4(f"Object {object_id}", style={"margin": "0 0 4px"}, id="object-title"),
        html.Div(f"{len(rows):,} co-shares of it in this run (older share's time, UTC):"),
        _cells_table(["older share (UTC)", "account", "account", "seconds apart"],
                     [[_utc(r.ts), goto_account(r.account_id), goto_account(r.account_id_y), _fmt(r.time_delta)]
                      for r in rows.head(50).itertuples(index=False)], "object-coshares"),
    ]


def account_details(state, run: str, account_id: str) -> list:
    """Details of an account: profile and run statistics, coordinated partners (click to draw),
    newest posts; times in UTC."""
    info = state.source.account(run, account_id) or {"account_id": account_id}
    snap = state.snapshot(run)
    _a, partners = snap.neighbourhood(account_id, Filters())
    partners = partners.assign(partner=np.where(partners["account_id"] == account_id, partners["account_id_y"],
                                                partners["account_id"]))
    partners = partners.sort_values("weight", ascending=False)
    posts = state.source.account_posts(account_id)
    posts["ts"] = posts["ts"].map(_utc)
    posts = posts.rename(columns={"ts": "time (UTC)"})
    stats = {k: v for k, v in info.items() if v is not None}
    if "created_at" in stats:
        stats["created_at"] = f"{_utc(stats['created_at'])} UTC"
    return [
        html.H4(f"Account {info.get('handle') or account_id}", style={"margin": "0 0 4px"}, id="account-title"),
        html.Button("Bookmark for the case", id="bookmark-account", value=account_id,
                    style={"fontSize": "12px", "marginBottom": "4px"}),
        _table(pd.DataFrame({"statistic": list(stats), "value": [_fmt(v) for v in stats.values()]}), "account-stats"),
        html.H5(f"Coordinated partners ({len(partners):,}; click one to draw it)", style={"margin": "8px 0 2px"}),
        _cells_table(["partner", "co-shares", "avg s apart", "symmetry"],
                     [[goto_account(p.partner), _fmt(p.weight), _fmt(round(p.avg_time_delta, 2)),
                       _fmt(round(p.edge_symmetry_score, 3))] for p in partners.head(30).itertuples(index=False)],
                     "account-partners"),
        html.H5(f"Posts (newest {len(posts)})", style={"margin": "8px 0 2px"}),
        _table(posts, "account-posts", max_rows=20) if len(posts) else html.I("no posts stored for this account"),
    ]


def _provenance(state, run: str, a: str, b: str) -> pd.DataFrame:
    rows = state.source.edge_provenance(run, a, b)
    rows["ts"] = rows["ts"].map(_utc)
    return rows.rename(columns={"time_delta": "seconds apart", "ts": "older share (UTC)", "post_id": "older post",
                                "post_id_y": "newer post", "older_account": "older account",
                                "newer_account": "newer account"})


def wide_evidence(state, run: str, a: str, b: str) -> html.Div:
    """The wide evidence view: every co-share behind an edge, all columns, full width."""
    rows = _provenance(state, run, a, b)
    return html.Div(style={"border": "1px solid #ddd", "borderRadius": "6px", "padding": "6px 10px",
                           "marginTop": "6px", "background": "#fff"}, children=[
        html.H4(f"Evidence: {a} — {b} ({len(rows):,} co-shares)", style={"margin": "0 0 4px"}, id="evidence-title"),
        _table(rows, "evidence-table", max_rows=500),
    ])


def edge_details(state, run: str, data: dict) -> list:
    """Provenance of an edge: the co-shares behind it (objects, posts, seconds apart)."""
    if data.get("kind") == "link":
        return [html.H4("Link between communities", style={"margin": "0 0 4px"}),
                html.Div(f"{data['source'][2:]} — {data['target'][2:]}: {data.get('n_edges', 0):,} coordinated "
                         f"edges, {data.get('weight', 0):,} co-shares. Expand a community to see the accounts.")]
    a, b = data.get("account_id"), data.get("account_id_y")
    if not a or not b:
        raise PreventUpdate
    rows = _provenance(state, run, a, b)
    shown = rows[["object_id", "seconds apart", "older share (UTC)", "older account", "older post", "newer post"]]
    return [
        html.H4("Why these accounts are linked", style={"margin": "0 0 4px"}, id="edge-title"),
        html.Div(f"{a} — {b}: weight {data.get('weight')}, average {data.get('avg_time_delta', 0):.3g} s apart, "
                 f"symmetry {data.get('edge_symmetry_score', 0):.3g}"),
        html.Div(f"{len(rows):,} co-shares (object, older post, newer post, seconds apart):",
                 style={"marginTop": "6px"}, id="provenance-count"),
        html.Button("Open the wide evidence view (all columns)", id="open-evidence", value=f"{a}|{b}",
                    style={"fontSize": "12px", "margin": "4px 0"}),
        _table(shown, "provenance-table", max_rows=100),
    ]
