"""The hostile-input catalogue (tests/hostile.py) through the pages (issue 11): each case refused in
Chinese or saved and shown verbatim as text; never an exception, never interpreted as markdown."""
from __future__ import annotations

import re

import pytest

from contest import proposals, results, settings
from tests import hostile
from tests.helpers import GOOD, NOW, WRITE, add_results_proposal, add_sheet, click, fill, texts

CHINESE = re.compile(r"[\u4e00-\u9fff]")
MINE = "app_pages/my_proposals.py"
TITLES = ["script tag", "img onerror", "markdown image", "short markdown image", "markdown link", "javascript url",
          "sql drop", "formula equals", "formula cmd", "emoji", "arabic", "rtl override", "zero width space",
          "nul", "carriage return", "line separator", "template", "autolink", "streamlit colour"]


def rendered_as_markdown(at) -> str:
    parts = [str(getattr(e, "value", "")) + str(getattr(e, "label", ""))
             for kind in ("markdown", "caption", "title", "header", "subheader", "success", "info", "warning",
                          "metric") for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("case", TITLES)
def test_a_hostile_title_is_refused_in_chinese_or_shown_verbatim(app_as, fresh_db, case):
    value = hostile.text(case)
    at = app_as("alice", WRITE)
    fill(at, **(GOOD | {"title": value}))
    click(at, "保存草稿")
    assert not at.exception, at.exception
    saved = list(fresh_db["proposals"].rows)
    if case in hostile.REFUSED:
        assert saved == [] and at.error and CHINESE.search(at.error[0].value), case
        return
    assert [p["title"] for p in saved] == [value.strip()]
    mine = app_as("alice", MINE)
    assert not mine.exception
    assert any(t.value == value.strip() for t in mine.text), case  # shown as plain text
    assert value.strip() not in rendered_as_markdown(mine)  # never passed to markdown as it is
    assert "evil.example" not in rendered_as_markdown(mine) and not mine.get("imgs")


def test_a_50000_character_search_on_the_public_page_does_not_crash(app_as):
    """The box takes at most 100 characters (max_chars); past the widget, public_cases refuses a
    longer text in Chinese (tests/unit/test_hostile_catalogue.py: every search box)."""
    at = app_as(None, "app_pages/public_followup.py")
    box = next(t for t in at.text_input if t.label == "搜索标题")
    assert box.max_chars == 100
    box.input("食" * 50_000)
    at.run()
    assert not at.exception, at.exception


def test_an_award_tier_named_with_a_markdown_image_is_shown_as_text(app_as, fresh_db, people):
    tier = hostile.text("short markdown image")
    org = people["organizer"]
    settings.update(fresh_db, org, reviews_per_proposal=1,
                    award_tiers=[{"name": tier, "kind": "count", "value": 1}])
    pid = add_results_proposal(fresh_db, people["alice"], "关于食堂夜宵窗口的建议")
    add_sheet(fresh_db, pid, people["judge"], 8)
    results.publish_results(fresh_db, org, now=NOW)
    at = app_as("alice", MINE)
    assert not at.exception
    assert any(t.value == f"奖项：{tier}" for t in at.text)
    assert "e.cn" not in rendered_as_markdown(at) and not at.get("imgs")


@pytest.mark.parametrize("case", sorted(set(hostile.REFUSED_FILES) - {"exe extension"}))  # the uploader's type= refuses .exe
def test_every_hostile_file_uploaded_to_the_import_page_is_refused_in_chinese(app_as, fresh_db, case):
    filename, make, _ = hostile.REFUSED_FILES[case]
    at = app_as("organizer", "app_pages/import_proposals.py")
    at.file_uploader(key="ip_file").upload(filename, make(), "application/octet-stream")
    at.run()
    assert not at.exception, at.exception
    assert at.error and CHINESE.search(at.error[0].value), case
    assert fresh_db["proposals"].count == 0
