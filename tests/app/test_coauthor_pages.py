"""Co-authors by invitation on 撰写提案 and 我的提案 (issue 11): consent before any name is shown."""
from __future__ import annotations

from contest import proposals
from tests.helpers import GOOD, NOW, WRITE, click, fill, texts

MINE = "app_pages/my_proposals.py"


def test_invite_accept_and_leave_through_the_pages(app_as, fresh_db, people):
    at = app_as("alice", WRITE)
    prefix = fill(at, **(GOOD | {"coauthors": "2023002"}))
    click(at, "提交")
    pid = at.session_state["wp_choice"]
    assert fresh_db["proposals"].get(pid)["status"] == "submitted"
    assert fresh_db["coauthors"].count == 0  # invited, not a co-author
    at.run()
    shown = texts(at)
    assert "2023002 等待对方确认" in shown
    assert "鲍勃" not in shown and "医学部" not in shown  # the invitee's name and college stay hidden
    assert at.text_input(key=prefix.replace("wp0_", f"wp{pid}_") + "coauthors").value == "2023002"

    bob = app_as("bob", MINE)
    assert f"艾丽 邀请你成为提案 #{pid} {GOOD['title']} 的合作者" in texts(bob)
    assert not bob.dataframe  # not among his proposals yet
    click(bob, "接受")
    assert not bob.exception
    assert "已接受邀请" in texts(bob)
    assert bob.dataframe[0].value["我的角色"].tolist() == ["合作者"]
    assert fresh_db["coauthors"].count == 1

    alice = app_as("alice", MINE)
    assert "鲍勃（2023002）" in str([d.value.to_dict() for d in alice.dataframe])  # accepted: now shown

    bob = app_as("bob", MINE)
    leave = next(b for b in bob.button if b.label == "退出合作")
    assert leave.disabled  # needs the confirmation first
    bob.checkbox(key=f"mp_leave_sure_{pid}").check()
    bob.run()
    click(bob, "退出合作")
    assert "你已退出这件提案的合作" in texts(bob)
    assert fresh_db["coauthors"].count == 0
    assert "还没有提案" in texts(bob)


def test_a_declined_invitation_shows_only_the_number(app_as, fresh_db, people):
    pid = proposals.save_draft(fresh_db, people["alice"], GOOD | {"coauthors": "2023003"}, now=NOW)
    assert "邀请你成为提案" not in texts(app_as("carol", MINE))  # a draft is the submitter's alone
    proposals.submit(fresh_db, people["alice"], pid, now=NOW)
    carol = app_as("carol", MINE)
    click(carol, "婉拒")
    assert "已婉拒这次合作邀请" in texts(carol) and "邀请你成为提案" not in texts(carol)
    alice = app_as("alice", WRITE)
    alice.selectbox(key="wp_choice").select(pid)
    alice.run()
    assert "2023003 已婉拒" in texts(alice) and "卡罗" not in texts(alice)
    assert alice.text_input(key=f"wp{pid}_coauthors").value == ""  # not invited again by a resave
    fill(alice, coauthors="2023003")
    click(alice, "保存修改")
    assert "已婉拒或退出" in texts(alice)
    assert fresh_db["coauthor_invitations"].count == 1
