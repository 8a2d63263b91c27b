"""Campus single sign-on in the UI: Streamlit's st.login (OpenID Connect) beside local accounts.

Configured in .streamlit/secrets.toml ([auth], see README "统一身份认证"). Streamlit checks the
identity provider's answer and keeps a signed cookie of the identity; contest.sso maps the
claims to the account and role stored in the database.
"""
from __future__ import annotations

import streamlit as st

from contest import sessions, sso
from contest.errors import ContestError
from app_pages import _ui as ui

REFUSED = "sso_refused"
ISSUED_AT = "sso_issued_at"  # the ID token's iat: a sign-in before "log out everywhere" no longer counts


def configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all  # noqa: BLE001
        return False


def resume(db):
    """The account of the identity signed in through the campus provider, or None."""
    if not configured() or not st.user.is_logged_in:
        return None
    claims = st.user.to_dict()
    try:
        user = sso.sign_in(db, claims)
    except ContestError as error:
        st.session_state[REFUSED] = str(error)
        return None
    st.session_state.pop(REFUSED, None)
    if not sessions.signed_in_after_end(db, user.id, claims.get("iat")):
        return None  # ended since (log out everywhere, password, disabled): sign in again
    st.session_state["user_id"] = user.id  # mapped once per browser session
    st.session_state[ISSUED_AT] = claims.get("iat")
    return user


def login_button() -> None:
    """统一身份认证登录 on the login page, and why a signed-in identity has no account."""
    if not configured():
        return
    if refused := st.session_state.get(REFUSED):
        st.error(ui.escape_md(refused))
        st.button("退出统一身份认证", on_click=st.logout)
        return
    st.button("统一身份认证登录", icon=":material/badge:", on_click=st.login)
    st.caption("使用学校统一身份认证（学号 / 工号）登录，无需另设密码。")


def logout() -> None:
    """Also end the campus identity's sign-in (and, where the provider offers it, its session):
    st.logout redirects the browser, so nothing after it runs."""
    if configured() and st.user.is_logged_in:
        st.logout()
        st.stop()
