"""Edge significance: could this many co-shares arise by chance, given how each account posts?

Why: the percentile threshold (``edge_weight``) ranks edges by weight, but two accounts that
both post a lot of popular content co-share by accident; a high weight then says nothing
about coordination. Here each COORDINATED edge gets an empirical p-value under a null model
that keeps every account's volume and rhythm, and a q-value that controls the false
discovery rate across all edges (Benjamini-Hochberg).

The null model, exactly:

* A *post* is a distinct (account_id, content_id) of the shares; its time is the earliest
  ``timestamp_share`` of its rows (a post carrying three hashtags is one post, three rows).
* In one null replicate every account's post times are permuted at random among that
  account's own posts (optionally only among its posts in the same ``block_seconds``-long
  block of time, counted from the earliest share, for data where what is shared drifts over
  the day). Every row of a post takes the post's new time.
* So each account keeps its number of posts and shares, its exact set of posting instants
  (rhythm, bursts, time of day) and the set of objects it shares; only *which* object it
  shares *when* is broken. Co-shares that come from two accounts merely being active at the
  same moments on popular objects survive in the null; co-shares that come from accounts
  choosing the same object at the same moment do not.
* The null data go through the same ``detect_groups`` (same ``time_window``,
  ``min_participation``, ``remove_loops``) and an edge's null weight is the number of result
  rows of its account pair, i.e. the same definition as the observed ``weight``.

p-value of an edge with observed weight ``w``: ``(1 + #{replicates with null weight >= w}) /
(1 + n_null)`` — never 0; its floor is ``1 / (1 + n_null)``, so ``n_null`` must be large
enough for the alpha and the number of edges (999 gives 0.001). The replicates use one
``numpy.random.default_rng(seed)`` stream: same inputs and seed, same p-values.

q-value: Benjamini-Hochberg over all edges passed in (``q_(i) = min_{k >= i} m p_(k) / k``,
capped at 1). ``significance_threshold(edges, alpha)`` flags edges with ``q_value <= alpha``.

Cost: ``n_null`` runs of ``detect_groups`` on the whole shares table.

``method="parametric"`` replaces the replicates by the analytic null of
:mod:`coordgraph.analysis.significance_parametric` (the same null in expectation, exact
binomial tails down to 1e-300, no detection re-runs: use it for many edges or big data).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from coordgraph.analysis.detect import check_shares, detect_groups

#: Null models of :func:`edge_significance`.
METHODS = ("shuffle", "parametric", "parametric-conditional")


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of ``p_values``, in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    q_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1.0)
    return q


class PostTimeShuffler:
    """Draws null replicates of ``shares``: each account's post times permuted among its posts.

    See the module doc. The posts, their times and the permutation groups (account, or
    account and ``block_seconds`` block) are worked out once; each :meth:`draw` costs one
    sort. Row order of ``shares`` is kept.
    """

    def __init__(self, shares: pd.DataFrame, block_seconds: int | None = None) -> None:
        self.shares = shares
        self.post_codes, posts = pd.factorize(
            pd.MultiIndex.from_arrays([shares["account_id"].to_numpy(), shares["content_id"].to_numpy()]),
            sort=False,
        )
        t = shares["timestamp_share"].to_numpy(dtype=np.int64)
        self.post_t = np.full(len(posts), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(self.post_t, self.post_codes, t)
        group = pd.factorize(posts.get_level_values(0), sort=False)[0].astype(np.int64)
        if block_seconds:
            block = (self.post_t - self.post_t.min()) // int(block_seconds)
            group = pd.factorize(pd.MultiIndex.from_arrays([group, block]), sort=False)[0]
        self.group = group
        self.by_group = np.argsort(group, kind="stable")

    def draw(self, rng: np.random.Generator) -> pd.DataFrame:
        """One null replicate (a new DataFrame sharing the unchanged columns' data)."""
        shuffled = np.lexsort((rng.random(len(self.group)), self.group))
        new_post_t = np.empty_like(self.post_t)
        new_post_t[self.by_group] = self.post_t[shuffled]
        out = self.shares.copy(deep=False)
        out["timestamp_share"] = new_post_t[self.post_codes]
        return out


def shuffle_post_times(
    shares: pd.DataFrame, rng: np.random.Generator, block_seconds: int | None = None
) -> pd.DataFrame:
    """One null replicate of ``shares`` (see :class:`PostTimeShuffler` and the module doc)."""
    return PostTimeShuffler(shares, block_seconds).draw(rng)


def _pair_keys(a: np.ndarray, b: np.ndarray, index: pd.Index) -> np.ndarray:
    """Unordered account-pair keys (int64) for accounts ``a``/``b`` coded by ``index``; -1 if unknown."""
    ca = index.get_indexer(a).astype(np.int64)
    cb = index.get_indexer(b).astype(np.int64)
    n = len(index)
    key = np.minimum(ca, cb) * n + np.maximum(ca, cb)
    key[(ca < 0) | (cb < 0)] = -1
    return key


def _pair_weights(result: pd.DataFrame, edge_keys: np.ndarray, index: pd.Index) -> np.ndarray:
    """Number of ``result`` rows of each account pair in ``edge_keys`` (sorted unique keys)."""
    keys = _pair_keys(result["account_id"].to_numpy(), result["account_id_y"].to_numpy(), index)
    keys = keys[keys >= 0]
    if len(keys) == 0 or len(edge_keys) == 0:
        return np.zeros(len(edge_keys), dtype=np.int64)
    pos = np.minimum(np.searchsorted(edge_keys, keys), len(edge_keys) - 1)
    hit = edge_keys[pos] == keys
    return np.bincount(pos[hit], minlength=len(edge_keys)).astype(np.int64)


def edge_significance(
    shares: pd.DataFrame,
    result: pd.DataFrame,
    network_edges: pd.DataFrame,
    n_null: int = 999,
    seed: int = 42,
    time_window: int = 10,
    min_participation: int = 2,
    remove_loops: bool = True,
    block_seconds: int | None = None,
    method: str = "shuffle",
) -> pd.DataFrame:
    """Add ``observed_weight``, ``null_mean``, ``p_value`` and ``q_value`` to ``network_edges``.

    ``shares``: the input of ``detect_groups``; ``result``: its output with the same
    ``time_window`` (seconds) / ``min_participation`` / ``remove_loops``; ``network_edges``:
    ``coordinated_network(result).edges`` (any subset of edges). ``observed_weight`` is the
    number of result rows of the edge's account pair (the network's ``weight``); ``null_mean``
    its mean over the ``n_null`` replicates. See the module doc for the null model and the
    p- and q-values. Returns a copy of ``network_edges`` with the four columns added.

    ``method``: ``"shuffle"`` (the replicates above), ``"parametric"`` (exact binomial
    tails of the same null in expectation) or ``"parametric-conditional"`` (the same, given
    that the pair co-shared at least once): see
    :mod:`coordgraph.analysis.significance_parametric`; there ``n_null`` and ``seed`` are
    unused, ``block_seconds`` is not supported, and ``n_opportunities`` and ``p_close`` are
    added too.
    """
    if method not in METHODS:
        raise ValueError(f"significance method must be one of {', '.join(METHODS)}, got '{method}'")
    if method != "shuffle":
        if block_seconds:
            raise ValueError("block_seconds is only supported by the shuffle significance method")
        from coordgraph.analysis.significance_parametric import parametric_significance

        return parametric_significance(shares, result, network_edges, time_window,
                                       given_edge=method == "parametric-conditional")
    check_shares(shares)
    if n_null < 1:
        raise ValueError(f"n_null must be >= 1, got {n_null}")
    for col in ("account_id", "account_id_y"):
        if col not in network_edges.columns:
            raise ValueError(f"network_edges lack column '{col}'")
    out = network_edges.copy()
    if out.empty:
        return out.assign(observed_weight=pd.Series(dtype="int64"), null_mean=pd.Series(dtype=float),
                          p_value=pd.Series(dtype=float), q_value=pd.Series(dtype=float))
    index = pd.Index(pd.unique(np.concatenate([
        out["account_id"].to_numpy(dtype=object), out["account_id_y"].to_numpy(dtype=object)])))
    keys = _pair_keys(out["account_id"].to_numpy(), out["account_id_y"].to_numpy(), index)
    edge_keys = np.unique(keys)
    observed = _pair_weights(result, edge_keys, index)
    rng = np.random.default_rng(seed)
    exceed = np.zeros(len(edge_keys), dtype=np.int64)
    total = np.zeros(len(edge_keys), dtype=np.int64)
    shuffler = PostTimeShuffler(shares, block_seconds)
    for _ in range(n_null):
        null = shuffler.draw(rng)
        null_result = detect_groups(null, time_window, min_participation, remove_loops, sort_like_coortweet=False)
        weights = _pair_weights(null_result, edge_keys, index)
        exceed += weights >= observed
        total += weights
    p_edge = (1.0 + exceed) / (1.0 + n_null)
    at = np.searchsorted(edge_keys, keys)
    out["observed_weight"] = observed[at]
    out["null_mean"] = total[at] / n_null
    out["p_value"] = p_edge[at]
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy())
    return out


def significance_threshold(edges: pd.DataFrame, alpha: float = 0.01, column: str = "q_value") -> pd.DataFrame:
    """Flag significant edges: a copy of ``edges`` with ``significant`` = 1 where ``column <= alpha``.

    ``column`` is ``q_value`` (false discovery rate control, default) or ``p_value``
    (per-edge test, no multiple-testing control). The ``--edge-significance ALPHA`` option
    of ``coordgraph detect`` uses this beside the percentile ``weight_threshold``.
    """
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    if column not in edges.columns:
        raise ValueError(f"edges lack column '{column}': run edge_significance() first")
    out = edges.copy()
    out["significant"] = (out[column].to_numpy() <= alpha).astype(np.int64)
    return out
