"""The contest an organizer looks at: the live one, or an earlier one (read-only) from the sidebar."""
from __future__ import annotations

import streamlit as st

from contest import contests, policy
from app_pages._ui import attempt

KEY = "contest_view"


def viewed(db, user):
    """The database the pages read this run: an archive chosen in the sidebar (organizers), else ``db``."""
    if not policy.allows(user, "start_new_contest"):
        st.session_state.pop(KEY, None)
        return db
    names = contests.contest_names(db)
    if len(names) < 2:
        return db
    if st.session_state.get(KEY) not in names:
        st.session_state.pop(KEY, None)
    with st.sidebar:
        chosen = st.selectbox("查看比赛", list(names), format_func=names.get, key=KEY)
    if not chosen:  # 0: the live contest
        return db
    archived = attempt(lambda: contests.open_archive(db, chosen))
    if archived is None:
        return db
    with st.sidebar:
        st.warning("正在查看往届比赛：只能查看，不能修改。", icon=":material/lock:")
    return archived
