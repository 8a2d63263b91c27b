"""Participant journey: register, draft, leave, come back, submit, follow; the organizer screens it."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import alert, goto_page, login, open_app, shot, wait_idle

STUDENT_NO = "2125999101"
PASSWORD = "journey-pass1"
TITLE = "![x](http://example.com/t.png)宿舍热水供应时间太短"
PROBLEM = "宿舍楼热水只在晚上九点到十一点供应，晚课和实验结束后回到宿舍常常已经没有热水，冬天洗漱很不方便。"
INVESTIGATION = "我们在三栋宿舍楼发放问卷 156 份，回收 149 份，其中 72% 的同学表示每周至少两次错过热水时间。"
SUGGESTIONS = "建议把热水供应延长到晚上十二点，并在期末考试周改为全天供应；同时在宿舍楼公布热水时间表。"


def choose(page, label: str, option: str, typed: str | None = None) -> None:
    box = page.get_by_role("combobox", name=label)
    box.click()
    if typed:  # long lists are virtualised: filter by typing first
        box.fill(typed)
    page.get_by_role("option", name=option).first.click()
    wait_idle(page)


def test_student_drafts_submits_and_sees_screening(page, server):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "example.com" in r.url else None)

    # register
    open_app(page, server)
    goto_page(page, "学生注册")
    page.get_by_label("学号").fill(STUDENT_NO)
    page.get_by_label("姓名").fill("旅程同学")
    page.get_by_label("学院").click()
    page.get_by_role("option", name="管理学院").click()
    page.get_by_label("邮箱", exact=True).and_(page.get_by_role("textbox")).fill("journey@stu.example.edu.cn")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    wait_idle(page)
    expect(alert(page, "注册成功")).to_be_visible()

    # a half-written draft: submitting is refused, nothing typed is lost, the draft is saved
    goto_page(page, "撰写提案")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("问题描述").fill(PROBLEM)
    page.get_by_role("button", name="提交").click()
    wait_idle(page)
    expect(alert(page, "还不能提交")).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value(TITLE)
    shot(page, "submission_01_draft_refused")

    # leave (log out), come back, find the draft with everything saved
    page.get_by_role("button", name="退出登录").click()
    wait_idle(page)
    login(page, server, STUDENT_NO, PASSWORD)
    goto_page(page, "撰写提案")
    choose(page, "选择提案（新建或继续编辑自己的提案）", f"{TITLE} · 草稿")
    expect(page.get_by_label("标题")).to_have_value(TITLE)
    expect(page.get_by_label("问题描述")).to_have_value(PROBLEM)
    choose(page, "议题", "后勤生活")
    choose(page, "建议承办部门", "后勤保障处")
    page.get_by_label("调研情况").fill(INVESTIGATION)
    page.get_by_label("建议措施").fill(SUGGESTIONS)
    shot(page, "submission_02_form_filled")
    page.get_by_role("button", name="提交").click()
    wait_idle(page)
    expect(alert(page, "提案已提交")).to_be_visible()
    expect(page.get_by_role("button", name="保存修改")).to_be_visible()

    # 我的提案: submitted, the title shown as text
    goto_page(page, "我的提案")
    expect(page.get_by_role("combobox", name="查看提案")).to_have_value(re.compile(r"宿舍热水供应时间太短 · 已提交$"))
    expect(page.locator("strong", has_text="已立案")).to_have_count(0)
    expect(page.get_by_test_id("stText").filter(has_text=TITLE).first).to_be_visible()
    shot(page, "submission_03_my_proposals_submitted")

    # the organizer marks it 立案
    login(page, server, "organizer")
    goto_page(page, "立案审查")
    shot(page, "submission_04_screening_queue")
    choose(page, "要阅读和审查的提案", TITLE, typed="宿舍热水供应")
    page.get_by_role("button", name="立案", exact=True).click()
    wait_idle(page)
    expect(alert(page, "已立案")).to_be_visible()
    shot(page, "submission_05_screened")
    goto_page(page, "全部提案")
    page.get_by_label("搜索").fill("热水")
    page.get_by_label("搜索").press("Enter")
    wait_idle(page)
    shot(page, "submission_06_all_proposals")

    # the student sees the new status in the timeline
    login(page, server, STUDENT_NO, PASSWORD)
    goto_page(page, "我的提案")
    expect(page.get_by_role("combobox", name="查看提案")).to_have_value(re.compile(r"宿舍热水供应时间太短 · 已立案$"))
    expect(page.locator("strong", has_text="已立案")).to_be_visible()  # a done step of the timeline
    shot(page, "submission_07_student_sees_valid")
    assert fetched == [], f"a markdown image in user text was fetched: {fetched}"
