"""审计日志: the whole log is searched, page by page."""
from contest import audit
from contest.vocabulary import AuditAction


def test_an_entry_older_than_the_newest_500_is_found_and_pages_turn(app_as, fresh_db, people):
    org = people["organizer"]
    audit.record(fresh_db, org, AuditAction.UPDATE_SETTINGS, "settings", {"contest_name": "很早的独特名称"})
    for i in range(600):
        audit.record(fresh_db, org, AuditAction.UPDATE_SETTINGS, "settings", {"n": i})
    total = fresh_db["audit_log"].count
    at = app_as("organizer", "app_pages/audit_log.py")
    assert len(at.dataframe[0].value) == 200
    assert any(f"共 {total} 条记录" in c.value for c in at.caption)
    at.number_input[0].set_value(4).run()
    assert not at.exception and len(at.dataframe[0].value) == total - 600
    at.text_input[0].input("很早的独特名称").run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert len(frame) == 1 and "很早的独特名称" in frame["detail"].iloc[0]
    assert any("共 1 条记录" in c.value for c in at.caption)
