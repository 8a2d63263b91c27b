"""Organizer: accounts — list, create judges and department staff, bulk import, reset."""
import pandas as pd
import streamlit as st

from contest import accounts, exports, policy, settings, spreadsheets
from contest.vocabulary import Role, labels
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
depts = {d["code"]: d["name"] for d in settings.departments(db)}
st.title("账号管理")

PASSWORDS = "ua_new_passwords"  # initial passwords made in this session, shown until dismissed


def _keep_passwords(rows: list[dict]) -> None:
    st.session_state[PASSWORDS] = st.session_state.get(PASSWORDS, []) + rows


# The initial passwords stay on screen (above the tabs) until the organizer dismisses them: a
# download or any other click reruns the page, and they cannot be shown again later.
if new_passwords := st.session_state.get(PASSWORDS):
    with st.container(border=True):
        st.warning("新的初始密码只在这里显示一次：请下载或抄下并妥善分发（首次登录需修改），然后关闭此表。",
                   icon=":material/key:")
        result = pd.DataFrame(new_passwords)
        st.dataframe(result, hide_index=True)
        left, right = st.columns([1, 1])
        left.download_button("下载初始密码表", exports.to_csv(result), "new_accounts.csv", "text/csv",
                             on_click="ignore", icon=":material/download:")
        if right.button("已妥善保存，关闭此表", icon=":material/close:"):
            st.session_state.pop(PASSWORDS)
            st.rerun()

listing, create, bulk = st.tabs(["账号列表", "新建账号", "批量导入"])

with listing:
    role = st.selectbox("角色", [None, *labels(Role)], format_func=lambda r: "全部" if r is None else Role(r).label)
    table = accounts.list_users(db, user, role)
    table["role"] = table["role"].map(labels(Role))
    table["active"] = table["active"].map({1: "正常", 0: "已停用"})
    table["topics"] = table["topics"].map(
        lambda codes: "、".join(contest.topic_name(c) for c in codes.split()) if isinstance(codes, str) else "")
    department_names = settings.department_names(db)
    table["department"] = table["department"].map(
        lambda code: department_names.get(code, code) if isinstance(code, str) else "")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "id": "编号", "username": "用户名", "name": "姓名", "role": "角色", "student_no": "学号",
        "college": "学院", "email": "邮箱", "phone": "手机号", "department": "部门", "topics": "评审议题",
        "active": "状态", "must_change_password": None, "created_at": "创建时间"})
    # One label per account, built column-wise (never a table filter per account).
    account_label = dict(zip(table["id"].tolist(), (table["username"].astype(str) + " · " + table["name"].astype(str)
                                                    + " · " + table["role"].astype(str)).tolist()))
    target = ui.search_select("选择账号", account_label, key="account_target")
    with st.form("account_action"):
        action = st.radio("操作", ["重置密码", "停用", "启用"], horizontal=True)
        if st.form_submit_button("执行") and target is not None:
            if action == "重置密码":
                password = ui.attempt(lambda: accounts.reset_password(db, user, target))
                if password:
                    _keep_passwords([{"用户名": account_label[target].split(" · ")[0], "初始密码": password}])
                    ui.flash("密码已重置，新的初始密码见页面上方。")
            elif ui.attempt(lambda: accounts.set_active(db, user, target, action == "启用") or True):
                ui.flash(f"账号已{action}。")

with create, st.form("create_account"):
    role = st.selectbox("角色", list(policy.STAFF_ROLES), format_func=lambda r: Role(r).label)
    username = st.text_input("用户名", max_chars=40, help="字母、数字、下划线、点或连字符，例如 judge7 或 dept-jwc")
    name = st.text_input("姓名", max_chars=30)
    college = st.selectbox("学院（评委填写，用于学院回避）", [""] + contest.colleges,
                           format_func=lambda c: c or "（不填）")
    department = st.selectbox("所属部门（职能部门账号必填）", [""] + list(depts), format_func=lambda c: depts.get(c, "—"))
    topics = st.multiselect("擅长议题（评委）", contest.topic_codes, format_func=contest.topic_name, placeholder="请选择（可多选）")
    email = st.text_input("邮箱", max_chars=100)
    staff_no = st.text_input("工号（可选）", max_chars=32, help="填写后，此人可用学校统一身份认证登录本账号")
    if st.form_submit_button("创建账号", type="primary"):
        created = ui.attempt(lambda: accounts.create_account(
            db, user, role, username=username, name=name, college=college, department=department,
            topics=" ".join(topics), email=email, staff_no=staff_no))
        if created:
            _keep_passwords([{"用户名": created[0].username, "姓名": created[0].name, "初始密码": created[1]}])
            ui.flash(f"已创建账号 {ui.escape_md(created[0].username)}，初始密码见页面上方。")

with bulk:
    st.caption("上传 .xlsx 或 .csv，列：用户名、姓名、角色（评委/职能部门），可选：学院、邮箱、手机号、部门代码、评审议题。"
               "任何一行有误则整表不导入。")
    template = pd.DataFrame([{"用户名": "judge7", "姓名": "王老师", "角色": "评委", "学院": "管理学院",
                              "邮箱": "", "手机号": "", "部门代码": "", "评审议题": "teaching life"},
                             {"用户名": "dept-new", "姓名": "张老师", "角色": "职能部门", "学院": "",
                              "邮箱": "", "手机号": "", "部门代码": next(iter(depts), ""), "评审议题": ""}])
    st.download_button("下载模板", exports.to_csv(template), "accounts_template.csv", "text/csv")
    upload = st.file_uploader("账号表格", type=["csv", "xlsx"])
    if upload and st.button("导入账号", type="primary"):
        frame = ui.attempt(lambda: spreadsheets.read_table(upload.getvalue(), upload.name))
        created = ui.attempt(lambda: accounts.import_accounts(db, user, frame)) if frame is not None else None
        if created:
            result = pd.DataFrame(created).rename(columns={"username": "用户名", "name": "姓名", "role": "角色",
                                                           "password": "初始密码"}).drop(columns="id")
            result["角色"] = result["角色"].map(lambda r: labels(Role).get(r, r))
            _keep_passwords(result.to_dict("records"))
            ui.flash(f"已导入 {len(created)} 个账号。初始密码表见页面上方，请下载并妥善分发。")
