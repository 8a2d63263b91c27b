"""The rubric: the criteria a judge scores, each a ``Criterion`` (code, name, weight, score range, kind).

A criterion's ``kind`` says how it is scored. ``KINDS`` lists them: today ``number`` (a score typed
between ``min`` and ``max``). A new kind (yes/no, 1–5 stars) is an entry in ``KINDS`` with its
fixed range and whether scores are whole numbers, plus its input widget in
``app_pages/_judging_ui.py``; storage, validation, totals and ranking need nothing new, because
every kind stores a number within the criterion's range.

``Criterion`` also reads like the stored dict (``c["code"]``, ``dict(c)``), so the rubric kept in
the settings (JSON) and code written against dicts keep working.

``ensure_editable`` is the rubric lock (no change once a judge has submitted a sheet, only names,
weights and descriptions after an audited unlock); unlocking and locking are in ``rubric_lock``.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import pandas as pd
from sqlite_utils import Database

from .errors import ValidationError
from .ranking import RUBRIC_COLUMNS


@dataclass(frozen=True)
class Kind:
    """How a criterion is scored: ``label`` in the settings, a ``fixed`` (min, max) range or None
    for one the organizer sets, and whether scores are ``whole`` numbers."""

    label: str
    fixed: tuple[float, float] | None = None
    whole: bool = False


KINDS: dict[str, Kind] = {
    "number": Kind("分数"),
}


@dataclass(frozen=True)
class Criterion(Mapping):
    code: str
    name: str
    weight: float
    min: float
    max: float
    description: str = ""
    kind: str = "number"

    # --- read like the stored dict ---------------------------------------------------------
    def __getitem__(self, key: str):
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self):
        return iter(f.name for f in fields(self))

    def __len__(self) -> int:
        return len(fields(self))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: Mapping) -> Criterion:
        """A criterion from stored or typed values (no validation; see ``settings.validate_rubric``)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in dict(row).items() if k in known and not _missing(v)}
        return cls(**({"description": "", "kind": "number"} | values))

    # --- scoring -----------------------------------------------------------------------------
    @property
    def range_text(self) -> str:
        return f"{self.min:g}–{self.max:g}"

    def score(self, value) -> float | None:
        """A typed score as a number within the range, None when left empty; Chinese error otherwise."""
        label = f"“{self.name}”"
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, bool):
            raise ValidationError(f"{label}的分数必须是数字（{self.range_text}）。")
        try:
            number = float(str(value).strip()) if isinstance(value, str) else float(value)
        except (TypeError, ValueError):
            raise ValidationError(f"{label}的分数必须是数字（{self.range_text}）。") from None
        if math.isnan(number) or math.isinf(number):
            raise ValidationError(f"{label}的分数必须是数字（{self.range_text}）。")
        if not float(self.min) <= number <= float(self.max):
            raise ValidationError(f"{label}的分数应在 {self.range_text} 之间，当前为 {number:g}。")
        if KINDS[self.kind].whole and not number.is_integer():
            raise ValidationError(f"{label}的分数应为整数（{self.range_text}）。")
        return number


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def criteria(rubric) -> list[Criterion]:
    """The rubric as Criterion objects (from stored dicts or Criterion objects)."""
    return [c if isinstance(c, Criterion) else Criterion.from_dict(c) for c in rubric or []]


def frame(rubric, *, by: str = "code") -> pd.DataFrame:
    """The rubric as the table ``ranking`` takes (criterion, weight, min, max); ``by`` names the
    criterion column after the stored ``code`` (scores in the database) or the ``name`` (results, CLI)."""
    return pd.DataFrame([{"criterion": c[by], "weight": float(c.weight), "min": float(c.min), "max": float(c.max)}
                         for c in criteria(rubric)], columns=RUBRIC_COLUMNS)


# --- the lock -----------------------------------------------------------------------------------


def submitted_sheets(db: Database) -> int:
    return db["sheets"].count_where("status = 'submitted'")


def active_unlock(db: Database) -> dict | None:
    return next(db["rubric_unlocks"].rows_where("active = 1", order_by="id desc", limit=1), None)


def ensure_editable(db: Database, old_rubric, new_rubric=None) -> None:
    """The rubric is locked once the first score sheet has been submitted.

    After ``rubric_lock.unlock_rubric`` a new rubric is accepted when it keeps every criterion
    code and score range (names, weights and descriptions may change), so no submitted sheet
    becomes incomplete or out of range.
    """
    if not submitted_sheets(db):
        return
    if active_unlock(db) is None:
        raise ValidationError("已有评委提交评分，评分标准已锁定，不能再修改。如确需调整权重或说明，"
                              "请组织者在“评审进度”页执行“解锁评分标准”并填写理由。")
    if new_rubric is None:
        raise ValidationError("评分标准已解锁，但只允许修改名称、权重和说明。")
    old = {c.code: c for c in criteria(old_rubric)}
    new = {}
    for c in new_rubric:
        code = str(c.get("code") or "").strip()
        try:
            new[code] = (float(c.get("min")), float(c.get("max")), c.get("kind") or "number")
        except (TypeError, ValueError):
            raise ValidationError("评分项的最低分和最高分必须是数字。") from None
    if set(new) != set(old):
        raise ValidationError("已有评委提交评分：解锁后也不能增加、删除评分项或修改其代码，"
                              "只允许修改名称、权重和说明。")
    for code, (lo, hi, kind) in new.items():
        if (lo, hi, kind) != (float(old[code].min), float(old[code].max), old[code].kind):
            raise ValidationError(f"已有评委提交评分：评分项“{old[code].name}”的分值范围"
                                  f"（{old[code].range_text}）不能修改，只允许修改名称、权重和说明。")
