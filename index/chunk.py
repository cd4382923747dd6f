"""Provision → nodes. Each node is a verbatim slice of one provision (never two), small enough
for the embedding model's 256-wordpiece window once its heading is prefixed."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from aiact.corpus.provision import Provision

CHUNKER_VERSION = "6"
MAX_TOKENS = 230  # the model truncates at 256 wordpieces; keep a margin for special tokens
SENTENCE_END = re.compile(r"(?<=[.;:])\s+(?=[(‘“A-Z0-9•–—-])|\n\n")
PARENT = re.compile(r"^(.*)\(([^()]+)\)$")
FAR_FUTURE = 99991231


@dataclass(frozen=True)
class Chunk:
    """A node before embedding: ``text`` is verbatim, ``embed_text`` adds the provision heading."""

    id: str
    provision_id: str
    text: str
    embed_text: str
    metadata: dict


def date_key(day) -> int:
    return int(day.strftime("%Y%m%d")) if day else 0


def heading(p: Provision, context: str = "") -> str:
    head = f"{p.document}, {p.reference}" + (f" — {p.title}" if p.title else "")
    if p.path and p.kind != "binding law":
        head += f" ({p.path[-1]})" if p.path[-1] != p.title else ""
    return head + (f" — {context}" if context else "")


CHAPTER_HEADING = re.compile(r"^CHAPTER ([IVX]+)(?:, SECTION (\d+))? — (.+)$")
CHAPTER_REF = re.compile(r"\bChapters? ((?:[IVX]+(?:,? (?:and )?)?)+)(?:,?\s*Sections? ((?:\d+(?:,? (?:and )?)?)+))?")


def chapter_titles(provisions: list[Provision]) -> dict[tuple[str, str], str]:
    """('III', '') → 'HIGH-RISK AI SYSTEMS', ('III', '4') → 'Notifying authorities and notified bodies'."""
    titles: dict[tuple[str, str], str] = {}
    for p in provisions:
        for heading in p.path:
            m = CHAPTER_HEADING.match(heading)
            if m:
                titles[(m.group(1), m.group(2) or "")] = m.group(3)
    return titles


def chapters_named(text: str) -> list[tuple[str, str]]:
    """Chapters and sections a text names, in order: [('III', '4'), ('V', '')] for 'Chapter III
    Section 4, Chapter V' ('' = the whole chapter)."""
    return list(_chapters_named(text))


@lru_cache(maxsize=4096)  # answering asks it of the same dated provisions for every 'when' question
def _chapters_named(text: str) -> tuple[tuple[str, str], ...]:
    named: list[tuple[str, str]] = []
    for m in CHAPTER_REF.finditer(text):
        romans = re.findall(r"[IVX]+", m.group(1))
        sections = re.findall(r"\d+", m.group(2) or "")
        if len(romans) == 1 and sections:
            named += [(romans[0], x) for x in sections]
        else:
            named += [(r, "") for r in romans]
    return tuple(dict.fromkeys(named))


def chapter_context(text: str, titles: dict[tuple[str, str], str]) -> str:
    """What 'Chapter V' or 'Chapter III Section 4' in a provision is about: a date set for
    'Chapter V' answers a question about general-purpose AI models."""
    return "; ".join(dict.fromkeys(titles[k].lower() for k in chapters_named(text) if k in titles))


def parent_context(p: Provision, by_ref: dict[tuple[str, str, str], Provision], words: int = 24) -> str:
    """The opening words of the paragraph or point a point belongs to (its chapeau)."""
    m = PARENT.match(p.reference)
    if not m:
        return ""
    parent_ref = m.group(1).rstrip(", ")
    if parent_ref.endswith("point"):
        return ""
    parent = by_ref.get((p.document, parent_ref, p.version))
    if parent is None:
        return ""
    return " ".join(parent.text.split()[:words])


def split_sentences(text: str) -> list[str]:
    """Sentences and list items; a bare label ("1.", "(a)") or a cut abbreviation ("p.") is
    joined to what follows it."""
    return list(_split_sentences(text))


@lru_cache(maxsize=16384)
def _split_sentences(text: str) -> tuple[str, ...]:
    # Answering splits the same provision texts for every question: once per process is enough.
    out: list[str] = []
    carry = ""
    for piece in SENTENCE_END.split(text):
        if not piece or not piece.strip():
            continue
        piece = f"{carry} {piece.strip()}" if carry else piece.strip()
        if len(piece) < 12 or piece.endswith((" p.", " No.", " pp.", " Art.")):
            carry = piece
            continue
        carry = ""
        out.append(piece)
    if carry:
        out.append(carry)
    return tuple(out)


def _pack(pieces: Iterable[str], budget: int, count: Callable[[str], int]) -> list[str]:
    pieces = list(pieces)
    # Most provisions fit whole. Counts only grow as a text is extended (wordpieces of
    # space-joined pieces add up), so when the whole fits, the greedy loop below would keep every
    # piece in one chunk: one count instead of one per sentence.
    whole = " ".join(p for p in pieces if p).strip()
    if whole and count(whole) <= budget:
        return [whole]
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current} {piece}".strip() if current else piece
        if count(candidate) <= budget:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if count(piece) <= budget:
            current = piece
        else:  # one very long sentence: split it by words
            words = piece.split()
            current = ""
            for w in words:
                cand = f"{current} {w}" if current else w
                if count(cand) > budget and current:
                    chunks.append(current)
                    current = w
                else:
                    current = cand
    if current:
        chunks.append(current)
    return chunks


def chunk_provisions(provisions: list[Provision], count: Callable[[str], int],
                     max_tokens: int = MAX_TOKENS) -> list[Chunk]:
    by_ref = {(p.document, p.reference, p.version): p for p in provisions}
    titles = chapter_titles(provisions)
    chunks: list[Chunk] = []
    for p in provisions:
        context = parent_context(p, by_ref)
        if p.kind == "binding law":
            chapters = chapter_context(p.text, titles)
            context = f"{context} ({chapters})" if context and chapters else (context or chapters)
        head = heading(p, context)
        head_tokens = count(head)
        budget = max(48, max_tokens - head_tokens - 2)
        if head_tokens > max_tokens // 2:  # a very long heading: keep its start
            head = " ".join(head.split()[:30])
            budget = max_tokens - count(head) - 2
        normalised = " ".join(p.text.split())
        parts = _pack((" ".join(s.split()) for s in split_sentences(p.text)), budget, count) or [normalised]
        for i, part in enumerate(parts):
            chunks.append(Chunk(
                id=f"{p.id}#{i}",
                provision_id=p.id,
                text=part,
                embed_text=f"{head}\n{part}",
                metadata={
                    "provision_id": p.id,
                    "document": p.document,
                    "reference": p.reference,
                    "title": p.title,
                    "kind": p.kind,
                    "version": p.version,
                    "url": p.url,
                    "valid_from": date_key(p.valid_from),
                    "valid_to": date_key(p.valid_to) or FAR_FUTURE,
                    "amended": bool(p.amendment),
                    "part": i,
                },
            ))
    return chunks
