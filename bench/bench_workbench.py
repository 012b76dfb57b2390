"""The workbench bench of bench/bench_webapp.py (``--shares``): a simulated 1M-share run with
500+ communities, first page and per-callback server times in Chromium, 20 concurrent sessions.
See bench/bench_webapp.py's docstring for what is measured and how."""
from __future__ import annotations

import os
import statistics
import threading
import time
from collections import defaultdict

import numpy as np


def simulate(n_shares: int, n_communities: int, seed: int = 11):
    """(shares, posts, accounts) with ``n_communities`` campaigns of 10 accounts and enough
    background accounts (each pairs with another outside the window) to reach ``n_shares``."""
    import pandas as pd

    from coordgraph.analysis import simulate_data

    per_campaign = 45 * 3 * 2  # 45 pairs x (Poisson(1) + 2) events x 2 shares
    background = max(0, n_shares - n_communities * per_campaign) // 8  # Poisson(2) + 2 events x 2 shares
    sim = simulate_data(n_accounts_coord=10 * n_communities, n_accounts_noncoord=background, n_objects=5000,
                        n_campaigns=n_communities, seed=seed)
    shares = sim.shares
    posts = pd.DataFrame({"post_id": shares["content_id"], "account_id": shares["account_id"],
                          "ts": shares["timestamp_share"].astype("int64"), "text": "shared " + shares["object_id"]})
    accounts = pd.DataFrame({"account_id": sorted(set(shares["account_id"]))})
    accounts["handle"] = accounts["account_id"].str.replace("account_", "user_", regex=False)
    accounts["platform"] = "twitter"
    return sim, shares, posts, accounts


def load(store, n_shares: int, n_communities: int) -> str:
    from coordgraph.cypher.analyze import analyze
    from coordgraph.cypher.communities import compute_communities
    from coordgraph.cypher.ingest import ingest

    t = time.perf_counter()
    sim, shares, posts, accounts = simulate(n_shares, n_communities)
    print(f"simulated {len(shares):,} shares ({len(sim.truth):,} co-shares planted) in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    store.ensure_schema()
    ingest(store, posts=posts, accounts=accounts)
    ingest(store, shares=shares, kind="retweets")
    print(f"ingested in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    summary = analyze(store, time_window=10, min_participation=2, fast_window=5, engine="python")
    compute_communities(store, summary.run_id)
    print(f"analysed (python engine + Leiden) in {time.perf_counter() - t:.1f} s")
    return summary.run_id


class Timing:
    """WSGI wrapper: server time per request (to the last byte), keyed by Dash callback output."""

    def __init__(self, app):
        self.app = app
        self.times: dict[str, list[float]] = defaultdict(list)
        self.bodies: list[tuple[str, bytes]] = []
        self.record = True
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        import io
        import json

        started = time.perf_counter()
        key = environ.get("PATH_INFO", "")
        body = b""
        if key.endswith("_dash-update-component"):
            n = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(n)
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                key = "callback " + json.loads(body)["output"][:80]
            except (ValueError, KeyError):
                pass
        out = list(self.app(environ, start_response))
        ms = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[key].append(ms)
            if body and self.record:
                self.bodies.append((environ.get("PATH_INFO"), body))
        return out


def workbench_bench(args) -> None:
    from playwright.sync_api import sync_playwright

    from coordgraph.cypher import open_store
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.server import AppServer

    store = open_store(graph="webapp_bench_shares")
    runs = store.read("MATCH (r:Run) WHERE r.status = 'complete' RETURN r.id AS id ORDER BY r.created DESC LIMIT 1")
    if args.keep and runs:
        run_id = runs[0]["id"]
    else:
        store.clear()
        run_id = load(store, args.shares, args.communities)
    n = store.read("MATCH ()-[e:COORDINATED]->() WHERE e.run_id = $r RETURN count(e) AS n", {"r": run_id})[0]["n"]
    nc = store.read("MATCH (a)-[s:IN_RUN]->(:Run {id: $r}) RETURN count(DISTINCT s.community) AS n", {"r": run_id})[0]["n"]
    ncs = store.read("MATCH ()-[c:COSHARE]->() WHERE c.run_id = $r RETURN count(c) AS n", {"r": run_id})[0]["n"]
    print(f"run {run_id}: {n:,} COORDINATED edges, {ncs:,} co-shares, {nc:,} communities; load {os.getloadavg()}")

    t = time.perf_counter()
    app = create_app(store, run_id=run_id)
    app.state.warm_up(run_id)
    app.state.snapshot(run_id).coshares()
    print(f"server start (app + run snapshot + co-shares): {time.perf_counter() - t:.1f} s")
    timing = Timing(app.server.wsgi_app)
    app.server.wsgi_app = timing
    srv = AppServer(app, "127.0.0.1", 0).start()
    cy = "document.getElementById('graph')._cyreg.cy"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            firsts = []
            for _ in range(3):
                ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
                page = ctx.new_page()
                page.set_default_timeout(60_000)
                t = time.perf_counter()
                page.goto(srv.url)
                page.wait_for_function("() => document.querySelector('#graph-summary') && "
                                       "document.querySelector('#graph-summary').innerText.includes('answered')")
                page.wait_for_selector("#community-table td[data-dash-column=community]")
                page.wait_for_function(f"() => {cy}.elements().length > 0")
                firsts.append(time.perf_counter() - t)
                ctx.close()
            print(f"first page in Chromium (navigation until overview + ranked table drawn): "
                  f"median {statistics.median(firsts):.2f} s of {[round(x, 2) for x in firsts]}; load {os.getloadavg()}")
            timing.times.clear()
            ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = ctx.new_page()
            page.set_default_timeout(60_000)
            page.goto(srv.url)
            page.wait_for_selector("#community-table td[data-dash-column=community]")

            inflight = {"n": 0}

            def count(delta):
                def f(req):
                    if req.url.endswith("_dash-update-component"):
                        inflight["n"] += delta
                return f

            page.on("request", count(1))
            page.on("requestfinished", count(-1))
            page.on("requestfailed", count(-1))

            def settle():
                """Until no callback request has been in flight for 0.6 s (load states are
                sticky in Playwright, so networkidle would not wait after the first load)."""
                page.wait_for_timeout(300)
                quiet_since, deadline = None, time.perf_counter() + 60
                while time.perf_counter() < deadline:
                    page.wait_for_timeout(100)
                    if inflight["n"] == 0:
                        quiet_since = quiet_since or time.perf_counter()
                        if time.perf_counter() - quiet_since > 0.6:
                            return
                    else:
                        quiet_since = None

            steps = []

            def step(name, fn):
                before = {k: len(v) for k, v in timing.times.items()}
                fn()
                settle()
                new = {k: v[before.get(k, 0):] for k, v in timing.times.items() if len(v) > before.get(k, 0)}
                worst = max((max(v) for v in new.values()), default=0.0)
                steps.append((name, worst, sorted(new, key=lambda k: -max(new[k]))[:1]))

            handle = page.locator("#weight-slider [role=slider]").first
            step("threshold +10 steps", lambda: (handle.focus(), [handle.press("ArrowRight") for _ in range(10)]))
            step("fast edges only", lambda: page.locator("#fast-only label").click())
            step("fast edges off", lambda: page.locator("#fast-only label").click())
            step("symmetry slider", lambda: (page.locator("#symmetry-slider [role=slider]").first.focus(),
                                             page.keyboard.press("ArrowRight")))
            step("min community size 12", lambda: (page.fill("#min-size", "12"), page.press("#min-size", "Enter")))
            step("min community size 1", lambda: (page.fill("#min-size", "1"), page.press("#min-size", "Enter")))
            step("time range 1 h", lambda: (page.fill("#time-from", "2020-05-08 02:00"), page.press("#time-from", "Enter"),
                                            page.fill("#time-to", "2020-05-08 03:00"), page.press("#time-to", "Enter")))
            step("time range cleared", lambda: (page.fill("#time-from", ""), page.press("#time-from", "Enter"),
                                                page.fill("#time-to", ""), page.press("#time-to", "Enter")))
            step("measure: co-shares", lambda: page.locator("#community-measure label", has_text="co-shares").first.click())
            step("click table row 1", lambda: page.locator("#community-table td[data-dash-column=community]").first.click())
            step("account metric PageRank", lambda: page.locator("#account-metric label", has_text="PageRank").click())
            step("search user_0001", lambda: (page.fill("#search-input", "user_0001"), page.click("#search-button")))
            step("pick the hit", lambda: page.locator("#search-results label").first.click())
            step("back to overview", lambda: page.click("#overview-button"))
            step("replay slider to start", lambda: (page.locator("#replay [role=slider]").first.focus(),
                                                    page.keyboard.press("Home")))
            step("replay slider to end", lambda: page.keyboard.press("End"))
            ctx.close()
            browser.close()
        print(f"server answer per interaction (slowest callback of the step, ms); load {os.getloadavg()}")
        for name, worst, which in steps:
            print(f"  {name:28s} {worst:8.0f} ms  {which[0] if which else ''}")
        per_cb = {k: statistics.median(v) for k, v in timing.times.items() if k.startswith("callback")}
        print("median server time per callback (ms):")
        for k, v in sorted(per_cb.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  {v:8.0f}  {k} (n={len(timing.times[k])})")
        print(f"slowest callback per interaction: median {statistics.median([w for _, w, _ in steps]):.0f} ms, "
              f"max {max(w for _, w, _ in steps):.0f} ms")
        for think_ms in args.think_ms:
            concurrent(srv.url, timing, args.sessions, args.seconds, think_ms)
    finally:
        srv.stop()


def concurrent(url: str, timing: Timing, sessions: int, seconds: int, think_ms: int = 0) -> None:
    """``sessions`` threads, each its own browser session (cookie and CSRF token), replay the
    recorded callback requests in a loop for ``seconds``, waiting ``think_ms`` after each
    answer: 0 is a stress test (20 clients firing back to back, which no browser does: it
    draws each answer, and its user reads it); 500 ms is a quick investigator's pace."""
    import http.client
    from urllib.parse import urlparse

    bodies = [b for b in timing.bodies if b[0].endswith("_dash-update-component")]
    timing.record = False
    if not bodies:
        print("no recorded callbacks to replay")
        return
    host = urlparse(url)
    lat, errors, slow = [], [], 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def session(conn) -> dict[str, str]:
        """Open the page as a browser does: the session cookie and the CSRF token that every
        callback POST must carry (coordgraph/webapp/auth.py), sent back as the renderer does."""
        from http.cookies import SimpleCookie

        conn.request("GET", "/")
        resp = conn.getresponse()
        resp.read()
        jar = SimpleCookie()
        for header in resp.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        cookies = {k: m.value for k, m in jar.items()}
        return {"Content-Type": "application/json", "Origin": f"http://{host.hostname}:{host.port}",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                "X-CSRFToken": cookies.get("_csrf_token", "")}

    def worker(k: int) -> None:
        nonlocal slow
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        headers = session(conn)
        i = k
        while time.perf_counter() < stop:
            path, body = bodies[i % len(bodies)]
            i += 1
            t = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status in (200, 204)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                ok = False
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
                resp = exc
            ms = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(ms)
                if ms > 2000:
                    slow += 1
                if not ok:
                    errors.append(getattr(resp, "status", str(resp)))
            if think_ms:
                time.sleep(think_ms / 1000)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(sessions)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    arr = np.array(lat)
    print(f"{sessions} concurrent sessions ({think_ms} ms between answer and next request) for {seconds} s "
          f"replaying {len(bodies)} recorded callbacks: "
          f"{len(arr):,} requests, median {np.median(arr):.0f} ms, p95 {np.percentile(arr, 95):.0f} ms, "
          f"max {arr.max():.0f} ms, over 2 s: {slow}, errors: {len(errors)} {sorted(set(map(str, errors)))[:5]}; "
          f"load {os.getloadavg()}")
