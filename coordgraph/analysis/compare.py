"""Where methods agree: flagged accounts and edges of two or more runs on the same shares.

A run directory is what ``coordgraph detect`` writes (any ``--method``, any engine): its
edges (edges.csv, edges.parquet or an edges/ Parquet directory) with ``weight_threshold``
(``weight_threshold_full`` with a fast window) = 1 for flagged edges. A run's *flagged edges*
are those unordered account pairs (a directed QUT edge and its reverse are one pair), its
*flagged accounts* their endpoints. Without a threshold column (or with no value in it, as a
store reports a property no edge has) every edge counts as flagged: :func:`flagged_from_edges`,
the one copy of the rule, for run directories and store runs (coordgraph.cypher.compare).

For each pair of runs: counts of each, of both, and the Jaccard index |A & B| / |A | B|
(1.0 when both are empty). For each run: the accounts no other run flags, and its groups: the
connected components of its flagged edges (Pacheco et al.'s clustering).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Mapping

import pandas as pd


@dataclass(frozen=True)
class Flagged:
    """A run's flagged accounts and unordered flagged edges (lo, hi)."""

    accounts: frozenset
    edges: frozenset


def read_run(path: Path) -> Flagged:
    """The flagged accounts and edges of the run directory ``path``. FileNotFoundError naming
    the directory when it holds no edges; ValueError naming the file when columns are missing."""
    path = Path(path)
    if (path / "edges.csv").exists():
        file = path / "edges.csv"
        edges = pd.read_csv(file, dtype={"account_id": str, "account_id_y": str})
    elif (path / "edges.parquet").exists() or (path / "edges").is_dir():
        file = path / "edges.parquet" if (path / "edges.parquet").exists() else path / "edges"
        edges = pd.read_parquet(file)
    else:
        raise FileNotFoundError(f"{path}: no edges.csv, edges.parquet or edges/ (not a detect output directory)")
    missing = {"account_id", "account_id_y"} - set(edges.columns)
    if missing:
        raise ValueError(f"{file}: missing column(s) {', '.join(sorted(missing))}")
    return flagged_from_edges(edges)


#: The flag columns, in the order looked for (a CooRTweet CSV with a fast window says ``_full``).
FLAG_COLUMNS = ("weight_threshold", "weight_threshold_full")


def flagged_from_edges(edges: pd.DataFrame) -> Flagged:
    """The one rule of a flagged edge, for run directories and store runs alike: the edges
    with ``weight_threshold`` (or ``weight_threshold_full``) = 1; every edge when the run has no
    flag (no such column, or, as a store reports a property no edge has, all of it missing)."""
    flag = next((c for c in FLAG_COLUMNS if c in edges.columns and edges[c].notna().any()), None)
    if flag is not None:
        edges = edges[pd.to_numeric(edges[flag], errors="coerce").fillna(0).astype(int) == 1]
    return flagged_from_pairs(edges["account_id"].astype(str), edges["account_id_y"].astype(str))


def flagged_from_pairs(a, b) -> Flagged:
    """Flagged sets from the two endpoint columns of the flagged edges."""
    pairs = frozenset((x, y) if x <= y else (y, x) for x, y in zip(a, b) if x != y)
    return Flagged(accounts=frozenset(v for p in pairs for v in p), edges=pairs)


def _jaccard(x: frozenset, y: frozenset) -> float:
    union = len(x | y)
    return 1.0 if union == 0 else len(x & y) / union


def compare_runs(runs: Mapping[str, Flagged]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pairwise overlap table, accounts only one run flags).

    Overlap columns: run_a, run_b, accounts_a, accounts_b, accounts_both, accounts_jaccard,
    edges_a, edges_b, edges_both, edges_jaccard. Only-one columns: run, account_id (sorted)."""
    if len(runs) < 2:
        raise ValueError(f"compare needs two or more runs, got {len(runs)}")
    rows = []
    for (na, a), (nb, b) in combinations(runs.items(), 2):
        rows.append({"run_a": na, "run_b": nb,
                     "accounts_a": len(a.accounts), "accounts_b": len(b.accounts),
                     "accounts_both": len(a.accounts & b.accounts), "accounts_jaccard": _jaccard(a.accounts, b.accounts),
                     "edges_a": len(a.edges), "edges_b": len(b.edges),
                     "edges_both": len(a.edges & b.edges), "edges_jaccard": _jaccard(a.edges, b.edges)})
    only = []
    for name, run in runs.items():
        others = frozenset().union(*(r.accounts for n, r in runs.items() if n != name))
        only += [{"run": name, "account_id": acc} for acc in sorted(run.accounts - others)]
    return pd.DataFrame(rows), pd.DataFrame(only, columns=["run", "account_id"])


def components(run: Flagged) -> list[frozenset]:
    """The connected components of a run's flagged edges, largest first (ties: smallest member)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_edges_from(run.edges)
    parts = [frozenset(c) for c in nx.connected_components(graph)]
    return sorted(parts, key=lambda c: (-len(c), min(c)))


def run_summaries(runs: Mapping[str, Flagged], groups: Mapping[str, list] | None = None) -> pd.DataFrame:
    """Per run: flagged accounts, flagged edges, number of components and their sizes
    (``groups``: the runs' components when already computed)."""
    rows = []
    for name, run in runs.items():
        sizes = [len(c) for c in (groups[name] if groups is not None else components(run))]
        rows.append({"run": name, "accounts": len(run.accounts), "edges": len(run.edges),
                     "components": len(sizes), "component_sizes": " ".join(map(str, sizes))})
    return pd.DataFrame(rows)


#: What each figure of a comparison means: the CLI's help, the web app's view and the report
#: show these same words.
DEFINITIONS = {
    "flagged edge": "an account pair the run marks as coordinated (weight_threshold = 1: CooRTweet's edges "
                    "above the weight percentile, every QUT edge, cosine's most similar pairs); a directed QUT "
                    "edge and its reverse are one pair; every edge when the run has no flag.",
    "flagged account": "an endpoint of a flagged edge.",
    "both": "flagged by both runs of the pair (accounts, or edges as unordered account pairs).",
    "Jaccard": "|A ∩ B| / |A ∪ B| of the two runs' flagged sets: 1 = the same set, 0 = nothing in common "
               "(1 when both are empty).",
    "only this run": "an account this run flags and no other run of the comparison flags.",
    "groups": "the connected components of a run's flagged edges (Pacheco et al.'s clustering), largest first.",
}


@dataclass(frozen=True)
class Comparison:
    """Everything a comparison shows, computed once (CLI, web app and report render it).

    ``names``: the runs in the order given; ``overlap``, ``only`` as :func:`compare_runs`;
    ``per_run`` as :func:`run_summaries`; ``groups``: run -> its components (largest first)."""

    names: tuple
    overlap: pd.DataFrame
    only: pd.DataFrame
    per_run: pd.DataFrame
    groups: dict


def compare(runs: Mapping[str, Flagged]) -> Comparison:
    """The comparison of two or more runs' flagged sets (ValueError for fewer than two)."""
    overlap, only = compare_runs(runs)
    groups = {name: components(run) for name, run in runs.items()}
    return Comparison(names=tuple(runs), overlap=overlap, only=only, per_run=run_summaries(runs, groups), groups=groups)
