"""coordgraph compare on the hand-worked case of tests/compare_case.py: three run directories,
and the same three runs in the graph store (by run id, and mixed with directories)."""
import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.analysis.compare import compare_runs, read_run
from coordgraph.cli import app
from tests.compare_case import GROUPS, ONLY, OVERLAP, overlap_numbers, store_runs, write_dirs


@pytest.fixture
def runs(tmp_path):
    return write_dirs(tmp_path)


def test_overlap_numbers(runs):
    overlap, only = compare_runs({p.name: read_run(p) for p in runs})
    assert overlap_numbers(overlap) == OVERLAP
    assert only.values.tolist() == ONLY


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


def test_store_runs_by_id_equal_the_hand_worked_numbers(store, store_uri, runs, tmp_path):
    from coordgraph.cypher.compare import store_comparison

    ids = store_runs(store)
    names = {v: k for k, v in ids.items()}
    result = store_comparison(store, list(ids.values()))
    assert overlap_numbers(result.overlap, names) == OVERLAP
    assert [[names[r], a] for r, a in result.only.values.tolist()] == ONLY
    assert {names[n]: [len(g) for g in groups] for n, groups in result.groups.items()} == GROUPS
    # the CLI on run ids, and on a mix of a directory and run ids
    res = CliRunner().invoke(app, ["compare", *ids.values(), "--store", store_uri, "--out", str(tmp_path / "cmp")])
    assert res.exit_code == 0, res.output
    assert f"only {ids['run1']}: 1 account(s): f" in res.output and f"only {ids['run2']}: 0 account(s)" in res.output
    got = pd.read_csv(tmp_path / "cmp" / "overlap.csv")
    assert overlap_numbers(got, names) == OVERLAP
    res = CliRunner().invoke(app, ["compare", str(runs[0]), ids["run2"], ids["run3"], "--store", store_uri])
    assert res.exit_code == 0 and "only run1: 1 account(s): f" in res.output
    res = CliRunner().invoke(app, ["compare", ids["run1"], "run-nope", "--store", store_uri])
    assert res.exit_code == 2 and "run-nope: no such directory" in res.output
