"""Assess a described AI system by walking the Act's decision procedure (``procedure_*.toml``).

The facts come from the description (each with the words it was read from) and from the caller;
what nothing states takes the question's default and is reported as an assumption. A question
whose other answer would change the outcome is an open question. The outcome is that of the
first rule that holds, in the Act's order (``procedure.STEPS``); exceptions written into a rule's
provision lift it, and a rule with ``cancels`` (Article 6(3)) lifts an earlier step's conclusion.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.errors import InvalidQuestion
from assistant.facts import KnownFact, given_facts, read_facts
from assistant.law.words import long_date
from assistant.procedure import ROLES, Procedure, Rule, load_procedure
from assistant.law import load_law
from assistant.types import TIERS, Assessment, Citation, Excepted, Obligation, OpenQuestion, Upcoming

# The outcome when the description comes close to a prohibited practice that no fact confirms:
# not a tier (``tier`` is None), so nothing is concluded until the open questions are answered.
UNDECIDED = "undecided"


@dataclass(frozen=True)
class Walk:
    """What the procedure concluded from one set of facts."""

    outcome: str
    deciding: Rule
    fired: tuple[Rule, ...]  # every rule that holds after cancellations, in the Act's order
    lifted: tuple[tuple[Rule, str], ...]  # (rule, the exception or derogation that lifted it)


def value(facts: Mapping[str, KnownFact], procedure: Procedure, name: str) -> bool:
    f = facts.get(name)
    return f.value if f is not None else procedure.questions[name].assume


def holds(rule: Rule, v) -> bool:
    """Conditions only (exceptions apart)."""
    ok = all((not v(c[1:])) if c.startswith("!") else v(c) for c in rule.when)
    return ok and (not rule.any or any(v(a) for a in rule.any))


def primary(rule: Rule) -> tuple[str, ...]:
    """The facts a rule is about (its first condition, or its alternatives): the description must
    state one before the rule's other conditions and exceptions are worth asking."""
    first = tuple(c for c in rule.when[:1] if not c.startswith("!"))
    return first or rule.any


def walk(procedure: Procedure, facts: Mapping[str, KnownFact]) -> Walk:
    v = lambda name: value(facts, procedure, name)
    stated = any(f.value and f.source == "description" and f.name != "describes_system" for f in facts.values())
    fired: list[Rule] = []
    lifted: list[tuple[Rule, str]] = []
    for rule in procedure.rules:
        if rule.step in ("roles", "default"):
            continue
        if not holds(rule, v) or (rule.nothing_stated and stated):
            continue
        exception = next((u for u in rule.unless if v(u)), None)
        if exception:
            lifted.append((rule, exception))
            continue
        if rule.cancels:
            cancelled = [r for r in fired if r.step == rule.cancels]
            if not cancelled:
                continue
            fired = [r for r in fired if r.step != rule.cancels]
            lifted += [(r, rule.id) for r in cancelled]
        fired.append(rule)
    default = next(r for r in procedure.rules if r.step == "default")
    deciding = next((r for r in fired if r.outcome), default)
    # What else holds matters only beside a tier that brings duties of its own: a lesser tier's
    # duties add to a greater one's (transparency beside high-risk), nothing adds to a prohibition
    # or to an outcome that is not a tier.
    rank = TIERS.index(deciding.outcome) if deciding.outcome in TIERS[1:] else None
    fired = [r for r in fired if r is deciding or (r.outcome is None and r.step.startswith(deciding.step))
             or (rank is not None and (r.outcome is None or (r.outcome in TIERS and TIERS.index(r.outcome) >= rank)))]
    return Walk(deciding.outcome, deciding, tuple(fired), tuple(lifted))


class Assessor:
    """``Assessor(assistant).assess(description, facts, role)`` → ``Assessment``."""

    def __init__(self, assistant, day: dt.date | None = None):
        self.assistant = assistant
        self.day = day or assistant.today

    def procedure(self) -> Procedure:
        return load_procedure(self.day)

    def assess(self, description: str, facts: Mapping[str, object] | None = None,
               role: str | None = None) -> Assessment:
        procedure = self.procedure()
        read = read_facts(description, procedure)
        known = {**read, **given_facts(facts, procedure)}
        result = walk(procedure, known)
        opens = self._open_questions(procedure, known, result)
        near = self._near(description, procedure, known, result)
        if near is not None:
            result, opens = near
        role_name, role_source = self._role(description, role, procedure)
        role_name = self._becomes(procedure, known, result, role_name)
        later = self._later(description, facts, result)
        return self._explain(description, procedure, known, result, opens, role_name, role_source, later)

    def _later(self, description: str, facts: Mapping[str, object] | None,
               result: Walk) -> tuple[dt.date, Walk] | None:
        """The first later day on which a rule that is not yet law (``valid_from`` after the day
        asked: Article 5(1)(ba) and (bb) before 2 December 2026) changes this outcome, and the walk
        of that day; so an assessment the day before says what the law will be the day after."""
        days = sorted({f.valid_from for f in load_law().facts
                       if f.subject.startswith("procedure_") and f.valid_from and f.valid_from > self.day})
        for day in days:
            procedure = load_procedure(day)
            known = {**read_facts(description, procedure), **given_facts(facts, procedure)}
            then = walk(procedure, known)
            # Only a stricter tier is news: an undecided outcome already asks about the practice,
            # and the later walk does not repeat the 'close to a practice' check.
            if then.outcome in TIERS and result.outcome in TIERS and \
                    TIERS.index(then.outcome) < TIERS.index(result.outcome):
                return day, then
        return None

    # -- what is not known ------------------------------------------------------------------
    def _open_questions(self, procedure: Procedure, known: dict, result: Walk) -> list[OpenQuestion]:
        """The unanswered questions whose other answer would change the outcome, for rules the
        description is about (at least one of their facts stated, or a fact of their ``asks_when``:
        a toy or a car named in everyday words brings in the Annex I questions)."""
        if result.outcome == "no system":
            return []
        stated = {n for n, f in known.items() if f.value}
        in_play = [r for r in procedure.rules
                   if r in result.fired or set(primary(r)) & stated or set(r.asks_when) & stated]
        out: list[OpenQuestion] = []
        seen: set[str] = set()
        for rule in in_play:
            for name in rule.facts:
                if name in known or name in seen or name == "describes_system":
                    continue
                q = procedure.questions[name]
                flipped = walk(procedure, {**known, name: KnownFact(name, not q.assume, "you", "")})
                if flipped.outcome != result.outcome:
                    seen.add(name)
                    out.append(OpenQuestion(name, q.question, q.reference, "yes" if q.assume else "no",
                                            flipped.outcome, flipped.deciding.reference))
        return out[:6]

    def _near(self, description: str, procedure: Procedure, known: dict, result: Walk):
        """A description the facts call minimal but whose meaning is close to an Article 5
        practice (``near.py``): the outcome is undecided (no tier) and the practice's unanswered
        conditions are the open questions, each of which would make it prohibited."""
        if result.deciding.step != "default" or result.outcome not in TIERS:
            return None
        from assistant.near import closest

        near = closest(description, procedure, getattr(self.assistant, "embedder", None))
        if near is None:
            return None
        rule = near.rule
        if any(known[f].value is False for f in primary(rule) if f in known):
            return None  # the caller (or the description) already said no
        opens = []
        for name in rule.when + rule.any:
            if name.startswith("!") or (name in known and known[name].value):
                continue
            q = procedure.questions[name]
            if name in known or q.assume:
                continue
            opens.append(OpenQuestion(name, q.question, q.reference, "no", rule.outcome or "", rule.reference))
        if not opens:
            return None
        undecided = Rule(f"near-{rule.id}", rule.step, outcome=UNDECIDED, sources=rule.sources,
                         explain=f"Close to a prohibited practice — {rule.explain[0].lower() + rule.explain[1:]} — "
                                 f"but the description does not say enough to decide; answer the questions below")
        return Walk(UNDECIDED, undecided, (), result.lifted), opens

    def _role(self, description: str, role: str | None, procedure: Procedure) -> tuple[str, str]:
        if role:
            r = role.strip().lower()
            if r not in ROLES:
                raise InvalidQuestion(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
            return r, "you"
        for wanted in ("importer", "distributor", "provider", "deployer"):
            node = next((n for n in procedure.roles if n.id == wanted), None)
            if node and any(p.search(description) for p in node.cues):
                return wanted, "description"
        return "provider", "assumed"

    def _becomes(self, procedure: Procedure, known: dict, result: Walk, role: str) -> str:
        v = lambda name: value(known, procedure, name)
        for rule in procedure.rules:
            if rule.step == "roles" and rule.becomes and role != rule.becomes and \
                    (rule.when_outcome in (None, result.outcome)) and holds(rule, v):
                return rule.becomes
        return role

    # -- the explanation ------------------------------------------------------------------
    def _explain(self, description: str, procedure: Procedure, known: dict, result: Walk,
                 opens: list[OpenQuestion], role: str, role_source: str,
                 later: tuple[dt.date, Walk] | None = None) -> Assessment:
        today = self.day
        cites: list[Citation] = []

        def cite(reference: str) -> int | None:
            for c in cites:
                if c.reference == reference:
                    return c.n
            p = self.assistant.retriever.in_force("AI Act", reference, today)
            if p is None:
                return None
            cites.append(Citation.from_provision(len(cites) + 1, p, 1.0, today))
            return len(cites)

        def quoted(rule: Rule) -> str:
            parts = []
            for s in rule.sources:
                n = cite(s.reference)
                if n is not None and s.words:
                    parts.append(f"{s.reference}: “{s.words[0]}” [{n}]")
            return " ".join(parts)

        outcome, deciding = result.outcome, result.deciding
        tier = outcome if outcome in TIERS else None
        lead = "Risk tier" if tier else "Outcome"
        where = "" if deciding.reference in deciding.explain else f" ({deciding.reference})"
        upcoming: tuple[Upcoming, ...] = ()
        if later is not None:
            # The change comes first: a lesser tier alone, the day before a prohibition applies, misleads.
            day, then = later
            m = cite(then.deciding.reference)
            lines = [f"{lead}: **{outcome}** until {long_date(day - dt.timedelta(days=1))}; "
                     f"**{then.outcome} from {long_date(day)}**: {then.deciding.explain} "
                     f"({then.deciding.reference}){f' [{m}]' if m else ''}.", quoted(then.deciding)]
            n = cite(deciding.reference)
            lines.append(f"Until then: {deciding.explain}{where}{f' [{n}]' if n else ''}.")
            dated_by = next((src.reference for src in then.deciding.sources
                             if any(long_date(day) in w for w in src.words)), "")
            upcoming = (Upcoming(day.isoformat(), then.outcome, then.deciding.reference, dated_by),)
        else:
            n = cite(deciding.reference)
            lines = [f"{lead}: **{outcome}**. {deciding.explain}{where}{f' [{n}]' if n else ''}."]
        lines.append(quoted(deciding))
        decisive = deciding.facts + (later[1].deciding.facts if later else ())
        why = [f for f in dict.fromkeys(decisive) if f in known and known[f].source == "description"]
        if why:
            lines.append("Read from your description: " + "; ".join(
                f"“{known[f].words}” ({'yes' if known[f].value else 'no'}: {procedure.questions[f].question})"
                for f in why))
        for r in result.fired:
            if r is deciding:
                continue
            if r.step == "article_6_3":
                lines.append(f"{r.explain}. {quoted(r)}")
            elif (r.step == "article_50" and tier) or r.step == "gpai-detail":
                lines.append(f"Also: {r.explain}. {quoted(r)}")
        for r, why_not in result.lifted:
            if r.step in ("article_5", "annex_i", "annex_iii", "article_50") and why_not in procedure.questions:
                q = procedure.questions[why_not]
                n = cite(q.reference)
                lines.append(f"Not {r.outcome} under {r.reference}: the exception applies — {q.question.rstrip('?')}: "
                             f"“{q.words}” [{n}]" if n else f"Not {r.outcome} under {r.reference}.")
        excepted = self._excepted(procedure, known, result)
        for e in excepted:
            if not e.held and e.outcome != outcome:  # the description states only the exception: say it
                n = cite(e.exception_reference)
                lines.append(f"Not {e.outcome} under {e.reference} on this description: "
                             f"“{e.words}”{f' [{n}]' if n else ''}")
        assumptions = []
        if role_source == "assumed":
            assumptions.append(f"You are the {role} of the system.")
        for f in self._assumed(procedure, known, result):
            q = procedure.questions[f]
            assumptions.append(f"{'Yes' if q.assume else 'No'}: {q.question} ({q.reference})")
        if assumptions:
            lines.append("Assumed (nothing in the description says otherwise):\n" +
                         "\n".join(f"- {a}" for a in assumptions))
        if opens:
            lines.append("What would change the outcome:\n" + "\n".join(
                f"- {o.question} If {'yes' if o.assumed == 'no' else 'no'}: **{o.then}** ({o.then_reference})."
                for o in opens))
        obligations = self._obligations(procedure, result, role, today)
        if obligations:
            rows = []
            for o in obligations:
                n = cite(o.reference)
                rows.append(f"- {o.duty}" + (f" — applies from {o.applies_from}" if o.applies_from else "")
                            + (f" [{n}]" if n else ""))
            lines.append(f"Your obligations as {role}:\n" + "\n".join(rows))
        lines.append("This is an indication from the text of the Act, not legal advice.")
        confidence = self._confidence(result, known, opens)
        facts = tuple(known[k] for k in sorted(known))
        return Assessment(description=description, tier=tier, text="\n\n".join(x for x in lines if x),
                          citations=tuple(cites), checks=tuple(o.question for o in opens), outcome=outcome,
                          facts=facts, assumptions=tuple(assumptions), open_questions=tuple(opens),
                          obligations=tuple(obligations), confidence=confidence, role=role,
                          upcoming=upcoming, excepted=excepted)

    @staticmethod
    def _excepted(procedure: Procedure, known: dict, result: Walk) -> tuple[Excepted, ...]:
        """The tiers an exception written into their provision keeps from this description: a
        rule the walk lifted by it, then a rule whose exception the description states though it
        says nothing more of the rule's use ('face verification to unlock an app': the carve-out of
        Annex III, point 1(a) for biometric verification)."""
        stated = lambda name: name in known and known[name].value and known[name].source == "description"
        held = [(r, why_not) for r, why_not in result.lifted if why_not in procedure.questions]
        # an exception written into the rule's own provision ('This shall not include …'), or
        # one the text sets for a rule whose use the description names ('drowsiness … emotion
        # recognition': physical states are no emotions, Recital 18)
        written = [(r, u) for r in procedure.rules for u in r.unless
                   if stated(u) and (procedure.questions[u].reference == r.reference or any(stated(f) for f in primary(r)))
                   and all(not (f in known and known[f].value is False) for f in primary(r))
                   and (r, u) not in held]
        return tuple(Excepted(r.reference, r.outcome or "", u, procedure.questions[u].reference,
                              procedure.questions[u].words, (r, u) in held)
                     for r, u in held + written if r.step in ("article_5", "annex_i", "annex_iii") and stated(u))

    @staticmethod
    def _assumed(procedure: Procedure, known: dict, result: Walk) -> list[str]:
        """Unstated facts the deciding rule (or another that holds) turned on: the other answer
        would change whether it holds."""
        def fires(rule: Rule, facts: dict) -> bool:
            v = lambda name: value(facts, procedure, name)
            return holds(rule, v) and not any(v(u) for u in rule.unless)

        out = []
        for rule in (result.deciding,) + result.fired:
            for name in rule.facts:
                if name in known or name in out or name == "describes_system":
                    continue
                flipped = {**known, name: KnownFact(name, not procedure.questions[name].assume, "you", "")}
                if fires(rule, flipped) != fires(rule, known):
                    out.append(name)
        return out[:6]

    @staticmethod
    def _confidence(result: Walk, known: dict, opens: list) -> float:
        """High when the deciding facts were stated and nothing open would change the outcome."""
        stated = sum(1 for f in result.deciding.facts if f in known)
        base = 0.9 if stated or result.deciding.step == "describes" else 0.6
        return round(max(0.2, base - 0.15 * len(opens)), 2)

    def _obligations(self, procedure: Procedure, result: Walk, role: str, today: dt.date) -> list[Obligation]:
        from assistant.law import load_law

        law = load_law()
        categories: dict[str, str | None] = {}
        refs: set[str] = set()
        for r in result.fired:
            cat = r.category
            if cat:
                categories.setdefault(cat, r.applies)
                if r.step == "article_50":
                    refs.add(r.reference)
        if result.outcome in TIERS:
            categories.setdefault("any", None)  # duties of every AI system (AI literacy)
        out = []
        for o in procedure.obligations:
            if o.get("category") not in categories or o.get("actor") not in (role, "any"):
                continue
            if o.get("category") == "article-50" and not any(s.reference in refs for s in o.sources):
                continue
            applies = categories[o.get("category")] or o.get("applies")
            try:
                day = law.get("dates", applies, on=today).date if applies else None
            except KeyError:
                day = None
            out.append(Obligation(o.get("actor"), o.get("duty", ""), long_date(day) if day else "",
                                  o.sources[0].reference))
        return out
