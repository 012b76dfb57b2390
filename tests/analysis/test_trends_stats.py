"""Every trend statistic on a small hand-made table whose answers are worked out by hand.

Includes the two definitional bugs of the #GoBackModi study: time gaps that mixed trends,
and "duplicates" that summed distinct users per text instead of counting copied posts.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis.trend_simulate import make_accounts, make_posts
from coordgraph.analysis.trends import (
    Trend, account_time_gaps, common_users, common_users_table, compare_trends,
    inflation_indicators, normalise_text, normalise_texts, select_trend, top_cohashtags,
    trend_stats, volume_per_hour,
)

T0 = 1_699_999_200  # an hour boundary (UTC)
DAY = 86_400


@pytest.fixture()
def posts() -> pd.DataFrame:
    """#trend: p1 p2 p4 p5 p6 p7 p9 p10 (8 posts, p5 a retweet); #b: p3 p8."""
    return make_posts([
        dict(post_id="p1", account_id="A", ts=T0, text="Hello world #Trend https://t.co/abc",
             hashtags=["Trend", "x"], retweet_count=5, like_count=2),
        dict(post_id="p2", account_id="B", ts=T0 + 10, text="hello   WORLD #trend https://t.co/zzz",
             hashtags=["trend"], retweet_count=0, like_count=4),
        dict(post_id="p3", account_id="A", ts=T0 + 20, text="other text #b", hashtags=["b"]),
        dict(post_id="p4", account_id="A", ts=T0 + 100, text="A repeats #trend",
             hashtags=["trend", "x", "y"], retweet_count=1, like_count=1),
        dict(post_id="p5", account_id="C", ts=T0 + 3605, text="RT @A: Hello world #Trend",
             hashtags=["Trend"], retweeted_id="p1", retweet_count=5, like_count=0),
        dict(post_id="p6", account_id="D", ts=T0 + 7200, text="same same #trend", hashtags=["TREND"]),
        dict(post_id="p7", account_id="D", ts=T0 + 7300, text="same same #trend", hashtags=["trend"]),
        dict(post_id="p8", account_id="B", ts=T0 + 7400, text="#b only", hashtags=["#b"]),
        dict(post_id="p9", account_id="E", ts=T0 + 7500, text="quote #trend", hashtags=["trend", "X"],
             quoted_id="p4", replied_to_id="p2"),
        dict(post_id="p10", account_id="D", ts=T0 + 7600, text="something else #trend",
             hashtags=["trend"]),
    ])


@pytest.fixture()
def accounts() -> pd.DataFrame:
    """A old, B 5 days old, C unknown, D created 200 s before its first #trend post, E 40 days."""
    return make_accounts([
        dict(account_id="A", created_at=T0 - 100 * DAY),
        dict(account_id="B", created_at=T0 - 5 * DAY),
        dict(account_id="C", created_at=None),
        dict(account_id="D", created_at=T0 + 7000),
        dict(account_id="E", created_at=T0 - 40 * DAY),
    ])


def test_selection_is_case_insensitive_and_hash_optional(posts):
    assert list(select_trend(posts, hashtag="#TREND")["post_id"]) == \
        ["p1", "p2", "p4", "p5", "p6", "p7", "p9", "p10"]
    assert list(select_trend(posts, hashtag="b")["post_id"]) == ["p3", "p8"]
    assert list(select_trend(posts, query="SAME same")["post_id"]) == ["p6", "p7"]
    assert list(select_trend(posts, object_ids=["p4"])["post_id"]) == ["p4", "p9"]
    assert list(select_trend(posts, query=lambda p: p["account_id"] == "E")["post_id"]) == ["p9"]
    with pytest.raises(ValueError, match="exactly one"):
        select_trend(posts, hashtag="a", query="b")


def test_event_counts_and_engagement_sums(posts):
    s = trend_stats(posts, "#trend")
    assert (s["posts"], s["originals"], s["retweets"], s["quotes"], s["replies"]) == (8, 7, 1, 1, 1)
    # engagement summed over originals only: the retweet p5 mirrors p1's counters
    assert (s["retweet_count_sum"], s["like_count_sum"]) == (6, 7)
    assert (s["quote_count_sum"], s["reply_count_sum"]) == (0, 0)
    assert s["more_retweets_than_likes_pct"] == pytest.approx(100 / 7)  # only p1 (5 > 2); p4 1 = 1
    assert s["accounts"] == 5
    assert s["posts_per_account"] == pytest.approx(8 / 5)
    assert s["retweets_per_account"] == pytest.approx(1 / 5)        # events
    assert s["retweet_count_per_account"] == pytest.approx(6 / 5)   # engagement
    assert (s["first_ts"], s["last_ts"]) == (T0, T0 + 7600)


def test_duplicates_count_posts_copied_by_other_accounts(posts):
    """p1/p2 are one text by two accounts (2 duplicate posts); D posting its text twice is not."""
    s = trend_stats(posts, "#trend")
    assert s["duplicate_text_posts"] == 2
    assert s["duplicated_texts"] == 1
    assert s["duplicate_text_pct"] == pytest.approx(100 * 2 / 7)
    # the study's definition (sum over texts of distinct users) would give 2+1+1+1+1+1 = 7
    texts = normalise_texts(posts["text"])
    assert texts[0] == texts[1] == "hello world #trend"


def test_normalisation_scalar_and_vectorised_agree():
    cases = ["RT @user: Hello   WORLD https://t.co/x #Tag", "  Mixed Case  @end", None, "",
             "ART of @a@b x", "http://a.b/c only", "rt: copy this"]
    vec = normalise_texts(pd.Series(cases, dtype=object)).tolist()
    assert vec == [normalise_text(c) for c in cases]
    assert vec[0] == "hello world #tag"
    assert vec[4] == "art of x"          # unlike CooRTweet, RT inside a word is kept
    assert vec[5] == "only" and vec[2] == "" and vec[6] == "copy this"


def test_time_gaps_stay_within_the_trend(posts):
    """A posted #b between its two #trend posts: its #trend gap is 100 s, not 20 s and 80 s."""
    gaps = account_time_gaps(posts, "#trend").set_index("account_id")
    assert gaps.loc["A", "mean_gap_s"] == 100
    assert gaps.loc["A", "min_gap_s"] == 100
    assert gaps.loc["D", "mean_gap_s"] == 200 and gaps.loc["D", "median_gap_s"] == 200
    assert gaps.loc["D", "min_gap_s"] == 100
    assert math.isnan(gaps.loc["B", "mean_gap_s"])   # B's other post is in #b
    s = trend_stats(posts, "#trend")
    assert s["accounts_with_gap"] == 2
    assert s["mean_gap_s"] == pytest.approx((100 + 100 + 300) / 3)   # pooled over gaps
    assert s["mean_account_gap_s"] == pytest.approx((100 + 200) / 2)  # mean of account means
    assert math.isnan(trend_stats(posts, "#b")["mean_gap_s"])  # A and B post once each in #b


def test_common_users_counts_and_jaccard(posts):
    c = common_users(posts, "#trend", "#b")
    assert c["count"] == 2 and c["jaccard_pct"] == pytest.approx(40.0)
    assert c["pct_of_a"] == pytest.approx(40.0) and c["pct_of_b"] == pytest.approx(100.0)
    table = common_users_table(posts, ["#trend", "#b", "same same"])
    assert len(table) == 3
    row = table[(table["a"] == "#b") & (table["b"] == "same same")].iloc[0]
    assert row["count"] == 0 and row["jaccard_pct"] == 0


def test_cohashtags_and_volume_per_hour(posts):
    co = top_cohashtags(posts, "#trend")
    assert co.to_dict("records") == [{"hashtag": "x", "posts": 3}, {"hashtag": "y", "posts": 1}]
    vol = volume_per_hour(posts, "#trend")
    assert vol["posts"].tolist() == [3, 1, 4]
    assert vol["hour_ts"].tolist() == [T0, T0 + 3600, T0 + 7200]
    assert str(vol["hour"].iloc[0].tz) == "UTC"
    s = trend_stats(posts, "#trend")
    assert s["hours"] == 3 and s["peak_hour_posts"] == 4
    assert s["peak_to_mean_hourly"] == pytest.approx(4 / (8 / 3))
    assert s["top_cohashtags"] == "#x (3), #y (1)"


def test_indicators(posts, accounts):
    s = trend_stats(posts, "#trend", accounts=accounts, coordinated_accounts={"D", "E", "Z"})
    gaps = np.diff(np.array([0, 10, 100, 3605, 7200, 7300, 7500, 7600], dtype=float))
    b = (gaps.std() - gaps.mean()) / (gaps.std() + gaps.mean())
    assert s["burstiness"] == pytest.approx(b)
    assert s["top1pct_accounts_posts_pct"] == pytest.approx(100 * 3 / 8)   # D, the top account
    assert s["gini_posts_per_account"] == pytest.approx(0.25)             # counts 1,1,1,2,3
    assert s["accounts_with_created_at"] == 4                              # C unknown
    assert s["new_accounts_pct"] == pytest.approx(50.0)                     # B and D
    assert s["new_accounts_posts_pct"] == pytest.approx(100 * 4 / 7)        # (1+3)/(2+1+3+1)
    assert s["coordinated_posts_pct"] == pytest.approx(50.0)                # D 3 + E 1 of 8
    assert s["coordinated_accounts"] == 2


def test_missing_inputs_give_nan_not_zero(posts):
    s = trend_stats(posts, "#trend")
    assert math.isnan(s["new_accounts_pct"]) and math.isnan(s["coordinated_posts_pct"])
    empty = trend_stats(posts, "#nothing")
    assert empty["posts"] == 0 and empty["accounts"] == 0
    assert math.isnan(empty["duplicate_text_pct"]) and math.isnan(empty["burstiness"])


def test_compare_side_by_side(posts, accounts):
    table = compare_trends(posts, ["#trend", "#b"], accounts=accounts)
    assert list(table.columns) == ["#trend", "#b"]
    assert table.loc["posts", "#trend"] == 8 and table.loc["posts", "#b"] == 2
    assert table.loc["common_accounts_with_first", "#b"] == 2
    assert table.loc["common_accounts_jaccard_pct", "#b"] == pytest.approx(40.0)
    ind = inflation_indicators(posts, ["#trend", "#b"], accounts=accounts)
    assert ind.loc["#trend", "gini_posts_per_account"] == pytest.approx(0.25)
    assert list(ind.index) == ["#trend", "#b"]


def test_bad_input_names_the_problem(posts):
    with pytest.raises(ValueError, match="missing column.*ts"):
        trend_stats(posts.drop(columns=["ts"]), "#trend")
    with pytest.raises(ValueError, match="names no hashtag"):
        Trend.parse("#")
    with pytest.raises(ValueError, match="predicate returned"):
        select_trend(posts, query=lambda p: [True])


def test_report_is_plain_json(posts, accounts):
    import orjson

    from coordgraph.analysis.trends import trend_report

    rep = trend_report(posts, ["#trend", "#b"], accounts=accounts)
    doc = orjson.loads(orjson.dumps(rep))           # plain values only (NaN -> null)
    assert doc["trends"]["#trend"]["posts"] == 8
    assert doc["trends"]["#b"]["mean_gap_s"] is None
    assert doc["indicators"]["#trend"]["gini_posts_per_account"] == pytest.approx(0.25)
    assert doc["common_users"][0]["count"] == 2
    assert doc["volume_per_hour"]["#trend"] == {"hour_ts": [T0, T0 + 3600, T0 + 7200], "posts": [3, 1, 4]}
    assert doc["top_cohashtags"]["#trend"][0] == {"hashtag": "x", "posts": 3}


def test_bad_timestamp_names_row_and_post(posts):
    bad = posts.astype({"ts": object})
    bad.loc[3, "ts"] = "yesterday"
    with pytest.raises(ValueError, match=r"field 'ts': index 3 \(post_id 'p4'\): 'yesterday'"):
        trend_stats(bad, "#trend")
    with pytest.raises(ValueError, match="must hold lists"):
        trend_stats(posts.assign(hashtags="#trend"), "#trend")


def test_coordinated_groups_share(posts):
    from coordgraph.analysis.trends import coordinated_groups_share

    groups = pd.DataFrame({"account_id": ["D", "E", "A", "Z"], "community": [1, 1, 2, 3]})
    table = coordinated_groups_share(posts, "#trend", groups)
    assert table.to_dict("records") == [
        {"community": 1, "accounts": 2, "posts": 4, "posts_pct": 50.0},   # D 3 + E 1 of 8
        {"community": 2, "accounts": 1, "posts": 2, "posts_pct": 25.0},   # A; Z never posted
    ]
    with pytest.raises(ValueError, match="missing column 'community'"):
        coordinated_groups_share(posts, "#trend", groups.rename(columns={"community": "c"}))
