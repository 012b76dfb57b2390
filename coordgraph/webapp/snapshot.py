"""A read-only, in-memory snapshot of one run's COORDINATED edges, for fast filter changes.

Why: a run's edges never change once stored, but aggregating 100,000 of them by community
in Cypher on every slider move took 4-25 s on the embedded FalkorDB (bench/bench_webapp.py).
The app therefore loads the run's edge table once (``webapp_run_edges.cypher``,
``webapp_run_accounts.cypher``) and answers filter changes with numpy masks over it: no
co-share is ever recomputed, and details (posts, provenance, search) still come from the
store. The intent filter asks the store which pairs co-shared objects of those kinds
(``webapp_intent_pairs.cypher``), cached per set of intents.
"""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from coordgraph.webapp.filters import Filters


class RunSnapshot:
    """One run's edges (arrays) and accounts (community, handle), filterable in milliseconds."""

    def __init__(self, run_id: str, edges: pd.DataFrame, accounts: pd.DataFrame, store=None):
        self.run_id = run_id
        self.store = store
        self.accounts = accounts.reset_index(drop=True)
        index = pd.Index(self.accounts["account_id"].astype(str))
        # accounts on edges but missing IN_RUN rows get their own community -1
        missing = pd.Index(pd.unique(pd.concat([edges["account_id"], edges["account_id_y"]]).astype(str))).difference(index)
        if len(missing):
            extra = pd.DataFrame({"account_id": missing, "handle": None, "community": -1})
            self.accounts = pd.concat([self.accounts, extra], ignore_index=True)
            index = pd.Index(self.accounts["account_id"].astype(str))
        self.index = index
        self.a = index.get_indexer(edges["account_id"].astype(str)).astype(np.int64)
        self.b = index.get_indexer(edges["account_id_y"].astype(str)).astype(np.int64)
        self.weight = edges["weight"].to_numpy(dtype=float)
        self.symmetry = edges["edge_symmetry_score"].fillna(1.0).to_numpy(dtype=float)
        self.avg_time_delta = edges["avg_time_delta"].to_numpy(dtype=float)
        self.fast = edges["weight_fast"].fillna(0).to_numpy(dtype=float) > 0
        self.first_ts = edges["first_ts"].fillna(-(2**62)).to_numpy(dtype=np.int64)
        self.last_ts = edges["last_ts"].fillna(2**62).to_numpy(dtype=np.int64)
        self.q_value = (pd.to_numeric(edges["q_value"], errors="coerce").to_numpy(dtype=float)
                        if "q_value" in edges else np.full(len(self.weight), np.nan))
        self.community = self.accounts["community"].fillna(-1).to_numpy(dtype=np.int64)
        # a live run's batch of first appearance (coordgraph watch --store; -1 = not live)
        self.first_batch = (edges["first_batch"].fillna(-1).to_numpy(dtype=np.int64) if "first_batch" in edges
                            else np.full(len(self.weight), -1, np.int64))
        self._coshares: CoShares | None = None
        self._table_cache: dict[tuple, pd.DataFrame] = {}
        self._intent_cache: dict[tuple[str, ...], np.ndarray] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, store, run_id: str) -> RunSnapshot:
        """Read the run's edges and accounts from ``store`` (read-only queries)."""
        edges = read_table(store, "webapp_run_edges", {"run_id": run_id},
                           ["account_id", "account_id_y", "weight", "avg_time_delta", "edge_symmetry_score",
                            "weight_fast", "first_ts", "last_ts", "q_value", "first_batch"])
        accounts = read_table(store, "webapp_run_accounts", {"run_id": run_id},
                              ["account_id", "handle", "community", "strength", "degree", "pagerank",
                               "followers_count", "created_at", "first_batch"])
        for col in ("weight", "weight_fast", "first_ts", "last_ts", "edge_symmetry_score", "avg_time_delta", "q_value",
                    "first_batch"):
            edges[col] = pd.to_numeric(edges[col], errors="coerce")
        for col in ("community", "strength", "degree", "pagerank", "followers_count", "created_at", "first_batch"):
            accounts[col] = pd.to_numeric(accounts[col], errors="coerce")
        return cls(run_id, edges, accounts, store)

    def __len__(self) -> int:
        return len(self.weight)

    # -- filtering ------------------------------------------------------------------------
    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask of the edges that pass ``filters`` (community size is applied later)."""
        m = self.weight >= filters.min_weight(self.weight)
        if filters.min_symmetry > 0:
            m &= self.symmetry >= filters.min_symmetry
        if filters.fast_only:
            m &= self.fast
        if filters.time_from is not None or filters.time_to is not None:
            m &= self.coshares().in_range(filters.time_from, filters.time_to) > 0
        if filters.intents:
            m &= self._intent_mask(tuple(sorted(filters.intents)))
        return m

    def _intent_mask(self, intents: tuple[str, ...]) -> np.ndarray:
        """Edges whose accounts co-shared objects of these kinds (asked of the store once)."""
        with self._lock:
            if intents not in self._intent_cache:
                rows = self.store.run_file("webapp_intent_pairs", {"run_id": self.run_id, "intents": list(intents)}) if self.store else []
                n = len(self.index)
                keys = set()
                for r in rows:
                    i, j = self.index.get_indexer([str(r["account_id"]), str(r["account_id_y"])])
                    if i >= 0 and j >= 0:
                        keys.add(min(i, j) * n + max(i, j))
                pair = np.minimum(self.a, self.b) * n + np.maximum(self.a, self.b)
                self._intent_cache[intents] = np.isin(pair, np.fromiter(keys, dtype=np.int64, count=len(keys)))
            return self._intent_cache[intents]

    # -- co-shares ------------------------------------------------------------------------
    def coshares(self) -> "CoShares":
        """The run's co-shares (loaded from the store on first use: the time filter, the time
        slider and the community table need them; plain filter changes do not)."""
        with self._lock:
            if self._coshares is None:
                self._coshares = CoShares.load(self)
            return self._coshares

    def community_table(self, filters: Filters) -> pd.DataFrame:
        """The ranked community table (:func:`coordgraph.analysis.community_table`) of the
        edges and co-shares passing ``filters``; cached per filters."""
        key = tuple(sorted(filters.as_dict().items(), key=lambda kv: kv[0]))
        key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in key)
        with self._lock:
            if key in self._table_cache:
                return self._table_cache[key]
        from coordgraph.analysis.community_table import community_table

        m = self.mask(filters)
        edges = pd.DataFrame({
            "account_id": self.a[m], "account_id_y": self.b[m], "weight": self.weight[m],
            "community": self.community[self.a[m]], "community_y": self.community[self.b[m]],
            "avg_time_delta": self.avg_time_delta[m], "edge_symmetry_score": self.symmetry[m], "fast": self.fast[m],
            "q_value": self.q_value[m]})
        rows = self.coshares().rows(m, filters.time_from, filters.time_to, names=False)
        rows["community"] = self.community[rows["account_id"].to_numpy()]
        rows["community_y"] = self.community[rows["account_id_y"].to_numpy()]
        table = community_table(edges, self.accounts, rows)
        table = table[table["size"] >= filters.min_community_size].reset_index(drop=True)
        with self._lock:
            if len(self._table_cache) > 32:
                self._table_cache.clear()
            self._table_cache[key] = table
        return table

    def community_positions(self) -> dict:
        """Overview positions of every community (igraph layout of the unfiltered overview),
        computed once per run: filter changes keep communities where they were (and need no
        layout)."""
        with self._lock:
            cached = getattr(self, "_positions", None)
        if cached is not None:
            return cached
        import math

        from coordgraph.reporting.positions import CANVAS, layout_positions

        comms, links = self.overview(Filters())
        positions = layout_positions(comms["community"].tolist(),
                                     list(zip(links["community"], links["community_y"], links["weight"])),
                                     seed=42, size=max(CANVAS, 130 * math.sqrt(len(comms))))
        with self._lock:
            self._positions = positions
        return positions

    # -- views ----------------------------------------------------------------------------
    def overview(self, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(communities: community, size, volume; links: community, community_y, weight,
        n_edges) of the edges passing ``filters``; size = accounts with a kept edge,
        volume = co-shares on kept edges touching the community."""
        m = self.mask(filters)
        a, b, w = self.a[m], self.b[m], self.weight[m]
        ca, cb = self.community[a], self.community[b]
        members = pd.DataFrame({"account": np.concatenate([a, b]), "community": np.concatenate([ca, cb])})
        size = members.drop_duplicates("account").groupby("community").size()
        vol_frame = pd.DataFrame({"community": np.concatenate([ca, cb[ca != cb]]),
                                  "w": np.concatenate([w, w[ca != cb]])})
        volume = vol_frame.groupby("community")["w"].sum()
        comms = pd.DataFrame({"size": size, "volume": volume.reindex(size.index).fillna(0)}).reset_index()
        comms = comms.rename(columns={"index": "community"})
        comms = comms[comms["size"] >= filters.min_community_size].reset_index(drop=True)
        comms["volume"] = comms["volume"].astype(np.int64)
        lo, hi = np.minimum(ca, cb), np.maximum(ca, cb)
        between = lo != hi
        links = (
            pd.DataFrame({"community": lo[between], "community_y": hi[between], "weight": w[between]})
            .groupby(["community", "community_y"])["weight"].agg(["sum", "size"]).reset_index()
            .rename(columns={"sum": "weight", "size": "n_edges"})
        )
        keep = set(comms["community"].tolist())
        links = links[links["community"].isin(keep) & links["community_y"].isin(keep)].reset_index(drop=True)
        return comms, links

    def community_view(self, community: int, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(accounts, edges) inside one community under ``filters``; accounts carry
        account_id, handle, strength (sum of kept weights), community."""
        m = self.mask(filters) & (self.community[self.a] == community) & (self.community[self.b] == community)
        return self._view(m, community)

    def neighbourhood(self, account_id: str, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(accounts, edges) of one account and its partners under ``filters``."""
        i = self.index.get_indexer([account_id])[0]
        if i < 0:
            return self._view(np.zeros(len(self), dtype=bool), None)
        m = self.mask(filters) & ((self.a == i) | (self.b == i))
        return self._view(m, None)

    def among(self, account_ids, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(accounts, edges) of the edges passing ``filters`` whose both ends are in
        ``account_ids`` (None = every account)."""
        m = self.mask(filters)
        if account_ids is not None:
            inside = np.zeros(len(self.index), dtype=bool)
            idx = self.index.get_indexer(list(map(str, account_ids)))
            inside[idx[idx >= 0]] = True
            m &= inside[self.a] & inside[self.b]
        return self._view(m, None)

    def _view(self, m: np.ndarray, community: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
        a, b = self.a[m], self.b[m]
        edges = pd.DataFrame({
            "account_id": self.index[a], "account_id_y": self.index[b], "weight": self.weight[m],
            "avg_time_delta": self.avg_time_delta[m], "edge_symmetry_score": self.symmetry[m], "fast": self.fast[m],
            "first_batch": self.first_batch[m],
        })
        idx = np.concatenate([a, b])
        strength = pd.Series(np.concatenate([self.weight[m], self.weight[m]])).groupby(idx).sum()
        cols = ["account_id", "handle", "community"] + (["first_batch"] if "first_batch" in self.accounts else [])
        accounts = self.accounts.iloc[strength.index][cols].copy()
        accounts["strength"] = strength.to_numpy()
        if community is not None:
            accounts["community"] = community
        return accounts.reset_index(drop=True), edges

    def time_span(self) -> tuple[int | None, int | None]:
        """(first, last) co-share time of the run, UNIX seconds UTC, None when unknown."""
        known = self.first_ts[self.first_ts > -(2**62)]
        last = self.last_ts[self.last_ts < 2**62]
        return (int(known.min()) if known.size else None, int(last.max()) if last.size else None)


def read_table(store, name: str, params: dict, columns: list[str]) -> pd.DataFrame:
    """Run query file ``name`` read-only and return its rows as a DataFrame named ``columns``.

    Uses ``Store.read_table(fast=True)``: on FalkorDB a large result comes in the server's
    plain reply format (100,000 rows in about 0.8 s instead of about 6 s), so numbers may
    arrive as text; callers convert with ``pd.to_numeric``.
    """
    frame = store.read_table(store.dialect.query_text(name), params, fast=True)
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame.columns = columns  # the query's RETURN order
    return frame


class CoShares:
    """A run's co-shares as arrays sorted by time: the edge each belongs to, the older share's
    time (UNIX s UTC), seconds apart and object. ``in_range`` counts co-shares per edge in a
    time range with two binary searches and one bincount."""

    def __init__(self, snap: RunSnapshot, frame: pd.DataFrame):
        n = len(snap.index)
        i = snap.index.get_indexer(frame["account_id"].astype(str)).astype(np.int64)
        j = snap.index.get_indexer(frame["account_id_y"].astype(str)).astype(np.int64)
        edge_keys = np.minimum(snap.a, snap.b) * n + np.maximum(snap.a, snap.b)
        order = np.argsort(edge_keys, kind="stable")
        keys = np.minimum(i, j) * n + np.maximum(i, j)
        pos = np.searchsorted(edge_keys[order], keys)
        pos = np.minimum(pos, max(len(order) - 1, 0))
        ok = (i >= 0) & (j >= 0) & (len(order) > 0)
        if len(order):
            ok &= edge_keys[order][pos] == keys
        edge = np.where(ok, order[pos] if len(order) else -1, -1)
        ts = pd.to_numeric(frame["ts"], errors="coerce").fillna(-(2**62)).to_numpy(dtype=np.int64)
        by_time = np.argsort(ts, kind="stable")
        self.n_edges = len(snap)
        self.edge = edge[by_time]
        self.ts = ts[by_time]
        self.account = i[by_time]
        self.account_y = j[by_time]
        self.time_delta = pd.to_numeric(frame["time_delta"], errors="coerce").to_numpy(dtype=float)[by_time]
        self.object_id = frame["object_id"].astype(str).to_numpy()[by_time]
        self.index = snap.index

    @classmethod
    def load(cls, snap: RunSnapshot) -> "CoShares":
        """Every co-share of the run: from its provenance file when this workspace has it
        (the store keeps a bounded subset of a big run, coordgraph/webapp/evidence.py), else
        the store's COSHARE rows."""
        from coordgraph.webapp.evidence import provenance_file, run_coshares_from_file, run_kind_prefixed

        path = provenance_file(snap.run_id) if snap.store is not None else None
        prefixed = run_kind_prefixed(snap.store, snap.run_id) if path is not None else None
        frame = run_coshares_from_file(path, prefixed) if prefixed is not None else None
        if frame is not None:
            return cls(snap, frame)
        frame = (read_table(snap.store, "webapp_run_coshares", {"run_id": snap.run_id},
                            ["account_id", "account_id_y", "object_id", "ts", "time_delta", "fast"])
                 if snap.store is not None else pd.DataFrame(columns=["account_id", "account_id_y", "object_id",
                                                                      "ts", "time_delta", "fast"]))
        return cls(snap, frame)

    def __len__(self) -> int:
        return len(self.ts)

    def _slice(self, time_from: int | None, time_to: int | None) -> slice:
        lo = 0 if time_from is None else int(np.searchsorted(self.ts, int(time_from), side="left"))
        hi = len(self.ts) if time_to is None else int(np.searchsorted(self.ts, int(time_to), side="right"))
        return slice(lo, max(lo, hi))

    def in_range(self, time_from: int | None, time_to: int | None) -> np.ndarray:
        """Co-shares per edge (snapshot edge order) whose older share is in [from, to]."""
        s = self._slice(time_from, time_to)
        e = self.edge[s]
        return np.bincount(e[e >= 0], minlength=self.n_edges)

    def rows(self, edge_mask: np.ndarray | None = None, time_from: int | None = None,
             time_to: int | None = None, names: bool = True) -> pd.DataFrame:
        """Co-shares in [from, to] on edges of ``edge_mask``: account_id, account_id_y
        (ids, or snapshot account positions when not ``names``), object_id, ts, time_delta."""
        s = self._slice(time_from, time_to)
        keep = self.edge[s] >= 0
        if edge_mask is not None:
            keep &= edge_mask[np.maximum(self.edge[s], 0)]
        a, b = self.account[s][keep], self.account_y[s][keep]
        return pd.DataFrame({"account_id": self.index[a] if names else a,
                             "account_id_y": self.index[b] if names else b,
                             "object_id": self.object_id[s][keep], "ts": self.ts[s][keep],
                             "time_delta": self.time_delta[s][keep]})

    def histogram(self, edge_mask: np.ndarray | None = None, bins: int = 60) -> tuple[np.ndarray, np.ndarray]:
        """(bin edges in UNIX s, co-shares per bin) of the co-shares on ``edge_mask``."""
        known = self.ts > -(2**62)
        if edge_mask is not None:
            known &= (self.edge >= 0) & edge_mask[np.maximum(self.edge, 0)]
        t = self.ts[known]
        if not t.size:
            return np.array([]), np.array([])
        counts, edges = np.histogram(t, bins=bins)
        return edges, counts
