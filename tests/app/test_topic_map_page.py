"""AppTest: the organizer's 话题地图 page and the students' similar-proposal / join-request widgets."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from contest import audit, proposals, topic_map
from tests.helpers import NEAR_DUPLICATE, NOW, SHUTTLE, make_user, texts, topic_contest


@pytest.fixture
def contest(fresh_db, people):
    """Seven submitted proposals (three on one shuttle issue) and one draft."""
    return topic_contest(fresh_db, people)


def _section(at, name):
    at.button_group(key="tm_section").set_value(name).run()
    assert not at.exception, at.exception


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_topic_map_renders_for_the_organizer(app_as, contest):
    at = app_as("organizer", "app_pages/topic_map.py")
    shown = texts(at)
    assert "话题地图" in shown and "各议题提案数" in shown and "各议题关键词" in shown
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["提案"] == "7" and metrics["同题分组"] == "1"
    keywords = next(d.value for d in at.dataframe if "关键词" in d.value.columns and "议题" in d.value.columns)
    assert "校车" in keywords.set_index("议题").loc["交通出行", "关键词"]
    _section(at, "同题分组与合并办理")
    groups = next(d.value for d in at.dataframe if "members" in d.value.columns)
    assert list(groups["size"]) == [3] and SHUTTLE[0][0] in groups.loc[0, "members"]
    # filtering by college narrows the map
    at.multiselect(key="tm_college").set_value(["医学部"]).run()
    assert {m.label: m.value for m in at.metric}["提案"] == "2"


def test_threshold_is_derived_and_can_be_set_by_hand(app_as, fresh_db, people, contest):
    at = app_as("organizer", "app_pages/topic_map.py")
    derived = topic_map.compute_map(fresh_db, people["organizer"]).derived_threshold
    assert f"同题相似度阈值 {derived:.2f}（自动" in texts(at)
    assert not at.slider  # the slider appears only for a manual threshold
    at.toggle(key="tm_auto").set_value(False).run()
    assert at.slider[0].value == pytest.approx(round(derived, 2))
    at.slider[0].set_value(0.9).run()
    assert f"同题相似度阈值 0.90（手动；自动值为 {derived:.2f}）" in texts(at)
    assert {m.label: m.value for m in at.metric}["同题分组"] == "0"


def test_organizer_says_a_suggested_group_is_not_one_issue(app_as, fresh_db, people, contest):
    at = app_as("organizer", "app_pages/topic_map.py")
    _section(at, "同题分组与合并办理")
    _button(at, "不是同一问题，不再建议").click().run()
    assert fresh_db["kept_apart"].count == 3  # the three shuttle proposals, pair by pair
    at.run()
    assert {m.label: m.value for m in at.metric}["同题分组"] == "0"
    assert audit.entries(fresh_db, people["organizer"], action="keep_apart")


def test_organizer_corrects_a_topic(app_as, fresh_db, contest):
    at = app_as("organizer", "app_pages/topic_map.py")
    _section(at, "确认议题")
    at.radio(key="tm_view").set_value("全部").run()
    editor = next((d for d in at.dataframe if "new_topic" in d.value.columns), None)
    ids = sorted(contest.values())
    row = ids.index(contest["club"])
    at.session_state[f"topic_editor_{topic_map.data_version(fresh_db)}_全部"] = {"edited_rows": {row: {"new_topic": "其他"}}, "added_rows": [],
                                        "deleted_rows": []}
    _button(at, "保存议题").click().run()
    shown = texts(at)
    club = fresh_db["proposals"].get(contest["club"])
    assert (club["topic"], club["topic_confirmed"]) == ("other", 1)
    assert fresh_db["proposals"].get(contest["exams"])["topic_confirmed"] == 0  # untouched rows stay unconfirmed
    at.run()  # ui.flash: the message shows on the run after the change
    assert "已保存 1 件提案的议题" in shown + texts(at)
    assert editor is not None
    after = next(d.value for d in at.dataframe if "new_topic" in d.value.columns).set_index("id")
    assert after.loc[contest["club"], "confirmed"] == "已确认" and after.loc[contest["club"], "current"] == "其他"


def test_organizer_merges_a_group_and_splits_it(app_as, fresh_db, people, contest):
    at = app_as("organizer", "app_pages/topic_map.py")
    _section(at, "同题分组与合并办理")
    lead = contest["shuttle0"]
    assert next(s for s in at.selectbox if s.label == "牵头提案").value == lead
    _button(at, "合并为一件办理").click().run()
    first = texts(at)
    leads = {i: fresh_db["proposals"].get(contest[f"shuttle{i}"])["lead_id"] for i in range(3)}
    assert leads == {0: None, 1: lead, 2: lead}
    assert audit.entries(fresh_db, people["organizer"], action="merge_proposals")
    at.run()
    assert "已将 2 件提案并入提案 #" in first + texts(at)
    assert {m.label: m.value for m in at.metric}["同题分组"] == "0"  # merged: no longer an open group
    merged = next(d.value for d in at.dataframe if "lead_title" in d.value.columns)
    assert list(merged["id"]) == [contest["shuttle1"], contest["shuttle2"]]
    next(m for m in at.multiselect if m.label == "要拆分的提案").set_value([lead])
    _button(at, "拆分").click().run()
    assert fresh_db["proposals"].count_where("lead_id is not null") == 0


def _widget_app(user_id, text, widget):
    """A one-widget app on the test database, as the given student."""
    def script(user_id, text, widget):
        from contest import accounts, db as database
        from app_pages import _topic_widgets

        db = database.connect()
        user = accounts.get_user(db, user_id)
        if widget == "hint":
            _topic_widgets.similar_hint(db, user, text)
        else:
            _topic_widgets.join_requests_panel(db, user)

    at = AppTest.from_function(script, args=(user_id, text, widget), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_similar_hint_and_join_request_flow(fresh_db, people, contest, make_dave):
    dave = make_dave
    at = _widget_app(dave.id, NEAR_DUPLICATE, "hint")
    shown = texts(at)
    assert "已有相似提案" in shown
    assert sum(SHUTTLE[i][0] in shown for i in range(3)) == 3
    assert "艾丽" not in shown and "鲍勃" not in shown  # no author identity
    join = [b for b in at.button if b.label == "申请加入为合作者"]
    assert len(join) == 3
    target = int(join[0].key.removeprefix("join_"))
    join[0].click().run()
    request = fresh_db["join_requests"].get(1)
    assert (request["proposal_id"], request["requester_id"], request["status"]) == (target, dave.id, "pending")
    # the submitter answers on 我的提案
    submitter = next(p for p in people.values() if p.id == fresh_db["proposals"].get(target)["submitter_id"])
    panel = _widget_app(submitter.id, "", "panel")
    assert "申请加入你的提案" in texts(panel) and "戴维" in texts(panel)
    _button(panel, "同意").click().run()
    assert dave.id in proposals.coauthor_ids(fresh_db, target)
    sent = _widget_app(dave.id, "", "panel").dataframe[0].value
    assert list(sent["状态"]) == ["已同意"]


def test_no_hint_for_unrelated_text(fresh_db, contest, make_dave):
    at = _widget_app(make_dave.id, "量子力学与天体物理之间的关系研究", "hint")
    assert "已有相似提案" not in texts(at) and not at.button


@pytest.fixture
def make_dave(fresh_db, monkeypatch):
    """A fourth student; the clock is fixed inside submission (join requests need it open)."""
    from contest import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)
    return make_user(fresh_db, "dave", "participant", student_no="2023004", college="医学部", name="戴维")


def test_similar_hint_on_the_write_page_and_requests_on_my_proposals(app_as, fresh_db, people, contest,
                                                                     monkeypatch):
    from contest import clock

    monkeypatch.setattr(clock, "now", lambda: NOW)  # submission open
    at = app_as("alice", "app_pages/write_proposal.py")
    assert "已有相似提案" not in texts(at)  # an empty form: no hint
    at.text_input(key="wp0_title").set_value("早高峰兴庆到创新港校车太挤")
    at.text_area(key="wp0_problem").set_value(NEAR_DUPLICATE)
    _button(at, "保存草稿").click().run()
    at.run()
    shown = texts(at)
    assert "已有相似提案" in shown
    assert SHUTTLE[1][0] in shown and SHUTTLE[2][0] in shown
    assert SHUTTLE[0][0] not in shown.split("已有相似提案")[1]  # alice's own proposal is not suggested
    join = [b for b in at.button if b.label == "申请加入为合作者"]
    target = int(join[0].key.removeprefix("join_"))
    join[0].click().run()
    assert fresh_db["join_requests"].count_where("proposal_id = ? and requester_id = ?",
                                                 [target, people["alice"].id]) == 1
    submitter = next(k for k, p in people.items() if p.id == fresh_db["proposals"].get(target)["submitter_id"])
    mine = app_as(submitter, "app_pages/my_proposals.py")
    assert "申请加入你的提案" in texts(mine) and "艾丽" in texts(mine)
    _button(mine, "婉拒").click().run()
    assert fresh_db["join_requests"].get(1)["status"] == "declined"


def test_finding_similar_proposals_saves_nothing(app_as, fresh_db, people, contest):
    at = app_as("alice", "app_pages/write_proposal.py")
    drafts = fresh_db["proposals"].count
    at.text_input(key="wp0_title").set_value("早高峰兴庆到创新港校车太挤")
    at.text_area(key="wp0_problem").set_value(NEAR_DUPLICATE)
    _button(at, "查找相似提案").click().run()
    assert not at.exception
    assert "已有相似提案" in texts(at) and SHUTTLE[1][0] in texts(at)
    assert fresh_db["proposals"].count == drafts  # nothing was saved
