"""The page: filters and search on the left, the network (or trends / console / cases) in the
middle, the details panel on the right. Component ids are the contract with callbacks and
the browser tests."""
from __future__ import annotations

import dash_cytoscape as cyto
from dash import dash_table, dcc, html

from coordgraph.webapp.style import PAGE_CSS, PANEL, STYLESHEET

from coordgraph.contracts import INTENTS  # noqa: E402
EXPORTS = (("csv", "Members CSV"), ("gexf", "GEXF"), ("graphml", "GraphML"), ("json", "Cytoscape JSON"),
           ("html", "HTML report"), ("png", "PNG"))


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


def network_tab() -> html.Div:
    return html.Div([
        # fixed height: a reflow above the canvas would shift it under cytoscape's cached offset
        html.Div(id="graph-summary", style={"fontSize": "12px", "color": "#555", "margin": "4px 0", "height": "16px",
                                            "overflow": "hidden", "whiteSpace": "nowrap", "textOverflow": "ellipsis"}),
        cyto.Cytoscape(id="graph", elements=[], layout={"name": "preset", "fit": True, "padding": 20},
                       stylesheet=STYLESHEET, minZoom=0.05, maxZoom=4, boxSelectionEnabled=False,
                       style={"width": "100%", "height": "68vh", "border": "1px solid #ddd", "borderRadius": "6px",
                              "background": "#fcfcfc"}),
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
            html.Div(style={"width": "270px", "flex": "none"}, children=[filters_panel(), search_panel()]),
            html.Div(style={"flex": 1, "minWidth": 0}, children=[
                dcc.Tabs(id="tabs", value="network", children=[
                    dcc.Tab(label="Network", value="network", children=network_tab()),
                    dcc.Tab(label="Trends", value="trends", children=trends_tab()),
                    dcc.Tab(label="Console", value="console", children=console_tab()),
                    dcc.Tab(label="Cases", value="cases", children=cases_tab()),
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
