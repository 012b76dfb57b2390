"""Build the Dash application: one store, one page, callbacks, optional password.

``create_app(store)`` returns the Dash app; :mod:`coordgraph.webapp.server` runs it.
"""
from __future__ import annotations

import dash
from dash import dcc, html

from coordgraph.webapp import callbacks, callbacks_compare, callbacks_graph, callbacks_live, callbacks_panels, layout
from coordgraph.webapp.auth import install, logout_link
from coordgraph.webapp.state import AppState


def create_app(store, run_id: str | None = None, password: str | None = None, store_uri: str | None = None,
               bind_host: str | None = None) -> dash.Dash:
    """The investigation app over ``store``; ``run_id`` the run shown first (default: newest).

    With ``password`` every route asks for it first. ``bind_host`` is the address it will
    listen on (None: taken per request); on loopback only loopback Host names are answered.
    CSRF tokens guard every state change (see :mod:`coordgraph.webapp.auth`).
    """
    state = AppState(store, default_run=run_id)
    uri = store_uri or getattr(store, "uri", "the graph store")
    app = dash.Dash(__name__, title="coordgraph", suppress_callback_exceptions=True, update_title=None)
    app.state = state  # for tests and the server

    def serve_layout():
        from coordgraph.cypher.errors import StoreUnavailable

        try:
            runs = state.runs()
        except StoreUnavailable as exc:
            return layout.store_down_page(uri, str(exc))
        if not runs:
            return layout.no_runs_page(uri)
        run = state.pick_run()
        if run not in {r["id"] for r in runs}:
            run = runs[0]["id"]
        page = layout.page(runs, run, uri)
        page.children.insert(0, dcc.Store(id="open-case", data=None))
        return page

    app.layout = serve_layout
    app.validation_layout = html.Div([layout.page([], None, uri), dcc.Store(id="open-case"),
                                      html.Button(id="bookmark-account"), html.Button(id="open-evidence")])
    callbacks.register(app, state)
    callbacks_panels.register(app, state)
    callbacks_graph.register(app, state)
    callbacks_live.register(app, state)  # a run kept by `coordgraph watch --store`
    callbacks_compare.register(app, state)
    _store_errors(app.server, uri)
    install(app.server, password, bind_host)
    if password:
        app.index_string = logout_link(app.index_string)
    return app


def _store_errors(server, uri: str) -> None:
    """A callback that hits a store that went down answers 503 with one clear line."""
    from coordgraph.cypher.errors import StoreUnavailable

    @server.errorhandler(StoreUnavailable)
    def _down(exc):
        return (f"The graph store at {uri} is not reachable: {exc}", 503)
