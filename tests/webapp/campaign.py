"""Simulated campaigns in a real store, for the web app tests and bench/bench_webapp.py.

:func:`load_campaign` goes through the project's own pipeline (simulate_data -> ingest ->
analyze -> compute_communities). :func:`write_network` writes a large synthetic edge table
directly in the documented schema (coordgraph/cypher/schema.py) for the speed bench, where
100,000 edges must exist without simulating the co-shares behind them.
"""
from __future__ import annotations

import igraph as ig
import leidenalg
import numpy as np
import pandas as pd

from coordgraph.analysis import simulate_data

BATCH = 5000


def _batches(rows: list[dict], size: int = BATCH):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def communities_of(edges: pd.DataFrame, weight: str = "weight") -> dict[str, int]:
    """Leiden (modularity, seed 42) communities of an edge table: account_id -> community."""
    g = ig.Graph.DataFrame(edges[["account_id", "account_id_y", weight]], directed=False, use_vids=False)
    part = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, weights=weight, seed=42)
    return {g.vs[i]["name"]: c for c, members in enumerate(part) for i in members}


def write_network(store, run_id: str, edges: pd.DataFrame) -> dict[str, int]:
    """Write COORDINATED edges (smaller id -> larger id) and IN_RUN statistics with Leiden
    communities; returns the communities."""
    e = edges.rename(columns=lambda c: c[:-5] if c.endswith("_full") else c).copy()
    lo = np.minimum(e["account_id"], e["account_id_y"])
    hi = np.maximum(e["account_id"], e["account_id_y"])
    e["account_id"], e["account_id_y"] = lo, hi
    if "first_ts" not in e.columns:
        e["first_ts"], e["last_ts"] = 0, 2**31 - 1
    comm = communities_of(e)
    rows = []
    for r in e.to_dict("records"):
        row = {k: (None if isinstance(v, float) and np.isnan(v) else (v.item() if hasattr(v, "item") else v))
               for k, v in r.items() if k != "object_ids"}
        rows.append(row)
    for batch in _batches(rows):
        store.query("UNWIND $rows AS r MATCH (a:Account {id: r.account_id}), (b:Account {id: r.account_id_y}) "
                    "CREATE (a)-[e:COORDINATED {run_id: $run}]->(b) SET e += r", {"rows": batch, "run": run_id})
    strength = pd.concat([e[["account_id", "weight"]], e[["account_id_y", "weight"]].rename(columns={"account_id_y": "account_id"})])
    stats = strength.groupby("account_id")["weight"].agg(["sum", "size"]).reset_index()
    stat_rows = [{"id": r.account_id, "community": comm[r.account_id], "strength": int(r.sum), "degree": int(r.size)}
                 for r in stats.itertuples()]
    for batch in _batches(stat_rows):
        store.query("UNWIND $rows AS r MATCH (a:Account {id: r.id}), (run:Run {id: $run}) "
                    "CREATE (a)-[:IN_RUN {run_id: $run, community: r.community, strength: r.strength, degree: r.degree}]->(run)",
                    {"rows": batch, "run": run_id})
    return comm


def campaign_tables(seed: int = 7):
    """(simulation, shares, posts, accounts) of a 4-campaign simulation, multi-modal: objects
    of the first half are hashtags, the rest retweets (object ids prefixed ``kind:``)."""
    sim = simulate_data(n_accounts_coord=48, n_accounts_noncoord=60, n_objects=40, n_campaigns=4, seed=seed)
    shares = sim.shares.copy()
    number = shares["object_id"].str.extract(r"(\d+)$")[0].astype(int)
    shares["kind"] = np.where(number <= 20, "hashtags", "retweets")
    shares["object_id"] = shares["kind"] + ":" + shares["object_id"]
    posts = pd.DataFrame({"post_id": shares["content_id"], "account_id": shares["account_id"],
                          "ts": shares["timestamp_share"].astype("int64"),
                          "text": "sharing " + shares["object_id"]}).drop_duplicates("post_id")
    accounts = pd.DataFrame({"account_id": sorted(set(shares["account_id"]))})
    accounts["handle"] = "@" + accounts["account_id"].str.replace("account_", "user", regex=False)
    accounts["platform"] = "twitter"
    return sim, shares, posts, accounts


def load_campaign(store, seed: int = 7) -> tuple[str, object]:
    """Ingest the campaign, run detection (10 s window, fast window 5 s) and communities;
    returns (run id, simulation)."""
    from coordgraph.cypher.analyze import analyze
    from coordgraph.cypher.communities import compute_communities
    from coordgraph.cypher.ingest import ingest

    sim, shares, posts, accounts = campaign_tables(seed)
    ingest(store, posts=posts, accounts=accounts)
    for kind, part in shares.groupby("kind"):
        ingest(store, shares=part.drop(columns="kind"), kind=kind)
    summary = analyze(store, time_window=10, min_participation=2, fast_window=5, engine="python")
    compute_communities(store, summary.run_id)
    return summary.run_id, sim


def investigation_tables(seed: int = 7, n_organic: int = 8, organic_size: int = 4):
    """(simulation, shares, posts, accounts, organic) of an investigator's data set with known
    answers: the 4 planted campaigns of :func:`campaign_tables` plus ``n_organic`` organic
    clusters of ``organic_size`` fans who co-share twice per pair (objects
    ``urls:fanclub_<cluster>_<0..2>``), 6-10 s apart (inside the
    10 s window, never in the 5 s fast window), one fixed leader first. Campaign accounts are
    young (created 2-30 days before) with 10-60 followers; everyone else is years old with
    500-5,000. ``organic`` maps fan account -> cluster. Every organic event has its own 44 s
    slot after the campaigns' last share, so no co-share crosses events."""
    from itertools import combinations

    sim, shares, posts, accounts = campaign_tables(seed)
    rng = np.random.default_rng(seed + 1)
    t = int(shares["timestamp_share"].max()) + 100
    rows, organic, n = [], {}, 0
    for c in range(n_organic):
        fans = [f"fan_{c:02d}_{k}" for k in range(organic_size)]
        organic.update({f: c for f in fans})
        for a, b in combinations(fans, 2):
            for _ in range(2):
                obj = f"urls:fanclub_{c:02d}_{int(rng.integers(0, 3))}"
                gap = int(rng.integers(6, 11))
                rows += [(obj, a, f"fanpost_{n:06d}", t, "urls"), (obj, b, f"fanpost_{n + 1:06d}", t + gap, "urls")]
                n += 2
                t += 44
    fan_shares = pd.DataFrame(rows, columns=["object_id", "account_id", "content_id", "timestamp_share", "kind"])
    shares = pd.concat([shares, fan_shares], ignore_index=True)
    posts = pd.concat([posts, pd.DataFrame({
        "post_id": fan_shares["content_id"], "account_id": fan_shares["account_id"],
        "ts": fan_shares["timestamp_share"].astype("int64"), "text": "fan of " + fan_shares["object_id"]})],
        ignore_index=True)
    accounts = pd.DataFrame({"account_id": sorted(set(shares["account_id"]))})
    # handles without '@' and in mixed case: the search must ignore both
    accounts["handle"] = accounts["account_id"].str.replace("account_", "User_C", regex=False)
    accounts["platform"] = "twitter"
    start = int(sim.params["start"])
    young = accounts["account_id"].isin(sim.coordinated_accounts)
    accounts["followers_count"] = np.where(young, rng.integers(10, 61, len(accounts)), rng.integers(500, 5001, len(accounts)))
    accounts["created_at"] = np.where(young, start - rng.integers(2, 31, len(accounts)) * 86_400,
                                      start - rng.integers(700, 3000, len(accounts)) * 86_400).astype("int64")
    return sim, shares, posts, accounts, organic


def load_investigation(store, seed: int = 7) -> tuple[str, object, dict]:
    """Ingest :func:`investigation_tables`, analyse (10 s window, fast window 5 s) and find
    communities; returns (run id, simulation, organic fan -> cluster)."""
    from coordgraph.cypher.analyze import analyze
    from coordgraph.cypher.communities import compute_communities
    from coordgraph.cypher.ingest import ingest

    sim, shares, posts, accounts, organic = investigation_tables(seed)
    ingest(store, posts=posts, accounts=accounts)
    for kind, part in shares.groupby("kind"):
        ingest(store, shares=part.drop(columns="kind"), kind=kind)
    summary = analyze(store, time_window=10, min_participation=2, fast_window=5, engine="python")
    compute_communities(store, summary.run_id)
    return summary.run_id, sim, organic
