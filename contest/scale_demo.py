"""A synthetic contest of any size, for capacity tests: ``python -m contest demo --scale N``.

N proposals whose texts are recombined (title, problem, investigation and suggestions drawn
independently) from the project's own demo and development sets in ``data/``, or from the
shared corpus of citizen messages (``../shared/corpus/att3_messages_4326.csv``) when that folder
is present. The corpus is read at run time only; nothing of it is stored in the project.

Besides the proposals: N/50 judges (at least 6), one participant per two proposals, an account per
department, 3 published review assignments per valid proposal (the newest tenth still a draft
assignment), submitted and draft score sheets, forwarded cases (some declined, most answered,
some resolved), progress updates and ratings, co-authors, merged same-issue proposals and an
audit entry per write. Every account's password is ``demo1234``.

Rows are written in bulk (``insert_all``), with the password hashed once and no per-row domain
call, so 10,000 proposals take seconds. The data obeys the rules the domain functions enforce
(only valid proposals are assigned and forwarded, a judge never reviews a proposal of their
college's authors twice, sheets only for published assignments, ratings only after a reply);
``tests/unit/test_scale_demo.py`` checks that.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from . import accounts, clock, settings
from .db import PROJECT_DIR, optimize, transaction
from .demo import DEMO_COMMENTS, PASSWORD, demo_proposals

# ../shared/corpus beside the project (a git worktree one folder deeper finds it too)
CORPUS = next((folder / "shared" / "corpus" / "att3_messages_4326.csv" for folder in PROJECT_DIR.parents[:2]
               if (folder / "shared" / "corpus").is_dir()), PROJECT_DIR.parent / "shared" / "corpus" / "none")
DEV_DIR = PROJECT_DIR / "data" / "dev_proposals"
DEMO_DIR = PROJECT_DIR / "data" / "demo"
PROPOSALS_PER_JUDGE = 50
REVIEWS = 3
# Share of valid proposals whose topic an organizer confirmed on the topic map (those flagged for review)
CONFIRMED = 0.2
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦许何吕施张孔曹严华金魏陶姜"
GIVEN = "思远若溪子涵浩然雨桐一鸣欣怡嘉怡俊杰梓萱宇轩诗雨明哲文博佳琪天佑晨曦"
REPLY_TEXTS = [
    "已收到提案，经研究，相关措施已列入本学期工作安排，将按步骤推进并在系统中更新进展。",
    "感谢同学的建议。我处已会同相关单位现场查看，问题已整改完毕，欢迎继续监督。",
    "经调研，该建议涉及场地和经费调整，近期难以全部实施，已先行采取过渡措施。",
    "建议具体可行，我处已制定实施方案，预计下学期开学前完成。",
]
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
STATES = ["resolved", "in_progress", "planned", "resolved", "not_feasible", "in_progress"]


@dataclass
class Summary:
    proposals: int
    judges: int
    participants: int
    assignments: int
    sheets: int
    cases: int
    replies: int
    source: str


def texts(source: str = "auto") -> tuple[list[dict], str]:
    """Pieces to recombine: dicts with title, topic, problem, investigation, suggestions, department.

    ``source`` "project" (data/demo + data/dev_proposals), "corpus" (the shared corpus) or
    "auto" (the corpus when present)."""
    if source == "corpus" or (source == "auto" and CORPUS.exists()):
        with open(CORPUS, encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r.get("留言主题") and r.get("留言详情")]
        pieces = []
        for r in rows:
            body = _clean(r["留言详情"])[:1500]
            if len(body) < 90:
                continue
            third = len(body) // 3
            pieces.append({"title": _clean(r["留言主题"]), "topic": None, "problem": body[:third],
                           "investigation": body[third:2 * third], "suggestions": body[2 * third:],
                           "department": None})
        return pieces, "corpus"
    pieces = [{k: item.get(k) or "" for k in ("title", "topic", "problem", "investigation", "suggestions",
                                               "department")} for item in demo_proposals()]
    for path in sorted(DEV_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                pieces.append({"title": item["title"], "topic": item.get("topic"), "problem": item["problem"],
                               "investigation": item.get("investigation", ""),
                               "suggestions": item.get("suggestions", ""), "department": None})
    return pieces, "project"


def _clean(text: str) -> str:
    """One line of visible text (the corpus has control and zero-width characters)."""
    return " ".join(INVISIBLE.sub("", str(text or "")).split())


def _csv(name: str) -> list[dict]:
    with open(DEMO_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build(db: Database, n: int, *, now: dt.datetime | None = None, seed: int = 13, source: str = "auto") -> Summary:
    """Fill an empty database with a contest of ``n`` proposals (see the module docstring)."""
    from .db import is_initialised

    if is_initialised(db):
        raise ValueError("the database already holds a contest")
    rng = random.Random(seed)
    now = (now or clock.now()).replace(microsecond=0)
    start = now.replace(hour=8, minute=0, second=0) - dt.timedelta(days=20)
    pieces, used = texts(source)
    departments = _csv("departments.csv")
    codes = [d["code"] for d in departments]
    with transaction(db):
        contest = settings.initialise(db, contest_name=f"“集智思源”学生提案大赛 · 规模演示（{n:,} 件）",
                                      demo_mode=True, now=start)
        colleges = contest.colleges
        topics = contest.topic_codes
        db["departments"].insert_all([{"code": d["code"], "name": d["name"], "description": d["description"],
                                       "active": 1} for d in departments], pk="code")
        users = _users(db, n, rng, start, colleges, topics, codes)
        props = _proposals(db, n, rng, start, now, pieces, users, topics, codes)
        n_assign, n_sheets = _judging(db, rng, now, props, users, contest.rubric)
        n_cases, n_replies = _followup(db, rng, now, props, users, codes)
    optimize(db)
    return Summary(proposals=n, judges=len(users["judges"]), participants=len(users["students"]),
                   assignments=n_assign, sheets=n_sheets, cases=n_cases, replies=n_replies, source=used)


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)] + (
        GIVEN[(i * 7) % len(GIVEN)] if i % 3 else "")


def _users(db, n, rng, start, colleges, topics, codes) -> dict:
    stamp = clock.iso(start)
    base = {"password_hash": accounts.hash_password(PASSWORD), "must_change_password": 0, "active": 1,
            "created_at": stamp}
    n_judges = max(6, n // PROPOSALS_PER_JUDGE)
    n_students = max(20, n // 2)
    rows = [base | {"id": 1, "username": "organizer", "role": "organizer", "name": "校团委 · 提案大赛组委会"}]
    judges = []
    for i in range(1, n_judges + 1):
        uid = len(rows) + 1
        college = colleges[i % len(colleges)]
        judges.append((uid, college))
        rows.append(base | {"id": uid, "username": f"judge{i}", "role": "judge", "name": f"{_name(i)}（评委）",
                            "college": college, "staff_no": f"J{i:06d}",
                            "topics": " ".join(rng.sample(topics, 2))})
    students = []
    for i in range(1, n_students + 1):
        uid = len(rows) + 1
        college = colleges[(i * 5) % len(colleges)]
        students.append((uid, college))
        rows.append(base | {"id": uid, "username": f"student{i}", "role": "participant", "name": _name(i + 97),
                            "student_no": f"9{i:09d}", "college": college,
                            "email": f"student{i}@stu.example.edu.cn"})
    staff = {}
    for code in codes:
        uid = len(rows) + 1
        staff[code] = uid
        rows.append(base | {"id": uid, "username": f"dept-{code}", "role": "department", "name": f"{code} 联络员",
                            "department": code})
    db["users"].insert_all(rows, batch_size=2000)
    return {"organizer": 1, "judges": judges, "students": students, "staff": staff}


def _proposals(db, n, rng, start, now, pieces, users, topics, codes) -> list[dict]:
    """Proposal rows (ids 1..n). Statuses: about 4 % draft, 3 % submitted, 3 % invalid, 1 % withdrawn,
    the rest valid; 2 % of the valid ones are merged into the valid proposal before them."""
    students = users["students"]
    rows, coauthors, audit = [], [], []
    span = max((now - start).total_seconds() - 3 * 86400, 3600)
    pools = {key: [p for p in pieces if len(p[key]) >= (5 if key == "title" else 20)]
             for key in ("title", "problem", "investigation", "suggestions")}
    for pid in range(1, n + 1):
        title, problem, inv, sug = (rng.choice(pools[key]) for key in pools)
        submitter, college = students[(pid - 1) % len(students)]
        roll = rng.random()
        status = ("draft" if roll < 0.04 else "submitted" if roll < 0.07 else "invalid" if roll < 0.10
                  else "withdrawn" if roll < 0.11 else "valid")
        created = start + dt.timedelta(seconds=span * (pid - 1) / max(n, 1))
        submitted = created + dt.timedelta(hours=2) if status != "draft" else None
        screened = created + dt.timedelta(days=2) if status in ("valid", "invalid") else None
        topic = title["topic"] if title["topic"] in topics else topics[pid % len(topics)]
        department = title["department"] if title["department"] in codes else codes[pid % len(codes)]
        row = {"id": pid, "submitter_id": submitter, "title": f"{title['title'][:32]}（{pid}）", "topic": topic,
               "problem": problem["problem"], "investigation": inv["investigation"],
               "suggestions": sug["suggestions"], "department": department, "college": college,
               "source": "portal", "status": status,
               "topic_confirmed": int(status == "valid" and rng.random() < CONFIRMED),
               "invalid_reason": "不属于提案征集范围。" if status == "invalid" else None,
               "created_at": clock.iso(created), "updated_at": clock.iso(submitted or created),
               "submitted_at": clock.iso(submitted) if submitted else None,
               "screened_at": clock.iso(screened) if screened else None, "lead_id": None}
        rows.append(row)
        if rng.random() < 0.2:
            other = students[(pid * 7 + 3) % len(students)][0]
            if other != submitter:
                coauthors.append({"proposal_id": pid, "user_id": other})
        audit.append({"at": row["created_at"], "actor_id": submitter, "actor": f"student{submitter}",
                      "action": "create_proposal", "target": f"proposal:{pid}", "detail": "{}"})
    valid = [r for r in rows if r["status"] == "valid"]
    for prev, row in zip(valid, valid[1:]):
        if rng.random() < 0.02 and prev["lead_id"] is None:
            row["lead_id"] = prev["id"]
            prev["lead_id"] = prev["id"]
    db["proposals"].insert_all(rows, batch_size=1000)
    db["coauthors"].insert_all(coauthors, batch_size=5000)
    db["audit_log"].insert_all(audit, batch_size=5000)
    return rows


def _judging(db, rng, now, props, users, rubric) -> tuple[int, int]:
    """3 judges per valid proposal, never of the authors' college; the newest tenth of the valid
    proposals have draft (unpublished) assignments. Of the published pairs about 60 % have a
    submitted sheet and 8 % a draft."""
    judges = users["judges"]
    college_of = dict(users["students"])
    authors: dict[int, set[str]] = {}
    for c in db.query("select proposal_id, user_id from coauthors"):
        authors.setdefault(c["proposal_id"], set()).add(college_of.get(c["user_id"]))
    valid = [p for p in props if p["status"] == "valid"]
    cut = int(len(valid) * 0.9)
    assignments, sheets, scores, audit = [], [], [], []
    stamp = clock.iso(now - dt.timedelta(days=6))
    pos = 0
    for k, p in enumerate(valid):
        banned = {p["college"]} | authors.get(p["id"], set())
        chosen = []
        for _ in range(len(judges)):
            jid, college = judges[pos % len(judges)]
            pos += 1
            if college not in banned:
                chosen.append(jid)
                if len(chosen) == REVIEWS:
                    break
        published = int(k < cut)
        for jid in chosen:
            assignments.append({"proposal_id": p["id"], "judge_id": jid, "published": published, "source": "auto",
                                "created_at": stamp})
            if not published:
                continue
            roll = rng.random()
            if roll >= 0.68:
                continue
            submit = roll < 0.60
            sid = len(sheets) + 1
            when = clock.iso(now - dt.timedelta(hours=rng.randrange(1, 120)))
            quality = rng.uniform(4.5, 8.5)
            crits = rubric if submit else rubric[:2]
            scores += [{"sheet_id": sid, "criterion": c.code,
                        "score": float(min(max(round(quality + rng.gauss(0, 0.8)), c.min), c.max))} for c in crits]
            sheets.append({"id": sid, "proposal_id": p["id"], "judge_id": jid,
                           "status": "submitted" if submit else "draft",
                           "comment": rng.choice(DEMO_COMMENTS) if submit else "", "note": "", "updated_at": when,
                           "submitted_at": when if submit else None})
            audit.append({"at": when, "actor_id": jid, "actor": f"judge{jid}",
                          "action": "submit_sheet" if submit else "save_sheet", "target": f"sheet:{sid}",
                          "detail": json.dumps({"proposal_id": p["id"]})})
    db["assignments"].insert_all(assignments, batch_size=5000)
    db["sheets"].insert_all(sheets, batch_size=5000)
    db["scores"].insert_all(scores, batch_size=5000)
    db["audit_log"].insert_all(audit, batch_size=5000)
    return len(assignments), len(sheets)


def _followup(db, rng, now, props, users, codes) -> tuple[int, int]:
    """About 40 % of the screened valid proposals are forwarded (a merged group as one case with
    its members); of the cases 5 % are declined, 20 % wait, the rest are answered (a third with a
    progress update), and a third of the answered ones are rated by their submitter."""
    organizer = users["organizer"]
    staff = users["staff"]
    leads = [p for p in props if p["status"] == "valid" and p["lead_id"] in (None, p["id"])]
    members: dict[int, list[int]] = {}
    for p in props:
        if p["status"] == "valid" and p["lead_id"] and p["lead_id"] != p["id"]:
            members.setdefault(p["lead_id"], []).append(p["id"])
    cases, case_members, case_depts, forwards, replies, ratings, audit = [], [], [], [], [], [], []
    for p in leads:
        if rng.random() >= 0.4:
            continue
        cid = len(cases) + 1
        screened = clock.parse(p["screened_at"])
        forwarded = min(screened + dt.timedelta(days=1), now - dt.timedelta(days=2))
        due = forwarded + dt.timedelta(days=rng.choice([7, 30]))
        lead = p["department"]
        co = [codes[(codes.index(lead) + 1) % len(codes)]] if rng.random() < 0.1 else []
        case = {"id": cid, "proposal_id": p["id"], "department": lead, "status": "pending", "state": None,
                "note": "请按期答复并在系统中更新办理进展。", "due_at": clock.iso(due), "forwarded_by": organizer,
                "forwarded_at": clock.iso(forwarded), "assigned_at": clock.iso(forwarded),
                "first_reply_at": None, "last_reply_at": None}
        cases.append(case)
        case_members += [{"proposal_id": pid, "case_id": cid} for pid in [p["id"], *members.get(p["id"], [])]]
        case_depts += [{"case_id": cid, "department": lead, "role": "lead"}]
        case_depts += [{"case_id": cid, "department": c, "role": "co"} for c in co]
        forwards.append({"case_id": cid, "kind": "forward", "department": lead, "co_departments": " ".join(co),
                         "reason": case["note"], "by_id": organizer, "at": case["forwarded_at"]})
        audit.append({"at": case["forwarded_at"], "actor_id": organizer, "actor": "organizer",
                      "action": "forward_proposal", "target": f"case:{cid}",
                      "detail": json.dumps({"proposals": [p["id"]], "department": lead})})
        roll = rng.random()
        if roll < 0.05:
            case["status"] = "declined"
            forwards.append({"case_id": cid, "kind": "decline", "department": lead, "co_departments": "",
                             "reason": "该事项不属于本部门职责范围，请转其他部门。", "by_id": staff[lead],
                             "at": clock.iso(forwarded + dt.timedelta(hours=5))})
            continue
        if roll < 0.25:
            continue
        elapsed = (now - forwarded).total_seconds()
        moments = [forwarded + dt.timedelta(seconds=elapsed * rng.uniform(0.1, 0.5))]
        if rng.random() < 0.33:
            moments.append(moments[0] + dt.timedelta(seconds=elapsed * 0.3))
        for n_entry, moment in enumerate(moments):
            state = rng.choice(STATES)
            extra = ({"plan": "按答复所述步骤推进。", "expected_date": (now + dt.timedelta(days=60)).date().isoformat()}
                     if state in ("in_progress", "planned") else {})
            replies.append({"case_id": cid, "department": lead, "author_id": staff[lead],
                            "kind": "reply" if n_entry == 0 else "update", "state": state,
                            "text": rng.choice(REPLY_TEXTS), "plan": extra.get("plan", ""),
                            "expected_date": extra.get("expected_date"),
                            "reason": "受场地和经费限制。" if state == "not_feasible" else "",
                            "published": 1, "at": clock.iso(moment)})
            case.update(status="resolved" if state == "resolved" else "replied", state=state,
                        first_reply_at=case["first_reply_at"] or clock.iso(moment), last_reply_at=clock.iso(moment))
            audit.append({"at": clock.iso(moment), "actor_id": staff[lead], "actor": f"dept-{lead}",
                          "action": "reply_case", "target": f"case:{cid}", "detail": json.dumps({"state": state})})
        if rng.random() < 0.33:
            rated = moments[-1] + dt.timedelta(hours=6)
            ratings.append({"proposal_id": p["id"], "round": 1, "case_id": cid, "user_id": p["submitter_id"],
                            "level": rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"]),
                            "comment": "", "at": clock.iso(min(rated, now))})
    db["cases"].insert_all(cases, batch_size=2000)
    db["case_members"].insert_all(case_members, batch_size=5000)
    db["case_departments"].insert_all(case_depts, batch_size=5000)
    db["case_forwards"].insert_all(forwards, batch_size=5000)
    db["replies"].insert_all(replies, batch_size=2000)
    db["ratings"].insert_all(ratings, batch_size=5000)
    db["audit_log"].insert_all(audit, batch_size=5000)
    return len(cases), len(replies)
