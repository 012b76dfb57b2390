"""The report's "Comparison of runs" section (``coordgraph export --format html --compare RUN``).

It renders :class:`coordgraph.analysis.compare.Comparison`, the same numbers and definitions as
``coordgraph compare`` and the web app's Compare runs tab: per run its flagged accounts, edges
and groups; per pair of runs the counts, the number in both and the Jaccard index of flagged
accounts and of flagged edges; the accounts only one run flags; the groups side by side.
"""
from __future__ import annotations

from html import escape

#: Accounts listed per run and members per group in the report (the CLI's --out has all).
MAX_ONLY = 500
MAX_GROUPS = 30
MAX_MEMBERS = 40


def _rows(header: list[str], rows: list[list], table_id: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def comparison_section(result, labels: dict[str, str]) -> str:
    """The section's HTML; ``labels``: run id -> its method and intent in words."""
    from coordgraph.analysis.compare import DEFINITIONS

    number = {name: i for i, name in enumerate(result.names, 1)}
    per_run = [[number[r.run], r.run, labels.get(r.run, ""), f"{r.accounts:,}", f"{r.edges:,}", f"{r.components:,}"]
               for r in result.per_run.itertuples(index=False)]
    overlap = [[number[r.run_a], number[r.run_b], f"{r.accounts_a:,}", f"{r.accounts_b:,}", f"{r.accounts_both:,}",
                f"{r.accounts_jaccard:.3f}", f"{r.edges_a:,}", f"{r.edges_b:,}", f"{r.edges_both:,}",
                f"{r.edges_jaccard:.3f}"] for r in result.overlap.itertuples(index=False)]
    only = []
    for name in result.names:
        accounts = result.only.loc[result.only["run"] == name, "account_id"].tolist()
        shown = ", ".join(accounts[:MAX_ONLY]) + (f", ... ({len(accounts):,} in all)" if len(accounts) > MAX_ONLY else "")
        only.append(f'<li class="only" data-run="{escape(name)}"><b>only run {number[name]}</b> '
                    f"({len(accounts):,}): {escape(shown) or 'none'}</li>")
    depth = min(max((len(g) for g in result.groups.values()), default=0), MAX_GROUPS)
    group_rows = []
    for i in range(depth):
        row = []
        for name in result.names:
            groups = result.groups[name]
            if i < len(groups):
                members = sorted(groups[i])
                more = f", ... {len(members) - MAX_MEMBERS:,} more" if len(members) > MAX_MEMBERS else ""
                row.append(f"{len(members)}: {', '.join(members[:MAX_MEMBERS])}{more}")
            else:
                row.append("")
        group_rows.append(row)
    defs = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in DEFINITIONS.items())
    return "\n".join([
        '<section class="comparison"><h2>Comparison of runs</h2>',
        '<p class="muted">How far runs on the same shares agree (any method: CooRTweet, QUT, cosine). Run 1 is '
        "the run of this report. Flagged edges are unordered account pairs; see the definitions below.</p>",
        _rows(["#", "run", "method", "flagged accounts", "flagged edges", "groups"], per_run, "comparison-runs"),
        "<h3>Overlap (J = Jaccard)</h3>",
        _rows(["A", "B", "accounts A", "accounts B", "accounts both", "accounts J", "edges A", "edges B",
               "edges both", "edges J"], overlap, "comparison-overlap"),
        "<h3>Accounts only one run flags</h3>", f'<ul id="comparison-only">{"".join(only)}</ul>',
        "<h3>Groups side by side (size: members)</h3>",
        _rows([f"run {number[n]}" for n in result.names], group_rows, "comparison-groups"),
        f'<dl class="defs">{defs}</dl></section>',
    ])
