"""``coordgraph compare RUN_DIR RUN_DIR...``: overlap of the flagged accounts and edges of
detect runs on the same shares (counts, Jaccard) and the accounts only one run flags.
The logic is coordgraph.analysis.compare; imports are lazy so the CLI starts fast."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from coordgraph.cli._app import app, console, fail


@app.command()
def compare(
    runs: list[Path] = typer.Argument(..., help="Two or more output directories of `coordgraph detect`."),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write overlap.csv and only_flagged.csv here."),
) -> None:
    """Compare detect runs: groups per run, flagged accounts and edges in common, Jaccard, accounts only one flags."""
    from rich.table import Table

    from coordgraph.analysis.compare import compare_runs, read_run, run_summaries

    names = [p.name or str(p) for p in runs]
    if len(set(names)) < len(names):
        names = [str(p) for p in runs]
    try:
        flagged = {name: read_run(path) for name, path in zip(names, runs)}
        overlap, only = compare_runs(flagged)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    number = {name: str(i) for i, name in enumerate(names, 1)}
    per_run = run_summaries(flagged)
    for r in per_run.itertuples(index=False):
        sizes = r.component_sizes if len(r.component_sizes) <= 40 else r.component_sizes[:40] + " ..."
        console.print(f"run {number[r.run]}: {r.run}: {r.accounts:,} flagged accounts, {r.edges:,} edges, "
                      f"{r.components:,} groups (sizes {sizes or '-'})", highlight=False)
    table = Table(title="flagged accounts | flagged edges (J = Jaccard)")
    for col in ("A", "B", "acc A", "acc B", "both", "J", "edg A", "edg B", "both", "J"):
        table.add_column(col, justify="right", no_wrap=True)
    for r in overlap.itertuples(index=False):
        table.add_row(number[r.run_a], number[r.run_b], f"{r.accounts_a:,}", f"{r.accounts_b:,}", f"{r.accounts_both:,}",
                      f"{r.accounts_jaccard:.3f}", f"{r.edges_a:,}", f"{r.edges_b:,}", f"{r.edges_both:,}",
                      f"{r.edges_jaccard:.3f}")
    console.print(table)
    for name in names:
        accounts = only.loc[only["run"] == name, "account_id"].tolist()
        shown = ", ".join(accounts[:10]) + (f", ... ({len(accounts):,} in all)" if len(accounts) > 10 else "")
        console.print(f"only {name}: {len(accounts):,} account(s){': ' + shown if accounts else ''}", highlight=False)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        overlap.to_csv(out / "overlap.csv", index=False)
        only.to_csv(out / "only_flagged.csv", index=False)
        per_run.to_csv(out / "runs.csv", index=False)
