"""Feedback-meeting journey on the demo contest: the organizer plans a 教学专题 meeting with two departments and
three proposals and records the outcomes; the department sees its commitment and invitation, the student the
meeting in the proposal's progress and inbox; the report sentence counts the meeting."""
import csv
import json
import re

from playwright.sync_api import expect

from contest.demo import DEMO_DIR
from tests.browser.helpers import alert, choose, goto_page, login, shot, wait_idle

MEETINGS = re.compile(r"组织提案对接会(\d+)场")


def meetings_in_sentence(page) -> int:
    text = page.get_by_test_id("stCode").first.inner_text()
    match = MEETINGS.search(text)
    assert match, text
    return int(match[1])


def pick_many(page, key: str, texts: list[str]) -> None:
    """Choose options (by a part of their text) in the multiselect with widget key ``key``."""
    for text in texts:
        page.locator(f".st-key-{key} input").click()
        page.keyboard.type(text)
        page.get_by_role("option").filter(has_text=text).first.click()
    page.keyboard.press("Escape")


def test_plan_a_meeting_record_outcomes_and_everyone_sees_them(page, server):
    items = json.loads((DEMO_DIR / "proposals.json").read_text(encoding="utf-8"))
    names = {d["code"]: d["name"] for d in csv.DictReader(open(DEMO_DIR / "departments.csv", encoding="utf-8"))}
    valid = [(n, x) for n, x in enumerate(items, start=1) if x["status"] == "valid"]  # ids follow the file
    jwc = [(n, x) for n, x in valid if x["department"] == "jwc"][:2]
    other = next((n, x) for n, x in valid if x["department"] not in ("jwc",) and x["topic"] == "teaching")
    agenda = jwc + [other]
    second = other[1]["department"]

    # --- organizer: the report before, then plan the meeting
    login(page, server, "organizer")
    goto_page(page, "提案工作报告")
    before = meetings_in_sentence(page)
    goto_page(page, "提案对接会")
    page.get_by_role("tab", name="筹备对接会").click()
    wait_idle(page)
    page.locator(".st-key-mt_title input").fill("首场提案工作反馈会")
    choose(page, "mt_theme", "教学专题")
    page.locator(".st-key-mt_place input").fill("学生活动中心 201")
    pick_many(page, "mt_depts", [names["jwc"], names[second]])
    pick_many(page, "mt_agenda", [f"#{n} " for n, _ in agenda])
    shot(page, "meetings_01_plan")
    page.get_by_role("button", name="创建对接会").click()
    wait_idle(page)
    expect(alert(page, "已创建")).to_be_visible(timeout=20_000)

    # --- record the outcome of the first jwc proposal and of the other department's proposal
    page.get_by_role("tab", name="记录结果与纪要").click()
    wait_idle(page)
    promises = {jwc[0][0]: ("jwc", "下学期起教务处开放空闲教室查询并延长开放时间"),
                other[0]: (second, f"{names[second]}在本学期内完成整改并公布进展")}
    for pid, (code, text) in promises.items():
        choose(page, "mt_item", f"#{pid} ")
        choose(page, "mt_item_dept", names[code])
        page.locator(".st-key-mt_commitment textarea").fill(text)
        page.get_by_role("button", name="保存对接结果").click()
        wait_idle(page)
        expect(alert(page, "会议记为已召开")).to_be_visible(timeout=20_000)
    page.locator(f".st-key-mt_minutes_{1} textarea").fill("会议纪要：两个部门逐件回应了议程中的三件提案。")
    page.get_by_role("button", name="保存纪要").click()
    wait_idle(page)
    expect(alert(page, "纪要已保存")).to_be_visible(timeout=20_000)
    shot(page, "meetings_02_outcomes")

    # --- the report counts the meeting
    goto_page(page, "提案工作报告")
    assert meetings_in_sentence(page) == before + 1
    expect(page.get_by_test_id("stCode").first).to_contain_text("首场提案对接会（教学专题）")
    shot(page, "meetings_03_report")

    # --- the department: its commitment on the queue, the invitation in its inbox (unread count in the sidebar)
    login(page, server, "dept-jwc")
    expect(page.get_by_test_id("stSidebarNav").get_by_text(re.compile(r"^消息 · \d+$"))).to_be_visible()
    goto_page(page, "待办提案")
    expect(page.get_by_test_id("stExpander").filter(has_text="提案对接会上的承诺")).to_be_visible(timeout=20_000)
    shot(page, "meetings_04_department_queue")
    page.get_by_test_id("stSidebarNav").get_by_text(re.compile(r"^消息")).click()
    wait_idle(page)
    expect(page.get_by_text("提案对接会邀请：首场提案工作反馈会").first).to_be_visible()
    shot(page, "meetings_05_department_inbox")

    # --- the student: the meeting and its outcome in the proposal's progress, the invitation in the inbox
    pid, item = jwc[0]
    login(page, server, f"student{item['author']}")
    goto_page(page, "我的提案")
    choose(page, "mp_choice", f"#{pid} ")
    progress = page.get_by_test_id("stMarkdownContainer").filter(has_text="进度：").first
    expect(progress).to_contain_text("列入对接会")
    expect(progress).to_contain_text("对接会结果")
    shot(page, "meetings_06_student_timeline")
    page.get_by_test_id("stSidebarNav").get_by_text(re.compile(r"^消息")).click()
    wait_idle(page)
    expect(page.get_by_text("你的提案在本次会议的议程中").first).to_be_visible()
