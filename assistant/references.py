"""Reading legal references and dates in free text ("Art. 5(1)(f)", "Annex III, point 4",
"recital 27", "as of 1 January 2026"), written once for the question, the browser and the evals."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from aiact.corpus.provision import OMNIBUS_IN_FORCE

_ARTICLE = re.compile(
    r"\b(?:Articles?|Art\.?)\s*(\d{1,3}[a-z]?)((?:\s*\(\s*[0-9a-z]{1,4}\s*\))*)(?!\w)", re.I)
_ANNEX = re.compile(
    r"\bAnnex\s+([IVXL]+)\b(?:,?\s*(?:Section\s+([A-Z])\s*,?\s*)?(?:point\s+(\d+)((?:\([a-z0-9]{1,4}\))*))?)?",
    re.I)
_RECITAL = re.compile(r"\bRecitals?\s*\(?(\d{1,3})\)?", re.I)
_PARA = re.compile(r"\bpara(?:graph)?\.?\s*\(?(\d{1,3})\)?", re.I)
_MEASURE = re.compile(r"\b(Measure \d+\.\d+|Commitment \d+|Appendix \d+(?:\.\d+)*)\b", re.I)

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
DATE = re.compile(r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|"
                  r"October|November|December)\s+(\d{4})\b")
ISO_DATE = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
POINT_IN_TIME = re.compile(r"\b(?:as of|as at|as it stood on|in force on|(?:the )?law on|appl(?:y|ies|ied|icable) on)\s+"
                           r"(\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|20\d\d-\d\d-\d\d)", re.I)
ORIGINAL = re.compile(
    r"\b(originally|original (?:text|wording|version|date|deadline|rule)s?|initially|"
    r"before the (?:digital )?omnibus|prior to the (?:digital )?omnibus|before (?:it was|being) amended|"
    r"before the amendment|as (?:first |originally )?published|2024 (?:text|version|wording)|"
    r"in the 2024 (?:text|version|regulation)|pre-omnibus)\b", re.I)


@dataclass(frozen=True)
class Reference:
    """A reference as written in a question, in canonical form: 'Article 5(1)(f)'."""

    document: str
    reference: str


def canonical_article(number: str, labels: str) -> str:
    parts = re.findall(r"\(\s*([0-9a-z]{1,4})\s*\)", labels or "", re.I)
    return f"Article {number.lower()}" + "".join(f"({p.lower()})" for p in parts)


def find_references(text: str) -> list[Reference]:
    """Explicit references to the AI Act in a question, in order of appearance."""
    found: list[tuple[int, Reference]] = []
    for m in _ARTICLE.finditer(text):
        found.append((m.start(), Reference("AI Act", canonical_article(m.group(1), m.group(2)))))
    for m in _ANNEX.finditer(text):
        ref = f"Annex {m.group(1).upper()}"
        if m.group(2):
            ref += f", Section {m.group(2).upper()}"
        if m.group(3):
            ref += f", point {m.group(3)}" + (m.group(4) or "").lower()
        found.append((m.start(), Reference("AI Act", ref)))
    for m in _RECITAL.finditer(text):
        found.append((m.start(), Reference("AI Act", f"Recital {m.group(1)}")))
    return [r for _, r in sorted(found, key=lambda x: x[0])]


def find_other_references(text: str) -> list[str]:
    """Guideline paragraphs and code-of-practice labels: 'para. 60', 'Measure 1.1'."""
    out = [f"para. {m.group(1)}" for m in _PARA.finditer(text)]
    out += [m.group(1)[0].upper() + m.group(1)[1:] for m in _MEASURE.finditer(text)]
    return out


def parse_date(text: str) -> dt.date | None:
    m = DATE.search(text)
    if m:
        try:
            return dt.date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        except ValueError:
            return None
    m = ISO_DATE.search(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def point_in_time(question: str) -> dt.date | None:
    """The date a question asks the law at, if it names one ('originally' = before the Omnibus)."""
    if ORIGINAL.search(question):
        return OMNIBUS_IN_FORCE - dt.timedelta(days=1)
    m = POINT_IN_TIME.search(question)
    if m:
        return parse_date(m.group(1))
    return None


def all_dates(text: str) -> list[tuple[dt.date, int, int]]:
    """Every '2 December 2027' in a text, with its span."""
    out = []
    for m in DATE.finditer(text):
        try:
            out.append((dt.date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))),
                        m.start(), m.end()))
        except ValueError:
            continue
    return out


def is_descendant(reference: str, ancestor: str) -> bool:
    """'Article 5(1)(f)' is within 'Article 5(1)' and 'Article 5'; 'Annex III, point 4(a)' within
    'Annex III, point 4' and 'Annex III'."""
    if reference == ancestor:
        return True
    return reference.startswith(ancestor) and reference[len(ancestor)] in "(,"
