"""Helpers shared by the judging pages (assignment, queue, score sheet, bulk entry, progress)."""
from __future__ import annotations

import streamlit as st

from contest.errors import ContestError
from pages import _ui as ui


def attempt(action):
    """Like ``ui.attempt`` but keeps the line breaks of a multi-row error (one line per bad row)."""
    try:
        return action()
    except ContestError as error:
        lines = [line for line in str(error).splitlines() if line.strip()]
        st.error("  \n".join(ui.escape_md(line) for line in lines))
        return None


def pick_label(proposal_id: int, title: str, extra: str = "") -> str:
    """Option text for a proposal in a select box (options are shown as plain text)."""
    return f"{proposal_id} · {title}" + (f"（{extra}）" if extra else "")
