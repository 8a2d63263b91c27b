"""Judging: rubric lock, assignments and score sheets."""
from __future__ import annotations

from sqlite_utils import Database, Migrations

from .errors import ValidationError

migrations = Migrations("judging")


def ensure_rubric_editable(db: Database) -> None:
    """The rubric is locked once the first score sheet has been submitted."""
    if db["sheets"].exists() and db["sheets"].count_where("status = 'submitted'"):
        raise ValidationError("已有评委提交评分，评分标准已锁定，不能再修改。")


def build_demo(db: Database, users: dict[str, int], now) -> None:
    """Demo contest: assign valid proposals and score some of them (filled in by the judging issue)."""
