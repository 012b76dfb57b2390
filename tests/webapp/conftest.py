"""Web app fixtures: a simulated campaign in the embedded store, the app on a free port,
and headless Chromium (the Debian binary, driven by Playwright)."""
from __future__ import annotations

import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from coordgraph.reporting.pdf import ARGS as CHROMIUM_ARGS
from coordgraph.reporting.pdf import chromium_path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "webapp"
CHROMIUM = chromium_path()


@pytest.fixture(scope="module")
def campaign(embedded_server):
    """(store, run id, simulation): the 4-campaign simulation ingested and analysed."""
    from coordgraph.cypher.store import FalkorStore
    from tests.webapp.campaign import load_campaign

    st = FalkorStore(embedded_server.host, embedded_server.port, f"webapp_{uuid.uuid4().hex[:8]}")
    st.ensure_schema()
    run_id, sim = load_campaign(st)
    yield st, run_id, sim
    st.clear()
    st.close()


@pytest.fixture(scope="module")
def app_server(campaign):
    """The app over the campaign, served on 127.0.0.1 on a free port."""
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.server import AppServer

    st, run_id, _ = campaign
    app = create_app(st, run_id=run_id)
    app.state.warm_up(run_id)
    srv = AppServer(app, "127.0.0.1", 0).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium; the tests are skipped when the binary is missing."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@contextmanager
def open_page(browser, url: str, *, height: int = 1000, timeout_ms: int = 20_000, downloads: bool = False):
    """A fresh browser context and page, 1600 px wide, opened on ``url``; closed after."""
    ctx = browser.new_context(viewport={"width": 1600, "height": height}, accept_downloads=downloads)
    try:
        pg = ctx.new_page()
        pg.set_default_timeout(timeout_ms)
        pg.goto(url)
        yield pg
    finally:
        ctx.close()


@pytest.fixture
def page(browser, app_server):
    """A fresh browser page on the app, downloads allowed, 1600x1000."""
    with open_page(browser, app_server.url, downloads=True) as pg:
        yield pg


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/webapp/ (gitignored): screenshots and downloads of the browser tests."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def dead_store(tmp_path_factory):
    """A real FalkorStore whose embedded server has been stopped (the store is down)."""
    from coordgraph.cypher import server
    from coordgraph.cypher.store import FalkorStore

    home = tmp_path_factory.mktemp("dead_home")
    info = server.start(home)
    st = FalkorStore(info.host, info.port, "webapp_dead")
    server.stop(home)
    yield st
    st.close()


@pytest.fixture(scope="module")
def investigation(embedded_server):
    """(store, run id, simulation, organic): 4 planted campaigns + 8 organic fan clusters,
    accounts with followers and creation dates (tests.webapp.campaign.investigation_tables)."""
    from coordgraph.cypher.store import FalkorStore
    from tests.webapp.campaign import load_investigation

    st = FalkorStore(embedded_server.host, embedded_server.port, f"workbench_{uuid.uuid4().hex[:8]}")
    st.ensure_schema()
    run_id, sim, organic = load_investigation(st)
    yield st, run_id, sim, organic
    st.clear()
    st.close()


@pytest.fixture(scope="module")
def workbench_server(investigation):
    """The app over the investigation data set on a free port."""
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.server import AppServer

    st, run_id, _, _ = investigation
    app = create_app(st, run_id=run_id)
    app.state.warm_up(run_id)
    srv = AppServer(app, "127.0.0.1", 0).start()
    yield srv
    srv.stop()


@pytest.fixture
def wpage(browser, workbench_server):
    """A fresh 1600x1000 browser page on the investigation app."""
    with open_page(browser, workbench_server.url, downloads=True) as pg:
        yield pg
