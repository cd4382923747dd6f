"""The guided check in a real browser, against a real server on the real index: the description
prefills the questions, an answer changes the outcome, each question's provision opens in one
click, and the result downloads as Markdown. The steps live here; tests/test_browser.py runs them on its server and browser (one Playwright
session per test run: a second one in the same process cannot start)."""
from __future__ import annotations

import time
from pathlib import Path

ANSWER_TIMEOUT_MS = 60_000
QUESTIONS = "[id^=q-][id$=-answer]"


def outcome_class(pg) -> str:
    return pg.locator("#tier .tier").get_attribute("class") or ""


def guided_check_updates(page) -> None:
    from tests.test_browser import record_timing, screenshot

    page.get_by_role("tab", name="Check my AI system").click()
    page.locator("#description textarea").fill(
        "We sell an app that infers employees' emotions from webcam video during meetings.")
    page.locator("#role").get_by_label("provider").check()
    start = time.monotonic()
    page.click("#check-btn")
    page.wait_for_selector("#tier .tier-prohibited", timeout=ANSWER_TIMEOUT_MS)
    record_timing("guided_check_s", time.monotonic() - start)
    assert "Article 5(1)(f)" in page.locator("#reasons").inner_text()

    # prefilled from the description: emotions (yes), employees (yes); the exception left open
    questions = page.locator(QUESTIONS)
    assert questions.count() >= 3
    emotions = questions.filter(has_text="emotions or intentions")
    assert emotions.get_by_label("yes").is_checked()
    exception = questions.filter(has_text="medical or safety reasons")
    assert exception.get_by_label("not sure").is_checked()

    # its provision, one click away: the verbatim text of Article 5(1)(f) with a EUR-Lex link
    slot = page.locator("[id^=q-][id$=-source]").filter(has_text="Article 5(1)(f)").first
    slot.locator("summary").click()
    assert "for medical or safety reasons" in slot.locator("blockquote").inner_text()
    assert slot.locator('a[href*="eur-lex.europa.eu"]').count() == 1

    # answering it changes the outcome: the exception applies, so Annex III, point 1(c)
    start = time.monotonic()
    exception.get_by_label("yes").check()
    page.wait_for_selector("#tier .tier-high-risk", timeout=ANSWER_TIMEOUT_MS)
    record_timing("guided_check_update_s", time.monotonic() - start)
    page.wait_for_function("() => document.querySelector('#reasons').innerText.includes('Annex III, point 1(c)')",
                           timeout=ANSWER_TIMEOUT_MS)
    assert page.locator('#deciding a[href*="eur-lex.europa.eu"]').count() >= 1
    assert "Confidence" in page.locator("#check-summary").inner_text()
    screenshot(page, "guided-check")

    # the result, obligations with dates and answers as Markdown
    with page.expect_download(timeout=ANSWER_TIMEOUT_MS) as download:
        page.click("#check-download")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown.startswith("# AI Act check: high-risk")
    assert "## Answers" in markdown and "medical or safety reasons? **yes** (you" in markdown
    assert "applies from" in markdown and "[1] AI Act, Annex III, point 1(c)" in markdown


def guided_check_declines(page) -> None:
    page.get_by_role("tab", name="Check my AI system").click()
    page.locator("#description textarea").fill("What is the capital of France?")
    page.click("#check-btn")
    page.wait_for_selector("#tier .tier-other", timeout=ANSWER_TIMEOUT_MS)
    assert "No system" in page.locator("#tier").inner_text()
    assert page.locator(QUESTIONS).filter(has_text="?").count() == 0 or \
        not page.locator("#q-0").is_visible()


def check_examples_are_right(page) -> None:
    """Each example button of the check fills the form and shows the outcome it should."""
    from aiact.ui.app import CHECK_EXAMPLES

    expected = {"CV ranking for recruiters": "tier-high-risk", "Customer-service chatbot": "tier-limited",
                "Face recognition in the street": "tier-prohibited", "Emotion recognition at work": "tier-prohibited",
                "Spam filter": "tier-minimal", "AI in a medical device": "tier-high-risk",
                "Invoice reminders (not AI)": "tier-other"}
    assert set(expected) == set(CHECK_EXAMPLES)
    page.get_by_role("tab", name="Check my AI system").click()
    for label, css in expected.items():
        description = CHECK_EXAMPLES[label][0]
        page.get_by_text(label, exact=True).click()
        page.wait_for_function(
            "([d, c]) => document.querySelector('#description textarea').value === d && "
            "document.querySelector('#tier .tier') && document.querySelector('#tier .tier').classList.contains(c)",
            arg=[description, css], timeout=ANSWER_TIMEOUT_MS)
