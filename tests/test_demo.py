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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_stops_the_embedded_store_it_started_on_sigterm(tmp_path):
    """`coordgraph demo` in its own process on a fresh COORDGRAPH_HOME: once the web app is
    up, SIGTERM ends the demo, the redis-server it started is gone, and the closing note says
    where the data are and how to reopen them."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from coordgraph.cypher import server

    home = tmp_path / "home"
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "COORDGRAPH_STORE"}
    env.update(COORDGRAPH_HOME=str(home), PYTHONUNBUFFERED="1", COLUMNS="200",
               PYTHONPATH=os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")])))
    proc = subprocess.Popen([sys.executable, "-m", "coordgraph.cli", "demo", "--port", str(_free_port())],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    seen = []
    try:
        for line in proc.stdout:  # no deadline of our own: pytest-timeout stops a hang
            seen.append(line)
            if "web app on" in line:
                break
        assert any("web app on" in line for line in seen), "".join(seen)
        info = server.status(home)
        assert info is not None and server.pid_alive(info.pid)
        proc.send_signal(signal.SIGTERM)
        rest = proc.stdout.read()
        assert proc.wait() == 0, rest
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not server.pid_alive(info.pid), "the demo left its redis-server running"
    assert server.status(home) is None
    assert f"saved in {home / 'falkordb'}" in " ".join(rest.split()), rest
    assert "coordgraph serve" in rest and "was stopped" in rest
