"""The investigator's workbench in headless Chromium, on a data set with known answers:
4 planted campaigns and 8 organic fan clusters (tests.webapp.campaign.investigation_tables).

The path: the ranked community table (planted campaigns first), open a community from the
table, read the graph (hover, metrics, tools, replay), follow a partner and an object from the
tables to the graph, the wide evidence view, and one test per UI bug of issue 15. Screenshots go
to test-artifacts/webapp/ (gitignored). Expected values come from the simulation's truth and
the store's raw COSHARE rows, never from the code under test.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.webapp.test_browser import CY, click_until, cy_ids, screen_point, wait_drawn

pytestmark = pytest.mark.browser


def utc(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def community_of(st, run_id) -> dict[str, int]:
    rows = st.read("MATCH (a:Account)-[s:IN_RUN]->(:Run {id: $r}) RETURN a.id AS id, s.community AS c", {"r": run_id})
    return {r["id"]: int(r["c"]) for r in rows}


def table_column(page, column: str) -> list[str]:
    return page.locator(f"#community-table td[data-dash-column={column}]").all_inner_texts()


def test_ranked_table_puts_planted_campaigns_first(wpage, investigation, artifacts):
    st, run_id, sim, organic = investigation
    page = wpage
    wait_drawn(page)
    page.wait_for_function("() => document.querySelectorAll('#community-table td[data-dash-column=community]').length >= 12")
    comm = community_of(st, run_id)
    planted = {comm[a] for a in sim.coordinated_accounts}
    fans = {comm[a] for a in organic}
    assert len(planted) == 4 and len(fans) == 8 and not planted & fans
    ranked = [int(c) for c in table_column(page, "community")]
    assert set(ranked[:4]) == planted and set(ranked[4:12]) == fans
    assert [int(r) for r in table_column(page, "rank")][:12] == list(range(1, 13))
    # the overview is sized/coloured by the score, with a legend; the top community is drawn largest
    assert "suspicion score" in page.inner_text("#legend-box")
    diam = page.evaluate(f"() => Object.fromEntries({CY}.nodes('node.community').map(n => [n.data('community'), n.data('diameter')]))")
    assert max(diam, key=lambda k: diam[k]) == str(ranked[0]) or int(max(diam, key=lambda k: diam[k])) == ranked[0]
    page.screenshot(path=str(artifacts / "20_ranked_table.png"), full_page=True)
    # click the first row: that community opens (its accounts drawn, its details shown)
    page.locator("#community-table td[data-dash-column=community]").first.click()
    page.wait_for_function(f"() => {CY}.nodes('node.account').length > 0")
    members = set(page.evaluate(f"() => {CY}.nodes('node.account').map(n => n.data('account_id'))"))
    assert members and all(comm[m] == ranked[0] for m in members) and members <= sim.coordinated_accounts
    page.wait_for_selector("#community-title")
    assert f"#{ranked[0]}" in page.inner_text("#community-title")
    page.screenshot(path=str(artifacts / "21_community_from_table.png"))
    # a different measure re-colours the overview and names it in the legend
    page.locator("#community-measure label", has_text="median seconds apart").click()
    page.wait_for_function("() => document.querySelector('#legend-box').innerText.includes('median seconds apart')")


def test_time_filter_uses_coshare_times(wpage, investigation, artifacts):
    """Bug: the filter kept edges whose first-to-last span overlapped the range."""
    st, run_id, _, _ = investigation
    page = wpage
    wait_drawn(page)
    ts = [r["ts"] for r in st.read("MATCH ()-[c:COSHARE]->() WHERE c.run_id = $r RETURN c.ts AS ts ORDER BY ts",
                                   {"r": run_id})]
    spans = st.read("MATCH ()-[e:COORDINATED]->() WHERE e.run_id = $r RETURN e.first_ts AS f, e.last_ts AS l",
                    {"r": run_id})
    k = len(ts) // 2
    while ts[k + 1] - ts[k] < 4:
        k += 1
    lo, hi = ts[k] + 1, ts[k + 1] - 1  # no co-share in [lo, hi] ...
    assert not [t for t in ts if lo <= t <= hi]
    assert any(s["f"] <= hi and s["l"] >= lo for s in spans)  # ... but edges whose span covers it
    page.fill("#time-from", utc(lo))
    page.press("#time-from", "Enter")
    page.fill("#time-to", utc(hi))
    page.press("#time-to", "Enter")
    wait_summary = "() => document.querySelector('#graph-summary').innerText.includes('nothing matches')"
    page.wait_for_function(wait_summary)
    assert page.evaluate(f"() => {CY}.elements().length") == 0
    page.screenshot(path=str(artifacts / "22_time_filter_empty.png"))
    # a range holding exactly one co-share draws exactly that one edge
    page.fill("#time-from", utc(ts[k + 1]))
    page.press("#time-from", "Enter")
    page.fill("#time-to", utc(ts[k + 1]))
    page.press("#time-to", "Enter")
    page.wait_for_function("() => document.querySelector('#graph-summary').innerText.includes('1 of 1 communities')")


def test_search_handle_with_at_any_case_and_details_follow(wpage, investigation, artifacts):
    """Bugs: '@user_c6' found nothing (case, '@'); picking a hit left the old details."""
    st, run_id, sim, _ = investigation
    page = wpage
    wait_drawn(page)
    page.wait_for_selector("#community-table td[data-dash-column=community]")
    page.locator("#community-table td[data-dash-column=community]").first.click()
    page.wait_for_selector("#community-title")
    target = sorted(sim.coordinated_accounts)[5]  # account_006, handle 'User_C006' (no @)
    handle = target.replace("account_", "User_C")
    page.fill("#search-input", "@" + handle.lower())
    page.click("#search-button")
    hit = page.locator("#search-results label", has_text=f"account: {handle}")
    hit.click()
    page.wait_for_selector("#account-title")
    assert handle in page.inner_text("#account-title")
    assert page.locator("#community-title").count() == 0  # the previous community's details are gone
    wait_drawn(page, "Neighbourhood")
    page.screenshot(path=str(artifacts / "23_search_at_handle.png"))


def test_mixed_search_results_show_integer_communities(wpage, investigation):
    """Bug: accounts and objects in one list read '(community 0.0)'."""
    page = wpage
    wait_drawn(page)
    page.fill("#search-input", "FAN")
    page.click("#search-button")
    page.wait_for_selector("#search-results label")
    labels = page.locator("#search-results label").all_inner_texts()
    assert any(lbl.strip().startswith("object: urls:fanclub") for lbl in labels)
    communities = [m for lbl in labels for m in re.findall(r"\(community ([^)]*)\)", lbl)]
    assert communities and all(re.fullmatch(r"\d+", c) for c in communities), labels


def test_case_reopens_filters_and_refuses_silent_overwrite(wpage, investigation, artifacts):
    """Bugs: a reopened case lost its filters; saving under an existing name overwrote it."""
    st, run_id, _, _ = investigation
    page = wpage
    wait_drawn(page)
    page.locator("#fast-only label").click()
    page.fill("#min-size", "5")
    page.press("#min-size", "Enter")
    page.fill("#time-from", "2020-05-08 00:10")
    page.press("#time-from", "Enter")
    # the redraw with all three filters is done: only the 4 campaigns (12 accounts) are >= 5
    page.wait_for_function("() => document.querySelectorAll('#community-table td[data-dash-column=community]').length == 4"
                           " && document.querySelector('#graph-summary').innerText.includes('4 of 4 communities')")
    page.click('.tab >> text="Cases"')
    page.fill("#case-name", "fast big ones")
    page.fill("#case-notes", "first version")
    page.click("#case-save")
    page.wait_for_selector("#case-saved")
    # the same name again: refused with a message, the saved notes unchanged
    page.fill("#case-notes", "second version")
    page.click("#case-save")
    page.wait_for_selector("#case-exists")
    from coordgraph.cypher.cases import get_case

    assert get_case(st, "fast big ones")["notes"] == "first version"
    page.screenshot(path=str(artifacts / "24_case_exists.png"))
    # a fresh page: reopen the case, the filters come back
    page.goto(page.url)
    wait_drawn(page)
    page.click('.tab >> text="Cases"')
    page.click("#case-list")
    page.locator(".dash-options-list-option-text", has_text="fast big ones").first.click()
    page.wait_for_function("() => document.querySelector('#min-size').value === '5'")
    assert page.locator("#fast-only input").is_checked()
    assert page.input_value("#time-from").startswith("2020-05-08 00:10")
    # ... and replacing it when asked works
    page.locator("#case-overwrite label").click()
    page.fill("#case-notes", "second version")
    page.click("#case-save")
    page.wait_for_selector("#case-saved")
    assert get_case(st, "fast big ones")["notes"] == "second version"


def test_graph_reading_tools(wpage, investigation, artifacts):
    st, run_id, sim, _ = investigation
    page = wpage
    wait_drawn(page)
    page.wait_for_selector("#community-table td[data-dash-column=community]")
    page.locator("#community-table td[data-dash-column=community]").first.click()
    page.wait_for_function(f"() => {CY}.nodes('node.account').length == 12")
    # hover: a tooltip names the account (the table is below the graph: scroll back up first)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.click("#cy-fit")
    page.wait_for_function("() => document.querySelector('#cy-action').innerText === 'fitted'")
    node = cy_ids(page, "node.account")[0]
    x, y = screen_point(page, node)
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)
    page.wait_for_function("() => document.querySelector('#hover-info').innerText.startsWith('Account')")
    # size by PageRank: the drawn accounts carry the store's PageRank
    page.locator("#account-metric label", has_text="PageRank").click()
    page.wait_for_function(f"() => {CY}.nodes('node.account').every(n => n.data('pagerank') !== undefined)")
    pr = st.read("MATCH (a:Account)-[s:IN_RUN]->(:Run {id: $r}) RETURN a.id AS id, s.pagerank AS pr", {"r": run_id})
    want = {r["id"]: r["pr"] for r in pr}
    got = page.evaluate(f"() => Object.fromEntries({CY}.nodes('node.account').map(n => [n.data('account_id'), n.data('pagerank')]))")
    assert all(abs(got[a] - want[a]) < 1e-9 for a in got)
    # select two accounts, hide one, pin one, zoom to selection, re-layout the visible part
    page.evaluate(f"ids => {{ {CY}.nodes().unselect(); ids.forEach(i => {CY}.getElementById(i).select()); }}",
                  cy_ids(page, "node.account")[:1])
    page.click("#cy-hide")
    page.wait_for_function("() => document.querySelector('#cy-action').innerText === '1 hidden'")
    assert page.evaluate(f"() => {CY}.nodes('node.account:visible').length") == 11
    second = cy_ids(page, "node.account:visible")[0]
    page.evaluate(f"i => {CY}.getElementById(i).select()", second)
    page.click("#cy-pin")
    page.wait_for_function("() => document.querySelector('#cy-action').innerText === '1 pinned'")
    pos = page.evaluate(f"i => {CY}.getElementById(i).position()", second)
    page.click("#cy-zoom-selected")
    page.wait_for_function("() => document.querySelector('#cy-action').innerText.startsWith('zoomed')")
    page.click("#cy-relayout")
    page.wait_for_function("() => document.querySelector('#cy-action').innerText.startsWith('re-laid out')")
    assert page.evaluate(f"i => {CY}.getElementById(i).position()", second) == pos  # pinned stays
    page.screenshot(path=str(artifacts / "25_graph_tools.png"))
    page.click("#cy-show")
    page.wait_for_function(f"() => {CY}.nodes('node.account:visible').length == 12")


def test_partner_object_rows_and_wide_evidence(wpage, investigation, artifacts):
    st, run_id, sim, _ = investigation
    page = wpage
    wait_drawn(page)
    target = sorted(sim.coordinated_accounts)[0]
    page.fill("#search-input", target)
    page.click("#search-button")
    page.locator("#search-results label", has_text="account:").first.click()
    page.wait_for_selector("#account-partners")
    partner = page.locator("#account-partners button.goto").first
    name = partner.inner_text()
    partner.click()
    page.wait_for_function("n => document.querySelector('#account-title').innerText.includes(n)",
                           arg=name.replace("account_", "User_C"))
    # the title is set before the redraw answers: wait for the partner's neighbourhood itself
    # (the previous account's "Neighbourhood" summary is still on screen until then)
    page.wait_for_function(f"id => {CY}.elements('node.focus').map(e => e.id()).includes(id)",
                           arg=f"a:{name}")
    wait_drawn(page, "Neighbourhood")
    assert f"a:{name}" in cy_ids(page, "node.focus")
    # an edge: the evidence, then the wide view with every column and UTC times
    edge = page.evaluate(f"() => {CY}.edges('edge.edge').max(e => e.data('weight')).ele.id()")
    page.evaluate(f"id => {{ {CY}.zoom(2.5); {CY}.center({CY}.getElementById(id)); }}", edge)
    click_until(page, edge, "() => document.querySelector('#open-evidence') !== null")
    page.click("#open-evidence")
    page.wait_for_selector("#evidence-table")
    header = page.locator("#evidence-table th").all_inner_texts()
    for col in ("object_id", "kind", "older account", "newer account", "older post", "newer post",
                "older share (UTC)", "seconds apart", "fast"):
        assert col in header
    first = page.locator("#evidence-table tbody tr").first.inner_text()
    assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d", first)
    page.screenshot(path=str(artifacts / "26_wide_evidence.png"), full_page=True)
    # an object from a community's top objects draws the accounts that co-shared it
    page.click("#overview-button")
    page.locator("#community-table td[data-dash-column=community]").first.click()
    page.wait_for_selector("#community-objects button.goto")
    obj = page.locator("#community-objects button.goto").first
    oid = obj.inner_text()
    obj.click()
    wait_drawn(page, f"co-shared {oid}")
    page.wait_for_selector("#object-coshares")


def test_replay_slider_and_expand_neighbours(wpage, investigation, artifacts):
    st, run_id, sim, _ = investigation
    page = wpage
    wait_drawn(page)
    first = st.read("MATCH ()-[c:COSHARE]->() WHERE c.run_id = $r RETURN min(c.ts) AS t", {"r": run_id})[0]["t"]
    page.wait_for_function("() => document.querySelector('#replay-label').innerText.includes('(all)')")
    handle = page.locator("#replay [role=slider]").first
    handle.focus()
    page.keyboard.press("Home")
    # at the first co-share only the edge(s) of that moment remain
    page.wait_for_function("t => document.querySelector('#replay-label').innerText.startsWith(t)", arg=utc(first))
    page.wait_for_function(f"() => {CY}.nodes('node.community').length == 1")
    page.screenshot(path=str(artifacts / "27_replay_start.png"))
    page.keyboard.press("End")
    page.wait_for_function(f"() => {CY}.nodes('node.community').length == 12")
    # expand neighbours: an account of a campaign brings its 11 partners
    target = sorted(sim.coordinated_accounts)[0]
    page.evaluate(f"t => {{ {CY}.nodes().unselect(); }}", target)
    page.fill("#search-input", target)
    page.click("#search-button")
    page.locator("#search-results label", has_text="account:").first.click()
    wait_drawn(page, "Neighbourhood")
    page.evaluate(f"t => {CY}.getElementById('a:' + t).select()", target)
    page.click("#expand-neighbours")
    wait_drawn(page, "expanded neighbours")
    assert len(cy_ids(page, "node.account")) == 12


def test_pdf_report_button(wpage, investigation, artifacts):
    """The app's PDF button: the same report as the HTML one, printed by Chromium on the server."""
    st, run_id, sim, _ = investigation
    page = wpage
    wait_drawn(page)
    page.wait_for_selector("#community-table td[data-dash-column=community]")
    page.locator("#community-table td[data-dash-column=community]").first.click()
    page.wait_for_selector("#community-title")
    page.click("text=selected community")
    with page.expect_download(timeout=90_000) as info:
        page.click("#export-pdf")
    path = artifacts / "community_report_from_app.pdf"
    info.value.save_as(str(path))
    assert path.read_bytes()[:5] == b"%PDF-"
    # the HTML report rendered in the browser: a screenshot of the publishable report
    with page.expect_download() as info:
        page.click("#export-html")
    html_path = artifacts / "community_report_from_app.html"
    info.value.save_as(str(html_path))
    page.goto(f"file://{html_path}")
    page.wait_for_selector("p.summary")
    page.screenshot(path=str(artifacts / "28_report_from_app.png"), full_page=True)
