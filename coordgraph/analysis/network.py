"""The coordinated network: account pairs weighted by their co-shares (CooRTweet:
``generate_coordinated_network``), as pandas tables with igraph / networkx views.

Edges are undirected and stored once, as (account_id, account_id_y) with
``account_id < account_id_y`` in code-point order; with ``compat`` in CooRTweet's
orientation instead (igraph's vertex order, see :mod:`coordgraph.analysis.compat`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

KEYS = ["account_id", "account_id_y"]
from coordgraph.contracts import EDGE_ATTRIBUTES, above_threshold, quantile_threshold  # noqa: E402,F401


@dataclass
class CoordinatedNetwork:
    """Edges and vertices of a coordinated network and the thresholds that made it.

    ``edges``: account_id, account_id_y and the edge attributes (with ``_full``/``_fast``
    suffixes when built with ``fast_net``). ``vertices``: account_id, degree, strength
    (sum of weights) and, for subgraph 3, ``color_v`` (1 = core). ``threshold`` is the
    ``edge_weight`` quantile of all edge weights; ``threshold_fast`` that of the fast edges.
    """

    edges: pd.DataFrame
    vertices: pd.DataFrame
    threshold: float | None
    threshold_fast: float | None = None
    params: dict = field(default_factory=dict)

    @property
    def weight_column(self) -> str:
        """The column that holds the edge weight ('weight', or 'weight_full' with fast_net)."""
        return "weight" if "weight" in self.edges.columns else "weight_full"

    def to_igraph(self):
        """An undirected :class:`igraph.Graph`; vertex ``name`` = account id, all attributes kept."""
        import igraph as ig

        return ig.Graph.DataFrame(self.edges, directed=False, vertices=self.vertices, use_vids=False)

    def to_networkx(self):
        """An undirected :class:`networkx.Graph` with every edge and vertex attribute."""
        import networkx as nx

        graph = nx.from_pandas_edgelist(self.edges, "account_id", "account_id_y", edge_attr=True)
        for row in self.vertices.to_dict("records"):
            name = row.pop("account_id")
            graph.add_node(name, **row)
        return graph


def _aggregate(result: pd.DataFrame, objects: bool, compat: bool) -> pd.DataFrame:
    """Aggregate result rows into one row per unordered account pair (spec network step 2)."""
    columns = ["account_id", "account_id_y", *EDGE_ATTRIBUTES[:-1]] + (["object_ids"] if objects else [])
    if len(result) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("account_id", "account_id_y", "object_ids")
                                          else float) for c in columns})
    a = result["account_id"].to_numpy(dtype=object)
    b = result["account_id_y"].to_numpy(dtype=object)
    acc_codes, accounts = pd.factorize(np.concatenate([a, b]), sort=True)  # sorted: code order = string order
    ca, cb = acc_codes[: len(a)].astype(np.int64), acc_codes[len(a):].astype(np.int64)
    # compat: the rows already hold CooRTweet's (pmin, pmax) pair (see analysis.compat); key on it as is
    lo, hi = (ca, cb) if compat else (np.minimum(ca, cb), np.maximum(ca, cb))
    n_acc = len(accounts)
    pair_key = lo * n_acc + hi
    pair_codes, pair_uniques = pd.factorize(pair_key, sort=False)  # edges in order of appearance
    n_pairs = len(pair_uniques)
    weight = np.bincount(pair_codes, minlength=n_pairs)
    delta = np.bincount(pair_codes, weights=result["time_delta"].to_numpy(dtype=float), minlength=n_pairs)
    cont_codes, _ = pd.factorize(np.concatenate([result["content_id"].to_numpy(dtype=object),
                                                 result["content_id_y"].to_numpy(dtype=object)]))
    c_old, c_new = cont_codes[: len(a)].astype(np.int64), cont_codes[len(a):].astype(np.int64)
    n_cont = int(cont_codes.max()) + 1
    edge_lo, edge_hi = pair_uniques // n_acc, pair_uniques % n_acc
    if compat:  # CooRTweet's code: distinct older contents, distinct newer contents
        n_x = _distinct_per_pair(pair_codes, c_old, n_pairs, n_cont)
        n_y = _distinct_per_pair(pair_codes, c_new, n_pairs, n_cont)
    else:  # the documented meaning: distinct contents each account contributes
        side_pair = np.concatenate([pair_codes, pair_codes])
        side_acc = np.concatenate([ca, cb])
        side_cont = np.concatenate([c_old, c_new])
        key = pd.unique((side_pair * n_acc + side_acc) * n_cont + side_cont)  # hash: no sort needed
        pair_acc = key // n_cont
        per_pair_acc = pd.Series(1, index=pair_acc).groupby(level=0).sum()
        n_x = per_pair_acc.reindex(np.arange(n_pairs) * n_acc + edge_lo, fill_value=0).to_numpy()
        n_y = per_pair_acc.reindex(np.arange(n_pairs) * n_acc + edge_hi, fill_value=0).to_numpy()
    edges = pd.DataFrame({
        "account_id": np.asarray(accounts, dtype=object)[edge_lo],
        "account_id_y": np.asarray(accounts, dtype=object)[edge_hi],
        "weight": weight.astype(np.int64),
        "avg_time_delta": delta / weight,
        "n_content_id": np.asarray(n_x, dtype=np.int64),
        "n_content_id_y": np.asarray(n_y, dtype=np.int64),
    })
    edges["edge_symmetry_score"] = (np.minimum(edges["n_content_id"], edges["n_content_id_y"])
                                    / np.maximum(edges["n_content_id"], edges["n_content_id_y"]))
    if objects:
        obj = pd.DataFrame({"pair": pair_codes, "object_id": result["object_id"].to_numpy(dtype=object)})
        obj = obj.drop_duplicates()  # compat: R's paste(unique(object_id)), in row order
        obj = obj.sort_values("pair", kind="stable") if compat else obj.sort_values(["pair", "object_id"])
        # one str.join per pair on plain arrays (a groupby agg(",".join) costs ~60 us a pair)
        pairs = obj["pair"].to_numpy()
        ids = obj["object_id"].to_numpy(dtype=object)
        starts = np.flatnonzero(np.r_[True, pairs[1:] != pairs[:-1]])
        ends = np.r_[starts[1:], len(pairs)]
        joined = np.empty(n_pairs, dtype=object)
        joined[pairs[starts]] = [",".join(ids[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]
        edges["object_ids"] = joined
    return edges


def _distinct_per_pair(pair_codes: np.ndarray, values: np.ndarray, n_pairs: int, n_values: int) -> np.ndarray:
    """Number of distinct ``values`` per pair code."""
    unique_keys = pd.unique(pair_codes.astype(np.int64) * n_values + values)  # hash: no sort needed
    return np.bincount(unique_keys // n_values, minlength=n_pairs)


def check_subgraph(subgraph: int, fast_net: bool) -> None:
    """Refuse subgraph options that make no sense (spec network step 6)."""
    if subgraph not in (0, 1, 2, 3):
        raise ValueError(f"subgraph must be 0, 1, 2 or 3, got {subgraph}")
    if subgraph == 1 and fast_net:
        raise ValueError("subgraph=1 selects full-window edges and cannot be combined with fast_net")
    if subgraph in (2, 3) and not fast_net:
        raise ValueError(f"subgraph={subgraph} selects fast edges: it needs fast_net=True and a "
                         "flag_speed_share() result (CooRTweet silently returns an empty graph)")


def merge_fast(full: pd.DataFrame, fast: pd.DataFrame) -> pd.DataFrame:
    """Full and fast edge attributes side by side (``<name>_full`` / ``<name>_fast``; fast
    ones missing where an edge has no flagged row; counts as nullable Int64)."""
    edges = full.merge(fast, on=KEYS, how="left", suffixes=("_full", "_fast"))
    for column in [c for c in edges.columns if c.endswith("_fast") and c != "object_ids_fast"]:
        if column.startswith(("weight", "n_content")):
            edges[column] = edges[column].astype("Int64")
    return edges


def vertices_of(edges: pd.DataFrame, weight_column: str) -> pd.DataFrame:
    """account_id, degree, strength (sum of ``weight_column``) of the edges' endpoints,
    sorted by account_id."""
    ends = pd.DataFrame({
        "account_id": np.concatenate([edges["account_id"].to_numpy(dtype=object),
                                      edges["account_id_y"].to_numpy(dtype=object)]),
        "w": np.concatenate([edges[weight_column].to_numpy(), edges[weight_column].to_numpy()]),
    })
    grouped = ends.groupby("account_id", sort=True)["w"]
    return pd.DataFrame({"degree": grouped.size().astype(np.int64), "strength": grouped.sum()}).reset_index()


def select_subgraph(edges: pd.DataFrame, subgraph: int, with_vertices: bool = False):
    """Apply ``subgraph`` (0 all; 1 above threshold; 2 above fast threshold; 3 core of 2 plus
    its neighbours, with ``color_v``). Returns edges, or (edges, vertices) when asked."""
    weight_column = "weight" if "weight" in edges.columns else "weight_full"
    if subgraph == 1:
        edges = edges.loc[edges["weight_threshold"] == 1].reset_index(drop=True)
    elif subgraph == 2:
        edges = edges.loc[edges["weight_threshold_fast"] == 1].reset_index(drop=True)
    elif subgraph == 3:
        core_edges = edges.loc[edges["weight_threshold_fast"] == 1]
        core = set(core_edges["account_id"]) | set(core_edges["account_id_y"])
        touches = edges["account_id"].isin(core) | edges["account_id_y"].isin(core)
        members = core | set(edges.loc[touches, "account_id"]) | set(edges.loc[touches, "account_id_y"])
        edges = edges.loc[edges["account_id"].isin(members) & edges["account_id_y"].isin(members)].reset_index(drop=True)
        if with_vertices:
            vertices = vertices_of(edges, weight_column)
            vertices["color_v"] = vertices["account_id"].isin(core).astype(np.int64)
            return edges, vertices
    if with_vertices:
        return edges, vertices_of(edges, weight_column)
    return edges


def coordinated_network(
    result: pd.DataFrame,
    fast_net: bool = False,
    edge_weight: float = 0.5,
    subgraph: int = 0,
    objects: bool = False,
    compat: bool = False,
    collation: str = "icu",
) -> CoordinatedNetwork:
    """Build the coordinated network of a ``detect_groups`` (or ``flag_speed_share``) result.

    Per unordered account pair: ``weight`` = number of result rows, ``avg_time_delta`` = mean
    seconds, ``n_content_id``/``n_content_id_y`` and ``edge_symmetry_score`` (min/max of the
    two; per-account distinct contents, or CooRTweet's older/newer counts with ``compat``),
    ``object_ids`` (comma-joined, sorted) with ``objects``, and ``weight_threshold`` = 1 when
    the weight is strictly above the ``edge_weight`` quantile (R type 7) of all weights.

    ``fast_net`` needs the ``time_window_<N>`` column of :func:`flag_speed_share`: every
    attribute then exists as ``<name>_full`` and ``<name>_fast`` (missing on edges without
    flagged rows; the fast threshold is the quantile over fast edges only).
    ``subgraph``: 0 whole graph; 1 edges above the threshold and their endpoints (not with
    fast_net); 2 edges above the fast threshold; 3 the core of 2 plus its neighbours in the
    full graph with every edge among them, ``color_v`` = 1 for the core.

    ``compat``: CooRTweet's rows, orientation and row order (:mod:`coordgraph.analysis.compat`):
    a flagged result is re-sorted as flag_speed_share leaves it, pairs are R's pmin/pmax under
    ``collation`` ('icu': R's usual UTF-8 locales; 'c': code points), and each edge runs from
    the end igraph numbers first in the full graph.
    """
    check_subgraph(subgraph, fast_net)
    params = dict(fast_net=fast_net, edge_weight=edge_weight, subgraph=subgraph, objects=objects, compat=compat)
    if compat:
        from coordgraph.analysis.compat import coortweet_rows

        params["collation"] = collation
        result = coortweet_rows(result, collation)
    full = _aggregate(result, objects, compat)
    threshold = quantile_threshold(full["weight"].to_numpy(), edge_weight)
    full["weight_threshold"] = above_threshold(full["weight"].to_numpy(dtype=float), threshold)
    if not fast_net:
        edges = _layout(full, False) if compat else full
        edges, vertices = select_subgraph(edges, subgraph, with_vertices=True)
        return CoordinatedNetwork(edges, vertices, threshold, None, params)

    flags = [c for c in result.columns if c.startswith("time_window_")]
    if len(flags) != 1:
        raise ValueError("fast_net needs exactly one time_window_<N> column from flag_speed_share(); "
                         f"found {flags or 'none'}")
    fast = _aggregate(result.loc[result[flags[0]].to_numpy() == 1], objects, compat)
    threshold_fast = quantile_threshold(fast["weight"].to_numpy(), edge_weight)
    fast["weight_threshold"] = above_threshold(fast["weight"].to_numpy(dtype=float), threshold_fast)
    # both tables are keyed by the same pair (code-point lo/hi, or compat's pmin/pmax): join
    # (a left join keeps the full table's order), then orient
    edges = merge_fast(full, fast)
    if compat:
        edges = _layout(edges, True)
    edges, vertices = select_subgraph(edges, subgraph, with_vertices=True)
    return CoordinatedNetwork(edges, vertices, threshold, threshold_fast, params)


def _layout(edges: pd.DataFrame, union: bool) -> pd.DataFrame:
    from coordgraph.analysis.compat import igraph_layout

    return igraph_layout(edges, union)
