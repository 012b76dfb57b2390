"""A static SVG drawing of a network: prints sharply to PDF, needs no JavaScript."""
from __future__ import annotations

import math
from html import escape

from coordgraph.reporting.view import NetworkView
from coordgraph.reporting.palette import community_color as _color
from coordgraph.reporting.positions import CANVAS, layout_positions

MAX_NODES = 1500


def network_svg(view: NetworkView, positions: dict | None = None, size: int = 800, labels: bool = False) -> str:
    """SVG text of ``view``: edges as grey lines (width ~ sqrt weight), accounts as dots
    coloured by community. Positions (``{account_id: (x, y)}`` in a 1000-px square) are
    computed with igraph when not given. At most :data:`MAX_NODES` strongest accounts.
    ``labels`` writes each account's handle (or id) beside its dot (up to 80 accounts; the
    strongest 80 beyond that).
    """
    accounts = view.accounts
    if "strength" in accounts.columns and len(accounts) > MAX_NODES:
        accounts = accounts.sort_values("strength", ascending=False).head(MAX_NODES)
    ids = accounts["account_id"].astype(str).tolist()
    keep = set(ids)
    edges = view.edges[view.edges["account_id"].astype(str).isin(keep) & view.edges["account_id_y"].astype(str).isin(keep)]
    if positions is None:
        positions = layout_positions(ids, list(zip(edges["account_id"].astype(str), edges["account_id_y"].astype(str), edges["weight"])))
    k = size / CANVAS
    wmax = float(edges["weight"].max()) if len(edges) else 1.0
    wide = size + (90 if labels else 0)  # room for the labels of the right-most dots
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {wide} {size}" width="{wide}" height="{size}" '
        'role="img" aria-label="network picture">',
        '<rect width="100%" height="100%" fill="white"/>',
        '<g stroke="#999" stroke-opacity="0.6">',
    ]
    for a, b, w in zip(edges["account_id"].astype(str), edges["account_id_y"].astype(str), edges["weight"]):
        if a in positions and b in positions:
            (x1, y1), (x2, y2) = positions[a], positions[b]
            width = 0.5 + 3 * math.sqrt(float(w) / wmax)
            parts.append(f'<line x1="{x1*k:.1f}" y1="{y1*k:.1f}" x2="{x2*k:.1f}" y2="{y2*k:.1f}" stroke-width="{width:.2f}"/>')
    parts.append("</g><g stroke=\"white\" stroke-width=\"0.8\">")
    communities = accounts["community"].tolist() if "community" in accounts.columns else [0] * len(ids)
    handles = accounts["handle"].tolist() if "handle" in accounts.columns else [None] * len(ids)
    radius = 6 if len(ids) < 200 else 3.5
    for aid, community, handle in zip(ids, communities, handles):
        if aid not in positions:
            continue
        x, y = positions[aid]
        title = escape(f"{handle or aid} (community {community})")
        parts.append(f'<circle cx="{x*k:.1f}" cy="{y*k:.1f}" r="{radius}" fill="{_color(community)}"><title>{title}</title></circle>')
    parts.append("</g>")
    if labels:
        order = accounts.sort_values("strength", ascending=False) if "strength" in accounts.columns else accounts
        named = set(order["account_id"].astype(str).head(80))
        parts.append('<g font-family="sans-serif" font-size="11" fill="#222" stroke="white" stroke-width="3" '
                     'paint-order="stroke">')
        for aid, handle in zip(ids, handles):
            if aid in named and aid in positions:
                x, y = positions[aid]
                parts.append(f'<text x="{x*k + radius + 2:.1f}" y="{y*k + 4:.1f}">{escape(str(handle or aid))}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
