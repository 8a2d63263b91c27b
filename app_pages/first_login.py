"""Forced password change at first login for accounts made by an organizer."""
import streamlit as st

from contest import accounts
from app_pages import _session, _ui as ui

st.title("设置新密码")
st.info("这是您第一次登录（或密码已被重置），请先设置自己的新密码。")
with st.form("first_login"):
    old = st.text_input("当前密码（组织者提供的初始密码）", type="password")
    new = st.text_input("新密码", type="password", help="至少 8 位，需同时包含字母和数字")
    confirm = st.text_input("确认新密码", type="password")
    submitted = st.form_submit_button("保存新密码", type="primary")
if submitted and ui.attempt(lambda: accounts.change_password(ui.db(), ui.user(), old, new, confirm) or True):
    _session.begin(accounts.get_user(ui.db(), ui.user().id), "first_password")  # the change ended the old sessions
