"""The live run on Spark: ``coordgraph watch FOLDER --engine spark``.

Share files dropped into FOLDER (Parquet or CSV with the contract's share columns,
:data:`coordgraph.contracts.SHARE_COLUMNS`) are read by Structured Streaming's file source
(``spark.readStream`` with a schema); every micro-batch goes through ``foreachBatch`` into
:func:`coordgraph.engines.spark_incremental.apply_batch`, the pandas engine's incremental
update written in Spark, on a state held as Parquet tables. After every micro-batch OUT holds
the same live run as the pandas engine's ``watch`` (result/edges/vertices/communities Parquet,
summary.json, alerts.jsonl, late.jsonl, rejects.jsonl), written by the same functions
(:func:`coordgraph.live.runner.publish`, :func:`coordgraph.run.files.write_tables_atomic`).

Why share files and not posts: the file source reads files in parallel with one schema,
on any node; the platform readers (:mod:`coordgraph.loader`) read a post file in one Python
process, and the retweets intent's originals are matched across the whole stream. Turn posts
into shares before the folder (``coordgraph shares POSTS -i ... -o FOLDER/part-N.parquet``).

State (OUT/state/spark, or ``--state``/spark):

- ``checkpoint/``: Structured Streaming's checkpoint (the files of each micro-batch, which
  batches completed);
- ``gen-<batch>/``: the state tables after that micro-batch (window, pending, kept,
  accounts, contents; the too-late and rejected rows of the batch);
- ``CURRENT``: the commit record (JSON: the generation, the Spark batch id it applied, the
  scalars, alert memory, the last batch's report), replaced atomically.

Crash safety: Structured Streaming writes a micro-batch's file list before running it and
re-runs an uncommitted micro-batch with the same files after a restart. A micro-batch is
applied when CURRENT names it; a re-run of a batch CURRENT already has only publishes its
files (nothing is applied twice, no alert written twice), and a start after a crash between
the commit and the files publishes them. Steps for fault injection
(``COORDGRAPH_WATCH_KILL=<batch>:<step>``, as the pandas engine): generation, committed, files.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd

from coordgraph.analysis.incremental import LiveParams
from coordgraph.contracts import SHARE_COLUMNS, fast_flag_column
from coordgraph.engines import spark_incremental as inc
from coordgraph.live.communities import by_component
from coordgraph.live.runner import (WatchOptions, batch_info, check_alerts, kill_hook, live_summary, publish,
                                    published_batch)

#: Formats of share files the engine reads (one per run, by file name suffix).
FORMATS = ("parquet", "csv")
#: How old (relative to the newest file seen) a file may be and still be read: Spark's
#: default (7 days) would skip a replayed archive; file names are kept this long.
MAX_FILE_AGE = "3650d"


def detect_format(folder: Path, fmt: str) -> str:
    """``fmt`` when given; for ``auto`` csv when the folder holds *.csv / *.csv.gz files and
    no Parquet, else parquet."""
    if fmt in FORMATS:
        return fmt
    if fmt != "auto":
        raise ValueError(f"--engine spark reads share files: --format parquet, csv or auto, not {fmt!r}")
    names = [p.name for p in folder.iterdir() if p.is_file()]
    has_csv = any(n.endswith((".csv", ".csv.gz")) for n in names)
    has_parquet = any(n.endswith(".parquet") for n in names)
    return "csv" if has_csv and not has_parquet else "parquet"


class SparkStateStore:
    """The Spark engine's state directory (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.checkpoint = self.root / "checkpoint"

    def current(self) -> dict | None:
        path = self.root / "CURRENT"
        return json.loads(path.read_text()) if path.exists() else None

    def gen_dir(self, batch: int) -> Path:
        return self.root / f"gen-{batch:08d}"

    def load(self, spark) -> tuple[dict, inc.Scalars, dict, int]:
        """(tables, scalars, extra, last Spark batch id applied, -1 for none)."""
        rec = self.current()
        if rec is None:
            return inc.empty_tables(spark), inc.Scalars(), {}, -1
        gen = self.root / rec["generation"]
        tables = {name: spark.read.schema(inc.SCHEMAS[name]).parquet(str(gen / name)) for name in inc.TABLES}
        return tables, inc.Scalars(**rec["scalars"]), rec.get("extra", {}), int(rec["spark_batch"])

    def write_generation(self, batch: int, frames: dict) -> Path:
        """Write the tables of ``frames`` (name -> Spark DataFrame) as ``gen-<batch>`` (a
        temporary directory renamed into place: a partial generation is never read)."""
        final = self.gen_dir(batch)
        tmp = final.with_name(final.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        for name, frame in frames.items():
            frame.write.mode("overwrite").parquet(str(tmp / name))
        shutil.rmtree(final, ignore_errors=True)
        os.replace(tmp, final)
        return final

    def commit(self, record: dict) -> None:
        """Replace CURRENT (the commit point), then remove the generations before the
        previous one."""
        tmp = self.root / "CURRENT.tmp"
        tmp.write_text(json.dumps(record, indent=1, default=int))
        os.replace(tmp, self.root / "CURRENT")
        keep = {record["generation"], record.get("previous")}
        for path in self.root.glob("gen-*"):
            if path.name not in keep and not path.name.endswith(".tmp"):
                shutil.rmtree(path, ignore_errors=True)


class SparkLiveRun:
    """A live run whose state and update are in Spark. ``options`` as for the pandas engine
    (intents, column map and batch sizes do not apply: the input is share files)."""

    def __init__(self, options: WatchOptions, spark, fmt: str = "parquet", max_files: int | None = None) -> None:
        self.opt = options
        self.spark = spark
        self.fmt = fmt
        self.max_files = max_files
        self.params: LiveParams = options.params
        self.store = SparkStateStore(options.state_dir / "spark")
        self.store.root.mkdir(parents=True, exist_ok=True)
        self._load()
        self.communities = None
        self.last_summary: dict | None = None
        self.on_summary = None  # called with each micro-batch's summary (the CLI prints it)
        self._current = self.scalars.batches  # the batch being applied or published (fault injection)
        if self.opt.fault is None:
            self.opt.fault = kill_hook(lambda: self._current)
        if self.scalars.batches and published_batch(options.out) != self.scalars.batches:
            self._publish(recovering=True)  # committed, its files not (all) written
        elif self.scalars.batches and (options.out / "communities.parquet").exists():
            self.communities = pd.read_parquet(options.out / "communities.parquet")

    def _load(self) -> None:
        self.tables, self.scalars, self.extra, self.spark_batch = self.store.load(self.spark)
        self.extra.setdefault("alert_memory", {})
        self.extra.setdefault("files_applied", 0)
        rec = self.store.current()
        self.generation = rec["generation"] if rec else None
        stored = rec.get("params") if rec else None
        if stored is not None and stored != self.params.as_dict():
            raise ValueError(f"{self.store.root}: the live run was started with {stored}, not "
                             f"{self.params.as_dict()} (use another --out or the same options)")

    # ------------------------------------------------------------------ the stream
    def stream(self, folder: Path):
        """The file source on ``folder`` (a streaming DataFrame with the share columns and
        each row's file and modification time, which order a micro-batch's arrivals)."""
        from pyspark.sql import functions as F

        reader = self.spark.readStream.option("maxFileAge", MAX_FILE_AGE)
        if self.max_files:
            reader = reader.option("maxFilesPerTrigger", int(self.max_files))
        if self.fmt == "csv":
            schema = inc.SHARE_SCHEMA + ", _corrupt_record string"
            frame = reader.schema(schema).option("header", True).option("mode", "PERMISSIVE") \
                .option("columnNameOfCorruptRecord", "_corrupt_record").option("pathGlobFilter", "*.csv*") \
                .csv(str(folder))
        else:
            frame = reader.schema(inc.SHARE_SCHEMA).option("pathGlobFilter", "*.parquet").parquet(str(folder))
        return frame.select("*", F.col("_metadata.file_modification_time").alias("_mtime"),
                            F.col("_metadata.file_path").alias("_file"))

    def run(self, folder: Path, once: bool = False, every: float | None = None) -> None:
        """Start the query on ``folder``: ``once`` = every file not applied yet, in
        micro-batches, then return (trigger availableNow); otherwise a micro-batch every
        ``every`` seconds (default 60) until stopped."""
        writer = self.stream(folder).writeStream.foreachBatch(self.foreach_batch) \
            .option("checkpointLocation", str(self.store.checkpoint))
        writer = writer.trigger(availableNow=True) if once else \
            writer.trigger(processingTime=f"{int(every or 60)} seconds")
        query = writer.start()
        try:
            query.awaitTermination()
        finally:
            if query.isActive:
                query.stop()

    # ------------------------------------------------------------------ one micro-batch
    def foreach_batch(self, frame, spark_batch: int) -> None:
        """Apply one micro-batch (Structured Streaming's ``foreachBatch``)."""
        from pyspark.sql import functions as F

        if spark_batch <= self.spark_batch:  # applied before a crash: publish only
            if published_batch(self.opt.out) != self.scalars.batches:
                self._publish(recovering=True)
            return
        started = time.perf_counter()
        frame = frame.withColumn("_pos", F.monotonically_increasing_id())  # file order, before any shuffle
        self._current = number = self.scalars.batches + 1
        batch = inc.apply_batch(self.spark, self.tables, self.scalars, frame, self.params,
                                ["_mtime", "_file", "_pos"], file_column="_file")
        late = [{"batch": number, **row} for row in batch.late]
        rejects = [{"batch": number, "reason": "a share column is missing or the object is empty", **row}
                   for row in batch.rejects]
        gen = self.store.write_generation(number, batch.tables)
        batch.finish()
        changed = batch.changed
        apply_s = time.perf_counter() - started
        batch.release()
        if self.opt.fault is not None:
            self.opt.fault("generation")
        new_tables = {name: self.spark.read.schema(inc.SCHEMAS[name]).parquet(str(gen / name))
                      for name in inc.TABLES}
        frames, counts = self._outputs(new_tables, batch.scalars, batch.report)
        self.communities = self._communities(frames["edges"], changed)
        n_files = batch.report["files"]
        info = batch_info(number, f"{n_files} file(s)", batch.report["min_time"], batch.report["max_time"],
                          batch.scalars.max_t)
        alerts = check_alerts(self.opt.rules, self.extra["alert_memory"], self.communities, frames["edges"], info)
        extra = {**self.extra, "last_alerts": alerts, "last_late": late, "last_rejects": rejects,
                 "files_applied": self.extra["files_applied"] + n_files,
                 "last_batch": {**info, **{k: v for k, v in batch.report.items()
                                          if k not in ("min_time", "max_time", "pending_pairs", "window_shares")},
                                "changed_accounts": len(changed),
                                "apply_seconds": round(apply_s, 4)}}
        t0 = time.perf_counter()
        self.store.commit({"generation": gen.name, "previous": self.generation, "spark_batch": spark_batch,
                           "scalars": batch.scalars.as_dict(), "params": self.params.as_dict(), "extra": extra})
        self.tables, self.scalars, self.extra, self.spark_batch = new_tables, batch.scalars, extra, spark_batch
        self.generation = gen.name
        self.extra["last_batch"]["commit_seconds"] = round(time.perf_counter() - t0, 4)
        if self.opt.fault is not None:
            self.opt.fault("committed")
        summary = self._publish(frames=frames, counts=counts)
        if self.on_summary is not None:
            self.on_summary(summary)

    # ------------------------------------------------------------------ outputs
    def _outputs(self, tables: dict, scalars: inc.Scalars, report: dict | None = None) -> tuple[dict, dict]:
        """The run's tables (pandas, the pandas engine's layout) and the state's counts
        (the window's and pending pairs' sizes from ``report`` when given, else counted)."""
        from coordgraph.engines.spark import _to_pandas, network_df
        from coordgraph.run.result import canonical_edges, vertex_frame

        fw = self.params.fast_window
        result = inc.result_df(tables["kept"], fw)
        flag = fast_flag_column(fw) if fw is not None else None
        edges, vertices, thr, thr_fast = network_df(result, self.params.edge_weight, flag)
        edges_pd = canonical_edges(_to_pandas(edges), fw is not None)
        edges_pd = edges_pd.sort_values(["account_id", "account_id_y"], kind="stable").reset_index(drop=True)
        vertices_pd = vertex_frame(_to_pandas(vertices))
        result_pd = _to_pandas(result)
        if len(result_pd) == 0:  # an empty Spark frame has no Arrow types: give the columns theirs
            result_pd = result_pd.astype({c: "str" for c in result_pd.columns if c.endswith("_id") or
                                          c.endswith("_id_y")})
        counts = {
            "shares": scalars.shares, "result_rows": len(result_pd), "edges": len(edges_pd),
            "vertices": len(vertices_pd), "edges_above_threshold": int(edges_pd["weight_threshold"].sum()),
            "threshold": thr, "threshold_fast": thr_fast, "rows_seen": scalars.rows_seen,
            "duplicates": scalars.duplicates, "too_late": scalars.too_late, "rejected": scalars.rejected,
            "pending_pairs": report["pending_pairs"] if report else tables["pending"].count(),
            "window_shares": report["window_shares"] if report else tables["window"].count(),
            "batches": scalars.batches, "newest_time": scalars.max_t,
        }
        if fw is not None:
            counts["edges_above_fast_threshold"] = int(edges_pd["weight_threshold_fast"].fillna(0).sum())
        return {"result": result_pd, "edges": edges_pd, "vertices": vertices_pd}, counts

    def _communities(self, edges: pd.DataFrame, changed: set) -> pd.DataFrame | None:
        if self.opt.algorithm is None:
            return None
        return by_component(edges, self.opt.algorithm, previous=self.communities, changed=changed)

    def _publish(self, frames: dict | None = None, counts: dict | None = None, recovering: bool = False) -> dict:
        """Write the run's files and the batch's alerts, too-late and rejected rows."""
        if frames is None:
            frames, counts = self._outputs(self.tables, self.scalars)
        if recovering and self.opt.algorithm is not None:
            self.communities = by_component(frames["edges"], self.opt.algorithm)
        tables = dict(frames)
        if self.communities is not None:
            tables["communities"] = self.communities
        summary = live_summary(counts, self.params, self.scalars.batches, self.extra, self.extra["files_applied"],
                               self.communities, live_engine="spark", master=self.spark.sparkContext.master)
        publish(self.opt, tables, summary, self.scalars.batches, self.extra)
        self.last_summary = summary
        return summary
