"""The web app's guards over real HTTP on loopback (issue 15, auth): exact open paths, login
throttling, logout, CSRF on every state change, Host/Origin checks against DNS rebinding, the
password never on the command line; and in headless Chromium, that the Dash renderer passes
the CSRF check by itself."""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse

import orjson
import pytest
from typer.testing import CliRunner

from coordgraph.cli import app as cli_app

PASSWORD = "correct horse battery"


class Client:
    """A tiny cookie-keeping HTTP client on http.client: raw paths and headers, no redirects."""

    def __init__(self, port: int, host_header: str | None = None):
        self.port = port
        self.host_header = host_header or f"127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        hdrs = {"Host": self.host_header, **(headers or {})}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            hdrs["Content-Length"] = str(len(body))
        for key, value in hdrs.items():
            conn.putheader(key, value)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                val = rest.split(";", 1)[0]
                if val and "Max-Age=0" not in value and "1970" not in value:
                    self.cookies[name] = val
                else:
                    self.cookies.pop(name, None)
        conn.close()
        return resp.status, dict(resp.getheaders()), data.decode(errors="replace")

    def get(self, path: str, **headers):
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict, **headers):
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded", **headers})

    def post_json(self, path: str, payload: dict, **headers):
        return self.request("POST", path, orjson.dumps(payload), {"Content-Type": "application/json", **headers})

    def login(self, password: str = PASSWORD):
        status, _, page = self.get("/login")
        assert status == 200
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert token == self.cookies["_csrf_token"]
        return self.post_form("/login", {"password": password, "next": "/", "csrf_token": token},
                              Origin=self.origin)


#: A real callback of the app: the console's library list (no store access needed).
CALLBACK = {"output": "console-library.options", "outputs": {"id": "console-library", "property": "options"},
            "inputs": [{"id": "tabs", "property": "value", "value": "console"}],
            "changedPropIds": ["tabs.value"], "state": []}


def _serve(store, password=None):
    from coordgraph.webapp.app import create_app
    from coordgraph.webapp.server import AppServer

    return AppServer(create_app(store, password=password, bind_host="127.0.0.1"), "127.0.0.1", 0).start()


@pytest.fixture
def locked(store):
    srv = _serve(store, PASSWORD)
    yield srv
    srv.stop()


@pytest.fixture
def open_app(store):
    srv = _serve(store)
    yield srv
    srv.stop()


def test_open_paths_are_exact(locked):
    c = Client(locked.port)
    assert c.get("/login")[0] == 200
    for path in ["/loginx", "/login/../x", "/login/..%2fx", "/login/", "/favicon.icox", "/"]:
        status, headers, _ = Client(locked.port).get(path)
        assert status == 302 and headers["Location"].startswith("/login?next="), (path, status)
    assert c.get("/_dash-layout")[0] == 401
    assert c.post_json("/_dash-update-component", CALLBACK, Origin=c.origin,
                       **{"X-CSRFToken": c.cookies["_csrf_token"]})[0] == 401


def test_login_csrf_logout(locked):
    c = Client(locked.port)
    status, _, page = c.get("/login")
    token = c.cookies["_csrf_token"]
    assert c.post_form("/login", {"password": PASSWORD, "next": "/"}, Origin=c.origin)[0] == 403  # no token
    assert c.post_form("/login", {"password": PASSWORD, "csrf_token": "forged"}, Origin=c.origin)[0] == 403
    assert c.post_form("/login", {"password": PASSWORD, "csrf_token": token},
                       Origin="http://evil.example")[0] == 403
    status, headers, _ = c.login()
    assert status == 302 and headers["Location"] == "/"
    status, _, page = c.get("/")
    assert status == 200 and 'id="logout-link"' in page
    token = c.cookies["_csrf_token"]  # a new token after sign-in
    assert c.post_json("/_dash-update-component", CALLBACK, Origin=c.origin)[0] == 403
    assert c.post_json("/_dash-update-component", CALLBACK, Origin=c.origin, **{"X-CSRFToken": "x" + token})[0] == 403
    status, _, body = c.post_json("/_dash-update-component", CALLBACK, Origin=c.origin, **{"X-CSRFToken": token})
    assert status == 200 and "research_top_accounts" in body
    # sign out: a form (GET) that posts the token
    status, _, page = c.get("/logout")
    assert status == 200 and token in page
    assert c.post_form("/logout", {}, Origin=c.origin)[0] == 403
    status, headers, _ = c.post_form("/logout", {"csrf_token": token}, Origin=c.origin)
    assert status == 302 and headers["Location"] == "/login"
    assert c.get("/")[0] == 302 and c.get("/_dash-layout")[0] == 401


def test_wrong_passwords_are_throttled(locked):
    c = Client(locked.port)
    for _ in range(5):
        status, _, page = c.login("guess")
        assert status == 200 and "Wrong password" in page
    status, headers, page = c.login(PASSWORD)  # locked now, even with the right password
    assert status == 429 and int(headers["Retry-After"]) >= 30 and "Too many wrong passwords" in page
    assert c.get("/")[0] == 302


def test_throttle_schedule():
    """The lock schedule, on a clock the test moves: 5 free tries, then 30 s doubling (capped at
    15 min); a right password clears it; 50 wrong ones within a minute lock everyone."""
    from coordgraph.webapp.auth import LoginThrottle

    now = [1000.0]
    t = LoginThrottle(clock=lambda: now[0])
    for _ in range(4):
        t.failed("a")
    assert t.wait_s("a") == 0
    t.failed("a")
    assert t.wait_s("a") == 30 and t.wait_s("b") == 0
    now[0] += 30
    assert t.wait_s("a") == 0
    t.failed("a")
    assert t.wait_s("a") == 60
    for _ in range(10):
        t.failed("a")
    assert t.wait_s("a") == 900
    t.succeeded("a")
    assert t.wait_s("a") == 0
    now[0] += 120
    for i in range(50):
        t.failed(f"c{i}")
    assert t.wait_s("fresh") == 60
    now[0] += 60
    assert t.wait_s("fresh") == 0


def test_loopback_app_checks_host_and_origin(open_app):
    port = open_app.port
    for host in [f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"]:
        assert Client(port, host).get("/")[0] == 200, host
    for host in [f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"]:
        status, _, body = Client(port, host).get("/")
        assert status == 421 and "loopback" in body, host
    c = Client(port)
    assert c.get("/")[0] == 200
    token = c.cookies["_csrf_token"]
    assert c.get("/_dash-layout", Origin="http://evil.example")[0] == 403
    # a state change needs the token even without a password, and the app's own origin
    assert c.post_json("/_dash-update-component", CALLBACK, Origin=c.origin)[0] == 403
    assert c.post_json("/_dash-update-component", CALLBACK, Origin=f"http://localhost:{port}",
                       **{"X-CSRFToken": token})[0] == 403
    assert c.post_json("/_dash-update-component", CALLBACK, Referer="http://evil.example/x",
                       **{"X-CSRFToken": token})[0] == 403
    assert c.post_json("/_dash-update-component", CALLBACK, Origin=c.origin, **{"X-CSRFToken": token})[0] == 200


def test_password_never_in_argv(store, tmp_path):
    res = CliRunner().invoke(cli_app, ["serve", "--password", "s3cret", "--store", store.uri])
    assert res.exit_code == 2 and "visible to every user" in res.output and "COORDGRAPH_PASSWORD" in res.output
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COORDGRAPH_PASSWORD": PASSWORD}
    proc = subprocess.Popen([sys.executable, "-c", "from coordgraph.cli import main; main()", "serve",
                             "--store", store.uri, "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Client(port).get("/login")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read().decode() if proc.poll() is not None else "no answer"
            time.sleep(0.2)
        with open(f"/proc/{proc.pid}/cmdline", "rb") as fh:
            assert PASSWORD.encode() not in fh.read()
        c = Client(port)
        assert c.login("wrong")[0] == 200
        status, headers, _ = c.login()
        assert status == 302 and c.get("/")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_browser_signs_in_runs_callbacks_and_signs_out(campaign, browser, artifacts):
    """Chromium on a run: the login form, the page's callbacks (the renderer sends the CSRF
    header from the cookie by itself; none is refused), and sign-out."""
    srv = _serve(campaign[0], PASSWORD)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        page.set_default_timeout(20_000)
        refused = []
        page.on("response", lambda r: refused.append(r.url) if r.status == 403 else None)
        page.goto(srv.url + "/")
        page.fill("#password", PASSWORD)
        with page.expect_response(lambda r: "_dash-update-component" in r.url and r.status == 200):
            page.click("#sign-in")
        page.wait_for_selector("#logout-link")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts / "auth-signed-in.png"))
        assert refused == []
        page.click("#logout-link")
        page.click("#sign-out")
        page.wait_for_selector("#sign-in")
        assert "/login" in page.url
    finally:
        ctx.close()
        srv.stop()
