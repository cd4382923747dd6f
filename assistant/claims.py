"""Is a model's rephrasing backed by the provisions it was given? One verdict, one reason.

The optional LLM may only say what the retrieved provisions say. A reply is accepted when, for
every sentence: it carries markers ``[n]`` of provisions it was given; every reference ("Article
99(8)"), date, amount, percentage and number in it stands in the provisions that sentence cites;
every quoted span (any quote style, any length) stands verbatim in them; words of negation or
exemption it uses stand in them too; and most of its content words come from those provisions or
the question. The whole reply must be short and plain text: no links, images, HTML or Markdown
media, which a browser would load or a reader would follow. Anything else is rejected with the
reason, and the extractive answer stands.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from assistant.references import MONTHS, find_references
from assistant.types import Citation

MARKER = re.compile(r"\[(\d{1,3})\]")
# Links, images and markup of any kind: a rephrasing is plain sentences with markers.
MEDIA = (
    (re.compile(r"[a-z][a-z0-9+.-]{1,15}://", re.I), "a link"),
    (re.compile(r"\bwww\.|\b[a-z0-9-]+\.(?:com|org|net|io|eu|info|ly|co|xyz|ru|cn)\b(?:/|\s|$)", re.I), "a link"),
    (re.compile(r"\b(?:data|javascript|vbscript|mailto|file):", re.I), "a link"),
    (re.compile(r"!\["), "a Markdown image"),
    (re.compile(r"\]\s*\(|^\s*\[[^\]]+\]:\s*\S", re.M), "a Markdown link"),
    (re.compile(r"<\s*[a-z!/?]|&#?\w+;", re.I), "HTML"),
    (re.compile(r"`"), "code markup"),
)
# A quoted span in any style; straight single quotes only when they are not apostrophes.
QUOTES = (
    re.compile(r"“([^”]*)”"), re.compile(r"„([^“”]*)[“”]"), re.compile(r"«([^»]*)»"),
    re.compile(r"»([^«]*)«"), re.compile(r"\"([^\"]*)\""), re.compile(r"(?<!\w)‘([^’]*(?:’\w[^’]*)*)’(?!\w)"),
    re.compile(r"(?<![\w'])'([^']*(?:'\w[^']*)*)'(?![\w'])"), re.compile(r"‹([^›]*)›"),
    re.compile(r"「([^」]*)」"),
)
QUOTE_CHARS = "“”„«»\"‘’‹›「」"
BLOCKQUOTE = re.compile(r"^\s*>\s?(.*)$", re.M)
SENTENCE = re.compile(r"(?<=[.!?…])[”’»)]*\s+(?=[A-Z“„«‘'(\u2af7])|(?<=\])\s+(?=[A-Z])|\n+")
MASKABLE = re.compile(r"“[^”]*”|„[^“”]*[“”]|«[^»]*»|\"[^\"\n]*\"")
THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?![\d])")
SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
SCALED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(thousand|million|billion|trillion|bn|m)\b", re.I)
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12, "percent": -1,
}
ROMAN = re.compile(r"\b(?:Annex|Chapter|Title|Section)\s+([IVXL]+|[A-Z])\b")
MONTH_NAMES = "|".join(m.capitalize() for m in MONTHS)
DATE_FORMS = (
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_NAMES})\s*,?\s+(\d{{4}})\b", re.I), "dmy"),
    (re.compile(rf"\b({MONTH_NAMES})\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})\b", re.I), "mdy"),
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b"), "dmy-num"),
)
MONTH_YEAR = re.compile(rf"(?<!\d\s)(?<!\d)\b({MONTH_NAMES})\s+(\d{{4}})\b", re.I)
# Words that turn a provision's meaning around: a sentence may use them only if its provisions do.
POLARITY = {"not", "no", "never", "none", "nothing", "neither", "nor", "cannot", "exempt", "exempted",
            "exemption", "exempts", "waived", "waive", "optional", "voluntary", "repealed", "repeal",
            "abolished", "suspended", "void", "unless", "except", "excluded", "without", "only",
            "nobody", "allowed", "permitted", "unlimited", "forever", "indefinitely"}
NEGATION = re.compile(r"n[’']t\b", re.I)
STOPWORDS = frozenset("""a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further
had has have having he her here hers him his how i if in into is it its itself just me more most my
myself of off on once or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours shall must may might means mean under
which whose upon per within cited provision provisions article articles answer rule rules say says
said state states stated apply applies applied regulation act law eu ai system systems also
however therefore thus according need needs needed start starts starting date dates deadline
yes simply short plain words put other like there here""".split())


@dataclass(frozen=True)
class Verdict:
    """``ok`` or the first reason the reply was rejected (for the log)."""

    ok: bool
    reason: str = ""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("\u00ad", "")):
        text = text.replace(a, b)
    return " ".join(text.split())


@functools.lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer, already a dependency for BM25

    return Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word.lower().strip("'"))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text.lower())


def _digits(token: str) -> str:
    return re.sub(r"[ \u00a0\u202f,.]", "", token)


def numbers(text: str, generous: bool = False) -> set[str]:
    """Every number a text states, normalised: '35 000 000', '35,000,000', 'EUR 35 million' and
    'thirty-five million' all give '35000000'; '7 %' gives '7'. ``generous`` (for the sources)
    also gives each group of digits of a long number alone."""
    text = unicodedata.normalize("NFKC", text)
    out: set[str] = set()
    for m in SCALED.finditer(text):
        unit = m.group(2).lower()
        factor = SCALE.get(unit) or {"bn": 10**9, "m": 10**6}[unit]
        value = float(m.group(1).replace(",", ".")) * factor
        out.add(str(int(value)) if value == int(value) else str(value))
    for m in THOUSANDS.finditer(text):  # '35 000 000' is one number, not three
        out.add(_digits(m.group()))
    rest = text if generous else THOUSANDS.sub(" ", text)
    out.update(str(int(n)) for n in re.findall(r"\d+", rest))
    words = _words(SCALED.sub(" ", text).replace("-", " "))
    total, current = 0, 0
    for w in words + ["."]:
        value = NUMBER_WORDS.get(w)
        if value is None or value == -1:
            if current or total:
                out.add(str(int(total + current)))
            total = current = 0
            continue
        if value in (100,):
            current = (current or 1) * 100
        elif value >= 1000:
            total += (current or 1) * value
            current = 0
        else:
            current += value
    return out


def dates(text: str) -> set[dt.date | tuple[int, int]]:
    """Every date a text states, in any common form; 'December 2027' as (year, month)."""
    out: set = set()
    for pattern, form in DATE_FORMS:
        for m in pattern.finditer(text):
            g = m.groups()
            try:
                if form == "dmy":
                    out.add(dt.date(int(g[2]), MONTHS[g[1].lower()], int(g[0])))
                elif form == "mdy":
                    out.add(dt.date(int(g[2]), MONTHS[g[0].lower()], int(g[1])))
                elif form == "ymd":
                    out.add(dt.date(int(g[0]), int(g[1]), int(g[2])))
                else:
                    out.add(dt.date(int(g[2]), int(g[1]), int(g[0])))
            except ValueError:
                out.add((0, 0))  # an impossible date is never backed
    for m in MONTH_YEAR.finditer(text):
        out.add((int(m.group(2)), MONTHS[m.group(1).lower()]))
    return out


def _month_years(found: set) -> set:
    return {(d.year, d.month) for d in found if isinstance(d, dt.date)} | {d for d in found if isinstance(d, tuple)}


def quoted_spans(text: str) -> list[str]:
    spans = [m.group(1) for q in QUOTES for m in q.finditer(text)]
    spans += [m.group(1) for m in BLOCKQUOTE.finditer(text)]
    return [s for s in spans if s.strip(" .,;:…-")]


def references(text: str) -> set[str]:
    refs = {r.reference for r in find_references(text)}
    refs |= {m.group(0) for m in ROMAN.finditer(text)}
    refs |= set(re.findall(r"\b(?:Regulation|Directive|Decision)\s+\((?:EU|EC|EEC|Euratom)\)\s+(?:No\s+)?\d+/\d+",
                           text))
    return refs


@dataclass(frozen=True)
class Sources:
    """What a sentence may draw on: the text of its cited provisions, normalised once."""

    text: str
    numbers: frozenset[str]
    dates: frozenset
    month_years: frozenset
    references: frozenset[str]
    stems: frozenset[str]

    @classmethod
    def of(cls, citations: Iterable[Citation], extra: str = "") -> "Sources":
        parts = []
        for c in citations:
            if c.document == "AI Act":  # how the Act is named, even where a provision does not say it
                parts.append("Regulation (EU) 2024/1689.")
            parts.append(f"{c.document}. {c.reference}. {c.title}. {c.quote} {c.amended_by}")
        text = _norm(" ".join(parts))
        found = dates(text)
        words = _words(text + " " + extra)
        refs = references(text)
        # A provision's own reference covers its parents: 'Article 113(c)' backs 'Article 113'.
        for r in list(refs):
            while "(" in r:
                r = r[: r.rfind("(")]
                refs.add(r)
        return cls(text, frozenset(numbers(text, generous=True)), frozenset(found), frozenset(_month_years(found)),
                   frozenset(refs), frozenset(_stem(w) for w in words))


def split_sentences(text: str) -> list[str]:
    """Sentences of a reply; a quoted span is never split, whatever full stops it holds."""
    spans: list[str] = []

    def mask(m: re.Match) -> str:
        spans.append(m.group(0))
        return f"\u2af7{len(spans) - 1}\u2af8"

    masked = MASKABLE.sub(mask, text.strip())
    out = []
    for s in SENTENCE.split(masked):
        s = re.sub("\u2af7(\\d+)\u2af8", lambda m: spans[int(m.group(1))], s).strip()
        if s.strip(" \t-*•"):
            out.append(s)
    return out


def _quote_backed(span: str, source_text: str) -> bool:
    pieces = [p.strip(" .,;:-") for p in re.split(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*", _norm(span))]
    pieces = [p for p in pieces if p]
    return bool(pieces) and all(p in source_text for p in pieces)


def check_sentence(sentence: str, question: str, given: dict[int, Citation],
                   all_sources: Sources, min_share: float) -> str:
    """'' when the sentence is backed, else why not."""
    markers = {int(m) for m in MARKER.findall(sentence)}
    if not markers:
        return f"a sentence without a marker: {sentence[:80]!r}"
    unknown = markers - set(given)
    if unknown:
        return f"a marker of a provision it was not given: [{min(unknown)}]"
    own = Sources.of([given[n] for n in sorted(markers)])
    body = MARKER.sub(" ", sentence)
    for span in quoted_spans(body):
        if not _quote_backed(span, own.text):
            return f"a quote not verbatim in its provisions: {span[:60]!r}"
    plain = body
    for q in QUOTES:
        plain = q.sub(" ", plain)
    for ref in references(plain):
        if ref not in own.references and _norm(ref) not in own.text:
            return f"a reference its provisions do not make: {ref!r}"
    stated = dates(plain)
    for d in stated:
        if isinstance(d, dt.date) and d not in own.dates:
            return f"a date its provisions do not state: {d}"
        if isinstance(d, tuple) and d not in own.month_years:
            return f"a date its provisions do not state: {d}"
    for n in numbers(plain) - own.numbers:
        return f"a number its provisions do not state: {n}"
    words = _words(NEGATION.sub(" not", plain))
    for w in words:
        if w in POLARITY and _stem(w) not in own.stems:
            return f"a word that changes the meaning, not in its provisions: {w!r}"
    content = [w for w in words if len(w) > 2 and w not in STOPWORDS and w not in NUMBER_WORDS]
    if content:
        missing = [w for w in content if _stem(w) not in all_sources.stems]
        # One plain word of the model's own is fine ("Fines reach 7 %"); more must be a minority.
        if len(missing) > 1 and 1 - len(missing) / len(content) < min_share:
            return f"a sentence its provisions do not support (unsupported words: {', '.join(missing[:6])})"
    return ""


def check_reply(text: str, question: str, citations: Sequence[Citation], max_chars: int,
                min_share: float = 0.7) -> Verdict:
    """Accept the model's ``text`` only if every claim in it is backed (see the module doc)."""
    if not text or not text.strip():
        return Verdict(False, "an empty reply")
    if len(text) > max_chars:
        return Verdict(False, f"a reply of {len(text)} characters (limit {max_chars}, AIACT_LLM_MAX_CHARS)")
    if any(unicodedata.category(ch) in ("Cf", "Co", "Cs") for ch in text):
        return Verdict(False, "invisible or private-use characters")
    for pattern, what in MEDIA:
        if pattern.search(text):
            return Verdict(False, f"{what} in the reply")
    given = {c.n: c for c in citations}
    all_sources = Sources.of(citations, question)
    sentences = split_sentences(text)
    if not sentences:
        return Verdict(False, "no sentences")
    for s in sentences:
        reason = check_sentence(s, question, given, all_sources, min_share)
        if reason:
            return Verdict(False, reason)
    return Verdict(True)
