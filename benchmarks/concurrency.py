"""50 judges saving score sheets at the same moment through a real Streamlit server on loopback.

The server is started the way start.sh starts it (``streamlit run serve.py``) on a fresh contest
with 50 judges, each assigned ``SAVES`` proposals. Each judge is a WebSocket session that speaks
Streamlit's own protocol, as the browser does: it logs in through the login form, opens 评分,
fills every criterion and the comment and clicks 提交, ``SAVES`` times (the page then opens the
next proposal). A browser per judge would measure chromium on this 2-core machine, not the
portal; the server does the same work for a session either way (every script run, every write).

Printed and written into benchmarks/RESULTS.md: saves per second, p50/p95 latency (click to the
end of the rerun that shows 已提交), errors (Chinese or English error on the page, no success
message, timeout, or a save missing from the database), the server's peak memory.

    python benchmarks/concurrency.py [--judges 50] [--saves 4]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

PASSWORD = "Bench-concurrency-2026"
RUN_TIMEOUT = 120  # seconds one click may take before it counts as an error
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


# --- the contest ------------------------------------------------------------------------


def build(path: Path, judges: int, saves: int) -> None:
    """A contest in its judging phase: 50 judges, each with ``saves`` published assignments."""
    from contest import accounts, clock, db as database, settings

    db = database.connect(path)
    settings.initialise(db, contest_name="并发基准", now=clock.now() - dt.timedelta(days=35))
    hashed = accounts.hash_password(PASSWORD)
    base = {"password_hash": hashed, "must_change_password": 0, "active": 1}
    db["users"].insert_all([base | {"username": "student", "role": "participant", "name": "学生",
                                    "student_no": "2023000", "college": "管理学院"}]
                           + [base | {"username": f"judge{j}", "role": "judge", "name": f"评委{j}"}
                              for j in range(judges)])
    ids = {r["username"]: r["id"] for r in db["users"].rows}
    text = "这是一段用于并发基准的提案正文，描述问题、调研过程与具体建议，长度接近真实提案。" * 6
    count = max(saves * judges // 3, saves)
    db["proposals"].insert_all([{"submitter_id": ids["student"], "title": f"关于校园服务的建议 {n}", "topic": "life",
                                 "problem": text, "investigation": text, "suggestions": text, "college": "管理学院",
                                 "status": "valid", "source": "portal", "created_at": "2026-01-01 10:00:00",
                                 "updated_at": "2026-01-01 10:00:00"} for n in range(count)])
    pids = [r["id"] for r in db["proposals"].rows]
    db["assignments"].insert_all([{"proposal_id": pids[(j * saves + k) % count], "judge_id": ids[f"judge{j}"],
                                   "published": 1, "source": "sheet", "created_at": "2026-01-02 10:00:00"}
                                  for j in range(judges) for k in range(saves)])
    db.close()


def submitted_sheets(path: Path) -> int:
    from contest import db as database

    db = database.connect(path)
    try:
        return db["sheets"].count_where("status = 'submitted'")
    finally:
        db.close()


# --- one browser-like session -------------------------------------------------------------


class Session:
    """A Streamlit session over the WebSocket: run the script with widget values, read what it drew."""

    def __init__(self, url: str):
        self.http = url
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.pages: dict[str, str] = {}  # page title -> script hash
        self.page = ""
        self.elements: list = []
        self.redirect = ""  # where the page sent the browser (the login's /session/start?code=…)

    async def __aenter__(self, cookie: str = ""):
        headers = {"Cookie": cookie} if cookie else None
        self.ws = await connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                additional_headers=headers)
        await self.run()
        return self

    async def follow_redirect(self) -> None:
        """What a browser does after the login: load the redirect (serve.py sets the session cookie
        there) and open the portal again with that cookie."""
        cookie = await asyncio.to_thread(session_cookie, self.http + self.redirect)
        await self.ws.close()
        self.redirect, self.page = "", ""
        await self.__aenter__(cookie)

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def run(self, states: list[WidgetState] = ()) -> list:
        """Rerun with these widget values; wait for the last run (after any st.rerun) to finish."""
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page
        msg.rerun_script.widget_states.widgets.extend(states)
        await self.ws.send(msg.SerializeToString())
        elements = []
        async with asyncio.timeout(RUN_TIMEOUT):
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await self.ws.recv())
                kind = fwd.WhichOneof("type")
                if kind == "auth_redirect":
                    self.redirect = fwd.auth_redirect.url
                elif kind == "navigation":
                    self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
                    self.page = fwd.navigation.page_script_hash
                elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                    elements.append(fwd.delta.new_element)
                elif kind == "script_finished":
                    if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        elements = []
                    elif fwd.script_finished in DONE:
                        self.elements = elements
                        return elements

    def widget(self, kind: str, label: str):
        for element in self.elements:
            if element.WhichOneof("type") == kind and getattr(element, kind).label.startswith(label):
                return getattr(element, kind)
        raise LookupError(f"no {kind} {label!r} on the page")

    def widgets(self, kind: str, contains: str) -> list:
        return [getattr(e, kind) for e in self.elements
                if e.WhichOneof("type") == kind and contains in getattr(e, kind).label]

    def alerts(self) -> list[tuple[int, str]]:
        found = [(e.alert.format, e.alert.body) for e in self.elements if e.WhichOneof("type") == "alert"]
        found += [(-1, e.exception.message) for e in self.elements if e.WhichOneof("type") == "exception"]
        return found

    async def open_page(self, title: str) -> None:
        self.page = self.pages[title]
        await self.run()


def session_cookie(url: str) -> str:
    """GET ``url`` without following its redirect; the ``name=value`` of the cookie it sets."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=RUN_TIMEOUT)
    try:
        conn.request("GET", parts.path + "?" + parts.query)
        response = conn.getresponse()
        cookie = response.getheader("Set-Cookie") or ""
        response.read()
    finally:
        conn.close()
    if not cookie:
        raise RuntimeError(f"no session cookie from {parts.path} (HTTP {response.status})")
    return cookie.split(";", 1)[0]


def text(widget, value: str) -> WidgetState:
    return WidgetState(id=widget.id, string_value=value)


def click(widget) -> WidgetState:
    return WidgetState(id=widget.id, trigger_value=True)


async def log_in(url: str, username: str, gate: asyncio.Semaphore) -> Session:
    session = Session(url)
    await session.__aenter__()
    async with gate:  # all at once by default: the server itself runs at most 4 password checks at a time
        await session.run([text(session.widget("text_input", "用户名或学号"), username),
                           text(session.widget("text_input", "密码"), PASSWORD),
                           click(session.widget("button", "登录"))])
    if session.redirect:  # serve.py: the login continues through /session/start (the cookie)
        await session.follow_redirect()
    await session.open_page("评分")
    return session


async def save_sheets(session: Session, judge: int, saves: int, start: asyncio.Event, record) -> None:
    await start.wait()
    for k in range(saves):
        began = time.perf_counter()
        try:
            inputs = session.widgets("number_input", "权重")
            states = [WidgetState(id=w.id, double_value=float(1 + (judge + k + i) % 10)) for i, w in enumerate(inputs)]
            states.append(text(session.widget("text_area", "给作者的评语"), f"评委 {judge} 的第 {k + 1} 份评语"))
            states.append(click(session.widget("button", "提交")))
            await session.run(states)
            alerts = session.alerts()
            ok = any("评分已提交" in body for _, body in alerts)
            record(time.perf_counter() - began, None if ok else f"judge{judge} save {k}: {alerts or 'no message'}")
        except Exception as error:  # noqa: BLE001 - every failure is counted, none stops the others
            record(time.perf_counter() - began, f"judge{judge} save {k}: {type(error).__name__}: {error}")


# --- server and measurement ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, CONTEST_DB=str(db_path))
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port),
                             "--server.fileWatcherType", "none"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


async def measure(url: str, pid: int, judges: int, saves: int) -> dict:
    gate, start = asyncio.Semaphore(judges), asyncio.Event()
    sessions = await asyncio.gather(*(log_in(url, f"judge{j}", gate) for j in range(judges)))
    latencies, errors, peak = [], [], [memory_mb(pid, "VmRSS")]

    def record(seconds, error):
        latencies.append(seconds)
        if error:
            errors.append(error)

    async def sample():
        while not start.is_set() or len(latencies) < judges * saves:
            peak.append(memory_mb(pid, "VmRSS"))
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    work = [asyncio.create_task(save_sheets(s, j, saves, start, record)) for j, s in enumerate(sessions)]
    began, cpu_before = time.perf_counter(), cpu_seconds(pid)
    start.set()
    await asyncio.gather(*work)
    elapsed, cpu = time.perf_counter() - began, cpu_seconds(pid) - cpu_before
    await sampler
    for s in sessions:
        await s.__aexit__()
    return {"latencies": latencies, "errors": errors, "elapsed": elapsed, "cpu": cpu, "peak_rss": max(peak),
            "logged_in_rss": peak[0]}


def _machine() -> str:
    """CPU model and count, e.g. "2 x Intel(R) Xeon(R) CPU @ 2.20GHz, Linux"."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU") if Path("/proc/cpuinfo").exists() else "unknown CPU"
    return f"{os.cpu_count()} x {model}, {os.uname().sysname}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--saves", type=int, default=4, help="score sheets each judge submits")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "contest.db"
        build(db_path, args.judges, args.saves)
        port = free_port()
        server = start_server(db_path, port)
        try:
            result = asyncio.run(measure(f"http://127.0.0.1:{port}", server.pid, args.judges, args.saves))
            hwm = memory_mb(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=20)
        stored = submitted_sheets(db_path)
    load = os.getloadavg()[0]
    machine = _machine()
    total = args.judges * args.saves
    acknowledged = total - len(result["errors"])
    missing = max(acknowledged - stored, 0)
    lat = sorted(result["latencies"])
    p50, p95 = statistics.median(lat), lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    rate = total / result["elapsed"]
    cpu_per_save = result["cpu"] / total
    print(f"{args.judges} judges x {args.saves} score sheets through streamlit run serve.py on loopback")
    print(f"  {rate:.1f} saves/s over {result['elapsed']:.1f} s; latency p50 {p50:.2f} s, p95 {p95:.2f} s, "
          f"max {lat[-1]:.2f} s")
    print(f"  server CPU per save: {cpu_per_save * 1000:.0f} ms (both reruns: the save and the page it opens next), "
          f"so one free core would take about {1 / cpu_per_save:.0f} saves/s (script runs share one Python process)")
    print(f"  errors: {len(result['errors'])} shown to a judge, {missing} acknowledged but missing "
          f"({stored} submitted sheets stored)")
    for error in result["errors"][:5]:
        print("   ", error)
    print(f"  server memory: {result['logged_in_rss']:.0f} MB with {args.judges} sessions logged in, "
          f"peak {result['peak_rss']:.0f} MB while saving, lifetime peak (VmHWM) {hwm:.0f} MB")
    print(f"  machine load average at the end: {load:.1f} ({machine}, shared with other work)")

    from _results import record

    record("Concurrent judges saving score sheets (benchmarks/concurrency.py)", f"""
{args.judges} judges, each a WebSocket session speaking Streamlit's protocol to `streamlit run serve.py` on
loopback (login form, then 评分: every criterion, a comment, 提交), all saving at once, {args.saves} sheets each;
machine: {machine}, shared with other work. Latency is the click to the end of the rerun that shows the success message.

| figure | value |
|---|---|
| saves | {total} |
| saves per second | {rate:.1f} |
| latency p50 / p95 / max | {p50:.2f} s / {p95:.2f} s / {lat[-1]:.2f} s |
| server CPU per save (the save's rerun and the next sheet's) | {cpu_per_save * 1000:.0f} ms, i.e. about {1 / cpu_per_save:.0f} saves/s on one free core (script runs share one Python process) |
| errors shown to a judge | {len(result['errors'])} |
| acknowledged saves missing from the database | {missing} |
| server memory, {args.judges} sessions logged in (all logging in at once) | {result['logged_in_rss']:.0f} MB |
| server peak memory while saving (RSS) | {result['peak_rss']:.0f} MB |
| server lifetime peak (VmHWM, includes the logins) | {hwm:.0f} MB |
| machine load average at the end ({os.cpu_count()} CPUs) | {load:.1f} |

Target: 0 errors. Other work on the machine at the same time inflates the latencies.
""")


if __name__ == "__main__":
    main()
