"""Reminders (催办): who gets one, no second one within the configured interval, automatic reminders
before deadlines (python -m contest remind)."""
from __future__ import annotations

import datetime as dt

import pytest

from contest import forwarding, notices, reminders, settings
from contest.__main__ import main
from contest.errors import PermissionDenied
from tests.helpers import NOW, add_followup_proposal, add_sheet, make_user

AFTER_JUDGING = dt.datetime(2026, 4, 20, 9, 0)  # judging closed on 2026-04-19 08:00 (default phases)


def events(db, user) -> list[str]:
    return [n["event"] for n in notices.inbox(db, user)]


@pytest.fixture
def judging(fresh_db, people):
    """judge1 has two published assignments, one scored; judge2 has scored all of its one."""
    db, p = fresh_db, people
    a = add_followup_proposal(db, p["alice"], title="提案甲")
    b = add_followup_proposal(db, p["bob"], title="提案乙")
    db["assignments"].insert_all([{"proposal_id": a, "judge_id": p["judge"].id, "published": 1},
                                  {"proposal_id": b, "judge_id": p["judge"].id, "published": 1},
                                  {"proposal_id": b, "judge_id": p["judge2"].id, "published": 1}])
    add_sheet(db, a, p["judge"], 7)
    add_sheet(db, b, p["judge2"], 8)
    return db


def test_late_judges_get_one_reminder_within_the_interval(judging, people):
    db, org = judging, people["organizer"]
    late = reminders.late_judges(db, org, now=AFTER_JUDGING)
    assert list(late["judge_id"]) == [people["judge"].id] and list(late["remaining"]) == [1]
    assert late["last_reminder"][0] == ""
    assert reminders.remind_judges(db, org, now=AFTER_JUDGING) == {"sent": [people["judge"].id], "skipped": []}
    assert events(db, people["judge"]) == ["reminder"] and events(db, people["judge2"]) == []
    assert "1 件" in notices.inbox(db, people["judge"])[0]["body"]
    assert "提案甲" not in notices.inbox(db, people["judge"])[0]["body"]  # blind: no titles, no authors
    assert reminders.late_judges(db, org, now=AFTER_JUDGING)["last_reminder"][0] == "2026-04-20 09:00:00"
    # a second click within 24 h sends nothing; after 24 h it does
    later = AFTER_JUDGING + dt.timedelta(hours=23)
    assert reminders.remind_judges(db, org, now=later) == {"sent": [], "skipped": [people["judge"].id]}
    assert len(events(db, people["judge"])) == 1
    assert reminders.remind_judges(db, org, now=AFTER_JUDGING + dt.timedelta(hours=25))["sent"] == [people["judge"].id]
    assert len(events(db, people["judge"])) == 2


def test_the_interval_is_a_setting(judging, people):
    db, org = judging, people["organizer"]
    settings.update(db, org, reminder_interval_hours=72)
    reminders.remind_judges(db, org, now=AFTER_JUDGING)
    assert reminders.remind_judges(db, org, now=AFTER_JUDGING + dt.timedelta(hours=48))["skipped"] == [people["judge"].id]
    assert reminders.remind_judges(db, org, now=AFTER_JUDGING + dt.timedelta(hours=73))["sent"] == [people["judge"].id]


def test_only_organizers_remind(judging, people):
    for who in ("alice", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            reminders.remind_judges(judging, people[who], now=AFTER_JUDGING)
        with pytest.raises(PermissionDenied):
            reminders.remind_departments(judging, people[who], now=AFTER_JUDGING)


def test_departments_with_overdue_cases(fresh_db, people):
    db, org = fresh_db, people["organizer"]
    other = make_user(db, "dept-jwc-2", "department", department="jwc")
    late = add_followup_proposal(db, people["alice"], title="逾期的提案")
    fresh = add_followup_proposal(db, people["bob"], title="未逾期的提案")
    forwarding.forward(db, org, late, "jwc", due_days=7, now=NOW - dt.timedelta(days=10))
    forwarding.forward(db, org, fresh, "hqc", due_days=30, now=NOW)
    mark = db.execute("select max(id) from notices").fetchone()[0]
    table = reminders.overdue_departments(db, org, now=NOW)
    assert list(table["department"]) == ["jwc"] and list(table["overdue"]) == [1]
    assert reminders.remind_departments(db, org, now=NOW) == {"sent": ["jwc"], "skipped": []}
    told = {n["user_id"] for n in db["notices"].rows_where("id > ?", [mark])}
    assert told == {people["dept"].id, other.id}
    body = notices.inbox(db, people["dept"])[0]["body"]
    assert "逾期的提案" in body and "艾丽" not in body and "未逾期" not in body
    assert reminders.remind_departments(db, org, now=NOW + dt.timedelta(hours=1)) == {"sent": [], "skipped": ["jwc"]}
    assert reminders.overdue_departments(db, org, now=NOW)["last_reminder"][0] == "2026-03-10 12:00:00"


def test_automatic_reminders_before_deadlines_once(judging, people, db_path, capsys):
    db, org = judging, people["organizer"]
    soon = dt.datetime(2026, 4, 17, 9, 0)  # judging closes in 2 days; reminder_days_before is 3
    case = forwarding.forward(db, org, add_followup_proposal(db, people["carol"]), "hqc", due_days=30,
                              now=soon - dt.timedelta(days=28))  # due in 2 days
    assert reminders.automatic(db, now=soon - dt.timedelta(days=5)) == {"judges": 0, "departments": 0, "sent": 0,
                                                                       "failed": 0}
    out = reminders.automatic(db, now=soon)
    assert (out["judges"], out["departments"]) == (1, 1)
    assert events(db, people["judge"]) == ["scores_due"] and events(db, people["judge2"]) == []
    assert "还有 2 天" in notices.inbox(db, people["judge"])[0]["body"]
    assert events(db, people["dept2"])[0] == "reminder" and str(case) in notices.inbox(db, people["dept2"])[0]["body"]
    assert reminders.automatic(db, now=soon + dt.timedelta(hours=1))["judges"] == 0  # no duplicate
    # the command line does the same, for cron
    settings.update(db, org, reminder_interval_hours=1)
    assert main(["--db", str(db_path), "remind"]) == 0
    assert "已提醒评委" in capsys.readouterr().out
