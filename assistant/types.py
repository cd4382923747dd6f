"""The values that flow out of the assistant: frozen, typed, and printable as the JSON contract."""
from __future__ import annotations

from dataclasses import dataclass, field

from aiact.corpus.provision import Provision

TIERS = ("prohibited", "high-risk", "limited", "minimal")


@dataclass(frozen=True)
class Citation:
    """One cited provision. ``to_dict`` has exactly the keys of the JSON contract; the other
    fields (kind, version, amendment) serve the UI and the answer text."""

    n: int
    document: str
    reference: str
    title: str
    quote: str
    url: str
    score: float
    kind: str = ""
    version: str = ""
    amendment: str = ""
    amended_by: str = ""
    superseded: bool = False  # an earlier wording, no longer in force
    # The earlier wording of this provision quoted in the answer, attached here rather than
    # taking a citation of its own: (version, verbatim quote), or empty.
    earlier: tuple[str, str] = ()
    features: dict = field(default_factory=dict, compare=False)  # why it ranked (assistant/rank.py)

    @classmethod
    def from_provision(cls, n: int, p: Provision, score: float, today=None) -> "Citation":
        superseded = p.valid_to is not None and (today is None or p.valid_to <= today)
        return cls(n=n, document=p.document, reference=p.reference, title=p.title,
                   quote=" ".join(p.text.split()), url=p.url, score=round(float(score), 4),
                   kind=p.kind, version=p.version, amendment=p.amendment, amended_by=p.amended_by,
                   superseded=superseded)

    @property
    def binding(self) -> bool:
        return self.kind in ("binding law", "amending act")

    @property
    def label(self) -> str:
        """'binding law', 'guidelines (non-binding)' or 'code of practice (non-binding)'."""
        return self.kind if self.binding or not self.kind else f"{self.kind} (non-binding)"

    def to_dict(self) -> dict:
        return {"n": self.n, "document": self.document, "reference": self.reference,
                "title": self.title, "quote": self.quote, "url": self.url, "score": self.score}


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    abstained: bool
    citations: tuple[Citation, ...] = field(default=())
    as_of: str = ""  # ISO date the law was read at
    notes: tuple[str, ...] = field(default=())  # e.g. "question truncated to 2000 characters"

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.text, "abstained": self.abstained,
                "citations": [c.to_dict() for c in self.citations]}

    def to_markdown(self) -> str:
        lines = [f"**Q:** {self.question}", "", self.text, ""]
        for c in self.citations:
            lines.append(f"[{c.n}] {c.document}, {c.reference}"
                         + (f" — {c.title}" if c.title else "") + f" ({c.label}) <{c.url}>")
            lines.append(f"> {c.quote}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


@dataclass(frozen=True)
class Assessment:
    description: str
    tier: str
    text: str
    citations: tuple[Citation, ...] = field(default=())
    checks: tuple[str, ...] = field(default=())  # what the user should verify next

    def to_dict(self) -> dict:
        return {"description": self.description, "tier": self.tier, "answer": self.text,
                "citations": [c.to_dict() for c in self.citations]}
