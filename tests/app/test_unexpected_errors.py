"""An error no page expected shows a Chinese message (never Streamlit's English error page) and
the form keeps what the user typed, so saving again after it works."""
from __future__ import annotations

import sqlite3

import pytest
from streamlit import config

from contest import db as database
from tests.helpers import insert_proposal, texts

SCORES = {"value": 8.0, "research": 7.0, "feasibility": 6.0, "writing": 9.0, "novelty": 5.0}


@pytest.fixture
def production_errors():
    """What the browser gets in production (.streamlit/config.toml): no error details."""
    config.set_option("client.showErrorDetails", "none")
    yield
    config.set_option("client.showErrorDetails", "full")


@pytest.fixture
def sheet(app_as, fresh_db, people, production_errors):
    pid = insert_proposal(fresh_db, people["alice"], title="食堂排队的问题与建议")
    fresh_db["assignments"].insert({"proposal_id": pid, "judge_id": people["judge"].id, "published": 1,
                                    "source": "sheet", "created_at": "2026-03-09 10:00:00"})
    at = app_as("judge")
    config.set_option("client.showErrorDetails", "none")  # app_as asks for full details
    at.switch_page("app_pages/score_sheet.py").run()
    for code, value in SCORES.items():
        at.number_input(key=f"score_{pid}_{code}").set_value(value)
    at.text_area(key=f"comment_{pid}").input("选题贴近同学生活")
    return at, pid


def submit(at, pid):
    at.button(key=f"FormSubmitter:sheet_{pid}-提交").click().run()


def test_a_database_that_stays_locked_shows_busy_in_chinese_and_keeps_the_scores(sheet, monkeypatch, fresh_db,
                                                                                db_path):
    at, pid = sheet
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)  # give up quickly
    monkeypatch.setattr(database, "LOCK_ATTEMPTS", 2)
    other = sqlite3.connect(db_path)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock all the time
    try:
        submit(at, pid)
    finally:
        other.rollback()
        other.close()
    assert not at.exception
    assert any("系统繁忙" in e.value for e in at.error) and "database is locked" not in texts(at)
    assert {c: at.number_input(key=f"score_{pid}_{c}").value for c in SCORES} == SCORES
    assert at.text_area(key=f"comment_{pid}").value == "选题贴近同学生活"
    assert fresh_db["sheets"].count == 0

    submit(at, pid)  # the lock is free again: the same click saves what was typed
    assert not at.error and fresh_db["sheets"].count_where("status = 'submitted'") == 1
    assert next(fresh_db["sheets"].rows)["comment"] == "选题贴近同学生活"


@pytest.fixture
def broken_sheets(fresh_db):
    """A fault nobody expected, below the domain: the database refuses every new score sheet."""
    fresh_db.execute("CREATE TRIGGER broken BEFORE INSERT ON sheets BEGIN SELECT RAISE(ABORT, 'disk gremlin'); END")


def test_a_bug_shows_a_chinese_apology_not_a_traceback(sheet, broken_sheets):
    at, pid = sheet
    submit(at, pid)
    assert not at.exception and "gremlin" not in texts(at) and "IntegrityError" not in texts(at)
    assert any("系统出了点问题" in e.value and "已填写的内容都还在" in e.value for e in at.error)
    assert at.number_input(key=f"score_{pid}_value").value == 8.0


def test_with_error_details_on_the_traceback_is_shown_too(sheet, broken_sheets):
    """Development and the other tests (client.showErrorDetails = full) still see the exception."""
    at, pid = sheet
    config.set_option("client.showErrorDetails", "full")
    submit(at, pid)
    assert any("系统出了点问题" in e.value for e in at.error) and at.exception


def test_a_busy_database_outside_any_form_still_says_busy_in_chinese(app_as, people, monkeypatch, production_errors):
    """A write lock that stays taken where no page catches it (here: the router re-reading the user)."""
    from contest import accounts
    from contest.errors import Busy

    at = app_as("judge")

    def busy(*args, **kwargs):
        raise Busy()

    monkeypatch.setattr(accounts, "get_user", busy)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [str(Busy())]
