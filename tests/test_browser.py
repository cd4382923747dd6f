"""The web UI in a real browser, against a real server on the real index.

Starts ``aiact serve`` on a free port, on the real index the session's conftest builds once
(``real_assistant``, in AIACT_TEST_HOME or <repo>/.aiact-test-home) and with the conftest's pinned
"today", drives Debian's chromium with Playwright, and saves screenshots to tests/artifacts/ and
docs/screenshots/ for the README.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import stop_process

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
SCREENSHOTS = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-extensions", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
START_TIMEOUT = float(os.environ.get("AIACT_SERVER_TIMEOUT", "240"))  # the index is built by then
ANSWER_TIMEOUT_MS = 60_000
LOCAL_PREFIXES = ("http://127.0.0.1", "data:", "blob:", "about:")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install it with `make browser-deps` (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def server_url(chromium, real_assistant, real_settings) -> Iterator[str]:
    """``chromium`` comes first so a machine without it skips before the index is built."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "AIACT_HOME": str(real_settings.home), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HF_HUB_DISABLE_TELEMETRY": "1", "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("AIACT_AUTH", None)  # the test opens the page without a password
    if real_settings.today:  # the same "today" as the other tests: stable statuses and screenshots
        env["AIACT_TODAY"] = real_settings.today.isoformat()
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    log_path = ARTIFACTS / "server.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not port_open(port):
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer on port {port}:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_process(proc, timeout=20)


@pytest.fixture(scope="session")
def browser(chromium, server_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    pg = context.new_page()
    pg.external_requests = []  # an offline tool's page must load nothing from elsewhere
    pg.on("request", lambda r: None if r.url.startswith(LOCAL_PREFIXES) else pg.external_requests.append(r.url))
    pg.goto(server_url, wait_until="domcontentloaded")
    pg.wait_for_selector("#question textarea, #question input", timeout=ANSWER_TIMEOUT_MS)
    yield pg
    assert pg.external_requests == []
    context.close()


def screenshot(pg, name: str) -> None:
    pg.wait_for_timeout(400)  # let the last repaint settle
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENSHOTS / f"{name}.png")


def record_timing(name: str, seconds: float) -> None:
    path = ARTIFACTS / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = round(seconds, 2)
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"{name}: {seconds:.2f} s")


def ask(pg, question: str) -> float:
    box = pg.locator("#question textarea, #question input").first
    box.fill(question)
    before = pg.locator("#chat .message-row").count()
    start = time.monotonic()
    pg.click("#ask-btn")
    # the answer is in when the placeholder is gone and the sources panel has its links
    pg.wait_for_function(
        """([before]) => {
            const rows = document.querySelectorAll('#chat .message-row');
            const last = rows[rows.length - 1];
            return rows.length >= before + 2 && last && !last.innerText.includes('Searching the AI Act');
        }""", arg=[before], timeout=ANSWER_TIMEOUT_MS)
    pg.wait_for_selector("#sources .answered, #sources .notice", timeout=ANSWER_TIMEOUT_MS)
    return time.monotonic() - start


def test_ask_answers_with_eurlex_citations(page):
    seconds = ask(page, "What are the fines for prohibited AI practices?")
    record_timing("ask_first_answer_s", seconds)
    links = page.locator('#sources a[href*="eur-lex.europa.eu"]')
    assert links.count() >= 1
    assert "Open on EUR-Lex" in links.first.inner_text()
    assert "[1]" in page.locator("#chat").inner_text()
    assert "binding law" in page.locator("#sources").inner_text()
    assert page.locator("#sources .src-quote").count() >= 1
    # the chat scrolls to the end of a long answer: once it has, show the start in the screenshot
    page.wait_for_timeout(800)
    page.evaluate("document.querySelectorAll('#chat .bubble-wrap, #chat [role=log]').forEach(e => e.scrollTo(0, 0))")
    screenshot(page, "ask")
    # the answer with its citations, as Markdown
    with page.expect_download(timeout=ANSWER_TIMEOUT_MS) as download:
        page.click("#download-btn")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("**Q:** What are the fines") and "[1] AI Act" in markdown and "eur-lex" in markdown
    # a follow-up is a new question in the same conversation
    record_timing("ask_follow_up_s", ask(page, "Who is a deployer?"))
    chat = page.locator("#chat").inner_text()
    assert "What are the fines" in chat and "Who is a deployer?" in chat
    assert page.locator("#chat .bot-row").count() >= 2


def test_check_my_ai_system_shows_a_tier(page):
    page.get_by_role("tab", name="Check my AI system").click()
    page.locator("#description textarea").fill(
        "We sell software that ranks job applicants' CVs and shortlists candidates for recruiters.")
    page.get_by_label("provider").check()
    start = time.monotonic()
    page.click("#check-btn")
    page.wait_for_selector("#tier .tier", timeout=ANSWER_TIMEOUT_MS)
    record_timing("check_s", time.monotonic() - start)
    tier_class = page.locator("#tier .tier").get_attribute("class")
    assert any(f"tier-{t}" in tier_class for t in ("prohibited", "high-risk", "limited", "minimal"))
    assert "high-risk" in tier_class  # CV screening for recruitment is Annex III, point 4(a)
    assert page.locator('#deciding a[href*="eur-lex.europa.eu"]').count() >= 1
    screenshot(page, "check")


def test_timeline_shows_amended_dates(page):
    page.get_by_role("tab", name="Timeline").click()
    page.wait_for_function("() => /\\d{4}-\\d{2}-\\d{2}/.test(document.querySelector('#timeline-table')?.innerText || '')",
                           timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_selector("#timeline-plot img, #timeline-plot svg, #timeline-plot canvas",
                           timeout=ANSWER_TIMEOUT_MS)
    summary = page.locator("#timeline-summary").inner_text()
    assert "Today:" in summary and "moved by the Digital Omnibus" in summary
    screenshot(page, "timeline")
    # the table scrolls (and only renders the rows in view): find the Omnibus's new high-risk date with
    # its search box, as a user would
    page.locator("#timeline-table").get_by_placeholder("Search").fill("2027-12-02")
    page.wait_for_function("() => document.querySelector('#timeline-table').innerText.includes('2 December 2027')",
                           timeout=ANSWER_TIMEOUT_MS)
    table = page.locator("#timeline-table").inner_text()
    assert "2027-12-02" in table and "amended" in table and "upcoming" in table


def test_browse_shows_current_and_earlier_wording(page):
    page.get_by_role("tab", name="Browse the law").click()
    page.locator("#reference input, #reference textarea").first.fill("Article 113")
    page.click("#open-btn")
    page.wait_for_selector("#provision .src-card", timeout=ANSWER_TIMEOUT_MS)
    html = page.locator("#provision").inner_text()
    assert "Article 113" in html and "Current wording" in html
    assert page.locator("#next-btn").is_enabled()
    screenshot(page, "browse")


def test_ten_people_asking_at_once_all_get_answers(server_url):
    """The queue runs a few requests at a time and keeps the rest waiting: none is dropped."""
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client

    questions = ["What is a deployer?", "What is a provider?", "What is an AI system?", "What is an importer?",
                 "What is a distributor?", "What are the fines for prohibited AI practices?",
                 "Which AI practices are prohibited?", "What does Article 50 require?", "What is Annex III?",
                 "What is the AI Office?"]

    def ask_api(question: str) -> tuple[list, str]:
        history, sources, *_ = Client(server_url, verbose=False).predict(
            question, [], "AI Act + guidelines & code of practice", "", api_name="/ask")
        return history, sources

    start = time.monotonic()
    with ThreadPoolExecutor(len(questions)) as pool:
        results = list(pool.map(ask_api, questions))
    record_timing("ten_at_once_total_s", time.monotonic() - start)
    for history, sources in results:  # an answer each (citations are the answer tests' business)
        assert len(history) == 2 and "Sorry, something went wrong" not in str(history[-1])
        assert "answered" in sources


# The guided check (its steps in tests/test_browser_check.py), on this module's server and browser.
from tests.test_browser_check import guided_check_declines, guided_check_updates  # noqa: E402


def test_guided_check_asks_what_decides_and_updates(page):
    guided_check_updates(page)


def test_guided_check_declines_text_that_describes_no_system(page):
    guided_check_declines(page)
