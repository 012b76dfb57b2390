"""Who may open the app: local-only by default, a password for any other bind address.

The app binds to 127.0.0.1. Binding to another address exposes investigation data to the
network, so it requires a password (``--password`` or env ``COORDGRAPH_PASSWORD``); without
one, :func:`check_bind` refuses to start. With a password, flask-login guards every route
behind a small login form (one shared investigator account; the session cookie is signed
with a per-process random key, so restarting the server logs everyone out).
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from html import escape

import flask
import flask_login

PASSWORD_ENV = "COORDGRAPH_PASSWORD"
_OPEN_PATHS = ("/login", "/_favicon.ico", "/favicon.ico")


class BindRefused(ValueError):
    """Binding to a non-local address without a password."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_password(password: str | None) -> str | None:
    """The password from the option, else from ``COORDGRAPH_PASSWORD``, else None."""
    return password or os.environ.get(PASSWORD_ENV) or None


def check_bind(host: str, password: str | None) -> None:
    """Raise :class:`BindRefused` when ``host`` is not loopback and there is no password."""
    if not is_loopback(host) and not password:
        raise BindRefused(
            f"binding to {host} exposes the app to the network: set a password with "
            f"--password or {PASSWORD_ENV} (or bind to 127.0.0.1)"
        )


class _Investigator(flask_login.UserMixin):
    """The single shared user of a password-protected app."""

    id = "investigator"


_LOGIN_PAGE = """<!doctype html><html><head><title>coordgraph - sign in</title>
<style>body{{font-family:system-ui,sans-serif;display:flex;justify-content:center;margin-top:12vh}}
form{{border:1px solid #ccc;padding:2em;border-radius:8px}}input{{display:block;margin:.5em 0;padding:.4em}}
.err{{color:#b00020}}</style></head><body><form method="post" action="/login">
<h2>coordgraph</h2><p>This investigation server is password protected.</p>
{error}<input type="password" name="password" id="password" placeholder="password" autofocus>
<input type="hidden" name="next" value="{next}"><button type="submit" id="sign-in">Sign in</button>
</form></body></html>"""


def protect(server: flask.Flask, password: str) -> None:
    """Require ``password`` (via a login form) before any page, callback or asset is served."""
    server.secret_key = secrets.token_hex(32)
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    manager = flask_login.LoginManager()
    manager.init_app(server)
    manager.user_loader(lambda user_id: _Investigator() if user_id == _Investigator.id else None)

    @server.before_request
    def _require_login():
        if flask.request.path.startswith(_OPEN_PATHS) or flask_login.current_user.is_authenticated:
            return None
        if flask.request.path.startswith("/_dash-"):
            return flask.Response("sign in first", status=401)
        return flask.redirect(f"/login?next={flask.request.path}")

    @server.route("/login", methods=["GET", "POST"])
    def _login():
        nxt = flask.request.values.get("next", "/")
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = "/"
        error = ""
        if flask.request.method == "POST":
            given = flask.request.form.get("password", "")
            if hmac.compare_digest(given.encode(), password.encode()):
                flask_login.login_user(_Investigator())
                return flask.redirect(nxt)
            error = '<p class="err">Wrong password.</p>'
        return _LOGIN_PAGE.format(error=error, next=escape(nxt, quote=True))
