"""Each attack of the issue 11 audit against a real gradio server on loopback (mini corpus, hash
embedder, started as its own process by tests/serve_mini.py, through ``aiact.ui.app.serve``)."""
from __future__ import annotations

import concurrent.futures as cf
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, stop_process

pytestmark = pytest.mark.server
SCOPE = "AI Act + guidelines & code of practice"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp: Path, env: dict | None = None) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    temp = tmp / "tmp"
    temp.mkdir(exist_ok=True)
    full = {**os.environ, "TMPDIR": str(temp), **(env or {})}
    full.pop("AIACT_AUTH", None) if "AIACT_AUTH" not in (env or {}) else None
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "tests.serve_mini", str(port), str(tmp / "home")],
                            cwd=ROOT, env=full, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail((tmp / "server.log").read_text()[-3000:])
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port, temp
        time.sleep(0.3)
    stop_process(proc)
    pytest.fail("the server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web")
    proc, port, temp = start(tmp)
    yield port, temp
    stop_process(proc)


def request(port: int, path: str, method: str = "GET", body: bytes | None = None,
            headers: dict | None = None, send_body: bool = True) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path, skip_host=True)
    headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if body is not None:
        headers.setdefault("Content-Length", str(len(body)))
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    if body is not None and send_body:
        try:
            conn.send(body)
        except OSError:  # the server refused before reading it all: expected
            pass
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def client(port: int):
    from gradio_client import Client

    return Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)


def ask(port: int, question: str, history=None):
    return client(port).predict(question, history or [], SCOPE, "", api_name="/ask")


def test_an_answer_goes_through_the_queue(server):
    port, _ = server
    chat, *_ = ask(port, "What is a deployer?")
    assert "deployer" in json.dumps(chat)


def test_direct_posts_that_skip_the_queue_are_refused(server):
    port, _ = server
    body = json.dumps({"data": ["What is a deployer?", [], SCOPE, ""]}).encode()
    for path in ("/gradio_api/run/ask", "/gradio_api/api/ask", "/run/predict", "/gradio_api/run/predict"):
        status, _, _ = request(port, path, "POST", body, {"Content-Type": "application/json"})
        assert status in (403, 404), path


def test_thirty_concurrent_calls_never_exceed_the_concurrency_limit(server):
    from aiact.ui.app import CONCURRENCY

    port, _ = server
    with cf.ThreadPoolExecutor(30) as pool:
        results = list(pool.map(lambda i: ask(port, f"What is a deployer? ({i})"), range(30)))
    assert len(results) == 30
    stats = json.dumps(ask(port, "__stats__")[0])
    peak = int(re.search(r"peak=(\d+)", stats).group(1))
    assert 1 <= peak <= CONCURRENCY


def test_a_huge_question_is_cut_at_the_server(server):
    port, _ = server
    ask(port, "What is a deployer? " + "x" * 300_000)  # 300 KB: under the body limit
    stats = json.dumps(ask(port, "__stats__")[0])
    assert int(re.search(r"longest=(\d+)", stats).group(1)) <= 4000


def test_a_huge_body_is_refused_unread(server):
    port, _ = server
    status, _, data = request(port, "/gradio_api/queue/join", "POST", b"x" * 60_000_000,
                              {"Content-Type": "application/json"}, send_body=False)
    assert status == 413 and b"too large" in data


def test_a_long_chat_history_is_trimmed(server):
    port, _ = server
    history = [{"role": "user" if i % 2 == 0 else "assistant",
                "content": [{"type": "text", "text": f"message {i} " + "y" * 500}]}
               for i in range(600)]  # ~350 KB, 600 messages
    chat, *_ = ask(port, "What is a deployer?", history)
    assert len(chat) <= 40 + 2


def test_uploads_are_refused_and_nothing_is_stored(server):
    port, temp = server
    before = sum(1 for _ in temp.rglob("*"))
    boundary = "xyz"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.html\"\r\n"
            f"Content-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n--{boundary}--\r\n").encode()
    status, _, _ = request(port, "/gradio_api/upload", "POST", body,
                           {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert status in (403, 404, 413)
    assert sum(1 for _ in temp.rglob("*")) == before


def test_monitoring_is_off(server):
    port, _ = server
    for path in ("/monitoring", "/gradio_api/monitoring", "/monitoring/summary"):
        assert request(port, path)[0] == 404


def test_untrusted_host_and_origin_are_refused(server):
    port, _ = server
    status, headers, _ = request(port, "/", headers={"Host": "attacker.example"})
    assert status == 421
    status, headers, _ = request(port, "/gradio_api/info", headers={"Origin": "http://attacker.example"})
    assert status == 403 and "access-control-allow-origin" not in headers
    status, headers, _ = request(port, "/gradio_api/queue/join", "OPTIONS",
                                 headers={"Origin": "http://attacker.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in headers  # a preflight grants nothing
    status, headers, _ = request(port, "/gradio_api/info", headers={"Host": "attacker.example",
                                                                    "Origin": "http://attacker.example"})
    assert status == 421 and "access-control-allow-origin" not in headers  # DNS rebinding
    ok = f"http://127.0.0.1:{port}"
    status, headers, _ = request(port, "/gradio_api/info", headers={"Origin": ok})
    assert status == 200 and headers.get("access-control-allow-origin") == ok


def test_security_headers_on_every_response(server):
    port, _ = server
    for path in ("/", "/gradio_api/info", "/does-not-exist"):
        _, headers, _ = request(port, path)
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_answers_leave_a_bounded_number_of_files(tmp_path):
    proc, port, temp = start(tmp_path, {"AIACT_SERVE_TEMP_FILES": "6"})
    try:
        for i in range(20):
            ask(port, f"What is a deployer? {i}")
        time.sleep(2.5)  # the pruner runs every second
        private = [p for p in temp.iterdir() if p.name.startswith("aiact-serve-")]
        assert len(private) == 1
        assert [f for f in temp.rglob("*") if f.is_file() and private[0] not in f.parents] == []
        files = [f for f in private[0].rglob("*") if f.is_file()]
        assert len(files) <= 6, files
    finally:
        stop_process(proc)


def test_the_private_temp_dir_is_removed_at_exit(tmp_path):
    proc, port, temp = start(tmp_path)
    ask(port, "What is a deployer?")
    assert list(temp.glob("aiact-serve-*"))
    proc.terminate()
    proc.wait(timeout=20)
    assert not list(temp.glob("aiact-serve-*"))


def test_wrong_passwords_are_throttled_then_locked_out(tmp_path):
    proc, port, _ = start(tmp_path, {"AIACT_AUTH": "admin:correct horse"})
    try:
        codes, start_time = [], time.monotonic()
        for i in range(30):
            body = f"username=admin&password=guess{i}".encode()
            codes.append(request(port, "/login", "POST", body,
                                 {"Content-Type": "application/x-www-form-urlencoded"})[0])
        assert codes[:5] == [400] * 5 and set(codes[5:]) == {429}
        assert time.monotonic() - start_time > 1.5  # each wrong password cost time
        right = request(port, "/login", "POST", b"username=admin&password=correct horse",
                        {"Content-Type": "application/x-www-form-urlencoded"})[0]
        assert right == 429  # locked out even with the right password, for the lockout period
    finally:
        stop_process(proc)


def test_cli_refuses_unsafe_or_impossible_serving_in_one_line(tmp_path):
    env = {**os.environ, "AIACT_HOME": str(tmp_path / "home")}
    env.pop("AIACT_AUTH", None)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        cases = {
            ("--host", "0.0.0.0"): "without a password",
            ("--port", "99999"): "not a port",
            ("--port", "abc"): "not a port number",
            ("--port", str(busy.getsockname()[1])): "already in use",
        }
        for args, expected in cases.items():
            out = subprocess.run([sys.executable, "-m", "assistant.cli", "serve", *args], env=env,
                                 capture_output=True, text=True, timeout=120, cwd=ROOT)
            assert out.returncode == 2, (args, out.stderr)
            lines = out.stderr.strip().splitlines()
            assert len(lines) == 1 and expected in lines[0] and "Traceback" not in out.stderr, (args, out.stderr)
    finally:
        busy.close()


def test_check_bind_allows_remote_only_with_a_password_or_the_flag():
    from assistant.errors import ServeError
    from aiact.ui.server import check_bind

    with pytest.raises(ServeError, match="AIACT_AUTH"):
        check_bind("0.0.0.0", None, False)
    check_bind("0.0.0.0", ("u", "p"), False)
    check_bind("0.0.0.0", None, True)
    check_bind("127.0.0.1", None, False)
    check_bind("::1", None, False)
