"""Review progress for organizers: who is behind, where judges disagree, every submitted score."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from sqlite_utils import Database

from . import clock, exports, policy, ranking, settings
from .accounts import User
from .score_sheets import weighted_totals
from .vocabulary import SheetStatus, label_of


SPREAD_FLAG = 20.0  # a max - min of weighted totals (0-100) at or above this flags disagreement


def _expected_fraction(contest: settings.Settings, now: dt.datetime) -> float:
    """Share of the reviews a judge should have submitted by now: linear from the end of
    submission (or the start of the contest) to the end of judging."""
    start = contest.at("submission_closes") or contest.at("submission_opens")
    end = contest.at("judging_closes")
    if end is None or start is None or end <= start:
        return 0.0
    return min(max((now - start) / (end - start), 0.0), 1.0)


def progress(db: Database, actor: User, *, now: dt.datetime | None = None) -> dict:
    """Judging progress for organizers.

    ``judges``: per judge assigned (published) / submitted / draft / todo / expected by now / overdue
    (unsubmitted after judging closed) / late (behind the expected pace or overdue);
    ``proposals``: per valid proposal assigned / submitted reviews, mean and spread (max - min) of
    the weighted totals, ``disagree`` when spread >= SPREAD_FLAG;
    ``late``: the judges to remind; ``summary``: totals."""
    policy.require(actor, "manage_judging")
    now = now or clock.now()
    contest = settings.get(db)
    closed = not contest.judging_open(now)
    fraction = _expected_fraction(contest, now)
    judge_rows = db.execute("""
        select u.id as judge_id, u.username as judge, u.name, u.email,
               count(a.proposal_id) as assigned,
               sum(case when s.status = 'submitted' then 1 else 0 end) as submitted,
               sum(case when s.status = 'draft' then 1 else 0 end) as draft
        from users u left join assignments a on a.judge_id = u.id and a.published = 1
        left join sheets s on s.proposal_id = a.proposal_id and s.judge_id = u.id
        where u.role = 'judge' and u.active = 1 group by u.id order by u.username""").fetchall()
    judges = pd.DataFrame(judge_rows, columns=["judge_id", "judge", "name", "email", "assigned", "submitted",
                                               "draft"])
    for col in ("assigned", "submitted", "draft"):
        judges[col] = judges[col].fillna(0).astype(int)
    judges["todo"] = judges["assigned"] - judges["submitted"] - judges["draft"]
    remaining = judges["assigned"] - judges["submitted"]
    judges["expected"] = (judges["assigned"] * fraction).apply(math.floor).astype(int)
    judges["overdue"] = remaining if closed else 0
    judges["late"] = (remaining > 0) & ((judges["submitted"] < judges["expected"]) | closed)
    judges["done"] = (judges["submitted"] / judges["assigned"].where(judges["assigned"] > 0)).fillna(0.0)

    prop_rows = db.execute("""
        select p.id as proposal_id, p.title, p.topic,
               (select count(*) from assignments a where a.proposal_id = p.id and a.published = 1) as assigned,
               (select count(*) from assignments a where a.proposal_id = p.id and a.published = 0) as draft_assigned,
               (select count(*) from sheets s where s.proposal_id = p.id and s.status = 'submitted') as submitted
        from proposals p where p.status = 'valid' order by p.id""").fetchall()
    props = pd.DataFrame(prop_rows, columns=["proposal_id", "title", "topic", "assigned", "draft_assigned",
                                             "submitted"])
    totals = weighted_totals(db, status="submitted")
    stats = totals.groupby("proposal")["total"].agg(["mean", "min", "max"]) if len(totals) else None
    if stats is not None:
        props["mean"] = props["proposal_id"].map(stats["mean"]).astype(float).round(1)
        props["spread"] = props["proposal_id"].map(stats["max"] - stats["min"]).astype(float).round(1)
    else:
        props["mean"] = float("nan")
        props["spread"] = float("nan")
    props["disagree"] = (props["submitted"] >= 2) & (props["spread"] >= SPREAD_FLAG)
    late = judges[judges["late"]][["judge_id", "judge", "name", "email", "assigned", "submitted", "expected"]]
    summary = {"proposals": len(props), "reviews_assigned": int(judges["assigned"].sum()),
               "reviews_submitted": int(judges["submitted"].sum()),
               "fully_reviewed": int(((props["submitted"] >= props["assigned"]) & (props["assigned"] > 0)).sum()),
               "disagree": int(props["disagree"].sum()), "late_judges": len(late), "closed": closed,
               "expected_fraction": fraction}
    return {"judges": judges, "proposals": props, "late": late.reset_index(drop=True), "summary": summary}


def submitted_scores(db: Database, actor: User) -> pd.DataFrame:
    """Every criterion score of submitted sheets (proposal, judge, criterion, score), for ranking."""
    policy.require(actor, "manage_judging")
    rows = db.query("""select s.proposal_id as proposal, s.judge_id as judge, sc.criterion, sc.score
                       from sheets s join scores sc on sc.sheet_id = s.id
                       where s.status = 'submitted' order by s.proposal_id, s.judge_id, sc.criterion""")
    return pd.DataFrame(rows, columns=ranking.SCORE_COLUMNS)


def sheets_of_proposal(db: Database, actor: User, proposal_id: int) -> pd.DataFrame:
    """Organizer: every sheet of one proposal with judge, status, total, comment and confidential note."""
    policy.require(actor, "manage_judging")
    rows = list(db.query("""select s.id as sheet_id, u.username as judge, u.name as judge_name, s.status,
                                   s.comment, s.note, s.updated_at, s.submitted_at
                            from sheets s join users u on u.id = s.judge_id
                            where s.proposal_id = ? order by u.username""", [proposal_id]))
    frame = pd.DataFrame(rows, columns=["sheet_id", "judge", "judge_name", "status", "comment", "note",
                                        "updated_at", "submitted_at"])
    totals = weighted_totals(db, [int(i) for i in frame["sheet_id"]])
    frame["total"] = frame["sheet_id"].map(dict(zip(totals["sheet_id"], totals["total"].round(1))))
    return frame


def score_details(db: Database, actor: User) -> pd.DataFrame:
    """Organizers: one row per score sheet with each criterion's score, the weighted total (0-100,
    submitted sheets only) and the judge's comment for the authors; Chinese headers, for export."""
    policy.require(actor, "manage_judging")
    rubric = settings.get(db).rubric
    sheets = pd.DataFrame(db.execute(
        """select s.id, s.proposal_id, p.title, u.name, u.username, s.status, coalesce(s.comment, '')
           from sheets s join proposals p on p.id = s.proposal_id join users u on u.id = s.judge_id
           order by s.proposal_id, u.name, s.id""").fetchall(),
        columns=["sheet_id", "提案编号", "标题", "评委", "评委账号", "状态", "评语（给作者）"])
    scores = pd.DataFrame(db.execute("select sheet_id, criterion, score from scores").fetchall(),
                          columns=["sheet_id", "criterion", "score"])
    wide = scores.pivot(index="sheet_id", columns="criterion", values="score") if len(scores) else pd.DataFrame()
    for c in rubric:
        column = wide[c.code] if c.code in wide else pd.Series(dtype=float)
        sheets[f"{c.name}（{c.min:g}–{c.max:g}）"] = sheets["sheet_id"].map(column)
    totals = weighted_totals(db, status="submitted").set_index("sheet_id")["total"].astype(float).round(2)
    sheets["总分（0–100）"] = sheets["sheet_id"].map(totals)
    sheets["状态"] = sheets["状态"].map(lambda s: label_of(SheetStatus, s))
    comment = sheets.pop("评语（给作者）")
    sheets["评语（给作者）"] = comment
    return sheets.drop(columns=["sheet_id"])


def score_details_excel(db: Database, actor: User) -> bytes:
    """The per-criterion scores and comments as a formula-safe workbook (one sheet)."""
    return exports.to_excel({"评分明细": score_details(db, actor)})
