"""similar_text: normalisation, exact grouping against all-pairs Jaccard, shares, detection."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coordgraph.analysis import coordinated_network, detect_groups
from coordgraph.loader.similar_text import (
    exact_similar_pairs,
    group_token_sets,
    jaccard,
    lsh_bands,
    similar_text_groups,
    similar_text_shares,
    text_tokens,
)


def _posts(texts, accounts=None, ts=None, retweeted=None):
    n = len(texts)
    return pd.DataFrame({
        "post_id": [f"p{i}" for i in range(n)],
        "account_id": accounts or [f"a{i}" for i in range(n)],
        "ts": np.asarray(ts if ts is not None else np.arange(n) * 100, dtype="int64"),
        "text": texts,
        "retweeted_id": retweeted or [None] * n,
    })


def test_text_tokens_removes_urls_mentions_rt_and_case():
    assert text_tokens("RT @bob: Vote NOW! #Election https://t.co/x www.a.org") == ["vote", "now", "election"]
    assert text_tokens("mail me@x.org") == ["mail", "me", "x", "org"]  # not a mention: no word start
    assert text_tokens(None) == [] and text_tokens("") == []


def test_lsh_bands_reach_the_recall_target():
    b, r = lsh_bands(0.8, 128)
    assert (b, r) == (18, 7)
    assert 1 - (1 - 0.8**r) ** b >= 0.98
    b9, r9 = lsh_bands(0.9, 128)
    assert r9 > r  # a higher threshold affords longer bands


def test_exact_pairs_equal_brute_force():
    rng = np.random.default_rng(3)
    base = [frozenset(rng.choice(60, size=rng.integers(4, 15), replace=False).tolist()) for _ in range(80)]
    sets = base + [frozenset(list(s)[:-1]) for s in base[:40]]  # near copies: one token fewer
    sets = list(dict.fromkeys(frozenset(map(str, s)) for s in sets))
    brute = sorted((i, j) for i in range(len(sets)) for j in range(i + 1, len(sets)) if jaccard(sets[i], sets[j]) >= 0.8)
    assert brute  # the case is not empty
    assert [tuple(p) for p in exact_similar_pairs(sets, 0.8).tolist()] == brute


def test_groups_contain_every_exact_pair_and_only_linked_sets():
    rng = np.random.default_rng(5)
    vocab = [f"w{i}" for i in range(400)]
    sets = []
    for _ in range(60):  # 60 templates x 6 variants that drop or replace a token
        t = list(rng.choice(vocab, size=20, replace=False))
        sets.append(frozenset(t))
        for _ in range(5):
            v = list(t)
            v[rng.integers(20)] = vocab[rng.integers(400)]
            sets.append(frozenset(v))
    sets += [frozenset(rng.choice(vocab, size=12, replace=False).tolist()) for _ in range(300)]
    sets = list(dict.fromkeys(sets))
    groups = group_token_sets(sets, 0.8)
    exact = exact_similar_pairs(sets, 0.8)
    g = groups.group
    assert len(exact) > 300
    assert (g[exact[:, 0]] == g[exact[:, 1]]).all()
    # components of the exact pairs are exactly the LSH groups (no false merges: all links verified)
    import igraph as ig
    comp = np.asarray(ig.Graph(n=len(sets), edges=exact.tolist()).connected_components().membership)
    assert len(set(zip(comp.tolist(), g.tolist()))) == len(set(comp.tolist())) == len(set(g.tolist()))
    assert groups.min_link.min() >= 0.8


def test_similar_text_groups_object_ids_and_filters():
    texts = [
        "Vote for Bob today he is the best candidate for the city",          # p0
        "RT @z: vote for bob today, he is the best candidate for the city!",  # p1 same set as p0
        "@q Vote for Bob today, he is the best candidate for our city",       # p2 one word differs
        "Completely unrelated text about cats and dogs",                      # p3 alone
        "too short",                                                          # p4 < 3 tokens
        "Vote for Bob today he is the best candidate for the city",          # p5 a retweet: dropped
    ]
    posts = _posts(texts, retweeted=[None] * 5 + ["p0"])
    g = similar_text_groups(posts)
    assert g["post_id"].tolist() == ["p0", "p1", "p2", "p3"]
    ids = dict(zip(g["post_id"], g["object_id"]))
    assert ids["p0"] == ids["p1"] == ids["p2"] == "vote for bob today he is the best candidate for the city"
    assert ids["p3"] != ids["p0"]
    assert g.set_index("post_id").loc["p2", "group_size"] == 3
    shares = similar_text_shares(posts)
    assert list(shares.columns) == ["object_id", "account_id", "content_id", "timestamp_share", "kind"]
    assert (shares["kind"] == "similar_text").all() and shares["timestamp_share"].dtype == np.int64
    with_rt = similar_text_shares(posts, include_retweets=True)
    assert len(with_rt) == 5


def test_bad_posts_name_the_field():
    with pytest.raises(ValueError, match="missing column.*text"):
        similar_text_shares(pd.DataFrame({"post_id": ["1"], "account_id": ["a"], "ts": [1]}))
    posts = _posts(["a b c", "a b c"])
    posts.loc[1, "account_id"] = None
    with pytest.raises(ValueError, match="row 1: field 'account_id'"):
        similar_text_shares(posts)


def test_near_duplicate_campaign_is_detected_like_any_intent():
    """Three accounts post variants of one text within seconds, twice; others post unrelated
    texts. The similar_text shares give exactly the campaign's edges; exact texts would not."""
    msgs = ["Stop the new tax on bread now, share if you agree with us friends",
            "The mayor lied about the budget, everyone must see this report today"]
    texts, accounts, ts = [], [], []
    for k, msg in enumerate(msgs):
        words = msg.split()
        for j, acc in enumerate(["c1", "c2", "c3"]):
            variant = list(words)
            variant[j] = variant[j].upper() + "!!"  # case and punctuation: same token
            if j == 2:
                variant.append("pls")  # one extra token: Jaccard 12/13
            texts.append(" ".join(variant) + f" https://t.co/{k}{j}")
            accounts.append(acc)
            ts.append(1000 * (k + 1) + 3 * j)
    for i in range(10):
        texts.append(f"unrelated post number {i} about gardening topic {i * 7}")
        accounts.append(f"u{i % 3}")
        ts.append(1000 + i)
    posts = _posts(texts, accounts, ts)
    from coordgraph.loader.text import normalize_text

    assert len({normalize_text(t) for t in texts[:3]}) == 3  # the cotweet intent sees 3 objects
    shares = similar_text_shares(posts)
    assert shares.loc[shares["account_id"].str.startswith("c"), "object_id"].nunique() == 2
    result = detect_groups(shares[["object_id", "account_id", "content_id", "timestamp_share"]], time_window=10)
    edges = coordinated_network(result).edges
    pairs = {frozenset(p) for p in zip(edges["account_id"], edges["account_id_y"])}
    assert pairs == {frozenset(p) for p in [("c1", "c2"), ("c1", "c3"), ("c2", "c3")]}
    assert set(edges["weight"]) == {2}


def test_signatures_equal_datasketch_minhash():
    from datasketch import MinHash

    from coordgraph.loader.similar_text import minhash_signatures

    rng = np.random.default_rng(0)
    sets = [frozenset(f"t{x}" for x in rng.integers(0, 500, size=rng.integers(1, 30))) for _ in range(200)]
    sets += [frozenset(["é", "日本", "x"]), frozenset()]
    sig = minhash_signatures(sets, num_perm=64, seed=3, block_tokens=97)  # many small blocks
    for row, s in zip(sig, sets):
        m = MinHash(num_perm=64, seed=3)
        m.update_batch([t.encode("utf-8") for t in s])
        assert (row == m.hashvalues).all()
