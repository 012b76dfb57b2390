"""Influence per account on hand-made cascades with known sizes, depths and counts."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis.influence import (
    account_influence, cascade_size_depth, influence_score, parent_positions,
)
from coordgraph.analysis.trend_simulate import make_accounts, make_posts


@pytest.fixture()
def posts() -> pd.DataFrame:
    """1 (A) <- 2 RT (B), 1 <- 3 quote (C) <- 4 reply (D) <- 5 reply (A) <- 6 self-reply (A).

    7 (E) replies to a post outside the data, to account A; 8 (B) retweets a post not in the data.
    """
    return make_posts([
        dict(post_id="1", account_id="A", ts=0, retweet_count=5, like_count=3, place="IN"),
        dict(post_id="2", account_id="B", ts=5, retweeted_id="1", retweet_count=5, like_count=3,
             place="FR"),
        dict(post_id="3", account_id="C", ts=6, quoted_id="1", place="IN", like_count=1),
        dict(post_id="4", account_id="D", ts=7, replied_to_id="3", replied_to_account_id="C",
             place="US"),
        dict(post_id="5", account_id="A", ts=8, replied_to_id="4", replied_to_account_id="D"),
        dict(post_id="6", account_id="A", ts=9, replied_to_id="5", replied_to_account_id="A"),
        dict(post_id="7", account_id="E", ts=10, replied_to_id="999", replied_to_account_id="A"),
        dict(post_id="8", account_id="B", ts=11, retweeted_id="998"),
    ])


def test_parents_and_cascades(posts):
    parent = parent_positions(posts)
    assert parent.tolist() == [-1, 0, 0, 2, 3, 4, -1, -1]
    size, depth = cascade_size_depth(parent)
    assert size.tolist() == [5, 0, 3, 2, 1, 0, 0, 0]
    assert depth.tolist() == [4, 0, 3, 2, 1, 0, 0, 0]


def test_retweet_has_priority_over_quote_and_reply():
    p = make_posts([dict(post_id="a", account_id="X", ts=0), dict(post_id="b", account_id="Y", ts=1),
                    dict(post_id="c", account_id="Z", ts=2, retweeted_id="a", quoted_id="b",
                         replied_to_id="b"),
                    dict(post_id="d", account_id="Z", ts=3, quoted_id="a", replied_to_id="b")])
    assert parent_positions(p).tolist() == [-1, -1, 0, 0]


def test_cycles_are_refused_with_the_post_named():
    p = make_posts([dict(post_id="a", account_id="X", ts=0, replied_to_id="b"),
                    dict(post_id="b", account_id="Y", ts=1, replied_to_id="a"),
                    dict(post_id="c", account_id="Y", ts=1, replied_to_id="c")])  # self: ignored
    with pytest.raises(ValueError, match="cycle through post_id"):
        account_influence(p)


def test_account_table(posts):
    acc = make_accounts([dict(account_id="A", followers_count=100),
                         dict(account_id="C", followers_count=10)])
    t = account_influence(posts, acc).set_index("account_id")
    assert t.loc["A", "posts"] == 3 and t.loc["B", "posts"] == 2
    # events received from others: A's self-reply (6) is not counted; E's reply to an
    # unseen post counts for A through replied_to_account_id
    assert t.loc["A", ["retweets_received", "quotes_received", "replies_received"]].tolist() == [1, 1, 1]
    assert t.loc["C", "replies_received"] == 1 and t.loc["D", "replies_received"] == 1
    # counters over original posts only: B's retweet mirrors A's counters and is left out
    assert t.loc["A", "retweet_count_sum"] == 5 and t.loc["B", "retweet_count_sum"] == 0
    assert t.loc["A", "like_count_sum"] == 3 and t.loc["C", "like_count_sum"] == 1
    assert t.loc["A", "retweets"] == 5                          # max(1 event, 5 counted)
    assert (t.loc["A", "cascade_size"], t.loc["A", "cascade_depth"], t.loc["A", "cascades"]) == (5, 4, 2)
    assert (t.loc["C", "cascade_size"], t.loc["C", "cascade_depth"]) == (3, 3)
    assert (t.loc["D", "cascade_size"], t.loc["D", "cascade_depth"]) == (2, 2)
    assert t.loc["A", "followers"] == 100 and pd.isna(t.loc["B", "followers"])
    # audience places: responses by others to A's posts come from FR (2) and IN (3)
    assert t.loc["A", "audience_places"] == 2 and t.loc["C", "audience_places"] == 1
    assert t.loc["D", "audience_places"] == 0                   # A's reply has no place
    assert t.index[0] == "A"                                    # most influential first


def test_score_definition(posts):
    t = account_influence(posts).set_index("account_id")
    assert t["influence_score"].between(0, 100).all()
    # A is the maximum on every non-zero component it has: retweets, quotes, replies, likes,
    # cascade size and depth (no followers known -> left out) -> 100
    assert t.loc["A", "influence_score"] == pytest.approx(100.0)
    e = t.loc["E"]
    assert e["influence_score"] == 0.0                          # nothing received
    # C: replies 1/1, likes log2/log4, size log4/log6, depth log4/log5; retweets/quotes 0
    expect = (1 + np.log(2) / np.log(4) + np.log(4) / np.log(6) + np.log(4) / np.log(5)) / 6 * 100
    assert t.loc["C", "influence_score"] == pytest.approx(expect)
    only_rt = influence_score(t, {"retweets": 1.0})
    assert only_rt["A"] == pytest.approx(100.0) and only_rt["C"] == 0.0


def test_no_places_column_without_place_data(posts):
    t = account_influence(posts.assign(place=None))
    assert "audience_places" not in t.columns


def test_scales_linearly_on_a_long_chain():
    """A reply chain 5,000 deep: depth and size known exactly, computed without recursion."""
    n = 5000
    p = make_posts([dict(post_id=str(i), account_id=f"u{i % 2}", ts=i,
                         replied_to_id=str(i - 1) if i else None) for i in range(n)])
    size, depth = cascade_size_depth(parent_positions(p))
    assert size[0] == n - 1 and depth[0] == n - 1 and depth[n - 1] == 0


def test_stream_batches_in_any_order_equal_one_shot(posts):
    """Replies arrive before the posts they answer; the table still equals the one-shot one."""
    from coordgraph.analysis.influence import InfluenceAccumulator

    acc = InfluenceAccumulator()
    for rows in ([5, 3], [0, 7], [2, 4, 1], [6], [3]):          # the last repeats post 4
        acc.add(posts.iloc[rows])
    got = acc.table().set_index("account_id").sort_index()
    want = account_influence(posts).set_index("account_id").sort_index()
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert acc.batches == 5 and len(acc.posts()) == len(posts)
