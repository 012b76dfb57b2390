"""A live run: the loop behind ``coordgraph watch``.

Per batch: posts -> shares (the loader's reader and reshape, as ``shares``/``ingest``) ->
:meth:`LiveState.apply` -> communities of the changed components -> alert rules -> the state
committed (the commit point: a batch counts once it is there) -> the run's files, the alerts
log and the webhook file written from the committed state -> with a store, the live run in
the graph store (:mod:`coordgraph.run.store_live`). After a crash between the commit and
the end of these writes, the next start writes them again (no duplicate alerts; the store's
run is rewritten from the committed state).
"""
from __future__ import annotations

import hashlib
import os
import signal
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from coordgraph.analysis.incremental import BatchReport, LiveParams
from coordgraph.analysis.live_store import LiveStore
from coordgraph.live import alerts as alerting
from coordgraph.live.communities import by_component, community_metrics, components
from coordgraph.run.files import write_tables_atomic

SHARE_COLS = ["object_id", "account_id", "content_id", "timestamp_share"]


@dataclass
class WatchOptions:
    """Everything a live run needs (seconds for times). ``state`` defaults to OUT/state."""

    out: Path
    params: LiveParams
    intents: list[str] = field(default_factory=list)
    column_map: dict | None = None
    fmt: str = "auto"
    strict: bool = False
    platform: str | None = None
    reshape_options: dict = field(default_factory=dict)
    algorithm: str | None = "leiden"
    rules: list[dict] = field(default_factory=list)
    webhook_file: Path | None = None
    state: Path | None = None
    fault: object = None  # tests: called between the commit's write steps
    store: object = None  # a graph store (coordgraph.cypher.open_store): the run is written there too
    run_id: str | None = None  # the store's run id (default live-<OUT's name>)
    source: str | None = None  # what is watched (recorded on the Run node)

    @property
    def state_dir(self) -> Path:
        return self.state or self.out / "state"


def kill_hook(batch_of) -> object:
    """Fault injection for tests of crash safety: ``COORDGRAPH_WATCH_KILL=<batch>:<step>``
    makes the process kill itself (SIGKILL, as kill -9) at that write step of that batch
    (steps: kept-part, names-part, generation, renamed, committed, files). None when unset."""
    spec = os.environ.get("COORDGRAPH_WATCH_KILL")
    if not spec:
        return None
    batch, step = spec.split(":", 1)

    def fault(name: str) -> None:
        if name == step and batch_of() == int(batch):
            os.kill(os.getpid(), signal.SIGKILL)

    return fault


def file_identity(path: Path) -> str:
    """A file's content identity (sha256 of its bytes): a file renamed or copied again is the
    same file; one a collector appended to is a new one (its old posts are duplicates)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class LiveRun:
    """Load (or start) the live run in ``options.out`` and apply batches to it."""

    def __init__(self, options: WatchOptions) -> None:
        self.opt = options
        self.store = LiveStore(options.state_dir)
        self.state, self.extra = self.store.load(options.params)
        self.extra.setdefault("seen_files", [])
        self.extra.setdefault("alert_memory", {})
        # one entry per batch: when edges appeared (a state from before marks: all "by now")
        self.extra.setdefault("batches", [{"batch": self.state.batch, "edges": self.state.n_edges,
                                           "time": self.state.counts()["newest_time"], "applied_at": None}]
                              if self.state.batch else [])
        self.communities = None
        if self.opt.fault is None:
            self.opt.fault = kill_hook(lambda: self.state.batch)
        self.writer = None
        if options.store is not None:
            from coordgraph.run.store_live import LiveStoreWriter, live_run_id

            self.writer = LiveStoreWriter(options.store, options.run_id or live_run_id(options.out.resolve().name),
                                          intents=options.intents, source=options.source,
                                          algorithm=options.algorithm, fault=self.opt.fault,
                                          cache_dir=options.state_dir / "store-written")
        if self.state.batch and self._published() != self.state.batch:
            self._publish(recovering=True)  # committed but its files not (all) written
        elif self.state.batch and (options.out / "communities.parquet").exists():
            self.communities = pd.read_parquet(options.out / "communities.parquet")
            if self.writer is not None and self.writer.stored_batch() != self.state.batch:
                self._write_store()  # --store added to a running watch, or the store was behind

    # ------------------------------------------------------------------ input
    def shares_of(self, post_batches) -> pd.DataFrame:
        """Shares of the intents from post batches (``iter_post_batches`` items). With the
        retweets intent, each retweeted original in the data is a share of itself, matched
        across batches (column ``_original`` marks those rows)."""
        from coordgraph.loader.stream import shares_from_batches

        frames = list(post_batches)
        if not frames:
            self._pending_originals = None
            return pd.DataFrame({c: pd.Series(dtype="int64" if c == "timestamp_share" else object) for c in SHARE_COLS})
        shares = shares_from_batches(frames, self.opt.intents, originals=False, **self.opt.reshape_options)
        if "retweets" not in self.opt.intents:
            return shares
        originals = self._originals([f[0] if isinstance(f, tuple) else f for f in frames])
        if len(self.opt.intents) > 1:
            originals = originals.assign(object_id="retweets:" + originals["object_id"])
        # the full run puts the originals at the end of the retweets part (parts in intent order)
        sizes = shares["kind"].value_counts() if "kind" in shares else pd.Series({"retweets": len(shares)})
        n_rt = 0
        for intent in self.opt.intents:
            n_rt += int(sizes.get(intent, 0))
            if intent == "retweets":
                break
        out = pd.concat([shares.iloc[:n_rt], originals, shares.iloc[n_rt:]], ignore_index=True)
        out["_original"] = False
        out.loc[n_rt:n_rt + len(originals) - 1, "_original"] = True
        return out

    def _load_originals(self) -> None:
        """The retweet-original index (non-retweet posts, retweeted ids, originals emitted)
        from the committed side parts."""
        self.nonrt: dict = {}
        self.retweeted: set = set()
        self.emitted: set = set()
        for part in self.store.read_parts("originals", self.state.batch):
            for kind, pid, acc, ts in part.itertuples(index=False):
                if kind == "post":
                    self.nonrt[pid] = (acc, int(ts))
                elif kind == "retweeted":
                    self.retweeted.add(pid)
                else:
                    self.emitted.add(pid)

    def _originals(self, posts_frames: list) -> pd.DataFrame:
        """Original posts that are now known to be retweeted in the data and not emitted yet,
        as shares of themselves (object = content = post id); the index is updated."""
        if not hasattr(self, "nonrt"):
            self._load_originals()
        posts = pd.concat(posts_frames, ignore_index=True)
        is_rt = posts["retweeted_id"].notna().to_numpy()
        new_rt = set(posts.loc[is_rt, "retweeted_id"].astype(str)) - self.retweeted
        plain = posts.loc[~is_rt, ["post_id", "account_id", "ts"]]
        plain = plain[~plain["post_id"].isin(self.nonrt.keys())]
        rows = []
        for pid, acc, ts in plain.itertuples(index=False):  # new originals of any retweet so far
            if (pid in self.retweeted or pid in new_rt) and pid not in self.emitted:
                rows.append((pid, acc, pid, int(ts)))
        for pid in sorted(new_rt):  # earlier originals retweeted now
            if pid in self.nonrt and pid not in self.emitted:
                acc, ts = self.nonrt[pid]
                rows.append((pid, acc, pid, ts))
        emitted = [r[0] for r in rows]
        self._pending_originals = pd.DataFrame(
            [("post", p, a, int(t)) for p, a, t in plain.itertuples(index=False)]
            + [("retweeted", p, None, 0) for p in sorted(new_rt)] + [("emitted", p, None, 0) for p in emitted],
            columns=["kind", "post_id", "account_id", "ts"])
        for p, a, t in plain.itertuples(index=False):
            self.nonrt[p] = (a, int(t))
        self.retweeted |= new_rt
        self.emitted |= set(emitted)
        frame = pd.DataFrame(rows, columns=SHARE_COLS)
        frame["timestamp_share"] = frame["timestamp_share"].astype("int64")
        frame["kind"] = "retweets"
        return frame

    def read_files(self, files: list[Path], batch_size: int):
        """Post batches of ``files`` (at most ``batch_size`` posts each), read as ``shares`` does."""
        from coordgraph.loader import iter_post_batches

        return iter_post_batches(files, format=self.opt.fmt, column_map=self.opt.column_map, strict=self.opt.strict,
                                 rejects_path=self.opt.out / "rejects.jsonl", batch_size=batch_size,
                                 platform=self.opt.platform)

    def new_files(self, folder: Path) -> list[tuple[Path, str]]:
        """Files of ``folder`` not applied yet (by content identity), oldest first."""
        from coordgraph.loader.sources import expand_inputs

        out_dir = self.opt.out.resolve()
        seen = set(self.extra["seen_files"])
        files = [p for p in expand_inputs(folder) if not p.resolve().is_relative_to(out_dir)
                 and not p.name.endswith(".tmp")]
        files.sort(key=lambda p: (p.stat().st_mtime_ns, str(p)))
        found = []
        for p in files:
            ident = file_identity(p)
            if ident not in seen:
                found.append((p, ident))
                seen.add(ident)
        return found

    # ------------------------------------------------------------------ apply
    def apply(self, shares: pd.DataFrame, files: list[str] | None = None, label: str | None = None) -> dict:
        """Apply one batch of shares, commit it, write the run's files and the alerts.
        Returns the summary (with the batch's report under ``last_batch``)."""
        started = time.perf_counter()
        # A batch is applied in time order (stable: equal times keep their arrival order), so
        # only shares older than what earlier batches applied can be too late: collectors
        # write newest first (twarc2 search pages), and that order must not drop a post.
        order = np.argsort(shares["timestamp_share"].to_numpy(dtype=np.int64), kind="stable")
        shares = shares.iloc[order]
        exempt = shares["_original"].to_numpy(dtype=bool) if "_original" in shares else None
        shares = shares[SHARE_COLS].reset_index(drop=True)
        rep = self.state.apply(shares, exempt=exempt)
        t_apply = time.perf_counter() - started
        edges = self.state.edges_frame()
        changed = set(self.state.accounts.names[i] for i in
                      np.unique(np.concatenate((self.state.e_lo[rep.changed_edges],
                                                self.state.e_hi[rep.changed_edges]))).tolist())
        comm = self._communities(edges, changed)
        batch_info = self._batch_info(rep, label)
        alerts = self._alerts(comm, edges, batch_info)
        late = [{"batch": rep.batch, **{k: (int(v) if k == "timestamp_share" else str(v)) for k, v in row.items()}}
                for row in shares.iloc[rep.too_late].to_dict("records")]
        self.extra["seen_files"] = sorted(set(self.extra["seen_files"]) | set(files or []))
        self.extra["last_alerts"] = alerts
        self.extra["last_late"] = late
        self.extra["batches"] = [*self.extra["batches"], {
            "batch": rep.batch, "edges": self.state.n_edges, "time": batch_info["newest_time"],
            "applied_at": batch_info["raised_at"]}]
        self.extra["last_batch"] = {**batch_info, "rows": rep.rows, "applied": rep.applied,
                                    "duplicates": rep.duplicates, "too_late": int(len(rep.too_late)),
                                    "new_pairs": rep.new_pairs, "newly_kept": rep.newly_kept,
                                    "newly_fast": rep.newly_fast, "changed_edges": int(len(rep.changed_edges)),
                                    "apply_seconds": round(t_apply, 4)}
        t0 = time.perf_counter()
        if getattr(self, "_pending_originals", None) is not None:
            self.store.write_part(self.state.batch, "originals", self._pending_originals)
            self._pending_originals = None
        self.store.commit(self.state, self.extra, fault=self.opt.fault)
        self.extra["last_batch"]["commit_seconds"] = round(time.perf_counter() - t0, 4)
        return self._publish(edges=edges)

    def _batch_info(self, rep: BatchReport, label: str | None) -> dict:
        return batch_info(rep.batch, label, rep.min_time, rep.max_time,
                          None if self.state.max_t < -(2**60) else int(self.state.max_t))

    def _communities(self, edges: pd.DataFrame, changed: set) -> pd.DataFrame | None:
        if self.opt.algorithm is None:
            return None
        self.communities = by_component(edges, self.opt.algorithm, previous=self.communities, changed=changed)
        return self.communities

    def _alerts(self, comm, edges: pd.DataFrame, batch_info: dict) -> list[dict]:
        return check_alerts(self.opt.rules, self.extra["alert_memory"], comm, edges, batch_info)

    # ------------------------------------------------------------------ output
    def summary(self, edges: pd.DataFrame | None = None) -> dict:
        return live_summary(self.state.counts(), self.state.params, self.state.batch, self.extra,
                            len(self.extra["seen_files"]), self.communities)

    def _publish(self, edges: pd.DataFrame | None = None, recovering: bool = False) -> dict:
        """Write the run's files, then the batch's alerts and too-late shares (idempotent)."""
        if edges is None:
            edges = self.state.edges_frame()
        if recovering and self.opt.algorithm is not None:
            self.communities = by_component(edges, self.opt.algorithm)
        tables = {"result": self.state.result_frame(), "edges": edges, "vertices": self.state.vertices_frame()}
        if self.communities is not None:
            tables["communities"] = self.communities
        summary = self.summary(edges)
        outcome: dict = {}

        def write_store() -> None:  # the command's report says how: rewrite, update or unchanged
            outcome["store"] = self._write_store(edges, tables["vertices"], summary) or "failed"

        publish(self.opt, tables, summary, self.state.batch, self.extra,
                before_marker=write_store if self.writer is not None else None)
        summary = {**summary, **outcome}
        return summary

    def _write_store(self, edges: pd.DataFrame | None = None, vertices: pd.DataFrame | None = None,
                     summary: dict | None = None) -> str | None:
        """Write the committed run into the graph store (coordgraph.run.store_live). A store
        that fails is reported and left behind: the next batch rewrites the run there."""
        from coordgraph.cypher.errors import StoreError
        from coordgraph.run.result import RunResult
        from coordgraph.run.store_live import LiveMarks

        edges = self.state.edges_frame() if edges is None else edges
        vertices = self.state.vertices_frame() if vertices is None else vertices
        summary = self.summary(edges) if summary is None else summary
        res = RunResult("live", self.state.params.as_dict(),
                        {**summary, "kind_prefixed": len(self.opt.intents) > 1, "source": self.opt.source},
                        {"result": self.state.result_frame(times=True), "edges": edges, "vertices": vertices})
        try:
            return self.writer.write(res, batch=self.state.batch, marks=LiveMarks(self.extra["batches"]),
                                     communities=self.communities, new_alerts=self.extra.get("last_alerts", []),
                                     all_alerts=self._all_alerts)
        except StoreError as exc:
            import sys

            print(f"coordgraph watch: the graph store failed ({exc}); the run is written there again "
                  "after the next batch", file=sys.stderr)
            return None

    def _all_alerts(self) -> list[dict]:
        """Every alert raised so far (OUT/alerts.jsonl)."""
        import orjson

        path = self.opt.out / "alerts.jsonl"
        if not path.exists():
            return []
        return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]

    def _published(self) -> int | None:
        return published_batch(self.opt.out)


# ---------------------------------------------------------------------- shared by the engines
# (this pandas engine and the Spark engine, coordgraph.live.spark_stream)

def batch_info(batch: int, label: str | None, first_time, last_time, newest_time) -> dict:
    """A batch's description in alerts and the summary (times: UNIX seconds, UTC)."""
    return {"batch": batch, "label": label, "first_time": first_time, "last_time": last_time,
            "newest_time": newest_time, "raised_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def check_alerts(rules: list[dict], memory: dict, comm, edges: pd.DataFrame, info: dict) -> list[dict]:
    """The alert rules checked on the live network (communities ``comm``, connected
    components of ``edges``); ``memory`` (what was announced) is updated."""
    if not rules:
        return []
    comm_metrics = community_metrics(comm, edges) if comm is not None and len(comm) else pd.DataFrame()
    comp = components(edges)
    comp_table = pd.DataFrame({"account_id": comp.index, "community": comp.values})
    comp_metrics = community_metrics(comp_table, edges) if len(comp_table) else pd.DataFrame()
    return alerting.check(rules, memory, communities=comm_metrics, components=comp_metrics, edges=edges,
                          batch=info)


def live_summary(counts: dict, params: LiveParams, batch: int, extra: dict, files_applied: int,
                 communities: pd.DataFrame | None, **more) -> dict:
    """summary.json of a live run: the contract's keys (engine "live"), the fast threshold,
    the parameters, ``live`` (the state's counts), the last batch's report, ``more``."""
    return {
        "engine": "live", "shares": counts["shares"], "result_rows": counts["result_rows"],
        "edges": counts["edges"], "vertices": counts["vertices"],
        "edges_above_threshold": counts["edges_above_threshold"], "threshold": counts["threshold"],
        "dropped_hub_objects": 0, "seconds": (extra.get("last_batch") or {}).get("apply_seconds", 0.0),
        "threshold_fast": counts["threshold_fast"],
        **({"edges_above_fast_threshold": counts["edges_above_fast_threshold"]}
           if "edges_above_fast_threshold" in counts else {}),
        "params": params.as_dict(), "batch": batch, "live": counts,
        "last_batch": extra.get("last_batch"), "files_applied": files_applied,
        "communities": None if communities is None else int(communities["community"].nunique()),
        **more,
    }


def publish(opt: WatchOptions, tables: dict, summary: dict, batch: int, extra: dict,
            before_marker=None) -> None:
    """Write the run's files, then the batch's alerts, too-late shares and rejected records
    (each file once per batch: a re-publish after a crash writes nothing twice), then
    ``before_marker()`` (the graph store's copy of the run, when kept), then the
    OUT/.published marker."""
    write_tables_atomic(opt.out, tables, summary)
    if opt.fault is not None:
        opt.fault("files")
    alerts = extra.get("last_alerts", [])
    alerting.append_alerts(opt.out / "alerts.jsonl", alerts, batch)
    if opt.webhook_file is not None:
        alerting.append_alerts(Path(opt.webhook_file), alerts, batch)
    alerting.append_alerts(opt.out / "late.jsonl", extra.get("last_late", []), batch)
    if extra.get("last_rejects"):
        alerting.append_alerts(opt.out / "rejects.jsonl", extra["last_rejects"], batch)
    if before_marker is not None:
        before_marker()
    marker = opt.out / ".published"
    tmp = opt.out / ".published.tmp"
    tmp.write_text(str(batch))
    os.replace(tmp, marker)


def published_batch(out: Path) -> int | None:
    """The last batch whose files and alerts were all written (OUT/.published)."""
    try:
        return int((out / ".published").read_text().strip())
    except (OSError, ValueError):
        return None
