"""Unit tests for contest.topic_map on a small hand-made contest in fresh_db."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from contest import audit, join_requests, proposals, topic_map
from contest.errors import PermissionDenied, ValidationError
from contest.proposals import MAX_COAUTHORS
from tests.helpers import (CLUB, EXAMS, NEAR_DUPLICATE, NETWORK, NOW, SHUTTLE, make_user, submit_topic_proposal as _submit,
                           topic_contest, topic_fields)


@pytest.fixture
def contest(fresh_db, people):
    """Nine submitted proposals (three on one shuttle issue) and one draft."""
    return topic_contest(fresh_db, people)


def test_map_topics_groups_coordinates(fresh_db, people, contest):
    m = topic_map.compute_map(fresh_db, people["organizer"])
    frame = m.proposals.set_index("id")
    assert contest["draft"] not in frame.index and len(frame) == 7
    assert list(frame.loc[[contest[f"shuttle{i}"] for i in range(3)], "predicted"]) == ["transport"] * 3
    assert frame.loc[contest["price"], "predicted"] == "life"
    assert frame.loc[contest["shuttle0"], "predicted_name"] == "交通出行"
    # the three shuttle proposals form one group; two canteen proposals on different issues do not
    shuttle_group = frame.loc[contest["shuttle0"], "group"]
    assert shuttle_group == 1
    assert set(frame.index[frame["group"].eq(1).fillna(False)]) == {contest[f"shuttle{i}"] for i in range(3)}
    assert frame["group"].isna()[[contest["price"], contest["hygiene"], contest["club"]]].all()
    assert list(m.groups["group"]) == [1] and m.groups.loc[0, "size"] == 3
    assert "校车" in m.groups.loc[0, "keywords"] and "兴庆" in m.groups.loc[0, "keywords"]
    assert m.groups.loc[0, "member_ids"] == [contest[f"shuttle{i}"] for i in range(3)]
    assert m.groups.loc[0, "topic"] == "交通出行"
    assert "校车" in m.topic_keywords["transport"]
    assert m.topic_counts.set_index("topic")["count"].to_dict() == {
        "teaching": 1, "environment": 0, "transport": 3, "life": 2, "development": 1, "other": 0}
    assert m.proposals[["x", "y"]].notna().all().all() and m.proposals["x"].abs().sum() > 0
    assert m.mode == "keywords" and m.labels == 0
    # a strict threshold splits the group
    assert topic_map.compute_map(fresh_db, people["organizer"], threshold=0.95).groups.empty


def test_map_filters_and_permissions(fresh_db, people, contest):
    org = people["organizer"]
    by_college = topic_map.compute_map(fresh_db, org, college="医学部").proposals
    assert set(by_college["id"]) == {contest["shuttle1"], contest["hygiene"]}
    proposals.screen(fresh_db, org, [contest["exams"]], True, now=NOW)
    valid = topic_map.compute_map(fresh_db, org, status=["valid"]).proposals
    assert list(valid["id"]) == [contest["exams"]] and valid.loc[0, "status_name"] == "已立案"
    with pytest.raises(ValidationError):
        topic_map.compute_map(fresh_db, org, status="draft")
    for who in ("alice", "judge", "dept"):
        with pytest.raises(PermissionDenied):
            topic_map.compute_map(fresh_db, people[who])


def test_empty_and_single_proposal_maps(fresh_db, people):
    org = people["organizer"]
    empty = topic_map.compute_map(fresh_db, org)
    assert empty.proposals.empty and empty.groups.empty and empty.topic_counts["count"].sum() == 0
    _submit(fresh_db, people["alice"], EXAMS)
    single = topic_map.compute_map(fresh_db, org)
    assert len(single.proposals) == 1 and single.groups.empty
    assert single.proposals.loc[0, "predicted"] == "teaching" and single.proposals["group"].isna().all()


def test_confirmed_labels_teach_the_classifier(fresh_db, people, contest):
    org = people["organizer"]
    network = [_submit(fresh_db, people["bob"], NETWORK, title=f"第{i}个宿舍校园网网速问题") for i in range(4)]
    before = topic_map.compute_map(fresh_db, org, min_labels=6).proposals.set_index("id")
    assert before.loc[network[0], "predicted"] == "life"  # 校园网 and 网速 are life keywords
    # the organizer files campus-network matters under 学校发展 (信息化) and confirms a few others
    proposals.set_topic(fresh_db, org, network[1:], "development")
    proposals.set_topic(fresh_db, org, [contest["shuttle0"]], "transport")
    few = topic_map.compute_map(fresh_db, org, min_labels=6)
    assert few.mode == "keywords" and few.labels == 4
    proposals.set_topic(fresh_db, org, [contest["price"], contest["shuttle1"]], "life")
    proposals.set_topic(fresh_db, org, [contest["shuttle1"]], "transport")
    after = topic_map.compute_map(fresh_db, org, min_labels=6)
    assert after.labels == 6  # examples weighted by cross-validation (a trained model only if it does better)
    frame = after.proposals.set_index("id")
    assert frame.loc[network[0], "predicted"] == "development"  # not confirmed itself: learnt from the labels
    assert frame.loc[contest["shuttle2"], "predicted"] == "transport"
    assert bool(frame.loc[network[0], "disagrees"])  # the student chose life, the model now says development
    assert not frame.loc[network[1:], "disagrees"].any()  # confirmed topics are never disagreements


def test_apply_predicted_topics_fills_only_empty_topics(fresh_db, people, contest):
    org = people["organizer"]
    imported = fresh_db["proposals"].insert({
        "submitter_id": org.id, "author_name": "导入作者", "source": "import", "status": "submitted",
        "title": "校车早高峰太挤", "problem": "早高峰校车班次太少，兴庆到创新港的校车站点排长队。",
        "suggestions": "增加校车班次", "college": "管理学院", "created_at": "2026-03-09 10:00:00"}).last_pk
    vague = fresh_db["proposals"].insert({
        "submitter_id": org.id, "source": "import", "status": "submitted", "title": "一点想法",
        "problem": "希望一切越来越好。", "created_at": "2026-03-09 10:00:00"}).last_pk
    # a student's own choice that the model disagrees with
    fresh_db["proposals"].update(contest["exams"], {"topic": "environment"})
    with pytest.raises(PermissionDenied):
        topic_map.apply_predicted_topics(fresh_db, people["alice"])
    filled = topic_map.apply_predicted_topics(fresh_db, org, now=NOW)
    assert filled == [imported]
    rows = {r["id"]: r for r in fresh_db["proposals"].rows}
    assert rows[imported]["topic"] == "transport" and rows[imported]["topic_confirmed"] == 0
    assert rows[vague]["topic"] in (None, "")  # low score: left for the organizer
    assert rows[contest["exams"]]["topic"] == "environment"  # never overwritten
    m = topic_map.compute_map(fresh_db, org)
    assert contest["exams"] in set(m.disagreements["id"])
    assert [e["target"] for e in audit.entries(fresh_db, org, action="predict_topic")] == [f"proposal:{imported}"]
    assert topic_map.apply_predicted_topics(fresh_db, org, now=NOW) == []  # idempotent


def test_merge_and_split(fresh_db, people, contest):
    org, db = people["organizer"], fresh_db
    lead, m1, m2 = (contest[f"shuttle{i}"] for i in range(3))
    with pytest.raises(PermissionDenied):
        topic_map.merge_group(db, people["alice"], lead, [m1])
    with pytest.raises(ValidationError, match="至少选择"):
        topic_map.merge_group(db, org, lead, [lead])
    with pytest.raises(ValidationError, match="已提交或已立案"):
        topic_map.merge_group(db, org, contest["draft"], [m1])
    assert topic_map.merge_group(db, org, lead, [m1, m2]) == [m1, m2]
    assert {r["id"]: r["lead_id"] for r in db["proposals"].rows}[m2] == lead
    entry = audit.entries(db, org, action="merge_proposals")[0]
    assert entry["target"] == f"proposal:{lead}" and json.loads(entry["detail"])["members"] == [m1, m2]
    # members stay on the map, linked to the lead, but are no longer grouped separately
    m = topic_map.compute_map(db, org)
    frame = m.proposals.set_index("id")
    assert {m1, m2} <= set(frame.index) and frame.loc[m1, "lead_id"] == lead
    assert m.groups.empty
    merged = topic_map.merges(db, org)
    assert list(merged["id"]) == [m1, m2] and set(merged["lead_id"]) == {lead}
    # a member of one lead cannot be merged into another without a split first
    with pytest.raises(ValidationError, match="请先拆分"):
        topic_map.merge_group(db, org, contest["price"], [m1])
    with pytest.raises(ValidationError, match="不能再作为牵头提案"):
        topic_map.merge_group(db, org, m1, [contest["price"]])
    # split one member, then the rest through the lead
    with pytest.raises(PermissionDenied):
        topic_map.split(db, people["bob"], [m1])
    assert topic_map.split(db, org, [m1]) == [m1]
    assert topic_map.split(db, org, [lead]) == [m2]
    assert db["proposals"].count_where("lead_id is not null") == 0
    with pytest.raises(ValidationError, match="无需拆分"):
        topic_map.split(db, org, [lead])
    assert len(audit.entries(db, org, action="split_proposals")) == 2
    # a split says "not the same issue": the lead is never suggested with the split-off members again
    groups = topic_map.compute_map(db, org).groups
    assert not any({lead, m1} <= set(ids) or {lead, m2} <= set(ids) for ids in groups["member_ids"])


def test_merging_a_lead_brings_its_members(fresh_db, people, contest):
    org = people["organizer"]
    topic_map.merge_group(fresh_db, org, contest["shuttle1"], [contest["shuttle2"]])
    led = topic_map.merge_group(fresh_db, org, contest["shuttle0"], [contest["shuttle1"]])
    assert led == [contest["shuttle1"], contest["shuttle2"]]


def test_data_version_changes_on_relevant_writes(fresh_db, people, contest):
    db, org = fresh_db, people["organizer"]
    v0 = topic_map.data_version(db)
    assert topic_map.data_version(db) == v0
    proposals.set_topic(db, org, [contest["club"]], "other")
    v1 = topic_map.data_version(db)
    topic_map.merge_group(db, org, contest["shuttle0"], [contest["shuttle1"]])
    v2 = topic_map.data_version(db)
    proposals.screen(db, org, [contest["exams"]], True, now=NOW)
    v3 = topic_map.data_version(db)
    proposals.submit(db, people["bob"], contest["draft"], now=NOW)
    assert len({v0, v1, v2, v3, topic_map.data_version(db)}) == 5


def test_similar_to_draft_hides_drafts_own_and_authors(fresh_db, people, contest):
    db = fresh_db
    dave = make_user(db, "dave", "participant", student_no="2023004", college="医学部")
    hits = topic_map.similar_to_draft(db, dave, NEAR_DUPLICATE, now=NOW)
    assert len(hits) == 3
    assert {h["id"] for h in hits} == {contest[f"shuttle{i}"] for i in range(3)}  # never the draft
    assert all(set(h) == {"id", "title", "topic", "topic_name", "similarity", "joinable"} for h in hits)
    assert [h["similarity"] for h in hits] == sorted((h["similarity"] for h in hits), reverse=True)
    assert hits[0]["topic_name"] == "交通出行" and all(h["joinable"] for h in hits)
    # alice submitted shuttle0: it is not suggested to her; bob co-authors shuttle2
    assert contest["shuttle0"] not in {h["id"] for h in topic_map.similar_to_draft(db, people["alice"],
                                                                                 NEAR_DUPLICATE, now=NOW)}
    fresh_db["coauthors"].insert({"proposal_id": contest["shuttle2"], "user_id": people["bob"].id})
    bob_hits = {h["id"] for h in topic_map.similar_to_draft(db, people["bob"], NEAR_DUPLICATE, now=NOW)}
    assert bob_hits == {contest["shuttle0"]}  # shuttle1 is his own, shuttle2 he co-authors
    proposals.withdraw(db, people["carol"], contest["shuttle2"], now=NOW)
    assert contest["shuttle2"] not in {h["id"] for h in topic_map.similar_to_draft(db, dave, NEAR_DUPLICATE, now=NOW)}
    assert topic_map.similar_to_draft(db, dave, "短", now=NOW) == []
    assert topic_map.similar_to_draft(db, dave, "量子力学与天体物理的关系研究", now=NOW) == []
    assert topic_map.similar_to_draft(db, dave, NEAR_DUPLICATE, k=1, now=NOW)[0]["id"] == hits[0]["id"]
    with pytest.raises(PermissionDenied):
        topic_map.similar_to_draft(db, people["organizer"], NEAR_DUPLICATE)


def test_a_rejected_group_is_never_suggested_again(fresh_db, people, contest):
    org = people["organizer"]
    shuttles = [contest[f"shuttle{i}"] for i in range(3)]
    assert topic_map.compute_map(fresh_db, org).groups.loc[0, "member_ids"] == shuttles
    version = topic_map.data_version(fresh_db)
    assert topic_map.keep_apart(fresh_db, org, shuttles[:2]) == 1
    assert topic_map.data_version(fresh_db) != version  # the cached map is recomputed
    groups = topic_map.compute_map(fresh_db, org).groups
    assert not any(set(shuttles[:2]) <= set(m) for m in groups["member_ids"])  # the pair is never together
    assert audit.entries(fresh_db, org, action="keep_apart")
    with pytest.raises(ValidationError):
        topic_map.keep_apart(fresh_db, org, shuttles[:1])
    with pytest.raises(PermissionDenied):
        topic_map.keep_apart(fresh_db, people["alice"], shuttles)


def test_a_split_merge_is_remembered(fresh_db, people, contest):
    org = people["organizer"]
    lead, member = contest["shuttle0"], contest["shuttle1"]
    topic_map.merge_group(fresh_db, org, lead, [member])
    topic_map.split(fresh_db, org, [member])
    groups = topic_map.compute_map(fresh_db, org).groups
    assert not any({lead, member} <= set(m) for m in groups["member_ids"])
    assert topic_map.kept_apart_count(fresh_db, org) == 1


def test_words_are_segmented_once_per_proposal_text(fresh_db, people, contest, monkeypatch):
    org = people["organizer"]
    topic_map.compute_map(fresh_db, org)
    stored = {r["proposal_id"] for r in fresh_db["proposal_words"].rows}
    assert stored == {v for k, v in contest.items() if k != "draft"}
    analyzer = topic_map.analyzer_for(topic_map.taxonomy(fresh_db))
    seen = []
    original = type(analyzer).__call__
    monkeypatch.setattr(type(analyzer), "__call__", lambda self, text: seen.append(text) or original(self, text))
    topic_map.compute_map(fresh_db, org)
    assert not [t for t in seen if isinstance(t, str) and "我们调查了" in t]  # no proposal segmented again
    proposals.update_submitted(fresh_db, people["alice"], contest["exams"],
                               topic_fields(EXAMS, problem="期末考试全部排在同一周，各科复习时间严重不足，同学们压力很大。"), now=NOW)
    topic_map.compute_map(fresh_db, org)
    again = [t for t in seen if isinstance(t, str) and "我们调查了" in t]
    assert len(again) == 1 and "复习时间严重不足" in again[0]  # only the edited one


def test_hint_index_is_updated_in_place_and_ignores_drafts(fresh_db, people, contest, monkeypatch):
    monkeypatch.setattr(topic_map, "REFIT_SHARE", 0.5)  # seven proposals: one edit is 14 %
    db, dave = fresh_db, make_user(fresh_db, "dave", "participant", student_no="2023004", college="医学部")
    topic_map.similar_to_draft(db, dave, NEAR_DUPLICATE, now=NOW)
    path = db.execute("pragma database_list").fetchone()[2]
    index = topic_map._INDEX_CACHE[path]
    proposals.save_draft(db, people["bob"], topic_fields(CLUB, title="草稿：社团场地"), proposal_id=contest["draft"], now=NOW)
    topic_map.similar_to_draft(db, dave, NEAR_DUPLICATE, now=NOW)
    assert topic_map._INDEX_CACHE[path] is index and index.changed == 0  # a draft changes nothing
    text = "学校游泳馆开放时间太短，晚上八点就关门，希望延长游泳馆开放时间"
    assert topic_map.similar_to_draft(db, dave, text, now=NOW) == []
    proposals.update_submitted(db, people["alice"], contest["exams"],
                               topic_fields(EXAMS, title="游泳馆开放时间太短", problem="学校游泳馆晚上八点就关门，开放时间太短，下课后想游泳都来不及。",
                                       suggestions="建议把游泳馆的开放时间延长到晚上十点，周末全天开放。"), now=NOW)
    hits = topic_map.similar_to_draft(db, dave, text, now=NOW)
    assert [h["id"] for h in hits] == [contest["exams"]] and hits[0]["title"] == "游泳馆开放时间太短"
    assert topic_map._INDEX_CACHE[path] is index and index.changed == 1  # one row replaced, not refitted


def test_hint_index_update_matches_the_rows_it_keeps(fresh_db, people, contest, monkeypatch):
    """A withdrawal drops a row and an edit replaces one; every row is what the vectorizer gives its text."""
    monkeypatch.setattr(topic_map, "REFIT_SHARE", 0.5)
    db, dave = fresh_db, make_user(fresh_db, "dave", "participant", student_no="2023004", college="医学部")
    topic_map.similar_to_draft(db, dave, NEAR_DUPLICATE, now=NOW)
    path = db.execute("pragma database_list").fetchone()[2]
    index = topic_map._INDEX_CACHE[path]
    proposals.withdraw(db, people["alice"], contest["shuttle0"], now=NOW)
    proposals.update_submitted(db, people["alice"], contest["exams"],
                               topic_fields(EXAMS, title="游泳馆开放时间太短"), now=NOW)
    topic_map.similar_to_draft(db, dave, NEAR_DUPLICATE, now=NOW)
    assert index.changed == 1  # the withdrawn one is dropped, the edited one replaced
    # same second as the edit before: the changed length still tells it changed
    proposals.update_submitted(db, people["alice"], contest["exams"],
                               topic_fields(EXAMS, title="游泳馆开放时间太短", problem=EXAMS[2] + "图书馆也太挤。"), now=NOW)
    rows, similarity = topic_map._candidate_index(db)
    assert topic_map._INDEX_CACHE[path] is index and index.changed == 2  # not refitted
    expected = [r["id"] for r in db.query("select id from proposals where status in ('submitted', 'valid') order by id")]
    assert [r["id"] for r in rows] == expected and contest["shuttle0"] not in expected
    assert next(r for r in rows if r["id"] == contest["exams"])["title"] == "游泳馆开放时间太短"
    full = topic_map._full_rows(db, expected)
    again = similarity.vectorizer.transform(topic_map.stored_words(db, full, index.analyzer))
    assert similarity.matrix.shape == again.shape and abs(similarity.matrix - again).max() < 1e-12


def test_join_request_needs_the_submitters_consent(fresh_db, people, contest):
    db, alice, bob, carol = fresh_db, people["alice"], people["bob"], people["carol"]
    target = contest["shuttle0"]  # submitted by alice
    request = join_requests.request_to_join(db, bob, target, "我也在研究这个问题", now=NOW)
    with pytest.raises(ValidationError, match="等待提交人答复"):
        join_requests.request_to_join(db, bob, target, now=NOW)
    assert bob.id not in proposals.coauthor_ids(db, target)
    pending = join_requests.requests_to_answer(db, alice)
    assert [(r["id"], r["requester"], r["title"]) for r in pending] == [(request, "鲍勃", SHUTTLE[0][0])]
    assert join_requests.requests_to_answer(db, carol) == []
    assert join_requests.my_join_requests(db, bob)[0]["status_name"] == "等待答复"
    with pytest.raises(PermissionDenied):
        join_requests.answer_join_request(db, carol, request, True, now=NOW)
    with pytest.raises(PermissionDenied):
        join_requests.answer_join_request(db, people["organizer"], request, True, now=NOW)
    join_requests.answer_join_request(db, alice, request, True, now=NOW)
    assert bob.id in proposals.coauthor_ids(db, target)
    assert target in {p["id"] for p in proposals.mine(db, bob)}
    assert join_requests.my_join_requests(db, bob)[0]["status_name"] == "已同意"
    with pytest.raises(ValidationError, match="已处理"):
        join_requests.answer_join_request(db, alice, request, False, now=NOW)
    assert [e["action"] for e in audit.entries(db, people["organizer"])][:2] == ["accept_join", "request_join"]
    # decline and cancel
    second = join_requests.request_to_join(db, carol, target, now=NOW)
    join_requests.answer_join_request(db, alice, second, False, now=NOW)
    assert carol.id not in proposals.coauthor_ids(db, target)
    third = join_requests.request_to_join(db, carol, target, now=NOW)
    with pytest.raises(PermissionDenied):
        join_requests.cancel_join_request(db, bob, third, now=NOW)
    join_requests.cancel_join_request(db, carol, third, now=NOW)
    assert join_requests.requests_to_answer(db, alice) == []


def test_join_request_rules(fresh_db, people, contest):
    db, alice, bob = fresh_db, people["alice"], people["bob"]
    with pytest.raises(ValidationError, match="已是该提案的作者"):
        join_requests.request_to_join(db, alice, contest["shuttle0"], now=NOW)
    with pytest.raises(PermissionDenied):
        join_requests.request_to_join(db, alice, contest["draft"], now=NOW)
    with pytest.raises(PermissionDenied):
        join_requests.request_to_join(db, people["judge"], contest["shuttle0"], now=NOW)
    late = NOW + dt.timedelta(days=40)
    with pytest.raises(ValidationError, match="截止"):
        join_requests.request_to_join(db, bob, contest["shuttle0"], now=late)
    proposals.screen(db, people["organizer"], [contest["exams"]], True, now=NOW)
    with pytest.raises(ValidationError, match="立案审查"):
        join_requests.request_to_join(db, bob, contest["exams"], now=NOW)
    # a request accepted after the places ran out is refused
    request = join_requests.request_to_join(db, bob, contest["price"], now=NOW)
    others = [make_user(db, f"s{i}", "participant", student_no=f"20239{i}") for i in range(MAX_COAUTHORS)]
    db["coauthors"].insert_all([{"proposal_id": contest["price"], "user_id": u.id} for u in others])
    with pytest.raises(ValidationError, match=f"已满 {MAX_COAUTHORS} 人"):
        join_requests.answer_join_request(db, alice, request, True, now=NOW)
    with pytest.raises(ValidationError, match="已满"):
        join_requests.request_to_join(db, people["carol"], contest["price"], now=NOW)


# --- merging into a lead that was already forwarded (issue 12) -------------------------------


def _stranded(db) -> list[int]:
    """Valid proposals merged into a lead that is in a case, while they are in none."""
    return [r[0] for r in db.execute("""select p.id from proposals p where p.status = 'valid' and p.lead_id is not null
                                        and p.lead_id in (select proposal_id from case_members)
                                        and p.id not in (select proposal_id from case_members)""")]


def test_members_merged_into_a_forwarded_lead_join_its_case(fresh_db, people):
    from contest import forwarding

    org = people["organizer"]
    ids = [_submit(fresh_db, p, text) for p, text in zip((people["alice"], people["bob"]), SHUTTLE)]
    for pid in ids:
        proposals.screen(fresh_db, org, [pid], True, now=NOW)
    case_id = forwarding.forward(fresh_db, org, ids[0], "hqc", now=NOW)
    topic_map.merge_group(fresh_db, org, ids[0], [ids[1]])
    assert _stranded(fresh_db) == []
    assert fresh_db.execute("select case_id from case_members where proposal_id = ?", [ids[1]]).fetchone()[0] == case_id
    assert forwarding.forwardable(fresh_db, org).empty


def test_a_member_not_yet_valid_follows_the_forwarded_lead_once_screened_valid(fresh_db, people):
    from contest import forwarding

    org = people["organizer"]
    lead = _submit(fresh_db, people["alice"], SHUTTLE[0])
    other = _submit(fresh_db, people["bob"], SHUTTLE[1])
    proposals.screen(fresh_db, org, [lead], True, now=NOW)
    case_id = forwarding.forward(fresh_db, org, lead, "hqc", now=NOW)
    topic_map.merge_group(fresh_db, org, lead, [other])
    assert not fresh_db["case_members"].count_where("proposal_id = ?", [other])  # not 立案: no case yet
    proposals.screen(fresh_db, org, [other], True, now=NOW)
    assert fresh_db["case_members"].get(other)["case_id"] == case_id
    assert _stranded(fresh_db) == []


def test_the_migration_puts_members_stranded_before_the_fix_into_their_leads_case(fresh_db, people):
    from contest import forwarding, migrations

    org = people["organizer"]
    ids = [_submit(fresh_db, p, text) for p, text in zip((people["alice"], people["bob"]), SHUTTLE)]
    for pid in ids:
        proposals.screen(fresh_db, org, [pid], True, now=NOW)
    forwarding.forward(fresh_db, org, ids[0], "hqc", now=NOW)
    fresh_db["proposals"].update(ids[1], {"lead_id": ids[0]})  # what the old merge_group did
    assert _stranded(fresh_db) == [ids[1]]
    migrations.m004_stranded_members(fresh_db)
    assert _stranded(fresh_db) == []

@pytest.mark.skipif(topic_map._topics().sentence_encoder() is None, reason="sentence encoder not installed")
def test_sentence_vectors_are_computed_once_and_kept(fresh_db, people, contest, monkeypatch):
    org = people["organizer"]
    extra = [_submit(fresh_db, people["bob"], NETWORK), _submit(fresh_db, people["carol"], CLUB, title="社团借不到教室")]
    calls = []
    real = topic_map._topics().sentence_vectors
    monkeypatch.setattr(topic_map._topics(), "sentence_vectors", lambda texts: calls.append(len(texts)) or real(texts))
    m = topic_map.compute_map(fresh_db, org)
    assert m.group_method == "sentence" and calls == [9]  # nine free proposals: enough to derive a threshold
    assert fresh_db["proposal_vectors"].count == 9
    shuttles = [contest[f"shuttle{i}"] for i in range(3)]
    assert list(m.groups["member_ids"])[0] == shuttles  # the paraphrased shuttle issue, found on sentence vectors
    # a second map reads the stored vectors; an edited proposal alone is embedded again
    again = topic_map.compute_map(fresh_db, org)
    assert calls == [9] and again.groups["member_ids"].tolist() == m.groups["member_ids"].tolist()
    fresh_db["proposals"].update(extra[0], {"problem": "宿舍晚上校园网经常断线，网课听不了。"})
    topic_map.compute_map(fresh_db, org)
    assert calls == [9, 1]


@pytest.mark.skipif(topic_map._topics().sentence_encoder() is None, reason="sentence encoder not installed")
def test_a_bulk_import_uses_word_tfidf_until_the_vectors_command_has_run(fresh_db, people, contest, monkeypatch):
    """More missing vectors than a page may compute while it waits: the map groups on word TF-IDF
    (and computes nothing); `python -m contest vectors` computes them once, then the map uses them."""
    org = people["organizer"]
    _submit(fresh_db, people["bob"], NETWORK), _submit(fresh_db, people["carol"], CLUB, title="社团借不到教室")
    calls = []
    real = topic_map._topics().sentence_vectors
    monkeypatch.setattr(topic_map._topics(), "sentence_vectors", lambda texts: calls.append(len(texts)) or real(texts))
    monkeypatch.setattr(topic_map, "EMBED_ON_PAGE", 3)
    monkeypatch.setattr(topic_map.stored_vectors, "__defaults__", (3,))
    assert topic_map.compute_map(fresh_db, org).group_method == "tfidf"
    assert calls == [] and fresh_db["proposal_vectors"].count == 0
    assert topic_map.fill_vectors(fresh_db) == 9 and calls == [9]
    assert topic_map.compute_map(fresh_db, org).group_method == "sentence" and calls == [9]
