"""Callbacks of the "Compare runs" tab (:mod:`coordgraph.webapp.compare_view`).

Reads only the store: each picked run's flagged edges (``run_flagged_edges.cypher`` through
:func:`coordgraph.cypher.compare.store_comparison`), compared by
:mod:`coordgraph.analysis.compare`. A click on an account opens it in the graph of the run that
flags it: the run picker, the focus and the details switch to it, and the Network tab shows.
"""
from __future__ import annotations

from dash import ALL, Input, Output, ctx
from dash.exceptions import PreventUpdate

from coordgraph.cypher.errors import StoreError


def register(app, state) -> None:
    """Attach the comparison and the open-an-account callbacks to ``app``."""
    from coordgraph.webapp import compare_view

    @app.callback(
        Output("compare-result", "children"), Output("compare-message", "children"),
        Input("compare-runs", "value"), prevent_initial_call=True,
    )
    def show_comparison(run_ids):
        """The comparison of the picked runs (two or more), in the order picked."""
        from coordgraph.cypher.compare import describe_run, store_comparison

        run_ids = list(dict.fromkeys(run_ids or []))
        if len(run_ids) < 2:
            return [], "pick two or more runs"
        try:
            result = store_comparison(state.store, run_ids)
        except (ValueError, StoreError) as exc:
            return [], str(exc)
        labels = {r["id"]: describe_run(r) for r in state.runs() if r["id"] in run_ids}
        return compare_view.render(result, labels), f"{len(run_ids)} runs compared"

    @app.callback(
        Output("run-select", "value", allow_duplicate=True), Output("focus", "data", allow_duplicate=True),
        Output("expanded", "data", allow_duplicate=True), Output("tabs", "value", allow_duplicate=True),
        Output("details", "children", allow_duplicate=True),
        Input({"type": "compare-account", "where": ALL, "run": ALL, "id": ALL}, "n_clicks"), prevent_initial_call=True,
    )
    def open_account(_clicks):
        """Draw the clicked account's neighbourhood in the run that flags it."""
        from coordgraph.webapp.callbacks import account_details, store_problem

        trig = ctx.triggered_id
        if not trig or not any(t.get("value") for t in ctx.triggered):
            raise PreventUpdate
        run, account = trig["run"], trig["id"]
        try:
            details = account_details(state, run, account)
        except StoreError as exc:
            details = store_problem(exc)
        return run, {"kind": "account", "id": account, "label": account}, [], "network", details
