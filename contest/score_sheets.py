"""Score sheets: a judge's queue, the blind proposal, scoring one sheet or many at once.

A judge sees only the proposals assigned to them and *published*, while they are 立案,
shown blind (no author name, 学号 or college, neutral attachment names), and scores
them while judging is open: a draft may leave scores empty, a submission needs every
criterion; a submitted sheet can be changed and submitted again until judging closes.
Bulk entry (``bulk_frame`` / ``save_bulk``) saves many sheets of one judge at once.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import PurePath

import pandas as pd
from sqlite_utils import Database

from . import audit, clock, policy, ranking, settings, validation
from .accounts import User
from .db import int_id, transaction, writes
from .errors import PermissionDenied, ValidationError
from .rubric import Criterion, frame as rubric_frame
from .vocabulary import SheetStatus, labels


COMMENT_LEN = 1000
NOTE_LEN = 1000
NOT_ASSIGNED = "提案不存在或未分配给您评审。"


def require_assigned(db: Database, actor: User, proposal_id) -> int:
    policy.require(actor, "review_proposals")
    proposal_id = int_id(proposal_id, PermissionDenied(NOT_ASSIGNED))
    if not policy.is_assigned_judge(db, actor, proposal_id):
        raise PermissionDenied(NOT_ASSIGNED)
    return proposal_id


def sheet_row(db: Database, proposal_id: int, judge_id: int) -> dict | None:
    return next(db["sheets"].rows_where("proposal_id = ? and judge_id = ?", [proposal_id, judge_id]), None)


def weighted_totals(db: Database, sheet_ids: list[int] | None = None, *, status: str | None = None) -> pd.DataFrame:
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
    codes = [c.code for c in rubric]
    where.append(f"sc.criterion in ({','.join('?' * len(codes))})")
    args += codes
    rows = db.execute(f"""select s.id as sheet_id, s.proposal_id as proposal, s.judge_id as judge,
                                 sc.criterion, sc.score
                          from sheets s join scores sc on sc.sheet_id = s.id
                          where {' and '.join(where)}""", args).fetchall()  # tuples: no dict per score
    if not rows:
        return pd.DataFrame(columns=["sheet_id", "proposal", "judge", "total"])
    frame = pd.DataFrame(rows, columns=["sheet_id", "proposal", "judge", "criterion", "score"])
    totals = ranking.sheet_totals(frame[ranking.SCORE_COLUMNS], rubric_frame(rubric))
    ids = frame[["sheet_id", "proposal", "judge"]].drop_duplicates()
    return ids.merge(totals, on=["proposal", "judge"])


def judge_queue(db: Database, actor: User, *, status: str | None = None, topic: str | None = None,
                text: str | None = None) -> pd.DataFrame:
    """The judge's published assignments: proposal, title, topic, status (todo/draft/submitted), own total."""
    policy.require(actor, "review_proposals")
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
    frame["status_name"] = frame["status"].map(labels(SheetStatus))
    totals = weighted_totals(db, [int(i) for i in frame["sheet_id"].dropna()])
    frame["total"] = frame["sheet_id"].map(dict(zip(totals["sheet_id"], totals["total"].round(1))))
    if status:
        frame = frame[frame["status"] == status]
    if topic:
        frame = frame[frame["topic"] == topic]
    text = validation.search_text(text)
    if text:
        frame = frame[frame["title"].str.contains(text, regex=False, na=False)
                      | (frame["proposal_id"].astype(str) == text)]
    return frame[columns].reset_index(drop=True)


def queue_progress(db: Database, actor: User) -> dict:
    """``assigned``, ``submitted``, ``draft``, ``todo`` counts for the judge's own queue."""
    frame = judge_queue(db, actor)
    counts = frame["status"].value_counts()
    return {"assigned": len(frame), **{s: int(counts.get(s, 0)) for s in labels(SheetStatus)}}


def _blind_attachments(db: Database, proposal_id: int) -> list[dict]:
    """Attachments with neutral names (附件1.pdf ...): a file name may carry an author's name."""
    rows = db["attachments"].rows_where("proposal_id = ?", [proposal_id], order_by="id")
    return [{"id": r["id"], "name": f"附件{i}{PurePath(r['filename'] or '').suffix.lower()}",
             "kind": r["kind"] or "", "size": r["size"] or 0} for i, r in enumerate(rows, start=1)]


def blind_proposal(db: Database, actor: User, proposal_id) -> dict:
    """The proposal as an assigned judge sees it: title, topic and texts, attachments -- no author identity."""
    proposal_id = require_assigned(db, actor, proposal_id)
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
    proposal_id = require_assigned(db, actor, proposal_id)
    now = now or clock.now()
    contest = settings.get(db)
    sheet = sheet_row(db, proposal_id, actor.id)
    scores = {}
    if sheet:
        scores = {r["criterion"]: r["score"] for r in db["scores"].rows_where("sheet_id = ?", [sheet["id"]])}
    editable = contest.judging_open(now)
    total = None
    if sheet and {c.code for c in contest.rubric} <= set(scores):  # a partial draft has no total
        totals = weighted_totals(db, [sheet["id"]])
        total = float(totals["total"].iloc[0]) if len(totals) else None
    return {
        "proposal_id": proposal_id,
        "status": sheet["status"] if sheet else "todo",
        "status_name": SheetStatus(sheet["status"] if sheet else "todo").label,
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


def validate_scores(rubric: list[Criterion], scores: dict, *, complete: bool) -> dict[str, float]:
    """Clean a {criterion code: value} mapping; a submission needs every criterion."""
    known = {c.code for c in rubric}
    unknown = [str(k) for k in scores if k not in known]
    if unknown:
        raise ValidationError("未知的评分项：" + "、".join(unknown) + "。")
    cleaned, missing = {}, []
    for c in rubric:
        value = c.score(scores.get(c.code))
        if value is None:
            missing.append(c)
        else:
            cleaned[c.code] = value
    if complete and missing:
        raise ValidationError("提交前请为每一项打分，尚未填写：" +
                              "、".join(f"“{c.name}”（{c.range_text}）" for c in missing) + "。")
    return cleaned


def _write_sheet(db: Database, actor: User, proposal_id: int, rubric: list[Criterion], scores: dict,
                 comment, note, submit: bool, now: dt.datetime) -> bool:
    """Validate and store one sheet (inside the caller's transaction); True if anything changed."""
    old = sheet_row(db, proposal_id, actor.id)
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


def ensure_judging_open(db: Database, now: dt.datetime) -> list[Criterion]:
    contest = settings.get(db)
    if not contest.judging_open(now):
        raise ValidationError(f"评审已于 {contest.phases.get('judging_closes')} 截止，评分表只读，不能再修改。")
    return contest.rubric


def save_sheet(db: Database, actor: User, proposal_id, scores: dict, comment: str = "", note: str = "", *,
               submit: bool = False, now: dt.datetime | None = None) -> dict:
    """Save the judge's sheet as a draft (scores may be left empty) or submit it (every criterion scored).

    A submitted sheet can be changed and submitted again until judging closes. The sheet shown
    afterwards is read after the transaction, so the write lock is held only for the write."""
    now = now or clock.now()
    with transaction(db):
        proposal_id = require_assigned(db, actor, proposal_id)
        rubric = ensure_judging_open(db, now)
        _write_sheet(db, actor, proposal_id, rubric, scores, comment, note, submit, now)
    return get_sheet(db, actor, proposal_id, now=now)


def save_draft(db: Database, actor: User, proposal_id, scores: dict, comment: str = "", note: str = "", *,
               now: dt.datetime | None = None) -> dict:
    return save_sheet(db, actor, proposal_id, scores, comment, note, submit=False, now=now)


def submit_sheet(db: Database, actor: User, proposal_id, scores: dict, comment: str = "", note: str = "", *,
                 now: dt.datetime | None = None) -> dict:
    return save_sheet(db, actor, proposal_id, scores, comment, note, submit=True, now=now)


def bulk_frame(db: Database, actor: User) -> pd.DataFrame:
    """One row per assigned proposal: proposal_id, title, status_name, one column per criterion code, comment."""
    policy.require(actor, "review_proposals")
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
                     **{c.code: mine.get(c.code) for c in rubric},
                     "comment": (sheet or {}).get("comment") or ""})
    columns = ["proposal_id", "title", "status_name"] + [c.code for c in rubric] + ["comment"]
    frame = pd.DataFrame(rows, columns=columns)
    for c in rubric:
        frame[c.code] = pd.to_numeric(frame[c.code], errors="coerce").astype("float64")
    return frame


@writes
def save_bulk(db: Database, actor: User, rows: list[dict], *, submit: bool = False, all_or_nothing: bool = True,
              now: dt.datetime | None = None) -> dict:
    """Save many sheets of one judge at once from ``bulk_frame``-shaped rows.

    Rows without any score or comment on a not-yet-started proposal are ignored;
    unchanged rows are not rewritten. With ``submit`` every row that has
    scores is submitted (and must be complete). ``all_or_nothing``: any bad row
    refuses the whole batch (ValidationError listing every row); otherwise the
    good rows are saved and the errors returned.
    Returns ``{"saved": n, "unchanged": m, "errors": [...]}``."""
    policy.require(actor, "review_proposals")
    now = now or clock.now()
    rubric = ensure_judging_open(db, now)
    codes = [c.code for c in rubric]
    plans, errors = [], []
    for i, row in enumerate(rows, start=1):
        pid = row.get("proposal_id")
        label = f"第 {i} 行（提案 {pid}）"
        try:
            pid = require_assigned(db, actor, pid)
            scores = {c: row.get(c) for c in codes}
            comment = row.get("comment")
            comment = "" if comment is None or (isinstance(comment, float) and math.isnan(comment)) else comment
            sheet = sheet_row(db, pid, actor.id)
            empty = all(c.score(v) is None for v, c in zip(scores.values(), rubric)) \
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
