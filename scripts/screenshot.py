"""Take the README's picture of the web app: the demo's data, one community expanded.

    .venv/bin/python scripts/screenshot.py [--out docs/img/webapp.png]

Runs ``coordgraph demo`` in a private temporary COORDGRAPH_HOME on a free port, opens the app
in headless Chromium (the Debian binary, $COORDGRAPH_CHROMIUM, driven by Playwright: install
the dev extra), clicks the largest community, saves a 1400x850 screenshot, then stops the demo
(SIGTERM: it stops the embedded store it started).
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("COORDGRAPH_CHROMIUM", "/usr/bin/chromium")
CY = "document.getElementById('graph')._cyreg.cy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "webapp.png")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="coordgraph-shot-") as home:
        env = {k: v for k, v in os.environ.items() if k != "COORDGRAPH_STORE"}
        env.update(COORDGRAPH_HOME=home, PYTHONUNBUFFERED="1",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
        demo = subprocess.Popen([sys.executable, "-m", "coordgraph.cli", "demo", "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        try:
            for line in demo.stdout:
                if "web app on" in line:
                    break
            else:
                raise SystemExit("the demo ended before the web app started")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1400, "height": 850})
                page.set_default_timeout(120_000)
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_function("() => { const g = document.getElementById('graph');"
                                       " return g && g._cyreg && g._cyreg.cy.nodes('node.community').length > 0; }")
                biggest = page.evaluate(
                    f"() => {CY}.nodes('node.community').sort((a, b) => b.data('volume') - a.data('volume'))[0].id()")
                x, y = page.evaluate(
                    """([cyexpr, id]) => { const cy = eval(cyexpr); const p = cy.getElementById(id).renderedPosition();
                         const r = document.getElementById('graph').getBoundingClientRect();
                         return [r.left + p.x, r.top + p.y]; }""", [CY, biggest])
                page.mouse.click(x, y)
                page.wait_for_function(f"() => {CY}.nodes('node.account').length > 0")
                page.wait_for_timeout(1500)  # let the layout settle before the picture
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            demo.send_signal(signal.SIGTERM)
            demo.wait()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
