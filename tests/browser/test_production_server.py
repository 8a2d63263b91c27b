"""Production settings: .streamlit/config.toml holds them, and a real server started the way
start.sh starts it (streamlit run serve.py) keeps them: metrics not served, XSRF on, loopback
only, error details hidden, the portal itself working."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request

import pytest

from contest import attachments
from tests.browser.helpers import ROOT, free_port, open_app, shot, stop

CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_config_file_holds_the_production_settings():
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["toolbarMode"] == "viewer"
    server = CONFIG["server"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["address"] == "127.0.0.1"
    assert server["maxUploadSize"] * 1024 * 1024 == attachments.MAX_BYTES
    assert server["enableStaticServing"] is False and server["enableAgentApi"] is False
    assert server["runOnSave"] is False
    assert "streamlit run serve.py" in (ROOT / "start.sh").read_text()


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A server started like start.sh does, on a demo contest; only the port is given."""
    db = tmp_path_factory.mktemp("production") / "contest.db"
    env = dict(os.environ, CONTEST_DB=str(db))
    subprocess.run([sys.executable, "-m", "contest", "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log_path = db.with_suffix(".log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError("serve.py did not start: " + log_path.read_text())
        time.sleep(0.3)
    yield {"url": url, "port": port}
    stop(proc)


def status(url: str, method: str = "GET", data: bytes | None = None) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def test_metrics_are_not_served_however_the_path_is_spelled(production):
    url = production["url"]
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "//_stcore/metrics", "/_stcore/./metrics",
                 "/_STCORE/metrics", "/_stcore/metrics?families=session_events"):
        assert status(url + path) == 404, path
    assert status(url + "/_stcore/health") == 200 and status(url + "/") == 200


def test_uploads_need_the_xsrf_token(production):
    # Streamlit checks the token before anything else: no token, no upload (403), whatever the size.
    assert status(production["url"] + "/_stcore/upload_file/session/file", "PUT", b"x" * 1000) == 403


def test_listens_on_loopback_only(production):
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.254.254.254", 1))  # no packet is sent: this only picks the outward address
        outward = probe.getsockname()[0]
    except OSError:
        pytest.skip("no network interface besides loopback")
    finally:
        probe.close()
    assert not outward.startswith("127.")
    with pytest.raises(OSError):
        socket.create_connection((outward, production["port"]), timeout=3).close()
    socket.create_connection(("127.0.0.1", production["port"]), timeout=3).close()


def test_the_portal_runs_behind_the_production_entry(production, page):
    open_app(page, production["url"])
    page.get_by_label("用户名或学号").wait_for()
    page.get_by_role("button", name="登录").wait_for()
    shot(page, "production_server_login")
