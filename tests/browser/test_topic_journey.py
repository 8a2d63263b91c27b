"""Topic-map journey: the organizer opens 话题地图, corrects a topic, merges a same-issue group.

The expected groups are not hard-coded: they are computed by contest.topic_map on the same demo
database the server runs on (before and after the merge), so the journey follows the grouping
algorithm while still checking that the page shows what the domain computes."""
import pytest
from playwright.sync_api import expect

from contest import accounts, db as contest_db, topic_map
from tests.browser.helpers import alert, demo_server, goto_page, login, shot, wait_idle

SHUTTLE_TITLES = ["建议增加兴庆至创新港早高峰校车班次", "关于创新港返回兴庆晚间通勤车运力不足的建议",
                  "两校区班车高峰期“一座难求”，建议扩大运力"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return tmp_path_factory.mktemp("topic_journey") / "contest.db"


@pytest.fixture(scope="module")
def server(demo_db):
    """This module's server, on ``demo_db`` (so the test can ask contest/ what the page should show)."""
    with demo_server(demo_db) as url:
        yield url


def _domain_map(path):
    db = contest_db.connect(path)
    try:
        uid = db.execute("select id from users where username = 'organizer'").fetchone()[0]
        return topic_map.compute_map(db, accounts.get_user(db, uid))
    finally:
        db.conn.close()


def _lead_of(path, ids):
    db = contest_db.connect(path)
    try:
        return {pid: lead for pid, lead in db.execute(
            f"select id, lead_id from proposals where id in ({','.join('?' * len(ids))})", list(ids))}
    finally:
        db.conn.close()


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def test_organizer_opens_map_corrects_topic_and_merges_group(page, server, demo_db):
    before = _domain_map(demo_db)
    groups = before.groups
    # the demo's shuttle-bus paraphrases are one suggested group, and it is the largest (group 1)
    first = groups.iloc[0]
    titles = dict(zip(before.proposals["id"], before.proposals["title"]))
    assert sorted(titles[i] for i in first["member_ids"]) == sorted(SHUTTLE_TITLES)
    assert len(groups) >= 2 and all(groups["size"] >= 2)

    login(page, server, "organizer")
    goto_page(page, "话题地图")
    expect(page.get_by_role("heading", name="话题地图")).to_be_visible()
    expect(_metric(page, "同题分组")).to_have_text(str(len(groups)))
    method = "句向量" if before.group_method == "sentence" else "词语 TF-IDF"
    expect(page.get_by_text(f"同题相似度阈值 {before.threshold:.2f}")).to_contain_text(method)
    expect(page.get_by_text("各议题提案数")).to_be_visible()
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    shot(page, "topic_01_map")

    # correct one topic with the bulk form (select proposal + topic)
    page.get_by_text("确认议题", exact=True).click()
    wait_idle(page)
    shot(page, "topic_02a_confirm")
    form = page.get_by_test_id("stForm").filter(has_text="批量设定")
    form.get_by_test_id("stMultiSelect").locator("input").fill("勤工助学")
    page.get_by_role("option").filter(has_text="关于勤工助学酬劳按时发放的建议").click()
    page.keyboard.press("Escape")
    form.get_by_test_id("stSelectbox").locator("input").fill("学校发展")
    page.get_by_role("option").filter(has_text="学校发展").click()
    form.get_by_role("button", name="设为该议题并确认").click()
    wait_idle(page)
    expect(alert(page, "已将 1 件提案的议题设为“学校发展”")).to_be_visible()
    shot(page, "topic_02_topic_corrected")

    # merge the first suggested group (the shuttle buses) into its first proposal
    page.get_by_text("同题分组与合并办理", exact=True).click()
    wait_idle(page)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    shot(page, "topic_03_groups")
    page.get_by_role("button", name="合并为一件办理").click()
    wait_idle(page)
    lead, *members = first["member_ids"]
    expect(alert(page, f"已将 {len(members)} 件提案并入提案 #{lead}")).to_be_visible()
    assert _lead_of(demo_db, first["member_ids"]) == {lead: None, **{m: lead for m in members}}
    after = _domain_map(demo_db)
    # merged members are no longer suggested as a group of their own
    assert not any(set(members) & set(ids) for ids in after.groups["member_ids"])
    expect(_metric(page, "同题分组")).to_have_text(str(len(after.groups)))
    expect(page.get_by_text("已合并办理的提案")).to_be_visible()
    page.get_by_text("已合并办理的提案").scroll_into_view_if_needed()
    shot(page, "topic_04_merged")


def test_student_sees_similar_proposals_and_asks_to_join(page, server):
    login(page, server, "student40")
    goto_page(page, "撰写提案")
    page.get_by_label("标题 *").fill("兴庆到创新港校车早高峰太挤")
    page.get_by_label("问题描述 *").fill("每天早高峰从兴庆校区到创新港校区的校车班次太少，排长队也挤不上车，"
                                      "很多同学第一节课迟到，建议增加高峰时段的校车班次。")
    page.get_by_role("button", name="保存草稿").click()
    wait_idle(page)
    shot(page, "topic_05_similar_hint")
    expect(page.get_by_text("已有相似提案", exact=False)).to_be_visible()
    hint = page.get_by_test_id("stVerticalBlock").filter(has_text="已有相似提案").last
    expect(hint.get_by_text("两校区班车高峰期", exact=False)).to_be_visible()
    hint.scroll_into_view_if_needed()
    shot(page, "topic_05_similar_hint")
    hint.get_by_role("button", name="申请加入为合作者").first.click()
    wait_idle(page)
    expect(alert(page, "已发送加入申请")).to_be_visible()
    goto_page(page, "我的提案")
    expect(page.get_by_text("我发出的加入申请（1）")).to_be_visible()
    shot(page, "topic_06_request_sent")
