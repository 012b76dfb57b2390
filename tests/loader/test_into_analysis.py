"""Loader output feeds the method unchanged: shares from a twarc2 sample through detect_groups."""
from __future__ import annotations

from coordgraph.analysis.detect import detect_groups
from coordgraph.analysis.shares import prep_shares
from coordgraph.loader import read_posts, reshape, stack_intents

from .conftest import DATA

P = "150000000000000000"


def test_retweet_shares_detect_the_two_fast_retweeters():
    posts = read_posts(DATA / "twarc2" / "search_pages.jsonl").posts
    shares = prep_shares(reshape(posts, "retweets"))
    result = detect_groups(shares, time_window=10, min_participation=1)
    # the original's self-share is removed by the loop rule; the two retweets are 3 s apart
    rows = result[["object_id", "content_id", "content_id_y", "time_delta", "account_id", "account_id_y"]]
    assert rows.astype(str).values.tolist() == [[f"{P}1", f"{P}2", f"{P}3", "3", "2002", "2003"]]


def test_multimodal_table_pairs_only_within_a_kind():
    posts = read_posts(DATA / "twarc2").posts
    shares = prep_shares(stack_intents(posts, ["hashtags", "urls_domains"]))
    result = detect_groups(shares, time_window=10, min_participation=1)
    kinds = {o.split(":", 1)[0] for o in result["object_id"]}
    assert kinds == {"hashtags", "urls_domains"}
    pairs = {(o, tuple(sorted((a, b)))) for o, a, b in result[["object_id", "account_id", "account_id_y"]].values}
    assert ("hashtags:CryptoCoin", ("3001", "3002")) in pairs
    assert ("urls_domains:coin.example", ("3001", "3002")) in pairs
    assert ("urls_domains:news-site.example", ("2002", "2003")) in pairs
