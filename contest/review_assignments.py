"""Review assignments: which judge reviews which proposal (the organizers' workflow).

Automatic (``contest.assignment`` is the pure algorithm), manual and sheet assignments
are stored as drafts (``published = 0``) that only organizers see; the organizer checks
the load per judge, adds or removes single pairs and publishes. Running the automatic
assignment again only fills what is missing (new proposals, judges removed by a
conflict): existing pairs, and above all finished reviews, never move.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlite_utils import Database

from . import accounts, assignment, audit, clock, notices, policy, settings
from .accounts import User
from .db import int_id, writes
from .errors import ValidationError
from .score_sheets import sheet_row


def valid_proposals(db: Database) -> list[dict]:
    return list(db.query("select id, title, topic, submitter_id, college from proposals "
                         "where status = 'valid' order by id"))


def _domain_proposals(db: Database, rows: list[dict] | None = None) -> dict[int, assignment.Proposal]:
    """Proposals for ``assignment``: authors and their colleges, from the proposal and the accounts."""
    rows = valid_proposals(db) if rows is None else rows
    authors: dict[int, set[int]] = {r["id"]: {r["submitter_id"]} for r in rows}
    for c in db.query("select proposal_id, user_id from coauthors"):
        if c["proposal_id"] in authors:
            authors[c["proposal_id"]].add(c["user_id"])
    college = {u["id"]: u["college"] for u in db.query("select id, college from users")}
    out = {}
    for r in rows:
        colleges = {college.get(a) for a in authors[r["id"]]} | {r["college"]}
        out[r["id"]] = assignment.Proposal(id=r["id"], topic=r["topic"] or "", author_ids=authors[r["id"]],
                                           author_colleges={c for c in colleges if c})
    return out


def _domain_judges(db: Database) -> dict[int, assignment.Judge]:
    return {j.id: assignment.Judge(id=j.id, college=j.college, topics=j.topic_codes)
            for j in accounts.judges(db)}


def _declared_conflicts(db: Database) -> set[tuple[int, int]]:
    return {(r["proposal_id"], r["judge_id"]) for r in db.query("select proposal_id, judge_id from conflicts")}


def existing_pairs(db: Database) -> list[tuple[int, int]]:
    return [(r["proposal_id"], r["judge_id"]) for r in db.query("select proposal_id, judge_id from assignments")]


@dataclass
class AutoAssignment:
    """What the automatic assignment adds: new pairs, shortfalls (Chinese messages), k used."""

    pairs: list[tuple[int, int]]
    shortfalls: list[str] = field(default_factory=list)
    k: int = 3


def preview_auto_assignment(db: Database, actor: User, k: int | None = None) -> AutoAssignment:
    """The pairs the automatic assignment would add now, without writing anything.

    Every valid proposal gets ``k`` judges in total (default: the contest
    setting), counting what is already assigned; nothing already assigned moves."""
    policy.require(actor, "manage_judging")
    contest = settings.get(db)
    k = contest.reviews_per_proposal if k is None else int(k)
    if not 1 <= k <= 10:
        raise ValidationError("每件提案的评审人数应为 1–10。")
    result = assignment.auto_assign(
        _domain_proposals(db).values(), _domain_judges(db).values(), k=k,
        conflicts=_declared_conflicts(db), college_rule=contest.college_conflict, existing=existing_pairs(db))
    return AutoAssignment(list(result.pairs), [s.message for s in result.shortfalls], k)


@writes
def auto_assign_drafts(db: Database, actor: User, k: int | None = None, *,
                       now: dt.datetime | None = None) -> AutoAssignment:
    """Run the automatic assignment and store the new pairs as drafts (not yet visible to judges)."""
    now = now or clock.now()
    with db.atomic():
        result = preview_auto_assignment(db, actor, k)
        db["assignments"].insert_all(
            [{"proposal_id": p, "judge_id": j, "published": 0, "source": "auto", "created_at": clock.iso(now)}
             for p, j in result.pairs], pk=("proposal_id", "judge_id"))
        audit.record(db, actor, "auto_assign", "assignments",
                     {"k": result.k, "added": len(result.pairs), "shortfalls": result.shortfalls})
    return result


def proposal_for_assignment(db: Database, proposal_id) -> assignment.Proposal:
    proposal_id = int_id(proposal_id, ValidationError(f"提案编号“{proposal_id}”不是数字。"))
    row = next(db.query("select id, title, topic, submitter_id, college, status from proposals where id = ?",
                        [proposal_id]), None)
    if row is None:
        raise ValidationError(f"提案 {proposal_id} 不存在。")
    if row["status"] != "valid":
        raise ValidationError(f"提案 {proposal_id} 尚未立案，只有已立案的提案参加评审。")
    return _domain_proposals(db, [row])[proposal_id]


def judge_for_assignment(db: Database, judge) -> assignment.Judge:
    """A judge by id (int) or username (str)."""
    if isinstance(judge, str) and not judge.strip().isdigit():
        row = next(db["users"].rows_where("username = ?", [judge.strip()]), None)
    else:
        row = next(db["users"].rows_where("id = ?", [int_id(judge, ValidationError(f"评委“{judge}”不存在。"))]), None)
    if row is None:
        raise ValidationError(f"评委“{judge}”不存在。")
    if row["role"] not in policy.roles_for("review_proposals") or not row["active"]:
        raise ValidationError(f"账号“{row['username']}”不是在用的评委账号。")
    return assignment.Judge(id=row["id"], college=row["college"], topics=frozenset((row["topics"] or "").split()))


def _check_pair(db: Database, proposal: assignment.Proposal, judge: assignment.Judge) -> None:
    reason = assignment.conflict_reason(proposal, judge, _declared_conflicts(db), settings.get(db).college_conflict)
    if reason:
        raise ValidationError(f"不能把提案 {proposal.id} 分配给该评委：{reason}。")
    if db["assignments"].count_where("proposal_id = ? and judge_id = ?", [proposal.id, judge.id]):
        raise ValidationError(f"提案 {proposal.id} 已分配给该评委。")


@writes
def add_assignment(db: Database, actor: User, proposal_id: int, judge, *, now: dt.datetime | None = None) -> None:
    """Organizer adds one pair by hand (as a draft); conflicts are refused."""
    policy.require(actor, "manage_judging")
    now = now or clock.now()
    with db.atomic():
        proposal = proposal_for_assignment(db, proposal_id)
        judge = judge_for_assignment(db, judge)
        _check_pair(db, proposal, judge)
        db["assignments"].insert({"proposal_id": proposal.id, "judge_id": judge.id, "published": 0,
                                  "source": "manual", "created_at": clock.iso(now)})
        audit.record(db, actor, "add_assignment", f"proposal:{proposal.id}", {"judge_id": judge.id})


@writes
def drop_pair(db: Database, proposal_id: int, judge_id: int) -> None:
    """Delete an assignment and its draft sheet; a submitted review is never dropped."""
    sheet = sheet_row(db, proposal_id, judge_id)
    if sheet and sheet["status"] == "submitted":
        raise ValidationError(f"提案 {proposal_id} 的这位评委已提交评分，已完成的评审不能撤销分配。")
    if sheet:
        db["scores"].delete_where("sheet_id = ?", [sheet["id"]])
        db["sheets"].delete(sheet["id"])
    db["assignments"].delete_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id])


def rule_breaking_assignments(db: Database, actor: User) -> pd.DataFrame:
    """Existing assignments the conflict rules now forbid (an assignment made before 学院回避 was
    turned on, a conflict declared later...): proposal, judge, reason, and whether the review was
    already submitted (a submitted review is kept)."""
    policy.require(actor, "manage_judging")
    contest = settings.get(db)
    rows = {r["id"]: r for r in valid_proposals(db)}
    domain, judges = _domain_proposals(db, list(rows.values())), _domain_judges(db)
    conflicts, out = _declared_conflicts(db), []
    for pid, jid in existing_pairs(db):
        if pid not in domain or jid not in judges:
            continue
        reason = assignment.conflict_reason(domain[pid], judges[jid], conflicts, contest.college_conflict)
        if reason:
            sheet = sheet_row(db, pid, jid)
            out.append({"proposal_id": pid, "title": rows[pid]["title"], "judge_id": jid,
                        "judge": accounts.get_user(db, jid).name, "reason": reason,
                        "submitted": bool(sheet and sheet["status"] == "submitted")})
    return pd.DataFrame(out, columns=["proposal_id", "title", "judge_id", "judge", "reason", "submitted"])


@writes
def drop_rule_breaking_assignments(db: Database, actor: User) -> int:
    """Remove the assignments the rules now forbid, except submitted reviews; returns how many.
    The organizer then fills the gaps with a new automatic assignment (which keeps the rules)."""
    policy.require(actor, "manage_judging")
    frame = rule_breaking_assignments(db, actor)
    dropped = 0
    with db.atomic():
        for row in frame[~frame["submitted"]].itertuples():
            drop_pair(db, int(row.proposal_id), int(row.judge_id))
            audit.record(db, actor, "remove_assignment", f"proposal:{int(row.proposal_id)}",
                         {"judge_id": int(row.judge_id), "reason": row.reason})
            dropped += 1
    return dropped


@writes
def remove_assignment(db: Database, actor: User, proposal_id: int, judge_id: int) -> None:
    """Organizer removes one pair (never a finished review)."""
    policy.require(actor, "manage_judging")
    with db.atomic():
        if not db["assignments"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]):
            raise ValidationError("该分配不存在。")
        drop_pair(db, proposal_id, judge_id)
        audit.record(db, actor, "remove_assignment", f"proposal:{proposal_id}", {"judge_id": judge_id})


@writes
def publish_assignments(db: Database, actor: User) -> int:
    """Make every draft assignment visible to its judge; returns how many."""
    policy.require(actor, "manage_judging")
    with db.atomic():
        count = db["assignments"].count_where("published = 0")
        if not count:
            raise ValidationError("没有待发布的分配。")
        judges = [r[0] for r in db.execute("select distinct judge_id from assignments where published = 0")]
        db.execute("update assignments set published = 1 where published = 0")
        audit.record(db, actor, "publish_assignments", "assignments", {"count": count})
    notices.assignments_published(db, judges)
    return count


@writes
def discard_draft_assignments(db: Database, actor: User) -> int:
    """Forget every unpublished assignment (judges never saw them); returns how many."""
    policy.require(actor, "manage_judging")
    with db.atomic():
        count = db["assignments"].count_where("published = 0")
        db["assignments"].delete_where("published = 0")
        audit.record(db, actor, "discard_assignments", "assignments", {"count": count})
    return count


SHEET_COLUMNS = {"提案编号": "proposal_id", "提案": "proposal_id", "proposal": "proposal_id",
                 "proposal_id": "proposal_id", "评委用户名": "judge", "评委": "judge", "judge": "judge",
                 "username": "judge", "用户名": "judge"}


@writes
def assign_from_table(db: Database, actor: User, frame: pd.DataFrame, *,
                      now: dt.datetime | None = None) -> dict:
    """Assignments from an uploaded sheet (提案编号, 评委用户名), stored as drafts; all or nothing.

    Rows already assigned are skipped. Raises ValidationError listing every bad row.
    Returns ``{"added": n, "skipped": m}``."""
    policy.require(actor, "manage_judging")
    now = now or clock.now()
    frame = frame.rename(columns=lambda c: SHEET_COLUMNS.get(str(c).strip(), str(c).strip()))
    if not {"proposal_id", "judge"} <= set(frame.columns):
        raise ValidationError("表格需要两列：提案编号、评委用户名。")
    errors, pairs, skipped, seen = [], [], 0, set()
    existing = set(existing_pairs(db))
    for i, row in enumerate(frame.fillna("").to_dict("records"), start=2):
        raw_p, raw_j = str(row["proposal_id"]).strip(), str(row["judge"]).strip()
        if not raw_p and not raw_j:
            continue
        try:
            if not raw_p or not raw_j:
                raise ValidationError("提案编号和评委用户名都要填写。")
            if raw_p.endswith(".0"):  # numbers read from Excel
                raw_p = raw_p[:-2]
            proposal = proposal_for_assignment(db, raw_p)
            row_judge = next(db["users"].rows_where("username = ?", [raw_j]), None)
            if row_judge is None:
                raise ValidationError(f"评委“{raw_j}”不存在。")
            judge = judge_for_assignment(db, row_judge["id"])
            pair = (proposal.id, judge.id)
            if pair in seen:
                raise ValidationError("与前面的行重复。")
            seen.add(pair)
            if pair in existing:
                skipped += 1
                continue
            _check_pair(db, proposal, judge)
            pairs.append(pair)
        except ValidationError as error:
            errors.append(f"第 {i} 行：{error}")
    if errors:
        raise ValidationError("导入失败，未添加任何分配。\n" + "\n".join(errors))
    if not pairs and not skipped:
        raise ValidationError("表格中没有分配。")
    with db.atomic():
        db["assignments"].insert_all([{"proposal_id": p, "judge_id": j, "published": 0, "source": "sheet",
                                       "created_at": clock.iso(now)} for p, j in pairs])
        audit.record(db, actor, "import_assignments", "assignments", {"added": len(pairs), "skipped": skipped})
    return {"added": len(pairs), "skipped": skipped}


def assignment_table(db: Database, actor: User) -> pd.DataFrame:
    """Every assignment with proposal, judge and review status (organizer view)."""
    policy.require(actor, "manage_judging")
    rows = db.execute("""select a.proposal_id, p.title, p.topic, a.judge_id, u.username as judge, u.name as judge_name,
                              a.published, a.source, coalesce(s.status, 'todo') as sheet_status
                       from assignments a join proposals p on p.id = a.proposal_id
                       join users u on u.id = a.judge_id
                       left join sheets s on s.proposal_id = a.proposal_id and s.judge_id = a.judge_id
                       order by a.proposal_id, u.username""").fetchall()  # tuples: no dict per row
    columns = ["proposal_id", "title", "topic", "judge_id", "judge", "judge_name", "published", "source",
               "sheet_status"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["published"] = frame["published"].astype(bool)
    return frame


def judge_loads(db: Database, actor: User) -> pd.DataFrame:
    """Per active judge: published, draft and total assignments, and how many match their topics."""
    policy.require(actor, "manage_judging")
    counts = {r["judge_id"]: r for r in db.query(
        """select a.judge_id, sum(a.published) as published, count(*) - sum(a.published) as draft,
                  count(*) as total, group_concat(coalesce(p.topic, ''), ' ') as topics
           from assignments a join proposals p on p.id = a.proposal_id group by a.judge_id""")}
    out = []
    for j in accounts.judges(db):  # one row per judge from one grouped query, not a filter per judge
        mine = counts.get(j.id, {})
        out.append({"judge_id": j.id, "judge": j.username, "name": j.name, "college": j.college or "",
                    "topics": j.topics, "published": int(mine.get("published") or 0),
                    "draft": int(mine.get("draft") or 0), "total": int(mine.get("total") or 0),
                    "topic_match": sum(t in j.topic_codes for t in (mine.get("topics") or "").split())})
    return pd.DataFrame(out, columns=["judge_id", "judge", "name", "college", "topics", "published", "draft",
                                      "total", "topic_match"])


def assignment_summary(db: Database, actor: User) -> dict:
    """Numbers for the assignment page: valid proposals, judges, pairs, drafts, proposals short of k."""
    policy.require(actor, "manage_judging")
    k = settings.get(db).reviews_per_proposal
    counts = dict(db.execute("""select p.id, count(a.judge_id) from proposals p
                                left join assignments a on a.proposal_id = p.id
                                where p.status = 'valid' group by p.id""").fetchall())
    return {"proposals": len(counts), "judges": len(accounts.judges(db)), "k": k,
            "pairs": db["assignments"].count, "drafts": db["assignments"].count_where("published = 0"),
            "short": sorted(p for p, n in counts.items() if n < k)}
