"""An archive that answers: earlier years' proposals on the same issue, with their official reply.

Departments answer the same issues every year (canteen prices, shuttle buses, library seats).
:func:`earlier_answers` finds, for a text, the most similar proposals of the earlier contests
(:mod:`contest.contests` archives) with the department that handled them and the reply it gave:

* a student writing a proposal sees the **published** replies only, never who wrote a proposal;
* an organizer forwarding and a department answering see every reply (the latest one of the case).

Similarity is that of :mod:`contest.topics` (word TF-IDF, cosine), with the words of
``proposal_words`` when the archive kept them (same analyzer) and segmented in memory otherwise;
all years are compared with the live contest's analyzer. The index of the archives is built once
per set of archive files (they never change) and kept.

:func:`yearly_comparison` -- per contest (live and earlier): proposals, accepted share, forwarded,
replied and resolved shares, and proposals per topic, for the dashboard.
"""
from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from . import contests, policy, settings, topic_map
from .accounts import User
from .vocabulary import AnswerState, label_of

#: Cosine similarity from which an earlier proposal is shown.
THRESHOLD = topic_map.HINT_THRESHOLD
#: A text shorter than this (characters) is not compared.
MIN_CHARS = topic_map.HINT_MIN_CHARS
_INDEX: dict = {}


def _archived_rows(db: Database, row: dict) -> list[dict]:
    """The accepted / submitted proposals of one archive with the case that handled each, its
    latest reply and latest published reply."""
    names = settings.department_names(db)
    contest = settings.get(db)
    result = []
    for p in db.query(
            """select p.id, p.title, p.topic, p.problem, p.investigation, p.suggestions,
                      c.id as case_id, c.department, c.status as case_status, c.state
               from proposals p
               left join case_members m on m.proposal_id = p.id
               left join cases c on c.id = m.case_id
               where p.status in ('valid', 'submitted') order by p.id"""):
        latest = published = None
        if p["case_id"] is not None:
            replies = list(db.query("""select text, plan, state, at, published from replies
                                       where case_id = ? and kind in ('reply', 'update') order by at, id""",
                                    [p["case_id"]]))
            latest = replies[-1] if replies else None
            published = next((r for r in reversed(replies) if r["published"]), None)
        result.append(p | {
            "archive_id": row["id"], "year": row["year"], "contest_name": row["contest_name"],
            "topic_name": contest.topic_name(p["topic"]) if p["topic"] else "",
            "department_name": names.get(p["department"], p["department"] or ""),
            "latest": latest, "published": published})
    return result


def _index(db: Database):
    """(rows, SimilarityIndex) over every archive's proposals, built once per set of archives."""
    archives = contests.archives(db)
    taxo = topic_map.taxonomy(db)
    analyzer = topic_map.analyzer_for(taxo)
    key = (tuple((a["id"], a["file"]) for a in archives), analyzer.signature())
    path = db.execute("pragma database_list").fetchone()[2]
    cached = _INDEX.get(path)
    if cached and cached[0] == key:
        return cached[1], cached[2]
    rows, words = [], []
    for row, old in contests.each_archive(db):
        found = _archived_rows(old, row)
        rows += found
        words += topic_map.stored_words(old, found, analyzer)
        old.conn.close()
    from . import topics  # scikit-learn: loaded when an archive is first searched

    index = topics.SimilarityIndex(words, analyzer=analyzer) if rows else None
    if len(_INDEX) >= 4 and path not in _INDEX:
        _INDEX.pop(next(iter(_INDEX)))
    _INDEX[path] = (key, rows, index)
    return rows, index


def _reply(reply: dict | None) -> dict:
    if not reply:
        return {"reply": "", "reply_plan": "", "reply_state": "", "replied_at": ""}
    return {"reply": reply["text"] or "", "reply_plan": reply["plan"] or "",
            "reply_state": label_of(AnswerState, reply["state"]) if reply["state"] else "",
            "replied_at": (reply["at"] or "")[:10]}


def earlier_answers(db: Database, user: User, text: str, k: int = 3, threshold: float = THRESHOLD) -> list[dict]:
    """Up to ``k`` proposals of earlier contests similar to ``text``, best first.

    Each: year, contest_name, title, topic_name, department_name, similarity, and the reply
    (reply, reply_plan, reply_state, replied_at; empty when none). Students (writing a proposal)
    get the published reply only; organizers and departments the latest one. Never authors."""
    policy.require(user, "write_proposals", "forward_proposals", "answer_cases")
    text = str(text or "").strip()
    if len(text) < MIN_CHARS or k <= 0 or getattr(db, "archived", False):
        return []
    rows, index = _index(db)
    if index is None or index.matrix is None:
        return []
    staff = policy.allows(user, "forward_proposals") or policy.allows(user, "answer_cases")
    result = []
    for i, similarity in index.query(text, k=k, threshold=threshold):
        r = rows[i]
        result.append({
            "year": r["year"], "contest_name": r["contest_name"], "title": r["title"],
            "topic_name": r["topic_name"], "department_name": r["department_name"] if r["case_id"] else "",
            "forwarded": r["case_id"] is not None, "similarity": similarity,
        } | _reply(r["latest"] if staff else r["published"]))
    return result


def proposal_text(proposal: dict) -> str:
    """The text of a proposal as compared (title weighted, then its body)."""
    return topic_map.proposal_text(proposal)


# --- yearly comparison --------------------------------------------------------------------------

COMPARISON_COLUMNS = ["year", "contest_name", "proposals", "valid_share", "forwarded", "replied_share",
                      "resolved_share"]


def _figures(db: Database) -> dict:
    one = db.execute("""select count(*), sum(status = 'valid') from proposals
                        where status in ('submitted', 'valid', 'invalid')""").fetchone()
    cases = db.execute("""select count(*), sum(first_reply_at is not null), sum(status = 'resolved')
                          from cases""").fetchone()
    proposals, valid = one[0] or 0, one[1] or 0
    forwarded, replied, resolved = cases[0] or 0, cases[1] or 0, cases[2] or 0
    return {"proposals": proposals, "valid_share": round(valid / proposals, 3) if proposals else None,
            "forwarded": forwarded, "replied_share": round(replied / forwarded, 3) if forwarded else None,
            "resolved_share": round(resolved / forwarded, 3) if forwarded else None}


def _topics(db: Database) -> dict:
    return dict(db.execute("""select coalesce(topic, ''), count(*) from proposals
                              where status in ('submitted', 'valid', 'invalid') group by 1""").fetchall())


def yearly_comparison(db: Database, actor: User) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rates, topics) per contest, oldest first, for organizers.

    rates: year, contest_name, proposals (received, not drafts or withdrawn), valid_share,
    forwarded (cases), replied_share and resolved_share of the cases. topics: one row per topic
    name (the live contest's list; codes of earlier years it lacks by their code), one column per
    contest label, proposals received."""
    policy.require(actor, "forward_proposals")
    live = settings.get(db)
    names = {t["code"]: t["name"] for t in live.topics}
    contests_ = [({"year": live.year, "contest_name": live.contest_name}, db)]
    opened = list(contests.each_archive(db))
    contests_ += opened
    rates, topic_counts = [], {}
    for row, conn in reversed(contests_):
        label = f"{row['year']} {row['contest_name']}"
        rates.append({"year": row["year"], "contest_name": row["contest_name"]} | _figures(conn))
        topic_counts[label] = {names.get(code, code or "未分类"): n for code, n in _topics(conn).items()}
    for _, conn in opened:
        conn.conn.close()
    topics = pd.DataFrame(topic_counts).fillna(0).astype(int)
    order = [n for n in names.values() if n in topics.index] + [n for n in topics.index if n not in names.values()]
    topics = topics.loc[order] if len(topics) else topics
    topics.index.name = "议题"
    return pd.DataFrame(rates, columns=COMPARISON_COLUMNS), topics
