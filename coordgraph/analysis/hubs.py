"""Hub objects: objects shared by so many accounts inside one time window that pairing them
makes a quadratic output (a viral tweet retweeted by 20,000 accounts in a minute yields up to
200 million co-share pairs on its own).

Why: co-sharing a trending object is not evidence of coordination, and one such object can
exhaust memory. This module counts, *before* any pair is formed, how many pairs each object
would produce (exactly, in O(n log n) on the time-sorted shares), reports the heavy ones as
trend hubs, offers a cap (``max_object_shares``: drop objects with more shares than that,
with a warning that names them), and, without a cap, refuses to start a run whose pairs
would not fit in memory (:class:`PairMemoryError`, a clear message instead of the kernel's
OOM killer).

Pure data in / data out: pandas and numpy only.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

# per share, the later shares of its object inside the window (the engine's own count)
from coordgraph.analysis.pairs import window_partner_counts as window_pair_counts

if TYPE_CHECKING:
    import pandas as pd

#: Bytes one co-share pair costs in the in-process python engine (pair indices, the result
#: DataFrame of strings, the network's factorize scratch). Measured: 10.8 GB peak for
#: 14.6 million pairs (bench 1M dense), so ~750 bytes a pair.
BYTES_PER_PAIR = 750

#: Default: an object is a hub when its shares alone would form more pairs than this.
DEFAULT_HUB_PAIRS = 1_000_000


class PairMemoryError(MemoryError):
    """The co-share pairs of a run would not fit in memory; the message says what to do."""


class HubCapWarning(UserWarning):
    """Objects were dropped by ``max_object_shares``; the message names the largest."""


@dataclass(frozen=True)
class PairEstimate:
    """Exact count of window pairs before loop removal and the post-filter.

    ``per_object``: DataFrame (object_id, n_shares, n_pairs) sorted by n_pairs descending.
    ``total_pairs``: the sum (an upper bound of the detect_groups rows).
    """

    per_object: pd.DataFrame
    total_pairs: int

    @property
    def bytes_needed(self) -> int:
        """Pessimistic memory for holding every pair at once, in bytes."""
        return int(self.total_pairs) * BYTES_PER_PAIR


def estimate_pairs(shares: pd.DataFrame, time_window: int = 10) -> PairEstimate:
    """Count, per object, the pairs of shares at most ``time_window`` seconds apart.

    ``shares`` has object_id and timestamp_share (UNIX seconds, UTC). Exact for the window
    rule of detect_groups before loop removal, the min_participation filters and ties.
    """
    import pandas as pd
    codes, uniques = pd.factorize(shares["object_id"], sort=False)
    t = shares["timestamp_share"].to_numpy(dtype=np.int64)
    order = np.lexsort((t, codes))
    counts = window_pair_counts(codes[order], t[order], time_window)
    n_pairs = np.bincount(codes[order], weights=counts, minlength=len(uniques)).astype(np.int64)
    n_shares = np.bincount(codes, minlength=len(uniques)).astype(np.int64)
    per_object = pd.DataFrame(
        {"object_id": np.asarray(uniques, dtype=object), "n_shares": n_shares, "n_pairs": n_pairs}
    ).sort_values(["n_pairs", "n_shares"], ascending=False, kind="stable", ignore_index=True)
    return PairEstimate(per_object=per_object, total_pairs=int(n_pairs.sum()))


def trend_hubs(estimate: PairEstimate, min_pairs: int = DEFAULT_HUB_PAIRS) -> pd.DataFrame:
    """The objects whose shares alone would form more than ``min_pairs`` window pairs:
    (object_id, n_shares, n_pairs, share_of_pairs), heaviest first. These are trends, not
    evidence of coordination; report them next to the network."""
    hubs = estimate.per_object[estimate.per_object["n_pairs"] > int(min_pairs)].copy()
    total = max(estimate.total_pairs, 1)
    hubs["share_of_pairs"] = hubs["n_pairs"] / total
    return hubs.reset_index(drop=True)


def cap_object_shares(shares: pd.DataFrame, max_object_shares: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Drop every object shared more than ``max_object_shares`` times (over the whole input).

    Returns (kept shares in input order, dropped objects as object_id/n_shares). Issues a
    :class:`HubCapWarning` naming the largest dropped objects, so the cut is never silent.
    ``None`` or 0 means no cap.
    """
    import pandas as pd
    empty = pd.DataFrame({"object_id": pd.Series([], dtype=object), "n_shares": pd.Series([], dtype=np.int64)})
    if not max_object_shares:
        return shares, empty
    if max_object_shares < 1:
        raise ValueError(f"max_object_shares must be a positive integer, got {max_object_shares!r}")
    sizes = shares.groupby("object_id", sort=False)["object_id"].transform("size").to_numpy()
    over = sizes > int(max_object_shares)
    if not over.any():
        return shares, empty
    dropped = (
        shares.loc[over, "object_id"].value_counts().rename_axis("object_id").reset_index(name="n_shares")
    )
    dropped["n_shares"] = dropped["n_shares"].astype(np.int64)
    top = ", ".join(f"{o} ({n} shares)" for o, n in dropped.head(3).itertuples(index=False))
    warnings.warn(
        f"--max-object-shares {max_object_shares}: dropped {len(dropped)} hub object(s) "
        f"with {int(over.sum())} shares in all, largest: {top}. Their co-shares are not in "
        f"the result; they are reported as trend hubs.",
        HubCapWarning,
        stacklevel=2,
    )
    return shares.loc[~over].reset_index(drop=True), dropped


def available_memory_bytes() -> int:
    """Memory this process can still use, in bytes: the kernel's MemAvailable on Linux (read
    from /proc/meminfo, no import: every `detect` asks), psutil's 'available' elsewhere."""
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024  # the file's unit is KiB
    except OSError:
        pass
    import psutil

    return int(psutil.virtual_memory().available)


def check_pair_memory(
    estimate: PairEstimate,
    budget_bytes: int | None = None,
    fraction: float = 0.6,
) -> None:
    """Raise :class:`PairMemoryError` when holding the run's pairs would exceed ``fraction``
    of the available memory (or ``budget_bytes`` when given). The message names the largest
    hubs and the options (``--max-object-shares``, ``--engine outofcore``)."""
    budget = int(budget_bytes) if budget_bytes is not None else int(available_memory_bytes() * fraction)
    need = estimate.bytes_needed
    if need <= budget:
        return
    top = estimate.per_object.head(3)
    names = ", ".join(f"{o} ({s} shares, {p} pairs)" for o, s, p in top.itertuples(index=False))
    gib = 1024**3
    raise PairMemoryError(
        f"this run would form {estimate.total_pairs:,} co-share pairs (~{need / gib:.1f} GiB), "
        f"more than the {budget / gib:.1f} GiB available; largest hub objects: {names}. "
        f"Use --max-object-shares N to drop hub objects, a shorter --time-window, or "
        f"--engine outofcore / spark."
    )
