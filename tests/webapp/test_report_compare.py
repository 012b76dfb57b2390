"""``coordgraph export --format html --compare RUN ...``: the report's comparison section on the
hand-worked case of tests/compare_case.py (the same numbers as the CLI and the web app)."""
from __future__ import annotations

import html
import re

from typer.testing import CliRunner

from coordgraph.cli import app
from tests.compare_case import GROUPS, ONLY, OVERLAP, shown, store_runs

runner = CliRunner()


def table_rows(page: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    return [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_report_comparison_section(store, store_uri, tmp_path):
    from coordgraph.cypher.communities import compute_communities

    ids = store_runs(store)
    table = compute_communities(store, ids["run1"], algorithm="louvain")
    community = int(table.loc[table["account_id"] == "a", "community"].iloc[0])
    out = tmp_path / "report.html"
    res = runner.invoke(app, ["export", "--run", ids["run1"], "--community", str(community), "--format", "html",
                              "--compare", ids["run2"], "--compare", ids["run3"], "--store", store_uri,
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text()
    assert "<h2>Comparison of runs</h2>" in page
    want = [[str(i), str(j), *shown(OVERLAP[(f"run{i}", f"run{j}")])] for i, j in ((1, 2), (1, 3), (2, 3))]
    assert table_rows(page, "comparison-overlap") == want
    runs = table_rows(page, "comparison-runs")
    assert [r[1] for r in runs] == [ids["run1"], ids["run2"], ids["run3"]] and runs[1][2].startswith("qut")
    assert [r[3:] for r in runs] == [["4", "3", "1"], ["4", "2", "2"], ["4", "2", "2"]]
    only = dict(re.findall(r'<li class="only" data-run="([^"]+)"><b>only run \d</b> \(\d+\): ([^<]*)</li>', page))
    names = {v: k for k, v in ids.items()}
    assert [[names[r], a] for r, accs in only.items() for a in accs.split(", ") if accs != "none"] == ONLY
    groups = table_rows(page, "comparison-groups")
    sizes = [[int(row[i].split(":")[0]) for row in groups if row[i]] for i in range(3)]
    assert sizes == [GROUPS["run1"], GROUPS["run2"], GROUPS["run3"]]
    assert "<dt>Jaccard</dt>" in page  # the definitions come along
    # without --compare no section; an unknown run and a non-report format are refused in one line
    plain = tmp_path / "plain.html"
    assert runner.invoke(app, ["export", "--run", ids["run1"], "--community", str(community), "--store", store_uri,
                               "--out", str(plain)]).exit_code == 0
    assert "Comparison of runs" not in plain.read_text()
    bad = runner.invoke(app, ["export", "--run", ids["run1"], "--community", str(community), "--store", store_uri,
                              "--compare", "run-nope", "--out", str(plain)])
    assert bad.exit_code == 2 and "run-nope" in bad.output
    bad = runner.invoke(app, ["export", "--run", ids["run1"], "--community", str(community), "--store", store_uri,
                              "--format", "csv", "--compare", ids["run2"], "--out", str(plain)])
    assert bad.exit_code == 2 and "--compare" in bad.output
