"""similar_images: multi-index hashing equals all pairs; groups, object ids, shares, errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coordgraph.loader.similar_images import chunk_bounds, near_pairs, similar_image_groups, similar_image_shares


def _brute(hashes: np.ndarray, d: int) -> list[tuple[int, int]]:
    dist = np.bitwise_count(hashes[:, None] ^ hashes[None, :])
    i, j = np.nonzero(np.triu(dist <= d, 1))
    return list(zip(i.tolist(), j.tolist()))


def test_chunks_cover_64_bits():
    for d in (0, 1, 4, 7, 10):
        bounds = chunk_bounds(d)
        assert len(bounds) == d + 1
        assert sum(w for _, w in bounds) == 64 and bounds[0][0] == 0
        assert all(s1 + w1 == s2 for (s1, w1), (s2, _) in zip(bounds, bounds[1:]))


@pytest.mark.parametrize("d", [0, 2, 4, 6])
def test_near_pairs_equal_all_pairs(d):
    rng = np.random.default_rng(d)
    base = rng.integers(0, 2**63, size=600, dtype=np.int64).astype(np.uint64) * np.uint64(2) + np.uint64(1)
    # near copies at every distance 1..d+2, bits anywhere (including the top bit)
    copies = []
    for k in range(1, d + 3):
        for h in base[:80]:
            bits = rng.choice(64, size=k, replace=False)
            copies.append(h ^ np.bitwise_or.reduce(np.uint64(1) << bits.astype(np.uint64)))
    hashes = np.unique(np.r_[base, np.array(copies, dtype=np.uint64)])
    got = [tuple(p) for p in near_pairs(hashes, d).tolist()]
    want = _brute(hashes, d)
    assert len(want) > 80 or d == 0  # distinct hashes are never 0 bits apart
    assert got == want


def test_groups_object_ids_and_shares():
    posts = pd.DataFrame({
        "post_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "account_id": ["a", "b", "c", "d", "e", "f"],
        "ts": [10, 12, 15, 20, 30, 40],
        "image_hashes": [
            ["ff00ff00ff00ff00"],
            ["0xff00ff00ff00ff01", "ff00ff00ff00ff00"],  # 1 bit away, and the same again
            ["FF00FF00FF00FF0F"],   # 4 bits from p1 (kept at d=4), 3 from p2's first
            ["00000000000000ff"],   # far from all
            [],
            None,
        ],
        "retweeted_id": [None, None, None, None, None, "p1"],
    })
    g = similar_image_groups(posts)
    assert len(g) == 5
    assert set(g.loc[g["post_id"].isin(["p1", "p2", "p3"]), "object_id"]) == {"ff00ff00ff00ff00"}  # most shared
    assert g.loc[g["post_id"] == "p4", "object_id"].item() == "00000000000000ff"
    shares = similar_image_shares(posts)
    assert len(shares) == 4  # p2's two images of one group count once
    assert (shares["kind"] == "similar_images").all()
    assert list(shares.columns) == ["object_id", "account_id", "content_id", "timestamp_share", "kind"]
    # at distance 0 only identical hashes group
    exact = similar_image_shares(posts, max_distance=0)
    assert exact["object_id"].nunique() == 4


def test_bad_hash_names_row_and_field():
    posts = pd.DataFrame({"post_id": ["p1", "p2"], "account_id": ["a", "b"], "ts": [1, 2],
                          "image_hashes": [["ab"], ["not-hex"]]})
    with pytest.raises(ValueError, match="row 1: field 'image_hashes': 'not-hex'"):
        similar_image_shares(posts)
    with pytest.raises(ValueError, match="max_distance"):
        near_pairs(np.zeros(2, dtype=np.uint64), 64)
