"""Detection of coordinated co-shares: CooRTweet's ``detect_groups`` and ``flag_speed_share``.

The method is specified in docs/method.md (CooRTweet 2.1.3, confirmed on its own outputs).
Reference: Righetti N., Balluff P. (2023). CooRTweet: Coordinated Networks Detection on
Social Media. R package version 2.1.3.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from coordgraph.analysis.pairs import (
    DEFAULT_CHUNK_PAIRS,
    encode_shares,
    iter_window_pairs,
    loop_mask,
    or_rule_contents,
    window_partner_counts,
)
from coordgraph.analysis.shares import SHARE_COLUMNS, ShareError

from coordgraph.contracts import RESULT_COLUMNS  # noqa: E402


def check_shares(shares: pd.DataFrame) -> pd.DataFrame:
    """Check that ``shares`` has the four share columns and integer times; return it.

    Use :func:`coordgraph.analysis.prep_shares` first for tables that need renaming or parsing.
    """
    missing = [c for c in SHARE_COLUMNS if c not in shares.columns]
    if missing:
        raise ShareError(f"shares lack column(s) {', '.join(missing)}: call prep_shares() first")
    if not pd.api.types.is_integer_dtype(shares["timestamp_share"]):
        raise ShareError("column 'timestamp_share' must hold integer UNIX seconds: call prep_shares() first")
    return shares


def _check_params(time_window: int, min_participation: int) -> None:
    if time_window < 0:
        raise ValueError(f"time_window must be >= 0 seconds, got {time_window}")
    if min_participation < 0:
        raise ValueError(f"min_participation must be >= 0, got {min_participation}")


def detect_groups(
    shares: pd.DataFrame,
    time_window: int = 10,
    min_participation: int = 2,
    remove_loops: bool = True,
    *,
    chunk_pairs: int = DEFAULT_CHUNK_PAIRS,
    sort_like_coortweet: bool = True,
) -> pd.DataFrame:
    """Find pairs of shares of the same object by different posts within ``time_window`` seconds.

    Implements CooRTweet's ``detect_groups`` exactly (spec steps 1-5): pre-filter accounts
    with fewer than ``min_participation`` rows; pair the shares of each object whose times
    differ by at most ``time_window`` seconds (inclusive); drop loops when ``remove_loops``;
    keep a pair when either of its contents belongs to an account with at least
    ``min_participation`` coordinated rows (the OR rule); orient each pair older -> newer.

    Returns a DataFrame with columns object_id, content_id, content_id_y, time_delta
    (seconds), account_id, account_id_y. Row order carries no meaning for the method; with
    ``sort_like_coortweet`` (default) rows come in CooRTweet's order, which fixes the vertex
    order of the network and hence CooRTweet's edge orientation in ``compat`` mode.
    Cost: O(n log n) for sorting plus O(pairs produced); never all pairs of an object.
    """
    check_shares(shares)
    _check_params(time_window, min_participation)
    coded = encode_shares(shares, min_participation)
    counts = window_partner_counts(coded.obj, coded.t, time_window)
    lefts, rights = [], []
    for left, right in iter_window_pairs(coded.obj, coded.t, time_window, chunk_pairs, counts):
        if remove_loops:
            keep = loop_mask(coded, left, right)
            left, right = left[keep], right[keep]
        lefts.append(left)
        rights.append(right)
    left = np.concatenate(lefts) if lefts else np.zeros(0, dtype=np.int64)
    right = np.concatenate(rights) if rights else np.zeros(0, dtype=np.int64)
    if min_participation > 1 and len(left):
        in_pairs = np.zeros(len(coded.contents), dtype=bool)
        in_pairs[coded.cont[left]] = True
        in_pairs[coded.cont[right]] = True
        in_p = or_rule_contents(coded.acc, coded.cont, in_pairs, len(coded.accounts), min_participation)
        keep = in_p[coded.cont[left]] | in_p[coded.cont[right]]
        left, right = left[keep], right[keep]
    if sort_like_coortweet and len(left):
        # CooRTweet's row order: objects by first appearance, then by the later share's
        # position in processing order, then the earlier one's (a self-join's order).
        first, second = coded.order[left], coded.order[right]
        sort = np.lexsort((np.minimum(first, second), np.maximum(first, second), coded.obj[left]))
        left, right = left[sort], right[sort]
    return pd.DataFrame({
        "object_id": coded.objects.take(coded.obj[left]).to_numpy(dtype=object),
        "content_id": coded.contents.take(coded.cont[left]).to_numpy(dtype=object),
        "content_id_y": coded.contents.take(coded.cont[right]).to_numpy(dtype=object),
        "time_delta": (coded.t[right] - coded.t[left]).astype(np.int64),
        "account_id": coded.accounts.take(coded.acc[left]).to_numpy(dtype=object),
        "account_id_y": coded.accounts.take(coded.acc[right]).to_numpy(dtype=object),
    })


def flag_speed_share(
    shares: pd.DataFrame, result: pd.DataFrame, min_participation: int, time_window: int,
    *, sort_like_coortweet: bool = False,
) -> pd.DataFrame:
    """Flag the rows of a ``detect_groups`` result that also hold in a narrower window.

    Takes the rows with ``time_delta <= time_window``, applies the OR post-filter again with
    the raw input ``shares`` (pre-filtered by ``min_participation``), and returns a copy of
    ``result`` with a 0/1 column ``time_window_<time_window>`` that is 1 for the rows whose
    (content_id, content_id_y) pair survived. Unlike CooRTweet, ``result`` is not modified
    and keeps its row order; with ``sort_like_coortweet`` the copy comes in the order
    CooRTweet leaves its argument in (stably sorted by content_id, content_id_y, code points).
    """
    check_shares(shares)
    _check_params(time_window, min_participation)
    column = f"time_window_{time_window}"
    out = result.copy()
    narrow = result.loc[result["time_delta"].to_numpy() <= time_window]
    acc_codes, accounts = pd.factorize(shares["account_id"], sort=False)
    rows = np.ones(len(acc_codes), dtype=bool)
    if min_participation > 1:
        rows = np.bincount(acc_codes, minlength=len(accounts))[acc_codes] >= min_participation
    cont_codes, contents = pd.factorize(shares["content_id"].to_numpy()[rows], sort=False)
    contents = pd.Index(contents)
    left = contents.get_indexer(narrow["content_id"])
    right = contents.get_indexer(narrow["content_id_y"])
    in_pairs = np.zeros(len(contents) + 1, dtype=bool)  # last slot: ids absent from the input
    in_pairs[left] = True
    in_pairs[right] = True
    in_pairs[-1] = False
    in_p = np.zeros(len(contents) + 1, dtype=bool)
    in_p[:-1] = or_rule_contents(acc_codes[rows], cont_codes, in_pairs[:-1], len(accounts), min_participation)
    survived = narrow.loc[in_p[left] | in_p[right], ["content_id", "content_id_y"]]
    keys = pd.MultiIndex.from_frame(survived)
    flagged = pd.MultiIndex.from_frame(result[["content_id", "content_id_y"]]).isin(keys)
    out[column] = flagged.astype(np.int64)
    if sort_like_coortweet:
        from coordgraph.analysis.compat import coortweet_row_order

        out = coortweet_row_order(out)
    return out
