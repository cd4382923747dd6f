"""The gold cases in ``evals/cases/*.jsonl``: loading, validating, splitting, sub-sampling."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

CASES_DIR = Path(__file__).resolve().parent / "cases"
SPLITS = ("dev", "heldout")
NEW_PREFIX = "users_"  # the files of the user-style cases, whose metrics are a slice of their own
NEW_SLICE = "new"  # the slice is reported as 'dev:new' and 'heldout:new'
# The cases that existed before the user-style ones ('dev:core', 'heldout:core'): the split-wide
# minimums were set on them, so their own minimums guard them like for like as cases are added.
CORE_SLICE = "core"
TIERS = ("prohibited", "high-risk", "limited", "minimal")
# What an assessment can conclude besides a tier (``Assessment.outcome``).
OUTCOMES = TIERS + ("general-purpose AI model", "not an AI system", "out of scope", "no system")
SEPARATOR = " :: "
ACT = "AI Act"

Ref = tuple[str, str]  # (document, reference)


def parse_ref(text: str) -> Ref:
    """'Article 113(c)' → ('AI Act', 'Article 113(c)');
    'Guidelines on X :: para. 60' → ('Guidelines on X', 'para. 60')."""
    if SEPARATOR in text:
        document, reference = text.split(SEPARATOR, 1)
        return document.strip(), reference.strip()
    return ACT, text.strip()


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    split: str
    text: str  # the question, or the scenario's description
    gold: tuple[Ref, ...]
    facts: tuple[str, ...] = ()
    must_abstain: bool = False
    as_of: dt.date | None = None
    gold_tier: str | None = None  # scenarios only; None when the outcome is not a tier
    gold_outcome: str | None = None  # scenarios only: the tier, or another outcome of OUTCOMES
    source: tuple[Ref, ...] = ()  # the guideline passages a scenario was paraphrased from
    history: tuple[str, ...] = ()  # earlier turns of a follow-up, asked first, in order
    premise: tuple[str, ...] = ()  # regexes the first paragraph must match: the false premise corrected
    origin: str = ""  # the file the case comes from (its stem), e.g. 'users_products'

    @property
    def new(self) -> bool:
        """One of the user-style cases of issue 8 (``users_*.jsonl``), reported as their own slice."""
        return self.origin.startswith(NEW_PREFIX)

    @property
    def scenario(self) -> bool:
        return self.gold_outcome is not None or self.gold_tier is not None

    @classmethod
    def from_dict(cls, d: dict) -> "Case":
        scenario = "description" in d
        outcome = d.get("gold_outcome") or d.get("gold_tier")
        if scenario and outcome not in OUTCOMES:
            raise ValueError(f"{d.get('id')}: gold_outcome must be one of {OUTCOMES}")
        if scenario and d.get("gold_tier") != (outcome if outcome in TIERS else None):
            raise ValueError(f"{d.get('id')}: gold_tier must be the outcome when it is a tier, else null")
        if d.get("split") not in SPLITS:
            raise ValueError(f"{d.get('id')}: split must be one of {SPLITS}")
        text = d["description"] if scenario else d["question"]
        return cls(id=d["id"], category=d["category"], split=d["split"], text=text,
                   gold=tuple(parse_ref(g) for g in d.get("gold", [])),
                   facts=tuple(d.get("facts") or ()), must_abstain=bool(d.get("must_abstain")),
                   as_of=dt.date.fromisoformat(d["as_of"]) if d.get("as_of") else None,
                   gold_tier=d.get("gold_tier") if scenario else None,
                   gold_outcome=outcome if scenario else None,
                   source=tuple(parse_ref(g) for g in d.get("source", [])),
                   history=tuple(d.get("history") or ()), premise=tuple(d.get("premise") or ()))


def load_cases(split: str = "all", directory: Path = CASES_DIR) -> list[Case]:
    """Every case of the split ('dev', 'heldout' or 'all'), sorted by file then line."""
    if split not in SPLITS + ("all",):
        raise ValueError(f"split must be dev, heldout or all, not {split!r}")
    cases: list[Case] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.jsonl")):
        if path.name.startswith("passages"):
            continue  # passage-level cases have their own runner (evals/passages.py)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                case = Case.from_dict(json.loads(line))
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path.name}:{n}: {exc}") from exc
            if case.id in seen:
                raise ValueError(f"{path.name}:{n}: duplicate case id {case.id}")
            seen.add(case.id)
            if split == "all" or case.split == split:
                cases.append(dataclasses.replace(case, origin=path.stem))
    return cases


def fast_subset(cases: list[Case], size: int = 40) -> list[Case]:
    """A small stratified subset: every (category, split) stratum in proportion, at least one
    case each, picked evenly through the stratum so it is the same on every run."""
    strata: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for c in cases:
        strata[(c.category, c.split)].append(c)
    total = len(cases)
    chosen: list[Case] = []
    for key in sorted(strata):
        group = strata[key]
        want = max(1, round(size * len(group) / total)) if total else 0
        step = len(group) / want
        chosen += [group[int(i * step)] for i in range(min(want, len(group)))]
    order = {c.id: i for i, c in enumerate(cases)}
    return sorted(chosen, key=lambda c: order[c.id])
