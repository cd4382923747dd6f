"""How well ``Assistant.assess`` classifies: accuracy, per-outcome precision/recall/F1 and the
confusion matrix, per split, over the founder scenarios (``scenarios.jsonl``) and the scenarios
paraphrased from the Commission's guidelines (``classification.jsonl``).

Non-circular: a scenario paraphrased from a guideline passage is assessed with that passage
(and every passage of the same guideline paragraph) removed from retrieval, so the check cannot
find the example it was written from.

    python -m aiact.evals.classify [--split heldout] [--out DIR]    # prints the table, writes classify.json
    python -m aiact.evals.classify --baseline                       # the same for the earlier similarity assessor
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
from pathlib import Path

from aiact.evals import metrics as m
from aiact.evals.cases import OUTCOMES, Case, load_cases

FILES = ("scenarios", "classification")
# What an Article 5 practice must never become when its exception is not stated.
NEVER_FOR_PROHIBITED = "minimal"
# The outcomes a run can give: the cases' outcomes, and "undecided" (close to a prohibited
# practice that no fact confirms: the check asks instead of concluding).
PREDICTED = OUTCOMES + ("undecided",)


def labelled_on() -> dt.date:
    """The day the scenarios are labelled for: the day the Omnibus's new prohibitions apply
    (law data, Article 113(a)), so points (ba) and (bb) of Article 5(1) count; AIACT_TODAY overrides it."""
    from assistant.law.model import load_law

    return load_law().get("dates", "new-prohibitions").date


def scenario_cases(split: str) -> dict[str, list[Case]]:
    cases = [c for c in load_cases(split) if c.scenario]
    return {name: [c for c in cases if c.category == name] for name in FILES}


def outcome_of(risk) -> str:
    return getattr(risk, "outcome", None) or risk.tier


class Excluding:
    """Retrieval with some passages removed: wraps ``Retriever._fused`` for one case."""

    def __init__(self, retriever):
        self.retriever = retriever
        self.original = retriever._fused
        self.excluded: frozenset = frozenset()
        retriever._fused = self._fused

    def _fused(self, *args, **kwargs):
        return [s for s in self.original(*args, **kwargs)
                if (s.provision.document, s.provision.reference) not in self.excluded]

    def restore(self) -> None:
        self.retriever._fused = self.original


def run(bot, cases: list[Case], baseline: bool = False) -> list[dict]:
    """Every case through ``bot.assess`` — or, with ``baseline``, through the similarity assessor
    that decided tiers before the decision procedure (``assistant/similarity.py``)."""
    hook = Excluding(bot.retriever)
    assess = bot.assess
    if baseline:
        from assistant.similarity import Assessor

        assess = Assessor(bot).assess
    rows = []
    try:
        for c in cases:
            hook.excluded = frozenset(c.source)
            risk = assess(c.text)
            rows.append({"id": c.id, "split": c.split, "gold": c.gold_outcome, "predicted": outcome_of(risk),
                         "tier": risk.tier, "gold_refs": [r for _, r in c.gold],
                         "cited": [x.reference for x in risk.citations][:3], "description": c.text})
    finally:
        hook.restore()
    return rows


def scores(rows: list[dict]) -> dict:
    s = m.tier_scores([r["predicted"] for r in rows], [r["gold"] for r in rows], PREDICTED)
    present = [o for o in PREDICTED if s["per_tier"][o]["support"] or any(r["predicted"] == o for r in rows)]
    clean = lambda x: None if isinstance(x, float) and math.isnan(x) else (round(x, 4) if isinstance(x, float) else x)
    return {"n": len(rows), "accuracy": clean(s["accuracy"]),
            "per_outcome": {o: {k: clean(v) for k, v in s["per_tier"][o].items()} for o in present},
            "confusion": {g: {p: n for p, n in row.items() if n} for g, row in s["confusion"].items()
                          if any(row.values())},
            "prohibited_as_minimal": [r["id"] for r in rows if r["gold"] == "prohibited"
                                      and r["predicted"] == NEVER_FOR_PROHIBITED]}


def report(rows: list[dict]) -> dict:
    out = {}
    for name in FILES:
        for split in ("dev", "heldout", "all"):
            sel = [r for r in rows if r["id"].startswith(name[:8]) and (split == "all" or r["split"] == split)]
            if sel:
                out[f"{name}/{split}"] = scores(sel)
    for split in ("dev", "heldout"):
        out[f"both/{split}"] = scores([r for r in rows if r["split"] == split])
    return out


def markdown(summary: dict) -> str:
    lines = ["| set | n | accuracy | prohibited F1 | high-risk F1 | limited F1 | minimal F1 | other outcomes F1 |",
             "|---|---|---|---|---|---|---|---|"]
    f = lambda x: "–" if x is None else f"{x:.2f}"
    for key, s in summary.items():
        po = s["per_outcome"]
        other = [po[o]["f1"] for o in OUTCOMES[4:] if o in po and po[o]["f1"] is not None]
        lines.append(f"| {key} | {s['n']} | {f(s['accuracy'])} | "
                     + " | ".join(f(po.get(t, {}).get("f1")) for t in OUTCOMES[:4])
                     + f" | {f(sum(other) / len(other)) if other else '–'} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from assistant import Assistant, Settings
    from aiact.evals.run import eval_settings

    ap = argparse.ArgumentParser(prog="python -m aiact.evals.classify", description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="all", choices=("dev", "heldout", "all"))
    ap.add_argument("--out", type=Path, default=Path("classify-report"))
    ap.add_argument("--baseline", action="store_true",
                    help="measure the earlier similarity assessor instead (the 'before' figures)")
    args = ap.parse_args(argv)
    env = Settings.from_env()
    bot = Assistant(eval_settings(env if env.today else dataclasses.replace(env, today=labelled_on())))
    groups = scenario_cases(args.split)
    rows = run(bot, [c for name in FILES for c in groups[name]], args.baseline)
    summary = report(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "classify.json").write_text(json.dumps({"summary": summary, "cases": rows}, indent=1), encoding="utf-8")
    (args.out / "classify.md").write_text(markdown(summary), encoding="utf-8")
    print(markdown(summary))
    for key, s in summary.items():
        print(key, "confusion (gold -> predicted):", json.dumps(s["confusion"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
