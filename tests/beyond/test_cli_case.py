"""``coordgraph case`` end to end on the embedded FalkorDB (a real store, via --store URI)."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from coordgraph.analysis import simulate_data
from coordgraph.cli import app
from coordgraph.cypher.analyze import analyze
from coordgraph.cypher.ingest import ingest

runner = CliRunner()


def _run(*args):
    return runner.invoke(app, list(args))


def test_case_commands_round_trip(store, store_uri, tmp_path):
    sim = simulate_data(n_accounts_coord=6, n_accounts_noncoord=6, n_objects=10, seed=2)
    ingest(store, shares=sim.shares, kind="retweets")
    run = analyze(store, time_window=10, min_participation=2)
    coord = sorted(sim.coordinated_accounts)
    notes = tmp_path / "notes.txt"
    notes.write_text("Looks like a retweet ring.\nCheck creation dates.", encoding="utf-8")

    res = _run("case", "save", "ring", "--notes-file", str(notes), "-a", coord[0], "-a", coord[1],
               "--view", '{"name": "core", "layout": "cose"}', "--run", "latest", "--user", "ana", "--store", store_uri)
    assert res.exit_code == 0, res.output
    assert "2 accounts" in res.output and run.run_id in res.output
    res = _run("case", "save", "ring", "-a", coord[2], "--store", store_uri)
    assert res.exit_code == 0, res.output

    listed = json.loads(_run("case", "list", "--format", "json", "--store", store_uri).stdout)
    assert [c["name"] for c in listed] == ["ring"] and listed[0]["accounts"] == coord[:3]
    shown = _run("case", "show", "ring", "--store", store_uri)
    assert shown.exit_code == 0 and "Check creation dates." in shown.stdout and "core" in shown.stdout

    out = tmp_path / "ring.json"
    res = _run("case", "export", "ring", "--out", str(out), "--store", store_uri)
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["case"]["params"]["time_window"] == 10 and len(data["edges"]) == 3
    md = _run("case", "export", "ring", "--format", "md", "--store", store_uri).stdout
    assert md.startswith("## Case: ring")

    audit = json.loads(_run("case", "audit", "--format", "json", "--store", store_uri).stdout)
    assert audit[0]["run_id"] == run.run_id and audit[0]["cases"] == ["ring"]

    assert _run("case", "delete", "ring", "--store", store_uri).exit_code == 0
    assert "no saved cases" in _run("case", "list", "--store", store_uri).stdout


def test_case_errors_are_one_line_exit_2(store_uri):
    res = _run("case", "show", "nope", "--store", store_uri)
    assert res.exit_code == 2 and "no case named 'nope'" in res.output
    res = _run("case", "save", "x", "--view", "{not json", "--store", store_uri)
    assert res.exit_code == 2 and "--view #1: not valid JSON" in res.output
    res = _run("case", "save", "x", "--run", "latest", "--store", store_uri)
    assert res.exit_code == 2 and "holds no complete run" in res.output
    res = _run("case", "save", "x", "--run", "run-missing", "--store", store_uri)
    assert res.exit_code == 2 and "run 'run-missing' is not in the store" in res.output
    res = _run("case", "list", "--format", "xml", "--store", store_uri)
    assert res.exit_code == 2
