"""A department clerk reads the whole proposal (调研情况 included) and who proposed it; the result of
批量导入答复 stays on its tab after further clicks. Desktop and a 375 × 812 phone."""
import pytest
from playwright.sync_api import expect

from contest import db as contest_db
from tests.browser.helpers import alert, choose, demo_server, goto_page, login, shot, wait_idle


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return tmp_path_factory.mktemp("department_journey") / "contest.db"


@pytest.fixture(scope="module")
def server(demo_db):
    with demo_server(demo_db) as url:
        yield url


def _open_case(path):
    """(department user name, case id, investigation text, submitter's name) of a pending demo case."""
    db = contest_db.connect(path)
    try:
        return db.execute("""select 'dept-' || c.department, c.id, p.investigation, u.name from cases c
                             join proposals p on p.id = c.proposal_id join users u on u.id = p.submitter_id
                             where c.status = 'pending' order by c.id limit 1""").fetchone()
    finally:
        db.conn.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_department_reads_the_whole_proposal_and_keeps_the_import_result(device, device_page, server, demo_db,
                                                                         tmp_path):
    page = device_page(device)
    username, case_id, investigation, author = _open_case(demo_db)
    login(page, server, username)
    goto_page(page, "待办提案")
    choose(page, "queue_case", f"#{case_id} ")
    expect(page.get_by_test_id("stText").filter(has_text=investigation[:30]).first).to_be_visible()
    expect(page.get_by_test_id("stText").filter(has_text=author).first).to_be_visible()
    shot(page, f"department_01_case_{device}")

    page.get_by_role("tab", name="批量导入答复").click()
    wait_idle(page)
    bad = tmp_path / "答复.csv"
    bad.write_text("办理编号,办理状态,答复内容\n99999,已解决,太短\n", encoding="utf-8")
    page.locator(".st-key-import_file input[type='file']").set_input_files(str(bad))
    wait_idle(page)
    page.get_by_role("button", name="校验并导入").click()
    wait_idle(page)
    expect(alert(page, "导入未执行")).to_be_visible()
    page.get_by_role("button", name="下载模板（Excel）").click()  # another click on the tab
    wait_idle(page)
    expect(page.get_by_role("tab", name="批量导入答复", selected=True)).to_be_visible()
    expect(alert(page, "导入未执行")).to_be_visible()
    shot(page, f"department_02_import_kept_{device}")
