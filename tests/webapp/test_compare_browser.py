"""The web app's "Compare runs" tab in headless Chromium, on the hand-worked case of
tests/compare_case.py (three runs in the store: a CooRTweet-style run, a QUT run whose directed
edges share one stored edge, a run without flags). Expected numbers come from the case's
docstring, worked by hand; screenshots go to test-artifacts/webapp/.
"""
from __future__ import annotations

import uuid

import pytest

from tests.compare_case import GROUPS, ONLY, OVERLAP, shown
from tests.webapp.conftest import open_page
from tests.webapp.test_browser import CY, pick_option, wait_drawn

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def case_store(embedded_server):
    """(store, run name -> run id): the three runs with their communities."""
    from coordgraph.cypher.communities import compute_communities
    from coordgraph.cypher.store import FalkorStore
    from tests.compare_case import store_runs

    st = FalkorStore(embedded_server.host, embedded_server.port, f"compare_{uuid.uuid4().hex[:8]}")
    st.ensure_schema()
    ids = store_runs(st)
    for run_id in ids.values():
        compute_communities(st, run_id, algorithm="louvain")
    yield st, ids
    st.clear()
    st.close()


@pytest.fixture(scope="module")
def compare_server(case_store):
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.server import AppServer

    st, ids = case_store
    app = create_app(st, run_id=ids["run1"])
    app.state.warm_up(ids["run1"])
    srv = AppServer(app, "127.0.0.1", 0).start()
    yield srv
    srv.stop()


@pytest.fixture
def cpage(browser, compare_server):
    with open_page(browser, compare_server.url) as pg:
        yield pg


def overlap_rows(page) -> list[list[str]]:
    return page.evaluate("() => [...document.querySelectorAll('#compare-overlap tbody tr')]"
                         ".map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim()))")


def drawn_accounts(page) -> set[str]:
    return set(page.evaluate(f"() => {CY}.nodes('node.account').map(n => n.data('account_id'))"))


def test_compare_three_runs_and_open_an_account_only_one_flags(cpage, case_store, artifacts):
    st, ids = case_store
    page = cpage
    wait_drawn(page)
    page.locator(".tab", has_text="Compare runs").click()
    pick_option(page, "#compare-runs", ids["run1"])
    page.wait_for_function("() => document.querySelector('#compare-message').innerText.includes('pick two')")
    pick_option(page, "#compare-runs", ids["run2"])
    page.wait_for_function("() => document.querySelectorAll('#compare-overlap tbody tr').length === 1")
    assert overlap_rows(page) == [["1", "2", *shown(OVERLAP[("run1", "run2")])]]
    pick_option(page, "#compare-runs", ids["run3"])
    page.wait_for_function("() => document.querySelectorAll('#compare-overlap tbody tr').length === 3")
    want = [[str(i), str(j), *shown(OVERLAP[(f"run{i}", f"run{j}")])] for i, j in ((1, 2), (1, 3), (2, 3))]
    assert overlap_rows(page) == want
    # per run: flagged accounts 4 each, edges 3/2/2, groups 1/2/2; the QUT run is named by its method
    per_run = page.evaluate("() => [...document.querySelectorAll('#compare-per-run tbody tr')]"
                            ".map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim()))")
    assert [r[1] for r in per_run] == [ids["run1"], ids["run2"], ids["run3"]]
    assert [r[3:] for r in per_run] == [["4", "3", "1"], ["4", "2", "2"], ["4", "2", "2"]]
    assert per_run[1][2].startswith("qut")
    # accounts only one run flags: f (run1), none (run2), d (run3)
    only = {}
    for name, run_id in ids.items():
        block = page.locator(f".compare-only:has(button[id*='{run_id}'])")
        only[name] = block.locator("button").all_inner_texts() if block.count() else []
    assert [[n, a] for n, accs in only.items() for a in accs] == ONLY
    # groups side by side: sizes per run
    sizes = page.evaluate("() => [...document.querySelectorAll('.compare-groups')].map(col => "
                          "[...col.querySelectorAll('.compare-group')].map(g => g.querySelectorAll('button').length))")
    assert sizes == [GROUPS["run1"], GROUPS["run2"], GROUPS["run3"]]
    page.screenshot(path=str(artifacts / "50_compare_runs.png"), full_page=True)

    # click f (only run1): the network tab opens run1 with f's neighbourhood (f and its partner c)
    page.locator(".compare-only button", has_text="f").click()
    page.wait_for_function("() => document.querySelector('#graph-summary')?.innerText.includes('Neighbourhood of f')")
    page.wait_for_function(f"() => {CY}.nodes('node.account').length === 2")
    assert drawn_accounts(page) == {"c", "f"}
    assert ids["run1"] in page.inner_text("#run-select")
    page.wait_for_selector("#account-title")
    page.screenshot(path=str(artifacts / "51_compare_open_f.png"))
    # back to the comparison, click d (only run3): run3 opens, d with its partner e
    page.locator(".tab", has_text="Compare runs").click()
    page.locator(".compare-only button", has_text="d").click()
    page.wait_for_function("() => document.querySelector('#graph-summary')?.innerText.includes('Neighbourhood of d')")
    page.wait_for_function(f"() => {CY}.nodes('node.account').length === 2 && "
                           f"{CY}.nodes('node.account').map(n => n.data('account_id')).includes('e')")
    assert drawn_accounts(page) == {"d", "e"}
    assert ids["run3"] in page.inner_text("#run-select")
    # the QUT run opens too: e from run2's groups, with its partner c (QUT edge c->e)
    page.locator(".tab", has_text="Compare runs").click()
    page.locator(f"[id*='compare-groups'][id*='{ids['run2']}'] button", has_text="e").click()
    page.wait_for_function("() => document.querySelector('#graph-summary')?.innerText.includes('Neighbourhood of e')")
    page.wait_for_function(f"() => {CY}.nodes('node.account').map(n => n.data('account_id')).includes('c')")
    assert drawn_accounts(page) == {"c", "e"}
    assert ids["run2"] in page.inner_text("#run-select")
    page.screenshot(path=str(artifacts / "52_compare_open_qut_run.png"))
