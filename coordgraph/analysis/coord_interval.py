"""CooRnet's data-driven coordination interval (``--time-window auto``).

Reference: CooRnet 1.7.0 (Giglietto, Righetti, Rossi, Marino), ``R/estimate_coord_interval.R``
(github.com/fabiogiglietto/CooRnet), used by ``get_coord_shares(coordination_interval=NULL)``.
Its R code, step by step, on a share table (CooRnet's ``expanded`` URL = our ``object_id``,
its ``date`` = our ``timestamp_share``; shares are *rows*, not distinct accounts):

1. keep objects with more than one share (``table(expanded) > 1``);
2. per object: ``rank = rank(date, ties.method="first")``, ``n`` its shares,
   ``sec_from_first_share = date - min(date)``, ``perc_of_shares = rank / n``;
3. per object, the seconds from the first to the second share (the ``rank == 2`` row);
4. keep the objects whose second share came at most the ``q`` quantile of those seconds
   (``<= quantile(..., q)``, R type 7) -- the quickest objects;
5. per kept object, the earliest share with ``perc_of_shares > p`` (strictly) and its seconds
   from the first share, i.e. the time the object took to pass ``p`` of its shares;
6. the interval is the median (``quantile(..., 0.5)``, type 7) of those seconds; when it is
   0 CooRnet uses 1 second.

CooRnet returns the interval as the string ``"<median> secs"`` and ``get_coord_shares`` passes
it to ``cut(breaks=...)``, whose ``as.integer`` truncates a fractional median (``"12.5 secs"``
-> 12 s). :func:`coordination_window` does the same, and gives 1 s for a median below 1 s
(CooRnet's 0 -> 1 rule; a median in (0, 1) would make ``cut`` fail in R).

Defaults q = 0.1, p = 0.5, as CooRnet's code (its help text swaps them in one sentence).
Units: seconds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class CoordInterval:
    """The estimate: ``seconds`` (the median, may be fractional), ``window`` (the integer
    window CooRnet's ``cut`` uses), the objects it rests on and CooRnet's ``summary`` of the
    per-object seconds (min, q1, median, mean, q3, max)."""

    seconds: float
    window: int
    n_objects: int
    summary: dict

    def as_dict(self) -> dict:
        return {"seconds": self.seconds, "window": self.window, "n_objects": self.n_objects,
                "summary": self.summary}


def estimate_coord_interval(shares: pd.DataFrame, q: float = 0.1, p: float = 0.5) -> CoordInterval:
    """CooRnet's ``estimate_coord_interval`` on a share table (columns ``object_id`` and
    ``timestamp_share``, UNIX seconds). ValueError for q or p outside [0, 1] or when no object
    is shared twice (CooRnet would return NA)."""
    if not 0 <= p <= 1:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    if not 0 <= q <= 1:
        raise ValueError(f"q must be between 0 and 1, got {q}")
    frame = pd.DataFrame({"object_id": pd.factorize(shares["object_id"])[0],  # int codes: fast sort and isin
                          "t": shares["timestamp_share"].to_numpy(dtype=np.float64)})
    n = frame.groupby("object_id", sort=False)["t"].transform("size")
    frame = frame[n.to_numpy() > 1]
    if frame.empty:
        raise ValueError("no object is shared more than once: the coordination interval is undefined")
    # stable sort by time inside each object = rank(date, ties.method = "first")
    frame = frame.sort_values(["object_id", "t"], kind="stable")
    groups = frame.groupby("object_id", sort=False)["t"]
    rank = groups.cumcount().to_numpy() + 1
    size = groups.transform("size").to_numpy()
    secs = frame["t"].to_numpy() - groups.transform("min").to_numpy()
    obj = frame["object_id"].to_numpy()

    second = pd.Series(secs[rank == 2], index=obj[rank == 2])
    quick = second.index[second.to_numpy() <= np.quantile(second.to_numpy(), q)]
    keep = np.isin(obj, quick) & (rank / size > p)
    if not keep.any():  # only for p = 1: no share passes 100 %
        raise ValueError(f"no share passes p={p} of its object's shares: the coordination interval is undefined")
    per_object = pd.Series(secs[keep]).groupby(obj[keep], sort=False).min().to_numpy()
    median = float(np.quantile(per_object, 0.5))
    window = max(1, int(median))
    summary = {"min": float(per_object.min()), "q1": float(np.quantile(per_object, 0.25)), "median": median,
               "mean": float(per_object.mean()), "q3": float(np.quantile(per_object, 0.75)),
               "max": float(per_object.max())}
    return CoordInterval(seconds=median, window=window, n_objects=int(per_object.size), summary=summary)


def coordination_window(shares: pd.DataFrame, q: float = 0.1, p: float = 0.5) -> int:
    """The integer co-share window (seconds) CooRnet would use on ``shares``."""
    return estimate_coord_interval(shares, q, p).window
