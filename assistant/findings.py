"""From a plan and the law data to findings: the clauses of the conclusion, each with the
provisions that state it. Every date, amount and reference in a clause comes from a verified
fact (``assistant/law/data``), so the conclusion says only what its cited provisions say.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from aiact.corpus.provision import BINDING
from assistant.law import Fact, Law, load_law
from assistant.law.words import amount, long_date
from assistant.patterns import compiled
from assistant.plan import SMC, SME, Part, Plan, Premise

Ref = tuple  # (document, reference) or (document, reference, day whose wording is meant)


@dataclass(frozen=True)
class Clause:
    """A sentence of the conclusion and the provisions that state it (cited in this order)."""

    text: str
    cites: tuple[Ref, ...]
    kind: str = "conclusion"  # "premise" (a correction), "conclusion", "condition" (what changes it)
    strength: float = 0.0  # how strongly the question named the fact's subject (weighted terms)


@dataclass(frozen=True)
class NotHeld:
    title: str
    url: str
    landing: str
    mentioned_in: tuple[str, ...]


# The subjects whose facts are rules stated in plain words (``says``), read by Findings.scope.
CATEGORY_TIER = {"article-50": "limited", "high-risk": "high-risk"}  # the plan's category → the tier a fine names
HIGH_RISK_ONLY_ACTORS = ("importer", "distributor", "authorised representative")
RULES = ("scope", "exceptions", "remedies", "governance", "requirements")

WORD = re.compile(r"[a-z]{4,}")
COMMON = set("""what which when where does have that this with from they their there about under must
shall should would could also only into than then such make made need needs apply applies system systems
model models provider providers deployer deployers obligation obligations article regulation act""".split())


def refs(fact: Fact, earlier: bool = False, text: str = "") -> tuple[Ref, ...]:
    """The provisions a fact cites: today's wordings, or (``earlier``) the dated earlier ones.
    With the question's ``text``, the provision whose words the question uses comes first (the
    copyright duty for a question on copyright)."""
    if earlier:
        return tuple(dict.fromkeys((s.document, s.reference, s.on) for s in fact.sources if s.on))
    sources = [s for s in fact.sources if not s.on]
    # ``ordered``: the first source states the clause the fact concludes with (the national
    # authorities for 'who enforces the AI Act in Spain'), the others qualify it.
    if text and not fact.get("ordered"):
        asked = {w[:7] for w in WORD.findall(text.lower()) if w not in COMMON}
        def overlap(s) -> int:
            # the words a source states, and the name of its document ('the Article 50
            # transparency guidelines' is answered by those guidelines' own paragraph)
            said = " ".join(s.words) + ("" if s.document == "AI Act" else " " + s.document)
            return len(asked & {w[:7] for w in WORD.findall(said.lower())})
        best_overlap = max((overlap(s) for s in sources), default=0)
        if best_overlap and overlap(sources[0]) < best_overlap:
            sources.sort(key=lambda s: -overlap(s))
    return tuple(dict.fromkeys((s.document, s.reference) for s in sources))


def hits(fact: Fact, text: str) -> float:
    """How strongly a question names the fact's subject: matched terms × the fact's weight."""
    terms = fact.get("terms") or ()
    n = sum(1 for t in terms if compiled(t, re.I).search(text))
    return n * float(fact.get("weight", 1))


def best(facts: tuple[Fact, ...], text: str, keep: Callable[[Fact], bool] = lambda f: True) -> list[Fact]:
    scored = [(hits(f, text), i, f) for i, f in enumerate(facts) if keep(f)
              and (not f.get("requires") or compiled(f.get("requires"), re.I).search(text))]
    scored = [x for x in scored if x[0] > 0]
    # At equal strength, a fact the question names by a specific word ('Annex I') goes before
    # one it names only by a broad word ('high-risk').
    scored.sort(key=lambda x: (-x[0], only_broad(x[2], text), x[1]))
    return [f for _, _, f in scored]


JOINS = re.compile(r"\b(?:and|as well as|both|plus)\b", re.I)
# A question on the whole timetable, not one subject's date
TIMELINE = re.compile(r"\b(?:time ?line|time ?table|key dates|main (?:dates|deadlines)|important (?:dates|deadlines)|"
                      r"(?:upcoming|next|coming) (?:dates|deadlines)|deadlines? (?:are )?coming up|schedule|roadmap|"
                      r"all (?:the )?(?:dates|deadlines)|when does what apply|phase[sd]? in|in stages)\b", re.I)
NOW_APPLYING = re.compile(r"\b(?:what|which)\b.*\b(?:appl(?:y|ies)|applicable|in force|in application)\b.*"
                          r"\b(?:today|now|currently|at the moment|already|as (?:of|at))\b|"
                          r"\b(?:what|which)\b.*\b(?:already|currently) (?:appl\w*|in force)\b", re.I)
UPCOMING = re.compile(r"\b(?:upcoming|coming up|next|still to come|ahead|future|remaining)\b", re.I)


def spans(fact: Fact, text: str) -> list[tuple[int, int]]:
    """Where the question names the fact's subject: every match of every term."""
    return [m.span() for t in fact.get("terms") or () for m in compiled(t, re.I).finditer(text)]


def first_at(fact: Fact, text: str) -> int:
    """Where the question first names the fact's subject (by a match that joins no two subjects)."""
    return min((a for a, b in spans(fact, text) if not JOINS.search(text[a:b])), default=len(text))


def apart(other: Fact, first: Fact, text: str) -> bool:
    """The question names ``other`` in words that are not part of how it names ``first`` (not
    'GPAI' inside 'fines on GPAI providers')."""
    # a match that runs across 'and' ('GPAI obligations and … fines') joins two subjects: it
    # is not how the question names one
    taken = [(a, b) for a, b in spans(first, text) if not JOINS.search(text[a:b])]
    return any(not any(a <= x and y <= b for a, b in taken) for x, y in spans(other, text))


def only_broad(fact: Fact, text: str) -> bool:
    """The question names the subject only by a broad word ('high-risk'), not which kind."""
    broad = fact.get("broad") or ()
    if not broad:
        return False
    named = [t for t in fact.get("terms") or () if compiled(t, re.I).search(text)]
    return bool(named) and all(t in broad for t in named)


class Findings:
    """Builds the clauses of a conclusion for each part of a plan."""

    def __init__(self, law: Law | None = None):
        self.law = law or load_law()

    # -- dates -----------------------------------------------------------------------------
    def date_clause(self, fact: Fact, day: dt.date) -> Clause:
        rule, subject = fact.get("rule", "from"), fact.get("subject", "")
        date = fact.get("date")
        if rule == "fact" or date is None:
            text = _sentence(subject)
        elif rule == "by":
            text = _sentence(f"{subject}: must comply by {long_date(date)}" if day <= date else
                             f"{subject}: had to comply by {long_date(date)}, so the duty binds them now")
        else:
            # 'the AI Act in general applies', 'the prohibited practices apply': the subject's number is data
            one = bool(fact.get("singular"))
            text = _sentence(f"From {long_date(date)}, {subject} {'applies' if one else 'apply'}" if day < date
                             else f"Since {long_date(date)}, {subject} {'has' if one else 'have'} applied")
        return Clause(text, refs(fact))

    def moved(self, fact: Fact) -> Clause | None:
        """The 2024 date, where the Omnibus moved it."""
        old = fact.get("superseded_date")
        if not old:
            return None
        cites = refs(fact, earlier=True)
        if not cites:
            return None
        return Clause(f"The 2024 text said {long_date(old)}; Regulation (EU) 2026/1744 moved the date.",
                      cites, "condition")

    def cutoff(self, fact: Fact, day: dt.date) -> dt.date | None:
        """The day before which a transitional rule's systems or models were placed on the market
        (Article 111: 'placed on the market before 2 August 2025'), or None for other facts.
        ``placed_before_of`` names the fact whose date the rule refers to ('the date of
        application of Chapter III')."""
        if fact.get("placed_before"):
            return fact.get("placed_before")
        other = self._fact("dates", fact.get("placed_before_of"), day) if fact.get("placed_before_of") else None
        return other.get("date") if other is not None else None

    def transitional(self, part: Part, facts: tuple[Fact, ...], day: dt.date) -> tuple[list[Fact], set[str]]:
        """Read the question's 'placed on the market' period against the transitional rules:
        the rules whose cut-off comes after it and whose category the question is about (they
        decide the date for this system or model), and the ids of those whose cut-off it is past
        (they do not apply: the general date does)."""
        if not part.placed:
            return [], set()
        start, end = part.placed
        # What the question is about: the categories it names, or that of the date it names by
        # its subject ('rank job applicants' is the Annex III date, so high-risk).
        subject = next((f for f in best(facts, part.text) if self.cutoff(f, day) is None and f.get("category")), None)
        about = set(part.categories) | ({subject.get("category")} if subject is not None else set())
        applies, past = [], set()
        for f in facts:
            c = self.cutoff(f, day)
            if c is None or (f.get("only_if") and not compiled(f.get("only_if"), re.I).search(part.text)):
                continue  # not a transitional rule, or one for another duty of its category
            if end < c and (f.get("category") in about if f.get("category") else hits(f, part.text) > 0):
                applies.append(f)
            elif start >= c:
                past.add(f.id)
        applies.sort(key=lambda f: -hits(f, part.text))
        return applies, past

    def deadline(self, part: Part, day: dt.date, annex_i: bool = False) -> list[Clause]:
        """``annex_i``: the system asked about is high-risk through Annex I (decided in the same
        message), so of the two high-risk dates the Annex I one is its date."""
        facts = self.law.subject("dates", on=day)
        legacy, past = self.transitional(part, facts, day)
        named = best(facts, part.text, lambda f: f.id not in past)
        if legacy:  # the period the system was placed on the market in names its rule firmly
            clauses = [replace(self.date_clause(f, day), strength=max(2.0, hits(f, part.text))) for f in legacy[:2]]
            of = next((f.get("placed_before_of") for f in legacy[:2] if f.get("placed_before_of")), None)
            dated = self._fact("dates", of, day) if of else None
            if dated is not None:  # 'the date of application of Chapter III': which date that is
                c = self.date_clause(dated, day)
                clauses.append(Clause(f"The date of application of Chapter III it refers to: {c.text[0].lower()}{c.text[1:]}",
                                      c.cites, "condition"))
            return clauses
        found = named or self._actor_dates(part, day)
        if (not found or found[0].id == "general") and NOW_APPLYING.search(part.text) and not part.categories:
            # 'Which obligations of the AI Act apply today?': every stage, said as since or from
            return self.overview(part, facts, day)
        if not found and TIMELINE.search(part.text):
            return self.overview(part, facts, day)
        if not found:
            return []
        first = found[0]
        if not _refs_agree(first, part):
            return []
        routed = next((f for f in facts if f.id == first.get("alternative")), None) if annex_i else None
        if routed is not None:  # 'a class IIb medical device … from when?': the date of Annex I
            first, found = routed, [routed]
        # A date found through the actor the question names is named as firmly as by one term.
        clauses = [replace(self.date_clause(first, day), strength=hits(first, part.text) if named else 1.0)]
        for other in found[1:2]:  # two transitional rules the question names equally
            if float(other.get("weight", 1)) >= 3 and hits(other, part.text) == hits(first, part.text):
                clauses.append(replace(self.date_clause(other, day), strength=hits(other, part.text)))
        joined = next((f for f in found[1:3] if named and JOINS.search(part.text) and apart(f, first, part.text)), None)
        if joined is not None and len(clauses) == 1:
            # "the deadlines for GPAI obligations and for Commission fines on GPAI providers": two
            # subjects, each named in words of its own, each with its date, in the order asked.
            second = replace(self.date_clause(joined, day), strength=hits(joined, part.text))
            clauses = [second, clauses[0]] if first_at(joined, part.text) < first_at(first, part.text) \
                else [clauses[0], second]
        for f in facts:  # a transitional rule the system came too late for: say why its date is not this one
            if f.id in past and f.get("date") and f.get("category") in part.categories and len(clauses) < 3:
                clauses.append(Clause(f"The later date of {refs(f)[0][1]} ({long_date(f.get('date'))}) is only for "
                                      f"{f.get('subject')}, not for one placed on the market later.",
                                      refs(f), strength=clauses[0].strength))
        moved = self.moved(first)
        alternative = first.get("alternative") if routed is None else None
        if alternative and (only_broad(first, part.text) or not named):  # the actor's duties, either date
            other = next((f for f in facts if f.id == alternative), None)
            if other is not None:
                c = self.date_clause(other, day)
                clauses.append(Clause("If your system is a product, or a safety component of a product, "
                                      "covered by the Union harmonisation legislation of Annex I, the date "
                                      f"differs: {c.text[0].lower()}{c.text[1:]}", c.cites))
        if moved:
            clauses.append(moved)
        return clauses

    def overview(self, part: Part, facts: tuple[Fact, ...], day: dt.date) -> list[Clause]:
        """'What are the key dates?': the stages of Article 113 in the order they apply (only those
        still to come when the question asks what is coming up)."""
        stages = sorted((f for f in facts if f.get("overview") and f.get("date")), key=lambda f: f.get("date"))
        if UPCOMING.search(part.text):
            stages = [f for f in stages if f.get("date") > day] or stages
        seen: set[str] = set()
        clauses = []
        for f in stages:
            if f.get("subject") not in seen:
                seen.add(f.get("subject"))
                clauses.append(replace(self.date_clause(f, day), strength=2.0))
        return clauses

    def _actor_dates(self, part: Part, day: dt.date) -> list[Fact]:
        """'When do the obligations for importers apply?': no date names importers, but their
        duties say which date applies to them (obligations.toml ``applies``)."""
        if not part.actors:
            return []
        duties = [f for f in self.law.subject("obligations", on=day) if f.get("actor") in part.actors
                  and (not part.categories or f.get("category") in part.categories)]
        ids = list(dict.fromkeys(f.get("applies") for f in duties if f.get("applies")))
        return [f for i in ids[:1] for f in [self._fact("dates", i, day)] if f is not None]

    def dated_subject(self, part: Part, day: dt.date, rules: tuple[str, ...] = ("from",)) -> list[Clause]:
        """A question that is not about a date, on a subject with a date of its own (a practice
        prohibited only from 2 December 2026, a transitional rule for systems already on the
        market): that rule belongs in the conclusion."""
        everything = self.law.subject("dates", on=day)
        legacy, past = self.transitional(part, everything, day)
        if legacy and any(f.get("rule", "from") in rules for f in legacy):
            return [replace(self.date_clause(f, day), strength=max(3.0, hits(f, part.text)))
                    for f in legacy[:2] if f.get("rule", "from") in rules]
        facts = [f for f in best(everything, part.text, lambda f: f.id not in past)
                 if float(f.get("weight", 1)) >= 3 and f.get("rule", "from") in rules
                 and (f.get("date") or f.get("rule") == "fact")]
        if not facts:
            return []
        top = hits(facts[0], part.text)
        tied = [f for f in facts[:2] if hits(f, part.text) == top]  # two transitional rules, both named
        return [replace(self.date_clause(f, day), strength=top) for f in tied]

    # -- penalties -------------------------------------------------------------------------
    def penalty(self, part: Part, day: dt.date, tier: str | None = None) -> list[Clause]:
        facts = self.law.subject("penalties", on=day)
        fines = best(facts, part.text, lambda f: f.get("amount_eur") is not None)
        if tier and generic(part.text):  # the fine for the tier decided in the same message
            fines = [f for f in facts if tier in (f.get("tiers") or ())] or fines
        if not fines and not tier and part.categories:
            # 'the fine for not telling people they are talking to a bot': no fine named by its
            # words, but the duty's category is (Article 50): that category's fine
            tiers = {CATEGORY_TIER[c] for c in part.categories if c in CATEGORY_TIER}
            fines = [f for f in facts if tiers & set(f.get("tiers") or ())
                     or f.id == "gpai-providers" and {"gpai", "gpai-systemic-risk"} & set(part.categories)]
        others = best(facts, part.text, lambda f: f.get("amount_eur") is None and f.id not in ("sme", "smc"))
        clauses: list[Clause] = []
        if not fines and not others:
            if (part.sme or part.smc) and not generic(part.text):
                # 'Are SMEs fined less?': the SME rule is the answer.
                # The size asked about concludes (standing only where the passages agree); the other qualifies.
                return [replace(c, strength=min(c.strength, 1.0)) for c in self._size(part, day, set())]
            if not generic(part.text):
                return []
            fines = [f for f in facts if f.id in ("prohibited-practices", "operator-obligations",
                                                  "incorrect-information")]
        # 'Which is fined more: X or Y?' names two fines and compares them: both are the answer.
        compared = len(fines) > 1 and bool(COMPARED.search(part.text))
        for f in fines[:2] if fines and (fines[0].id.startswith("union-") or compared) else fines[:3] if not others and \
                not best(facts, part.text, lambda f: f.get("amount_eur") is not None) else fines[:1]:
            # A question that asks about fines and names what the fine is for (one term: 'banned')
            # names the fact as strongly as two terms of another question.
            clauses.append(replace(self._fine(f, part), strength=hits(f, part.text) + (part.intent == "penalty")))
            if f.id == "gpai-providers":
                when = self._fact("dates", "gpai-fines", day)
                if when:
                    clauses.append(self.date_clause(when, day))
        turnover = stated_turnover(part.text)
        if turnover and fines and fines[0].get("percent") is not None and fines[0].get("amount_eur") \
                and not fines[0].id.startswith("gpai"):
            clauses.append(replace(self._for_turnover(fines[0], part, day, turnover), kind="worked"))
        for f in others[:1]:
            clauses.append(Clause(_sentence(f"{_cap(f.get('who'))} {f.get('rule')}"), refs(f),
                                  strength=hits(f, part.text)))
        if len(clauses) == 0:
            return []
        general = {"prohibited-practices", "operator-obligations", "incorrect-information", "notified-bodies"}
        used = {f.id for f in fines[:1]} if fines else set()
        # the SME and small mid-cap caps are Article 99's: not the Commission's fines on GPAI providers
        if used & general or not fines and not any(o.id.startswith("gpai") for o in others[:1]):
            size = self._size(part, day, used)
            asked = [c for c in size if c.kind != "condition"]
            # A question about an SME's fine is answered by the SME rule first.
            clauses = asked + clauses + [c for c in size if c.kind == "condition"]
        # the amount worked out from the turnover the question states answers first ('at most EUR 140 000')
        worked = [replace(c, kind="conclusion") for c in clauses if c.kind == "worked"]
        return worked + [c for c in clauses if c.kind != "worked"]

    def _for_turnover(self, f: Fact, part: Part, day: dt.date, turnover: int) -> Clause:
        """'We're a start-up with EUR 2 million turnover: what is the maximum fine?': the fine's
        share of that turnover worked out, and which of the two caps applies — the higher, or for
        SMEs the lower (Article 99(6)); whether the company is an SME is the fact that decides."""
        share = int(round(turnover * float(f.get("percent")) / 100))
        cap = int(f.get("amount_eur"))
        percent = f"{float(f.get('percent')):g} %"
        sme = self._fact("penalties", "sme", day)
        main = ((f.sources[0].document, f.sources[0].reference),)
        if part.sme or sme is None or f.id not in (sme.get("applies_to") or ()):
            text = f"With a turnover of {amount(turnover)}, {percent} is {amount(share)}; " + (
                f"for {sme.get('who')}, the lower of that and {amount(cap)} applies: at most "
                f"{amount(min(share, cap))}." if part.sme and sme is not None else
                f"the higher of that and {amount(cap)} applies: at most {amount(max(share, cap))}.")
            return Clause(text, main + (refs(sme) if part.sme and sme is not None else ()))
        return Clause(f"With a turnover of {amount(turnover)}, {percent} is {amount(share)}: at most "
                      f"{amount(max(share, cap))}, the higher of the two; if you are an SME (Article 3(14a)), "
                      f"the lower: at most {amount(min(share, cap))}.",
                      main + refs(sme) + (("AI Act", "Article 3(14a)"),))

    def _fine(self, f: Fact, part: Part) -> Clause:
        """A fine whose fact lists several infringements cites the ones the question names, in
        their own words (Article 99(4)(g) for a deep fake), or all of them."""
        main, points = f.sources[0], [x for x in f.sources[1:] if not x.on]
        named = [x for x in points if any(re.search(rf"\b{re.escape(w)}\b", " ".join(x.words), re.I)
                                          for w in _asked_words(part))]
        if not points or not named:
            # 'Who imposes fines on EU institutions?': the provision in the question's words first
            return Clause(_fine_text(f), refs(f, text=part.text))
        words = "; ".join(" ".join(x.words).rstrip(";.") for x in named)
        return Clause(_fine_text(f, f"non-compliance with the {words}"),
                      ((main.document, main.reference),) + tuple((x.document, x.reference) for x in named))

    def _size(self, part: Part, day: dt.date, used: set[str]) -> list[Clause]:
        out = []
        covered = []  # which size rules cover this fine (99(6a) covers only paragraphs 4 and 5)
        for fid, asked in (("sme", part.sme), ("smc", part.smc)):
            f = self._fact("penalties", fid, day)
            if f is None:
                continue
            if used and not used & set(f.get("applies_to") or ()):
                if asked:
                    out.append(Clause(f"For {f.get('who')}, the '{f.get('rule')}' rule covers only the fines "
                                      "referred to in paragraphs 4 and 5, not this one.", refs(f)))
                continue
            text = f"For {f.get('who')}, each such fine is up to the percentage or amount, {f.get('rule')}."
            out.append(Clause(text, refs(f), "conclusion" if asked else "condition", 2.0 if asked else 0.0))
            covered.append(fid)
        if part.sme and part.smc and len(out) == 2 and SME.search(part.text) and SMC.search(part.text):
            # Both sizes named: the one the question is about answers first — the one it names
            # first ('Do small mid-caps get the same lower fines as SMEs?'), unless it asks whether
            # the rule extends to the other ('Does the rule for SMEs also cover small mid-caps?').
            first = min((SME, SMC), key=lambda size: size.search(part.text).start())
            other = SMC if first is SME else SME
            if _extended_to(other, part.text) and not _extended_to(first, part.text):
                first = other
            if first is SMC:
                out = out[::-1]
        if not part.sme and not part.smc:
            who = "an SME or start-up (or a small mid-cap)" if "smc" in covered else "an SME or start-up"
            out = [Clause(f"If you are {who}, the fine is capped at the lower of the two instead.",
                          tuple(r for c in out for r in c.cites), "condition")] if out else []
        return out

    # -- obligations, soft law, scope ------------------------------------------------------
    def obligations(self, part: Part, day: dt.date, any_question: bool = False) -> list[Clause]:
        facts = self.law.subject("obligations", on=day)
        categories = part.categories or (("high-risk",) if not part.actors else ("high-risk",))
        # A duty the data words itself ('tell users they are talking to a bot': Article 50(1)); with
        # no actor named, the duty's own actor ('label our news articles': the deployer, 50(4)).
        def asked(f: Fact) -> bool:
            return bool(f.get("terms")) and hits(f, part.text) > 0 and \
                (not f.get("requires") or bool(compiled(f.get("requires"), re.I).search(part.text)))
        worded = [f for f in facts if f.get("category") in categories and asked(f)]
        if not part.categories:
            # 'chatgpt style model, do we need to publish what data we trained on?': a duty asked
            # by its own name needs no category named.
            extra = [f for f in facts if f not in worded and float(f.get("weight", 1)) >= 2 and asked(f)]
            worded += extra
            categories = tuple(dict.fromkeys(categories + tuple(f.get("category") for f in extra)))
        if not part.actors and not part.categories and not worded:
            return []  # nothing says whose duties or which: the passages answer
        # with no actor named, the actor of the duty the question names most strongly comes first
        actors = part.actors or tuple(dict.fromkeys(
            f.get("actor") for f in sorted(worded, key=lambda f: -hits(f, part.text)))) or ("provider",)
        rest = part.text
        for f in worded:  # the duty's own words say what it is; any other detail is the passages'
            for t in f.get("terms") or ():
                rest = compiled(t, re.I).sub(" ", rest)
        if not any_question and not generic(rest, DUTY_WORDS, 2) and not (part.actors and WHAT_TO_DO.search(part.text)) \
                and not any(float(f.get("weight", 1)) >= 2 for f in worded):
            return []  # a question on one specific duty ('how quickly must … report …') is the passages' to answer
        if "gpai-systemic-risk" in categories and "gpai" in categories and \
                not re.search(r"\b(?:gpai|general[- ]purpose)\b.*\band\b.*systemic", part.text, re.I):
            categories = tuple(c for c in categories if c != "gpai")
        clauses = []
        # Where the duties of a category have their own words (Article 50: a chatbot, a
        # generator, a deep fake), the question's words pick the duties it is about.
        named = {f.id for f in facts if f.get("category") in categories and hits(f, part.text) > 0}
        # a duty asked by its name alone; of several, the one the question names most ('register
        # a system we concluded is not high-risk' is Article 6(4), not every registration)
        # (only the asked actor's: an importer asking about the CE marking is not told the provider's duty)
        strong = [f for f in worded if float(f.get("weight", 1)) >= 2 and f.get("actor") in actors + ("any",)]
        top = max((hits(f, part.text) for f in strong), default=0)
        own = {f.id for f in strong if hits(f, part.text) == top}
        for actor in actors:
            for category in categories:
                for f in facts:
                    if f.get("actor") == actor and f.get("category") == category and \
                            (not named or f.id in named or not f.get("terms")) and (not own or f.id in own):
                        label = ", ".join(r for _, r in refs(f)[:1])
                        who = _plural(actor) if category != "gpai-systemic-risk" else \
                            "Providers of general-purpose AI models with systemic risk"
                        if category == "gpai" and actor == "provider":
                            who = "Providers of general-purpose AI models"
                        cites = refs(f, text=part.text)
                        label = cites[0][1]
                        # A duty named by its own words ('news articles', 'label') is named strongly;
                        # so is one whose actor and category the question both names ('what do we
                        # have to do as the deployer of a high-risk system?').
                        # So is "we are a distributor, what must we do?": the Act gives importers,
                        # distributors and authorised representatives duties for high-risk systems only.
                        strength = max(1.0, hits(f, part.text)) if f.get("terms") else \
                            2.0 if part.actors and (part.categories or actor in HIGH_RISK_ONLY_ACTORS
                                                    and WHAT_TO_DO.search(part.text)) else 1.0
                        clauses.append(Clause(f"{_cap(who)} ({_article(label)}) must {f.get('duty')}.", cites,
                                              strength=strength))
        if clauses:
            when = {f.get("applies") for f in facts if f.get("actor") in actors and f.get("category") in categories}
            dates = [self._fact("dates", w, day) for w in sorted(w for w in when if w)]
            for d in dates[:1]:
                if d is not None and d.get("date"):
                    c = self.date_clause(d, day)
                    clauses.append(Clause(f"When: {c.text[0].lower()}{c.text[1:]}", c.cites, "condition"))
        return clauses

    def soft_law(self, part: Part, day: dt.date) -> list[Clause]:
        found = best(self.law.subject("soft_law", on=day), part.text)
        if found:  # a fact that already says what another does ('covers' it) is not said twice
            covered = set(found[0].get("covers") or ())
            found = [found[0]] + [f for f in found[1:] if f.id not in covered]
        # a rule every guideline states is proved by the ones the question names first, three at most
        return [Clause(_sentence(f.get("says")), refs(f, text=part.text)[:3], strength=hits(f, part.text))
                for f in found[:2]]

    def scope(self, part: Part, day: dt.date) -> list[Clause]:
        """A rule the data states in plain words (``says``) that answers what the question
        describes: scope and exclusions, an exception a prohibition writes ('real-time remote
        biometric identification … to search for a missing child'), a remedy, who the bodies and
        authorities are ('Who sits on the AI Board?'), what a duty contains or leads to (the
        fundamental rights impact assessment and the DPIA) — with the conditions it comes with."""
        facts = tuple(f for subject in RULES for f in self.law.subject(subject, on=day))
        found = best(facts, part.text)
        if found:
            # "… to AI used for scientific research, and to AI in the military?": two subjects,
            # each named in words of its own, each with its rule, in the order asked
            joined = next((f for f in found[1:3] if JOINS.search(part.text) and apart(f, found[0], part.text)
                           and apart(found[0], f, part.text)), None)
            if joined is not None:
                pair = sorted((found[0], joined), key=lambda f: first_at(f, part.text))
                found = pair + [f for f in found if f not in pair]
                return [Clause(_in_the_terms_asked(f, part.text), refs(f, text=part.text), strength=hits(f, part.text))
                        for f in pair]
        out = [Clause(_in_the_terms_asked(f, part.text), refs(f, text=part.text), strength=hits(f, part.text))
               for f in found[:1]]
        for fid in (found[0].get("then") or ()) if found else ():
            then = next((f for f in facts if f.id == fid), None)
            if then is not None:
                out.append(Clause(_sentence(then.get("says")), refs(then), "condition"))
        return out

    def not_held(self, text: str) -> NotHeld | None:
        found = best(self.law.subject("not_held"), text)
        if not found:
            return None
        f = found[0]
        # A question the provision that names the document answers in its own words ('who draws
        # up the code of practice on labelling AI-generated content?': Article 50(7)) is answered
        # from that provision: at least three of a rule's terms, and the rule cites it.
        named_in = set(refs(f))
        rules = tuple(g for subject in ("soft_law",) + RULES for g in self.law.subject(subject))
        if any(hits(g, text) >= 3 * float(g.get("weight", 1)) and named_in & set(refs(g)) for g in best(rules, text)[:3]):
            return None
        return NotHeld(f.get("title"), f.get("url", ""), f.get("landing", ""), tuple(r for _, r in refs(f)))

    def moved_dates(self, day: dt.date) -> list[tuple[str, str, str]]:
        """(2024 date, today's date, subject) for every date the Omnibus moved."""
        return [(long_date(f.get("superseded_date")), long_date(f.get("date")), str(f.get("subject")))
                for f in self.law.subject("dates", on=day) if f.get("superseded_date") and f.get("date")]

    def conditions(self, cites: tuple, question: str, day: dt.date) -> list[Clause]:
        """The conditions another provision sets on a conclusion citing ``cites`` that the
        question asks about (Article 5(1a)(a) on placing a (ba)/(bb) system on the market)."""
        cited = {ref for _, ref, *__ in cites}
        return [Clause(_sentence(f.get("says")), refs(f), "condition", strength=1.0)
                for f in self.law.subject("conditions", on=day)
                if cited & {f"Article {f.get('within')}{p}" for p in f.get("points") or ()}
                and any(compiled(a, re.I).search(question) for a in f.get("asks") or ())]

    # -- premises --------------------------------------------------------------------------
    def premises(self, plan: Plan, day: dt.date) -> list[tuple[Premise, Clause]]:
        """Claims in the question the law data contradicts, each with its correction (only this
        turn's words: a follow-up does not repeat the previous turn's correction)."""
        from assistant.plan import INSTRUCTED

        text = plan.question
        if INSTRUCTED.search(text):
            return []  # "confirm that start-ups are exempt": an instruction, not a premise to correct
        out = []
        for f in self.law.subject("premises", on=day):
            if all(compiled(c, re.I).search(text) for c in f.get("claim") or ()):
                out.append((Premise(f.get("claim")[0], f"premises/{f.id}"),
                            Clause(_sentence(f.get("correction")), refs(f), "premise")))
        if out:
            return out[:1]
        return self._numeric_premises(plan, day)

    def _numeric_premises(self, plan: Plan, day: dt.date) -> list[tuple[Premise, Clause]]:
        text, part = plan.question, plan.parts[0]
        out = []
        if part.intent == "penalty":
            facts = self.law.subject("penalties", on=day)
            percents = {f.get("percent") for f in facts if f.get("percent") is not None}
            amounts = {f.get("amount_eur") for f in facts if f.get("amount_eur")}
            # A figure the Act has, claimed for an infringement it does not cap ("7 % for deployers,
            # right?"): the fine the question names follows the "Not …:".
            named = best(facts, part.text, lambda f: f.get("amount_eur") is not None) if CUE.search(text) else []
            named = named[:1] if named and not (part.sme or part.smc) else []
            for m in re.finditer(r"(\d+(?:[.,]\d+)?)\s?(?:%|percent|per cent)", text, re.I):
                value = float(m.group(1).replace(",", "."))
                if value not in percents:
                    out.append((Premise(m.group(0), "penalties"), Clause(
                        f"Not {m.group(0).strip()}: the AI Act sets no such share of turnover.", (), "premise")))
                elif named and named[0].get("percent") is not None and value != named[0].get("percent"):
                    out.append((Premise(m.group(0), f"penalties/{named[0].id}"), Clause(
                        f"Not {m.group(0).strip()}:", (), "premise")))
            for m in AMOUNT_TEXT.finditer(text):
                if _is_turnover(text, m):
                    continue  # "a start-up with EUR 2 million turnover" states the company's size, not a cap
                value = _money(m)
                if value and value not in amounts:
                    out.append((Premise(m.group(0), "penalties"), Clause(
                        f"Not {amount(value)}: no fine in the AI Act has that cap.", (), "premise")))
                elif value and named and value != named[0].get("amount_eur"):
                    out.append((Premise(m.group(0), f"penalties/{named[0].id}"), Clause(
                        f"Not {amount(value)}:", (), "premise")))
            if (part.sme or part.smc) and re.search(r"\bhigher\b", text, re.I):
                out.append((Premise("higher", "penalties/sme"), Clause(
                    "Not the higher: for SMEs and start-ups (and, for the fines of Article 99(4) and (5), small mid-caps) it is whichever is lower.", (),
                    "premise")))
        out += self._compute_premise(text, day)
        if part.intent == "deadline" and CUE.search(text):
            found = best(self.law.subject("dates", on=day), part.text)
            date = found[0].get("date") if found else None
            if date:
                subject = str(found[0].get("subject", ""))
                for m in YEAR_TEXT.finditer(text):
                    stated = m.group(0)
                    year = int(m.group("year"))
                    month = m.group("month")
                    wrong = year != date.year or (month and month.lower() != long_date(date).split()[1].lower())
                    if wrong and stated not in subject:
                        out.append((Premise(stated, f"dates/{found[0].id}"), Clause(
                            f"Not {stated}:", (), "premise")))
                        break
        return out[:1]

    def _compute_premise(self, text: str, day: dt.date) -> list[tuple[Premise, Clause]]:
        """'Our model has 10^24 FLOPs, so we have the systemic-risk duties?': below the compute of
        the presumption (Article 51(2)), a model has systemic risk only by the other routes of 51(1)."""
        if not re.search(r"\bsystemic\b", text, re.I):  # every question passes here: the cheap test first
            return []
        fact = self._fact("requirements", "systemic-risk-routes", day)
        if fact is None or not fact.get("presumed_above_flop") or not fact.get("below_presumption"):
            return []
        threshold = _flop_exponent(fact.get("presumed_above_flop"))
        for m in FLOP_TEXT.finditer(text):
            stated = _flop_exponent(m.group(0))
            if stated is not None and threshold is not None and stated < threshold:
                return [(Premise(m.group(0), "requirements/systemic-risk-routes"), Clause(
                    f"Not by that compute alone: {m.group(0).strip()} is below the {fact.get('presumed_above_flop')} "
                    "floating point operations above which a general-purpose AI model is presumed to have high impact "
                    f"capabilities; {fact.get('below_presumption')}",
                    (("AI Act", "Article 51(2)"), ("AI Act", "Article 51(1)(a)"), ("AI Act", "Article 51(1)(b)")),
                    "premise"))]
        return []

    def _fact(self, subject: str, fid: str, day: dt.date) -> Fact | None:
        try:
            return self.law.get(subject, fid, on=day)
        except KeyError:
            return None


COMPARED = re.compile(r"\b(?:vs\.?|versus|compar\w*|difference between|which (?:is|one|fine)\b.*\bor\b|"
                      r"(?:more|higher|lower|less|bigger|worse)\b.*\bor\b|\bor\b.*\b(?:more|higher|lower|bigger|worse)\b)", re.I)
AMOUNT_TEXT = re.compile(r"(?:EUR|€)\s?(\d+(?:[.,]\d+)?)\s?(million|m\b|mn\b)?|(\d+(?:[.,]\d+)?)\s?(million|m\b)\s?(?:EUR|euros?)",
                         re.I)
# training compute as people write it: 10^24, 10**24, 1e24, 10 to the 24th
FLOP_TEXT = re.compile(r"\b10\s*(?:\^|\*\*)\s*\d{1,2}\b|\b\d(?:\.\d+)?\s*[x×]\s*10\s*(?:\^|\*\*)\s*\d{1,2}\b|"
                       r"\b\d(?:\.\d+)?e\+?\d{1,2}\b|\b10 to the (?:power of )?\d{1,2}(?:th|st|nd|rd)?\b", re.I)


def _flop_exponent(written: str) -> float | None:
    """log10 of a compute as written ('5x10^25' → 25.7, '1e24' → 24)."""
    import math

    m = re.search(r"(?:(\d(?:\.\d+)?)\s*[x×]\s*)?10\s*(?:\^|\*\*|to the (?:power of )?)\s*(\d{1,2})", written, re.I) \
        or re.search(r"(\d(?:\.\d+)?)e\+?(\d{1,2})", written, re.I)
    if not m:
        return None
    mantissa = float(m.group(1)) if m.group(1) else 1.0
    return math.log10(mantissa) + int(m.group(2)) if mantissa > 0 else None


YEAR_TEXT = re.compile(r"(?:(?:\d{1,2}\s+)?(?P<month>January|February|March|April|May|June|July|August|September|"
                       r"October|November|December)\s+)?(?P<year>20[2-3]\d)\b", re.I)
CUE = re.compile(r"^\s*(?:since|now that|given|because|as)\b|\bright\s*\?|\bisn'?t it\b|\bcorrect\s*\?|"
                 r"\bpostponed\b|\bmoved\b|\balready appl|"
                 # "Is the deadline still August 2026?": a date stated as the one that holds
                 r"\b(?:still|really|actually)\b[^?]{0,40}\b20\d\d\b|\bis it (?:true|correct) that\b", re.I)


GENERIC_WORDS = COMMON | set("""fine fines fined penalty penalties maximum highest much amount amounts
sanction sanctions there please tell know could level levels biggest large top million euro euros
correct right true break breaks breaking breach breaches breaching breached violate violates violating
rules apply applies happens happen ignore ignoring consequence consequences compliance comply complying
startup startups company companies business businesses""".split())  # "The max fine is EUR 20 million, correct?" asks about the fines in general


DUTY_WORDS = COMMON | set("""obligations duties duty requirements require required responsibilities check checks
verify selling sell sells
high risk general purpose systemic importer importers distributor distributors authorised representative
representatives product manufacturer manufacturers both give extra additional what there under transparency
providers deployers respectively compared versus each their main core
startup startups company companies business makes build builds built offer offers customers clients
answers answer product products tool tools stuff things anything something really gpai model models""".split())  # how founders describe themselves, no duty of its own


WHAT_TO_DO = re.compile(  # an actor asking for its whole list of duties, however it describes itself
    r"\bwhat (?:do|does|must|should|shall) (?:we|i|an? \w+|the \w+)(?: of (?:an? |the )?[\w-]+(?: [\w-]+){0,3}?)? (?:have to |need to )?(?:do|check|verify|comply with)\b|"
    r"\bto-?do(?: list)?\b|\bwhat are (?:my|our) (?:obligations|duties|responsibilities)\b|"
    r"\bwhat (?:obligations|duties) do (?:we|i) have\b|"
    r"\bwhat (?:does|do|would|will) (?:the )?(?:eu )?(?:ai act|act|law|regulation)s? (?:require|demand|expect)\b", re.I)


EXTENDED = r"\b(?:also|too|as well|likewise|equally|extend\w*|cover\w*|include\w*|apply to|applies to)\b[^.?!]{0,40}"


def _extended_to(size: re.Pattern, text: str) -> bool:
    """Does the question ask whether a rule extends to this size ('… also cover small mid-caps?')?"""
    return any(re.search(EXTENDED + r"$", text[:m.start()], re.I) for m in size.finditer(text))


def generic(text: str, known: set[str] = GENERIC_WORDS, allowed: int = 1) -> bool:
    """A question with no subject of its own beyond the intent ('What are the AI Act fines?')."""
    return len([w for w in WORD.findall(text.lower()) if w not in known]) <= allowed


def _refs_agree(fact: Fact, part: Part) -> bool:
    """A question that names provisions is about them: a fact that neither cites nor names any
    of them answers another question."""
    if not part.references:
        return True
    text = " ".join([str(fact.get("subject", ""))] + [" ".join(s.words) for s in fact.sources])
    cited = [r for _, r in refs(fact)]
    return any(r in text or any(c.startswith(r) or r.startswith(c) for c in cited) for r in part.references)


TURNOVER_WORDS = re.compile(r"\b(?:turnover|revenues?|sales|annual income|a year in|per year|ARR)\b", re.I)


def _is_turnover(text: str, m: re.Match) -> bool:
    """The amount is said of the company's turnover ('EUR 8 million turnover', 'revenue of €2m')."""
    return bool(TURNOVER_WORDS.search(text[max(0, m.start() - 30):m.end() + 30]))


def stated_turnover(text: str) -> int | None:
    """The annual turnover a question states, in euros."""
    return next((v for m in AMOUNT_TEXT.finditer(text) if _is_turnover(text, m) and (v := _money(m))), None)


def _money(m: re.Match) -> int | None:
    number, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    try:
        value = float(number.replace(",", "."))
    except (TypeError, ValueError):
        return None
    return int(value * 1_000_000) if unit or value < 1000 else int(value)


ASKED = {"provider": "providers", "deployer": "deployers", "importer": "importers", "distributor": "distributors",
         "authorised representative": "authorised representatives", "article-50": "Article 50",
         "product manufacturer": "product manufacturers"}


def _asked_words(part: Part) -> list[str]:
    """The words of a sub-point that show the question is about it."""
    words = [ASKED[a] for a in part.actors if a in ASKED] + [ASKED[c] for c in part.categories if c in ASKED]
    if "Article 50" in words:  # a transparency duty binds providers and deployers alike
        words = [w for w in words if w not in ("providers", "deployers")]
    return words + [r for r in part.references]


def _fine_text(f: Fact, infringement: str | None = None) -> str:
    eur = amount(f.get("amount_eur"))
    infringement = infringement or f.get("infringement")
    if f.get("percent") is None:
        return _sentence(f"Up to {eur} for {infringement}")
    pct = f"{f.get('percent'):g} %"
    if f.id == "gpai-providers":
        return _sentence(f"The Commission may fine providers of general-purpose AI models up to {pct} of their "
                         f"annual total worldwide turnover or {eur}, {f.get('rule')}")
    return _sentence(f"Up to {eur} or, for an undertaking, up to {pct} of its total worldwide annual turnover "
                     f"for the preceding financial year, {f.get('rule')}, for {infringement}")


def _sentence(text: str) -> str:
    text = _cap(str(text).strip())
    return text if text.endswith((".", "?", "!", ":")) else text + "."


def _cap(text) -> str:
    text = str(text or "")
    return text[:1].upper() + text[1:]


def _plural(actor: str) -> str:
    return {"authorised representative": "authorised representatives",
            "product manufacturer": "product manufacturers", "any": "providers and deployers"}.get(actor, actor + "s")


def _article(reference: str) -> str:
    return reference


# -- classification ('is X high-risk / prohibited?') -------------------------------------
def classification(decided, part=None, findings: Findings | None = None, day: dt.date | None = None) -> list[Clause]:
    """'Is X high-risk / prohibited?': the tier the decision procedure gives (``decided`` is its
    tier and deciding provision, optionally with its open questions), in plain words. The walk
    takes Article 5, Annex I and Annex III before Article 50, so a transparency duty is never the
    conclusion where a greater tier holds: it is added on top of a high-risk conclusion, and is
    the conclusion ("not high-risk by that fact alone") only for a system the walk calls limited."""
    from assistant.answer import best_sentence, lead_quote

    tier, p, *rest = decided
    opens = rest[0] if rest else ()
    later = rest[1] if len(rest) > 1 else None  # Upcoming: when a prohibition not yet applicable applies
    known = rest[2] if len(rest) > 2 else ()  # the facts read or given (assistant.facts.KnownFact)
    profiles = any(f.name == "profiling" and f.value for f in known)
    duty = None
    if part is not None and findings is not None and "article-50" in part.categories and tier != "prohibited":
        duties = findings.obligations(replace(part, actors=("provider", "deployer"),
                                                           categories=("article-50",)), day, True)
        named = [c for c in duties if c.kind != "condition"]
        duty = named[0] if named and len(named) < 4 else None
    ref = (p.document, p.reference)
    words = best_sentence(p, "")
    asked = part.text if part is not None else ""
    if tier == "prohibited" and p.reference.startswith("Article 5") and later is not None:
        when = long_date(dt.date.fromisoformat(later.from_day))
        lead = f"Yes — from {when}," if verdict(asked, True) != "No —" else f"No, not from {when}: from then on,"
        lead = f"Not yet — from {when}," if YET.search(asked) and lead.startswith("Yes") else lead
        dated = ((p.document, later.dated_by),) if later.dated_by else ()
        return [Clause(f"{lead} {p.reference} prohibits: “{lead_quote(p, '', 900)}”", (ref,) + dated)]
    if tier == "prohibited" and p.reference.startswith("Article 5"):
        return [Clause(f"{verdict(asked, True)} {p.reference} prohibits: “{lead_quote(p, '', 900)}”", (ref,))]
    if tier == "undecided":  # one open fact decides: say which, and what follows either way
        o = opens[0]
        if o.then == "prohibited":
            then = f"{p.reference} prohibits it: “{lead_quote(p, '', 900)}”"
        else:
            then = f"it is high-risk under {p.reference}, which covers “{point_words(p)}”"
        yes = "no" if o.assumed == "yes" else "yes"
        asks = o.question[:1].lower() + o.question[1:]
        return [Clause(f"It depends on one fact the question does not give: {asks} If {yes}, {then}", (ref,))]
    if tier == "excepted":
        e = rest[3]
        head = asked_head(asked)
        opener = "Yes, allowed on this description:" if e.outcome == "prohibited" and ASKS_ALLOWED.search(head) \
            and not ASKS_BAN.search(head) else "No:" if ASKS_TIER.search(asked) or ASKS_BAN.search(head) else \
            "Yes, on this description it is neither prohibited nor" if e.outcome == "high-risk" and ASKS_ALLOWED.search(head) else ""
        written = e.exception_reference == p.reference or e.exception_reference.startswith("Article")
        # the point's own limit ('in the case of life and health insurance') is no exception to it
        limit = written and e.exception_reference == p.reference and not EXCEPTION_WORDS.search(e.words)
        said = f"not {e.outcome} under {p.reference}: " + (
            "the point is limited to" if limit else
            f"the exception written for it applies{'' if e.exception_reference == p.reference else f' ({e.exception_reference})'}"
            if written else f"{e.exception_reference} excludes it") + (" " if limit else ": ") + f"“{e.words.rstrip('.;')}”."
        if opener.endswith(" nor"):  # 'Can we use …?': neither prohibited nor high-risk under the point
            said = said[len("not "):]
        return [Clause(f"{opener} {said}" if opener else said[0].upper() + said[1:],
                       tuple(dict.fromkeys((ref, (p.document, e.exception_reference)))))]
    if tier == "unlisted":
        return [Clause("Likely not high-risk, on this description: AI systems are high-risk when they are a "
                       "safety component of, or are, a product covered by the legislation of Annex I (Article 6(1)), "
                       "or are referred to in Annex III (Article 6(2)), and the description names no such product "
                       "or use.", (("AI Act", "Article 6(1)"), ref))]
    if tier == "derogation" and findings is not None:
        # the rule the data states for that condition ('Not high-risk, if …: Article 6(3)(a) …')
        rule = next((f for f in findings.law.subject("scope", on=day) if f.sources
                     and f.sources[0].reference == p.reference and f.get("says")), None)
        return [Clause(_sentence(rule.get("says")), refs(rule))] if rule is not None else []
    if tier == "listed-if":
        return [Clause(f"High-risk only if it is a use that {p.reference} covers: “{point_words(p)}”; "
                       f"Article 6(2) makes the AI systems referred to in Annex III high-risk.",
                       (ref, (p.document, "Article 6(2)")))]
    if tier == "high-risk":
        where = ("listed in Annex III, so high-risk under Article 6(2)" if p.reference.startswith("Annex III")
                 else "so high-risk under Article 6(1) and Annex I" if p.reference.startswith(("Article 6(1)", "Annex I"))
                 else "high-risk")
        # What the point covers, in its own words (and any exception it writes: 'with the
        # exception of … financial fraud', 'This shall not include … biometric verification'),
        # so the conclusion says why, not only where.
        covers = f", which covers “{point_words(p)}”" if p.reference.startswith(("Annex III", "Article 6(1)")) else \
            f" ({p.title})" if p.title else ""
        out = [Clause(f"{verdict(asked, False)} a system like this falls under {p.reference}{covers}, {where}.",
                      (ref,))]
        if p.reference.startswith("Annex III") and profiles:
            # the exception of Article 6(3) is closed to a system that profiles people
            out.append(Clause("Article 6(3)'s exception is not open to it, since it profiles people: “an AI system "
                              "referred to in Annex III shall always be considered to be high-risk where the AI "
                              "system performs profiling of natural persons”.",
                              (("AI Act", "Article 6(3)"),), "condition"))
        elif p.reference.startswith("Annex III"):
            out.append(Clause("Unless it does not pose a significant risk of harm to health, safety or "
                              "fundamental rights, including by not materially influencing the outcome of "
                              "decision making (Article 6(3)); a provider who considers so must document its "
                              "assessment before it is placed on the market or put into service (Article 6(4)).",
                              (("AI Act", "Article 6(3)"), ("AI Act", "Article 6(4)")), "condition"))
        # a fact the question leaves open that would make it prohibited ('in real time?')
        banned = next((o for o in opens if o.then == "prohibited" and o.then_reference), None)
        if banned is not None:
            # asked whether it is allowed, what would make it prohibited is part of the answer
            head = asked_head(asked)
            kind = "conclusion" if ASKS_BAN.search(head) or ASKS_ALLOWED.search(head) else "condition"
            out.append(Clause(f"It would be prohibited under {banned.then_reference} if you answer "
                              f"{'no' if banned.assumed == 'yes' else 'yes'} to: {banned.question}",
                              (("AI Act", banned.then_reference),), kind))
        if duty is not None:
            out.append(Clause(f"On top of that, it has the transparency duty of {duty.cites[0][1]}.", duty.cites))
        return out
    if tier == "minimal":
        return []  # the assessor sees no tier: the closest provision is quoted, not concluded on
    if tier == "limited":
        opening = limited_verdict(asked)
        if duty is not None:
            # what the duty is, in the data's words ('… must design AI systems that interact
            # directly with natural persons so that those persons are informed …')
            what = re.sub(r"^\S+(?: \S+)? \((?:[^()]|\([^()]*\))*\) must ", "", duty.text)
            what = f": {_plural_duty(duty.text)} must {what[0].lower()}{what[1:]}" if what != duty.text else "."
            out = [Clause(f"{opening} it has the transparency duty of "
                          f"{duty.cites[0][1]}{what}", duty.cites)]
        elif p.reference.startswith("Article 50"):
            out = [Clause(f"{opening} it has the transparency duty of {p.reference}: "
                          f"“{_clip(words)}”", (ref,))]
        else:
            return []
        # what the walk says would make it high-risk (an Annex III use, an Annex I product)
        greater = next((o for o in opens if o.then == "high-risk"), None)
        if greater is not None:
            out.append(Clause(f"It would be high-risk under {greater.then_reference} if you answer "
                              f"{'no' if greater.assumed == 'yes' else 'yes'} to: {greater.question}",
                              (("AI Act", greater.then_reference),), "condition"))
        return out
    return []


ASKS_BAN = re.compile(r"\b(?:bann?(?:ed|s|ing)?|prohibit\w*|forbid\w*|outlaw\w*|illegal)\b", re.I)
ASKS_ALLOWED = re.compile(r"\b(?:allowed|legal|lawful|permitted|ok|okay)\b|^\W*(?:can|may|could)\b", re.I)
ASKS_RULES = re.compile(r"\b(?:any|which|what) (?:ai act )?(?:rules|regulations?|requirements)\b", re.I)
ASKS_HIGH_RISK = re.compile(r"\bhigh[- ]?risk\b", re.I)
# 'Is it high-risk?', 'does it count as high risk', 'what risk category is …': the tier asked, not
# whether a practice is banned or allowed
# 'Which biometric systems are listed as high-risk?': a list asked, not a system described
LISTS_ASKED = re.compile(r"^\W*(?:which|what)\b(?:\s+[\w-]+){0,3}?\s+(?:systems|uses|kinds|types|ones|practices|areas)\b", re.I)
ASKS_TIER = re.compile(r"\bhigh[- ]?risk\b|\brisk (?:tier|level|categor\w+|class\w*)\b", re.I)


SUBORDINATE = re.compile(r"\b(?:now that|since|because|given(?: that)?|as|as if|although|even though)\b|[,;—–]", re.I)


def asked_head(question: str) -> str:
    """The main question without its reasons ('Does the Act ban AI in hiring since it's
    high-risk?' asks whether it is banned, not whether it is high-risk)."""
    if SUBORDINATE.match(question.strip()):  # "Since it is high-risk, is our tool banned?"
        rest = re.split(r"[,;—–]", question, 1)
        return rest[1] if len(rest) > 1 and rest[1].strip() else question
    # "Retail analytics: our cameras read shoppers' emotions in stores. Prohibited under Article 5?":
    # a description in sentences of its own, then the question
    sentences = [x for x in re.split(r"(?<=[.!:])\s+", question.strip()) if x]
    if len(sentences) > 1 and sentences[-1].rstrip().endswith("?") and not any(x.rstrip().endswith("?") for x in sentences[:-1]):
        return asked_head(sentences[-1])
    # "We analyse candidates' faces in interviews, is that allowed?": a description, then the
    # question about it
    pieces = re.split(r"[,;—–]", question)
    if len(pieces) > 1 and TAG_QUESTION.match(pieces[-1]) and not QUESTION_START.match(pieces[0]):
        return pieces[-1]
    return SUBORDINATE.split(question, 1)[0] or question


# A question put after a description ('…, is that allowed?', '… - is it legal?')
TAG_QUESTION = re.compile(r"\s*(?:so\s+|but\s+|and\s+)?(?:is|are|would|could|can|may|does|do|will)\s+"
                          r"(?:that|this|it|we|they|such (?:a|an) \w+)\b.*\?\s*$", re.I)
QUESTION_START = re.compile(r"\s*(?:is|are|would|could|can|may|does|do|will|what|which|when|how|who|why|should|must)\b", re.I)


BETWEEN_TIERS = re.compile(r"\bhigh[- ]?risk\W+or\W+(?:just\W+)?(?:banned|prohibited|forbidden|illegal)\b|"
                           r"\b(?:banned|prohibited|forbidden|illegal)\W+or\W+(?:just\W+|only\W+)?high[- ]?risk\b", re.I)


def verdict(question: str, prohibited: bool) -> str:
    """The answer's first words, in the terms the question asked: 'Does the Act ban X?' → 'Yes —',
    'Is X allowed?' → 'No —' for a prohibited practice; 'Is X allowed?' → 'Allowed, as a
    high-risk AI system:' for a high-risk one."""
    whole, question = question, asked_head(question)
    if BETWEEN_TIERS.search(whole):  # "High-risk or banned?": the one it is, by name
        return "Prohibited:" if prohibited else "High-risk, not prohibited, on this description:"
    if prohibited:
        if ASKS_BAN.search(question):
            return "Yes —"
        return "No —" if ASKS_ALLOWED.search(question) else "Prohibited:"
    if ASKS_RULES.search(whole) and not ASKS_HIGH_RISK.search(whole):
        return "Yes, the high-risk rules, likely:"
    if ASKS_HIGH_RISK.search(question) or not (ASKS_BAN.search(question) or ASKS_ALLOWED.search(question)):
        return "Likely yes:"
    if ASKS_BAN.search(question):
        return "Not prohibited on this description, but high-risk:"
    return "Allowed, but as a high-risk AI system:"


def limited_verdict(question: str) -> str:
    """The opening for a system with only a transparency duty, in the question's terms."""
    whole, question = question, asked_head(question)
    if ASKS_RULES.search(whole) and not ASKS_HIGH_RISK.search(whole):
        return "Yes, a transparency duty (not high-risk by that fact alone):"
    if ASKS_HIGH_RISK.search(question) or not (ASKS_BAN.search(question) or ASKS_ALLOWED.search(question)):
        return "No, not high-risk by that fact alone:"
    if ASKS_BAN.search(question):
        return "Not prohibited on this description:"
    return "Yes, allowed on this description, but"


def point_words(p, limit: int = 400) -> str:
    """The words of a listed point without its label ('(a) ') or closing ';'."""
    text = " ".join(p.text.split())
    text = re.sub(r"^\(?[0-9a-z]{1,4}[.)]\s+", "", text).rstrip(" ;.")
    return _clip(text, limit)


YET = re.compile(r"\byet\b", re.I)
EXCEPTION_WORDS = re.compile(r"\b(?:exception|except|not include|shall not|does not|do not|other than)\b", re.I)


def dated_prohibition(dated: Clause, point, question: str) -> Clause | None:
    """A practice prohibited only from a later date (Article 113(a): points (ba) and (bb) from
    2 December 2026) is concluded on by the point that prohibits it, with the date that says
    since or from when: 'Yes — from 2 December 2026, Article 5(1)(ba) prohibits: “…”'."""
    m = re.match(r"(From|Since) (\d{1,2} \w+ \d{4}),", dated.text)
    if point is None or not m:
        return None
    from assistant.answer import lead_quote

    when = f"{m.group(1).lower()} {m.group(2)}"
    lead = f"Yes — {when}," if verdict(question, True) != "No —" else \
        f"No — {when}," if m.group(1) == "Since" else f"No, not from {m.group(2)}: from then on,"
    if m.group(1) == "From" and YET.search(question) and lead.startswith("Yes"):
        lead = f"Not yet — {when},"  # "banned yet?" asked before the day: not yet, from that day
    return Clause(f"{lead} {point.reference} prohibits: "
                  f"“{lead_quote(point, '', 900)}”", ((point.document, point.reference),) + dated.cites,
                  strength=dated.strength)


def with_deciding_provision(bot, question: str, retrieval, day: dt.date | None = None):
    """'Is X high-risk?' is answered by the provision that decides X's tier — the same walk of
    the Act's decision procedure as ``assess`` (so ask and assess give the same tier), its
    deciding provision placed first. Returns the retrieval and (tier, provision), or None when
    the walk decides no tier that brings a conclusion (minimal, undecided, not a tier)."""
    from assistant.assess import Assessor as Procedure

    # The walk reads the law of the day asked (a prohibition not yet applicable is no tier yet).
    risk = Procedure(bot, day).assess(question)
    later = next((u for u in risk.upcoming if u.outcome == "prohibited"), None)
    # No tier, but one fact the question leaves open decides a greater one ('… predict whether
    # someone will commit a crime': prohibited if solely on profiling): the answer names that fact.
    turns = next((o for o in risk.open_questions if o.then in ("prohibited", "high-risk") and o.then_reference
                  and risk.citations and o.then_reference == risk.citations[0].reference), None) \
        if risk.tier is None and later is None else None
    if turns is None and risk.tier == "minimal" and later is None:
        # no tier on what the description says, but one fact it leaves open would make it
        # prohibited ('reads employees' facial expressions … how engaged they are': if it infers
        # emotions, Article 5(1)(f))
        turns = next((o for o in risk.open_questions if o.then == "prohibited" and o.then_reference), None)
    if turns is not None:
        p = bot.retriever.in_force("AI Act", turns.then_reference, day or bot.today)
        if p is not None:
            _deciding_first(retrieval, p)
            return retrieval, ("undecided", p, (turns,))
    # the exception the walk applied, or one written into a provision of the tier asked
    asks = "high-risk" if ASKS_TIER.search(question) else "prohibited" if ASKS_BAN.search(question) \
        or ASKS_ALLOWED.search(asked_head(question)) else None
    allowed = bool(ASKS_ALLOWED.search(asked_head(question))) and not ASKS_BAN.search(asked_head(question))
    # the exception of the tier asked first ('is that prohibited emotion recognition?': 5(1)(f)'s)
    ordered = sorted(risk.excepted, key=lambda e: e.outcome != asks)
    lifted = next((e for e in ordered if e.held and (asks or e.outcome == "prohibited")
                   or not e.held and (e.outcome == asks or allowed and e.outcome == "high-risk")), None) \
        if (risk.tier == "minimal" or risk.tier is None and risk.outcome == "no system") and later is None else None
    if lifted is not None:
        # the description meets the exception written into the provision that would decide its
        # tier: that provision leads, with the exception's words
        p = bot.retriever.in_force("AI Act", lifted.reference, day or bot.today)
        if p is not None:
            _deciding_first(retrieval, p)
            return retrieval, ("excepted", p, (), None, (), lifted)
    if risk.tier == "minimal" and later is None and risk.outcome == "minimal":
        # The walk finds no listed use in the description, but the passage that answers best is
        # one (Annex III, point 5(c) for 'price car insurance'): whether it is that use decides,
        # and the point's own words (its limits, its exceptions) say what that use is.
        top = retrieval.results[0] if retrieval.results else None
        described = risk.stated("describes_system")
        # a condition of Article 6(3) read ('only fixes spelling'): whether the exception holds is
        # the question, not which point lists the use
        from assistant.procedure import load_procedure

        conditions = {n for r in load_procedure(day or bot.today).rules if r.step == "article_6_3"
                      for n in r.when + r.any if not n.startswith("!")}
        derogation = any(f.value and f.name in conditions for f in risk.facts)
        condition = next((bot.retriever.in_force("AI Act", f.reference, day or bot.today) for f in risk.facts
                          if f.value and f.name in conditions and f.name != "profiling" and f.reference), None) \
            if derogation and described and ASKS_TIER.search(question) and not LISTS_ASKED.search(question) else None
        if condition is not None and not risk.stated("profiling"):
            # 'only converts scanned applications into fields — high-risk?': the condition of
            # Article 6(3) the description meets is the answer, with what it comes with
            return retrieval, ("derogation", condition)
        if top is not None and described and top.provision.kind == BINDING \
                and top.provision.reference.startswith("Annex III, point") and ASKS_TIER.search(question) \
                and not LISTS_ASKED.search(question) and not derogation:
            return retrieval, ("listed-if", top.provision)
        # Nor does any close passage list or ban a use like it (an e-commerce recommender): on this
        # description, not high-risk — said with the two routes Article 6 gives, not as certain
        listing = ("Annex III", "Annex I", "Article 5(1)")
        close = [s for s in retrieval.results[:8] if s.provision.kind == BINDING]
        if described and ASKS_TIER.search(question) and not LISTS_ASKED.search(question) and not derogation \
                and not risk.open_questions and close \
                and not any(s.provision.reference.startswith(listing) for s in close):
            p = bot.retriever.in_force("AI Act", "Article 6(2)", day or bot.today)
            if p is not None:
                return retrieval, ("unlisted", p)
        return retrieval, None
    if (risk.tier in (None, "minimal") and later is None) or not risk.citations:
        return retrieval, None
    # A practice prohibited only from a later day is concluded on by the point that prohibits it,
    # with that day ('from 2 December 2026'), not as the lesser tier of the day asked.
    lead = risk.citations[0]  # the deciding provision is cited first (the later one, if any)
    p = bot.retriever.in_force(lead.document, lead.reference, day or bot.today)
    if p is None:
        return retrieval, None
    _deciding_first(retrieval, p)
    if later is not None:
        return retrieval, ("prohibited", p, risk.open_questions, later)
    return retrieval, (risk.tier, p, risk.open_questions, None, risk.facts)


def _deciding_first(retrieval, p) -> None:
    """The provision that decides the tier is quoted first, above every passage retrieved."""
    from assistant.retrieve import Scored

    top = retrieval.results[0].score if retrieval.results else 1.0
    sim = next((s.similarity for s in retrieval.results if s.provision.id == p.id), retrieval.best_similarity)
    retrieval.results = [Scored(p, top + 1.0, sim, "deciding")] + [s for s in retrieval.results if s.provision.id != p.id]


# "… is out of scope, right?", "are we exempt?": whether the Act applies, asked in the negative
NEGATED_SCOPE = re.compile(r"\b(?:out(?:side)? of (?:the )?scope|outside (?:the |its )?scope|exempt\w*|not covered|"
                           r"excluded|(?:doesn'?t|does not|don'?t|do not|wouldn'?t|would not|won'?t|will not) (?:even |really )?apply)\b",
                           re.I)
OPENER = re.compile(r"^(Yes|No)(?=[:,])")


def _in_the_terms_asked(fact: Fact, question: str) -> str:
    """A scope rule's ``says`` answers 'does the Act apply?' (its ``answer``: yes or no); asked
    whether something is out of scope or exempt, the same rule answers the other way round
    ('… is out of scope, right?' → 'No: the AI Act applies …')."""
    said = _sentence(fact.get("says"))
    last = re.split(r"(?<=[.!?])\s+", question.strip())[-1]
    m = OPENER.match(said)
    if fact.get("answer") not in ("yes", "no") or not m or not NEGATED_SCOPE.search(last):
        return said
    return ("No" if m.group(1) == "Yes" else "Yes") + said[m.end():]


def _plural_duty(text: str) -> str:
    """'Providers (Article 50(1)) must …' → 'providers': whose duty the clause states."""
    return text.split(" (", 1)[0].lower()


def _clip(sentence: str, limit: int = 300) -> str:
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + " …"
