"""Following a stream: statistics from batches equal the statistics of all posts at once."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis.trend_simulate import make_posts, simulate_trend_pair
from coordgraph.analysis.trends import TrendAccumulator, compare_trends, trend_stats


def assert_same_stats(a: dict, b: dict) -> None:
    """Equal dicts, NaN equal to NaN, floats to 1e-9 relative."""
    assert a.keys() == b.keys()
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, float) and math.isnan(x):
            assert isinstance(y, float) and math.isnan(y), k
        elif isinstance(x, float):
            assert y == pytest.approx(x, rel=1e-9), k
        else:
            assert x == y, k


@pytest.fixture(scope="module")
def pair():
    return simulate_trend_pair(seed=11, organic_accounts=600, background_accounts=200,
                               campaign_accounts=20, bursts=5, shared_accounts=40)


def test_batches_in_shuffled_order_equal_one_shot(pair):
    """Five batches of random posts (not in time order) give exactly the one-shot statistics."""
    posts = pair.posts
    rng = np.random.default_rng(3)
    parts = np.array_split(rng.permutation(len(posts)), 5)
    acc = TrendAccumulator([pair.organic, pair.inflated])
    for idx in parts:
        acc.add(posts.iloc[np.sort(idx)])
    assert acc.batches == 5
    for trend in (pair.organic, pair.inflated):
        assert_same_stats(acc.stats(trend, pair.accounts, pair.coordinated_accounts),
                          trend_stats(posts, trend, pair.accounts, pair.coordinated_accounts))
    one_shot = compare_trends(posts, [pair.organic, pair.inflated], pair.accounts,
                              pair.coordinated_accounts)
    streamed = acc.compare(pair.accounts, pair.coordinated_accounts)
    assert streamed.loc["duplicate_text_posts"].tolist() == one_shot.loc["duplicate_text_posts"].tolist()


def test_cross_batch_duplicates_and_gaps():
    """A copied text whose two posts land in different batches is a duplicate; gaps span batches."""
    posts = make_posts([
        dict(post_id="1", account_id="A", ts=100, text="copy me #t", hashtags=["t"]),
        dict(post_id="2", account_id="A", ts=300, text="copy me #t", hashtags=["t"]),
        dict(post_id="3", account_id="B", ts=200, text="copy me #t", hashtags=["t"]),
        dict(post_id="4", account_id="A", ts=1000, text="own #t", hashtags=["t"]),
    ])
    acc = TrendAccumulator(["#t"])
    acc.add(posts.iloc[[1]])          # A alone: not yet a duplicate
    first = acc.stats("#t")
    assert first["duplicate_text_posts"] == 0
    acc.add(posts.iloc[[3, 0]])       # still only A
    assert acc.stats("#t")["duplicate_text_posts"] == 0
    assert acc.stats("#t")["mean_gap_s"] == pytest.approx(450)   # A: 100, 300, 1000
    acc.add(posts.iloc[[2]])          # B copies it: all three copies are duplicates
    s = acc.stats("#t")
    assert s["duplicate_text_posts"] == 3 and s["duplicated_texts"] == 1
    assert_same_stats(s, trend_stats(posts, "#t"))


def test_empty_batch_changes_nothing(pair):
    acc = TrendAccumulator([pair.inflated]).add(pair.posts)
    before = acc.stats(pair.inflated)
    acc.add(pair.posts.iloc[0:0])
    assert_same_stats(acc.stats(pair.inflated), before)
    with pytest.raises(ValueError, match="at least one trend"):
        TrendAccumulator([])


def test_summary_memory_grows_with_accounts_not_posts():
    """Ten copies of one account's post at one second: one account row, one second row, one text."""
    posts = make_posts([dict(post_id=str(i), account_id="A", ts=5, text="same #t", hashtags=["t"])
                        for i in range(10)])
    acc = TrendAccumulator(["#t"]).add(posts)
    summary = acc.summaries["#t"]
    assert (len(summary.accounts), len(summary.seconds), len(summary.texts)) == (1, 1, 1)
    assert acc.stats("#t")["posts"] == 10
    assert isinstance(summary.seconds, pd.Series)
