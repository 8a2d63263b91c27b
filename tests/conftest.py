"""Shared fixtures: a fresh database per test, users of every role, a fixed clock."""
from __future__ import annotations

import datetime as dt

import pytest

from contest import accounts, db as database, settings
from tests.helpers import FAST_HASHER, NOW, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Argon2 with tiny costs: the tests check behaviour, not hashing strength."""
    monkeypatch.setattr(accounts, "_hasher", FAST_HASHER)


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "contest.db"
    monkeypatch.setenv("CONTEST_DB", str(path))
    return path


@pytest.fixture
def fresh_db(db_path):
    """An initialised contest (submission open around NOW) with two departments, no users."""
    db = database.connect(db_path)
    settings.initialise(db, contest_name="测试提案大赛", now=NOW - dt.timedelta(days=5))
    db["departments"].insert_all([
        {"code": "jwc", "name": "教务处", "description": "", "active": 1},
        {"code": "hqc", "name": "后勤保障处", "description": "", "active": 1},
    ], pk="code")
    return db


@pytest.fixture
def people(fresh_db):
    """One user per role plus two more students and a second judge."""
    db = fresh_db
    return {
        "organizer": make_user(db, "organizer", "organizer"),
        "alice": make_user(db, "alice", "participant", student_no="2023001", college="管理学院", name="艾丽"),
        "bob": make_user(db, "bob", "participant", student_no="2023002", college="医学部", name="鲍勃"),
        "carol": make_user(db, "carol", "participant", student_no="2023003", college="管理学院", name="卡罗"),
        "judge": make_user(db, "judge1", "judge", college="管理学院", topics="teaching life"),
        "judge2": make_user(db, "judge2", "judge", college="医学部"),
        "dept": make_user(db, "dept-jwc", "department", department="jwc"),
        "dept2": make_user(db, "dept-hqc", "department", department="hqc"),
    }
