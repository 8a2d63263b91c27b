"""An out-of-range score on the score sheet is refused with what is wrong (应在 0–10 之间), not as
尚未填写, and what was typed stays."""
from playwright.sync_api import expect

from tests.browser.helpers import alert, goto_page, login, shot, wait_idle


def test_out_of_range_score_says_so(page, server):
    login(page, server, "judge3")
    goto_page(page, "评审任务")
    page.get_by_role("button", name="打开评分表").click()
    wait_idle(page)
    inputs = page.locator("[class*='st-key-score_'] input[type='number']")
    expect(inputs).to_have_count(5)
    for box, value in zip(inputs.all(), [12, 7, 7, 6, 9]):
        box.fill(str(value))
        box.press("Tab")
        wait_idle(page)
    page.get_by_role("button", name="提交", exact=True).click()
    wait_idle(page)
    expect(alert(page, "之间，当前为 12")).to_be_visible()
    expect(alert(page, "尚未填写")).to_have_count(0)
    expect(inputs.first).to_have_value("12.0")
    shot(page, "judging_out_of_range")
