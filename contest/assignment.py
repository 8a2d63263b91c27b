"""Balanced, conflict-free, deterministic reviewer assignment (pure functions).

Public API
----------
``Proposal``, ``Judge``
    Frozen dataclasses describing the input (iterables passed for the set fields
    are coerced to ``frozenset``).
``conflict_reason(proposal, judge, conflicts, college_rule) -> str | None``
    Chinese reason why ``judge`` may not review ``proposal`` (``None`` if free).
``auto_assign(proposals, judges, k=3, conflicts=frozenset(), college_rule=False,
existing=()) -> AssignmentResult``
    Returns an ``AssignmentResult`` with the *new* ``(proposal_id, judge_id)``
    pairs (sorted) and a list of ``Shortfall`` records for proposals that could
    not get ``k`` distinct conflict-free judges.  It never raises for such a
    shortfall; call ``result.raise_if_short()`` for the strict behaviour
    (``ValueError`` with a Chinese message naming the proposals).
``loads(pairs, judges=None) -> dict[int, int]``
    Number of pairs per judge id.

Rules implemented
-----------------
* Each proposal ends with ``k`` judges in total, counting ``existing`` pairs
  (which never move; duplicates are ignored).  Existing pairs for judges that
  are no longer in ``judges`` still count towards their proposal; existing
  pairs for proposals not in ``proposals`` still count towards their judge's
  load.  Existing pairs are kept even if they would now be a conflict.
* A new pair is never a conflict: judge is an author, same college as an
  author (only with ``college_rule``; ``None``/blank colleges never match,
  surrounding whitespace is ignored), or ``(proposal_id, judge_id)`` is in
  ``conflicts``.
* Balance: the total load per judge (existing + new) is lexicographically as
  even as the conflicts allow -- we minimise the sum of squared loads, which
  yields ``max - min <= 1`` whenever any conflict-free assignment achieves it.
  Algorithm: greedy (proposals with the fewest eligible judges first; pick
  least-loaded judge, topic match as tie-break, then judge id), then a repair
  pass that applies augmenting paths ("move p from judge u to t, move p' from
  t to t' ...") from a judge with load ``L`` to one with load ``<= L - 2``
  until none exists, which is the optimality condition for this convex
  assignment flow.
* Topic preference (soft): after balancing, load-preserving moves and swaps
  that increase the number of topic-matched pairs are applied.  The multiset
  of loads never changes in that pass, so balance is never traded for topics.
* Deterministic: inputs are sorted by id, every tie is broken by id, no
  randomness; the input order of ``proposals``/``judges``/``existing`` does
  not matter.
"""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Proposal",
    "Judge",
    "Shortfall",
    "AssignmentResult",
    "auto_assign",
    "conflict_reason",
    "loads",
]

REASON_AUTHOR = "评委是提案作者"
REASON_COLLEGE = "评委与作者同一学院"
REASON_DECLARED = "已声明利益冲突"


@dataclass(frozen=True)
class Proposal:
    id: int
    topic: str
    author_ids: frozenset[int] = frozenset()
    author_colleges: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "author_ids", frozenset(self.author_ids))
        object.__setattr__(self, "author_colleges", frozenset(self.author_colleges))


@dataclass(frozen=True)
class Judge:
    id: int
    college: str | None = None
    topics: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", frozenset(self.topics))


@dataclass(frozen=True)
class Shortfall:
    """A proposal that could not get ``k`` distinct conflict-free judges."""

    proposal_id: int
    required: int  # k
    assigned: int  # existing + new judges it ends up with
    message: str  # Chinese, for display

    @property
    def missing(self) -> int:
        return self.required - self.assigned


@dataclass(frozen=True)
class AssignmentResult:
    """New pairs (sorted by proposal id, then judge id) and any shortfalls."""

    pairs: list[tuple[int, int]]
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.shortfalls

    def raise_if_short(self) -> None:
        if self.shortfalls:
            raise ValueError("评委分配不完整：" + "；".join(s.message for s in self.shortfalls))


def _norm_college(c: str | None) -> str | None:
    if c is None:
        return None
    c = str(c).strip()
    return c or None


def conflict_reason(
    proposal: Proposal,
    judge: Judge,
    conflicts: Iterable[tuple[int, int]] = frozenset(),
    college_rule: bool = False,
) -> str | None:
    """Why ``judge`` may not review ``proposal`` (Chinese), or ``None`` if free."""
    if judge.id in proposal.author_ids:
        return REASON_AUTHOR
    if college_rule:
        jc = _norm_college(judge.college)
        if jc is not None and jc in {_norm_college(c) for c in proposal.author_colleges}:
            return REASON_COLLEGE
    if not isinstance(conflicts, (set, frozenset)):
        conflicts = set(conflicts)
    if (proposal.id, judge.id) in conflicts:
        return REASON_DECLARED
    return None


def loads(pairs: Iterable[tuple[int, int]], judges: Iterable[Judge | int] | None = None) -> dict[int, int]:
    """Pairs per judge id (sorted by id).  With ``judges``, judges without pairs show 0."""
    counts = Counter(j for _, j in pairs)
    if judges is not None:
        for j in judges:
            counts.setdefault(j.id if isinstance(j, Judge) else j, 0)
    return {j: counts[j] for j in sorted(counts)}


def _check_unique(ids: list[int], what: str) -> None:
    seen: set[int] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{what}编号重复：{i}")
        seen.add(i)


class _State:
    """Mutable working state of one ``auto_assign`` call (indices, not ids)."""

    def __init__(self, props: list[Proposal], judges: list[Judge], conflicts, college_rule: bool, existing):
        self.props = props
        self.judges = judges
        P, J = len(props), len(judges)
        self.P, self.J = P, J
        pidx = {p.id: i for i, p in enumerate(props)}
        jidx = {j.id: i for i, j in enumerate(judges)}

        # open_[j, p]: judge j may get proposal p as a NEW pair (eligible and not yet on p).
        open_ = np.ones((J, P), dtype=bool)
        if college_rule:
            by_college: dict[str, list[int]] = {}
            for ji, jg in enumerate(judges):
                c = _norm_college(jg.college)
                if c is not None:
                    by_college.setdefault(c, []).append(ji)
        for pi, p in enumerate(props):
            for a in p.author_ids:
                ji = jidx.get(a)
                if ji is not None:
                    open_[ji, pi] = False
            if college_rule:
                for c in p.author_colleges:
                    rows = by_college.get(_norm_college(c))
                    if rows:
                        open_[rows, pi] = False
        for pid, jid in conflicts:
            pi, ji = pidx.get(pid), jidx.get(jid)
            if pi is not None and ji is not None:
                open_[ji, pi] = False

        # Existing pairs: count per proposal and per judge, close them.
        have = np.zeros(P, dtype=np.int64)
        load = np.zeros(J, dtype=np.int64)
        for pid, jid in sorted(set((int(a), int(b)) for a, b in existing)):
            pi, ji = pidx.get(pid), jidx.get(jid)
            if pi is not None:
                have[pi] += 1
            if ji is not None:
                load[ji] += 1
            if pi is not None and ji is not None:
                open_[ji, pi] = False
        self.open_ = open_
        self.have = have
        self.load = load

        # Topic match: match[t][j] for topic index t.
        topics = sorted({p.topic for p in props})
        tidx = {t: i for i, t in enumerate(topics)}
        self.ptopic = np.array([tidx[p.topic] for p in props], dtype=np.int64)
        match = np.zeros((len(topics), J), dtype=bool)
        for ji, jg in enumerate(judges):
            for t in jg.topics:
                ti = tidx.get(t)
                if ti is not None:
                    match[ti, ji] = True
        self.match = match
        # New pairs, both directions (insertion ordered => deterministic).
        self.new_by_judge: list[dict[int, None]] = [{} for _ in range(J)]
        self.new_of_prop: list[list[int]] = [[] for _ in range(P)]

    # -- primitive moves -------------------------------------------------
    def add(self, pi: int, ji: int) -> None:
        self.open_[ji, pi] = False
        self.load[ji] += 1
        self.new_by_judge[ji][pi] = None
        self.new_of_prop[pi].append(ji)

    def move(self, pi: int, src: int, dst: int) -> None:
        """Move the new pair (pi, src) to (pi, dst)."""
        self.open_[src, pi] = True
        self.open_[dst, pi] = False
        self.load[src] -= 1
        self.load[dst] += 1
        del self.new_by_judge[src][pi]
        self.new_by_judge[dst][pi] = None
        lst = self.new_of_prop[pi]
        lst[lst.index(src)] = dst

    # -- phase 1: greedy -------------------------------------------------
    def greedy(self, k: int) -> None:
        J = self.J
        need = np.maximum(k - self.have, 0)
        n_open = self.open_.sum(axis=0)
        order = np.lexsort((np.arange(self.P), n_open))  # fewest eligible first, then id
        # key = load * 2J + (not topic match) * J + judge index  (unique per judge)
        base = (~self.match).astype(np.int64) * J + np.arange(J, dtype=np.int64)
        big = np.iinfo(np.int64).max
        for pi in order.tolist():
            r = int(need[pi])
            if r == 0:
                continue
            col = self.open_[:, pi]
            if int(n_open[pi]) <= r:
                chosen = np.flatnonzero(col).tolist()
            else:
                key = np.where(col, self.load * (2 * J) + base[self.ptopic[pi]], big)
                part = np.argpartition(key, r - 1)[:r]
                chosen = part[np.argsort(key[part])].tolist()
            for ji in chosen:
                self.add(pi, ji)

    # -- phase 2: balance repair ----------------------------------------
    def _augment_to(self, b: int, max_load: int) -> bool:
        """Reverse BFS from low judge ``b``: find a judge ``a`` with load >= load[b] + 2
        that can pass one unit to ``b`` through a chain of moves; apply it."""
        load, open_ = self.load, self.open_
        target = int(load[b]) + 2
        parent: dict[int, tuple[int, int]] = {b: (-1, -1)}  # judge u -> (proposal, next judge)
        seen_p = np.zeros(self.P, dtype=bool)
        has_new = np.fromiter((bool(x) for x in self.new_of_prop), dtype=bool, count=self.P)
        queue = deque([b])
        best, best_load = -1, target - 1
        while queue:
            t = queue.popleft()
            ps = np.flatnonzero(open_[t] & has_new & ~seen_p)
            if ps.size == 0:
                continue
            seen_p[ps] = True
            for pi in ps.tolist():
                for u in self.new_of_prop[pi]:
                    if u in parent:
                        continue
                    parent[u] = (pi, t)
                    lu = int(load[u])
                    if lu > best_load:
                        best, best_load = u, lu
                    queue.append(u)
            if best_load >= max_load:
                break
        if best < 0:
            return False
        u = best
        while u != b:
            pi, t = parent[u]
            self.move(pi, u, t)
            u = t
        return True

    def repair(self) -> None:
        if self.J < 2:
            return
        failed: set[int] = set()
        while True:
            max_load = int(self.load.max())
            progressed = False
            for b in np.lexsort((np.arange(self.J), self.load)).tolist():
                if max_load - int(self.load[b]) <= 1:
                    break
                if b in failed:
                    continue
                if self._augment_to(b, max_load):
                    failed.clear()
                    progressed = True
                    break
                failed.add(b)
            if not progressed:
                return

    # -- phase 3: topic improvement (load multiset unchanged) -----------
    def improve_topics(self, rounds: int = 3) -> None:
        match, ptopic, load, open_ = self.match, self.ptopic, self.load, self.open_
        # judges per topic, by index (== by id order)
        topic_judges = [np.flatnonzero(row).tolist() for row in match]
        # nonmatch[j]: new proposals on j whose topic j does not declare
        nonmatch: list[dict[int, None]] = [
            {pi: None for pi in self.new_by_judge[ji] if not match[ptopic[pi], ji]} for ji in range(self.J)
        ]
        for _ in range(rounds):
            changed = False
            todo = sorted((pi, ji) for ji in range(self.J) for pi in nonmatch[ji])
            for pi, j in todo:
                if pi not in nonmatch[j]:
                    continue
                for j2 in topic_judges[ptopic[pi]]:
                    if not open_[j2, pi]:
                        continue
                    if load[j2] == load[j] - 1:
                        self.move(pi, j, j2)  # loads swap values
                        del nonmatch[j][pi]
                        changed = True
                        break
                    if load[j2] != load[j]:
                        continue
                    q = next((q for q in nonmatch[j2] if open_[j, q]), None)
                    if q is None:
                        continue
                    self.move(pi, j, j2)
                    self.move(q, j2, j)
                    del nonmatch[j][pi]
                    del nonmatch[j2][q]
                    if not match[ptopic[q], j]:
                        nonmatch[j][q] = None
                    changed = True
                    break
            if not changed:
                return


def auto_assign(
    proposals: Iterable[Proposal],
    judges: Iterable[Judge],
    k: int = 3,
    conflicts: Iterable[tuple[int, int]] = frozenset(),
    college_rule: bool = False,
    existing: Iterable[tuple[int, int]] = (),
) -> AssignmentResult:
    """Assign judges so that every proposal has ``k`` in total (see module doc).

    Returns an ``AssignmentResult``: ``pairs`` are only the NEW
    ``(proposal_id, judge_id)`` pairs, sorted; ``shortfalls`` lists proposals
    that got fewer than ``k`` judges because too few conflict-free judges exist.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError("k 必须是整数")
    k = int(k)
    if k < 0:
        raise ValueError("每个提案的评委人数 k 不能为负数")
    props = sorted(proposals, key=lambda p: p.id)
    jlist = sorted(judges, key=lambda j: j.id)
    _check_unique([p.id for p in props], "提案")
    _check_unique([j.id for j in jlist], "评委")
    conflicts = {(int(a), int(b)) for a, b in conflicts}
    existing = list(existing)
    if not props:
        return AssignmentResult([], [])

    st = _State(props, jlist, conflicts, college_rule, existing)
    if jlist and k > 0:
        st.greedy(k)
        st.repair()
        st.improve_topics()

    pairs = sorted((props[pi].id, jlist[ji].id) for pi in range(st.P) for ji in st.new_of_prop[pi])
    shortfalls = []
    for pi, p in enumerate(props):
        total = int(st.have[pi]) + len(st.new_of_prop[pi])
        if total < k:
            shortfalls.append(
                Shortfall(
                    proposal_id=p.id,
                    required=k,
                    assigned=total,
                    message=(
                        f"提案 {p.id} 需要 {k} 位评委，但只有 {total} 位无利益冲突的评委可用"
                        f"（缺 {k - total} 位）"
                    ),
                )
            )
    return AssignmentResult(pairs, shortfalls)
