"""Login page; in demo mode it lists the demo accounts."""
import streamlit as st

from contest import accounts, demo, settings
from app_pages import _session, _sso as ui_sso, _ui as ui

contest = settings.get(ui.db())
st.title(ui.escape_md(contest.contest_name))
st.caption("学生提案征集 · 评审 · 转办答复全流程平台")

with st.form("login"):
    username = st.text_input("用户名或学号", max_chars=40)
    password = st.text_input("密码", type="password", max_chars=128)
    submitted = st.form_submit_button("登录", type="primary")
if submitted:
    # The browser's address counts against its own throttle (contest.accounts.login).
    user = ui.attempt(lambda: accounts.login(ui.db(), username, password, client=ui.client_address()))
    if user:
        _session.begin(user)  # stays logged in after a reload (the page opened before opens again)

ui_sso.login_button()

st.caption("还没有账号？参赛学生请在左侧“学生注册”自行注册；评委和职能部门账号由组织者创建。")

if contest.demo_mode:
    st.subheader("演示账号")
    st.info(f"这是演示比赛，所有演示账号的密码都是 {demo.PASSWORD}。")
    st.dataframe(demo.accounts_table(ui.db()), hide_index=True, width="stretch")
