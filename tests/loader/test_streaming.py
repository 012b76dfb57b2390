"""The streaming form: bounded batches, the same posts as read_posts, de-duplication across batches."""
from __future__ import annotations

import orjson
import pandas as pd

from coordgraph.loader import LoadStats, iter_post_batches, read_posts


def write_pages(path, n_pages=30, per_page=50):
    """twarc2-style pages where each page repeats the last 5 tweets of the previous one."""
    with open(path, "wb") as fh:
        for page in range(n_pages):
            start = max(0, page * per_page - 5)
            tweets = [{"id": str(10_000 + i), "author_id": str(i % 37), "created_at": 1_700_000_000 + i,
                       "text": f"post {i} #t{i % 3}", "entities": {"hashtags": [{"tag": f"t{i % 3}"}]}}
                      for i in range(start, (page + 1) * per_page)]
            users = [{"id": str(u), "username": f"user{u}", "public_metrics": {"followers_count": u}}
                     for u in sorted({int(t["author_id"]) for t in tweets})]
            fh.write(orjson.dumps({"data": tweets, "includes": {"users": users}}) + b"\n")


def test_batches_are_bounded_and_equal_the_full_read(tmp_path):
    path = tmp_path / "pages.jsonl"
    write_pages(path)
    stats = LoadStats()
    batches = list(iter_post_batches(path, batch_size=64, stats=stats))
    assert all(len(p) <= 64 for p, _ in batches)
    posts = pd.concat([p for p, _ in batches], ignore_index=True)
    assert posts["post_id"].is_unique and len(posts) == 1500
    assert stats.duplicates == 29 * 5 and stats.kept == 1500
    full = read_posts(path)
    pd.testing.assert_frame_equal(posts, full.posts)
    accounts = pd.concat([a for _, a in batches], ignore_index=True)
    assert accounts["account_id"].is_unique and len(accounts) == 37
    assert accounts["followers_count"].notna().all()


def test_authors_without_profile_are_accounts_too(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"id": "1", "author_id": "a", "created_at": "2022-01-01T00:00:00Z", "text": "x"}\n')
    (p, a), = list(iter_post_batches(path))
    assert a["account_id"].tolist() == ["a"] and a["handle"].isna().all()


def test_no_dedupe_keeps_every_copy(tmp_path):
    path = tmp_path / "pages.jsonl"
    write_pages(path, n_pages=3, per_page=10)
    res = read_posts(path, dedupe=False)
    assert len(res.posts) == 30 + 2 * 5 and res.summary()["duplicates"] == 0


def test_progress_reports_bytes(tmp_path):
    path = tmp_path / "pages.jsonl"
    write_pages(path, n_pages=5)
    seen = []
    read_posts(path, batch_size=50, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size


def test_streamed_shares_equal_the_whole_table_for_every_batch_size():
    from coordgraph.loader import reshape, stack_intents
    from coordgraph.loader.stream import shares_from_batches

    from .conftest import DATA

    paths = [DATA / "twarc2", DATA / "snscrape", DATA / "academic", DATA / "twitter_v1"]
    intents = ["retweets", "quotes", "replies", "mentions", "hashtags", "urls", "urls_domains", "cotweet", "images"]
    posts = read_posts(paths).posts
    whole = stack_intents(posts, intents)
    for size in (1, 2, 3, 1000):
        streamed = shares_from_batches(iter_post_batches(paths, batch_size=size), intents)
        pd.testing.assert_frame_equal(whole, streamed)
        for intent in ("retweets", "urls"):  # originals across batches; batches without any URL
            one = shares_from_batches(iter_post_batches(paths, batch_size=size), [intent])
            pd.testing.assert_frame_equal(reshape(posts, intent), one)


def test_streaming_refuses_the_similarity_intents():
    import pytest

    from coordgraph.loader import LoaderError
    from coordgraph.loader.stream import shares_from_batches

    with pytest.raises(LoaderError, match="needs all posts at once"):
        shares_from_batches([], ["hashtags", "similar_text"])
