"""Co-authors by invitation: nobody becomes a co-author, or is shown to others, without consent.

The submitter types co-authors' 学号 on the proposal form; each new number becomes an *invitation*
(``coauthor_invitations``), not a co-author. Once the proposal is submitted (and until it is
screened or submission closes, as for join requests) the invited student sees it on 我的提案 and accepts
(then, and only then, a row in ``coauthors``: the proposal is theirs too, and their name and
college appear on it) or declines. Until accepted:

- the inviter sees only the 学号 they typed and the invitation's state, never the invitee's name
  or college;
- the proposal is not among the invitee's proposals, and no rule treats them as its author.

A co-author may leave a proposal at any time; the submitter may remove a co-author or withdraw an
invitation by deleting the number from the form. A student who declined (or left) is not invited
to the same proposal again: they can ask to join it themselves (``join_requests``).
"""
from __future__ import annotations

import datetime as dt
import re

from sqlite_utils import Database

from . import audit, clock, policy, settings, validation
from .accounts import User, find_by_student_no
from .db import get_row, writes
from .errors import PermissionDenied, ValidationError
from .vocabulary import InvitationStatus, label_of

MAX_COAUTHORS = 4
_NOT_FOUND = "邀请不存在或无权处理。"


def split_numbers(value) -> list[str]:
    """学号 typed in one box, separated by commas, spaces or 、; or already a list."""
    if isinstance(value, str):
        value = re.split(r"[\s,，、;；]+", value)
    elif value is not None and not isinstance(value, (list, tuple, set)):
        raise ValidationError("合作者学号格式不正确。")
    return list(dict.fromkeys(str(n).strip() for n in value or [] if str(n).strip()))


def coauthor_ids(db: Database, proposal_id: int) -> list[int]:
    """Accepted co-authors only."""
    return [r["user_id"] for r in db["coauthors"].rows_where("proposal_id = ?", [proposal_id], order_by="user_id")]


def _pending(db: Database, proposal_id: int) -> list[dict]:
    return list(db["coauthor_invitations"].rows_where("proposal_id = ? and status = 'pending'", [proposal_id],
                                                      order_by="id"))


def check_numbers(db: Database, user: User, numbers, proposal_id: int | None = None) -> list[tuple[str, int]]:
    """(学号, user id) for each number typed; ValidationError (Chinese) for a bad one.

    Raises before anything is written, so a refused save keeps what was saved before."""
    numbers = split_numbers(numbers)
    if len(numbers) > MAX_COAUTHORS:
        raise ValidationError(f"合作者最多 {MAX_COAUTHORS} 人。")
    declined = set()
    if proposal_id is not None:
        declined = {r["user_id"] for r in db["coauthor_invitations"].rows_where(
            "proposal_id = ? and status in ('declined', 'left')", [proposal_id])}
    found = []
    for number in numbers:
        number = validation.student_no(number)
        other = find_by_student_no(db, number)
        if other is None or not policy.allows(other, "write_proposals"):
            raise ValidationError(f"学号 {number} 尚未注册，请合作者先注册账号。")
        if other.id == user.id:
            raise ValidationError("不需要把自己添加为合作者。")
        if other.id in declined and other.id not in coauthor_ids(db, proposal_id):
            raise ValidationError(f"学号 {number} 已婉拒或退出了这件提案的合作，不能再次邀请；"
                                  "对方可以自己申请加入。")
        found.append((number, other.id))
    return found


@writes
def sync(db: Database, user: User, proposal_id: int, wanted: list[tuple[str, int]], now: dt.datetime) -> None:
    """Make the proposal's co-authors and pending invitations match the numbers on the form.

    Called by ``proposals`` inside its transaction, after ``check_numbers``: accepted co-authors
    still listed stay, new numbers are invited, numbers deleted from the form withdraw the
    invitation or remove the co-author."""
    wanted_ids = {uid: number for number, uid in wanted}
    accepted = set(coauthor_ids(db, proposal_id))
    pending = {r["user_id"]: r for r in _pending(db, proposal_id)}
    for uid in accepted - set(wanted_ids):
        db["coauthors"].delete_where("proposal_id = ? and user_id = ?", [proposal_id, uid])
        audit.record(db, user, "remove_coauthor", f"proposal:{proposal_id}", {"user_id": uid})
    for uid, row in pending.items():
        if uid not in wanted_ids:
            db["coauthor_invitations"].update(row["id"], {"status": "withdrawn", "answered_at": clock.iso(now)})
            audit.record(db, user, "withdraw_coauthor_invitation", f"proposal:{proposal_id}",
                         {"invitation": row["id"]})
    for uid, number in wanted_ids.items():
        if uid in accepted or uid in pending:
            continue
        invitation = db["coauthor_invitations"].insert({
            "proposal_id": proposal_id, "user_id": uid, "student_no": number, "invited_by": user.id,
            "status": "pending", "created_at": clock.iso(now)}).last_pk
        audit.record(db, user, "invite_coauthor", f"proposal:{proposal_id}", {"invitation": invitation})


def invited(db: Database, user: User, proposal_id: int) -> list[dict]:
    """For the submitter: the numbers invited and not (yet) accepted, with their state; no names."""
    policy.require(user, "write_proposals")
    proposal = get_row(db, "proposals", proposal_id, PermissionDenied("提案不存在或无权查看。"))
    if proposal["submitter_id"] != user.id:
        raise PermissionDenied("提案不存在或无权查看。")
    rows = db.query("""select student_no, status, created_at, answered_at from coauthor_invitations
                       where proposal_id = ? and status in ('pending', 'declined', 'left')
                       and id in (select max(id) from coauthor_invitations where proposal_id = ? group by user_id)
                       order by id""", [proposal_id, proposal_id])
    return [r | {"status_label": label_of(InvitationStatus, r["status"])} for r in rows]


def pending_numbers(db: Database, proposal_id: int) -> list[str]:
    """The 学号 of pending invitations (what the submitter typed), to seed the form again."""
    return [r["student_no"] for r in _pending(db, proposal_id)]


def my_invitations(db: Database, user: User) -> list[dict]:
    """For the invited student: pending invitations, with the proposal's title and who invited them.

    Only for submitted proposals (a draft is its submitter's alone): an invitation made on a draft
    appears when the draft is submitted, and can be accepted until screening or the deadline."""
    policy.require(user, "answer_coauthor_invitations")
    return list(db.query(
        """select i.id, i.proposal_id, p.title, p.status as proposal_status, u.name as inviter, i.created_at
           from coauthor_invitations i join proposals p on p.id = i.proposal_id join users u on u.id = i.invited_by
           where i.user_id = ? and i.status = 'pending' and p.status = 'submitted'
           order by i.id""", [user.id]))


def _invitation(db: Database, user: User, invitation_id) -> dict:
    row = get_row(db, "coauthor_invitations", invitation_id, PermissionDenied(_NOT_FOUND))
    if row["user_id"] != user.id:
        raise PermissionDenied(_NOT_FOUND)
    if row["status"] != "pending":
        raise ValidationError(f"该邀请已处理（{label_of(InvitationStatus, row['status'])}）。")
    return row


@writes
def accept(db: Database, user: User, invitation_id, *, now: dt.datetime | None = None) -> int:
    """The invited student accepts: they become a co-author. Returns the proposal id."""
    policy.require(user, "answer_coauthor_invitations")
    now = clock.given_or_now(now)
    row = _invitation(db, user, invitation_id)
    proposal = get_row(db, "proposals", row["proposal_id"], PermissionDenied(_NOT_FOUND))
    if proposal["status"] != "submitted":
        raise ValidationError("这件提案尚未提交、已撤回或已完成立案审查，不能再加入。")
    contest = settings.get(db)
    if not contest.submission_open(now):
        raise ValidationError(f"提案征集已于 {contest.phases.get('submission_closes')} 截止，不能再加入合作者。")
    if len(coauthor_ids(db, proposal["id"])) >= MAX_COAUTHORS:
        raise ValidationError(f"该提案的合作者已满 {MAX_COAUTHORS} 人，无法加入。")
    db["coauthors"].insert({"proposal_id": proposal["id"], "user_id": user.id}, ignore=True)
    db["coauthor_invitations"].update(row["id"], {"status": "accepted", "answered_at": clock.iso(now)})
    audit.record(db, user, "accept_coauthor_invitation", f"proposal:{proposal['id']}", {"invitation": row["id"]})
    return proposal["id"]


@writes
def decline(db: Database, user: User, invitation_id, *, now: dt.datetime | None = None) -> None:
    """The invited student declines; the submitter sees only that the number declined."""
    policy.require(user, "answer_coauthor_invitations")
    now = clock.given_or_now(now)
    row = _invitation(db, user, invitation_id)
    db["coauthor_invitations"].update(row["id"], {"status": "declined", "answered_at": clock.iso(now)})
    audit.record(db, user, "decline_coauthor_invitation", f"proposal:{row['proposal_id']}",
                 {"invitation": row["id"]})


@writes
def leave(db: Database, user: User, proposal_id, *, now: dt.datetime | None = None) -> None:
    """A co-author leaves the proposal: it is no longer theirs, and they are not invited to it again."""
    policy.require(user, "leave_proposals")
    now = clock.given_or_now(now)
    proposal = get_row(db, "proposals", proposal_id, PermissionDenied("提案不存在或无权查看。"))
    if user.id not in coauthor_ids(db, proposal["id"]):
        if proposal["submitter_id"] == user.id:
            raise ValidationError("你是提交人，不能退出自己的提案；可以撤回提案。")
        raise PermissionDenied("提案不存在或无权查看。")
    db["coauthors"].delete_where("proposal_id = ? and user_id = ?", [proposal["id"], user.id])
    db["coauthor_invitations"].insert({
        "proposal_id": proposal["id"], "user_id": user.id, "student_no": user.student_no or "",
        "invited_by": proposal["submitter_id"], "status": "left", "created_at": clock.iso(now),
        "answered_at": clock.iso(now)})
    audit.record(db, user, "leave_proposal", f"proposal:{proposal['id']}")
