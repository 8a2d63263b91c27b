"""contest.results: leaderboard from the database, awards, publication, what authors and the public see.

Sheets and scores are inserted directly (the judging pages are another module). With the
default rubric (5 criteria, 0–10) a sheet whose criteria all get s has the total 10·s.
"""
from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from contest import audit, ranking, results, settings
from contest.errors import PermissionDenied, ValidationError
from tests.helpers import CODES, NOW, add_results_proposal as add_proposal, add_sheet, make_user


@pytest.fixture
def judges(fresh_db, people):
    return [people["judge"], people["judge2"], make_user(fresh_db, "judge3", "judge", name="评委丙")]


@pytest.fixture
def contest(fresh_db, people, judges):
    """A harsh judge (J1) and a lenient one (J2), one sheet per proposal, required = 1.

    Totals: A 40 (J1), B 60 (J1), C 80 (J2), D 90 (J2).
    mean: D 90, C 80, B 60, A 40 -> ranks D1 C2 B3 A4.
    zscore: μ = 67.5, σ = sqrt(((27.5² + 7.5² + 12.5² + 22.5²)/4) = sqrt(368.75) = 19.2029;
    J1: μ1 = 50, σ1 = 10 -> A z = −1, B z = +1; J2: μ2 = 85, σ2 = 5 -> C z = −1, D z = +1.
    So B = D = 67.5 + 19.2029 = 86.7029 (rank 1, 1) and A = C = 48.2971 (rank 3, 3).
    rank_change (mean − zscore): A 4−3 = +1, B 3−1 = +2, C 2−3 = −1, D 1−1 = 0.
    """
    db = fresh_db
    settings.update(db, people["organizer"], reviews_per_proposal=1)
    j1, j2, _ = judges
    ids = {
        "A": add_proposal(db, people["alice"], "提案甲：图书馆座位", coauthors=[people["carol"]]),
        "B": add_proposal(db, people["bob"], "提案乙：食堂排队", topic="life"),
        "C": add_proposal(db, people["carol"], "提案丙：校车班次", topic="transport"),
        "D": add_proposal(db, people["alice"], "提案丁：选课系统"),
    }
    add_sheet(db, ids["A"], j1, 4, comment="调研样本可以再扩大。", note="机密：作者是我学生")
    add_sheet(db, ids["B"], j1, 6, comment="建议很具体。", note="机密备注乙")
    add_sheet(db, ids["C"], j2, 8)
    add_sheet(db, ids["D"], j2, 9, comment="很好的提案。")
    return ids


def board(db, user, method=None):
    return results.leaderboard(results.load(db, user), method)


def by(frame, col, key="proposal"):
    return dict(zip(frame[key], frame[col]))


# --------------------------------------------------------------------------- leaderboard values


def test_loads_only_submitted_sheets_of_valid_proposals(fresh_db, people, judges, contest):
    db = fresh_db
    invalid = add_proposal(db, people["bob"], "不予立案的提案", status="invalid")
    add_sheet(db, invalid, judges[0], 10)
    add_sheet(db, contest["A"], judges[2], 10, status="draft")
    data = results.load(db, people["organizer"])
    assert sorted(data.totals["proposal"]) == sorted(contest.values())
    assert set(data.scores["criterion"]) == {c["name"] for c in settings.DEFAULT_RUBRIC}
    assert by(data.totals, "total") == pytest.approx({contest["A"]: 40, contest["B"]: 60, contest["C"]: 80,
                                                      contest["D"]: 90})


def test_hand_computed_mean_and_zscore_with_harsh_and_lenient_judge(fresh_db, people, contest):
    ids = contest
    mean = board(fresh_db, people["organizer"], "mean").table
    assert by(mean, "score") == pytest.approx({ids["A"]: 40, ids["B"]: 60, ids["C"]: 80, ids["D"]: 90})
    assert by(mean, "rank") == {ids["D"]: 1, ids["C"]: 2, ids["B"]: 3, ids["A"]: 4}
    z = board(fresh_db, people["organizer"]).table  # default method: zscore
    high, low = 67.5 + 368.75 ** 0.5, 67.5 - 368.75 ** 0.5
    assert by(z, "score") == pytest.approx({ids["A"]: low, ids["B"]: high, ids["C"]: low, ids["D"]: high})
    assert by(z, "rank") == {ids["B"]: 1, ids["D"]: 1, ids["A"]: 3, ids["C"]: 3}
    assert by(z, "rank_change") == {ids["A"]: 1, ids["B"]: 2, ids["C"]: -1, ids["D"]: 0}
    assert list(z["rank"]) == sorted(z["rank"])


@pytest.mark.parametrize("method", list(ranking.METHODS))
def test_leaderboard_matches_contest_ranking_on_the_same_frames(fresh_db, people, judges, method):
    db = fresh_db
    settings.update(db, people["organizer"], reviews_per_proposal=2)
    rows, per = [], {}
    grid = {  # proposal -> {judge index: per-criterion scores}
        "P1": {0: [9, 8, 7, 6, 5], 1: [6, 6, 6, 6, 6], 2: [3, 9, 4, 8, 2]},
        "P2": {0: [2, 3, 4, 5, 6], 1: [7, 7, 8, 8, 9]},
        "P3": {1: [10, 10, 9, 9, 8], 2: [5, 5, 5, 5, 5]},
        "P4": {2: [1, 2, 3, 4, 5]},  # one sheet only: incomplete
    }
    for title, sheets in grid.items():
        pid = add_proposal(db, people["alice"], f"提案{title}")
        for j, values in sheets.items():
            add_sheet(db, pid, judges[j], None, per=dict(zip(CODES, values)))
            rows += [(pid, judges[j].id, name, v) for name, v in zip([c["name"] for c in settings.DEFAULT_RUBRIC],
                                                                      values)]
        per[title] = pid
    scores = pd.DataFrame(rows, columns=ranking.SCORE_COLUMNS)
    rubric = pd.DataFrame([{"criterion": c["name"], "weight": c["weight"], "min": c["min"], "max": c["max"]}
                           for c in settings.DEFAULT_RUBRIC])
    totals = ranking.sheet_totals(scores, rubric)
    expected = ranking.rank(ranking.aggregate(totals, method), required_sheets=2)
    got = board(db, people["organizer"], method).table
    assert by(got, "score") == pytest.approx(by(expected, "score"))
    assert by(got, "rank") == by(expected, "rank")
    assert by(got, "incomplete") == by(expected, "incomplete")
    assert by(got, "incomplete")[per["P4"]] and got["proposal"].iloc[-1] == per["P4"]
    assert by(got, "sheets") == {per["P1"]: 3, per["P2"]: 2, per["P3"]: 2, per["P4"]: 1}
    compare = ranking.compare_methods(totals, "mean", "zscore", required_sheets=2)
    assert by(got, "rank_change") == by(compare, "rank_change")


def test_confidence_columns_and_proposals_without_sheets(fresh_db, people, judges, contest):
    db = fresh_db
    settings.update(db, people["organizer"], reviews_per_proposal=2)
    add_sheet(db, contest["A"], judges[2], 10)  # A: 40 and 100 -> spread 60, complete
    lonely = add_proposal(db, people["bob"], "没有评审表的提案")
    t = board(db, people["organizer"], "mean").table
    assert by(t, "spread")[contest["A"]] == pytest.approx(60)
    assert by(t, "disagreement")[contest["A"]] and not by(t, "disagreement")[contest["B"]]
    assert by(t, "incomplete") == {contest["A"]: False, contest["B"]: True, contest["C"]: True,
                                   contest["D"]: True, lonely: True}
    assert by(t, "sheets")[lonely] == 0 and pd.isna(by(t, "score")[lonely])
    assert t["proposal"].iloc[0] == contest["A"] and t["proposal"].iloc[-1] == lonely
    assert by(t, "award")[contest["B"]] is None  # incomplete: no award


def test_per_topic_ranks(fresh_db, people, contest):
    t = board(fresh_db, people["organizer"], "mean").table
    # teaching: D 90, A 40 ; life: B alone ; transport: C alone
    assert by(t, "topic_rank") == {contest["D"]: 1, contest["A"]: 2, contest["B"]: 1, contest["C"]: 1}
    # zscore within teaching: D (high) 1, A (low) 2 -> no change
    assert by(t, "topic_rank_change")[contest["A"]] == 0
    assert by(t, "topic_name")[contest["B"]] == "后勤生活"


def test_tie_break_by_criterion_then_description(fresh_db, people, judges):
    db = fresh_db
    settings.update(db, people["organizer"], reviews_per_proposal=1)
    # Same total 50 (weights 25,25,25,10,15), different 建议可行 (feasibility).
    p = add_proposal(db, people["alice"], "并列甲")
    q = add_proposal(db, people["bob"], "并列乙")
    add_sheet(db, p, judges[0], None, per={"value": 6, "research": 5, "feasibility": 4, "writing": 5,
                                           "novelty": 5})
    add_sheet(db, q, judges[0], None, per={"value": 4, "research": 5, "feasibility": 6, "writing": 5,
                                           "novelty": 5})
    plain = board(db, people["organizer"], "mean")
    assert by(plain.table, "rank") == {p: 1, q: 1}
    results.save_settings(db, people["organizer"], tie_break=["feasibility"])
    ordered = board(db, people["organizer"], "mean")
    assert by(ordered.table, "rank") == {q: 1, p: 2}
    assert "建议可行" in ordered.tie_break
    with pytest.raises(ValidationError, match="并列排序依据"):
        results.save_settings(db, people["organizer"], tie_break=["nonsense"])


def test_judge_summary_and_alpha(fresh_db, people, judges, contest):
    db = fresh_db
    data = results.load(db, people["organizer"])
    summary = results.judge_summary(data)
    assert list(summary["judge_name"]) == ["judge1", "judge2"]  # harshest (mean 50) first, then mean 85
    assert by(summary, "mean", "judge_name") == pytest.approx({"judge1": 50, "judge2": 85})
    assert by(summary, "median", "judge_name") == pytest.approx({"judge1": 50, "judge2": 85})
    assert results.agreement(data) is None  # no proposal has two sheets
    add_sheet(db, contest["A"], judges[1], 4)
    add_sheet(db, contest["B"], judges[1], 6)
    assert results.agreement(results.load(db, people["organizer"])) == pytest.approx(
        ranking.krippendorff_alpha(results.load(db, people["organizer"]).totals))


# --------------------------------------------------------------------------- awards


def test_awards_at_a_tie_boundary_get_the_higher_award_and_are_persisted(fresh_db, people, contest):
    db, org = fresh_db, people["organizer"]
    tiers = [{"name": "一等奖", "kind": "count", "value": 1}, {"name": "二等奖", "kind": "count", "value": 1},
             {"name": "三等奖", "kind": "count", "value": 1}]
    results.save_settings(db, org, award_tiers=tiers)
    # zscore: B and D share rank 1 -> both 一等奖; 二等奖 gives up the extra place; A, C (rank 3) -> 三等奖
    t = board(db, org).table
    assert by(t, "award") == {contest["B"]: "一等奖", contest["D"]: "一等奖", contest["A"]: "三等奖",
                              contest["C"]: "三等奖"}
    counts = results.publish_results(db, org, now=NOW)
    assert counts == {"一等奖": 2, "三等奖": 2}
    saved = {r["proposal_id"]: (r["award"], r["rank"]) for r in db["awards"].rows}
    assert saved == {contest["B"]: ("一等奖", 1), contest["D"]: ("一等奖", 1), contest["A"]: ("三等奖", 3),
                     contest["C"]: ("三等奖", 3)}


def test_override_needs_a_reason_is_logged_and_survives_publication(fresh_db, people, contest):
    db, org = fresh_db, people["organizer"]
    with pytest.raises(ValidationError, match="调整理由"):
        results.override_award(db, org, contest["A"], "一等奖", "", now=NOW)
    with pytest.raises(ValidationError, match="不在奖项设置中"):
        results.override_award(db, org, contest["A"], "特等奖", "理由充分", now=NOW)
    with pytest.raises(PermissionDenied):
        results.override_award(db, people["judge"], contest["A"], "一等奖", "理由充分", now=NOW)
    results.override_award(db, org, contest["A"], "一等奖", "评审复议后上调", now=NOW)
    entry = audit.entries(db, org, action="override_award")[0]
    assert entry["target"] == f"proposal:{contest['A']}" and "评审复议后上调" in entry["detail"]
    t = board(db, org).table
    assert by(t, "award")[contest["A"]] == "一等奖" and by(t, "overridden")[contest["A"]]
    assert by(t, "reason")[contest["A"]] == "评审复议后上调"
    results.publish_results(db, org, now=NOW)
    row = db["awards"].get(contest["A"])
    assert (row["award"], row["overridden"], row["reason"]) == ("一等奖", 1, "评审复议后上调")
    with pytest.raises(ValidationError, match="已锁定"):
        results.override_award(db, org, contest["B"], None, "不再评奖", now=NOW)
    results.unpublish_results(db, org, "发现评分录入错误")
    assert db["awards"].get(contest["A"])["overridden"] == 1  # the override stays, computed rows go
    assert db["awards"].count == 1
    results.clear_override(db, org, contest["A"])
    assert db["awards"].count == 0
    assert audit.entries(db, org, action="clear_award_override")


def test_override_to_no_award(fresh_db, people, contest):
    db, org = fresh_db, people["organizer"]
    results.override_award(db, org, contest["D"], None, "存在抄袭嫌疑", now=NOW)
    assert by(board(db, org).table, "award")[contest["D"]] is None


def test_award_tier_validation():
    with pytest.raises(ValidationError, match="比例之和"):
        settings.validate_award_tiers([{"name": "甲", "kind": "share", "value": 60},
                                       {"name": "乙", "kind": "share", "value": 50}])
    with pytest.raises(ValidationError, match="整数"):
        settings.validate_award_tiers([{"name": "甲", "kind": "count", "value": 1.5}])
    with pytest.raises(ValidationError, match="重复"):
        settings.validate_award_tiers([{"name": "甲", "kind": "count", "value": 1}] * 2)
    assert settings.validate_award_tiers([{"name": "甲", "kind": "count", "value": "3"}]) == [
        {"name": "甲", "kind": "count", "value": 3}]


# --------------------------------------------------------------------------- visibility


def test_before_publication_only_organizers_see_rankings(fresh_db, people, contest):
    db = fresh_db
    for who in ("alice", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            results.load(db, people[who])
        with pytest.raises(PermissionDenied):
            results.data_version(db, people[who])
    with pytest.raises(PermissionDenied):
        results.load(db, None)
    assert results.author_view(db, people["alice"], contest["A"]) is None
    with pytest.raises(PermissionDenied, match="尚未公布"):
        results.honour_roll(db)
    with pytest.raises(PermissionDenied):
        results.publish_results(db, people["alice"], now=NOW)
    assert results.publication(db)["published"] is False


def test_after_publication_author_sees_award_band_and_comments_only(fresh_db, people, judges, contest):
    db = fresh_db
    add_sheet(db, contest["A"], judges[2], 4, status="draft", comment="草稿评语不应出现")
    results.publish_results(db, people["organizer"], now=NOW)
    assert results.publication(db) == {"published": True, "published_at": "2026-03-10 12:00",
                                       "scheduled": settings.get(db).phases["results_published"]}
    view = results.author_view(db, people["alice"], contest["A"])
    # 4 complete proposals, zscore ranks B1 D1 A3 C3; default tiers 5/10/15/20 % of 4 -> 1 place each
    # (at least 1): cut-offs at places 1, 2, 3, 4 -> boundary ranks 1, 1, 3, 3: B, D 一等奖; A, C 三等奖.
    assert view == {"proposal_id": contest["A"], "title": "提案甲：图书馆座位", "award": "三等奖",
                    "ranked": True, "rank_band": "未进入前 50%",
                    "comments": ["调研样本可以再扩大。"], "published_at": "2026-03-10 12:00"}
    assert view["rank_band"] == "未进入前 50%"  # rank 3 of 4 = 75 %
    assert results.author_view(db, people["carol"], contest["A"])["comments"] == ["调研样本可以再扩大。"]  # co-author
    dump = json.dumps(view, ensure_ascii=False)
    for secret in ("机密", "judge1", "judge2", "评委丙", str(judges[0].id) + ","):
        assert secret not in dump
    assert set(view) == {"proposal_id", "title", "award", "ranked", "rank_band", "comments", "published_at"}
    d = results.author_view(db, people["alice"], contest["D"])
    assert d["rank_band"] == "前 30%" and d["comments"] == ["很好的提案。"]  # rank 1 of 4 = 25 %
    with pytest.raises(PermissionDenied):
        results.author_view(db, people["bob"], contest["A"])
    with pytest.raises(PermissionDenied):
        results.author_view(db, people["judge"], contest["A"])
    with pytest.raises(PermissionDenied):  # still organizer-only after publication
        results.load(db, people["alice"])


def test_honour_roll_lists_awarded_with_names_and_college_never_student_no(fresh_db, people, contest):
    db, org = fresh_db, people["organizer"]
    results.save_settings(db, org, award_tiers=[{"name": "一等奖", "kind": "count", "value": 1},
                                                {"name": "优秀奖", "kind": "count", "value": 1}])
    results.publish_results(db, org, now=NOW)
    roll = results.honour_roll(db)
    assert list(roll.columns) == ["award", "title", "topic_name", "authors", "colleges"]
    # B and D tie at rank 1 -> 一等奖 both; 优秀奖 quota absorbed -> nobody else
    assert list(roll["award"]) == ["一等奖", "一等奖"]
    assert by(roll, "authors", "title") == {"提案乙：食堂排队": "鲍勃", "提案丁：选课系统": "艾丽"}
    assert by(roll, "colleges", "title") == {"提案乙：食堂排队": "医学部", "提案丁：选课系统": "管理学院"}
    assert "2023001" not in roll.to_csv() and "2023002" not in roll.to_csv()


def test_honour_roll_includes_coauthors(fresh_db, people, contest):
    db, org = fresh_db, people["organizer"]
    results.override_award(db, org, contest["A"], "一等奖", "组委会决定", now=NOW)
    results.publish_results(db, org, now=NOW)
    roll = results.honour_roll(db)
    assert by(roll, "authors", "title")["提案甲：图书馆座位"] == "艾丽、卡罗"
    assert by(roll, "colleges", "title")["提案甲：图书馆座位"] == "管理学院"


def test_unpublish_hides_results_again(fresh_db, people, contest):
    db, org = fresh_db, people["organizer"]
    results.publish_results(db, org, now=NOW)
    with pytest.raises(ValidationError, match="已经公布"):
        results.publish_results(db, org, now=NOW)
    with pytest.raises(ValidationError, match="锁定"):
        results.save_settings(db, org, method="mean")
    results.unpublish_results(db, org, "重新核对分数")
    assert results.author_view(db, people["alice"], contest["A"]) is None
    with pytest.raises(PermissionDenied):
        results.honour_roll(db)
    actions = [e["action"] for e in audit.entries(db, org)]
    assert "publish_results" in actions and "unpublish_results" in actions
    with pytest.raises(ValidationError, match="尚未公布"):
        results.unpublish_results(db, org)


def test_publish_refused_without_complete_reviews(fresh_db, people):
    add_proposal(fresh_db, people["alice"], "还没有评审表")
    with pytest.raises(ValidationError, match="评审完整"):
        results.publish_results(fresh_db, people["organizer"], now=NOW)
    assert not settings.get(fresh_db).results_published


def test_rank_bands():
    assert results.rank_band(1, 100) == "前 1%"
    assert results.rank_band(2, 100) == "前 5%"
    assert results.rank_band(10, 100) == "前 10%"
    assert results.rank_band(11, 100) == "前 20%"
    assert results.rank_band(50, 100) == "前 50%"
    assert results.rank_band(51, 100) == "未进入前 50%"
    assert results.rank_band(1, 10) == "前 10%"
    assert results.rank_band(None, 10) is None


# --------------------------------------------------------------------------- version and exports


def test_data_version_changes_with_sheets_awards_and_settings(fresh_db, people, judges, contest):
    db, org = fresh_db, people["organizer"]
    v1 = results.data_version(db, org)
    assert results.data_version(db, org) == v1
    add_sheet(db, contest["B"], judges[2], 7)
    v2 = results.data_version(db, org)
    assert v2 != v1
    results.override_award(db, org, contest["A"], "一等奖", "复议", now=NOW)
    v3 = results.data_version(db, org)
    assert v3 != v2
    results.save_settings(db, org, method="mean")
    assert results.data_version(db, org) != v3


def test_exports_have_chinese_headers_and_per_judge_totals(fresh_db, people, judges, contest):
    db, org = fresh_db, people["organizer"]
    add_sheet(db, contest["A"], judges[2], 10)
    data = results.load(db, org)
    tables = results.export_tables(data, results.leaderboard(data, "mean"))
    assert list(tables) == ["获奖名单", "完整排名", "评委统计"]
    full = tables["完整排名"].set_index("提案编号")
    assert {"名次", "标题", "评审表数", "分差", "评委1", "评委1总分", "评委2", "评委2总分"} <= set(full.columns)
    assert (full.loc[contest["A"], "评委1"], full.loc[contest["A"], "评委1总分"]) == ("judge1", 40)
    assert (full.loc[contest["A"], "评委2"], full.loc[contest["A"], "评委2总分"]) == ("评委丙", 100)
    assert full.loc[contest["A"], "得分（平均分）"] == 70
    assert list(tables["评委统计"]["评委"]) == ["judge1", "judge2", "评委丙"]
    workbook = openpyxl.load_workbook(io.BytesIO(results.export_excel(tables)))
    assert workbook.sheetnames == ["获奖名单", "完整排名", "评委统计"]
    assert workbook["完整排名"]["A1"].value == "名次" and workbook["完整排名"]["A1"].font.bold
    csv = results.export_csv(tables["获奖名单"]).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("奖项,名次,提案编号")


# --------------------------------------------------------------------------- command line


def test_rank_command_uses_the_contest_rubric_and_never_creates_a_database(fresh_db, db_path, tmp_path, capsys):
    from contest.__main__ import main

    names = [c["name"] for c in settings.DEFAULT_RUBRIC]  # weights 25 25 25 10 15, range 0–10
    rows = [("A", "J1", n, s) for n, s in zip(names, [8, 7, 6, 9, 5])]  # (200+175+150+90+75)/100 = 6.9 -> 69
    rows += [("B", "J1", n, s) for n, s in zip(names, [4, 7, 6, 9, 5])]  # 69 − 4·25/100·10 = 59
    scores = tmp_path / "scores.csv"
    pd.DataFrame(rows, columns=ranking.SCORE_COLUMNS).to_csv(scores, index=False)
    assert main(["--db", str(db_path), "rank", str(scores), "--method", "mean"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert out.to_dict("list") == {"rank": [1, 2], "proposal": ["A", "B"], "score": [69.0, 59.0],
                                   "sheets": [1, 1], "spread": [0.0, 0.0]}
    missing = tmp_path / "nowhere.db"
    assert main(["--db", str(missing), "rank", str(scores), "--method", "mean"]) == 0
    assert not missing.exists()
    assert pd.read_csv(io.StringIO(capsys.readouterr().out))["score"].tolist() == [100.0, 0.0]  # observed range
