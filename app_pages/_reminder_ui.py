"""The 催办 block shared by the judging progress and follow-up pages: who would be reminded, when they
last were, and one button for all of them."""
import pandas as pd
import streamlit as st

from contest import settings
from app_pages import _ui as ui


def remind_block(frame: pd.DataFrame, columns: dict, send, *, key: str, noun: str) -> None:
    """``frame`` of targets (with ``last_reminder``), shown with ``columns``; ``send()`` reminds them all."""
    hours = settings.get(ui.db()).reminder_interval_hours
    shown = frame.assign(last_reminder=frame["last_reminder"].fillna("").str[:16].replace("", "从未催办"))
    st.dataframe(shown[list(columns)].rename(columns=columns), hide_index=True, width="stretch", key=f"{key}_table")
    st.caption(f"催办通过平台消息（和邮件，如已开启）发送；{hours} 小时内催办过的{noun}不会重复收到。")
    if st.button(f"一键催办全部（{len(frame)}）", icon=":material/notifications_active:", key=key, type="primary"):
        result = ui.attempt(send)
        if result is not None:
            skipped = f"；{len(result['skipped'])} 个在 {hours} 小时内已催办过，未重复发送" if result["skipped"] else ""
            ui.flash(f"已催办 {len(result['sent'])} 个{noun}{skipped}。")
