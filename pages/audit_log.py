"""Organizer: the audit log."""
import pandas as pd
import streamlit as st

from contest import audit
from pages import _ui as ui

st.title("审计日志")
st.caption("记录设置、账号、提案状态、评分、转办等所有修改：谁、何时、改了什么。显示最近 500 条。")
rows = audit.entries(ui.db(), ui.user())
frame = pd.DataFrame(rows, columns=["id", "at", "actor_id", "actor", "action", "target", "detail"])
query = st.text_input("筛选（操作人、操作、对象或内容）", max_chars=50)
if query:
    mask = frame[["actor", "action", "target", "detail"]].apply(lambda c: c.str.contains(query, regex=False, na=False))
    frame = frame[mask.any(axis=1)]
st.dataframe(frame.drop(columns=["actor_id"]), hide_index=True, width="stretch",
             column_config={"id": "序号", "at": "时间", "actor": "操作人", "action": "操作", "target": "对象",
                            "detail": "详情"})
