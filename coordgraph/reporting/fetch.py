"""Fetch what an export needs from the graph store (read-only ``webapp_*.cypher`` queries).

Used by ``coordgraph export`` and by the web app's export buttons, so both write the same
files. Only the store is used here (layer rule: reporting may use the store and analysis).
"""
from __future__ import annotations

import pandas as pd

from coordgraph.reporting.view import COSHARE_COLUMNS, NetworkView

#: At most this many co-shares are fetched as a report's evidence (fastest first).
MAX_EVIDENCE_ROWS = 20_000

#: Top objects and the timeline are left out above this many accounts (one query per export).
MAX_COSHARE_ACCOUNTS = 5000

#: Filter parameters that keep every edge (see the header of webapp_community.cypher).
NO_FILTER = {"min_weight": 0.0, "min_symmetry": 0.0, "fast_only": False, "time_from": None,
             "time_to": None, "intents": []}

EDGE_COLUMNS = ["account_id", "account_id_y", "weight", "avg_time_delta", "edge_symmetry_score", "weight_fast"]


def community_members(store, run_id: str, community: int) -> pd.DataFrame:
    """All members of a community with their run statistics."""
    rows = store.run_file("webapp_community_members", {"run_id": run_id, "community": community})
    return pd.DataFrame.from_records(rows, columns=["account_id", "handle", "name", "community", "degree",
                                                    "strength", "pagerank", "followers_count", "created_at"])


def community_edges(store, run_id: str, community: int, filter_params: dict | None = None) -> pd.DataFrame:
    """COORDINATED edges inside a community that pass the filter parameters."""
    params = {**NO_FILTER, **(filter_params or {}), "run_id": run_id, "community": community}
    rows = store.run_file("webapp_community", params)
    frame = pd.DataFrame.from_records(rows, columns=["account_id", "account_id_y", "handle", "handle_y", "weight",
                                                     "avg_time_delta", "edge_symmetry_score", "weight_fast",
                                                     "first_ts", "last_ts"])
    return frame.drop(columns=["handle", "handle_y"])


def coshare_summary(store, run_id: str, account_ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(top objects, timeline per hour, note) of the co-shares among ``account_ids``.

    objects: object_id, n_accounts, n_shares (most accounts first); timeline: hour (UNIX s
    UTC, start of hour), shares. Above :data:`MAX_COSHARE_ACCOUNTS` accounts both are empty
    and the note says so.
    """
    objects = pd.DataFrame(columns=["object_id", "n_accounts", "n_shares"])
    timeline = pd.DataFrame(columns=["hour", "shares"])
    if not account_ids:
        return objects, timeline, ""
    if len(account_ids) > MAX_COSHARE_ACCOUNTS:
        return objects, timeline, f"top objects and timeline left out: more than {MAX_COSHARE_ACCOUNTS:,} accounts"
    rows = store.run_file("webapp_accounts_coshares", {"run_id": run_id, "account_ids": list(account_ids)})
    co = pd.DataFrame.from_records(rows, columns=["object_id", "account_id", "account_id_y", "ts"])
    if co.empty:
        return objects, timeline, ""
    both = pd.concat([co[["object_id", "account_id"]],
                      co[["object_id", "account_id_y"]].set_axis(["object_id", "account_id"], axis=1)])
    objects = (both.groupby("object_id")["account_id"].nunique().rename("n_accounts").to_frame()
               .join(co.groupby("object_id").size().rename("n_shares"))
               .sort_values(["n_accounts", "n_shares"], ascending=False).reset_index())
    ts = pd.to_numeric(co["ts"], errors="coerce").dropna().astype("int64")
    timeline = (ts // 3600 * 3600).value_counts().sort_index().rename_axis("hour").rename("shares").reset_index()
    return objects, timeline, ""


def coshare_rows(store, run_id: str, account_ids: list[str], limit: int = MAX_EVIDENCE_ROWS) -> pd.DataFrame:
    """The co-shares among ``account_ids`` with both posts and times (report_coshares.cypher),
    fastest first; empty above :data:`MAX_COSHARE_ACCOUNTS` accounts."""
    if not account_ids or len(account_ids) > MAX_COSHARE_ACCOUNTS:
        return pd.DataFrame(columns=COSHARE_COLUMNS)
    rows = store.run_file("report_coshares", {"run_id": run_id, "account_ids": list(account_ids), "limit": int(limit)})
    return pd.DataFrame.from_records(rows, columns=COSHARE_COLUMNS)


def run_params(store, run_id: str) -> dict:
    """The detection parameters recorded on a run ({} when none)."""
    try:
        from coordgraph.cypher.runs import get_run

        run = get_run(store, run_id, complete_only=False) or {}
    except ImportError:
        run = {}
    return run.get("params") or {}


def network_view(store, run_id: str, accounts: pd.DataFrame, edges: pd.DataFrame, *, title: str,
                 filters: dict | None = None, notes: str = "", community: int | None = None) -> NetworkView:
    """A :class:`NetworkView` of given accounts/edges with the run's co-share summary and parameters."""
    objects, timeline, note = coshare_summary(store, run_id, accounts["account_id"].astype(str).tolist())
    params = {"run_id": run_id, **({"community": community} if community is not None else {}),
              **{f"detection.{k}": v for k, v in run_params(store, run_id).items()},
              **{f"filter.{k}": v for k, v in (filters or {}).items()}}
    if note:
        params["note"] = note
    coshares = coshare_rows(store, run_id, accounts["account_id"].astype(str).tolist())
    return NetworkView(accounts=accounts, edges=edges, objects=objects, timeline=timeline, params=params,
                       title=title, notes=notes, coshares=coshares)


def community_view(store, run_id: str, community: int, filter_params: dict | None = None, *,
                   filters_shown: dict | None = None, notes: str = "") -> NetworkView:
    """Every member of a community (run statistics) and its edges passing ``filter_params``.

    Raises ValueError when the run has no such community.
    """
    members = community_members(store, run_id, community)
    if members.empty:
        raise ValueError(f"run {run_id} has no community {community}")
    edges = community_edges(store, run_id, community, filter_params)
    return network_view(store, run_id, members, edges, title=f"coordgraph community {community} of run {run_id}",
                        filters=filters_shown if filters_shown is not None else filter_params, notes=notes,
                        community=community)
