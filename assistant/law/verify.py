"""Check the law data against the corpus: every cited provision exists in the wording in force on
each day the fact covers, every quoted word stands verbatim in it, and every date, amount,
percentage and reference a fact states is carried by those words.

    python -m assistant.law.verify      # prints one line per problem; exit 1 if any
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from assistant.law.model import Fact, Law, Source, load_law
from assistant.law.words import MONTHS, STATED, amount, fold, long_date  # noqa: F401 (re-exported)
from aiact.corpus.provision import Provision

QUOTED = re.compile(r"“([^”]+)”")


def value_forms(key: str, value: Any) -> list[str]:
    """How a value of the data is written in the Act's text."""
    if isinstance(value, dt.date):
        return [long_date(value)]
    if isinstance(value, bool):
        return []
    if isinstance(value, int) and key.endswith("eur"):
        return [amount(value)]
    if isinstance(value, (int, float)) and key.endswith(("percent", "pct")):
        n = f"{value:g}"
        return [f"{n} %", f"{n}%"]
    return []


def days_covered(fact: Fact, source: Source, today: dt.date) -> list[dt.date]:
    if source.on:
        return [source.on]
    days = [d for d in (fact.valid_from, fact.valid_to and fact.valid_to - dt.timedelta(days=1)) if d]
    return days or [today]


def index(provisions: Iterable[Provision]) -> dict[tuple[str, str], list[Provision]]:
    found: dict[tuple[str, str], list[Provision]] = defaultdict(list)
    for p in provisions:
        found[(p.document, p.reference)].append(p)
    return found


def check_fact(fact: Fact, by_ref: dict[tuple[str, str], list[Provision]], today: dt.date) -> list[str]:
    where = f"{fact.subject}.toml [{fact.id}]"
    problems: list[str] = []
    if not fact.sources:
        return [f"{where}: no sources"]
    words: list[str] = []
    texts: list[str] = []
    for s in fact.sources:
        versions = by_ref.get((s.document, s.reference))
        if not versions:
            problems.append(f"{where}: {s.document}, {s.reference} is not in the corpus")
            continue
        for day in days_covered(fact, s, today):
            p = next((v for v in versions if v.in_force_on(day)), None)
            if p is None:
                problems.append(f"{where}: {s.reference} has no wording in force on {day}")
                continue
            text = fold(p.text)
            texts.append(text)
            for w in s.words:
                if fold(w) not in text:
                    problems.append(f"{where}: {s.reference} (in force {day}) does not say {w!r}")
        words += [fold(w) for w in s.words]
    carried = " | ".join(words)
    for key, value in fact.values:
        forms = value_forms(key, value)
        if forms and not any(form in carried for form in forms):
            problems.append(f"{where}: {key} = {value!r} ({forms[0]!r}) is not in the quoted words")
        for text in (value if isinstance(value, tuple) else (value,)):
            if not isinstance(text, str):
                continue
            for stated in STATED.findall(text):
                if not _carried(stated, carried, fact.references, texts):
                    problems.append(f"{where}: {key} states {stated!r}, which its sources do not")
            for quoted in QUOTED.findall(text):  # a conclusion that quotes the Act quotes its words
                if re.fullmatch(r"\{\w+\}", quoted.strip()):
                    continue  # a template's slot ('“{words}”'): filled at answer time from a cited point's text
                if fold(quoted).rstrip(".") not in carried:
                    problems.append(f"{where}: {key} quotes “{quoted}”, which is not in its sources' words")
    return problems


def _carried(stated: str, carried: str, references: tuple[str, ...], texts: list[str]) -> bool:
    if stated in carried:
        return True
    if stated.startswith(("Article", "Annex", "Recital")):
        # A reference is backed when a source is that provision (or inside it), or its text names it.
        return any(r == stated or r.startswith(stated + "(") or r.startswith(stated + ",")
                   for r in references) or any(stated in t for t in texts)
    return False


def verify(law: Law, provisions: Iterable[Provision], today: dt.date | None = None) -> list[str]:
    by_ref = index(provisions)
    today = today or dt.date.today()
    problems: list[str] = []
    for fact in law.facts:
        problems += check_fact(fact, by_ref, today)
    return problems


def main() -> int:
    from aiact.corpus import load_corpus

    problems = verify(load_law(), load_corpus())
    for line in problems:
        print(line)
    print(f"{len(load_law().facts)} facts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
