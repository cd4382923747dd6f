"""The event handlers behind each tab, around one shared assistant.

Each handler returns plain values (strings, lists, a matplotlib figure) plus, for buttons, a
``gr.update``; tests call them with a stub assistant. No handler lets an exception reach gradio:
a traceback in the browser helps nobody, so every error becomes a sentence the user can act on.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import gradio as gr

from assistant.errors import AssistantError
from aiact.ui import render

log = logging.getLogger(__name__)

SCOPE_ALL = "AI Act + guidelines & code of practice"
SCOPE_ACT = "AI Act only"
SCOPES = (SCOPE_ALL, SCOPE_ACT)
ROLES = ("not sure", "provider", "deployer")
VIEW_ALL, VIEW_UPCOMING, VIEW_PAST, VIEW_AMENDED = "All dates", "Upcoming", "Past", "Moved by the Omnibus"
TIMELINE_VIEWS = (VIEW_ALL, VIEW_UPCOMING, VIEW_PAST, VIEW_AMENDED)
# "What is next for me": the words by which a sentence of the Act names the role (a reading aid
# over the text itself; the legal effect is in the provisions shown).
NEXT_ROLES: dict[str, tuple[str, ...]] = {
    "Everyone": (),
    "Provider of an AI system": ("provider",),
    "Deployer": ("deployer",),
    "Provider of a general-purpose AI model": ("general-purpose AI model",),
    "Public authority or Member State": ("Member State", "public authorit", "competent authorit"),
}
ROLE_ALL = "Everyone"
THINKING = "*Searching the AI Act…*"
# Fallback for assistants without a ``documents`` attribute: the names corpus/registry.py gives.
DEFAULT_DOCUMENTS = (
    "AI Act", "Digital Omnibus (Regulation (EU) 2026/1744)", "Guidelines on prohibited AI practices",
    "Guidelines on the AI system definition", "Guidelines on general-purpose AI models",
    "Guidelines on transparency (Article 50)", "Draft guidelines on high-risk classification",
    "GPAI Code of Practice (Safety and Security)",
)
Message = dict[str, Any]
MAX_PARTS = 80  # sub-provisions shown under a provision (Annex III has about 40)
PARAGRAPH = re.compile(r"^(?:para(?:graph)?\.?\s*|§\s*)?(\d+)$", re.I)


def normalize_reference(reference: str, document: str) -> str:
    """Guidelines number their paragraphs 'para. 12'; accept '12', 'para 12' and 'paragraph 12' too."""
    m = PARAGRAPH.match(reference.strip())
    return f"para. {m.group(1)}" if m and document != "AI Act" else reference.strip()


def is_part(reference: str, parent: str) -> bool:
    """'Article 5(1)(a)' is part of 'Article 5'; 'Annex III, point 4(a)' of 'Annex III'."""
    return reference == parent or reference.startswith((parent + "(", parent + ","))


def friendly(exc: BaseException, doing: str = "answering") -> str:
    """A message for the page. AssistantError texts are written for users; anything else is a bug,
    logged in full on the server and summarised here."""
    if isinstance(exc, AssistantError) and str(exc):
        return str(exc)
    log.exception("UI handler failed while %s", doing)
    return (f"Sorry, something went wrong while {doing} ({exc.__class__.__name__}). Please try again; "
            "if it keeps happening, rebuild the index with `aiact index --rebuild` and check the server log.")


def parse_date(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise AssistantError(f"“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2026-01-01.") from None


class Handlers:
    def __init__(self, bot: Any, download_dir: Path | None = None):
        self.bot = bot
        self.download_dir = download_dir or Path(tempfile.mkdtemp(prefix="aiact-ui-"))

    # -- Ask -------------------------------------------------------------------------------
    def examples(self) -> list[str]:
        try:
            return list(self.bot.examples)
        except Exception:  # examples are a convenience; the page must open without them
            log.exception("could not read the example questions")
            return []

    def respond(self, question: str, history: list[Message] | None, scope: str = SCOPE_ALL,
                as_of: str = "") -> Iterator[tuple[list[Message], str, str, str | None, str]]:
        """Yields (chat history, sources HTML, Markdown of the answer, download path, question box):
        first the question with a placeholder so the page reacts at once, then the answer."""
        history = list(history or [])
        question = (question or "").strip()
        if not question:
            yield history, render.error_html("Type a question first, or click one of the examples."), \
                "", None, ""
            return
        # The earlier questions of this chat: a follow-up ("And for deployers?") reads them.
        earlier = [m["content"] for m in history if isinstance(m, dict) and m.get("role") == "user"
                   and isinstance(m.get("content"), str)][-3:]
        history.append({"role": "user", "content": question})
        yield history + [{"role": "assistant", "content": THINKING}], render.progress_sources(question), "", None, ""
        try:
            answer = self._ask(question, parse_date(as_of), scope != SCOPE_ACT, earlier)
        except Exception as exc:  # noqa: BLE001 - see friendly()
            message = friendly(exc)
            yield history + [{"role": "assistant", "content": f"⚠️ {message}"}], \
                render.error_html(message), "", None, ""
            return
        markdown = answer.to_markdown()
        history.append({"role": "assistant", "content": render.answer_message(answer)})
        # the conclusion first (the sources panel still says it is working), then the sources
        yield history, render.progress_sources(), markdown, None, ""
        yield history, render.answer_sources(answer), markdown, self._save(markdown), ""

    def _ask(self, question: str, as_of, guidance: bool, earlier: list[str]):
        if not earlier:
            return self.bot.ask(question, as_of=as_of, guidance=guidance)
        try:
            return self.bot.ask(question, as_of=as_of, guidance=guidance, history=earlier)
        except TypeError:  # an assistant without follow-ups (older, or a test stub)
            return self.bot.ask(question, as_of=as_of, guidance=guidance)

    def _save(self, markdown: str) -> str | None:
        """A file for the download button; files older than an hour are removed as new ones come."""
        try:
            now = time.time()
            for old in self.download_dir.glob("aiact-answer-*.md"):
                if now - old.stat().st_mtime > 3600:
                    old.unlink(missing_ok=True)
            path = self.download_dir / f"aiact-answer-{uuid.uuid4().hex[:8]}.md"
            path.write_text(markdown, encoding="utf-8")
            return str(path)
        except OSError:
            log.exception("could not write the answer file")
            return None

    # -- Check my AI system ----------------------------------------------------------------
    def assess(self, description: str, role: str | None = None) -> tuple[str, str, str, str]:
        """(tier banner HTML, reasons Markdown, deciding provisions HTML, checks Markdown)."""
        if not (description or "").strip():
            return render.error_html("Describe the AI system first: what it does, for whom, and "
                                     "who places it on the market or uses it."), "", "", ""
        try:
            result = self.bot.assess(description, role=role if role in ("provider", "deployer") else None)
        except Exception as exc:  # noqa: BLE001
            return render.error_html(friendly(exc, "assessing the system")), "", "", ""
        return render.assessment_parts(result)

    def llm_note(self) -> str:
        """Whether a language model may reword answers here (the page says so in its footer)."""
        settings = getattr(self.bot, "settings", None)
        if settings is not None and getattr(settings, "llm_url", ""):
            model = getattr(settings, "llm_model", "") or "a configured model"
            return (f"A language model ({model}) may reword answers from the quoted provisions; a reworded "
                    "answer says so, and every sentence is checked against its sources.")
        return "Answers are composed from the quoted provisions, without a language model."

    # -- Timeline --------------------------------------------------------------------------
    def timeline(self, view: str = VIEW_ALL, role: str = ROLE_ALL) -> tuple[str, Any, str, str]:
        """(table HTML, chart figure, summary Markdown, "what is next" HTML); ``view`` filters the
        table and the chart, ``role`` the "what is next" list."""
        try:
            entries = sorted(self.bot.timeline(), key=lambda e: (e.date, e.reference))
            today = self.bot.today
        except Exception as exc:  # noqa: BLE001
            return render.error_html(friendly(exc, "reading the timeline")), None, "", ""
        upcoming = [e for e in entries if e.status == "upcoming"]
        moved = sum(1 for e in entries if e.superseded_date)
        summary = (f"**Today: {render.long_date(today)}.** {len(entries)} dates in the AI Act, "
                   f"{len(upcoming)} still to come"
                   + (f"; next: **{render.long_date(upcoming[0].date)}** ({upcoming[0].reference})"
                      if upcoming else "")
                   + (f". {moved} moved by the Digital Omnibus (Regulation (EU) 2026/1744)." if moved else "."))
        shown = [e for e in entries if view not in TIMELINE_VIEWS or view == VIEW_ALL
                 or (view == VIEW_UPCOMING and e.status == "upcoming") or (view == VIEW_PAST and e.status == "past")
                 or (view == VIEW_AMENDED and e.superseded_date)]
        caption = f"{view if view in TIMELINE_VIEWS else VIEW_ALL}: {len(shown)} of {len(entries)} dates, by date"
        role = role if role in NEXT_ROLES else ROLE_ALL
        # matplotlib (~24 MB resident) is imported by the first timeline drawn, not with the page:
        # a server whose users only ask questions never loads it (README "Round 10 of issue 13").
        from aiact.ui.chart import timeline_figure

        return (render.timeline_table(shown, caption), timeline_figure(shown, today), summary,
                render.next_for_me(entries, role, today, NEXT_ROLES[role]))

    # -- Browse ----------------------------------------------------------------------------
    def documents(self) -> list[str]:
        found = getattr(self.bot, "documents", None)
        try:
            return list(found) if found else list(DEFAULT_DOCUMENTS)
        except Exception:  # noqa: BLE001
            return list(DEFAULT_DOCUMENTS)

    def browse(self, reference: str, document: str) -> tuple[str, Any, Any, Any, str]:
        """(provision HTML, state, previous button, next button, reference box)."""
        reference, document = (reference or "").strip(), document or "AI Act"
        if not reference:
            return self._browse_empty(render.error_html("Type a reference, e.g. Article 50(2), Annex III "
                                                        "or Recital 27."), reference)
        try:
            current = self.bot.provision(normalize_reference(reference, document), document)
            if current is None:
                return self._browse_empty(render.not_found_html(reference, document), reference)
            # "Article 5" opens Article 5(1): show the whole article, not only its first paragraph
            parent = reference if is_part(current.reference, reference) else current.reference
            return self.show(current, parent)
        except Exception as exc:  # noqa: BLE001
            return self._browse_empty(render.error_html(friendly(exc, "opening the provision")), reference)

    def step(self, state: dict | None, direction: str) -> tuple[str, Any, Any, Any, str]:
        """Previous / next button: open the neighbour kept in the state."""
        target = (state or {}).get(direction)
        if target is None:
            return self._browse_empty(render.error_html("Open a provision first."), "")
        try:
            return self.show(target)
        except Exception as exc:  # noqa: BLE001
            return self._browse_empty(render.error_html(friendly(exc, "opening the provision")), "")

    def show(self, current: Any, parent: str | None = None) -> tuple[str, Any, Any, Any, str]:
        """The provision, its earlier wordings, the sub-provisions that follow it in the text (the
        points of an article or annex are separate provisions), and buttons to its neighbours."""
        parent = parent or current.reference
        versions = list(self.bot.versions(current.reference, current.document))
        before, after = self.bot.neighbours(current)
        parts: list[Any] = []
        while after is not None and is_part(after.reference, parent) and len(parts) < MAX_PARTS:
            parts.append(after)
            after = self.bot.neighbours(after)[1]
        # earlier wordings of the points too: the Omnibus mostly replaced points, not whole articles
        for part in parts:
            versions += [v for v in self.bot.versions(part.reference, part.document) if v.valid_to]
        state = {"current": current, "prev": before, "next": after}
        return (render.provision_html(current, versions, parts), state,
                gr.update(value=f"← {before.reference}" if before else "← Previous", interactive=before is not None),
                gr.update(value=f"{after.reference} →" if after else "Next →", interactive=after is not None),
                parent)

    @staticmethod
    def _browse_empty(message: str, reference: str) -> tuple[str, Any, Any, Any, str]:
        return (message, None, gr.update(value="← Previous", interactive=False),
                gr.update(value="Next →", interactive=False), reference)
