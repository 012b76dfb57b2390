"""The page: filters and search on the left, the network (or trends / console / cases) in the
middle, the details panel on the right. Component ids are the contract with callbacks and
the browser tests."""
from __future__ import annotations

import dash_cytoscape as cyto
from dash import dash_table, dcc, html

from coordgraph.webapp.compare_view import compare_tab
from coordgraph.webapp.live_panel import live_panel
from coordgraph.webapp.measures import ACCOUNT_METRICS, COMMUNITY_MEASURES
from coordgraph.webapp.style import PAGE_CSS, PANEL, STYLESHEET

from coordgraph.contracts import INTENTS  # noqa: E402
EXPORTS = (("csv", "Members CSV"), ("gexf", "GEXF"), ("graphml", "GraphML"), ("json", "Cytoscape JSON"),
           ("html", "HTML report"), ("pdf", "PDF report"), ("png", "PNG"))


def _label(text: str):
    return html.Div(text, style={"fontWeight": 600, "marginTop": "8px", "fontSize": "12px", "color": "#555"})


def filters_panel() -> html.Div:
    """Edge weight (percentile or absolute), symmetry, fast edges, community size, time, intent."""
    return html.Div(style=PANEL, children=[
        html.H4("Filters", style={"margin": "0 0 4px"}),
        _label("Edge weight threshold"),
        dcc.RadioItems(id="weight-mode", value="percentile", inline=True,
                       options=[{"label": " percentile ", "value": "percentile"},
                                {"label": " absolute ", "value": "absolute"}]),
        dcc.Slider(id="weight-slider", min=0, max=1, step=0.01, value=0, marks={0: "0", 0.5: "0.5", 0.9: "0.9", 1: "1"},
                   tooltip={"placement": "bottom", "always_visible": False}),
        html.Div(id="weight-explain", style={"fontSize": "12px", "color": "#666"}),
        _label("Minimum symmetry score"),
        dcc.Slider(id="symmetry-slider", min=0, max=1, step=0.05, value=0, marks={0: "0", 0.5: "0.5", 1: "1"}),
        dcc.Checklist(id="fast-only", options=[{"label": " fast-window edges only", "value": "fast"}], value=[]),
        _label("Minimum community size (accounts)"),
        dcc.Input(id="min-size", type="number", min=1, step=1, value=1, debounce=True, style={"width": "80px"}),
        _label("Time range (UTC, YYYY-MM-DD HH:MM)"),
        dcc.Input(id="time-from", type="text", placeholder="from", debounce=True, style={"width": "46%"}),
        dcc.Input(id="time-to", type="text", placeholder="to", debounce=True, style={"width": "46%", "marginLeft": "4%"}),
        _label("Intent (share kinds; none = all)"),
        dcc.Checklist(id="intents", options=[{"label": f" {k}", "value": k} for k in INTENTS], value=[],
                      style={"display": "grid", "gridTemplateColumns": "1fr 1fr", "fontSize": "12px"}),
        html.Div(id="filter-error", style={"color": "#b00020", "fontSize": "12px"}),
    ])


def search_panel() -> html.Div:
    """Search an account (id or handle) or an object (id) and jump to its neighbourhood."""
    return html.Div(style=PANEL, children=[
        html.H4("Search", style={"margin": "0 0 4px"}),
        dcc.Input(id="search-input", type="text", placeholder="account id, @handle or object id",
                  debounce=False, style={"width": "70%"}),
        html.Button("Find", id="search-button", style={"marginLeft": "4px"}),
        dcc.RadioItems(id="search-results", options=[], value=None, style={"fontSize": "12px", "marginTop": "4px"}),
        html.Button("Back to overview", id="overview-button", style={"marginTop": "6px"}),
    ])


def _button(label: str, ident: str, title: str) -> html.Button:
    return html.Button(label, id=ident, title=title, style={"fontSize": "12px", "marginRight": "3px"})


def graph_controls() -> html.Div:
    """Measures (size/colour), graph tools (fit, zoom to selection, hide, pin, re-layout,
    expand neighbours) and the legend, above the drawing."""
    radio = {"display": "inline-block", "fontSize": "12px"}
    return html.Div(style={**PANEL, "padding": "4px 8px", "marginBottom": "4px"}, children=[
        html.Div([
            html.Span("Communities by ", style={"fontSize": "12px", "fontWeight": 600}),
            dcc.RadioItems(id="community-measure", value="score", inline=True, style=radio,
                           options=[{"label": f" {v} ", "value": k} for k, v in COMMUNITY_MEASURES.items()]),
        ]),
        html.Div([
            html.Span("Accounts by ", style={"fontSize": "12px", "fontWeight": 600}),
            dcc.RadioItems(id="account-metric", value="strength", inline=True, style=radio,
                           options=[{"label": f" {v} ", "value": k} for k, v in ACCOUNT_METRICS.items()]),
            dcc.Checklist(id="account-colour", value=[], inline=True, style=radio,
                          options=[{"label": " colour by it too", "value": "on"}]),
        ]),
        html.Div(style={"marginTop": "3px"}, children=[
            _button("Fit", "cy-fit", "show the whole drawing"),
            _button("Zoom to selection", "cy-zoom-selected", "zoom to the selected nodes and their edges"),
            _button("Hide selected", "cy-hide", "hide the selected nodes (not a filter: they come back with Show all)"),
            _button("Show all", "cy-show", "show hidden nodes again"),
            _button("Pin / unpin selected", "cy-pin", "lock the selected nodes in place (a re-layout leaves them)"),
            _button("Re-layout visible", "cy-relayout", "lay out the visible nodes again (force-directed)"),
            _button("Expand neighbours", "expand-neighbours", "add the coordinated partners of the selected accounts"),
            html.Span(id="cy-action", style={"fontSize": "11px", "color": "#777", "marginLeft": "6px"}),
        ]),
        html.Div(id="legend-box", style={"marginTop": "3px"}),
    ])


def replay_panel() -> html.Div:
    """A time slider that replays when co-shares happened (edges with a co-share up to it)."""
    return html.Div(style={**PANEL, "padding": "4px 8px", "marginTop": "6px"}, children=[
        html.Span("Replay co-shares up to (UTC): ", style={"fontSize": "12px", "fontWeight": 600}),
        html.Span(id="replay-label", style={"fontSize": "12px"}),
        html.Button("Play", id="replay-play", style={"fontSize": "12px", "marginLeft": "8px"}),
        dcc.Slider(id="replay", min=0, max=1, step=1, value=1, marks=None, updatemode="mouseup",
                   allow_direct_input=False),
        dcc.Interval(id="replay-tick", interval=700, disabled=True),
    ])


def community_table_panel() -> html.Div:
    """The ranked community table (most suspicious first); click a row to open it."""
    from coordgraph.analysis.community_table import DEFINITIONS

    columns = [("rank", "rank"), ("community", "community"), ("score", "score"), ("size", "accounts"),
               ("coshares", "co-shares"), ("coshares_per_account", "co-shares / account"),
               ("median_seconds_apart", "median s apart"), ("fast_share", "fast share"), ("symmetry", "symmetry"),
               ("median_q_value", "median q"), ("median_followers", "median followers"),
               ("median_age_days", "median age (days)"), ("top_objects", "top objects")]
    return html.Div(style={**PANEL, "marginTop": "6px"}, children=[
        html.H4("Communities, most suspicious first", style={"margin": "0 0 2px"}),
        html.Div("Score = mean percentile rank of co-shares per account, speed, fast share and symmetry "
                 "(docs/method.md). Click a row to open the community; hover a header for its definition.",
                 style={"fontSize": "12px", "color": "#555"}),
        dash_table.DataTable(
            id="community-table", columns=[{"name": n, "id": c} for c, n in columns], data=[],
            page_size=15, sort_action="native", style_table={"overflowX": "auto"},
            tooltip_header={c: DEFINITIONS.get(c, "") for c, _ in columns}, tooltip_delay=0, tooltip_duration=None,
            style_cell={"fontSize": 12, "textAlign": "left", "maxWidth": 320, "whiteSpace": "normal",
                        "cursor": "pointer", "padding": "2px 6px"},
            style_header={"fontWeight": 600, "background": "#f3f3f3"},
            style_cell_conditional=[{"if": {"column_id": "top_objects"}, "minWidth": "260px", "width": "260px"}],
            style_data_conditional=[{"if": {"state": "active"}, "background": "#e8f0fe", "border": "1px solid #1a73e8"}],
        ),
    ])


def network_tab() -> html.Div:
    return html.Div([
        graph_controls(),
        # fixed height: a reflow above the canvas would shift it under cytoscape's cached offset
        html.Div(id="graph-summary", style={"fontSize": "12px", "color": "#555", "margin": "4px 0", "height": "16px",
                                            "overflow": "hidden", "whiteSpace": "nowrap", "textOverflow": "ellipsis"}),
        html.Div(style={"position": "relative"}, children=[
            cyto.Cytoscape(id="graph", elements=[], layout={"name": "preset", "fit": True, "padding": 20},
                           stylesheet=STYLESHEET, minZoom=0.05, maxZoom=6, boxSelectionEnabled=True,
                           style={"width": "100%", "height": "62vh", "border": "1px solid #ddd", "borderRadius": "6px",
                                  "background": "#fcfcfc"}),
            html.Div(id="hover-info", style={"position": "absolute", "top": "6px", "right": "6px", "maxWidth": "320px",
                                             "fontSize": "12px", "background": "rgba(255,255,255,.93)",
                                             "border": "1px solid #ccc", "borderRadius": "4px", "padding": "4px 6px",
                                             "pointerEvents": "none", "whiteSpace": "pre-line"}),
        ]),
        replay_panel(),
        html.Div(id="evidence-wide"),
        community_table_panel(),
        html.Div(style={**PANEL, "marginTop": "8px"}, children=[
            html.Span("Export ", style={"fontWeight": 600}),
            dcc.RadioItems(id="export-scope", value="view", inline=True, style={"display": "inline-block"},
                           options=[{"label": " current view ", "value": "view"},
                                    {"label": " selected community ", "value": "community"}]),
            html.Div([html.Button(label, id=f"export-{fmt}", style={"marginRight": "4px"}) for fmt, label in EXPORTS],
                     style={"marginTop": "4px"}),
            html.Div(id="export-message", style={"fontSize": "12px", "color": "#555"}),
        ]),
    ])


def trends_tab() -> html.Div:
    return html.Div(style=PANEL, children=[
        html.H4("Trends", style={"margin": "0 0 4px"}),
        html.Div("Statistics stored by `coordgraph trends` (volume per hour, coordinated share). "
                 "Pick one trend, or two to compare side by side.", style={"fontSize": "12px", "color": "#555"}),
        dcc.Dropdown(id="trend-a", placeholder="trend", style={"width": "45%", "display": "inline-block"}),
        dcc.Dropdown(id="trend-b", placeholder="second trend (optional)",
                     style={"width": "45%", "display": "inline-block", "marginLeft": "2%"}),
        html.Div(id="trend-message", style={"fontSize": "12px", "color": "#555"}),
        dcc.Graph(id="trend-volume", config={"displaylogo": False}),
        dcc.Graph(id="trend-indicators", config={"displaylogo": False}),
        html.Div(id="trend-table"),
    ])


def console_tab() -> html.Div:
    return html.Div(style=PANEL, children=[
        html.H4("Researcher console (read-only Cypher)", style={"margin": "0 0 4px"}),
        dcc.Dropdown(id="console-library", placeholder="query library: pick a query file", style={"marginBottom": "4px"}),
        html.Pre(id="console-doc", style={"fontSize": "11px", "color": "#555", "whiteSpace": "pre-wrap", "margin": 0}),
        dcc.Textarea(id="console-query", placeholder="MATCH (a:Account) RETURN a.id AS id LIMIT 10",
                     style={"width": "100%", "height": "110px", "fontFamily": "monospace"}),
        html.Div("Parameters (JSON object):", style={"fontSize": "12px"}),
        dcc.Textarea(id="console-params", value="{}", style={"width": "100%", "height": "38px", "fontFamily": "monospace"}),
        html.Button("Run", id="console-run"),
        html.Div(id="console-message", style={"margin": "6px 0", "fontSize": "13px"}),
        dash_table.DataTable(id="console-table", columns=[], data=[], page_size=20, sort_action="native",
                             style_table={"overflowX": "auto"}, style_cell={"fontSize": 12, "textAlign": "left",
                                                                            "maxWidth": 400, "whiteSpace": "normal"}),
    ])


def cases_tab() -> html.Div:
    return html.Div(style=PANEL, children=[
        html.H4("Cases (saved investigations)", style={"margin": "0 0 4px"}),
        dcc.Dropdown(id="case-list", placeholder="open a saved case"),
        html.Div(id="case-detail", style={"fontSize": "12px", "margin": "6px 0"}),
        html.Hr(),
        html.Div("Save the current view (run, filters, expanded communities, focus) as a case:", style={"fontSize": "12px"}),
        dcc.Input(id="case-name", type="text", placeholder="case name", style={"width": "50%"}),
        dcc.Textarea(id="case-notes", placeholder="notes", style={"width": "100%", "height": "70px"}),
        dcc.Input(id="case-bookmarks", type="text", placeholder="bookmarked account ids, comma separated",
                  style={"width": "100%"}),
        dcc.Checklist(id="case-overwrite", value=[], style={"fontSize": "12px"},
                      options=[{"label": " replace a saved case of the same name", "value": "yes"}]),
        html.Button("Save case", id="case-save"),
        html.Div(id="case-message", style={"fontSize": "12px", "marginTop": "4px"}),
    ])


def page(runs: list[dict], run_id: str | None, store_uri: str) -> html.Div:
    """The whole page for a reachable store."""
    options = [{"label": _run_label(r), "value": r["id"]} for r in runs]
    return html.Div(style=PAGE_CSS, children=[
        dcc.Store(id="expanded", data=[]),
        dcc.Store(id="focus", data=None),
        dcc.Store(id="selected-community", data=None),
        dcc.Store(id="view-state", data=None),
        dcc.Download(id="download"),
        html.Div(style={"display": "flex", "alignItems": "center", "gap": "16px", "padding": "8px 14px",
                        "background": "#1f2a36", "color": "#fff"}, children=[
            html.B("coordgraph", style={"fontSize": "18px"}),
            html.Span("run:"),
            dcc.Dropdown(id="run-select", options=options, value=run_id, clearable=False,
                         style={"width": "420px", "color": "#222"}),
            html.Span(f"store: {store_uri}", id="store-label", style={"fontSize": "12px", "opacity": 0.8}),
        ]),
        html.Div(style={"display": "flex", "gap": "10px", "padding": "10px"}, children=[
            html.Div(style={"width": "270px", "flex": "none"}, children=[filters_panel(), search_panel(), live_panel()]),
            html.Div(style={"flex": 1, "minWidth": 0}, children=[
                dcc.Tabs(id="tabs", value="network", children=[
                    dcc.Tab(label="Network", value="network", children=network_tab()),
                    dcc.Tab(label="Trends", value="trends", children=trends_tab()),
                    dcc.Tab(label="Console", value="console", children=console_tab()),
                    dcc.Tab(label="Cases", value="cases", children=cases_tab()),
                    dcc.Tab(label="Compare runs", value="compare", children=compare_tab(runs)),
                ]),
            ]),
            html.Div(id="details", style={**PANEL, "width": "360px", "flex": "none", "maxHeight": "88vh",
                                          "overflowY": "auto", "fontSize": "13px"},
                     children=[html.I("Click a community to expand it, an account or an edge to inspect it.")]),
        ]),
    ])


def no_runs_page(store_uri: str) -> html.Div:
    """The store answers but holds no complete run yet."""
    return html.Div(style={**PAGE_CSS, "padding": "3em"}, children=[
        html.H2("coordgraph: no analysis run in the store yet"),
        html.P(f"The store at {store_uri} holds no complete run. Load data and analyse it first, e.g.:"),
        html.Pre("coordgraph demo        # or: coordgraph ingest ... && coordgraph analyze ..."),
        html.A("Reload", href="/"),
    ])


def store_down_page(store_uri: str, error: str) -> html.Div:
    """A clear page when the graph store cannot be reached."""
    return html.Div(id="store-down", style={**PAGE_CSS, "padding": "3em"}, children=[
        html.H2("The graph store is not reachable"),
        html.P(f"coordgraph could not reach the store at {store_uri}."),
        html.Pre(error, style={"background": "#fff4f4", "border": "1px solid #f3c0c0", "padding": "8px",
                               "whiteSpace": "pre-wrap"}),
        html.P("Start it (embedded store: coordgraph db start) or check the --store URI, then reload."),
        html.A("Reload", href="/"),
    ])


def _run_label(run: dict) -> str:
    counts = run.get("counts") or {}
    intent = run.get("intent") or "all intents"
    edges = counts.get("edges")
    return f"{run['id']} ({intent}{f', {edges:,} edges' if isinstance(edges, int) else ''})"
