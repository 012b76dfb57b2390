"""The incremental co-share update of :mod:`coordgraph.analysis.incremental` on Spark
DataFrames: one batch of new shares applied to a live state held in Spark tables, giving what
one batch run gives on every share applied so far (docs/watch.md, "Exactness").

The state is five tables (their schemas are :data:`SCHEMAS`), written as Parquet by
:mod:`coordgraph.live.spark_stream` after every batch, plus a few scalars (:class:`Scalars`):

- ``window``: every applied share with a time >= newest - late_bound - time_window seconds
  (the only shares a later, non-late share can pair with), with its arrival number ``seq``,
  its account's first arrival ``first`` and ``loop`` (object_id = content_id);
- ``pending``: pairs found but not (yet) kept by the filters, ``pre`` = both accounts passed
  the pre-filter;
- ``kept``: the co-share rows (CooRTweet's detect_groups columns), ``fast`` = flagged by the
  fast window (flag_speed_share);
- ``accounts``: per account its first arrival, n (rows: the pre-filter count), m (rows whose
  content is in C, the OR rule's count), mf (the same for the fast window's C);
- ``contents``: per content id in the window or on a pending pair: its account, its rows,
  whether it is in C / C_fast.

The update follows the pandas engine step for step (same rules, so the same rows; the
parity tests compare the two): late and duplicate shares out, pairs of the new shares with
the window and each other (time buckets of ``time_window + 1`` seconds, as the batch Spark
engine pairs), the pre-filter, C and the OR rule, the fast flags, eviction. Two shortcuts
that give the same answer: every filter is monotone, and after each batch no pending
pre-filtered pair has an account with m >= min_participation (it would have been kept when
that account crossed the bound), so "kept now" is simply pre-filtered and either account's m
at the bound, over all pending pairs; the same holds for the fast flags over the kept rows.

Memory: Spark holds the tables on disk between batches; the window follows the last
``late_bound + time_window`` seconds, not the history (pending pairs, kept rows and accounts
grow with the output, as in the pandas engine).

Arrival order: within a batch, shares are applied in time order, equal times in arrival
order (``_arrival`` columns given by the caller), as ``coordgraph watch`` does with the pandas
engine; ``seq`` numbers are increasing (not contiguous: they are the batch's base plus the
row's rank among all the batch's rows).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from coordgraph.analysis.incremental import LiveParams
from coordgraph.contracts import RESULT_COLUMNS, SHARE_COLUMNS, fast_flag_column

#: Column names and Spark SQL types of the state tables.
SCHEMAS: dict[str, str] = {
    "window": "object_id string, account_id string, content_id string, timestamp_share long, seq long, "
              "first long, loop boolean",
    "pending": "object_id string, content_id string, content_id_y string, time_delta long, account_id string, "
               "account_id_y string, pre boolean",
    "kept": "object_id string, content_id string, content_id_y string, time_delta long, account_id string, "
            "account_id_y string, fast boolean",
    "accounts": "account_id string, first long, n long, m long, mf long",
    "contents": "content_id string, account_id string, rows long, in_c boolean, in_cf boolean",
}
TABLES = tuple(SCHEMAS)
#: The schema of a share file read by the file source (contract columns; ids as strings).
SHARE_SCHEMA = "object_id string, account_id string, content_id string, timestamp_share long"


@dataclass
class Scalars:
    """The live state's numbers (kept in the commit record): shares applied, the next batch's
    arrival base, newest time seen (UNIX seconds, UTC; None before the first share), rows
    seen, duplicates, too late, rejected (invalid rows), batches applied."""

    shares: int = 0
    seq_base: int = 0
    max_t: int | None = None
    rows_seen: int = 0
    duplicates: int = 0
    too_late: int = 0
    rejected: int = 0
    batches: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SparkBatch:
    """What :func:`apply_batch` returns: the new tables (lazy DataFrames: write them), the
    new scalars, the batch's report (counts), the too-late rows and the invalid rows (dicts,
    to be written aside), and after :meth:`finish` the accounts on edges that changed (for
    the communities)."""

    tables: dict
    scalars: Scalars
    report: dict = field(default_factory=dict)
    late: object = None
    rejects: object = None
    counting: dict = field(default_factory=dict)
    cached: list = field(default_factory=list)
    changed: set = field(default_factory=set)

    def finish(self) -> dict:
        """Complete the report and the scalars from the batch's cached frames (call after the
        tables are written, which computed them): shares applied, duplicates, new pairs,
        newly kept and newly fast co-shares, the accounts of the edges that changed, the
        window's and the pending pairs' sizes."""
        from pyspark.sql import functions as F

        c = self.counting
        applied = c["applied"].count()
        counts = c["pending"].agg(F.sum(F.col("_fresh").cast("long")).alias("fresh"),
                          F.sum((~F.col("_kept")).cast("long")).alias("pending")).collect()[0]
        changed = c["kept"].where("_changed").select("account_id", "account_id_y", "_new", "fast").collect()
        self.changed = {r["account_id"] for r in changed} | {r["account_id_y"] for r in changed}
        dup = self.report["rows"] - self.report["too_late"] - applied
        self.scalars.shares += applied
        self.scalars.duplicates += dup
        self.report.update(applied=applied, duplicates=dup, new_pairs=int(counts["fresh"] or 0),
                           newly_kept=sum(1 for r in changed if r["_new"]),
                           pending_pairs=int(counts["pending"] or 0), window_shares=c["window"].count())
        if c["fast"]:  # a changed row is fast only if flagged in this batch
            self.report["newly_fast"] = sum(1 for r in changed if r["fast"])
        return self.report

    def release(self) -> None:
        """Unpersist the batch's cached DataFrames (once its tables are written)."""
        for df in self.cached:
            df.unpersist()
        self.cached.clear()


def empty_tables(spark) -> dict:
    """Empty state tables (the state before the first batch)."""
    return {name: spark.createDataFrame([], SCHEMAS[name]) for name in TABLES}


def valid_share():
    """The rows the engine applies: every share column present and the object not blank (an
    empty object is never a share, spec/coordination.md); the others are rejected."""
    from pyspark.sql import functions as F

    return (F.col("object_id").isNotNull() & (F.trim(F.col("object_id")) != "") & F.col("account_id").isNotNull()
            & F.col("content_id").isNotNull() & F.col("timestamp_share").isNotNull())


def _ok(col, mp: int):
    """The participation test: count >= min_participation (always true when mp <= 1, as
    CooRTweet's filters keep everything there)."""
    from pyspark.sql import functions as F

    return F.lit(True) if mp <= 1 else col >= F.lit(mp)


def number_rows(df, order: list, name: str, start: int = 0, cached: list | None = None, aggs: tuple = ()):
    """``df`` with ``name`` = ``start`` + the row's rank in ``order`` (distinct keys): a
    sort, then each partition's offset from the per-partition counts (one small collect), so
    no window moves all rows into one partition. The sorted rows are persisted (the ranks
    must be computed once). Returns (frame, rows, the per-partition rows of ``aggs``)."""
    from pyspark.sql import functions as F

    sorted_df = df.orderBy(*order).withColumn("_pid", F.spark_partition_id()) \
        .withColumn("_mono", F.monotonically_increasing_id()).persist()
    if cached is not None:
        cached.append(sorted_df)
    parts = sorted(sorted_df.groupBy("_pid").agg(F.count(F.lit(1)).alias("_n"), *aggs).collect(),
                   key=lambda r: r["_pid"])
    offsets, run = {}, 0
    for row in parts:
        offsets[row["_pid"]] = run
        run += row["_n"]
    if not offsets:
        return sorted_df.withColumn(name, F.lit(0).cast("long")).drop("_pid", "_mono"), 0, parts
    offset = F.element_at(F.create_map(*[x for k, v in offsets.items() for x in (F.lit(k), F.lit(v))]),
                          F.col("_pid"))
    within = F.col("_mono") - F.shiftleft(F.col("_pid").cast("long"), 33)
    return (sorted_df.withColumn(name, (F.lit(start) + offset + within).cast("long")).drop("_pid", "_mono"),
            run, parts)


def apply_batch(spark, tables: dict, scalars: Scalars, batch, params: LiveParams, arrival: list,
                file_column: str | None = None) -> SparkBatch:
    """Apply one batch of shares (a Spark DataFrame with the share columns and the
    ``arrival`` columns that order equal times; ``file_column`` names each row's file, to
    count the files; other columns are kept on the rejected rows only) to the state ``tables``/``scalars``; returns the new state
    and what the batch did. Nothing is written here; call :meth:`SparkBatch.finish` once the
    tables are written (the counts are then read from cached data).

    Spark actions: the batch's sort and numbering (with its counts, times and files), one
    collect of the too-late and rejected rows; the rest is lazy."""
    from pyspark.sql import functions as F

    p, mp, tw = params, params.min_participation, params.time_window
    out = Scalars(**scalars.as_dict())
    out.batches += 1
    cached: list = []

    def keep(df):
        # materialise and cut the lineage: the update's frames are used several times and
        # joined with each other, so without this the plans Spark analyses grow exponentially
        # with the steps (seconds of planning at each step). Local checkpoints are enough: a
        # lost executor fails the micro-batch, which runs again from the committed state.
        return df.localCheckpoint(eager=True)

    valid = valid_share()
    t_valid = F.when(valid, F.col("timestamp_share"))
    numbered, n_all, parts = number_rows(
        batch.withColumn("_valid", valid), ["timestamp_share", *arrival], "seq", out.seq_base, cached,
        (F.sum(F.col("_valid").cast("long")).alias("_v"), F.min(t_valid).alias("_t0"), F.max(t_valid).alias("_t1"),
         F.collect_set(F.col(file_column) if file_column else F.lit("")).alias("_files")))
    rows = keep(numbered)
    for df in cached:
        df.unpersist()
    cached.clear()
    n_valid = sum(int(r["_v"] or 0) for r in parts)
    t0 = min((r["_t0"] for r in parts if r["_t0"] is not None), default=None)
    t1 = max((r["_t1"] for r in parts if r["_t1"] is not None), default=None)
    n_files = len(set().union(*(r["_files"] for r in parts))) if parts else 0
    out.seq_base += n_all
    out.rows_seen += n_valid
    # ---- too late: older than the newest time of earlier batches minus the bound (a batch is
    # applied in time order, so nothing of its own can make a row of it late); invalid rows
    # (a missing column value, an empty object) are rejected. Both are written aside.
    late_col = F.lit(False) if scalars.max_t is None else \
        F.col("timestamp_share") < F.lit(scalars.max_t - p.late_bound)
    aside = rows.where(~F.col("_valid") | late_col).drop("seq").collect()
    late = [{c: r[c] for c in SHARE_COLUMNS} for r in aside if r["_valid"]]
    rejects = [{k: v for k, v in r.asDict().items() if k != "_valid" and (k not in arrival or k == file_column)}
               for r in aside if not r["_valid"]]
    out.too_late += len(late)
    out.rejected += len(rejects)
    rows = rows.where(F.col("_valid") & ~late_col).select(*SHARE_COLUMNS, "seq")
    if t1 is not None:
        out.max_t = int(t1) if scalars.max_t is None else max(scalars.max_t, int(t1))
    # ---- duplicates: (object, content) in the window, or earlier in the batch (first copy wins)
    window = tables["window"]
    fresh = rows.join(window.select("object_id", "content_id"), ["object_id", "content_id"], "left_anti")
    first = fresh.groupBy("object_id", "content_id").agg(F.min("seq").alias("seq"))
    applied = keep(fresh.join(first, ["object_id", "content_id", "seq"], "left_semi")
                   .withColumn("loop", F.col("object_id") == F.col("content_id")))
    # ---- accounts: first arrival, n; contents: account, rows
    old_acc = tables["accounts"]
    new_acc = applied.groupBy("account_id").agg(F.min("seq").alias("_first"), F.count(F.lit(1)).alias("_dn"))
    old_cont = tables["contents"]
    new_cont = applied.groupBy("content_id").agg(F.max("account_id").alias("_acc"), F.count(F.lit(1)).alias("_dr"))
    contents = old_cont.join(new_cont, "content_id", "full").select(
        "content_id", F.coalesce("account_id", "_acc").alias("account_id"),
        (F.coalesce("rows", F.lit(0)) + F.coalesce("_dr", F.lit(0))).alias("rows"),
        F.coalesce("in_c", F.lit(False)).alias("in_c"), F.coalesce("in_cf", F.lit(False)).alias("in_cf"))
    # new rows of contents already in C (C_fast) count at once in m (mf)
    dm = applied.join(old_cont.where("in_c").select("content_id"), "content_id", "left_semi") \
        .groupBy("account_id").agg(F.count(F.lit(1)).alias("_dm"))
    dmf = applied.join(old_cont.where("in_cf").select("content_id"), "content_id", "left_semi") \
        .groupBy("account_id").agg(F.count(F.lit(1)).alias("_dmf"))
    accounts = keep(old_acc.join(new_acc, "account_id", "full").join(dm, "account_id", "left")
                    .join(dmf, "account_id", "left").select(
            "account_id", F.coalesce("first", "_first").alias("first"),
            (F.coalesce("n", F.lit(0)) + F.coalesce("_dn", F.lit(0))).alias("n"),
            (F.coalesce("m", F.lit(0)) + F.coalesce("_dm", F.lit(0))).alias("m"),
            (F.coalesce("mf", F.lit(0)) + F.coalesce("_dmf", F.lit(0))).alias("mf")))
    # ---- pairs of the new shares with the window and with each other
    new = applied.join(accounts.select("account_id", "first"), "account_id")
    cols = ["object_id", "account_id", "content_id", "timestamp_share", "seq", "first", "loop"]
    width = tw + 1
    everyone = window.select(*cols, F.lit(False).alias("is_new")).unionByName(
        new.select(*cols, F.lit(True).alias("is_new")))
    # a pair at most tw seconds apart lies in the same bucket of tw + 1 seconds or a neighbour
    right = everyone.select(*[F.col(c).alias(c + "_x") for c in [*cols, "is_new"]],
                            F.floor(F.col("timestamp_share") / width).alias("_bx"))
    left = new.select(*[F.col(c).alias(c + "_n") for c in cols],
                      F.explode(F.array(*[F.floor(F.col("timestamp_share") / width) + k for k in (-1, 0, 1)]))
                      .alias("_bn"))
    joined = left.join(right, (F.col("object_id_n") == F.col("object_id_x")) & (F.col("_bn") == F.col("_bx")))
    # each pair once: new-old from the new side, new-new from the earlier arrival's side
    tn, tx = F.col("timestamp_share_n"), F.col("timestamp_share_x")
    joined = joined.where((F.abs(tn - tx) <= tw) & (F.col("seq_n") != F.col("seq_x"))
                          & (~F.col("is_new_x") | (F.col("seq_x") > F.col("seq_n"))))
    n_older = (tn < tx) | ((tn == tx) & ((F.col("first_n") < F.col("first_x"))
                                         | ((F.col("first_n") == F.col("first_x")) & (F.col("seq_n") < F.col("seq_x")))))
    if p.remove_loops:
        joined = joined.where(~F.col("loop_n") & ~F.col("loop_x") & (F.col("content_id_n") != F.col("content_id_x"))
                              & (F.col("account_id_n") != F.col("account_id_x")))

    def side(older: bool, c: str):
        return F.when(n_older if older else ~n_older, F.col(c + "_n")).otherwise(F.col(c + "_x"))

    new_pairs = joined.select(
        F.col("object_id_n").alias("object_id"), side(True, "content_id").alias("content_id"),
        side(False, "content_id").alias("content_id_y"), F.abs(tn - tx).cast("long").alias("time_delta"),
        side(True, "account_id").alias("account_id"), side(False, "account_id").alias("account_id_y"),
        F.lit(False).alias("pre"), F.lit(True).alias("_fresh"))
    # ---- the pre-filter: pairs of two accounts with n >= mp join C with their contents
    elig = accounts.select("account_id", _ok(F.col("n"), mp).alias("_e"))
    pend = tables["pending"].withColumn("_fresh", F.lit(False)).unionByName(new_pairs) \
        .join(elig.select(F.col("account_id"), F.col("_e").alias("_el")), "account_id") \
        .join(elig.select(F.col("account_id").alias("account_id_y"), F.col("_e").alias("_er")), "account_id_y")
    pend = keep(pend.withColumn("_become", ~F.col("pre") & F.col("_el") & F.col("_er"))
                .withColumn("pre", F.col("pre") | F.col("_become")).drop("_el", "_er"))
    become = pend.where("_become")
    join_c = become.select("content_id").unionByName(become.select(F.col("content_id_y").alias("content_id"))) \
        .distinct()
    contents, accounts_m = _join(contents, accounts, join_c, "in_c", "m", keep)
    # ---- the OR rule: a pre-filtered pair is kept when either account has m >= mp
    m_ok = accounts_m.select("account_id", _ok(F.col("m"), mp).alias("_m"))
    pend = keep(pend.join(m_ok.select("account_id", F.col("_m").alias("_ml")), "account_id")
                .join(m_ok.select(F.col("account_id").alias("account_id_y"), F.col("_m").alias("_mr")), "account_id_y")
                .withColumn("_kept", F.col("pre") & (F.col("_ml") | F.col("_mr"))))
    pending = pend.where(~F.col("_kept")).select(*_names("pending"))  # _fresh dropped
    kept_new = pend.where("_kept").select(*RESULT_COLUMNS, F.lit(False).alias("fast"), F.lit(True).alias("_new"))
    kept = tables["kept"].withColumn("_new", F.lit(False)).unionByName(kept_new)
    # ---- the fast window (flag_speed_share): narrow kept rows put their contents in C_fast; a
    # narrow row is flagged when either account has mf >= mp
    if p.fast_window is not None:
        fw = p.fast_window
        narrow = kept_new.where(F.col("time_delta") <= fw)
        join_cf = narrow.select("content_id").unionByName(narrow.select(F.col("content_id_y").alias("content_id"))) \
            .distinct()
        contents, accounts_m = _join(contents, accounts_m, join_cf, "in_cf", "mf", keep)
        mf_ok = accounts_m.select("account_id", _ok(F.col("mf"), mp).alias("_f"))
        kept = kept.join(mf_ok.select("account_id", F.col("_f").alias("_fl")), "account_id") \
            .join(mf_ok.select(F.col("account_id").alias("account_id_y"), F.col("_f").alias("_fr")), "account_id_y")
        flag = ~F.col("fast") & (F.col("time_delta") <= fw) & (F.col("_fl") | F.col("_fr"))
        kept = kept.withColumn("_changed", F.col("_new") | flag).withColumn("fast", F.col("fast") | flag)
    else:
        kept = kept.withColumn("_changed", F.col("_new"))
    kept = keep(kept)
    # ---- eviction: shares that can pair with no share still accepted leave the window, and
    # contents neither in the window nor on a pending pair leave the contents table
    horizon = None if out.max_t is None else out.max_t - p.late_bound - tw
    window = window.unionByName(new.select(*_names("window")))
    if horizon is not None:
        window = window.where(F.col("timestamp_share") >= F.lit(horizon))
    window = keep(window)
    alive = window.select("content_id").unionByName(pending.select("content_id")).unionByName(
        pending.select(F.col("content_id_y").alias("content_id"))).distinct()
    contents = contents.join(alive, "content_id", "left_semi")
    report = {"rows": n_valid, "too_late": len(late), "rejected": len(rejects), "files": n_files,
              "min_time": None if t0 is None else int(t0), "max_time": None if t1 is None else int(t1)}
    new_tables = {"window": window, "pending": pending, "kept": kept.select(*_names("kept")),
                  "accounts": accounts_m.select(*_names("accounts")), "contents": contents.select(*_names("contents"))}
    counting = {"applied": applied, "pending": pend, "kept": kept, "window": window,
                "fast": p.fast_window is not None}
    return SparkBatch(new_tables, out, report, late, rejects, counting, cached)


def _names(table: str) -> list[str]:
    """The column names of a state table, in schema order."""
    return [part.strip().split(" ")[0] for part in SCHEMAS[table].split(",")]


def _join(contents, accounts, joining, flag: str, count: str, keep):
    """Put the contents of ``joining`` into C (``flag`` in_c) or C_fast (in_cf): each content
    not yet a member adds its rows to its account's m (``count`` m) or mf."""
    from pyspark.sql import functions as F

    marked = keep(contents.join(joining.withColumn("_j", F.lit(True)), "content_id", "left")
                  .withColumn("_add", F.coalesce(F.col("_j"), F.lit(False)) & ~F.col(flag)))
    added = marked.where("_add").groupBy("account_id").agg(F.sum("rows").alias("_d"))
    contents = marked.withColumn(flag, F.col(flag) | F.col("_add")).drop("_j", "_add")
    accounts = keep(accounts.join(added, "account_id", "left")
                    .withColumn(count, F.col(count) + F.coalesce(F.col("_d"), F.lit(0))).drop("_d"))
    return contents, accounts


def result_df(kept, fast_window: int | None):
    """The co-share rows of a kept table: CooRTweet's columns and ``time_window_<S>`` (0/1)."""
    from pyspark.sql import functions as F

    cols = [F.col(c) for c in RESULT_COLUMNS]
    if fast_window is not None:
        cols.append(F.col("fast").cast("long").alias(fast_flag_column(fast_window)))
    return kept.select(*cols)
