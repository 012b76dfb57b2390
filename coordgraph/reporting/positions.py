"""Server-side node positions for cytoscape's ``preset`` layout.

The browser never runs a force layout (too slow past a few hundred nodes): positions are
computed here with igraph and sent with the elements. Coordinates are in cytoscape model
pixels; the canvas fits them on screen.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import igraph as ig

#: Side of the square that a whole drawing is scaled into, in model pixels.
CANVAS = 1000.0


def layout_positions(
    node_ids: Sequence[Hashable],
    edges: Sequence[tuple[Hashable, Hashable, float]],
    *,
    size: float = CANVAS,
    seed: int = 42,
) -> dict[Hashable, tuple[float, float]]:
    """Return ``{node_id: (x, y)}`` for a weighted graph, scaled into a ``size`` square.

    Uses Fruchterman-Reingold with edge weights (heavier edges pull closer) for up to 2,000
    nodes and DrL beyond. Edges whose endpoints are not in ``node_ids`` are ignored.
    ``seed`` makes the drawing the same on every request (investigators' mental map).
    """
    ids = list(dict.fromkeys(node_ids))
    n = len(ids)
    if n == 0:
        return {}
    if n == 1:
        return {ids[0]: (size / 2, size / 2)}
    index = {node: i for i, node in enumerate(ids)}
    pairs, weights = [], []
    for a, b, w in edges:
        ia, ib = index.get(a), index.get(b)
        if ia is None or ib is None or ia == ib:
            continue
        pairs.append((ia, ib))
        weights.append(max(float(w), 1e-9))
    graph = ig.Graph(n=n, edges=pairs)
    hub = None
    if not graph.is_connected():
        # Components would drift apart and squeeze the rest into a corner: tie every node to a
        # hidden hub with a weak spring, then drop the hub.
        hub = n
        graph.add_vertices(1)
        graph.add_edges([(i, hub) for i in range(n)])
        weights = weights + [max(min(weights, default=1.0) * 0.05, 1e-6)] * n
    m = graph.vcount()
    # A deterministic start: nodes on a circle (igraph's own RNG is seeded too).
    start = [[math.cos(2 * math.pi * i / m), math.sin(2 * math.pi * i / m)] for i in range(m)]
    import random

    state = random.getstate()
    random.seed(seed)
    ig.set_random_number_generator(random)
    try:
        if n <= 2000:
            layout = graph.layout_fruchterman_reingold(
                weights=weights or None, seed=start, niter=300 if n <= 500 else 150
            )
        else:
            layout = graph.layout_drl(weights=weights or None, seed=start)
    finally:
        random.setstate(state)
    coords = layout.coords[:n] if hub is not None else layout.coords
    return dict(zip(ids, _scale(coords, size)))


def _scale(coords: Sequence[Sequence[float]], size: float) -> list[tuple[float, float]]:
    """Scale raw layout coordinates into a ``size`` square with a 5 % margin, keeping aspect."""
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    margin = size * 0.05
    k = (size - 2 * margin) / span
    x0, y0 = min(xs), min(ys)
    return [(round(margin + (x - x0) * k, 2), round(margin + (y - y0) * k, 2)) for x, y in coords]


def make_room(
    positions: dict[Hashable, tuple[float, float]], center: tuple[float, float], radius: float,
    skip: Hashable | None = None,
) -> dict[Hashable, tuple[float, float]]:
    """Push every position (but ``skip``) away from ``center`` by ``radius``, along the line
    from the centre: an expanded community's disc then overlaps no other node, and the
    drawing keeps its shape (directions and order of distances are kept)."""
    cx, cy = center
    out = {}
    for node, (x, y) in positions.items():
        if node == skip:
            out[node] = (x, y)
            continue
        dx, dy = x - cx, y - cy
        d = math.hypot(dx, dy)
        if d == 0:
            dx, dy, d = 1.0, 0.0, 1.0
        k = (d + radius) / d
        out[node] = (round(cx + dx * k, 2), round(cy + dy * k, 2))
    return out


def place_around(
    center: tuple[float, float], local: dict[Hashable, tuple[float, float]], radius: float
) -> dict[Hashable, tuple[float, float]]:
    """Move positions laid out in a ``CANVAS`` square into a disc of ``radius`` around ``center``.

    Used when a community is expanded: its accounts take the place of its overview node.
    """
    if not local:
        return {}
    cx, cy = center
    k = 2 * radius / CANVAS
    half = CANVAS / 2
    return {
        node: (round(cx + (x - half) * k, 2), round(cy + (y - half) * k, 2))
        for node, (x, y) in local.items()
    }
