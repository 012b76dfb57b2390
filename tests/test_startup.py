"""Start-up of the ``coordgraph`` command: help and light commands import no heavy library.

Why: pandas alone takes ~0.4 s to import; researchers run coordgraph in loops, so the help
and every command that does not need pandas, pyarrow, igraph, dash or pyspark must not load
them. Each check runs the real entry point in a fresh interpreter and lists ``sys.modules``
(speed itself is measured by bench/bench_startup.py, never here). The whole-process exit path
(coordgraph.cli.main's fast exit) is checked too: exit codes and output survive it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "pyarrow", "numpy", "igraph", "leidenalg", "networkx", "dash", "plotly", "pyspark",
         "falkordb", "neo4j", "redis")

PROBE = """
import json, sys
wanted = set(json.loads(sys.argv[2]))
sys.argv = ["coordgraph", *json.loads(sys.argv[1])]
from coordgraph.cli import app
try:
    app()
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & wanted)
print("IMPORTED=" + json.dumps(heavy), file=sys.stderr)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def imported_by(args: list[str]) -> list[str]:
    """Heavy top-level packages in sys.modules after running ``coordgraph ARGS``."""
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
                          capture_output=True, text=True, env=_env())
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("IMPORTED=")]
    assert line, proc.stderr
    return json.loads(line[-1].split("=", 1)[1])


@pytest.mark.parametrize("args", [
    ["--help"],
    ["--version"],
    ["detect", "--help"],
    ["shares", "--help"],
    ["db", "--help"],
    ["trends", "--help"],
    ["serve", "--help"],
    ["demo", "--help"],
])
def test_help_imports_no_heavy_library(args):
    assert imported_by(args) == [], f"coordgraph {' '.join(args)} imported heavy libraries"


def test_help_does_not_import_pandas():
    """The issue's own check, named: `coordgraph --help` must not import pandas."""
    assert "pandas" not in imported_by(["--help"])


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coordgraph.cli", *args], capture_output=True, text=True,
                          env=_env(), cwd=cwd)


def test_entry_point_exit_codes_and_output_survive_the_fast_exit(tmp_path):
    """The fast exit keeps exit codes (0, 2 for user errors, 2 for usage errors) and
    flushes everything the command printed and wrote."""
    toy = ROOT / "tests" / "fixtures" / "coortweet" / "toy" / "T1_input.csv"
    ok = _run("detect", str(toy), "--out", str(tmp_path / "run"), "--min-participation", "1", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "coordinated co-shares" in ok.stderr
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["input_rows"] == 5
    version = _run("--version", cwd=tmp_path)
    assert (version.returncode, version.stdout.strip()) == (0, "coordgraph 0.1.0")
    missing = _run("detect", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert missing.returncode == 2 and "nope.csv" in missing.stderr
    usage = _run("detect", "--no-such-option", cwd=tmp_path)
    assert usage.returncode == 2


def test_command_map_matches_the_registered_commands():
    """coordgraph.cli.main imports only the module of the command being run, found in
    COMMAND_MODULE: the map must name every command and group, with its module."""
    from coordgraph.cli import COMMAND_MODULE, app

    found = {}
    for info in app.registered_commands:
        name = info.name or info.callback.__name__.replace("_", "-")
        found[name] = info.callback.__module__.rsplit(".", 1)[1]
    for group in app.registered_groups:
        found[group.name] = group.typer_instance.registered_commands[0].callback.__module__.rsplit(".", 1)[1]
    assert found == COMMAND_MODULE


def test_a_command_loads_only_its_module():
    code = ("import sys; from coordgraph.cli import _modules_for, register; "
            "register(_modules_for(['detect', 'x.csv', '--out', 'o'])); "
            "print(sorted(m for m in sys.modules if m.startswith('coordgraph.cli.')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True)
    assert proc.stdout.strip() == "['coordgraph.cli._app', 'coordgraph.cli.detect']"
    from coordgraph.cli import _COMMAND_MODULES, _modules_for

    assert _modules_for(["--help"]) == _COMMAND_MODULES
    assert _modules_for(["--help", "detect"]) == _COMMAND_MODULES
    assert _modules_for(["no-such-command"]) == _COMMAND_MODULES
    assert _modules_for(["db", "stop"]) == ("store",)
