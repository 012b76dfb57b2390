"""Who may open the app, and which requests it answers.

Binding: the app binds to 127.0.0.1. Binding to another address exposes investigation data to
the network, so it requires a password, taken from ``$COORDGRAPH_PASSWORD`` or typed at a
prompt (``coordgraph serve --ask-password``) - never from the command line, which every local
user sees in ``ps``. Without one :func:`check_bind` refuses to start.

Guards (:func:`install`, on every app):

- **Host / Origin (DNS rebinding).** Bound to loopback, the app answers only requests whose
  ``Host`` is a loopback name (``localhost``, ``127.x.x.x``, ``[::1]``), and refuses any
  ``Origin`` that is not one: a web page on ``evil.example`` that re-points its name to
  127.0.0.1 reaches the port with ``Host: evil.example`` and gets 421.
- **CSRF.** Every state-changing request (any method but GET/HEAD/OPTIONS: Dash callbacks,
  login, logout) must carry the session's token - header ``X-CSRFToken`` (the Dash renderer
  sends it from the ``_csrf_token`` cookie by itself) or form field ``csrf_token`` - and, when
  the browser names one, an ``Origin`` (else ``Referer``) equal to the app's own. The token is
  random per session, kept in the signed, HttpOnly session cookie; the readable cookie is only
  its copy for the renderer. Pages of other sites can neither read it nor set it.
- **Password** (when set). flask-login guards every path except the exact open paths
  (OPEN_PATHS: ``/login`` and the favicon; ``/loginx`` or ``/login/../x`` are not open) behind a
  small login form (one shared investigator account). Wrong passwords are throttled per client
  address and in all (LoginThrottle); ``/logout`` ends the session. The session cookie is
  signed with a per-process random key, so restarting the server logs everyone out.
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import threading
import time
from html import escape
from urllib.parse import urlsplit

import flask

PASSWORD_ENV = "COORDGRAPH_PASSWORD"
#: Paths served without a session, compared exactly (never by prefix).
OPEN_PATHS = frozenset({"/login", "/favicon.ico", "/_favicon.ico"})
CSRF_COOKIE = "_csrf_token"   # what the Dash renderer reads ...
CSRF_HEADER = "X-CSRFToken"   # ... and sends back in this header
CSRF_FIELD = "csrf_token"     # the same token in HTML forms (login, logout)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BindRefused(ValueError):
    """Binding to a non-local address without a password."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_password(password: str | None = None) -> str | None:
    """``password`` when given (Python callers), else ``$COORDGRAPH_PASSWORD``, else None."""
    return password or os.environ.get(PASSWORD_ENV) or None


def check_bind(host: str, password: str | None) -> None:
    """Raise :class:`BindRefused` when ``host`` is not loopback and there is no password."""
    if not is_loopback(host) and not password:
        raise BindRefused(
            f"binding to {host} exposes the app to the network: set a password in {PASSWORD_ENV} "
            "or type one with --ask-password (or bind to 127.0.0.1)"
        )


class LoginThrottle:
    """Slows down password guessing: per client address and over all clients.

    A client gets FREE_TRIES wrong passwords; after that each further try must wait
    ``LOCK_S * 2**(extra wrong tries)`` seconds (at most MAX_LOCK_S). Over all clients, more
    than GLOBAL_MAX wrong passwords within GLOBAL_WINDOW_S seconds lock the form for everyone
    until the window has passed (guessing from many addresses). A right password clears the
    client's count. Times are ``time.monotonic()`` seconds.
    """

    FREE_TRIES = 5
    LOCK_S = 30.0
    MAX_LOCK_S = 900.0
    GLOBAL_MAX = 50
    GLOBAL_WINDOW_S = 60.0

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[int, float]] = {}  # address -> (wrong tries, locked until)
        self._recent: list[float] = []  # times of wrong passwords, all clients

    def wait_s(self, client: str) -> float:
        """Seconds ``client`` must wait before its next try (0 = may try now)."""
        now = self._clock()
        with self._lock:
            self._recent = [t for t in self._recent if now - t < self.GLOBAL_WINDOW_S]
            wait = 0.0
            if len(self._recent) >= self.GLOBAL_MAX:
                wait = self._recent[0] + self.GLOBAL_WINDOW_S - now
            _tries, until = self._clients.get(client, (0, 0.0))
            return max(wait, until - now, 0.0)

    def failed(self, client: str) -> None:
        """Record a wrong password from ``client``."""
        now = self._clock()
        with self._lock:
            self._recent.append(now)
            tries, _until = self._clients.get(client, (0, 0.0))
            tries += 1
            until = 0.0
            if tries >= self.FREE_TRIES:
                until = now + min(self.MAX_LOCK_S, self.LOCK_S * 2 ** (tries - self.FREE_TRIES))
            self._clients[client] = (tries, until)
            if len(self._clients) > 10_000:  # bounded memory: forget the oldest entries
                for key in list(self._clients)[:5_000]:
                    del self._clients[key]

    def succeeded(self, client: str) -> None:
        """Forget ``client``'s wrong passwords."""
        with self._lock:
            self._clients.pop(client, None)


_PAGE = """<!doctype html><html><head><title>coordgraph - {title}</title>
<style>body{{font-family:system-ui,sans-serif;display:flex;justify-content:center;margin-top:12vh}}
form{{border:1px solid #ccc;padding:2em;border-radius:8px}}input{{display:block;margin:.5em 0;padding:.4em}}
.err{{color:#b00020}}</style></head><body>{body}</body></html>"""

_LOGIN_FORM = """<form method="post" action="/login">
<h2>coordgraph</h2><p>This investigation server is password protected.</p>
{error}<input type="password" name="password" id="password" placeholder="password" autofocus>
<input type="hidden" name="next" value="{next}"><input type="hidden" name="csrf_token" value="{token}">
<button type="submit" id="sign-in">Sign in</button></form>"""

_LOGOUT_FORM = """<form method="post" action="/logout"><h2>coordgraph</h2><p>Sign out of this server?</p>
<input type="hidden" name="csrf_token" value="{token}"><button type="submit" id="sign-out">Sign out</button></form>"""

#: Put above the app by :func:`logout_link` (a plain link: the logout page posts the form).
LOGOUT_LINK = ('<a id="logout-link" href="/logout" style="position:fixed;top:2px;right:8px;z-index:1000;'
               'font:12px system-ui,sans-serif;color:#fff;background:#374151;padding:2px 8px;'
               'border-radius:4px;text-decoration:none">Sign out</a>')


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    token = flask.session.get("csrf")
    if not token:
        token = flask.session["csrf"] = secrets.token_urlsafe(32)
    return token


def _host_name(netloc: str) -> str:
    """The host part of ``Host`` / a URL's netloc, without port and IPv6 brackets."""
    return (urlsplit("//" + netloc).hostname or "").lower()


def _refuse(status: int, text: str) -> flask.Response:
    return flask.Response(text + "\n", status=status, mimetype="text/plain")


def install(server: flask.Flask, password: str | None = None, bind_host: str | None = None,
            throttle: LoginThrottle | None = None) -> None:
    """Install the guards of the module doc on ``server``.

    ``bind_host`` is the address the app listens on; None takes it per request from the WSGI
    ``SERVER_NAME`` (werkzeug puts its bind address there). ``password`` None: no login.
    """
    if not server.secret_key:
        server.secret_key = secrets.token_hex(32)
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         SESSION_COOKIE_NAME="coordgraph_session")
    throttle = throttle or LoginThrottle()
    server.extensions["coordgraph_throttle"] = throttle

    def loopback_mode() -> bool:
        return is_loopback(bind_host if bind_host is not None
                           else flask.request.environ.get("SERVER_NAME", "localhost"))

    @server.before_request
    def _guard_host():
        req = flask.request
        if loopback_mode() and not is_loopback(_host_name(req.host)):
            return _refuse(421, f"refused: this app answers only to loopback names (127.0.0.1, localhost), "
                                f"not to Host {req.host!r}")
        origin = req.headers.get("Origin")
        if origin and origin != "null" and loopback_mode() and not is_loopback(_host_name(urlsplit(origin).netloc)):
            return _refuse(403, f"refused: requests from {origin} are not allowed")
        return None

    if password:
        _install_login(server, password, throttle)

    @server.before_request
    def _guard_csrf():
        req = flask.request
        if req.method in SAFE_METHODS:
            return None
        origin = req.headers.get("Origin")
        own = f"{req.scheme}://{req.host}"
        source = origin or req.headers.get("Referer")
        if source is not None:
            parts = urlsplit(source)
            if f"{parts.scheme}://{parts.netloc}" != own:
                return _refuse(403, f"refused: a {req.method} from {source} (not this app, {own}): cross-site request")
        given = req.headers.get(CSRF_HEADER) or req.form.get(CSRF_FIELD, "")
        expected = flask.session.get("csrf", "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            return _refuse(403, "refused: missing or wrong CSRF token (reload the page)")
        return None

    @server.after_request
    def _csrf_cookie(resp: flask.Response) -> flask.Response:
        if flask.request.path == "/logout" and flask.request.method == "POST":
            return resp  # signed out: no new token
        token = csrf_token()
        if flask.request.cookies.get(CSRF_COOKIE) != token:
            resp.set_cookie(CSRF_COOKIE, token, samesite="Strict", httponly=False, path="/")
        return resp


def _install_login(server: flask.Flask, password: str, throttle: LoginThrottle) -> None:
    """The login form, its throttle, the session check on every other path, and logout."""
    import flask_login

    manager = flask_login.LoginManager()
    manager.init_app(server)
    manager.user_loader(lambda user_id: _Investigator() if user_id == _Investigator.id else None)

    @server.before_request
    def _require_login():
        path = flask.request.path
        if path in OPEN_PATHS or flask_login.current_user.is_authenticated:
            return None
        if path.startswith("/_dash-") or flask.request.method not in SAFE_METHODS:
            return flask.Response("sign in first", status=401)
        return flask.redirect(f"/login?next={flask.request.full_path.rstrip('?')}")

    @server.route("/login", methods=["GET", "POST"])
    def _login():
        nxt = flask.request.values.get("next", "/")
        if not nxt.startswith("/") or nxt.startswith("//") or "\\" in nxt:
            nxt = "/"
        error = ""
        if flask.request.method == "POST":
            client = flask.request.remote_addr or "?"
            wait = throttle.wait_s(client)
            if wait > 0:
                resp = flask.Response(_PAGE.format(title="sign in", body=_LOGIN_FORM.format(
                    error=f'<p class="err">Too many wrong passwords: try again in {wait:.0f} s.</p>',
                    next=escape(nxt, quote=True), token=csrf_token())), status=429)
                resp.headers["Retry-After"] = str(int(wait) + 1)
                return resp
            given = flask.request.form.get("password", "")
            if hmac.compare_digest(given.encode(), password.encode()):
                throttle.succeeded(client)
                flask.session.clear()  # a new session (and CSRF token) at sign-in
                flask_login.login_user(_Investigator())
                csrf_token()
                return flask.redirect(nxt)
            throttle.failed(client)
            error = '<p class="err">Wrong password.</p>'
        return _PAGE.format(title="sign in", body=_LOGIN_FORM.format(
            error=error, next=escape(nxt, quote=True), token=csrf_token()))

    @server.route("/logout", methods=["GET", "POST"])
    def _logout():
        if flask.request.method == "GET":  # a form, so that signing out is a POST with the token
            return _PAGE.format(title="sign out", body=_LOGOUT_FORM.format(token=csrf_token()))
        flask_login.logout_user()
        flask.session.clear()
        resp = flask.redirect("/login")
        resp.delete_cookie(CSRF_COOKIE, path="/")
        return resp


class _Investigator:
    """The single shared user of a password-protected app (flask-login's user protocol)."""

    id = "investigator"
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.id


def protect(server: flask.Flask, password: str) -> None:
    """Require ``password`` (via a login form) before any page, callback or asset is served."""
    install(server, password)


def logout_link(index_string: str) -> str:
    """Dash's page template with a "Sign out" link above the app."""
    return index_string.replace("{%app_entry%}", LOGOUT_LINK + "{%app_entry%}", 1)
