"""Graph store commands: ``db start|stop|status``, ``ingest``, ``analyze``, ``communities``,
``cypher`` and ``runs``.

Every command takes ``--store URI`` (or $COORDGRAPH_STORE): ``bolt://``/``neo4j://`` for Neo4j
(credentials from NEO4J_USER / NEO4J_PASSWORD), ``falkordb://host:port`` for a FalkorDB
server, nothing for the embedded FalkorDB (started on demand, data in $COORDGRAPH_HOME or
./.coordgraph). Store problems are one line on stderr and exit code 2.
"""
from __future__ import annotations

import hashlib
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
from coordgraph.cypher.store import HAND_TYPED_TIMEOUT_S

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
    """Stop the embedded FalkorDB (its data are saved first)."""
    from coordgraph.cypher import server

    out.print("embedded store stopped" if server.stop() else "embedded store was not running")


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded FalkorDB runs (exit 1 when it does not)."""
    from coordgraph.cypher import server

    info = server.status()
    if info is None:
        out.print(f"embedded store not running (home {server.home_dir()})")
        raise typer.Exit(1)
    out.print(f"embedded store running: {info.url} (pid {info.pid}, data {info.data_dir})")


# ------------------------------------------------------------------------------ ingest
def _ingest_id(paths: list[Path], intents: list[str], shares_table: bool) -> str:
    """A load's identity for resuming: input paths, sizes and mtimes, intents and mode."""
    h = hashlib.sha256()
    for p in sorted(paths):
        st = p.stat()
        h.update(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    h.update(("|".join(intents) + f"|{shares_table}").encode())
    return "ingest-" + h.hexdigest()[:16]


def _read_table(path: Path) -> pd.DataFrame:
    name = path.name.lower()
    dtypes = {"object_id": str, "account_id": str, "content_id": str}
    if name.endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=dtypes)


def _tables(paths: list[Path], intents: list[str], shares_table: bool, batch_size: int):
    """(posts, accounts, shares) per batch of the inputs."""
    if shares_table:
        for path in paths:
            frame = _read_table(path)
            if "kind" not in frame.columns:
                frame["kind"] = intents[0] if intents else "unknown"
            yield None, None, frame
        return
    from coordgraph.loader import iter_post_batches, read_posts, reshape

    def shares_of(posts):
        parts = [reshape(posts, intent) for intent in intents]
        parts = [p.assign(kind=i) if "kind" not in p.columns else p for p, i in zip(parts, intents)]
        return pd.concat(parts, ignore_index=True) if parts else None

    from coordgraph.contracts import GLOBAL_INTENTS

    if any(i in GLOBAL_INTENTS for i in intents):
        loaded = read_posts(paths)  # similarity needs every post at once
        yield loaded.posts, loaded.accounts, shares_of(loaded.posts)
        return
    for posts, accounts in iter_post_batches(paths, batch_size=batch_size):
        yield posts, accounts, shares_of(posts) if len(posts) else None


@app.command("ingest")
def ingest_cmd(
    inputs: List[Path] = typer.Argument(..., help="platform files (any format the loader reads) "
                                                  "or, with --shares-table, share tables (CSV/Parquet)"),
    intent: List[str] = typer.Option(["retweets"], "--intent", "-i", help="intent(s) to store as SHARED (repeat)"),
    shares_table: bool = typer.Option(False, "--shares-table", help="inputs are share tables, not posts"),
    batch_rows: int = typer.Option(10_000, help="rows per write transaction"),
    resume: bool = typer.Option(True, help="skip the batches an interrupted identical load already wrote"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """Load posts, accounts, objects and SHARED relationships: idempotent and resumable."""
    from coordgraph.cypher.ingest import IngestSummary, ingest_stream
    from coordgraph.loader import INTENTS, LoaderError

    for path in inputs:
        if not path.exists():
            fail(f"{path}: no such file")
    if not shares_table:
        for i in intent:
            if i not in INTENTS:
                fail(f"unknown intent '{i}' (known: {', '.join(INTENTS)})")
    load_id = _ingest_id(list(inputs), list(intent), shares_table) if resume else None
    with store_session(store) as st, Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
                                       TextColumn("batches"), TimeElapsedColumn(), console=console,
                                       transient=True) as bar:
        task = bar.add_task("ingest", total=None)
        st.ensure_schema()
        try:
            summary: IngestSummary = ingest_stream(
                st, _tables(list(inputs), list(intent), shares_table, batch_rows), batch_rows=batch_rows,
                ingest_id=load_id, progress=lambda n, _rows: bar.update(task, completed=n))
        except LoaderError as exc:
            fail(str(exc))
    table = Table(title="coordgraph ingest", show_header=False, title_justify="left")
    for label, value in (("store", st.uri), ("accounts written", f"{summary.accounts:,}"),
                         ("posts written", f"{summary.posts:,}"), ("shares written", f"{summary.shares:,}"),
                         *((f"  {k}", f"{v:,}") for k, v in sorted(summary.per_kind.items())),
                         ("batches written", f"{summary.batches_written:,}"),
                         ("batches skipped (resumed)", f"{summary.batches_skipped:,}"),
                         ("seconds", f"{summary.seconds:.1f}"),
                         ("shares per second", f"{summary.shares_per_second:,.0f}")):
        table.add_row(label, value)
    out.print(table)


# ------------------------------------------------------------------------------ analyze
@app.command("analyze")
def analyze_cmd(
    intent: List[str] = typer.Option([], "--intent", "-i", help="SHARED kinds to use (repeat; default all)"),
    time_window: int = typer.Option(10, help="seconds: co-shares are at most this far apart"),
    min_participation: int = typer.Option(2, help="minimum shares (rows) of an account"),
    edge_weight: float = typer.Option(0.5, help="percentile in [0, 1]: edges above it get weight_threshold 1"),
    fast_window: Optional[int] = typer.Option(None, help="seconds: also flag co-shares within this narrower window"),
    engine: str = typer.Option("cypher", help="cypher (in the database) or python (coordgraph.analysis)"),
    run_id: Optional[str] = typer.Option(None, help="re-threshold this existing run at --edge-weight "
                                                    "(co-shares are not recomputed)"),
    communities: bool = typer.Option(True, help="also compute communities and rankings"),
    algorithm: str = typer.Option("leiden", help="leiden or louvain"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """Detect coordinated accounts in the stored shares and write a run (edges, communities)."""
    from coordgraph.cypher import runs
    from coordgraph.cypher.analyze import analyze, threshold
    from coordgraph.cypher.communities import compute_communities

    with store_session(store) as st:
        if run_id:
            if runs.get_run(st, run_id) is None:
                fail(f"no complete run {run_id!r} in the store (list them with: coordgraph runs)")
            res = threshold(st, run_id, edge_weight)
            out.print(f"run {run_id} re-thresholded at {edge_weight}: threshold {res['threshold']}, "
                      f"{res['above']} of {res['edges']} edges above")
            return
        with console.status("detecting co-shares") as status:
            summary = analyze(st, intents=list(intent) or None, time_window=time_window,
                              min_participation=min_participation, edge_weight=edge_weight,
                              fast_window=fast_window, engine=engine,
                              on_step=lambda s: status.update(f"{s} done"))
            if communities and summary.edges:
                compute_communities(st, summary.run_id, algorithm=algorithm)
    table = Table(title=f"run {summary.run_id}", show_header=False, title_justify="left")
    for label, value in (("engine", engine), ("co-shares", f"{summary.coshares:,}"),
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
    path = Path(query)
    with store_session(store) as st:
        if query.endswith(".cypher") and path.exists():
            text = path.read_text(encoding="utf-8")
        elif (QUERY_DIR / f"{query}.cypher").exists() or (QUERY_DIR / f"{query}.{st.dialect.name}.cypher").exists():
            text = st.dialect.query_text(query)
        elif query.endswith(".cypher"):
            fail(f"{query}: no such file")
        else:
            text = query
        missing = sorted(used_parameters(text) - set(params))
        if missing:
            docs = parse_header(text)
            fail("missing parameter(s): " + "; ".join(
                f"-p {name}=... ({docs[name]})" if docs.get(name) else f"-p {name}=..." for name in missing))
        rows = st.read(text, params, timeout_s=timeout or None)
    _print_rows(rows, fmt)


@app.command("runs")
def runs_cmd(
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
    store: Optional[str] = STORE_OPTION,
) -> None:
    """List the complete runs (newest first) with their parameters and counts."""
    from coordgraph.cypher.runs import list_runs

    with store_session(store) as st:
        rows = list_runs(st)
    if fmt == "table":
        rows = [{"id": r["id"], "created": pd.to_datetime(r["created"], unit="s", utc=True).strftime("%Y-%m-%d %H:%M:%S"),
                 "user": r["user"], "engine": r["engine"], "intent": r["intent"] or "all",
                 "window": (r["params"] or {}).get("time_window"), "edges": (r["counts"] or {}).get("edges"),
                 "threshold": r.get("threshold"), "communities": r.get("community_algorithm")} for r in rows]
    _print_rows(rows, fmt)
