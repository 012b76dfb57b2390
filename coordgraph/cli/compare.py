"""``coordgraph compare RUN RUN...``: overlap of the flagged accounts and edges of runs on the
same shares (counts, Jaccard), the accounts only one run flags and each run's groups.

A RUN is an output directory of ``coordgraph detect`` or the id of a complete run in the
graph store (``coordgraph runs`` lists them). The logic is :mod:`coordgraph.analysis.compare`
(the web app and the report use the same); imports are lazy so the CLI starts fast.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from coordgraph.cli._app import app, console, fail


def _flagged(runs: list[str], store_uri: Optional[str]) -> dict:
    """name -> Flagged: directories read from their files, other names as store run ids (the
    store is opened only when one is needed)."""
    from coordgraph.analysis.compare import read_run

    dirs = [r for r in runs if Path(r).is_dir()]
    names = {r: (Path(r).name or r) for r in dirs}
    if len(set(names.values())) < len(names):
        names = {r: r for r in dirs}
    out, st = {}, None
    try:
        for r in runs:
            if r in names:
                out[names[r]] = read_run(Path(r))
                continue
            if st is None:
                from coordgraph.cypher import open_store

                st = open_store(store_uri)
            from coordgraph.cypher.compare import store_flagged

            try:
                out[r] = store_flagged(st, r)
            except ValueError as exc:
                raise ValueError(f"{r}: no such directory, and {exc}") from None
    finally:
        if st is not None:
            st.close()
    return out


@app.command()
def compare(
    runs: list[str] = typer.Argument(..., help="Two or more runs: output directories of `coordgraph detect` "
                                               "or run ids of the graph store (`coordgraph runs`)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write overlap.csv, only_flagged.csv and runs.csv here."),
    store: Optional[str] = typer.Option(None, "--store", envvar="COORDGRAPH_STORE",
                                        help="The store of the run ids (default: the embedded FalkorDB)."),
) -> None:
    """Compare runs: groups per run, flagged accounts and edges in common, Jaccard, accounts only one flags."""
    from rich.table import Table

    from coordgraph.analysis.compare import compare as compare_flagged
    from coordgraph.cypher.errors import StoreError

    try:
        flagged = _flagged(list(runs), store)
        result = compare_flagged(flagged)
    except (FileNotFoundError, ValueError, StoreError) as exc:
        fail(str(exc))
    names = list(result.names)
    number = {name: str(i) for i, name in enumerate(names, 1)}
    for r in result.per_run.itertuples(index=False):
        sizes = r.component_sizes if len(r.component_sizes) <= 40 else r.component_sizes[:40] + " ..."
        console.print(f"run {number[r.run]}: {r.run}: {r.accounts:,} flagged accounts, {r.edges:,} edges, "
                      f"{r.components:,} groups (sizes {sizes or '-'})", highlight=False)
    table = Table(title="flagged accounts | flagged edges (J = Jaccard)")
    for col in ("A", "B", "acc A", "acc B", "both", "J", "edg A", "edg B", "both", "J"):
        table.add_column(col, justify="right", no_wrap=True)
    for r in result.overlap.itertuples(index=False):
        table.add_row(number[r.run_a], number[r.run_b], f"{r.accounts_a:,}", f"{r.accounts_b:,}", f"{r.accounts_both:,}",
                      f"{r.accounts_jaccard:.3f}", f"{r.edges_a:,}", f"{r.edges_b:,}", f"{r.edges_both:,}",
                      f"{r.edges_jaccard:.3f}")
    console.print(table)
    only = result.only
    for name in names:
        accounts = only.loc[only["run"] == name, "account_id"].tolist()
        shown = ", ".join(accounts[:10]) + (f", ... ({len(accounts):,} in all)" if len(accounts) > 10 else "")
        console.print(f"only {name}: {len(accounts):,} account(s){': ' + shown if accounts else ''}", highlight=False)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        result.overlap.to_csv(out / "overlap.csv", index=False)
        only.to_csv(out / "only_flagged.csv", index=False)
        result.per_run.to_csv(out / "runs.csv", index=False)
