"""Graph store commands: ``db start|stop|status``, ``ingest``, ``analyze``, ``communities``,
``cypher`` and ``runs``.

Every command takes ``--store URI`` (or $COORDGRAPH_STORE): ``bolt://``/``neo4j://`` for Neo4j
(credentials from NEO4J_USER / NEO4J_PASSWORD), ``falkordb://host:port`` for a FalkorDB
server, nothing for the embedded FalkorDB (started on demand, data in $COORDGRAPH_HOME or
./.coordgraph). Store problems are one line on stderr and exit code 2.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from coordgraph._lazy import lazy_module
from coordgraph.cli._app import STORE_OPTION, app, store_session, console, fail
from coordgraph.cypher.errors import StoreError
from coordgraph.cypher.limits import HAND_TYPED_TIMEOUT_S

pd = lazy_module("pandas")  # imported by the commands that use it, not by --help

db_app = typer.Typer(help="Start, stop or check the embedded graph database (FalkorDB).", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console()




# ------------------------------------------------------------------------------ db
@db_app.command("start")
def db_start(port: Optional[int] = typer.Option(None, help="TCP port on 127.0.0.1 (default: a free one)")) -> None:
    """Start the embedded FalkorDB (persistent, 127.0.0.1 only); prints where it runs."""
    from coordgraph.cypher import server

    try:
        already = server.status()
        info = server.start(port=port)
    except StoreError as exc:
        fail(str(exc))
    word = "already running" if already else "started"
    out.print(f"embedded store {word}: {info.url} (pid {info.pid}, data {info.data_dir})")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded FalkorDB - every server on this workspace's data files (data saved first)."""
    from coordgraph.cypher import server

    found = server.inspect()
    if not server.stop():
        out.print("embedded store was not running")
        return
    more = f" ({len(found.pids)} servers on the same data files)" if len(found.pids) > 1 else ""
    out.print(f"embedded store stopped{more}")


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded FalkorDB runs and is healthy (exit 0), is not running (exit 1) or
    runs but cannot be used - failing, silent or duplicated (exit 2, with what to do)."""
    from coordgraph.cypher import server

    found = server.inspect()
    if found.state == "stopped":
        out.print(found.message)
        raise typer.Exit(1)
    if found.state in ("running", "loading"):
        out.print(found.message)
        return
    fail(found.message)


# ------------------------------------------------------------------------------ ingest
def _read_table(path: Path) -> pd.DataFrame:
    """A share table read and checked as ``detect`` reads it (ids byte-exact strings, float
    ids and empty files refused with a message naming file, line and column)."""
    from coordgraph.analysis.shares import ShareError, read_shares
    from coordgraph.loader import LoaderError

    try:
        return read_shares(path)
    except ShareError as exc:
        raise LoaderError(str(exc)) from None


def _unprefixed(table: pd.DataFrame, intents: list[str]) -> pd.DataFrame:
    """A multi-intent share table writes object ids ``<kind>:<id>``; the store keys objects by
    (id, kind), so the prefix is taken off (coordgraph.contracts.kind_prefixed undone)."""
    if len(intents) < 2 or not len(table):
        return table
    from coordgraph.contracts import KIND_PREFIX_SEP

    prefix_len = table["kind"].astype(str).str.len() + len(KIND_PREFIX_SEP)
    ids = [o[n:] for o, n in zip(table["object_id"].tolist(), prefix_len.tolist())]
    return table.assign(object_id=ids)


@app.command("ingest")
def ingest_cmd(
    inputs: List[Path] = typer.Argument(..., help="platform files or directories (any format the loader reads; "
                                                  "gzip is read transparently) or, with --shares-table, share "
                                                  "tables (CSV/Parquet)"),
    intent: List[str] = typer.Option([], "--intent", "-i", help="intent(s) to store as SHARED (repeat; default "
                                     "retweets, or objects with --map object_id=...)"),
    column_map: Optional[str] = typer.Option(None, "--map", help="Column mapping for CSV/Parquet/JSON lines, "
                                             "e.g. object_id=url,account_id=author,timestamp_share=time."),
    fmt: str = typer.Option("auto", "--format", help="Input format (as coordgraph shares --format)."),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first bad record (exit 2)."),
    compat: bool = typer.Option(False, "--compat", help="CooRTweet 2.1.3's URL, domain and text rules exactly."),
    lowercase_hashtags: bool = typer.Option(False, "--lowercase-hashtags", help="Fold hashtags to lower case."),
    keep_retweets: bool = typer.Option(False, "--keep-retweets", help="cotweet/mentions: keep retweets."),
    keep_replies: bool = typer.Option(False, "--keep-replies", help="cotweet/mentions: keep replies."),
    drop_hashtags: bool = typer.Option(False, "--drop-hashtags", help="cotweet: remove hashtags from the text."),
    platform: Optional[str] = typer.Option(None, "--platform", help="Platform name for tables (default: unknown)."),
    batch_size: int = typer.Option(50_000, "--batch-size", min=1, help="Posts per batch while reading."),
    rejects: Optional[Path] = typer.Option(None, "--rejects", help="Rejects file (JSON lines; default "
                                           "<COORDGRAPH_HOME>/rejects/<load id>.rejects.jsonl)."),
    shares_table: bool = typer.Option(False, "--shares-table", help="inputs are share tables, not posts"),
    batch_rows: int = typer.Option(10_000, "--batch-rows", min=1, help="rows per write transaction"),
    mode: str = typer.Option("auto", "--mode", help="auto (GRAPH.BULK when the FalkorDB graph is empty, else "
                                                    "MERGE), merge, or bulk"),
    post_details: str = typer.Option("auto", "--post-details",
                                     help="where post text, counts and entities go: graph, beside (Parquet "
                                          "beside the store, read by the web app) or auto (beside on the "
                                          "embedded FalkorDB, which holds the graph in memory; graph on Neo4j)"),
    resume: bool = typer.Option(True, help="skip the batches an interrupted identical load already wrote"),
    neo4j_import: Optional[Path] = typer.Option(None, "--neo4j-import", metavar="DIR",
                                                help="write the files of neo4j-admin database import full "
                                                     "into DIR (new or empty) instead of loading a store, and "
                                                     "print the command that imports them (Neo4j first loads; "
                                                     "docs/store.md)"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """Load posts, accounts, objects and SHARED relationships: the shares are exactly those of
    ``coordgraph shares`` on the same input and options; idempotent and resumable."""
    from coordgraph.cli.reading import ReadOptions, read_shares_input, resolve_intents
    from coordgraph.cli.shares import print_report, report_rejects, summary_table
    from coordgraph.cypher.ingest import IngestSummary, LoadWriter, file_identity, load_identity
    from coordgraph.loader import LoaderError, parse_map
    from coordgraph.loader.sources import expand_inputs

    for path in inputs:
        if not path.exists():
            fail(f"{path}: no such file or directory")
    if mode not in ("auto", "merge", "bulk"):
        fail(f"--mode must be auto, merge or bulk, not {mode!r}")
    if post_details not in ("auto", "graph", "beside"):
        fail(f"--post-details must be auto, graph or beside, not {post_details!r}")
    try:
        mapping = parse_map(column_map)
        intents = (list(dict.fromkeys(intent)) if shares_table else
                   resolve_intents(intent or ([] if "object_id" in mapping else ["retweets"]), mapping))
    except LoaderError as exc:
        fail(str(exc))
    files = expand_inputs(list(inputs)) if not shares_table else list(inputs)
    if not files:
        fail("no input files")
    options = ReadOptions(intents=intents, format=fmt, column_map=mapping, strict=strict, compat=compat,
                          lowercase_hashtags=lowercase_hashtags, keep_retweets=keep_retweets,
                          keep_replies=keep_replies, drop_hashtags=drop_hashtags, platform=platform,
                          batch_size=batch_size)
    identities = [file_identity(p) for p in files]
    load_id = load_identity(identities, f"{options.identity()}|shares_table={shares_table}")
    if rejects is None and not shares_table:
        from coordgraph.cypher import server

        rejects = server.home_dir() / "rejects" / f"{load_id}.rejects.jsonl"
    if rejects is not None and rejects.exists():
        rejects.unlink()
    if neo4j_import is not None:
        _ingest_to_import_files(neo4j_import, files, options, intents, shares_table, rejects, batch_rows)
        return
    read = None
    with store_session(store) as st, Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
                                              TextColumn("batches"), TimeElapsedColumn(), console=console,
                                              transient=True) as bar:
        task = bar.add_task("ingest", total=None)
        writer = LoadWriter(st, ingest_id=load_id if resume else None, files=identities, batch_rows=batch_rows,
                            mode=mode, post_details=post_details,
                            progress=lambda n, _rows: bar.update(task, completed=n))
        try:
            if shares_table:
                for path in files:
                    frame = _read_table(path)
                    if "kind" not in frame.columns:
                        frame["kind"] = intents[0] if intents else "unknown"
                    writer.add(shares=frame)
            else:
                read = read_shares_input(files, options, rejects=rejects,
                                         on_batch=lambda posts, accounts: writer.add(posts=posts, accounts=accounts))
                writer.add(shares=_unprefixed(read.table, intents))
                read.drop_table()  # written: free it before the store builds its indexes
        except LoaderError as exc:
            writer.abandon()
            fail(str(exc))
        except BaseException:  # a store error or Ctrl-C: resume what the load paused, then stop
            writer.abandon()
            raise
        summary: IngestSummary = writer.finish()
    if read is not None and getattr(read.stats, "report", None) is not None:  # the loader's per-file report
        print_report(read.stats.report, read.counts(), title="coordgraph ingest: what was read")
    elif read is not None:
        console.print(summary_table(read.stats.summary(), read.counts(), title="coordgraph ingest: read"))
    table = Table(title="coordgraph ingest", show_header=False, title_justify="left")
    for label, value in (("store", st.uri), ("load", f"{load_id} ({summary.mode})"),
                         ("accounts written", f"{summary.accounts:,}"),
                         ("posts written", f"{summary.posts:,}"),
                         *((("post details", "beside the graph (Parquet)"),) if summary.post_details == "beside" else ()),
                         ("shares written", f"{summary.shares:,}"),
                         *((f"  {k}", f"{v:,}") for k, v in sorted(summary.per_kind.items())),
                         ("batches written", f"{summary.batches_written:,}"),
                         ("batches skipped (resumed)", f"{summary.batches_skipped:,}"),
                         ("seconds", f"{summary.seconds:.1f}"),
                         ("shares per second", f"{summary.shares_per_second:,.0f}")):
        table.add_row(label, value)
    out.print(table)
    if read is not None:
        report_rejects(read.stats.summary(), read.stats)


def _ingest_to_import_files(directory: Path, files: list[Path], options, intents: list[str], shares_table: bool,
                            rejects: Optional[Path], batch_rows: int) -> None:
    """``ingest --neo4j-import DIR``: the input read exactly as ``ingest`` reads it (same
    options, rejects and counts table), written as neo4j-admin import files into DIR instead
    of a store (coordgraph.cypher.neo4j_import); then the command that imports them. No store
    is opened. ``--mode``, ``--post-details`` and ``--resume`` do not apply: every post
    property goes into the files, as Neo4j keeps them in the graph."""
    from coordgraph.cli.reading import read_shares_input
    from coordgraph.cli.shares import print_report, report_rejects, summary_table
    from coordgraph.cypher.neo4j_import import ImportFilesWriter, ImportSummary, admin_command
    from coordgraph.loader import LoaderError

    read = writer = None
    try:
        with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TextColumn("batches"),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("ingest", total=None)
            writer = ImportFilesWriter(directory, batch_rows=batch_rows,
                                       progress=lambda n: bar.update(task, completed=n))
            if shares_table:
                for path in files:
                    frame = _read_table(path)
                    if "kind" not in frame.columns:
                        frame["kind"] = intents[0] if intents else "unknown"
                    writer.add(shares=frame)
            else:
                read = read_shares_input(files, options, rejects=rejects,
                                         on_batch=lambda posts, accounts: writer.add(posts=posts, accounts=accounts))
                writer.add(shares=_unprefixed(read.table, intents))
            summary: ImportSummary = writer.finish()
    except (LoaderError, StoreError) as exc:
        written = writer is not None and any(writer.directory.iterdir())
        fail(str(exc) + (f" ({writer.directory} holds incomplete files: remove them before running again)"
                         if written else ""))
    if read is not None and getattr(read.stats, "report", None) is not None:  # the loader's per-file report
        print_report(read.stats.report, read.counts(), title="coordgraph ingest: what was read")
    elif read is not None:
        console.print(summary_table(read.stats.summary(), read.counts(), title="coordgraph ingest: read"))
    table = Table(title="coordgraph ingest --neo4j-import", show_header=False, title_justify="left")
    for label, value in (("directory", str(summary.directory)),
                         ("accounts written", f"{summary.accounts:,}"),
                         ("posts written", f"{summary.posts:,}"),
                         ("objects written", f"{summary.objects:,}"),
                         ("shares", f"{summary.shares:,}"),
                         *((f"  {k}", f"{v:,}") for k, v in sorted(summary.per_kind.items())),
                         ("SHARED written", f"{summary.shared:,}"),
                         ("files", f"{sum(len(f) for f in summary.files.values()):,}"),
                         ("seconds", f"{summary.seconds:.1f}")):
        table.add_row(label, value)
    out.print(table)
    # plain echo, not rich: the command must not be wrapped at the terminal width
    if summary.files:
        typer.echo("\nTo import them, with Neo4j stopped and its database new or empty, run from the folder of "
                   "docker-compose.yml\n(if the database exists already, e.g. Neo4j was started before, add "
                   "--overwrite-destination=true after 'full neo4j': it deletes that database's files first):\n")
        typer.echo(admin_command(summary))
    else:
        typer.echo("\nNothing to import: the input gave no posts, accounts or shares.")
    if read is not None:
        report_rejects(read.stats.summary(), read.stats)


# ------------------------------------------------------------------------------ analyze
@app.command("analyze")
def analyze_cmd(
    intent: List[str] = typer.Option([], "--intent", "-i", help="SHARED kinds to use (repeat; default all)"),
    time_window: int = typer.Option(10, help="seconds: co-shares are at most this far apart"),
    min_participation: int = typer.Option(2, help="minimum shares (rows) of an account"),
    edge_weight: float = typer.Option(0.5, help="percentile in [0, 1]: edges above it get weight_threshold 1"),
    fast_window: Optional[int] = typer.Option(None, help="seconds: also flag co-shares within this narrower window"),
    engine: str = typer.Option("auto", help="auto (python or outofcore by size), python, outofcore, spark "
                                            "(on the stored shares, exported to a share table) or cypher "
                                            "(in the database)"),
    run_id: Optional[str] = typer.Option(None, help="re-threshold this existing run at --edge-weight "
                                                    "(co-shares are not recomputed)"),
    communities: bool = typer.Option(True, help="also compute communities and rankings"),
    algorithm: str = typer.Option("leiden", help="leiden or louvain"),
    method: str = typer.Option("coortweet", "--method",
                               help="coortweet (CooRTweet), qut (QUT toolkit networks, directed weights kept) or "
                                    "cosine (Pacheco et al.): docs/methods.md; --time-window is QUT's window"),
    param: List[str] = typer.Option([], "--param", help="KEY=VALUE for --method qut/cosine (repeatable)"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """Detect coordinated accounts in the stored shares and write a run (edges, communities)."""
    from coordgraph.cypher import runs
    from coordgraph.cypher.analyze import ENGINES, analyze, threshold
    from coordgraph.cypher.communities import compute_communities

    if engine not in ENGINES:
        fail(f"unknown engine {engine!r}: --engine must be one of {', '.join(ENGINES)}")
    from coordgraph.cli.detect import method_params_option

    method_params = method_params_option(method, list(param))
    with store_session(store) as st:
        if run_id:
            stored = runs.get_run(st, run_id)
            if stored is not None and (stored.get("params") or {}).get("method", "coortweet") != "coortweet":
                fail(f"run {run_id} is a {stored['params']['method']} run: re-thresholding applies CooRTweet's "
                     "percentile rule; run analyze --method again with other --param values instead")
            if runs.get_run(st, run_id) is None:
                fail(f"no complete run {run_id!r} in the store (list them with: coordgraph runs)")
            res = threshold(st, run_id, edge_weight)
            out.print(f"run {run_id} re-thresholded at {edge_weight}: threshold {res['threshold']}, "
                      f"{res['above']} of {res['edges']} edges above")
            return
        with console.status("detecting co-shares") as status:
            try:
                summary = analyze(st, intents=list(intent) or None, time_window=time_window,
                                  min_participation=min_participation, edge_weight=edge_weight,
                                  fast_window=fast_window, engine=engine,
                                  on_step=lambda s: status.update(f"{s} done"), method=method,
                                  method_params=method_params)
            except (ValueError, MemoryError) as exc:  # PairMemoryError names the hubs and the options
                fail(str(exc))
            if communities and summary.edges:
                compute_communities(st, summary.run_id, algorithm=algorithm)
    table = Table(title=f"run {summary.run_id}", show_header=False, title_justify="left")
    for label, value in (("method", method),
                         ("engine", summary.engine if engine == summary.engine else f"{summary.engine} ({engine})"),
                         ("co-shares", f"{summary.coshares:,}"),
                         ("edges", f"{summary.edges:,}"), ("accounts", f"{summary.accounts:,}"),
                         ("threshold (weight)", str(summary.threshold)),
                         ("edges above threshold", f"{summary.edges_above:,}"),
                         ("seconds", ", ".join(f"{k} {v}" for k, v in summary.seconds.items()))):
        table.add_row(label, value)
    out.print(table)


@app.command("communities")
def communities_cmd(
    run_id: Optional[str] = typer.Argument(None, help="the run (default: the latest complete run)"),
    algorithm: str = typer.Option("leiden", help="leiden or louvain"),
    resolution: float = typer.Option(1.0, help="resolution (Leiden gamma)"),
    above_threshold: bool = typer.Option(False, help="use only edges above the run's weight threshold"),
    no_gds: bool = typer.Option(False, help="on Neo4j, compute in process even when GDS is installed"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """Compute communities, PageRank and weighted degree of a run and store them."""
    from coordgraph.cypher.communities import compute_communities
    from coordgraph.cypher.runs import latest_run

    with store_session(store) as st:
        if run_id is None:
            latest = latest_run(st)
            if latest is None:
                fail("no complete run in the store: run coordgraph analyze first")
            run_id = latest["id"]
        table = compute_communities(st, run_id, algorithm=algorithm, resolution=resolution,
                                    use_gds=False if no_gds else None, above_threshold=above_threshold)
    sizes = table["community"].value_counts().sort_index() if len(table) else pd.Series(dtype=int)
    out.print(f"run {run_id}: {len(sizes)} communities over {len(table)} accounts "
              f"(largest: {', '.join(str(v) for v in sizes.head(5).tolist())})")


# ------------------------------------------------------------------------------ cypher / runs
def _param(text: str) -> tuple[str, object]:
    """``k=v`` -> (k, v); v parsed as JSON when it is JSON (numbers, lists, null), else a string."""
    if "=" not in text:
        fail(f"--param {text!r}: write it as name=value")
    key, value = text.split("=", 1)
    if not key.strip().isidentifier() or not key.strip().isascii():
        fail(f"--param {text!r}: the name must be letters, digits and _ (not starting with a digit)")
    try:
        return key.strip(), orjson.loads(value)
    except orjson.JSONDecodeError:
        return key.strip(), value


def _print_rows(rows: list[dict], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY).decode() + "\n")
        return
    frame = pd.DataFrame(rows)
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False))
        return
    table = Table(show_lines=False)
    for col in frame.columns:
        table.add_column(str(col))
    for rec in frame.itertuples(index=False):
        table.add_row(*["" if v is None else str(v) for v in rec])
    out.print(table)
    out.print(f"{len(rows)} row(s)", style="dim")


def _query_text(query: str, dialect, query_dir: Path) -> str:
    """The Cypher text meant by ``coordgraph cypher QUERY``: a ``.cypher`` file, a library
    query's name (letters, digits, ``_``), or else the text itself.

    Why the checks come in this order: any text may be a query, and a long one is no valid
    path (``stat`` fails with "File name too long"), so only a one-line argument ending in
    ``.cypher`` is looked up as a file and only a plain name as a library query.
    """
    import re

    stripped = query.strip()
    if stripped.endswith(".cypher") and "\n" not in stripped:
        try:
            return Path(stripped).read_text(encoding="utf-8")
        except FileNotFoundError:
            fail(f"{stripped}: no such file")
        except OSError as exc:
            fail(f"{stripped}: cannot read the query file ({exc.strerror or exc})")
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", stripped) and (
            (query_dir / f"{stripped}.cypher").exists() or (query_dir / f"{stripped}.{dialect.name}.cypher").exists()):
        return dialect.query_text(stripped)
    return query


@app.command("cypher")
def cypher_cmd(
    query: str = typer.Argument(..., help="Cypher text, a .cypher file, or the name of a library query"),
    param: List[str] = typer.Option([], "--param", "-p", help="name=value (JSON values parsed; repeat)"),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
    timeout: float = typer.Option(HAND_TYPED_TIMEOUT_S, "--timeout", min=0,
                                  help="seconds the query may run before the store stops it (0 = no limit)"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """Run any query read-only (writes are refused; stopped after --timeout s) and print a
    table, CSV or JSON."""
    from coordgraph.cypher.dialect import QUERY_DIR, parse_header, used_parameters

    if fmt not in ("table", "csv", "json"):
        fail(f"--format must be table, csv or json, not {fmt!r}")
    params = dict(_param(p) for p in param)
    with store_session(store) as st:
        text = _query_text(query, st.dialect, QUERY_DIR)
        missing = sorted(used_parameters(text) - set(params))
        if missing:
            docs = parse_header(text)
            fail("missing parameter(s): " + "; ".join(
                f"-p {name}=... ({docs[name]})" if docs.get(name) else f"-p {name}=..." for name in missing))
        rows = st.read(text, params, timeout_s=timeout or None)
    _print_rows(rows, fmt)


def _delete_runs(st, ids: list[str], keep: int | None, force: bool) -> None:
    """Delete runs ``ids`` and, with ``keep``, every complete run but the newest ``keep``;
    refuses (exit 2, nothing deleted) an unknown run, or one a saved case refers to unless
    ``force``."""
    from coordgraph.cypher.runs import cases_about, delete_run, runs_to_prune

    known = {r["id"] for r in st.read("MATCH (r:Run) RETURN r.id AS id")}
    unknown = [i for i in ids if i not in known]
    if unknown:
        fail(f"no run {unknown[0]!r} in the store (coordgraph runs lists them)")
    targets = list(dict.fromkeys(ids + (runs_to_prune(st, keep) if keep is not None else [])))
    cited = {i: cases_about(st, i) for i in targets}
    cited = {i: names for i, names in cited.items() if names}
    if cited and not force:
        run_id, names = next(iter(cited.items()))
        fail(f"run {run_id!r} is the run of saved case(s) {', '.join(names)}: nothing deleted "
             f"(--force deletes it anyway; the case keeps its notes and parameters)")
    for run_id in targets:
        delete_run(st, run_id)
        console.print(f"deleted run {run_id}")


@app.command("runs")
def runs_cmd(
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
    delete: List[str] = typer.Option([], "--delete", help="delete this run (repeat): its edges, statistics, "
                                                          "co-shares and provenance file"),
    keep: Optional[int] = typer.Option(None, "--keep", min=0, help="delete every complete run but the newest N"),
    force: bool = typer.Option(False, "--force", help="also delete runs that saved cases refer to"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """List the complete runs (newest first) with their parameters and counts; --delete or
    --keep remove runs first (a store keeps every run until then)."""
    from coordgraph.cypher.runs import list_runs

    with store_session(store) as st:
        if delete or keep is not None:
            _delete_runs(st, list(dict.fromkeys(delete)), keep, force)
        rows = list_runs(st)
    if fmt == "table":
        rows = [{"id": r["id"], "created": pd.to_datetime(r["created"], unit="s", utc=True).strftime("%Y-%m-%d %H:%M:%S"),
                 "user": r["user"], "engine": r["engine"], "intent": r["intent"] or "all",
                 "window": (r["params"] or {}).get("time_window"), "edges": (r["counts"] or {}).get("edges"),
                 "threshold": r.get("threshold"), "communities": r.get("community_algorithm")} for r in rows]
    _print_rows(rows, fmt)
