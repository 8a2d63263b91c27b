"""The rubric: the criteria a judge scores, with their weights and score ranges."""
from __future__ import annotations

import pandas as pd

from . import ranking


def criterion_range(criterion: dict) -> str:
    return f"{criterion['min']:g}–{criterion['max']:g}"


def rubric_frame(rubric: list[dict]) -> pd.DataFrame:
    """The rubric in the shape ``ranking.sheet_totals`` expects."""
    return pd.DataFrame([{"criterion": c["code"], "weight": float(c["weight"]), "min": float(c["min"]),
                          "max": float(c["max"])} for c in rubric],
                        columns=ranking.RUBRIC_COLUMNS)
