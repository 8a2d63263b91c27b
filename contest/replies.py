"""Replies (答复): department staff answer a forwarded case and add dated progress updates.

Each entry has a state (``vocabulary.AnswerState``: 已解决 / 正在办理 / 列入计划 / 暂不具备条件) and may carry one
attachment, checked by its bytes like a proposal's. Organizers may record a reply on behalf of
the lead department and decide whether it appears on the public page. Replies can also be
imported from a sheet (all rows or none). A resolved case accepts no more entries, except the
one further reply an author asked for (see ``contest.ratings``).
"""
from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pandas as pd
from sqlite_utils import Database

from . import attachments, audit, clock, notices, policy, validation
from .forwarding import case_row, visible_case
from .errors import PermissionDenied, ValidationError
from .vocabulary import AnswerState, from_label, labels
from .db import writes


REPLY_LEN = (10, 3000)


def _date_text(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValidationError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD。")


def _store_file(db: Database, data: bytes, filename: str) -> dict:
    """Check an attachment by its bytes (contest.attachments rules: PDF, PNG/JPEG, XLSX/CSV, 10 MB) and store
    it under a generated name in the attachments folder next to the database."""
    kind = attachments.check_file(filename, data)
    stored = f"reply-{secrets.token_hex(16)}{attachments.KINDS[kind][1][0]}"
    (attachments.storage_dir(db) / stored).write_bytes(data)
    return {"file_name": attachments._clean_name(filename), "file_stored": stored, "file_kind": kind,
            "file_size": len(data)}


def attachment(db: Database, user, reply_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of a reply's attachment, for those who may see the case."""
    row = next(db["replies"].rows_where("id = ?", [reply_id]), None)
    if row is None or not row["file_stored"]:
        raise PermissionDenied("附件不存在或无权查看。")
    visible_case(db, user, row["case_id"])
    path = attachments.storage_dir(db) / Path(row["file_stored"]).name
    if not path.is_file():
        raise ValidationError("附件文件已丢失，请联系组织者。")
    return row["file_name"], path.read_bytes()


def _open_further(db: Database, case_id: int) -> bool:
    return bool(db.execute(
        """select 1 from case_members m where m.case_id = ? and m.further_requested_at is not null
           and not exists (select 1 from replies r where r.case_id = m.case_id and r.at >= m.further_requested_at)""",
        [case_id]).fetchone())


def _clean_reply(state, text, plan, expected_date, reason) -> dict:
    state = from_label(AnswerState, state)
    if state is None:
        raise ValidationError("办理状态应为：" + "、".join(labels(AnswerState).values()) + "。")
    record = {
        "state": state,
        "text": validation.text(text, "答复内容", min_len=REPLY_LEN[0], max_len=REPLY_LEN[1], multiline=True),
        "plan": validation.optional_text(plan, "办理计划", max_len=1000, multiline=True),
        "expected_date": _date_text(expected_date),
        "reason": validation.optional_text(reason, "暂不具备条件的原因", max_len=1000, multiline=True),
    }
    if state == "in_progress" and not (record["plan"] and record["expected_date"]):
        raise ValidationError("状态为“正在办理”时，请填写办理计划和预计完成日期。")
    if state == "not_feasible" and not record["reason"]:
        raise ValidationError("状态为“暂不具备条件”时，请说明原因。")
    if state != "in_progress" and state != "planned":
        record["expected_date"] = ""
        record["plan"] = record["plan"] if state == "planned" else ""
    if state != "not_feasible":
        record["reason"] = ""
    return record


def _check_can_reply(db: Database, user, case: dict) -> str:
    """The department the entry is recorded for; raises when the case does not accept one."""
    if policy.allows(user, "read_all_cases"):
        department = case["department"]  # an organizer records it for the lead department
    else:
        if not policy.handles_case(db, user, case["id"]):
            raise PermissionDenied("办理件不存在或无权查看。")
        department = user.department
    if case["status"] == "declined":
        raise ValidationError("该提案已退回组织者，等待重新转办，暂不能答复。")
    if case["status"] == "resolved" and not _open_further(db, case["id"]):
        raise ValidationError("该提案已办结（已解决），不再接受答复；如提案人申请再次答复，可再答复一次。")
    return department


@writes
def reply(db: Database, user, case_id: int, state: str, text: str, *, plan: str = "", expected_date=None,
          reason: str = "", file: tuple[str, bytes] | None = None, published: bool = True,
          now: dt.datetime | None = None) -> int:
    """A department answers a case (or adds a dated progress update); returns the entry id.

    Organizers may record a reply on behalf of the lead department (e.g. received on paper)."""
    policy.require(user, "answer_cases")
    now = clock.given_or_now(now)
    case = case_row(db, case_id) if policy.allows(user, "read_all_cases") else visible_case(db, user, case_id)
    record = _clean_reply(state, text, plan, expected_date, reason)
    with db.atomic():
        case = case_row(db, case["id"])  # re-read inside the transaction
        department = _check_can_reply(db, user, case)
        return _insert_reply(db, user, case, department, record, file, published, now)


def _insert_reply(db, user, case, department, record, file, published, now) -> int:
    kind = ("further" if _open_further(db, case["id"]) else "update" if case["first_reply_at"] else "reply")
    stored = _store_file(db, file[1], file[0]) if file and file[1] else {}
    stamp = clock.iso(now)
    entry_id = db["replies"].insert(record | stored | {
        "case_id": case["id"], "department": department, "author_id": user.id, "kind": kind,
        "published": int(bool(published)), "at": stamp}).last_pk
    db["cases"].update(case["id"], {
        "status": "resolved" if record["state"] == "resolved" else "replied", "state": record["state"],
        "first_reply_at": case["first_reply_at"] or stamp, "last_reply_at": stamp})
    audit.record(db, user, "reply_case", f"case:{case['id']}", {"kind": kind, "state": record["state"],
                                                                "entry": entry_id})
    notices.reply_received(db, case["id"], record["state"])
    return entry_id


@writes
def set_published(db: Database, user, reply_id: int, published: bool) -> None:
    """Organizer decides whether a reply appears on the public page."""
    policy.require(user, "forward_proposals")
    row = next(db["replies"].rows_where("id = ?", [reply_id]), None)
    if row is None:
        raise ValidationError("答复不存在。")
    db["replies"].update(reply_id, {"published": int(bool(published))})
    audit.record(db, user, "publish_reply" if published else "unpublish_reply", f"reply:{reply_id}")


IMPORT_COLUMNS = {"办理编号": "case_id", "办理状态": "state", "答复内容": "text", "办理计划": "plan",
                  "预计完成日期": "expected_date", "原因": "reason"}


def reply_template() -> pd.DataFrame:
    """An example sheet for the bulk import of replies."""
    return pd.DataFrame([
        {"办理编号": 1, "办理状态": "正在办理", "答复内容": "已安排专人核实情况，正在制定改进方案。",
         "办理计划": "本月内完成调研，下月实施", "预计完成日期": "2026-12-31", "原因": ""},
        {"办理编号": 2, "办理状态": "暂不具备条件", "答复内容": "感谢提案，经研究目前暂无法实施，说明如下。",
         "办理计划": "", "预计完成日期": "", "原因": "场地改造需纳入明年预算"},
    ])


@writes
def import_replies(db: Database, user, data: bytes, filename: str = "", *, now: dt.datetime | None = None) -> int:
    """Bulk replies from a .csv / .xlsx sheet (办理编号, 办理状态, 答复内容[, 办理计划, 预计完成日期, 原因]).

    Every row is checked first; one bad row rejects the whole file with the list of row errors."""
    from .spreadsheets import read_table

    policy.require(user, "answer_cases")
    now = clock.given_or_now(now)
    frame = read_table(data, filename)
    missing = [c for c in ("办理编号", "办理状态", "答复内容") if c not in frame.columns]
    if missing:
        raise ValidationError("表格缺少列：" + "、".join(missing) + "（第一行应为列名）。")
    if frame.empty:
        raise ValidationError("表格没有数据行。")
    frame = frame.rename(columns=IMPORT_COLUMNS).fillna("")
    errors, rows = [], []
    seen = set()
    for n, row in enumerate(frame.to_dict("records"), start=2):
        try:
            case = visible_case(db, user, str(row["case_id"]).strip().removesuffix(".0"))
            if case["id"] in seen:
                raise ValidationError("办理编号重复。")
            seen.add(case["id"])
            department = _check_can_reply(db, user, case)
            record = _clean_reply(str(row["state"]).strip(), row["text"], row.get("plan", ""),
                                  row.get("expected_date") or None, row.get("reason", ""))
            rows.append((case, department, record))
        except (ValidationError, PermissionDenied) as error:
            errors.append(f"第 {n} 行：{error}")
    if errors:
        more = f"（另有 {len(errors) - 20} 行错误）" if len(errors) > 20 else ""
        raise ValidationError("导入未执行，请修改后重新上传：\n" + "\n".join(errors[:20]) + more)
    with db.atomic():
        for case, department, record in rows:
            _insert_reply(db, user, case_row(db, case["id"]), department, record, None, True, now)
        audit.record(db, user, "import_replies", "replies", {"rows": len(rows), "file": filename})
    return len(rows)
