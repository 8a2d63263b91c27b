"""AppTest: the organizer's leaderboard (method switch, tabs, tiers, overrides, publication) and the
public honour roll before and after publication."""
import pytest

from contest import audit, results, settings
from tests.helpers import add_results_proposal as add_proposal, add_sheet, texts

PAGE = "app_pages/leaderboard.py"


@pytest.fixture
def scored(fresh_db, people):
    """Harsh judge1 (A 40, B 60), lenient judge2 (C 80, D 90), one sheet each, required = 1; plus E
    without any sheet. mean ranks D C B A; zscore ranks B = D = 1, A = C = 3 (see tests/unit/test_results)."""
    db = fresh_db
    settings.update(db, people["organizer"], reviews_per_proposal=1)
    j1, j2 = people["judge"], people["judge2"]
    ids = {"A": add_proposal(db, people["alice"], "提案甲：图书馆座位"),
           "B": add_proposal(db, people["bob"], "提案乙：食堂排队", topic="life"),
           "C": add_proposal(db, people["carol"], "提案丙：校车班次", topic="transport"),
           "D": add_proposal(db, people["alice"], "提案丁：选课系统"),
           "E": add_proposal(db, people["bob"], "提案戊：还没有评审")}
    add_sheet(db, ids["A"], j1, 4, comment="调研样本可以再扩大。", note="机密备注")
    add_sheet(db, ids["B"], j1, 6)
    add_sheet(db, ids["C"], j2, 8)
    add_sheet(db, ids["D"], j2, 9, comment="很好的提案。")
    return ids


def ranking_frame(at):
    return at.dataframe[0].value


def open_tab(at, label):
    at.session_state["lb_tab"] = label
    at.run()
    assert not at.exception, at.exception


def flashed(at, message: str) -> bool:
    """The success message of ``ui.flash``, shown by the rerun (run it if AppTest did not follow it)."""
    if message in texts(at):
        return True
    at.run()
    return message in texts(at)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_leaderboard_method_switch_and_rank_change(app_as, scored):
    at = app_as("organizer", PAGE)
    shown = texts(at)
    assert "结果尚未公布，排名仅组织者可见" in shown and "Krippendorff α" in shown
    assert "评审表不足的提案" in shown and "并列规则" in shown
    frame = ranking_frame(at)  # default method zscore
    assert list(frame["proposal"]) == [scored["B"], scored["D"], scored["A"], scored["C"]]
    assert list(frame["rank"]) == [1, 1, 3, 3]
    assert dict(zip(frame["proposal"], frame["rank_change"])) == {scored["A"]: 1, scored["B"]: 2,
                                                                  scored["C"]: -1, scored["D"]: 0}
    assert list(at.dataframe[1].value["proposal"]) == [scored["E"]]  # incomplete, shown separately
    at.segmented_control(key="lb_method").set_value("mean").run()
    assert not at.exception
    frame = ranking_frame(at)
    assert list(frame["proposal"]) == [scored["D"], scored["C"], scored["B"], scored["A"]]
    assert list(frame["score"]) == pytest.approx([90, 80, 60, 40])
    assert "当前仅为查看" in texts(at)


def test_topic_tab_ranks_within_the_topic(app_as, scored):
    at = app_as("organizer", PAGE)
    at.session_state["lb_topic"] = "课堂学习"
    at.run()
    frame = ranking_frame(at)
    assert list(frame["proposal"]) == [scored["D"], scored["A"]] and list(frame["rank"]) == [1, 2]


def test_judges_tab_shows_chart_and_harshest_first(app_as, scored):
    at = app_as("organizer", PAGE)
    open_tab(at, "评委打分分布")
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert list(at.dataframe[0].value["judge_name"]) == ["judge1", "judge2"]


def test_cache_follows_new_sheets(app_as, fresh_db, people, scored):
    at = app_as("organizer", PAGE)
    assert len(ranking_frame(at)) == 4
    add_sheet(fresh_db, scored["E"], people["judge"], 5)
    at.run()
    assert len(ranking_frame(at)) == 5 and len(at.dataframe) == 1


def test_tiers_editor_and_override_with_reason(app_as, fresh_db, people, scored):
    at = app_as("organizer", PAGE)
    open_tab(at, "奖项设置与调整")
    at.session_state["tiers_editor"] = {"edited_rows": {0: {"kind": "固定名额", "value": 3}}, "added_rows": [],
                                        "deleted_rows": []}
    button(at, "保存奖项设置").click().run()
    assert not at.exception, at.exception
    assert flashed(at, "奖项设置已保存")
    assert settings.get(fresh_db).award_tiers[0] == {"name": "一等奖", "kind": "count", "value": 3}
    at.number_input[0].set_value(scored["C"])
    award_box = next(s for s in at.selectbox if s.label == "调整为")
    assert award_box.value is None  # no preset award: 一等奖 was one click away
    next(t for t in at.text_input if t.label == "理由（必填）").input("答辩表现突出")
    button(at, "保存调整").click().run()
    assert "请选择调整后的奖项" in texts(at) and fresh_db["awards"].count == 0
    next(t for t in at.text_input if t.label == "理由（必填）").input("")
    award_box = next(s for s in at.selectbox if s.label == "调整为")
    award_box.select("二等奖")
    button(at, "保存调整").click().run()
    assert "调整理由" in texts(at)  # reason is required
    assert fresh_db["awards"].count == 0
    next(t for t in at.text_input if t.label == "理由（必填）").input("答辩表现突出")
    button(at, "保存调整").click().run()
    assert not at.exception, at.exception
    assert flashed(at, f"提案 {scored['C']} 的奖项已调整")
    row = fresh_db["awards"].get(scored["C"])
    assert (row["award"], row["overridden"], row["reason"]) == ("二等奖", 1, "答辩表现突出")
    assert audit.entries(fresh_db, people["organizer"], action="override_award")
    assert "答辩表现突出" in at.dataframe[1].value["reason"].tolist()  # [0] is the tiers editor


def test_publish_needs_confirmation_then_students_and_public_see_results(app_as, fresh_db, people, scored):
    roll = app_as(None, "app_pages/honour_roll.py")
    assert "评审结果尚未公布，预计于" in texts(roll) and not roll.dataframe
    at = app_as("organizer", PAGE)
    open_tab(at, "公布与导出")
    assert len(at.download_button) == 4
    button(at, "公布结果").click().run()
    assert "请先勾选确认" in texts(at) and not settings.get(fresh_db).results_published
    at.checkbox[0].check()
    button(at, "公布结果").click().run()
    assert not at.exception, at.exception
    assert flashed(at, "结果已公布：一等奖 2 件")
    assert settings.get(fresh_db).results_published and "奖项已锁定" in texts(at)

    roll = app_as("alice", "app_pages/honour_roll.py")
    shown = texts(roll)
    assert "一等奖" in shown and "2023001" not in shown
    first = roll.dataframe[0].value
    assert set(first["title"]) == {"提案乙：食堂排队", "提案丁：选课系统"} and "艾丽" in set(first["authors"])
    assert results.author_view(fresh_db, people["alice"], scored["D"])["award"] == "一等奖"

    at = app_as("organizer", PAGE)
    open_tab(at, "公布与导出")
    button(at, "撤回公布").click().run()
    assert "请先勾选确认" in texts(at)
    at.checkbox[0].check()
    next(t for t in at.text_input if t.label == "撤回理由").input("复核分数")
    button(at, "撤回公布").click().run()
    assert flashed(at, "已撤回公布")
    assert not settings.get(fresh_db).results_published
    assert "评审结果尚未公布" in texts(app_as(None, "app_pages/honour_roll.py"))


def test_other_roles_cannot_open_the_leaderboard(app_as, fresh_db, scored):
    for who in ("alice", "judge", "dept"):
        at = app_as(who)
        with pytest.raises(ValueError):
            at.switch_page(PAGE)
