"""全部提案 (organizer): search and filter every submitted proposal, read one, export."""
import streamlit as st

from contest import contests, exports, proposals, settings, validation
from contest.vocabulary import ProposalStatus, labels
from app_pages import _proposal_view as view
from app_pages import _ui as ui

db, user = ui.db(), ui.user()
TABLE_ROWS = 1000
contest = settings.get(db)
st.title("全部提案")
counts = proposals.counts(db, user)
st.caption(f"共收到提案 {counts['received']} 件：确立有效提案 {counts['valid']} 件，不予立案 {counts['invalid']} 件，"
           f"待审查 {counts['pending']} 件；已撤回 {counts['withdrawn']} 件（草稿不在此列出）。")

statuses = [s for s in labels(ProposalStatus) if s != "draft"]
c1, c2, c3, c4 = st.columns([2, 1, 1, 2])
chosen = c1.multiselect("状态", statuses, format_func=view.status_label, key="ap_status", placeholder="请选择（可多选）")
topic = c2.selectbox("议题", [""] + contest.topic_codes, key="ap_topic",
                     format_func=lambda c: contest.topic_name(c) if c else "全部议题")
college = c3.selectbox("学院", [""] + contest.colleges, key="ap_college",
                       format_func=lambda c: c or "全部学院")
text = c4.text_input("搜索（标题、正文、提案人；短词如“食堂”也可以）", key="ap_text", max_chars=validation.SEARCH_MAX)

table = ui.attempt(lambda: proposals.search(db, user, status=chosen or None, topic=topic or None,
                                            college=college or None, text=text))
if table is None:
    st.stop()
departments = settings.department_names(db)
page_rows = table
if len(table) > TABLE_ROWS:  # tens of thousands of rows: one page at a time (the export has them all)
    pages = -(-len(table) // TABLE_ROWS)
    page = st.number_input(f"页码（每页 {TABLE_ROWS} 件，共 {pages} 页）", 1, pages, 1, key="ap_page")
    page_rows = table.iloc[(page - 1) * TABLE_ROWS: page * TABLE_ROWS]
shown = page_rows.assign(
    topic=page_rows["topic"].map(lambda c: contest.topic_name(c) if c else ""),
    status=page_rows["status"].map(view.status_label),
    department=page_rows["department"].map(lambda c: departments.get(c, c) if c else ""),
    source=page_rows["source"].map({"portal": "网上提交", "import": "导入"}),
)[["id", "title", "topic", "status", "college", "author", "coauthors", "department", "submitted_at", "source"]]
st.dataframe(shown, hide_index=True, column_config={
    "id": "编号", "title": st.column_config.TextColumn("标题", width="large"), "topic": "议题", "status": "状态",
    "college": "学院", "author": "提案人", "coauthors": "合作者数", "department": "建议承办部门",
    "submitted_at": "提交时间", "source": "来源"})
st.caption(f"符合条件的提案 {len(table)} 件。")

ids = [int(i) for i in table["id"]]


def export_frame():
    """Built only when a download is clicked, on its own thread: hence its own connection."""
    return proposals.export_table(contests.reopen(db), user, ids)


e1, e2, _ = st.columns([1, 1, 3])
e1.download_button("导出 CSV", lambda: exports.to_csv(export_frame()), file_name="提案.csv", mime="text/csv",
                   on_click="ignore", icon=":material/download:")
e2.download_button("导出 Excel", lambda: exports.to_excel({"提案": export_frame()}), file_name="提案.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   on_click="ignore", icon=":material/download:")

st.subheader("提案详情")
titles = dict(zip(table["id"], table["title"]))
if not titles:
    st.info("没有符合条件的提案。")
    st.stop()
pid = ui.search_select("选择提案", {int(i): f"#{i} {t}" for i, t in titles.items()}, key="ap_detail")
if pid is None:
    st.stop()
proposal = proposals.get(db, user, pid)
view.show_fields(db, proposal)
view.show_attachments(db, user, pid, key="ap")
view.show_timeline(db, user, pid)
