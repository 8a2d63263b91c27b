"""Router: database, login gate and the role's pages in st.navigation."""
from __future__ import annotations

import logging
import os

import streamlit as st

from contest import db as database, demo, notices, settings
from contest.errors import Busy, ContestError
from contest.navigation import ACCOUNT, EVERY_PAGE, FIRST_LOGIN, INBOX, LOGGED_OUT, PUBLIC, ROLE_PAGES
from app_pages import _contest_switch, _session
from app_pages._ui import close_sidebar_on_narrow_screens, escape_md

st.set_page_config(page_title="集智思源提案大赛", page_icon="💡", layout="wide")
log = logging.getLogger("contest.pages")
UNEXPECTED = ("抱歉，系统出了点问题，这一步没有完成。页面上已填写的内容都还在，请稍后再试一次；"
              "如果一直出现，请联系组织者。")


def _pages(entries, badges=None):
    """st.Page per entry; a page in ``badges`` with a count > 0 shows it in its title (消息 · 3)."""
    badges = badges or {}
    return [st.Page(path, title=f"{title} · {badges[path]}" if badges.get(path) else title, icon=icon)
            for path, title, icon in entries]


def navigation_for(user, unread: int = 0) -> dict:
    """The sections and pages the user may open."""
    if user is None:
        return {"": _pages(LOGGED_OUT), "公开": _pages(PUBLIC)}
    if user.must_change_password:
        return {"": _pages(FIRST_LOGIN)}
    sections = {name: _pages(entries) for name, entries in ROLE_PAGES[user.role].items()}
    return sections | {"公开": _pages(PUBLIC), "账号": _pages(ACCOUNT, {INBOX: unread})}


def _sidebar(user, contest) -> None:
    with st.sidebar:
        st.caption(f"{escape_md(contest.contest_name)} · {contest.year}")  # organizer text: no markdown
        if user:
            st.text(f"{user.name}（{user.role_name}）")
            if st.button("退出登录", icon=":material/logout:"):
                _session.logout()  # the session, its cookie and a campus sign-in
        close_sidebar_on_narrow_screens()


def main() -> None:
    db = database.connect()
    if not database.is_initialised(db):
        if os.environ.get("CONTEST_DB"):  # a chosen database is never filled with demo accounts by itself
            st.error(f"数据库 {database.db_path()} 中还没有比赛。创建正式比赛：python -m contest init；"
                     "生成演示比赛：python -m contest demo。")
            st.stop()
        with st.spinner("首次启动：正在生成演示比赛…"):
            demo.build(db)
    st.session_state["db"] = db
    user = _session.current_user(db)  # the session cookie survives a reload (app_pages/_session.py)
    st.session_state["user"] = user
    unread = notices.unread_count(db, user)  # the notices live in the current contest's database
    db = st.session_state["db"] = _contest_switch.viewed(db, user)  # an earlier contest: read-only
    contest = settings.get(db)
    _sidebar(user, contest)
    page = st.navigation(_session.with_every_url(navigation_for(user, unread), EVERY_PAGE, user), expanded=True)
    _session.show_notice(user)
    if flash := st.session_state.pop("flash", None):
        st.success(flash)
    page.run()


def run_guarded(app) -> None:
    """Run the app. An error nothing expected (a bug, a database that stays busy) shows a Chinese
    message where the page stopped instead of Streamlit's English error page, and the widgets drawn
    so far (a form whose save failed) keep what the user typed. The traceback goes to the server
    log, and to the page only when client.showErrorDetails asks for it (the tests do)."""
    try:
        app()
    except Exception as error:  # st.rerun / st.stop are BaseException and pass through
        log.exception("a page failed")
        if isinstance(error, ContestError):  # a refusal (Busy included) the page did not catch: its own words
            st.error(escape_md(str(error)))
        else:
            st.error(str(Busy()) if database.is_busy(error) else UNEXPECTED)
        if st.get_option("client.showErrorDetails") not in ("none", False):
            st.exception(error)


run_guarded(main)
