"""The unit everything else works on: one citable passage of one document, in one version."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

# Kinds of source, in the order answers prefer them when several answer a question.
BINDING = "binding law"
AMENDING = "amending act"
GUIDELINES = "guidelines"
CODE = "code of practice"
KIND_RANK = {BINDING: 0, AMENDING: 1, GUIDELINES: 2, CODE: 3}

# The AI Act entered into force on 1 August 2024; the Digital Omnibus amended it from 27 July 2026.
ACT_IN_FORCE = dt.date(2024, 8, 1)
OMNIBUS_IN_FORCE = dt.date(2026, 7, 27)
OMNIBUS = "Regulation (EU) 2026/1744"


@dataclass(frozen=True)
class Provision:
    """A verbatim passage of a source document with everything needed to cite it.

    ``valid_from``/``valid_to`` bound the period in which this wording is the law (``valid_to`` is
    exclusive; ``None`` means still in force), so one reference can have several versions.
    """

    document: str
    reference: str
    title: str
    text: str
    url: str
    kind: str
    version: str
    source: str  # path of the source file, relative to the corpus directory
    path: tuple[str, ...] = ()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    amendment: str = ""  # "replaced", "inserted" or "deleted" when the Omnibus touched it
    amended_by: str = ""  # e.g. "Regulation (EU) 2026/1744, Article 1, point (40)(b)"
    order: int = 0  # position in the source, for neighbours and stable sorting
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.document}|{self.reference}|{self.version}"

    @property
    def binding(self) -> bool:
        return self.kind in (BINDING, AMENDING)

    def in_force_on(self, day: dt.date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        return self.valid_to is None or day < self.valid_to

    def to_dict(self) -> dict:
        d = asdict(self)
        d["path"] = list(self.path)
        d["extra"] = [list(x) for x in self.extra]
        d["valid_from"] = self.valid_from.isoformat() if self.valid_from else None
        d["valid_to"] = self.valid_to.isoformat() if self.valid_to else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Provision":
        d = dict(d)
        d["path"] = tuple(d.get("path") or ())
        d["extra"] = tuple(tuple(x) for x in d.get("extra") or ())
        for key in ("valid_from", "valid_to"):
            d[key] = dt.date.fromisoformat(d[key]) if d.get(key) else None
        return cls(**d)
