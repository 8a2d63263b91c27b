"""Notices (contest.notices): each event tells exactly the right people once, nothing personal to the wrong
role; the inbox; e-mail through a real SMTP server (aiosmtpd on loopback), and a failing one."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from contest import (forwarding, meetings, notices, proposals, ratings, replies, results, review_assignments,
                     settings)
from contest.errors import PermissionDenied
from tests.helpers import GOOD, NOW, REPLY, add_followup_proposal, add_sheet, insert_proposal, make_user

PERSONAL = ("艾丽", "卡罗", "鲍勃", "2023001", "2023003", "管理学院", "医学部")


def received(db, since: int = 0) -> dict[int, list[str]]:
    """{user id: [event, ...]} of the notices written after notice id ``since``."""
    out: dict[int, list[str]] = {}
    for n in db["notices"].rows_where("id > ?", [since], order_by="id"):
        out.setdefault(n["user_id"], []).append(n["event"])
    return out


def last_id(db) -> int:
    return db.execute("select coalesce(max(id), 0) from notices").fetchone()[0]


def bodies(db, user, since=0) -> str:
    return "\n".join(n["title"] + n["body"] for n in db["notices"].rows_where("user_id = ? and id > ?", [user.id, since]))


def test_submission_and_screening_tell_the_authors(fresh_db, people):
    db, p = fresh_db, people
    fields = {k: GOOD[k] for k in ("title", "topic", "problem", "investigation", "suggestions")}
    pid = insert_proposal(db, p["alice"], status="draft", coauthors=[p["carol"]], **fields)
    proposals.submit(db, p["alice"], pid, now=NOW)
    assert received(db) == {p["alice"].id: ["submission_received"], p["carol"].id: ["submission_received"]}
    mark = last_id(db)
    proposals.screen(db, p["organizer"], [pid], False, "与往届提案重复", now=NOW)
    assert received(db, mark) == {p["alice"].id: ["screened_invalid"], p["carol"].id: ["screened_invalid"]}
    assert "与往届提案重复" in bodies(db, p["alice"], mark)
    mark = last_id(db)
    proposals.screen(db, p["organizer"], [pid], True, now=NOW)
    assert received(db, mark) == {p["alice"].id: ["screened_valid"], p["carol"].id: ["screened_valid"]}


def test_published_assignments_tell_only_the_judges_with_new_ones_and_nothing_about_authors(fresh_db, people):
    db, p = fresh_db, people
    a = add_followup_proposal(db, p["alice"], title="关于图书馆座位的建议")
    b = add_followup_proposal(db, p["bob"], title="关于食堂排队的建议")
    db["assignments"].insert_all([{"proposal_id": a, "judge_id": p["judge"].id, "published": 1},
                                  {"proposal_id": b, "judge_id": p["judge"].id, "published": 1}])
    db["assignments"].insert({"proposal_id": a, "judge_id": p["judge2"].id, "published": 0})
    review_assignments.publish_assignments(db, p["organizer"])
    assert received(db) == {p["judge2"].id: ["assignment_published"]}
    text = bodies(db, p["judge2"])
    assert "1 件" in text and not any(word in text for word in PERSONAL)


def test_published_results_tell_the_authors_of_valid_proposals(fresh_db, people):
    db, p = fresh_db, people
    settings.update(db, p["organizer"], reviews_per_proposal=1)
    valid = insert_proposal(db, p["alice"], coauthors=[p["carol"]], title="提案甲")
    insert_proposal(db, p["bob"], status="invalid", title="提案乙")
    add_sheet(db, valid, p["judge"], 8)
    mark = last_id(db)
    results.publish_results(db, p["organizer"], now=NOW)
    assert received(db, mark) == {p["alice"].id: ["results_published"], p["carol"].id: ["results_published"]}


def test_forwarding_reply_and_further_request(fresh_db, people):
    db, p = fresh_db, people
    other = make_user(db, "dept-jwc-2", "department", department="jwc")
    make_user(db, "dept-jwc-old", "department", department="jwc", active=0)  # inactive: never told
    pid = add_followup_proposal(db, p["alice"], coauthors=[p["carol"]], title="关于增加自习室座位的建议")
    case = forwarding.forward(db, p["organizer"], pid, "jwc", co_departments=["hqc"], now=NOW)
    assert received(db) == {p["dept"].id: ["case_forwarded"], other.id: ["case_forwarded"],
                            p["dept2"].id: ["case_forwarded"], p["alice"].id: ["case_forwarded"],
                            p["carol"].id: ["case_forwarded"]}
    for staff in (p["dept"], p["dept2"]):
        assert not any(word in bodies(db, staff) for word in PERSONAL)
    assert "教务处" in bodies(db, p["alice"])
    mark = last_id(db)
    replies.reply(db, p["dept"], case, "resolved", REPLY, now=NOW)
    assert received(db, mark) == {p["alice"].id: ["reply_received"], p["carol"].id: ["reply_received"]}
    assert "已解决" in bodies(db, p["alice"], mark)
    ratings.rate(db, p["alice"], pid, "不满意", "没有说明时间", now=NOW)
    mark = last_id(db)
    ratings.request_further_reply(db, p["alice"], pid, "请说明具体的完成时间", now=NOW)
    assert received(db, mark) == {p["dept"].id: ["further_requested"], other.id: ["further_requested"],
                                  p["dept2"].id: ["further_requested"]}
    assert "请说明具体的完成时间" in bodies(db, p["dept"], mark)
    assert not any(word in bodies(db, p["dept"], mark) for word in PERSONAL)


def test_meeting_invitation_and_coauthor_invitation(fresh_db, people):
    db, p = fresh_db, people
    a = add_followup_proposal(db, p["alice"], coauthors=[p["carol"]])
    add_followup_proposal(db, p["bob"])  # not on the agenda
    meetings.plan(db, p["organizer"], title="首场提案工作反馈会", theme="教学专题", held_on="2026-04-13",
                  departments=["jwc"], proposal_ids=[a], now=NOW)
    assert received(db) == {p["alice"].id: ["meeting_invitation"], p["carol"].id: ["meeting_invitation"],
                            p["dept"].id: ["meeting_invitation"]}
    assert "2026-04-13" in bodies(db, p["dept"]) and not any(w in bodies(db, p["dept"]) for w in PERSONAL)
    mark = last_id(db)
    notices.coauthor_invitation(db, a, [p["bob"].id], inviter_name="艾丽")
    assert received(db, mark) == {p["bob"].id: ["coauthor_invitation"]}


def test_inbox_unread_count_mark_read_and_own_notices_only(fresh_db, people):
    db, p = fresh_db, people
    notices.notify(db, [p["alice"].id, p["bob"].id], "reminder", "测试消息", "内容")
    notices.notify(db, [p["alice"].id], "reminder", "第二条", "内容")
    assert notices.unread_count(db, p["alice"]) == 2 and notices.unread_count(db, None) == 0
    mine = notices.inbox(db, p["alice"])
    assert [n["title"] for n in mine] == ["第二条", "测试消息"]
    bobs = notices.inbox(db, p["bob"])[0]["id"]
    assert notices.mark_read(db, p["alice"], [bobs]) == 0  # not hers
    assert notices.unread_count(db, p["bob"]) == 1
    assert notices.mark_read(db, p["alice"], [mine[0]["id"]]) == 1
    assert notices.unread_count(db, p["alice"]) == 1
    assert notices.mark_read(db, p["alice"]) == 1 and notices.unread_count(db, p["alice"]) == 0
    with pytest.raises(PermissionDenied):
        notices.inbox(db, None)
    with pytest.raises(ValueError):
        notices.notify(db, [p["alice"].id], "not_an_event", "x")


# --- e-mail -------------------------------------------------------------------------------------------------


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content, policy=email.policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_closed_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _closed_port() -> int:
    """A loopback port nothing listens on (free once the probe socket is closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mail_on(db, organizer, port):
    settings.update(db, organizer, email_enabled=True, smtp_host="127.0.0.1", smtp_port=port,
                    smtp_sender="noreply@example.edu.cn", portal_url="https://proposals.example.edu.cn")


def _wait(handler, n, timeout=5.0):
    deadline = time.monotonic() + timeout
    while len(handler.messages) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return handler.messages


def test_email_arrives_with_chinese_subject_and_body_for_the_right_people(fresh_db, people, smtp_server):
    controller, handler = smtp_server
    db, p = fresh_db, people
    alice = make_user(db, "alice2", "participant", student_no="2023009", name="艾丽丝", email="alice@example.edu.cn")
    quiet = make_user(db, "carol2", "participant", student_no="2023010", email="carol@example.edu.cn")
    staff = make_user(db, "dept-jwc-mail", "department", department="jwc", email="jwc@example.edu.cn")
    notices.set_email(db, quiet, False)
    _mail_on(db, p["organizer"], controller.port)
    pid = add_followup_proposal(db, alice, coauthors=[quiet], title="关于增加自习室座位的建议")
    forwarding.forward(db, p["organizer"], pid, "jwc", now=NOW)
    messages = _wait(handler, 2)
    assert sorted(to for tos, _ in messages for to in tos) == ["alice@example.edu.cn", "jwc@example.edu.cn"]
    by_to = {tos[0]: msg for tos, msg in messages}
    assert by_to["alice@example.edu.cn"]["Subject"] == "【测试提案大赛】提案已转办：关于增加自习室座位的建议"
    body = by_to["alice@example.edu.cn"].get_content()
    assert "你的提案已转交教务处办理" in body and "https://proposals.example.edu.cn" in body
    staff_body = by_to["jwc@example.edu.cn"].get_content()
    assert "新的转办提案" in by_to["jwc@example.edu.cn"]["Subject"] and "艾丽丝" not in staff_body
    # every notice is in the inbox too, the quiet co-author's without an e-mail
    states = {n["user_id"]: n["email"] for n in db["notices"].rows}
    assert states[alice.id] == "sent" and states[staff.id] == "sent" and states[quiet.id] == ""
    assert notices.unread_count(db, quiet) == 1


def test_notices_written_inside_a_transaction_are_mailed_after_it(fresh_db, people, smtp_server):
    controller, handler = smtp_server
    db, p = fresh_db, people
    staff = make_user(db, "dept-hqc-mail", "department", department="hqc", email="hqc@example.edu.cn")
    _mail_on(db, p["organizer"], controller.port)
    a = add_followup_proposal(db, p["alice"])
    b = add_followup_proposal(db, p["bob"])
    forwarding.forward_many(db, p["organizer"], [(a, "hqc"), (b, "hqc")], now=NOW)
    messages = _wait(handler, 2)
    assert [tos for tos, _ in messages] == [["hqc@example.edu.cn"], ["hqc@example.edu.cn"]]
    assert notices.unread_count(db, staff) == 2


def test_a_failing_smtp_server_neither_blocks_the_action_nor_loses_the_notice(fresh_db, people, caplog):
    db, p = fresh_db, people
    alice = make_user(db, "alice3", "participant", student_no="2023011", email="alice3@example.edu.cn")
    _mail_on(db, p["organizer"], _closed_port())
    pid = add_followup_proposal(db, alice)
    started = time.monotonic()
    case = forwarding.forward(db, p["organizer"], pid, "jwc", now=NOW)
    assert time.monotonic() - started < 5
    assert db["cases"].get(case)["status"] == "pending"  # the action went through
    [notice] = notices.inbox(db, alice)
    assert notice["event"] == "case_forwarded"
    assert db["notices"].get(notice["id"])["email"] == "failed"
    assert "e-mail not sent" in caplog.text


def test_email_is_off_by_default(fresh_db, people, smtp_server):
    controller, handler = smtp_server
    db, p = fresh_db, people
    alice = make_user(db, "alice4", "participant", student_no="2023012", email="alice4@example.edu.cn")
    settings.update(db, p["organizer"], smtp_host="127.0.0.1", smtp_port=controller.port,
                    smtp_sender="noreply@example.edu.cn")  # configured, but not switched on
    forwarding.forward(db, p["organizer"], add_followup_proposal(db, alice), "jwc", now=NOW)
    time.sleep(0.3)
    assert handler.messages == [] and notices.unread_count(db, alice) == 1
    assert [n["email"] for n in db["notices"].rows] == [""] * db["notices"].count


def test_notices_of_a_rolled_back_action_are_neither_kept_nor_mailed(fresh_db, people, smtp_server):
    from contest import db as database

    controller, handler = smtp_server
    db, p = fresh_db, people
    alice = make_user(db, "alice5", "participant", student_no="2023013", email="alice5@example.edu.cn")
    _mail_on(db, p["organizer"], controller.port)
    with pytest.raises(RuntimeError):
        with database.transaction(db):
            notices.notify(db, [alice.id], "reminder", "不会发出的消息")
            raise RuntimeError("the action failed after its notice")
    time.sleep(0.3)
    assert handler.messages == [] and notices.unread_count(db, alice) == 0
    notices.notify(db, [alice.id], "reminder", "会发出的消息")
    assert [m["Subject"] for _, m in _wait(handler, 1)] == ["【测试提案大赛】会发出的消息"]
