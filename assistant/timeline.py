"""Every application date the AI Act states, read from the provisions' own text.

A date is an entry when it is 2024 or later (earlier dates belong to other acts the Annexes
list). For a provision the Digital Omnibus changed, the dates its 2024 wording had and the
current wording no longer has are given as superseded.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from assistant.references import all_dates
from aiact.corpus.provision import OMNIBUS_IN_FORCE, Provision
from aiact.index.chunk import split_sentences

FIRST_YEAR = 2024


@dataclass(frozen=True)
class Move:
    """A date the Omnibus moved, from the law data (``assistant/law/data/dates.toml``: a fact with
    a ``superseded_date``): ``words`` in ``reference`` state ``date`` today; ``was_words`` gave
    ``was_date`` before. Used where the 2024 date stood in another sentence than the new one, so
    the timeline cannot pair them by reading a sentence against its own 2024 wording."""

    subject: str
    reference: str
    date: dt.date
    words: str
    was_date: dt.date
    was_words: str


@functools.cache
def load_moves() -> tuple[Move, ...]:
    from assistant.law import load_law

    moves = []
    for fact in load_law().subject("dates"):
        was_date = fact.get("superseded_date")
        if not was_date or fact.valid_to is not None:
            continue
        now = next((s for s in fact.sources if s.on is None or s.on >= OMNIBUS_IN_FORCE), None)
        was = next((s for s in fact.sources if s.on is not None and s.on < OMNIBUS_IN_FORCE), None)
        if now and was and now.words and was.words:
            moves.append(Move(fact.get("subject", fact.id), now.reference, fact.date, now.words[0],
                              was_date, was.words[0]))
    return tuple(moves)


@dataclass(frozen=True)
class TimelineEntry:
    """One date the AI Act states: ``aiact timeline --json`` prints ``to_dict()`` of each.
    ``superseded_date`` is the date the 2024 wording gave, when the Digital Omnibus moved it."""

    date: dt.date
    document: str
    reference: str
    title: str
    text: str  # the sentence that states the date, verbatim
    url: str
    amended: bool
    superseded_date: dt.date | None
    superseded_text: str
    status: str  # "past" or "upcoming", relative to today

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "document": self.document, "reference": self.reference,
                "title": self.title, "text": self.text, "url": self.url, "amended": self.amended,
                "superseded_date": self.superseded_date.isoformat() if self.superseded_date else None,
                "superseded_text": self.superseded_text, "status": self.status}


def dated_sentences(p: Provision) -> list[tuple[dt.date, str]]:
    out = []
    for sentence in split_sentences(p.text):
        sentence = " ".join(sentence.split())
        for day, start, _ in all_dates(sentence):
            # "Regulation (EU) 2024/1689 … of 13 June 2024" dates an act, it sets no deadline.
            if day.year >= FIRST_YEAR and not sentence[:start].rstrip().endswith(" of"):
                out.append((day, sentence))
    return out


REFERENCE = re.compile(r"\b(?:Article \d+[a-z]?(?:\(\w{1,4}\))*|Annex [IVX]+|Chapter [IVX]+)")
WORD = re.compile(r"[a-z0-9]+")


def superseded_date(sentence: str, current_text: str, old_dated: list[tuple[dt.date, str]]) -> tuple[dt.date | None, str]:
    """The date the 2024 wording had where this sentence now has another one.

    The old sentence must speak of the same provisions (or, when neither names any, share most
    of its words) and hold as many dates; a date it has that the current text lost is the one
    that moved.
    """
    refs = set(REFERENCE.findall(sentence))
    words = set(WORD.findall(sentence.lower()))
    count = len(all_dates(sentence))
    for old_sentence in dict.fromkeys(s for _, s in old_dated):
        old_refs = set(REFERENCE.findall(old_sentence))
        old_words = set(WORD.findall(old_sentence.lower()))
        same = (refs & old_refs) if (refs or old_refs) else \
            len(words & old_words) >= 0.5 * len(words | old_words)
        if not same or len(all_dates(old_sentence)) != count:
            continue
        gone = [d for d, _, _ in all_dates(old_sentence) if d.strftime("%-d %B %Y") not in current_text]
        if gone:
            return gone[0], old_sentence
    return None, ""


def extract_timeline(provisions: Iterable[Provision], earlier: dict[str, Provision],
                     today: dt.date) -> list[TimelineEntry]:
    entries: dict[tuple[dt.date, str], TimelineEntry] = {}
    for p in provisions:
        if p.document != "AI Act" or not p.in_force_on(today) or p.reference.startswith("Recital"):
            continue
        dated = dated_sentences(p)
        if not dated:
            continue
        old = earlier.get(p.id)
        old_dated = dated_sentences(old) if old else []
        current_text = " ".join(p.text.split())
        for day, sentence in dated:
            superseded, old_sentence = superseded_date(sentence, current_text, old_dated)
            entries.setdefault((day, p.reference), TimelineEntry(
                date=day, document=p.document, reference=p.reference, title=p.title, text=sentence,
                url=p.url, amended=bool(p.amendment), superseded_date=superseded,
                superseded_text=old_sentence, status="past" if day <= today else "upcoming",
            ))
    return sorted((with_move(e) for e in entries.values()), key=lambda e: (e.date, e.reference))


def with_move(e: TimelineEntry) -> TimelineEntry:
    """The entry with the old date of a move listed in the data, if the text pairing found none."""
    if e.superseded_date:
        return e
    for m in load_moves():
        if m.reference == e.reference and m.date == e.date and " ".join(m.words.split()) in e.text:
            return replace(e, superseded_date=m.was_date, superseded_text=m.was_words, amended=True)
    return e
