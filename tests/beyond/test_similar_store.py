"""The similar_text / similar_images intents through the graph store like any other intent:
ingest their shares, analyze, and get the same edges as the analysis core."""
from __future__ import annotations

import pandas as pd

from coordgraph.analysis import coordinated_network, detect_groups
from coordgraph.cypher.analyze import analyze, run_edges
from coordgraph.cypher.ingest import ingest
from coordgraph.loader.similar_images import similar_image_shares
from coordgraph.loader.similar_text import similar_text_shares

COLS = ["object_id", "account_id", "content_id", "timestamp_share"]


def _posts() -> pd.DataFrame:
    """Three accounts post variants of two texts (and near copies of two images) within
    seconds, twice; three others post unrelated texts and images at the same moments."""
    rows = []
    texts = ["Stop the new tax on bread now, share if you agree with us friends",
             "The mayor lied about the budget, everyone must see this report today"]
    images = ["a5a5a5a5a5a5a5a5", "0f0f0f0f12345678"]
    for k, (text, image) in enumerate(zip(texts, images)):
        for j, acc in enumerate(["c1", "c2", "c3"]):
            flipped = f"{int(image, 16) ^ (1 << (7 * j)):016x}"  # 1 bit off for c2, c3
            rows.append((f"p{k}{j}", acc, 1000 * (k + 1) + 3 * j, text.upper() if j else text + " !!", [flipped]))
        for j, acc in enumerate(["u1", "u2", "u3"]):
            rows.append((f"q{k}{j}", acc, 1000 * (k + 1) + j, f"my own words number {k} {j} about {acc}",
                         [f"{(k * 3 + j + 1) * 0x1111111111111111:016x}"]))
    return pd.DataFrame(rows, columns=["post_id", "account_id", "ts", "text", "image_hashes"])


def test_similar_intents_in_the_store_equal_the_analysis_core(store):
    posts = _posts()
    campaign = {frozenset(p) for p in [("c1", "c2"), ("c1", "c3"), ("c2", "c3")]}
    for kind, shares in (("similar_text", similar_text_shares(posts)),
                         ("similar_images", similar_image_shares(posts))):
        local = coordinated_network(detect_groups(shares[COLS], time_window=10)).edges
        assert {frozenset(p) for p in zip(local["account_id"], local["account_id_y"])} == campaign, kind
        ingest(store, shares=shares, kind=kind)
        run = analyze(store, intents=[kind], time_window=10, min_participation=2)
        stored = run_edges(store, run.run_id)
        assert {frozenset(p) for p in zip(stored["account_id"], stored["account_id_y"])} == campaign, kind
        assert sorted(stored["weight"]) == sorted(local["weight"]) == [2, 2, 2]
    kinds = store.read("MATCH (o:Object) RETURN DISTINCT o.kind AS kind ORDER BY kind")
    assert [r["kind"] for r in kinds] == ["similar_images", "similar_text"]
