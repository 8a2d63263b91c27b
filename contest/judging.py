"""Judging: rubric lock, assignments and score sheets."""
from __future__ import annotations

from sqlite_utils import Database

from .errors import ValidationError


def ensure_rubric_editable(db: Database) -> None:
    """The rubric is locked once the first score sheet has been submitted."""
    if db["sheets"].exists() and db["sheets"].count_where("status = 'submitted'"):
        raise ValidationError("已有评委提交评分，评分标准已锁定，不能再修改。")
