"""The demo contest: accounts, departments and proposals written by the project (data/demo/).

Every demo account shares the password ``demo1234``; outside demo mode there
are no default passwords (``python -m contest init``).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import random
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from . import accounts, clock, forwarding, proposals, ratings, replies, review_assignments, score_sheets, settings
from .db import writes
from .vocabulary import AnswerState, Role, labels

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
PASSWORD = "demo1234"


def _csv(name: str) -> list[dict]:
    with open(DEMO_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@writes
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
        # 学院回避 on, as a contest should run: no judge reviews a proposal from their own college.
        db["settings"].upsert({"key": "college_conflict", "value": "true"}, pk="key")
        # departments see who proposed (names and colleges; contact details stay off)
        db["settings"].upsert({"key": "department_sees_proposers", "value": '"name"'}, pk="key")
        db["departments"].insert_all(
            [{"code": d["code"], "name": d["name"], "description": d["description"], "active": 1}
             for d in _csv("departments.csv")], pk="code")
        users = _accounts(db, start)
    items = _proposals(db, users, start)
    build_judging(db, users, now)
    build_followup(db, users, now, items)


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


DEMO_COMMENTS = [
    "问题选得准，调研数据较扎实，建议部分可再具体到承办部门。",
    "选题贴近同学日常，但样本量偏小，结论需要更多数据支撑。",
    "建议具体可行，若能给出成本估算会更有说服力。",
    "表述清晰，一事一案，调研方法可再说明得详细些。",
    "视角新颖，可考虑先在一个校区试点。",
    "问题真实存在，建议措施略显笼统，请补充实施步骤。",
]
DEMO_NOTES = ["与往届一件提案主题相近，可关注是否重复。", "", "", "调研问卷的样本来源需核实。", ""]


def _demo_rng(*parts) -> random.Random:
    seed = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return random.Random(int(seed[:16], 16))


def build_judging(db: Database, users: dict[str, int], now) -> None:
    """Demo contest: assign every valid proposal to 3 judges and publish; about half are fully
    scored (judge1 scores harshly, judge4 leniently), a few sheets are left as drafts."""
    organizer = accounts.get_user(db, users["organizer"])
    if organizer is None or not accounts.judges(db):
        return
    valid = [r["id"] for r in review_assignments.valid_proposals(db)]
    if not valid:
        return
    moment = now - dt.timedelta(days=6)
    review_assignments.auto_assign_drafts(db, organizer, 3, now=moment)
    review_assignments.publish_assignments(db, organizer)
    rubric = settings.get(db).rubric
    severity = {users.get("judge1"): -1.5, users.get("judge4"): 1.2}  # harsh, lenient
    pairs = sorted(review_assignments.existing_pairs(db))
    scored = set(valid[: len(valid) // 2])
    drafted = set(valid[len(valid) // 2: len(valid) // 2 + 6])
    for n, (pid, jid) in enumerate(pairs):
        if pid not in scored and pid not in drafted:
            continue
        judge = accounts.get_user(db, jid)
        quality = _demo_rng("quality", pid).uniform(4.5, 8.5)
        rng = _demo_rng("score", pid, jid)
        scores = {}
        for c in rubric:
            value = quality + severity.get(jid, 0.0) + rng.gauss(0, 0.6)
            scores[c.code] = float(min(max(round(value), c.min), c.max))
        when = moment + dt.timedelta(days=1 + n % 5, hours=n % 7)
        if pid in drafted:
            if rng.random() < 0.5:
                continue  # not started yet
            partial = dict(list(scores.items())[:2])
            score_sheets.save_sheet(db, judge, pid, partial, "", "", submit=False, now=when)
            continue
        comment = DEMO_COMMENTS[rng.randrange(len(DEMO_COMMENTS))]
        note = DEMO_NOTES[rng.randrange(len(DEMO_NOTES))]
        score_sheets.save_sheet(db, judge, pid, scores, comment, note, submit=True, now=when)


def build_followup(db: Database, users: dict[str, int], now, items: list[tuple[int, dict]]) -> None:
    """Demo contest: forward the proposals marked forwarded/replied/resolved in data/demo, answer the
    replied/resolved ones, and add a few ratings. Forwarding follows screening; some short due dates
    have passed, so the dashboard shows overdue cases."""
    now = clock.given_or_now(now)
    organizer = accounts.get_user(db, users["organizer"])
    chosen = [(pid, item) for pid, item in items if item.get("status") in ("forwarded", "replied", "resolved")]
    departments = {d["code"] for d in db["departments"].rows_where("active = 1")}
    n_forwarded = 0
    rated = 0
    for n, (pid, item) in enumerate(chosen):
        proposal = db["proposals"].get(pid)
        department = item.get("department") if item.get("department") in departments else "tw"
        screened = clock.parse(proposal["screened_at"]) or now - dt.timedelta(days=10)
        forwarded_at = min(screened + dt.timedelta(days=1, hours=2), now - dt.timedelta(days=1))
        due_days = forwarding.DEFAULT_DUE_DAYS
        if item["status"] == "forwarded":
            n_forwarded += 1
            due_days = 7 if n_forwarded % 2 else forwarding.DEFAULT_DUE_DAYS  # about half are overdue by now
        co = ["hqc"] if n == 0 and department != "hqc" and "hqc" in departments else []
        case_id = forwarding.forward(db, organizer, pid, department, co_departments=co, due_days=due_days,
                          note="请按期答复并在系统中更新办理进展。", member_ids=[], now=forwarded_at)
        reply_data = item.get("reply") or {}
        if item["status"] == "forwarded" or not reply_data:
            continue
        staff = accounts.get_user(db, users.get(f"dept-{department}") or users["organizer"])
        elapsed = (now - forwarded_at).total_seconds()
        share = min(int(reply_data.get("days_after_forward") or 10), 40) / 41
        replied_at = forwarded_at + dt.timedelta(seconds=int(elapsed * share))
        state = reply_data.get("state") if reply_data.get("state") in labels(AnswerState) else "planned"
        extra = {}
        if state == "in_progress":
            extra = {"plan": "按答复所述步骤推进，完成后在系统中更新进展。",
                     "expected_date": (now + dt.timedelta(days=45)).date()}
        if state == "not_feasible":
            extra = {"reason": "受场地、经费等条件限制，近期难以实施，已提出过渡措施。"}
        if state == "planned":
            extra = {"plan": "已列入下一年度工作计划。", "expected_date": (now + dt.timedelta(days=120)).date()}
        replies.reply(db, staff, case_id, state, reply_data["text"], now=replied_at, **extra)
        author = accounts.get_user(db, proposal["submitter_id"])
        if rated < 4 and author is not None:
            level = ["satisfied", "basic", "satisfied", "unsatisfied"][rated]
            comment = "答复具体，希望持续跟进。" if level != "unsatisfied" else "答复没有回应调研中提出的主要问题。"
            ratings.rate(db, author, pid, level, comment, now=replied_at + dt.timedelta(hours=6))
            rated += 1


def accounts_table(db: Database, per_role: int = 50) -> pd.DataFrame:
    """The demo accounts for the login page (only shown in demo mode): the first ``per_role`` of each
    role (a scale demo has tens of thousands)."""
    rows = db.query("""select username, role, name, unit from (
                           select u.id, u.username, u.role, u.name, coalesce(d.name, u.college, '') as unit,
                                  row_number() over (partition by u.role order by u.id) as n
                           from users u left join departments d on d.code = u.department where u.active = 1)
                       where n <= ? order by id""", [per_role])
    frame = pd.DataFrame(rows, columns=["username", "role", "name", "unit"])
    frame["role"] = frame["role"].map(labels(Role))
    return frame.rename(columns={"username": "用户名", "role": "角色", "name": "姓名", "unit": "学院/部门"})
