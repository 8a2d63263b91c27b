"""话题地图 → 合并 → 转办: merging a same-issue group into a lead that was already forwarded leaves
no proposal in no case; 移交率 reaches 100 % once everything else is forwarded."""
import pytest
from playwright.sync_api import expect

from contest import accounts, db as contest_db, forwarding, topic_map
from tests.browser.helpers import alert, demo_server, goto_page, login, metric, shot, wait_idle


def _organizer(db):
    return accounts.get_user(db, db.execute("select id from users where username = 'organizer'").fetchone()[0])


def _forward_all_but_the_first_group(path):
    """Everything 立案 is forwarded except the first suggested group, whose lead alone is in a case."""
    db = contest_db.connect(path)
    try:
        org = _organizer(db)
        group = [int(i) for i in topic_map.compute_map(db, org).groups.iloc[0]["member_ids"]]
        waiting = forwarding.forwardable(db, org)
        items = [(int(r.id), r.department or "hqc") for r in waiting.itertuples() if r.id not in group]
        forwarding.forward_many(db, org, items)
    finally:
        db.conn.close()


def _stranded(path) -> list[int]:
    db = contest_db.connect(path)
    try:
        return [r[0] for r in db.execute("""select id from proposals where status = 'valid' and lead_id is not null
                                            and id not in (select proposal_id from case_members)""")]
    finally:
        db.conn.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return tmp_path_factory.mktemp("merge_forward") / "contest.db"


@pytest.fixture(scope="module")
def server(demo_db):
    with demo_server(demo_db, prepare=_forward_all_but_the_first_group) as url:
        yield url


def test_merge_into_a_forwarded_lead_strands_nothing(page, server, demo_db):
    db = contest_db.connect(demo_db)
    group = [int(i) for i in topic_map.compute_map(db, _organizer(db)).groups.iloc[0]["member_ids"]]
    lead, *members = group
    in_case = {r[0] for r in db.execute("select proposal_id from case_members")}
    db.conn.close()
    assert lead in in_case and not in_case & set(members)  # the demo's lead was forwarded, its group not

    login(page, server, "organizer")
    goto_page(page, "办理追踪")
    before = metric(page, "移交率")
    assert before != "100%", before
    goto_page(page, "话题地图")
    page.get_by_text("同题分组与合并办理", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name="合并为一件办理").first.click()
    wait_idle(page)
    expect(alert(page, f"已将 {len(members)} 件提案并入提案 #{lead}")).to_be_visible()
    assert _stranded(demo_db) == []

    goto_page(page, "提案转办")
    expect(page.get_by_role("tab", name="待转办（0）")).to_be_visible()
    goto_page(page, "办理追踪")
    assert metric(page, "移交率") == "100%"
    shot(page, "merge_forward_01_rate_100")
