"""Join requests: a student asks to become co-author of a submitted proposal; the submitter answers.

A student writing a proposal sees similar submitted ones (``topic_map.similar_to_draft``) and may
ask to join one instead. The student becomes a co-author only with the submitter's consent, while
the proposal is still submitted (not yet screened), before the submission deadline and while it
has a free co-author place.
"""
from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

from . import audit, clock, policy, settings, validation
from .accounts import User
from .errors import PermissionDenied, ValidationError
from .proposals import MAX_COAUTHORS, coauthor_ids
from .vocabulary import JoinStatus, label_of
from .db import writes


def _joinable(db: Database, proposal: dict, now: dt.datetime) -> None:
    """Raise unless a co-author can still be added: submitted, before the deadline, a free place."""
    if proposal["status"] != "submitted":
        raise ValidationError("该提案已完成立案审查或不再接受合作者，无法加入。")
    contest = settings.get(db)
    if not contest.submission_open(now):
        raise ValidationError(f"提案征集已于 {contest.phases.get('submission_closes')} 截止，不能再加入合作者。")
    if len(coauthor_ids(db, proposal["id"])) >= MAX_COAUTHORS:
        raise ValidationError(f"该提案的合作者已满 {MAX_COAUTHORS} 人，无法加入。")


@writes
def request_to_join(db: Database, user: User, proposal_id: int, message: str = "", *,
                    now: dt.datetime | None = None) -> int:
    """A student asks to join a submitted proposal as co-author; returns the request id."""
    policy.require(user, "join_proposals")
    now = now or clock.now()
    proposal = next(db["proposals"].rows_where("id = ?", [proposal_id]), None)
    if proposal is None or proposal["status"] in ("draft", "withdrawn", "invalid"):
        raise PermissionDenied("提案不存在或无法加入。")
    if user.id == proposal["submitter_id"] or user.id in coauthor_ids(db, proposal_id):
        raise ValidationError("你已是该提案的作者。")
    message = validation.optional_text(message, "附言", max_len=200, multiline=True)
    with db.atomic():
        if db["join_requests"].count_where("proposal_id = ? and requester_id = ? and status = 'pending'",
                                           [proposal_id, user.id]):
            raise ValidationError("你已申请加入该提案，请等待提交人答复。")
        _joinable(db, proposal, now)
        request_id = db["join_requests"].insert({
            "proposal_id": proposal_id, "requester_id": user.id, "message": message, "status": "pending",
            "created_at": clock.iso(now)}).last_pk
        audit.record(db, user, "request_join", f"proposal:{proposal_id}", {"request": request_id})
    return request_id


def _request(db: Database, request_id: int) -> dict:
    row = next(db["join_requests"].rows_where("id = ?", [request_id]), None)
    if row is None:
        raise PermissionDenied("申请不存在或无权处理。")
    return row


@writes
def answer_join_request(db: Database, submitter: User, request_id: int, accept: bool, *,
                        now: dt.datetime | None = None) -> None:
    """The submitter accepts (the requester becomes a co-author) or declines a join request."""
    policy.require(submitter, "join_proposals")
    now = now or clock.now()
    with db.atomic():
        request = _request(db, request_id)
        proposal = next(db["proposals"].rows_where("id = ?", [request["proposal_id"]]))
        if proposal["submitter_id"] != submitter.id:
            raise PermissionDenied("申请不存在或无权处理。")
        if request["status"] != "pending":
            raise ValidationError(f"该申请已处理（{label_of(JoinStatus, request['status'])}）。")
        if accept:
            _joinable(db, proposal, now)
            if request["requester_id"] not in coauthor_ids(db, proposal["id"]):
                db["coauthors"].insert({"proposal_id": proposal["id"], "user_id": request["requester_id"]})
        db["join_requests"].update(request_id, {"status": "accepted" if accept else "declined",
                                                "answered_at": clock.iso(now)})
        audit.record(db, submitter, "accept_join" if accept else "decline_join", f"proposal:{proposal['id']}",
                     {"request": request_id, "requester_id": request["requester_id"]})


@writes
def cancel_join_request(db: Database, user: User, request_id: int, *, now: dt.datetime | None = None) -> None:
    """The requester withdraws a pending request."""
    policy.require(user, "join_proposals")
    now = now or clock.now()
    with db.atomic():
        request = _request(db, request_id)
        if request["requester_id"] != user.id:
            raise PermissionDenied("申请不存在或无权处理。")
        if request["status"] != "pending":
            raise ValidationError("该申请已处理，不能撤回。")
        db["join_requests"].update(request_id, {"status": "cancelled", "answered_at": clock.iso(now)})
        audit.record(db, user, "cancel_join", f"proposal:{request['proposal_id']}", {"request": request_id})


def requests_to_answer(db: Database, user: User) -> list[dict]:
    """Pending requests on the proposals this student submitted, with who is asking."""
    policy.require(user, "join_proposals")
    return list(db.query(
        """select r.id, r.proposal_id, p.title, u.name as requester, u.student_no, u.college, r.message,
                  r.created_at
           from join_requests r join proposals p on p.id = r.proposal_id join users u on u.id = r.requester_id
           where p.submitter_id = ? and r.status = 'pending' order by r.id""", [user.id]))


def my_join_requests(db: Database, user: User) -> list[dict]:
    """The requests this student sent (the proposal's authors are not shown)."""
    policy.require(user, "join_proposals")
    rows = db.query(
        """select r.id, r.proposal_id, p.title, r.status, r.created_at, r.answered_at
           from join_requests r join proposals p on p.id = r.proposal_id
           where r.requester_id = ? order by r.id desc""", [user.id])
    return [r | {"status_name": label_of(JoinStatus, r["status"])} for r in rows]
