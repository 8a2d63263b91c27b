"""导入提案 (organizer): load proposals from an Excel/CSV sheet, with a preview; all or nothing."""
import pandas as pd
import streamlit as st

from contest import exports, proposals, settings
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("导入提案")
st.caption("从 Excel（.xlsx）或 CSV 表格导入已有提案（例如学代会提案）。先预览检查，表中任何一行有错误时不会导入任何提案。"
           "填写了已注册学生的学号时，该学生成为提交人，能在“我的提案”中看到；否则记为组织者代录并保留提案人姓名。")

template = pd.DataFrame([{
    "标题": "关于……的建议", "议题": contest.topics[0]["name"], "问题描述": "（20–3000 字）", "调研情况": "（20–3000 字）",
    "建议措施": "（20–3000 字）", "建议承办部门": "", "提案人": "", "学号": "", "学院": contest.colleges[0]}],
    columns=proposals.IMPORT_TEMPLATE)
st.download_button("下载模板（Excel）", exports.to_excel({"提案": template}), file_name="提案导入模板.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                   icon=":material/download:")
st.caption("列：" + "、".join(proposals.IMPORT_TEMPLATE) + "。议题和建议承办部门可填名称或代码；议题、建议承办部门、学号、学院可留空"
           "（议题留空时按内容自动分类，导入后待复核）。也可直接上传学代会的提案汇总表：表头上方的标题行会被跳过，"
           "常见列名（提案题目、案由、具体建议、解决办法、提案类别、承办单位等）都能识别，合并单元格按合并范围向下填充。")

upload = st.file_uploader("选择表格文件", type=["xlsx", "csv"], key="ip_file")
if upload is None:
    st.stop()

sheet = ui.attempt(lambda: proposals.read_import_sheet(upload.getvalue(), upload.name))
if sheet is None:
    st.stop()
frame = sheet.frame
found = f"表头在第 {sheet.header_row} 行" + ("（上方的标题行已跳过）" if sheet.header_row > 1 else "")
if sheet.unused:
    found += "；未导入的列：" + "、".join(ui.escape_md(c) for c in sheet.unused)  # headers from the file
st.caption(found + "。")
rows, errors = ui.attempt(lambda: proposals.check_import(db, user, frame)) or ([], [])

st.subheader("预览")
if rows:
    departments = settings.department_names(db)
    preview = pd.DataFrame([{
        "行号": r["row"], "标题": r["title"],
        "议题": contest.topic_name(r["topic"]) + ("（自动分类，待确认）" if r["topic_predicted"] else ""),
        "提案人": r["author_name"] or r["submitter"], "提交账号": r["submitter"], "学院": r["college"] or "",
        "建议承办部门": departments.get(r["department"], r["department"]) if r["department"] else "",
    } for r in rows])
    st.dataframe(preview, hide_index=True)
predicted = sum(r["topic_predicted"] for r in rows)
bad_rows = len({e.split("：", 1)[0] for e in errors if e.startswith("第 ")})
st.caption(f"表中可导入 {len(rows)} 行，有错误 {bad_rows} 行（共 {len(errors)} 个问题）。")
if predicted:
    st.info(f"{predicted} 件提案没有填写议题，已按内容自动分类；导入后请在“话题地图”中复核确认。")
if errors:
    st.error("以下是表中的全部问题，请改正表格后重新上传（不会导入任何提案）：")
    st.dataframe(pd.DataFrame({"错误": errors}), hide_index=True)
    st.stop()

status = st.radio("导入后的状态", list(proposals.IMPORT_STATUSES), format_func=proposals.IMPORT_STATUSES.get,
                  key="ip_status", horizontal=True)
if st.button(f"导入 {len(rows)} 件提案", type="primary", icon=":material/upload:"):
    count = ui.attempt(lambda: proposals.import_proposals(db, user, frame, status=status))
    if count:
        st.session_state.pop("ip_file", None)
        ui.flash(f"已导入 {count} 件提案。")
