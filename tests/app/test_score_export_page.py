"""评审进度 offers the per-criterion scores and comments export to organizers."""
from contest import review_assignments, score_sheets
from tests.helpers import FULL, NOW, add_judging_proposal


def test_progress_page_has_the_score_details_download(app_as, fresh_db, people):
    org = people["organizer"]
    pid = add_judging_proposal(fresh_db, people["alice"], topic="life")
    review_assignments.add_assignment(fresh_db, org, pid, people["judge"].id, now=NOW)
    review_assignments.publish_assignments(fresh_db, org)
    score_sheets.submit_sheet(fresh_db, people["judge"], pid, FULL, "很好", now=NOW)
    at = app_as("organizer", "app_pages/judging_progress.py")
    assert not at.exception
    assert any("评分明细" in b.label for b in at.get("download_button"))
