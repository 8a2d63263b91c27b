"""Page-level paths of the permissions audit: ids that reach the domain through widgets or
session state, forced password changes, disabled accounts, user text in markdown labels."""
from __future__ import annotations

import pytest

from contest import attachments, forwarding, proposals, review_assignments, settings
from tests.helpers import NOW, texts

PDF = b"%PDF-1.4\n% audit\n"
BOB_SECRET = "鲍勃的秘密草稿"
LINK_NAME = "[点我](evil.example).pdf"


def _fields(title, **extra):
    return {"title": title, "topic": "life", "problem": "食堂晚餐时段排队时间过长，影响同学上晚自习。" * 2,
            "investigation": "问卷调查 120 人，平均排队 18 分钟，七成同学表示影响学习。" * 2,
            "suggestions": "增开两个窗口，错峰供应，并在高峰时段增加自助取餐点。" * 2} | extra


@pytest.fixture
def objects(fresh_db, people):
    db, p = fresh_db, people
    ids = {"b_draft": proposals.save_draft(db, p["bob"], _fields(BOB_SECRET), now=NOW)}
    ids["a_draft"] = proposals.save_draft(db, p["alice"], _fields("艾丽的秘密草稿", coauthors="2023003"), now=NOW)
    ids["v1"] = proposals.save_draft(db, p["alice"], _fields("关于食堂增开窗口的建议"), now=NOW)
    attachments.add(db, p["alice"], ids["v1"], LINK_NAME, PDF, now=NOW)
    proposals.submit(db, p["alice"], ids["v1"], now=NOW)
    ids["v2"] = proposals.save_draft(db, p["bob"], _fields("鲍勃关于图书馆的建议"), now=NOW)
    proposals.submit(db, p["bob"], ids["v2"], now=NOW)
    proposals.screen(db, p["organizer"], [ids["v1"], ids["v2"]], True, now=NOW)
    review_assignments.add_assignment(db, p["organizer"], ids["v1"], p["judge"].id, now=NOW)
    review_assignments.publish_assignments(db, p["organizer"])
    ids["case"] = forwarding.forward(db, p["organizer"], ids["v1"], "jwc", now=NOW)
    return ids


@pytest.mark.parametrize("who, page", [("alice", "app_pages/my_proposals.py"), ("organizer", "app_pages/overview.py"),
                                       ("dept", "app_pages/department_queue.py")])
def test_must_change_password_users_can_do_nothing_else(app_as, fresh_db, people, who, page):
    fresh_db["users"].update(people[who].id, {"must_change_password": 1})
    at = app_as(who)
    assert "设置新密码" in texts(at)
    for target in (page, "app_pages/account.py", "app_pages/public_followup.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(target)


def test_a_disabled_account_is_logged_out_on_the_next_run(app_as, fresh_db, people):
    at = app_as("alice", "app_pages/my_proposals.py")
    fresh_db["users"].update(people["alice"].id, {"active": 0})
    at.run()
    assert at.session_state["user"] is None
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/my_proposals.py")


def test_writing_page_ignores_someone_elses_proposal_id(app_as, objects):
    at = app_as("alice")
    at.session_state["wp_pending_choice"] = objects["b_draft"]
    at.switch_page("app_pages/write_proposal.py")
    at.run()
    assert not at.exception
    assert BOB_SECRET not in texts(at) and all(BOB_SECRET not in (t.value or "") for t in at.text_input)


def test_co_author_never_sees_a_draft_on_my_proposals(app_as, objects):
    at = app_as("carol", "app_pages/my_proposals.py")
    assert not at.exception
    assert "艾丽的秘密草稿" not in texts(at)
    assert all("艾丽的秘密草稿" not in str(o) for box in at.selectbox for o in box.options)


def test_score_sheet_ignores_an_unassigned_proposal_id(app_as, objects):
    at = app_as("judge")
    at.session_state["score_proposal"] = objects["v2"]
    at.switch_page("app_pages/score_sheet.py")
    at.run()
    assert not at.exception
    assert "鲍勃关于图书馆的建议" not in texts(at)
    assert at.selectbox[0].value == objects["v1"]
    # blind: the attachment is offered under a neutral name, never the uploaded one
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels and all("点我" not in label and "附件1.pdf" in label for label in labels)


def test_department_page_ignores_another_departments_case(app_as, objects):
    at = app_as("dept2")
    at.session_state["queue_case"] = objects["case"]
    at.switch_page("app_pages/department_queue.py")
    at.run()
    assert not at.exception
    assert "目前没有转办给本部门的提案" in texts(at)
    assert "关于食堂增开窗口的建议" not in texts(at)


def test_department_page_shows_a_students_file_name_as_text_not_a_link(app_as, objects):
    at = app_as("dept", "app_pages/department_queue.py")
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    file_label = next(label for label in labels if "提案附件" in label)
    assert "](" not in file_label and "\\[点我\\]" in file_label


def test_contest_name_is_not_markdown_in_the_sidebar_and_titles(app_as, fresh_db, people):
    settings.update(fresh_db, people["organizer"], contest_name="![x](http://tracker.example/t.png)大赛")
    for who in (None, "organizer"):
        at = app_as(who)
        shown = [c.value for c in at.sidebar.caption] + [t.value for t in at.title]
        assert shown and all("![x](http" not in value for value in shown)
