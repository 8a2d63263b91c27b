"""The whole follow-up report (提案工作报告) as a student union writes it, and the 提案汇编.

``figures`` computes, for a cut (topic, department, date range), the valid proposals, the number
of departments involved, the feedback meetings held, and the forwarding / reply / resolution /
satisfaction figures of ``contest.followup_stats`` *as they stood at the end date* ("截至…"):
a proposal counts as forwarded when it was forwarded by then, as replied when its first reply
came by then, as resolved when the latest reply by then says 已解决, and ratings given later do
not count. ``sentence`` writes the summary sentence; ``export_excel`` and ``export_docx`` the
report, ``compilation_docx`` the printable 提案汇编 (every valid proposal with its replies and
meeting outcomes) for the school leadership.

A cut by department keeps the proposals whose case the department leads or co-handles and the
meetings it was invited to; a cut by topic keeps the proposals of that topic and the meetings with
one of them on the agenda; a date range keeps the proposals screened (立案) within it and the
meetings held within it.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from sqlite_utils import Database

from . import clock, followup_stats, meetings, policy, settings
from .exports import to_excel
from .vocabulary import AnswerState, CaseStatus, EntryKind, MeetingStatus, labels

DEFINITIONS = {
    "departments": "涉及单位和部门：有效提案转办到的主办和协办部门（按部门计，不重复）。",
    "meetings": "提案对接会：已召开（已记录对接结果或会议纪要）的对接会场数。",
} | followup_stats.DEFINITIONS


def _day(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _frame(db: Database, cutoff: str) -> pd.DataFrame:
    """One row per valid or forwarded proposal, its follow-up as it stood at ``cutoff``."""
    rows = db.query("""select p.id, p.topic, p.screened_at, c.id as case_id, c.department, c.status as now_status,
                              c.forwarded_at, c.due_at, c.first_reply_at,
                              (select group_concat(cd.department, ' ') from case_departments cd
                                where cd.case_id = c.id) as departments,
                              (select r.state from replies r where r.case_id = c.id and r.at <= :cutoff
                                order by r.at desc, r.id desc limit 1) as state,
                              (select level from ratings r where r.proposal_id = p.id and r.at <= :cutoff
                                order by r.round desc limit 1) as rating
                       from proposals p left join case_members m on m.proposal_id = p.id
                            left join cases c on c.id = m.case_id
                       where p.status = 'valid' or m.case_id is not null""", {"cutoff": cutoff})
    frame = pd.DataFrame(rows, columns=["id", "topic", "screened_at", "case_id", "department", "now_status",
                                        "forwarded_at", "due_at", "first_reply_at", "departments", "state",
                                        "rating"]).astype(object)
    forwarded = frame["case_id"].notna() & (frame["forwarded_at"].fillna("") <= cutoff)
    for column in ("case_id", "department", "forwarded_at", "due_at", "departments", "state"):
        frame.loc[~forwarded, column] = None
    replied = forwarded & frame["first_reply_at"].notna() & (frame["first_reply_at"].fillna("") <= cutoff)
    frame.loc[~replied, "first_reply_at"] = None
    status = pd.Series(None, index=frame.index, dtype=object)
    status[forwarded] = "pending"
    status[forwarded & (frame["now_status"] == "declined") & ~replied] = "declined"
    status[replied] = "replied"
    status[replied & (frame["state"] == "resolved")] = "resolved"
    frame["status"] = status
    return frame


def figures(db: Database, user, *, topic: str | None = None, department: str | None = None, start=None, end=None,
            now: dt.datetime | None = None) -> dict:
    """The report's figures for one cut; ``end`` (a date, default today) is the "截至" date."""
    policy.require(user, "forward_proposals")
    now = clock.given_or_now(now)
    start, end = _day(start), _day(end) or now.date()
    cutoff = f"{end.isoformat()} 23:59:59"
    frame = _frame(db, cutoff)
    keep = frame["screened_at"].isna() | (frame["screened_at"].fillna("") <= cutoff)
    if start:
        keep &= frame["screened_at"].isna() | (frame["screened_at"].fillna("") >= start.isoformat())
    if topic:
        keep &= frame["topic"] == topic
    if department:
        keep &= frame["departments"].fillna("").str.split().map(lambda codes: department in codes)
    frame = frame[keep].reset_index(drop=True)
    contest = settings.get(db)
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    stats = followup_stats.compute_stats(frame, dt.datetime.combine(end, dt.time(23, 59, 59)), names,
                                         {t["code"]: t["name"] for t in contest.topics})
    involved = sorted({c for codes in frame["departments"].dropna() for c in codes.split()})
    if department:
        involved = [department] if department in involved else []
    window = {"start": start.isoformat() if start else None, "end": end.isoformat()}
    first = meetings.first_held(db, **window) if not (topic or department) else None
    stats["headline"] |= {"departments": len(involved),
                          "meetings": meetings.held_count(db, topic=topic, department=department, **window)}
    return stats | {
        "today": end, "start": start, "end": end, "topic": topic, "department": department,
        "topic_name": contest.topic_name(topic) if topic else None,
        "department_name": names.get(department, department) if department else None,
        "first_meeting": first, "departments_involved": [names.get(c, c) for c in involved],
        "proposal_ids": [int(i) for i in frame["id"]],
    }


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def scope_text(fig: dict) -> str:
    """The cut in words, '' for the whole contest."""
    parts = []
    if fig.get("topic"):
        parts.append(f"议题：{fig['topic_name']}")
    if fig.get("department"):
        parts.append(f"部门：{fig['department_name']}")
    if fig.get("start"):
        parts.append(f"{_date_text(fig['start'])}起立案的提案")
    return "；".join(parts)


def sentence(fig: dict) -> str:
    """The summary sentence in the student union's words, with the cut's numbers."""
    h = fig["headline"]
    scope = scope_text(fig)
    text = f"（{scope}）" if scope else ""
    text += f"累计确立有效提案{h['valid']}件，涉及{h['departments']}个校内单位和部门；"
    first = fig.get("first_meeting")
    if first:
        day = _day(first["held_on"])
        theme = f"（{first['theme']}）" if first["theme"] else ""
        text += f"首场提案对接会{theme}于{day.month}月{day.day}日召开；"
    text += (f"截至{_date_text(fig['end'])}，组织提案对接会{h['meetings']}场，向职能部门对接提案{h['forwarded']}件，"
             f"移交率{followup_stats.percent(h['forward_rate'])}；其中{h['replied']}件提案得到回复，"
             f"已解决{h['resolved']}件，{h['awaiting']}件正在回复中。")
    if h.get("rated"):
        text += f"提案人对答复的满意率为{followup_stats.percent(h['satisfaction'])}。"
    return text


HEADLINE_LABELS = {"valid": "有效提案", "departments": "涉及单位和部门", "meetings": "提案对接会（场）"} | {
    k: v for k, v in followup_stats.HEADLINE_LABELS.items() if k != "valid"}


def headline_table(fig: dict) -> pd.DataFrame:
    h = fig["headline"]
    return pd.DataFrame([{"指标": label, "数值": followup_stats.percent(h[k])
                          if k.endswith("rate") or k == "satisfaction" else str(h[k])}
                         for k, label in HEADLINE_LABELS.items()])


def meeting_table(db: Database, user, fig: dict) -> pd.DataFrame:
    """The meetings of the cut's date range (held and planned), one row each."""
    frame = meetings.meetings(db, user)
    if frame.empty:
        return pd.DataFrame(columns=["日期", "会议", "主题", "地点", "状态", "参会部门", "议程提案", "已记录结果"])
    frame = frame[frame["status"] != MeetingStatus.CANCELLED]
    frame = frame[frame["held_on"] <= fig["end"].isoformat()]
    if fig.get("start"):
        frame = frame[frame["held_on"] >= fig["start"].isoformat()]
    frame = frame.sort_values(["held_on", "id"])
    return pd.DataFrame({"日期": frame["held_on"], "会议": frame["title"], "主题": frame["theme"],
                         "地点": frame["place"], "状态": frame["status_name"], "参会部门": frame["departments"],
                         "议程提案": frame["proposals"], "已记录结果": frame["outcomes"]})


def _tables(db: Database, user, fig: dict) -> dict[str, pd.DataFrame]:
    return {
        "汇总": pd.DataFrame([{"汇总": sentence(fig), "统计范围": scope_text(fig) or "全部提案",
                              "截至": fig["end"].isoformat()}]),
        "总体指标": headline_table(fig),
        "指标定义": pd.DataFrame([{"指标": k, "定义": v} for k, v in DEFINITIONS.items()]),
        "按部门": followup_stats.group_table(fig["by_department"], "部门"),
        "按议题": followup_stats.group_table(fig["by_topic"], "议题", with_valid=True),
        "提案对接会": meeting_table(db, user, fig),
    }


def export_excel(db: Database, user, **cut) -> bytes:
    """The report as a workbook: summary, headline, definitions, by department, by topic, meetings."""
    return to_excel(_tables(db, user, figures(db, user, **cut)))


# --- Word documents -----------------------------------------------------------------------------------------


def _document(title: str):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title"):
        style = doc.styles[name]
        style.font.name = "宋体"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    doc.add_heading(title, level=0)
    return doc


def _add_table(doc, frame: pd.DataFrame) -> None:
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns):
        cell.text = str(name)
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def export_docx(db: Database, user, **cut) -> bytes:
    """The report as a Word document: the sentence, then each table of the workbook."""
    fig = figures(db, user, **cut)
    tables = _tables(db, user, fig)
    doc = _document(f"{settings.get(db).contest_name} 提案办理情况报告")
    doc.add_paragraph(f"统计范围：{scope_text(fig) or '全部提案'}；数据截至 {fig['end'].isoformat()}。")
    doc.add_paragraph(sentence(fig))
    for name in ("总体指标", "按部门", "按议题", "提案对接会"):
        doc.add_heading(name, level=1)
        if tables[name].empty:
            doc.add_paragraph("（暂无）")
        else:
            _add_table(doc, tables[name])
    doc.add_heading("指标口径", level=1)
    for text in DEFINITIONS.values():
        doc.add_paragraph(text, style="List Bullet")
    return _bytes(doc)


def compilation(db: Database, user, **cut) -> list[dict]:
    """The valid proposals of the cut with their authors, case, replies and meeting outcomes (for the 汇编)."""
    fig = figures(db, user, **cut)
    ids = [pid for pid in fig["proposal_ids"]
           if db["proposals"].count_where("id = ? and status = 'valid'", [pid])]
    names = {d["code"]: d["name"] for d in db["departments"].rows}
    cutoff = f"{fig['end'].isoformat()} 23:59:59"
    contest = settings.get(db)
    out = []
    for pid in ids:
        p = next(db["proposals"].rows_where("id = ?", [pid]))
        authors = p["author_name"] or "、".join(r["name"] for r in db.query(
            """select name from users where id = :s
               union all select u.name from coauthors c join users u on u.id = c.user_id where c.proposal_id = :p""",
            {"s": p["submitter_id"], "p": pid}))
        case = next(db.query("""select c.* from case_members m join cases c on c.id = m.case_id
                                where m.proposal_id = ? and c.forwarded_at <= ?""", [pid, cutoff]), None)
        replies = [] if case is None else list(db.query(
            """select kind, department, state, text, plan, expected_date, reason, at from replies
               where case_id = ? and at <= ? order by at, id""", [case["id"], cutoff]))
        outcomes = list(db.query("""select m.title, m.held_on, i.department, i.commitment, i.due_date
                                    from meeting_items i join meetings m on m.id = i.meeting_id
                                    where i.proposal_id = ? and m.status = 'held' and i.commitment != ''
                                      and m.held_on <= ? order by m.held_on""", [pid, fig["end"].isoformat()]))
        out.append({
            "id": pid, "title": p["title"], "topic": contest.topic_name(p["topic"]), "authors": authors,
            "college": p["college"] or "", "problem": p["problem"], "investigation": p["investigation"],
            "suggestions": p["suggestions"],
            "department": names.get(case["department"], case["department"]) if case else "",
            "status": CaseStatus(case["status"]).label if case else "尚未转办",
            "replies": [r | {"department": names.get(r["department"], r["department"]),
                             "state": labels(AnswerState).get(r["state"], r["state"]),
                             "kind": labels(EntryKind).get(r["kind"], r["kind"])} for r in replies],
            "outcomes": [o | {"department": names.get(o["department"], o["department"])} for o in outcomes],
        })
    return out


def compilation_docx(db: Database, user, **cut) -> bytes:
    """提案汇编: every valid proposal of the cut with its replies, printable, for the school leadership."""
    fig = figures(db, user, **cut)
    items = compilation(db, user, **cut)
    doc = _document(f"{settings.get(db).contest_name} 提案汇编")
    doc.add_paragraph(f"统计范围：{scope_text(fig) or '全部有效提案'}；截至 {fig['end'].isoformat()}，共 {len(items)} 件。")
    doc.add_paragraph(sentence(fig))
    for n, item in enumerate(items, start=1):
        doc.add_heading(f"{n}. {item['title']}", level=1)
        doc.add_paragraph(f"提案编号：{item['id']}　议题：{item['topic']}　提案人：{item['authors']}"
                          + (f"（{item['college']}）" if item["college"] else ""))
        doc.add_paragraph(f"承办部门：{item['department'] or '—'}　办理状态：{item['status']}")
        for label, key in (("问题描述", "problem"), ("调研情况", "investigation"), ("建议措施", "suggestions")):
            doc.add_heading(label, level=3)
            doc.add_paragraph(item[key] or "")
        doc.add_heading("部门答复", level=3)
        if not item["replies"]:
            doc.add_paragraph("（尚未答复）")
        for r in item["replies"]:
            text = f"{r['at'][:10]} {r['department']}（{r['kind']}，{r['state']}）：{r['text']}"
            if r["plan"]:
                text += f"\n办理计划：{r['plan']}"
            if r["expected_date"]:
                text += f"\n预计完成：{r['expected_date']}"
            if r["reason"]:
                text += f"\n原因：{r['reason']}"
            doc.add_paragraph(text)
        if item["outcomes"]:
            doc.add_heading("提案对接会", level=3)
            for o in item["outcomes"]:
                doc.add_paragraph(f"{o['held_on']} {o['title']}：{o['department']}承诺{o['commitment']}"
                                  + (f"（{o['due_date']}前完成）" if o["due_date"] else ""))
    return _bytes(doc)
