"""The login of this browser: who is logged in on each script run, logging in and out.

The session itself is contest.sessions (tokens in the database). Behind serve.py (start.sh, the
browser tests) the token lives in an HttpOnly cookie that serve.py's routes set and delete, so a
login survives a reload, a new tab and a bookmark. Under a bare ``streamlit run streamlit_app.py``
those routes do not exist: the token is kept in this browser session only (login per tab, as
before), with the same rules (expiry, log out everywhere, disabled accounts).
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from contest import accounts, sessions
from contest.navigation import FIRST_LOGIN, LOGGED_OUT
from app_pages import _sso, _ui as ui

ROUTES_ENV = "CONTEST_SESSION_ROUTES"  # set by serve.py, which serves START and END
START, END = "/session/start", "/session/end"
TOKEN = "session_token"
LIVE_DB = "session_db"  # the live contest's database (the pages may be reading an earlier contest's)
NOTICES = {  # shown once after the login redirect (?notice=key); the route passes only these keys
    "welcome": "欢迎，{name}。",
    "registered": "注册成功，欢迎 {name}！现在可以撰写提案了。",
    "password": "密码已修改，其他设备上的登录已退出。",
    "first_password": "新密码已设置。",
}
_ENTRY_PATHS = {"/" + Path(path).stem for path, _, _ in LOGGED_OUT + FIRST_LOGIN}


def cookie_routes() -> bool:
    """True when serve.py's /session routes are there to set the cookie."""
    return os.environ.get(ROUTES_ENV) == "1"


def _cookie() -> str | None:
    """The session cookie this browser sent (None under AppTest, whose context is a mock)."""
    value = st.context.cookies.get(sessions.COOKIE)
    return value if isinstance(value, str) else None


def current_user(db):
    """The account logged in in this browser, or None: the session token (this browser session's,
    else the cookie's), then a campus sign-in."""
    st.session_state[LIVE_DB] = db
    token = st.session_state.get(TOKEN) or _cookie()
    if token and (user := accounts.get_user(db, sessions.resume(db, token))):
        return user
    st.session_state.pop(TOKEN, None)
    user = accounts.get_user(db, st.session_state.get("user_id"))  # a campus sign-in (or a test's user)
    if user and not sessions.signed_in_after_end(db, user.id, st.session_state.get(_sso.ISSUED_AT)):
        st.session_state.pop("user_id", None)  # logged out everywhere since that sign-in
        user = None
    return user or _sso.resume(db)


def _db():
    return st.session_state.get(LIVE_DB) or ui.db()


def _redirect(url: str) -> None:
    """Send the browser to ``url`` (a full page load), the way st.login does."""
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    get_script_run_ctx().enqueue(msg)
    st.stop()


def _here() -> str:
    """This page's path, to come back to after the login (the home page for login pages)."""
    url = st.context.url
    path = urlsplit(url if isinstance(url, str) else "").path or "/"
    return "/" if path in _ENTRY_PATHS else path


def begin(user, notice: str = "welcome") -> None:
    """Log this browser in as ``user`` (whose password was just checked) and show ``notice``."""
    db = _db()
    if cookie_routes():
        code = sessions.issue_code(db, user.id)
        _redirect(START + "?" + urlencode({"code": code, "next": _here(), "notice": notice}))
    st.session_state[TOKEN] = sessions.start(db, user.id)
    ui.flash(NOTICES[notice].format(name=ui.escape_md(user.name)))


def show_notice(user) -> None:
    """The message a login redirect asked for (?notice=…), once."""
    key = st.query_params.get("notice")
    if key is None:
        return
    del st.query_params["notice"]
    if user and key in NOTICES:
        st.success(NOTICES[key].format(name=ui.escape_md(user.name)))


def logout() -> None:
    """End this browser's login: the session in the database, the cookie, a campus sign-in."""
    sessions.end(_db(), st.session_state.get(TOKEN) or _cookie())
    st.session_state.clear()
    _sso.logout()  # a campus sign-in ends too (its redirect reloads the page)
    if cookie_routes() and _cookie():
        _redirect(END)  # the route deletes the cookie and goes to the home page
    st.rerun()


def log_out_everywhere(user) -> None:
    """End every session of the account, this browser's too (我的账号)."""
    sessions.log_out_everywhere(_db(), user)
    logout()


def open_count(user) -> int:
    """How many browsers the account is logged in on."""
    return sessions.open_count(_db(), user.id)


def with_every_url(sections: dict, entries, user) -> dict:
    """Every page URL of the portal opens something instead of Streamlit's English "Page not
    found": logged out, a bookmarked page shows the login (and opens after it); logged in, a page
    of another role (or the login page) goes to the user's first page."""
    pages = [p for section in sections.values() for p in section]
    known = {p.url_path for p in pages}
    first = pages[0]  # st.navigation's default page
    hidden = []
    for path, _, _ in entries:
        url_path = Path(path).stem
        if url_path in known:
            continue
        known.add(url_path)
        if user is None:
            hidden.append(st.Page(LOGGED_OUT[0][0], title=LOGGED_OUT[0][1], url_path=url_path,
                                  visibility="hidden"))
        else:
            hidden.append(st.Page(lambda: st.switch_page(first), title=first.title, url_path=url_path,
                                  visibility="hidden"))
    first_section = next(iter(sections))
    return sections | {first_section: sections[first_section] + hidden}
