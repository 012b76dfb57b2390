"""Speed and memory of trend statistics, the stream accumulator and account influence.

Data (:func:`synthetic_posts`, fixed seed): ``n`` posts over a week by n/5 accounts
(log-normal activity), each carrying one of 50 hashtags (Zipf popularity) and sometimes a
second; 35 % retweets of an earlier post, 8 % quotes, 12 % replies (so cascades are deep);
texts drawn from n/3 distinct sentences (copies arise); engagement counters Poisson.

Timed per size, each in its own subprocess (peak RSS is that run's alone):
- ``trend_stats`` of the most popular hashtag;
- ``compare_trends`` of the 5 most popular hashtags;
- ``TrendAccumulator`` over 10 batches, 5 trends (the stream path), per batch;
- ``account_influence`` over all posts (cascades + score).

    python -m bench.bench_trends                 # 100k and 1M posts
    python -m bench.bench_trends --sizes 100k 1M 3M
Writes bench/results/trends.csv and prints a markdown table.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).parent / "results"


def synthetic_posts(n: int, seed: int = 1) -> pd.DataFrame:
    """A posts table of ``n`` posts (docs/contracts.md columns), built with numpy."""
    rng = np.random.default_rng(seed)
    n_acc = max(10, n // 5)
    activity = rng.lognormal(0, 1.2, n_acc)
    owner = rng.choice(n_acc, n, p=activity / activity.sum())
    ts = np.sort(rng.integers(1_556_668_800, 1_556_668_800 + 7 * 86_400, n))
    pop = 1.0 / np.arange(1, 51)
    tag = rng.choice(50, n, p=pop / pop.sum())
    second = rng.choice(50, n)
    has_second = rng.random(n) < 0.3
    kind = rng.random(n)
    idx = np.arange(n)
    parent = (idx * rng.random(n)).astype(np.int64)       # an earlier post
    ids = np.char.add("p", idx.astype(str)).astype(object)
    is_rt, is_q, is_r = kind < 0.35, (kind >= 0.35) & (kind < 0.43), (kind >= 0.43) & (kind < 0.55)
    ref = lambda m: np.where(m & (idx > 0), ids[parent], None)  # noqa: E731
    sentences = rng.integers(0, max(1, n // 3), n)
    hashtags = [[f"tag{a}", f"tag{b}"] if h else [f"tag{a}"] for a, b, h in zip(tag, second, has_second)]
    return pd.DataFrame({
        "post_id": ids, "account_id": np.char.add("u", owner.astype(str)).astype(object), "ts": ts,
        "text": np.char.add("sentence number ", sentences.astype(str)).astype(object),
        "platform": "twitter", "retweet_count": rng.poisson(2, n), "like_count": rng.poisson(3, n),
        "quote_count": rng.poisson(0.2, n), "reply_count": rng.poisson(0.5, n),
        "retweeted_id": ref(is_rt), "quoted_id": ref(is_q), "replied_to_id": ref(is_r),
        "replied_to_account_id": None, "hashtags": hashtags,
        "place": np.where(rng.random(n) < 0.1, rng.choice(["IN", "US", "FR", "GB"], n), None),
    })


def run_one(n: int) -> dict:
    """Time every step on ``n`` posts; return the figures."""
    from coordgraph.analysis.influence import account_influence
    from coordgraph.analysis.trends import TrendAccumulator, compare_trends, trend_stats

    t = time.perf_counter()
    posts = synthetic_posts(n)
    gen = time.perf_counter() - t
    trends = [f"#tag{i}" for i in range(5)]
    t = time.perf_counter()
    one = trend_stats(posts, "#tag0")
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    table = compare_trends(posts, trends)
    t_cmp = time.perf_counter() - t
    acc = TrendAccumulator(trends)
    t = time.perf_counter()
    for batch in np.array_split(np.arange(n), 10):
        acc.add(posts.iloc[batch])
    t_acc = time.perf_counter() - t
    same = all(acc.stats(tr)["duplicate_text_posts"] == table.loc["duplicate_text_posts", tr]
               and acc.stats(tr)["posts"] == table.loc["posts", tr] for tr in trends)
    t = time.perf_counter()
    infl = account_influence(posts)
    t_infl = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"posts": n, "generate_s": round(gen, 2), "trend_stats_s": round(t_one, 2),
            "trend_posts": one["posts"], "compare5_s": round(t_cmp, 2),
            "accumulator10_s": round(t_acc, 2), "accumulator_equal": same,
            "influence_s": round(t_infl, 2), "accounts": len(infl),
            "max_cascade_depth": int(infl["cascade_depth"].max()), "peak_rss_mib": round(rss)}


def _size(text: str) -> int:
    text = text.lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["100k", "1M"])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for s in args.sizes:
        out = subprocess.run([sys.executable, "-m", "bench.bench_trends", "--one", str(_size(s))],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    frame = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    frame.to_csv(RESULTS / "trends.csv", index=False)
    cols = list(frame.columns)
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in frame.itertuples(index=False):
        print("| " + " | ".join(str(v) for v in row) + " |")


if __name__ == "__main__":
    main()
