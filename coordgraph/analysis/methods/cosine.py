"""Pacheco et al.'s account x feature projection with cosine similarity (``--method cosine``).

Reference: D. Pacheco, P.-M. Hui, C. Torres-Lugo, B. T. Truong, A. Flammini, F. Menczer,
"Uncovering Coordinated Networks on Social Media: Methods and Case Studies", ICWSM 2021
(doi:10.1609/icwsm.v15i1.18075); their code github.com/osome-iu/coordination-detection
(CS3 hashtag sequences, CS4 co-retweet, CS5 activity in 30-minute bins).

The method: a bipartite graph of accounts and behavioural *features* (retweeted ids, hashtag
sequences, 30-minute time bins, URLs, image hashes), weighted by TF-IDF; each account is a
vector, the projected account network is weighted by the cosine similarity of two vectors and
only the most similar edges are kept (the paper: top 0.5 %, i.e. the 0.995 quantile). As
their code (``calculate_interaction``):

- support filter: accounts whose feature count (support) is ``> min_support`` (CS4 10, CS5 8);
  accounts with fewer than ``min_features`` distinct features (their code: ``len(grp) > 1``);
- TF-IDF as scikit-learn's ``TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm='l2')``:
  tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1, rows scaled to unit length; features in
  fewer than ``min_df`` accounts dropped (their code 3, falling back to 1). ``tfidf=False``:
  the cosine of raw count vectors;
- the similarity is a sparse product in blocks of rows, each row keeping its ``top_k`` most
  similar other accounts (their ``sp_matmul_topn(top_n=100)``, which counts the account itself
  among the 100); a pair is kept when either account has the other in its top k. No dense
  account x account matrix is formed;
- edges flagged (``weight_threshold`` = 1): similarity ``>=`` the ``top_percentile`` quantile
  (R type 7 / pandas linear) of all kept similarities, or ``>= threshold`` when given.

Time bins (CS5): ``floor((t - t_min) / bin_seconds)`` from the earliest share (their code
starts from the first tweet read). Units: seconds.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

FEATURES = ("object", "retweet", "url", "image", "hashtag", "hashtag_sequence", "time_bin")
#: Features read from the rows of one intent when the share table has a kind column.
FEATURE_KIND = {"retweet": "retweets", "url": "urls", "image": "images", "hashtag": "hashtags",
                "hashtag_sequence": "hashtags"}


def account_features(shares: pd.DataFrame, feature: str = "object", bin_seconds: int = 1800) -> pd.DataFrame:
    """The bipartite graph's edges: ``account_id, feature, count`` from a share table.

    ``object``/``retweet``/``url``/``image``/``hashtag``: the object ids (of that intent when
    a kind column exists); ``hashtag_sequence``: per post (content_id), its hashtags in row order
    joined by spaces; ``time_bin``: each post's 30-minute (``bin_seconds``) bin."""
    if feature not in FEATURES:
        raise ValueError(f"feature must be one of {', '.join(FEATURES)}, got {feature!r}")
    table = shares
    kind = FEATURE_KIND.get(feature)
    if kind is not None and "kind" in table.columns:
        table = table[table["kind"] == kind]
    if feature == "hashtag_sequence":
        posts = table.groupby("content_id", sort=False).agg(
            account_id=("account_id", "first"), feature=("object_id", lambda s: " ".join(map(str, s))))
    elif feature == "time_bin":
        posts = table.groupby("content_id", sort=False).agg(account_id=("account_id", "first"),
                                                            t=("timestamp_share", "min"))
        start = posts["t"].min() if len(posts) else 0
        posts["feature"] = ((posts["t"] - start) // int(bin_seconds)).astype(np.int64).astype(str)
    else:
        posts = table[["account_id", "object_id"]].rename(columns={"object_id": "feature"})
    return posts.groupby(["account_id", "feature"], sort=False).size().rename("count").reset_index()


def _matrix(features: pd.DataFrame, tfidf: bool, min_df: int, max_df: float = 1.0):
    """Accounts x features, rows of unit length (TF-IDF or raw counts); account names.
    Features in fewer than ``min_df`` accounts (TF-IDF only, as their code) or in more than a
    ``max_df`` fraction of accounts (scikit-learn's float max_df) are dropped."""
    rows, accounts = pd.factorize(features["account_id"])
    cols, _ = pd.factorize(features["feature"])
    counts = features["count"].to_numpy(dtype=np.float64)
    n_accounts = len(accounts)
    df = np.bincount(cols, minlength=cols.max() + 1 if cols.size else 0)
    keep = (df[cols] >= (min_df if tfidf else 1)) & (df[cols] <= max_df * n_accounts)
    rows, cols, counts = rows[keep], cols[keep], counts[keep]
    if tfidf:
        idf = np.log((1.0 + n_accounts) / (1.0 + df)) + 1.0
        values = (1.0 + np.log(counts)) * idf[cols]
    else:
        values = counts
    x = sp.csr_matrix((values, (rows, cols)), shape=(n_accounts, int(cols.max()) + 1 if cols.size else 0))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ x, np.asarray(accounts)


def _top_k(i: np.ndarray, j: np.ndarray, s: np.ndarray, top_k: int):
    """Of the candidate (i, j, s), each i's ``top_k`` largest s (ties: smaller j first), i != j, s > 0."""
    keep = (i != j) & (s > 0)
    i, j, s = i[keep], j[keep], s[keep]
    order = np.lexsort((j, -s, i))
    i, j, s = i[order], j[order], s[order]
    starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]]) if i.size else np.zeros(0, np.int64)
    rank = np.arange(i.size) - np.repeat(starts, np.diff(np.r_[starts, i.size]))
    keep = rank < top_k
    return i[keep], j[keep], s[keep]


#: The dense route is taken when sum(df^2) > DENSE_FRACTION * n^2 (n accounts).
DENSE_FRACTION = 0.1
#: Dense scratch per block (floats) for the dense route: 500k floats = 4 MB, cache-sized (on the
#: 200k-share bench 16M took 110 s, 2M 55 s, 500k 36 s at load 10).
DENSE_BUDGET = 500_000


def _similar_pairs(x, top_k: int, block_rows: int):
    """Yield (i, j, s) blocks: each account's ``top_k`` most similar others.

    Two routes, same result. Sparse: ``x[block] @ x.T`` as a sparse product, when few pairs
    share a feature. Dense: when popular features make most pairs share one (sum over features
    of df^2 above a tenth of n^2), ``x @ x[block].T`` as sparse-times-dense into an n x b array
    (b from DENSE_BUDGET), cut to the candidates >= each column's k-th largest value."""
    n = x.shape[0]
    df = np.bincount(x.indices, minlength=x.shape[1]).astype(np.float64)
    dense = float((df * df).sum()) > DENSE_FRACTION * n * n
    if not dense:
        xt = x.T.tocsr()
        for start in range(0, n, block_rows):
            block = (x[start:start + block_rows] @ xt).tocsr()
            lengths = np.diff(block.indptr)
            rows = np.repeat(np.arange(block.shape[0], dtype=np.int64), lengths)
            # candidates: in rows longer than k + 1, only values >= the row's (k+1)-th largest
            # (the account itself is among them); the exact selection is then _top_k's
            cut = np.full(block.shape[0], -np.inf)
            for r in np.flatnonzero(lengths > top_k + 1):
                values = block.data[block.indptr[r]:block.indptr[r + 1]]
                cut[r] = np.partition(values, values.size - top_k - 1)[values.size - top_k - 1]
            keep = block.data >= cut[rows]
            yield _top_k(rows[keep] + start, block.indices[keep].astype(np.int64), block.data[keep], top_k)
        return
    width = max(1, min(block_rows, DENSE_BUDGET // max(n, 1)))
    kth = min(top_k + 1, n)  # + 1: the account itself is among the largest
    for start in range(0, n, width):
        # b x n, row r = account start + r (x @ dense is the fast sparse product; .T makes rows contiguous)
        sims = np.ascontiguousarray(np.asarray(x @ x[start:start + width].T.toarray()).T)
        cut = np.partition(sims, n - kth, axis=1)[:, n - kth]  # each row's kth largest
        r, j = np.nonzero((sims >= cut[:, None]) & (sims > 0))
        yield _top_k(r.astype(np.int64) + start, j.astype(np.int64), sims[r, j], top_k)


def cosine_network(features: pd.DataFrame, tfidf: bool = True, min_support: int = 0, min_features: int = 2,
                   min_df: int = 1, max_df: float = 1.0, top_k: int = 100, top_percentile: float | None = 0.995,
                   threshold: float | None = None, block_rows: int = 2048) -> pd.DataFrame:
    """The projected network of ``features`` (:func:`account_features`): one row per account
    pair ``account_id < account_id_y`` (by position of first appearance) with ``weight`` (cosine
    similarity), ``support`` (the smaller support of the two) and ``weight_threshold`` (0/1).

    ``threshold`` (absolute) wins over ``top_percentile``; with neither every edge is flagged."""
    if top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    support = features.groupby("account_id", sort=False)["count"].agg(["sum", "size"])
    good = support.index[(support["sum"] > min_support) & (support["size"] >= min_features)]
    features = features[features["account_id"].isin(good)]
    columns = ["account_id", "account_id_y", "weight", "support", "weight_threshold"]
    if features.empty:
        return pd.DataFrame(columns=columns)
    x, accounts = _matrix(features, tfidf, min_df, max_df)
    parts = list(_similar_pairs(x, top_k, block_rows))
    pairs = pd.DataFrame({"i": np.concatenate([p[0] for p in parts]), "j": np.concatenate([p[1] for p in parts]),
                          "s": np.concatenate([p[2] for p in parts])})
    lo, hi = np.minimum(pairs["i"], pairs["j"]), np.maximum(pairs["i"], pairs["j"])
    pairs = pd.DataFrame({"i": lo, "j": hi, "s": np.clip(pairs["s"].to_numpy(), 0.0, 1.0)})
    pairs = pairs.groupby(["i", "j"], sort=True)["s"].max().reset_index()
    sums = support["sum"]
    out = pd.DataFrame({"account_id": accounts[pairs["i"].to_numpy()], "account_id_y": accounts[pairs["j"].to_numpy()],
                        "weight": pairs["s"].to_numpy()})
    out["support"] = np.minimum(sums.loc[out["account_id"]].to_numpy(), sums.loc[out["account_id_y"]].to_numpy())
    if threshold is None and top_percentile is not None and len(out):
        threshold = float(np.quantile(out["weight"].to_numpy(), top_percentile))
    flagged = out["weight"].to_numpy() >= threshold - 1e-12 if threshold is not None else np.ones(len(out), bool)
    out["weight_threshold"] = flagged.astype(np.int64)
    out.attrs["threshold"] = threshold
    return out[columns]
