"""The data one export is made of: accounts, edges, top objects, timeline, parameters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

ACCOUNT_COLUMNS = ["account_id", "handle", "community", "degree", "strength"]
COSHARE_COLUMNS = ["object_id", "kind", "account_id", "account_id_y", "post_id", "post_id_y", "ts", "ts_y",
                   "time_delta", "fast", "platform"]
EDGE_COLUMNS = ["account_id", "account_id_y", "weight", "avg_time_delta", "edge_symmetry_score"]


@dataclass
class NetworkView:
    """A piece of a run's coordinated network, as shown or exported.

    - ``accounts``: one row per account (``account_id``, ``handle``, ``community``, ``degree``,
      ``strength``, any more statistics).
    - ``edges``: one row per COORDINATED edge (``account_id``, ``account_id_y``, ``weight`` =
      co-shares, ``avg_time_delta`` seconds, ``edge_symmetry_score`` 0..1, more optional).
    - ``objects``: top shared objects (``object_id``, ``n_accounts``, ``n_shares``).
    - ``timeline``: coordinated shares per hour (``hour`` UNIX seconds UTC at the start of
      the hour, ``shares``).
    - ``params``: run id, detection parameters and filters, shown in reports.
    - ``title`` and ``notes`` (case notes from saved investigations).
    - ``coshares`` (optional): the co-shares among the accounts, fastest first
      (:data:`COSHARE_COLUMNS`: both posts, both times UNIX s UTC, seconds apart, platform),
      for the report's evidence, timelines and per-community figures.
    - ``comparison`` (optional): the run compared with other runs of the store, rendered as the
      report's "Comparison of runs" section (:mod:`coordgraph.reporting.compare_section`).
    """

    accounts: pd.DataFrame
    edges: pd.DataFrame
    objects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["object_id", "n_accounts", "n_shares"]))
    timeline: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["hour", "shares"]))
    params: dict = field(default_factory=dict)
    title: str = "coordgraph network"
    notes: str = ""
    coshares: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COSHARE_COLUMNS))
    comparison: Any = None  # coordgraph.analysis.compare.Comparison of this run with others (report section)
    comparison_labels: dict = field(default_factory=dict)  # run id -> its method and intent in words

    def __post_init__(self) -> None:
        for name, frame, needed in (
            ("accounts", self.accounts, ["account_id"]),
            ("edges", self.edges, ["account_id", "account_id_y", "weight"]),
        ):
            missing = [c for c in needed if c not in frame.columns]
            if missing:
                raise ValueError(f"NetworkView.{name} lacks column(s) {missing}")
