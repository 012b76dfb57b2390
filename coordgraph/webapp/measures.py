"""Size and colour the drawing by a measure, and the legend that says how.

Communities (overview nodes) take a column of the ranked community table
(:mod:`coordgraph.analysis.community_table`); accounts take a per-account metric of the run
(strength, degree, PageRank, followers). Colours come from a sequential colour-blind-safe
scale (plotly's Viridis, reversed: dark = high); sizes grow with the square root of the
value relative to the largest shown.
"""
from __future__ import annotations

import math

import pandas as pd
from dash import html
from plotly.colors import sample_colorscale

#: Community measures the overview can show (table column -> label; low_is_high: smaller
#: values are more suspicious and get the darker colour and larger node).
COMMUNITY_MEASURES = {
    "score": "suspicion score",
    "coshares": "co-shares",
    "size": "accounts",
    "coshares_per_account": "co-shares per account",
    "fast_share": "share of fast-window edges",
    "median_seconds_apart": "median seconds apart (fewer = larger)",
}
LOW_IS_HIGH = {"median_seconds_apart"}

#: Account metrics (snapshot accounts column -> label).
ACCOUNT_METRICS = {"strength": "co-shares (strength)", "degree": "partners (degree)", "pagerank": "PageRank",
                   "followers_count": "followers"}

SCALE = "Viridis_r"


def _norm(value, lo: float, hi: float, invert: bool) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    t = 0.0 if hi <= lo else (float(value) - lo) / (hi - lo)
    t = min(max(t, 0.0), 1.0)
    return 1.0 - t if invert else t


_STEPS: list[str] = []


def color_of(t: float) -> str:
    """The scale's colour at ``t`` in [0, 1] (1 = high), as ``rgb(...)``, from a 101-step table
    (plotly's colour-scale lookup costs about 1 ms a call; a 520-community overview made 520)."""
    if not _STEPS:
        _STEPS.extend(sample_colorscale(SCALE, [i / 100 for i in range(101)]))
    return _STEPS[int(round(min(max(t, 0.0), 1.0) * 100))]


def apply_community_measure(elements: list[dict], table: pd.DataFrame, measure: str) -> tuple[float, float]:
    """Re-size and re-colour the community nodes of ``elements`` by ``measure`` (a column of
    ``table``), adding ``rank``, ``score`` and the measure to their data for tooltips. Returns
    the (low, high) of the measure over the drawn communities (for the legend)."""
    if measure not in COMMUNITY_MEASURES or table.empty:
        return (0.0, 0.0)
    rows = table.set_index("community")
    ids = [el["data"]["community"] for el in elements if el["data"].get("kind") == "community"]
    values = pd.to_numeric(rows[measure].reindex(ids), errors="coerce")
    records = rows[list(dict.fromkeys([measure, "rank", "score"]))].to_dict("index")
    lo, hi = (float(values.min()), float(values.max())) if values.notna().any() else (0.0, 0.0)
    invert = measure in LOW_IS_HIGH
    for el in elements:
        d = el["data"]
        if d.get("kind") != "community" or d["community"] not in records:
            continue
        row = records[d["community"]]
        t = _norm(row[measure], lo, hi, invert)
        d["measure"] = None if pd.isna(row[measure]) else float(row[measure])
        d["rank"] = int(row["rank"])
        d["score"] = float(row["score"])
        d["color"] = color_of(t)
        if "expanded" not in el.get("classes", ""):
            d["diameter"] = round(18 + 72 * math.sqrt(t), 1)
            d["label"] = f"#{d['community']} · rank {int(row['rank'])}"
    return lo, hi


def apply_account_metric(elements: list[dict], accounts: pd.DataFrame, metric: str, colour: bool) -> tuple[float, float]:
    """Re-size account nodes by ``metric`` (and re-colour them when ``colour``); adds the metric
    to their data. Returns the (low, high) of the metric over the drawn accounts."""
    if metric not in ACCOUNT_METRICS or metric not in accounts:
        return (0.0, 0.0)
    values = pd.to_numeric(accounts.set_index(accounts["account_id"].astype(str))[metric], errors="coerce")
    ids = [el["data"]["account_id"] for el in elements if el["data"].get("kind") == "account"]
    shown = values.reindex(ids)
    lo, hi = (float(shown.min()), float(shown.max())) if shown.notna().any() else (0.0, 0.0)
    for el in elements:
        d = el["data"]
        if d.get("kind") != "account":
            continue
        v = shown.get(d["account_id"])
        t = _norm(v, lo, hi, False)
        d[metric] = None if v is None or pd.isna(v) else float(v)
        d["diameter"] = round(8 + 26 * math.sqrt(t), 1)
        if colour:
            d["color"] = color_of(t)
    return lo, hi


def legend(what: str, lo: float, hi: float, invert: bool = False) -> html.Div:
    """A colour bar from ``lo`` to ``hi`` with the measure's name (larger node = higher)."""
    stops = ", ".join(color_of(i / 10 if not invert else 1 - i / 10) for i in range(11))
    return html.Div(id="legend", style={"fontSize": "12px", "display": "flex", "alignItems": "center", "gap": "6px"},
                    children=[
                        html.Span(f"{what}:"),
                        html.Span(f"{lo:,.3g}"),
                        html.Span(style={"display": "inline-block", "width": "140px", "height": "10px",
                                         "background": f"linear-gradient(to right, {stops})"}),
                        html.Span(f"{hi:,.3g}"),
                        html.Span("(node size grows with it)", style={"color": "#777"}),
                    ])
