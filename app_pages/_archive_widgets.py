"""An archive that answers, in the pages: earlier years' proposals on the same issue and their reply."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from contest import archive
from app_pages import _ui as ui


def earlier_answers(db, user, text: str, *, intro: str) -> list[dict]:
    """Up to 3 proposals of earlier contests similar to ``text`` with their department and reply."""
    hits = ui.attempt(lambda: archive.earlier_answers(db, user, text)) or []
    if not hits:
        return []
    with st.container(border=True, key="earlier_answers"):
        st.markdown(f"**往年相似提案及答复**：{intro}")
        for hit in hits:
            st.text(f"{hit['year']} 年 · {hit['title']}")
            handled = f"承办：{hit['department_name']}" if hit["department_name"] else "未转办"
            st.caption(ui.escape_md(f"{hit['topic_name'] or '未分类'} · {handled} · 相似度 {hit['similarity']:.0%}"))
            if hit["reply"]:
                st.text(f"答复（{hit['reply_state']}，{hit['replied_at']}）：{hit['reply']}")
                if hit["reply_plan"]:
                    st.text(f"措施：{hit['reply_plan']}")
            else:
                st.caption("没有公开的答复。" if hit["forwarded"] else "当年未转办。")
    return hits


def yearly_comparison(db, user) -> None:
    """Rates and topics of every contest side by side (only when there are earlier contests)."""
    result = ui.attempt(lambda: archive.yearly_comparison(db, user))
    if result is None or len(result[0]) < 2:
        return
    rates, topics = result
    st.subheader("历年对比")
    share = lambda v: "" if pd.isna(v) else f"{v:.0%}"  # noqa: E731
    st.dataframe(pd.DataFrame({
        "年份": rates["year"], "比赛": rates["contest_name"], "收到提案": rates["proposals"],
        "立案率": rates["valid_share"].map(share), "转办件数": rates["forwarded"],
        "答复率": rates["replied_share"].map(share), "办结率": rates["resolved_share"].map(share),
    }), hide_index=True, key="yearly_rates")
    st.caption("各议题的提案数（按届）")
    st.dataframe(topics, key="yearly_topics")
    st.bar_chart(topics.T, stack=False, x_label="比赛", y_label="提案数")
