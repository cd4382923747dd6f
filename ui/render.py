"""Pure functions from the assistant's values to Markdown / HTML strings for the web UI.

No gradio here: these are unit-tested directly, and everything user- or corpus-supplied is escaped
(quotes are verbatim legal text and may contain '<', '&' or Markdown syntax).
"""
from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any, Iterable, Sequence
from urllib.parse import urlparse

from assistant.types import Assessment, Answer, Citation
from aiact.corpus.provision import OMNIBUS, Provision

TIER_INFO: dict[str, tuple[str, str]] = {
    # tier -> (headline, one-line meaning); colours live in ui/style.py, keyed by the tier name
    "prohibited": ("Prohibited", "A prohibited AI practice under Article 5: it may not be placed on "
                   "the market, put into service or used in the EU."),
    "high-risk": ("High-risk", "A high-risk AI system: the requirements of Chapter III apply "
                  "(risk management, data governance, documentation, human oversight, conformity)."),
    "limited": ("Limited risk", "Transparency obligations apply (Article 50): people must be told "
                "they are dealing with AI, and synthetic content must be marked."),
    "minimal": ("Minimal risk", "No specific obligations under the AI Act beyond AI literacy "
                "(Article 4); voluntary codes of conduct are encouraged."),
}
KIND_CLASS = {"binding law": "binding", "amending act": "binding", "guidelines": "guidance",
              "code of practice": "guidance"}


def esc(text: Any) -> str:
    return html.escape(str(text or ""), quote=True)


def safe_url(url: str) -> str:
    """Only http(s) links: a corpus url is data, and must never become a javascript: link."""
    return url if urlparse(url or "").scheme in ("http", "https") else ""


def link_label(url: str) -> str:
    host = urlparse(url).hostname or ""
    return "Open on EUR-Lex" if host.endswith("eur-lex.europa.eu") else "Open source document"


def source_link(url: str) -> str:
    url = safe_url(url)
    if not url:
        return ""
    return (f'<a class="src-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer">'
            f"{link_label(url)} ↗</a>")


def amendment_regulation(amended_by: str) -> str:
    """'Regulation (EU) 2026/1744, Article 1, point (40)(b)' -> 'Regulation (EU) 2026/1744'."""
    head = (amended_by or "").split(",")[0].strip()
    return head if head.lower().startswith(("regulation", "directive", "decision")) else OMNIBUS


def badges(kind_label: str, kind: str, amendment: str, amended_by: str, superseded: bool) -> str:
    out = []
    if kind_label:
        out.append(f'<span class="badge badge-{KIND_CLASS.get(kind, "guidance")}">{esc(kind_label)}</span>')
    if amendment:
        detail = f"{amended_by} ({amendment})" if amended_by else amendment
        out.append(f'<span class="badge badge-amended" title="{esc(detail)}">amended by '
                   f"{esc(amendment_regulation(amended_by))}</span>")
    if superseded:
        out.append('<span class="badge badge-old" title="no longer in force">earlier wording</span>')
    return " ".join(out)


def kind_label(kind: str) -> str:
    return kind if kind in ("binding law", "amending act") or not kind else f"{kind} (non-binding)"


def citation_card(c: Citation) -> str:
    title = f" — {esc(c.title)}" if c.title else ""
    detail = ""
    if c.amendment and c.amended_by:
        detail = f'<div class="src-detail">{esc(c.amendment.capitalize())} by {esc(c.amended_by)}</div>'
    return (
        f'<div class="src-card" id="src-{c.n}">'
        f'<div class="src-head"><span class="src-n">[{c.n}]</span> <b>{esc(c.reference)}</b>{title}</div>'
        f'<div class="src-meta"><span class="src-doc">{esc(c.document)}</span> '
        f"{badges(c.label, c.kind, c.amendment, c.amended_by, c.superseded)}</div>{detail}"
        f'<blockquote class="src-quote" tabindex="0">{esc(c.quote)}</blockquote>{source_link(c.url)}'
        f"{why_ranked(c.features)}</div>"
    )


def why_ranked(features: dict) -> str:
    """The features that put this passage among the citations, with their effect on its score."""
    if not features:
        return ""
    from assistant.rank import load_ranker

    items = "".join(f'<li><span class="why-effect">{e:+.1f}</span> {esc(text)}</li>'
                    for _, text, e in load_ranker().reasons(features))
    return (f'<details class="src-why"><summary>Why it ranked</summary><ul>{items}</ul></details>'
            if items else "")


def sources_html(citations: Sequence[Citation], heading: str = "Sources", note: str = "") -> str:
    """The cards of an answer or assessment; class "answered" tells a waiting test (or script) the
    result is in, with or without citations."""
    note_html = f'<div class="src-note">{esc(note)}</div>' if note else ""
    body = "".join(citation_card(c) for c in citations) or '<p class="muted">No provision to show.</p>'
    return f'<div class="sources answered"><h2>{esc(heading)}</h2>{note_html}{body}</div>'


def progress_sources(question: str = "") -> str:
    """The sources panel while an answer is composed: a visible, announced progress state."""
    about = f" for “{esc(question[:80])}”" if question else ""
    return ('<div class="sources busy" role="status" aria-live="polite"><h2>Sources</h2>'
            '<div class="progress"><span class="spinner" aria-hidden="true"></span>'
            f"<span>Searching the AI Act, the guidelines and the code of practice{about}… "
            "the answer comes first, then its sources here.</span></div></div>")


def empty_sources() -> str:
    return ('<div class="sources"><h2>Sources</h2><p class="muted">Ask a question: the provisions '
            "behind the answer appear here, quoted verbatim, with a link to the official text.</p></div>")


MARKER = re.compile(r"\[(\d{1,3})\]")


def linked_markers(text: str, numbers: Iterable[int]) -> str:
    """Each marker [n] of a cited provision becomes a link to its card (#src-n) in the sources
    panel; a script in ui/style.py scrolls to the card and highlights it. Other brackets (a
    footnote [^96], a point (1)) stay as they are."""
    known = set(numbers)
    return MARKER.sub(lambda m: f"[\\[{m.group(1)}\\]](#src-{m.group(1)})" if int(m.group(1)) in known
                      else m.group(0), text)


def rephrase_note(answer: Answer) -> str:
    by = getattr(answer, "rephrased_by", "")
    return (f"Worded by a language model ({by}) from the quoted provisions; every sentence was checked "
            "against them. The quotes are verbatim.") if by else ""


def answer_message(answer: Answer) -> str:
    """The chat bubble: the answer with its [n] markers as links, notes, and a compact list of sources."""
    numbers = [c.n for c in answer.citations]
    parts = [linked_markers(answer.text.strip(), numbers) or "(no answer)"]
    parts += [f"*{n}*" for n in answer.notes]
    if rephrase_note(answer):
        parts.append(f"*{rephrase_note(answer)}*")
    if answer.citations:
        refs = " · ".join(f"[{c.n}] {c.reference}" + ("" if c.document == "AI Act" else f" ({c.document})")
                          for c in answer.citations)
        parts.append(f"<small>Sources: {esc(refs)}</small>")
    return "\n\n".join(parts)


def answer_sources(answer: Answer) -> str:
    note = f"The law as it stands on {answer.as_of}." if answer.as_of else ""
    if answer.abstained and not answer.citations:
        return sources_html((), "Sources", "No provision in the corpus answers this question closely enough.")
    return sources_html(answer.citations, "Sources", note)


def tier_html(tier: str) -> str:
    head, meaning = TIER_INFO.get(tier, (tier or "Unknown", ""))
    return (f'<div class="tier tier-{esc(tier)}"><div class="tier-kicker">Risk tier</div>'
            f'<div class="tier-name">{esc(head)}</div><div class="tier-meaning">{esc(meaning)}</div></div>')


def checks_markdown(checks: Iterable[str]) -> str:
    items = [f"- {c}" for c in checks]
    return "## What to check next\n" + ("\n".join(items) if items else "- Nothing further flagged.")


def without_checks(text: str, checks: Iterable[str]) -> str:
    """The reasons minus a 'What to check next' block repeating ``checks`` (the CLI prints the text
    alone, so the assistant may include them; the page shows them under their own heading)."""
    listed = {" ".join(c.split()) for c in checks}
    keep = []
    for line in text.splitlines():
        bare = " ".join(line.strip().lstrip("-*• ").split())
        if bare.rstrip(":").lower() == "what to check next" or (bare and bare in listed):
            continue
        keep.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(keep)).strip()


def assessment_parts(a: Assessment) -> tuple[str, str, str, str]:
    """(tier banner HTML, reasons Markdown, deciding provisions HTML, checks Markdown)."""
    return (tier_html(a.tier), "## Why\n" + without_checks(a.text, a.checks),
            sources_html(a.citations, "Deciding provisions"), checks_markdown(a.checks))


def long_date(d: dt.date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else ""


def around_date(sentence: str, day: dt.date, width: int = 260) -> str:
    """The sentence, or for a long one (Annex X cites whole regulations) the words around its date."""
    text = " ".join(sentence.split())
    if len(text) <= width:
        return text
    at = max(text.find(long_date(day)), 0)
    start = max(0, min(at - width // 2, len(text) - width))
    end = start + width
    if start:  # whole words only: step to the next space, or back to the previous one at the end
        start = text.find(" ", start) + 1
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def timeline_rows(entries: Sequence[Any]) -> list[list[str]]:
    """Table rows: date, provision, what applies, amended?, earlier date, past/upcoming."""
    rows = []
    for e in entries:
        prov = f"{e.reference}" + (f" — {e.title}" if e.title else "")
        if e.document != "AI Act":
            prov += f" ({e.document})"
        rows.append([e.date.isoformat(), prov, around_date(e.text, e.date),
                     "amended" if e.amended else "",
                     e.superseded_date.isoformat() if e.superseded_date else "", e.status])
    return rows


TIMELINE_HEADERS = ["Date", "Provision", "What applies", "Amended?", "Was (before the Omnibus)", "Status"]


def short_date(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def moved_html(e: Any) -> str:
    """'2 Aug 2026 → 2 Dec 2027, moved by the Omnibus' for a date the Digital Omnibus moved."""
    if not e.superseded_date:
        return f'<span class="date">{short_date(e.date)}</span>'
    return (f'<span class="date"><s aria-label="was {long_date(e.superseded_date)}">{short_date(e.superseded_date)}</s>'
            f' → <b>{short_date(e.date)}</b></span> <span class="badge badge-amended">moved by the Omnibus</span>')


def timeline_table(entries: Sequence[Any], caption: str) -> str:
    """The dates as an HTML table, ordered by date, in a box that scrolls sideways on a phone
    instead of widening the page. Each provision links to its official text."""
    rows = []
    for e in sorted(entries, key=lambda x: (x.date, x.reference)):
        url = safe_url(e.url)
        ref = esc(e.reference) + (f" ({esc(e.document)})" if e.document != "AI Act" else "")
        ref = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{ref}</a>' if url else ref
        title = f'<div class="muted">{esc(e.title)}</div>' if e.title else ""
        amended = ' <span class="badge badge-amended">amended</span>' if e.amended and not e.superseded_date else ""
        rows.append(f'<tr class="{esc(e.status)}{" moved" if e.superseded_date else ""}">'
                    f'<td class="when">{moved_html(e)}</td><td class="prov">{ref}{amended}{title}</td>'
                    f'<td class="what">{esc(around_date(e.text, e.date))}</td>'
                    f'<td><span class="status status-{esc(e.status)}">{esc(e.status)}</span></td></tr>')
    body = "".join(rows) or '<tr><td colspan="4" class="muted">No date matches this filter.</td></tr>'
    return (f'<div class="table-scroll" role="region" aria-label="{esc(caption)}" tabindex="0">'
            f'<table class="timeline"><caption>{esc(caption)}</caption>'
            '<colgroup><col class="c-when"><col class="c-prov"><col class="c-what"><col class="c-status"></colgroup>'
            '<thead><tr><th scope="col">Date</th>'
            '<th scope="col">Provision</th><th scope="col">What applies (the sentence, verbatim)</th>'
            f'<th scope="col">Status</th></tr></thead><tbody>{body}</tbody></table></div>')


def next_for_me(entries: Sequence[Any], role: str, today: dt.date, words: Sequence[str], limit: int = 4) -> str:
    """The next few dates for a role: those whose sentence names the role (``words``), and the dates
    from which whole parts of the Act apply (Article 113), soonest first."""
    def concerns(e: Any) -> bool:
        text = e.text.lower()
        return not words or e.reference.startswith("Article 113") or any(w.lower() in text for w in words)

    upcoming = sorted((e for e in entries if e.date > today and concerns(e)), key=lambda e: (e.date, e.reference))
    if not upcoming:
        return f'<div class="next"><p class="muted">No upcoming date names {esc(role.lower())}.</p></div>'
    items = "".join(
        f'<li><span class="when">{moved_html(e)}</span> <b>{esc(e.reference)}</b>: '
        f"{esc(around_date(e.text, e.date, 160))}</li>" for e in upcoming[:limit])
    more = len(upcoming) - limit
    tail = f'<p class="muted">and {more} later date{"s" * (more > 1)} in the table below.</p>' if more > 0 else ""
    return (f'<div class="next"><h2>What is next for: {esc(role)}</h2><ol>{items}</ol>{tail}'
            '<p class="muted">Dates whose sentence names this role, and the dates from which parts of the '
            "Act apply (Article 113). Check the provisions: this is a reading aid, not advice.</p></div>")


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text or "") if b.strip()]
    return "".join(f"<p>{esc(' '.join(b.split()))}</p>" for b in blocks) or "<p>(no text)</p>"


def validity(p: Provision) -> str:
    """When this wording is (was) the law; valid_to is exclusive, so the last day is the day before."""
    if p.valid_from and p.valid_to:
        return f"this wording in force {long_date(p.valid_from)} – {long_date(p.valid_to - dt.timedelta(days=1))}"
    if p.valid_from:
        return f"this wording in force since {long_date(p.valid_from)}"
    if p.valid_to:
        return f"this wording in force until {long_date(p.valid_to - dt.timedelta(days=1))}"
    return ""


def provision_card(p: Provision, earlier: bool = False, parts: Sequence[Provision] = ()) -> str:
    source = f"source: {p.version}" if p.version else ""
    meta = " · ".join(esc(x) for x in (p.document, validity(p), source) if x)
    title = f" — {esc(p.title)}" if p.title else ""
    detail = ""
    if p.amendment and p.amended_by:
        detail = f'<div class="src-detail">{esc(p.amendment.capitalize())} by {esc(p.amended_by)}</div>'
    parts_html = f'<div class="parts">{"".join(part_html(x) for x in parts)}</div>' if parts else ""
    return (f'<div class="src-card{" old" if earlier else ""}"><div class="src-head"><b>{esc(p.reference)}</b>'
            f'{title}</div><div class="src-meta">{meta} '
            f"{badges(kind_label(p.kind), p.kind, p.amendment, p.amended_by, earlier)}</div>{detail}"
            f'<div class="prov-text" tabindex="0">{_paragraphs(p.text)}</div>{parts_html}{source_link(p.url)}</div>')


def part_html(p: Provision) -> str:
    """A point of the provision shown above it, compact: its reference, badges and text."""
    return (f'<div class="part"><div class="part-head"><b>{esc(p.reference)}</b> '
            f"{badges('', p.kind, p.amendment, p.amended_by, False)}</div>{_paragraphs(p.text)}</div>")


def provision_html(current: Provision, versions: Sequence[Provision], parts: Sequence[Provision] = ()) -> str:
    earlier = [v for v in versions if v.reference != current.reference or v.version != current.version
               or v.valid_from != current.valid_from]
    out = ['<div class="sources"><h2>Current wording</h2>', provision_card(current, parts=parts)]
    if earlier:
        out.append(f"<h2>Earlier wording{'s' if len(earlier) > 1 else ''}</h2>")
        out += [provision_card(v, earlier=True) for v in earlier]
    out.append("</div>")
    return "".join(out)


def not_found_html(reference: str, document: str) -> str:
    return (f'<div class="notice">No provision <b>{esc(reference)}</b> in <i>{esc(document)}</i>. '
            "Write it as the law does, e.g. <code>Article 50(2)</code>, <code>Article 5</code>, "
            "<code>Annex III</code>, <code>Recital 27</code>; in the guidelines, paragraphs are "
            "<code>para. 12</code>; the code of practice uses its own headings (<code>Objectives</code>, "
            "<code>Appendix 4.4</code>). Check the document chosen in the list.</div>")


def error_html(message: str) -> str:
    return f'<div class="notice error">{esc(message)}</div>'
