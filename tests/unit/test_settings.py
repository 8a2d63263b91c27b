import pytest

from contest import audit, settings
from contest.errors import PermissionDenied, ValidationError


def test_defaults_are_valid_and_complete(fresh_db):
    contest = settings.get(fresh_db)
    assert [t["code"] for t in contest.topics] == ["teaching", "environment", "transport", "life",
                                                   "development", "other"]
    assert [c["name"] for c in contest.rubric] == ["问题价值", "调研扎实", "建议可行", "表达规范", "创新性"]
    assert settings.validate(contest) == contest


def test_update_is_audited_with_old_and_new(fresh_db, people):
    settings.update(fresh_db, people["organizer"], contest_name="第九届集智思源")
    assert settings.get(fresh_db).contest_name == "第九届集智思源"
    entry = audit.entries(fresh_db, people["organizer"])[0]
    assert entry["action"] == "update_settings" and "第九届集智思源" in entry["detail"]


@pytest.mark.parametrize("role", ["alice", "judge", "dept"])
def test_only_organizers_change_settings(fresh_db, people, role):
    with pytest.raises(PermissionDenied):
        settings.update(fresh_db, people[role], contest_name="x" * 10)


@pytest.mark.parametrize("changes, message", [
    ({"contest_name": ""}, "请填写比赛名称"),
    ({"contest_name": "x" * 61}, "最多 60"),
    ({"year": "abc"}, "年份必须是数字"),
    ({"reviews_per_proposal": 0}, "1–10"),
    ({"rubric": [{"code": "a", "name": "甲", "weight": 0, "min": 0, "max": 10}]}, "权重必须大于 0"),
    ({"rubric": [{"code": "a", "name": "甲", "weight": -1, "min": 0, "max": 10}]}, "权重必须大于 0"),
    ({"rubric": [{"code": "a", "name": "甲", "weight": "x", "min": 0, "max": 10}]}, "必须是数字"),
    ({"rubric": [{"code": "a", "name": "甲", "weight": 1, "min": 10, "max": 10}]}, "最高分必须大于最低分"),
    ({"rubric": []}, "至少需要一项"),
    ({"rubric": [{"code": "a", "name": "甲", "weight": 1, "min": 0, "max": 5},
                 {"code": "a", "name": "乙", "weight": 1, "min": 0, "max": 5}]}, "代码重复"),
    ({"topics": []}, "至少需要一个议题"),
    ({"topics": [{"code": "Bad Code", "name": "x"}]}, "小写字母"),
    ({"topics": [{"code": "a", "name": "<b>甲</b>"}, {"code": "b", "name": "<b>甲</b>"}]}, "名称重复"),
    ({"colleges": []}, "至少需要一个学院"),
])
def test_bad_settings_are_refused_and_change_nothing(fresh_db, people, changes, message):
    before = settings.get(fresh_db)
    with pytest.raises(ValidationError, match=message):
        settings.update(fresh_db, people["organizer"], **changes)
    assert settings.get(fresh_db) == before


def test_phases_must_be_in_order(fresh_db, people):
    phases = dict(settings.get(fresh_db).phases)
    phases["judging_closes"] = "2020-01-01 00:00"
    with pytest.raises(ValidationError, match="评审截止不能早于提案征集截止"):
        settings.update(fresh_db, people["organizer"], phases=phases)
    with pytest.raises(ValidationError, match="时间格式"):
        settings.update(fresh_db, people["organizer"], phases=dict(phases, submission_opens="明天"))


def test_grace_period_keeps_submission_open(fresh_db, people):
    contest = settings.get(fresh_db)
    closes = contest.at("submission_closes")
    after = closes.replace(hour=closes.hour + 1)
    assert contest.submission_open(closes) and not contest.submission_open(after)
    grace = after.strftime(settings.DATE_FORMAT)
    contest = settings.update(fresh_db, people["organizer"], grace_until=grace)
    assert contest.submission_open(after)
    with pytest.raises(ValidationError, match="宽限期截止不能早于"):
        settings.update(fresh_db, people["organizer"], grace_until="2000-01-01 00:00")


def test_departments_are_replaced_and_deactivated_not_deleted(fresh_db, people):
    settings.save_departments(fresh_db, people["organizer"], [{"code": "jwc", "name": "本科生院"},
                                                              {"code": "tsg", "name": "图书馆"}])
    active = {d["code"]: d["name"] for d in settings.departments(fresh_db)}
    assert active == {"jwc": "本科生院", "tsg": "图书馆"}
    assert {d["code"] for d in settings.departments(fresh_db, include_inactive=True)} == {"jwc", "hqc", "tsg"}
    with pytest.raises(ValidationError, match="部门代码重复"):
        settings.save_departments(fresh_db, people["organizer"], [{"code": "a", "name": "甲"},
                                                                  {"code": "a", "name": "乙"}])
    with pytest.raises(PermissionDenied):
        settings.save_departments(fresh_db, people["judge"], [{"code": "a", "name": "甲"}])


def test_audit_log_is_for_organizers_only(fresh_db, people):
    with pytest.raises(PermissionDenied):
        audit.entries(fresh_db, people["alice"])
