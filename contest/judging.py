"""Judging: assignment of judges, blind score sheets, progress, the rubric lock.

Who may do what is decided here:
- organizers assign judges (automatic, by hand, from a sheet), declare conflicts,
  publish assignments, follow the progress and, with a logged reason, unlock the rubric;
- a judge sees only the proposals assigned to them and *published*, shown blind
  (no author name, 学号 or college), scores them while judging is open, and may
  declare their own conflict of interest on a proposal in their queue.

Assignment lifecycle: automatic / manual / sheet assignments are stored as
drafts (``published = 0``) that only organizers see; the organizer checks the
load per judge, adds or removes single pairs and publishes. Running the
automatic assignment again only fills what is missing (new proposals, judges
removed by a conflict): existing pairs, and above all finished reviews, never move.

Rubric lock: once a sheet is submitted the rubric is locked. ``unlock_rubric``
(organizer, with a reason, audited, stores a snapshot of the rubric) allows
later changes of names, weights and descriptions only: the criterion codes and
score ranges stay as they were, so every stored score stays complete and in
range and totals are simply recomputed with the new weights.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import PurePath

import pandas as pd
from sqlite_utils import Database

from . import accounts, assignment, audit, clock, ranking, settings, validation
from .accounts import User
from .db import int_id
from .errors import PermissionDenied, ValidationError
from .permissions import require_role


SHEET_STATUS = {"todo": "未开始", "draft": "草稿", "submitted": "已提交"}
SOURCES = {"auto": "自动分配", "manual": "手工调整", "sheet": "表格导入"}
SPREAD_FLAG = 20.0  # a max - min of weighted totals (0-100) at or above this flags disagreement
COMMENT_LEN = 1000
NOTE_LEN = 1000
NOT_ASSIGNED = "提案不存在或未分配给您评审。"


# --- rubric ------------------------------------------------------------------


def criterion_range(criterion: dict) -> str:
    return f"{criterion['min']:g}–{criterion['max']:g}"


def rubric_frame(rubric: list[dict]) -> pd.DataFrame:
    """The rubric in the shape ``ranking.sheet_totals`` expects."""
    return pd.DataFrame([{"criterion": c["code"], "weight": float(c["weight"]), "min": float(c["min"]),
                          "max": float(c["max"])} for c in rubric],
                        columns=ranking.RUBRIC_COLUMNS)


def _submitted_count(db: Database) -> int:
    return db["sheets"].count_where("status = 'submitted'")


def _active_unlock(db: Database) -> dict | None:
    return next(db["rubric_unlocks"].rows_where("active = 1", order_by="id desc", limit=1), None)


def rubric_lock_state(db: Database) -> dict:
    """``locked`` (bool), ``submitted`` sheets, and the active unlock (reason, when) if any."""
    submitted = _submitted_count(db)
    unlock = _active_unlock(db) if submitted else None
    return {"locked": bool(submitted) and unlock is None, "submitted": submitted,
            "unlocked": unlock is not None, "reason": unlock["reason"] if unlock else "",
            "unlocked_at": unlock["unlocked_at"] if unlock else ""}


def ensure_rubric_editable(db: Database, new_rubric: list | None = None) -> None:
    """The rubric is locked once the first score sheet has been submitted.

    After ``unlock_rubric`` a new rubric is accepted when it keeps every criterion
    code and score range (names, weights and descriptions may change), so no
    submitted sheet becomes incomplete or out of range.
    """
    if not _submitted_count(db):
        return
    if _active_unlock(db) is None:
        raise ValidationError("已有评委提交评分，评分标准已锁定，不能再修改。如确需调整权重或说明，"
                              "请组织者在“评审进度”页执行“解锁评分标准”并填写理由。")
    if new_rubric is None:
        raise ValidationError("评分标准已解锁，但只允许修改名称、权重和说明。")
    old = {c["code"]: c for c in settings.get(db).rubric}
    new = {}
    for c in new_rubric:
        code = str(c.get("code") or "").strip()
        try:
            new[code] = (float(c.get("min")), float(c.get("max")))
        except (TypeError, ValueError):
            raise ValidationError("评分项的最低分和最高分必须是数字。") from None
    if set(new) != set(old):
        raise ValidationError("已有评委提交评分：解锁后也不能增加、删除评分项或修改其代码，"
                              "只允许修改名称、权重和说明。")
    for code, (lo, hi) in new.items():
        if (lo, hi) != (float(old[code]["min"]), float(old[code]["max"])):
            raise ValidationError(f"已有评委提交评分：评分项“{old[code]['name']}”的分值范围"
                                  f"（{criterion_range(old[code])}）不能修改，只允许修改名称、权重和说明。")


def unlock_rubric(db: Database, actor: User, reason: str, *, now: dt.datetime | None = None) -> None:
    """Organizer allows changing names / weights / descriptions after the first submitted sheet.

    The rubric at this moment is kept as a snapshot with the reason; the change
    itself then goes through ``settings.update`` (audited old -> new)."""
    require_role(actor, "organizer")
    now = now or clock.now()
    reason = validation.text(reason, "解锁理由", min_len=4, max_len=200, multiline=True)
    if not _submitted_count(db):
        raise ValidationError("尚无评委提交评分，评分标准未锁定，可直接在“比赛设置”中修改。")
    if _active_unlock(db):
        raise ValidationError("评分标准已处于解锁状态。")
    rubric = settings.get(db).rubric
    with db.atomic():
        db["rubric_unlocks"].insert({"actor_id": actor.id, "reason": reason, "active": 1,
                                     "rubric": json.dumps(rubric, ensure_ascii=False),
                                     "unlocked_at": clock.iso(now)})
        audit.record(db, actor, "unlock_rubric", "rubric", {"reason": reason, "rubric": rubric})


def lock_rubric(db: Database, actor: User) -> None:
    """Organizer closes an unlock again (the rubric stays locked while sheets are submitted)."""
    require_role(actor, "organizer")
    if _active_unlock(db) is None:
        raise ValidationError("评分标准没有处于解锁状态。")
    db.execute("update rubric_unlocks set active = 0 where active = 1")
    audit.record(db, actor, "lock_rubric", "rubric")


# --- assignment (organizers) ---------------------------------------------------


def _valid_proposals(db: Database) -> list[dict]:
    return list(db.query("select id, title, topic, submitter_id, college from proposals "
                         "where status = 'valid' order by id"))


def _domain_proposals(db: Database, rows: list[dict] | None = None) -> dict[int, assignment.Proposal]:
    """Proposals for ``assignment``: authors and their colleges, from the proposal and the accounts."""
    rows = _valid_proposals(db) if rows is None else rows
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


def _existing_pairs(db: Database) -> list[tuple[int, int]]:
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
    require_role(actor, "organizer")
    contest = settings.get(db)
    k = contest.reviews_per_proposal if k is None else int(k)
    if not 1 <= k <= 10:
        raise ValidationError("每件提案的评审人数应为 1–10。")
    result = assignment.auto_assign(
        _domain_proposals(db).values(), _domain_judges(db).values(), k=k,
        conflicts=_declared_conflicts(db), college_rule=contest.college_conflict, existing=_existing_pairs(db))
    return AutoAssignment(list(result.pairs), [s.message for s in result.shortfalls], k)


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


def _proposal_for_assignment(db: Database, proposal_id) -> assignment.Proposal:
    proposal_id = int_id(proposal_id, ValidationError(f"提案编号“{proposal_id}”不是数字。"))
    row = next(db.query("select id, title, topic, submitter_id, college, status from proposals where id = ?",
                        [proposal_id]), None)
    if row is None:
        raise ValidationError(f"提案 {proposal_id} 不存在。")
    if row["status"] != "valid":
        raise ValidationError(f"提案 {proposal_id} 尚未立案，只有已立案的提案参加评审。")
    return _domain_proposals(db, [row])[proposal_id]


def _judge_for_assignment(db: Database, judge) -> assignment.Judge:
    """A judge by id (int) or username (str)."""
    if isinstance(judge, str) and not judge.strip().isdigit():
        row = next(db["users"].rows_where("username = ?", [judge.strip()]), None)
    else:
        row = next(db["users"].rows_where("id = ?", [int(judge)]), None)
    if row is None:
        raise ValidationError(f"评委“{judge}”不存在。")
    if row["role"] != "judge" or not row["active"]:
        raise ValidationError(f"账号“{row['username']}”不是在用的评委账号。")
    return assignment.Judge(id=row["id"], college=row["college"], topics=frozenset((row["topics"] or "").split()))


def _check_pair(db: Database, proposal: assignment.Proposal, judge: assignment.Judge) -> None:
    reason = assignment.conflict_reason(proposal, judge, _declared_conflicts(db), settings.get(db).college_conflict)
    if reason:
        raise ValidationError(f"不能把提案 {proposal.id} 分配给该评委：{reason}。")
    if db["assignments"].count_where("proposal_id = ? and judge_id = ?", [proposal.id, judge.id]):
        raise ValidationError(f"提案 {proposal.id} 已分配给该评委。")


def add_assignment(db: Database, actor: User, proposal_id: int, judge, *, now: dt.datetime | None = None) -> None:
    """Organizer adds one pair by hand (as a draft); conflicts are refused."""
    require_role(actor, "organizer")
    now = now or clock.now()
    with db.atomic():
        proposal = _proposal_for_assignment(db, proposal_id)
        judge = _judge_for_assignment(db, judge)
        _check_pair(db, proposal, judge)
        db["assignments"].insert({"proposal_id": proposal.id, "judge_id": judge.id, "published": 0,
                                  "source": "manual", "created_at": clock.iso(now)})
        audit.record(db, actor, "add_assignment", f"proposal:{proposal.id}", {"judge_id": judge.id})


def _sheet_row(db: Database, proposal_id: int, judge_id: int) -> dict | None:
    return next(db["sheets"].rows_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]), None)


def _drop_pair(db: Database, proposal_id: int, judge_id: int) -> None:
    """Delete an assignment and its draft sheet; a submitted review is never dropped."""
    sheet = _sheet_row(db, proposal_id, judge_id)
    if sheet and sheet["status"] == "submitted":
        raise ValidationError(f"提案 {proposal_id} 的这位评委已提交评分，已完成的评审不能撤销分配。")
    if sheet:
        db["scores"].delete_where("sheet_id = ?", [sheet["id"]])
        db["sheets"].delete(sheet["id"])
    db["assignments"].delete_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id])


def remove_assignment(db: Database, actor: User, proposal_id: int, judge_id: int) -> None:
    """Organizer removes one pair (never a finished review)."""
    require_role(actor, "organizer")
    with db.atomic():
        if not db["assignments"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]):
            raise ValidationError("该分配不存在。")
        _drop_pair(db, proposal_id, judge_id)
        audit.record(db, actor, "remove_assignment", f"proposal:{proposal_id}", {"judge_id": judge_id})


def publish_assignments(db: Database, actor: User) -> int:
    """Make every draft assignment visible to its judge; returns how many."""
    require_role(actor, "organizer")
    with db.atomic():
        count = db["assignments"].count_where("published = 0")
        if not count:
            raise ValidationError("没有待发布的分配。")
        db.execute("update assignments set published = 1 where published = 0")
        audit.record(db, actor, "publish_assignments", "assignments", {"count": count})
    return count


def discard_draft_assignments(db: Database, actor: User) -> int:
    """Forget every unpublished assignment (judges never saw them); returns how many."""
    require_role(actor, "organizer")
    with db.atomic():
        count = db["assignments"].count_where("published = 0")
        db["assignments"].delete_where("published = 0")
        audit.record(db, actor, "discard_assignments", "assignments", {"count": count})
    return count


SHEET_COLUMNS = {"提案编号": "proposal_id", "提案": "proposal_id", "proposal": "proposal_id",
                 "proposal_id": "proposal_id", "评委用户名": "judge", "评委": "judge", "judge": "judge",
                 "username": "judge", "用户名": "judge"}


def assign_from_table(db: Database, actor: User, frame: pd.DataFrame, *,
                      now: dt.datetime | None = None) -> dict:
    """Assignments from an uploaded sheet (提案编号, 评委用户名), stored as drafts; all or nothing.

    Rows already assigned are skipped. Raises ValidationError listing every bad row.
    Returns ``{"added": n, "skipped": m}``."""
    require_role(actor, "organizer")
    now = now or clock.now()
    frame = frame.rename(columns=lambda c: SHEET_COLUMNS.get(str(c).strip(), str(c).strip()))
    if not {"proposal_id", "judge"} <= set(frame.columns):
        raise ValidationError("表格需要两列：提案编号、评委用户名。")
    errors, pairs, skipped, seen = [], [], 0, set()
    existing = set(_existing_pairs(db))
    for i, row in enumerate(frame.fillna("").to_dict("records"), start=2):
        raw_p, raw_j = str(row["proposal_id"]).strip(), str(row["judge"]).strip()
        if not raw_p and not raw_j:
            continue
        try:
            if not raw_p or not raw_j:
                raise ValidationError("提案编号和评委用户名都要填写。")
            if raw_p.endswith(".0"):  # numbers read from Excel
                raw_p = raw_p[:-2]
            proposal = _proposal_for_assignment(db, raw_p)
            row_judge = next(db["users"].rows_where("username = ?", [raw_j]), None)
            if row_judge is None:
                raise ValidationError(f"评委“{raw_j}”不存在。")
            judge = _judge_for_assignment(db, row_judge["id"])
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
    require_role(actor, "organizer")
    rows = db.query("""select a.proposal_id, p.title, p.topic, a.judge_id, u.username as judge, u.name as judge_name,
                              a.published, a.source, coalesce(s.status, 'todo') as sheet_status
                       from assignments a join proposals p on p.id = a.proposal_id
                       join users u on u.id = a.judge_id
                       left join sheets s on s.proposal_id = a.proposal_id and s.judge_id = a.judge_id
                       order by a.proposal_id, u.username""")
    columns = ["proposal_id", "title", "topic", "judge_id", "judge", "judge_name", "published", "source",
               "sheet_status"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["published"] = frame["published"].astype(bool)
    return frame


def judge_loads(db: Database, actor: User) -> pd.DataFrame:
    """Per active judge: published, draft and total assignments, and how many match their topics."""
    require_role(actor, "organizer")
    judges = accounts.judges(db)
    table = assignment_table(db, actor)
    out = []
    for j in judges:
        mine = table[table["judge_id"] == j.id]
        out.append({"judge_id": j.id, "judge": j.username, "name": j.name, "college": j.college or "",
                    "topics": j.topics, "published": int(mine["published"].sum()),
                    "draft": int((~mine["published"]).sum()), "total": len(mine),
                    "topic_match": int(mine["topic"].isin(j.topic_codes).sum())})
    return pd.DataFrame(out, columns=["judge_id", "judge", "name", "college", "topics", "published", "draft",
                                      "total", "topic_match"])


def assignment_summary(db: Database, actor: User) -> dict:
    """Numbers for the assignment page: valid proposals, judges, pairs, drafts, proposals short of k."""
    require_role(actor, "organizer")
    k = settings.get(db).reviews_per_proposal
    counts = dict(db.execute("""select p.id, count(a.judge_id) from proposals p
                                left join assignments a on a.proposal_id = p.id
                                where p.status = 'valid' group by p.id""").fetchall())
    return {"proposals": len(counts), "judges": len(accounts.judges(db)), "k": k,
            "pairs": db["assignments"].count, "drafts": db["assignments"].count_where("published = 0"),
            "short": sorted(p for p, n in counts.items() if n < k)}


# --- conflicts -------------------------------------------------------------------


def declare_conflict(db: Database, actor: User, proposal_id: int, judge_id: int | None = None,
                     reason: str = "", *, now: dt.datetime | None = None) -> None:
    """Record a conflict of interest and drop the assignment if there is one.

    Organizers declare for any judge; a judge declares their own, only on a
    proposal in their (published) queue and before submitting its review."""
    require_role(actor, "organizer", "judge")
    now = now or clock.now()
    if actor.role == "judge":
        if judge_id not in (None, actor.id):
            raise PermissionDenied("评委只能为自己声明利益冲突。")
        judge_id = actor.id
        proposal_id = _require_assigned(db, actor, proposal_id)
        _ensure_judging_open(db, now)  # after judging closes a judge's queue is read-only
    elif judge_id is None:
        raise ValidationError("请选择评委。")
    reason = validation.text(reason, "冲突说明", min_len=2, max_len=200, multiline=True)
    with db.atomic():
        if actor.role == "organizer":
            _proposal_for_assignment(db, proposal_id)
            judge_id = _judge_for_assignment(db, judge_id).id
        if db["conflicts"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]):
            raise ValidationError("该利益冲突已声明。")
        assigned = db["assignments"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id])
        if assigned:
            _drop_pair(db, proposal_id, judge_id)
        db["conflicts"].insert({"proposal_id": proposal_id, "judge_id": judge_id, "reason": reason,
                                "declared_by": actor.id, "declared_at": clock.iso(now)})
        audit.record(db, actor, "declare_conflict", f"proposal:{proposal_id}",
                     {"judge_id": judge_id, "reason": reason, "assignment_removed": bool(assigned)})


def remove_conflict(db: Database, actor: User, proposal_id: int, judge_id: int) -> None:
    require_role(actor, "organizer")
    if not db["conflicts"].count_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]):
        raise ValidationError("该利益冲突不存在。")
    db["conflicts"].delete((proposal_id, judge_id))
    audit.record(db, actor, "remove_conflict", f"proposal:{proposal_id}", {"judge_id": judge_id})


def list_conflicts(db: Database, actor: User) -> pd.DataFrame:
    """Declared conflicts, newest first, with who declared them (organizer view)."""
    require_role(actor, "organizer")
    rows = db.query("""select c.proposal_id, p.title, c.judge_id, u.username as judge, u.name as judge_name,
                              c.reason, d.username as declared_by,
                              case when d.role = 'judge' then '评委本人' else '组织者' end as declared_by_role,
                              c.declared_at
                       from conflicts c join proposals p on p.id = c.proposal_id
                       join users u on u.id = c.judge_id left join users d on d.id = c.declared_by
                       order by c.declared_at desc, c.proposal_id""")
    return pd.DataFrame(rows, columns=["proposal_id", "title", "judge_id", "judge", "judge_name", "reason",
                                       "declared_by", "declared_by_role", "declared_at"])


# --- the judge's side ------------------------------------------------------------


def _require_assigned(db: Database, actor: User, proposal_id) -> int:
    require_role(actor, "judge")
    proposal_id = int_id(proposal_id, PermissionDenied(NOT_ASSIGNED))
    # Only 立案 proposals are judged: one re-screened as 不予立案 leaves the judges' queues.
    if not db["assignments"].count_where(
            "proposal_id = ? and judge_id = ? and published = 1 "
            "and proposal_id in (select id from proposals where status = 'valid')", [proposal_id, actor.id]):
        raise PermissionDenied(NOT_ASSIGNED)
    return proposal_id


def _totals(db: Database, sheet_ids: list[int] | None = None, *, status: str | None = None) -> pd.DataFrame:
    """Weighted totals (0-100) per sheet: sheet_id, proposal, judge, total."""
    where, args = [], []
    if sheet_ids is not None:
        if not sheet_ids:
            return pd.DataFrame(columns=["sheet_id", "proposal", "judge", "total"])
        where.append(f"s.id in ({','.join('?' * len(sheet_ids))})")
        args += sheet_ids
    if status:
        where.append("s.status = ?")
        args.append(status)
    rubric = settings.get(db).rubric
    codes = [c["code"] for c in rubric]
    where.append(f"sc.criterion in ({','.join('?' * len(codes))})")
    args += codes
    rows = list(db.query(f"""select s.id as sheet_id, s.proposal_id as proposal, s.judge_id as judge,
                                    sc.criterion, sc.score
                             from sheets s join scores sc on sc.sheet_id = s.id
                             where {' and '.join(where)}""", args))
    if not rows:
        return pd.DataFrame(columns=["sheet_id", "proposal", "judge", "total"])
    frame = pd.DataFrame(rows)
    totals = ranking.sheet_totals(frame[ranking.SCORE_COLUMNS], rubric_frame(rubric))
    ids = frame[["sheet_id", "proposal", "judge"]].drop_duplicates()
    return ids.merge(totals, on=["proposal", "judge"])


def judge_queue(db: Database, actor: User, *, status: str | None = None, topic: str | None = None,
                text: str | None = None) -> pd.DataFrame:
    """The judge's published assignments: proposal, title, topic, status (todo/draft/submitted), own total."""
    require_role(actor, "judge")
    rows = list(db.query("""select p.id as proposal_id, p.title, p.topic, s.id as sheet_id,
                                   coalesce(s.status, 'todo') as status, s.updated_at, s.submitted_at
                            from assignments a join proposals p on p.id = a.proposal_id
                            left join sheets s on s.proposal_id = a.proposal_id and s.judge_id = a.judge_id
                            where a.judge_id = ? and a.published = 1 and p.status = 'valid'
                            order by p.id""", [actor.id]))
    columns = ["proposal_id", "title", "topic", "topic_name", "status", "status_name", "total", "updated_at"]
    frame = pd.DataFrame(rows, columns=["proposal_id", "title", "topic", "sheet_id", "status", "updated_at",
                                        "submitted_at"])
    contest = settings.get(db)
    frame["topic_name"] = frame["topic"].map(contest.topic_name)
    frame["status_name"] = frame["status"].map(SHEET_STATUS)
    totals = _totals(db, [int(i) for i in frame["sheet_id"].dropna()])
    frame["total"] = frame["sheet_id"].map(dict(zip(totals["sheet_id"], totals["total"].round(1))))
    if status:
        frame = frame[frame["status"] == status]
    if topic:
        frame = frame[frame["topic"] == topic]
    if text and text.strip():
        frame = frame[frame["title"].str.contains(text.strip(), regex=False, na=False)
                      | (frame["proposal_id"].astype(str) == text.strip())]
    return frame[columns].reset_index(drop=True)


def queue_progress(db: Database, actor: User) -> dict:
    """``assigned``, ``submitted``, ``draft``, ``todo`` counts for the judge's own queue."""
    frame = judge_queue(db, actor)
    counts = frame["status"].value_counts()
    return {"assigned": len(frame), **{s: int(counts.get(s, 0)) for s in SHEET_STATUS}}


def _blind_attachments(db: Database, proposal_id: int) -> list[dict]:
    """Attachments with neutral names (附件1.pdf ...): a file name may carry an author's name."""
    rows = db["attachments"].rows_where("proposal_id = ?", [proposal_id], order_by="id")
    return [{"id": r["id"], "name": f"附件{i}{PurePath(r['filename'] or '').suffix.lower()}",
             "kind": r["kind"] or "", "size": r["size"] or 0} for i, r in enumerate(rows, start=1)]


def blind_proposal(db: Database, actor: User, proposal_id) -> dict:
    """The proposal as an assigned judge sees it: title, topic and texts, attachments -- no author identity."""
    proposal_id = _require_assigned(db, actor, proposal_id)
    row = db["proposals"].get(proposal_id)
    return {
        "id": row["id"],
        "title": row["title"],
        "topic": row["topic"],
        "topic_name": settings.get(db).topic_name(row["topic"]),
        "problem": row["problem"],
        "investigation": row["investigation"],
        "suggestions": row["suggestions"],
        "attachments": _blind_attachments(db, proposal_id),
    }


def blind_attachment_ids(db: Database, actor: User, proposal_id) -> list[int]:
    """Attachment ids an assigned judge may download for this proposal."""
    return [a["id"] for a in blind_proposal(db, actor, proposal_id)["attachments"]]


def get_sheet(db: Database, actor: User, proposal_id, *, now: dt.datetime | None = None) -> dict:
    """The judge's own sheet for an assigned proposal (empty when not started) and whether it is editable."""
    proposal_id = _require_assigned(db, actor, proposal_id)
    now = now or clock.now()
    contest = settings.get(db)
    sheet = _sheet_row(db, proposal_id, actor.id)
    scores = {}
    if sheet:
        scores = {r["criterion"]: r["score"] for r in db["scores"].rows_where("sheet_id = ?", [sheet["id"]])}
    editable = contest.judging_open(now)
    total = None
    if sheet and {c["code"] for c in contest.rubric} <= set(scores):  # a partial draft has no total
        totals = _totals(db, [sheet["id"]])
        total = float(totals["total"].iloc[0]) if len(totals) else None
    return {
        "proposal_id": proposal_id,
        "status": sheet["status"] if sheet else "todo",
        "status_name": SHEET_STATUS[sheet["status"] if sheet else "todo"],
        "scores": scores,
        "comment": (sheet or {}).get("comment") or "",
        "note": (sheet or {}).get("note") or "",
        "updated_at": (sheet or {}).get("updated_at"),
        "submitted_at": (sheet or {}).get("submitted_at"),
        "total": total,
        "editable": editable,
        "locked_reason": "" if editable else
        f"评审已于 {contest.phases.get('judging_closes')} 截止，评分表只读。",
    }


def _score_value(value, criterion: dict) -> float | None:
    """A score within the criterion's range, None when left empty; Chinese error otherwise."""
    label = f"“{criterion['name']}”"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        raise ValidationError(f"{label}的分数必须是数字（{criterion_range(criterion)}）。")
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label}的分数必须是数字（{criterion_range(criterion)}）。") from None
    if math.isnan(number) or math.isinf(number):
        raise ValidationError(f"{label}的分数必须是数字（{criterion_range(criterion)}）。")
    if not float(criterion["min"]) <= number <= float(criterion["max"]):
        raise ValidationError(f"{label}的分数应在 {criterion_range(criterion)} 之间，当前为 {number:g}。")
    return number


def validate_scores(rubric: list[dict], scores: dict, *, complete: bool) -> dict[str, float]:
    """Clean a {criterion code: value} mapping; a submission needs every criterion."""
    known = {c["code"] for c in rubric}
    unknown = [str(k) for k in scores if k not in known]
    if unknown:
        raise ValidationError("未知的评分项：" + "、".join(unknown) + "。")
    cleaned, missing = {}, []
    for c in rubric:
        value = _score_value(scores.get(c["code"]), c)
        if value is None:
            missing.append(c)
        else:
            cleaned[c["code"]] = value
    if complete and missing:
        raise ValidationError("提交前请为每一项打分，尚未填写：" +
                              "、".join(f"“{c['name']}”（{criterion_range(c)}）" for c in missing) + "。")
    return cleaned


def _write_sheet(db: Database, actor: User, proposal_id: int, rubric: list[dict], scores: dict,
                 comment, note, submit: bool, now: dt.datetime) -> bool:
    """Validate and store one sheet (inside the caller's transaction); True if anything changed."""
    old = _sheet_row(db, proposal_id, actor.id)
    if old and old["status"] == "submitted" and not submit:
        raise ValidationError("该评分表已提交；修改后请点击“提交”重新提交，不能改回草稿。")
    cleaned = validate_scores(rubric, scores, complete=submit)
    comment = validation.optional_text(comment, "给作者的评语", max_len=COMMENT_LEN, multiline=True)
    note = validation.optional_text(note, "仅组织者可见的备注", max_len=NOTE_LEN, multiline=True)
    old_scores = {}
    if old:
        old_scores = {r["criterion"]: r["score"] for r in db["scores"].rows_where("sheet_id = ?", [old["id"]])}
    status = "submitted" if submit else "draft"
    changes = {code: {"old": old_scores.get(code), "new": cleaned.get(code)}
               for code in sorted(set(old_scores) | set(cleaned)) if old_scores.get(code) != cleaned.get(code)}
    old_status = old["status"] if old else "todo"
    comment_changed = ((old or {}).get("comment") or "") != comment
    note_changed = ((old or {}).get("note") or "") != note
    if old and not changes and old_status == status and not comment_changed and not note_changed:
        return False
    stamp = clock.iso(now)
    record = {"proposal_id": proposal_id, "judge_id": actor.id, "status": status, "comment": comment,
              "note": note, "updated_at": stamp,
              "submitted_at": stamp if submit else None}
    if old:
        db["sheets"].update(old["id"], record)
        sheet_id = old["id"]
    else:
        sheet_id = db["sheets"].insert(record).last_pk
    db["scores"].delete_where("sheet_id = ?", [sheet_id])
    db["scores"].insert_all([{"sheet_id": sheet_id, "criterion": k, "score": v} for k, v in cleaned.items()],
                            pk=("sheet_id", "criterion"))
    detail = {"proposal_id": proposal_id, "judge": actor.username, "status": {"old": old_status, "new": status},
              "scores": changes, "at": stamp}
    if comment_changed:
        detail["comment"] = {"old": (old or {}).get("comment") or "", "new": comment}
    if note_changed:
        detail["note_changed"] = True
    audit.record(db, actor, "submit_sheet" if submit else "save_sheet", f"sheet:{sheet_id}", detail)
    return True


def _ensure_judging_open(db: Database, now: dt.datetime) -> list[dict]:
    contest = settings.get(db)
    if not contest.judging_open(now):
        raise ValidationError(f"评审已于 {contest.phases.get('judging_closes')} 截止，评分表只读，不能再修改。")
    return contest.rubric


def save_sheet(db: Database, actor: User, proposal_id, scores: dict, comment: str = "", note: str = "", *,
               submit: bool = False, now: dt.datetime | None = None) -> dict:
    """Save the judge's sheet as a draft (scores may be left empty) or submit it (every criterion scored).

    A submitted sheet can be changed and submitted again until judging closes."""
    proposal_id = _require_assigned(db, actor, proposal_id)
    now = now or clock.now()
    rubric = _ensure_judging_open(db, now)
    with db.atomic():
        _write_sheet(db, actor, proposal_id, rubric, scores, comment, note, submit, now)
    return get_sheet(db, actor, proposal_id, now=now)


def save_draft(db: Database, actor: User, proposal_id, scores: dict, comment: str = "", note: str = "", *,
               now: dt.datetime | None = None) -> dict:
    return save_sheet(db, actor, proposal_id, scores, comment, note, submit=False, now=now)


def submit_sheet(db: Database, actor: User, proposal_id, scores: dict, comment: str = "", note: str = "", *,
                 now: dt.datetime | None = None) -> dict:
    return save_sheet(db, actor, proposal_id, scores, comment, note, submit=True, now=now)


# --- bulk entry --------------------------------------------------------------------


def bulk_frame(db: Database, actor: User) -> pd.DataFrame:
    """One row per assigned proposal: proposal_id, title, status_name, one column per criterion code, comment."""
    require_role(actor, "judge")
    rubric = settings.get(db).rubric
    queue = judge_queue(db, actor)
    rows = []
    sheets = {r["proposal_id"]: r for r in db["sheets"].rows_where("judge_id = ?", [actor.id])}
    scores: dict[int, dict] = {}
    if sheets:
        ids = [s["id"] for s in sheets.values()]
        for r in db.query(f"select sheet_id, criterion, score from scores where sheet_id in "
                          f"({','.join('?' * len(ids))})", ids):
            scores.setdefault(r["sheet_id"], {})[r["criterion"]] = r["score"]
    for q in queue.to_dict("records"):
        sheet = sheets.get(q["proposal_id"])
        mine = scores.get(sheet["id"], {}) if sheet else {}
        rows.append({"proposal_id": q["proposal_id"], "title": q["title"], "status_name": q["status_name"],
                     **{c["code"]: mine.get(c["code"]) for c in rubric},
                     "comment": (sheet or {}).get("comment") or ""})
    columns = ["proposal_id", "title", "status_name"] + [c["code"] for c in rubric] + ["comment"]
    frame = pd.DataFrame(rows, columns=columns)
    for c in rubric:
        frame[c["code"]] = pd.to_numeric(frame[c["code"]], errors="coerce").astype("float64")
    return frame


def save_bulk(db: Database, actor: User, rows: list[dict], *, submit: bool = False, all_or_nothing: bool = True,
              now: dt.datetime | None = None) -> dict:
    """Save many sheets of one judge at once from ``bulk_frame``-shaped rows.

    Rows without any score or comment on a not-yet-started proposal are ignored;
    unchanged rows are not rewritten. With ``submit`` every row that has
    scores is submitted (and must be complete). ``all_or_nothing``: any bad row
    refuses the whole batch (ValidationError listing every row); otherwise the
    good rows are saved and the errors returned.
    Returns ``{"saved": n, "unchanged": m, "errors": [...]}``."""
    require_role(actor, "judge")
    now = now or clock.now()
    rubric = _ensure_judging_open(db, now)
    codes = [c["code"] for c in rubric]
    plans, errors = [], []
    for i, row in enumerate(rows, start=1):
        pid = row.get("proposal_id")
        label = f"第 {i} 行（提案 {pid}）"
        try:
            pid = _require_assigned(db, actor, pid)
            scores = {c: row.get(c) for c in codes}
            comment = row.get("comment")
            comment = "" if comment is None or (isinstance(comment, float) and math.isnan(comment)) else comment
            sheet = _sheet_row(db, pid, actor.id)
            empty = all(_score_value(v, c) is None for v, c in zip(scores.values(), rubric)) \
                and not str(comment).strip()
            if sheet is None and empty:
                continue
            if empty and sheet and sheet["status"] == "draft" and submit:
                continue
            validate_scores(rubric, scores, complete=submit or (sheet is not None and sheet["status"] == "submitted"))
            keep_submitted = submit or (sheet is not None and sheet["status"] == "submitted")
            plans.append((pid, scores, comment, (sheet or {}).get("note") or "", keep_submitted))
        except (ValidationError, PermissionDenied) as error:
            errors.append(f"{label}：{error}")
    if errors and all_or_nothing:
        raise ValidationError("保存失败，未保存任何评分。\n" + "\n".join(errors))
    saved = unchanged = 0
    with db.atomic():
        for pid, scores, comment, note, as_submit in plans:
            if _write_sheet(db, actor, pid, rubric, scores, comment, note, as_submit, now):
                saved += 1
            else:
                unchanged += 1
    return {"saved": saved, "unchanged": unchanged, "errors": errors}


# --- progress (organizers) ---------------------------------------------------------


def _expected_fraction(contest: settings.Settings, now: dt.datetime) -> float:
    """Share of the reviews a judge should have submitted by now: linear from the end of
    submission (or the start of the contest) to the end of judging."""
    start = contest.at("submission_closes") or contest.at("submission_opens")
    end = contest.at("judging_closes")
    if end is None or start is None or end <= start:
        return 0.0
    return min(max((now - start) / (end - start), 0.0), 1.0)


def progress(db: Database, actor: User, *, now: dt.datetime | None = None) -> dict:
    """Judging progress for organizers.

    ``judges``: per judge assigned (published) / submitted / draft / todo / expected by now / overdue
    (unsubmitted after judging closed) / late (behind the expected pace or overdue);
    ``proposals``: per valid proposal assigned / submitted reviews, mean and spread (max - min) of
    the weighted totals, ``disagree`` when spread >= SPREAD_FLAG;
    ``late``: the judges to remind; ``summary``: totals."""
    require_role(actor, "organizer")
    now = now or clock.now()
    contest = settings.get(db)
    closed = not contest.judging_open(now)
    fraction = _expected_fraction(contest, now)
    judge_rows = list(db.query("""
        select u.id as judge_id, u.username as judge, u.name, u.email,
               count(a.proposal_id) as assigned,
               sum(case when s.status = 'submitted' then 1 else 0 end) as submitted,
               sum(case when s.status = 'draft' then 1 else 0 end) as draft
        from users u left join assignments a on a.judge_id = u.id and a.published = 1
        left join sheets s on s.proposal_id = a.proposal_id and s.judge_id = u.id
        where u.role = 'judge' and u.active = 1 group by u.id order by u.username""", []))
    judges = pd.DataFrame(judge_rows, columns=["judge_id", "judge", "name", "email", "assigned", "submitted",
                                               "draft"])
    for col in ("assigned", "submitted", "draft"):
        judges[col] = judges[col].fillna(0).astype(int)
    judges["todo"] = judges["assigned"] - judges["submitted"] - judges["draft"]
    remaining = judges["assigned"] - judges["submitted"]
    judges["expected"] = (judges["assigned"] * fraction).apply(math.floor).astype(int)
    judges["overdue"] = remaining if closed else 0
    judges["late"] = (remaining > 0) & ((judges["submitted"] < judges["expected"]) | closed)
    judges["done"] = (judges["submitted"] / judges["assigned"].where(judges["assigned"] > 0)).fillna(0.0)

    prop_rows = list(db.query("""
        select p.id as proposal_id, p.title, p.topic,
               (select count(*) from assignments a where a.proposal_id = p.id and a.published = 1) as assigned,
               (select count(*) from assignments a where a.proposal_id = p.id and a.published = 0) as draft_assigned,
               (select count(*) from sheets s where s.proposal_id = p.id and s.status = 'submitted') as submitted
        from proposals p where p.status = 'valid' order by p.id"""))
    props = pd.DataFrame(prop_rows, columns=["proposal_id", "title", "topic", "assigned", "draft_assigned",
                                             "submitted"])
    totals = _totals(db, status="submitted")
    stats = totals.groupby("proposal")["total"].agg(["mean", "min", "max"]) if len(totals) else None
    if stats is not None:
        props["mean"] = props["proposal_id"].map(stats["mean"]).astype(float).round(1)
        props["spread"] = props["proposal_id"].map(stats["max"] - stats["min"]).astype(float).round(1)
    else:
        props["mean"] = float("nan")
        props["spread"] = float("nan")
    props["disagree"] = (props["submitted"] >= 2) & (props["spread"] >= SPREAD_FLAG)
    late = judges[judges["late"]][["judge_id", "judge", "name", "email", "assigned", "submitted", "expected"]]
    summary = {"proposals": len(props), "reviews_assigned": int(judges["assigned"].sum()),
               "reviews_submitted": int(judges["submitted"].sum()),
               "fully_reviewed": int(((props["submitted"] >= props["assigned"]) & (props["assigned"] > 0)).sum()),
               "disagree": int(props["disagree"].sum()), "late_judges": len(late), "closed": closed,
               "expected_fraction": fraction}
    return {"judges": judges, "proposals": props, "late": late.reset_index(drop=True), "summary": summary}


def submitted_scores(db: Database, actor: User) -> pd.DataFrame:
    """Every criterion score of submitted sheets (proposal, judge, criterion, score), for ranking."""
    require_role(actor, "organizer")
    rows = db.query("""select s.proposal_id as proposal, s.judge_id as judge, sc.criterion, sc.score
                       from sheets s join scores sc on sc.sheet_id = s.id
                       where s.status = 'submitted' order by s.proposal_id, s.judge_id, sc.criterion""")
    return pd.DataFrame(rows, columns=ranking.SCORE_COLUMNS)


def sheets_of_proposal(db: Database, actor: User, proposal_id: int) -> pd.DataFrame:
    """Organizer: every sheet of one proposal with judge, status, total, comment and confidential note."""
    require_role(actor, "organizer")
    rows = list(db.query("""select s.id as sheet_id, u.username as judge, u.name as judge_name, s.status,
                                   s.comment, s.note, s.updated_at, s.submitted_at
                            from sheets s join users u on u.id = s.judge_id
                            where s.proposal_id = ? order by u.username""", [proposal_id]))
    frame = pd.DataFrame(rows, columns=["sheet_id", "judge", "judge_name", "status", "comment", "note",
                                        "updated_at", "submitted_at"])
    totals = _totals(db, [int(i) for i in frame["sheet_id"]])
    frame["total"] = frame["sheet_id"].map(dict(zip(totals["sheet_id"], totals["total"].round(1))))
    return frame


# --- demo ------------------------------------------------------------------------

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


def build_demo(db: Database, users: dict[str, int], now) -> None:
    """Demo contest: assign every valid proposal to 3 judges and publish; about half are fully
    scored (judge1 scores harshly, judge4 leniently), a few sheets are left as drafts."""
    organizer = accounts.get_user(db, users["organizer"])
    if organizer is None or not accounts.judges(db):
        return
    valid = [r["id"] for r in _valid_proposals(db)]
    if not valid:
        return
    moment = now - dt.timedelta(days=6)
    auto_assign_drafts(db, organizer, 3, now=moment)
    publish_assignments(db, organizer)
    rubric = settings.get(db).rubric
    severity = {users.get("judge1"): -1.5, users.get("judge4"): 1.2}  # harsh, lenient
    pairs = sorted(_existing_pairs(db))
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
            scores[c["code"]] = float(min(max(round(value), c["min"]), c["max"]))
        when = moment + dt.timedelta(days=1 + n % 5, hours=n % 7)
        if pid in drafted:
            if rng.random() < 0.5:
                continue  # not started yet
            partial = dict(list(scores.items())[:2])
            save_sheet(db, judge, pid, partial, "", "", submit=False, now=when)
            continue
        comment = DEMO_COMMENTS[rng.randrange(len(DEMO_COMMENTS))]
        note = DEMO_NOTES[rng.randrange(len(DEMO_NOTES))]
        save_sheet(db, judge, pid, scores, comment, note, submit=True, now=when)
