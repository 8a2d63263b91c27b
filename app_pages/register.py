"""Self-registration for participants."""
import streamlit as st

from contest import accounts, settings
from app_pages import _session, _ui as ui

contest = settings.get(ui.db())
st.title("学生注册")
st.caption("注册后用学号登录。密码至少 8 位，需同时包含字母和数字。")

with st.form("register"):
    student_no = st.text_input("学号", max_chars=20)
    name = st.text_input("姓名", max_chars=30)
    college = st.selectbox("学院", contest.colleges, index=None, placeholder="请选择学院")
    email = st.text_input("邮箱", max_chars=100, help="邮箱和手机号至少填写一项")
    phone = st.text_input("手机号", max_chars=20)
    password = st.text_input("密码", type="password", max_chars=128)
    confirm = st.text_input("确认密码", type="password", max_chars=128)
    submitted = st.form_submit_button("注册", type="primary")
if submitted:
    user = ui.attempt(lambda: accounts.register_participant(
        ui.db(), student_no=student_no, name=name, college=college or "", email=email, phone=phone,
        password=password, password_confirm=confirm, colleges=contest.colleges))
    if user:
        _session.begin(user, "registered")
