"""Judge: one proposal shown blind, the rubric inputs, comment and confidential note; draft or submit."""
import streamlit as st

from contest import attachments, score_sheets, settings
from contest.errors import ContestError
from app_pages import _judging_ui as jui
from app_pages import _ui as ui
from app_pages._proposal_view import FIELDS

db, user = ui.db(), ui.user()
contest = settings.get(db)
st.title("评分")

queue = score_sheets.judge_queue(db, user)
if queue.empty:
    st.info("组织者尚未向您发布评审任务。")
    st.stop()

ids = [int(p) for p in queue["proposal_id"]]
labels = dict(zip(ids, (jui.pick_label(p, t, s) for p, t, s in
                        zip(ids, queue["title"], queue["status_name"]))))
wanted = st.session_state.pop("score_proposal", None)
if wanted in ids:
    st.session_state["score_pick"] = wanted
elif st.session_state.get("score_pick") not in ids:
    st.session_state["score_pick"] = ids[0]
proposal_id = st.selectbox("提案", ids, format_func=labels.get, key="score_pick")
position = ids.index(proposal_id)

proposal = ui.attempt(lambda: score_sheets.blind_proposal(db, user, proposal_id))
sheet = ui.attempt(lambda: score_sheets.get_sheet(db, user, proposal_id))
if proposal is None or sheet is None:
    st.stop()

view, form_col = st.columns([3, 2], gap="large")
with view:
    st.subheader(ui.escape_md(proposal["title"]))
    st.caption(f"提案编号 {proposal['id']} · 议题：{ui.escape_md(proposal['topic_name'])} · 匿名评审")
    for key, label in FIELDS:
        st.markdown(f"**{label}**")
        st.text(proposal[key] or "（未填写）")
    if proposal["attachments"]:
        st.markdown("**附件**")
        for item in proposal["attachments"]:
            size = attachments.size_label(item["size"])
            try:
                _, mime, data = attachments.read(db, user, item["id"])
            except ContestError as error:  # a missing file must not hide the rest of the sheet
                st.text(f"{item['name']}（{size}）：{error}")
                continue
            st.download_button(f"下载 {item['name']}（{size}）", data, file_name=item["name"], mime=mime,
                               key=f"att_{item['id']}", icon=":material/download:")

with form_col:
    status_line = f"状态：{sheet['status_name']}"
    if sheet["total"] is not None:
        status_line += f" · 加权总分 {sheet['total']:.1f} / 100"
    if sheet["updated_at"]:
        status_line += f" · 最后保存 {sheet['updated_at']}"
    st.caption(status_line)
    if not sheet["editable"]:
        st.info(sheet["locked_reason"])
    elif sheet["status"] == "submitted":
        st.success("已提交。评审截止前仍可修改，修改后请再次点击“提交”。")
    with st.form(f"sheet_{proposal_id}"):
        values = {}
        for c in contest.rubric:
            values[c.code] = jui.score_input(c, sheet["scores"].get(c.code), key=f"score_{proposal_id}_{c.code}",
                                             disabled=not sheet["editable"])
        comment = st.text_area("给作者的评语（结果公布后作者可见）", sheet["comment"], max_chars=score_sheets.COMMENT_LEN,
                               key=f"comment_{proposal_id}", disabled=not sheet["editable"])
        note = st.text_area("仅组织者可见的备注", sheet["note"], max_chars=score_sheets.NOTE_LEN,
                            key=f"note_{proposal_id}", disabled=not sheet["editable"])
        b1, b2 = st.columns(2)
        draft = b1.form_submit_button("保存草稿", disabled=not sheet["editable"] or sheet["status"] == "submitted",
                                      width="stretch")
        submit = b2.form_submit_button("提交", type="primary", disabled=not sheet["editable"], width="stretch")
    if draft or submit:
        saved = ui.attempt(lambda: score_sheets.save_sheet(db, user, proposal_id, values, comment, note, submit=submit))
        if saved:
            remaining = [p for p, s in zip(queue["proposal_id"], queue["status"])
                         if s != "submitted" and p != proposal_id]
            if submit and remaining:
                st.session_state["score_proposal"] = int(remaining[0])
                ui.flash(f"提案 {proposal_id} 的评分已提交，已为您打开下一件未完成的提案。")
            ui.flash(f"提案 {proposal_id} 的评分已{'提交' if submit else '保存为草稿'}。")
    nav1, nav2 = st.columns(2)
    if position > 0 and nav1.button("上一件", icon=":material/arrow_back:", width="stretch"):
        st.session_state["score_proposal"] = ids[position - 1]
        st.rerun()
    if position < len(ids) - 1 and nav2.button("下一件", icon=":material/arrow_forward:", width="stretch"):
        st.session_state["score_proposal"] = ids[position + 1]
        st.rerun()
