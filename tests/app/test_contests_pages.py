"""AppTest: 历届比赛 -- start a new year from the live contest, switch to last year (read-only)."""
from contest import contests, proposals, settings
from tests.helpers import GOOD, NOW, click, texts


def test_start_a_new_year_then_switch_to_last_year_read_only(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD, now=NOW)
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    from contest import forwarding

    proposals.screen(fresh_db, people["organizer"], [pid], valid=True, now=NOW)
    forwarding.forward(fresh_db, people["organizer"], pid, "hqc", now=NOW)
    at = app_as("organizer", "app_pages/contests.py")
    assert "本届还有 1 件转办件未办结" in texts(at)
    assert "往届比赛" not in [s.label for s in at.selectbox]  # no switcher before there is an earlier contest
    at.text_input[0].set_value("测试提案大赛（第二届）")
    at.number_input[0].set_value(2027)
    click(at, "归档本届并开始新一届")
    assert "请先勾选确认。" in texts(at) and not contests.archives(fresh_db)
    at.checkbox[0].check()
    click(at, "归档本届并开始新一届")
    assert not at.exception
    assert settings.get(fresh_db).contest_name == "测试提案大赛（第二届）" and fresh_db["proposals"].count == 0
    assert any("新一届比赛已开始" in str(s.value) for s in at.success)

    switch = at.selectbox(key="contest_view")
    assert switch.options[0].endswith("2027（本届）") and "往届，只读" in switch.options[1]
    switch.select(contests.archives(fresh_db)[0]["id"]).run()
    at.switch_page("app_pages/all_proposals.py").run()
    assert not at.exception
    assert "正在查看往届比赛：只能查看，不能修改。" in texts(at)
    assert GOOD["title"] in texts(at) or any(GOOD["title"] in str(d.value) for d in at.dataframe)
    at.switch_page("app_pages/screening.py").run()
    assert not at.exception
    # back to the live contest: last year's proposal is not there
    at.selectbox(key="contest_view").select(0).run()
    at.switch_page("app_pages/all_proposals.py").run()
    assert not any(GOOD["title"] in str(d.value) for d in at.dataframe)


def test_every_organizer_page_opens_on_last_year(app_as, fresh_db, people):
    from contest.navigation import ROLE_PAGES
    from contest.vocabulary import Role

    for title in (GOOD["title"], "关于图书馆夜间增开自习室的建议", "关于食堂增开平价窗口的建议"):
        pid = proposals.save_draft(fresh_db, people["alice"], GOOD | {"title": title}, now=NOW)
        proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    assert not fresh_db["proposal_vectors"].count  # the topic map was never opened: nothing kept
    row = contests.start_new_year(fresh_db, people["organizer"], contest_name="第二届", year=2027, now=NOW)
    at = app_as("organizer")
    at.selectbox(key="contest_view").select(row["id"]).run()
    for entries in ROLE_PAGES[Role.ORGANIZER].values():
        for page, title, _ in entries:
            at.switch_page(page).run()
            assert not at.exception, (title, at.exception)
            assert "抱歉，系统出了点问题" not in texts(at), title
