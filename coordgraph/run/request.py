"""A run request: which shares, which engine, which parameters (times in seconds, UTC).

Why one request type: ``detect``, ``scale run``, ``analyze`` and ``demo`` used to build their
own argument lists for their own engines; they now fill a :class:`Run` and hand it to
:func:`coordgraph.run.execute`, so a parameter means the same thing on every path.

Shares come from one of: a share file (Parquet, or CSV/CSV.gz checked by
:func:`coordgraph.analysis.read_shares`), a DataFrame with the contract's share columns, or the
store's SHARED relationships (:class:`StoreShares`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Engines behind the run protocol; ``auto`` picks python or outofcore by size.
ENGINES: tuple[str, ...] = ("auto", "python", "outofcore", "spark", "cypher")
#: Methods a run can compute: CooRTweet's co-shares (every engine) and the field's other
#: methods (docs/methods.md), computed in process by :func:`coordgraph.run.methods.run_method`.
METHODS: tuple[str, ...] = ("coortweet", "qut", "cosine")


@dataclass
class StoreShares:
    """The store's SHARED relationships as a share source (``intents`` None = every kind)."""

    store: Any
    intents: list[str] | None = None

    def describe(self) -> str:
        kinds = ",".join(self.intents) if self.intents else "all kinds"
        return f"{getattr(self.store, 'uri', 'store')} SHARED ({kinds})"


@dataclass
class Run:
    """One detection run.

    ``shares``: a path (Parquet/CSV), a DataFrame or :class:`StoreShares`.
    ``engine``: one of :data:`ENGINES`. ``store``: the graph store the ``cypher`` engine
    computes in (shares from a file or DataFrame are ingested into it first; not needed when
    ``shares`` is :class:`StoreShares`). ``fast_window`` (seconds, <= ``time_window``) adds the
    fast-network columns. ``keep_result`` False drops the co-share rows (edges only; the big
    engines then skip writing them). ``master``: Spark master URL. ``memory_budget``: bytes
    the python engine may use for pairs (default 60% of available memory).
    ``method``: one of :data:`METHODS`; ``qut`` and ``cosine`` take ``method_params`` and
    ``time_window`` (QUT's window) and run in process (engine ``auto`` or ``python``); the
    CooRTweet options (fast window, compat, hub cap) do not apply to them.
    """

    shares: Any
    engine: str = "auto"
    time_window: int = 10
    min_participation: int = 2
    edge_weight: float = 0.5
    fast_window: int | None = None
    compat: bool = False
    remove_loops: bool = True
    max_object_shares: int | None = None
    keep_result: bool = True
    store: Any = None
    master: str | None = None
    memory_budget: int | None = None
    method: str = "coortweet"
    method_params: dict = field(default_factory=dict)  # qut/cosine keyword arguments (analysis.methods.run.parse_params)
    extras: dict = field(default_factory=dict)  # python-only extras (subgraph, objects, significance ...)

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """ValueError naming the option when a parameter is out of range."""
        if self.engine not in ENGINES:
            raise ValueError(f"--engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.time_window < 0:
            raise ValueError(f"--time-window must be >= 0 seconds, got {self.time_window}")
        if self.min_participation < 0:
            raise ValueError(f"--min-participation must be >= 0, got {self.min_participation}")
        if not 0 <= self.edge_weight <= 1:
            raise ValueError(f"--edge-weight is a percentile in [0, 1], got {self.edge_weight}")
        if self.fast_window is not None and not 0 <= self.fast_window <= self.time_window:
            raise ValueError(f"--fast-window must be between 0 and --time-window ({self.time_window}) seconds, "
                             f"got {self.fast_window}")
        if self.max_object_shares is not None and self.max_object_shares < 1:
            raise ValueError(f"--max-object-shares must be >= 1, got {self.max_object_shares}")
        if self.method not in METHODS:
            raise ValueError(f"--method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.method != "coortweet":
            if self.engine not in ("auto", "python"):
                raise ValueError(f"--method {self.method} runs in process: use --engine python or auto, "
                                 f"not {self.engine}")
            used = [flag for flag, on in (("--fast-window", self.fast_window is not None), ("--compat", self.compat),
                                          ("--max-object-shares", self.max_object_shares is not None)) if on]
            if used:
                raise ValueError(f"{', '.join(used)}: CooRTweet options, not available with --method {self.method}")

    def params(self) -> dict:
        """The method's parameters (what makes two runs comparable), JSON-ready. CooRTweet
        runs: its seven parameters; other methods: ``method``, ``time_window`` and theirs."""
        if self.method != "coortweet":
            return {"method": self.method, "time_window": self.time_window, **self.method_params}
        keys = ("time_window", "min_participation", "edge_weight", "fast_window", "compat", "remove_loops",
                "max_object_shares")
        return {k: getattr(self, k) for k in keys}

    def source(self) -> str:
        """A readable name of the share source (for summaries and messages)."""
        if isinstance(self.shares, StoreShares):
            return self.shares.describe()
        if isinstance(self.shares, (str, Path)):
            return str(self.shares)
        return f"DataFrame ({len(self.shares):,} rows)"
