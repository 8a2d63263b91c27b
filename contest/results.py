"""Results: leaderboards, awards, publication, and what authors and the public see.

Data
----
Only *submitted* score sheets of *valid* (立案) proposals count. Their scores
(criterion codes in the database) are mapped to the rubric in the settings and
handed to the pure functions of ``contest.ranking`` (criterion = its Chinese
name, proposal = proposal id, judge = judge id). Valid proposals without any
submitted sheet are listed too, as incomplete, without a score.

Organizer's settings (``contest.settings.Settings``): ``ranking_method``
(default ``zscore``), ``tie_break`` ("sheets" and/or criterion codes),
``award_tiers`` (share in % or a count per tier), ``results_published`` and
``published_at``.

Awards
------
Before publication the awards are a preview computed from the official method
and tiers (``ranking.AWARD_RULE``); manual overrides are stored at once in the
``awards`` table (``overridden = 1`` with the reason, audited). Publishing
writes one ``awards`` row per valid proposal (award or NULL, rank among
complete proposals or NULL when incomplete, score) and freezes it: overrides
and re-computation are refused until the organizer withdraws the publication.

Visibility
----------
- Organizers see everything, at any time (leaderboard, judges, exports).
- Before publication nobody else sees any ranking: ``author_view`` returns
  None and ``honour_roll`` raises ``PermissionDenied``.
- After publication an author (submitter or co-author) sees, for their own
  proposal, the award, a rank band (前 10% …) and the judges' comments for
  authors — never the confidential notes, the judges' names or ids, scores or
  the exact rank.
- The public honour roll lists the awarded proposals with award, title, topic,
  and the authors' names and colleges. Decision: an honour roll (获奖公示) exists
  to name the winners, and campus award notices customarily give 姓名 and 学院;
  学号, contact details, scores and ranks are never shown there.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlite_utils import Database

from . import audit, clock, exports, notices, policy, ranking, settings, validation
from .accounts import User
from .db import get_row, int_id, writes
from .errors import PermissionDenied, ValidationError
from .rubric import frame as rubric_frame

RANK_BANDS = (1, 5, 10, 20, 30, 50)  # "前 N%" bands shown to authors
DISAGREEMENT = 20.0  # spread (max - min of sheet totals, 0-100) flagged as a large disagreement
NO_AWARD = "（无奖项）"
SHORT_METHOD = {"mean": "平均分", "median": "中位数", "trimmed": "去极值平均", "zscore": "标准分"}  # export headers
NOT_PUBLISHED = "结果尚未公布，排名仅组织者可见。"


# --------------------------------------------------------------------------- data


@dataclass
class ResultsData:
    """Everything the leaderboard needs, loaded once per data version (organizers only)."""

    contest: settings.Settings
    scores: pd.DataFrame  # proposal, judge, criterion (name), score
    rubric: pd.DataFrame  # criterion (name), weight, min, max
    totals: pd.DataFrame  # proposal, judge, total (0-100), one row per submitted sheet
    proposals: pd.DataFrame  # proposal, title, topic, topic_name, author, college
    judges: pd.DataFrame  # judge, judge_name
    overrides: dict = field(default_factory=dict)  # proposal id -> award (None = no award)
    reasons: dict = field(default_factory=dict)  # proposal id -> override reason
    saved: pd.DataFrame | None = None  # the awards table when results are published


@dataclass
class Leaderboard:
    """One method's leaderboard; ``table`` is sorted by rank (complete proposals first)."""

    method: str
    official_method: str
    required: int
    table: pd.DataFrame
    tie_break: str  # Chinese description
    published: bool
    counts: dict


def data_version(db: Database, actor: User) -> str:
    """A cheap fingerprint that changes whenever anything the leaderboard shows changes."""
    policy.require(actor, "manage_results")
    parts = [
        db.execute("select count(*), max(updated_at), max(submitted_at), total(id) from sheets "
                   "where status = 'submitted'").fetchone(),
        db.execute("select count(*) from scores").fetchone(),
        db.execute("select topic, count(*), total(id), max(updated_at), max(screened_at) from proposals "
                   "where status = 'valid' group by topic order by topic").fetchall(),
        db.execute("select count(*), max(decided_at), total(overridden), group_concat(coalesce(award, '-')) "
                   "from awards").fetchone(),
        db.execute("select count(*), max(id) from users").fetchone(),
        db.execute("select group_concat(key || '=' || value, ';') from "
                   "(select key, value from settings order by key)").fetchone(),
    ]
    return json.dumps(parts, ensure_ascii=False, default=str)


def load(db: Database, actor: User) -> ResultsData:
    """Submitted sheets of valid proposals as ranking frames (organizers only)."""
    policy.require(actor, "manage_results")
    return _load(db)


def _load(db: Database) -> ResultsData:
    contest = settings.get(db)
    names = {c.code: c.name for c in contest.rubric}
    rubric = rubric_frame(contest.rubric, by="name")
    rows = db.execute(
        """select s.proposal_id, s.judge_id, sc.criterion, sc.score
           from sheets s join proposals p on p.id = s.proposal_id join scores sc on sc.sheet_id = s.id
           where s.status = 'submitted' and p.status = 'valid'""").fetchall()
    scores = pd.DataFrame(rows, columns=ranking.SCORE_COLUMNS)
    scores = scores[scores["criterion"].isin(list(names))].reset_index(drop=True)
    scores["criterion"] = scores["criterion"].map(names)
    scores["score"] = scores["score"].astype(float)
    if scores.empty:
        totals = pd.DataFrame({"proposal": pd.Series(dtype=int), "judge": pd.Series(dtype=int),
                               "total": pd.Series(dtype=float)})
    else:
        totals = ranking.sheet_totals(scores, rubric)
    proposals = pd.DataFrame(db.execute(
        """select p.id, p.title, p.topic, coalesce(p.author_name, u.name), p.college
           from proposals p join users u on u.id = p.submitter_id
           where p.status = 'valid' order by p.id""").fetchall(),
        columns=["proposal", "title", "topic", "author", "college"])
    proposals.insert(3, "topic_name", proposals["topic"].map(contest.topic_name))
    judges = pd.DataFrame(db.execute(
        "select id, name, username from users where id in (select distinct judge_id from sheets) order by id"
    ).fetchall(), columns=["judge", "judge_name", "username"])
    twice = judges["judge_name"].duplicated(keep=False)
    judges.loc[twice, "judge_name"] = judges["judge_name"] + "（" + judges["username"] + "）"
    awards = pd.DataFrame(db.execute(
        "select proposal_id, award, rank, score, overridden, reason, decided_at from awards").fetchall(),
        columns=["proposal", "award", "rank", "score", "overridden", "reason", "decided_at"])
    manual = awards[awards["overridden"] == 1]
    overrides = {int(p): (a or None) for p, a in zip(manual["proposal"], manual["award"])}
    reasons = {int(p): r for p, r in zip(manual["proposal"], manual["reason"])}
    return ResultsData(contest=contest, scores=scores, rubric=rubric, totals=totals, proposals=proposals,
                       judges=judges[["judge", "judge_name"]], overrides=overrides, reasons=reasons,
                       saved=awards if contest.results_published else None)


# --------------------------------------------------------------------------- leaderboard


def tiers(contest: settings.Settings) -> list[tuple[str, float | int]]:
    """The settings' award tiers as ``ranking`` wants them (share as a fraction, count as an int)."""
    return [(t["name"], float(t["value"]) / 100 if t["kind"] == "share" else int(t["value"]))
            for t in contest.award_tiers]


def tie_break_keys(contest: settings.Settings) -> list[str]:
    """Settings' tie-break codes as ``ranking`` keys ("sheets" or the criterion's name)."""
    names = {c.code: c.name for c in contest.rubric}
    return [k if k == "sheets" else names[k] for k in contest.tie_break if k == "sheets" or k in names]


def describe_tie_break(contest: settings.Settings) -> str:
    return ranking.describe_tie_break(tie_break_keys(contest))


def leaderboard(data: ResultsData, method: str | None = None) -> Leaderboard:
    """The leaderboard for ``method`` (default: the official one), overall and per topic.

    ``table`` columns: proposal, title, topic, topic_name, author, college, score, sheets,
    spread, incomplete, disagreement, rank, rank_mean, rank_zscore, rank_change (mean rank −
    zscore rank: positive = moved up thanks to normalisation), topic_rank, topic_rank_mean,
    topic_rank_zscore, topic_rank_change, award, overridden, reason.
    Ranks follow ``ranking.rank`` with required = settings.reviews_per_proposal and the
    organizer's tie-break; incomplete proposals are ranked after the complete ones.
    """
    contest = data.contest
    method = method or contest.ranking_method
    if method not in ranking.METHODS:
        raise ValidationError(f"未知的汇总方法“{method}”。")
    required = contest.reviews_per_proposal
    keys = tie_break_keys(contest)
    means = (ranking.criterion_mean_table(data.scores, data.rubric)
             if any(k != "sheets" for k in keys) and not data.scores.empty else None)
    if means is not None:
        keys_ok = [k for k in keys if k == "sheets" or k in means.columns]
    else:
        keys_ok = [k for k in keys if k == "sheets"]

    aggregated = {m: _aggregate(data, m) for m in dict.fromkeys([method, contest.ranking_method, "mean", "zscore"])}

    def ranked(m: str, subset=None) -> pd.DataFrame:
        frame = aggregated[m] if subset is None else aggregated[m][aggregated[m]["proposal"].isin(subset)]
        return ranking.rank(frame, required, keys_ok or None, means)

    main = ranked(method)
    table = main.merge(data.proposals, on="proposal", how="left")
    rank_of = lambda frame: frame.set_index("proposal")["rank"]  # noqa: E731
    table["rank_mean"] = table["proposal"].map(rank_of(ranked("mean")))
    table["rank_zscore"] = table["proposal"].map(rank_of(ranked("zscore")))
    table["rank_change"] = table["rank_mean"] - table["rank_zscore"]
    topic_cols = {"topic_rank": method, "topic_rank_mean": "mean", "topic_rank_zscore": "zscore"}
    for col in topic_cols:
        table[col] = 0
    for _, members in data.proposals.groupby("topic", dropna=False)["proposal"]:
        members = list(members)
        rows = table["proposal"].isin(members)
        for col, m in topic_cols.items():
            table.loc[rows, col] = table.loc[rows, "proposal"].map(rank_of(ranked(m, members))).to_numpy()
    table["topic_rank_change"] = table["topic_rank_mean"] - table["topic_rank_zscore"]
    table["disagreement"] = table["spread"].fillna(0) >= DISAGREEMENT

    awards = _awards(data, ranked(contest.ranking_method) if method != contest.ranking_method else main)
    table = table.merge(awards, on="proposal", how="left")
    table["overridden"] = table["overridden"].fillna(False).astype(bool)
    columns = ["proposal", "title", "topic", "topic_name", "author", "college", "score", "sheets", "spread",
               "incomplete", "disagreement", "rank", "rank_mean", "rank_zscore", "rank_change", "topic_rank",
               "topic_rank_mean", "topic_rank_zscore", "topic_rank_change", "award", "overridden", "reason"]
    table = table[columns]
    complete = int((~table["incomplete"]).sum())
    counts = {"proposals": len(table), "complete": complete, "incomplete": len(table) - complete,
              "sheets": len(data.totals), "judges": int(data.totals["judge"].nunique()),
              "awarded": int(table["award"].notna().sum())}
    return Leaderboard(method=method, official_method=contest.ranking_method, required=required, table=table,
                       tie_break=ranking.describe_tie_break(keys_ok), published=contest.results_published,
                       counts=counts)


def _aggregate(data: ResultsData, method: str) -> pd.DataFrame:
    """``ranking.aggregate`` plus a row (no score, 0 sheets) for each valid proposal without sheets."""
    if data.totals.empty:
        agg = pd.DataFrame({"proposal": pd.Series(dtype=int), "score": pd.Series(dtype=float),
                            "sheets": pd.Series(dtype=int), "spread": pd.Series(dtype=float)})
    else:
        agg = ranking.aggregate(data.totals, method)
    missing = data.proposals.loc[~data.proposals["proposal"].isin(agg["proposal"]), "proposal"]
    if len(missing):
        empty = pd.DataFrame({"proposal": missing.to_numpy(), "score": np.nan, "sheets": 0, "spread": np.nan})
        agg = pd.concat([agg, empty], ignore_index=True) if len(agg) else empty
    return agg


def _awards(data: ResultsData, official: pd.DataFrame) -> pd.DataFrame:
    """proposal, award, overridden, reason: the saved awards once published, else the preview."""
    if data.saved is not None:
        saved = data.saved.assign(overridden=data.saved["overridden"].fillna(0).astype(bool))
        return saved[["proposal", "award", "overridden", "reason"]].assign(
            award=lambda f: f["award"].astype(object).where(f["award"].notna(), None))
    present = set(official["proposal"])
    overrides = {p: a for p, a in data.overrides.items() if p in present}
    awarded = ranking.assign_awards(official, tiers(data.contest), overrides)
    out = awarded[["proposal", "award"]].copy()
    out["overridden"] = out["proposal"].isin(list(overrides))
    out["reason"] = out["proposal"].map(data.reasons).where(out["overridden"], None)
    return out


def agreement(data: ResultsData) -> float | None:
    """Krippendorff's α (interval) over all submitted sheets; None when not computable."""
    return ranking.krippendorff_alpha(data.totals)


def judge_summary(data: ResultsData) -> pd.DataFrame:
    """Per judge: judge_name, sheets, mean, std, min, q1, median, q3, max of their totals; harshest first."""
    columns = ["judge", "judge_name", "sheets", "mean", "std", "min", "q1", "median", "q3", "max"]
    if data.totals.empty:
        return pd.DataFrame(columns=columns)
    stats = ranking.judge_statistics(data.totals)
    by_judge = data.totals.groupby("judge")["total"]
    quartiles = by_judge.quantile([0.25, 0.5, 0.75]).unstack()
    quartiles.columns = ["q1", "median", "q3"]
    stats = stats.merge(quartiles, left_on="judge", right_index=True).merge(data.judges, on="judge", how="left")
    return stats[columns]


def sheet_totals(data: ResultsData) -> pd.DataFrame:
    """One row per submitted sheet: proposal, judge_name, total (organizers' views and exports)."""
    return data.totals.merge(data.judges, on="judge", how="left")[["proposal", "judge_name", "total"]]


# --------------------------------------------------------------------------- exports


def export_tables(data: ResultsData, board: Leaderboard) -> dict[str, pd.DataFrame]:
    """Awards list, full ranking with per-judge totals, per-judge statistics; Chinese headers."""
    t = board.table
    method = SHORT_METHOD[board.method]
    awarded = t[t["award"].notna()].copy()
    order = {name: i for i, (name, _) in enumerate(tiers(data.contest))}
    awarded = awarded.assign(_o=awarded["award"].map(order).fillna(len(order))).sort_values(
        ["_o", "rank", "proposal"], kind="mergesort")
    awards_list = pd.DataFrame({
        "奖项": awarded["award"], "名次": awarded["rank"], "提案编号": awarded["proposal"],
        "标题": awarded["title"], "议题": awarded["topic_name"], "提交人": awarded["author"],
        "学院": awarded["college"], f"得分（{method}）": awarded["score"].round(2),
        "人工调整": awarded["overridden"].map({True: "是", False: ""}), "调整理由": awarded["reason"].fillna(""),
    })
    full = pd.DataFrame({
        "名次": t["rank"], "提案编号": t["proposal"], "标题": t["title"], "议题": t["topic_name"],
        "议题内名次": t["topic_rank"], "提交人": t["author"], "学院": t["college"],
        f"得分（{method}）": t["score"].round(2), "评审表数": t["sheets"], "分差": t["spread"].round(2),
        "评审完整": t["incomplete"].map({True: "否", False: "是"}), "平均分名次": t["rank_mean"],
        "标准分名次": t["rank_zscore"], "名次变化（平均→标准分）": t["rank_change"],
        "奖项": t["award"].fillna(""),
    })
    sheets = sheet_totals(data).sort_values(["proposal", "judge_name"], kind="mergesort")
    if len(sheets):
        sheets["slot"] = sheets.groupby("proposal").cumcount() + 1
        wide = sheets.pivot(index="proposal", columns="slot", values=["judge_name", "total"])
        for slot in sorted(sheets["slot"].unique()):
            full[f"评委{slot}"] = t["proposal"].map(wide[("judge_name", slot)]).fillna("").to_numpy()
            full[f"评委{slot}总分"] = t["proposal"].map(wide[("total", slot)].astype(float).round(2)).to_numpy()
    judges = judge_summary(data)
    judge_table = pd.DataFrame({
        "评委": judges["judge_name"], "评审表数": judges["sheets"], "平均分": judges["mean"].astype(float).round(2),
        "标准差": judges["std"].astype(float).round(2), "最低分": judges["min"].astype(float).round(2),
        "下四分位": judges["q1"].astype(float).round(2), "中位数": judges["median"].astype(float).round(2),
        "上四分位": judges["q3"].astype(float).round(2), "最高分": judges["max"].astype(float).round(2),
    })
    return {"获奖名单": awards_list, "完整排名": full, "评委统计": judge_table}


def export_excel(tables: dict[str, pd.DataFrame]) -> bytes:
    """All export tables in one workbook (formatted sheets, Chinese headers)."""
    return exports.to_excel(tables)


def export_csv(table: pd.DataFrame) -> bytes:
    return exports.to_csv(table)


# --------------------------------------------------------------------------- awards


def _valid_proposal(db: Database, proposal_id: int) -> dict:
    error = ValidationError("只能调整已立案提案的奖项。")
    row = get_row(db, "proposals", proposal_id, error)
    if row["status"] != "valid":
        raise error
    return row


def _ensure_unpublished(contest: settings.Settings) -> None:
    if contest.results_published:
        raise ValidationError("结果已公布，奖项已锁定；如需调整，请先撤回公布。")


@writes
def override_award(db: Database, actor: User, proposal_id: int, award: str | None, reason: str, *,
                   now: dt.datetime | None = None) -> None:
    """Organizer sets a proposal's award by hand (None = no award), with a reason that is logged."""
    policy.require(actor, "manage_results")
    now = now or clock.now()
    contest = settings.get(db)
    _ensure_unpublished(contest)
    proposal = _valid_proposal(db, proposal_id)
    award = (award or "").strip() or None
    names = [t["name"] for t in contest.award_tiers]
    if award is not None and award not in names:
        raise ValidationError(f"奖项“{award}”不在奖项设置中，可选：{'、'.join(names)}或无奖项。")
    reason = validation.text(reason, "调整理由", min_len=2, max_len=200, multiline=True)
    with db.atomic():
        old = next(db["awards"].rows_where("proposal_id = ?", [proposal["id"]]), None)
        db["awards"].upsert({"proposal_id": proposal["id"], "award": award, "overridden": 1, "reason": reason,
                             "decided_at": clock.iso(now)}, pk="proposal_id")
        audit.record(db, actor, "override_award", f"proposal:{proposal['id']}",
                     {"old": old["award"] if old and old["overridden"] else "（按规则）", "new": award or NO_AWARD,
                      "reason": reason})


@writes
def clear_override(db: Database, actor: User, proposal_id: int, *, now: dt.datetime | None = None) -> None:
    """Organizer removes a manual override: the award follows the rule again."""
    policy.require(actor, "manage_results")
    _ensure_unpublished(settings.get(db))
    proposal_id = int_id(proposal_id, ValidationError("该提案没有人工调整的奖项。"))
    with db.atomic():
        old = next(db["awards"].rows_where("proposal_id = ? and overridden = 1", [proposal_id]), None)
        if old is None:
            raise ValidationError("该提案没有人工调整的奖项。")
        db["awards"].delete(int(proposal_id))
        audit.record(db, actor, "clear_award_override", f"proposal:{int(proposal_id)}",
                     {"old": old["award"] or NO_AWARD, "reason": old["reason"]})


@writes
def save_settings(db: Database, actor: User, *, method: str | None = None, tie_break: list | None = None,
                  award_tiers: list | None = None) -> settings.Settings:
    """Organizer changes the official method, tie-break or award tiers (refused once published)."""
    policy.require(actor, "manage_results")
    _ensure_unpublished(settings.get(db))
    changes = {k: v for k, v in {"ranking_method": method, "tie_break": tie_break,
                                 "award_tiers": award_tiers}.items() if v is not None}
    return settings.update(db, actor, **changes)


def _save_awards(db: Database, board: Leaderboard, now: dt.datetime) -> None:
    t = board.table
    rows = [{"proposal_id": int(p), "award": a if isinstance(a, str) else None,
             "rank": None if inc else int(r), "score": None if pd.isna(s) else float(s),
             "overridden": int(bool(o)), "reason": reason if o else None, "decided_at": clock.iso(now)}
            for p, a, r, s, inc, o, reason in zip(t["proposal"], t["award"], t["rank"], t["score"],
                                                  t["incomplete"], t["overridden"], t["reason"])]
    db["awards"].delete_where()
    db["awards"].insert_all(rows, pk="proposal_id")


# --------------------------------------------------------------------------- publication


def publication(db: Database) -> dict:
    """Public status: {"published": bool, "published_at": str | None, "scheduled": str | None}."""
    contest = settings.get(db)
    return {"published": contest.results_published, "published_at": contest.published_at,
            "scheduled": contest.phases.get("results_published")}


@writes
def publish_results(db: Database, actor: User, now: dt.datetime | None = None) -> dict:
    """Freeze the awards (official method, tiers, overrides) and make the results public.

    Returns counts per award. Refused when already published or no proposal is completely reviewed.
    """
    policy.require(actor, "manage_results")
    now = now or clock.now()
    with db.atomic():
        data = _load(db)
        if data.contest.results_published:
            raise ValidationError("结果已经公布。")
        board = leaderboard(data)
        if board.counts["complete"] == 0:
            raise ValidationError("还没有评审完整的提案，不能公布结果。")
        _save_awards(db, board, now)
        settings.update(db, actor, results_published=True, published_at=now.strftime(settings.DATE_FORMAT))
        counts = {str(k): int(v) for k, v in board.table["award"].value_counts().items()}
        audit.record(db, actor, "publish_results", "results",
                     {"method": board.method, "awards": counts, "complete": board.counts["complete"]})
    notices.results_published(db)
    return counts


@writes
def unpublish_results(db: Database, actor: User, reason: str = "", now: dt.datetime | None = None) -> None:
    """Withdraw the publication: rankings become organizer-only again; overrides are kept."""
    policy.require(actor, "manage_results")
    reason = validation.optional_text(reason, "撤回理由", max_len=200)
    with db.atomic():
        if not settings.get(db).results_published:
            raise ValidationError("结果尚未公布。")
        db["awards"].delete_where("overridden = 0 or overridden is null")
        settings.update(db, actor, results_published=False, published_at=None)
        audit.record(db, actor, "unpublish_results", "results", {"reason": reason})


def rank_band(rank: int | None, complete: int) -> str | None:
    """"前 N%" for the smallest band containing the rank, "未进入前 50%" below; None when unranked."""
    if rank is None or complete <= 0:
        return None
    for band in RANK_BANDS:
        if rank <= band / 100 * complete + 1e-9:
            return f"前 {band}%"
    return f"未进入前 {RANK_BANDS[-1]}%"


def author_view(db: Database, user: User, proposal_id: int) -> dict | None:
    """What an author sees of the results for one of their proposals.

    None before publication, or when the proposal was not judged (not 立案). Otherwise::

        {"proposal_id": int, "title": str,
         "award": str | None,          # e.g. "一等奖"; None = no award
         "ranked": bool,               # False when it had fewer sheets than required
         "rank_band": str | None,      # e.g. "前 10%"; None when not ranked
         "comments": [str, ...],       # judges' comments for the authors, anonymous
         "published_at": str}          # "YYYY-MM-DD HH:MM"

    Never: confidential notes, judge names or ids, scores or the exact rank.
    Raises PermissionDenied unless ``user`` is an author (submitter or co-author) or an organizer.
    """
    policy.require(user, "read_own_proposals", "read_all_proposals")
    proposal_id = int_id(proposal_id, PermissionDenied("提案不存在或无权查看。"))
    proposal = next(db["proposals"].rows_where("id = ?", [proposal_id]), None)
    if proposal is None:
        raise PermissionDenied("提案不存在或无权查看。")
    if not policy.allows(user, "read_all_proposals") and not policy.is_author(db, user, proposal["id"]):
        raise PermissionDenied("提案不存在或无权查看。")
    contest = settings.get(db)
    if not contest.results_published or proposal["status"] != "valid":
        return None
    row = next(db["awards"].rows_where("proposal_id = ?", [proposal["id"]]), None)
    if row is None:
        return None
    complete = db["awards"].count_where("rank is not null")
    comments = [r[0] for r in db.execute(
        "select comment from sheets where proposal_id = ? and status = 'submitted' "
        "and trim(coalesce(comment, '')) != '' order by id", [proposal["id"]]).fetchall()]
    return {"proposal_id": proposal["id"], "title": proposal["title"], "award": row["award"] or None,
            "ranked": row["rank"] is not None, "rank_band": rank_band(row["rank"], complete),
            "comments": comments, "published_at": contest.published_at}


def honour_roll(db: Database, actor: User | None = None) -> pd.DataFrame:
    """Public list of awarded proposals after publication: award, title, topic_name, authors, colleges.

    Best award first, then by rank. Raises PermissionDenied before publication (for everyone).
    """
    contest = settings.get(db)
    if not contest.results_published:
        scheduled = contest.phases.get("results_published")
        raise PermissionDenied("获奖名单尚未公布" + (f"，预计于 {scheduled} 公布。" if scheduled else "。"))
    rows = db.execute(
        """select a.proposal_id, a.award, a.rank, p.title, p.topic, coalesce(p.author_name, u.name), p.college
           from awards a join proposals p on p.id = a.proposal_id join users u on u.id = p.submitter_id
           where a.award is not null and p.status = 'valid'""").fetchall()
    frame = pd.DataFrame(rows, columns=["proposal", "award", "rank", "title", "topic", "author", "college"])
    if frame.empty:
        return pd.DataFrame(columns=["award", "title", "topic_name", "authors", "colleges"])
    co = pd.DataFrame(db.execute(
        """select c.proposal_id, u.name, u.college from coauthors c join users u on u.id = c.user_id
           join awards a on a.proposal_id = c.proposal_id where a.award is not null
           order by c.proposal_id, c.user_id""").fetchall(), columns=["proposal", "name", "college"])
    names = co.groupby("proposal")["name"].agg(list).to_dict()
    colleges = co.groupby("proposal")["college"].agg(list).to_dict()
    frame["authors"] = [("、".join([a or ""] + names.get(p, []))).strip("、") for p, a in
                        zip(frame["proposal"], frame["author"])]
    frame["colleges"] = ["、".join(dict.fromkeys(c for c in [c0] + colleges.get(p, []) if c)) for p, c0 in
                         zip(frame["proposal"], frame["college"])]
    frame["topic_name"] = frame["topic"].map(contest.topic_name)
    order = {t["name"]: i for i, t in enumerate(contest.award_tiers)}
    frame["_o"] = frame["award"].map(order).fillna(len(order))
    frame["_r"] = frame["rank"].fillna(10**9)
    frame = frame.sort_values(["_o", "_r", "proposal"], kind="mergesort", ignore_index=True)
    return frame[["award", "title", "topic_name", "authors", "colleges"]]
