"""Helpers shared by the judging pages (assignment, queue, score sheet, bulk entry, progress)."""
from __future__ import annotations


def pick_label(proposal_id: int, title: str, extra: str = "") -> str:
    """Option text for a proposal in a select box (options are shown as plain text)."""
    return f"{proposal_id} · {title}" + (f"（{extra}）" if extra else "")
