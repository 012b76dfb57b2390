"""The app in headless Chromium on a simulated campaign in the embedded store.

Walks an investigator's path: overview, expand a community, click an edge and read its
provenance, move the threshold slider, search, run a console query, try a write and see it
refused, download every export. A screenshot of each screen goes to test-artifacts/webapp/.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

CY = "document.getElementById('graph')._cyreg.cy"


def wait_drawn(page, contains: str = "answered") -> str:
    """Wait for the network summary line to report a finished redraw; return it."""
    page.wait_for_function(
        "t => { const e = document.querySelector('#graph-summary'); return e && e.innerText.includes(t); }",
        arg=contains)
    page.wait_for_function(f"() => {CY} && {CY}.elements().length > 0")
    return page.inner_text("#graph-summary")


def screen_point(page, element_id: str) -> tuple[float, float]:
    """Page coordinates of a node's centre or an edge's midpoint."""
    x, y = page.evaluate(
        """([cyexpr, id]) => { const cy = eval(cyexpr); const el = cy.getElementById(id);
             const p = el.isNode() ? el.renderedPosition() : el.renderedMidpoint();
             const r = document.getElementById('graph').getBoundingClientRect();
             return [r.left + p.x, r.top + p.y]; }""", [CY, element_id])
    return x, y


def click_until(page, element_id: str, done_js: str, tries: int = 3) -> None:
    """Click an element of the drawing until ``done_js`` holds (a redraw may move it once)."""
    for _ in range(tries):
        page.mouse.click(*screen_point(page, element_id))
        try:
            page.wait_for_function(done_js, timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - retried, then the last wait raises
            pass
    page.wait_for_function(done_js, timeout=5_000)


def naive_volumes(st, run_id: str, *, intents: tuple[str, ...] = (), time_from: int | None = None,
                  time_to: int | None = None) -> list[int]:
    """The community volumes the overview should draw, worked out without the app's code:
    plain queries of the run's COORDINATED edges, its accounts' communities and (for an
    intent filter) its COSHARE relationships, then a loop. An edge is kept when its accounts
    co-shared an object of one of ``intents`` (its COSHARE kind, else the Object's kind) and
    its co-shares overlap [time_from, time_to] (last_ts >= time_from, first_ts <= time_to);
    a kept edge adds its weight to each of its accounts' communities, once when both are in
    the same one. Sorted volumes of the communities with at least one kept edge."""
    edges = st.read("MATCH (a:Account)-[e:COORDINATED]->(b:Account) WHERE e.run_id = $r "
                    "RETURN a.id AS a, b.id AS b, e.weight AS w, e.first_ts AS first, e.last_ts AS last",
                    {"r": run_id})
    community = {r["id"]: r["c"] for r in st.read(
        "MATCH (a:Account)-[s:IN_RUN]->(:Run {id: $r}) RETURN a.id AS id, s.community AS c", {"r": run_id})}
    pairs = None
    if intents:
        rows = st.read("MATCH (a:Account)-[c:COSHARE]->(b:Account) WHERE c.run_id = $r "
                       "OPTIONAL MATCH (o:Object {id: c.object_id}) "
                       "RETURN a.id AS a, b.id AS b, c.kind AS kind, o.kind AS object_kind", {"r": run_id})
        pairs = {frozenset((r["a"], r["b"])) for r in rows
                 if (r["kind"] if r["kind"] is not None else r["object_kind"]) in intents}
    volume: dict[int, int] = {}
    for e in edges:
        if pairs is not None and frozenset((e["a"], e["b"])) not in pairs:
            continue
        if time_from is not None and e["last"] is not None and e["last"] < time_from:
            continue
        if time_to is not None and e["first"] is not None and e["first"] > time_to:
            continue
        ends = {community.get(e["a"]), community.get(e["b"])}
        for c in {-1 if c is None else c for c in ends}:
            volume[c] = volume.get(c, 0) + int(e["w"])
    return sorted(volume.values())


def cy_ids(page, selector: str) -> list[str]:
    return page.evaluate(f"s => {CY}.elements(s).map(e => e.id())", selector)


def pick_option(page, dropdown: str, text: str, tries: int = 3) -> None:
    """Choose ``text`` in a Dash dropdown; retried when a callback re-renders it meanwhile."""
    for attempt in range(tries):
        page.wait_for_load_state("networkidle")
        page.click(dropdown)
        page.keyboard.type(text)
        try:
            page.locator(".dash-options-list-option-text", has_text=text).first.click(timeout=5_000)
            return
        except Exception:  # noqa: BLE001 - closed by a re-render: try again
            page.keyboard.press("Escape")
            if attempt == tries - 1:
                raise


def test_overview_expand_and_edge_provenance(page, campaign, artifacts):
    st, run_id, sim = campaign
    summary = wait_drawn(page)
    assert "4 of 4 communities" in summary
    page.screenshot(path=str(artifacts / "01_overview.png"))
    communities = cy_ids(page, "node.community")
    assert len(communities) == 4
    # expand the first community with a real click on its node
    click_until(page, communities[0], f"() => {CY}.nodes('node.account').length > 0")
    wait_drawn(page, "expanded")
    members = page.evaluate(f"() => {CY}.nodes('node.account').map(n => n.data('account_id'))")
    # a planted campaign is one community: all its members are coordinated accounts
    assert set(members) <= sim.coordinated_accounts and len(members) == 12
    page.wait_for_selector("#community-members")
    page.screenshot(path=str(artifacts / "02_community_expanded.png"))
    # click an edge: the details panel shows the co-shares behind it
    # zoom on the heaviest edge (never return cy objects to Python: serialising them is slow)
    edge = page.evaluate(f"() => {CY}.edges('edge.edge').max(e => e.data('weight')).ele.id()")
    page.evaluate(f"id => {{ {CY}.zoom(2.5); {CY}.center({CY}.getElementById(id)); }}", edge)
    click_until(page, edge, "() => document.querySelector('#provenance-table') !== null")
    title = page.inner_text("#details")
    # the click may land on a parallel-looking neighbour: read whichever edge cytoscape selected
    clicked = cy_ids(page, "edge.edge:selected") or [edge]
    data = page.evaluate(f"id => {CY}.getElementById(id).data()", clicked[0])
    a, b = data["account_id"], data["account_id_y"]
    assert a in title and b in title
    rows = page.locator("#provenance-table tbody tr").count()
    expected = st.read("MATCH (x:Account {id: $a})-[c:COSHARE]-(y:Account {id: $b}) WHERE c.run_id = $r "
                       "RETURN count(c) AS n", {"a": a, "b": b, "r": run_id})[0]["n"]
    assert rows == expected == data["weight"]  # weight = co-shares behind the edge
    first = page.locator("#provenance-table tbody tr").first.inner_text()
    assert "object_" in first
    page.screenshot(path=str(artifacts / "03_edge_provenance.png"))


def test_threshold_slider_redraws_from_store(page, campaign, artifacts):
    wait_drawn(page)
    community = cy_ids(page, "node.community")[0]
    click_until(page, community, f"() => {CY}.nodes('node.account').length > 0")
    wait_drawn(page, "expanded")
    edges_before = len(cy_ids(page, "edge.edge"))
    before = page.inner_text("#weight-explain")
    handle = page.locator("#weight-slider [role=slider]").first
    handle.focus()
    for _ in range(90):
        handle.press("ArrowRight")
    page.wait_for_function("t => document.querySelector('#weight-explain').innerText !== t", arg=before)
    after = page.inner_text("#weight-explain")
    kept_before = int(before.split(":")[1].split(" of ")[0].replace(",", ""))
    kept_after = int(after.split(":")[1].split(" of ")[0].replace(",", ""))
    assert kept_after < kept_before
    page.wait_for_function(f"n => {CY}.edges('edge.edge').length < n", arg=edges_before)
    weights = page.evaluate(f"() => {CY}.edges('edge.edge').map(e => e.data('weight'))")
    min_weight = float(after.split(">=")[1].split(":")[0])
    assert weights and min(weights) >= min_weight  # only edges above the threshold are drawn
    page.screenshot(path=str(artifacts / "04_threshold_moved.png"))


def test_search_jumps_to_neighbourhood_and_account_details(page, campaign, artifacts):
    st, run_id, sim = campaign
    wait_drawn(page)
    target = sorted(sim.coordinated_accounts)[0]
    page.fill("#search-input", target)
    page.click("#search-button")
    page.locator("#search-results label", has_text=f"account: @{target.replace('account_', 'user')}").click()
    summary = wait_drawn(page, "Neighbourhood")
    assert target.replace("account_", "user") in summary
    assert f"a:{target}" in cy_ids(page, "node.focus")
    # picking the hit shows its details (no click on the small node needed): the rest of its campaign
    page.wait_for_function("() => document.querySelectorAll('#account-partners tbody tr').length == 11")
    assert page.locator("#account-posts tbody tr").count() > 0
    page.screenshot(path=str(artifacts / "05_search_account.png"))
    # an object: the accounts that co-shared it
    page.fill("#search-input", "retweets:object_30")
    page.click("#search-button")
    page.locator("#search-results label", has_text="object: retweets:object_30").click()
    summary = wait_drawn(page, "co-shared retweets:object_30")
    sharers = st.read("MATCH (a)-[c:COSHARE]->(b) WHERE c.run_id = $r AND c.object_id = $o "
                      "RETURN collect(DISTINCT a.id) + collect(DISTINCT b.id) AS ids",
                      {"r": run_id, "o": "retweets:object_30"})[0]["ids"]
    drawn = page.evaluate(f"() => {CY}.nodes('node.account').map(n => n.data('account_id'))")
    assert drawn and set(drawn) <= set(sharers)
    page.screenshot(path=str(artifacts / "05b_search_object.png"))


def test_console_reads_and_refuses_writes(page, campaign, artifacts):
    st, run_id, _ = campaign
    wait_drawn(page)
    page.click('.tab >> text="Console"')
    page.fill("#console-query", "MATCH (a:Account)-[s:IN_RUN]->(:Run {id: $run}) "
                                "RETURN s.community AS community, count(a) AS accounts ORDER BY community")
    page.fill("#console-params", json.dumps({"run": run_id}))
    page.click("#console-run")
    page.wait_for_selector("#console-ok")
    assert page.inner_text("#console-ok").startswith("4 rows")
    cells = page.locator("#console-table td[data-dash-column=accounts]").all_inner_texts()
    assert [int(c) for c in cells] == [12, 12, 12, 12]
    page.screenshot(path=str(artifacts / "06_console_query.png"))
    before = st.read("MATCH (a:Account) RETURN count(a) AS n")[0]["n"]
    page.fill("#console-query", "CREATE (:Account {id: 'intruder'})")
    page.fill("#console-params", "{}")
    page.click("#console-run")
    page.wait_for_selector("#console-refused")
    assert "read-only" in page.inner_text("#console-refused")
    page.fill("#console-query", "match (a:Account {id: 'account_001'}) detach delete a")
    page.click("#console-run")
    page.wait_for_function("() => document.querySelector('#console-refused').innerText.includes('DETACH')")
    assert st.read("MATCH (a:Account) RETURN count(a) AS n")[0]["n"] == before
    page.screenshot(path=str(artifacts / "07_console_write_refused.png"))


def test_library_query_runs_in_console(page, campaign):
    st, run_id, _ = campaign
    wait_drawn(page)
    page.click('.tab >> text="Console"')
    pick_option(page, "#console-library", "webapp_community_members")
    page.wait_for_function("() => document.querySelector('#console-query').value.includes('IN_RUN')")
    page.fill("#console-params", json.dumps({"run_id": run_id, "community": 0}))
    page.click("#console-run")
    page.wait_for_selector("#console-ok")
    assert page.inner_text("#console-ok").startswith("12 rows")


def _download(page, button: str, artifacts, name: str):
    with page.expect_download() as info:
        page.click(button)
    path = artifacts / name
    info.value.save_as(str(path))
    return path


def test_exports_download(page, campaign, artifacts):
    st, run_id, sim = campaign
    wait_drawn(page)
    community = cy_ids(page, "node.community")[0]
    click_until(page, community, f"() => {CY}.nodes('node.account').length > 0")
    wait_drawn(page, "expanded")
    page.click("text=selected community")
    csv = _download(page, "#export-csv", artifacts, "community.csv")
    members = pd.read_csv(csv)
    assert len(members) == 12 and set(members["account_id"]) <= sim.coordinated_accounts
    gexf = _download(page, "#export-gexf", artifacts, "community.gexf")
    assert ET.parse(gexf).getroot().tag.endswith("gexf")
    graphml = _download(page, "#export-graphml", artifacts, "community.graphml")
    import networkx as nx

    g = nx.read_graphml(graphml)
    assert g.number_of_nodes() == 12 and g.number_of_edges() == 66  # a planted campaign is a clique
    cj = json.loads(_download(page, "#export-json", artifacts, "community.json").read_text())
    assert len(cj["elements"]["nodes"]) == 12
    report = _download(page, "#export-html", artifacts, "community_report.html").read_text()
    assert run_id in report and "Top shared objects" in report and "<svg" in report
    page.click("text=current view")
    view_csv = pd.read_csv(_download(page, "#export-csv", artifacts, "view.csv"))
    assert len(view_csv) == 12
    png = _download(page, "#export-png", artifacts, "view.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.screenshot(path=str(artifacts / "08_exports.png"))
    # the report opens and renders in the browser
    page.goto(f"file://{artifacts / 'community_report.html'}")
    page.wait_for_selector("svg")
    page.wait_for_selector(".plot .main-svg")  # the inlined plotly timeline drew itself offline
    page.screenshot(path=str(artifacts / "09_report.png"), full_page=True)
    # ... and prints to PDF
    page.emulate_media(media="print")
    pdf = page.pdf(path=str(artifacts / "community_report.pdf"), format="A4", print_background=True)
    assert pdf[:5] == b"%PDF-" and pdf.count(b"/Type /Page") >= 2


def test_intent_filter_redraws(page, campaign, artifacts):
    st, run_id, _ = campaign
    wait_drawn(page)
    before = page.inner_text("#graph-summary")
    page.locator("#intents label", has_text="hashtags").click()
    page.wait_for_function("t => { const e = document.querySelector('#graph-summary');"
                           " return e.innerText !== t && e.innerText.includes('answered'); }", arg=before)
    want = naive_volumes(st, run_id, intents=("hashtags",))
    assert want and want != naive_volumes(st, run_id)  # the filter changes the picture
    page.wait_for_function(
        f"w => JSON.stringify({CY}.nodes('node.community').map(n => n.data('volume')).sort((a, b) => a - b))"
        " === JSON.stringify(w)", arg=want)
    page.screenshot(path=str(artifacts / "15_intent_hashtags.png"))


def test_time_range_filter_and_bad_input(page, campaign, artifacts):
    st, run_id, _ = campaign
    wait_drawn(page)
    page.fill("#time-from", "yesterday")
    page.press("#time-from", "Enter")
    page.wait_for_function("() => document.querySelector('#filter-error').innerText.includes('not a time')")
    page.fill("#time-from", "2020-05-08 00:00")
    page.press("#time-from", "Enter")
    page.fill("#time-to", "2020-05-08 00:30")
    page.press("#time-to", "Enter")
    page.wait_for_function("() => document.querySelector('#filter-error').innerText === ''")
    # 2020-05-08 00:00 and 00:30 UTC, as UNIX seconds
    want = naive_volumes(st, run_id, time_from=1588896000, time_to=1588897800)
    assert want and want != naive_volumes(st, run_id)
    # the drawing shows exactly the volumes of the time-filtered snapshot (waits for the redraw)
    page.wait_for_function(
        f"w => JSON.stringify({CY}.nodes('node.community').map(n => n.data('volume')).sort((a, b) => a - b))"
        " === JSON.stringify(w)", arg=want)
    page.screenshot(path=str(artifacts / "17_time_range.png"))
