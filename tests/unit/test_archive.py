"""An archive that answers: last year's proposals on the same issue with their department and reply."""
import pandas as pd

from contest import archive, contests, forwarding, replies
from tests.helpers import (CANTEEN_PRICE, CLUB, EXAMS, NETWORK, NOW, SHUTTLE, insert_proposal, topic_fields)

PRICE_REPLY = "后勤保障处已于九月起在一、二食堂各设两个平价窗口，荤菜控制在八元以内，每月公示成本。"


def last_year(db, people):
    """Last year's contest: the canteen-price proposal answered by 后勤保障处, and a few others."""
    org = people["organizer"]
    ids = {}
    for item in (CANTEEN_PRICE, SHUTTLE[0], CLUB, NETWORK, EXAMS):
        fields = topic_fields(item)
        ids[item[0]] = insert_proposal(db, people["alice"], status="valid", department="hqc", **fields)
    case = forwarding.forward(db, org, ids[CANTEEN_PRICE[0]], "hqc", now=NOW)
    replies.reply(db, people["dept2"], case, "planned", PRICE_REPLY, plan="九月起设平价窗口", now=NOW)
    exam_case = forwarding.forward(db, org, ids[EXAMS[0]], "jwc", now=NOW)
    replies.reply(db, people["dept"], exam_case, "planned", "教务处将把期末考试分散到两周内，并错开课程设计截止时间。",
                  now=NOW, published=False)
    return contests.start_new_year(db, org, contest_name="第二届", year=2027, now=NOW)


def test_a_proposal_about_a_known_issue_shows_last_years_reply(fresh_db, people):
    last_year(fresh_db, people)
    draft = "食堂菜价太贵了，一份荤菜十几块钱，希望后勤控制饭菜价格，多开平价窗口"
    hits = archive.earlier_answers(fresh_db, people["bob"], draft)
    assert hits and hits[0]["title"] == CANTEEN_PRICE[0]
    first = hits[0]
    assert (first["year"], first["department_name"], first["reply"]) == (2026, "后勤保障处", PRICE_REPLY)
    assert first["reply_state"] and first["similarity"] >= archive.THRESHOLD
    assert "alice" not in repr(hits) and "艾丽" not in repr(hits)  # never who wrote it
    # the organizer forwarding a new proposal and the department answering see it too
    for who in ("organizer", "dept2"):
        assert archive.earlier_answers(fresh_db, people[who], draft)[0]["reply"] == PRICE_REPLY
    # an unrelated text finds nothing
    unrelated = archive.earlier_answers(fresh_db, people["bob"], "宿舍楼下的自行车停放区需要加装雨棚")
    assert CANTEEN_PRICE[0] not in [h["title"] for h in unrelated]


def test_students_see_published_replies_only(fresh_db, people):
    last_year(fresh_db, people)
    text = "期末考试都挤在同一周，复习时间不够，建议教务处把考试分散安排"
    student = archive.earlier_answers(fresh_db, people["bob"], text)[0]
    assert student["title"] == EXAMS[0] and student["department_name"] == "教务处" and student["reply"] == ""
    staff = archive.earlier_answers(fresh_db, people["organizer"], text)[0]
    assert staff["reply"].startswith("教务处将把期末考试分散")


def test_no_archive_no_answers_and_judges_may_not_search(fresh_db, people):
    import pytest

    from contest.errors import PermissionDenied

    assert archive.earlier_answers(fresh_db, people["bob"], "食堂菜价太贵，希望控制饭菜价格") == []
    with pytest.raises(PermissionDenied):
        archive.earlier_answers(fresh_db, people["judge"], "食堂菜价太贵，希望控制饭菜价格")


def test_yearly_comparison_of_topics_and_rates(fresh_db, people):
    last_year(fresh_db, people)
    insert_proposal(fresh_db, people["bob"], status="valid", **topic_fields(SHUTTLE[1]))
    insert_proposal(fresh_db, people["bob"], status="submitted", **topic_fields(SHUTTLE[2]))
    rates, topics = archive.yearly_comparison(fresh_db, people["organizer"])
    assert list(rates["year"]) == [2026, 2027]
    old, new = rates.to_dict("records")
    assert (old["proposals"], old["valid_share"], old["forwarded"], old["replied_share"]) == (5, 1.0, 2, 1.0)
    assert (new["proposals"], new["valid_share"], new["forwarded"]) == (2, 0.5, 0) and pd.isna(new["replied_share"])
    assert list(topics.columns) == ["2026 测试提案大赛", "2027 第二届"]
    assert topics.loc["交通出行"].tolist() == [1, 2] and topics.loc["后勤生活"].tolist() == [2, 0]
