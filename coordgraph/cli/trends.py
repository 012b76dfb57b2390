"""``coordgraph trends`` and ``coordgraph influence``: is this trend real, and who drives it?

Thin commands: read posts with the loader (batch by batch for trends, so a large collection
is followed like a stream), call :mod:`coordgraph.analysis.trends` /
:mod:`coordgraph.analysis.influence`, print a table and write CSV/JSON.
"""
from __future__ import annotations

import math
import numbers
from pathlib import Path
from typing import Optional

import orjson
import typer
from rich.console import Console
from rich.table import Table

from coordgraph._lazy import lazy_module
from coordgraph.cli._app import app, fail

pd = lazy_module("pandas")  # imported by the commands that use it, not by --help

_out = Console()


def _fmt(value) -> str:
    """A cell: ints as is, floats to 2 decimals, NaN/None as a dash."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    return str(value)


def _print_table(frame: pd.DataFrame, title: str, index_name: str) -> None:
    table = Table(title=title, show_lines=False)
    table.add_column(index_name, style="bold")
    for col in frame.columns:
        table.add_column(str(col), justify="right")
    for idx, row in zip(frame.index, frame.astype(object).itertuples(index=False)):
        table.add_row(str(idx), *(_fmt(v) for v in row))
    _out.print(table)


def read_id_list(path: Path) -> set[str]:
    """Account ids from a file: a CSV/Parquet with an ``account_id`` column, or one id a line."""
    if not path.exists():
        fail(f"{path}: no such file")
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix in (".csv", ".gz") or path.name.endswith(".csv.gz"):
        frame = pd.read_csv(path, dtype=str)
    else:
        return {line.strip() for line in path.read_text().splitlines() if line.strip()}
    if "account_id" not in frame.columns:
        fail(f"{path}: needs a column 'account_id' (found {', '.join(map(str, frame.columns))})")
    return set(frame["account_id"].dropna().astype(str))


def read_accounts_file(path: Path) -> pd.DataFrame:
    """An accounts table (CSV or Parquet): account_id plus created_at / followers_count.

    ``created_at`` may be UNIX seconds or an ISO date (read as UTC).
    """
    if not path.exists():
        fail(f"{path}: no such file")
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
    if "account_id" not in frame.columns:
        fail(f"{path}: needs a column 'account_id'")
    frame["account_id"] = frame["account_id"].astype(str)
    if "created_at" in frame.columns:
        raw = frame["created_at"]
        num = pd.to_numeric(raw, errors="coerce")
        dates = pd.to_datetime(raw.where(num.isna()), utc=True, errors="coerce")
        secs = (dates - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
        created = num.fillna(secs)
        bad = raw.notna() & created.isna()
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2
            fail(f"{path}:{line}: field 'created_at': {raw[bad].iloc[0]!r} is neither UNIX seconds nor a date")
        frame["created_at"] = created.astype("Int64")
    if "followers_count" in frame.columns:
        frame["followers_count"] = pd.to_numeric(frame["followers_count"], errors="coerce").astype("Int64")
    return frame


def _merge_accounts(loaded: list[pd.DataFrame], extra: pd.DataFrame | None) -> pd.DataFrame | None:
    """Loader accounts, first non-null value per account; ``extra`` (a user file) wins."""
    frames = [f for f in loaded if len(f)]
    base = pd.concat(frames).groupby("account_id", sort=False).first().reset_index() if frames else None
    if extra is None:
        return base
    if base is None:
        return extra
    return (pd.concat([extra, base]).groupby("account_id", sort=False).first().reset_index())


def _load_options(fmt: str, mapping: Optional[str]):
    from coordgraph.loader import parse_map
    return {"format": fmt, "column_map": parse_map(mapping) or None}


@app.command("trends")
def trends_command(
    inputs: list[Path] = typer.Argument(..., help="Posts files or directories (any loader format)."),
    trend: list[str] = typer.Option(..., "--trend", "-t",
                                    help="'#hashtag', 'obj:ID,ID' (objects) or a keyword; repeat."),
    compare: bool = typer.Option(False, "--compare", help="Also print users in common and which trend looks more inflated."),
    out: Path = typer.Option(Path("trends"), "--out", "-o", help="Output prefix: writes PREFIX.csv, PREFIX.json, PREFIX_hourly.csv."),
    accounts_file: Optional[Path] = typer.Option(None, "--accounts", help="Accounts CSV/Parquet (account_id, created_at, followers_count)."),
    coordinated: Optional[Path] = typer.Option(None, "--coordinated", help="Coordinated account ids (CSV/Parquet with account_id, or one id a line)."),
    new_account_days: float = typer.Option(30.0, "--new-account-days", help="An account is new if its first post in the trend is less than this many days after its creation."),
    fmt: str = typer.Option("auto", "--format", help="Input format (see coordgraph shares)."),
    mapping: Optional[str] = typer.Option(None, "--map", help="Column mapping for CSV/Parquet/JSONL: post_id=id,account_id=author,..."),
    batch_size: int = typer.Option(50_000, "--batch-size", help="Posts read per batch; statistics are merged batch by batch."),
    save: bool = typer.Option(False, "--save", help="Also store the statistics in the graph store (Trend nodes, IN_TREND links)."),
    store_uri: Optional[str] = typer.Option(None, "--store", help="Graph store URI for --save (default: the embedded store)."),
) -> None:
    """Statistics and inflation indicators of each trend, side by side (docs/trends.md)."""
    from coordgraph.analysis.trend_report import INDICATORS, common_table, volume_table
    from coordgraph.analysis.trends import TrendAccumulator
    from coordgraph.loader import LoaderError, iter_post_batches

    try:
        acc = TrendAccumulator(trend)
        loaded_accounts: list[pd.DataFrame] = []
        batches = iter_post_batches([str(p) for p in inputs], batch_size=batch_size,
                                    **_load_options(fmt, mapping))
        for posts, accounts in batches:
            acc.add(posts)
            keep = [c for c in ("account_id", "created_at", "followers_count") if c in accounts.columns]
            loaded_accounts.append(accounts[keep])
        extra = read_accounts_file(accounts_file) if accounts_file else None
        accounts_table = _merge_accounts(loaded_accounts, extra)
        coord = read_id_list(coordinated) if coordinated else None
        table = acc.compare(accounts_table, coord)
    except (LoaderError, ValueError, OSError) as exc:
        fail(str(exc))

    names = list(table.columns)
    common = common_table(list(acc.summaries.values()))
    _print_table(table, "Trend statistics (docs/trends.md)", "statistic")
    if compare and len(names) >= 2:
        pairs = common.assign(pair=common["a"] + " & " + common["b"]).set_index("pair")
        _print_table(pairs.drop(columns=["a", "b"]), "Accounts in common", "trends")
        verdict = table.loc[list(INDICATORS)].astype(float)
        verdict["highest"] = [row.idxmax() if row.notna().any() else "-" for _, row in verdict.iterrows()]
        _print_table(verdict, "Inflation indicators (higher = more suspicious)", "indicator")
    hourly = pd.concat([volume_table(acc.summaries[n].seconds).assign(trend=n) for n in names],
                       ignore_index=True)[["trend", "hour", "hour_ts", "posts"]]
    _write_outputs(out, table, hourly, acc.report(accounts_table, coord))
    if save or store_uri:
        _save(acc, accounts_table, coord, store_uri)


def _save(acc, accounts_table, coord, store_uri: Optional[str]) -> None:
    """Write the accumulator's trends to the graph store."""
    from coordgraph.cypher import StoreError, open_store
    from coordgraph.cypher.trend_store import save_trends

    try:
        with open_store(store_uri) as store:
            written = save_trends(store, acc, accounts_table, coord)
    except StoreError as exc:
        fail(str(exc))
    _out.print("stored " + ", ".join(f"{n} ({k:,} accounts)" for n, k in written.items())
               + f" in {store_uri or 'the embedded store'}")


def _write_outputs(out: Path, table: pd.DataFrame, hourly: pd.DataFrame, report: dict) -> None:
    """PREFIX.csv (statistic x trend), PREFIX_hourly.csv, PREFIX.json (the full report)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = out.with_name(out.name + ".csv")
    hourly_path = out.with_name(out.name + "_hourly.csv")
    json_path = out.with_name(out.name + ".json")
    table.to_csv(csv_path, index_label="statistic")
    hourly.assign(hour=hourly["hour"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")).to_csv(hourly_path, index=False)
    json_path.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY))
    _out.print(f"wrote {csv_path}, {hourly_path}, {json_path}")


@app.command("influence")
def influence_command(
    inputs: list[Path] = typer.Argument(..., help="Posts files or directories (any loader format)."),
    trend: Optional[str] = typer.Option(None, "--trend", "-t", help="Only this trend's posts ('#tag', 'obj:ID', keyword)."),
    top: int = typer.Option(20, "--top", help="Accounts to print."),
    out: Path = typer.Option(Path("influence.csv"), "--out", "-o", help="CSV of every account."),
    accounts_file: Optional[Path] = typer.Option(None, "--accounts", help="Accounts CSV/Parquet (account_id, followers_count)."),
    fmt: str = typer.Option("auto", "--format", help="Input format."),
    mapping: Optional[str] = typer.Option(None, "--map", help="Column mapping for CSV/Parquet/JSONL."),
) -> None:
    """Influence per account: engagement received, followers, cascades, score (docs/trends.md)."""
    from coordgraph.analysis.influence import account_influence
    from coordgraph.analysis.trends import trend_mask
    from coordgraph.loader import LoaderError, read_posts

    try:
        loaded = read_posts([str(p) for p in inputs], **_load_options(fmt, mapping))
        posts = loaded.posts
        if trend:
            posts = posts[trend_mask(posts, trend)]
        extra = read_accounts_file(accounts_file) if accounts_file else None
        accounts = _merge_accounts([loaded.accounts], extra)
        table = account_influence(posts, accounts)
    except (LoaderError, ValueError, OSError) as exc:
        fail(str(exc))
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    cols = ["posts", "retweets", "quotes", "replies", "likes", "followers", "cascade_size",
            "cascade_depth", "influence_score"]
    _print_table(table.set_index("account_id")[cols].head(top), f"Most influential accounts ({len(table):,})",
                 "account_id")
    _out.print(f"wrote {out}")
