"""The facts a description states, each with the words it was read from; and the caller's own.

Reading is deliberately literal: a fact is taken from the description only where the words of a
question's cue stand in it (``no_cues`` read a "no" first). What nothing states stays unknown, and
the walker assumes the question's default and says so.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.errors import InvalidQuestion
from assistant.procedure import Procedure

YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off"}


@dataclass(frozen=True)
class KnownFact:
    """One answered question: its value, where it came from (``description``, ``you`` or
    ``assumed``) and the words that say it."""

    name: str
    value: bool
    source: str
    words: str
    question: str = ""
    reference: str = ""

    def to_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "source": self.source, "words": self.words,
                "question": self.question, "reference": self.reference}


def _snippet(text: str, start: int, end: int) -> str:
    """The matched words, widened to whole words so the user recognises them."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return text[start:end].strip()


def read_facts(description: str, procedure: Procedure) -> dict[str, KnownFact]:
    found: dict[str, KnownFact] = {}
    for q in procedure.questions.values():
        for value, patterns in ((False, q.no_cues), (True, q.cues)):
            m = next((m for p in patterns if (m := p.search(description))), None)
            if m:
                found[q.id] = KnownFact(q.id, value, "description", _snippet(description, m.start(), m.end()),
                                        q.question, q.reference)
                break
    return found


def parse_value(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InvalidQuestion(f"The fact {name} must be yes or no, not {value!r}. Example: --fact {name}=yes")


def given_facts(facts: Mapping[str, object] | None, procedure: Procedure) -> dict[str, KnownFact]:
    """The caller's facts, checked against the procedure's questions."""
    out: dict[str, KnownFact] = {}
    for name, value in (facts or {}).items():
        q = procedure.questions.get(name)
        if q is None:
            known = ", ".join(sorted(procedure.questions))
            raise InvalidQuestion(f"Unknown fact {name!r}. Known facts: {known}.")
        out[name] = KnownFact(name, parse_value(name, value), "you", "you said so", q.question, q.reference)
    return out
