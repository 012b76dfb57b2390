"""The live view's controls (a run kept by ``coordgraph watch --store``): "new since" a batch
or a UTC time (highlight or show only what appeared after it), the networks that are new or
grew since then, the alerts, and the refresh timer. Hidden for batch runs. Component ids are
the contract with :mod:`coordgraph.webapp.callbacks_live` and the browser tests."""
from __future__ import annotations

from dash import dcc, html

from coordgraph.webapp.style import PANEL

#: How often the app asks the store whether the live run moved on (milliseconds).
REFRESH_MS = 30_000

SMALL = {"fontSize": "12px"}


def live_panel() -> html.Div:
    """The live panel (display: none until the opened run is live)."""
    return html.Div(id="live-panel", style={**PANEL, "display": "none"}, children=[
        html.H4("Live run", style={"margin": "0 0 4px"}),
        html.Div(id="live-status", style={**SMALL, "color": "#555"}),
        html.Div("New since (batch, or UTC time YYYY-MM-DD HH:MM):", style={**SMALL, "fontWeight": 600, "marginTop": "6px"}),
        dcc.Dropdown(id="live-since", options=[], value=None, placeholder="a batch", clearable=True, style=SMALL),
        dcc.Input(id="live-since-time", type="text", placeholder="or a UTC time", debounce=True,
                  style={"width": "95%", "marginTop": "3px"}),
        dcc.RadioItems(id="live-mode", value="highlight", inline=True, style=SMALL,
                       options=[{"label": " highlight new ", "value": "highlight"},
                                {"label": " only new ", "value": "only"}]),
        html.Div(id="live-since-explain", style={**SMALL, "color": "#555"}),
        html.Div("New or growing networks (accounts then → now; click to open):",
                 style={**SMALL, "fontWeight": 600, "marginTop": "6px"}),
        html.Div(id="live-growth", style={"display": "flex", "flexDirection": "column", "maxHeight": "180px",
                                          "overflowY": "auto"}),
        html.Div("Alerts (click to open):", style={**SMALL, "fontWeight": 600, "marginTop": "6px"}),
        html.Div(id="live-alerts", style={"display": "flex", "flexDirection": "column", "maxHeight": "220px",
                                          "overflowY": "auto"}),
        dcc.Interval(id="live-tick", interval=REFRESH_MS, disabled=True),
        dcc.Store(id="live-info", data=None),
    ])
