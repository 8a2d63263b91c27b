"""Attachments of a proposal: up to 3 files (PDF, PNG/JPEG, XLSX/CSV), 10 MB each.

Files are recognised by their bytes, never by their names: a program renamed ``.pdf``
is refused. They are stored under generated names in ``attachments/`` next to the
database file, outside any folder the web server serves, and read back only through
``read`` after ``can_download`` allowed it.

Who may download: the proposal's authors (co-authors once it is submitted), organizers,
judges with a published assignment to it (while it is 立案), and the staff of a department
it was forwarded to (lead or co-handling).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import uuid
import zipfile
from pathlib import Path

from sqlite_utils import Database

from . import audit, clock, db as database, policy, proposals
from .accounts import User
from .db import get_row, writes
from .errors import PermissionDenied, ValidationError

MAX_FILES = 3
MAX_BYTES = 10 * 1024 * 1024
KINDS = {  # kind -> (label, allowed extensions, MIME type)
    "pdf": ("PDF", (".pdf",), "application/pdf"),
    "png": ("PNG 图片", (".png",), "image/png"),
    "jpeg": ("JPEG 图片", (".jpg", ".jpeg"), "image/jpeg"),
    "xlsx": ("Excel 表格", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("CSV 表格", (".csv",), "text/csv"),
}
ACCEPTED = "PDF、PNG/JPEG 图片、XLSX/CSV 表格"
UPLOAD_TYPES = ["pdf", "png", "jpg", "jpeg", "xlsx", "csv"]  # for st.file_uploader; the bytes decide

# --- recognising files by their bytes -----------------------------------------


def detect_kind(data: bytes) -> str | None:
    """'pdf', 'png', 'jpeg', 'xlsx' or 'csv' from the content, or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        return None
    if b"\x00" in data:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Text, not a binary that happens to decode: no control characters but tab / line breaks.
        if not re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]", text):
            return "csv"
    return None


def _clean_name(filename: str) -> str:
    name = Path(str(filename or "").replace("\\", "/")).name.strip()
    name = re.sub(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]", "", name)
    return name[:100] or "附件"


def check_file(filename: str, data: bytes) -> str:
    """The kind of an acceptable file, or ValidationError with a Chinese message."""
    name = _clean_name(filename)
    if not data:
        raise ValidationError(f"附件“{name}”是空文件。")
    if len(data) > MAX_BYTES:
        raise ValidationError(f"附件“{name}”超过 10 MB（{len(data) / 1024 / 1024:.1f} MB）。")
    kind = detect_kind(data)
    if kind is None:
        raise ValidationError(f"附件“{name}”不是允许的文件类型，只接受 {ACCEPTED}（按文件内容判断）。")
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS[kind][1]:
        raise ValidationError(f"附件“{name}”的内容是 {KINDS[kind][0]}，与扩展名不符，请改正扩展名后再上传。")
    return kind


# --- storage --------------------------------------------------------------------


def storage_dir(db: Database) -> Path:
    """``attachments/`` next to this connection's database file."""
    path = None
    for row in db.execute("PRAGMA database_list").fetchall():
        if row[1] == "main" and row[2]:
            path = Path(row[2])
    folder = (path or database.db_path()).parent / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- permissions ------------------------------------------------------------------


def can_download(db: Database, user: User | None, proposal_id: int) -> bool:
    """Whether ``user`` may see this proposal's attachments."""
    if user is None:
        return False
    try:
        proposal_id = int(proposal_id)
    except (TypeError, ValueError):
        return False
    if policy.allows(user, "read_all_proposals"):
        return True
    if policy.allows(user, "read_own_proposals"):  # authors; co-authors once it is submitted
        try:
            proposals.get(db, user, proposal_id)
        except PermissionDenied:
            return False
        return True
    return policy.is_assigned_judge(db, user, proposal_id) or policy.handles_proposal(db, user, proposal_id)


def _require_download(db: Database, user: User, proposal_id: int) -> None:
    if not can_download(db, user, proposal_id):
        raise PermissionDenied("无权查看该提案的附件。")


# --- use ----------------------------------------------------------------------


def list_for(db: Database, user: User, proposal_id: int) -> list[dict]:
    """The proposal's attachments (id, filename, kind, size, uploaded_at), oldest first."""
    _require_download(db, user, proposal_id)
    rows = list(db["attachments"].rows_where("proposal_id = ?", [int(proposal_id)], order_by="id"))
    return [{k: r[k] for k in ("id", "filename", "kind", "size", "uploaded_at")}
            | {"filename": _offered_name(user, r, rows)} for r in rows]


def _offered_name(user: User, row: dict, siblings: list[dict]) -> str:
    """The file name a user is given: judges review blind, so they get 附件1.pdf … (like
    ``score_sheets.blind_proposal``) instead of the uploaded name, which may carry an author's name."""
    if not policy.allows(user, "review_proposals"):
        return row["filename"]
    number = next(i for i, r in enumerate(siblings, start=1) if r["id"] == row["id"])
    return f"附件{number}{Path(row['filename'] or '').suffix.lower()}"


@writes
def add(db: Database, user: User, proposal_id: int, filename: str, data: bytes, *,
        now: dt.datetime | None = None) -> int:
    """The submitter attaches a file while the proposal can still be edited; returns its id."""
    policy.require(user, "write_proposals")
    now = now or clock.now()
    proposal = proposals.get(db, user, proposal_id)
    _require_editable(db, user, proposal, now)
    kind = check_file(filename, data)
    name = _clean_name(filename)
    stored = f"{uuid.uuid4().hex}{KINDS[kind][1][0]}"
    path = storage_dir(db) / stored
    path.write_bytes(data)
    try:
        with db.atomic():
            if db["attachments"].count_where("proposal_id = ?", [proposal["id"]]) >= MAX_FILES:
                raise ValidationError(f"每件提案最多 {MAX_FILES} 个附件，请先删除不需要的附件。")
            attachment_id = db["attachments"].insert({
                "proposal_id": proposal["id"], "filename": name, "stored_name": stored, "kind": kind,
                "size": len(data), "uploaded_by": user.id, "uploaded_at": clock.iso(now)}).last_pk
            audit.record(db, user, "add_attachment", f"proposal:{proposal['id']}",
                         {"attachment": attachment_id, "filename": name, "kind": kind, "size": len(data)})
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return attachment_id


def _require_editable(db: Database, user: User, proposal: dict, now: dt.datetime) -> None:
    if proposal["submitter_id"] != user.id:
        raise PermissionDenied("只有提交人可以修改附件。")
    allowed, reason = proposals.can_edit(db, user, proposal, now)
    if not allowed:
        raise ValidationError(reason)


def _attachment(db: Database, attachment_id: int) -> dict:
    return get_row(db, "attachments", attachment_id, PermissionDenied("附件不存在或无权查看。"))


@writes
def remove(db: Database, user: User, attachment_id: int, *, now: dt.datetime | None = None) -> None:
    """The submitter deletes an attachment while the proposal can still be edited."""
    policy.require(user, "write_proposals")
    now = now or clock.now()
    row = _attachment(db, attachment_id)
    proposal = proposals.get(db, user, row["proposal_id"])
    _require_editable(db, user, proposal, now)
    with db.atomic():
        db["attachments"].delete(row["id"])
        audit.record(db, user, "remove_attachment", f"proposal:{row['proposal_id']}",
                     {"attachment": row["id"], "filename": row["filename"]})
    (storage_dir(db) / row["stored_name"]).unlink(missing_ok=True)


def read(db: Database, user: User, attachment_id: int) -> tuple[str, str, bytes]:
    """(file name to offer, MIME type, bytes) for a user allowed to download it (judges get a neutral name)."""
    row = _attachment(db, attachment_id)
    if not can_download(db, user, row["proposal_id"]):
        raise PermissionDenied("附件不存在或无权查看。")
    path = storage_dir(db) / Path(row["stored_name"]).name
    if not path.is_file():
        raise ValidationError("附件文件已丢失，请联系组织者。")
    siblings = list(db["attachments"].rows_where("proposal_id = ?", [row["proposal_id"]], order_by="id"))
    return _offered_name(user, row, siblings), KINDS[row["kind"]][2], path.read_bytes()


def size_label(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"
