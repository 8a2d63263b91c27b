"""Contests year after year: the organizer starts the next year from this one, switches to last
year (read-only: a change is refused), and a student of last year signs in with the same account."""
from playwright.sync_api import expect

from tests.browser.helpers import alert, goto_page, login, shot, wait_idle


def test_new_year_from_this_one_then_switch_contests(page, server):
    login(page, server, "organizer")
    goto_page(page, "全部提案")
    expect(page.get_by_text("符合条件的提案 0 件")).to_have_count(0)  # the demo contest has proposals
    goto_page(page, "历届比赛")
    page.get_by_label("新一届比赛名称").fill("第九届“集智思源”学生提案大赛")
    page.get_by_label("年份").fill("2027")
    page.get_by_text("我确认：本届比赛归档后不能再修改").click()
    page.get_by_role("button", name="归档本届并开始新一届").click()
    wait_idle(page)
    expect(alert(page, "新一届比赛已开始")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("第九届“集智思源”学生提案大赛 · 2027", exact=False).first).to_be_visible()
    shot(page, "contests_01_new_year")
    goto_page(page, "全部提案")
    expect(page.get_by_text("没有符合条件的提案")).to_be_visible()

    # switch to last year: its proposals are there, and nothing can be changed
    page.locator(".st-key-contest_view").click()
    page.get_by_role("option").filter(has_text="往届，只读").first.click()
    wait_idle(page)
    expect(sidebar.get_by_text("正在查看往届比赛：只能查看，不能修改。")).to_be_visible()
    expect(page.get_by_text("没有符合条件的提案")).to_have_count(0)
    expect(page.get_by_text("符合条件的提案", exact=False)).to_be_visible()
    shot(page, "contests_02_last_year")
    goto_page(page, "比赛设置")
    page.get_by_role("button", name="保存基本信息").click()
    wait_idle(page)
    expect(alert(page, "往届比赛的归档，只能查看，不能修改")).to_be_visible()
    shot(page, "contests_03_read_only")

    # back to this year
    page.locator(".st-key-contest_view").click()
    page.get_by_role("option").filter(has_text="本届").first.click()
    wait_idle(page)
    expect(sidebar.get_by_text("正在查看往届比赛", exact=False)).to_have_count(0)
    goto_page(page, "全部提案")
    expect(page.get_by_text("没有符合条件的提案")).to_be_visible()

    # a student of last year signs in with the same account and starts afresh
    login(page, server, "student1")
    goto_page(page, "我的提案")
    expect(page.get_by_test_id("stSidebar").get_by_text("参赛学生", exact=False)).to_be_visible()
    shot(page, "contests_04_student_same_account")
