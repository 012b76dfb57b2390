"""Trend statistics stored in the real embedded FalkorDB and read back through the query files."""
from __future__ import annotations

import math

import numpy as np
import pytest

from coordgraph.analysis.trend_simulate import simulate_trend_pair
from coordgraph.analysis.trends import (
    TrendAccumulator, common_users, trend_stats,
)
from coordgraph.cypher.trend_store import (
    load_trend_stats, save_trend_stats, save_trends, stored_common_users, stored_comparison,
    stored_top_accounts, stored_volume,
)
from tests.analysis.naive import naive_trend_stats


@pytest.fixture(scope="module")
def pair():
    return simulate_trend_pair(seed=9, organic_accounts=300, background_accounts=100,
                               campaign_accounts=10, bursts=3, shared_accounts=25)


def _same(stored: dict, computed: dict) -> None:
    for k, v in computed.items():
        if k == "trend":
            continue
        if isinstance(v, float) and math.isnan(v):
            assert stored.get(k) is None, k            # NaN is stored as absent
        elif isinstance(v, float):
            assert stored[k] == pytest.approx(v, rel=1e-9), k
        else:
            assert stored[k] == v, k


def test_saved_statistics_read_back_equal(store, pair):
    trends = [pair.organic, pair.inflated]
    written = save_trend_stats(store, pair.posts, trends, pair.accounts, pair.coordinated_accounts,
                               batch_size=100)
    assert written[pair.inflated] == naive_trend_stats(pair.posts, pair.inflated)["accounts"]
    stored = load_trend_stats(store)
    assert set(stored) == set(trends)
    for t in trends:
        # the headline statistics equal the definitions worked out row by row ...
        naive = naive_trend_stats(pair.posts, t, pair.accounts, pair.coordinated_accounts)
        _same(stored[t], naive)
        # ... and every other statistic survives the round trip through the store unchanged
        _same(stored[t], trend_stats(pair.posts, t, pair.accounts, pair.coordinated_accounts))
    table = stored_comparison(store, trends)
    assert table.loc["posts"].tolist() == [naive_trend_stats(pair.posts, t)["posts"] for t in trends]
    vol = stored_volume(store, pair.inflated)
    inflated = pair.posts[pair.posts["hashtags"].map(lambda tags: "inflatedday" in tags)]
    first_hour = int(inflated["ts"].min()) // 3600
    per_hour = [0] * (int(inflated["ts"].max()) // 3600 - first_hour + 1)  # every hour, zeros kept
    for ts in inflated["ts"]:
        per_hour[int(ts) // 3600 - first_hour] += 1
    assert vol["posts"].tolist() == per_hour


def test_common_users_and_top_accounts_in_cypher(store, pair):
    save_trend_stats(store, pair.posts, [pair.organic, pair.inflated])
    got = stored_common_users(store, pair.organic, pair.inflated)
    want = common_users(pair.posts, pair.organic, pair.inflated)
    assert got["count"] == want["count"] == 25
    assert got["jaccard_pct"] == pytest.approx(want["jaccard_pct"])
    top = stored_top_accounts(store, pair.inflated, limit=5)
    counts = pair.posts[pair.posts["hashtags"].map(lambda h: "inflatedday" in h)]["account_id"].value_counts()
    assert top["posts"].tolist() == counts.head(5).tolist()
    assert set(top["account_id"]) <= pair.coordinated_accounts    # the campaign posts most


def test_saving_a_stream_after_each_batch_converges_to_one_shot(store, pair):
    """Saving the accumulator after every batch overwrites with totals: no double counting."""
    acc = TrendAccumulator([pair.inflated])
    for idx in np.array_split(np.arange(len(pair.posts)), 3):
        acc.add(pair.posts.iloc[idx])
        save_trends(store, acc, pair.accounts, pair.coordinated_accounts)
    stored = load_trend_stats(store, pair.inflated)[pair.inflated]
    _same(stored, trend_stats(pair.posts, pair.inflated, pair.accounts, pair.coordinated_accounts))
    rows = store.read("MATCH (a:Account)-[p:IN_TREND]->(:Trend {id: $t}) RETURN toInteger(sum(p.posts)) AS n",
                      {"t": pair.inflated})
    assert rows[0]["n"] == stored["posts"]


def test_nan_statistic_is_removed_when_it_becomes_undefined(store, pair):
    save_trend_stats(store, pair.posts, [pair.inflated], coordinated_accounts=pair.coordinated_accounts)
    assert load_trend_stats(store, pair.inflated)[pair.inflated]["coordinated_posts_pct"] > 0
    save_trend_stats(store, pair.posts, [pair.inflated])           # no coordinated set now
    assert "coordinated_posts_pct" not in load_trend_stats(store, pair.inflated)[pair.inflated]
    with pytest.raises(KeyError, match="#nothing"):
        stored_comparison(store, ["#nothing"])


def test_trend_queries_document_every_parameter():
    import re

    from coordgraph.cypher.dialect import QUERY_DIR, parse_header

    paths = sorted(QUERY_DIR.glob("trend_*.cypher"))
    assert len(paths) == 5
    for path in paths:
        text = path.read_text()
        body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
        used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", body))
        assert used and used <= set(parse_header(text)), path.name
