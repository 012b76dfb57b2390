"""The ``similar_text`` intent: posts whose texts are near-identical share one object.

Why: exact text matching (the ``cotweet`` intent) misses copy-paste campaigns that vary a
word, an emoji or a link; all-pairs Jaccard (as in other toolkits) takes hours on millions
of posts. Here:

1. **Normalise** each post's text to a *token set*: lowercase (casefold), URLs
   (``http(s)://...``, ``www....``) and ``@mentions`` removed, a leading retweet marker
   ``RT`` removed, then the set of word tokens (``\\w+``, Unicode: ``#tag`` gives ``tag``).
   Posts with fewer than ``min_tokens`` distinct tokens are left out (too short to call
   "near-identical"; identical short texts are the cotweet intent's job).
2. **Exact duplicates** (equal token sets) are merged first, so every distinct set is
   sketched once.
3. **MinHash-LSH blocking**: datasketch ``MinHash`` signatures (``num_perm`` permutations,
   fixed ``seed``; computed for all sets at once in numpy, equal to datasketch's values),
   cut into bands chosen for recall (:func:`lsh_bands`: a pair at exactly ``similarity`` is
   a candidate with probability >= 0.98); two sets that fall in the same bucket of any band
   are *candidates*; candidates whose full-signature estimate is far below the threshold
   are dropped before scoring. The banding is done with numpy sorts rather than
   datasketch's ``MinHashLSH`` dictionaries (one Python entry per set and band: 18 million
   at a million posts).
4. **Exact verification**: a candidate pair is linked only when the exact Jaccard index
   ``|A ∩ B| / |A ∪ B|`` of its token sets is ``>= similarity``.
5. **Groups = connected components** of the verified links. Choice documented: components
   guarantee that every verified near-duplicate pair ends in the same object (the recall
   measured in ``bench/bench_similar.py``); the price is chaining — A~B and B~C put A and C in
   one object even when A and C are less similar. A campaign that mutates a template step by
   step is exactly what chaining is meant to catch. ``group_stats`` reports each group's
   smallest verified link so such chains can be seen.

Each group becomes one object; its id is the normalised text (tokens in text order) of the
group's representative: the token set carried by the most posts, ties broken by the earliest
post (``ts``, then ``post_id``). Ids are therefore readable and stable for a given input.

Retweets (rows with ``retweeted_id``) are left out by default: they copy their original
verbatim, and the ``retweets`` intent already links them. Replies and quotes carry their own
text and are kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from datasketch import MinHash

KIND = "similar_text"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_RT_WORD = re.compile(r"^\s*rt\b:?", re.IGNORECASE)
_TOKEN = re.compile(r"\w+")

REQUIRED_COLUMNS = ("post_id", "account_id", "ts", "text")


def text_tokens(text: str | None) -> list[str]:
    """The normalised word tokens of one text, in text order, duplicates kept.

    Lowercase (casefold); URLs, ``@mentions`` and a leading ``RT`` marker removed; tokens are
    runs of Unicode word characters, so ``#Tag`` gives ``tag`` and punctuation is dropped.
    """
    if not text:
        return []
    text = _URL.sub(" ", text)
    text = _RT_WORD.sub(" ", text)
    text = _MENTION.sub(" ", text)
    return _TOKEN.findall(text.casefold())


def jaccard(a: frozenset, b: frozenset) -> float:
    """Exact Jaccard index of two sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class _UnionFind:
    """Disjoint sets over ``0..n-1`` with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        """Merge the sets of roots ``a`` and ``b``; return the new root."""
        if a == b:
            return a
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        return a


@dataclass(frozen=True)
class TextGroups:
    """Near-duplicate groups of distinct token sets.

    ``sets``: the distinct token sets; ``group``: group index per set (0..n_groups-1);
    ``min_link``: per group, the smallest verified Jaccard link used (1.0 for one-set groups);
    ``n_candidates`` / ``n_verified``: candidate pairs examined and pairs that passed.
    """

    sets: list[frozenset]
    group: np.ndarray
    min_link: np.ndarray
    n_candidates: int
    n_verified: int


def lsh_bands(similarity: float, num_perm: int, target_recall: float = 0.98) -> tuple[int, int]:
    """Choose (bands, rows) for MinHash-LSH so that a pair at exactly ``similarity`` becomes a
    candidate with probability >= ``target_recall``, with as few false candidates as possible.

    The probability that a pair of Jaccard ``s`` shares a bucket in at least one of ``b`` bands
    of ``r`` rows is ``1 - (1 - s**r)**b``; we take the largest ``r`` (fewest false candidates)
    that still reaches the target with ``b = num_perm // r``. Example: 0.8 and 128 permutations
    give 18 bands of 7 rows (0.986 at exactly 0.8, 0.9998 at 0.9, 0.13 at 0.5); near-duplicate
    groups of three or more texts are found with higher probability still, as any spanning
    chain of links suffices. datasketch's own choice (9 x 13) balances errors evenly and
    catches only 40% of pairs at exactly 0.8. One more row per band (21 x 6) would raise the
    pair probability to 0.998 but multiplies the chance candidates among short texts of
    common words by about 30.
    """
    best = (num_perm, 1)
    for r in range(1, num_perm + 1):
        b = num_perm // r
        if b < 1:
            break
        if 1.0 - (1.0 - similarity**r) ** b >= target_recall:
            best = (b, r)
    return best


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, the pre-mix of datasketch's ``affine32`` scheme."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def minhash_signatures(
    sets: list[frozenset], num_perm: int = 128, seed: int = 1, block_tokens: int = 1 << 19
) -> np.ndarray:
    """MinHash signatures of ``sets``, one uint32 row each, equal to datasketch's ``MinHash``.

    The values are those of ``datasketch.MinHash(num_perm, seed)`` (default ``affine32``
    scheme: SHA-1 32-bit token hash, MurmurHash3 pre-mix, permutations ``a h + b`` mod 2**32)
    updated with each set's UTF-8 tokens; the test suite checks the equality. Computed in
    numpy over all sets at once (each distinct token hashed once; blocks of about
    ``block_tokens`` tokens) instead of one Python object per set: 20 times faster.
    An empty set gets datasketch's empty value, 2**32 - 1 everywhere.
    """
    template = MinHash(num_perm=num_perm, seed=seed)
    if template.scheme != "affine32":  # pragma: no cover - guards a datasketch default change
        raise RuntimeError(f"datasketch MinHash scheme {template.scheme!r} is not affine32")
    perm_a = template.permutations[0].astype(np.uint32)
    perm_b = template.permutations[1].astype(np.uint32)
    out = np.full((len(sets), num_perm), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    lengths = np.fromiter((len(x) for x in sets), dtype=np.int64, count=len(sets))
    if lengths.sum() == 0:
        return out
    codes, vocab = pd.factorize(np.fromiter(chain.from_iterable(sets), dtype=object, count=int(lengths.sum())))
    token_hash = np.fromiter(
        (template.hashfunc(tok.encode("utf-8")) for tok in vocab), dtype=np.uint32, count=len(vocab)
    )
    token_hash = _fmix32(token_hash)[codes]
    ends = np.cumsum(lengths)
    starts = ends - lengths
    nonempty = np.flatnonzero(lengths > 0)
    lo = 0
    while lo < len(nonempty):
        # a block of sets holding about block_tokens tokens
        first_tok = starts[nonempty[lo]]
        hi = int(np.searchsorted(ends[nonempty], first_tok + block_tokens, side="right"))
        hi = max(hi, lo + 1)
        rows = nonempty[lo:hi]
        tok = token_hash[first_tok : ends[rows[-1]]]
        offsets = starts[rows] - first_tok
        for c in range(0, num_perm, 32):
            vals = tok[:, None] * perm_a[None, c : c + 32] + perm_b[None, c : c + 32]
            out[rows, c : c + 32] = np.minimum.reduceat(vals, offsets, axis=0)
        lo = hi
    return out


_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_buckets(signatures: np.ndarray, bands: int, rows: int):
    """Yield, per band, the buckets with two or more members as arrays of row indices.

    Each band's ``rows`` signature values are folded into one 64-bit key (multiply-xor
    mixing); rows with equal keys share a bucket. A rare 64-bit key collision only adds a
    candidate, which exact verification then rejects.
    """
    n = signatures.shape[0]
    for band in range(bands):
        block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        key = np.full(n, np.uint64(band + 1), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for col in range(rows):
                key = (key ^ block[:, col]) * _MIX
                key ^= key >> np.uint64(29)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        sizes = np.diff(np.r_[starts, n])
        for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
            yield order[start : start + size]


def group_token_sets(
    sets: list[frozenset],
    similarity: float = 0.8,
    num_perm: int = 128,
    seed: int = 1,
    lsh_params: tuple[int, int] | None = None,
) -> TextGroups:
    """Group distinct token sets into connected components of exact Jaccard >= ``similarity``.

    Candidates come from MinHash-LSH: datasketch MinHash signatures, banded as chosen by
    :func:`lsh_bands` (or ``lsh_params`` = (bands, rows)); each candidate pair is verified
    exactly. Components do not depend on the order of ``sets``; the candidates depend on
    ``seed``, which is fixed.
    """
    if not 0.0 < similarity <= 1.0:
        raise ValueError(f"similarity must be in (0, 1], got {similarity}")
    n = len(sets)
    uf = _UnionFind(n)
    min_link = np.ones(n)  # indexed by root while building
    counters = [0, 0]
    if n > 1:
        bands, rows = lsh_params or lsh_bands(similarity, num_perm)
        if bands * rows > num_perm:
            raise ValueError(f"lsh_params {bands}x{rows} need more than num_perm={num_perm} values")
        signatures = minhash_signatures(sets, num_perm, seed)
        for members in band_buckets(signatures, bands, rows):
            _link_bucket(np.sort(members), sets, signatures, uf, similarity, min_link, counters)
    roots = np.fromiter((uf.find(i) for i in range(n)), dtype=np.int64, count=n)
    uniq, group = np.unique(roots, return_inverse=True)
    return TextGroups(
        sets=sets,
        group=group.astype(np.int64),
        min_link=min_link[uniq],
        n_candidates=counters[0],
        n_verified=counters[1],
    )


def _signature_margin(similarity: float, num_perm: int) -> float:
    """How far below ``similarity`` a MinHash estimate may fall before a pair is not scored.

    The estimate from ``num_perm`` values has standard deviation ``sqrt(s (1 - s) / num_perm)``
    (0.035 at 0.8 and 128); 4.5 of them plus 0.02 lose a true pair with probability < 1e-5.
    """
    return 4.5 * float(np.sqrt(similarity * (1 - similarity) / num_perm)) + 0.02


def _link_bucket(
    members: np.ndarray,
    sets: list[frozenset],
    signatures: np.ndarray,
    uf: _UnionFind,
    similarity: float,
    min_link: np.ndarray,
    counters: list[int],
    block: int = 64,
) -> None:
    """Union the members of one LSH bucket whose exact Jaccard is >= ``similarity``.

    A bucket whose members are already one component is skipped. Otherwise the pairs of
    the bucket are pre-filtered by their full-signature MinHash estimate (vectorised, in
    blocks of ``block`` rows), and the survivors are scored exactly; pairs already in one
    component are skipped, since they cannot change the components. This keeps big buckets
    of dissimilar sets (short texts of common words) from costing a Python check per pair.
    """
    roots = [uf.find(int(m)) for m in members]
    if len(set(roots)) == 1:
        return
    floor = (similarity - _signature_margin(similarity, signatures.shape[1])) * signatures.shape[1]
    sig = signatures[members]
    k = len(members)
    for lo in range(0, k - 1, block):
        hi = min(k, lo + block)
        agree = (sig[lo:hi, None, :] == sig[None, lo + 1 :, :]).sum(axis=2)
        rows, cols = np.nonzero(agree >= floor)
        cols = cols + lo + 1
        rows = rows + lo
        keep = cols > rows
        for a, b in zip(rows[keep].tolist(), cols[keep].tolist()):
            i, j = int(members[a]), int(members[b])
            ri, rj = uf.find(i), uf.find(j)
            if ri == rj:
                continue
            counters[0] += 1
            si, sj = sets[i], sets[j]
            small, big = sorted((len(si), len(sj)))
            if small < similarity * big:  # Jaccard <= small/big
                continue
            score = jaccard(si, sj)
            if score >= similarity:
                counters[1] += 1
                link = min(score, min_link[ri], min_link[rj])
                min_link[uf.union(ri, rj)] = link


def _check_posts(posts: pd.DataFrame) -> None:
    """Raise a clear ValueError naming the missing column or the first bad row."""
    missing = [c for c in REQUIRED_COLUMNS if c not in posts.columns]
    if missing:
        raise ValueError(f"posts: missing column(s) {', '.join(missing)} for the similar_text intent")
    for col in ("post_id", "account_id", "ts"):
        bad = posts[col].isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"posts: row {row}: field '{col}': missing value")


def similar_text_groups(
    posts: pd.DataFrame,
    similarity: float = 0.8,
    num_perm: int = 128,
    seed: int = 1,
    min_tokens: int = 3,
    include_retweets: bool = False,
    lsh_params: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Assign each eligible post to its near-duplicate group.

    Returns one row per eligible post: ``post_id, account_id, ts, object_id`` (the group's
    representative normalised text), ``group_size`` (posts in the group), ``group_sets``
    (distinct token sets in it) and ``min_link`` (smallest verified Jaccard link in it).
    See the module doc for the rules.
    """
    _check_posts(posts)
    frame = posts
    if not include_retweets and "retweeted_id" in frame.columns:
        frame = frame[frame["retweeted_id"].isna()]
    tokens = [text_tokens(t) if isinstance(t, str) else [] for t in frame["text"].tolist()]
    keep = np.fromiter((len(set(t)) >= min_tokens for t in tokens), dtype=bool, count=len(tokens))
    frame = frame.loc[keep, ["post_id", "account_id", "ts"]].reset_index(drop=True)
    tokens = [t for t, k in zip(tokens, keep) if k]
    out_cols = ["post_id", "account_id", "ts", "object_id", "group_size", "group_sets", "min_link"]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in out_cols})

    set_index: dict[frozenset, int] = {}
    post_set = np.empty(len(tokens), dtype=np.int64)
    for k, toks in enumerate(tokens):
        post_set[k] = set_index.setdefault(frozenset(toks), len(set_index))
    sets = list(set_index)
    groups = group_token_sets(sets, similarity, num_perm, seed, lsh_params)

    frame["post_id"] = frame["post_id"].astype(str)
    frame["account_id"] = frame["account_id"].astype(str)
    frame["ts"] = frame["ts"].astype("int64")
    frame["_set"] = post_set
    frame["_group"] = groups.group[post_set]
    frame["_pos"] = np.arange(len(frame))
    object_id = _representative_texts(frame, tokens)
    frame["object_id"] = frame["_group"].map(object_id)
    frame["group_size"] = frame.groupby("_group")["_group"].transform("size").astype("int64")
    frame["group_sets"] = frame.groupby("_group")["_set"].transform("nunique").astype("int64")
    frame["min_link"] = groups.min_link[frame["_group"].to_numpy()]
    return frame[out_cols]


def _representative_texts(frame: pd.DataFrame, tokens: list[list[str]]) -> pd.Series:
    """Per group, the normalised text of its representative set (most posts, then earliest)."""
    per_set = (
        frame.groupby(["_group", "_set"], sort=False)
        .agg(n=("_pos", "size"), first_ts=("ts", "min"), first_post=("post_id", "min"), pos=("_pos", "first"))
        .reset_index()
        .sort_values(["_group", "n", "first_ts", "first_post"], ascending=[True, False, True, True])
        .drop_duplicates("_group")
    )
    texts = [" ".join(tokens[p]) for p in per_set["pos"].tolist()]
    return pd.Series(texts, index=per_set["_group"].to_numpy())


def _dtype(col: str) -> str:
    return {"ts": "int64", "group_size": "int64", "group_sets": "int64", "min_link": "float64"}.get(col, "object")


def similar_text_shares(
    posts: pd.DataFrame,
    similarity: float = 0.8,
    num_perm: int = 128,
    seed: int = 1,
    min_tokens: int = 3,
    include_retweets: bool = False,
    lsh_params: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Shares (docs/contracts.md) of the ``similar_text`` intent: one row per eligible post.

    ``object_id`` = the post's near-duplicate group (see :func:`similar_text_groups`),
    ``content_id`` = ``post_id``, ``timestamp_share`` = ``ts`` (UNIX seconds, UTC),
    ``kind`` = ``"similar_text"``. The time-window pairing is then the usual ``detect_groups``.
    """
    groups = similar_text_groups(
        posts, similarity, num_perm, seed, min_tokens, include_retweets, lsh_params
    )
    return pd.DataFrame(
        {
            "object_id": groups["object_id"].astype(str),
            "account_id": groups["account_id"].astype(str),
            "content_id": groups["post_id"].astype(str),
            "timestamp_share": groups["ts"].astype("int64"),
            "kind": KIND,
        }
    )


def exact_similar_pairs(sets: list[frozenset], similarity: float = 0.8) -> np.ndarray:
    """All pairs ``(i, j)``, ``i < j``, of ``sets`` with exact Jaccard >= ``similarity``.

    The reference the LSH grouping is measured against (tests, ``bench/bench_similar.py``).
    Exact, not sampled: prefix filtering (Bayardo et al., "Scaling up all pairs similarity
    search", 2007). Tokens are ordered rarest first; a pair with Jaccard >= t must share a
    token among the first ``|x| - ceil(t |x|) + 1`` tokens of each set, so only pairs sharing
    such a prefix token are scored — the same answer as scoring all ``n (n - 1) / 2`` pairs.
    Returns an ``(m, 2)`` int64 array sorted by (i, j).
    """
    freq: dict[str, int] = {}
    for s in sets:
        for tok in s:
            freq[tok] = freq.get(tok, 0) + 1
    index: dict[str, list[int]] = {}
    found: set[tuple[int, int]] = set()
    eps = 1e-12
    for j, s in enumerate(sets):
        if not s:
            continue
        ordered = sorted(s, key=lambda t: (freq[t], t))
        prefix = len(ordered) - int(np.ceil(similarity * len(ordered) - eps)) + 1
        seen: set[int] = set()
        for tok in ordered[:prefix]:
            for i in index.get(tok, ()):
                if i in seen:
                    continue
                seen.add(i)
                if jaccard(sets[i], s) >= similarity:
                    found.add((i, j))
            index.setdefault(tok, []).append(j)
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return np.array(sorted(found), dtype=np.int64)
