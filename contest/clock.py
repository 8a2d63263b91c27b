"""The current time, in one place so tests can pass their own."""
from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Local wall-clock time to the second (the contest runs on campus time)."""
    return dt.datetime.now().replace(microsecond=0)


def given_or_now(moment: dt.datetime | None) -> dt.datetime:
    """``moment`` (a test's or a caller's time) or now, to the second."""
    return (moment or now()).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat(sep=" ")


def parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
