"""`coordgraph demo` runs the main job end to end in a real store and recovers the plants."""
from typer.testing import CliRunner

from coordgraph.cli import app
from coordgraph.cli.demo import demo_tables
from coordgraph.cypher.runs import list_runs


def test_demo_recovers_every_planted_account_and_flags_no_innocent(store, store_uri):
    res = CliRunner().invoke(app, ["demo", "--no-serve", "--store", store_uri])
    assert res.exit_code == 0, res.output
    runs = list_runs(store)
    assert len(runs) == 1
    run_id = runs[0]["id"]
    found = {r["a"] for r in store.read(
        "MATCH (a:Account)-[c:COORDINATED]-(:Account) WHERE c.run_id = $run RETURN DISTINCT a.id AS a",
        {"run": run_id})}
    _, _, planted, _ = demo_tables(7)
    assert found == set().union(*planted.values())
    assert "innocent accounts flagged" in res.output
    assert "#inflatedday" in res.output and "#organicday: " in res.output
