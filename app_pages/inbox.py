"""消息: the user's notices, newest first; mark one or all as read."""
import streamlit as st

from contest import notices
from contest.vocabulary import NoticeEvent, label_of
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
st.title("消息")
items = ui.attempt(lambda: notices.inbox(db, user))
if items is None:
    st.stop()
unread = [n["id"] for n in items if not n["read_at"]]
st.caption(f"共 {len(items)} 条，未读 {len(unread)} 条。是否同时接收邮件，可在“我的账号”中设置。")
if not items:
    st.info("还没有消息。")
    st.stop()
if unread and st.button("全部标为已读", icon=":material/done_all:", key="inbox_all_read"):
    if ui.attempt(lambda: notices.mark_read(db, user) or True):
        ui.flash("已全部标为已读。")
for n in items:
    with st.container(border=True):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.caption(f"{n['created_at'][:16]} · {label_of(NoticeEvent, n['event'])}" + ("" if n["read_at"] else " · 未读"))
        left.text(n["title"])  # user text (titles of proposals): never markdown
        if n["body"]:
            left.text(n["body"])
        if not n["read_at"] and right.button("标为已读", key=f"read_{n['id']}"):
            if ui.attempt(lambda: notices.mark_read(db, user, [n["id"]]) or True):
                st.rerun()
