"""Follow-up journey on the demo contest: the organizer forwards a proposal, the department replies,
the author rates the reply, and the dashboard and its summary sentence count the new case."""
import csv
import json
import re

from playwright.sync_api import expect

from contest.demo import DEMO_DIR
from tests.browser.helpers import alert, choose, goto_page, login, metric, shot, wait_idle

SUMMARY = re.compile(r"对接提案(\d+)件，移交率([\d.]+)%；其中(\d+)件提案得到回复，已解决(\d+)件，(\d+)件正在回复中")


def summary(page) -> tuple[int, ...]:
    text = page.get_by_test_id("stCode").first.inner_text()
    match = SUMMARY.search(text)
    assert match, text
    return int(match[1]), float(match[2]), int(match[3]), int(match[4]), int(match[5])


def test_forward_reply_rate_and_dashboard_update(page, server):
    # --- organizer: the dashboard before, then forward the first waiting proposal to its suggested department
    login(page, server, "organizer")
    goto_page(page, "办理追踪")
    before = summary(page)
    satisfaction_before = metric(page, "满意率")
    shot(page, "followup_01_dashboard_before")

    goto_page(page, "提案转办")
    shot(page, "followup_02_forwarding")
    page.get_by_role("tab", name="单件 / 合并转办").click()
    wait_idle(page)
    items = json.loads((DEMO_DIR / "proposals.json").read_text(encoding="utf-8"))
    pid, item = next((n, x) for n, x in enumerate(items, start=1) if x["status"] == "valid")  # ids follow the file
    title = item["title"]
    choose(page, "one_pid", f"#{pid} ")
    departments = {d["code"]: d["name"] for d in csv.DictReader(open(DEMO_DIR / "departments.csv", encoding="utf-8"))}
    lead = page.locator(".st-key-one_lead input").input_value()
    assert lead == departments[item["department"]]  # pre-filled with the proposal's suggested department
    page.get_by_role("button", name="转办", exact=True).click()
    wait_idle(page)
    message = alert(page, "已转办，办理编号").inner_text()
    case_id = re.search(r"办理编号 (\d+)", message)[1]
    shot(page, "followup_03_forwarded")

    # --- department: the case is in the queue; answer it as resolved
    login(page, server, f"dept-{item['department']}")
    goto_page(page, "待办提案")
    choose(page, "queue_case", f"#{case_id} ")
    expect(page.get_by_test_id("stExpander").filter(has_text=title)).to_be_visible(timeout=20_000)
    shot(page, "followup_04_department_queue")
    page.locator(".st-key-reply_state").get_by_text("已解决").click()
    page.locator(".st-key-reply_text textarea").fill("经核实已完成整改，相关措施已于本周落实并将持续跟进，欢迎同学们监督。")
    page.locator(".st-key-reply_text").scroll_into_view_if_needed()
    page.screenshot(path=str(shot(page, "followup_04b_reply_form")))  # the visible part, around the form
    page.get_by_role("button", name="提交答复").click()
    wait_idle(page)
    expect(alert(page, "答复已提交")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("本件已办结").first).to_be_visible(timeout=20_000)
    shot(page, "followup_05_replied")

    # --- the author rates the reply on 我的提案
    login(page, server, f"student{item['author']}")
    goto_page(page, "我的提案")
    choose(page, "mp_choice", f"#{pid} ")
    page.locator(f".st-key-rate_level_{pid}").get_by_text("满意", exact=True).click()
    page.locator(f".st-key-rate_comment_{pid} textarea").fill("答复及时，问题已解决。")
    page.locator(f".st-key-rate_comment_{pid}").scroll_into_view_if_needed()
    page.screenshot(path=str(shot(page, "followup_05b_rating_form")))
    page.get_by_role("button", name="提交评价").click()
    wait_idle(page)
    expect(alert(page, "评价已提交")).to_be_visible(timeout=20_000)
    shot(page, "followup_06_rated")

    # --- organizer: the dashboard and its sentence count the new case
    login(page, server, "organizer")
    goto_page(page, "办理追踪")
    after = summary(page)
    assert after[0] == before[0] + 1  # forwarded
    assert after[1] > before[1]  # 移交率
    assert after[2] == before[2] + 1  # replied
    assert after[3] == before[3] + 1  # resolved
    assert after[4] == before[4]  # still awaiting a reply
    assert metric(page, "满意率") != satisfaction_before
    shot(page, "followup_07_dashboard_after")

    # --- everyone: the public page lists it with the department and the reply, without names
    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    goto_page(page, "提案办理公开")
    page.get_by_label("搜索标题").fill(title[:6])
    page.keyboard.press("Enter")
    wait_idle(page)
    choose(page, "public_case", f"#{case_id} ")
    expect(page.get_by_text("经核实已完成整改").first).to_be_visible(timeout=20_000)
    shot(page, "followup_08_public")
