"""Judge: enter many score sheets at once in a table (st.data_editor inside a form)."""
import streamlit as st

from contest import clock, score_sheets, settings
from app_pages import _judging_ui as jui
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("批量评分")
st.caption("每行一件提案，每列一个评分项（鼠标停在列名上可看评分说明）。只会保存您改动过或已填写的行；"
           "“提交”要求该行各项都已打分。评审截止前可修改已提交的评分。")

frame = score_sheets.bulk_frame(db, user)
if frame.empty:
    st.info("组织者尚未向您发布评审任务。")
    st.stop()
if not contest.judging_open(clock.now()):
    st.info(f"评审已于 {contest.phases.get('judging_closes')} 截止，评分表只读。")

columns = {
    "proposal_id": st.column_config.NumberColumn("编号", format="%d", disabled=True),
    "title": st.column_config.TextColumn("标题", disabled=True, width="large"),
    "status_name": st.column_config.TextColumn("状态", disabled=True, width="small"),
    "comment": st.column_config.TextColumn("给作者的评语", max_chars=score_sheets.COMMENT_LEN, width="large"),
}
for c in contest.rubric:
    columns[c.code] = jui.score_column(c)

with st.form("bulk"):
    edited = st.data_editor(frame, hide_index=True, num_rows="fixed", column_config=columns, width="stretch",
                            key="bulk_editor")
    per_row = st.checkbox("逐行保存：跳过有错误的行，其余照常保存（默认：任一行有错则全部不保存）", key="bulk_per_row")
    b1, b2 = st.columns(2)
    draft = b1.form_submit_button("保存草稿", width="stretch")
    submit = b2.form_submit_button("提交已打分的行", type="primary", width="stretch")

if draft or submit:
    rows = edited.to_dict("records")
    result = ui.attempt(lambda: score_sheets.save_bulk(db, user, rows, submit=submit, all_or_nothing=not per_row))
    if result is not None:
        if result["errors"]:
            st.warning("以下行未保存：  \n" + "  \n".join(ui.escape_md(e) for e in result["errors"]))
            st.success(f"已保存 {result['saved']} 行。")
        else:
            ui.flash(f"已{'提交' if submit else '保存'} {result['saved']} 行"
                     + (f"，{result['unchanged']} 行没有改动" if result["unchanged"] else "") + "。")
