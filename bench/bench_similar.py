"""Near-duplicate text and images: recall against the exact answer, and time at scale.

Why: the ``similar_text`` intent is only worth having if MinHash-LSH finds (almost) every
pair an exact all-pairs Jaccard would find, and runs on a million posts in minutes (the
field's pairwise tools take hours). Targets (issue 8): recall >= 0.99 at similarity 0.8 on a
50k-post sample; under 5 minutes for 1M posts on the 2-core reference machine.

Data (:func:`synthetic_posts`): background posts of 8-30 Zipf-distributed words from a
50,000-word vocabulary, plus campaign posts (``campaign_share`` of all): copies of templates
in which each word is replaced with probability ``mutation`` and a link, a mention or an
``RT`` prefix is sometimes added — so variant pairs straddle the 0.8 threshold, where LSH is
weakest. Fixed seeds.

Recall: over distinct token sets of the sample, the pairs with exact Jaccard >= 0.8 (exact
prefix-filtered all pairs, :func:`exact_similar_pairs`) that the LSH grouping puts in the same
object, divided by all such pairs. Also reported: pairs found directly as LSH candidates.

    python -m bench.bench_similar --recall-posts 50000 --time-posts 1000000
    python -m bench.bench_similar --images 200000
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import pandas as pd
import psutil

from coordgraph.loader.similar_text import (
    exact_similar_pairs,
    group_token_sets,
    lsh_bands,
    similar_text_shares,
    text_tokens,
)

T0 = 1_700_000_000  # UNIX seconds, UTC


def synthetic_posts(
    n: int,
    campaign_share: float = 0.2,
    posts_per_template: int = 40,
    mutation: float = 0.06,
    vocab: int = 50_000,
    seed: int = 7,
) -> pd.DataFrame:
    """Posts table (post_id, account_id, ts, text, retweeted_id) with planted near-duplicates."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i}" for i in range(vocab)])
    p = 1.0 / np.arange(1, vocab + 1) ** 1.05
    p /= p.sum()
    n_campaign = int(n * campaign_share)
    n_background = n - n_campaign
    lengths = rng.integers(8, 31, size=n_background)
    flat = words[rng.choice(vocab, size=int(lengths.sum()), p=p)]
    cuts = np.cumsum(lengths)[:-1]
    texts = [" ".join(chunk) for chunk in np.split(flat, cuts)]
    n_templates = max(1, n_campaign // posts_per_template)
    templates = [words[rng.choice(vocab, size=rng.integers(12, 31), p=p)] for _ in range(n_templates)]
    which = rng.integers(0, n_templates, size=n_campaign)
    for t in which.tolist():
        toks = templates[t].copy()
        hit = rng.random(len(toks)) < mutation
        toks[hit] = words[rng.integers(0, vocab, size=int(hit.sum()))]
        text = " ".join(toks)
        r = rng.random()
        if r < 0.2:
            text = f"RT @user{rng.integers(1000)}: {text}"
        elif r < 0.4:
            text = f"{text} https://t.co/{rng.integers(1 << 30):x}"
        texts.append(text)
    order = rng.permutation(n)
    return pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(n)],
            "account_id": [f"a{i}" for i in rng.integers(0, max(1, n // 20), size=n)],
            "ts": (T0 + np.sort(rng.integers(0, 30 * 86_400, size=n))).astype("int64"),
            "text": [texts[i] for i in order],
            "retweeted_id": pd.Series([None] * n, dtype="object"),
        }
    )


def measure_recall(posts: pd.DataFrame, similarity: float = 0.8, num_perm: int = 128, seed: int = 1) -> dict:
    """Recall of the LSH grouping against exact all-pairs Jaccard over distinct token sets."""
    sets = list(dict.fromkeys(frozenset(text_tokens(t)) for t in posts["text"]))
    sets = [s for s in sets if len(s) >= 3]
    t = time.perf_counter()
    exact = exact_similar_pairs(sets, similarity)
    t_exact = time.perf_counter() - t
    t = time.perf_counter()
    groups = group_token_sets(sets, similarity, num_perm, seed)
    t_lsh = time.perf_counter() - t
    g = groups.group
    same = int((g[exact[:, 0]] == g[exact[:, 1]]).sum()) if len(exact) else 0
    sizes = np.bincount(g)
    return {
        "posts": len(posts),
        "distinct_sets": len(sets),
        "exact_pairs": int(len(exact)),
        "pairs_grouped": same,
        "recall": same / len(exact) if len(exact) else 1.0,
        "lsh_bands_rows": lsh_bands(similarity, num_perm),
        "candidates_checked": groups.n_candidates,
        "links_verified": groups.n_verified,
        "groups_with_2plus_sets": int((sizes > 1).sum()),
        "largest_group_sets": int(sizes.max()),
        "seconds_exact": round(t_exact, 2),
        "seconds_lsh": round(t_lsh, 2),
    }


def measure_time(posts: pd.DataFrame, similarity: float = 0.8) -> dict:
    """Wall time and peak RSS of ``similar_text_shares`` on the whole table."""
    proc = psutil.Process(os.getpid())
    rss0 = proc.memory_info().rss
    t, cpu = time.perf_counter(), time.process_time()
    shares = similar_text_shares(posts, similarity=similarity)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "posts": len(posts),
        "shares": len(shares),
        "objects": int(shares["object_id"].nunique()),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "rss_gib_after": round(proc.memory_info().rss / 2**30, 2),
        "rss_gib_before": round(rss0 / 2**30, 2),
    }


def measure_images(n: int, max_distance: int = 4, seed: int = 3) -> dict:
    """Time of ``similar_image_shares`` on ``n`` posts with one hash each (30% near copies)."""
    from coordgraph.loader.similar_images import similar_image_shares

    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**63, size=max(1, n // 4), dtype=np.int64).astype(np.uint64)
    pick = base[rng.integers(0, len(base), size=n)]
    flips = rng.integers(0, 64, size=(n, 2)).astype(np.uint64)
    near = rng.random(n) < 0.3
    hashes = np.where(near, pick ^ (np.uint64(1) << flips[:, 0]) ^ (np.uint64(1) << flips[:, 1]), rng.integers(0, 2**63, size=n, dtype=np.int64).astype(np.uint64))
    posts = pd.DataFrame(
        {
            "post_id": [f"p{i}" for i in range(n)],
            "account_id": [f"a{i % 5000}" for i in range(n)],
            "ts": np.arange(n, dtype="int64") + T0,
            "image_hashes": [[f"{h:016x}"] for h in hashes.tolist()],
        }
    )
    t, cpu = time.perf_counter(), time.process_time()
    shares = similar_image_shares(posts, max_distance=max_distance)
    return {
        "posts": n,
        "objects": int(shares["object_id"].nunique()),
        "seconds": round(time.perf_counter() - t, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recall-posts", type=int, default=50_000)
    parser.add_argument("--time-posts", type=int, default=0, help="posts for the timing run (0 = skip)")
    parser.add_argument("--images", type=int, default=0, help="posts for the image timing run (0 = skip)")
    parser.add_argument("--similarity", type=float, default=0.8)
    parser.add_argument("--posts-per-template", type=int, default=40,
                        help="campaign group size in the recall sample (2 = lone pairs, no chaining help)")
    args = parser.parse_args()
    report: dict = {}
    if args.recall_posts:
        report["recall"] = measure_recall(
            synthetic_posts(args.recall_posts, posts_per_template=args.posts_per_template), args.similarity)
        print(json.dumps(report["recall"]), flush=True)
    if args.time_posts:
        t = time.perf_counter()
        posts = synthetic_posts(args.time_posts, seed=11)
        print(f"generated {len(posts)} posts in {time.perf_counter() - t:.0f}s", flush=True)
        report["time"] = measure_time(posts, args.similarity)
        print(json.dumps(report["time"]), flush=True)
    if args.images:
        report["images"] = measure_images(args.images)
        print(json.dumps(report["images"]), flush=True)


if __name__ == "__main__":
    main()
