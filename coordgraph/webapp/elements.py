"""Cytoscape elements for the overview and for expanded communities, within a budget.

dash-cytoscape becomes sluggish past about a thousand drawn elements, so every builder here
takes a ``budget`` (default :data:`MAX_ELEMENTS`) and keeps the most important elements:
largest communities, heaviest links, strongest accounts. What was left out is reported in
:class:`Drawing` so the page can say "showing 1,200 of 5,000".

Element ids: ``c:<community>`` (community node; a compound parent when expanded),
``a:<account_id>`` (account), ``l:<c1>|<c2>`` (link between communities),
``e:<account_id>|<account_id_y>`` (COORDINATED edge between two accounts).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from coordgraph.reporting.palette import PALETTE, community_color
from coordgraph.reporting.positions import CANVAS, layout_positions, make_room, place_around

#: Never draw more than this many nodes + edges at once.
MAX_ELEMENTS = 1500

@dataclass
class Drawing:
    """Elements ready for ``dash_cytoscape.Cytoscape(elements=..., layout={'name': 'preset'})``.

    ``shown``/``total`` count nodes of each kind (``communities``, ``accounts``) and edges
    (``links``, ``edges``) so the page can tell what the budget left out.
    """

    elements: list[dict] = field(default_factory=list)
    shown: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    @property
    def truncated(self) -> bool:
        """True when the budget left something out."""
        return any(self.shown.get(k, 0) < v for k, v in self.total.items())

    def summary(self) -> str:
        """One line for the page, e.g. ``12 of 40 communities, 300 of 300 links``."""
        parts = [f"{self.shown.get(k, 0):,} of {v:,} {k}" for k, v in self.total.items() if v]
        return ", ".join(parts) if parts else "nothing matches the filters"


def _diameter(size: float, smallest: float = 14.0, largest: float = 90.0, top: float = 1.0) -> float:
    """Node diameter in pixels growing with the square root of ``size`` relative to ``top``."""
    if top <= 0:
        return smallest
    return round(smallest + (largest - smallest) * math.sqrt(max(size, 0) / top), 1)


def overview_elements(
    communities: pd.DataFrame,
    links: pd.DataFrame,
    *,
    expanded: dict[object, tuple[pd.DataFrame, pd.DataFrame]] | None = None,
    budget: int = MAX_ELEMENTS,
    seed: int = 42,
    positions: dict | None = None,
) -> Drawing:
    """Build the overview: one node per community, links between them, expanded communities.

    ``positions`` (community -> (x, y)), when it covers every kept community, is used instead
    of a layout (the app passes the run's fixed overview positions).

    ``communities``: columns ``community, size, volume`` (size = accounts, volume = coordinated
    shares). ``links``: ``community, community_y, weight, n_edges`` (sums over the COORDINATED
    edges between two communities). ``expanded``: community -> (accounts with
    ``account_id, handle, strength``; edges with ``account_id, account_id_y, weight`` and any
    other columns, which are kept in the element data). Expanded communities become compound
    nodes whose children are their accounts; links to other communities stay attached.
    """
    expanded = expanded or {}
    drawing = Drawing(total={"communities": len(communities), "links": len(links)})
    if communities.empty:
        return drawing
    comms = communities.sort_values(["size", "volume"], ascending=False, kind="stable")
    # Accounts of expanded communities get at most 60 % of the budget, shared evenly.
    account_budget = int(budget * 0.6)
    per_community = account_budget // max(len(expanded), 1)
    inner: dict[object, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for community, (accounts, edges) in expanded.items():
        inner[community] = _select_accounts(accounts, edges, per_community)
    used = sum(len(a) + len(e) for a, e in inner.values())
    node_budget = max(1, (budget - used) // 2)
    kept = comms.head(max(node_budget, len(expanded)))
    kept_ids = set(kept["community"].tolist()) | set(expanded)
    kept = comms[comms["community"].isin(kept_ids)]
    link_rows = links[links["community"].isin(kept_ids) & links["community_y"].isin(kept_ids)]
    link_rows = link_rows.sort_values("weight", ascending=False, kind="stable")
    link_rows = link_rows.head(max(0, budget - used - len(kept)))

    # a bigger square for more communities, so that large nodes overlap less once fitted
    if positions is not None and all(c in positions for c in kept["community"].tolist()):
        positions = dict(positions)
    else:
        positions = layout_positions(
            kept["community"].tolist(),
            list(zip(link_rows["community"], link_rows["community_y"], link_rows["weight"])),
            seed=seed,
            size=max(CANVAS, 130 * math.sqrt(len(kept))),
        )
    radii = {cid: 60 + 22 * math.sqrt(len(inner[cid][0])) for cid in inner}
    for cid, r in radii.items():
        if cid in positions:
            positions = make_room(positions, positions[cid], r + 50, skip=cid)
    top = float(kept["size"].max()) if len(kept) else 1.0
    elements: list[dict] = []
    for row in kept.itertuples(index=False):
        cid = row.community
        node = {
            "data": {
                "id": f"c:{cid}",
                "kind": "community",
                "community": _plain(cid),
                "label": f"#{cid} ({int(row.size)})",
                "size": int(row.size),
                "volume": _plain(row.volume),
                "diameter": _diameter(row.size, top=top),
                "color": community_color(cid),
            },
            "classes": "community",
        }
        if cid in inner:
            node["classes"] = "community expanded"
            node["data"]["label"] = f"#{cid}"
        else:
            node["position"] = {"x": positions[cid][0], "y": positions[cid][1]}
        elements.append(node)
    for row in link_rows.itertuples(index=False):
        elements.append(
            {
                "data": {
                    "id": f"l:{row.community}|{row.community_y}",
                    "kind": "link",
                    "source": f"c:{row.community}",
                    "target": f"c:{row.community_y}",
                    "weight": _plain(row.weight),
                    "n_edges": int(row.n_edges),
                    "width": _edge_width(row.weight, link_rows["weight"].max()),
                },
                "classes": "link",
            }
        )
    n_accounts = n_edges = total_accounts = total_edges = 0
    for cid, (accounts, edges) in inner.items():
        full_accounts, full_edges = expanded[cid]
        total_accounts += len(full_accounts)
        total_edges += len(full_edges)
        n_accounts += len(accounts)
        n_edges += len(edges)
        center = positions.get(cid, (CANVAS / 2, CANVAS / 2))
        radius = radii[cid]
        elements.extend(account_elements(accounts, edges, parent=cid, center=center, radius=radius, seed=seed))
    if inner:
        drawing.total.update(accounts=total_accounts, edges=total_edges)
    drawing.shown = {
        "communities": len(kept),
        "links": len(link_rows),
        **({"accounts": n_accounts, "edges": n_edges} if inner else {}),
    }
    drawing.elements = elements
    return drawing


def account_elements(
    accounts: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    parent: object | None = None,
    center: tuple[float, float] = (CANVAS / 2, CANVAS / 2),
    radius: float = CANVAS / 2,
    seed: int = 42,
) -> list[dict]:
    """Account nodes and COORDINATED edges, laid out in a disc of ``radius`` around ``center``.

    ``accounts``: ``account_id, handle, strength`` and optionally ``community``; ``edges``:
    ``account_id, account_id_y, weight`` plus any attributes (kept in the edge data, e.g.
    ``edge_symmetry_score``, ``avg_time_delta``). ``parent`` makes the accounts children of a
    compound community node.
    """
    ids = accounts["account_id"].astype(str).tolist()
    local = layout_positions(
        ids, list(zip(edges["account_id"], edges["account_id_y"], edges["weight"])), seed=seed
    )
    pos = place_around(center, local, radius)
    top = float(accounts["strength"].max()) if len(accounts) and "strength" in accounts else 1.0
    out: list[dict] = []
    for row in accounts.to_dict("records"):
        aid = str(row["account_id"])
        community = row.get("community", parent)
        data = {
            "id": f"a:{aid}",
            "kind": "account",
            "account_id": aid,
            "label": row.get("handle") or aid,
            "strength": _plain(row.get("strength", 0)),
            "diameter": _diameter(row.get("strength", 0) or 0, smallest=8, largest=30, top=top),
            "color": community_color(community) if community is not None else PALETTE[0],
        }
        if community is not None:
            data["community"] = _plain(community)
        if row.get("first_batch") is not None and _plain(row["first_batch"]) is not None:
            data["first_batch"] = int(row["first_batch"])  # a live run: the stylesheet marks new ones
        if parent is not None:
            data["parent"] = f"c:{parent}"
        x, y = pos[aid]
        out.append({"data": data, "position": {"x": x, "y": y}, "classes": "account"})
    wmax = edges["weight"].max() if len(edges) else 1
    for row in edges.to_dict("records"):
        a, b = str(row["account_id"]), str(row["account_id_y"])
        data = {k: _plain(v) for k, v in row.items() if k not in ("account_id", "account_id_y")}
        data.update(
            id=f"e:{a}|{b}",
            kind="edge",
            source=f"a:{a}",
            target=f"a:{b}",
            account_id=a,
            account_id_y=b,
            width=_edge_width(row["weight"], wmax),
        )
        out.append({"data": data, "classes": "edge fast" if row.get("fast") else "edge"})
    return out


def neighbourhood_elements(
    accounts: pd.DataFrame, edges: pd.DataFrame, *, focus: str, budget: int = MAX_ELEMENTS, seed: int = 42
) -> Drawing:
    """Elements for one account and its coordinated partners (search results jump here).

    Keeps the heaviest edges within ``budget``; the focus account gets the ``focus`` class.
    """
    accounts_sel, edges_sel = _select_accounts(accounts, edges, budget, must=focus)
    elements = account_elements(accounts_sel, edges_sel, seed=seed)
    for el in elements:
        if el["data"].get("account_id") == focus and el["data"]["kind"] == "account":
            el["classes"] += " focus"
    return Drawing(
        elements=elements,
        shown={"accounts": len(accounts_sel), "edges": len(edges_sel)},
        total={"accounts": len(accounts), "edges": len(edges)},
    )


def _select_accounts(
    accounts: pd.DataFrame, edges: pd.DataFrame, budget: int, must: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the strongest accounts and the heaviest edges among them, nodes + edges <= budget.

    Accounts take at most a third of the budget (edges outnumber nodes in dense clusters);
    ``must`` (an account id) is always kept.
    """
    if len(accounts) + len(edges) <= budget:
        return accounts, edges
    order = accounts.sort_values("strength", ascending=False, kind="stable") if "strength" in accounts else accounts
    n_nodes = max(1, min(len(order), budget // 3))
    chosen = order.head(n_nodes)
    if must is not None and must not in set(chosen["account_id"].astype(str)):
        chosen = pd.concat([accounts[accounts["account_id"].astype(str) == must], chosen.head(n_nodes - 1)])
    ids = set(chosen["account_id"].astype(str))
    inside = edges[edges["account_id"].astype(str).isin(ids) & edges["account_id_y"].astype(str).isin(ids)]
    inside = inside.sort_values("weight", ascending=False, kind="stable").head(budget - len(chosen))
    return chosen, inside


def _edge_width(weight: float, top: float) -> float:
    """Edge width in pixels, 1 to 6, growing with the square root of weight / top."""
    if not top or top <= 0:
        return 1.0
    return round(1 + 5 * math.sqrt(max(float(weight), 0) / float(top)), 2)


def _plain(value: object) -> object:
    """numpy/pandas scalars to plain JSON-able Python values (NaN -> None)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
