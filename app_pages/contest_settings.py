"""Organizer: contest name, phases, topics, rubric, colleges, departments."""
import datetime as dt

import pandas as pd
import streamlit as st

from contest import clock, settings
from contest.rubric import KINDS
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("比赛设置")
st.caption(f"当前阶段：{contest.current_phase(clock.now())}。所有修改都会记入审计日志。")

basic, phases, topics, rubric, colleges, departments = st.tabs(
    ["基本信息", "阶段与时间", "议题", "评分标准", "学院", "职能部门"])


def save(success: str, **changes) -> None:
    if ui.attempt(lambda: settings.update(db, user, **changes)):
        ui.flash(success)


with basic, st.form("basic"):
    name = st.text_input("比赛名称", contest.contest_name, max_chars=60)
    year = st.number_input("年份", 2000, 2100, int(contest.year), step=1)
    reviews = st.number_input("每件提案的评审人数", 1, 10, int(contest.reviews_per_proposal), step=1)
    college_rule = st.checkbox("评委不评审本学院学生的提案（学院回避）", contest.college_conflict)
    shown = list(settings.PROPOSER_VISIBILITY)
    proposers = st.selectbox("职能部门办理时可见的提案人信息", shown, shown.index(contest.department_sees_proposers),
                             format_func=settings.PROPOSER_VISIBILITY.get)
    if st.form_submit_button("保存基本信息", type="primary"):
        save("基本信息已保存。", contest_name=name, year=year, reviews_per_proposal=reviews,
             college_conflict=college_rule, department_sees_proposers=proposers)

with phases, st.form("phases"):
    st.caption("时间需按顺序：征集开始 ≤ 征集截止 ≤ 评审截止 ≤ 结果公布。")
    values = {}
    for key, label in settings.PHASES.items():
        current = contest.at(key) or clock.now()
        left, right = st.columns(2)
        day = left.date_input(f"{label} · 日期", current.date(), key=f"{key}_d", format="YYYY-MM-DD")
        time = right.time_input(f"{label} · 时间", current.time(), key=f"{key}_t")
        values[key] = dt.datetime.combine(day, time)
    grace_on = st.checkbox("允许征集截止后的宽限期（学生仍可修改、提交）", bool(contest.grace_until))
    grace = settings.parse_date(contest.grace_until, "宽限期") if contest.grace_until else contest.at("submission_closes")
    g_left, g_right = st.columns(2)
    grace_day = g_left.date_input("宽限期截止 · 日期", grace.date(), format="YYYY-MM-DD")
    grace_time = g_right.time_input("宽限期截止 · 时间", grace.time())
    if st.form_submit_button("保存时间", type="primary"):
        grace_value = dt.datetime.combine(grace_day, grace_time) if grace_on else None
        save("阶段时间已保存。", phases={k: v.strftime(settings.DATE_FORMAT) for k, v in values.items()},
             grace_until=grace_value.strftime(settings.DATE_FORMAT) if grace_value else None)

with topics, st.form("topics"):
    st.caption("代码用于数据和导出（小写英文），名称显示给用户。关键词（空格分隔）和说明（每条一句，用“；”分隔）"
               "用于话题地图自动归类议题，不需要标注样本。可增删行。")
    edited = st.data_editor(pd.DataFrame(contest.topics, columns=["code", "name", "keywords", "descriptions"]),
                            num_rows="dynamic", hide_index=True, key="topics_editor",
                            column_config={"code": "代码", "name": "名称",
                                           "keywords": st.column_config.TextColumn("关键词", width="large"),
                                           "descriptions": st.column_config.TextColumn("说明", width="large")})
    if st.form_submit_button("保存议题", type="primary"):
        save("议题已保存。", topics=edited.dropna(how="all").to_dict("records"))

with rubric, st.form("rubric"):
    st.caption("总分为各项按分值范围折算到 0–100 后的加权平均。第一份评分提交后评分标准将锁定。")
    edited = st.data_editor(
        pd.DataFrame([c.to_dict() for c in contest.rubric]), num_rows="dynamic", hide_index=True,
        key="rubric_editor",
        column_config={"code": "代码", "name": "名称", "weight": st.column_config.NumberColumn("权重"),
                       "min": st.column_config.NumberColumn("最低分"), "max": st.column_config.NumberColumn("最高分"),
                       "description": "说明",
                       "kind": st.column_config.SelectboxColumn("评分方式", options=list(KINDS),
                                                                format_func=lambda k: KINDS[k].label)})
    if st.form_submit_button("保存评分标准", type="primary"):
        save("评分标准已保存。", rubric=edited.dropna(how="all").to_dict("records"))

with colleges, st.form("colleges"):
    text = st.text_area("学院列表（每行一个）", "\n".join(contest.colleges), height=260)
    if st.form_submit_button("保存学院", type="primary"):
        save("学院列表已保存。", colleges=[line for line in text.splitlines() if line.strip()])

with departments, st.form("departments"):
    st.caption("从列表中删除的部门会停用（已有账号和转办记录保留）。")
    frame = pd.DataFrame(settings.departments(db), columns=["code", "name", "description"])
    edited = st.data_editor(frame[["code", "name", "description"]], num_rows="dynamic", hide_index=True,
                            key="departments_editor",
                            column_config={"code": "代码", "name": "部门名称", "description": "职责说明"})
    if st.form_submit_button("保存职能部门", type="primary"):
        rows = edited.fillna("").to_dict("records")
        if ui.attempt(lambda: settings.save_departments(db, user, rows) or True):
            ui.flash("职能部门已保存。")

with st.expander("邮件通知与催办", icon=":material/mail:"):
    with st.form("mail_settings"):
        st.caption("平台“消息”始终发送；开启后同时通过 SMTP 发邮件（每人可在“我的账号”中关闭）。"
                   "SMTP 密码不存入数据库，请在服务器环境变量 CONTEST_SMTP_PASSWORD 中设置。")
        enabled = st.toggle("发送邮件通知", contest.email_enabled, key="mail_enabled")
        left, right = st.columns([3, 1])
        host = left.text_input("SMTP 服务器", contest.smtp_host, key="mail_host")
        port = right.number_input("端口", 1, 65535, int(contest.smtp_port), key="mail_port")
        left, right = st.columns(2)
        sender = left.text_input("发件地址", contest.smtp_sender, key="mail_sender")
        username = right.text_input("SMTP 用户名（可选）", contest.smtp_username, key="mail_user")
        starttls = st.checkbox("使用 STARTTLS", contest.smtp_starttls, key="mail_tls")
        url = st.text_input("平台网址（写在邮件里，可选）", contest.portal_url, key="mail_url")
        left, right = st.columns(2)
        interval = left.number_input("同一对象两次催办至少间隔（小时）", 1, 24 * 14, int(contest.reminder_interval_hours),
                                     key="mail_interval")
        before = right.number_input("截止前几天自动提醒（python -m contest remind）", 1, 30,
                                    int(contest.reminder_days_before), key="mail_before")
        if st.form_submit_button("保存邮件与催办设置", type="primary"):
            save("邮件与催办设置已保存。", email_enabled=enabled, smtp_host=host, smtp_port=port, smtp_sender=sender,
                 smtp_username=username, smtp_starttls=starttls, portal_url=url, reminder_interval_hours=interval,
                 reminder_days_before=before)
