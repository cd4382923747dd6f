"""The Act's decision procedure, read from ``assistant/law/data/procedure_*.toml`` into frozen nodes.

A ``Question`` is a fact the outcome can turn on; a ``Rule`` draws a conclusion from facts (its
conditions, the exceptions written into its provision, its outcome); a ``Role`` says who bears
which duties. Nothing here knows a tier: the outcomes are the data's.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from assistant.law import Fact, load_law
from assistant.patterns import compiled

# The Act's order of questions: a rule of an earlier step decides before any of a later one
# (no system at all → not an AI system → outside the scope → a model, not a system → a prohibited practice
# → high-risk by product → high-risk by use → its derogation → transparency duties → the rest).
STEPS = ("describes", "ai_system", "scope", "gpai", "gpai-detail", "article_5", "annex_i", "annex_iii",
         "article_6_3", "article_50", "roles", "default")
ROLES = ("provider", "deployer", "importer", "distributor")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    assume: bool
    cues: tuple[re.Pattern, ...]
    no_cues: tuple[re.Pattern, ...]
    reference: str  # the provision that makes the answer matter
    words: str


@dataclass(frozen=True)
class Rule:
    id: str
    step: str
    when: tuple[str, ...] = ()  # every one must hold ("!x": x must not hold)
    any: tuple[str, ...] = ()  # at least one must hold
    unless: tuple[str, ...] = ()  # the exceptions written into the provision
    outcome: str | None = None
    category: str | None = None  # which obligations it brings
    actor: str | None = None  # whose duty (Article 50 paragraphs)
    applies: str | None = None  # dates.toml fact: when its obligations apply
    cancels: str | None = None  # the step whose conclusion it lifts (Article 6(3))
    becomes: str | None = None  # the role it gives (Article 25)
    when_outcome: str | None = None
    explain: str = ""
    sources: tuple = ()
    nothing_stated: bool = False  # holds only when the description states no other fact
    valid_from: dt.date | None = None
    paraphrases: tuple[str, ...] = ()  # the practice in everyday words (the 'close to it' signal)
    asks_when: tuple[str, ...] = ()  # facts that bring its questions into play (a product of an Annex I kind)

    @property
    def reference(self) -> str:
        return self.sources[0].reference

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(f.lstrip("!") for f in self.when + self.any + self.unless)


@dataclass(frozen=True)
class Role:
    id: str
    description: str
    cues: tuple[re.Pattern, ...]
    reference: str


@dataclass(frozen=True)
class Procedure:
    questions: dict[str, Question]
    rules: tuple[Rule, ...]
    roles: tuple[Role, ...]
    obligations: tuple[Fact, ...] = field(default=())


def _patterns(values) -> tuple[re.Pattern, ...]:
    return tuple(compiled(v, re.I) for v in values or ())


def _node(fact: Fact):
    kind = fact.get("kind")
    first = fact.sources[0]
    if kind == "question":
        # ``synonyms``: the same fact in everyday words (paraphrases the Act's own terms miss)
        cues = _patterns(list(fact.get("cues") or ()) + list(fact.get("synonyms") or ()))
        return Question(fact.id, fact.question, bool(fact.get("assume", False)), cues,
                        _patterns(fact.get("no_cues")), first.reference, first.words[0] if first.words else "")
    if kind == "role":
        return Role(fact.id, fact.question, _patterns(fact.get("cues")), first.reference)
    if kind == "rule":
        return Rule(fact.id, fact.step, tuple(fact.get("when", ())), tuple(fact.get("any", ())),
                    tuple(fact.get("unless", ())), fact.get("outcome"), fact.get("category"), fact.get("actor"),
                    fact.get("applies"), fact.get("cancels"), fact.get("becomes"), fact.get("when_outcome"),
                    fact.get("explain", ""), fact.sources, bool(fact.get("nothing_stated", False)), fact.valid_from,
                    tuple(fact.get("paraphrases", ())), tuple(fact.get("asks_when", ())))
    return None


@functools.lru_cache(maxsize=8)
def load_procedure(day: dt.date) -> Procedure:
    """Every node of the procedure files in force on ``day``, checked for dangling fact names."""
    law = load_law()
    questions: dict[str, Question] = {}
    rules: list[Rule] = []
    roles: list[Role] = []
    for fact in law.facts:
        if not fact.subject.startswith("procedure_") or fact.subject == "procedure_obligations":
            continue
        node = _node(fact)
        if isinstance(node, Question):
            questions[node.id] = node
        elif isinstance(node, Role):
            roles.append(node)
        elif isinstance(node, Rule) and fact.in_force_on(day):
            if node.step not in STEPS:
                raise ValueError(f"{fact.subject}.toml [{fact.id}]: unknown step {node.step!r}")
            rules.append(node)
    for r in rules:
        missing = [f for f in r.facts + r.asks_when if f not in questions]
        if missing:
            raise ValueError(f"rule {r.id}: no question node for {', '.join(missing)}")
    rules.sort(key=lambda r: STEPS.index(r.step))  # stable: file order within a step
    # The obligations file of the answers work where it has a category; this check's own
    # minimal file for the rest (prohibited, the Article 6(3) documentation duty, …).
    shared = law.subject("obligations", day)
    covered = {o.get("category") for o in shared}
    obligations = shared + tuple(o for o in law.subject("procedure_obligations", day)
                                 if o.get("category") not in covered)
    return Procedure(questions, tuple(rules), tuple(roles), obligations)
