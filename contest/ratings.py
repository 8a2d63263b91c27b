"""Ratings: an author rates the departments' reply and may ask once for a further reply.

An author rates once (满意 / 基本满意 / 不满意); after 不满意 they may ask the departments
for a further reply (once per proposal) and, once it came, rate again.
"""
from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from . import audit, clock, notices, policy, validation
from .forwarding import case_row
from .errors import PermissionDenied, ValidationError
from .vocabulary import Rating, from_label
from .db import writes


def _own_member(db: Database, user, proposal_id: int) -> dict:
    policy.require(user, "rate_replies")
    member = next(db["case_members"].rows_where("proposal_id = ?", [proposal_id]), None)
    if not policy.is_author(db, user, proposal_id):
        raise PermissionDenied("只有提案人可以评价答复。")
    if member is None:
        raise ValidationError("该提案尚未转办，不能评价。")
    return member


def rating_status(db: Database, user, proposal_id: int) -> dict:
    """What the author may do now: {'can_rate', 'can_request', 'ratings', 'replied', 'reason'}."""
    member = _own_member(db, user, proposal_id)
    case = case_row(db, member["case_id"])
    rated = list(db["ratings"].rows_where("proposal_id = ?", [proposal_id], order_by="round"))
    for r in rated:
        r["level_name"] = Rating(r["level"]).label
    replied_after_request = bool(member["further_requested_at"]) and bool(db.execute(
        "select 1 from replies where case_id = ? and at >= ?", [case["id"], member["further_requested_at"]]).fetchone())
    can_rate = bool(case["first_reply_at"]) and (not rated or (len(rated) == 1 and replied_after_request))
    can_request = (len(rated) == 1 and rated[0]["level"] == "unsatisfied" and not member["further_requested_at"])
    reason = ("" if can_rate else "部门答复后才能评价。" if not case["first_reply_at"]
              else "已申请再次答复，等待部门答复后可再次评价。" if member["further_requested_at"] and not replied_after_request
              else "已评价。")
    return {"can_rate": can_rate, "can_request": can_request, "ratings": rated, "replied": bool(case["first_reply_at"]),
            "further_requested_at": member["further_requested_at"], "reason": reason}


@writes
def rate(db: Database, user, proposal_id: int, level: str, comment: str = "", *, now: dt.datetime | None = None) -> None:
    """An author rates the reply once (满意 / 基本满意 / 不满意); once more only after a requested further reply."""
    now = clock.given_or_now(now)
    level = from_label(Rating, level)
    if level is None:
        raise ValidationError("请选择：满意、基本满意或不满意。")
    comment = validation.optional_text(comment, "评价意见", max_len=500, multiline=True)
    with db.atomic():
        status = rating_status(db, user, proposal_id)
        if not status["can_rate"]:
            raise ValidationError("部门尚未答复，暂不能评价。" if not status["replied"] else
                                  "已评价过，不能重复评价。" if not status["further_requested_at"] else status["reason"])
        member = _own_member(db, user, proposal_id)
        db["ratings"].insert({"proposal_id": proposal_id, "round": len(status["ratings"]) + 1,
                              "case_id": member["case_id"], "user_id": user.id, "level": level, "comment": comment,
                              "at": clock.iso(now)})
        audit.record(db, user, "rate_reply", f"proposal:{proposal_id}", {"level": level})


@writes
def request_further_reply(db: Database, user, proposal_id: int, reason: str, *, now: dt.datetime | None = None) -> None:
    """Once per proposal, after rating 不满意, the author asks the department for a further reply."""
    now = clock.given_or_now(now)
    reason = validation.text(reason, "申请再次答复的理由", min_len=4, max_len=500, multiline=True)
    with db.atomic():
        status = rating_status(db, user, proposal_id)
        if not status["can_request"]:
            raise ValidationError("已申请过再次答复。" if status["further_requested_at"]
                                  else "只有评价为“不满意”后才能申请再次答复（每件提案限一次）。")
        db["case_members"].update(proposal_id, {"further_requested_at": clock.iso(now), "further_reason": reason,
                                                "further_by": user.id})
        audit.record(db, user, "request_further_reply", f"proposal:{proposal_id}")
    notices.further_requested(db, proposal_id)
