"""The web app's store views on real stores: the snapshot equals the Cypher overview, the
edges shown for the CooRTweet reference campaign are CooRTweet's, provenance adds up."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coordgraph.webapp.filters import Filters
from coordgraph.webapp.snapshot import RunSnapshot
from coordgraph.webapp.source import RunSource
from coordgraph.webapp.views import build_export_view
from tests.fixtures_coortweet import SIM, read_expected

FILTER_CASES = [
    Filters(),
    Filters(weight_mode="percentile", weight_value=0.5),
    Filters(weight_value=3),
    Filters(min_symmetry=0.9),
    Filters(fast_only=True),
    Filters(intents=("hashtags",)),
    Filters(time_from=1588905000, time_to=1588915000),
    Filters(min_community_size=13),
]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=lambda f: str({k: v for k, v in f.as_dict().items() if v}))
def test_snapshot_overview_equals_cypher_overview(campaign, filters):
    """Filter answers from the snapshot equal the webapp_overview_*.cypher queries on the store."""
    st, run_id, _ = campaign
    snap = RunSnapshot.load(st, run_id)
    c1, l1 = snap.overview(filters)
    c2, l2 = RunSource(st).overview(run_id, filters)
    key = ["community"]
    pd.testing.assert_frame_equal(c1.sort_values(key).reset_index(drop=True),
                                  c2.sort_values(key).reset_index(drop=True).astype(c1.dtypes.to_dict()),
                                  check_dtype=False)
    assert len(l1) == len(l2)


def test_campaigns_are_communities_and_filters_cut(campaign):
    st, run_id, sim = campaign
    snap = RunSnapshot.load(st, run_id)
    comms, _ = snap.overview(Filters())
    assert sorted(comms["size"]) == [12, 12, 12, 12]
    for c in comms["community"]:
        accounts, edges = snap.community_view(int(c), Filters())
        assert set(accounts["account_id"]) <= sim.coordinated_accounts
        assert len(edges) == 66  # each planted campaign is a clique of 12
    fast = snap.mask(Filters(fast_only=True)).sum()
    assert 0 < fast < len(snap)
    hashtags = snap.mask(Filters(intents=("hashtags",))).sum()
    both = snap.mask(Filters(intents=("hashtags", "retweets"))).sum()
    assert 0 < hashtags < both == len(snap)


def test_provenance_rows_add_up_to_weights(campaign):
    st, run_id, _ = campaign
    snap = RunSnapshot.load(st, run_id)
    src = RunSource(st)
    for i in range(0, len(snap), 37):
        a, b = snap.index[snap.a[i]], snap.index[snap.b[i]]
        rows = src.edge_provenance(run_id, a, b)
        assert len(rows) == snap.weight[i]
        assert (rows["time_delta"] <= 10).all()
        assert set(rows["older_account"]) <= {a, b}


def test_search_finds_accounts_and_objects(campaign):
    st, run_id, _ = campaign
    src = RunSource(st)
    hits = src.search(run_id, "@user001")
    assert hits.iloc[0]["id"] == "account_001" and hits.iloc[0]["community"] is not None
    assert "account_001" in set(src.search(run_id, "account_001")["id"])
    objects = src.search(run_id, "hashtags:object_0")
    assert set(objects["kind"]) == {"object"} and len(objects) == 9
    assert src.search(run_id, "nobody-here").empty


def test_export_view_of_community(campaign):
    from coordgraph.webapp.state import AppState

    st, run_id, sim = campaign
    state = AppState(st)
    view = {"run": run_id, "filters": Filters().as_dict(), "expanded": [], "focus": None}
    net = build_export_view(state, view, "community", 0)
    assert len(net.accounts) == 12 and len(net.edges) == 66
    assert net.objects["n_accounts"].max() <= 12 and net.timeline["shares"].sum() == net.edges["weight"].sum()
    whole = build_export_view(state, view, "view", None)
    assert len(whole.edges) == len(RunSnapshot.load(st, run_id))
    with pytest.raises(ValueError, match="select a community"):
        build_export_view(state, view, "community", None)


def test_app_shows_coortweet_edges_for_reference_campaign(store):
    """CooRTweet's simulate_data(seed 123): the web app's edges are CooRTweet's 4,950 edges with
    its weights, and the percentile filter at 0.5 keeps its 54 edges above the threshold."""
    from coordgraph.cypher.analyze import analyze
    from coordgraph.cypher.communities import compute_communities
    from coordgraph.cypher.ingest import ingest

    shares = read_expected(SIM / "sim_input.csv.gz")
    ingest(store, shares=shares, kind="retweets")
    run_id = analyze(store, time_window=10, min_participation=2, engine="python").run_id
    compute_communities(store, run_id)
    snap = RunSnapshot.load(store, run_id)
    expected = read_expected(SIM / "graph_edges.csv.gz")
    got = pd.DataFrame({"a": snap.index[snap.a], "b": snap.index[snap.b], "w": snap.weight})
    exp = pd.DataFrame({"a": np.minimum(expected["from"], expected["to"]),
                        "b": np.maximum(expected["from"], expected["to"]), "w": expected["weight"].astype(float)})
    merged = got.merge(exp, on=["a", "b"], how="outer", indicator=True)
    assert (merged["_merge"] == "both").all() and len(merged) == 4950
    assert np.allclose(merged["w_x"], merged["w_y"])
    assert snap.mask(Filters(weight_mode="percentile", weight_value=0.5)).sum() == 54


def test_trend_coordinated_share_counts_run_accounts(campaign):
    """The trends panel's coordinated share: posts in a trend by accounts of the run."""
    from coordgraph.analysis.trend_simulate import make_posts
    from coordgraph.cypher.trend_store import save_trend_stats
    from coordgraph.webapp.callbacks_panels import _coordinated_share

    st, run_id, sim = campaign
    coord = sorted(sim.coordinated_accounts)[:3]
    records = [{"post_id": f"tp{i}", "account_id": coord[i % 3], "ts": 1588896000 + i, "text": "go #sharetest",
                "hashtags": ["sharetest"]} for i in range(6)]
    records += [{"post_id": f"tq{i}", "account_id": f"bystander{i}", "ts": 1588896100 + i,
                 "text": f"my own words {i} #sharetest", "hashtags": ["sharetest"]} for i in range(2)]
    save_trend_stats(st, make_posts(records), ["#sharetest"])
    name = next(iter(st.read("MATCH (t:Trend) WHERE t.id CONTAINS 'sharetest' RETURN t.id AS id")))["id"]
    assert _coordinated_share(st, name, run_id) == 75.0  # 6 of 8 posts
    assert _coordinated_share(st, name, None) is None


def test_view_tables_for_focus(campaign):
    """The current view when the investigator searched an account or an object."""
    from coordgraph.webapp.state import AppState
    from coordgraph.webapp.views import view_tables

    st, run_id, sim = campaign
    state = AppState(st)
    base = {"run": run_id, "filters": Filters().as_dict(), "expanded": []}
    accounts, edges, what = view_tables(state, {**base, "focus": {"kind": "account", "id": "account_001"}})
    assert "account_001" in what and len(accounts) == 12 and len(edges) == 66  # its ego network: the clique
    obj = st.read("MATCH ()-[c:COSHARE]->() WHERE c.run_id = $r RETURN c.object_id AS o LIMIT 1", {"r": run_id})[0]["o"]
    accounts, edges, what = view_tables(state, {**base, "focus": {"kind": "object", "id": obj}})
    sharers = st.read("MATCH (a)-[c:COSHARE]->(b) WHERE c.run_id = $r AND c.object_id = $o "
                      "RETURN collect(DISTINCT a.id) + collect(DISTINCT b.id) AS ids", {"r": run_id, "o": obj})[0]["ids"]
    assert set(accounts["account_id"]) <= set(sharers) and len(edges) > 0


SAMPLE_PARAMS = {"min_weight": 0.0, "min_symmetry": 0.0, "fast_only": False, "time_from": None, "time_to": None,
                 "intents": [], "min_community_size": 1, "community": 0, "account_id": "account_001",
                 "account_id_y": "account_005", "limit": 5, "text": "account_00", "object_id": "retweets:object_30",
                 "account_ids": ["account_001", "account_005"], "trend": "#none", "raw": "account_00", "since": 0,
                 "ids": ["retweets:object_30"]}


def test_every_webapp_query_file_runs(campaign):
    """Each webapp_*.cypher file documents its parameters and runs read-only on a real run."""
    import re

    from coordgraph.webapp.console import query_library

    st, run_id, _ = campaign
    queries = [q for q in query_library() if q.name.startswith("webapp_")]
    assert len(queries) >= 15
    for q in queries:
        body = "\n".join(line for line in q.text.splitlines() if not line.startswith("//"))
        names = set(re.findall(r"\$([A-Za-z_]\w*)", body))
        assert names <= set(re.findall(r"\$([A-Za-z_]\w*)", q.header)), f"{q.name}: undocumented parameters"
        params = {n: (run_id if n == "run_id" else SAMPLE_PARAMS[n]) for n in names}
        if q.name == "webapp_intent_pairs":
            params["intents"] = ["hashtags"]
        rows = st.run_file(q.name, params)
        # the live view's queries answer on live runs only (tests/webapp/test_live_browser.py)
        if q.name not in ("webapp_trend_coordinated", "webapp_live_alerts", "webapp_live_growth"):
            assert rows, f"{q.name} returned nothing on the campaign"
