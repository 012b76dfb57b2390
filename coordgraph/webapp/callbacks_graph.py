"""Callbacks of graph reading: the community table, clicks from tables to the graph, the
replay slider, neighbour expansion, the wide evidence view, and browser-side graph tools
(hover box, fit, zoom to selection, hide, pin, re-layout) that never ask the server."""
from __future__ import annotations

import numpy as np
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, html, no_update  # noqa: F401
from dash.exceptions import PreventUpdate

from coordgraph.cypher.errors import StoreError
from coordgraph.webapp.filters import Filters

#: Browser-side graph tools: one function, the button that fired says what to do.
GRAPH_TOOLS_JS = """
function(fit, zoomSel, hide, show, pin, relayout) {
  const cy = document.getElementById('graph')._cyreg.cy;
  const trig = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
  const sel = cy.nodes(':selected');
  const visible = cy.elements(':visible');
  if (trig.startsWith('cy-fit')) { cy.fit(visible, 30); return 'fitted'; }
  if (trig.startsWith('cy-zoom-selected')) {
    if (!sel.length) { return 'select nodes first (click, or shift-drag a box)'; }
    cy.animate({fit: {eles: sel.union(sel.connectedEdges()), padding: 40}}, {duration: 250});
    return 'zoomed to ' + sel.length + ' selected';
  }
  if (trig.startsWith('cy-hide')) { sel.addClass('hidden'); sel.unselect();
    return cy.nodes('.hidden').length + ' hidden'; }
  if (trig.startsWith('cy-show')) { cy.elements('.hidden').removeClass('hidden'); return 'all shown'; }
  if (trig.startsWith('cy-pin')) {
    sel.forEach(n => { if (n.locked()) { n.unlock(); n.removeClass('pinned'); } else { n.lock(); n.addClass('pinned'); } });
    return cy.nodes('.pinned').length + ' pinned';
  }
  if (trig.startsWith('cy-relayout')) {
    const eles = cy.elements(':visible');
    eles.layout({name: 'cose', animate: false, fit: true, padding: 30, randomize: false,
                 nodeDimensionsIncludeLabels: true}).run();
    return 're-laid out ' + eles.nodes().length + ' visible nodes';
  }
  return window.dash_clientside.no_update;
}
"""

#: The hover box: what a node or edge is, without a server round trip.
HOVER_JS = """
function(node, edge) {
  const trig = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
  const d = trig.includes('Edge') ? edge : node;
  if (!d) { return ''; }
  const f = (v, k) => (v === undefined || v === null) ? '' : k + ': ' + (typeof v === 'number' ? (+v.toFixed(3)).toLocaleString('en') : v) + '\\n';
  if (d.kind === 'community') {
    return 'Community #' + d.community + '\\n' + f(d.rank, 'rank') + f(d.score, 'suspicion score') +
      f(d.size, 'accounts') + f(d.volume, 'co-shares') + 'click: open it';
  }
  if (d.kind === 'account') {
    return 'Account ' + d.label + '\\n' + f(d.account_id, 'id') + f(d.community, 'community') +
      f(d.strength, 'co-shares') + f(d.degree, 'partners') + f(d.pagerank, 'PageRank') +
      f(d.followers_count, 'followers') + 'click: details';
  }
  if (d.kind === 'edge') {
    return d.account_id + ' - ' + d.account_id_y + '\\n' + f(d.weight, 'co-shares') +
      f(d.avg_time_delta, 'average seconds apart') + f(d.edge_symmetry_score, 'symmetry') +
      (d.fast ? 'fast-window edge\\n' : '') + 'click: the evidence';
  }
  if (d.kind === 'link') { return 'Link ' + d.source + ' - ' + d.target + '\\n' + f(d.weight, 'co-shares') +
      f(d.n_edges, 'coordinated edges'); }
  return '';
}
"""


def register(app, state) -> None:
    """Attach the graph-reading callbacks to ``app``."""
    from coordgraph.webapp.callbacks import (_utc, account_details, community_details, object_details,
                                             store_problem, wide_evidence)

    app.clientside_callback(GRAPH_TOOLS_JS, Output("cy-action", "children"),
                            Input("cy-fit", "n_clicks"), Input("cy-zoom-selected", "n_clicks"),
                            Input("cy-hide", "n_clicks"), Input("cy-show", "n_clicks"),
                            Input("cy-pin", "n_clicks"), Input("cy-relayout", "n_clicks"),
                            prevent_initial_call=True)
    app.clientside_callback(HOVER_JS, Output("hover-info", "children"),
                            Input("graph", "mouseoverNodeData"), Input("graph", "mouseoverEdgeData"),
                            prevent_initial_call=True)

    @app.callback(
        Output("details", "children", allow_duplicate=True), Output("expanded", "data", allow_duplicate=True),
        Output("selected-community", "data", allow_duplicate=True), Output("focus", "data", allow_duplicate=True),
        Input("community-table", "active_cell"), State("community-table", "data"), State("run-select", "value"),
        State("view-state", "data"), prevent_initial_call=True,
    )
    def open_from_table(cell, rows, run, view):
        """A click on a row of the ranked table opens that community (expanded, details)."""
        if not cell or cell.get("row_id") is None:
            raise PreventUpdate
        c = int(cell["row_id"])
        row = next((r for r in rows or [] if r.get("id") == c), {"community": c})
        try:
            details = community_details(state, run, {"community": c, "size": row.get("size"),
                                                     "volume": row.get("coshares")}, view, row=row)
        except StoreError as exc:
            details = store_problem(exc)
        return details, [c], c, None

    @app.callback(
        Output("focus", "data", allow_duplicate=True), Output("details", "children", allow_duplicate=True),
        Input({"type": "goto-account", "id": ALL}, "n_clicks"), Input({"type": "goto-object", "id": ALL}, "n_clicks"),
        State("run-select", "value"), prevent_initial_call=True,
    )
    def goto(_accounts, _objects, run):
        """A click on an account or object in any table draws it in the graph."""
        trig = ctx.triggered_id
        if not trig or not any(t.get("value") for t in ctx.triggered):
            raise PreventUpdate
        ident = trig["id"]
        try:
            if trig["type"] == "goto-account":
                return ({"kind": "account", "id": ident, "label": ident},
                        account_details(state, run, ident))
            return {"kind": "object", "id": ident, "label": ident}, object_details(state, run, ident)
        except StoreError as exc:
            return no_update, store_problem(exc)

    @app.callback(
        Output("focus", "data", allow_duplicate=True), Output("cy-action", "children", allow_duplicate=True),
        Input("expand-neighbours", "n_clicks"), State("graph", "selectedNodeData"), State("graph", "elements"),
        State("view-state", "data"), prevent_initial_call=True,
    )
    def expand_neighbours(_n, selected, elements, view):
        """Add the coordinated partners of the selected accounts to the accounts drawn."""
        chosen = [d["account_id"] for d in selected or [] if d.get("kind") == "account"]
        if not chosen or not view:
            return no_update, "select one or more accounts first"
        snap = state.snapshot(view["run"])
        filters = Filters.from_dict(view.get("filters"))
        drawn = {el["data"]["account_id"] for el in elements or [] if el.get("data", {}).get("kind") == "account"}
        for aid in chosen:
            partners, _ = snap.neighbourhood(aid, filters)
            drawn |= set(partners["account_id"].astype(str))
        return {"kind": "accounts", "ids": sorted(drawn), "id": chosen[0]}, f"{len(drawn):,} accounts drawn"

    @app.callback(
        Output("replay", "min"), Output("replay", "max"), Output("replay", "value"), Output("replay", "step"),
        Input("run-select", "value"),
    )
    def replay_range(run):
        """The replay slider spans the run's co-shares (UNIX s UTC), at the end = all."""
        if not run:
            raise PreventUpdate
        first, last = state.snapshot(run).time_span()
        if first is None:
            return 0, 1, 1, 1
        return first, last, last, max(1, (last - first) // 300)

    @app.callback(Output("replay-label", "children"), Input("replay", "value"), State("replay", "max"))
    def replay_label(value, top):
        if value is None:
            raise PreventUpdate
        return f"{_utc(value)} UTC" + (" (all)" if top is not None and value >= top else "")

    @app.callback(
        Output("replay-tick", "disabled"), Output("replay", "value", allow_duplicate=True),
        Output("replay-play", "children"),
        Input("replay-play", "n_clicks"), Input("replay-tick", "n_intervals"),
        State("replay-tick", "disabled"), State("replay", "value"), State("replay", "min"), State("replay", "max"),
        prevent_initial_call=True,
    )
    def replay_play(_clicks, _ticks, disabled, value, lo, hi):
        """Play: step the slider from the first co-share to the last in 30 steps, then stop."""
        step = max(1, (hi - lo) // 30) if hi is not None and lo is not None else 1
        if ctx.triggered_id == "replay-play":
            if disabled:  # start (from the beginning when at the end)
                start = lo if value is None or value >= hi else value
                return False, start, "Pause"
            return True, no_update, "Play"
        nxt = min(hi, (value or lo) + step)
        return (nxt >= hi), nxt, ("Play" if nxt >= hi else "Pause")

    @app.callback(
        Output("evidence-wide", "children"), Input("open-evidence", "n_clicks"),
        State("open-evidence", "value"), State("run-select", "value"), prevent_initial_call=True,
    )
    def open_wide(n, pair, run):
        """The wide evidence view: every column of an edge's co-shares, full width."""
        if not n or not pair:
            raise PreventUpdate
        a, b = pair.split("|", 1)
        return wide_evidence(state, run, a, b)

    _ = np  # numpy kept for symmetry with the other callback modules
