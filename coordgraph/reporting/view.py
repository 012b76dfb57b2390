"""The data one export is made of: accounts, edges, top objects, timeline, parameters."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

ACCOUNT_COLUMNS = ["account_id", "handle", "community", "degree", "strength"]
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
    """

    accounts: pd.DataFrame
    edges: pd.DataFrame
    objects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["object_id", "n_accounts", "n_shares"]))
    timeline: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["hour", "shares"]))
    params: dict = field(default_factory=dict)
    title: str = "coordgraph network"
    notes: str = ""

    def __post_init__(self) -> None:
        for name, frame, needed in (
            ("accounts", self.accounts, ["account_id"]),
            ("edges", self.edges, ["account_id", "account_id_y", "weight"]),
        ):
            missing = [c for c in needed if c not in frame.columns]
            if missing:
                raise ValueError(f"NetworkView.{name} lacks column(s) {missing}")
