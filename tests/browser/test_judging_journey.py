"""Judging journey on the demo contest: the organizer reassigns after a conflict and publishes,
a judge scores two proposals in the browser, the organizer sees the progress."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import alert, choose, goto_page, login, metric, shot, wait_idle


def test_organizer_assigns_judge_scores_two_organizer_sees_progress(page, server):
    # --- organizer: a declared conflict frees a slot, the automatic assignment refills it, publish
    login(page, server, "organizer")
    goto_page(page, "评审分配")
    expect(page.get_by_text("每位评委的任务量", exact=True)).to_be_visible()
    assert metric(page, "不足 3 位评委的提案") == "0"
    shot(page, "judging_01_assignment")
    page.get_by_role("tab", name="利益冲突").click()
    choose(page, "conflict_pid", "志愿服务时长")
    choose(page, "conflict_jid", "judge6")
    page.get_by_label("冲突说明").fill("评委是该提案作者的班主任")
    page.get_by_role("button", name="声明利益冲突").click()
    wait_idle(page)
    expect(alert(page, "利益冲突")).to_be_visible()
    assert metric(page, "不足 3 位评委的提案") == "1"
    page.get_by_role("tab", name="利益冲突").click()
    expect(page.get_by_test_id("stDataFrame").filter(visible=True)).to_have_count(1)  # the conflict list
    shot(page, "judging_02_conflict")
    page.get_by_role("tab", name="自动分配与发布").click()
    page.get_by_role("button", name="运行自动分配（生成草案）").click()
    wait_idle(page)
    expect(alert(page, "已生成 1 条分配草案")).to_be_visible()
    expect(page.get_by_text("待发布的草案（1 条）")).to_be_visible()
    shot(page, "judging_03_draft")
    page.get_by_role("button", name="发布 1 条分配").click()
    wait_idle(page)
    expect(alert(page, "已发布 1 条分配")).to_be_visible()
    assert metric(page, "不足 3 位评委的提案") == "0"

    # --- judge3: scores two proposals from the queue
    login(page, server, "judge3")
    goto_page(page, "评审任务")
    bar = page.get_by_test_id("stProgress")
    before = int(re.search(r"已提交 (\d+) / 24", bar.inner_text()).group(1))
    shot(page, "judging_04_queue")
    page.get_by_role("button", name="打开评分表").click()
    wait_idle(page)
    expect(page.get_by_text("匿名评审", exact=False)).to_be_visible()
    shot(page, "judging_05a_sheet_top")
    for sheet, values in enumerate(([8, 7, 7, 6, 9], [5, 6, 4, 7, 5])):
        inputs = page.locator("[class*='st-key-score_'] input[type='number']")
        expect(inputs).to_have_count(5)
        if sheet == 0:  # out of range is refused by the input itself; an empty one on submit by the domain
            page.get_by_role("button", name="提交", exact=True).click()
            wait_idle(page)
            expect(alert(page, "提交前请为每一项打分")).to_be_visible()
            shot(page, "judging_05_missing")
        for box, value in zip(inputs.all(), values):
            box.fill(str(value))
            box.press("Tab")
        page.locator("[class*='st-key-comment_'] textarea").fill("调研扎实，建议再具体一些。" if sheet == 0 else "")
        if sheet == 0:
            shot(page, "judging_06_sheet_filled")
        page.get_by_role("button", name="提交", exact=True).click()
        wait_idle(page)
        expect(alert(page, "的评分已提交")).to_be_visible()
    shot(page, "judging_07_after_submit")
    goto_page(page, "评审任务")
    expect(page.get_by_test_id("stProgress")).to_contain_text(f"已提交 {before + 2} / 24")
    goto_page(page, "批量评分")
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    shot(page, "judging_08_bulk")

    # --- organizer: progress shows the two new reviews
    login(page, server, "organizer")
    goto_page(page, "评审进度")
    assert metric(page, "已提交评审") == "74 / 144"
    expect(page.get_by_text("分歧较大的提案").first).to_be_visible()
    shot(page, "judging_09_progress")
    page.get_by_role("tab", name="按提案").click()
    wait_idle(page)
    shot(page, "judging_10_progress_proposals")
