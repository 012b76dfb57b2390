"""The "Compare runs" tab: pick two or more runs of the store, see how far their methods agree.

What it shows is :class:`coordgraph.analysis.compare.Comparison` (the same numbers and words as
``coordgraph compare`` and the report's comparison section): per run its flagged accounts,
flagged edges and groups; per pair of runs the counts, the number in both and the Jaccard index
of flagged accounts and of flagged edges; the accounts only one run flags (a click opens the
account in that run's graph); each run's groups side by side. Component ids (``compare-*``) are
the contract with :mod:`coordgraph.webapp.callbacks_compare` and the browser tests.
"""
from __future__ import annotations

from dash import dcc, html

from coordgraph.cypher.compare import describe_run
from coordgraph.webapp.style import PANEL

#: Groups and members shown per run in the side-by-side columns (the CLI's --out has all).
MAX_GROUPS = 30
MAX_MEMBERS = 25
MAX_ONLY = 200

_CELL = {"padding": "2px 6px", "borderBottom": "1px solid #eee", "textAlign": "right"}
_HEAD = {"padding": "2px 6px", "borderBottom": "1px solid #ccc", "textAlign": "right", "background": "#f3f3f3"}
_LINK = {"background": "none", "border": "none", "padding": "0 4px 0 0", "color": "#1a5fb4",
         "textDecoration": "underline", "cursor": "pointer", "fontSize": "12px"}


def run_label(run: dict) -> str:
    """A run as the picker names it: its id, method, intent and edge count."""
    return f"{run['id']} ({describe_run(run)})"


def compare_tab(runs: list[dict]) -> html.Div:
    """The tab's controls: the run picker, a message line and the result area."""
    return html.Div(style=PANEL, children=[
        html.H4("Compare runs", style={"margin": "0 0 4px"}),
        html.Div("Pick two or more runs on the same shares (any method): how many flagged accounts and edges "
                 "they share, the accounts only one of them flags, and their groups side by side.",
                 style={"fontSize": "12px", "color": "#555"}),
        dcc.Dropdown(id="compare-runs", multi=True, placeholder="runs to compare",
                     options=[{"label": run_label(r), "value": r["id"]} for r in runs]),
        html.Div(id="compare-message", style={"fontSize": "12px", "color": "#555", "margin": "4px 0"}),
        dcc.Loading(html.Div(id="compare-result"), type="dot"),
    ])


def _table(header: list[str], rows: list[list], table_id: str) -> html.Table:
    return html.Table(id=table_id, style={"borderCollapse": "collapse", "fontSize": "12px", "margin": "4px 0 10px"},
                      children=[html.Thead(html.Tr([html.Th(h, style=_HEAD) for h in header])),
                                html.Tbody([html.Tr([html.Td(c, style=_CELL) for c in row]) for row in rows])])


def account_button(run_id: str, account_id: str, where: str) -> html.Button:
    """An account that opens in ``run_id``'s graph when clicked (``where``: 'only' or 'group',
    so the same account listed twice keeps two component ids)."""
    return html.Button(account_id, id={"type": "compare-account", "where": where, "run": run_id,
                                       "id": str(account_id)},
                       title=f"open in the graph of run {run_id}", className="compare-account", style=_LINK)


def render(result, labels: dict[str, str]) -> list:
    """The comparison ``result`` (analysis.compare.Comparison of run ids) as page parts;
    ``labels``: run id -> how the run is named (method, intent)."""
    from coordgraph.analysis.compare import DEFINITIONS

    number = {name: i for i, name in enumerate(result.names, 1)}
    per_run = [[str(number[r.run]), r.run, labels.get(r.run, r.run), f"{r.accounts:,}", f"{r.edges:,}",
                f"{r.components:,}"] for r in result.per_run.itertuples(index=False)]
    overlap = [[str(number[r.run_a]), str(number[r.run_b]), f"{r.accounts_a:,}", f"{r.accounts_b:,}",
                f"{r.accounts_both:,}", f"{r.accounts_jaccard:.3f}", f"{r.edges_a:,}", f"{r.edges_b:,}",
                f"{r.edges_both:,}", f"{r.edges_jaccard:.3f}"] for r in result.overlap.itertuples(index=False)]
    only = []
    for name in result.names:
        accounts = result.only.loc[result.only["run"] == name, "account_id"].tolist()
        more = f" ... ({len(accounts):,} in all)" if len(accounts) > MAX_ONLY else ""
        only.append(html.Div(className="compare-only", id={"type": "compare-only", "run": name}, children=[
            html.B(f"only run {number[name]} ({len(accounts):,}): "),
            *[account_button(name, a, 'only') for a in accounts[:MAX_ONLY]], more]))
    columns = []
    for name in result.names:
        groups = result.groups[name]
        items = [html.Div(className="compare-group", style={"borderTop": "1px solid #eee", "padding": "2px 0"}, children=[
            html.Span(f"group {i} ({len(g)} accounts): ", style={"fontWeight": 600}),
            *[account_button(name, a, 'group') for a in sorted(g)[:MAX_MEMBERS]],
            f"... {len(g) - MAX_MEMBERS:,} more" if len(g) > MAX_MEMBERS else ""])
            for i, g in enumerate(groups[:MAX_GROUPS], 1)]
        if len(groups) > MAX_GROUPS:
            items.append(html.Div(f"... {len(groups) - MAX_GROUPS:,} more groups", style={"color": "#777"}))
        columns.append(html.Div(id={"type": "compare-groups", "run": name}, className="compare-groups",
                                style={"flex": 1, "minWidth": "220px", "fontSize": "12px"},
                                children=[html.H5(f"run {number[name]}: {labels.get(name, name)}", style={"margin": "2px 0"}),
                                          html.Div(f"{len(groups):,} groups"), *items]))
    defs = html.Details([html.Summary("Definitions", style={"fontSize": "12px", "cursor": "pointer"}),
                         html.Dl([part for k, v in DEFINITIONS.items() for part in (html.Dt(k, style={"fontWeight": 600}),
                                                                                     html.Dd(v))],
                                 style={"fontSize": "12px"})])
    return [
        html.H5("Runs", style={"margin": "6px 0 0"}),
        _table(["#", "run", "method", "flagged accounts", "flagged edges", "groups"], per_run, "compare-per-run"),
        html.H5("Overlap (J = Jaccard)", style={"margin": "6px 0 0"}),
        _table(["A", "B", "accounts A", "accounts B", "accounts both", "accounts J", "edges A", "edges B",
                "edges both", "edges J"], overlap, "compare-overlap"),
        html.H5("Accounts only one run flags (click: open in that run's graph)", style={"margin": "6px 0 0"}),
        html.Div(only, id="compare-only-list"),
        html.H5("Groups side by side (connected components of flagged edges)", style={"margin": "8px 0 0"}),
        html.Div(columns, id="compare-groups", style={"display": "flex", "gap": "12px", "alignItems": "flex-start"}),
        defs,
    ]
