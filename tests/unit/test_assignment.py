"""Tests for contest.assignment (balanced, conflict-free, deterministic)."""
from __future__ import annotations

import itertools
import random

import pytest

from contest.assignment import (
    REASON_AUTHOR,
    REASON_COLLEGE,
    REASON_DECLARED,
    AssignmentResult,
    Judge,
    Proposal,
    _State,
    auto_assign,
    conflict_reason,
    loads,
)

TOPICS = ["人工智能", "新能源", "生物医药", "校园生活", "社会治理"]
COLLEGES = ["计算机学院", "物理学院", "医学院", "经管学院", "人文学院", "化学学院"]


def make_instance(seed: int, n_props: int, n_judges: int, p_declared: float = 0.03):
    rng = random.Random(seed)
    judges = [
        Judge(1000 + i, rng.choice(COLLEGES + [None]), frozenset(rng.sample(TOPICS, rng.randint(0, 2))))
        for i in range(n_judges)
    ]
    props = []
    for i in range(n_props):
        n_auth = rng.randint(1, 3)
        # some authors are judges
        aids = {rng.randrange(1000 + n_judges) if rng.random() < 0.2 else 5000 + rng.randrange(10**6) for _ in range(n_auth)}
        cols = {rng.choice(COLLEGES) for _ in range(n_auth)}
        props.append(Proposal(i + 1, rng.choice(TOPICS), frozenset(aids), frozenset(cols)))
    conflicts = frozenset((p.id, j.id) for p in props for j in judges if rng.random() < p_declared)
    return props, judges, conflicts


def total_loads(judges, *pair_lists):
    return loads([pr for pl in pair_lists for pr in pl], judges)


def assert_no_conflict(props, judges, pairs, conflicts, college_rule):
    pm = {p.id: p for p in props}
    jm = {j.id: j for j in judges}
    for pid, jid in pairs:
        assert conflict_reason(pm[pid], jm[jid], conflicts, college_rule) is None, (pid, jid)


def assert_complete(props, k, *pair_lists):
    per = {p.id: [] for p in props}
    for pl in pair_lists:
        for pid, jid in pl:
            per[pid].append(jid)
    for pid, js in per.items():
        assert len(js) == len(set(js)), f"duplicate judge on {pid}"
        assert len(js) == k, (pid, js)


# --------------------------------------------------------------------------- conflicts


def test_conflict_reason_messages():
    p = Proposal(1, "人工智能", frozenset({7, 8}), frozenset({"计算机学院"}))
    assert conflict_reason(p, Judge(7, "物理学院"), frozenset(), False) == REASON_AUTHOR == "评委是提案作者"
    same = Judge(9, " 计算机学院 ")
    assert conflict_reason(p, same, frozenset(), True) == REASON_COLLEGE == "评委与作者同一学院"
    assert conflict_reason(p, same, frozenset(), False) is None
    assert conflict_reason(p, Judge(10, None), frozenset(), True) is None
    assert conflict_reason(p, Judge(11, "物理学院"), {(1, 11)}, True) == REASON_DECLARED == "已声明利益冲突"
    assert conflict_reason(p, Judge(11, "物理学院"), {(2, 11)}, True) is None


@pytest.mark.parametrize("college_rule", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_random_instances_balanced_complete_conflict_free(seed, college_rule):
    props, judges, conflicts = make_instance(seed, 300, 23)
    res = auto_assign(props, judges, 3, conflicts, college_rule)
    assert isinstance(res, AssignmentResult)
    assert res.ok and res.shortfalls == []
    assert_no_conflict(props, judges, res.pairs, conflicts, college_rule)
    assert_complete(props, 3, res.pairs)
    lv = total_loads(judges, res.pairs).values()
    assert max(lv) - min(lv) <= 1
    assert res.pairs == sorted(res.pairs)


def test_author_judge_never_assigned_even_when_only_choice():
    judges = [Judge(1), Judge(2), Judge(3)]
    props = [Proposal(10, "新能源", frozenset({1}))]
    res = auto_assign(props, judges, k=3)
    assert (10, 1) not in res.pairs
    assert sorted(res.pairs) == [(10, 2), (10, 3)]
    assert [s.proposal_id for s in res.shortfalls] == [10]


def test_college_rule_on_excludes_and_off_allows():
    judges = [Judge(1, "医学院"), Judge(2, "医学院"), Judge(3, "物理学院")]
    props = [Proposal(10, "生物医药", frozenset({99}), frozenset({"医学院"}))]
    on = auto_assign(props, judges, k=2, college_rule=True)
    assert on.pairs == [(10, 3)] and len(on.shortfalls) == 1
    off = auto_assign(props, judges, k=2, college_rule=False)
    assert off.ok and len(off.pairs) == 2  # same-college judges are usable with the rule off


def test_declared_conflicts_respected():
    judges = [Judge(i) for i in range(1, 5)]
    props = [Proposal(i, "人工智能") for i in range(1, 9)]
    conflicts = {(p, 1) for p in range(1, 9)} | {(1, 2), (1, 3)}
    res = auto_assign(props, judges, k=2, conflicts=conflicts)
    assert not any(j == 1 for _, j in res.pairs)
    assert_no_conflict(props, judges, res.pairs, conflicts, False)
    # proposal 1 only has judge 4
    assert [(s.proposal_id, s.assigned, s.missing) for s in res.shortfalls] == [(1, 1, 1)]


# --------------------------------------------------------------------------- balance


def _optimal_load_vector(props, judges, k, conflicts, college_rule, existing=()):
    """Brute force: sorted total load vector minimising the sum of squares."""
    existing = set(existing)
    options = []
    for p in props:
        have = sum(1 for pid, _ in existing if pid == p.id)
        ok = [j.id for j in judges
              if conflict_reason(p, j, conflicts, college_rule) is None and (p.id, j.id) not in existing]
        options.append(list(itertools.combinations(ok, min(max(k - have, 0), len(ok)))))
    best = None
    for combo in itertools.product(*options):
        c = loads(existing, judges)
        for js in combo:
            for j in js:
                c[j] += 1
        v = sorted(c.values())
        score = sum(x * x for x in v)
        if best is None or score < best[0]:
            best = (score, v)
    return best[1]


@pytest.mark.parametrize("seed", range(40))
def test_tiny_instances_match_bruteforce_optimum(seed):
    rng = random.Random(seed)
    judges = [Judge(i, rng.choice(["A", "B", None]), frozenset(rng.sample(TOPICS, 1)))
              for i in range(1, rng.randint(3, 5) + 1)]
    props = [
        Proposal(10 + i, rng.choice(TOPICS), frozenset({rng.randint(1, 8)}), frozenset({rng.choice("AB")}))
        for i in range(rng.randint(2, 5))
    ]
    # heavy declared conflicts so that perfect balance is often impossible
    conflicts = {(p.id, j.id) for p in props for j in judges if rng.random() < 0.3}
    existing = [(p.id, j.id) for p in props for j in judges if rng.random() < 0.15] if seed % 2 else []
    k = rng.randint(1, 3)
    res = auto_assign(props, judges, k, conflicts, college_rule=True, existing=existing)
    assert_no_conflict(props, judges, res.pairs, conflicts, True)
    assert not set(res.pairs) & set(existing)
    got = sorted(total_loads(judges, existing, res.pairs).values())
    assert got == _optimal_load_vector(props, judges, k, conflicts, True, existing)


def test_repair_pass_fixes_a_bad_start():
    """Feed the repair phase a deliberately skewed assignment; it must rebalance
    through chains of moves (some judges may only take some proposals)."""
    props, judges, conflicts = make_instance(42, 200, 17, p_declared=0.2)
    st = _State(sorted(props, key=lambda p: p.id), judges, conflicts, True, [])
    for pi in range(st.P):  # lowest-index eligible judges: very unbalanced
        for ji in [j for j in range(st.J) if st.open_[j, pi]][:3]:
            st.add(pi, ji)
    assert st.load.max() - st.load.min() > 1
    before = sorted(st.new_of_prop[pi] and len(st.new_of_prop[pi]) for pi in range(st.P))
    st.repair()
    assert st.load.max() - st.load.min() <= 1
    assert sorted(len(x) for x in st.new_of_prop) == before
    for pi in range(st.P):
        js = st.new_of_prop[pi]
        assert len(set(js)) == len(js)
        for ji in js:
            assert conflict_reason(st.props[pi], st.judges[ji], conflicts, True) is None


def test_best_effort_when_balance_impossible():
    # judge 4 conflicts with everything: it stays at 0, others are as even as possible
    judges = [Judge(i) for i in range(1, 5)]
    props = [Proposal(i, "新能源") for i in range(1, 8)]
    conflicts = {(p.id, 4) for p in props}
    res = auto_assign(props, judges, k=2, conflicts=conflicts)
    assert res.ok
    lv = total_loads(judges, res.pairs)
    assert lv[4] == 0
    assert sorted(lv[j] for j in (1, 2, 3)) == [4, 5, 5]


# --------------------------------------------------------------------------- determinism


def test_deterministic_and_input_order_independent():
    props, judges, conflicts = make_instance(7, 250, 19)
    existing = [(p.id, judges[p.id % 19].id) for p in props[:40]
                if conflict_reason(p, judges[p.id % 19], conflicts, True) is None]
    a = auto_assign(props, judges, 3, conflicts, True, existing)
    b = auto_assign(props, judges, 3, conflicts, True, existing)
    assert a == b
    rng = random.Random(3)
    sp, sj, se = props[:], judges[:], existing[:]
    rng.shuffle(sp), rng.shuffle(sj), rng.shuffle(se)
    c = auto_assign(sp, sj, 3, list(reversed(sorted(conflicts))), True, se)
    assert c == a


# --------------------------------------------------------------------------- incremental


def test_existing_pairs_kept_and_only_missing_filled():
    judges = [Judge(i) for i in range(1, 7)]
    props = [Proposal(i, "人工智能") for i in range(1, 11)]
    existing = [(1, 1), (1, 2), (1, 3), (2, 4), (3, 5), (3, 6)]
    res = auto_assign(props, judges, 3, existing=existing)
    assert not set(res.pairs) & set(existing)
    per = {p.id: 0 for p in props}
    for pid, _ in res.pairs:
        per[pid] += 1
    assert per[1] == 0 and per[2] == 2 and per[3] == 1 and all(per[i] == 3 for i in range(4, 11))
    assert_complete(props, 3, existing, res.pairs)
    lv = total_loads(judges, existing, res.pairs).values()
    assert max(lv) - min(lv) <= 1


def test_new_judge_and_new_proposals_get_the_load():
    old_judges = [Judge(i) for i in range(1, 4)]
    old_props = [Proposal(i, "新能源") for i in range(1, 7)]
    first = auto_assign(old_props, old_judges, k=2)
    assert set(total_loads(old_judges, first.pairs).values()) == {4}
    judges = old_judges + [Judge(4)]
    props = old_props + [Proposal(i, "新能源") for i in range(7, 13)]
    second = auto_assign(props, judges, k=2, existing=first.pairs)
    assert all(pid >= 7 for pid, _ in second.pairs)  # old proposals untouched
    lv = total_loads(judges, first.pairs, second.pairs)
    assert lv == {1: 6, 2: 6, 3: 6, 4: 6}
    assert_complete(props, 2, first.pairs, second.pairs)


def test_existing_with_departed_judge_still_counts_for_proposal():
    judges = [Judge(1), Judge(2)]
    props = [Proposal(1, "x")]
    res = auto_assign(props, judges, k=2, existing=[(1, 99)])
    assert len(res.pairs) == 1 and res.ok


# --------------------------------------------------------------------------- topics


def test_topic_preference():
    judges = [Judge(1, topics={"人工智能"}), Judge(2, topics={"新能源"}),
              Judge(3, topics={"生物医药"}), Judge(4, topics={"人工智能", "新能源"})]
    props = [Proposal(i, t) for i, t in enumerate(["人工智能"] * 4 + ["新能源"] * 5 + ["生物医药"] * 3, start=1)]
    # a perfect topic match with loads 3/3/3/3 exists: 1<-AI x3, 4<-AI + energy x2, 2<-energy x3, 3<-bio x3
    res = auto_assign(props, judges, k=1)
    topic = {p.id: p.topic for p in props}
    jt = {j.id: j.topics for j in judges}
    assert all(topic[p] in jt[j] for p, j in res.pairs)
    assert set(total_loads(judges, res.pairs).values()) == {3}


def test_topic_preference_never_beats_balance():
    judges = [Judge(1, topics={"人工智能"})] + [Judge(i) for i in range(2, 5)]
    props = [Proposal(i, "人工智能") for i in range(1, 13)]
    res = auto_assign(props, judges, k=1)
    assert set(total_loads(judges, res.pairs).values()) == {3}


# --------------------------------------------------------------------------- infeasible / edge


def test_infeasible_reported_clearly():
    judges = [Judge(1, "医学院"), Judge(2, "医学院"), Judge(3, "物理学院")]
    props = [Proposal(1, "a", frozenset({3}), frozenset({"医学院"})), Proposal(2, "a")]
    res = auto_assign(props, judges, k=2, college_rule=True)
    assert not res.ok
    (s,) = res.shortfalls
    assert (s.proposal_id, s.required, s.assigned, s.missing) == (1, 2, 0, 2)
    assert "提案 1" in s.message and "缺 2 位" in s.message
    assert sorted(p for p, _ in res.pairs) == [2, 2]
    with pytest.raises(ValueError, match="提案 1"):
        res.raise_if_short()


def test_k_larger_than_judges():
    judges = [Judge(1), Judge(2)]
    props = [Proposal(i, "a") for i in range(1, 4)]
    res = auto_assign(props, judges, k=5)
    assert sorted(res.pairs) == [(p, j) for p in (1, 2, 3) for j in (1, 2)]
    assert [(s.proposal_id, s.missing) for s in res.shortfalls] == [(1, 3), (2, 3), (3, 3)]


def test_edge_cases_and_validation():
    assert auto_assign([], [Judge(1)]).pairs == []
    assert auto_assign([Proposal(1, "a")], [Judge(1)], k=0).pairs == []
    no_judges = auto_assign([Proposal(1, "a")], [], k=1)
    assert no_judges.pairs == [] and no_judges.shortfalls[0].missing == 1
    with pytest.raises(ValueError):
        auto_assign([Proposal(1, "a")], [Judge(1)], k=-1)
    with pytest.raises(ValueError, match="提案编号重复"):
        auto_assign([Proposal(1, "a"), Proposal(1, "b")], [Judge(1)])
    with pytest.raises(ValueError, match="评委编号重复"):
        auto_assign([Proposal(1, "a")], [Judge(1), Judge(1)])


def test_loads():
    assert loads([(1, 5), (2, 5), (1, 3)]) == {3: 1, 5: 2}
    assert loads([(1, 5)], [Judge(5), Judge(9)]) == {5: 1, 9: 0}
    assert list(loads([(1, 9), (1, 2)])) == [2, 9]


def test_medium_instance_is_fast():
    import time

    props, judges, conflicts = make_instance(11, 2000, 60)
    t = time.perf_counter()
    res = auto_assign(props, judges, 3, conflicts, True)
    assert time.perf_counter() - t < 3.0
    lv = total_loads(judges, res.pairs).values()
    assert res.ok and max(lv) - min(lv) <= 1


def test_existing_judge_not_assigned_twice_even_if_least_loaded():
    judges = [Judge(1, topics={"a"}), Judge(2), Judge(3)]
    props = [Proposal(i, "a") for i in (1, 2, 3)]
    existing = [(1, 1), (2, 2), (2, 3), (3, 2), (3, 3)]
    res = auto_assign(props, judges, k=2, existing=existing)
    assert res.ok
    assert [p for p, _ in res.pairs] == [1] and res.pairs[0][1] != 1
    assert_complete(props, 2, existing, res.pairs)
