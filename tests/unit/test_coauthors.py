"""contest/coauthors.py: co-authors by invitation, consent before any personal data (issue 11)."""
from __future__ import annotations

import datetime as dt

import pytest

from contest import coauthors, policy, proposals
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import GOOD, NOW


def invite(db, author, numbers, **extra):
    pid = proposals.save_draft(db, author, GOOD | {"coauthors": numbers} | extra, now=NOW)
    proposals.submit(db, author, pid, now=NOW)
    return pid


def invitation_of(db, user):
    (row,) = coauthors.my_invitations(db, user)
    return row


def actions(db):
    return [r["action"] for r in db["audit_log"].rows]


def test_an_invitation_is_not_a_coauthorship(fresh_db, people):
    alice, bob = people["alice"], people["bob"]
    pid = invite(fresh_db, alice, "2023002")
    assert coauthors.coauthor_ids(fresh_db, pid) == []
    assert not policy.is_author(fresh_db, bob, pid)
    assert proposals.mine(fresh_db, bob) == []
    with pytest.raises(PermissionDenied):
        proposals.get(fresh_db, bob, pid)
    shown = str(proposals.get(fresh_db, alice, pid))
    assert "鲍勃" not in shown and "医学部" not in shown  # no name, no college of the invitee
    assert [(i["student_no"], i["status"]) for i in proposals.get(fresh_db, alice, pid)["invitations"]] == [
        ("2023002", "pending")]
    row = invitation_of(fresh_db, bob)
    assert (row["proposal_id"], row["title"], row["inviter"]) == (pid, GOOD["title"], "艾丽")
    assert "invite_coauthor" in actions(fresh_db)


def test_accepting_makes_the_proposal_theirs(fresh_db, people):
    alice, bob = people["alice"], people["bob"]
    pid = invite(fresh_db, alice, "2023002")
    assert coauthors.accept(fresh_db, bob, invitation_of(fresh_db, bob)["id"], now=NOW) == pid
    assert coauthors.coauthor_ids(fresh_db, pid) == [bob.id] and policy.is_author(fresh_db, bob, pid)
    assert [p["my_role"] for p in proposals.mine(fresh_db, bob)] == ["合作者"]
    assert [c["name"] for c in proposals.get(fresh_db, alice, pid)["coauthors"]] == ["鲍勃"]
    assert coauthors.my_invitations(fresh_db, bob) == []
    assert "accept_coauthor_invitation" in actions(fresh_db)
    # saving the form again with the same number keeps the co-author, invites nobody again
    proposals.update_submitted(fresh_db, alice, pid, GOOD | {"coauthors": "2023002"}, now=NOW)
    assert coauthors.coauthor_ids(fresh_db, pid) == [bob.id] and fresh_db["coauthor_invitations"].count == 1


def test_declining_shows_the_inviter_only_the_number_and_blocks_a_second_invitation(fresh_db, people):
    alice, bob = people["alice"], people["bob"]
    pid = invite(fresh_db, alice, "2023002")
    coauthors.decline(fresh_db, bob, invitation_of(fresh_db, bob)["id"], now=NOW)
    assert coauthors.coauthor_ids(fresh_db, pid) == [] and proposals.mine(fresh_db, bob) == []
    (row,) = coauthors.invited(fresh_db, alice, pid)
    assert (row["student_no"], row["status_label"]) == ("2023002", "已婉拒") and "鲍勃" not in str(row)
    with pytest.raises(ValidationError, match="已婉拒或退出"):
        proposals.update_submitted(fresh_db, alice, pid, GOOD | {"coauthors": "2023002"}, now=NOW)
    assert "decline_coauthor_invitation" in actions(fresh_db)


def test_only_the_invited_student_answers_once(fresh_db, people):
    pid = invite(fresh_db, people["alice"], "2023002")
    invitation = invitation_of(fresh_db, people["bob"])["id"]
    for other in (people["carol"], people["alice"]):
        with pytest.raises(PermissionDenied):
            coauthors.accept(fresh_db, other, invitation, now=NOW)
    for staff in ("organizer", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            coauthors.my_invitations(fresh_db, people[staff])
        with pytest.raises(PermissionDenied):
            coauthors.accept(fresh_db, people[staff], invitation, now=NOW)
    coauthors.accept(fresh_db, people["bob"], invitation, now=NOW)
    with pytest.raises(ValidationError, match="已处理"):
        coauthors.decline(fresh_db, people["bob"], invitation, now=NOW)
    for bad in ("abc", 2 ** 63, -1, None, [invitation], 1.5):
        with pytest.raises(PermissionDenied):
            coauthors.accept(fresh_db, people["bob"], bad, now=NOW)
    assert coauthors.coauthor_ids(fresh_db, pid) == [people["bob"].id]


def test_deleting_the_number_withdraws_the_invitation_or_removes_the_coauthor(fresh_db, people):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    pid = invite(fresh_db, alice, "2023002 2023003")
    coauthors.accept(fresh_db, carol, invitation_of(fresh_db, carol)["id"], now=NOW)
    bobs = invitation_of(fresh_db, bob)["id"]
    proposals.update_submitted(fresh_db, alice, pid, GOOD | {"coauthors": ""}, now=NOW)
    assert coauthors.coauthor_ids(fresh_db, pid) == [] and coauthors.my_invitations(fresh_db, bob) == []
    with pytest.raises(ValidationError, match="已处理"):
        coauthors.accept(fresh_db, bob, bobs, now=NOW)
    assert {"withdraw_coauthor_invitation", "remove_coauthor"} <= set(actions(fresh_db))
    # a withdrawn invitation is not a refusal: the number may be invited again
    proposals.update_submitted(fresh_db, alice, pid, GOOD | {"coauthors": "2023002"}, now=NOW)
    assert coauthors.pending_numbers(fresh_db, pid) == ["2023002"]


def test_a_coauthor_can_leave_and_is_not_invited_back(fresh_db, people):
    alice, bob = people["alice"], people["bob"]
    pid = invite(fresh_db, alice, "2023002")
    coauthors.accept(fresh_db, bob, invitation_of(fresh_db, bob)["id"], now=NOW)
    with pytest.raises(ValidationError, match="提交人"):
        coauthors.leave(fresh_db, alice, pid, now=NOW)
    with pytest.raises(PermissionDenied):
        coauthors.leave(fresh_db, people["carol"], pid, now=NOW)
    coauthors.leave(fresh_db, bob, pid, now=NOW)
    assert not policy.is_author(fresh_db, bob, pid) and proposals.mine(fresh_db, bob) == []
    assert "leave_proposal" in actions(fresh_db)
    with pytest.raises(PermissionDenied):
        coauthors.leave(fresh_db, bob, pid, now=NOW)
    with pytest.raises(ValidationError, match="已婉拒或退出"):
        proposals.update_submitted(fresh_db, alice, pid, GOOD | {"coauthors": "2023002"}, now=NOW)
    # the form, seeded from co-authors and pending invitations, no longer holds the number
    assert coauthors.pending_numbers(fresh_db, pid) == [] and proposals.get(fresh_db, alice, pid)["coauthors"] == []


def test_accepting_after_the_deadline_or_into_a_full_proposal_is_refused(fresh_db, people, monkeypatch):
    alice = people["alice"]
    pid = invite(fresh_db, alice, "2023002")
    late = NOW + dt.timedelta(days=400)
    with pytest.raises(ValidationError, match="截止"):
        coauthors.accept(fresh_db, people["bob"], invitation_of(fresh_db, people["bob"])["id"], now=late)
    monkeypatch.setattr(coauthors, "MAX_COAUTHORS", 0)
    with pytest.raises(ValidationError, match="已满"):
        coauthors.accept(fresh_db, people["bob"], invitation_of(fresh_db, people["bob"])["id"], now=NOW)
    assert coauthors.coauthor_ids(fresh_db, pid) == []


def test_an_invitation_on_a_draft_waits_for_the_submission(fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD | {"coauthors": "2023002"}, now=NOW)
    assert coauthors.my_invitations(fresh_db, people["bob"]) == []
    invitation = fresh_db["coauthor_invitations"].get(1)["id"]
    with pytest.raises(ValidationError, match="尚未提交"):
        coauthors.accept(fresh_db, people["bob"], invitation, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    assert coauthors.accept(fresh_db, people["bob"], invitation, now=NOW) == pid


def test_an_invitation_to_a_withdrawn_proposal_disappears(fresh_db, people):
    pid = invite(fresh_db, people["alice"], "2023002")
    invitation = invitation_of(fresh_db, people["bob"])["id"]
    proposals.withdraw(fresh_db, people["alice"], pid, now=NOW)
    assert coauthors.my_invitations(fresh_db, people["bob"]) == []
    with pytest.raises(ValidationError, match="撤回"):
        coauthors.accept(fresh_db, people["bob"], invitation, now=NOW)


def test_numbers_are_checked_before_anything_is_written(fresh_db, people):
    for numbers, message in [("2023002 abc", "学号只能包含"), ("2023002 9999999", "尚未注册"),
                             ("2023001", "不需要把自己"), (12345, "格式不正确")]:
        with pytest.raises(ValidationError, match=message):
            proposals.save_draft(fresh_db, people["alice"], GOOD | {"coauthors": numbers}, now=NOW)
    assert fresh_db["proposals"].count == 0 and fresh_db["coauthor_invitations"].count == 0


def test_an_organizer_reads_a_proposal_imported_under_their_own_name(fresh_db, people):
    from tests.helpers import insert_proposal

    pid = insert_proposal(fresh_db, people["organizer"], status="submitted")
    proposal = proposals.get(fresh_db, people["organizer"], pid)
    assert proposal["invitations"] == [] and proposal["coauthors"] == []
