"""Contests year after year: the organizer starts the next year from this one, switches to last
year (read-only: a change is refused), and a student of last year signs in with the same account."""
from playwright.sync_api import expect

from tests.browser.helpers import alert, choose, goto_page, login, shot, wait_idle


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
    choose(page, "contest_view", "往届，只读")
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
    choose(page, "contest_view", "本届")
    expect(sidebar.get_by_text("正在查看往届比赛", exact=False)).to_have_count(0)
    goto_page(page, "全部提案")
    expect(page.get_by_text("没有符合条件的提案")).to_be_visible()

    # a student of last year signs in with the same account, writes about a known issue and sees
    # last year's reply of the department
    login(page, server, "student1")
    goto_page(page, "我的提案")
    expect(page.get_by_test_id("stSidebar").get_by_text("参赛学生", exact=False)).to_be_visible()
    shot(page, "contests_04_student_same_account")
    goto_page(page, "撰写提案")
    page.get_by_label("标题").fill("希望学生公寓热水全天供应")
    page.get_by_label("问题描述").fill("东区学生公寓热水只在中午和晚上两个时段供应，早上晨跑后没有热水洗澡，很不方便。")
    page.get_by_role("button", name="查找相似提案").click()
    wait_idle(page)
    earlier = page.locator(".st-key-earlier_answers")
    expect(earlier.get_by_text("往年相似提案及答复")).to_be_visible()
    expect(earlier.get_by_text("建议延长学生公寓热水供应时间", exact=False)).to_be_visible()
    expect(earlier.get_by_text("晚间供水时间延长至 24:00", exact=False)).to_be_visible()
    expect(earlier.get_by_text("承办：后勤保障处", exact=False)).to_be_visible()
    earlier.scroll_into_view_if_needed()
    shot(page, "contests_05_last_years_reply")


def test_organizer_imports_a_summary_sheet_with_a_title_row(page, server, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["某某大学第九次学代会提案汇总表"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "提案题目", "提案人", "学号", "提案类别", "问题描述", "调研情况", "具体建议", "承办单位"])
    ws.append([1, "关于二食堂增开午餐窗口的建议", "汇总表同学", 2099000001.0, None,
               "二食堂午餐高峰排队超过二十分钟，窗口开放不足，很多同学下午第一节课迟到。",
               "我们连续两周在午餐高峰统计排队时间，平均二十三分钟，七成同学希望增加窗口。",
               "建议二食堂在十一点半到十二点半增开三个窗口，并公示各窗口的排队人数和菜价。", "后勤保障处"])
    ws.append([2, "短", None, None, "不存在的类别", "太短", "太短", "太短", "宣传部"])
    path = tmp_path / "提案汇总表.xlsx"
    book.save(path)
    login(page, server, "organizer")
    goto_page(page, "导入提案")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_idle(page, settle=1.0)
    expect(page.get_by_text("表头在第 2 行（上方的标题行已跳过）；未导入的列：序号。")).to_be_visible()
    expect(page.get_by_text("表中可导入 1 行，有错误 1 行（共 7 个问题）。")).to_be_visible()
    expect(alert(page, "以下是表中的全部问题")).to_be_visible()
    shot(page, "contests_06_import_preview_errors")
