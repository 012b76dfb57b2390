"""Trends and Cases tabs in headless Chromium (screenshots in test-artifacts/webapp/)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def trends_saved(campaign):
    """Two simulated trends (one organic, one inflated by a campaign) stored in the campaign's store."""
    from coordgraph.analysis.trend_simulate import simulate_trend_pair
    from coordgraph.cypher.trend_store import save_trend_stats

    st, _run, _sim = campaign
    pair = simulate_trend_pair(organic_accounts=300, background_accounts=100)
    save_trend_stats(st, pair.posts, ["#organicday", "#inflatedday"], pair.accounts,
                     coordinated_accounts=pair.coordinated_accounts)
    return ["#organicday", "#inflatedday"], pair


def test_trends_side_by_side(page, trends_saved, artifacts):
    from tests.webapp.test_browser import pick_option, wait_drawn

    wait_drawn(page)
    page.click('.tab >> text="Trends"')
    page.wait_for_function("() => document.querySelector('#trend-message').innerText.includes('2 trends')")
    pick_option(page, "#trend-a", "organicday")
    pick_option(page, "#trend-b", "inflatedday")
    page.wait_for_selector("#trend-volume .scatterlayer .trace:nth-child(2)")
    page.wait_for_selector("#trend-indicators .barlayer")
    table = page.inner_text("#trend-table")
    assert "coordinated_posts_pct" in table and "duplicate_text_pct" in table
    # the inflated trend's share of posts by the campaign, worked out here from the posts
    _names, pair = trends_saved
    tagged = pair.posts[pair.posts["hashtags"].map(lambda tags: "inflatedday" in tags)]
    want = 100 * tagged["account_id"].isin(pair.coordinated_accounts).mean()
    assert 0 < want < 100
    cells = next(line for line in table.splitlines() if line.startswith("coordinated_posts_pct")).split("\t")
    assert f"{want:.4g}" in [c.strip() for c in cells[1:]], cells
    page.screenshot(path=str(artifacts / "10_trends.png"), full_page=True)


def test_save_and_reopen_case(page, campaign, artifacts):
    from coordgraph.cypher.cases import get_case
    from tests.webapp.test_browser import CY, click_until, cy_ids, pick_option, wait_drawn

    st, run_id, _ = campaign
    wait_drawn(page)
    community = cy_ids(page, "node.community")[1]
    click_until(page, community, f"() => {CY}.nodes('node.account').length > 0")
    wait_drawn(page, "expanded")
    # bookmark two accounts from their details panel
    for account in ("account_001", "account_005"):
        page.fill("#search-input", account)
        page.click("#search-button")
        page.locator("#search-results label", has_text=f"account: @{account.replace('account_', 'user')}").click()
        wait_drawn(page, "Neighbourhood")
        click_until(page, f"a:{account}", "() => document.querySelector('#bookmark-account') !== null")
        with page.expect_response(lambda r: "_dash-update-component" in r.url):
            page.click("#bookmark-account")
    page.click("#overview-button")
    wait_drawn(page, "Overview")
    click_until(page, community, f"() => {CY}.nodes('node.account').length > 0")
    wait_drawn(page, "expanded")
    page.click('.tab >> text="Cases"')
    page.fill("#case-name", "browser case")
    page.fill("#case-notes", "Campaign found by the browser test.")
    assert page.input_value("#case-bookmarks") == "account_001, account_005"
    page.click("#case-save")
    page.wait_for_selector("#case-saved")
    case = get_case(st, "browser case")
    assert case["run_id"] == run_id and case["accounts"] == ["account_001", "account_005"]
    assert case["communities"] == [int(community[2:])] and case["notes"].startswith("Campaign found")
    page.screenshot(path=str(artifacts / "11_case_saved.png"))
    # reopen in a fresh page: the saved view comes back expanded
    page.goto(page.url)
    wait_drawn(page)
    page.click('.tab >> text="Cases"')
    pick_option(page, "#case-list", "browser case")
    page.wait_for_function("() => document.querySelector('#case-detail').innerText.includes('Campaign found')")
    page.click('.tab >> text="Network"')
    page.wait_for_function(f"() => {CY}.nodes('node.account').length > 0")
    # the HTML report carries the case notes
    with page.expect_download() as info:
        page.click("#export-html")
    path = artifacts / "case_report.html"
    info.value.save_as(str(path))
    assert "Campaign found by the browser test." in path.read_text()
    page.screenshot(path=str(artifacts / "12_case_reopened.png"))


def _serve(app):
    from coordgraph.webapp.server import AppServer

    return AppServer(app, "127.0.0.1", 0).start()


def test_password_login_page(browser, campaign, artifacts):
    from coordgraph.webapp.app import create_app
    from tests.webapp.test_browser import wait_drawn

    st, run_id, _ = campaign
    srv = _serve(create_app(st, run_id=run_id, password="correct horse"))
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    page = ctx.new_page()
    try:
        page.goto(srv.url)
        page.wait_for_selector("#password")
        page.screenshot(path=str(artifacts / "13_login.png"))
        page.fill("#password", "wrong")
        page.click("#sign-in")
        page.wait_for_selector("text=Wrong password")
        page.fill("#password", "correct horse")
        page.click("#sign-in")
        assert "4 of 4 communities" in wait_drawn(page)
    finally:
        ctx.close()
        srv.stop()


def test_store_down_page_in_browser(browser, dead_store, artifacts):
    from coordgraph.webapp.app import create_app

    srv = _serve(create_app(dead_store))
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    page = ctx.new_page()
    try:
        page.goto(srv.url)
        page.wait_for_selector("#store-down")
        assert "not reachable" in page.inner_text("#store-down")
        page.screenshot(path=str(artifacts / "14_store_down.png"))
    finally:
        ctx.close()
        srv.stop()


def test_store_going_down_during_a_session(browser, tmp_path, artifacts):
    """The store stops while the app runs: filters still redraw (snapshot), details say why
    they cannot answer."""
    from coordgraph.cypher import server
    from coordgraph.cypher.store import FalkorStore
    from coordgraph.webapp.app import create_app
    from tests.webapp.campaign import load_campaign
    from tests.webapp.test_browser import CY, click_until, cy_ids, wait_drawn

    home = tmp_path / "home"
    info = server.start(home)
    try:
        st = FalkorStore(info.host, info.port, "webapp_going_down")
        run_id, _ = load_campaign(st)
        app = create_app(st, run_id=run_id)
        app.state.warm_up(run_id)
        srv = _serve(app)
        ctx = browser.new_context(viewport={"width": 1400, "height": 900})
        page = ctx.new_page()
        page.goto(srv.url)
        wait_drawn(page)
    finally:
        server.stop(home)
    try:
        community = cy_ids(page, "node.community")[0]
        click_until(page, community, "() => document.querySelector('#store-problem') !== null")
        assert "not reachable" in page.inner_text("#details")
        page.wait_for_function(f"() => {CY}.nodes('node.account').length == 12")  # expanded from memory
        page.locator("#fast-only label").click()
        wait_drawn(page, "answered")
        page.screenshot(path=str(artifacts / "16_store_went_down.png"))
    finally:
        ctx.close()
        srv.stop()
