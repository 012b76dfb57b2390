"""The python engine (:mod:`coordgraph.analysis`) on a share Parquet file, with hub checks.

Why a wrapper: the in-process engine holds every pair in memory, so before pairing it counts
the window pairs exactly (:func:`coordgraph.analysis.hubs.estimate_pairs`), reports trend
hubs, applies ``max_object_shares`` and refuses with :class:`PairMemoryError` a run that would
not fit, instead of being killed by the kernel. Writes the same files as the other engines.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from coordgraph.analysis import coordinated_network, detect_groups
from coordgraph.analysis.hubs import (
    DEFAULT_HUB_PAIRS,
    cap_object_shares,
    check_pair_memory,
    estimate_pairs,
    trend_hubs,
)

from coordgraph.contracts import SHARE_COLUMNS as SHARE_FIELDS  # noqa: E402


def read_share_parquet(path: str | Path) -> pd.DataFrame:
    """The four share columns of a Parquet file, with a clear error naming a missing field."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such share file")
    names = pq.read_schema(path).names
    missing = [c for c in SHARE_FIELDS if c not in names]
    if missing:
        raise ValueError(f"{path}: no column(s) {', '.join(missing)} (found {', '.join(names)})")
    frame = pq.read_table(path, columns=list(SHARE_FIELDS)).to_pandas()
    if not pd.api.types.is_integer_dtype(frame["timestamp_share"]):
        raise ValueError(f"{path}: field 'timestamp_share' must be integer UNIX seconds")
    return frame


def hub_records(hubs: pd.DataFrame, dropped: pd.DataFrame) -> list[dict]:
    """Trend hubs and capped objects as JSON-ready dicts, heaviest first."""
    out = [{"object_id": str(r.object_id), "n_shares": int(r.n_shares), "n_pairs": int(r.n_pairs), "dropped": False}
           for r in hubs.itertuples(index=False)]
    out += [{"object_id": str(r.object_id), "n_shares": int(r.n_shares), "n_pairs": None, "dropped": True}
            for r in dropped.itertuples(index=False)]
    return out[:100]


def detect_network_parquet(in_path: str | Path, out_dir: str | Path, time_window: int = 10,
                           min_participation: int = 2, remove_loops: bool = True, edge_weight: float = 0.5,
                           compat: bool = False, write_result: bool = True, max_object_shares: int | None = None,
                           hub_pairs: int = DEFAULT_HUB_PAIRS, memory_budget: int | None = None) -> dict:
    """Detect and build the network in process; write result/edges/vertices Parquet and
    summary.json into ``out_dir``. Raises PairMemoryError before pairing when the pairs
    would exceed ``memory_budget`` bytes (default: 60% of available memory)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    shares = read_share_parquet(in_path)
    shares, dropped = cap_object_shares(shares, max_object_shares)
    estimate = estimate_pairs(shares, time_window)
    hubs = trend_hubs(estimate, hub_pairs)
    check_pair_memory(estimate, memory_budget)
    t_read = time.perf_counter()
    result = detect_groups(shares, time_window, min_participation, remove_loops, sort_like_coortweet=False)
    del shares
    t_detect = time.perf_counter()
    # rows are not in CooRTweet's order here (nor in the other Parquet engines): compat gives
    # CooRTweet's counts; orientation as before, pairs in code-point order (no ICU needed)
    net = coordinated_network(result, edge_weight=edge_weight, compat=compat, collation="c")
    t_net = time.perf_counter()
    if write_result:
        pq.write_table(pa.Table.from_pandas(result, preserve_index=False), out_dir / "result.parquet",
                       compression="zstd", compression_level=1)
    pq.write_table(pa.Table.from_pandas(net.edges, preserve_index=False), out_dir / "edges.parquet",
                   compression="zstd", compression_level=1)
    pq.write_table(pa.Table.from_pandas(net.vertices, preserve_index=False), out_dir / "vertices.parquet")
    t_write = time.perf_counter()
    summary = {
        "engine": "python", "result_rows": len(result), "edges": len(net.edges), "vertices": len(net.vertices),
        "threshold": net.threshold, "edges_above_threshold": int(net.edges["weight_threshold"].sum()),
        "estimated_pairs": estimate.total_pairs, "trend_hubs": hub_records(hubs, dropped),
        "dropped_hub_objects": len(dropped),
        "params": dict(time_window=time_window, min_participation=min_participation, remove_loops=remove_loops,
                       edge_weight=edge_weight, compat=compat),
        "seconds": {"read": round(t_read - t0, 3), "detect": round(t_detect - t0, 3),
                    "network": round(t_net - t0, 3), "write": round(t_write - t0, 3)},
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary
