"""The Spark engine: detect_groups, flag_speed_share and the coordinated network in PySpark,
for share sets beyond one machine (``local[*]`` in tests, any cluster by master URL).

Why Spark: research groups that hold hundreds of millions of shares often already run it.
The method is the one of spec/coordination.md, with identical results to the python engine
(checked by tests/engines on the CooRTweet fixtures and a simulated campaign):

- **Processing order** = (first input row of the account, input row); the input row is
  ``monotonically_increasing_id`` taken right after reading, which increases in file order.
- **Window pairs without the quadratic join**: shares are put in time buckets of
  ``time_window + 1`` seconds; a pair (older, newer) at most ``time_window`` apart lies in
  the same or the next bucket, so the right side is exploded into its bucket and the one
  before and joined on (object, bucket). Each pair meets exactly once; a hub object costs
  (shares per bucket)^2, not (shares per object)^2.
- **Older/newer** by (time, processing order), as the spec's tie rule says.
- **The OR post-filter** with semi joins; thresholds from the collected weight histogram
  (exact R type-7 quantile, as the other engines).

Pandas in/out (``detect_groups`` etc.) for parity and notebooks; Spark DataFrames in/out
(``detect_groups_df`` ...) and Parquet paths (:func:`detect_network_parquet`) for big runs.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from coordgraph.engines._kernel import type7_quantile_from_histogram

from coordgraph.contracts import RESULT_COLUMNS  # noqa: E402
EDGE_ATTRIBUTES = ("weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score",
                   "weight_threshold")

_SESSION = None


def get_spark(master: str | None = None, shuffle_partitions: int | None = None, app_name: str = "coordgraph"):
    """The engine's SparkSession (created once): ``master`` defaults to $SPARK_MASTER or
    ``local[*]``; quiet logs, Arrow transfers, no web UI."""
    global _SESSION
    from pyspark.sql import SparkSession

    if _SESSION is not None and _SESSION._jsc is not None and not _SESSION._jsc.sc().isStopped():
        return _SESSION
    master = master or os.environ.get("SPARK_MASTER", "local[*]")
    builder = (
        SparkSession.builder.master(master).appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions or 8))
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.sql.session.timeZone", "UTC")
    )
    _SESSION = builder.getOrCreate()
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


# --- Spark DataFrames in / out ---------------------------------------------------------------

def with_row_numbers(shares):
    """Add ``row``: the input order (``monotonically_increasing_id`` increases in file and
    partition order). Call right after reading, before any shuffle."""
    from pyspark.sql import functions as F

    return shares.withColumn("row", F.monotonically_increasing_id())


def with_first_rows(shares):
    """Add ``first_row``: the account's first input row. (first_row, row) is CooRTweet's
    processing order."""
    from pyspark.sql import functions as F

    first = shares.groupBy("account_id").agg(F.min("row").alias("first_row"))
    return shares.join(first, "account_id")


def with_processing_order(shares):
    """Both of the above."""
    return with_first_rows(with_row_numbers(shares))


def cap_objects_df(shares, max_object_shares: int | None):
    """(shares without objects shared more than ``max_object_shares`` times, dropped objects
    as object_id/n_shares). No cap when None or 0."""
    from pyspark.sql import functions as F

    if not max_object_shares:
        return shares, None
    sizes = shares.groupBy("object_id").agg(F.count(F.lit(1)).alias("n_shares"))
    dropped = sizes.where(F.col("n_shares") > int(max_object_shares))
    return shares.join(dropped.select("object_id"), "object_id", "left_anti"), dropped


def prefilter_df(shares, min_participation: int):
    """Keep rows of accounts with at least ``min_participation`` rows (all kept when <= 1)."""
    from pyspark.sql import functions as F

    if min_participation <= 1:
        return shares
    counts = shares.groupBy("account_id").agg(F.count(F.lit(1)).alias("_n"))
    good = counts.where(F.col("_n") >= min_participation).select("account_id")
    return shares.join(good, "account_id", "left_semi")


def window_pairs_df(rows, time_window: int, remove_loops: bool = True):
    """Every (older, newer) pair of rows of one object at most ``time_window`` seconds apart.

    ``rows`` has object_id, account_id, content_id, timestamp_share, row, first_row.
    Output: object_id, content_id, content_id_y, time_delta, account_id, account_id_y.
    """
    from pyspark.sql import functions as F

    width = int(time_window) + 1
    cols = ["object_id", "account_id", "content_id", "timestamp_share", "first_row", "row"]
    base = rows.select(*cols).withColumn("bucket", F.floor(F.col("timestamp_share") / width))
    left = base.select(*[F.col(c).alias(c + "_l") for c in cols], F.col("bucket").alias("bucket"))
    right = base.select(
        *[F.col(c).alias(c + "_r") for c in cols],
        F.explode(F.array(F.col("bucket"), F.col("bucket") - 1)).alias("bucket"),
    )
    joined = left.join(right, (left.object_id_l == right.object_id_r) & (left.bucket == right.bucket))
    tl, tr = F.col("timestamp_share_l"), F.col("timestamp_share_r")
    older_first = (tl < tr) | (
        (tl == tr)
        & ((F.col("first_row_l") < F.col("first_row_r"))
           | ((F.col("first_row_l") == F.col("first_row_r")) & (F.col("row_l") < F.col("row_r"))))
    )
    pairs = joined.where(older_first & ((tr - tl) <= int(time_window)))
    if remove_loops:
        pairs = pairs.where(
            (F.col("object_id_l") != F.col("content_id_l"))
            & (F.col("object_id_l") != F.col("content_id_r"))
            & (F.col("content_id_l") != F.col("content_id_r"))
            & (F.col("account_id_l") != F.col("account_id_r"))
        )
    return pairs.select(
        F.col("object_id_l").alias("object_id"),
        F.col("content_id_l").alias("content_id"),
        F.col("content_id_r").alias("content_id_y"),
        (tr - tl).cast("long").alias("time_delta"),
        F.col("account_id_l").alias("account_id"),
        F.col("account_id_r").alias("account_id_y"),
    )


def or_rule_contents_df(rows, pairs, min_participation: int):
    """The OR post-filter's P: content ids of the rows of accounts that have at least
    ``min_participation`` rows whose content is on either side of a pair (C)."""
    from pyspark.sql import functions as F

    in_c = pairs.select(F.col("content_id")).union(pairs.select(F.col("content_id_y").alias("content_id"))).distinct()
    m = rows.join(in_c, "content_id", "left_semi").groupBy("account_id").agg(F.count(F.lit(1)).alias("_m"))
    good = m.where(F.col("_m") >= min_participation).select("account_id")
    return rows.join(good, "account_id", "left_semi").select("content_id").distinct()


def keep_by_contents(pairs, p_contents):
    """Pairs whose content_id or content_id_y is in ``p_contents`` (one column content_id)."""
    from pyspark.sql import functions as F

    p = p_contents.select(F.col("content_id").alias("_p"), F.lit(True).alias("_in"))
    out = pairs.join(p.select(F.col("_p").alias("content_id"), F.col("_in").alias("_in_l")), "content_id", "left")
    out = out.join(p.select(F.col("_p").alias("content_id_y"), F.col("_in").alias("_in_r")), "content_id_y", "left")
    return out.where(F.coalesce(F.col("_in_l"), F.lit(False)) | F.coalesce(F.col("_in_r"), F.lit(False))).select(
        *RESULT_COLUMNS
    )


def detect_groups_df(shares, time_window: int = 10, min_participation: int = 2, remove_loops: bool = True,
                     ordered: bool = False):
    """detect_groups on a Spark DataFrame of shares (in input order; ``ordered`` when it
    already has the ``row``/``first_row`` columns). Returns a Spark DataFrame."""
    if time_window < 0 or min_participation < 0:
        raise ValueError(f"time_window and min_participation must be >= 0, got {time_window}, {min_participation}")
    if not ordered:
        shares = with_processing_order(shares)
    elif "first_row" not in shares.columns:
        shares = with_first_rows(shares)
    rows = prefilter_df(shares, min_participation)
    pairs = window_pairs_df(rows, time_window, remove_loops)
    if min_participation >= 2:
        pairs = pairs.cache()
        pairs = keep_by_contents(pairs, or_rule_contents_df(rows, pairs, min_participation))
    return pairs


def flag_speed_share_df(shares, result, min_participation: int, time_window: int):
    """Add ``time_window_<N>``: 1 for result rows with time_delta <= N whose
    (content_id, content_id_y) survives the OR post-filter redone with the input shares."""
    from pyspark.sql import functions as F

    column = f"time_window_{time_window}"
    rows = prefilter_df(shares, min_participation)
    narrow = result.where(F.col("time_delta") <= int(time_window))
    survived = keep_by_contents(narrow, or_rule_contents_df(rows, narrow, min_participation)) \
        if min_participation >= 2 else narrow
    flags = survived.select("content_id", "content_id_y").distinct().withColumn("_f", F.lit(1))
    out = result.join(flags, ["content_id", "content_id_y"], "left")
    return out.withColumn(column, F.coalesce(F.col("_f"), F.lit(0)).cast("long")).drop("_f")


def edges_df(result, objects: bool = False, compat: bool = False, oriented: bool = False):
    """Aggregate result rows into undirected edges (account_id < account_id_y in code-point
    order): weight, avg_time_delta (seconds), n_content_id, n_content_id_y,
    edge_symmetry_score[, object_ids]. No threshold yet.

    ``oriented``: the rows already hold CooRTweet's (pmin, pmax) pair
    (:func:`coordgraph.analysis.compat.coortweet_rows`) and a ``_row`` column with their
    order: edges are keyed by that pair as is, and object_ids list each object once in the
    order of its first row (R's ``paste(unique(object_id))``)."""
    from pyspark.sql import functions as F

    if oriented:
        r = result.withColumn("lo", F.col("account_id")).withColumn("hi", F.col("account_id_y"))
    else:
        r = result.withColumn("lo", F.least("account_id", "account_id_y")).withColumn(
            "hi", F.greatest("account_id", "account_id_y"))
    aggs = [F.count(F.lit(1)).cast("long").alias("weight"), F.avg(F.col("time_delta").cast("double")).alias("avg_time_delta")]
    if oriented:
        aggs.append(F.min("_row").alias("_first"))  # the pair's first row: CooRTweet's group order
    if compat:
        aggs += [F.countDistinct("content_id").cast("long").alias("n_content_id"),
                 F.countDistinct("content_id_y").cast("long").alias("n_content_id_y")]
    if objects and not oriented:
        aggs.append(F.array_join(F.array_sort(F.collect_set("object_id")), ",").alias("object_ids"))
    edges = r.groupBy("lo", "hi").agg(*aggs)
    if objects and oriented:
        first = r.groupBy("lo", "hi", "object_id").agg(F.min("_row").alias("_row"))
        listed = first.groupBy("lo", "hi").agg(F.array_sort(F.collect_list(F.struct("_row", "object_id"))).alias("_o"))
        listed = listed.select("lo", "hi", F.array_join(F.transform("_o", lambda o: o["object_id"]), ",")
                               .alias("object_ids"))
        edges = edges.join(listed, ["lo", "hi"])
    if not compat:
        sides = r.select("lo", "hi", F.col("account_id").alias("a"), F.col("content_id").alias("c")).union(
            r.select("lo", "hi", F.col("account_id_y").alias("a"), F.col("content_id_y").alias("c"))).distinct()
        counts = sides.groupBy("lo", "hi").agg(
            F.sum(F.when(F.col("a") == F.col("lo"), 1).otherwise(0)).cast("long").alias("n_content_id"),
            F.sum(F.when(F.col("a") == F.col("hi"), 1).otherwise(0)).cast("long").alias("n_content_id_y"),
        )
        edges = edges.join(counts, ["lo", "hi"])
    edges = edges.withColumn(
        "edge_symmetry_score",
        F.least("n_content_id", "n_content_id_y").cast("double") / F.greatest("n_content_id", "n_content_id_y"),
    )
    cols = ["weight", "avg_time_delta", "n_content_id", "n_content_id_y", "edge_symmetry_score"]
    return edges.select(F.col("lo").alias("account_id"), F.col("hi").alias("account_id_y"), *cols,
                        *(["object_ids"] if objects else []), *(["_first"] if oriented else []))


def threshold_of(edges, edge_weight: float) -> float | None:
    """The ``edge_weight`` quantile (R type 7) of the edge weights, from their histogram."""
    if not 0 <= edge_weight <= 1:
        raise ValueError(f"edge_weight is a percentile in [0, 1], got {edge_weight}")
    hist = edges.groupBy("weight").count().toPandas()
    if hist.empty:
        return None
    counts = np.zeros(int(hist["weight"].max()) + 1, dtype=np.int64)
    counts[hist["weight"].to_numpy(dtype=np.int64)] = hist["count"].to_numpy(dtype=np.int64)
    return float(type7_quantile_from_histogram(counts, edge_weight))


def with_threshold(edges, threshold: float | None):
    """Add ``weight_threshold`` = 1 when weight > threshold (strictly)."""
    from pyspark.sql import functions as F

    t = float("inf") if threshold is None else float(threshold)
    return edges.withColumn("weight_threshold", (F.col("weight") > F.lit(t)).cast("long"))


def vertices_df(edges, weight_column: str = "weight"):
    """Accounts on the edges with degree and strength (sum of ``weight_column``)."""
    from pyspark.sql import functions as F

    ends = edges.select(F.col("account_id"), F.col(weight_column).alias("w")).union(
        edges.select(F.col("account_id_y").alias("account_id"), F.col(weight_column).alias("w")))
    return ends.groupBy("account_id").agg(F.count(F.lit(1)).cast("long").alias("degree"),
                                          F.sum("w").cast("long").alias("strength"))


def network_df(result, edge_weight: float, flag: str | None = None, compat: bool = False):
    """The coordinated network of co-share rows in Spark: (edges, vertices, threshold,
    threshold_fast). Edges carry the contract's attributes with ``weight_threshold`` from
    the ``edge_weight`` quantile (R type 7) of the weights; with ``flag`` (a
    ``time_window_<S>`` column of 0/1) also ``<name>_fast`` from the flagged rows, the fast
    threshold over the fast edges only, missing on edges without a fast row (CooRTweet's
    fast_net). Vertices: degree and strength of the full edges. Used by the batch engine and
    by the live Spark engine (coordgraph.live.spark_stream) alike."""
    from pyspark.sql import functions as F

    edges = edges_df(result, False, compat).persist()
    threshold = threshold_of(edges, edge_weight)
    edges = with_threshold(edges, threshold)
    vertices = vertices_df(edges)
    threshold_fast = None
    if flag is not None:
        fast = edges_df(result.where(F.col(flag) == 1), False, compat).persist()
        threshold_fast = threshold_of(fast, edge_weight)
        fast = with_threshold(fast, threshold_fast)
        fast = fast.select("account_id", "account_id_y",
                           *(F.col(c).alias(f"{c}_fast") for c in EDGE_ATTRIBUTES))
        edges = edges.join(fast, ["account_id", "account_id_y"], "left")
    return edges, vertices, threshold, threshold_fast


# --- pandas in / out (the engine signature shared with the other engines) --------------------

def _to_spark(frame: pd.DataFrame, columns):
    spark = get_spark()
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"table lacks column(s) {', '.join(missing)}")
    pdf = frame.loc[:, list(columns)].copy()
    for c in pdf.columns:
        if c in ("timestamp_share", "time_delta", "_row") or c.startswith("time_window_"):
            pdf[c] = pdf[c].to_numpy(dtype=np.int64)
        else:
            pdf[c] = pdf[c].astype(str).to_numpy(dtype=object)
    return spark.createDataFrame(pdf)


def _to_pandas(df) -> pd.DataFrame:
    out = df.toPandas()
    for c in out.columns:
        if out[c].dtype == object and out[c].notna().all():
            out[c] = out[c].astype("str")  # the python engine's dtype for ids
    return out


from coordgraph.contracts import SHARE_COLUMNS as SHARE_FIELDS  # noqa: E402


def detect_groups(shares: pd.DataFrame, time_window: int = 10, min_participation: int = 2,
                  remove_loops: bool = True) -> pd.DataFrame:
    """detect_groups in Spark, pandas in and out (row order carries no meaning)."""
    sdf = _to_spark(shares, SHARE_FIELDS)
    return _to_pandas(detect_groups_df(sdf, time_window, min_participation, remove_loops))


def flag_speed_share(shares: pd.DataFrame, result: pd.DataFrame, min_participation: int,
                     time_window: int, *, sort_like_coortweet: bool = False) -> pd.DataFrame:
    """flag_speed_share in Spark, pandas in and out. ``sort_like_coortweet``: the flags put on
    a copy of ``result`` (a flag depends on the content pair only), in CooRTweet's order
    (:func:`coordgraph.analysis.compat.coortweet_row_order`), as the python engine gives it."""
    sdf = _to_spark(shares, SHARE_FIELDS)
    rdf = _to_spark(result, RESULT_COLUMNS)
    flagged = _to_pandas(flag_speed_share_df(sdf, rdf, min_participation, time_window))
    if not sort_like_coortweet:
        return flagged
    from coordgraph.analysis.compat import coortweet_row_order

    column = f"time_window_{time_window}"
    on = flagged.loc[flagged[column].to_numpy() == 1, ["content_id", "content_id_y"]].astype(str)
    keys = pd.MultiIndex.from_frame(on)
    out = result.copy()
    pairs = pd.MultiIndex.from_frame(result[["content_id", "content_id_y"]].astype(str))
    out[column] = pairs.isin(keys).astype(np.int64)
    return coortweet_row_order(out)


def coordinated_network(result: pd.DataFrame, fast_net: bool = False, edge_weight: float = 0.5, subgraph: int = 0,
                        objects: bool = False, compat: bool = False, collation: str = "icu"):
    """The coordinated network with edges aggregated in Spark; returns the python engine's
    :class:`~coordgraph.analysis.CoordinatedNetwork` (same columns and meaning; ``compat``:
    CooRTweet's rows, orientation and row order, see :mod:`coordgraph.analysis.compat`)."""
    from coordgraph.analysis.network import CoordinatedNetwork
    from coordgraph.analysis.network import check_subgraph, merge_fast, select_subgraph, vertices_of

    check_subgraph(subgraph, fast_net)
    params = dict(fast_net=fast_net, edge_weight=edge_weight, subgraph=subgraph, objects=objects, compat=compat)
    flag_cols = [c for c in result.columns if c.startswith("time_window_")]
    cols = list(RESULT_COLUMNS) + (flag_cols if fast_net else [])
    layout = None
    if compat:
        from coordgraph.analysis.compat import coortweet_rows, igraph_layout

        params["collation"] = collation
        result = coortweet_rows(result, collation)
        result = result.assign(_row=np.arange(len(result), dtype=np.int64))
        cols.append("_row")

        def layout(edges, union):
            return igraph_layout(edges, union)
    rdf = _to_spark(result, cols).cache()
    full = edges_df(rdf, objects, compat, oriented=compat).cache()
    threshold = threshold_of(full, edge_weight)
    full_pd = _to_pandas(with_threshold(full, threshold))
    if compat:  # CooRTweet's aggregated table: pairs in order of their first row
        full_pd = full_pd.sort_values("_first", kind="stable").drop(columns="_first").reset_index(drop=True)
    if not fast_net:
        edges = select_subgraph(layout(full_pd, False) if compat else full_pd, subgraph)
        return CoordinatedNetwork(edges, vertices_of(edges, "weight"), threshold, None, params)
    if len(flag_cols) != 1:
        raise ValueError("fast_net needs exactly one time_window_<N> column from flag_speed_share(); "
                         f"found {flag_cols or 'none'}")
    from pyspark.sql import functions as F

    fast = edges_df(rdf.where(F.col(flag_cols[0]) == 1), objects, compat, oriented=compat).cache()
    threshold_fast = threshold_of(fast, edge_weight)
    fast_pd = _to_pandas(with_threshold(fast, threshold_fast))
    if compat:
        fast_pd = fast_pd.drop(columns="_first")
    edges = merge_fast(full_pd, fast_pd)
    if compat:
        edges = layout(edges, True)
    edges, vertices = select_subgraph(edges, subgraph, with_vertices=True)
    return CoordinatedNetwork(edges, vertices, threshold, threshold_fast, params)


# --- Parquet paths (big runs) ----------------------------------------------------------------

def detect_network_parquet(in_path: str | Path, out_dir: str | Path, time_window: int = 10, min_participation: int = 2,
                           remove_loops: bool = True, edge_weight: float = 0.5, compat: bool = False,
                           write_result: bool = True, master: str | None = None,
                           max_object_shares: int | None = None, fast_window: int | None = None) -> dict:
    """Read shares from Parquet (file or directory, local or any Hadoop URI), run detection and
    the network in Spark, write ``result.parquet``, ``edges.parquet``, ``vertices.parquet``
    (Parquet directories, read as one table by pyarrow and pandas: the out-of-core engine's
    layout) and ``summary.json`` under ``out_dir``. Returns the summary (counts, threshold,
    seconds).

    ``fast_window`` (seconds): flag_speed_share in Spark and the fast attributes
    (``<name>_fast``, missing where an edge has no fast co-share; threshold over the fast
    edges) joined onto the edges, and ``time_window_<S>`` on the result rows."""
    from pyspark.sql import functions as F

    spark = get_spark(master)
    out = str(out_dir)
    t0 = time.perf_counter()
    shares = spark.read.parquet(str(in_path))
    missing = [c for c in SHARE_FIELDS if c not in shares.columns]
    if missing:
        raise ValueError(f"{in_path}: no column(s) {', '.join(missing)} (found {', '.join(shares.columns)})")
    shares = with_row_numbers(shares.select(*SHARE_FIELDS)).persist()
    n_shares = shares.count()
    shares, dropped = cap_objects_df(shares, max_object_shares)
    hubs = []
    if dropped is not None:
        hubs = [dict(r.asDict(), n_pairs=None, dropped=True)
                for r in dropped.orderBy(F.desc("n_shares")).limit(100).collect()]
        if hubs:
            import warnings

            from coordgraph.analysis.hubs import HubCapWarning

            names = ", ".join(f"{h['object_id']} ({h['n_shares']} shares)" for h in hubs[:3])
            warnings.warn(f"--max-object-shares {max_object_shares}: dropped {len(hubs)} hub object(s), "
                          f"largest: {names}. Their co-shares are not in the result; they are reported as "
                          f"trend hubs.", HubCapWarning, stacklevel=2)
    result = detect_groups_df(shares, time_window, min_participation, remove_loops, ordered=True)
    threshold_fast = None
    flag = f"time_window_{int(fast_window)}" if fast_window is not None else None
    if fast_window is not None:
        result = flag_speed_share_df(shares, result, min_participation, fast_window)
    result = result.select(*RESULT_COLUMNS, *([flag] if flag else [])).persist()
    if write_result:
        result.write.mode("overwrite").parquet(f"{out}/result.parquet")
    n_result = result.count()
    edges, vertices, threshold, threshold_fast = network_df(result, edge_weight, flag, compat)
    edges.write.mode("overwrite").parquet(f"{out}/edges.parquet")
    vertices.write.mode("overwrite").parquet(f"{out}/vertices.parquet")
    stats = edges.agg(F.count(F.lit(1)).alias("n"), F.sum("weight_threshold").alias("above")).collect()[0]
    summary = {
        "engine": "spark", "master": spark.sparkContext.master, "shares": int(n_shares),
        "result_rows": int(n_result), "trend_hubs": hubs,
        "dropped_hub_objects": int(dropped.count()) if dropped is not None else 0,
        "edges": int(stats["n"]), "edges_above_threshold": int(stats["above"] or 0), "threshold": threshold,
        "threshold_fast": threshold_fast,
        "params": dict(time_window=time_window, min_participation=min_participation, remove_loops=remove_loops,
                       edge_weight=edge_weight, compat=compat, fast_window=fast_window),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    result.unpersist()
    shares.unpersist()
    if "://" not in out:  # a local directory: the summary goes next to the tables
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary
