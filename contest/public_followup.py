"""The public follow-up page: forwarded proposals and their published replies, for everyone.

No name, 学号, college or rating comment ever leaves this module.
"""
from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from . import validation
from .db import like_pattern
from .vocabulary import AnswerState, CaseStatus, labels


def public_cases(db: Database, *, topic: str | None = None, department: str | None = None,
                 text: str | None = None) -> pd.DataFrame:
    """Forwarded proposals for everyone, logged in or not: no names, 学号, colleges or ratings."""
    where, args = ["1 = 1"], []
    if topic:
        where.append("p.topic = ?")
        args.append(topic)
    if department:
        where.append("c.id in (select case_id from case_departments where department = ?)")
        args.append(department)
    text = validation.search_text(text)
    if text:
        where.append("p.title like ? escape '\\'")
        args.append(like_pattern(text))
    rows = db.query(f"""select c.id, p.title, p.topic, c.department, d.name as department_name, c.status, c.state,
                               substr(c.forwarded_at, 1, 10) as forwarded_on,
                               substr(c.last_reply_at, 1, 10) as replied_on,
                               (select count(*) from case_members m where m.case_id = c.id) as proposals
                        from cases c join proposals p on p.id = c.proposal_id
                             left join departments d on d.code = c.department
                        where {' and '.join(where)} order by c.id desc""", args)
    frame = pd.DataFrame(rows, columns=["id", "title", "topic", "department", "department_name", "status", "state",
                                        "forwarded_on", "replied_on", "proposals"])
    frame["status_name"] = frame["status"].map(labels(CaseStatus))
    frame["state_name"] = frame["state"].map(labels(AnswerState)).fillna("")
    return frame


def public_replies(db: Database, case_id: int) -> list[dict]:
    """The published replies of a case, for everyone (department, state, text, date)."""
    return list(db.query("""select r.kind, d.name as department_name, r.state, r.text, r.plan, r.expected_date,
                                   r.reason, substr(r.at, 1, 10) as on_date
                            from replies r left join departments d on d.code = r.department
                            where r.case_id = ? and r.published = 1 order by r.at, r.id""", [case_id]))


def public_meetings(db: Database) -> pd.DataFrame:
    """Outcomes of held feedback meetings (提案对接会), for everyone: meeting, theme, date, proposal title,
    department and its commitment. Never the invited students, the minutes or anyone's name."""
    rows = db.query("""select m.title as meeting, m.theme, m.held_on, p.title, d.name as department_name,
                              i.commitment, i.due_date
                       from meeting_items i join meetings m on m.id = i.meeting_id
                            join proposals p on p.id = i.proposal_id
                            left join departments d on d.code = i.department
                       where m.status = 'held' and i.commitment != ''
                       order by m.held_on desc, m.id desc, i.proposal_id""")
    return pd.DataFrame(rows, columns=["meeting", "theme", "held_on", "title", "department_name", "commitment",
                                       "due_date"])
