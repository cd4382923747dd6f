"""The suite's metrics: pure functions over plain values, unit-tested on tiny inputs.

A reference is a ``(document, reference)`` pair. ``indexed`` is the set of such pairs that exist
in the index; it decides when a gold reference is finer than anything the index can cite.
"""
from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence

from assistant.references import is_descendant

Ref = tuple[str, str]
TIERS = ("prohibited", "high-risk", "limited", "minimal")
MARKER = re.compile(r"\[(\d+)\]")
_LAST_LABEL = re.compile(r"^(.*\S)\s*\([0-9a-z]{1,4}\)$")


# -- references ------------------------------------------------------------------------------
def parent(reference: str) -> str | None:
    """One level up: 'Article 113(c)(i)' → 'Article 113(c)'; 'Annex III, point 4(a)' →
    'Annex III, point 4' → 'Annex III'; 'para. 60' → None."""
    m = _LAST_LABEL.match(reference)
    if m:
        return m.group(1)
    for sep in (", point ", ", Section "):
        if sep in reference:
            return reference.rsplit(sep, 1)[0]
    return None


def nearest_indexed_ancestor(gold: Ref, indexed: Collection[Ref]) -> Ref | None:
    """The closest ancestor of a gold reference that the index holds, when neither the gold
    reference nor anything within it is indexed (otherwise None: it must be cited itself)."""
    doc, ref = gold
    if any(d == doc and is_descendant(r, ref) for d, r in indexed):
        return None
    up = parent(ref)
    while up is not None:
        if (doc, up) in indexed:
            return doc, up
        up = parent(up)
    return None


def matches(cited: Ref, gold: Ref, indexed: Collection[Ref] = ()) -> bool:
    """Does a cited (or retrieved) reference answer for a gold one? Equal, within it
    ('Article 6(3)(a)' for 'Article 6(3)'), or the nearest indexed ancestor of a gold reference
    finer than the index ('Article 113(c)' for 'Article 113(c)(i)' when (c)(i) is not indexed)."""
    if cited[0] != gold[0]:
        return False
    if cited[1] == gold[1] or is_descendant(cited[1], gold[1]):
        return True
    return nearest_indexed_ancestor(gold, indexed) == cited


def matches_any(cited: Ref, golds: Iterable[Ref], indexed: Collection[Ref] = ()) -> bool:
    return any(matches(cited, g, indexed) for g in golds)


# -- retrieval -------------------------------------------------------------------------------
def recall_at(ranked: Sequence[Ref], gold: Sequence[Ref], k: int, indexed: Collection[Ref] = ()) -> float:
    """Share of the gold references matched by one of the first k ranked references."""
    if not gold:
        return math.nan
    top = ranked[:k]
    return sum(any(matches(r, g, indexed) for r in top) for g in gold) / len(gold)


def reciprocal_rank(ranked: Sequence[Ref], gold: Sequence[Ref], indexed: Collection[Ref] = ()) -> float:
    """1/rank of the first ranked reference that matches any gold reference (0 if none)."""
    if not gold:
        return math.nan
    for i, r in enumerate(ranked, start=1):
        if matches_any(r, gold, indexed):
            return 1.0 / i
    return 0.0


# -- answers ---------------------------------------------------------------------------------
def citation_precision(cited: Sequence[Ref], gold: Sequence[Ref], indexed: Collection[Ref] = ()) -> float:
    """Share of the citations that match some gold reference (NaN when nothing is cited)."""
    if not cited or not gold:
        return math.nan
    return sum(matches_any(c, gold, indexed) for c in cited) / len(cited)


def missing_facts(text: str, facts: Iterable[str]) -> list[str]:
    """The fact patterns (regexes, case-insensitive) the answer text does not match."""
    return [f for f in facts if not re.search(f, text, re.I)]


def first_paragraph(text: str) -> str:
    """The conclusion of an answer: its text up to the first blank line."""
    return text.strip().split("\n\n", 1)[0]


def lead_ok(cited: Sequence[Ref], gold: Sequence[Ref], indexed: Collection[Ref] = ()) -> bool | None:
    """Is the first citation a gold provision? (None when the case has no gold.)"""
    if not gold:
        return None
    return bool(cited) and matches_any(cited[0], gold, indexed)


def conclusion_ok(text: str, facts: Iterable[str]) -> bool:
    """Do all the gold facts stand in the first paragraph (the conclusion)?"""
    return facts_ok(first_paragraph(text), facts)


def facts_ok(text: str, facts: Iterable[str]) -> bool:
    return not missing_facts(text, facts)


def normalise(text: str) -> str:
    return " ".join(text.split())


def quote_verbatim(quote: str, source: str) -> bool:
    """Is the quote, white space normalised, a substring of the (normalised) source text?
    A quote that leaves text out marks the gap with '…': then each part must be verbatim, in
    order. Pass ``source`` already normalised when checking many quotes against one file."""
    parts = [p for p in (normalise(x) for x in normalise(quote).split("…")) if p]
    if not parts:
        return False
    pos = 0
    for part in parts:
        pos = source.find(part, pos)
        if pos < 0:
            return False
        pos += len(part)
    return True


def marker_problems(text: str, numbers: Sequence[int]) -> list[str]:
    """What is wrong between the [n] markers of a text and its citations' numbers: a marker
    without a citation, a citation never marked, numbers not 1..N in order of first use."""
    problems = []
    used = [int(m) for m in MARKER.findall(text)]
    first_use = list(dict.fromkeys(used))
    if list(numbers) != list(range(1, len(numbers) + 1)):
        problems.append(f"citations numbered {list(numbers)}, not 1..{len(numbers)}")
    unknown = sorted(set(used) - set(numbers))
    if unknown:
        problems.append(f"markers without a citation: {unknown}")
    unused = sorted(set(numbers) - set(used))
    if unused:
        problems.append(f"citations never marked: {unused}")
    if not unknown and first_use != sorted(first_use):
        problems.append(f"markers first used in the order {first_use}")
    return problems


# -- classification --------------------------------------------------------------------------
def binary_scores(predicted: Sequence[bool], actual: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class (NaN where undefined)."""
    tp = sum(p and a for p, a in zip(predicted, actual))
    fp = sum(p and not a for p, a in zip(predicted, actual))
    fn = sum(a and not p for p, a in zip(predicted, actual))
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def tier_scores(predicted: Sequence[str], actual: Sequence[str], tiers: Sequence[str] = TIERS) -> dict:
    """Accuracy, per-tier precision/recall/F1/support, macro F1 and the confusion matrix
    (``confusion[gold][predicted]``)."""
    confusion = {g: {p: 0 for p in tiers} for g in tiers}
    for p, a in zip(predicted, actual):
        confusion.setdefault(a, {t: 0 for t in tiers}).setdefault(p, 0)
        confusion[a][p] += 1
    per_tier = {}
    for t in tiers:
        s = binary_scores([p == t for p in predicted], [a == t for a in actual])
        per_tier[t] = {"precision": s["precision"], "recall": s["recall"], "f1": s["f1"],
                       "support": sum(a == t for a in actual)}
    f1s = [v["f1"] for v in per_tier.values() if v["support"]]
    n = len(actual)
    return {"accuracy": sum(p == a for p, a in zip(predicted, actual)) / n if n else math.nan,
            "macro_f1": sum(0.0 if math.isnan(f) else f for f in f1s) / len(f1s) if f1s else math.nan,
            "per_tier": per_tier, "confusion": confusion}


# -- aggregates ------------------------------------------------------------------------------
def mean(values: Iterable[float]) -> float:
    """Mean of the defined values (NaN entries are 'not applicable' and skipped)."""
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return sum(vals) / len(vals) if vals else math.nan


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100), linear interpolation between closest ranks."""
    if not values:
        return math.nan
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def rate(flags: Iterable[bool]) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else math.nan
