"""Helpers shared by the unit and AppTest tests: a fixed moment, users and proposals
written straight into the database, sample texts and files, and AppTest utilities.

Fixtures live in the conftest.py files; everything here is a plain function or constant, imported
by name (``from tests.helpers import NOW, make_user``). Test modules never import each other.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from contest import accounts, proposals



# --- time, users, proposals --------------------------------------------------------------------------

NOW = dt.datetime(2026, 3, 10, 12, 0)
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD_HASH = FAST_HASHER.hash("Passw0rd!")


def insert_proposal(db, author, *, coauthors=(), **fields):
    """A proposal row written straight into the database (any status), with its co-authors."""
    row = {"submitter_id": author.id, "title": "关于改进食堂的建议", "topic": "teaching", "status": "valid",
           "problem": "问题" * 10, "investigation": "调研" * 10, "suggestions": "建议" * 10,
           "college": author.college, "source": "portal",
           "created_at": "2026-03-01 10:00:00", "updated_at": "2026-03-01 10:00:00"} | fields
    pid = db["proposals"].insert(row).last_pk
    db["coauthors"].insert_all([{"proposal_id": pid, "user_id": u.id} for u in coauthors])
    return pid


def accept_invitations(db, *users, now=None):
    """Each user accepts every co-author invitation waiting for them (contest/coauthors.py)."""
    from contest import coauthors

    for user in users:
        for invitation in coauthors.my_invitations(db, user):
            coauthors.accept(db, user, invitation["id"], now=now or NOW)


def make_user(db, username, role, **extra):
    row = {"username": username, "role": role, "name": extra.pop("name", username),
           "password_hash": PASSWORD_HASH, "must_change_password": 0, "active": 1} | extra
    return accounts.get_user(db, db["users"].insert(row).last_pk)


# --- sample proposal texts and files -----------------------------------------------------------------

GOOD = {
    "title": "关于延长图书馆开放时间的建议",
    "topic": "teaching",
    "problem": "期末复习期间图书馆晚上十点闭馆，很多同学没有合适的自习场所，只能回宿舍。",
    "investigation": "我们在三个学院发放问卷 210 份，回收 198 份，其中 81% 的同学希望延长到 23 点。",
    "suggestions": "建议在期末前两周将图书馆闭馆时间延长到 23 点，并增加一名值班人员和夜间安保巡查。",
    "department": "jwc",
}
ROW = {"标题": GOOD["title"], "议题": "课堂学习", "问题描述": GOOD["problem"], "调研情况": GOOD["investigation"],
       "建议措施": GOOD["suggestions"], "建议承办部门": "教务处", "提案人": "王小明", "学号": "", "学院": "医学部"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program cannot be run in DOS mode"


# --- judging and results -----------------------------------------------------------------------------

TEXT = "这是一段足够长的描述文字，用来满足提案正文的最低字数要求，内容与作者身份无关。"
FULL = {"value": 8, "research": 7, "feasibility": 6, "writing": 9, "novelty": 5}
CODES = ["value", "research", "feasibility", "writing", "novelty"]


def add_judging_proposal(db, author, *, status="valid", topic="teaching", title=None, coauthors=(), college=None):
    return insert_proposal(db, author, coauthors=coauthors, status=status, topic=topic,
                           title=title or f"提案 {author.username} {topic}", problem=TEXT, investigation=TEXT,
                           suggestions=TEXT, college=college if college is not None else author.college,
                           created_at="2026-03-06 10:00:00", updated_at="2026-03-06 10:00:00")


def add_results_proposal(db, submitter, title, topic="teaching", status="valid", coauthors=()):
    return insert_proposal(db, submitter, coauthors=coauthors, title=title, topic=topic, status=status)


def add_sheet(db, proposal_id, judge, score, *, status="submitted", comment="", note="", per=None):
    """A sheet whose every criterion is ``score`` (total 10·score), or ``per`` {code: score}."""
    sid = db["sheets"].insert({
        "proposal_id": proposal_id, "judge_id": judge.id, "status": status, "comment": comment, "note": note,
        "updated_at": f"2026-04-0{1 + proposal_id % 8} 10:00:00", "submitted_at": "2026-04-01 10:00:00",
    }).last_pk
    values = per or {c: score for c in CODES}
    db["scores"].insert_all([{"sheet_id": sid, "criterion": c, "score": v} for c, v in values.items()])
    return sid


# --- follow-up ---------------------------------------------------------------------------------------

REPLY = "经核实，我们已安排专人处理，相关措施将于本月落实。"


def add_followup_proposal(db, author, *, status="valid", topic="life", department="jwc", title="关于改进食堂的建议",
                 coauthors=()):
    return insert_proposal(db, author, coauthors=coauthors, status=status, topic=topic, department=department,
                           title=title, screened_at="2026-03-02 10:00:00")


# --- topic map: a small hand-made contest ------------------------------------------------------------

SHUTTLE = [
    ("增加兴庆校区到创新港的校车", "transport",
     "每天早高峰兴庆校区开往创新港的校车太少，同学们排长队也挤不上车，很多人第一节课迟到。",
     "建议学校在早高峰时段增加兴庆到创新港的校车班次，并公布实时发车信息。"),
    ("早上去创新港的班车不够坐", "transport",
     "上午第一节课前，从兴庆出发去创新港的班车座位远远不够，很多人只能等下一趟班车。",
     "希望早高峰加开兴庆至创新港的班车，缩短发车间隔，保证同学按时上课。"),
    ("高峰时段加密兴庆到创新港通勤车", "transport",
     "兴庆到创新港的通勤车在高峰时段班次间隔太长，排队等车的同学很多，车上非常拥挤。",
     "建议高峰时段加密兴庆至创新港的通勤车班次，增加车辆运力。"),
]
CANTEEN_PRICE = ("食堂饭菜价格上涨太快", "life",
                 "近一学期食堂饭菜价格明显上涨，一份荤菜要十几元，学生生活费压力很大，不少同学改点外卖。",
                 "建议后勤部门控制食堂菜价涨幅，增设平价窗口并公开成本。")
CANTEEN_HYGIENE = ("食堂卫生状况令人担忧", "life",
                   "食堂餐具清洗不干净，桌面油污多，后厨有异味，就餐环境让人不放心，影响同学健康。",
                   "建议加强食堂卫生检查和餐具消毒，公开检查结果，接受学生监督。")
CLUB = ("学生社团活动场地紧张", "development",
        "学生社团活动经常借不到场地，社团活动只能临时取消，社团成员意见很大，活动质量受影响。",
        "建议开放更多教室和活动中心供社团活动使用，并建立网上预约系统。")
NETWORK = ("宿舍校园网晚上网速太慢", "life",
           "每天晚上宿舍校园网网速很慢，经常断线，查资料和上网课都受影响，同学们意见很大。",
           "建议网络中心对宿舍校园网扩容升级，晚间高峰保障网速，并公布故障报修渠道。")
EXAMS = ("期末考试安排过于集中", "teaching",
         "期末考试集中在同一周，作业和课程设计也在那时截止，同学们复习时间严重不足，压力很大。",
         "建议教务处合理安排考试时间，把期末考试分散到两周，错开课程设计截止时间。")
NEAR_DUPLICATE = "兴庆到创新港的校车早高峰太挤，排队很久挤不上车，建议增加校车班次"


def topic_fields(item, **extra):
    title, topic, problem, suggestions = item
    return {"title": title, "topic": topic, "problem": problem, "investigation": "我们调查了身边三十多位同学的意见和经历。",
            "suggestions": suggestions} | extra


def submit_topic_proposal(db, user, item, **extra):
    pid = proposals.save_draft(db, user, topic_fields(item, **extra), now=NOW)
    proposals.submit(db, user, pid, now=NOW)
    return pid


def topic_contest(db, people):
    """Nine submitted proposals (three on one shuttle issue) and one draft; their ids by name."""
    p = people
    ids = {
        "shuttle0": submit_topic_proposal(db, p["alice"], SHUTTLE[0]),
        "shuttle1": submit_topic_proposal(db, p["bob"], SHUTTLE[1]),
        "shuttle2": submit_topic_proposal(db, p["carol"], SHUTTLE[2]),
        "price": submit_topic_proposal(db, p["alice"], CANTEEN_PRICE),
        "hygiene": submit_topic_proposal(db, p["bob"], CANTEEN_HYGIENE),
        "club": submit_topic_proposal(db, p["carol"], CLUB),
        "exams": submit_topic_proposal(db, p["alice"], EXAMS),
    }
    ids["draft"] = proposals.save_draft(db, p["bob"], topic_fields(SHUTTLE[0], title="兴庆到创新港的校车草稿"), now=NOW)
    return ids


# --- AppTest -----------------------------------------------------------------------------------------

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
WRITE = "app_pages/write_proposal.py"


def texts(at: AppTest) -> str:
    """Everything the page shows as text, markdown, messages or captions, in one string."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "success", "error",
                 "warning", "info", "metric", "code"):
        parts += [str(getattr(e, "value", "")) + str(getattr(e, "label", "")) for e in getattr(at, kind)]
    return "\n".join(parts)


def fill(at, **values):
    """Type into the proposal form (the form's keys start with wp<id>_)."""
    prefix = f"wp{at.session_state['wp_choice']}_"
    for name in ("title", "coauthors"):
        if name in values:
            at.text_input(key=prefix + name).input(values[name])
    for name in ("problem", "investigation", "suggestions"):
        if name in values:
            at.text_area(key=prefix + name).input(values[name])
    for name in ("topic", "department"):
        if name in values:
            at.selectbox(key=prefix + name).select(values[name])
    return prefix


def click(at, label):
    next(b for b in at.button if b.label == label).click()
    at.run()
