"""A student reads the department's whole reply on 我的提案 before rating it, and must choose a
rating: nothing is preset (a preset 满意 inflated 满意率). Desktop and a 375 × 812 phone."""
import pytest
from playwright.sync_api import expect

from contest import db as contest_db
from tests.browser.helpers import alert, choose, demo_server, goto_page, login, shot, wait_idle


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return tmp_path_factory.mktemp("rating_journey") / "contest.db"


@pytest.fixture(scope="module")
def server(demo_db):
    with demo_server(demo_db) as url:
        yield url


def _replied_unrated(path) -> list[tuple[int, str, str]]:
    """(proposal id, its submitter's user name, the reply's text) of replied cases nobody rated yet."""
    db = contest_db.connect(path)
    try:
        return db.execute("""select m.proposal_id, u.username, r.text from case_members m
                             join cases c on c.id = m.case_id join proposals p on p.id = m.proposal_id
                             join users u on u.id = p.submitter_id
                             join replies r on r.case_id = c.id and r.kind = 'reply'
                             where c.first_reply_at is not null
                               and m.proposal_id not in (select proposal_id from ratings)
                               and p.submitter_id not in (select user_id from coauthors)
                             group by m.proposal_id order by m.proposal_id""").fetchall()
    finally:
        db.conn.close()


def _ratings(path, pid) -> list[str]:
    db = contest_db.connect(path)
    try:
        return [r[0] for r in db.execute("select level from ratings where proposal_id = ?", [pid])]
    finally:
        db.conn.close()


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_student_reads_the_whole_reply_and_must_choose_a_rating(device, device_page, server, demo_db):
    pid, student, reply = _replied_unrated(demo_db)[{"desktop": 0, "phone": 1}[device]]
    page = device_page(device)
    login(page, server, student)
    goto_page(page, "我的提案")
    choose(page, "mp_choice", f"#{pid} ")
    expect(page.get_by_test_id("stText").filter(has_text=reply).first).to_be_visible()  # all of it, as text
    radio = page.locator(f".st-key-rate_level_{pid}")
    expect(radio.get_by_role("radio", checked=True)).to_have_count(0)  # nothing preset
    page.get_by_role("button", name="提交评价").click()
    wait_idle(page)
    expect(alert(page, "请选择")).to_be_visible()
    assert _ratings(demo_db, pid) == []
    shot(page, f"rating_01_refused_{device}")
    radio.get_by_text("基本满意", exact=True).click()
    page.get_by_role("button", name="提交评价").click()
    wait_idle(page)
    expect(alert(page, "评价已提交")).to_be_visible()
    assert _ratings(demo_db, pid) == ["basic"]
