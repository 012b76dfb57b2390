"""Pacheco et al.'s cosine projection on a hand-worked 4-account case.

a: x, y    b: x, y    c: x, z    d: z, w        (one share each; e has a single feature)
Raw counts: cos(a,b) = 1, cos(a,c) = cos(b,c) = cos(c,d) = 1/2, a-d and b-d share nothing.
TF-IDF (n = 4, tf = 1): idf = ln(5 / (1 + df)) + 1 with df x=3, y=2, z=2, w=1, so
cos(a,c) = ix^2 / (ix^2 + iy^2), cos(c,d) = iz^2 / sqrt((ix^2 + iz^2)(iz^2 + iw^2)).
"""
import math

import pandas as pd
import pytest

from coordgraph.analysis.methods.cosine import account_features, cosine_network

IX, IY, IW = (math.log(5 / (1 + df)) + 1 for df in (3, 2, 1))
IZ = IY


@pytest.fixture
def shares():
    rows = [("x", "a"), ("y", "a"), ("x", "b"), ("y", "b"), ("x", "c"), ("z", "c"), ("z", "d"), ("w", "d"),
            ("x", "e")]
    frame = pd.DataFrame(rows, columns=["object_id", "account_id"])
    frame["content_id"] = [f"p{i}" for i in range(len(frame))]
    frame["timestamp_share"] = range(len(frame))
    return frame


def as_dict(net):
    return {(a, b): (round(w, 9), int(f)) for a, b, w, f in net[["account_id", "account_id_y", "weight",
                                                                   "weight_threshold"]].itertuples(index=False)}


def test_raw_counts_top_quarter(shares):
    # weights 1, .5, .5, .5: type-7 quantile at .75 = .5 + .25 * .5 = .625 -> only a-b flagged; e dropped
    net = cosine_network(account_features(shares), tfidf=False, top_percentile=0.75)
    assert as_dict(net) == {("a", "b"): (1.0, 1), ("a", "c"): (0.5, 0), ("b", "c"): (0.5, 0), ("c", "d"): (0.5, 0)}
    assert net["support"].tolist() == [2, 2, 2, 2]


def test_tfidf_weights(shares):
    ac = IX ** 2 / (IX ** 2 + IY ** 2)
    cd = IZ ** 2 / math.sqrt((IX ** 2 + IZ ** 2) * (IZ ** 2 + IW ** 2))
    net = cosine_network(account_features(shares), tfidf=True, threshold=0.45)
    assert as_dict(net) == {("a", "b"): (1.0, 1), ("a", "c"): (round(ac, 9), 0), ("b", "c"): (round(ac, 9), 0),
                            ("c", "d"): (round(cd, 9), 1)}


def test_top_k_per_row(shares):
    # top 1: a->b, b->a, c->d (.481 > .396), d->c: pairs a-b and c-d only
    net = cosine_network(account_features(shares), tfidf=True, top_k=1, top_percentile=None)
    assert set(as_dict(net)) == {("a", "b"), ("c", "d")}
    assert net["weight_threshold"].tolist() == [1, 1]


def test_support_filter_and_time_bins(shares):
    # support > 2 keeps nobody (each account has 2 shares)
    assert cosine_network(account_features(shares), min_support=2).empty
    # time bins of 4 s: a (0,1) -> bin 0; b (2,3) -> 0; c (4,5) -> 1; d (6,7) -> 1; each one feature, count 2
    feats = account_features(shares, "time_bin", bin_seconds=4)
    assert sorted(map(tuple, feats.values.tolist())) == [("a", "0", 2), ("b", "0", 2), ("c", "1", 2),
                                                        ("d", "1", 2), ("e", "2", 1)]
    net = cosine_network(feats, tfidf=False, min_features=1, top_percentile=None)
    assert as_dict(net) == {("a", "b"): (1.0, 1), ("c", "d"): (1.0, 1)}


def test_hashtag_sequence():
    shares = pd.DataFrame({"object_id": ["h1", "h2", "h1", "h2", "h2", "h1"],
                           "account_id": ["a", "a", "b", "b", "c", "c"],
                           "content_id": ["p1", "p1", "p2", "p2", "p3", "p3"], "timestamp_share": [0] * 6})
    feats = account_features(shares, "hashtag_sequence")
    assert sorted(map(tuple, feats.values.tolist())) == [("a", "h1 h2", 1), ("b", "h1 h2", 1), ("c", "h2 h1", 1)]


def test_sparse_and_dense_routes_agree(monkeypatch):
    """The two ways of computing the top-k projection give the same edges (ties included:
    counts make many equal similarities)."""
    import numpy as np

    from coordgraph.analysis.methods import cosine

    rng = np.random.default_rng(2)
    shares = pd.DataFrame({"object_id": rng.integers(0, 40, 3000).astype(str),
                           "account_id": rng.integers(0, 400, 3000).astype(str)})
    shares["content_id"] = [f"p{i}" for i in range(len(shares))]
    shares["timestamp_share"] = 0
    feats = account_features(shares)
    runs = []
    for fraction in (0.0, float("inf")):  # dense, then sparse
        monkeypatch.setattr(cosine, "DENSE_FRACTION", fraction)
        runs.append(cosine_network(feats, top_k=5, block_rows=64, top_percentile=0.9))
    dense, sparse = runs
    assert len(dense) > 400
    pd.testing.assert_frame_equal(dense[["account_id", "account_id_y", "weight_threshold"]],
                                  sparse[["account_id", "account_id_y", "weight_threshold"]])
    assert np.allclose(dense["weight"], sparse["weight"], atol=1e-12)


def test_max_df_drops_popular_features(shares):
    # x is in 3 of 4 accounts (> 0.5): left a = (y), b = (y), c = (z), d = (z, w) -> a-b 1, c-d 1/sqrt(2)
    net = cosine_network(account_features(shares), tfidf=False, min_features=1, max_df=0.5, top_percentile=None)
    assert as_dict(net) == {("a", "b"): (1.0, 1), ("c", "d"): (round(1 / math.sqrt(2), 9), 1)}
