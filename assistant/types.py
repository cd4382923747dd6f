"""The values that flow out of the assistant: frozen, typed, and printable as the JSON contract.

``to_dict()`` is built from the dataclass fields, so a field added to ``Answer``, ``Citation`` or
``Assessment`` reaches ``--json`` without anyone remembering to list it; ``docs/json.md`` and the
schemas in ``docs/`` describe the result and a test checks real output against them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from aiact.corpus.provision import Provision
from assistant.plan import Plan

TIERS = ("prohibited", "high-risk", "limited", "minimal")


def to_jsonable(value: Any) -> Any:
    """Plain JSON values from dataclasses, tuples, dates and objects with their own ``to_dict``."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def fields_dict(obj: Any, rename: dict[str, str] | None = None) -> dict:
    """Every field of a dataclass, in declaration order, with ``rename`` applied to the keys."""
    rename = rename or {}
    return {rename.get(f.name, f.name): to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


@dataclass(frozen=True)
class Citation:
    """One cited provision, quoted verbatim from ``corpus/``.

    Example::

        >>> c = bot.ask("When do the prohibitions apply?").citations[0]
        >>> c.n, c.document, c.reference
        (1, 'AI Act', 'Article 113(d)')
        >>> c.binding, c.label          # binding law, or guidance that is not
        (True, 'binding law')
        >>> c.version, c.superseded     # which wording: today's, or the 2024 one it replaced
        ('consolidated text in force from 27.7.2026', False)
        >>> c.amended_by
        'Regulation (EU) 2026/1744, Article 1, point (40)(c)'

    ``to_dict()`` carries every field; the contract keys (``n`` … ``score``) keep their meaning.
    """

    n: int  # the marker [n] in the answer text
    document: str  # short, stable name: "AI Act", "Guidelines on prohibited AI practices", …
    reference: str  # as a lawyer writes it: "Article 5(1)(f)", "Annex III, point 4(a)"
    title: str
    quote: str  # verbatim (white space normalised)
    url: str  # EUR-Lex (or the publisher's) address of the provision
    score: float  # retrieval score; higher is closer
    kind: str = ""  # "binding law", "amending act", "guidelines", "code of practice"
    version: str = ""  # which text this wording comes from
    amendment: str = ""  # e.g. "replaced", "inserted" (by the Digital Omnibus)
    amended_by: str = ""  # the amending provision, e.g. "Regulation (EU) 2026/1744, Article 1, point (40)"
    superseded: bool = False  # an earlier wording, no longer in force
    # The earlier wording of this provision quoted in the answer, attached here rather than
    # taking a citation of its own: (version, verbatim quote), or empty.
    earlier: tuple[str, str] = ()
    features: dict = field(default_factory=dict, compare=False)  # why it ranked (assistant/rank.py)

    @classmethod
    def from_provision(cls, n: int, p: Provision, score: float, today=None) -> "Citation":
        """The citation of provision ``p`` as marker ``[n]``; superseded if no longer in force ``today``."""
        superseded = p.valid_to is not None and (today is None or p.valid_to <= today)
        return cls(n=n, document=p.document, reference=p.reference, title=p.title,
                   quote=" ".join(p.text.split()), url=p.url, score=round(float(score), 4),
                   kind=p.kind, version=p.version, amendment=p.amendment, amended_by=p.amended_by,
                   superseded=superseded)

    @property
    def binding(self) -> bool:
        """True for the Act and the amending act; False for guidelines and the code of practice."""
        return self.kind in ("binding law", "amending act")

    @property
    def label(self) -> str:
        """'binding law', 'guidelines (non-binding)' or 'code of practice (non-binding)'."""
        return self.kind if self.binding or not self.kind else f"{self.kind} (non-binding)"

    @property
    def version_label(self) -> str:
        """Which wording this is, for people: 'current wording' or 'earlier wording (…)'."""
        state = "earlier wording, no longer in force" if self.superseded else (
            "current wording, amended" if self.amendment else "current wording")
        return f"{state}; {self.version}" if self.version else state

    def to_dict(self) -> dict:
        """Every field, plus ``binding`` and ``label``: the citation object of docs/json.md."""
        return {**fields_dict(self), "binding": self.binding, "label": self.label}


@dataclass(frozen=True)
class Answer:
    """The answer to one question: a conclusion first, every clause with a marker ``[n]``.

    Example::

        >>> ans = Assistant().ask("When do the prohibitions apply?")
        >>> print(ans.text)                                # conclusion first, markers [1] [2] …
        >>> ans.abstained, ans.as_of
        (False, '2026-12-02')
        >>> ans.to_dict()["citations"][0]["reference"]     # what `aiact ask --json` prints
        'Article 113(d)'
        >>> print(ans.to_markdown())                       # for a note or an e-mail, versions labelled

    ``to_dict()`` carries every field (``text`` under its contract name ``answer``).
    """

    question: str
    text: str  # the answer, with citation markers [n]
    abstained: bool  # True when the corpus does not answer the question
    citations: tuple[Citation, ...] = field(default=())
    as_of: str = ""  # ISO date the law was read at
    notes: tuple[str, ...] = field(default=())  # e.g. "question truncated to 2000 characters"
    rephrased_by: str = ""  # the language model whose checked rephrasing ``text`` is, if any
    extractive_answer: str = ""  # the extractive answer a rephrasing replaced
    plan: Plan | None = None  # how the question was read; a follow-up reads the previous one

    def to_dict(self) -> dict:
        """The object ``aiact ask --json`` prints (docs/json.md, docs/answer.schema.json)."""
        return fields_dict(self, {"text": "answer"})

    def to_markdown(self) -> str:
        """The answer, then each source with its version and the verbatim quote, as Markdown."""
        lines = [f"**Q:** {self.question}", ""]
        if self.as_of:
            lines += [f"*The law as it stands on {self.as_of}.*", ""]
        lines += [self.text, ""]
        if self.rephrased_by:
            lines += [f"*Worded by {self.rephrased_by} from the quoted provisions; every sentence was "
                      "checked against them.*", ""]
        for c in self.citations:
            lines.append(f"[{c.n}] {c.document}, {c.reference}"
                         + (f" — {c.title}" if c.title else "") + f" ({c.label}) <{c.url}>")
            lines.append(f"*{c.version_label}*")
            lines.append(f"> {c.quote}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


@dataclass(frozen=True)
class Excepted:
    """A tier the description would have, lifted by an exception written into its provision
    (Annex III, point 2 for a heating optimiser with no safety function: Article 6(1a))."""

    reference: str  # the provision whose tier is lifted
    outcome: str  # the tier it would give
    fact: str  # the exception's fact
    exception_reference: str
    words: str  # the exception's words, verbatim
    held: bool = True  # the rule held and the exception lifted it (False: only the exception is stated)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class OpenQuestion:
    """A question nothing answered whose other answer would change the outcome."""

    fact: str
    question: str
    reference: str  # the provision that makes it matter
    assumed: str  # "yes" or "no": the answer the outcome rests on now
    then: str  # the outcome with the other answer
    then_reference: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Upcoming:
    """A change of outcome on a later day: a rule that is not yet law on the day asked
    (``from_day``, ISO date) gives ``outcome`` under ``reference`` once it applies."""

    from_day: str
    outcome: str
    reference: str
    dated_by: str = ""  # the provision that states the day (Article 113(a)), from the rule's sources

    def to_dict(self) -> dict:
        return {"from": self.from_day, "outcome": self.outcome, "reference": self.reference,
                "dated_by": self.dated_by}


@dataclass(frozen=True)
class Obligation:
    """A duty the outcome brings for the role, and the day it applies from (ISO, from dates.toml)."""

    actor: str
    duty: str
    applies_from: str
    reference: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Assessment:
    """The risk tier of a described AI system, with the provisions that decide it.

    Example::

        >>> risk = Assistant().assess("A tool that ranks job applicants' CVs for recruiters")
        >>> risk.tier
        'high-risk'
        >>> [c.reference for c in risk.citations][:2]     # the deciding provisions first
        >>> risk.checks                                   # what the user should verify next
        >>> risk.to_dict()                                # what `aiact assess --json` prints

    ``to_dict()`` carries every field (``text`` under its contract name ``answer``).
    """

    description: str
    tier: str | None  # one of TIERS when the outcome is a tier, else None
    text: str
    citations: tuple[Citation, ...] = field(default=())
    checks: tuple[str, ...] = field(default=())  # what the user should verify next
    outcome: str = ""  # the tier, or "not an AI system", "out of scope", "general-purpose AI model", "no system"
    facts: tuple = field(default=())  # assistant.facts.KnownFact: what was read or given, with its words
    assumptions: tuple[str, ...] = field(default=())
    open_questions: tuple[OpenQuestion, ...] = field(default=())
    obligations: tuple[Obligation, ...] = field(default=())
    confidence: float = 0.0
    role: str = ""
    upcoming: tuple[Upcoming, ...] = field(default=())  # a later outcome once a rule not yet law applies
    excepted: tuple[Excepted, ...] = field(default=())  # tiers lifted by an exception the description meets

    def stated(self, name: str) -> bool:
        """Whether the description itself says yes to the fact ``name`` ('describes_system')."""
        return any(f.name == name and f.value and f.source == "description" for f in self.facts)

    def to_dict(self) -> dict:
        """The object ``aiact assess --json`` prints (docs/json.md, docs/assessment.schema.json)."""
        out = fields_dict(self, {"text": "answer"})
        out["outcome"] = self.outcome or self.tier
        return out

    def to_markdown(self) -> str:
        """The result as a document to keep: outcome, reasons, answers, open questions, duties, sources."""
        lines = [f"# AI Act check: {self.outcome or self.tier}", "", f"**System:** {self.description}", "",
                 self.text, ""]
        if self.facts:
            lines += ["## Answers", ""]
            lines += [f"- {f.question} **{'yes' if f.value else 'no'}** ({'you' if f.source == 'you' else '“' + f.words + '”'}; "
                      f"{f.reference})" for f in self.facts]
            lines.append("")
        lines += ["## Sources", ""]
        for c in self.citations:
            lines += [f"[{c.n}] {c.document}, {c.reference}" + (f" — {c.title}" if c.title else "") + f" <{c.url}>",
                      f"> {c.quote}", ""]
        return "\n".join(lines).rstrip() + "\n"
