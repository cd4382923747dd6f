"""Per-case records → the suite's numbers, for one configuration and one split."""
from __future__ import annotations

import math
from collections import defaultdict

from aiact.evals import metrics as m
from aiact.evals.cases import CORE_SLICE, NEW_SLICE

RETRIEVAL_KEYS = ("recall@1", "recall@5", "recall@10", "mrr")


def _clean(value):
    """NaN → None, so the report is valid JSON; floats rounded."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def summarise(records: list[dict]) -> dict:
    """The headline metrics of a set of case records (questions and scenarios)."""
    questions = [r for r in records if r["kind"] == "question"]
    scenarios = [r for r in records if r["kind"] == "scenario"]
    answerable = [r for r in questions if not r["must_abstain"]]
    with_gold = [r for r in answerable if r.get("rr") is not None]
    out: dict = {"questions": len(questions), "scenarios": len(scenarios)}
    for key in ("recall@1", "recall@5", "recall@10"):
        out[key] = m.mean(r[key] for r in with_gold)
    out["mrr"] = m.mean(r["rr"] for r in with_gold)
    out["fact_accuracy"] = m.rate(r["facts_ok"] for r in answerable if "facts_ok" in r)
    out["answered_accuracy"] = m.rate(r["correct"] for r in answerable)
    out["citation_precision"] = m.mean(r["citation_precision"] for r in answerable
                                       if r.get("citation_precision") is not None)
    out["gold_cited"] = m.rate(r["gold_cited"] for r in answerable if r.get("gold_cited") is not None)
    # The answer's shape: the first citation is a gold provision, the gold facts stand in the
    # first paragraph, a false premise is corrected there, a follow-up is answered right.
    out["lead_provision"] = m.rate(r["lead_ok"] for r in answerable if r.get("lead_ok") is not None)
    out["conclusion"] = m.rate(r["conclusion_ok"] for r in answerable if r.get("conclusion_ok") is not None)
    out["premise_correction"] = m.rate(r["premise_ok"] for r in answerable if r.get("premise_ok") is not None)
    out["followups"] = m.rate(r["correct"] for r in answerable if r.get("followup"))
    if questions and all("abstained" in r for r in questions):
        ab = m.binary_scores([r["abstained"] for r in questions], [r["must_abstain"] for r in questions])
        out.update({"abstention_precision": ab["precision"], "abstention_recall": ab["recall"],
                    "abstention_f1": ab["f1"]})
    if scenarios:
        tiers = m.tier_scores([r["tier"] for r in scenarios], [r["gold_tier"] for r in scenarios])
        out["tier_accuracy"] = tiers["accuracy"]
        out["tier_macro_f1"] = tiers["macro_f1"]
        out["tier_f1"] = {t: v["f1"] for t, v in tiers["per_tier"].items()}
        out["tier_confusion"] = tiers["confusion"]
        out["deciding_provision"] = m.rate(r["deciding_ok"] for r in scenarios if r.get("deciding_ok") is not None)
    quoted = [r for r in records if "quotes" in r]
    if quoted:
        n_quotes = sum(r["quotes"] for r in quoted)
        n_bad = sum(len(r["bad_quotes"]) for r in quoted)
        out["quote_verbatim"] = (n_quotes - n_bad) / n_quotes if n_quotes else math.nan
        out["marker_consistency"] = m.rate(r["markers_ok"] for r in quoted)
    latencies = [r["latency_ms"] for r in questions]
    out["latency_p50_ms"] = m.percentile(latencies, 50)
    out["latency_p95_ms"] = m.percentile(latencies, 95)
    if scenarios:
        lat = [r["latency_ms"] for r in scenarios]
        out["assess_p50_ms"] = m.percentile(lat, 50)
        out["assess_p95_ms"] = m.percentile(lat, 95)
    out["by_category"] = by_category(records)
    return _clean(out)


def by_category(records: list[dict]) -> dict[str, dict]:
    """Accuracy per category: facts right (answerable), abstained (abstain), tier right (scenarios)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        groups[r["category"]].append(r)
    return {c: {"n": len(rs), "accuracy": m.rate(r["correct"] for r in rs)} for c, rs in sorted(groups.items())}


def slices(splits: list[str]) -> list[str]:
    """Each split, then the user-style cases of each split as their own slice ('heldout:new'),
    then the cases that came before them ('heldout:core')."""
    return (list(splits) + [f"{s}:{NEW_SLICE}" for s in splits]
            + [f"{s}:{CORE_SLICE}" for s in splits])


def by_split(records: list[dict], splits: list[str]) -> dict[str, dict]:
    """Metrics for each split present, for the user-style cases of each split (``dev:new``,
    ``heldout:new``: the figures issue 8's done-when is read from), and for all together."""
    out = {s: summarise([r for r in records if r["split"] == s]) for s in splits}
    for s in splits:
        new = [r for r in records if r["split"] == s and r.get("new")]
        if new:
            out[f"{s}:{NEW_SLICE}"] = summarise(new)
    for s in splits:
        core = [r for r in records if r["split"] == s and not r.get("new")]
        if core and len(core) < sum(r["split"] == s for r in records):
            out[f"{s}:{CORE_SLICE}"] = summarise(core)
    if len(splits) > 1:
        out["all"] = summarise(records)
    return out


def failures(records: list[dict], limit: int = 60) -> list[dict]:
    """The cases the configuration got wrong, with why — for the report's error list."""
    out = []
    for r in records:
        why = [r["error"]] if r.get("error") else []
        if not r.get("correct") and not why:
            if r["kind"] == "scenario":
                why.append(f"tier {r['tier']} (gold {r['gold_tier']})")
            elif r["must_abstain"]:
                why.append("answered, should abstain")
            elif r.get("abstained"):
                why.append("abstained")
            elif r.get("facts_missing"):
                why.append("facts missing: " + "; ".join(r["facts_missing"]))
            else:
                why.append("gold not cited")
        if r.get("bad_quotes"):
            why.append("quote not verbatim: " + ", ".join(r["bad_quotes"]))
        if r.get("marker_problems"):
            why.append("markers: " + "; ".join(r["marker_problems"]))
        if why:
            out.append({"id": r["id"], "split": r["split"], "why": " | ".join(why)})
    return out[:limit]
