"""The investigator's filters and their translation into query parameters.

Filters never recompute co-shares: they select among the COORDINATED edges already in the
store (weight, symmetry, fast-window flag, intent, time span) and among communities (size).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

WEIGHT_MODES = ("percentile", "absolute")


@dataclass(frozen=True)
class Filters:
    """What part of a run to show.

    - ``weight_mode``: ``"percentile"`` (``weight_value`` in [0, 1]; keep edges whose weight is
      strictly above that quantile of the run's weights, R type 7, as CooRTweet's threshold)
      or ``"absolute"`` (keep edges with weight >= ``weight_value``).
    - ``min_symmetry``: keep edges with ``edge_symmetry_score`` >= this (0..1).
    - ``fast_only``: keep only edges that also hold in the narrower (fast) window.
    - ``min_community_size``: hide communities with fewer accounts.
    - ``time_from``/``time_to``: UNIX seconds UTC; keep edges with co-shares in that span.
    - ``intents``: keep edges found in these share kinds (retweets, hashtags, urls, ...);
      empty = all.
    """

    weight_mode: str = "absolute"
    weight_value: float = 0.0
    min_symmetry: float = 0.0
    fast_only: bool = False
    min_community_size: int = 1
    time_from: int | None = None
    time_to: int | None = None
    intents: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.weight_mode not in WEIGHT_MODES:
            raise ValueError(f"weight_mode must be one of {WEIGHT_MODES}, got {self.weight_mode!r}")
        if self.weight_mode == "percentile" and not 0.0 <= self.weight_value <= 1.0:
            raise ValueError(f"a weight percentile must be in [0, 1], got {self.weight_value}")
        if not 0.0 <= self.min_symmetry <= 1.0:
            raise ValueError(f"min_symmetry must be in [0, 1], got {self.min_symmetry}")
        if self.time_from is not None and self.time_to is not None and self.time_from > self.time_to:
            raise ValueError("time range: 'from' is after 'to'")

    def min_weight(self, weights: np.ndarray | list[float]) -> float:
        """The smallest weight kept, given the run's edge weights (one per edge).

        Percentile mode follows CooRTweet: thr = quantile (linear, R type 7) and keep
        weight > thr. Percentile 0 means no threshold (every edge), as a slider at its left end
        is read by investigators.
        """
        if self.weight_mode == "absolute":
            return float(self.weight_value)
        if self.weight_value <= 0:
            return 0.0
        arr = np.asarray(weights, dtype=float)
        if arr.size == 0:
            return 0.0
        thr = float(np.quantile(arr, self.weight_value))
        return float(np.nextafter(thr, np.inf))

    def params(self, run_id: str, weights: np.ndarray | list[float]) -> dict:
        """Parameters for the ``webapp_*.cypher`` queries (every query takes all of them)."""
        return {
            "run_id": run_id,
            "min_weight": self.min_weight(weights),
            "min_symmetry": float(self.min_symmetry),
            "fast_only": bool(self.fast_only),
            "min_community_size": int(self.min_community_size),
            "time_from": self.time_from,
            "time_to": self.time_to,
            "intents": list(self.intents),
        }

    def as_dict(self) -> dict:
        """A JSON-able dict (for dcc.Store, saved cases and report parameters)."""
        d = asdict(self)
        d["intents"] = list(self.intents)
        return d

    @classmethod
    def from_dict(cls, d: dict | None) -> Filters:
        """Inverse of :meth:`as_dict`; unknown keys are ignored, missing ones take defaults."""
        if not d:
            return cls()
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if "intents" in known:
            known["intents"] = tuple(known["intents"] or ())
        return cls(**known)
