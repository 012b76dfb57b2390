"""Edge significance with an analytic null: exact binomial tails instead of re-running detection.

Why: the shuffle null (:mod:`coordgraph.analysis.significance`) re-runs ``detect_groups`` once
per replicate and its empirical p-values cannot go below ``1 / (1 + n_null)``; with
Benjamini-Hochberg over thousands of edges even planted pairs then miss q <= 0.01, and 999
detections of 10M shares are out of reach. This module computes, for every edge at once, the
distribution that the shuffle null approximates, and its upper tail exactly.

The null (the same as the shuffle null's, in expectation):

* A *post* is a distinct (account_id, content_id); its time is the earliest
  ``timestamp_share`` of its rows. ``T_a`` is the multiset of account a's post times
  (its *posting instants*), ``n_a = |T_a|``.
* Under independent timing every post of a is placed at one of a's own posting instants
  chosen uniformly at random, independently of which object it carries and of every other
  account (the shuffle null draws the same instants *without* replacement: a permutation).
* The pair's *opportunities* ``K_ab = sum_o r_a(o) r_b(o)``: the number of (row of a, row of
  b) pairs on a common object o (``r_a(o)`` = a's rows with object o). The observed edge
  weight ``W_ab`` (result rows of the pair) counts the opportunities that fall within
  ``time_window`` seconds, so ``W_ab <= K_ab``.
* Each opportunity falls within the window with probability
  ``p_ab = C_ab / (n_a n_b)``, ``C_ab = #{(x, y) in T_a x T_b : |x - y| <= time_window}``:
  the share of all pairs of the two accounts' posting instants that are close. The same for
  every object, so the Poisson-binomial sum of the per-opportunity Bernoullis is a binomial:
  ``W_ab ~ Binomial(K_ab, p_ab)`` and ``null_mean = K_ab p_ab`` (exactly the shuffle null's
  expected weight, loops and the post-filter aside).
* p-value: ``P(Binomial(K_ab, p_ab) >= W_ab)``, the regularised incomplete beta function
  (``scipy.special.bdtrc``, Cephes' incomplete beta: accurate to double precision far into
  the tail); values below ``1e-300`` are reported as ``1e-300`` (so BH can still rank them).
  q-value: Benjamini-Hochberg over the edges passed in.

Selection (``given_edge=True``, method ``"parametric-conditional"``): edges are only the
pairs that co-shared at least once, out of all pairs with ``K_ab >= 1`` (far more), so
Benjamini-Hochberg over the edges alone does not see the tests that were never written down.
The conditional p-value ``P(W >= w | W >= 1) = P(W >= w) / (1 - (1 - p)^K)`` is a valid test
for a selected edge: one co-share is never significant (p = 1), evidence starts at the second.
On 1M generated shares it keeps all 3,900 planted edges and flags 0 of 62,109 others
(unconditional: 17); on 10M, 3,900 of 3,900 and 0 of 643,168 (unconditional: 528,079); on the small simulated test data it keeps only planted pairs with three
or more co-shares (37 of 66).

Assumptions and their direction: the opportunities are treated as independent. Rows of one
post move together (a post with three objects is three correlated opportunities), and
permuting without replacement makes a's opportunities negatively dependent; co-shares of
repeated multi-object posts therefore look a little more surprising here than under the
shuffle. Loops (``remove_loops``) and the post-filter are ignored: ``K_ab`` counts every
opportunity, so the test is about timing given the shared objects, not about the filters.
Accounts whose rhythms overlap (both post at the same busy hours) get a large ``p_ab`` and
need many more co-shares to be significant: what the shuffle null keeps, this keeps.

References: the detectors this tests (CooRTweet's co-shares; Pacheco et al., "Uncovering
Coordinated Networks on Social Media", ICWSM 2021; Weber & Neumann, "Amplifying influence
through coordinated behaviour in social networks", SNAM 2021) flag edges by weight or
percentile; this null asks instead whether the co-shares exceed what each account's own
activity and rhythm give by chance, breaking only the link between object and time.
A sum of independent Bernoullis with unequal probabilities is Poisson-binomial (Hong,
"On computing the distribution function for the Poisson binomial distribution", CSDA 2013);
here the probabilities are equal within a pair, so its tail is the binomial one.

Cost: the three id columns factorised once, one sort of the posts and of the (account, object)
entries, then per edge one binary search per object of the account with fewer objects (``K``)
and two per post of the account with fewer posts (``C``): ``O(R + sum_edges min(n_a, n_b)
log P)``, vectorised in chunks of ``chunk`` searches. No detection re-runs.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import bdtrc

from coordgraph.analysis.detect import check_shares

#: Smallest p-value reported (the binomial tail underflows double precision below ~1e-308).
P_FLOOR = 1e-300


def _edge_account_rows(shares: pd.DataFrame, a_ids: np.ndarray, b_ids: np.ndarray):
    """Code the edges' accounts 0..n-1 and find their rows in ``shares``.

    Returns ``(ca, cb, n_acc, rows, acc)``: the codes of each edge's two accounts, how many
    accounts, the positions of the rows of those accounts and each such row's account code.
    The account column is factorised once (fast on Arrow strings); only the few edge ids are
    looked up by value.
    """
    codes, uniques = pd.factorize(shares["account_id"], sort=False)
    ua = pd.Index(uniques).get_indexer(a_ids)
    ub = pd.Index(uniques).get_indexer(b_ids)
    used = np.unique(np.concatenate([ua[ua >= 0], ub[ub >= 0]]))
    local = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last slot: codes of -1 (missing ids)
    local[used] = np.arange(len(used))
    ca = np.where(ua >= 0, local[ua], -1)
    cb = np.where(ub >= 0, local[ub], -1)
    row_acc = local[codes]
    rows = np.flatnonzero(row_acc >= 0)
    return ca, cb, len(used), rows, row_acc[rows]


def _posts(shares: pd.DataFrame, rows: np.ndarray, acc: np.ndarray):
    """Posts of the given rows: ``(account code, post time)`` of each distinct (account, content).

    A post's time is the earliest ``timestamp_share`` of its rows (seconds).
    """
    content = pd.factorize(shares["content_id"], sort=False)[0][rows].astype(np.int64)
    t = shares["timestamp_share"].to_numpy(dtype=np.int64)[rows]
    key = acc * (int(content.max()) + 1 if len(content) else 1) + content
    post = pd.factorize(key, sort=False)[0]
    post_t = pd.Series(t).groupby(post, sort=True).min().to_numpy(dtype=np.int64)
    row_of_post = np.empty(len(post_t), dtype=np.int64)
    row_of_post[post] = np.arange(len(post))  # some row of each post: all have its account
    return acc[row_of_post], post_t


def _expand(ca: np.ndarray, cb: np.ndarray, sizes: np.ndarray, offsets: np.ndarray, chunk: int):
    """For each pair, the items of its account with fewer items, in chunks of ~``chunk`` items.

    Items of account x are ``offsets[x] .. offsets[x] + sizes[x] - 1`` of some sorted array.
    Yields ``(s, e, edge, pos, other)``: pairs ``s:e``, and per item its pair, its position and
    the pair's other account. Work is ``sum min(sizes)``, never the product.
    """
    a_small = sizes[ca] <= sizes[cb]
    small = np.where(a_small, ca, cb)
    large = np.where(a_small, cb, ca)
    reps = sizes[small]
    bounds = np.concatenate([[0], np.cumsum(reps)])
    m = len(ca)
    s = 0
    while s < m:
        e = max(int(np.searchsorted(bounds, bounds[s] + chunk, side="right")) - 1, s + 1)
        r = reps[s:e]
        edge = np.repeat(np.arange(s, e), r)
        within = np.arange(len(edge)) - np.repeat(bounds[s:e] - bounds[s], r)
        yield s, e, edge, offsets[small[edge]] + within, large[edge]
        s = e


def pair_null(
    shares: pd.DataFrame,
    account_a: np.ndarray,
    account_b: np.ndarray,
    time_window: int = 10,
    chunk: int = 4_000_000,
) -> pd.DataFrame:
    """``K`` (opportunities), ``C`` (close instant pairs), ``n_a``, ``n_b`` and ``p`` per pair.

    ``account_a``/``account_b``: equal-length arrays of account ids (one row per pair). See the
    module doc for the definitions. Pairs with an account absent from ``shares`` get K = 0.
    """
    a_ids = np.asarray(account_a, dtype=object)
    b_ids = np.asarray(account_b, dtype=object)
    ca, cb, n_acc, rows, acc = _edge_account_rows(shares, a_ids, b_ids)
    known = (ca >= 0) & (cb >= 0)
    ca, cb = np.where(known, ca, 0), np.where(known, cb, 0)
    m = len(ca)
    n_acc = max(n_acc, 1)

    # K: rows of a x rows of b on common objects. For each (account, object) entry of the
    # account with fewer objects, a binary search for the same object among the other's entries.
    obj = pd.factorize(shares["object_id"], sort=False)[0][rows]
    n_obj = int(obj.max()) + 1 if len(obj) else 1
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (acc, obj)), shape=(n_acc, n_obj))
    counts.sum_duplicates()  # canonical: each account's objects sorted
    entry_acc = np.repeat(np.arange(n_acc, dtype=np.int64), np.diff(counts.indptr))
    entry_key = entry_acc * n_obj + counts.indices
    n_entries = np.diff(counts.indptr).astype(np.int64)
    k = np.zeros(m, dtype=np.int64)
    for s, e, edge, pos, other in _expand(ca, cb, n_entries, counts.indptr[:-1], chunk):
        want = other * n_obj + counts.indices[pos]
        at = np.minimum(np.searchsorted(entry_key, want), len(entry_key) - 1)
        hit = entry_key[at] == want
        k[s:e] = np.bincount(edge[hit] - s, weights=counts.data[pos[hit]] * counts.data[at[hit]],
                             minlength=e - s).astype(np.int64)
    k[~known] = 0

    # C: for each post of the less active account, the other's posts within the window.
    pa, pt = _posts(shares, rows, acc)
    t0 = int(pt.min()) if len(pt) else 0
    w = int(time_window)
    stride = (int(pt.max()) - t0 if len(pt) else 0) + 2 * w + 2
    if n_acc * stride >= 2**62:
        raise ValueError(f"time span {stride} s x {n_acc} accounts overflows the int64 post keys")
    keys = np.sort(pa * stride + (pt - t0))
    n_posts = np.bincount(pa, minlength=n_acc).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(n_posts)[:-1]])
    na, nb = np.where(known, n_posts[ca], 0), np.where(known, n_posts[cb], 0)
    c = np.zeros(m, dtype=np.float64)
    for s, e, edge, pos, other in _expand(ca, cb, n_posts, start, chunk):
        t_rel = keys[pos] % stride
        base = other * stride
        close = (np.searchsorted(keys, base + t_rel + w, side="right")
                 - np.searchsorted(keys, base + t_rel - w, side="left"))
        c[s:e] = np.bincount(edge - s, weights=close, minlength=e - s)
    c[~known] = 0
    denom = (na * nb).astype(np.float64)
    p = np.divide(c, denom, out=np.zeros(m), where=denom > 0)
    return pd.DataFrame({"n_opportunities": k, "close_pairs": c.astype(np.int64),
                         "n_posts_a": na, "n_posts_b": nb, "p_close": np.minimum(p, 1.0)})


def binomial_upper_tail(observed: np.ndarray, n: np.ndarray, p: np.ndarray, given_one: bool = False) -> np.ndarray:
    """``P(Binomial(n, p) >= observed)`` elementwise, floored at :data:`P_FLOOR`; 1 when observed <= 0.

    ``given_one``: ``P(X >= observed | X >= 1)`` instead (1 when observed <= 1).
    """
    observed = np.asarray(observed, dtype=np.int64)
    n = np.maximum(np.asarray(n, dtype=np.int64), observed)  # a pair cannot co-share more than it could
    p = np.asarray(p, dtype=float)
    tail = bdtrc(observed - 1, n, p)  # P(X > observed - 1)
    tail = np.where(observed <= 0, 1.0, tail)
    if given_one:
        at_least_one = -np.expm1(n * np.log1p(-np.minimum(p, 1.0 - 1e-16)))  # 1 - (1 - p)^n, exact for small p
        tail = np.where(observed <= 1, 1.0, np.divide(tail, at_least_one, out=np.ones(len(tail)),
                                                      where=at_least_one > 0))
    return np.clip(np.nan_to_num(tail, nan=1.0), P_FLOOR, 1.0)


def parametric_significance(
    shares: pd.DataFrame,
    result: pd.DataFrame,
    network_edges: pd.DataFrame,
    time_window: int = 10,
    chunk: int = 4_000_000,
    given_edge: bool = False,
) -> pd.DataFrame:
    """Add ``observed_weight``, ``null_mean``, ``n_opportunities``, ``p_close``, ``p_value``,
    ``q_value`` to a copy of ``network_edges`` (see the module doc).

    ``given_edge``: p-values conditional on the pair having co-shared at least once,
    ``P(W >= w | W >= 1)`` (edges exist only because W >= 1: see the module doc).

    Same inputs as :func:`coordgraph.analysis.significance.edge_significance` (which calls this
    for ``method="parametric"``); ``time_window`` in seconds, the one ``result`` was built with.
    """
    from coordgraph.analysis.significance import _pair_keys, _pair_weights, benjamini_hochberg

    check_shares(shares)
    for col in ("account_id", "account_id_y"):
        if col not in network_edges.columns:
            raise ValueError(f"network_edges lack column '{col}'")
    out = network_edges.copy()
    if out.empty:
        return out.assign(observed_weight=pd.Series(dtype="int64"), null_mean=pd.Series(dtype=float),
                          n_opportunities=pd.Series(dtype="int64"), p_close=pd.Series(dtype=float),
                          p_value=pd.Series(dtype=float), q_value=pd.Series(dtype=float))
    a = out["account_id"].to_numpy(dtype=object)
    b = out["account_id_y"].to_numpy(dtype=object)
    index = pd.Index(pd.unique(np.concatenate([a, b])))
    keys = _pair_keys(a, b, index)
    edge_keys = np.unique(keys)
    observed = _pair_weights(result, edge_keys, index)[np.searchsorted(edge_keys, keys)]
    null = pair_null(shares, a, b, time_window, chunk)
    out["observed_weight"] = observed
    out["n_opportunities"] = null["n_opportunities"].to_numpy()
    out["p_close"] = null["p_close"].to_numpy()
    out["null_mean"] = out["n_opportunities"].to_numpy() * out["p_close"].to_numpy()
    out["p_value"] = binomial_upper_tail(observed, out["n_opportunities"].to_numpy(), out["p_close"].to_numpy(),
                                         given_one=given_edge)
    out["q_value"] = benjamini_hochberg(out["p_value"].to_numpy())
    return out
