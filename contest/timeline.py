"""A proposal's status timeline for its authors and organizers.

Steps: 草稿 → 已提交 → 已立案 / 不予立案 → 评审中 → 已评审 / 获奖 → 已转办 → 已答复 → 已解决.
The early steps come from the proposal itself, judging from its tables (assignments,
sheets, awards; authors see an award only once results are published), the follow-up
steps from the case tables (``timeline_events``). Each step is a dict:
``{"step": str, "state": "done" | "current" | "todo", "at": str | None, "detail": str}``.
"""
from __future__ import annotations

from sqlite_utils import Database

from . import meetings, policy, proposals, settings
from .accounts import User
from .vocabulary import AnswerState, EntryKind, Rating

STEPS = ["草稿", "已提交", "已立案", "评审中", "已评审", "已转办", "已答复", "已解决"]


def _step(name: str, at=None, detail: str = "", state: str = "todo") -> dict:
    return {"step": name, "state": state, "at": (at or None) and str(at)[:16], "detail": detail}


def timeline(db: Database, user: User, proposal_id: int) -> list[dict]:
    """The steps of one proposal, in order, for whoever may read it (authors, organizers)."""
    proposal = proposals.get(db, user, proposal_id)
    contest = settings.get(db)
    status = proposal["status"]
    steps = [_step("草稿", proposal["created_at"], "导入的提案" if proposal["source"] == "import" else "", "done")]

    if status == "withdrawn":
        steps.append(_step("已撤回", proposal["updated_at"], "提交人已撤回，可重新编辑后再次提交。", "done"))
        return steps
    submitted = status in ("submitted", "valid", "invalid")
    steps.append(_step("已提交", proposal["submitted_at"], "", "done" if submitted else "todo"))
    if status == "invalid":
        steps.append(_step("不予立案", proposal["screened_at"], proposal["invalid_reason"] or "", "done"))
        return steps
    screened = status == "valid"
    steps.append(_step("已立案", proposal["screened_at"], "" if screened else "等待立案审查",
                       "done" if screened else "todo"))

    steps += _judging(db, user, proposal, contest)
    steps += _followup(db, proposal["id"])
    _mark_current(steps)
    return _in_time_order(steps)


#: The status line of a step that is not itself worded as a status.
_STATUS_OF_STEP = {"评价": "已评价", "进展更新": "办理中（有进展）", "部门退回": "部门退回，等待改派",
                   "申请再次答复": "已申请再次答复", "列入对接会": "已列入对接会"}


def status_line(db: Database, user: User, proposal_id: int) -> str:
    """One status for the proposal from submission to the final answer: its latest step done
    (已提交, 已立案, 评审中, 获奖：一等奖, 已转办, 已答复, 已解决, 已评价 ...)."""
    done = [s for s in timeline(db, user, proposal_id) if s["state"] == "done"]
    last = done[-1]
    if last["step"] == "获奖":
        return f"获奖：{last['detail']}"
    return _STATUS_OF_STEP.get(last["step"], last["step"])


def _in_time_order(steps: list[dict]) -> list[dict]:
    """The steps done, oldest first (a step without a time stays after the one before it), then
    the current step, then the others still to come in their usual order."""
    done, last = [], ""
    for n, s in enumerate(steps):
        if s["state"] == "done":
            last = s["at"] or last
            done.append((last, n, s))
    ahead = [s for s in steps if s["state"] == "current"] + [s for s in steps if s["state"] == "todo"]
    return [s for _, _, s in sorted(done, key=lambda item: (item[0], item[1]))] + ahead


def _judging(db: Database, user: User, proposal: dict, contest: settings.Settings) -> list[dict]:
    review = _step("评审中")
    reviewed = _step("已评审")
    pid = proposal["id"]
    assigned = next(db.query("select count(*) as n, min(created_at) as at from assignments "
                             "where proposal_id = ? and published = 1", [pid]))
    if assigned["n"]:
        review = _step("评审中", assigned["at"], f"{assigned['n']} 位评委评审", "done")
        done = next(db.query("select count(*) as n, max(submitted_at) as at from sheets "
                             "where proposal_id = ? and status = 'submitted'", [pid]))
        if done["n"] >= assigned["n"]:
            reviewed = _step("已评审", done["at"], "", "done")
    if policy.allows(user, "manage_results") or contest.results_published:  # authors see awards once published
        award = next(db["awards"].rows_where("proposal_id = ?", [pid]), None)
        if award and award["award"]:
            at = award["decided_at"] if policy.allows(user, "manage_results") else contest.published_at
            reviewed = _step("获奖", at, award["award"], "done")
    return [review, reviewed]


def _followup(db: Database, proposal_id: int) -> list[dict]:
    """已转办 / 已答复 / 已解决, and any further events (updates, ratings) from follow-up."""
    steps = {name: _step(name) for name in ("已转办", "已答复", "已解决")}
    extra = []
    events = timeline_events(db, proposal_id) + meetings.timeline_events(db, proposal_id)  # 列入对接会, 对接会结果
    for event in sorted(events, key=lambda e: e["at"] or ""):
        name = event.get("step")
        item = _step(name, event.get("at"), event.get("detail") or "", event.get("state") or "done")
        if name in steps:
            steps[name] = item
        else:
            extra.append(item)
    return list(steps.values()) + extra


def timeline_events(db: Database, proposal_id: int) -> list[dict]:
    """Follow-up steps of one proposal, oldest first: dict(at, step, detail).

    The milestones are named as ``_followup`` below expects them (已转办, 已答复 for the first reply,
    已解决 for the first reply or update saying so); the other steps are 重新转办, 部门退回, 进展更新,
    申请再次答复, 再次答复 and 评价.

    The caller (the student's timeline) has already checked that the user may see the proposal.
    Rating comments are the author's own; no person's name appears."""
    member = next(db["case_members"].rows_where("proposal_id = ?", [proposal_id]), None)
    if member is None:
        return []
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    events = []
    for f in db["case_forwards"].rows_where("case_id = ?", [member["case_id"]], order_by="id"):
        co = "、".join(names.get(c, c) for c in (f["co_departments"] or "").split())
        dept = names.get(f["department"], f["department"])
        if f["kind"] == "decline":
            events.append({"at": f["at"], "step": "部门退回", "detail": f"{dept}退回：{f['reason']}"})
        elif f["kind"] == "co_decline":
            events.append({"at": f["at"], "step": "协办部门退出", "detail": f"{dept}不再协办：{f['reason']}"})
        else:
            step = "已转办" if f["kind"] == "forward" else "重新转办"
            detail = f"主办：{dept}" + (f"；协办：{co}" if co else "")
            if f["kind"] == "reforward" and f["reason"]:
                detail += f"；理由：{f['reason']}"
            events.append({"at": f["at"], "step": step, "detail": detail})
    resolved_seen = False
    for r in db["replies"].rows_where("case_id = ?", [member["case_id"]], order_by="at, id"):
        dept = names.get(r["department"], r["department"])
        detail = f"{dept}（{AnswerState(r['state']).label}）：{r['text']}"
        if r["plan"]:
            detail += f"\n办理计划：{r['plan']}"
        if r["expected_date"]:
            detail += f"\n预计完成：{r['expected_date']}"
        if r["reason"]:
            detail += f"\n原因：{r['reason']}"
        step = "已答复" if r["kind"] == "reply" else EntryKind(r["kind"]).label
        events.append({"at": r["at"], "step": step, "detail": detail})
        if r["state"] == "resolved" and not resolved_seen:
            resolved_seen = True
            events.append({"at": r["at"], "step": "已解决", "detail": f"{dept}答复已解决"})
    if member["further_requested_at"]:
        events.append({"at": member["further_requested_at"], "step": "申请再次答复",
                       "detail": member["further_reason"] or ""})
    for r in db["ratings"].rows_where("proposal_id = ?", [proposal_id], order_by="round"):
        events.append({"at": r["at"], "step": "评价",
                       "detail": Rating(r["level"]).label + (f"：{r['comment']}" if r["comment"] else "")})
    return sorted(events, key=lambda e: e["at"])


def _mark_current(steps: list[dict]) -> None:
    """The first step not done after the last done one is 'current' (what happens next)."""
    last_done = max((i for i, s in enumerate(steps) if s["state"] == "done"), default=-1)
    if last_done + 1 < len(steps) and steps[last_done + 1]["state"] == "todo":
        steps[last_done + 1]["state"] = "current"
