"""The logged-in user's account: profile and password."""
import streamlit as st

from contest import accounts, notices, settings
from app_pages import _session, _ui as ui

user = ui.user()
st.title("我的账号")
profile = {"用户名": user.username, "姓名": user.name, "角色": user.role_name}
if user.student_no:
    profile["学号"] = user.student_no
if user.college:
    profile["学院"] = user.college
if user.department:
    profile["部门"] = settings.department_name(ui.db(), user.department)
profile |= {"邮箱": user.email or "", "手机号": user.phone or ""}
st.dataframe([{"项目": k, "内容": v} for k, v in profile.items()], hide_index=True)

st.subheader("邮件通知")
wanted = notices.email_enabled(ui.db(), user)
mail = st.toggle("把平台消息同时发送到我的邮箱", value=wanted, key="email_notices", disabled=not user.email,
                 help="平台内的“消息”始终保留；关闭后不再发送邮件。")
if not user.email:
    st.caption("账号没有登记邮箱，只在平台“消息”中通知。")
elif not settings.get(ui.db()).email_enabled:
    st.caption("组织者尚未开启邮件发送，目前只在平台“消息”中通知。")
if mail != wanted and ui.attempt(lambda: notices.set_email(ui.db(), user, mail) or True):
    ui.flash("已开启邮件通知。" if mail else "已关闭邮件通知。")

st.subheader("修改密码")
with st.form("change_password", clear_on_submit=True):
    old = st.text_input("原密码", type="password")
    new = st.text_input("新密码", type="password", help="至少 8 位，需同时包含字母和数字")
    confirm = st.text_input("确认新密码", type="password")
    submitted = st.form_submit_button("修改密码")
if submitted and ui.attempt(lambda: accounts.change_password(ui.db(), user, old, new, confirm) or True):
    _session.begin(user, "password")  # the change ended every session: this browser logs in anew

st.subheader("登录设备")
st.caption(f"您的账号目前在 {_session.open_count(user)} 个浏览器中保持登录"
           f"（连续 {settings.get(ui.db()).session_idle_days} 天未使用或登录满 "
           f"{settings.get(ui.db()).session_days} 天后需要重新登录）。在公用电脑上用完请退出登录。")
if st.button("在所有设备上退出登录", icon=":material/devices:"):
    _session.log_out_everywhere(user)
