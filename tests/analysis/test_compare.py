"""coordgraph compare on three hand-made run directories (numbers worked by hand).

run1 (CooRTweet-style): a-b 1, b-c 1, c-f 1, c-d 0  -> edges {ab, bc, cf}, accounts {a, b, c, f}
run2 (QUT, directed):   b->a, a->b, c->e (all 1)     -> edges {ab, ce},     accounts {a, b, c, e}
run3 (no threshold column): a-b, d-e                  -> edges {ab, de},     accounts {a, b, d, e}
1-2: accounts both {a,b,c} = 3 of union 5 -> 0.6;  edges both {ab} = 1 of union 4 -> 0.25
1-3: accounts both {a,b} = 2 of union 6 -> 1/3;     edges 1 of 4 -> 0.25
2-3: accounts both {a,b,e} = 3 of union 5 -> 0.6;  edges 1 of 3 -> 1/3
only run1: f; only run2: none; only run3: d
"""
import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.analysis.compare import compare_runs, read_run
from coordgraph.cli import app


@pytest.fixture
def runs(tmp_path):
    tables = {
        "run1": pd.DataFrame({"account_id": ["a", "b", "c", "c"], "account_id_y": ["b", "c", "f", "d"],
                              "weight": [3, 2, 2, 1], "weight_threshold": [1, 1, 1, 0]}),
        "run2": pd.DataFrame({"account_id": ["b", "a", "c"], "account_id_y": ["a", "b", "e"], "weight": [1, 2, 1],
                              "weight_threshold": [1, 1, 1]}),
        "run3": pd.DataFrame({"account_id": ["a", "d"], "account_id_y": ["b", "e"], "weight": [0.9, 0.8]}),
    }
    paths = []
    for name, table in tables.items():
        (tmp_path / name).mkdir()
        table.to_csv(tmp_path / name / "edges.csv", index=False)
        paths.append(tmp_path / name)
    return paths


def test_overlap_numbers(runs):
    overlap, only = compare_runs({p.name: read_run(p) for p in runs})
    got = {(r.run_a, r.run_b): (r.accounts_a, r.accounts_b, r.accounts_both, round(r.accounts_jaccard, 6),
                                r.edges_a, r.edges_b, r.edges_both, round(r.edges_jaccard, 6))
           for r in overlap.itertuples(index=False)}
    assert got == {("run1", "run2"): (4, 4, 3, 0.6, 3, 2, 1, 0.25),
                   ("run1", "run3"): (4, 4, 2, round(1 / 3, 6), 3, 2, 1, 0.25),
                   ("run2", "run3"): (4, 4, 3, 0.6, 2, 2, 1, round(1 / 3, 6))}
    assert only.values.tolist() == [["run1", "f"], ["run3", "d"]]


def test_cli(runs, tmp_path):
    res = CliRunner().invoke(app, ["compare", *map(str, runs), "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 0, res.output
    assert "only run1: 1 account(s): f" in res.output and "only run2: 0 account(s)" in res.output
    assert len(pd.read_csv(tmp_path / "cmp" / "overlap.csv")) == 3
    bad = CliRunner().invoke(app, ["compare", str(runs[0]), str(tmp_path)])
    assert bad.exit_code == 2 and "not a detect output directory" in bad.output
    one = CliRunner().invoke(app, ["compare", str(runs[0])])
    assert one.exit_code == 2 and "two or more" in one.output


def test_groups_per_run(runs):
    from coordgraph.analysis.compare import run_summaries

    # run1: a-b-c-f one group of 4; run2: a-b and c-e; run3: a-b and d-e
    got = run_summaries({p.name: read_run(p) for p in runs})
    assert got[["run", "accounts", "edges", "components", "component_sizes"]].values.tolist() == [
        ["run1", 4, 3, 1, "4"], ["run2", 4, 2, 2, "2 2"], ["run3", 4, 2, 2, "2 2"]]
    res = CliRunner().invoke(app, ["compare", *map(str, runs)])
    assert "run 2: run2: 4 flagged accounts, 2 edges, 2 groups (sizes 2 2)" in res.output
