"""AppTest: last year's proposal on the same issue and its reply, where students write, organizers
forward and departments answer; the yearly comparison on 办理追踪."""
import pytest

from contest import contests, forwarding, replies
from tests.helpers import CANTEEN_PRICE, EXAMS, NOW, WRITE, click, fill, insert_proposal, texts, topic_fields

PRICE_REPLY = "后勤保障处已于九月起在一、二食堂各设两个平价窗口，荤菜控制在八元以内，每月公示成本。"
NEW_PRICE = ("食堂菜价太贵希望控制", "life", "食堂菜价太贵了，一份荤菜十几块钱，生活费压力很大。",
             "希望后勤控制饭菜价格，多开平价窗口，公开成本。")


@pytest.fixture
def last_year(fresh_db, people):
    org = people["organizer"]
    pid = insert_proposal(fresh_db, people["alice"], status="valid", department="hqc", **topic_fields(CANTEEN_PRICE))
    insert_proposal(fresh_db, people["alice"], status="valid", **topic_fields(EXAMS))
    case = forwarding.forward(fresh_db, org, pid, "hqc", now=NOW)
    replies.reply(fresh_db, people["dept2"], case, "planned", PRICE_REPLY, plan="九月起设平价窗口", now=NOW)
    return contests.start_new_year(fresh_db, org, contest_name="第二届", year=2027, now=NOW)


def test_a_student_writing_about_a_known_issue_sees_last_years_reply(app_as, last_year):
    at = app_as("bob", WRITE)
    assert "往年相似提案及答复" not in texts(at)
    fill(at, title=NEW_PRICE[0], problem=NEW_PRICE[2], suggestions=NEW_PRICE[3])
    click(at, "查找相似提案")
    shown = texts(at)
    assert "往年相似提案及答复" in shown
    assert f"2026 年 · {CANTEEN_PRICE[0]}" in shown and "承办：后勤保障处" in shown
    assert PRICE_REPLY in shown and "艾丽" not in shown


def test_organizer_forwarding_and_department_answering_see_it(app_as, fresh_db, people, last_year):
    pid = insert_proposal(fresh_db, people["bob"], status="valid", department="hqc", **topic_fields(NEW_PRICE))
    at = app_as("organizer", "app_pages/forwarding.py")
    assert PRICE_REPLY in texts(at) and "承办：后勤保障处" in texts(at)
    forwarding.forward(fresh_db, people["organizer"], pid, "hqc", now=NOW)
    at = app_as("dept2", "app_pages/department_queue.py")
    assert not at.exception
    assert PRICE_REPLY in texts(at)


def test_yearly_comparison_on_the_dashboard(app_as, fresh_db, people, last_year):
    insert_proposal(fresh_db, people["bob"], status="valid", **topic_fields(NEW_PRICE))
    at = app_as("organizer", "app_pages/followup_dashboard.py")
    assert not at.exception
    assert "历年对比" in texts(at)
    rates = next(d.value for d in at.dataframe if "答复率" in d.value.columns)
    assert list(rates["年份"]) == [2026, 2027] and list(rates["收到提案"]) == [2, 1]
    assert list(rates["答复率"]) == ["100%", ""]
