"""Each method recovers planted campaigns on generated data.

QUT: simulate_data plants campaigns whose pairs co-share >= 2 times within the window, while
background pairs co-share only outside it, so the co-retweet network with min_edge_weight 2
is exactly the campaigns' pairs (3 campaigns of 10 -> 3 * 45 = 135 pairs).
Cosine: 5 campaign accounts retweet the same 20 of 300 objects, 60 background accounts 20
random objects each: campaign pairs have cosine 1, background pairs share about 1-2 objects
(cosine about 0.07), so the edges >= 0.5 are exactly the 10 campaign pairs.
"""
from itertools import combinations

import numpy as np
import pandas as pd

from coordgraph.analysis.methods.cosine import account_features, cosine_network
from coordgraph.analysis.methods.qut import qut_network
from coordgraph.analysis.simulate import simulate_data


def pairs(a, b):
    return {tuple(sorted(p)) for p in zip(a, b)}


def test_qut_recovers_simulated_campaigns():
    sim = simulate_data(n_accounts_coord=30, n_accounts_noncoord=200, n_objects=400, n_campaigns=3, seed=5)
    camp = sim.campaigns
    truth = {tuple(sorted(p)) for c in set(camp.values())
             for p in combinations([a for a in camp if camp[a] == c], 2)}
    net = qut_network(sim.shares, "co_retweet", 10, min_edge_weight=2)
    assert len(truth) == 135 and pairs(net.user_1, net.user_2) == truth


def test_cosine_recovers_a_retweet_campaign():
    rng = np.random.default_rng(11)
    rows = []
    campaign_objects = rng.choice(300, 20, replace=False)
    for a in range(5):
        rows += [(f"o{o}", f"bot{a}", int(rng.integers(0, 10**6))) for o in campaign_objects]
    for a in range(60):
        rows += [(f"o{o}", f"user{a}", int(rng.integers(0, 10**6))) for o in rng.choice(300, 20, replace=False)]
    shares = pd.DataFrame(rows, columns=["object_id", "account_id", "timestamp_share"])
    shares["content_id"] = [f"m{i}" for i in range(len(shares))]
    for tfidf in (True, False):
        net = cosine_network(account_features(shares, "retweet"), tfidf=tfidf, threshold=0.5)
        flagged = net[net.weight_threshold == 1]
        assert pairs(flagged.account_id, flagged.account_id_y) == \
            {tuple(sorted(p)) for p in combinations([f"bot{a}" for a in range(5)], 2)}
