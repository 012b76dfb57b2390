"""The whole method in one call: detect, flag fast shares, build the network, summarise.

Used by the ``coordgraph detect`` command and by the graph store's python engine, so that
both produce the same tables from the same parameters.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

import pandas as pd

from coordgraph.analysis.detect import detect_groups, flag_speed_share
from coordgraph.analysis.network import CoordinatedNetwork, coordinated_network
from coordgraph.analysis.summaries import account_stats, object_stats


@dataclass
class DetectionParams:
    """Parameters of one detection run (seconds for windows, a percentile in [0, 1] for
    ``edge_weight``). ``fast_window`` None means no fast network."""

    time_window: int = 10
    min_participation: int = 2
    remove_loops: bool = True
    edge_weight: float = 0.5
    fast_window: int | None = None
    subgraph: int = 0
    objects: bool = False
    compat: bool = False
    stats_threshold: str = "none"
    edge_significance: float | None = None
    n_null: int = 999
    seed: int = 42
    collation: str = "icu"
    significance_method: str = "shuffle"  # or "parametric": see analysis/significance.py

    def __post_init__(self) -> None:
        if self.fast_window is not None and self.fast_window > self.time_window:
            raise ValueError(f"the fast window ({self.fast_window} s) must not exceed the time window "
                             f"({self.time_window} s)")
        from coordgraph.analysis.collation import check_collation

        check_collation(self.collation)
        from coordgraph.analysis.significance import METHODS

        if self.significance_method not in METHODS:
            raise ValueError(f"significance method must be one of {', '.join(METHODS)}, "
                             f"got '{self.significance_method}'")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Detection:
    """Everything one run produces, with timings in seconds per step."""

    params: DetectionParams
    result: pd.DataFrame
    network: CoordinatedNetwork
    account_stats: pd.DataFrame
    object_stats: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Row counts of the outputs, for summaries."""
        edges = self.network.edges
        above = "weight_threshold" if "weight_threshold" in edges else "weight_threshold_full"
        counts = {
            "result_rows": len(self.result),
            "edges": len(edges),
            "edges_above_threshold": int(edges[above].fillna(0).sum()) if len(edges) else 0,
            "vertices": len(self.network.vertices),
            "objects": int(self.result["object_id"].nunique()),
        }
        if "significant" in edges:
            counts["edges_significant"] = int(edges["significant"].sum())
        if "weight_threshold_fast" in edges:
            counts["edges_above_fast_threshold"] = int(edges["weight_threshold_fast"].fillna(0).sum())
        return counts


def run_detection(
    shares: pd.DataFrame,
    params: DetectionParams,
    on_step: Callable[[str], None] | None = None,
) -> Detection:
    """Run the method on ``shares`` with ``params``; ``on_step(name)`` is called before each step
    (for progress display)."""
    timings: dict[str, float] = {}

    def step(name: str, fn):
        if on_step:
            on_step(name)
        started = time.perf_counter()
        value = fn()
        timings[name] = round(time.perf_counter() - started, 4)
        return value

    result = step("detect_groups", lambda: detect_groups(
        shares, params.time_window, params.min_participation, params.remove_loops))
    fast = params.fast_window is not None
    if fast:
        result = step("flag_speed_share", lambda: flag_speed_share(
            shares, result, params.min_participation, params.fast_window, sort_like_coortweet=params.compat))
    network = step("coordinated_network", lambda: coordinated_network(
        result, fast_net=fast, edge_weight=params.edge_weight, subgraph=params.subgraph,
        objects=params.objects, compat=params.compat, collation=params.collation))
    if params.edge_significance is not None:
        from coordgraph.analysis.significance import edge_significance, significance_threshold

        network.edges = step("edge_significance", lambda: significance_threshold(edge_significance(
            shares, result, network.edges, n_null=params.n_null, seed=params.seed,
            time_window=params.time_window, min_participation=params.min_participation,
            remove_loops=params.remove_loops, method=params.significance_method), params.edge_significance))
    accounts = step("account_stats", lambda: account_stats(
        network, result, params.stats_threshold, compat=params.compat))
    objects = step("object_stats", lambda: object_stats(
        network, result, params.stats_threshold, compat=params.compat))
    return Detection(params, result, network, accounts, objects, timings)
