"""Questions in German, French, Italian, Spanish, Dutch and Polish, answered from the English text.

The question's language is recognised by its function words; its references ("Artikel 5 Absatz 1
Buchstabe f", "art. 5 ust. 1 lit. f)") are rewritten the way the Act's English text writes them, and
its key terms are translated through a glossary of the Act's defined terms, headings and the
words people ask with (``assistant/lang/<code>.toml``). The English question then goes through
the same plan and retrieval as any other; the answer keeps the English text's verbatim quotes,
its fixed phrases are put in the question's language through the same file's phrase table, and
EUR-Lex links point to the same provision in that language.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

LANG_DIR = Path(__file__).with_name("lang")
WORD = re.compile(r"\d+\^\d+|[^\W_]+(?:[-'’][^\W_]+)*", re.U)
QUOTED = re.compile(r"“[^”]*”")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")
LONG_DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(ENGLISH_MONTHS)}) (\d{{4}})\b")
AMOUNT = re.compile(r"\bEUR (\d{1,3}(?: \d{3})*)\b")
ELI = re.compile(r"^https://eur-lex\.europa\.eu/eli/reg/(\d{4})/(\d+)/oj(#.*)?$")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    eurlex: str  # the language segment of EUR-Lex addresses: 'DE'
    markers: frozenset[str]  # function words that tell the language apart
    references: dict  # word lists: article, paragraph, point, letter, annex, recital, para
    openings: tuple[tuple[re.Pattern, str], ...]  # question openings → English openings
    terms: tuple[tuple[tuple[str, ...], str], ...]  # token patterns ('*' = prefix) → English, longest first
    compounds: tuple[tuple[str, str], ...]  # stems found inside a long compound word → English
    phrases: tuple[tuple[str, str], ...]  # the answer's fixed English phrases → this language
    # The conclusion's sentence frames (English regex → this language, in order), the months and
    # how a date and an amount are written; empty for a language whose conclusions stay English.
    conclusions: tuple[tuple[re.Pattern, str], ...] = ()
    months: tuple[str, ...] = ()
    date_format: str = "{day} {month} {year}"
    amount_format: str = "EUR {amount}"

    @property
    def reference_words(self) -> frozenset[str]:
        """Words for 'Article', 'Annex', 'paragraph' … that English does not share."""
        words = {w.lower().rstrip(".") for key in ("article", "paragraph", "annex", "recital", "letter")
                 for w in self.references.get(key, [])}
        return frozenset(words - {"article", "art", "annex", "paragraph", "point", "recital"})

    def translate_phrases(self, text: str) -> str:
        """Fixed phrases in this language; quoted law (“…”) and references stay as they are."""
        parts, pos = [], 0
        for m in QUOTED.finditer(text):
            parts.append(self._phrases(text[pos:m.start()]))
            parts.append(m.group(0))
            pos = m.end()
        parts.append(self._phrases(text[pos:]))
        return "".join(parts)

    def _phrases(self, text: str) -> str:
        for english, local in self.phrases:
            text = text.replace(english, local)
        return text

    def translate_conclusion(self, paragraph: str) -> str:
        """The conclusion's sentences in this language: its frames ("From 2 December 2027, …
        apply" → "Ab dem 2. Dezember 2027 gelten: …"), dates and amounts as this language writes
        them. Quoted law (“…”) stays verbatim English; what no frame covers stays as it is."""
        if not self.conclusions:
            return paragraph
        quotes: list[str] = []

        def hold(m: re.Match) -> str:
            quotes.append(m.group(0))
            return f"\u27e6{len(quotes) - 1}\u27e7"

        text = QUOTED.sub(hold, paragraph)
        for pattern, local in self.conclusions:
            text = pattern.sub(local, text)
        text = self.dates_and_amounts(text)
        return re.sub("\u27e6(\\d+)\u27e7", lambda m: quotes[int(m.group(1))], text)

    def dates_and_amounts(self, text: str) -> str:
        """'2 December 2027' and 'EUR 35 000 000' as this language writes them (outside quotes)."""
        if not self.months:
            return text

        def date(m: re.Match) -> str:
            month = self.months[ENGLISH_MONTHS.index(m.group(2))]
            return self.date_format.format(day=m.group(1), month=month, year=m.group(3))

        def money(m: re.Match) -> str:
            return self.amount_format.format(amount=m.group(1))

        parts, pos = [], 0
        for m in QUOTED.finditer(text):
            parts += [LONG_DATE.sub(date, AMOUNT.sub(money, text[pos:m.start()])), m.group(0)]
            pos = m.end()
        parts.append(LONG_DATE.sub(date, AMOUNT.sub(money, text[pos:])))
        return "".join(parts)

    def url(self, url: str) -> str:
        """The same provision on EUR-Lex in this language; other addresses unchanged."""
        m = ELI.match(url or "")
        if not m:
            return url
        return (f"https://eur-lex.europa.eu/legal-content/{self.eurlex}/TXT/HTML/"
                f"?uri=OJ:L_{m.group(1)}{int(m.group(2)):05d}{m.group(3) or ''}")


def _load(path: Path) -> Language:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    terms = []
    compounds = []
    for english, variants in data["terms"].items():
        for v in variants:
            tokens = tuple(t.lower() for t in WORD.findall(v.replace("*", "STAR")))
            tokens = tuple(t.replace("star", "*") for t in tokens)
            if tokens:
                terms.append((tokens, english))
                if len(tokens) == 1 and len(tokens[0].rstrip("*")) >= 5:
                    compounds.append((tokens[0].rstrip("*"), english))
    terms.sort(key=lambda t: (-len(t[0]), -len("".join(t[0]))))
    compounds.sort(key=lambda t: -len(t[0]))
    phrases = sorted(data.get("phrases", {}).items(), key=lambda kv: -len(kv[0]))
    openings = tuple((re.compile(p, re.I), e) for p, e in data.get("openings", {}).items())
    conclusions = tuple((re.compile(p), local) for p, local in data.get("conclusions", {}).items())
    written = data.get("written", {})
    return Language(data["code"], data["name"], data["eurlex"], frozenset(w.lower() for w in data["markers"]),
                    data["references"], openings, tuple(terms), tuple(compounds), tuple(phrases),
                    conclusions, tuple(written.get("months", ())),
                    written.get("date", "{day} {month} {year}"), written.get("amount", "EUR {amount}"))


@lru_cache(maxsize=1)
def languages() -> dict[str, Language]:
    return {lang.code: lang for lang in (_load(p) for p in sorted(LANG_DIR.glob("*.toml")))}


def detect(question: str, english_words: Collection[str] = ()) -> Language | None:
    """The question's language when it is one of ours and not English (None for English).
    ``english_words``: words of the English texts (the corpus); one of three letters or more
    that no language of ours marks counts as English ('ce mark ai' is not French)."""
    # Acronyms say nothing of the language ('CE' is not the French 'ce').
    words = [w.lower() for w in WORD.findall(question) if not (w.isupper() and len(w) > 1)]
    if not words:
        return None
    # "what's", "it’s": the English word before the clitic counts as English
    english = sum(w in ENGLISH or re.sub(r"['’](?:s|re|ll|ve|d|m|t)$", "", w) in ENGLISH for w in words)
    if english_words:
        marked = {w for lang in languages().values() for w in words if w in lang.markers or w in lang.reference_words}
        english += sum(len(w) > 2 and w in english_words and w not in marked and w not in ENGLISH for w in words)
    best, best_n = None, 0
    for lang in languages().values():
        hits = [w for w in words if w in lang.markers or w in lang.reference_words]
        # 'ai' is an Italian word and the Act's own English word: alone it says no language
        n = len(hits) if any(w not in SHARED_WITH_ENGLISH for w in hits) else 0
        if n > best_n:
            best, best_n = lang, n
    return best if best is not None and best_n > english and best_n >= 1 else None


SHARED_WITH_ENGLISH = frozenset({"ai"})
ENGLISH = frozenset("""the a an of to in is are what which who when how does do must can may for and or with
under from this that be should i my we our it its about there any have has shall""".split())


def _roman(token: str) -> bool:
    return bool(re.fullmatch(r"[IVXL]+", token))


def _references(question: str, lang: Language) -> str:
    """'Artikel 5 Absatz 1 Buchstabe f' → 'Article 5(1)(f)'; 'Anhang III Nummer 4' → 'Annex III,
    point 4'; 'Erwägungsgrund 27' → 'Recital 27'; a guideline 'Randnummer 30' → 'para. 30'."""
    r = lang.references
    alt = lambda key: "|".join(sorted((re.escape(w) for w in r.get(key, [])), key=len, reverse=True)) or "(?!)"
    sub = rf"(?:{alt('paragraph')}|{alt('point')}|{alt('letter')})"
    label = r"(?:\d+[a-z]?|[a-z]{1,3}(?![\w]))"
    article = re.compile(rf"\b(?:{alt('article')})\s*(\d+[a-z]?)((?:\s*,?\s*{sub}\s*\(?{label}\)?)*)"
                         r"((?:\s*\(\s*[0-9a-z]{1,4}\s*\))*)", re.I)
    annex = re.compile(rf"\b(?:{alt('annex')})\s+([IVXL]+)\b((?:\s*,?\s*{sub}?\s*\(?{label}\)?(?![\w]))*)", re.I)
    recital = re.compile(rf"\b(?:{alt('recital')})\s*(\d{{1,3}})\b", re.I)
    para = re.compile(rf"\b(?:{alt('para')})\s*(\d{{1,3}})\b", re.I)

    def labels(text: str) -> list[str]:
        text = re.sub(sub, " ", text, flags=re.I)
        return re.findall(r"\d+[a-z]?|\b[a-z]{1,3}\b", text, flags=re.I)

    def art(m: re.Match) -> str:
        parts = labels(m.group(2)) + re.findall(r"[0-9a-z]{1,4}", m.group(3) or "", flags=re.I)
        return f"Article {m.group(1)}" + "".join(f"({p.lower()})" for p in parts)

    def anx(m: re.Match) -> str:
        parts = labels(m.group(2))
        if not parts:
            return f"Annex {m.group(1).upper()}"
        return f"Annex {m.group(1).upper()}, point {parts[0]}" + "".join(f"({p.lower()})" for p in parts[1:])

    question = article.sub(art, question)
    question = annex.sub(anx, question)
    question = recital.sub(lambda m: f"Recital {m.group(1)}", question)
    if set(r.get("para", [])) & set(r.get("point", [])) and not re.search(
            "|".join(re.escape(w) for w in r.get("guidelines", ["(?!)"])), question, re.I):
        return question  # 'point 30' is a guideline paragraph only when guidelines are named
    pieces = REFERENCE.split(question)  # leave 'Annex III, point 4' as it is
    return "".join(p if REFERENCE.fullmatch(p) else para.sub(lambda m: f"para. {m.group(1)}", p) for p in pieces)


def _matches(pattern: tuple[str, ...], words: list[str], i: int) -> bool:
    if i + len(pattern) > len(words):
        return False
    for p, w in zip(pattern, words[i:i + len(pattern)]):
        if p.endswith("*"):
            if not w.startswith(p[:-1]):
                return False
        elif w != p:
            return False
    return True


REFERENCE = re.compile(r"(Article \d+[a-z]?(?:\([0-9a-z]{1,4}\))*|Annex [IVXL]+(?:, point \d+(?:\([a-z]\))*)?|"
                       r"Recital \d+|para\. \d+)")


def to_english(question: str, lang: Language) -> str:
    """The question with its references in the Act's English form and its key terms in English.
    Words the glossary does not know are kept when they look like names or numbers (ChatGPT,
    GPAI, 10^23) and dropped when they are function words of the language."""
    text = _references(question, lang)
    out: list[str] = []
    for pattern, english in lang.openings:
        m = pattern.search(text)
        if m:
            out.append(english)  # kept as written: the plan reads these words
            text = text[:m.start()] + " " + text[m.end():]
            break
    for piece in REFERENCE.split(text):
        if REFERENCE.fullmatch(piece):
            out.append(piece)
            continue
        out.append(_terms(piece, lang))
    english = " ".join(x for x in out if x.strip())
    english = re.sub(r"\s+", " ", english).strip()
    return english + ("?" if question.rstrip().endswith("?") and not english.endswith("?") else "")


def _terms(text: str, lang: Language) -> str:
    raw = WORD.findall(text)
    words = [w.lower() for w in raw]
    out, i = [], 0
    while i < len(words):
        for pattern, english in lang.terms:
            if _matches(pattern, words, i):
                out.append(english)
                if len(pattern) == 1 and pattern[0].endswith("*"):
                    # 'Hochrisiko-System', 'Bewerberauswahl': a prefix term at the head of a
                    # compound; the other parts are terms too.
                    out.extend(_compound(words[i][len(pattern[0]) - 1:], lang, rest=True))
                i += len(pattern)
                break
        else:
            w, original = words[i], raw[i]
            if w in lang.markers or w in ENGLISH:
                pass
            elif any(ch.isdigit() for ch in w) or original.isupper() or _roman(original) \
                    or any(ch.isupper() for ch in original[1:]):
                out.append(original)  # a number, an acronym or a name: GPAI, 10^23, ChatGPT
            else:
                # A compound the glossary does not list whole: the terms it is made of. A word
                # that is none of these is left out rather than searched for in an English text.
                out.extend(_compound(w, lang))
            i += 1
    return " ".join(dict.fromkeys(out))


LINKS = ("s", "es", "en", "n", "e", "-")  # what joins a compound's parts: Lebenslauf|s|…, Bewerber|n|…


def _compound(word: str, lang: Language, rest: bool = False, limit: int = 3) -> list[str]:
    """The glossary terms a compound is made of, read from its head: 'lebenslaufauswertung' →
    'Lebenslauf' + 'Auswertung', 'hochrisiko-system' → 'Hochrisiko' + 'System'. Where no split
    covers it, the known stems inside it (for endings and parts the glossary lacks); for the rest
    of a word whose head was matched (``rest``), only a split."""
    word = word.strip("-")
    if len(word) < 3:
        return []
    split = _split(word, lang, 0)
    # After a matched head, a derivation may come before the next part: Bewerb|ungs|analyse.
    for skip in range(1, 5 if rest else 0):
        if split is not None:
            break
        split = _split(word[skip:], lang, 0) if len(word) - skip >= 4 else None
    if split is None:
        split = [] if rest else [e for stem, e in lang.compounds if stem in word]
    return list(dict.fromkeys(split))[:limit]


def _split(word: str, lang: Language, depth: int) -> list[str] | None:
    """Glossary terms that make up the whole word, or None when it cannot be covered."""
    if not word:
        return []
    if depth > 5:
        return None
    if "-" in word:
        out: list[str] = []
        for part in filter(None, word.split("-")):
            got = _split(part, lang, depth + 1)
            out += got if got is not None else [e for stem, e in lang.compounds if stem in part]
        return out
    for stem, english, whole in _stems_of(lang):
        if not word.startswith(stem):
            continue
        rest = word[len(stem):]
        if not rest:
            return [english]
        for link in ("",) + LINKS:
            if rest.startswith(link) and len(rest) - len(link) >= 3:
                tail = _split(rest[len(link):], lang, depth + 1)
                if tail is not None:
                    return [english] + tail
        if not whole and len(rest) <= 3:
            return [english]  # an inflected ending: 'bewerbern', 'systeme'
    return None


def _stems_of(lang: Language) -> tuple[tuple[str, str, bool], ...]:
    return _stems_for(lang.code)


@lru_cache(maxsize=16)
def _stems_for(code: str) -> tuple[tuple[str, str, bool], ...]:
    """One-word glossary terms, longest first: (stem, English, matches only as a whole word)."""
    out: dict[tuple[str, bool], str] = {}
    for pattern, english in languages()[code].terms:
        if len(pattern) == 1 and len(pattern[0].rstrip("*")) >= 4 and "-" not in pattern[0]:
            out.setdefault((pattern[0].rstrip("*"), not pattern[0].endswith("*")), english)
    return tuple(sorted(((s, e, w) for (s, w), e in out.items()), key=lambda t: -len(t[0])))


def localise(answer, lang: Language):
    """The answer's fixed phrases in the question's language and its EUR-Lex links in that
    language; quotes stay verbatim in English (the text the assistant has)."""
    citations = tuple(dataclasses.replace(c, url=lang.url(c.url)) for c in answer.citations)
    text = answer.text if answer.abstained else answer.text + "\n\n" + SOURCE_NOTE
    if not answer.abstained:
        # The conclusion (the first paragraph) in the question's language; the rest keeps its
        # fixed phrases translated and dates and amounts written the language's way.
        head, sep, rest = text.partition("\n\n")
        text = lang.translate_conclusion(head) + sep + lang.dates_and_amounts(rest)
    return dataclasses.replace(answer, text=lang.translate_phrases(text), citations=citations)


SOURCE_NOTE = "The quotes are from the English text."
