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
