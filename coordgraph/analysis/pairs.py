"""The co-share engine: integer-coded shares and window pairing in time order.

CooRTweet joins every object's shares with themselves and filters by the window afterwards,
which is quadratic in an object's share count. Here each object's shares are sorted by time
(ties by processing order) and each share is paired only with the shares after it that fall
inside the window, found with one binary search over a combined (object, time) key. The work
and memory grow with the number of pairs produced, and pairs come out in chunks of bounded
size so that callers can aggregate them as they go.

Because the shares are sorted by (object, time, processing order), the left share of every
pair is the *older* one in CooRTweet's sense (ties: first in processing order), so the
orientation rule of the method comes for free.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Pairs per chunk: 8 million pairs hold about 130 MB of index arrays.
DEFAULT_CHUNK_PAIRS = 8_000_000


@dataclass
class CodedShares:
    """Shares with integer codes, restricted to the pre-filtered rows, in (object, time, order) order.

    ``obj``, ``acc``, ``cont`` index into ``objects``, ``accounts``, ``contents`` (pandas
    Index of the original ids); ``t`` is UNIX seconds; ``order`` is each row's position in
    CooRTweet's processing order; ``source_row`` its row number in the caller's table;
    ``obj_is_cont`` flags rows whose object id equals their content id (a loop).
    ``acc_all`` / ``cont_all`` hold the codes of every pre-filtered row (for the post-filter).
    """

    obj: np.ndarray
    acc: np.ndarray
    cont: np.ndarray
    t: np.ndarray
    order: np.ndarray
    source_row: np.ndarray
    obj_is_cont: np.ndarray
    objects: pd.Index
    accounts: pd.Index
    contents: pd.Index

    @property
    def n(self) -> int:
        return len(self.t)


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Factorize ids in order of first appearance -> (int32/int64 codes, unique ids)."""
    import pandas as pd
    codes, uniques = pd.factorize(values, sort=False)
    dtype = np.int32 if len(uniques) < 2**31 - 1 else np.int64
    return codes.astype(dtype, copy=False), pd.Index(uniques)


def encode_shares(shares: pd.DataFrame, min_participation: int) -> CodedShares:
    """Integer-code ``shares``, apply the pre-filter and sort for pairing.

    Pre-filter (spec step 1): keep rows of accounts with at least ``min_participation`` rows.
    Processing order: accounts in order of first appearance, each account's rows in input
    order. Account codes from :func:`pandas.factorize` are exactly first-appearance ranks, so
    a stable sort by account code gives the processing order. Strings are factorized once in
    input order; only integer arrays are reordered.
    """
    import pandas as pd
    acc, accounts = _codes(shares["account_id"])
    keep = np.ones(len(acc), dtype=bool)
    if min_participation > 1:
        per_account = np.bincount(acc, minlength=len(accounts))
        keep = per_account[acc] >= min_participation
    rows = np.flatnonzero(keep)
    processing = rows[np.argsort(acc[rows], kind="stable")]
    obj_input, objects_input = _codes(shares["object_id"])
    # object codes relabelled in order of first appearance in *processing* order (CooRTweet's
    # object order); factorizing integers is cheap
    obj, first_codes = pd.factorize(obj_input[processing], sort=False)
    obj = obj.astype(obj_input.dtype, copy=False)
    objects = objects_input.take(first_codes)
    cont_input, contents = _codes(shares["content_id"])
    cont = cont_input[processing]
    t = shares["timestamp_share"].to_numpy(dtype=np.int64)[processing]
    obj_is_cont = (shares["object_id"] == shares["content_id"]).to_numpy(dtype=bool)[processing]
    sort = _pairing_order(obj, t)
    return CodedShares(
        obj=obj[sort], acc=acc[processing][sort], cont=cont[sort], t=t[sort],
        order=sort.astype(np.int64, copy=False), source_row=processing[sort], obj_is_cont=obj_is_cont[sort],
        objects=objects, accounts=accounts, contents=contents,
    )


def _pairing_order(obj: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Stable order by (object, time): rows already in processing order keep it on ties.
    One stable argsort of a combined int64 key where it fits, else a lexsort."""
    if len(t) == 0:
        return np.zeros(0, dtype=np.int64)
    t0 = int(t.min())
    span = int(t.max()) - t0 + 1
    if (int(obj.max()) + 1) * span < 2**62:
        return np.argsort(obj.astype(np.int64) * span + (t - t0), kind="stable")
    return np.lexsort((t, obj))


def window_partner_counts(obj: np.ndarray, t: np.ndarray, time_window: int) -> np.ndarray:
    """For each row of (object, time)-sorted arrays, how many later rows of the same object
    lie within ``time_window`` seconds (inclusive). Result int64, length n."""
    n = len(t)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    t0 = int(t.min())
    span = int(t.max()) - t0 + int(time_window) + 1
    n_obj = int(obj.max()) + 1
    if n_obj * span < 2**62:
        key = obj.astype(np.int64) * span + (t - t0)
        end = np.searchsorted(key, key + int(time_window), side="right")
    else:  # astronomically wide time span: search object by object
        end = np.empty(n, dtype=np.int64)
        bounds = np.flatnonzero(np.diff(obj)) + 1
        starts = np.concatenate(([0], bounds))
        stops = np.concatenate((bounds, [n]))
        for lo, hi in zip(starts, stops):
            end[lo:hi] = lo + np.searchsorted(t[lo:hi], t[lo:hi] + int(time_window), side="right")
    return end - np.arange(n, dtype=np.int64) - 1


def chunk_ranges(cum: np.ndarray, chunk_pairs: int) -> list[tuple[int, int, int]]:
    """Split sorted shares into ranges [lo, hi) of about ``chunk_pairs`` window pairs each.

    ``cum``: cumulative window pair counts of the shares. Returns (lo, hi, pairs before lo);
    a range holds at most ``max(chunk_pairs, one share's pairs)`` pairs."""
    n = len(cum)
    ranges = []
    lo = 0
    done = 0
    while lo < n:
        hi = int(np.searchsorted(cum, done + chunk_pairs, side="right"))
        hi = max(hi, lo + 1)
        if int(cum[hi - 1]) > done:
            ranges.append((lo, hi, done))
        done = int(cum[hi - 1])
        lo = hi
    return ranges


def range_pairs(counts: np.ndarray, cum: np.ndarray, chunk: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(older, newer) indices of every window pair whose older share is in ``chunk`` (from
    :func:`chunk_ranges`). Pair j of share i, whose pairs start at s_i, is (i, i + 1 + j - s_i).
    Indices are int32 (half the memory traffic of int64) whenever they fit."""
    lo, hi, done = chunk
    c = counts[lo:hi]
    total = int(cum[hi - 1]) - done
    dtype = np.int32 if len(cum) < 2**31 and total < 2**31 else np.int64
    idx = np.arange(lo, hi, dtype=dtype)
    older = np.repeat(idx, c)
    offset = (idx + 1 - (cum[lo:hi] - c - done)).astype(dtype)
    newer = np.arange(total, dtype=dtype) + np.repeat(offset, c)
    return older, newer


def iter_window_pairs(
    obj: np.ndarray, t: np.ndarray, time_window: int, chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
    counts: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (left, right) row positions of every within-window pair, left older, in chunks.

    Rows must be sorted by (object, time, processing order). Each chunk holds at most
    ``chunk_pairs`` pairs unless one row alone has more partners than that.
    """
    if counts is None:
        counts = window_partner_counts(obj, t, time_window)
    cum = np.cumsum(counts)
    for chunk in chunk_ranges(cum, chunk_pairs):
        yield range_pairs(counts, cum, chunk)


def loop_mask(coded: CodedShares, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """True for pairs that are *not* loops (spec step 3): the object is neither content id,
    the two content ids differ, and the two accounts differ."""
    return (
        ~coded.obj_is_cont[left] & ~coded.obj_is_cont[right]
        & (coded.cont[left] != coded.cont[right])
        & (coded.acc[left] != coded.acc[right])
    )


def or_rule_contents(
    acc_rows: np.ndarray, cont_rows: np.ndarray, in_pairs: np.ndarray, n_accounts: int,
    min_participation: int,
) -> np.ndarray:
    """The post-filter of spec step 4, on integer codes: which content ids are in P.

    ``acc_rows``/``cont_rows`` are the codes of every pre-filtered row; ``in_pairs`` is a
    boolean per content code, true for the contents in C (on either side of a remaining pair).
    m(a) counts an account's rows whose content is in C; P holds the contents of every row of
    accounts with m(a) >= min_participation. Returns a boolean per content code.
    """
    m = np.bincount(acc_rows[in_pairs[cont_rows]], minlength=n_accounts)
    active = m[acc_rows] >= min_participation
    in_p = np.zeros(len(in_pairs), dtype=bool)
    in_p[cont_rows[active]] = True
    return in_p
