"""Loader speed and memory: MB/s of JSON lines per core, and peak memory on a 2 GB file.

Why: investigators load collections of many GB; the loader must read at least 50 MB/s of
JSONL per core and keep its memory bounded by the batch size, not by the file size
(issue 3: a 2 GB file under 1 GiB peak).

Data (:func:`write_jsonl`): realistic Twitter v2 tweets, one per line as twarc2 ``flatten``
writes them (embedded author with profile, entities with hashtags/urls/mentions, public
metrics, referenced tweets for a third of them, about 1.3 KB a line), or snscrape lines. 2% of
the lines repeat an earlier tweet (collected twice). Fixed seed. Written to /tmp, never the repo.

Measures, each in a fresh child process so peak RSS is the load's own:
* ``speed``: ``iter_post_batches`` over the file (posts discarded per batch); MB/s per core =
  file MiB / CPU seconds of the (single-threaded) process, and MB/s of wall time, which is
  lower when other jobs share the cores;
* ``memory``: the same streaming load; peak RSS (``ru_maxrss``) of the child.

    python -m bench.bench_loader --size-mb 300            # speed on 300 MB
    python -m bench.bench_loader --size-mb 2048 --memory  # the 2 GB memory check
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import orjson

T0 = 1_650_000_000  # UNIX seconds, UTC
WORDS = ("vote election today news breaking must watch share now truth media people free "
         "freedom world climate crisis economy market crypto coin parks rally join the of and").split()


def _tweet(i: int, rng: random.Random) -> dict:
    """One twarc2-flattened v2 tweet with an embedded author."""
    author = rng.randrange(200_000)
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30)))
    tags = [rng.choice(WORDS).capitalize() for _ in range(rng.randint(0, 3))]
    text = words + " " + " ".join("#" + t for t in tags) + " https://t.co/" + format(i, "x")
    t = {
        "id": str(1_500_000_000_000_000_000 + i),
        "author_id": str(author),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(T0 + i // 3)),
        "conversation_id": str(1_500_000_000_000_000_000 + i),
        "text": text,
        "lang": "en",
        "source": "Twitter for Android",
        "possibly_sensitive": False,
        "reply_settings": "everyone",
        "edit_history_tweet_ids": [str(1_500_000_000_000_000_000 + i)],
        "public_metrics": {"retweet_count": rng.randrange(50), "reply_count": rng.randrange(5),
                           "like_count": rng.randrange(200), "quote_count": rng.randrange(3),
                           "impression_count": rng.randrange(10_000)},
        "entities": {
            "hashtags": [{"start": 0, "end": len(h) + 1, "tag": h} for h in tags],
            "urls": [{"start": 0, "end": 23, "url": "https://t.co/" + format(i, "x"),
                      "expanded_url": f"https://news{rng.randrange(500)}.example/story/{rng.randrange(10**6)}",
                      "display_url": "news.example/story"}],
            "mentions": [{"start": 0, "end": 8, "username": f"user{rng.randrange(1000)}",
                          "id": str(rng.randrange(200_000))}] if rng.random() < 0.4 else [],
        },
        "author": {"id": str(author), "username": f"user{author}", "name": f"User {author}",
                   "created_at": "2015-06-01T08:30:00.000Z", "verified": False,
                   "description": "just a person on the internet",
                   "public_metrics": {"followers_count": rng.randrange(10_000), "following_count": rng.randrange(5_000),
                                      "tweet_count": rng.randrange(100_000), "listed_count": 0}},
    }
    r = rng.random()
    if r < 0.33:
        t["referenced_tweets"] = [{"type": "retweeted", "id": str(1_500_000_000_000_000_000 + rng.randrange(i + 1))}]
    elif r < 0.40:
        t["referenced_tweets"] = [{"type": "replied_to", "id": str(1_500_000_000_000_000_000 + rng.randrange(i + 1))}]
        t["in_reply_to_user_id"] = str(rng.randrange(200_000))
    return t


def loadavg() -> float:
    """The machine's 1-minute load average (/proc/loadavg, as the figures quote it)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def write_lines(path: Path, lines, atomic: bool = False) -> int:
    """Write the byte ``lines`` to ``path`` in 10,000-line chunks; with ``atomic`` through
    ``path.part`` renamed at the end (an interrupted write leaves no short file under the
    name). Returns the number of lines."""
    target = path.with_suffix(".part") if atomic else path
    count = 0
    with open(target, "wb", buffering=1 << 22) as fh:
        chunk: list[bytes] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= 10_000:
                fh.write(b"".join(chunk))
                count += len(chunk)
                chunk = []
        fh.write(b"".join(chunk))
        count += len(chunk)
    if atomic:
        target.rename(path)
    return count


def tweet_lines(n: int, rng: random.Random, after=None):
    """``n`` tweets (:func:`_tweet`) as JSONL lines, 2% of them followed by a repeat of one of
    the first 1,000 lines (collected twice); ``after(i, tweet)`` yields more lines after each."""
    recent: list[bytes] = []
    for i in range(n):
        tweet = _tweet(i, rng)
        line = orjson.dumps(tweet) + b"\n"
        yield line
        if len(recent) < 1000:
            recent.append(line)
        if rng.random() < 0.02:
            yield rng.choice(recent)
        if after is not None:
            yield from after(i, tweet)


def _sized_lines(target: int, rng: random.Random):
    """Tweets as JSONL lines until ``target`` bytes, 2% repeats of a recent line."""
    written = i = 0
    recent: list[bytes] = []
    while written < target:
        if recent and rng.random() < 0.02:
            line = rng.choice(recent)  # collected twice
        else:
            line = orjson.dumps(_tweet(i, rng)) + b"\n"
            i += 1
            if len(recent) < 1000:
                recent.append(line)
            else:
                recent[rng.randrange(1000)] = line
        written += len(line)
        yield line


def write_jsonl(path: Path, size_mb: float, seed: int = 7) -> int:
    """Write about ``size_mb`` MB of tweets to ``path``; return the number of lines."""
    return write_lines(path, _sized_lines(int(size_mb * 1024 * 1024), random.Random(seed)))


def _child(path: str, batch_size: int) -> None:
    """Run in a child process: stream the file, print JSON with seconds, counts, peak RSS."""
    from coordgraph.loader import LoadStats, iter_post_batches

    stats = LoadStats()
    started = time.perf_counter()
    cpu_started = time.process_time()
    posts = 0
    for p, _a in iter_post_batches(path, batch_size=batch_size, stats=stats):
        posts += len(p)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "posts": posts, "duplicates": stats.duplicates,
                      "rejected": stats.rejected, "peak_rss_mib": peak_kib / 1024}))


def measure(path: Path, batch_size: int) -> dict:
    """Load ``path`` in a fresh Python process and return its timings and peak memory."""
    out = subprocess.run([sys.executable, "-m", "bench.bench_loader", "--child", str(path),
                          "--batch-size", str(batch_size)], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    size = path.stat().st_size
    result["file_mb"] = size / 2**20
    result["mb_per_s_wall"] = size / 2**20 / result["seconds"]
    result["mb_per_cpu_s"] = size / 2**20 / result["cpu_seconds"]  # one process = one core
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=300)
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument("--data", default="/tmp/coordgraph-bench-loader")
    parser.add_argument("--memory", action="store_true", help="label the run as the memory check")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.batch_size)
        return
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"tweets_{int(args.size_mb)}mb.jsonl"
    if not path.exists():
        t = time.perf_counter()
        n = write_jsonl(path, args.size_mb)
        print(f"generated {path} ({n:,} lines) in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    result = measure(path, args.batch_size)
    result.update(check="memory" if args.memory else "speed", batch_size=args.batch_size)
    print(json.dumps(result, indent=2))
    if not args.keep:
        os.remove(path)


if __name__ == "__main__":
    main()
