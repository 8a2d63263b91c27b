"""Production entry point: `streamlit run serve.py` (start.sh and the browser tests do) serves
streamlit_app.py with three additions over a bare `streamlit run streamlit_app.py`:

- Streamlit's /_stcore/metrics endpoint answered 404;
- the login cookie: /session/start exchanges the one-time code of a login (contest.sessions) for
  an HttpOnly, SameSite=Lax session cookie and opens the page the user was on; /session/end
  deletes it (the session itself is ended in the database by the logout). A cookie can only be
  set by an HTTP response, never from a script run over the websocket;
- the page declared Chinese: ``<html lang="zh-CN">`` in the served index.html.

Streamlit 1.67 has no option to turn the metrics endpoint off and serves it without login
(sessions, memory, cache sizes); `streamlit run` finds the st.App below and runs the portal
through it, the same pages and .streamlit/config.toml settings, with this one route hidden.
`streamlit run streamlit_app.py` still works for development.
"""
import os
import posixpath
import re

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from contest import db as database, sessions
from app_pages import _session

HIDDEN = "/_stcore/metrics"


def hidden(path: str) -> bool:
    """True for the metrics route, however its path is spelled (//, trailing slash, dots, case)."""
    return posixpath.normpath("/" + path).lower().endswith(HIDDEN)


class HideMetrics:
    """ASGI middleware: 404 for the metrics route, everything else untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and hidden(scope["path"]):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


_PAGE_PATH = re.compile(r"^/[A-Za-z0-9_\-]*$")  # "/" or one page's url path, never another site


def _secure(request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def session_start(request):
    """GET /session/start?code=…&next=/page&notice=…: set the session cookie, open the page."""
    target = request.query_params.get("next", "/")
    target = target if _PAGE_PATH.match(target) else "/"
    notice = request.query_params.get("notice", "")
    db = database.connect()
    try:
        token = sessions.redeem_code(db, request.query_params.get("code", ""))
        days, _ = sessions.lifetime(db)
    finally:
        db.conn.close()
    if token is None:  # used, expired or made up: back to the login page
        return RedirectResponse("/", status_code=303, headers={"Cache-Control": "no-store"})
    if notice in _session.NOTICES:
        target += "?notice=" + notice
    response = RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(sessions.COOKIE, token, max_age=int(days.total_seconds()), path="/",
                        httponly=True, samesite="lax", secure=_secure(request))
    return response


def session_end(request):
    """GET /session/end: delete the session cookie (its session is already ended) and go home."""
    response = RedirectResponse("/", status_code=303, headers={"Cache-Control": "no-store"})
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


class ChineseIndex:
    """ASGI middleware: the app's HTML page (index.html, served for every page URL) declares
    lang="zh-CN" instead of Streamlit's lang="en", so browsers and screen readers treat it as Chinese."""

    OWN = ("/_stcore/", "/static/", "/media/", "/component/", "/session/", "/oauth2callback", "/auth/")

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(self.OWN):
            await self.app(scope, receive, send)
            return
        # the page is small: ask for it uncompressed, so it can be rewritten
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k != b"accept-encoding"])
        start, body = {}, []

        async def rewrite(message):
            if message["type"] == "http.response.start":
                if b"text/html" not in dict(message["headers"]).get(b"content-type", b""):
                    await send(message)
                    return
                start.update(message)
                return
            if not start:  # not the page: passed on as it is
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = b"".join(body).replace(b'<html lang="en"', b'<html lang="zh-CN"', 1)
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            await send(dict(start, headers=headers + [(b"content-length", str(len(page)).encode())]))
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, rewrite)


os.environ[_session.ROUTES_ENV] = "1"  # streamlit_app.py runs in this process: logins use the cookie
app = st.App("streamlit_app.py",
             routes=[Route(_session.START, session_start), Route(_session.END, session_end)],
             middleware=[Middleware(HideMetrics), Middleware(ChineseIndex)])
