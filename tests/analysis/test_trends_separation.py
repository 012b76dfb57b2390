"""The inflation indicators separate a simulated organic trend from one inflated by a campaign;
the coordinated share agrees with the CooRTweet reference run on its simulated campaign."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coordgraph.analysis.trend_simulate import make_posts, simulate_trend_pair
from coordgraph.analysis.trends import INDICATORS, Trend, inflation_indicators, trend_stats

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "coortweet" / "simulate_seed123"


@pytest.fixture(scope="module", params=[7, 21])
def pair(request):
    return simulate_trend_pair(seed=request.param)


def test_every_indicator_is_higher_for_the_inflated_trend(pair):
    ind = inflation_indicators(pair.posts, [pair.organic, pair.inflated], pair.accounts,
                               pair.coordinated_accounts)
    org, inf = ind.loc[pair.organic], ind.loc[pair.inflated]
    for name in INDICATORS:
        assert inf[name] > org[name], name
    # and by margins an analyst can read
    assert abs(org["burstiness"]) < 0.1 and inf["burstiness"] > 0.2
    assert org["duplicate_text_pct"] < 1 and inf["duplicate_text_pct"] > 30
    assert org["new_accounts_pct"] == 0 and inf["new_accounts_pct"] > 4
    assert org["coordinated_posts_pct"] == 0 and inf["coordinated_posts_pct"] > 30
    assert inf["gini_posts_per_account"] > org["gini_posts_per_account"] + 0.2
    assert inf["top1pct_accounts_posts_pct"] > 2 * org["top1pct_accounts_posts_pct"]


def test_inflated_trend_has_more_retweets_than_likes(pair):
    org = trend_stats(pair.posts, pair.organic)
    inf = trend_stats(pair.posts, pair.inflated)
    assert org["more_retweets_than_likes_pct"] < 5 < 40 < inf["more_retweets_than_likes_pct"]
    assert inf["posts_per_account"] > org["posts_per_account"]


def test_coordinated_share_on_the_coortweet_simulated_campaign():
    """Shares of CooRTweet's simulate_data (seed 123) as posts; coordinated = its graph vertices.

    Every share by a vertex of the reference network is coordinated; the percentage must match
    a direct count on the reference tables, for the whole data and for one object.
    """
    shares = pd.read_csv(FIXTURES / "sim_input.csv.gz", dtype=str)
    vertices = pd.read_csv(FIXTURES / "graph_vertices.csv.gz", dtype=str)["name"]
    assert len(vertices) == 100
    posts = make_posts(pd.DataFrame({
        "post_id": shares["content_id"], "account_id": shares["account_id"],
        "ts": shares["timestamp_share"].astype("int64"),
        "hashtags": shares["object_id"].map(lambda o: [o])}))
    coord = set(vertices)
    everything = Trend(name="all", query=lambda p: [True] * len(p))
    s = trend_stats(posts, everything, coordinated_accounts=coord)
    expected = 100 * shares["account_id"].isin(coord).mean()
    assert s["coordinated_posts_pct"] == pytest.approx(expected)
    assert s["coordinated_accounts"] == 100
    assert s["posts"] == 19_998
    one = shares[shares["object_id"] == "object_01"]
    s1 = trend_stats(posts, "#object_01", coordinated_accounts=coord)
    assert s1["posts"] == len(one)
    assert s1["coordinated_posts_pct"] == pytest.approx(100 * one["account_id"].isin(coord).mean())


def test_coordinated_share_from_detected_groups_on_copied_texts():
    """End to end: detect co-posted texts (60 s window) in the simulated pair; the detected
    accounts are exactly the planted campaign, so the coordinated share is the planted one."""
    from coordgraph.analysis import coordinated_network, detect_groups
    from coordgraph.analysis.trends import normalise_texts

    pair = simulate_trend_pair(seed=5, organic_accounts=400, background_accounts=150,
                               campaign_accounts=15, bursts=4, shared_accounts=20)
    posts = pair.posts
    shares = pd.DataFrame({"object_id": normalise_texts(posts["text"]).to_numpy(),
                           "account_id": posts["account_id"], "content_id": posts["post_id"],
                           "timestamp_share": posts["ts"]})
    result = detect_groups(shares, time_window=60, min_participation=2)
    detected = set(coordinated_network(result).vertices["account_id"])
    assert detected == pair.coordinated_accounts
    by_detection = trend_stats(posts, pair.inflated, coordinated_accounts=detected)
    by_truth = trend_stats(posts, pair.inflated, coordinated_accounts=pair.coordinated_accounts)
    assert by_detection["coordinated_posts_pct"] == by_truth["coordinated_posts_pct"] > 30
    assert trend_stats(posts, pair.organic, coordinated_accounts=detected)["coordinated_posts_pct"] == 0
