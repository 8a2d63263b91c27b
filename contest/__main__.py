"""Command line: python -m contest {init,demo,backup,restore,rank,topics,remind} ..."""
from __future__ import annotations

import argparse
import getpass
import sys

from . import db as database
from .errors import ContestError


def cmd_init(args) -> int:
    """Create an empty contest with one organizer account (no default passwords)."""
    from . import accounts, settings

    db = database.connect(args.db)
    if database.is_initialised(db):
        print(f"数据库 {args.db or database.db_path()} 已有比赛，未做任何修改。", file=sys.stderr)
        return 1
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("组织者密码：")
    if not args.password_stdin and password != getpass.getpass("再次输入密码："):
        print("两次输入的密码不一致。", file=sys.stderr)
        return 1
    accounts.check_password_strength(password, args.organizer)
    with database.transaction(db):
        settings.initialise(db, contest_name=args.name)
        db["users"].insert({"username": args.organizer, "password_hash": accounts.hash_password(password),
                            "role": "organizer", "name": "组织者", "must_change_password": 0, "active": 1})
    print(f"已创建比赛“{args.name}”，组织者账号：{args.organizer}。数据库：{args.db or database.db_path()}")
    return 0


def cmd_demo(args) -> int:
    """(Re)create the demo contest: the database file is replaced."""
    from pathlib import Path

    from . import demo

    path = Path(args.db or database.db_path())
    if args.scale is not None and args.scale < 1:
        print("--scale 应为正整数（提案件数）。", file=sys.stderr)
        return 2
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.scale is not None:
        import time

        from . import scale_demo

        start = time.perf_counter()
        summary = scale_demo.build(database.connect(path), args.scale, source=args.texts)
        print(f"规模演示比赛已生成：{path}，用时 {time.perf_counter() - start:.1f} 秒；"
              f"{summary.proposals} 件提案（文本来自{'共享语料' if summary.source == 'corpus' else '项目演示数据'}），"
              f"{summary.judges} 位评委，{summary.participants} 名学生，{summary.assignments} 条评审分配，"
              f"{summary.sheets} 份评分表，{summary.cases} 件转办，{summary.replies} 条答复"
              f"（所有账号密码 {demo.PASSWORD}）")
        return 0
    demo.build(database.connect(path))
    print(f"演示比赛已生成：{path}（所有演示账号密码 {demo.PASSWORD}）")
    return 0


def cmd_backup(args) -> int:
    """Copy the database and its attachments into a folder; safe while the portal runs."""
    from . import backup

    summary = backup.backup(args.db or database.db_path(), args.dest)
    print(f"已备份到 {args.dest}：{summary.proposals} 件提案，{summary.files} 个附件。")
    return 0


def cmd_restore(args) -> int:
    """Replace the contest by a backup folder (database and attachments)."""
    from . import backup

    summary = backup.restore(args.src, args.db or database.db_path(), force=args.force)
    print(f"已从 {args.src} 恢复到 {summary.database}：{summary.proposals} 件提案，{summary.files} 个附件。")
    return 0


def cmd_rank(args) -> int:
    from pathlib import Path

    from . import ranking

    rubric = None
    db_file = Path(args.db) if args.db else database.db_path()
    if args.rubric is None and db_file.exists():  # never create a database just to rank a file
        rubric = _contest_rubric(db_file)
    frame = ranking.rank_file(args.scores, method=args.method, rubric_path=args.rubric, out_path=args.out,
                              rubric=rubric)
    if not args.out:
        _print_csv(frame)
    return 0


def _contest_rubric(path):
    """The contest's rubric as a frame (criterion names), or None without a contest."""
    from . import rubric, settings

    db = database.connect(path)
    if not database.is_initialised(db):
        return None
    return rubric.frame(settings.get(db).rubric, by="name")


def cmd_topics(args) -> int:
    from . import topics

    frame = topics.topics_file(args.input, text_columns=tuple(args.text_columns.split(",")),
                               train_path=args.train, topics_path=args.topics, threshold=args.threshold,
                               out_path=args.out)
    how = "手动" if args.threshold is not None else "自动，由这些提案之间的相似度分布得出"
    print(f"同题相似度阈值：{frame.attrs['threshold']:.3f}（{how}）", file=sys.stderr)
    if not args.out:
        _print_csv(frame)
    return 0


def _print_csv(frame) -> None:
    """A result table on standard output, formula-safe like every export (it is often redirected to a .csv)."""
    from .exports import csv_text

    sys.stdout.write(csv_text(frame))


def _contest_db(args):
    """The contest's database, or None (with a message) when it holds no contest yet."""
    db = database.connect(args.db)
    if not database.is_initialised(db):
        print(f"数据库 {args.db or database.db_path()} 中还没有比赛。", file=sys.stderr)
        return None
    return db


def cmd_remind(args) -> int:
    """Reminders before deadlines (for cron): judges before judging closes, departments before cases fall due."""
    from . import reminders

    db = _contest_db(args)
    if db is None:
        return 1
    out = reminders.automatic(db)
    print(f"已提醒评委 {out['judges']} 位、部门 {out['departments']} 个；邮件发送 {out['sent']} 封，失败 {out['failed']} 封。")
    return 0


def cmd_vectors(args) -> int:
    """Sentence vectors of every proposal on the topic map, computed once (after a bulk import)."""
    from . import topic_map

    db = _contest_db(args)
    if db is None:
        return 2
    done = topic_map.fill_vectors(db)
    print(f"已为 {done} 件提案准备好句向量。" if done else "未安装句向量模型或提案过多，话题地图使用词语 TF-IDF。")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m contest", description="集智思源提案大赛平台命令行")
    p.add_argument("--db", help="数据库文件（默认取环境变量 CONTEST_DB）")
    sub = p.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="创建一个空的比赛和组织者账号")
    init.add_argument("--name", default="集智思源学生提案大赛", help="比赛名称")
    init.add_argument("--organizer", default="organizer", help="组织者用户名")
    init.add_argument("--password-stdin", action="store_true", help="从标准输入读取组织者密码")
    init.set_defaults(func=cmd_init)

    demo = sub.add_parser("demo", help="重新生成演示比赛（会替换数据库文件）")
    demo.add_argument("--scale", type=int, metavar="N",
                      help="生成 N 件提案的规模演示比赛（N/50 位评委、评审、转办和答复），用于容量测试")
    demo.add_argument("--texts", choices=["auto", "project", "corpus"], default="auto",
                      help="规模演示的文本来源：project 项目演示数据，corpus 共享语料，auto 有语料时用语料（默认）")
    demo.set_defaults(func=cmd_demo)

    bk = sub.add_parser("backup", help="备份数据库和附件到一个文件夹（门户运行时也可以备份）")
    bk.add_argument("dest", help="备份文件夹（写入 contest.db 和 attachments/）")
    bk.set_defaults(func=cmd_backup)

    rs = sub.add_parser("restore", help="用备份文件夹替换当前比赛（数据库和附件）")
    rs.add_argument("src", help="backup 写出的文件夹")
    rs.add_argument("--force", action="store_true", help="数据库中已有比赛时也覆盖")
    rs.set_defaults(func=cmd_restore)

    rank = sub.add_parser("rank", help="按评分表计算排名")
    rank.add_argument("scores", help="评分表 .csv/.xlsx：proposal, judge, criterion, score")
    rank.add_argument("--method", choices=["mean", "median", "trimmed", "zscore"], default="zscore")
    rank.add_argument("--rubric", help="评分标准 .csv/.xlsx：criterion, weight, min, max")
    rank.add_argument("--out", help="输出文件 .csv/.xlsx（默认输出到屏幕）")
    rank.set_defaults(func=cmd_rank)

    tp = sub.add_parser("topics", help="议题分类与同题提案分组")
    tp.add_argument("input", help="提案表 .csv/.xlsx")
    tp.add_argument("--text-columns", default="title,body", help="文本列，逗号分隔（默认 title,body）")
    tp.add_argument("--train", help="带 topic 列的已标注表格，用来训练分类器")
    tp.add_argument("--topics", help="议题表（code,name,keywords），替换默认议题")
    tp.add_argument("--threshold", type=float,
                    help="同题分组的相似度阈值（默认：由这些提案之间的相似度分布自动得出，与话题地图页面相同）")
    tp.add_argument("--out", help="输出文件 .csv/.xlsx（默认输出到屏幕）")
    tp.set_defaults(func=cmd_topics)

    rm = sub.add_parser("remind", help="截止前自动催办评委和部门，并补发未发出的邮件（供 cron 定时运行）")
    rm.set_defaults(func=cmd_remind)

    vc = sub.add_parser("vectors", help="为话题地图一次算好所有提案的句向量（批量导入之后运行）")
    vc.set_defaults(func=cmd_vectors)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (ContestError, ValueError, FileNotFoundError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
