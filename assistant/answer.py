"""Compose an extractive answer: the sentences of the best provisions that answer the question,
each quoted verbatim with its marker, then the supporting provisions. No text is generated
beyond short connecting phrases; every claim about the law is a quote."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.findings import Clause, NotHeld, Ref
from assistant.references import DATE, find_references, is_descendant
from assistant.retrieve import ancestors, asked_kind, AMOUNT_Q, COMPARE_WORDS, WHEN_Q, Retrieval, Scored
from assistant.timeline import dated_sentences as _dated
from assistant.timeline import superseded_date
from assistant.types import Answer, Citation
from aiact.corpus.provision import BINDING, Provision
from aiact.index.chunk import split_sentences

AMOUNT = re.compile(r"EUR \d[\d ]*|\d+ ?%")
WORD = re.compile(r"[a-z0-9]+")
STOP = set("""a an the of to in on for and or is are be by with what which who when how does do
did shall should must can may it its this that as at from under ai act regulation article annex
point paragraph i my our we me us you your if there any about apply applies""".split())
POINT_LABEL = re.compile(r"^\((?:[a-z]{1,3}|[ivx]+|\d+[a-z]?)\)\s")
SCOPE = ("the AI Act (Regulation (EU) 2024/1689) as amended by the Digital Omnibus "
         "(Regulation (EU) 2026/1744), the Commission guidelines on the AI system definition, "
         "prohibited practices, general-purpose AI models, Article 50 transparency and the draft "
         "high-risk classification guidelines, and the Safety and Security chapter of the GPAI Code "
         "of Practice")


def stems(text: str) -> set[str]:
    return {w[:6] for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1}


@dataclass
class _Citer:
    """Numbers citations in order of first use."""

    today: dt.date
    citations: list[Citation]

    def cited(self, p: Provision) -> bool:
        return any((c.document, c.reference, c.version) == (p.document, p.reference, p.version)
                   for c in self.citations)

    def cite(self, p: Provision, score: float) -> int:
        for c in self.citations:
            if (c.document, c.reference, c.version) == (p.document, p.reference, p.version):
                return c.n
        if p.valid_to is not None:  # an earlier wording of a provision already cited rides on it
            for c in self.citations:
                if (c.document, c.reference) == (p.document, p.reference) and not c.superseded:
                    return self.attach_earlier(c.n, p, " ".join(p.text.split()))
        c = Citation.from_provision(len(self.citations) + 1, p, score, self.today)
        self.citations.append(c)
        return c.n

    def attach_earlier(self, n: int, old: Provision, quote: str) -> int:
        """The earlier wording of citation n goes with it: one provision, one citation."""
        c = self.citations[n - 1]
        self.citations[n - 1] = dataclasses.replace(c, earlier=(old.version, quote))
        return n


def best_sentence(p: Provision, question: str) -> str:
    """The verbatim sentence of a provision that best answers the question."""
    q = stems(question)
    want_date, want_amount = bool(WHEN_Q.search(question)), bool(AMOUNT_Q.search(question))
    named = [r.reference for r in find_references(question)]
    sentences = [" ".join(s.split()) for s in split_sentences(p.text)]
    if not sentences:
        return " ".join(p.text.split())
    best, best_score = 0, -1.0
    for i, s in enumerate(sentences):
        score = len(q & stems(s)) / (1 + len(q))
        if want_date and DATE.search(s):
            score += 0.6
        if want_amount and AMOUNT.search(s):
            score += 0.6
        score += 0.5 * sum(1 for r in named if r in s)
        score -= 0.01 * i  # earlier sentences state the rule; later ones qualify it
        if score > best_score:
            best, best_score = i, score
    sentence = sentences[best]
    # A sub-point ("(i) 2 December 2027 …") needs the words that introduce it.
    if best > 0 and POINT_LABEL.match(sentence) and len(sentences[best - 1]) < 400:
        sentence = f"{sentences[best - 1]} {sentence}"
    if len(sentence) > 700:
        sentence = sentence[:700].rsplit(" ", 1)[0] + " …"
    return sentence


def describe(p: Provision) -> str:
    """'Article 113(c) of the AI Act' / 'paragraph 60 of the Guidelines on … (non-binding)'."""
    if p.document == "AI Act":
        return f"{p.reference} of the AI Act"
    note = "" if p.kind in (BINDING, "amending act") else f" ({p.kind}, non-binding)"
    return f"{p.document}, {p.reference}{note}"


def amendment_note(p: Provision) -> str:
    if not p.amendment or p.document != "AI Act":
        return ""
    verb = {"inserted": "inserted", "deleted": "deleted"}.get(p.amendment, "amended")
    where = p.amended_by.replace("Regulation (EU) 2026/1744, ", "") if "," in p.amended_by else ""
    return f"as {verb} by Regulation (EU) 2026/1744" + (f", {where}" if where else "")


def lead_quote(p: Provision, question: str, limit: int = 1100) -> str:
    """A short provision is quoted whole; a long one by its best sentence."""
    whole = " ".join(p.text.split())
    return whole if len(whole) <= limit else best_sentence(p, question)


def render(clauses: Sequence[Clause], citer: _Citer, resolve: Callable[[Ref], Provision | None],
           question: str = "") -> str:
    """Clauses as sentences, each followed by the markers of the provisions that state it. A
    clause none of whose provisions can be found is left out: nothing is said unproven."""
    out = []
    for c in clauses:
        found = [p for p in (resolve(r) for r in c.cites) if p is not None]
        if c.cites and not found:
            continue
        found = detail_first(found, question)
        marks = "".join(f" [{citer.cite(p, 1.0)}]" for p in found)
        text = c.text.rstrip()
        if marks and text.endswith("."):
            text = text[:-1] + marks + "."
        elif marks:
            text += marks
        out.append(text)
    return " ".join(out)


def detail_first(found: list[Provision], question: str) -> list[Provision]:
    """'What cybersecurity stuff does a systemic-risk provider have to do?': of the provisions a
    clause cites, a point of the first one that alone states the detail asked (Article 55(1)(d),
    'cybersecurity', under the list's opening words in Article 55(1)) is cited first."""
    if len(found) < 2 or not question:
        return found
    head = found[0]
    subject = stems(question) - BROAD - stems(head.text)
    if not subject:
        return found
    detail = [p for p in found[1:] if p.document == head.document and is_descendant(p.reference, head.reference)
              and subject & stems(p.text)]
    if len(detail) != 1:  # none, or several points: the list's opening words stand for them all
        return found
    return detail + [p for p in found if p is not detail[0]]


def proofs(clauses: Sequence[Clause], citer: _Citer, resolve: Callable[[Ref], Provision | None],
           question: str, limit: int = 3) -> list[str]:
    """The verbatim words of the provisions the conclusion cites, right after it."""
    out: list[str] = []
    seen: set[str] = set()
    for c in clauses:
        for r in c.cites:
            p = resolve(r)
            if p is None or p.id in seen or len(out) >= limit:
                continue
            seen.add(p.id)
            note = amendment_note(p)
            if p.valid_to and p.valid_to <= citer.today:
                note = f"2024 wording, in force until {(p.valid_to - dt.timedelta(days=1)):%-d %B %Y}"
            out.append(f"{_cap(describe(p))}" + (f" ({note})" if note else "")
                       + f": “{lead_quote(p, question, 600)}” [{citer.cite(p, 1.0)}]")
    return out


def moved_guidance(citations: Sequence[Citation], moved: Sequence[tuple[str, str, str]]) -> list[str]:
    """Non-binding texts quoted with a date the Omnibus has since moved: flag each."""
    notes = []
    for c in citations:
        if c.binding:
            continue
        for old, new, what in moved:
            if old in c.quote and re.search(r"high[- ]risk|annex i|sandbox", c.quote, re.I):
                notes.append(f"Note on [{c.n}]: this guidance predates the Digital Omnibus (Regulation (EU) "
                             f"2026/1744) and mentions {old}; for {what} the date is now {new}.")
                break
    return notes


def compose(question: str, retrieval: Retrieval, earlier: dict[str, Provision], today: dt.date,
            max_citations: int = 5, parts: Callable[[Provision], list[Provision]] | None = None,
            conclusion: Sequence[Clause] = (), resolve: Callable[[Ref], Provision | None] | None = None,
            moved_dates: Sequence[tuple[str, str, str]] = (),
            source: tuple[str | None, str | None] = (None, None)) -> Answer:
    """The answer text with markers, and its citations in order of use.

    ``conclusion`` holds the clauses built from the law data (premise corrections, the
    conclusion, the facts that would change it): they come first, then the verbatim words of the
    provisions they cite, then the qualifications, then the passages retrieved.
    ``source`` is the kind of source and the document the question asks for (the plan's
    ``source_kind`` and ``document``): when they answer, they are quoted first.
    ``earlier`` maps a provision id to the wording it replaced, so moved dates are shown twice;
    ``parts`` gives the points of a provision that introduces a list ("… the following:"), which
    are then cited right after it.
    """
    citer = _Citer(today, [])
    head: list[str] = []
    if not conclusion and resolve is not None and HOW_LONG.search(question):
        # 'How long must deployers keep the logs?' answered by a provision that states the period:
        # the period, said first, is the answer ('For at least six months, under Article 26(6).')
        first = _lead(list(retrieval.results), question, parts, source,
                      head=lambda q: _list_head(q, resolve))
        stated = period_stated(first[0].provision.text, question) if first else None
        if stated:
            conclusion = [Clause(f"{stated[0].upper()}{stated[1:]}, under {first[0].provision.reference}.",
                                 ((first[0].provision.document, first[0].provision.reference),))]
    if conclusion and resolve is not None:
        first = [c for c in conclusion if c.kind != "condition"]
        later = [c for c in conclusion if c.kind == "condition"]
        said = render(first, citer, resolve, question)
        if said and citer.citations:
            head.append(said)
            head += proofs(first, citer, resolve, question)
            qualified = render(later, citer, resolve, question)
            if qualified:
                head.append(qualified)
    pool = list(retrieval.results)
    # After a conclusion, only passages that bear on it (not any sentence with a date); after a
    # corrected premise alone, the passages on what the question asks still answer it.
    if head and any(c.kind != "premise" for c in first):
        backs = supports(question, citer.citations)
        kept = [(backs(s), i, s) for i, s in enumerate(pool)]
        # The parts of a cited provision come first (Annex III, point 4(a) after point 4).
        pool = [s for _, _, s in sorted((t for t in kept if t[0]), key=lambda t: t[:2])]
    lead = _lead(pool, question, parts, source,
                 head=(lambda q: _list_head(q, resolve)) if resolve is not None else None)
    if head:
        lead = [s for s in lead if not citer.cited(s.provision)][:1]
    results = pool
    if parts and lead and introduces_list(lead[0].provision):
        listed = [Scored(p, lead[0].score, lead[0].similarity, "part") for p in parts(lead[0].provision)]
        ids = {x.provision.id for x in listed}
        results = [lead[0]] + listed + [x for x in results if x is not lead[0] and x.provision.id not in ids]
    paragraphs: list[str] = list(head)
    side_by_side = len(lead) > 1 and all(s.reason == "definition" for s in lead)  # one paragraph compares them
    for i, s in enumerate(lead):
        p = s.provision
        n = citer.cite(p, s.similarity)
        note = amendment_note(p)
        intro = f"According to {describe(p)}" + (f" ({note})" if note else "")
        if p.valid_to and p.valid_to <= today:
            intro = (f"In its original 2024 wording (in force until "
                     f"{(p.valid_to - dt.timedelta(days=1)).strftime('%-d %B %Y')}), {describe(p)} read")
        said = f"{intro}: “{lead_quote(p, question)}” [{n}]"
        if s is lead[0] and parts and introduces_list(p) and not head:
            # Words that stop at "the following:" say nothing yet: the items they introduce are
            # the answer, quoted with them.
            items = [x for x in parts(p) if x.reference != p.reference][:LISTED]
            said += "".join(f"{';' if j else ':'} “{_short(' '.join(x.text.split()), 400)}” [{citer.cite(x, s.similarity)}]"
                            for j, x in enumerate(items))
        if side_by_side and i:
            paragraphs[-1] += " " + said
        else:
            paragraphs.append(said)
        old = earlier.get(p.id)
        if old is not None and p.valid_to is None:
            current = best_sentence(p, question)
            moved, paired = superseded_date(current, " ".join(p.text.split()), _dated(old))
            old_sentence = paired or lead_quote(old, question)
            m = citer.attach_earlier(n, old, old_sentence)
            prefix = (f"Before that amendment the date was {moved:%-d %B %Y}; the" if moved
                      else "Before that amendment the")
            paragraphs.append(f"{prefix} 2024 wording read: “{old_sentence}” [{m}]")
    support = []
    for s in results:
        if len(citer.citations) >= max_citations:
            break
        if any(s is x for x in lead):
            continue
        p = s.provision
        if citer.cited(p):
            continue
        n = citer.cite(p, s.similarity)
        label = "" if p.kind in (BINDING, "amending act") else f" — {p.kind}, non-binding"
        title = f" ({p.title})" if p.title and p.document == "AI Act" else ""
        support.append(f"- {p.document}, {p.reference}{title}{label}: “{_short(best_sentence(p, question))}” [{n}]")
    text = "\n\n".join(paragraphs)
    if support:
        text += "\n\nSupporting provisions:\n" + "\n".join(support)
    flags = moved_guidance(citer.citations, moved_dates)
    if flags:
        text += "\n\n" + "\n".join(flags)
    if any(not c.binding for c in citer.citations):
        text += ("\n\nGuidelines and the code of practice are not binding; only the Court of Justice "
                 "interprets the AI Act authoritatively.")
    return Answer(question=question, text=text, abstained=False, citations=tuple(citer.citations),
                  as_of=retrieval.as_of.isoformat())


# Words that say what kind of question it is, or name the Act's broad categories: a passage that
# shares only these with the question ('a date', 'high-risk') does not bear on its subject.
BROAD_WORDS = """when from since until date dates deadline deadlines applies apply applied start starts
start begin begins fine fines penalty penalties much amount high risk high-risk system systems model models
provider providers deployer deployers obligations obligation duties duty requirements comply compliance
prohibited banned allowed legal tool product products company companies business use used using need needs
have has must rules rule tell say says know people person persons purpose their they them these those
other others such also into about"""  # not 'general': its stem is that of 'generate'
BROAD = stems(BROAD_WORDS)


def supports(question: str, cited: Sequence[Citation]) -> Callable[[Scored], int]:
    """Whether a passage retrieved for a concluded answer bears on it: a provision the question
    names, a part or the heading of a provision the conclusion cites (Annex III, point 4(a) under
    point 4), or a passage that shares two words of the question's own subject ('CV',
    'screening'). A passage that shares only the kind of question (any sentence with a date) or
    a broad category ('high-risk') is left out."""
    from assistant.references import is_descendant

    subject = stems(question) - BROAD
    family = [(c.document, c.reference) for c in cited if not getattr(c, "superseded", False)]

    def backs(s: Scored) -> int:
        """0: does not bear on it; 1: part of a cited provision or named; 2: shares the subject."""
        p = s.provision
        if s.reason == "reference":
            return 1
        if any(p.document == d and (is_descendant(p.reference, r) or is_descendant(r, p.reference))
               for d, r in family):
            return 1
        if p.document != "AI Act" and any(d == "AI Act" and re.search(rf"\b{re.escape(r)}(?![\w(])", p.text)
                                          for d, r in family):
            return 1  # guidance that names the provision concluded on ('(239) Article 5(1)(f) AI Act prohibits …')
        return 2 if len(subject & stems(p.text)) >= 2 else 0

    return backs


def _list_head(p: Provision, resolve: Callable[[Ref], Provision | None]) -> Provision | None:
    """The words that introduce the list a point belongs to ('The provider shall, for a period
    ending 10 years …, keep …:' for point (a))."""
    parent = next(iter(ancestors(p.reference)), None)
    found = resolve((p.document, parent)) if parent else None
    return found if found is not None and introduces_list(found) else None


def _lead(results: list[Scored], question: str = "",
          parts: Callable[[Provision], list[Provision]] | None = None,
          source: tuple[str | None, str | None] = (None, None),
          head: Callable[[Provision], Provision | None] | None = None) -> list[Scored]:
    """The provisions quoted first: binding law when it answers about as well as the best hit
    — or the kind of source the question asks for, from the document it names when that
    answers —, and a close second of the same kind."""
    if not results:
        return []
    if results[0].reason in ("definition", "deciding"):
        # "provider vs deployer": the definitions compared are quoted side by side
        defined = [s for s in results[:2] if s.reason == "definition"]
        if len(defined) > 1 and COMPARE_WORDS.search(question):
            return sorted(defined, key=lambda s: _asked_at(s.provision.text, question))  # in the order asked
        return results[:1]
    defining = _defining(results[:8], question)
    if defining is not None:
        return [defining]
    top = results[0].score
    kind, document = source
    preferred = kind or asked_kind(question) or BINDING
    binding = [s for s in results[:8] if s.provision.kind == preferred and s.score >= 0.5 * top]
    named = [s for s in binding if s.provision.document == document]
    binding = named or binding  # "according to the GPAI guidelines": those guidelines, not others
    binding.sort(key=lambda s: s.provision.reference.startswith("Recital"))  # stable: articles first
    about = (_about_qualifier(binding, question) or _head_stating_duration(binding[:1], question, head)
             or _stating_duration(binding[:5], question) or _listing_parent(binding[:6], question)
             or _addressed_to_asked(binding[:5], question) or _of_the_category_asked(binding[:5], question)
             or _stating_figure(binding[:5], question) or _stating_status(binding[:5], question)
             or _titled(binding[:8], question))
    first = about or (binding[0] if binding else results[0])
    first = _head_of_contents(first, question, head) or first
    if parts is not None:
        first = _point_stating_duration(first, question, parts) or first
    lead = [first]
    for s in results[:4]:
        if s is not first and s.provision.kind == first.provision.kind and s.score >= 0.85 * first.score \
                and s.provision.reference != first.provision.reference \
                and not (introduces_list(first.provision) and is_descendant(s.provision.reference, first.provision.reference)):
            lead.append(s)
            break
    return lead


# Whom a provision's duty binds, by the words it opens with ("6. Deployers of high-risk AI
# systems shall keep the logs …").
ADDRESSEE = re.compile(r"^\s*(?:\d+[a-z]?\.\s*)?(?:\([a-z]{1,3}\)\s*)?(?P<who>providers|deployers|importers|distributors|"
                       r"authori[sz]ed representatives|product manufacturers)\b", re.I)


def addressee(p: Provision) -> str | None:
    """The actor a provision's opening words bind ('deployer'), or None when it opens otherwise."""
    m = ADDRESSEE.match(p.text)
    if not m:
        return None
    who = m.group("who").lower().replace("authorized", "authorised")
    return who[:-1] if who.endswith("s") else who


def _addressed_to_asked(candidates: list[Scored], question: str) -> Scored | None:
    """'We're a staffing agency using a high-risk screener — how long must we keep the logs?':
    the question names one actor and the best hit binds another ('Providers … shall keep the
    logs'); a close candidate that binds the actor asked (Article 26(6), 'Deployers … shall keep
    the logs') leads instead. The duty is the same subject; whose duty it is decides."""
    from assistant.plan import ACTORS, found

    asked = found(ACTORS, question)
    if len(asked) != 1 or not candidates:
        return None
    first = addressee(candidates[0].provision)
    if first is None or first == asked[0]:
        return None
    return next((s for s in candidates[1:] if addressee(s.provision) == asked[0]
                 and s.score >= 0.7 * candidates[0].score), None)


# How a provision names the two regimes a question can be about (its own words, not the question's).
REGIME_WORDS = {"high-risk": re.compile(r"\bhigh-risk AI systems?\b", re.I),
                "gpai": re.compile(r"\bgeneral-purpose AI models?\b", re.I)}


def _of_the_category_asked(candidates: list[Scored], question: str) -> Scored | None:
    """'Our LLM has systemic risk — must we report incidents?': the question is about one regime
    (general-purpose AI models) and the best hit states the other's rule ('Providers of high-risk
    AI systems … shall report any serious incident'); a close candidate in the regime asked
    (Article 55(1)(c)) leads instead."""
    from assistant.plan import CATEGORIES, found

    asked = {"gpai" if c.startswith("gpai") else c for c in found(CATEGORIES, question)} & set(REGIME_WORDS)
    if len(asked) != 1 or not candidates:
        return None
    want = REGIME_WORDS[asked.pop()]
    other = next(w for k, w in REGIME_WORDS.items() if w is not want)

    def regime(s: Scored) -> bool | None:  # True: the regime asked, False: the other, None: neither
        text = f"{s.provision.title} {s.provision.text}"  # a point's regime is often in its article's title
        return True if want.search(text) and not other.search(text) else \
            False if other.search(text) and not want.search(text) else None

    if regime(candidates[0]) is not False:
        return None
    return next((s for s in candidates[1:] if regime(s) is True and s.score >= 0.7 * candidates[0].score), None)


def _asked_at(definition: str, question: str) -> int:
    """Where the question names the term a definition defines ('(3) ‘provider’ means …')."""
    m = re.search(r"‘([^’]+)’", definition)
    at = question.lower().find(m.group(1).lower()) if m else -1
    return at if at >= 0 else len(question)


HOW_LONG = re.compile(r"\bhow (?:long|quickly|soon|fast|often)\b|\bhow many (?:days|weeks|months|years|hours)\b|"
                      r"\bwithin (?:how|what)\b|\b(?:time ?limit|what period)\b", re.I)
DURATION = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|thirty)\s+"
                      r"(?:working\s+)?(?:days?|weeks?|months?|years?|hours?)\b", re.I)


FREQUENCY = re.compile(r"\b(?:once|twice|(?:\w+) times)\s+(?:a|per|every)\s+(?:day|week|month|year)\b|"
                       r"\bevery\s+(?:\d+|two|three|four|five|six|twelve)?\s*(?:days?|weeks?|months?|years?)\b|"
                       r"\b(?:annually|yearly)\b", re.I)


def _states_period(text: str, question: str) -> bool:
    """'How often …?' is answered by a frequency ('at least twice a year'), other 'how long'
    questions by a period ('15 days')."""
    return bool(FREQUENCY.search(text) if re.search(r"\bhow often\b", question, re.I) else DURATION.search(text))


# The words around a period that say how it binds ('of at least six months', 'within 15 days',
# 'for a period ending 10 years after …', 'not exceeding six months').
PERIOD_PHRASE = re.compile(
    r"(?:(?:for a period (?:of|ending) |for |of |within |no later than |not later than |up to |not exceeding |"
    r"not longer than |not more than |a (?:maximum|minimum) (?:period )?of )?(?:at least |at most |a further )?)"
    + DURATION.pattern + r"(?:\s+(?:after|from|following)\b[^,;:.()]{0,100})?"
    r"(?:,? (?:renewable|extendable|which may be (?:extended|renewed))\b[^,;:.]{0,40})?", re.I)


def period_stated(text: str, question: str) -> str | None:
    """The one period a provision states, with the words that say how it binds; None when it
    states none, or several (which one answers is then for the quote to show)."""
    if re.search(r"\bhow often\b", question, re.I):
        return None
    found = list(dict.fromkeys(DURATION.search(m.group(0)).group(0).lower() for m in PERIOD_PHRASE.finditer(text)))
    if len(found) != 1:
        return None
    found = [next(m.group(0).strip() for m in PERIOD_PHRASE.finditer(text))]
    if len(found) != 1:
        return None
    phrase = found[0]
    return phrase if re.match(r"(?:for|within|no later|not later|up to|not|a (?:maximum|minimum))\b", phrase, re.I) \
        else f"for {phrase[3:] if phrase.lower().startswith('of ') else phrase}"


def _stating_duration(candidates: list[Scored], question: str) -> Scored | None:
    """'How quickly must … report?': of the close candidates that state a period ('15 days',
    'six months'), the one that also carries the question's subject, when the best one states
    none."""
    if not candidates or not HOW_LONG.search(question) or _states_period(candidates[0].provision.text, question):
        return None
    stating = [s for s in candidates[1:] if _states_period(s.provision.text, question)]
    if not stating:
        return None
    cover = _cover(candidates, question)
    at = {id(s): i for i, s in enumerate(candidates)}
    best = max(stating, key=lambda s: (cover[at[id(s)]], -at[id(s)]))
    # the best ranked wins unless another carries clearly more of the subject
    return best if cover[at[id(best)]] >= cover[at[id(stating[0])]] + 0.5 else stating[0]


def _head_stating_duration(candidates: list[Scored], question: str,
                           head: Callable[[Provision], Provision | None] | None) -> Scored | None:
    """'How long must the provider keep the technical documentation?' finds point (a), 'the
    technical documentation referred to in Article 11'; the period is in the words that introduce
    the list ('for a period ending 10 years after …'): those lead, the point follows in the list."""
    if head is None or not candidates or not HOW_LONG.search(question) \
            or _states_period(candidates[0].provision.text, question):
        return None
    h = head(candidates[0].provision)
    if h is None or not _states_period(h.text, question):
        return None
    return Scored(h, candidates[0].score, candidates[0].similarity, candidates[0].reason)


FIGURE = re.compile(r"\d+\s*\^\s*\d+|\b\d[\d ]*(?:[.,]\d+)?\s*(?:%|per ?cent|eur\b|floating|flops?\b|users|parameters)|"
                    r"\beur\s*\d|\b\d{2,}\b", re.I)


def _stating_figure(candidates: list[Scored], question: str) -> Scored | None:
    """'What is the compute threshold for systemic risk?' asks a figure: when the best hit states
    none (the definition of systemic risk), the close candidate that states one (Article 51(2),
    '10^25') leads."""
    from assistant.plan import QUANTITY_ASKED

    if not candidates or not QUANTITY_ASKED.search(question) or FIGURE.search(_without_labels(candidates[0].provision.text)):
        return None
    return next((s for s in candidates[1:] if FIGURE.search(_without_labels(s.provision.text))), None)


STATUS_ASKED = re.compile(r"\b(?:is|are|be|being)\s+(?:[\w-]+\s+){0,6}?(?P<v>presumed|deemed|considered)\b", re.I)


def _stating_status(candidates: list[Scored], question: str) -> Scored | None:
    """'When is a general-purpose AI model presumed to have systemic risk?' asks where the Act
    presumes it ('shall be presumed to have high impact capabilities … when …', Article 51(2));
    when the best hit says no such thing (the rebuttal of the presumption), the close candidate
    that does leads."""
    m = STATUS_ASKED.search(question)
    if not m or not candidates:
        return None
    says = re.compile(rf"\bshall (?:\w+ )?(?:be|not be) {m.group('v')}\b", re.I)
    if says.search(candidates[0].provision.text):
        return None
    return next((s for s in candidates[1:] if says.search(s.provision.text)
                 and s.score >= 0.7 * candidates[0].score), None)


def _without_labels(text: str) -> str:
    """A provision's words without its own numbering ('(65)', '2.') and the references it makes
    ('Article 51', 'Regulation (EU) 2016/679'), which are no figures."""
    text = re.sub(r"^\s*(?:\(\w+\)|\d+\.)\s*", "", text)
    return re.sub(r"\b(?:Articles?|Annex(?:es)?|points?|paragraphs?|Regulation|Directive|Decision|Recommendation)"
                  r"\s+(?:\(EU\)\s*|\(EC\)\s*|No\s*)?[\w/().,]+", " ", text)


def _title_named(title: str, question: str) -> bool:
    """The question names an article by its title ('the technical documentation', 'a quality
    management system'): a title of two words or more, in the question's words."""
    words = re.findall(r"[a-z]+", title.lower())
    if len(words) < 2:
        return False
    q = " ".join(re.findall(r"[a-z]+", question.lower()))
    return bool(re.search(r"\b" + r"\s+".join(words) + r"s?\b", q))


def _titled(candidates: list[Scored], question: str) -> Scored | None:
    """'What goes into the technical documentation …?': when the best hit is from elsewhere
    (an annex that mentions it), the article whose title the question names leads."""
    # a date, a period or an amount is asked of the topic, not what it is ('When must the
    # Commission evaluate the AI Office …?' is Article 112's)
    if not candidates or find_references(question) or WHEN_Q.search(question) or HOW_LONG.search(question) \
            or re.search(r"\bwhen\b|\bdeadline", question, re.I) \
            or AMOUNT_Q.search(question) or _title_named(candidates[0].provision.title or "", question):
        return None
    return next((s for s in candidates[1:] if s.provision.document == candidates[0].provision.document
                 and _title_named(s.provision.title or "", question)), None)


def _cover(candidates: list[Scored], question: str) -> list[float]:
    """How much of the question's subject each candidate carries: a word every candidate shares
    tells none apart and weighs nothing, a word only one has weighs most."""
    subject = _roots(question) - NOISE_ROOTS - ASKING
    texts = [_roots(s.provision.text) for s in candidates]
    n = len(texts)
    weight = {w: (n - sum(w in t for t in texts)) / n for w in subject}
    return [sum(weight[w] for w in subject if w in t) for t in texts]


LISTED = 6  # items of a list quoted with the words that introduce it


def _defining(candidates: list[Scored], question: str) -> Scored | None:
    """'What is an AI regulatory sandbox?': the Article 3 point that defines the term asked leads,
    even when passages that use the term ranked above it."""
    from assistant.plan import defined_term

    if defined_term(" ".join(question.split())) is None:
        return None
    return next((s for s in candidates if s.reason == "definition"), None)


SUFFIX = re.compile(r"(?:ings?|ed|es|s)$")


def _roots(text: str) -> set[str]:
    """Words cut to a rough root, so that 'chairs' meets 'chaired' and 'meet' meets 'meetings'."""
    return {(SUFFIX.sub("", w) if len(w) > 4 else w)[:6] for w in WORD.findall(text.lower())
            if w not in STOP and len(w) > 1}


# The broad words, less the actors: 'we deploy' tells the deployers' paragraph from the providers'.
NOISE_ROOTS = _roots(BROAD_WORDS) - _roots("provider providers deployer deployers deploy")
# Words that only say what kind of question it is: they tell no passage from another.
ASKING = _roots("who whom whose which what where why how long often many much quickly soon else sit sits acts "
                "following")  # and the words that introduce a list in legal text


# "Which biometric systems are listed…?", "What extra obligations apply…?", "What two conditions…":
# the question asks for the whole list, not one item of it.
LIST_Q = re.compile(
    r"^\W*(?:which|what)\b(?:\s+[\w-]+){0,3}?\s+(?:obligations|systems|conditions|requirements|criteria|"
    r"elements|information|items|cases|uses|practices|duties|points|measures|steps|bodies|authorities|"
    r"organisations|organizations|documents|details|tasks|powers|rights|offences|areas)\b", re.I)


def _listing_parent(candidates: list[Scored], question: str) -> Scored | None:
    """A list asked for, and the best hit one item of it ('(b) …'): the provision that introduces
    the list leads, so that its items are quoted together."""
    if not candidates or not LIST_Q.search(question) or introduces_list(candidates[0].provision):
        return None
    first = candidates[0].provision
    parent = next(iter(ancestors(first.reference)), None)
    return next((s for s in candidates[1:] if s.provision.document == first.document
                 and s.provision.reference == parent and introduces_list(s.provision)), None)


# 'What must the instructions for use contain?', 'what goes into …', 'what should … include?':
# the contents of a document or notice asked, which a provision states as a list.
CONTENTS_Q = re.compile(r"\b(?:what|which)\b.*\b(?:contain|include|cover|consist of|list)\??\s*$|"
                        r"\bwhat (?:goes|has to go|must go|needs to go|should go) (?:in|into)\b|"
                        r"\b(?:contents?|elements) of\b", re.I)


def _head_of_contents(first: Scored, question: str,
                      head: Callable[[Provision], Provision | None] | None) -> Scored | None:
    """'What must the instructions for use of a high-risk system contain?' finds one item
    ('(c) the changes to the high-risk AI system …'); the contents asked are the whole list, so
    the words that introduce it lead ('The instructions for use shall contain at least the
    following information:') and its items follow."""
    if head is None or not CONTENTS_Q.search(question) or introduces_list(first.provision):
        return None
    h = head(first.provision)
    # the list must be the contents ('shall contain at least the following information:'), not a
    # list of duties one of which is the document asked ('Providers … shall: (a) draw up …')
    if h is None or not STATES_CONTENTS.search(h.text):
        return None
    return Scored(h, first.score, first.similarity, first.reason)


STATES_CONTENTS = re.compile(r"\b(?:contain|include|comprise|consist of|set out|specify|indicate)s?\b[^:]*:\s*$|"
                             r"\bthe following (?:information|elements|items|details)\b", re.I)


def introduces_list(p: Provision) -> bool:
    """The provision's words stop at a list ('… the following:'), whose items are provisions of their own."""
    text = p.text.rstrip()
    return text.endswith(":") or bool(re.search(r":\s*…", text))


def _point_stating_duration(first: Scored, question: str,
                            parts: Callable[[Provision], list[Provision]]) -> Scored | None:
    """'How long may … be tested?' led by a list of conditions: the item that states the period."""
    p = first.provision
    if not HOW_LONG.search(question) or DURATION.search(p.text) or not introduces_list(p):
        return None
    stating = [x for x in parts(p) if DURATION.search(x.text)]
    if re.search(r"\bhow long\b", question, re.I):
        # 'how long' asks how long something lasts ('not longer than six months'), not a time
        # limit for acting ('within 30 days')
        stating.sort(key=lambda x: not LASTING.search(x.text))
    item = next(iter(stating), None)
    return Scored(item, first.score, first.similarity, "part") if item is not None else None


LASTING = re.compile(r"\b(?:(?:no |not )?longer than|exceed(?:ing)?|up to|maximum of|period of|duration of|"
                     r"for (?:a period of )?(?:at least |up to )?)\s*(?:(?:an?|the)\s+)?" + DURATION.pattern, re.I)


def _about_qualifier(candidates: list[Scored], question: str) -> Scored | None:
    """'What did Article 113 say about Article 6(1)?': the part of the subject provision whose own
    words name the qualifier (Article 113(c)), rather than the subject's opening words."""
    named = [r.reference for r in find_references(question)]
    if len(named) < 2:
        return None
    subject, qualifiers = named[0], named[1:]
    for s in candidates:
        ref, text = s.provision.reference, " ".join(s.provision.text.split())
        if ref != subject and is_descendant(ref, subject) and any(q in text for q in qualifiers):
            return s
    return None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(sentence: str, limit: int = 500) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + " …"


def abstention(question: str, retrieval: Retrieval, as_of: dt.date) -> Answer:
    if retrieval.missing and len(retrieval.missing) == len(retrieval.requested):
        refs = ", ".join(retrieval.missing)
        text = (f"The corpus has no {refs}. The AI Act has Articles 1 to 113 (plus Articles 4a, 60a "
                f"and 75a–75d inserted by Regulation (EU) 2026/1744), 180 recitals and Annexes I to "
                f"XIV. Check the reference, or ask `aiact ask \"What does Article 6 say?\"`.")
    else:
        text = ("I cannot answer this from the texts I have: no provision matches the question "
                f"closely enough. I cover {SCOPE}. Try naming the provision or rephrasing the question "
                "with the terms of the Act.")
    return Answer(question=question, text=text, abstained=True, citations=(), as_of=as_of.isoformat())


def not_held(question: str, document: NotHeld, as_of: dt.date) -> Answer:
    """A document known but not in the corpus: say so, and where the official text is."""
    where = f" Official text: {document.url}" if document.url else ""
    if document.landing and document.landing != document.url:
        where += f" (see also {document.landing})"
    mentioned = ", ".join(document.mentioned_in)
    text = (f"Not in my sources: {document.title} is not among the texts I hold, so I cannot quote it."
            f"{where}. The AI Act refers to it in {mentioned}; ask about that provision for its text.")
    return Answer(question=question, text=text, abstained=True, citations=(), as_of=as_of.isoformat())


def off_topic(question: str, as_of: dt.date) -> Answer:
    text = ("That question is about another law, not the AI Act, and I answer only from the AI Act and "
            f"its guidance: I cover {SCOPE}. For data protection, tax or other rules, consult those texts.")
    return Answer(question=question, text=text, abstained=True, citations=(), as_of=as_of.isoformat())


def unbacked(answer: Answer) -> list[str]:
    """Dates, amounts, percentages and references in the conclusion (the first paragraph) that
    the provisions its sentences cite do not state. A sentence without markers may only repeat
    the question's own words (a corrected premise: "Not 10 %: …")."""
    from assistant.law.words import STATED, fold

    quotes = {c.n: fold(c.quote) for c in answer.citations}
    refs = {c.n: c.reference for c in answer.citations}
    head = answer.text.strip().split("\n\n", 1)[0]
    problems = []
    for sentence in re.split(r"(?<=[.:])\s+(?=[A-Z])", head):
        marks = [int(m) for m in re.findall(r"\[(\d+)\]", sentence)]
        said = re.sub(r"“[^”]*”", "", sentence)  # quoted words are the provision's own
        for stated in STATED.findall(said):
            stated = stated.strip()
            if not marks:
                if stated.lower() not in fold(answer.question).lower():
                    problems.append(f"{stated!r} with no provision cited: {sentence[:80]}")
                continue
            backed = any(stated in quotes.get(n, "") for n in marks) or any(
                refs.get(n, "") == stated or refs.get(n, "").startswith((stated + "(", stated + ","))
                for n in marks)
            if not backed:
                problems.append(f"{stated!r} is not in {[refs.get(n) for n in marks]}: {sentence[:80]}")
    return problems
