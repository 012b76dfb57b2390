"""The README's examples run as written, on the files in samples/ (so the README stays runnable).

Every ```bash block of README.md is read; each line whose command is ``coordgraph`` (or
``.venv/bin/coordgraph``) is run, in order, in a temporary folder holding a copy of samples/,
as ``python -m coordgraph.cli ...`` against a fresh graph of the session's embedded store
(COORDGRAPH_STORE). Long-running commands are not run: ``serve`` and ``demo`` serve the web
app until Ctrl-C (the demo has its own tests in tests/test_demo.py). Other lines of a bash
block (``source .venv/bin/activate``) are shell set-up, not examples. Each command must exit 0.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NOT_RUN = {"serve", "demo"}  # they serve until Ctrl-C


def bash_blocks(text: str) -> list[str]:
    """The contents of the ```bash fenced blocks, in order."""
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.S | re.M)


def readme_commands(text: str) -> list[list[str]]:
    """The coordgraph commands of the bash blocks as argument lists (comments dropped,
    backslash continuations joined), in README order."""
    commands = []
    for block in bash_blocks(text):
        for line in block.replace("\\\n", " ").splitlines():
            args = shlex.split(line, comments=True)
            if args and args[0] in ("coordgraph", ".venv/bin/coordgraph"):
                commands.append(args[1:])
    return commands


def test_readme_has_runnable_examples_on_the_samples():
    commands = readme_commands(README.read_text())
    names = {c[0] for c in commands if c}
    assert {"shares", "detect", "ingest", "analyze", "communities", "cypher", "trends"} <= names, names
    paths = {a for c in commands for a in c if a.startswith("samples/")}
    assert paths and all((ROOT / p).exists() for p in paths), sorted(p for p in paths if not (ROOT / p).exists())


def test_every_readme_example_runs(tmp_path, store_uri):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "samples", work / "samples")
    env = dict(os.environ)
    env.update(COORDGRAPH_STORE=store_uri, COORDGRAPH_HOME=str(tmp_path / "home"), COLUMNS="160",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    ran = []
    for args in readme_commands(README.read_text()):
        if not args or args[0] in NOT_RUN:
            continue
        proc = subprocess.run([sys.executable, "-m", "coordgraph.cli", *args], cwd=work, env=env,
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"README example failed: coordgraph {shlex.join(args)}\n{proc.stdout}\n{proc.stderr}"
        ran.append(args[0])
    assert len(ran) >= 10, ran
    # what the examples wrote says what the samples hold: exactly the planted retweet ring
    # (ring01..ring08, the first 8 accounts samples/make_samples.py creates: ids 3000001-3000008)
    vertices = (work / "run" / "vertices.csv").read_text().splitlines()[1:]
    assert {line.split(",")[0] for line in vertices} == {str(3_000_000 + i) for i in range(1, 9)}
    assert (work / "out" / "rivercity.csv").exists()
