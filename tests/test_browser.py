"""The web UI in a real browser, against a real server on the real index.

Starts ``aiact serve`` on a free port, on the real index the session's conftest builds once
(``real_assistant``, in AIACT_TEST_HOME or <repo>/.aiact-test-home) and with the conftest's pinned
"today", drives Debian's chromium with Playwright at a phone's and a desktop's size, checks the page
with axe-core, and saves screenshots to tests/artifacts/ (git-ignored). ``make screenshots`` sets
AIACT_SCREENSHOTS_DIR=docs/screenshots to refresh the README's copies; ``make test`` never writes there.
"""
from __future__ import annotations

import datetime as dt
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
SCREENSHOTS = Path(os.environ["AIACT_SCREENSHOTS_DIR"]) if os.environ.get("AIACT_SCREENSHOTS_DIR") else None
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1360, "height": 1000}}
# axe-core from the npm registry, installed by `make browser-deps` into the git-ignored tests/.node/
AXE = REPO / "tests" / ".node" / "node_modules" / "axe-core" / "axe.min.js"
TABS = ("Ask", "Check my AI system", "Timeline", "Browse the law")
README_SHOTS = {"ask", "check", "timeline", "browse", "ask-phone", "timeline-phone"}  # shown in the README
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


def open_page(browser, server_url, size: str):
    context = browser.new_context(viewport=SIZES[size])
    pg = context.new_page()
    pg.size_name = size
    pg.external_requests = []  # an offline tool's page must load nothing from elsewhere
    pg.on("request", lambda r: None if r.url.startswith(LOCAL_PREFIXES) else pg.external_requests.append(r.url))
    pg.goto(server_url, wait_until="domcontentloaded")
    pg.wait_for_selector("#question textarea, #question input", timeout=ANSWER_TIMEOUT_MS)
    return context, pg


@pytest.fixture
def page(browser, server_url):
    """The page at desktop size."""
    context, pg = open_page(browser, server_url, "desktop")
    yield pg
    assert pg.external_requests == []
    context.close()


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, server_url):
    """The page at a phone's size (390 x 844, an iPhone 12-15) and at a desktop's."""
    context, pg = open_page(browser, server_url, request.param)
    yield pg
    assert pg.external_requests == []
    context.close()


def screenshot(pg, name: str) -> None:
    pg.wait_for_timeout(400)  # let the last repaint settle
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    if SCREENSHOTS is not None and name in README_SHOTS:  # `make screenshots` only
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / f"{name}.png")


def open_tab(pg, name: str) -> None:
    pg.get_by_role("tab", name=name).click()
    pg.wait_for_timeout(300)
    if name == "Timeline":
        pg.wait_for_selector("#timeline-table table", timeout=ANSWER_TIMEOUT_MS)


def settle(pg, timeout_ms: int = 10_000) -> None:
    """Wait until no block is being updated and no animation runs: axe measures colours as
    painted, and a block fading in (gradio's pending state) reads as low contrast."""
    pg.wait_for_function("""() => !document.querySelector('.pending, .generating')
        && document.getAnimations().every(a => a.playState !== 'running'
             || (a.effect && a.effect.getTiming().iterations === Infinity))""", timeout=timeout_ms)
    pg.wait_for_timeout(100)


def page_width(pg) -> int:
    return pg.evaluate("document.documentElement.scrollWidth")


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


def test_a_source_card_shows_why_it_ranked(page):
    ask(page, "What does Article 50(1) say?")
    why = page.locator("#sources .src-card .src-why").first
    assert "Why it ranked" in why.inner_text()
    why.locator("summary").click()
    items = why.locator("li")
    assert items.count() >= 1
    first = items.first.inner_text()
    assert first.lstrip().startswith("+") and "named" in why.inner_text()  # the named provision came first


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
    open_tab(page, "Timeline")
    page.wait_for_selector("#timeline-plot img, #timeline-plot svg, #timeline-plot canvas",
                           timeout=ANSWER_TIMEOUT_MS)
    summary = page.locator("#timeline-summary").inner_text()
    assert "Today:" in summary and "moved by the Digital Omnibus" in summary
    screenshot(page, "timeline")
    table = page.locator("#timeline-table").inner_text()
    assert "2 Dec 2027" in table and "upcoming" in table and "past" in table
    # by date, whatever the order of the articles
    shown = page.evaluate("""() => [...document.querySelectorAll('#timeline-table tbody td.when')]
        .map(td => (td.querySelector('b') || td.querySelector('.date')).innerText)""")
    dates = [dt.datetime.strptime(d, "%d %b %Y").date() for d in shown]
    assert len(dates) > 10 and dates == sorted(dates)
    page.get_by_label("Moved by the Omnibus").check()
    page.wait_for_function("() => document.querySelector('#timeline-table caption').innerText.startsWith('Moved')",
                           timeout=ANSWER_TIMEOUT_MS)
    rows = page.locator("#timeline-table tbody tr")
    assert rows.count() >= 1 and rows.count() == page.locator("#timeline-table tbody tr.moved").count()
    assert "→" in rows.first.inner_text() and "moved by the Omnibus" in rows.first.inner_text()
    assert page.locator("#timeline-table tbody s").count() == rows.count()  # the old date, struck through
    page.get_by_label("Past").check()
    page.wait_for_function("() => document.querySelector('#timeline-table caption').innerText.startsWith('Past')",
                           timeout=ANSWER_TIMEOUT_MS)
    assert "upcoming" not in page.locator("#timeline-table tbody").inner_text()


def test_what_is_next_for_me(page):
    open_tab(page, "Timeline")
    assert "What is next for: Everyone" in page.locator("#timeline-next").inner_text()
    page.locator("#timeline-role input").click()
    page.get_by_role("option", name="Deployer").click()
    page.wait_for_function("() => document.querySelector('#timeline-next').innerText.includes('for: Deployer')",
                           timeout=ANSWER_TIMEOUT_MS)
    items = page.locator("#timeline-next li")
    assert 1 <= items.count() <= 4


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


def test_layout_fits_the_screen(sized_page):
    """Nothing wider than the screen on any tab; the Ask button is on screen and tappable."""
    pg, width = sized_page, SIZES[sized_page.size_name]["width"]
    button = pg.locator("#ask-btn").bounding_box()
    assert button and button["x"] >= 0 and button["x"] + button["width"] <= width and button["height"] >= 40
    ask(pg, "When do the obligations for high-risk AI systems listed in Annex III apply?")
    assert page_width(pg) <= width, "the Ask tab is wider than the screen"
    pg.evaluate("document.querySelectorAll('#chat .bubble-wrap, #chat [role=log]').forEach(e => e.scrollTo(0, 0))")
    screenshot(pg, f"ask-{pg.size_name}")
    tabs = pg.locator("#tabs [role=tab]")
    assert tabs.count() == len(TABS) and all(
        0 <= tabs.nth(i).bounding_box()["x"] and tabs.nth(i).bounding_box()["x"] + tabs.nth(i).bounding_box()["width"]
        <= width for i in range(tabs.count())), "a tab is cut off"
    for name in TABS[1:]:
        open_tab(pg, name)
        assert page_width(pg) <= width, f"the {name} tab is wider than the screen"
        screenshot(pg, f"{name.split()[0].lower()}-{pg.size_name}")
    # the Timeline's table scrolls inside its own box instead
    open_tab(pg, "Timeline")
    box = pg.evaluate("() => { const b = document.querySelector('#timeline-table .table-scroll'); "
                      "return [b.scrollWidth, b.clientWidth]; }")
    assert box[1] <= width and (pg.size_name == "desktop" or box[0] > box[1])


def test_markers_link_to_their_source_card(sized_page):
    pg = sized_page
    ask(pg, "What are the fines for prohibited AI practices?")
    links = pg.locator('#chat a[href^="#src-"]')
    assert links.count() >= 1
    target = links.last.get_attribute("href")
    links.last.click()
    card = pg.locator(f"#sources {target}")
    pg.wait_for_function("(id) => document.querySelector(id).classList.contains('highlight')", arg=target,
                         timeout=5000)
    pg.wait_for_timeout(700)  # smooth scrolling
    box = card.bounding_box()
    height = SIZES[pg.size_name]["height"]
    assert box and box["y"] < height and box["y"] + box["height"] > 0, "the card was not scrolled into view"
    assert pg.evaluate("document.activeElement.id") == target[1:]  # keyboard focus follows


def test_progress_is_visible_while_answering(page):
    page.evaluate("""() => { window.sawProgress = false;
        new MutationObserver(() => { if (document.querySelector('#sources .busy[role=status]')) window.sawProgress = true; })
          .observe(document.body, {subtree: true, childList: true, attributes: true}); }""")
    ask(page, "Which AI practices are prohibited?")
    assert page.evaluate("window.sawProgress") is True
    assert page.locator("#sources .busy").count() == 0  # and gone once the sources are in


def test_no_serious_accessibility_violations(sized_page):
    """axe-core on every tab, with an answer, an assessment and a provision on the page."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing: run `make browser-deps` (npm install axe-core)")
    pg = sized_page
    ask(pg, "What is a deployer?")
    found = {}
    for name in TABS:
        open_tab(pg, name)
        if name == "Check my AI system":
            pg.locator("#description textarea").fill("A spam filter for our company's email.")
            pg.click("#check-btn")
            pg.wait_for_selector("#tier .tier", timeout=ANSWER_TIMEOUT_MS)
        if name == "Browse the law":
            pg.locator("#reference input, #reference textarea").first.fill("Article 50")
            pg.click("#open-btn")
            pg.wait_for_selector("#provision .src-card", timeout=ANSWER_TIMEOUT_MS)
        settle(pg)
        pg.add_script_tag(path=str(AXE))
        violations = pg.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
        if violations:
            found[name] = violations
    assert not found, json.dumps(found, indent=1)


# The guided check (its steps in tests/test_browser_check.py), on this module's server and browser.
from tests.test_browser_check import check_examples_are_right, guided_check_declines, guided_check_updates  # noqa: E402


def test_guided_check_asks_what_decides_and_updates(page):
    guided_check_updates(page)


def test_guided_check_declines_text_that_describes_no_system(page):
    guided_check_declines(page)


def test_check_examples_show_the_right_outcome(page):
    check_examples_are_right(page)
