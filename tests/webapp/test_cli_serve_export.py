"""``coordgraph export`` and ``coordgraph serve`` from the command line."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pandas as pd
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app


def test_export_every_format(campaign, tmp_path):
    st, run_id, sim = campaign
    runner = CliRunner()
    for fmt in ("csv", "gexf", "graphml", "json", "svg", "html"):
        out = tmp_path / f"c1.{fmt}"
        r = runner.invoke(app, ["export", "--store", st.uri, "--run", run_id, "--community", "1",
                                "--format", fmt, "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 100
    members = pd.read_csv(tmp_path / "c1.csv")
    assert len(members) == 12 and set(members["account_id"]) <= sim.coordinated_accounts
    assert len(json.loads((tmp_path / "c1.json").read_text())["elements"]["edges"]) == 66
    assert run_id in (tmp_path / "c1.html").read_text()


def test_export_errors_are_one_line(campaign, tmp_path):
    st, run_id, _ = campaign
    runner = CliRunner()
    r = runner.invoke(app, ["export", "--store", st.uri, "--run", "nope", "--community", "1"])
    assert r.exit_code == 2 and "no complete run 'nope'" in r.output
    r = runner.invoke(app, ["export", "--store", st.uri, "--run", run_id, "--community", "99", "--out",
                            str(tmp_path / "x.csv"), "--format", "csv"])
    assert r.exit_code == 2 and "no community 99" in r.output
    r = runner.invoke(app, ["export", "--store", st.uri, "--run", run_id, "--community", "1", "--format", "docx"])
    assert r.exit_code == 2 and "unknown format 'docx'" in r.output


def test_export_pdf_report(campaign, tmp_path):
    """`coordgraph export --format pdf`: the report printed by Chromium, same content as HTML."""
    import shutil

    from coordgraph.reporting.pdf import chromium_path

    if not shutil.which(chromium_path()):  # read now: a test may have pointed it elsewhere
        pytest.skip("no Chromium")
    st, run_id, _ = campaign
    out = tmp_path / "c0.pdf"
    r = CliRunner().invoke(app, ["export", "--store", st.uri, "--run", run_id, "--community", "0", "--format", "pdf",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:5] == b"%PDF-"


def test_export_pdf_without_chromium_is_one_line(campaign, tmp_path, monkeypatch):
    """No Chromium at COORDGRAPH_CHROMIUM: exit 2 with one line naming the missing browser, no traceback
    (before the fix: PdfUnavailable escaped as a traceback, and the variable was read only at import)."""
    st, run_id, _ = campaign
    missing = tmp_path / "no-such-chromium"
    monkeypatch.setenv("COORDGRAPH_CHROMIUM", str(missing))
    out = tmp_path / "c0.pdf"
    r = CliRunner().invoke(app, ["export", "--store", st.uri, "--run", run_id, "--community", "0", "--format", "pdf",
                                 "--out", str(out)])
    assert r.exit_code == 2, (r.output, r.exception)
    assert "Traceback" not in r.output
    assert "Chromium" in r.output and str(missing) in r.output.replace("\n", "")
    assert not out.exists()


def test_serve_refuses_public_bind_without_password(monkeypatch):
    monkeypatch.delenv("COORDGRAPH_PASSWORD", raising=False)
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--store", "falkordb://127.0.0.1:1"])
    assert r.exit_code == 2 and "password" in r.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_and_answers(campaign):
    st, run_id, _ = campaign
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from coordgraph.cli import main; main()", "serve", "--store", st.uri,
                             "--port", str(port), "--run", run_id],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # no deadline of our own (a loaded machine may take long to start it): wait until it
        # answers or exits; pytest-timeout stops a hang
        body = ""
        while proc.poll() is None:
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=60).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
        assert run_id in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
