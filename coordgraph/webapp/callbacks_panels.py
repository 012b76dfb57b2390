"""Dash callbacks of the side tabs: researcher console, trends and cases."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from coordgraph.webapp.console import (WriteRefused, library_params, parse_params, query_library,
                                       run_console_query)


def register(app, state) -> None:
    """Attach the console, trends and cases callbacks to ``app``."""
    library = {q.name: q for q in query_library()}

    @app.callback(Output("console-library", "options"), Input("tabs", "value"))
    def library_options(_tab):
        return [{"label": name, "value": name} for name in library]

    @app.callback(
        Output("console-query", "value"), Output("console-doc", "children"), Output("console-params", "value"),
        Input("console-library", "value"), State("run-select", "value"), prevent_initial_call=True,
    )
    def pick_query(name, run):
        q = library.get(name)
        if q is None:
            raise PreventUpdate
        body = "\n".join(line for line in q.text.splitlines() if not line.startswith("//")).strip()
        params = library_params(body, run)  # LIMIT/SKIP parameters filled, never null
        import orjson

        return body, q.header, orjson.dumps(params).decode()

    @app.callback(
        Output("console-table", "columns"), Output("console-table", "data"), Output("console-message", "children"),
        Input("console-run", "n_clicks"), State("console-query", "value"), State("console-params", "value"),
        prevent_initial_call=True,
    )
    def run_query(_n, cypher, params_text):
        from coordgraph.cypher.errors import ReadOnlyViolation, StoreError

        refused = {"color": "#b00020", "fontWeight": 600}
        try:
            params = parse_params(params_text)
            result = run_console_query(state.store, cypher or "", params)
        except (WriteRefused, ReadOnlyViolation) as exc:
            msg = str(exc) if str(exc).startswith("refused") else f"refused: {exc}"
            return [], [], html.Span(msg, id="console-refused", style=refused)
        except (ValueError, StoreError) as exc:
            return [], [], html.Span(f"error: {exc}", style={"color": "#b00020"})
        columns = [{"name": c, "id": c} for c in result.columns]
        return columns, result.rows, html.Span(result.message, id="console-ok")

    # -- trends ---------------------------------------------------------------------------
    @app.callback(Output("trend-a", "options"), Output("trend-b", "options"), Output("trend-message", "children"),
                  Input("tabs", "value"))
    def trend_options(tab):
        if tab != "trends":
            raise PreventUpdate
        try:
            from coordgraph.cypher.trend_store import load_trend_stats

            names = sorted(load_trend_stats(state.store))
        except Exception as exc:  # noqa: BLE001 - no trends stored yet is normal
            return [], [], f"no stored trend statistics ({exc.__class__.__name__}); run `coordgraph trends` first"
        if not names:
            return [], [], "no stored trend statistics; run `coordgraph trends` first"
        opts = [{"label": n, "value": n} for n in names]
        return opts, opts, f"{len(names)} trends stored"

    @app.callback(
        Output("trend-volume", "figure"), Output("trend-indicators", "figure"), Output("trend-table", "children"),
        Input("trend-a", "value"), Input("trend-b", "value"), State("run-select", "value"), prevent_initial_call=True,
    )
    def show_trends(a, b, run):
        from coordgraph.cypher.trend_store import stored_comparison, stored_volume

        names = [n for n in (a, b) if n]
        if not names:
            raise PreventUpdate
        volume = go.Figure()
        for n in names:
            v = stored_volume(state.store, n)
            volume.add_trace(go.Scatter(x=v["hour"], y=v["posts"], mode="lines+markers", name=n))
        volume.update_layout(title="Volume per hour (UTC)", height=300, margin=dict(l=40, r=10, t=40, b=30),
                             template="plotly_white", yaxis_title="posts")
        table = stored_comparison(state.store, names)
        keys = [k for k in ("coordinated_posts_pct", "duplicate_text_pct", "new_accounts_pct",
                            "top1pct_accounts_posts_pct") if k in table.index]
        run_share = {n: _coordinated_share(state.store, n, run) for n in names}
        label = "posts by the run's coordinated accounts"
        bars = go.Figure([go.Bar(name=n, x=[label, *keys], y=[run_share[n], *[table.loc[k, n] for k in keys]])
                          for n in names])
        bars.update_layout(title=f"Coordinated share (run {run}) and inflation indicators (%)", barmode="group", height=300,
                           margin=dict(l=40, r=10, t=40, b=30), template="plotly_white")
        shown = table.reset_index().rename(columns={"index": "statistic"})
        return volume, bars, _simple_table(shown)

    # -- cases ----------------------------------------------------------------------------
    @app.callback(Output("case-list", "options"), Input("tabs", "value"), Input("case-message", "children"))
    def case_options(tab, _msg):
        if tab != "cases":
            raise PreventUpdate
        try:
            from coordgraph.cypher.cases import list_cases

            return [{"label": c["name"], "value": c["name"]} for c in list_cases(state.store)]
        except Exception:  # noqa: BLE001 - no case yet
            return []

    @app.callback(
        Output("case-detail", "children"), Output("open-case", "data"), Output("run-select", "value"),
        Output("expanded", "data", allow_duplicate=True), Output("focus", "data", allow_duplicate=True),
        Output("case-name", "value"), Output("case-notes", "value"),
        Output("weight-mode", "value"), Output("weight-slider", "value"), Output("symmetry-slider", "value"),
        Output("fast-only", "value"), Output("min-size", "value"), Output("time-from", "value"),
        Output("time-to", "value"), Output("intents", "value"),
        Input("case-list", "value"), prevent_initial_call=True,
    )
    def open_case(name):
        """Reopen a case: its run, expanded communities, focus and filters, as saved."""
        from coordgraph.cypher.cases import get_case

        case = get_case(state.store, name) if name else None
        if not case:
            raise PreventUpdate
        views = case.get("views") or []
        view = views[-1] if views else {}
        detail = [html.B(case["name"]), html.Div(f"run {case.get('run_id')}"),
                  html.Pre(case.get("notes") or "", style={"whiteSpace": "pre-wrap"}),
                  html.Div(f"bookmarked accounts: {', '.join(case.get('accounts') or []) or 'none'}"),
                  html.Div(f"communities: {', '.join(map(str, case.get('communities') or [])) or 'none'}")]
        return (detail, name, case.get("run_id") or no_update, view.get("expanded", []), view.get("focus"),
                name, case.get("notes") or "", *filter_controls(view.get("filters")))

    @app.callback(
        Output("case-message", "children"),
        Input("case-save", "n_clicks"),
        State("case-name", "value"), State("case-notes", "value"), State("case-bookmarks", "value"),
        State("view-state", "data"), State("case-overwrite", "value"), State("open-case", "data"),
        prevent_initial_call=True,
    )
    def save(_n, name, notes, bookmarks, view, overwrite, opened):
        """Save the current view; a case of the same name is replaced only when asked (or when
        it is the case that was opened), else the save is refused with a message."""
        from coordgraph.cypher.cases import get_case, save_case
        from coordgraph.cypher.errors import StoreError

        view = view or {}
        if (name or "").strip() and "yes" not in (overwrite or []) and (name or "").strip() != opened:
            if get_case(state.store, name.strip()):
                return html.Span(f"a case named '{name.strip()}' exists already: tick 'replace a saved case of the "
                                 "same name' to replace it, or choose another name", id="case-exists",
                                 style={"color": "#b00020"})
        accounts = [a.strip() for a in (bookmarks or "").split(",") if a.strip()]
        try:
            case = save_case(state.store, name or "", notes=notes or "", accounts=accounts,
                             communities=list(view.get("expanded") or []),
                             views=[{"name": "web app view", **view}], run_id=view.get("run"), merge=False)
        except StoreError as exc:
            return html.Span(str(exc), style={"color": "#b00020"})
        return html.Span(f"saved case '{case['name']}'", id="case-saved")


def filter_controls(saved: dict | None) -> tuple:
    """The filter controls' values (weight mode, weight, symmetry, fast, min size, from, to,
    intents) of saved filters (:meth:`Filters.as_dict`); times as 'YYYY-MM-DD HH:MM:SS' UTC."""
    import datetime as dt

    from coordgraph.webapp.filters import Filters

    f = Filters.from_dict(saved)

    def when(ts):
        return dt.datetime.fromtimestamp(int(ts), dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if ts is not None else ""

    return (f.weight_mode, f.weight_value, f.min_symmetry, ["fast"] if f.fast_only else [], f.min_community_size,
            when(f.time_from), when(f.time_to), list(f.intents))


def _coordinated_share(store, trend: str, run: str | None) -> float | None:
    """Percent of a trend's posts written by accounts of the run's coordinated network."""
    if not run:
        return None
    row = (store.run_file("webapp_trend_coordinated", {"trend": trend, "run_id": run}) or [{}])[0]
    posts = row.get("posts") or 0
    return round(100.0 * (row.get("coordinated_posts") or 0) / posts, 2) if posts else None


def _simple_table(frame: pd.DataFrame) -> html.Table:
    rows = [html.Tr([html.Td(str(v) if not isinstance(v, float) else f"{v:.4g}", style={"padding": "2px 6px"})
                     for v in r]) for r in frame.itertuples(index=False)]
    return html.Table([html.Thead(html.Tr([html.Th(c) for c in frame.columns])), html.Tbody(rows)],
                      style={"fontSize": "12px", "borderCollapse": "collapse"})
