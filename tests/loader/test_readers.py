"""Each reader on a hand-written sample in its platform's documented shape."""
from __future__ import annotations

import gzip
import shutil

import pandas as pd
import pytest

from coordgraph.loader import LoaderError, detect_format, read_posts
from coordgraph.loader.schema import ACCOUNTS_SCHEMA, POSTS_SCHEMA, accounts_to_arrow, posts_to_arrow

from .conftest import DATA, TOY


def by_id(frame, key="post_id"):
    return {row[key]: row for row in frame.to_dict("records")}


def test_twarc2_pages_posts_accounts_and_dedupe():
    res = read_posts(DATA / "twarc2" / "search_pages.jsonl")
    posts = by_id(res.posts)
    assert len(res.posts) == 5  # 6 tweets in two pages, one collected twice
    assert res.summary()["duplicates"] == 1
    orig = posts["1500000000000000001"]
    assert orig["account_id"] == "2001"
    assert orig["ts"] == 1646474400  # 2022-03-05T10:00:00Z
    assert orig["hashtags"] == ["Election2022"]
    assert orig["urls"] == ["https://www.News-Site.example/story?id=7"]  # expanded, not t.co
    assert orig["place"] == "US"  # geo.place_id resolved through includes.places
    assert (orig["like_count"], orig["retweet_count"], orig["quote_count"], orig["reply_count"]) == (10, 2, 1, 1)
    assert orig["source"] == "Twitter Web App" and orig["lang"] == "en"
    assert posts["1500000000000000002"]["retweeted_id"] == "1500000000000000001"
    assert posts["1500000000000000002"]["mentions"] == ["alice"]
    reply = posts["1500000000000000004"]
    assert reply["replied_to_id"] == "1500000000000000001" and reply["replied_to_account_id"] == "2001"
    assert posts["1500000000000000005"]["quoted_id"] == "1500000000000000001"
    # includes.tweets (referenced originals) are context, not collected posts
    assert res.summary()["lines_read"] == 6
    accounts = by_id(res.accounts, "account_id")
    assert set(accounts) == {"2001", "2002", "2003", "2004"}
    alice = accounts["2001"]
    assert alice["handle"] == "alice" and alice["followers_count"] == 5400 and alice["verified"] is True
    assert alice["created_at"] == 1433147400  # 2015-06-01T08:30:00Z


def test_twarc2_flattened_lines_with_embedded_author_and_note_tweet():
    res = read_posts(DATA / "twarc2" / "flattened.jsonl")
    posts = by_id(res.posts)
    assert list(res.posts["post_id"]) == ["1600000000000000010", "1600000000000000011", "1600000000000000012"]
    assert posts["1600000000000000011"]["place"] == "DE"
    long = posts["1600000000000000012"]
    assert long["text"].endswith("#LongRead") and long["hashtags"] == ["LongRead"]
    accounts = by_id(res.accounts, "account_id")
    assert accounts["3001"]["handle"] == "shill1" and accounts["3002"]["followers_count"] == 12
    assert res.accounts.set_index("account_id").loc["3003", "followers_count"] is pd.NA


def test_academictwitter_data_and_users_files():
    res = read_posts(DATA / "academic")
    assert res.summary()["formats"] == {"twitter-v2": 2}
    posts = by_id(res.posts)
    assert set(posts) == {"1700000000000000001", "1700000000000000002"}
    assert posts["1700000000000000001"]["place"] == "FR"  # place from the sibling users_*.json
    assert posts["1700000000000000002"]["retweeted_id"] == "1700000000000000001"
    accounts = by_id(res.accounts, "account_id")
    assert accounts["4001"]["handle"] == "parkfan" and accounts["4001"]["posts_count"] == 3000


def test_snscrape_lines_new_and_old_fields():
    res = read_posts(DATA / "snscrape" / "search.jsonl")
    assert res.summary()["formats"] == {"snscrape": 1}
    posts = by_id(res.posts)
    first = posts["1400000000000000001"]
    assert first["account_id"] == "5001" and first["ts"] == 1619892000
    assert first["urls"] == ["https://www.example.org/c"] and first["hashtags"] == ["Climate"]
    assert first["place"] == "FR" and first["source"] == "Twitter for Android" and first["like_count"] == 3
    assert posts["1400000000000000002"]["retweeted_id"] == "1400000000000000001"
    reply = posts["1400000000000000003"]
    assert reply["replied_to_id"] == "1400000000000000001" and reply["replied_to_account_id"] == "5001"
    assert reply["mentions"] == ["dave"]
    old = posts["1400000000000000004"]  # older snscrape: content/outlinks, null counts
    assert old["text"] == "Look at this https://t.co/Q9"
    assert old["urls"] == ["https://twitter.com/dave/status/1400000000000000001"]
    assert old["quoted_id"] == "1400000000000000001"
    assert (old["like_count"], old["retweet_count"]) == (0, 0)  # numeric counts default to 0
    accounts = by_id(res.accounts, "account_id")
    assert accounts["5003"]["verified"] is True and accounts["5003"]["followers_count"] == 100000


def test_csv_with_column_mapping_lists_profiles_and_duplicates():
    mapping = dict(post_id="msg_id", account_id="author", ts="posted_at", text="body", urls="link",
                   hashtags="tags", retweet_count="shares", like_count="likes", image_hashes="phash",
                   handle="handle", followers_count="followers")
    res = read_posts(DATA / "tables" / "posts_mapped.csv", column_map=mapping, platform="forum")
    assert res.summary()["duplicates"] == 1 and len(res.posts) == 3
    posts = by_id(res.posts)
    assert posts["m1"]["hashtags"] == ["News", "Today"]  # JSON array cell
    assert posts["m2"]["hashtags"] == ["News", "today"]  # separated cell
    assert posts["m1"]["ts"] == 1685613600 and posts["m2"]["ts"] == 1685613605 and posts["m3"]["ts"] == 1685613610
    assert posts["m1"]["like_count"] == 0 and posts["m1"]["retweet_count"] == 3  # blank count -> 0
    assert posts["m1"]["image_hashes"] == ["d1e2f3a4b5c6d7e8"] and posts["m3"]["image_hashes"] == []
    assert set(res.posts["platform"]) == {"forum"}
    accounts = by_id(res.accounts, "account_id")
    assert accounts["acc1"]["handle"] == "first" and accounts["acc1"]["followers_count"] == 10


def test_csv_shares_like_table_through_cli_map_form():
    from coordgraph.loader import parse_map

    mapping = parse_map("object_id=url,account_id=author,timestamp_share=time")
    res = read_posts(DATA / "tables" / "shares_like.csv", column_map=mapping)
    assert list(res.posts["post_id"]) == [f"shares_like.csv#{n}" for n in (2, 3, 4, 5)]
    assert res.posts["objects"].tolist() == [["https://site.example/1"], ["https://site.example/1"], [], ["https://site.example/2"]]


def test_parquet_and_gzip_and_jsonl_tables(tmp_path):
    frame = pd.DataFrame({"content_id": ["p1", "p2"], "account_id": ["a", "b"],
                          "timestamp_share": [1700000000, 1700000001], "object_id": ["o", "o"],
                          "hashtags": [["x", "y"], []]})
    frame.to_parquet(tmp_path / "s.parquet")
    res = read_posts(tmp_path / "s.parquet")
    assert res.posts["objects"].tolist() == [["o"], ["o"]]
    assert res.posts["hashtags"].tolist() == [["x", "y"], []]
    with open(DATA / "snscrape" / "search.jsonl", "rb") as src, gzip.open(tmp_path / "s.jsonl.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    plain = read_posts(DATA / "snscrape" / "search.jsonl").posts
    gz = read_posts(tmp_path / "s.jsonl.gz").posts
    assert gz.equals(plain)
    (tmp_path / "flat.jsonl").write_text('{"who": {"id": "u1"}, "when": 5, "what": "http://a.example"}\n')
    res = read_posts(tmp_path / "flat.jsonl", column_map={"account_id": "who.id", "ts": "when", "object_id": "what"})
    assert res.posts[["account_id", "ts"]].values.tolist() == [["u1", 5]]


def test_tidy_v2_tables_t9():
    res = read_posts(sorted(TOY.glob("T9_input_*.csv")))
    assert res.summary()["formats"] == {"v2-tables": 5}
    posts = by_id(res.posts)
    assert posts["t2"]["retweeted_id"] == "t1" and posts["t4"]["replied_to_id"] == "t1"
    assert posts["t5"]["urls"] == ["https://twitter.com/x/status/1", "http://news.www.org/b"]
    assert posts["t4"]["mentions"] == ["u1"] and posts["t1"]["ts"] == 100


def test_every_table_fits_the_arrow_schemas():
    for path in [DATA / "twarc2", DATA / "snscrape", DATA / "academic"]:
        res = read_posts(path)
        assert posts_to_arrow(res.posts).schema.equals(POSTS_SCHEMA)
        assert accounts_to_arrow(res.accounts).schema.equals(ACCOUNTS_SCHEMA)
        assert res.posts["ts"].dtype == "int64"


def test_detect_format():
    assert detect_format(DATA / "twarc2" / "search_pages.jsonl") == "twitter-v2"
    assert detect_format(DATA / "snscrape" / "search.jsonl") == "snscrape"
    assert detect_format(DATA / "tables" / "posts_mapped.csv") == "csv"
    assert detect_format(DATA / "academic" / "data_1500000000000000099.json") == "twitter-v2"


def test_unknown_format_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(LoaderError, match="unknown format 'xml'"):
        read_posts(DATA / "snscrape", format="xml")
    with pytest.raises(LoaderError, match="no such file"):
        read_posts(tmp_path / "nope.jsonl")



def test_twitter_v1_stream_lines_extended_text_and_control_messages():
    res = read_posts(DATA / "twitter_v1" / "stream.jsonl")
    assert res.summary()["formats"] == {"twitter-v1": 1}
    assert res.summary()["lines_read"] == 2 and res.rejected == 0  # the delete notice is not a post
    posts = by_id(res.posts)
    first = posts["1050118621198921728"]
    assert first["ts"] == 1539202764 and first["source"] == "Twitter Web Client"
    assert first["text"].endswith("https://t.co/Nx1XZmRCXA")  # extended_tweet.full_text
    assert first["urls"] == ["https://twittercommunity.com/t/new-update-to-the-twitter-text-library-emoji-character-count/114607"]
    rt = posts["1050118621198921999"]
    assert rt["retweeted_id"] == "1050118621198921728" and rt["hashtags"] == ["emoji"]
    assert rt["mentions"] == ["TwitterAPI"] and rt["place"] == "US" and rt["retweet_count"] == 5
    accounts = by_id(res.accounts, "account_id")
    assert accounts["6253282"]["followers_count"] == 6129794 and accounts["6253282"]["verified"] is True
    assert accounts["6253282"]["created_at"] == 1179900073  # Wed May 23 06:01:13 +0000 2007


def test_posts_table_round_trips_through_parquet(tmp_path):
    import pyarrow.parquet as pq

    original = read_posts([DATA / "twarc2", DATA / "snscrape"])
    pq.write_table(posts_to_arrow(original.posts), tmp_path / "posts.parquet")
    again = read_posts(tmp_path / "posts.parquet", platform="twitter")
    cols = ["post_id", "account_id", "ts", "text", "retweeted_id", "quoted_id", "replied_to_id",
            "hashtags", "urls", "mentions", "like_count", "place"]
    left = original.posts[cols].astype(str).reset_index(drop=True)
    right = again.posts[cols].astype(str).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
