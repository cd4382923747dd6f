"""Frozen records for the law data and the loader that reads ``data/*.toml`` once."""
from __future__ import annotations

import datetime as dt
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Source:
    """A provision and the exact words in it that state a fact.

    ``on`` is the day whose wording is meant (the version in force then); empty means every day
    the fact covers (its ``valid_from`` .. ``valid_to``), or today's wording when those are open.
    """

    reference: str
    words: tuple[str, ...]
    document: str = "AI Act"
    on: dt.date | None = None

    @classmethod
    def from_toml(cls, d: dict[str, Any]) -> "Source":
        words = d.get("words", ())
        return cls(reference=d["reference"], words=(words,) if isinstance(words, str) else tuple(words),
                   document=d.get("document", "AI Act"), on=d.get("on"))


@dataclass(frozen=True)
class Fact:
    """One legal fact: an id unique within its subject file, the fields that carry its values
    (``date``, ``amount_eur``, ``percent``, ``actor``, …) and the sources that state them.

    ``valid_from``/``valid_to`` (exclusive) bound the period in which the fact is the law: a date
    the Omnibus moved has one fact for the 2024 wording (``valid_to = 2026-07-27``) and one for today.
    """

    subject: str  # the file it comes from: "dates", "penalties", …
    id: str
    sources: tuple[Source, ...]
    values: tuple[tuple[str, Any], ...] = field(default=())
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def __getattr__(self, name: str) -> Any:
        # Called only when normal lookup fails: a value field of the TOML table.
        for key, value in object.__getattribute__(self, "values"):
            if key == name:
                return value
        raise AttributeError(f"fact {self.subject}/{self.id} has no field {name!r}")

    def get(self, name: str, default: Any = None) -> Any:
        return self._value_map.get(name, default)

    @functools.cached_property  # get() is asked thousands of times a question: the dict built once
    def _value_map(self) -> dict[str, Any]:
        return dict(self.values)

    def in_force_on(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return self.valid_to is None or day < self.valid_to

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(s.reference for s in self.sources)


@dataclass(frozen=True)
class Law:
    facts: tuple[Fact, ...]

    def subject(self, name: str, on: dt.date | None = None) -> tuple[Fact, ...]:
        return tuple(f for f in self._by_subject.get(name, ()) if on is None or f.in_force_on(on))

    @functools.cached_property
    def _by_subject(self) -> dict[str, tuple[Fact, ...]]:
        # Answering asks for a subject's facts many times a question: grouped once, in file order.
        groups: dict[str, list[Fact]] = {}
        for f in self.facts:
            groups.setdefault(f.subject, []).append(f)
        return {name: tuple(fs) for name, fs in groups.items()}

    def get(self, subject: str, fact_id: str, on: dt.date | None = None) -> Fact:
        for f in self.subject(subject, on):
            if f.id == fact_id:
                return f
        raise KeyError(f"no fact {subject}/{fact_id}" + (f" in force on {on}" if on else ""))


RESERVED = {"id", "sources", "valid_from", "valid_to"}


def read_file(path: Path) -> tuple[Fact, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    facts = []
    for table in data.get("fact", []):
        values = tuple((k, tuple(v) if isinstance(v, list) else v)
                       for k, v in table.items() if k not in RESERVED)
        facts.append(Fact(subject=path.stem, id=table["id"],
                          sources=tuple(Source.from_toml(s) for s in table.get("sources", [])),
                          values=values, valid_from=table.get("valid_from"), valid_to=table.get("valid_to")))
    return tuple(facts)


@functools.lru_cache(maxsize=4)
def load_law(directory: Path = DATA_DIR) -> Law:
    """Every ``*.toml`` file under ``directory``, each a subject; loaded once per process."""
    facts: list[Fact] = []
    for path in sorted(directory.glob("*.toml")):
        facts += read_file(path)
    seen: set[tuple[str, str, Any]] = set()
    for f in facts:
        key = (f.subject, f.id, f.valid_from)
        if key in seen:
            raise ValueError(f"{f.subject}.toml: fact {f.id!r} appears twice for the same period")
        seen.add(key)
    return Law(tuple(facts))
