"""Overview / expand element builders: budget, ids, compound parents, positions."""
import numpy as np
import pandas as pd

from coordgraph.webapp.elements import MAX_ELEMENTS, neighbourhood_elements, overview_elements
from coordgraph.webapp.filters import Filters
from coordgraph.reporting.positions import layout_positions


def _communities(n):
    return pd.DataFrame({"community": range(n), "size": np.arange(n, 0, -1) + 1, "volume": np.arange(n, 0, -1) * 10})


def _links(n):
    rows = [(i, j, (i + j) % 7 + 1, 1) for i in range(n) for j in range(i + 1, min(n, i + 4))]
    return pd.DataFrame(rows, columns=["community", "community_y", "weight", "n_edges"])


def _clique(prefix, n):
    ids = [f"{prefix}{i}" for i in range(n)]
    edges = pd.DataFrame(
        [(a, b, 2 + (i * j) % 5, 0.5) for i, a in enumerate(ids) for j, b in enumerate(ids) if i < j],
        columns=["account_id", "account_id_y", "weight", "edge_symmetry_score"],
    )
    strength = pd.concat([edges.groupby("account_id")["weight"].sum(), edges.groupby("account_id_y")["weight"].sum()])
    accounts = pd.DataFrame({"account_id": ids, "handle": [f"@{i}" for i in ids]})
    accounts["strength"] = accounts["account_id"].map(strength.groupby(level=0).sum()).fillna(0)
    return accounts, edges


def test_overview_small_draws_everything_with_positions():
    d = overview_elements(_communities(10), _links(10))
    nodes = [e for e in d.elements if "source" not in e["data"]]
    edges = [e for e in d.elements if "source" in e["data"]]
    assert len(nodes) == 10 and len(edges) == len(_links(10))
    assert all("position" in n for n in nodes)
    assert not d.truncated
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)


def test_overview_never_exceeds_budget_and_keeps_largest():
    comms, links = _communities(5000), _links(5000)
    d = overview_elements(comms, links)
    assert len(d.elements) <= MAX_ELEMENTS
    assert d.truncated
    shown = {e["data"]["community"] for e in d.elements if e["data"]["kind"] == "community"}
    assert 0 in shown and 4999 not in shown  # largest kept, smallest dropped
    assert "of 5,000 communities" in d.summary()


def test_expanded_community_becomes_compound_parent_within_budget():
    accounts, edges = _clique("u", 80)  # 80 + 3160 elements: must be cut
    d = overview_elements(_communities(50), _links(50), expanded={3: (accounts, edges)})
    assert len(d.elements) <= MAX_ELEMENTS
    parent = next(e for e in d.elements if e["data"]["id"] == "c:3")
    assert "expanded" in parent["classes"] and "position" not in parent
    kids = [e for e in d.elements if e["data"].get("parent") == "c:3"]
    assert len(kids) == 80  # all accounts fit; the lightest edges are cut
    ids = {e["data"]["id"] for e in d.elements if "source" not in e["data"]}
    account_edges = [e for e in d.elements if e["data"]["kind"] == "edge"]
    assert account_edges and all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in account_edges)
    assert d.total["accounts"] == 80 and d.shown["accounts"] == len(kids)
    assert d.shown["edges"] == len(account_edges) < d.total["edges"] == len(edges)
    assert min(e["data"]["weight"] for e in account_edges) >= edges["weight"].median()
    # the strongest account survives the cut
    strongest = accounts.sort_values("strength").iloc[-1]["account_id"]
    assert f"a:{strongest}" in ids


def test_neighbourhood_keeps_focus():
    accounts, edges = _clique("v", 60)
    d = neighbourhood_elements(accounts, edges, focus="v59", budget=300)
    assert len(d.elements) <= 300
    focus = [e for e in d.elements if e["data"]["id"] == "a:v59"]
    assert focus and "focus" in focus[0]["classes"]


def test_layout_is_deterministic_and_in_canvas():
    ids = list(range(30))
    edges = [(i, (i + 1) % 30, 1.0) for i in ids]
    p1, p2 = layout_positions(ids, edges), layout_positions(ids, edges)
    assert p1 == p2
    assert all(0 <= x <= 1000 and 0 <= y <= 1000 for x, y in p1.values())


def test_percentile_filter_matches_coortweet_threshold():
    # CooRTweet T4 example: weights 1,1,1,2,5 at 0.8 give thr 2.6, keep weight > 2.6
    f = Filters(weight_mode="percentile", weight_value=0.8)
    mw = f.min_weight([1, 1, 1, 2, 5])
    assert 2.6 < mw < 2.6001
    kept = [w for w in [1, 1, 1, 2, 5] if w >= mw]
    assert kept == [5]
    assert Filters.from_dict(f.as_dict()) == f


def test_expanded_disc_overlaps_no_other_community():
    comms, links = _communities(60), _links(60)
    accounts, edges = _clique("w", 40)
    d = overview_elements(comms, links, expanded={5: (accounts, edges)})
    kids = [e["position"] for e in d.elements if e["data"].get("parent") == "c:5"]
    xs, ys = [p["x"] for p in kids], [p["y"] for p in kids]
    others = [e["position"] for e in d.elements if e["data"]["kind"] == "community" and "position" in e]
    assert others
    for p in others:  # no other community node inside the expanded community's box
        assert not (min(xs) <= p["x"] <= max(xs) and min(ys) <= p["y"] <= max(ys))


def test_disconnected_components_stay_together():
    ids = list(range(10))
    edges = [(0, 1, 1.0), (2, 3, 1.0), (4, 5, 1.0)]  # pairs and isolated nodes
    pos = layout_positions(ids, edges)
    xs = sorted(x for x, _ in pos.values())
    gaps = [b - a for a, b in zip(xs, xs[1:])]
    assert max(gaps) < 500  # no component thrown to a far corner


def test_filter_errors_are_readable():
    import pytest

    from coordgraph.webapp.callbacks import build_filters
    from coordgraph.webapp.views import parse_utc

    assert parse_utc("2020-05-08 01:00", "time from") == 1588899600
    assert parse_utc("2020-05-08", "time from") == 1588896000 and parse_utc("", "x") is None
    with pytest.raises(ValueError, match="time from: 'yesterday' is not a time"):
        build_filters("percentile", 0, 0, [], 1, "yesterday", None, [])
    with pytest.raises(ValueError, match="'from' is after 'to'"):
        build_filters("percentile", 0, 0, [], 1, "2020-05-09", "2020-05-08", [])
    with pytest.raises(ValueError, match="percentile must be in"):
        Filters(weight_mode="percentile", weight_value=3)
