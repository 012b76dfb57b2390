"""Community colours shared by the web app's drawing and the exports (same colour everywhere)."""
from __future__ import annotations

#: A colour-blind-friendly qualitative palette (Okabe-Ito + Tableau extras).
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
    "#4E79A7", "#F28E2B", "#59A14F", "#B07AA1", "#76B7B2", "#EDC948", "#FF9DA7",
    "#9C755F", "#BAB0AC",
)


def community_color(community: object) -> str:
    """A stable colour for a community id."""
    try:
        key = int(community)
    except (TypeError, ValueError):
        key = sum(ord(ch) for ch in str(community))
    return PALETTE[key % len(PALETTE)]
