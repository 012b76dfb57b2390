"""A generator of realistic share data for the benchmarks, written as Parquet.

Why: speed claims need data that looks like campaign data sets, not uniform noise:
- heavy-tailed object popularity (Zipf, capped at ``cap`` shares per object: a few viral
  objects shared by tens of thousands of accounts),
- heavy-tailed account activity (log-normal weights),
- bursty timing (each object lives in a few bursts; inside a burst shares arrive
  exponentially spaced; ``density`` sets how tight the bursts are),
- planted campaigns (groups of accounts that share the same objects within seconds).

Defaults follow the issue: ``n`` shares, n/10 accounts, n/50 objects, Zipf popularity capped
at 20,000 shares per object, 5 planted campaigns. ``density="dense"`` gives about 16 window
pairs per share (the issue's "161 million co-share pairs at 10M"), ``"realistic"`` about one
pair per ten shares (as in real campaign data).

Output: ``<out_dir>/shares_<label>_<density>.parquet`` with the shares contract columns
(object_id, account_id, content_id: str; timestamp_share: int64 UNIX seconds UTC), rows in
time order like a crawl, and a ``.truth.json`` sidecar with the planted campaign accounts.
Written in row groups so 100M shares need ~3 GiB, never the repo (default /tmp/coordgraph-bench).

    python -m bench.generate --shares 1000000 --density dense
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DEFAULT_DIR = Path("/tmp/coordgraph-bench")
T0 = 1_700_000_000  # UNIX seconds, UTC (2023-11-14)
PERIOD = 30 * 86_400  # seconds the collection spans

#: Burst time scale in seconds: mean gap between consecutive shares of one burst is
#: about burst_scale / shares_in_burst. Tuned so 'dense' gives ~16 and 'realistic' ~0.1
#: window pairs (tw = 10 s) per share.
DENSITY_SCALE = {"dense": 300.0, "realistic": 300_000.0}
SHARES_PER_BURST = {"dense": 2_000, "realistic": 500}


def label(n: int) -> str:
    """100000 -> '100k', 1000000 -> '1M', 10000000 -> '10M'."""
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


def parquet_path(out_dir: Path, n: int, density: str) -> Path:
    """Where the generator writes ``n`` shares of ``density``."""
    return Path(out_dir) / f"shares_{label(n)}_{density}.parquet"


def zipf_counts(n_shares: int, n_objects: int, s: float, cap: int, rng: np.random.Generator) -> np.ndarray:
    """Shares per object: proportional to rank^-s, none above ``cap``, summing to n_shares.

    Water-filling: find the scale c with sum(min(cap, c * rank^-s)) = n_shares, then
    distribute the rounding remainder at random among objects below the cap.
    """
    w = np.arange(1, n_objects + 1, dtype=np.float64) ** -s
    if n_objects * cap < n_shares:
        raise ValueError(f"{n_objects} objects capped at {cap} cannot hold {n_shares} shares")
    lo, hi = 0.0, n_shares / w[-1] + 1.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if np.minimum(cap, mid * w).sum() < n_shares:
            lo = mid
        else:
            hi = mid
    counts = np.floor(np.minimum(cap, hi * w)).astype(np.int64)
    counts = np.maximum(counts, 1)
    rest = n_shares - int(counts.sum())
    while rest != 0:
        room = np.flatnonzero(counts < cap) if rest > 0 else np.flatnonzero(counts > 1)
        pick = rng.choice(room, size=min(abs(rest), len(room)), replace=False)
        counts[pick] += 1 if rest > 0 else -1
        rest = n_shares - int(counts.sum())
    return counts


def bursty_times(counts: np.ndarray, density: str, rng: np.random.Generator) -> np.ndarray:
    """UNIX seconds for every share, grouped by object (object k's shares are the k-th run).

    Each object starts at a uniform time in the period and lives in 1 + counts // per_burst
    bursts, spread over a day after the start; inside a burst, offsets are exponential with
    a mean of the density's scale (so popular bursts are dense, small ones sparse).
    """
    scale = DENSITY_SCALE[density]
    per_burst = SHARES_PER_BURST[density]
    n_obj = len(counts)
    obj = np.repeat(np.arange(n_obj), counts)
    start = rng.integers(0, PERIOD, size=n_obj)
    n_bursts = 1 + counts // per_burst
    burst_of = (rng.random(len(obj)) * n_bursts[obj]).astype(np.int64)
    key = obj * (int(n_bursts.max()) + 1) + burst_of
    uniq, inv = np.unique(key, return_inverse=True)
    burst_start = rng.integers(0, 86_400, size=len(uniq))
    burst_start[(uniq % (int(n_bursts.max()) + 1)) == 0] = 0
    inside = rng.exponential(scale, size=len(obj))
    return T0 + start[obj] + burst_start[inv] + inside.astype(np.int64)


def plant_campaigns(
    n_campaigns: int, n_objects: int, rng: np.random.Generator, size: int = 40, events: int = 30
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, list[str]]]:
    """Planted coordination: each campaign's ``size`` accounts (ids 'camp<c>_<k>') share
    ``events`` objects, each within 0..8 s of a trigger time. Returns (object codes, account
    labels, times, truth)."""
    objs, accts, times, truth = [], [], [], {}
    for c in range(n_campaigns):
        members = [f"camp{c}_{k}" for k in range(size)]
        truth[f"campaign_{c}"] = members
        for _ in range(events):
            o = int(rng.integers(0, n_objects))
            t = T0 + int(rng.integers(0, PERIOD))
            who = rng.choice(size, size=int(rng.integers(size // 2, size + 1)), replace=False)
            objs.extend([o] * len(who))
            accts.extend(members[k] for k in who)
            times.extend((t + rng.integers(0, 9, size=len(who))).tolist())
    return np.array(objs, dtype=np.int64), np.array(accts, dtype=object), np.array(times, dtype=np.int64), truth


def _prefixed(prefix: str, codes: np.ndarray) -> pa.Array:
    """Integer codes -> strings '<prefix><code>', built in Arrow (fast for 100M rows)."""
    as_str = pc.cast(pa.array(codes), pa.string())
    return pc.binary_join_element_wise(pa.scalar(prefix), as_str, "")


def generate(
    n_shares: int,
    out_dir: Path = DEFAULT_DIR,
    density: str = "dense",
    seed: int = 7,
    cap: int = 20_000,
    zipf_s: float = 1.0,
    n_campaigns: int = 5,
    row_group: int = 2_000_000,
) -> Path:
    """Write ``n_shares`` shares (plus the planted campaigns) to Parquet; return the path."""
    if density not in DENSITY_SCALE:
        raise ValueError(f"density must be one of {sorted(DENSITY_SCALE)}, got {density!r}")
    rng = np.random.default_rng(seed)
    n_accounts = max(n_shares // 10, 10)
    n_objects = max(n_shares // 50, 10)
    counts = zipf_counts(n_shares, n_objects, zipf_s, cap, rng)
    obj = np.repeat(np.arange(n_objects, dtype=np.int64), counts)
    ts = bursty_times(counts, density, rng)
    weights = rng.lognormal(0.0, 1.2, size=n_accounts)
    cdf = np.cumsum(weights) / weights.sum()
    acct = np.searchsorted(cdf, rng.random(n_shares)).astype(np.int64)
    c_obj, c_acct, c_ts, truth = plant_campaigns(n_campaigns, n_objects, rng)

    order = np.argsort(np.concatenate([ts, c_ts]), kind="stable")
    n_total = len(order)
    base = len(ts)
    path = parquet_path(out_dir, n_shares, density)
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema(
        [("object_id", pa.string()), ("account_id", pa.string()), ("content_id", pa.string()), ("timestamp_share", pa.int64())]
    )
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for lo in range(0, n_total, row_group):
            idx = order[lo : lo + row_group]
            gen = idx < base
            o = np.where(gen, obj[np.minimum(idx, base - 1)], c_obj[np.maximum(idx - base, 0)] if len(c_obj) else 0)
            t = np.where(gen, ts[np.minimum(idx, base - 1)], c_ts[np.maximum(idx - base, 0)] if len(c_ts) else 0)
            a_gen = _prefixed("u", acct[np.minimum(idx, base - 1)])
            if len(c_acct) and not gen.all():
                a_camp = pa.array(c_acct[np.maximum(idx - base, 0)], pa.string())
                accounts = pc.if_else(pa.array(gen), a_gen, a_camp)
            else:
                accounts = a_gen
            writer.write_table(
                pa.table(
                    [_prefixed("o", o), accounts, _prefixed("c", idx), pa.array(t, pa.int64())], schema=schema
                )
            )
    truth_path = path.with_suffix(".truth.json")
    truth_path.write_text(
        json.dumps(
            {
                "n_shares": n_total,
                "n_generated": n_shares,
                "n_accounts": n_accounts,
                "n_objects": n_objects,
                "cap": cap,
                "zipf_s": zipf_s,
                "density": density,
                "seed": seed,
                "max_object_shares": int(counts.max()),
                "campaigns": truth,
            },
            indent=1,
        )
    )
    return path


def main(argv: list[str] | None = None) -> None:
    """Command line: python -m bench.generate --shares N [--density dense|realistic] [--out DIR]."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shares", type=int, default=1_000_000)
    ap.add_argument("--density", choices=sorted(DENSITY_SCALE), default="dense")
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cap", type=int, default=20_000)
    args = ap.parse_args(argv)
    t = time.perf_counter()
    path = generate(args.shares, args.out, args.density, args.seed, args.cap)
    print(f"wrote {path} in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
