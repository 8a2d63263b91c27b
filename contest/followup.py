"""Follow-up: forwarding proposals to departments (转办), replies (答复), rates."""
from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("followup")


def build_demo(db: Database, users: dict[str, int], now, items: list[tuple[int, dict]]) -> None:
    """Demo contest: forward and answer the proposals marked so in data/demo (filled in by the follow-up issue)."""
