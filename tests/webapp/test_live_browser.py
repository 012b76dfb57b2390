"""The live view in headless Chromium, on a live run written by ``coordgraph watch --store``
from three hand-made hours (expected values worked out by hand below, not by the code):

- hour 1: x1, x2, x3 co-share two objects (a triangle);
- hour 2: x1..x4 co-share two more objects (x4 joins: network X of 4; the old edges get
  heavier but stay "old"), y1, y2 co-share two objects (network Y, new);
- hour 3: z1..z5 co-share two objects (network Z, new, 5 accounts).

Communities (one per clique, numbered by size): after hour 2 X = 0, Y = 1; after hour 3
Z = 0, X = 1, Y = 2. Rules: a component of
at least 4 accounts (X in batch 2, subject x1; Z in batch 3, subject z1) and the watched
account y2 (batch 2). New since batch 1: X grew 3 -> 4, Y 0 -> 2, Z 0 -> 5; since batch 2:
Z only. The app is opened after hour 2 and follows the watcher when hour 3 arrives.
Screenshots go to test-artifacts/webapp/.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pytest

from tests.webapp.conftest import open_page
from tests.webapp.test_browser import CY, wait_drawn

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
T0 = 1_700_000_000 - 1_700_000_000 % 3600  # an hour boundary (UTC)
RULES = """
[[rules]]
name = "network of 4"
type = "component"
metric = "size"
at_least = 4

[[rules]]
name = "watched"
type = "watched_account"
accounts = ["y2"]
"""


def hour(k: int, groups: list[tuple[list[str], list[str]]]) -> pd.DataFrame:
    """Each group's accounts share each of its objects 1 s apart, within hour ``k`` (0-based)."""
    rows = []
    for g, (accounts, objects) in enumerate(groups):
        for j, obj in enumerate(objects):
            t = T0 + k * 3600 + 600 * g + 60 * j
            rows += [(obj, a, f"{obj}-{a}", t + i) for i, a in enumerate(accounts)]
    return pd.DataFrame(rows, columns=["obj", "user", "id", "t"])


HOURS = [
    hour(0, [(["x1", "x2", "x3"], ["ox1", "ox2"])]),
    hour(1, [(["x1", "x2", "x3", "x4"], ["ox3", "ox4"]), (["y1", "y2"], ["oy1", "oy2"])]),
    hour(2, [(["z1", "z2", "z3", "z4", "z5"], ["oz1", "oz2"])]),
]


def watch_once(inbox: Path, out: Path, uri: str, home: Path, rules: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COORDGRAPH_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "coordgraph.cli", "watch", str(inbox), "-o", str(out), "--map",
                           "object_id=obj,account_id=user,content_id=id,timestamp_share=t", "--once",
                           "--alerts", str(rules), "--store", "--store-uri", uri],
                          capture_output=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()


@pytest.fixture(scope="module")
def live(embedded_server, tmp_path_factory):
    """The live run after hours 1 and 2 (two batches), and a function that applies hour 3."""
    from coordgraph.cypher.store import FalkorStore

    tmp = tmp_path_factory.mktemp("live")
    st = FalkorStore(embedded_server.host, embedded_server.port, f"live_{uuid.uuid4().hex[:8]}")
    st.ensure_schema()
    (tmp / "rules.toml").write_text(RULES)
    inbox, out, home = tmp / "inbox", tmp / "feed", tmp / "home"
    inbox.mkdir()
    args = (inbox, out, st.uri, home, tmp / "rules.toml")
    for k in (0, 1):
        HOURS[k].to_csv(inbox / f"hour-{k}.csv", index=False)
        watch_once(*args)

    def hour_three():
        HOURS[2].to_csv(inbox / "hour-2.csv", index=False)
        watch_once(*args)

    yield st, "live-feed", hour_three
    st.clear()
    st.close()


@pytest.fixture(scope="module")
def live_page(live, browser):
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.server import AppServer

    st, run_id, _ = live
    app = create_app(st, run_id=run_id)
    app.live_refresh_ms = 1000  # the test follows the watcher at 1 s instead of 30 s
    srv = AppServer(app, "127.0.0.1", 0).start()
    with open_page(browser, srv.url, height=1100, timeout_ms=30_000) as page:
        yield page
    srv.stop()


def pick(page, dropdown: str, text: str, until: str, tries: int = 5) -> None:
    """Choose ``text`` in a Dash dropdown until ``until`` (JS) holds: a re-render by the live
    refresh may close the list, or take the click, in which case the choice is made again."""
    for attempt in range(tries):
        page.click(dropdown)
        page.keyboard.type(text)
        try:
            page.locator(".dash-options-list-option-text", has_text=text).first.click(timeout=5_000)
            page.wait_for_function(until, timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - closed by a re-render: try again
            page.keyboard.press("Escape")
            if attempt == tries - 1:
                raise


def texts(page, cls: str) -> list[str]:
    return page.locator(f".{cls}").all_inner_texts()


def drawn_accounts(page, visible_only: bool = False) -> set[str]:
    flt = ".filter(n => n.visible())" if visible_only else ""
    return set(page.evaluate(f"() => {CY}.nodes('node.account'){flt}.map(n => n.data('account_id'))"))


def test_live_view_follows_the_watcher(live, live_page, artifacts):
    st, run_id, hour_three = live
    page = live_page
    wait_drawn(page)
    page.wait_for_selector("#live-panel", state="visible")
    assert "batch 2" in page.inner_text("#live-status")
    # alerts after two hours: X (subject x1) and the watched y2
    page.wait_for_function("() => document.querySelectorAll('.live-alert-item').length === 2")
    alerts = texts(page, "live-alert-item")
    assert any("network of 4" in a and "x1" in a and "batch 2" in a for a in alerts)
    assert any("watched" in a and "y2" in a for a in alerts)
    # new since batch 1: X grew 3 -> 4, Y is new with 2 accounts
    pick(page, "#live-since", "batch 1",
         until="() => document.querySelector('#live-since-explain').innerText.includes('new since batch 1')")
    page.wait_for_function("() => document.querySelectorAll('.live-growth-item').length === 2")
    assert sorted(texts(page, "live-growth-item")) == ["#0: 3 → 4 accounts", "#1: 0 → 2 accounts (new)"]
    page.screenshot(path=str(artifacts / "40_live_since_batch1.png"), full_page=True)
    # a click on X opens it: x1..x4 drawn, x4 marked new, the others not
    page.locator(".live-growth-item", has_text="#0:").click()
    page.wait_for_selector("#community-title")
    assert "#0" in page.inner_text("#community-title")
    page.wait_for_function(f"() => {CY}.nodes('node.account').length === 4")
    assert drawn_accounts(page) == {"x1", "x2", "x3", "x4"}
    new = page.evaluate(f"() => {CY}.nodes('node.account').filter(n => n.style('border-width') === '4px')"
                        ".map(n => n.data('account_id'))")
    assert new == ["x4"]
    new_edges = page.evaluate(f"() => {CY}.edges('edge.edge[first_batch > 1]').length")
    assert new_edges == 3  # x4 with x1, x2, x3
    page.screenshot(path=str(artifacts / "41_live_growing_network_open.png"), full_page=True)
    # only new: the three old accounts are hidden
    page.locator("#live-mode label", has_text="only new").click()
    page.wait_for_function(f"() => {CY}.nodes('node.account').filter(n => n.visible()).length === 1")
    assert drawn_accounts(page, visible_only=True) == {"x4"}
    page.locator("#live-mode label", has_text="highlight new").click()

    # hour 3 arrives: the app notices the new batch by itself
    hour_three()
    page.wait_for_function("() => document.querySelector('#live-status').innerText.includes('batch 3')")
    page.wait_for_function("() => document.querySelectorAll('.live-alert-item').length === 3")
    page.wait_for_function("() => document.querySelectorAll('.live-growth-item').length === 3")
    # the communities were renumbered by size: Z (5) = 0, X (4) = 1, Y (2) = 2
    assert sorted(texts(page, "live-growth-item")) == ["#0: 0 → 5 accounts (new)", "#1: 3 → 4 accounts",
                                                       "#2: 0 → 2 accounts (new)"]
    # a UTC time instead of a batch: the end of hour 2 = after batch 2 -> Z only
    page.fill("#live-since-time", pd.Timestamp(T0 + 2 * 3600 - 1, unit="s").strftime("%Y-%m-%d %H:%M"))
    page.press("#live-since-time", "Enter")
    page.wait_for_function("() => document.querySelectorAll('.live-growth-item').length === 1")
    assert texts(page, "live-growth-item") == ["#0: 0 → 5 accounts (new)"]
    assert "after batch 2" in page.inner_text("#live-since-explain")
    # the new alert (Z, batch 3, subject z1) opens community 0 with z1..z5
    page.locator(".live-alert-item", has_text="z1").click()
    page.wait_for_function("() => (document.querySelector('#community-title') || {innerText: ''}).innerText.includes('#0')")
    page.wait_for_function(f"() => {CY}.nodes('node.account').length === 5")
    assert drawn_accounts(page) == {"z1", "z2", "z3", "z4", "z5"}
    page.screenshot(path=str(artifacts / "42_live_alert_open.png"), full_page=True)
