"""Helpers shared by the judging pages (assignment, queue, score sheet, bulk entry, progress).

``score_input`` and ``score_column`` are the one place a criterion becomes a widget: the score
sheet asks for each criterion with ``score_input``, bulk entry makes a table column with
``score_column``. A new criterion kind (``contest.rubric.KINDS``) gets its widget here.
"""
from __future__ import annotations

import streamlit as st

from app_pages import _ui as ui
from contest.rubric import Criterion


def pick_label(proposal_id: int, title: str, extra: str = "") -> str:
    """Option text for a proposal in a select box (options are shown as plain text)."""
    return f"{proposal_id} · {title}" + (f"（{extra}）" if extra else "")


def score_input(criterion: Criterion, value, *, key: str, disabled: bool = False):
    """The score of one criterion on the score sheet (None while empty).

    No min/max on the widget: a browser refuses a typed 12 of 0–10 by itself and sends nothing,
    which then read as 尚未填写; the domain checks the range and says 应在 0–10 之间，当前为 12."""
    c = criterion
    return st.number_input(
        f"{ui.escape_md(c.name)}（{c.range_text} 分，权重 {c.weight:g}）",
        value=None if value is None else float(value),
        step=0.5, format="%.1f", placeholder=f"请输入 {c.range_text}", help=ui.escape_md(c.description) or None,
        key=key, disabled=disabled)


def score_column(criterion: Criterion):
    """The bulk-entry column of one criterion."""
    c = criterion
    return st.column_config.NumberColumn(
        f"{c.name}（{c.range_text}）", min_value=float(c.min), max_value=float(c.max), step=0.5, format="%.1f",
        width="small", help=f"权重 {c.weight:g}。{ui.escape_md(c.description)}")
