"""催办 on the judging progress and follow-up pages: one click for all, the last reminder shown."""
from __future__ import annotations

import datetime as dt

from contest import clock, notices
from tests.helpers import add_followup_proposal, texts


def reminders_of(db, user) -> list[str]:
    return [n["event"] for n in notices.inbox(db, user) if n["event"] == "reminder"]


def test_one_click_reminds_every_overdue_department_once(app_as, cases, people):
    at = app_as("organizer", "app_pages/followup_dashboard.py")
    table = next(d.value for d in at.dataframe if "上次催办" in d.value.columns)
    assert list(table["部门"]) == ["教务处"] and list(table["上次催办"]) == ["从未催办"]
    at.button(key="remind_departments").click()
    at.run()
    assert not at.exception, at.exception
    if "已催办 1 个部门" not in texts(at):
        at.run()
    assert "已催办 1 个部门" in texts(at)
    assert reminders_of(cases["db"], people["dept"]) == ["reminder"]
    assert reminders_of(cases["db"], people["dept2"]) == []  # its case is answered
    table = next(d.value for d in at.dataframe if "上次催办" in d.value.columns)
    assert table["上次催办"][0].startswith("2026-03-10")
    at.button(key="remind_departments").click()
    at.run()
    if "未重复发送" not in texts(at):
        at.run()
    assert "未重复发送" in texts(at)
    assert reminders_of(cases["db"], people["dept"]) == ["reminder"]


def test_one_click_reminds_the_late_judges(app_as, fresh_db, people, monkeypatch):
    db = fresh_db
    pid = add_followup_proposal(db, people["alice"])
    db["assignments"].insert({"proposal_id": pid, "judge_id": people["judge"].id, "published": 1})
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 4, 20, 9, 0))  # judging has closed
    at = app_as("organizer", "app_pages/judging_progress.py")
    at.button(key="remind_judges").click()
    at.run()
    assert not at.exception, at.exception
    if "已催办 1 个评委" not in texts(at):
        at.run()
    assert "已催办 1 个评委" in texts(at)
    assert reminders_of(db, people["judge"]) == ["reminder"]
    assert reminders_of(db, people["judge2"]) == []
