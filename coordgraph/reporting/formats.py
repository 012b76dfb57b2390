"""One function per export format, all turning a :class:`NetworkView` into bytes.

Formats: members CSV, GEXF and GraphML (Gephi; written by networkx), Cytoscape JSON
(cytoscape.js / Cytoscape desktop ``elements`` format), SVG network picture and the HTML
report. PNG is drawn by the browser (cytoscape) in the web app.
"""
from __future__ import annotations

import io
import math

import networkx as nx
import orjson
import pandas as pd

from coordgraph.reporting.view import NetworkView


def members_csv(view: NetworkView) -> bytes:
    """The accounts table as UTF-8 CSV (one row per account, strongest first)."""
    frame = view.accounts
    if "strength" in frame.columns:
        frame = frame.sort_values("strength", ascending=False, kind="stable")
    return frame.to_csv(index=False).encode("utf-8")


def to_networkx(view: NetworkView) -> nx.Graph:
    """An undirected networkx graph: account attributes on nodes, edge attributes on edges.

    Missing values are dropped (GEXF/GraphML have no null); other values become plain
    str/int/float/bool as those formats require.
    """
    graph = nx.Graph(name=view.title, **{k: _attr(v) for k, v in view.params.items() if _attr(v) is not None})
    for row in view.accounts.to_dict("records"):
        node = str(row["account_id"])
        attrs = {k: _attr(v) for k, v in row.items() if k != "account_id"}
        attrs = {k: v for k, v in attrs.items() if v is not None}
        attrs.setdefault("label", str(row.get("handle") or node))
        graph.add_node(node, **attrs)
    for row in view.edges.to_dict("records"):
        a, b = str(row["account_id"]), str(row["account_id_y"])
        attrs = {k: _attr(v) for k, v in row.items() if k not in ("account_id", "account_id_y")}
        graph.add_edge(a, b, **{k: v for k, v in attrs.items() if v is not None})
    return graph


def gexf(view: NetworkView) -> bytes:
    """GEXF 1.2 (Gephi's native format)."""
    buf = io.BytesIO()
    nx.write_gexf(to_networkx(view), buf)
    return buf.getvalue()


def graphml(view: NetworkView) -> bytes:
    """GraphML (Gephi, yEd, igraph, Cytoscape)."""
    buf = io.BytesIO()
    nx.write_graphml(to_networkx(view), buf)
    return buf.getvalue()


def cytoscape_json(view: NetworkView) -> bytes:
    """Cytoscape JSON: ``{"data": {...}, "elements": {"nodes": [...], "edges": [...]}}``."""
    doc = nx.cytoscape_data(to_networkx(view))
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2)


def svg(view: NetworkView, positions: dict | None = None, size: int = 800) -> bytes:
    """A static SVG picture of the network (nodes coloured by community), for reports."""
    from coordgraph.reporting.svg_picture import network_svg

    return network_svg(view, positions=positions, size=size).encode("utf-8")


def html(view: NetworkView) -> bytes:
    """The printable HTML report (see :mod:`coordgraph.reporting.html_report`)."""
    from coordgraph.reporting.html_report import render_report

    return render_report(view).encode("utf-8")


def pdf(view: NetworkView) -> bytes:
    """The report printed to PDF by headless Chromium (see :mod:`coordgraph.reporting.pdf`)."""
    from coordgraph.reporting.html_report import render_report
    from coordgraph.reporting.pdf import html_to_pdf

    return html_to_pdf(render_report(view))


#: format name -> (function, file extension, MIME type)
EXPORT_FORMATS = {
    "csv": (members_csv, "csv", "text/csv"),
    "gexf": (gexf, "gexf", "application/xml"),
    "graphml": (graphml, "graphml", "application/xml"),
    "json": (cytoscape_json, "json", "application/json"),
    "svg": (svg, "svg", "image/svg+xml"),
    "html": (html, "html", "text/html"),
    "pdf": (pdf, "pdf", "application/pdf"),
}


def export_bytes(view: NetworkView, fmt: str) -> tuple[bytes, str]:
    """Render ``view`` in format ``fmt``; return (content, file extension)."""
    try:
        func, ext, _mime = EXPORT_FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}") from None
    return func(view), ext


def _attr(value: object) -> object:
    """A value GEXF/GraphML can hold: str/int/float/bool, None for missing."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return ";".join(map(str, value))
    return str(value)
