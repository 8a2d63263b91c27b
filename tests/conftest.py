"""Shared fixtures: a fresh database per test, users of every role, a fixed clock."""
from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher

from contest import accounts, db as database, settings

NOW = dt.datetime(2026, 3, 10, 12, 0)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD_HASH = FAST_HASHER.hash("Passw0rd!")


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


def insert_proposal(db, author, *, coauthors=(), **fields):
    """A proposal row written straight into the database (any status), with its co-authors."""
    row = {"submitter_id": author.id, "title": "关于改进食堂的建议", "topic": "teaching", "status": "valid",
           "problem": "问题" * 10, "investigation": "调研" * 10, "suggestions": "建议" * 10,
           "college": author.college, "source": "portal",
           "created_at": "2026-03-01 10:00:00", "updated_at": "2026-03-01 10:00:00"} | fields
    pid = db["proposals"].insert(row).last_pk
    db["coauthors"].insert_all([{"proposal_id": pid, "user_id": u.id} for u in coauthors])
    return pid


def make_user(db, username, role, **extra):
    row = {"username": username, "role": role, "name": extra.pop("name", username),
           "password_hash": PASSWORD_HASH, "must_change_password": 0, "active": 1} | extra
    return accounts.get_user(db, db["users"].insert(row).last_pk)


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
