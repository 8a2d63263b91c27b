"""Attachments: recognised by their bytes, limits, storage outside served folders, permission."""
import datetime as dt
import io
import zipfile

import pandas as pd
import pytest

from contest import attachments, proposals
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import EXE, GOOD, NOW, PDF, accept_invitations

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
CSV = "题目,选项,人数\n是否排队超过10分钟,是,132\n".encode("utf-8")


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"问题": ["排队时间"], "人数": [132]}).to_excel(buffer, index=False)
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "hello")
    return buffer.getvalue()


@pytest.fixture
def pid(fresh_db, people):
    return proposals.save_draft(fresh_db, people["alice"], GOOD | {"coauthors": ["2023002"]}, now=NOW)


@pytest.mark.parametrize("data, kind", [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (CSV, "csv"),
                                        ("a,b\n1,2\n".encode("gb18030"), "csv")])
def test_detect_kind_by_bytes(data, kind):
    assert attachments.detect_kind(data) == kind


def test_detect_xlsx_and_refuse_other_zips():
    assert attachments.detect_kind(xlsx_bytes()) == "xlsx"
    assert attachments.detect_kind(plain_zip()) is None
    assert attachments.detect_kind(b"PK\x03\x04broken") is None


@pytest.mark.parametrize("name, data, message", [
    ("调研报告.pdf", EXE, "不是允许的文件类型"),  # a program renamed .pdf
    ("数据.csv", EXE, "不是允许的文件类型"),
    ("数据.xlsx", plain_zip(), "不是允许的文件类型"),
    ("报告.pdf", CSV, "与扩展名不符"),  # text pretending to be a PDF
    ("图片.png", PDF, "与扩展名不符"),
    ("空.pdf", b"", "空文件"),
    ("大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过 10 MB"),
])
def test_bad_files_refused(fresh_db, people, pid, name, data, message):
    with pytest.raises(ValidationError, match=message):
        attachments.add(fresh_db, people["alice"], pid, name, data, now=NOW)
    assert fresh_db["attachments"].count == 0
    assert list(attachments.storage_dir(fresh_db).iterdir()) == []


def test_exactly_ten_megabytes_accepted(fresh_db, people, pid):
    data = b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5)
    attachments.add(fresh_db, people["alice"], pid, "刚好.pdf", data, now=NOW)
    assert fresh_db["attachments"].count == 1


def test_stored_under_generated_name_next_to_database_and_read_back(fresh_db, people, pid, db_path):
    aid = attachments.add(fresh_db, people["alice"], pid, "../../etc/调研报告.pdf", PDF, now=NOW)
    row = fresh_db["attachments"].get(aid)
    assert row["filename"] == "调研报告.pdf" and row["kind"] == "pdf" and row["size"] == len(PDF)
    assert row["stored_name"] != row["filename"] and row["stored_name"].endswith(".pdf")
    stored = db_path.parent / "attachments" / row["stored_name"]
    assert stored.read_bytes() == PDF
    assert attachments.read(fresh_db, people["alice"], aid) == ("调研报告.pdf", "application/pdf", PDF)


def test_at_most_three_files(fresh_db, people, pid):
    for name, data in [("a.pdf", PDF), ("b.png", PNG), ("c.xlsx", xlsx_bytes())]:
        attachments.add(fresh_db, people["alice"], pid, name, data, now=NOW)
    with pytest.raises(ValidationError, match="最多 3 个附件"):
        attachments.add(fresh_db, people["alice"], pid, "d.csv", CSV, now=NOW)
    assert len(list(attachments.storage_dir(fresh_db).iterdir())) == 3
    first = attachments.list_for(fresh_db, people["alice"], pid)[0]
    attachments.remove(fresh_db, people["alice"], first["id"], now=NOW)
    attachments.add(fresh_db, people["alice"], pid, "d.csv", CSV, now=NOW)
    assert [a["filename"] for a in attachments.list_for(fresh_db, people["alice"], pid)] == ["b.png", "c.xlsx", "d.csv"]


def test_only_the_submitter_adds_or_removes(fresh_db, people, pid):
    aid = attachments.add(fresh_db, people["alice"], pid, "a.pdf", PDF, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    with pytest.raises(PermissionDenied):
        attachments.add(fresh_db, people["bob"], pid, "b.pdf", PDF, now=NOW)  # co-author
    with pytest.raises(PermissionDenied):
        attachments.remove(fresh_db, people["carol"], aid, now=NOW)
    with pytest.raises(PermissionDenied):
        attachments.add(fresh_db, people["organizer"], pid, "b.pdf", PDF, now=NOW)
    assert fresh_db["attachments"].count == 1


def test_no_changes_after_deadline_or_screening(fresh_db, people, pid):
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    with pytest.raises(ValidationError, match="截止"):
        attachments.add(fresh_db, people["alice"], pid, "a.pdf", PDF, now=dt.datetime(2026, 4, 5))
    proposals.screen(fresh_db, people["organizer"], [pid], True, now=NOW)
    with pytest.raises(ValidationError, match="立案审查"):
        attachments.add(fresh_db, people["alice"], pid, "a.pdf", PDF, now=NOW)


def test_download_permission(fresh_db, people, pid):
    aid = attachments.add(fresh_db, people["alice"], pid, "a.pdf", PDF, now=NOW)
    # a draft: only its submitter (and organizers)
    assert attachments.can_download(fresh_db, people["alice"], pid)
    assert attachments.can_download(fresh_db, people["organizer"], pid)
    assert not attachments.can_download(fresh_db, people["bob"], pid)  # invited, and still a draft
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    assert not attachments.can_download(fresh_db, people["bob"], pid)  # invited, not yet accepted
    accept_invitations(fresh_db, people["bob"])
    assert attachments.can_download(fresh_db, people["bob"], pid)
    for who in ("carol", "judge", "judge2", "dept", "dept2"):
        assert not attachments.can_download(fresh_db, people[who], pid), who
        with pytest.raises(PermissionDenied):
            attachments.read(fresh_db, people[who], aid)
        with pytest.raises(PermissionDenied):
            attachments.list_for(fresh_db, people[who], pid)
    assert not attachments.can_download(fresh_db, None, pid)


def test_judge_with_published_assignment_may_download(fresh_db, people, pid):
    aid = attachments.add(fresh_db, people["alice"], pid, "a.pdf", PDF, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    proposals.screen(fresh_db, people["organizer"], [pid], True, now=NOW)
    fresh_db["assignments"].insert({"proposal_id": pid, "judge_id": people["judge"].id, "published": 0})
    assert not attachments.can_download(fresh_db, people["judge"], pid)
    fresh_db["assignments"].update((pid, people["judge"].id), {"published": 1})
    assert attachments.read(fresh_db, people["judge"], aid)[2] == PDF
    assert not attachments.can_download(fresh_db, people["judge2"], pid)


def test_department_of_a_forwarded_case_may_download(fresh_db, people, pid):
    """An explicit rule of attachments, not a check some other module registers when imported."""
    assert not attachments.can_download(fresh_db, people["dept"], pid)
    case_id = fresh_db["cases"].insert({"proposal_id": pid, "department": "jwc", "status": "pending"}).last_pk
    fresh_db["case_members"].insert({"proposal_id": pid, "case_id": case_id})
    fresh_db["case_departments"].insert({"case_id": case_id, "department": "jwc", "role": "lead"})
    assert attachments.can_download(fresh_db, people["dept"], pid)
    assert not attachments.can_download(fresh_db, people["dept2"], pid)
