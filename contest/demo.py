"""The demo contest: accounts, departments and proposals written by the project (data/demo/).

Every demo account shares the password ``demo1234``; outside demo mode there
are no default passwords (``python -m contest init``).
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from . import accounts, clock, followup, judging, proposals, settings
from .permissions import ROLES

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
PASSWORD = "demo1234"


def _csv(name: str) -> list[dict]:
    with open(DEMO_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build(db: Database, now: dt.datetime | None = None) -> None:
    """Fill an empty database with the demo contest (idempotent on an initialised one)."""
    from .db import is_initialised

    if is_initialised(db):
        return
    now = now or clock.now()
    start = now.replace(hour=8, minute=0, second=0) - dt.timedelta(days=20)
    colleges = [r["name"] for r in _csv("colleges.csv")]
    with db.atomic():
        settings.initialise(db, contest_name="第八届“集智思源”学生提案大赛", demo_mode=True, now=start)
        db["settings"].upsert({"key": "colleges", "value": json.dumps(colleges, ensure_ascii=False)}, pk="key")
        db["departments"].insert_all(
            [{"code": d["code"], "name": d["name"], "description": d["description"], "active": 1}
             for d in _csv("departments.csv")], pk="code")
        users = _accounts(db, start)
    items = _proposals(db, users, start)
    judging.build_demo(db, users, now)
    followup.build_demo(db, users, now, items)


def _accounts(db: Database, created: dt.datetime) -> dict[str, int]:
    password_hash = accounts.hash_password(PASSWORD)
    base = {"password_hash": password_hash, "must_change_password": 0, "active": 1,
            "created_at": clock.iso(created)}
    rows = [base | {"username": "organizer", "role": "organizer", "name": "校团委 · 提案大赛组委会"}]
    rows += [base | {"username": f"judge{i}", "role": "judge", "name": j["name"], "college": j["college"],
                     "topics": j["topics"]} for i, j in enumerate(_csv("judges.csv"), start=1)]
    rows += [base | {"username": f"student{i}", "role": "participant", "name": s["name"],
                     "student_no": s["student_no"], "college": s["college"], "email": s["email"],
                     "phone": s["phone"] or None} for i, s in enumerate(_csv("students.csv"), start=1)]
    rows += [base | {"username": f"dept-{d['code']}", "role": "department", "name": f"{d['name']}联络员",
                     "department": d["code"]} for d in _csv("departments.csv")]
    db["users"].insert_all(rows)
    return {r["username"]: r["id"] for r in db["users"].rows}


def demo_proposals() -> list[dict]:
    return json.loads((DEMO_DIR / "proposals.json").read_text(encoding="utf-8"))


def _proposals(db: Database, users: dict[str, int], start: dt.datetime) -> list[tuple[int, dict]]:
    """Create each demo proposal through the same functions students and organizers use.

    Returns (proposal id, demo item) pairs for the later steps."""
    organizer = accounts.get_user(db, users["organizer"])
    number = {accounts.get_user(db, users[f"student{i}"]).student_no: i for i in range(1, 41)}
    by_index = {i: no for no, i in number.items()}
    created = []
    for n, item in enumerate(demo_proposals()):
        author = accounts.get_user(db, users[f"student{item['author']}"])
        moment = start + dt.timedelta(days=1 + n % 15, hours=n % 9)
        fields = item | {"coauthors": [by_index[i] for i in item.get("coauthors", [])]}
        pid = proposals.save_draft(db, author, fields, now=moment)
        created.append((pid, item))
        if item["status"] == "draft":
            continue
        proposals.submit(db, author, pid, now=moment)
        if item["status"] in ("invalid",):
            proposals.screen(db, organizer, [pid], False, item.get("invalid_reason") or "不属于提案征集范围。",
                             now=moment + dt.timedelta(days=2))
        elif item["status"] != "submitted":
            proposals.screen(db, organizer, [pid], True, now=moment + dt.timedelta(days=2))
    return created


def accounts_table(db: Database) -> pd.DataFrame:
    """The demo accounts for the login page (only shown in demo mode)."""
    rows = db.query("""select u.username, u.role, u.name, coalesce(d.name, u.college, '') as unit
                       from users u left join departments d on d.code = u.department
                       where u.active = 1 order by u.id""")
    frame = pd.DataFrame(rows, columns=["username", "role", "name", "unit"])
    frame["role"] = frame["role"].map(ROLES)
    return frame.rename(columns={"username": "用户名", "role": "角色", "name": "姓名", "unit": "学院/部门"})
