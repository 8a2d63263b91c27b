"""contest/spreadsheets.py: the one size-checked reader of uploaded tables (issue 11)."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from contest import exports, spreadsheets
from contest.errors import ValidationError
from tests import hostile

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MEMORY_LIMIT = 500 * 1024 * 1024


@pytest.mark.parametrize("case", sorted(hostile.REFUSED_FILES))
def test_every_hostile_file_is_refused_in_chinese_within_the_memory_bound(case):
    filename, make, words = hostile.REFUSED_FILES[case]
    data = make()
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as error:
            spreadsheets.read_table(data, filename)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(error.value) and CHINESE.search(str(error.value)), str(error.value)
    assert peak < MEMORY_LIMIT, f"{case}: {peak / 1e6:.0f} MB"


def test_a_process_reading_every_hostile_file_stays_under_500_mb():
    """Resident memory of a fresh process (pandas and openpyxl loaded) reading every bomb in turn."""
    script = (
        "import json, re\n"
        "from contest import spreadsheets\nfrom contest.errors import ValidationError\nfrom tests import hostile\n"
        "out = {}\n"
        "for name, (filename, make, _) in hostile.REFUSED_FILES.items():\n"
        "    data = make()\n"
        "    try:\n        spreadsheets.read_table(data, filename); out[name] = 'accepted'\n"
        "    except ValidationError as e:\n        out[name] = str(e)\n"
        "    del data\n"
        # VmHWM: this process's peak resident memory (ru_maxrss would include pytest's, kept across exec)
        "status = open('/proc/self/status').read()\n"
        "out['maxrss_kb'] = int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
        "print(json.dumps(out))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "accepted" not in out.values()
    assert out["maxrss_kb"] * 1024 < MEMORY_LIMIT, out["maxrss_kb"]


def test_the_zip_directory_is_checked_before_openpyxl_opens_anything(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(ValidationError, match="解压后"):
        spreadsheets.read_table(hostile.zip_bomb_xlsx(), "a.xlsx")


def test_file_size_is_checked_before_reading_a_path(tmp_path, monkeypatch):
    path = tmp_path / "scores.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 100)
    limits = spreadsheets.Limits(max_bytes=100)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before the size check"))
    with pytest.raises(ValidationError, match="超过"):
        spreadsheets.read_path(path, limits=limits)


def test_limits_on_rows_columns_cells_and_time():
    data = b"a,b,c\n" + b"1,2,3\n" * 10
    assert len(spreadsheets.read_table(data, "x.csv", limits=spreadsheets.Limits(max_rows=10))) == 10
    with pytest.raises(ValidationError, match="10 行"):
        spreadsheets.read_table(data + b"4,5,6\n", "x.csv", limits=spreadsheets.Limits(max_rows=10))
    with pytest.raises(ValidationError, match="超过 2 列"):
        spreadsheets.read_table(data, "x.csv", limits=spreadsheets.Limits(max_columns=2))
    with pytest.raises(ValidationError, match="单元格的上限"):
        spreadsheets.read_table(data, "x.csv", limits=spreadsheets.Limits(max_cells=29))
    with pytest.raises(ValidationError, match="用时过长"):
        spreadsheets.read_table(data, "x.csv", limits=spreadsheets.Limits(max_seconds=-1))
    xlsx = exports.to_excel({"S": pd.DataFrame([{"a": "x" * 50}])})
    with pytest.raises(ValidationError, match="超过 40 个字符"):
        spreadsheets.read_table(xlsx, "x.xlsx", limits=spreadsheets.Limits(max_cell_chars=40))


def test_trailing_commas_and_styled_empty_columns_are_not_columns():
    frame = spreadsheets.read_table("标题,问题描述,,,\n食堂,夜宵,,,\n".encode(), "a.csv",
                                    limits=spreadsheets.Limits(max_columns=2))
    assert list(frame.columns) == ["标题", "问题描述"]


def test_xlsx_cells_become_the_text_a_user_sees():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([" 标题 ", "数字", "小数", "日期", "是否", "标题"])
    sheet.append(["食堂", 2023, 3.5, dt.datetime(2024, 3, 1), True, "重复列"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["NA", 1e20, 2.0, None, False, "null"])
    buffer = io.BytesIO()
    book.save(buffer)
    frame = spreadsheets.read_table(buffer.getvalue(), "a.xlsx")
    assert list(frame.columns) == ["标题", "数字", "小数", "日期", "是否", "标题.1"]
    assert frame.loc[0].tolist() == ["食堂", "2023", "3.5", "2024-03-01 00:00:00", "True", "重复列"]
    assert list(frame.index + 2) == [2, 4]  # the blank row 3 is left out, row numbers kept
    assert frame.loc[2].tolist()[:3] == ["NA", "100000000000000000000", "2"]
    assert pd.isna(frame.loc[2, "日期"]) and frame.loc[2, "标题.1"] == "null"


def test_csv_encodings_row_numbers_and_header_false():
    data = "标题,问题描述\n\n食堂,夜宵\n,\n图书馆, 开放 \n".encode("gb18030")
    frame = spreadsheets.read_table(data, "a.csv")
    assert list(frame.index + 2) == [3, 5]
    assert frame.loc[3].tolist() == ["图书馆", " 开放 "]
    raw = spreadsheets.read_table("2025 年提案汇总\n\n标题,问题描述\n食堂,夜宵\n".encode(), "a.csv", header=False)
    assert list(raw.index) == [0, 2, 3] and raw.iloc[0, 0] == "2025 年提案汇总" and pd.isna(raw.iloc[0, 1])
    assert raw.loc[3].tolist() == ["食堂", "夜宵"]


def test_a_workbook_written_by_exports_reads_back_unchanged():
    frame = pd.DataFrame([{"标题": "食堂", "编号": 12, "说明": "多行\n文本"}])
    back = spreadsheets.read_table(exports.to_excel({"提案": frame}), "")
    assert back.to_dict("records") == [{"标题": "食堂", "编号": "12", "说明": "多行\n文本"}]
    assert spreadsheets.read_table(exports.to_csv(frame), "").to_dict("records") == back.to_dict("records")


def test_the_content_decides_not_the_name():
    xlsx = exports.to_excel({"S": pd.DataFrame([{"a": 1}])})
    with pytest.raises(ValidationError, match="扩展名不是 .xlsx"):
        spreadsheets.read_table(xlsx, "a.csv")
    with pytest.raises(ValidationError, match="上传的内容不是文件"):
        spreadsheets.read_table("a,b", "a.csv")
