"""Results journey: the honour roll waits for publication; the organizer looks at the leaderboard,
switches the method, publishes; a student sees the award and the judges' comments; the public
honour roll lists the winners."""
import datetime as dt

import pytest
from playwright.sync_api import expect

from contest import accounts, db as database, demo, results
from tests.browser.helpers import alert, goto_page, login, open_app, shot, wait_idle


@pytest.fixture(scope="module")
def winner(tmp_path_factory):
    """The demo student whose proposal will win, with its title and a judge's comment.

    The demo contest is deterministic (seeded scores, deterministic assignment), so publishing on
    a private copy predicts what the server's organizer will publish."""
    db = database.connect(tmp_path_factory.mktemp("predict") / "demo.db")
    demo.build(db, now=dt.datetime(2026, 3, 10, 12, 0))
    organizer = accounts.get_user(db, db.execute("select id from users where username = 'organizer'").fetchone()[0])
    results.publish_results(db, organizer)
    for row in db.execute("""select u.id, u.username, a.proposal_id, a.award from awards a
                             join proposals p on p.id = a.proposal_id join users u on u.id = p.submitter_id
                             where a.award is not null order by a.rank, a.proposal_id""").fetchall():
        view = results.author_view(db, accounts.get_user(db, row[0]), row[2])
        if view["comments"]:
            return {"username": row[1], "title": view["title"], "award": view["award"],
                    "comment": view["comments"][0], "band": view["rank_band"]}
    pytest.fail("the demo contest has no awarded proposal with a comment")


def test_organizer_publishes_and_student_sees_award_and_comments(page, server, winner):
    open_app(page, server)
    goto_page(page, "获奖名单")
    expect(page.get_by_text("评审结果尚未公布，预计于")).to_be_visible()
    shot(page, "results_01_honour_roll_before")

    login(page, server, "organizer")
    goto_page(page, "排名与奖项")
    expect(page.get_by_text("结果尚未公布，排名仅组织者可见")).to_be_visible()
    expect(page.get_by_text("评审表不足的提案")).to_be_visible()
    shot(page, "results_02_leaderboard_zscore")
    page.get_by_test_id("stButtonGroup").get_by_text("算术平均").click()
    wait_idle(page)
    expect(page.get_by_text("当前仅为查看")).to_be_visible()
    page.get_by_role("tab", name="评委打分分布").click()
    wait_idle(page)
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_be_visible()
    shot(page, "results_03_judges")
    page.get_by_role("tab", name="奖项设置与调整").click()
    wait_idle(page)
    expect(page.get_by_text("获奖名单（预览）")).to_be_visible()
    shot(page, "results_04_awards")
    page.get_by_role("tab", name="公布与导出").click()
    wait_idle(page)
    page.get_by_role("button", name="公布结果").click()
    wait_idle(page)
    expect(alert(page, "请先勾选确认")).to_be_visible()
    page.get_by_text("我已核对排名和奖项").click()
    page.get_by_role("button", name="公布结果").click()
    wait_idle(page)
    expect(alert(page, "结果已公布：")).to_be_visible()
    expect(page.get_by_text("奖项已锁定")).to_be_visible()
    shot(page, "results_05_published")

    login(page, server, winner["username"])
    goto_page(page, "我的提案")
    page.get_by_label("查看提案").click()
    page.get_by_role("option").filter(has_text=winner["title"]).first.click()
    wait_idle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(f"奖项：{winner['award']}", exact=True)).to_be_visible()  # shown as text, not a metric
    expect(main.get_by_text(f"名次区间：{winner['band']}")).to_be_visible()
    expect(main.get_by_text("评委意见：" + winner["comment"])).to_be_visible()
    body = main.inner_text()
    assert "judge" not in body and "保密" not in body
    main.get_by_text("评审结果").scroll_into_view_if_needed()
    shot(page, "results_06_student_award")

    goto_page(page, "获奖名单")
    expect(page.get_by_text(f"{winner['award']}（", exact=False).first).to_be_visible()
    expect(page.get_by_text("结果公布时间")).to_be_visible()
    shot(page, "results_07_honour_roll_after")
