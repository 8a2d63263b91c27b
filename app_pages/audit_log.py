"""Organizer: the audit log."""
import json

import pandas as pd
import streamlit as st

from contest import audit, validation
from contest.vocabulary import AuditAction, label_of, labels
from app_pages import _ui as ui

TARGETS = {"proposal": "提案", "case": "转办", "user": "账号", "sheet": "评分表", "reply": "答复"}
WHOLE = {"assignments": "评审分配", "departments": "职能部门", "proposals": "提案", "replies": "答复",
         "results": "评审结果", "rubric": "评分标准", "settings": "比赛设置", "users": "账号"}


def target_label(target) -> str:
    kind, _, key = str(target or "").partition(":")
    if target in WHOLE:
        return WHOLE[target]
    return f"{TARGETS[kind]} #{key}" if kind in TARGETS and key else str(target or "")


def detail_text(detail: str) -> str:
    """The recorded change as one line: 'key: old → new; key: value'."""
    try:
        value = json.loads(detail or "{}")
    except ValueError:
        return str(detail)

    def show(v) -> str:
        if isinstance(v, dict) and set(v) == {"old", "new"}:
            return f"{show(v['old'])} → {show(v['new'])}"
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False)
        return "—" if v in (None, "") else str(v)

    if isinstance(value, dict) and set(value) == {"old", "new"}:
        return show(value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{show(v)}" for k, v in value.items())
    return show(value)


st.title("审计日志")
st.caption("记录设置、账号、提案状态、评分、转办等所有修改：谁、何时、改了什么。可在全部记录中筛选。")
actions = labels(AuditAction)
cols = st.columns([3, 2, 1, 1])
query = cols[0].text_input("筛选（操作人、操作、对象或内容）", max_chars=validation.SEARCH_MAX)
action = cols[1].selectbox("操作", [None, *actions], format_func=lambda a: "全部操作" if a is None else actions[a])
since = cols[2].date_input("起始日期", value=None, format="YYYY-MM-DD")
until = cols[3].date_input("截止日期", value=None, format="YYYY-MM-DD")
page = st.session_state.get("audit_page", 1)
try:
    rows, total = audit.search(ui.db(), ui.user(), text=query, action=action, since=since, until=until, page=page)
except validation.ValidationError as error:
    st.error(str(error))
    st.stop()
pages = max(1, -(-total // audit.PAGE_SIZE))
if page > pages:  # the filter changed and the page is past the end: show the first one
    st.session_state["audit_page"] = page = 1
    rows, total = audit.search(ui.db(), ui.user(), text=query, action=action, since=since, until=until, page=1)
st.number_input(f"页码（共 {pages} 页）", min_value=1, max_value=pages, step=1, key="audit_page")
st.caption(f"共 {total} 条记录，每页 {audit.PAGE_SIZE} 条，当前第 {page} 页。")
frame = pd.DataFrame(rows, columns=["id", "at", "actor_id", "actor", "action", "target", "detail"])
frame["action"] = frame["action"].map(lambda a: label_of(AuditAction, a))
frame["target"] = frame["target"].map(target_label)
frame["detail"] = frame["detail"].map(detail_text)
st.dataframe(frame.drop(columns=["actor_id"]), hide_index=True, width="stretch",
             column_config={"id": "序号", "at": "时间", "actor": "操作人", "action": "操作", "target": "对象",
                            "detail": "详情（原值 → 新值）"})
