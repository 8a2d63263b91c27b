"""Judging: rubric lock, assignments and score sheets."""
from __future__ import annotations

from sqlite_utils import Database, Migrations

from .errors import ValidationError

migrations = Migrations("judging")


@migrations()
def m001_judging(db: Database) -> None:
    db["assignments"].create(
        {"proposal_id": int, "judge_id": int, "published": int, "source": str, "created_at": str},
        pk=("proposal_id", "judge_id"),
        defaults={"published": 0, "source": "auto"},
        foreign_keys=[("proposal_id", "proposals", "id"), ("judge_id", "users", "id")],
    )
    db["assignments"].create_index(["judge_id"])
    db["conflicts"].create(
        {"proposal_id": int, "judge_id": int, "reason": str, "declared_by": int, "declared_at": str},
        pk=("proposal_id", "judge_id"),
        foreign_keys=[("proposal_id", "proposals", "id"), ("judge_id", "users", "id")],
    )
    db["sheets"].create(
        {
            "id": int,
            "proposal_id": int,
            "judge_id": int,
            "status": str,  # draft | submitted
            "comment": str,  # for the authors, shown after results are published
            "note": str,  # confidential, organizers only
            "updated_at": str,
            "submitted_at": str,
        },
        pk="id",
        not_null={"proposal_id", "judge_id", "status"},
        foreign_keys=[("proposal_id", "proposals", "id"), ("judge_id", "users", "id")],
    )
    db["sheets"].create_index(["proposal_id", "judge_id"], unique=True)
    db["sheets"].create_index(["judge_id"])
    db["scores"].create(
        {"sheet_id": int, "criterion": str, "score": float},
        pk=("sheet_id", "criterion"),
        foreign_keys=[("sheet_id", "sheets", "id")],
    )
    db["awards"].create(
        {"proposal_id": int, "award": str, "rank": int, "score": float, "overridden": int, "reason": str,
         "decided_at": str},
        pk="proposal_id",
        foreign_keys=[("proposal_id", "proposals", "id")],
    )


def ensure_rubric_editable(db: Database) -> None:
    """The rubric is locked once the first score sheet has been submitted."""
    if db["sheets"].exists() and db["sheets"].count_where("status = 'submitted'"):
        raise ValidationError("已有评委提交评分，评分标准已锁定，不能再修改。")


def build_demo(db: Database, users: dict[str, int], now) -> None:
    """Demo contest: assign valid proposals and score some of them (filled in by the judging issue)."""
