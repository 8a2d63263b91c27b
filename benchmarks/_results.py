"""Record benchmark figures into benchmarks/RESULTS.md, one section per script.

Each script owns a section delimited by HTML comments, so scripts can be
rerun in any order without clobbering each other's figures.
"""
from __future__ import annotations

import datetime as dt
import platform
import re
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = "# Benchmark results\n\nFigures written by the scripts in `benchmarks/`; rerun a script to refresh its section.\n"


def record(section: str, body: str) -> None:
    """Replace (or append) the section named `section` with `body` (markdown)."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    stamp = f"_{dt.date.today().isoformat()}, Python {platform.python_version()}, {platform.machine()}_"
    block = f"<!-- {section} -->\n## {section}\n\n{stamp}\n\n{body.strip()}\n<!-- /{section} -->"
    pattern = re.compile(rf"<!-- {re.escape(section)} -->.*?<!-- /{re.escape(section)} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    """The fastest of ``repeat`` runs of ``fn()`` in seconds, and its result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result
