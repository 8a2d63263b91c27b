"""Proposals: drafting, submitting, editing until the deadline, withdrawing, screening.

Who may do what is decided here:
- the submitter edits, submits and withdraws while submission is open;
- co-authors read the proposal, never change or withdraw it;
- organizers read everything, screen (立案审查) and reclassify;
- judges and department staff see proposals only through judging / followup.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

import pandas as pd
from sqlite_utils import Database

from . import audit, clock, coauthors as coauthorship, notices, policy, settings, sheet_import, topic_map, validation
from .accounts import User, find_by_student_no
from .coauthors import MAX_COAUTHORS, coauthor_ids, split_numbers  # noqa: F401 (used by other modules)
from .db import get_row, int_id, like_pattern, writes
from .errors import PermissionDenied, ValidationError
from .vocabulary import ProposalStatus, label_of

TEXT_FIELDS = {"problem": "问题描述", "investigation": "调研情况", "suggestions": "建议措施"}
TITLE_LEN = (5, 40)
TEXT_LEN = (20, 3000)


# --- reading ----------------------------------------------------------------


def _proposal_id(value) -> int:
    """An id typed or passed from a widget as an int; anything else is refused with a clear message."""
    return int_id(value, PermissionDenied("提案不存在或无权查看。"))


def _row(db: Database, proposal_id: int) -> dict:
    return get_row(db, "proposals", proposal_id, PermissionDenied("提案不存在或无权查看。"))


def get(db: Database, user: User, proposal_id: int) -> dict:
    """The proposal with its co-authors, for its authors and organizers only."""
    policy.require(user, "read_own_proposals", "read_all_proposals")
    proposal = _row(db, proposal_id)
    if not policy.allows(user, "read_all_proposals"):
        if not policy.is_author(db, user, proposal["id"]):
            raise PermissionDenied("提案不存在或无权查看。")
        # Co-authors read submitted proposals only: a draft, or a proposal the submitter
        # withdrew (possibly a draft that was never submitted), is the submitter's alone.
        if proposal["status"] == "draft" and proposal["submitter_id"] != user.id:
            raise PermissionDenied("该提案仍是草稿，只有提交人可以查看。")
        if proposal["status"] == "withdrawn" and proposal["submitter_id"] != user.id:
            raise PermissionDenied("该提案已被提交人撤回，只有提交人可以查看。")
    # Co-authors are those who accepted; the submitter also sees the numbers still invited (no names).
    # (an organizer is the submitter of the proposals imported without a registered 学号: no invitations)
    invited = (coauthorship.invited(db, user, proposal["id"])
               if proposal["submitter_id"] == user.id and policy.allows(user, "write_proposals") else [])
    return proposal | {"coauthors": _people(db, coauthor_ids(db, proposal["id"])), "invitations": invited,
                       "submitter": (_people(db, [proposal["submitter_id"]]) or [{}])[0]}


def _people(db: Database, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return list(db.query(f"select id, name, student_no, college from users where id in ({marks})", ids))


def mine(db: Database, user: User) -> list[dict]:
    """Every proposal the student submitted, and the submitted ones they co-author."""
    policy.require(user, "write_proposals")
    return list(db.query(
        """select p.*, case when p.submitter_id = :me then '提交人' else '合作者' end as my_role
           from proposals p
           where p.submitter_id = :me
              or (p.status in ('submitted', 'valid', 'invalid')
                  and p.id in (select proposal_id from coauthors where user_id = :me))
           order by p.updated_at desc""",
        {"me": user.id},
    ))


def search(db: Database, actor: User, *, status: str | list | None = None, topic: str | None = None,
           college: str | None = None, text: str | None = None) -> pd.DataFrame:
    """Organizer's table of all non-draft proposals; ``text`` matches any part, short words too."""
    policy.require(actor, "read_all_proposals")
    where, args = ["p.status != 'draft'"], []
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        where.append(f"p.status in ({','.join('?' * len(statuses))})")
        args += statuses
    if topic:
        where.append("p.topic = ?")
        args.append(topic)
    if college:
        where.append("p.college = ?")
        args.append(college)
    text = validation.search_text(text)
    if text:
        like = like_pattern(text)
        fields = ["p.title", "p.problem", "p.investigation", "p.suggestions", "coalesce(u.name, '')",
                  "coalesce(p.author_name, '')"]
        where.append("(" + " or ".join(f"{f} like ? escape '\\'" for f in fields) + ")")
        args += [like] * len(fields)
    sql = f"""select p.id, p.title, p.topic, p.status, p.college,
                     coalesce(p.author_name, u.name) as author, u.student_no, p.department,
                     p.submitted_at, p.invalid_reason, p.topic_confirmed, p.source,
                     (select count(*) from coauthors c where c.proposal_id = p.id) as coauthors
              from proposals p join users u on u.id = p.submitter_id
              where {' and '.join(where)} order by p.id"""
    return pd.DataFrame(db.execute(sql, args).fetchall(), columns=[  # tuples: no dict per row
        "id", "title", "topic", "status", "college", "author", "student_no", "department", "submitted_at",
        "invalid_reason", "topic_confirmed", "source", "coauthors"])


def counts(db: Database, actor: User) -> dict:
    """Numbers for a report: submitted in all, valid (确立有效提案), invalid, drafts."""
    policy.require(actor, "read_all_proposals")
    by_status = dict(db.execute("select status, count(*) from proposals group by status").fetchall())
    received = sum(v for k, v in by_status.items() if k in ("submitted", "valid", "invalid"))
    return {"received": received, "valid": by_status.get("valid", 0), "invalid": by_status.get("invalid", 0),
            "pending": by_status.get("submitted", 0), "drafts": by_status.get("draft", 0),
            "withdrawn": by_status.get("withdrawn", 0)}


def counts_by_topic(db: Database, actor: User) -> dict[str | None, int]:
    """Received proposals (submitted, valid or not) per topic code."""
    policy.require(actor, "read_all_proposals")
    return dict(db.execute("select topic, count(*) from proposals where status in ('submitted', 'valid', 'invalid') "
                           "group by topic").fetchall())


# --- writing (participants) ---------------------------------------------------


def _clean(db: Database, contest: settings.Settings, fields: dict, *, complete: bool) -> dict:
    """Validate fields; a draft may leave them empty, a submission may not."""

    def check(value, label, lo, hi, multiline):
        if not complete:
            # A draft may be empty or half written; it is never allowed to hold what
            # could not be submitted later (invisible characters, overlong text).
            return validation.optional_text(value, label, min_len=1, max_len=hi, multiline=multiline)
        return validation.text(value, label, min_len=lo, max_len=hi, multiline=multiline)

    record = {"title": check(fields.get("title"), "标题", *TITLE_LEN, False)}
    for key, label in TEXT_FIELDS.items():
        record[key] = check(fields.get(key), label, *TEXT_LEN, True)
    topic = fields.get("topic") or None
    if topic and topic not in contest.topic_codes:
        raise ValidationError("请从列表中选择议题。")
    if complete and not topic:
        raise ValidationError("请选择议题。")
    department = fields.get("department") or None
    if department and not db["departments"].count_where("code = ? and active = 1", [department]):
        raise ValidationError("建议承办部门不在部门列表中。")
    return record | {"topic": topic, "department": department}


def _coauthors(db: Database, user: User, numbers, proposal_id: int | None = None) -> list[tuple[str, int]]:
    """The 学号 typed on the form, checked: each becomes an invitation (contest/coauthors.py)."""
    return coauthorship.check_numbers(db, user, numbers, proposal_id)


def _ensure_open(contest: settings.Settings, now: dt.datetime) -> None:
    if not contest.submission_open(now):
        opens = contest.at("submission_opens")
        if opens and now < opens:
            raise ValidationError(f"提案征集将于 {contest.phases['submission_opens']} 开始。")
        raise ValidationError(f"提案征集已于 {contest.phases['submission_closes']} 截止，提案只读，不能再修改。")


def _owned(db: Database, user: User, proposal_id: int) -> dict:
    policy.require(user, "write_proposals")
    proposal = _row(db, proposal_id)
    if proposal["submitter_id"] != user.id:
        if user.id in coauthor_ids(db, proposal_id):
            raise PermissionDenied("只有提交人可以修改或撤回该提案。")
        raise PermissionDenied("提案不存在或无权查看。")
    return proposal


@writes
def save_draft(db: Database, user: User, fields: dict, *, proposal_id: int | None = None,
               client_token: str | None = None, now: dt.datetime | None = None) -> int:
    """Create or update a draft; returns its id. A repeated ``client_token`` reuses the same draft.

    Saving a proposal that is already submitted edits it in place (it must stay complete).
    Nothing is written when a field is refused, so what was saved before is kept.
    """
    policy.require(user, "write_proposals")
    now = now or clock.now()
    contest = settings.get(db)
    _ensure_open(contest, now)
    if proposal_id is None and client_token:
        proposal_id = _by_token(db, user, client_token)
    if proposal_id is not None:
        proposal_id = _proposal_id(proposal_id)
        proposal = _owned(db, user, proposal_id)
        if proposal["status"] not in ("draft", "withdrawn"):
            return update_submitted(db, user, proposal_id, fields, now=now)
    record = _clean(db, contest, fields, complete=False)
    coauthors = _coauthors(db, user, fields.get("coauthors", []), proposal_id)
    if proposal_id is None and not coauthors and not any(record.values()):
        # A click on 保存草稿 before typing anything would leave an empty "（无标题）" draft behind.
        raise ValidationError("草稿还是空的：请至少填写标题或一项内容后再保存。")
    try:
        with db.atomic():
            if proposal_id is None:
                proposal_id = db["proposals"].insert(record | {
                    "submitter_id": user.id, "status": "draft", "college": user.college, "source": "portal",
                    "client_token": client_token, "created_at": clock.iso(now), "updated_at": clock.iso(now),
                }).last_pk
                audit.record(db, user, "create_proposal", f"proposal:{proposal_id}")
            else:
                db["proposals"].update(proposal_id, record | {"status": "draft", "updated_at": clock.iso(now)})
            coauthorship.sync(db, user, proposal_id, coauthors, now)
    except sqlite3.IntegrityError:
        # Two clicks raced past the token look-up: the other one created the draft.
        existing = _by_token(db, user, client_token) if client_token else None
        if existing is None:
            raise
        return save_draft(db, user, fields, proposal_id=existing, now=now)
    return proposal_id


def _by_token(db: Database, user: User, client_token: str) -> int | None:
    row = next(db["proposals"].rows_where("submitter_id = ? and client_token = ?", [user.id, client_token]), None)
    return row["id"] if row else None


@writes
def submit(db: Database, user: User, proposal_id: int, *, now: dt.datetime | None = None) -> None:
    """Submit a draft after full validation. Submitting twice changes nothing."""
    now = now or clock.now()
    proposal_id = _proposal_id(proposal_id)
    _owned(db, user, proposal_id)
    contest = settings.get(db)
    with db.atomic():
        proposal = _row(db, proposal_id)  # re-read inside the transaction: a second click is a no-op
        if proposal["status"] not in ("draft", "withdrawn"):
            return
        _ensure_open(contest, now)
        _clean(db, contest, proposal, complete=True)
        db["proposals"].update(proposal_id, {"status": "submitted", "submitted_at": clock.iso(now),
                                             "updated_at": clock.iso(now)})
        audit.record(db, user, "submit_proposal", f"proposal:{proposal_id}")
    notices.submission_received(db, proposal_id)


@writes
def update_submitted(db: Database, user: User, proposal_id: int, fields: dict, *,
                     now: dt.datetime | None = None) -> int:
    """Edit a submitted proposal before the deadline; it must stay complete."""
    now = now or clock.now()
    proposal_id = _proposal_id(proposal_id)
    proposal = _owned(db, user, proposal_id)
    if proposal["status"] != "submitted":
        raise ValidationError("提案已完成立案审查，不能再修改。" if proposal["status"] in ("valid", "invalid")
                              else "该提案当前状态不能修改。")
    contest = settings.get(db)
    _ensure_open(contest, now)
    record = _clean(db, contest, fields, complete=True)
    coauthors = _coauthors(db, user, fields.get("coauthors", []), proposal_id)
    with db.atomic():
        db["proposals"].update(proposal_id, record | {"updated_at": clock.iso(now)})
        coauthorship.sync(db, user, proposal_id, coauthors, now)
        audit.record(db, user, "edit_proposal", f"proposal:{proposal_id}")
    return proposal_id


@writes
def withdraw(db: Database, user: User, proposal_id: int, *, now: dt.datetime | None = None) -> None:
    """The submitter withdraws a draft or submitted proposal before the deadline.

    A withdrawn proposal leaves the organizers' queue; the submitter can reopen it as a
    draft and submit it again while submission is open. Withdrawing twice changes nothing."""
    now = now or clock.now()
    proposal_id = _proposal_id(proposal_id)
    proposal = _owned(db, user, proposal_id)
    if proposal["status"] == "withdrawn":
        return
    if proposal["status"] not in ("draft", "submitted"):
        raise ValidationError("提案已完成立案审查，不能撤回。")
    _ensure_open(settings.get(db), now)
    with db.atomic():
        db["proposals"].update(proposal_id, {"status": "withdrawn", "updated_at": clock.iso(now)})
        audit.record(db, user, "withdraw_proposal", f"proposal:{proposal_id}", {"old": proposal["status"]})


def can_edit(db: Database, user: User, proposal: dict, now: dt.datetime | None = None) -> tuple[bool, str]:
    """Whether the page should offer editing, and if not, why (Chinese)."""
    contest = settings.get(db)
    if not policy.allows(user, "write_proposals") or proposal["submitter_id"] != user.id:
        return False, "只有提交人可以修改该提案。"
    if proposal["status"] in ("valid", "invalid"):
        return False, "提案已完成立案审查，内容已锁定。"
    if not contest.submission_open(now or clock.now()):
        return False, f"提案征集已于 {contest.phases.get('submission_closes')} 截止，提案只读。"
    return True, ""


# --- screening (organizers) ---------------------------------------------------


@writes
def screen(db: Database, actor: User, proposal_ids: list[int], valid: bool, reason: str = "", *,
           topic: str | None = None, now: dt.datetime | None = None) -> int:
    """Mark submitted proposals 立案 or 不予立案 (with a reason the authors see). Returns how many.

    With ``topic`` the topic is confirmed or corrected in the same transaction: a refused
    decision (no reason for 不予立案, a withdrawn proposal...) changes nothing at all."""
    policy.require(actor, "screen_proposals")
    now = now or clock.now()
    proposal_ids = list(dict.fromkeys(_proposal_id(i) for i in proposal_ids or []))
    if not proposal_ids:
        raise ValidationError("请至少选择一件提案。")
    reason = "" if valid else validation.text(reason, "不予立案的理由", min_len=2, max_len=300, multiline=True)
    with db.atomic():
        if topic:
            set_topic(db, actor, proposal_ids, topic)
        for proposal_id in proposal_ids:
            proposal = _row(db, proposal_id)
            if proposal["status"] == "withdrawn":
                raise ValidationError(f"提案 {proposal_id} 已被提交人撤回，不能审查。")
            if proposal["status"] not in ("submitted", "valid", "invalid"):
                raise ValidationError(f"提案 {proposal_id} 尚未提交，不能审查。")
            db["proposals"].update(proposal_id, {
                "status": "valid" if valid else "invalid", "invalid_reason": reason or None,
                "screened_at": clock.iso(now)})
            audit.record(db, actor, "screen_proposal", f"proposal:{proposal_id}",
                         {"old": proposal["status"], "new": "valid" if valid else "invalid", "reason": reason})
        if valid:  # a member of a merged group whose lead was forwarded already follows it into its case
            topic_map.follow_lead_cases(db, proposal_ids)
    notices.screened(db, proposal_ids, valid, reason)
    return len(proposal_ids)


@writes
def set_topic(db: Database, actor: User, proposal_ids: list[int], topic: str) -> None:
    """Organizer confirms or corrects topics; a confirmed topic becomes a training label."""
    policy.require(actor, "screen_proposals")
    if topic not in settings.get(db).topic_codes:
        raise ValidationError("请从列表中选择议题。")
    proposal_ids = list(dict.fromkeys(_proposal_id(i) for i in proposal_ids or []))
    if not proposal_ids:
        raise ValidationError("请至少选择一件提案。")
    with db.atomic():
        for proposal_id in proposal_ids:
            old = _row(db, proposal_id)["topic"]
            db["proposals"].update(proposal_id, {"topic": topic, "topic_confirmed": 1})
            audit.record(db, actor, "set_topic", f"proposal:{proposal_id}", {"old": old, "new": topic})


# --- export and import (organizers) ---------------------------------------------

EXPORT_COLUMNS = {
    "id": "编号", "title": "标题", "topic": "议题", "status": "状态", "college": "学院", "author": "提案人",
    "student_no": "学号", "coauthors": "合作者", "department": "建议承办部门", "problem": "问题描述",
    "investigation": "调研情况", "suggestions": "建议措施", "submitted_at": "提交时间",
    "invalid_reason": "不予立案理由", "source": "来源",
}


def export_table(db: Database, actor: User, ids: list[int] | None = None) -> pd.DataFrame:
    """Full text of non-draft proposals with Chinese headers, for CSV / Excel export."""
    policy.require(actor, "read_all_proposals")
    contest = settings.get(db)
    rows = list(db.query(
        """select p.*, coalesce(p.author_name, u.name) as author, u.student_no,
                  (select group_concat(cu.name || '(' || coalesce(cu.student_no, '') || ')', '、')
                     from coauthors c join users cu on cu.id = c.user_id where c.proposal_id = p.id) as coauthors
           from proposals p join users u on u.id = p.submitter_id
           where p.status != 'draft' order by p.id"""))
    if ids is not None:
        wanted = {_proposal_id(i) for i in ids}
        rows = [r for r in rows if r["id"] in wanted]
    frame = pd.DataFrame(rows, columns=list(EXPORT_COLUMNS))
    frame["topic"] = frame["topic"].map(contest.topic_name)
    frame["status"] = frame["status"].map(lambda s: label_of(ProposalStatus, s))
    names = settings.department_names(db)
    frame["department"] = frame["department"].map(lambda c: names.get(c, c) if c else "")
    frame["source"] = frame["source"].map({"portal": "网上提交", "import": "导入"}).fillna("")
    return frame.rename(columns=EXPORT_COLUMNS)


IMPORT_COLUMNS = {
    "标题": "title", "议题": "topic", "问题描述": "problem", "调研情况": "investigation", "建议措施": "suggestions",
    "建议承办部门": "department", "提案人": "author_name", "姓名": "author_name", "学号": "student_no",
    "学院": "college",
}
#: Header variants of organizers' own sheets (compared after sheet_import.header_key).
IMPORT_HEADER_VARIANTS = {
    "title": ["标题", "提案名称", "提案题目", "提案标题", "题目", "案由", "案题", "名称", "title"],
    "topic": ["议题", "提案类别", "类别", "提案类型", "类型", "分类", "提案分类", "所属类别", "topic"],
    "problem": ["问题描述", "问题", "存在问题", "存在的问题", "情况说明", "现状", "提案理由", "理由", "案情分析",
                "问题分析", "背景", "problem"],
    "investigation": ["调研情况", "调研", "调查情况", "调研过程", "调研情况说明", "调查研究", "investigation"],
    "suggestions": ["建议措施", "具体建议", "解决办法", "建议", "办法", "措施", "解决措施", "意见建议", "改进建议",
                    "suggestions"],
    "department": ["建议承办部门", "承办单位", "承办部门", "主办单位", "责任部门", "建议承办单位", "department"],
    "author_name": ["提案人", "姓名", "提案人姓名", "第一提案人", "提案代表", "提案学生", "author_name"],
    "student_no": ["学号", "提案人学号", "第一提案人学号", "学号工号", "student_no"],
    "college": ["学院", "所在学院", "院系", "所在院系", "代表团", "college"],
}
IMPORT_ALIASES = {sheet_import.header_key(name): field
                  for field, names in IMPORT_HEADER_VARIANTS.items() for name in names}
IMPORT_TEMPLATE = ["标题", "议题", "问题描述", "调研情况", "建议措施", "建议承办部门", "提案人", "学号", "学院"]
IMPORT_STATUSES = {"submitted": "已提交（仍需立案审查）", "valid": "已立案（表中提案已经审查过）"}
_IMPORT_LABELS = {"title": "标题", "topic": "议题", "problem": "问题描述", "investigation": "调研情况",
                  "suggestions": "建议措施"}


@dataclass
class ImportSheet:
    """An uploaded sheet read for import: the rows under the header, and what was found."""

    frame: pd.DataFrame  # canonical field columns; index + 2 = spreadsheet row
    header_row: int  # spreadsheet row of the header (1 when the sheet starts with it)
    unused: list[str]  # headers not imported (序号, 备注, 联系电话 ...)


def read_import_sheet(data: bytes, filename: str = "") -> ImportSheet:
    """Read an organizer's own sheet as it is (.xlsx or .csv): the header row is the one matching
    known column names (a title row above it is skipped), header variants are mapped (提案题目 /
    案由 -> 标题, 具体建议 / 解决办法 -> 建议措施, 提案类别 -> 议题, 承办单位 -> 建议承办部门 ...),
    merged cells are filled down, 学号 stored as numbers become text."""
    grid = sheet_import.read_grid(data, filename)
    frame, unused, row = sheet_import.table(grid, IMPORT_ALIASES,
                                            required_any=("title", "problem", "investigation", "suggestions"))
    if row is None:
        raise ValidationError(f"在表格前 {sheet_import.HEADER_SCAN_ROWS} 行中找不到表头。表头至少需要两个可识别的列名，"
                              "例如：" + "、".join(IMPORT_TEMPLATE) + "（也可用 提案题目、案由、具体建议、承办单位 等）。")
    return ImportSheet(frame=frame, header_row=row, unused=unused)


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.rename(columns=lambda c: IMPORT_ALIASES.get(sheet_import.header_key(c), str(c).strip()))
    return frame.loc[:, ~frame.columns.duplicated()]


def check_import(db: Database, actor: User, frame: pd.DataFrame) -> tuple[list[dict], list[str]]:
    """Preview an import sheet: the cleaned rows and every problem of every row, in Chinese.

    Columns (Chinese headers, their usual variants, or the English field names): 标题, 问题描述,
    调研情况, 建议措施, and optionally 议题 (name or code), 建议承办部门 (name or code), 提案人,
    学号, 学院. Each row follows the same rules as a submission; a row with several problems
    gets one message per problem. A missing or blank 议题 is filled by the topic classifier
    and left unconfirmed (``topic_predicted``; the topic map lists it for review).
    A 学号 of a registered student makes that student the submitter (the proposal then appears
    under their 我的提案); otherwise the importing organizer is recorded as submitter and 提案人
    keeps the author's name. Row numbers are spreadsheet rows: ``frame.index + 2``.
    """
    policy.require(actor, "screen_proposals")
    contest = settings.get(db)
    frame = _canonical(frame)
    required = ["title", "problem", "investigation", "suggestions"]
    missing = [_IMPORT_LABELS[c] for c in required if c not in frame.columns]
    if missing:
        return [], ["表格缺少列：" + "、".join(missing) + "。请使用模板中的列名：" + "、".join(IMPORT_TEMPLATE) + "。"]
    if "author_name" not in frame.columns and "student_no" not in frame.columns:
        return [], ["表格至少需要“提案人”或“学号”一列，用来记录提案的作者。"]
    topics = {t["code"]: t["code"] for t in contest.topics} | {t["name"]: t["code"] for t in contest.topics}
    departments = {}
    for d in settings.departments(db):
        departments[d["code"]] = departments[d["name"]] = d["code"]
    existing = {(r["title"], r["author"]) for r in db.query(
        "select p.title, coalesce(p.author_name, u.name) as author from proposals p "
        "join users u on u.id = p.submitter_id where p.status != 'draft'")}
    rows, errors, seen = [], [], set()
    records = frame.astype(object).where(frame.notna(), "").to_dict("records")
    for position, (index, raw) in enumerate(zip(frame.index, records)):
        line = int(index) + 2 if str(index).lstrip("-").isdigit() else position + 2
        problems = []

        def checked(check, *args, **kwargs):
            try:
                return check(*args, **kwargs)
            except ValidationError as error:
                problems.append(str(error))
                return None

        raw = {k: str(v).strip() for k, v in raw.items()}
        record = {"title": checked(validation.text, raw.get("title"), "标题", min_len=TITLE_LEN[0],
                                   max_len=TITLE_LEN[1])}
        for key, label in TEXT_FIELDS.items():
            record[key] = checked(validation.text, raw.get(key), label, min_len=TEXT_LEN[0], max_len=TEXT_LEN[1],
                                  multiline=True)
        topic_value = raw.get("topic", "")
        if topic_value and topic_value not in topics:
            problems.append(f"议题“{topic_value}”不在议题列表中（可填：{'、'.join(t['name'] for t in contest.topics)}；"
                            "留空则自动分类）。")
        department_value = raw.get("department", "")
        if department_value and department_value not in departments:
            problems.append(f"建议承办部门“{department_value}”不在部门列表中。")
        number = checked(sheet_import.clean_number, raw.get("student_no", "")) or ""
        name = checked(validation.optional_text, raw.get("author_name"), "提案人", max_len=30) or ""
        submitter = None
        if number:
            submitter = find_by_student_no(db, number)
            if submitter is not None and not policy.allows(submitter, "write_proposals"):
                submitter = None
            if submitter is not None and name and name != submitter.name:
                problems.append(f"学号 {number} 的注册学生是“{submitter.name}”，与表中提案人“{name}”不一致。")
        if submitter is None and not name:
            problems.append(f"学号 {number} 尚未注册，请填写提案人姓名。" if number else "请填写提案人或学号。")
        college = raw.get("college", "") or (submitter.college if submitter else "") or None
        if college and college not in contest.colleges:
            problems.append(f"学院“{college}”不在学院列表中。")
        author = name or (submitter.name if submitter else "")
        key = (record["title"], author)
        if record["title"] and author:  # compared with the earlier rows that can be imported
            if key in seen:
                problems.append("与表中前面的一行重复（标题和提案人相同）。")
            elif key in existing:
                problems.append("系统中已有同一提案人、同一标题的提案（可能已经导入过）。")
            if not problems:
                seen.add(key)
        if problems:
            errors.extend(f"第 {line} 行：{p}" for p in problems)
            continue
        rows.append(record | {
            "topic": topics.get(topic_value), "topic_predicted": False, "topic_score": None,
            "department": departments.get(department_value),
            "row": line, "submitter_id": submitter.id if submitter else actor.id,
            "author_name": None if submitter else author, "college": college,
            "submitter": f"{submitter.name}（{submitter.student_no}）" if submitter else "组织者代录",
        })
    if not rows and not errors:
        errors.append("表格中没有提案。")
    todo = [r for r in rows if not r["topic"]]
    if todo:
        predicted = topic_map.predict_topics(db, todo)
        for row, (code, score) in zip(todo, zip(predicted["topic"], predicted["topic_score"])):
            row.update(topic=str(code), topic_predicted=True, topic_score=float(score))
    return rows, errors


@writes
def import_proposals(db: Database, actor: User, frame: pd.DataFrame, now: dt.datetime | None = None, *,
                     status: str = "submitted") -> int:
    """Import proposals from a sheet, all or nothing; returns how many were created.

    Imported proposals are ``submitted`` by default, so they go through 立案审查 like the ones
    typed in the portal; ``status="valid"`` is for sheets that were already screened (e.g. the
    proposals a student congress has accepted). ``source`` is 'import'.
    """
    policy.require(actor, "screen_proposals")
    now = now or clock.now()
    if status not in IMPORT_STATUSES:
        raise ValidationError("导入后的状态只能是“已提交”或“已立案”。")
    rows, errors = check_import(db, actor, frame)
    if errors:
        raise ValidationError("导入失败，未导入任何提案。\n" + "\n".join(errors))
    stamp = clock.iso(now)
    with db.atomic():
        for row in rows:
            record = {k: v for k, v in row.items() if k not in ("row", "submitter", "topic_predicted", "topic_score")}
            db["proposals"].insert(record | {
                "status": status, "source": "import", "created_at": stamp, "updated_at": stamp,
                "submitted_at": stamp, "screened_at": stamp if status == "valid" else None,
                "topic_confirmed": 0 if row["topic_predicted"] else 1})
        audit.record(db, actor, "import_proposals", "proposals", {"count": len(rows), "status": status})
    return len(rows)
