"""AppTest: the organizer's overview shows the contest's figures from the database."""
from contest import proposals
from tests.helpers import NOW, texts


def submit(db, student, title):
    pid = proposals.save_draft(db, student, {
        "title": title, "topic": "life", "problem": "问题描述" * 5, "investigation": "调研情况" * 5,
        "suggestions": "建议措施" * 5}, now=NOW)
    proposals.submit(db, student, pid, now=NOW)
    return pid


def test_overview_counts_received_and_valid_proposals(app_as, fresh_db, people):
    first = submit(fresh_db, people["alice"], "食堂晚餐供应时间太短")
    submit(fresh_db, people["bob"], "宿舍热水供应时间有限")
    proposals.screen(fresh_db, people["organizer"], [first], True, now=NOW)
    at = app_as("organizer", "app_pages/overview.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["收到提案"] == "2" and metrics["确立有效提案"] == "1" and metrics["待审查"] == "1"
    assert "截至2026年3月10日" in texts(at)
