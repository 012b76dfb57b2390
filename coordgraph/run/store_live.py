"""The store target of a live run (``coordgraph watch --store``): one run id kept current
batch after batch by the run layer's writer, so the web app opens it like any other run.

A live run in the store is what :func:`coordgraph.run.store.write_store` writes for a batch
run on the same shares (Run node, COORDINATED edges with every attribute and first/last
co-share time, IN_RUN degree/strength, bounded COSHARE rows, the provenance Parquet), plus:

- ``first_batch`` / ``first_seen`` on every COORDINATED edge and on every IN_RUN: the batch in
  which the edge (the account) first appeared in the run, and the newest share time seen when
  that batch was applied (UNIX seconds UTC: the data's own clock, so a replayed day gets the
  times of that day);
- ``community`` on IN_RUN (the live per-component partition, :mod:`coordgraph.live.communities`);
- on the Run node: ``live = true``, ``batch`` (the last batch written completely; ``writing``
  is set while a batch's update is under way), ``batches`` (JSON list
  of ``{batch, time, applied_at, edges}``: newest share time, UTC wall-clock ISO time of the
  apply, edges after it), ``live_updated`` (epoch s UTC), ``community_algorithm``,
  ``n_communities``;
- one ``(:Alert {run_id, key})`` node per alert raised (``key`` = batch:rule:subject; the alert's
  fields as properties, ``members``/``partners`` as JSON strings, ``message`` one readable line).

How a batch is written. The first batch a process writes (and any batch after a write that
did not finish: the Run node's ``batch`` is set last, so the store says which batch it holds
completely) rewrites the run: :func:`coordgraph.cypher.runs.delete_run`, then
:func:`~coordgraph.run.store.write_store` under the same id, then the live properties. Later
batches write only what changed since the previous one: edges whose attributes changed or
that are new (MERGE, ``SET +=``), the IN_RUN of accounts that are new or changed (degree,
strength, community), the new co-share rows, the provenance file, the Run node. Both paths
leave the same store, so a re-write after a crash gives the store an uninterrupted run gives.
What was written last is kept in ``cache_dir`` (edges and accounts Parquet, the batch), so a
new process (``watch --once`` from cron) updates the run instead of rewriting it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import orjson
import pandas as pd

from coordgraph.run.result import RunResult
from coordgraph.run.store import COSHARE_LIMIT, bounded_coshares, edge_times, write_store

LIVE_PREFIX = "live-"
WRITE_BATCH = 10_000
#: edge properties compared between batches (a change means the edge is written again)
MARKS = ("first_batch", "first_seen")


def live_run_id(name: str) -> str:
    """``live-<name>`` with characters outside [A-Za-z0-9_.-] replaced by ``_`` (the id names
    the provenance file too)."""
    import re

    clean = re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip(".") or "run"
    return clean if clean.startswith(LIVE_PREFIX) else LIVE_PREFIX + clean


@dataclass
class LiveMarks:
    """When the edges of a live run appeared: ``batches`` = one entry per applied batch,
    ``{batch, edges, time, applied_at}`` (edges = count after it; edges are numbered in order
    of first appearance, so edge i first appeared in the first batch whose count exceeds i)."""

    batches: list[dict] = field(default_factory=list)

    def edges(self, n_edges: int) -> tuple[np.ndarray, np.ndarray]:
        """(first_batch, first_seen) of edges 0..n_edges-1 (first_seen: UNIX s UTC, -1 unknown)."""
        if not self.batches:
            return np.zeros(n_edges, np.int64), np.full(n_edges, -1, np.int64)
        counts = np.array([int(b["edges"]) for b in self.batches], dtype=np.int64)
        numbers = np.array([int(b["batch"]) for b in self.batches], dtype=np.int64)
        times = np.array([-1 if b.get("time") is None else int(b["time"]) for b in self.batches], dtype=np.int64)
        at = np.minimum(np.searchsorted(counts, np.arange(n_edges), side="right"), len(counts) - 1)
        return numbers[at], times[at]


def edge_table(res: RunResult, marks: LiveMarks) -> pd.DataFrame:
    """The run's edges (edge-number order) with first_ts/last_ts and the marks."""
    edges = res.edges.copy()
    result = res.result
    if result is not None and len(result) and "ts" in result:
        times = edge_times(result.dropna(subset=["ts"]))
        edges = edges.merge(times, on=["account_id", "account_id_y"], how="left")
    first_batch, first_seen = marks.edges(len(edges))
    edges["first_batch"] = first_batch
    edges["first_seen"] = first_seen
    return edges


def account_table(res: RunResult, edges: pd.DataFrame, communities: pd.DataFrame | None) -> pd.DataFrame:
    """Accounts of the run: degree, strength, community (None without communities) and the
    marks (an account appears with its first edge)."""
    ends = pd.DataFrame({"account_id": np.concatenate([edges["account_id"], edges["account_id_y"]]),
                         "first_batch": np.tile(edges["first_batch"].to_numpy(), 2),
                         "first_seen": np.tile(edges["first_seen"].to_numpy(), 2)})
    first = ends.sort_values(["first_batch", "first_seen"], kind="stable").drop_duplicates("account_id")
    out = res.vertices[["account_id", "degree", "strength"]].merge(first, on="account_id", how="left")
    if communities is not None and len(communities):
        out = out.merge(communities[["account_id", "community"]], on="account_id", how="left")
    else:
        out["community"] = None
    return out


def alert_message(alert: dict) -> str:
    """One readable line for an alert (the web app's list, the Alert node's ``message``)."""
    if alert.get("type") == "watched_account":
        partners = alert.get("partners") or []
        return f"watched account {alert['subject']} is coordinated with {len(partners)} account(s)"
    what = "network" if alert.get("type") == "component" else "community"
    return (f"{what} of {alert.get('size')} accounts ({alert.get('edges')} edges, {alert.get('weight')} co-shares): "
            f"{alert.get('metric')} = {alert.get('value'):.4g}")


def alert_rows(alerts: list[dict]) -> list[dict]:
    """Alert node rows: key, fields (lists as JSON strings), message."""
    rows = []
    for a in alerts:
        rows.append({
            "key": f"{a['batch']}:{a['rule']}:{a['subject']}", "batch": int(a["batch"]), "rule": a["rule"],
            "type": a["type"], "subject": str(a["subject"]), "label": a.get("label"),
            "raised_at": a.get("raised_at"), "newest_time": a.get("newest_time"),
            "metric": a.get("metric"), "value": a.get("value"), "size": a.get("size"),
            "members": orjson.dumps(a.get("members") or a.get("partners") or []).decode(),
            "message": alert_message(a)})
    return rows


def _differs(prev: pd.Series, cur: pd.Series) -> np.ndarray:
    a, b = prev.reset_index(drop=True), cur.reset_index(drop=True)
    both_na = (a.isna() & b.isna()).to_numpy(dtype=bool)
    same = (a.astype(object) == b.astype(object)).to_numpy(dtype=bool)
    return ~(same | both_na)


def _fast_column(result: pd.DataFrame | None) -> str | None:
    """The fast-window flag column of a result table (``time_window_<S>``), or None."""
    if result is None:
        return None
    return next((c for c in result.columns if c.startswith("time_window_")), None)


def _fast_flags(result: pd.DataFrame | None) -> np.ndarray | None:
    col = _fast_column(result)
    return None if col is None else result[col].to_numpy(dtype=np.int64)


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


class LiveStoreWriter:
    """Keeps the live run ``run_id`` of ``store`` equal to the live state, batch after batch.

    ``fault(step)``: called between write steps (tests kill the process there: ``store-run``
    after a rewrite's write_store, ``store-edges`` after a later batch's edges)."""

    def __init__(self, store, run_id: str, intents: list[str] | None = None, source: str | None = None,
                 algorithm: str | None = None, fault=None, cache_dir=None) -> None:
        self.store = store
        self.run_id = run_id
        self.intents = intents
        self.source = source
        self.algorithm = algorithm
        self.fault = fault or (lambda step: None)
        self.prev: dict | None = None  # what was written last: batch, edges, accounts, rows
        self.cache_dir = cache_dir

    def _load_cache(self) -> dict | None:
        """What an earlier process wrote last (None when unknown or for another run)."""
        from pathlib import Path

        from coordgraph.run.files import read_summary

        if self.cache_dir is None:
            return None
        meta = read_summary(self.cache_dir)
        if not meta or meta.get("run_id") != self.run_id:
            return None
        d = Path(self.cache_dir)
        fast = pd.read_parquet(d / "fast.parquet")["fast"].to_numpy(dtype=np.int64) \
            if (d / "fast.parquet").exists() else None
        return {"batch": int(meta["batch"]), "rows": int(meta["rows"]), "fast": fast,
                "edges": pd.read_parquet(d / "edges.parquet"), "accounts": pd.read_parquet(d / "accounts.parquet")}

    def _save_cache(self) -> None:
        from coordgraph.run.files import write_tables_atomic

        if self.cache_dir is not None and self.prev is not None:
            p = self.prev
            tables = {"edges": p["edges"], "accounts": p["accounts"]}
            if p["fast"] is not None:
                tables["fast"] = pd.DataFrame({"fast": p["fast"].astype(np.int8)})
            write_tables_atomic(self.cache_dir, tables,
                                {"run_id": self.run_id, "batch": p["batch"], "rows": p["rows"]})

    # -------------------------------------------------------------------- the store's view
    def stored_batch(self) -> int | None:
        """The last batch the store holds completely (None: no complete live run there, or an
        update that started and did not finish: ``writing`` is set on the Run node first)."""
        rows = self.store.query("MATCH (r:Run {id: $id}) RETURN r.status AS status, r.batch AS batch, "
                                "r.writing AS writing", {"id": self.run_id})
        if not rows or rows[0]["status"] != "complete" or rows[0]["batch"] is None or rows[0]["writing"] is not None:
            return None
        return int(rows[0]["batch"])

    # -------------------------------------------------------------------- one batch
    def write(self, res: RunResult, *, batch: int, marks: LiveMarks, communities: pd.DataFrame | None,
              new_alerts: list[dict], all_alerts) -> str:
        """Write the run as of ``batch``. ``new_alerts``: this batch's alerts; ``all_alerts()``:
        every alert so far (read only when the run is rewritten). Returns "rewrite" or "update"."""
        edges = edge_table(res, marks)
        accounts = account_table(res, edges, communities)
        prev = self.prev if self.prev is not None else self._load_cache()
        stored = self.stored_batch()
        if stored == batch and prev is not None and prev["batch"] == batch:
            return "unchanged"
        incremental = (prev is not None and stored == prev["batch"] and prev["batch"] == batch - 1
                       and len(prev["edges"]) <= len(edges))
        self.prev = None  # until this write finishes
        if incremental:
            from coordgraph.cypher import runs

            runs.update_run(self.store, self.run_id, {"writing": int(batch)})
            self._update(res, edges, accounts, prev, new_alerts)
            mode = "update"
        else:
            self._rewrite(res, edges, accounts, all_alerts())
            mode = "rewrite"
        self._finish(res, batch, marks, accounts)
        self.prev = {"batch": batch, "edges": edges, "accounts": accounts,
                     "rows": 0 if res.result is None else len(res.result), "fast": _fast_flags(res.result)}
        self._save_cache()
        return mode

    def _rewrite(self, res: RunResult, edges: pd.DataFrame, accounts: pd.DataFrame, alerts: list[dict]) -> None:
        from coordgraph.cypher import runs

        self.store.ensure_schema()
        if self.store.query("MATCH (r:Run {id: $id}) RETURN r.id AS id", {"id": self.run_id}):
            runs.delete_run(self.store, self.run_id)
        self.store.query("MATCH (x:Alert {run_id: $id}) DETACH DELETE x", {"id": self.run_id})
        res.store_run_id = None
        write_store(res, self.store, run_id=self.run_id, intents=self.intents, source=self.source)
        res.store_run_id = None
        self.fault("store-run")
        self._write_edge_marks(edges)
        self._write_accounts(accounts)
        self._write_alerts(alerts)

    def _update(self, res: RunResult, edges: pd.DataFrame, accounts: pd.DataFrame, prev: dict,
                alerts: list[dict]) -> None:
        from coordgraph.cypher.analyze import EDGE_PROPS, ensure_accounts, write_coshares
        from coordgraph.run.provenance import write_provenance

        old = prev["edges"]
        n = len(old)
        keys_same = (old["account_id"].to_numpy() == edges["account_id"].iloc[:n].to_numpy()).all() and \
            (old["account_id_y"].to_numpy() == edges["account_id_y"].iloc[:n].to_numpy()).all()
        changed = np.ones(len(edges), dtype=bool)
        if keys_same:
            changed[:n] = False
            for col in (*EDGE_PROPS, *MARKS):
                if col in edges.columns:
                    before = old[col] if col in old.columns else pd.Series([None] * n)
                    changed[:n] |= _differs(before, edges[col].iloc[:n])
        rows = edges.loc[changed]
        ensure_accounts(self.store, pd.concat([rows["account_id"], rows["account_id_y"]]).unique())
        props = [c for c in (*EDGE_PROPS, *MARKS) if c in rows.columns]
        payload = [{"a": str(a), "b": str(b), "props": {k: _plain(v) for k, v in zip(props, vals) if _plain(v) is not None}}
                   for a, b, *vals in rows[["account_id", "account_id_y", *props]].itertuples(index=False)]
        for i in range(0, len(payload), WRITE_BATCH):
            self.store.write_file("live_upsert_edges", {"run_id": self.run_id, "rows": payload[i:i + WRITE_BATCH]})
        self.fault("store-edges")
        before = prev["accounts"].set_index("account_id").reindex(accounts["account_id"])
        moved = np.zeros(len(accounts), dtype=bool)
        for col in ("degree", "strength", "community", *MARKS):
            moved |= _differs(before[col], accounts[col])
        self._write_accounts(accounts.loc[moved])
        result = res.result
        if result is not None and len(result) > prev["rows"]:
            kind_prefixed = res.summary.get("kind_prefixed", False)
            if len(result) <= COSHARE_LIMIT:
                write_coshares(self.store, self.run_id, result.iloc[prev["rows"]:], kind_prefixed=kind_prefixed)
                self._flag_fast(result, prev, kind_prefixed)
            else:  # bounded per edge: the changed pairs' rows are written again
                self._rewrite_coshares(result, rows, kind_prefixed, crossing=prev["rows"] <= COSHARE_LIMIT)
            write_provenance(self.run_id, result)
        self._write_alerts(alerts)

    def _flag_fast(self, result: pd.DataFrame, prev: dict, kind_prefixed: bool) -> None:
        """Rows written in earlier batches that this batch flagged fast get ``fast = 1``."""
        from coordgraph.cypher.analyze import coshare_rows

        col = _fast_column(result)
        if col is None or prev.get("fast") is None:
            return
        n = min(prev["rows"], len(prev["fast"]))
        now = result[col].to_numpy(dtype=np.int64)[:n]
        turned = np.flatnonzero((now == 1) & (prev["fast"][:n] == 0))
        rows = [{k: r[k] for k in ("a", "b", "o", "p", "py")}
                for r in coshare_rows(result.iloc[turned], kind_prefixed)]
        for i in range(0, len(rows), WRITE_BATCH):
            self.store.write_file("live_coshare_fast", {"run_id": self.run_id, "rows": rows[i:i + WRITE_BATCH]})

    def _rewrite_coshares(self, result: pd.DataFrame, rows: pd.DataFrame, kind_prefixed: bool, crossing: bool) -> None:
        """Above COSHARE_LIMIT rows the store keeps the earliest rows of each edge: the pairs
        of changed edges (every pair when the run just crossed the limit) are written again."""
        from coordgraph.cypher.analyze import write_coshares

        a, b = result["account_id"].astype(str), result["account_id_y"].astype(str)
        lo, hi = a.where(a < b, b), b.where(a < b, a)
        if crossing:
            self.store.write_file("live_delete_coshares", {"run_id": self.run_id, "pairs": None})
            subset = result
        else:
            pairs = set(zip(rows["account_id"].astype(str), rows["account_id_y"].astype(str)))
            keep = np.fromiter(((x, y) in pairs for x, y in zip(lo, hi)), dtype=bool, count=len(result))
            subset = result.loc[keep]
            plist = [[x, y] for x, y in sorted(pairs)]
            for i in range(0, len(plist), WRITE_BATCH):
                self.store.write_file("live_delete_coshares", {"run_id": self.run_id, "pairs": plist[i:i + WRITE_BATCH]})
        write_coshares(self.store, self.run_id, bounded_coshares(subset, limit=0), kind_prefixed=kind_prefixed)

    # -------------------------------------------------------------------- pieces
    def _write_edge_marks(self, edges: pd.DataFrame) -> None:
        rows = [{"a": str(a), "b": str(b), "fb": int(fb), "fs": int(fs)}
                for a, b, fb, fs in edges[["account_id", "account_id_y", "first_batch", "first_seen"]]
                .itertuples(index=False)]
        for i in range(0, len(rows), WRITE_BATCH):
            self.store.write_file("live_edge_marks", {"run_id": self.run_id, "rows": rows[i:i + WRITE_BATCH]})

    def _write_accounts(self, accounts: pd.DataFrame) -> None:
        rows = [{"id": str(r.account_id), "d": int(r.degree), "s": int(r.strength),
                 "c": None if r.community is None or pd.isna(r.community) else int(r.community),
                 "fb": int(r.first_batch), "fs": int(r.first_seen)}
                for r in accounts.itertuples(index=False)]
        for i in range(0, len(rows), WRITE_BATCH):
            self.store.write_file("live_accounts", {"run_id": self.run_id, "rows": rows[i:i + WRITE_BATCH]})

    def _write_alerts(self, alerts: list[dict]) -> None:
        rows = alert_rows(alerts)
        for i in range(0, len(rows), WRITE_BATCH):
            self.store.write_file("live_write_alerts", {"run_id": self.run_id, "rows": rows[i:i + WRITE_BATCH]})

    def _finish(self, res: RunResult, batch: int, marks: LiveMarks, accounts: pd.DataFrame) -> None:
        """The Run node last: thresholds, counts, summary, the live properties and ``batch``
        (the mark that the store holds this batch completely)."""
        from coordgraph.cypher import runs

        s = res.summary
        counts = {"coshares": int(s["result_rows"]), "edges": int(s["edges"]), "accounts": int(len(accounts)),
                  "edges_above_threshold": int(s["edges_above_threshold"])}
        communities = accounts["community"].dropna()
        props = {"threshold": res.threshold, "threshold_fast": res.threshold_fast,
                 "edge_weight": res.params.get("edge_weight"), "engine": res.engine,
                 "summary": orjson.dumps({k: v for k, v in s.items() if k != "trend_hubs"},
                                         option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_SORT_KEYS).decode(),
                 "live": True, "live_updated": int(time.time()),
                 "batches": orjson.dumps(marks.batches).decode(),
                 "community_algorithm": f"live.{self.algorithm}" if self.algorithm else None,
                 "n_communities": int(communities.nunique()) if len(communities) else 0}
        runs.update_run(self.store, self.run_id, {k: v for k, v in props.items() if v is not None})
        runs.complete_run(self.store, self.run_id, counts)
        self.store.query("MATCH (r:Run {id: $id}) SET r.batch = $batch REMOVE r.writing",
                         {"id": self.run_id, "batch": int(batch)})
