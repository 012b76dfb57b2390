"""Posts -> shares: CooRTweet's T9 fixtures exactly (compat), every intent checked on samples."""
from __future__ import annotations

import pandas as pd
import pytest

from coordgraph.loader import LoaderError, read_posts, reshape, stack_intents

from .conftest import DATA, TOY

COLS = ["object_id", "account_id", "content_id", "timestamp_share"]


@pytest.fixture(scope="module")
def t9_posts() -> pd.DataFrame:
    return read_posts(sorted(TOY.glob("T9_input_*.csv"))).posts


def rows(frame: pd.DataFrame) -> list[tuple]:
    """Shares as a sorted multiset of tuples (row order carries no meaning)."""
    return sorted(tuple(str(v) for v in r) for r in frame[COLS].itertuples(index=False))


def expected(name: str) -> list[tuple]:
    frame = pd.read_csv(TOY / f"T9_reshape_{name}.csv", dtype=str, keep_default_na=False)
    return rows(frame)


@pytest.mark.parametrize("intent", ["retweets", "hashtags", "urls", "urls_domains", "cotweet"])
def test_t9_compat_reproduces_coortweet(t9_posts, intent):
    shares = reshape(t9_posts, intent, compat=True)
    assert rows(shares) == expected(intent)
    assert shares["timestamp_share"].dtype == "int64"
    assert set(shares["kind"]) == {intent}


def test_t9_cotweet_keep_all_drop_hashtags_quirk(t9_posts):
    shares = reshape(t9_posts, "cotweet", compat=True, drop_retweets=False, drop_replies=False, drop_hashtags=True)
    assert rows(shares) == expected("cotweet_keepall_drophashtags")


def test_t9_sound_defaults_differ_where_documented(t9_posts):
    domains = dict(zip(reshape(t9_posts, "urls_domains")["content_id"], reshape(t9_posts, "urls_domains")["object_id"]))
    assert domains["t5"] == "news.www.org"  # proper host: only a leading www. goes
    cot = reshape(t9_posts, "cotweet", drop_retweets=False, drop_replies=False, drop_hashtags=True)
    assert set(cot["object_id"]) == {"hello http://x.co", "reply"}  # normalised after removing hashtags


def test_every_intent_on_twarc2_sample():
    posts = read_posts(DATA / "twarc2" / "search_pages.jsonl").posts
    got = {i: rows(reshape(posts, i)) for i in ["retweets", "quotes", "replies", "mentions", "hashtags",
                                                "urls", "urls_domains", "cotweet", "images"]}
    t0 = 1646474400
    p = "150000000000000000"
    assert got["retweets"] == sorted([(f"{p}1", "2002", f"{p}2", str(t0 + 4)), (f"{p}1", "2003", f"{p}3", str(t0 + 7)),
                                      (f"{p}1", "2001", f"{p}1", str(t0))])
    assert got["quotes"] == [(f"{p}1", "2002", f"{p}5", str(t0 + 120))]
    assert got["replies"] == [(f"{p}1", "2004", f"{p}4", str(t0 + 60))]
    # retweets and replies dropped by default: the RT header and the reply's @ are not chosen mentions
    assert got["mentions"] == []
    assert rows(reshape(posts, "mentions", drop_retweets=False, drop_replies=False)) == sorted(
        [("alice", "2002", f"{p}2", str(t0 + 4)), ("alice", "2003", f"{p}3", str(t0 + 7)),
         ("alice", "2004", f"{p}4", str(t0 + 60))])
    assert [r[0] for r in got["hashtags"]] == ["Election2022"] * 3 + ["election2022"]
    assert {r[0] for r in rows(reshape(posts, "hashtags", lowercase_hashtags=True))} == {"election2022"}
    assert [r[0] for r in got["urls"]] == ["http://blog.www.example.org/p/1"] + ["https://www.news-site.example/story?id=7"] * 3
    assert [r[0] for r in got["urls_domains"]] == ["blog.www.example.org"] + ["news-site.example"] * 3
    # t.co links differ per post on Twitter: the default drops them so copied texts match
    assert got["cotweet"] == sorted([("vote today! #election2022", "2001", f"{p}1", str(t0)),
                                     ("so true", "2002", f"{p}5", str(t0 + 120))])
    compat = rows(reshape(posts, "cotweet", compat=True))
    assert [r[0] for r in compat] == ["so true https://t.co/qqq https://t.co/zzz", "vote today! #election2022 https://t.co/abc1"]
    assert got["images"] == []


def test_images_and_objects_from_mapped_table():
    mapping = dict(post_id="msg_id", account_id="author", ts="posted_at", text="body", image_hashes="phash",
                   object_id="link")
    posts = read_posts(DATA / "tables" / "posts_mapped.csv", column_map=mapping).posts
    assert rows(reshape(posts, "images")) == [("d1e2f3a4b5c6d7e8", "acc1", "m1", "1685613600"),
                                              ("d1e2f3a4b5c6d7e8", "acc2", "m2", "1685613605")]
    assert [r[0] for r in rows(reshape(posts, "objects"))] == ["https://example.com/a"] * 2 + ["https://other.example/b"]
    cot = reshape(posts, "cotweet")
    assert cot["object_id"].tolist() == ["same words, different day", "same words, different day", "another text"]


def test_never_a_blank_object():
    posts = read_posts(DATA / "tables" / "shares_like.csv",
                       column_map={"object_id": "url", "account_id": "author", "ts": "time"}).posts
    shares = reshape(posts, "objects")
    assert len(shares) == 3 and (shares["object_id"].str.strip() != "").all()
    blank = posts.assign(text=["   ", "@only @mentions", None, "RT"], hashtags=[[" "], [], [], []])
    assert reshape(blank, "cotweet").empty
    assert reshape(blank, "hashtags").empty


def test_stack_intents_prefixes_and_kinds():
    posts = read_posts(DATA / "twarc2").posts
    stacked = stack_intents(posts, ["hashtags", "urls_domains", "retweets"])
    assert list(stacked.columns) == COLS + ["kind"]
    for kind, group in stacked.groupby("kind"):
        assert group["object_id"].str.startswith(kind + ":").all()
        assert len(group) == len(reshape(posts, kind))
    assert stacked["timestamp_share"].dtype == "int64"
    with pytest.raises(LoaderError, match="unknown intent"):
        stack_intents(posts, ["hashtags", "likes"])


def test_loading_twice_gives_the_same_shares():
    paths = [DATA / "twarc2", DATA / "snscrape", DATA / "academic"]
    intents = ["retweets", "quotes", "replies", "mentions", "hashtags", "urls", "urls_domains", "cotweet"]
    first = stack_intents(read_posts(paths).posts, intents)
    second = stack_intents(read_posts(paths).posts, intents)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) > 20


def test_similar_intents_stack_with_their_own_options():
    mapping = dict(post_id="msg_id", account_id="author", ts="posted_at", text="body", image_hashes="phash")
    posts = read_posts(DATA / "tables" / "posts_mapped.csv", column_map=mapping).posts
    # one option set for several intents: each similar_* function gets the options it accepts
    stacked = stack_intents(posts, ["similar_text", "similar_images", "cotweet"], similarity=0.5, max_distance=2)
    for kind in ("similar_text", "similar_images"):
        group = stacked[stacked["kind"] == kind]
        assert group["content_id"].tolist() == ["m1", "m2"]  # the two near-identical posts
        assert group["object_id"].nunique() == 1 and group["object_id"].str.startswith(kind + ":").all()


def test_a_posts_table_without_the_needed_column_is_a_clear_error():
    posts = pd.DataFrame({"post_id": ["1"], "account_id": ["a"], "ts": [5]})
    for intent in ("hashtags", "urls", "cotweet", "quotes", "retweets", "mentions"):
        with pytest.raises(LoaderError, match="posts table has no column"):
            reshape(posts, intent)
    assert reshape(posts, "images").empty  # optional column: no images, no shares


def test_lowercase_hashtags_fold_nfkc_and_case():
    """--lowercase-hashtags: full-width, NFD, sharp s and dotted capital I fold like users expect."""
    from coordgraph.loader.reshape import fold_hashtag

    assert fold_hashtag("\uff25\uff2c\uff25\uff23\uff34") == "elect"  # full-width ELECT
    assert fold_hashtag("Stra\u00dfe") == fold_hashtag("STRASSE") == "strasse"
    assert fold_hashtag("cafe\u0301") == fold_hashtag("Caf\u00e9") == "caf\u00e9"  # NFD and NFC
    assert fold_hashtag("\u0130STANBUL") == fold_hashtag("\u0130stanbul") == "i\u0307stanbul"
