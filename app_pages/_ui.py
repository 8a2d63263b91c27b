"""Small helpers shared by the pages: the run's database, the user, messages."""
from __future__ import annotations

import re

import streamlit as st

from contest.errors import ContestError

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")
# Markdown turns bare addresses (http://…, www.…, a@b.cn) into links; a zero-width space breaks that.
_AUTOLINK = re.compile(r"(?<=[:@])|(?<=www)(?=\\\.)", re.I)


def db():
    """The connection opened for this script run by streamlit_app.py."""
    return st.session_state["db"]


def user():
    """The logged-in user (re-read from the database on every run), or None."""
    return st.session_state.get("user")


def escape_md(value: str) -> str:
    """Escape user text for places that only take markdown (labels, captions)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(value or "")).replace("\n", " ")
    return _AUTOLINK.sub("\u200b", escaped)


def attempt(action):
    """Run ``action``; show the domain's Chinese message if it refuses (one line per line of a
    multi-row error, e.g. an import's bad rows). Returns its result or None."""
    try:
        return action()
    except ContestError as error:
        lines = [line for line in str(error).splitlines() if line.strip()]
        st.error("  \n".join(escape_md(line) for line in lines))
        return None


def forget_stale(key: str, options) -> None:
    """A kept selection that is no longer among the options (forwarded, closed…) falls back to the first."""
    if st.session_state.get(key) not in list(options):
        st.session_state.pop(key, None)


def flash(message: str) -> None:
    """Show ``message`` after the rerun that follows a successful change."""
    st.session_state["flash"] = message
    st.rerun()


SEARCH_LIMIT = 100


def search_select(label: str, options: dict, *, key: str, limit: int = SEARCH_LIMIT):
    """A choice among possibly tens of thousands of options (``{value: label}``): up to ``limit``
    options it is a plain select box; beyond, a search box (outside any form, so typing filters at
    once) narrows the list to the first ``limit`` labels containing the typed text."""
    if len(options) <= limit:
        return st.selectbox(label, list(options), format_func=options.get, key=key)
    query = st.text_input(f"{label}：输入编号或名称中的文字查找", key=f"{key}_search", max_chars=60).strip().lower()
    matches = [value for value, text in options.items() if query in str(text).lower()] if query else list(options)
    shown = matches[:limit]
    if len(matches) > limit:
        st.caption(f"共 {len(matches)} 项，列表中显示前 {limit} 项；输入文字可缩小范围。")
    elif not matches:
        st.caption("没有符合的项。")
    return st.selectbox(label, shown, format_func=options.get, key=key)


# Streamlit closes the sidebar after a page is chosen only when the browser's user agent names a
# phone; on a narrow window or a tablet the open sidebar stays over the page just opened. This
# closes it there too, below Streamlit's own phone width (its 768 px "md" breakpoint). Fixed
# code, no user text.
_CLOSE_SIDEBAR_ON_NARROW = """<script>
(() => {
  if (document.body.dataset.sidebarCloses) return;
  document.body.dataset.sidebarCloses = "1";
  document.addEventListener("click", (event) => {
    if (!event.target.closest('[data-testid="stSidebarNavLink"]') || window.innerWidth >= 768) return;
    setTimeout(() => {
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      if (sidebar && sidebar.getAttribute("data-collapsed") === "false") {
        document.querySelector('[data-testid="stSidebarCollapseButton"] button')?.click();
      }
    }, 50);
  });
})();
</script>"""


def close_sidebar_on_narrow_screens() -> None:
    """Call once per run, inside ``st.sidebar``."""
    st.html(_CLOSE_SIDEBAR_ON_NARROW, unsafe_allow_javascript=True)


def client_address() -> str | None:
    """The browser's address, for the login throttle (contest.accounts.login)."""
    return address_of(st.context.ip_address, st.context.headers)


def address_of(connection_ip, headers) -> str | None:
    """The connection's address; when it comes from this machine (Streamlit gives None), the address
    the reverse proxy on this machine put in ``X-Real-IP`` (nginx sets it from the TCP peer, so a
    browser cannot choose it; README, 生产部署设置). None when neither is known."""
    if isinstance(connection_ip, str) and connection_ip:
        return connection_ip
    try:
        forwarded = headers.get("X-Real-IP")
    except Exception:  # noqa: BLE001 - no request headers (AppTest, a script run without a browser)
        return None
    if not isinstance(forwarded, str) or not forwarded.strip():
        return None
    return forwarded.strip()[:64]
