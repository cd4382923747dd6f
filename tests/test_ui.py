"""The web UI's handlers around a stub assistant: fast, no model, no index, no browser."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.errors import AssistantError, InvalidQuestion
from assistant.types import Answer, Assessment, Citation
from aiact.corpus.provision import Provision

gr = pytest.importorskip("gradio")

from aiact.ui import render  # noqa: E402
from aiact.ui.app import auth_from_env, build_app  # noqa: E402
from aiact.ui.handlers import SCOPE_ACT, SCOPE_ALL, Handlers  # noqa: E402

try:
    from assistant.timeline import TimelineEntry
except ImportError:  # written in parallel by the lead; the UI only needs these fields
    @dataclass(frozen=True)
    class TimelineEntry:  # type: ignore[no-redef]
        date: dt.date
        document: str
        reference: str
        title: str
        text: str
        url: str
        amended: bool
        superseded_date: dt.date | None
        superseded_text: str
        status: str

TODAY = dt.date(2026, 11, 24)
EURLEX = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
OMNIBUS_POINT = "Regulation (EU) 2026/1744, Article 1, point (40)(b)"

C_LAW = Citation(1, "AI Act", "Article 113", "Entry into force and application",
                 "It shall apply from 2 August 2026. Chapters I & II <shall> apply from 2 February 2025.",
                 f"{EURLEX}#art_113", 0.83, kind="binding law", version="consolidated",
                 amendment="replaced", amended_by=OMNIBUS_POINT)
C_OLD = Citation(2, "AI Act", "Article 113", "Entry into force and application",
                 "Article 6(1) shall apply from 2 August 2027.", f"{EURLEX}#art_113", 0.7,
                 kind="binding law", version="2024", superseded=True)
C_GUIDE = Citation(3, "Guidelines on prohibited AI practices", "Section 2.1, paragraph 12", "Scope",
                   "The prohibitions apply to placing on the market.",
                   "https://ec.europa.eu/newsroom/dae/redirection/document/112367", 0.5, kind="guidelines")
C_CODE = Citation(4, "GPAI Code of Practice (Safety and Security)", "Commitment 1", "Framework",
                  "Signatories commit to adopting a framework.", "javascript:alert(1)", 0.4,
                  kind="code of practice")


def provision(reference: str, text: str, order: int, **kw) -> Provision:
    base = dict(document="AI Act", reference=reference, title=f"Title of {reference}", text=text,
                url=f"{EURLEX}#{order}", kind="binding law", version="consolidated", source="act.md",
                order=order, valid_from=dt.date(2026, 7, 27))
    return Provision(**{**base, **kw})


P49 = provision("Article 49", "Registration.", 49)
P50 = provision("Article 50", "Providers shall ensure that AI systems…\n\nDeployers shall disclose…", 50,
                amendment="replaced", amended_by=OMNIBUS_POINT)
P50_OLD = provision("Article 50", "The 2024 wording of Article 50.", 50, version="2024",
                    valid_from=dt.date(2024, 8, 1), valid_to=dt.date(2026, 7, 27))
P50_1 = provision("Article 50(1)", "1. Providers shall ensure…", 50, amendment="replaced",
                  amended_by=OMNIBUS_POINT)
P50_1_OLD = provision("Article 50(1)", "1. The 2024 wording of paragraph 1.", 50, version="2024",
                      valid_from=dt.date(2024, 8, 1), valid_to=dt.date(2026, 7, 27))
P51 = provision("Article 51", "Classification of general-purpose AI models.", 51)
ORDER = [P49, P50, P50_1, P51]
P_GUIDE = provision("para. 12", "(12) A guideline paragraph.", 12, document="Guidelines on prohibited AI practices",
                    kind="guidelines", url="https://ec.europa.eu/newsroom/dae/redirection/document/112367")
ENTRIES = [
    TimelineEntry(dt.date(2025, 2, 2), "AI Act", "Article 113(a)", "Entry into force and application",
                  "Chapters I and II shall apply from 2 February 2025.", EURLEX, False, None, "", "past"),
    TimelineEntry(dt.date(2027, 12, 2), "AI Act", "Article 113(d)", "Entry into force and application",
                  "Article 6(2) shall apply from 2 December 2027.", EURLEX, True, dt.date(2026, 8, 2),
                  "shall apply from 2 August 2026", "upcoming"),
]


class StubAssistant:
    today = TODAY
    examples = ["When do the prohibitions apply?", "What is a deployer?"]

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def ask(self, question: str, as_of=None, guidance: bool = True) -> Answer:
        self.calls.append((question, as_of, guidance))
        if not question.strip():
            raise InvalidQuestion("The question is empty.")
        if "boom" in question:
            raise RuntimeError("internal detail that must not reach the page")
        if "weather" in question:
            return Answer(question, "The AI Act does not answer this.", True, (), TODAY.isoformat())
        cites = (C_LAW, C_OLD, C_GUIDE, C_CODE) if guidance else (C_LAW, C_OLD)
        return Answer(question, "The prohibitions apply from 2 February 2025 [1].", False, cites,
                      TODAY.isoformat())

    def assess(self, description: str, role=None) -> Assessment:
        self.calls.append((description, role))
        return Assessment(description, "high-risk", "Recruitment is listed in Annex III, point 4(a) [1].",
                          (C_LAW,), ("Check whether Article 6(3) applies.", "Register in the EU database."))

    def timeline(self):
        return list(ENTRIES)

    def provision(self, reference: str, document: str = "AI Act", as_of=None):
        if document != "AI Act":
            return P_GUIDE if reference == "para. 12" else None
        return {p.reference: p for p in ORDER}.get(reference)

    def versions(self, reference: str, document: str = "AI Act"):
        return {"Article 50": [P50, P50_OLD], "Article 50(1)": [P50_1, P50_1_OLD]}.get(
            reference, [self.provision(reference, document)])

    def neighbours(self, p: Provision):
        if p not in ORDER:
            return None, None
        i = [x.reference for x in ORDER].index(p.reference)
        return (ORDER[i - 1] if i else None), (ORDER[i + 1] if i + 1 < len(ORDER) else None)


@pytest.fixture
def handlers(tmp_path: Path) -> Handlers:
    return Handlers(StubAssistant(), download_dir=tmp_path)


def final(gen):
    *_, last = list(gen)
    return last


def test_build_app_returns_blocks():
    assert isinstance(build_app(StubAssistant()), gr.Blocks)


def test_ask_shows_answer_sources_labels_and_links(handlers):
    steps = list(handlers.respond("When do the prohibitions apply?", [], SCOPE_ALL, ""))
    assert "Searching" in steps[0][0][-1]["content"]  # the page reacts before the answer is ready
    history, sources, markdown, path, box = steps[-1]
    assert history[-2] == {"role": "user", "content": "When do the prohibitions apply?"}
    assert "[1]" in history[-1]["content"] and "Sources:" in history[-1]["content"]
    assert box == ""
    assert "binding law" in sources and "guidelines (non-binding)" in sources
    assert "code of practice (non-binding)" in sources
    assert "amended by Regulation (EU) 2026/1744" in sources and OMNIBUS_POINT in sources
    assert "earlier wording" in sources
    assert f'href="{EURLEX}#art_113"' in sources and "Open on EUR-Lex" in sources
    assert "Open source document" in sources  # the guidelines' link is not EUR-Lex
    assert "javascript:" not in sources  # a bad url becomes no link at all
    assert "&lt;shall&gt;" in sources and "Chapters I &amp; II" in sources  # verbatim, escaped
    assert Path(path).read_text(encoding="utf-8") == markdown
    assert markdown.startswith("**Q:** When do the prohibitions apply?") and "<https://eur-lex" in markdown


def test_follow_up_keeps_history_and_asks_the_new_question(handlers):
    history = final(handlers.respond("When do the prohibitions apply?", [], SCOPE_ALL, ""))[0]
    history = final(handlers.respond("And for Annex III?", history, SCOPE_ALL, ""))[0]
    assert [m["role"] for m in history] == ["user", "assistant"] * 2
    assert handlers.bot.calls[-1][0] == "And for Annex III?"


def test_scope_and_date_reach_the_assistant(handlers):
    sources = final(handlers.respond("q?", [], SCOPE_ACT, "2026-01-01"))[1]
    assert handlers.bot.calls[-1] == ("q?", dt.date(2026, 1, 1), False)
    assert "guidelines" not in sources
    final(handlers.respond("q?", [], SCOPE_ALL, ""))
    assert handlers.bot.calls[-1] == ("q?", None, True)


def test_errors_become_friendly_messages(handlers):
    history, sources, *_ = final(handlers.respond("boom", [], SCOPE_ALL, ""))
    assert "something went wrong" in history[-1]["content"] and "RuntimeError" in sources
    assert "internal detail" not in history[-1]["content"] + sources
    history, sources, *_ = final(handlers.respond("q?", [], SCOPE_ALL, "next tuesday"))
    assert "YYYY-MM-DD" in history[-1]["content"]
    history, sources, *_ = final(handlers.respond("   ", [], SCOPE_ALL, ""))
    assert history == [] and "Type a question" in sources


def test_abstention_says_so(handlers):
    history, sources, *_ = final(handlers.respond("What's the weather?", [], SCOPE_ALL, ""))
    assert "does not answer" in history[-1]["content"] and "No provision" in sources


def test_assess_shows_tier_reasons_provisions_and_checks(handlers):
    tier, reasons, provisions, checks = handlers.assess("CV ranking for recruiters", "provider")
    assert "tier-high-risk" in tier and "High-risk" in tier
    assert "Annex III" in reasons and "Open on EUR-Lex" in provisions and "Article 113" in provisions
    assert "What to check next" in checks and "- Check whether Article 6(3) applies." in checks
    assert handlers.bot.calls[-1] == ("CV ranking for recruiters", "provider")
    handlers.assess("x", "not sure")
    assert handlers.bot.calls[-1] == ("x", None)
    assert "Describe the AI system" in handlers.assess("  ", None)[0]


def test_timeline_rows_chart_and_summary(handlers):
    rows = render.timeline_rows(ENTRIES)
    assert rows[1][0] == "2027-12-02" and rows[1][3] == "amended" and rows[1][4] == "2026-08-02"
    assert rows[0][5] == "past" and rows[1][5] == "upcoming"
    table, figure, summary, upcoming = handlers.timeline()
    assert "Article 113(d)" in table and "2 December 2027" in summary and "24 November 2026" in summary
    assert figure is not None and figure.axes
    assert "What is next for: Everyone" in upcoming and "2 Dec 2027" in upcoming


def test_timeline_is_by_date_with_moves_and_filters(handlers):
    handlers.bot.timeline = lambda: list(reversed(ENTRIES))  # whatever order the assistant gives
    table = handlers.timeline("All dates")[0]
    assert table.index("2 Feb 2025") < table.index("2 Dec 2027")
    assert "<s" in table and "2 Aug 2026</s> → <b>2 Dec 2027</b>" in table and "moved by the Omnibus" in table
    assert 'class="table-scroll"' in table and "<caption>" in table and 'scope="col"' in table
    moved = handlers.timeline("Moved by the Omnibus")[0]
    assert "Article 113(d)" in moved and "Article 113(a)" not in moved and "1 of 2 dates" in moved
    past = handlers.timeline("Past")[0]
    assert "Article 113(a)" in past and "Article 113(d)" not in past
    assert "Article 113(a)" not in handlers.timeline("Upcoming")[0]


def test_what_is_next_for_a_role_reads_the_sentences():
    entries = ENTRIES + [
        TimelineEntry(dt.date(2027, 8, 2), "AI Act", "Article 111(3)", "", "Providers of general-purpose AI "
                      "models … by 2 August 2027.", EURLEX, False, None, "", "upcoming"),
        TimelineEntry(dt.date(2028, 8, 2), "AI Act", "Article 112(2)", "", "By 2 August 2028 the Commission "
                      "shall evaluate.", EURLEX, False, None, "", "upcoming")]
    words = ("general-purpose AI model",)
    html_ = render.next_for_me(entries, "Provider of a general-purpose AI model", TODAY, words)
    assert "Article 111(3)" in html_ and "Article 113(d)" in html_  # Article 113: whole parts of the Act
    assert "Article 112(2)" not in html_ and "Article 113(a)" not in html_  # not this role; past
    assert "No upcoming date" in render.next_for_me(entries[:1], "Deployer", TODAY, ("deployer",))


def test_markers_link_to_their_source_cards(handlers):
    history = final(handlers.respond("When do the prohibitions apply?", [], SCOPE_ALL, ""))[0]
    assert "[\\[1\\]](#src-1)" in history[-1]["content"]
    assert render.linked_markers("a [2] b [7] c [^96]", [2]) == "a [\\[2\\]](#src-2) b [7] c [^96]"
    sources = final(handlers.respond("When do the prohibitions apply?", [], SCOPE_ALL, ""))[1]
    assert 'id="src-1"' in sources


def test_progress_shows_while_answering(handlers):
    steps = list(handlers.respond("When do the prohibitions apply?", [], SCOPE_ALL, ""))
    assert 'role="status"' in steps[0][1] and "busy" in steps[0][1]
    assert "[1]" in steps[1][0][-1]["content"] and "busy" in steps[1][1]  # the conclusion before the sources
    assert "answered" in steps[-1][1]


def test_a_rephrased_answer_says_so(handlers):
    answer = Answer("q", "It applies [1].", False, (C_LAW,), "2026-11-24", rephrased_by="smollm2")
    assert "Worded by a language model (smollm2)" in render.answer_message(answer)
    assert "Worded by" not in render.answer_message(Answer("q", "It applies [1].", False, (C_LAW,)))
    assert "without a language model" in handlers.llm_note()

    class Settings:
        llm_url, llm_model = "http://127.0.0.1:8080", "smollm2"

    handlers.bot.settings = Settings()
    assert "smollm2" in handlers.llm_note()


def test_tabs_are_a_list_others_can_extend():
    from aiact.ui import app

    assert [t[1] for t in app.TABS] == ["ask", "check", "timeline", "browse"]
    app.TABS.append(("Extra", "extra", lambda h, tab: gr.Markdown("extra tab", elem_id="extra")))
    try:
        demo = build_app(StubAssistant())
        assert any(getattr(b, "elem_id", None) == "extra" for b in demo.blocks.values())
    finally:
        app.TABS.pop()


def test_browse_shows_current_and_earlier_wording_and_neighbours(handlers):
    html, state, prev, nxt, ref = handlers.browse("Article 50", "AI Act")
    assert "Current wording" in html and "Earlier wording" in html
    assert "The 2024 wording of Article 50." in html and "amended by Regulation (EU) 2026/1744" in html
    assert "this wording in force 1 August 2024 – 26 July 2026" in html
    # its paragraph is shown inside it, with the paragraph's own earlier wording
    assert "Article 50(1)" in html and "1. The 2024 wording of paragraph 1." in html
    assert prev["value"] == "← Article 49" and nxt["value"] == "Article 51 →" and prev["interactive"]
    html, state, prev, nxt, ref = handlers.step(state, "next")
    assert ref == "Article 51" and "Classification" in html and not nxt["interactive"]
    assert "Earlier wording" not in html


def test_browse_guidelines_accepts_a_bare_paragraph_number(handlers):
    html, *_ = handlers.browse("12", "Guidelines on prohibited AI practices")
    assert "A guideline paragraph." in html and "guidelines (non-binding)" in html
    assert "Open source document" in html


def test_browse_not_found_gives_a_hint(handlers):
    html, state, prev, nxt, _ = handlers.browse("Article 999", "AI Act")
    assert "No provision" in html and "Annex III" in html and state is None and not prev["interactive"]


def test_auth_from_env(monkeypatch):
    monkeypatch.delenv("AIACT_AUTH", raising=False)
    assert auth_from_env() is None
    monkeypatch.setenv("AIACT_AUTH", "ann:s3:cret")
    assert auth_from_env() == ("ann", "s3:cret")
    monkeypatch.setenv("AIACT_AUTH", "nopassword")
    with pytest.raises(AssistantError):
        auth_from_env()


def test_assessment_does_not_repeat_the_checks():
    text = "Risk tier: high-risk [1].\n\nWhat to check next:\n- Check A.\n- Check B.\n\nNot legal advice."
    reasons = render.without_checks(text, ("Check A.", "Check B."))
    assert "Check A." not in reasons and "What to check next" not in reasons
    assert reasons.startswith("Risk tier: high-risk [1].") and reasons.endswith("Not legal advice.")


def test_render_helpers():
    assert render.link_label("https://eur-lex.europa.eu/x") == "Open on EUR-Lex"
    assert render.link_label("https://example.org/x") == "Open source document"
    assert render.amendment_regulation(OMNIBUS_POINT) == "Regulation (EU) 2026/1744"
    assert render.amendment_regulation("") == "Regulation (EU) 2026/1744"
    for tier in ("prohibited", "high-risk", "limited", "minimal"):
        assert f"tier-{tier}" in render.tier_html(tier)
