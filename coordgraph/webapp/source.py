"""What the web app asks the graph store, as DataFrames: one method per question.

Every question is a parameterised ``webapp_*.cypher`` file run read-only through
``Store.run_file``; nothing here computes co-shares. ``overview`` is the pure-Cypher
aggregation of a run under filters: the app answers filter changes from a
:class:`~coordgraph.webapp.snapshot.RunSnapshot` instead (much faster), and the tests use
this one as its oracle. The only thing cached is a run's weight distribution.
"""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from coordgraph.webapp.filters import Filters

PROVENANCE_ROWS = 500
POST_ROWS = 20
SEARCH_ROWS = 10


class RunSource:
    """Read access to one store for the web app (thread-safe; one per app)."""

    def __init__(self, store):
        self.store = store
        self._weights: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._handle_lc: bool | None = None  # every handled account has handle_lc (asked once)

    # -- runs ---------------------------------------------------------------------------
    def runs(self) -> list[dict]:
        """Complete runs, newest first (``id`` and whatever the store records)."""
        try:
            from coordgraph.cypher import list_runs

            return list_runs(self.store)
        except (ImportError, ModuleNotFoundError):
            return self.store.read("MATCH (r:Run) RETURN r.id AS id, r.created AS created ORDER BY created DESC")

    def weights(self, run_id: str) -> np.ndarray:
        """All COORDINATED edge weights of ``run_id`` (one per edge), cached per run."""
        with self._lock:
            if run_id not in self._weights:
                rows = self.store.run_file("webapp_weights", {"run_id": run_id})
                w = np.repeat([float(r["weight"]) for r in rows], [int(r["n"]) for r in rows])
                self._weights[run_id] = w
            return self._weights[run_id]

    def params(self, run_id: str, filters: Filters, **extra) -> dict:
        """Query parameters for ``filters`` on ``run_id`` plus ``extra``."""
        return {**filters.params(run_id, self.weights(run_id)), **extra}

    # -- the network ----------------------------------------------------------------------
    def overview(self, run_id: str, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(communities: community, size, volume; links between different communities:
        community, community_y, weight, n_edges) under ``filters``."""
        p = self.params(run_id, filters)
        comms = _frame(self.store.run_file("webapp_overview_communities", p), ["community", "size", "volume"])
        links = _frame(self.store.run_file("webapp_overview_links", p), ["community", "community_y", "weight", "n_edges"])
        links = links[links["community"] != links["community_y"]]
        keep = set(comms["community"])
        links = links[links["community"].isin(keep) & links["community_y"].isin(keep)]
        return comms, links.reset_index(drop=True)

    # -- details --------------------------------------------------------------------------
    def account(self, run_id: str, account_id: str) -> dict | None:
        """Profile and run statistics of one account, or None when unknown."""
        rows = self.store.run_file("webapp_account", {"run_id": run_id, "account_id": account_id})
        return rows[0] if rows and rows[0].get("account_id") is not None else None

    def account_posts(self, account_id: str, limit: int = POST_ROWS) -> pd.DataFrame:
        """An account's newest posts: post_id, ts (UNIX s UTC), text. A text not on the Post
        node is read from the post details kept beside the store (coordgraph.cypher.post_details)."""
        rows = self.store.run_file("webapp_account_posts", {"account_id": account_id, "limit": limit})
        missing = [r["post_id"] for r in rows if r.get("text") is None]
        if missing:
            from coordgraph.cypher.post_details import lookup

            found = lookup(self.store, missing, ("text",))
            rows = [r if r.get("text") is not None or r["post_id"] not in found
                    else {**r, "text": found[r["post_id"]]["text"]} for r in rows]
        return _frame(rows, ["post_id", "ts", "text"])

    def edge_provenance(self, run_id: str, account_id: str, account_id_y: str, limit: int = PROVENANCE_ROWS) -> pd.DataFrame:
        """The co-shares behind an edge: object_id, kind, older/newer account, post ids,
        ts (UNIX s UTC), time_delta (seconds apart), fast; oldest first. From the run's
        provenance file when this workspace has it (every co-share, coordgraph/webapp/evidence.py),
        else the store's COSHARE rows."""
        from coordgraph.webapp.evidence import edge_rows_from_file, provenance_file, run_kind_prefixed

        if provenance_file(run_id) is not None:
            prefixed = run_kind_prefixed(self.store, run_id)
            from_file = None if prefixed is None else edge_rows_from_file(
                run_id, account_id, account_id_y, limit, self.object_kinds, prefixed)
            if from_file is not None:
                return from_file
        rows = self.store.run_file("webapp_edge_provenance", {
            "run_id": run_id, "account_id": account_id, "account_id_y": account_id_y, "limit": limit})
        return _frame(rows, ["object_id", "kind", "older_account", "newer_account", "post_id", "post_id_y",
                             "ts", "time_delta", "fast"])

    def object_kinds(self, ids: list[str]) -> dict[str, str]:
        """Object id -> kind, for the given ids."""
        rows = self.store.run_file("webapp_object_kinds", {"ids": list(ids)})
        return {r["id"]: r["kind"] for r in rows}

    def search(self, run_id: str, text: str, limit: int = SEARCH_ROWS) -> pd.DataFrame:
        """Accounts and objects matching ``text`` (id, handle with or without @, object id; exact
        or prefix; case-insensitive): kind, id, label, community."""
        raw = (text or "").strip().lstrip("@")
        text = raw.lower()
        if not text:
            return _frame([], ["kind", "id", "label", "community"])
        if self.has_handle_keys():
            rows = self.store.run_file("webapp_search_lc", {"run_id": run_id, "text": text, "raw": raw, "limit": limit})
        else:
            rows = self.store.run_file("webapp_search", {"run_id": run_id, "text": text, "limit": limit})
        return _frame(rows, ["kind", "id", "label", "community"])

    def has_handle_keys(self) -> bool:
        """True when no account with a handle lacks ``handle_lc`` (written at ingest since issue
        15), so search can use the indexed key; a store ingested before falls back to the
        ``toLower`` scan. Asked once per source (one scan), then remembered."""
        if self._handle_lc is None:
            rows = self.store.read("MATCH (a:Account) WHERE a.handle IS NOT NULL AND a.handle_lc IS NULL "
                                   "RETURN a.id AS id LIMIT 1")
            self._handle_lc = not rows
        return self._handle_lc

    def object_accounts(self, run_id: str, object_id: str, limit: int = 2000) -> pd.DataFrame:
        """The co-share rows of one object: account_id, account_id_y, time_delta, ts."""
        rows = self.store.run_file("webapp_object_accounts", {"run_id": run_id, "object_id": object_id, "limit": limit})
        return _frame(rows, ["account_id", "account_id_y", "time_delta", "ts"])

    # -- exports --------------------------------------------------------------------------
    def community_members(self, run_id: str, community: int) -> pd.DataFrame:
        """All members of a community with their run statistics (not filtered)."""
        rows = self.store.run_file("webapp_community_members", {"run_id": run_id, "community": community})
        return _frame(rows, ["account_id", "handle", "name", "community", "degree", "strength", "pagerank",
                             "followers_count", "created_at"])


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Rows to a DataFrame with exactly ``columns`` (an empty result keeps its columns)."""
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.DataFrame.from_records(rows, columns=columns)
