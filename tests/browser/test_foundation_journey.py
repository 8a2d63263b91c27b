"""Foundation journey: a new student registers; the organizer changes a setting."""
from playwright.sync_api import expect

from tests.browser.helpers import alert, goto_page, login, open_app, shot, wait_idle


def test_login_page_lists_demo_accounts(page, server):
    open_app(page, server)
    expect(page.get_by_text("所有演示账号的密码都是 demo1234")).to_be_visible()
    shot(page, "foundation_01_login")


def test_new_student_registers_and_lands_on_their_pages(page, server):
    open_app(page, server)
    goto_page(page, "学生注册")
    page.get_by_label("学号").fill("2125999001")
    page.get_by_label("姓名").fill("<b>新同学</b>")
    page.get_by_label("学院").click()
    page.get_by_role("option", name="管理学院").click()
    page.get_by_label("邮箱", exact=True).and_(page.get_by_role("textbox")).fill("new@stu.example.edu.cn")
    page.get_by_label("密码", exact=True).fill("short")
    page.get_by_label("确认密码").fill("short")
    page.get_by_role("button", name="注册").click()
    wait_idle(page)
    expect(alert(page, "密码至少 8 位")).to_be_visible()
    expect(page.get_by_label("学号")).to_have_value("2125999001")  # nothing typed is lost
    page.get_by_label("密码", exact=True).fill("goodpass123")
    page.get_by_label("确认密码").fill("goodpass123")
    page.get_by_role("button", name="注册").click()
    wait_idle(page)
    expect(alert(page, "注册成功")).to_be_visible()
    # The name with HTML is shown as text in the sidebar, not rendered as bold markup.
    expect(page.get_by_test_id("stSidebar").get_by_text("<b>新同学</b>（参赛学生）")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("撰写提案")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("比赛设置")).to_have_count(0)
    shot(page, "foundation_02_registered")


def test_wrong_password_then_organizer_changes_a_setting(page, server):
    open_app(page, server)
    page.get_by_label("用户名或学号").fill("organizer")
    page.get_by_label("密码", exact=True).fill("wrong-pass1")
    page.get_by_role("button", name="登录").click()
    wait_idle(page)
    expect(alert(page, "用户名或密码错误")).to_be_visible()
    login(page, server, "organizer")
    shot(page, "foundation_03a_organizer_home")
    goto_page(page, "比赛设置")
    name = page.get_by_label("比赛名称")
    name.fill("")
    page.get_by_role("button", name="保存基本信息").click()
    wait_idle(page)
    expect(alert(page, "请填写比赛名称")).to_be_visible()
    name.fill("第九届“集智思源”学生提案大赛")
    page.get_by_role("button", name="保存基本信息").click()
    wait_idle(page)
    expect(alert(page, "基本信息已保存")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("第九届“集智思源”学生提案大赛", exact=False)).to_be_visible()
    shot(page, "foundation_03_settings_saved")
    goto_page(page, "审计日志")
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    shot(page, "foundation_04_audit_log")
