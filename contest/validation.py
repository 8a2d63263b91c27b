"""Checks for text typed by users, shared by every form.

Text is stored verbatim (HTML, markdown, emoji included) and always rendered
as plain text; only characters that cannot be seen or printed are refused,
because they make names and titles look alike while differing.
"""
from __future__ import annotations

import re
import unicodedata

from .errors import ValidationError

# Control characters other than tab/newline, zero-width and bidi controls. The zero-width
# joiner (U+200D) is allowed inside an emoji sequence (👩‍💻, 🏳️‍🌈), where it is visible as one glyph.
_EMOJI = "\u00a9\u00ae\u203c\u2049\u2122-\u2bff\u3030\u303d\u3297\u3299\ufe0f\U0001f000-\U0001faff"
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
    rf"|(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])")
_LINE_BREAKS = re.compile("[\r\u2028\u2029]")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")


def text(value: object, label: str, *, min_len: int = 1, max_len: int = 100, multiline: bool = False) -> str:
    """Return the stripped text or raise ValidationError with a Chinese message."""
    value = "" if _missing(value) else str(value)
    value = value.replace("\r\n", "\n")
    if multiline:  # a lone CR (old Mac), LINE / PARAGRAPH SEPARATOR: a line break like any other
        value = _LINE_BREAKS.sub("\n", value)
    value = value.strip()
    if not value:
        raise ValidationError(f"请填写{label}。")
    if _INVISIBLE.search(value):
        raise ValidationError(f"{label}包含不可见的控制字符或零宽字符，请删除后重试。")
    if not multiline and ("\n" in value or "\t" in value or _LINE_BREAKS.search(value)):
        raise ValidationError(f"{label}不能换行。")
    n = length(value)
    if n < min_len:
        raise ValidationError(f"{label}至少需要 {min_len} 个字，当前 {n} 个字。")
    if n > max_len:
        raise ValidationError(f"{label}最多 {max_len} 个字，当前 {n} 个字。")
    return value


def optional_text(value: object, label: str, **kwargs) -> str:
    """Like ``text`` but an empty value is allowed and returned as ''."""
    if _missing(value) or not str(value).strip():
        return ""
    return text(value, label, **kwargs)


def _missing(value: object) -> bool:
    """None, or an empty cell of a table (NaN, pandas NA): never the text "nan"."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA refuses bool()
        return True


def length(value: str) -> int:
    """Length as a user counts it: one per visible character (NFC)."""
    return len(unicodedata.normalize("NFC", value))


def email(value: object) -> str:
    value = optional_text(value, "邮箱", max_len=100)
    if value and not EMAIL.match(value):
        raise ValidationError("邮箱格式不正确，例如 name@example.edu.cn。")
    return value


def phone(value: object) -> str:
    value = optional_text(value, "手机号", max_len=20)
    if value and not PHONE.match(value):
        raise ValidationError("手机号格式不正确，应为 11 位手机号。")
    return value


def student_no(value: object) -> str:
    value = text(value, "学号", max_len=20)
    if not re.fullmatch(r"[A-Za-z0-9]{4,20}", value):
        raise ValidationError("学号只能包含字母和数字，长度 4–20 位。")
    return value


def username(value: object) -> str:
    value = text(value, "用户名", max_len=40)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{2,39}", value):
        raise ValidationError("用户名只能包含字母、数字、下划线、点和连字符，长度 3–40 位。")
    return value


SEARCH_MAX = 100


def search_text(value: object, label: str = "搜索内容") -> str:
    """Text typed into a search box: stripped, invisible characters dropped, at most SEARCH_MAX
    characters (SQLite refuses a LIKE pattern past 50,000 bytes: a long paste must not crash a page)."""
    value = "" if _missing(value) else str(value)
    value = _INVISIBLE.sub("", value).strip()
    n = length(value)
    if n > SEARCH_MAX:
        raise ValidationError(f"{label}最多 {SEARCH_MAX} 个字，当前 {n} 个字，请缩短后再搜索。")
    return value
