"""The risk tier a description is closest to, by similarity to the provisions that define the tiers
(used by `ask` to put the deciding provision first for "Is X high-risk?"; `assess` walks the
Act's decision procedure instead, see assess.py).

The candidates are the provisions themselves: the points of Article 5(1) (prohibited), the
points of Annex III and of Annex I (high-risk, via Article 6(2) and 6(1)), and the paragraphs of
Article 50 (transparency duties). A description is compared with each candidate (the stored
embeddings of its nodes) and hybrid retrieval over the whole corpus votes for the tier whose
provisions the best passages belong to or cite (the guidelines' examples cite the points they
illustrate). The weights and thresholds are fitted on the development scenarios
(``evals/calibrate.py``) and live in ``assess_params.json``.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.answer import best_sentence
from assistant.retrieve import _cross_references
from assistant.types import Assessment, Citation
from aiact.corpus.provision import Provision

PARAMS_FILE = Path(__file__).with_name("assess_params.json")
DEFAULT_PARAMS = {"vote_weight": 0.5, "prohibited": 0.55, "high-risk": 0.5, "limited": 0.5,
                  "derogation": 1.01, "margin": 0.0}
TIER_ORDER = ("prohibited", "high-risk", "limited")
PROFILING = re.compile(r"\bprofil", re.I)


def tier_of_reference(document: str, reference: str) -> str | None:
    if document != "AI Act":
        return None
    if reference.startswith("Article 5(1)(") or reference.startswith("Article 5(1a)"):
        return "prohibited"
    if reference.startswith(("Annex III, point", "Annex I, Section", "Article 6(1)", "Article 6(2)")):
        return "high-risk"
    if re.match(r"Article 50\([1-4]\)", reference):
        return "limited"
    return None


def _share(cited: dict[str, float], reference: str, total: float) -> float:
    """Share of the retrieval votes that name this provision (in full) or a part of it (half, so
    a point cited by the passages wins over the area heading above it)."""
    if not total:
        return 0.0
    exact = cited.get(reference, 0.0)
    parts = sum(w for r, w in cited.items() if r.startswith(reference + "("))
    return (exact + 0.5 * parts) / total


def load_params() -> dict:
    try:
        return {**DEFAULT_PARAMS, **json.loads(PARAMS_FILE.read_text(encoding="utf-8"))}
    except FileNotFoundError:
        return dict(DEFAULT_PARAMS)


@dataclass(frozen=True)
class Features:
    """What the decision is made from: per tier, the best candidate and its similarity, the vote."""

    best: dict[str, tuple[Provision | None, float]]
    votes: dict[str, float]
    derogation: tuple[Provision | None, float]
    profiling: bool


class Assessor:
    def __init__(self, assistant, params: dict | None = None):
        self.assistant = assistant
        self.retriever = assistant.retriever
        self.store = assistant.store
        self.params = params or load_params()
        today = assistant.today
        self.candidates: dict[str, list[Provision]] = defaultdict(list)
        self.derogations: list[Provision] = []
        for p in self.store.provisions.values():
            if not p.in_force_on(today) or p.amendment == "deleted":
                continue
            tier = tier_of_reference(p.document, p.reference)
            if tier and p.reference not in ("Article 6(1)", "Article 6(2)"):
                self.candidates[tier].append(p)
            if re.match(r"Article 6\(3\)\([a-d]\)$", p.reference) and p.document == "AI Act":
                self.derogations.append(p)
        wanted = {p.id for ps in self.candidates.values() for p in ps} | {p.id for p in self.derogations}
        rows = [i for i, pid in enumerate(self.store.node_provision) if pid in wanted]
        self.node_rows: dict[str, list[int]] = defaultdict(list)
        for k, i in enumerate(rows):
            self.node_rows[self.store.node_provision[i]].append(k)
        self.matrix = self.store.node_embeddings(rows)

    def features(self, description: str) -> Features:
        today = self.assistant.today
        q = np.array(self.assistant.embedder.embed_query(description), dtype=np.float32)
        sims = self.matrix @ q
        votes: dict[str, float] = defaultdict(float)
        cited: dict[str, float] = defaultdict(float)  # votes for one candidate reference
        hits = self.retriever._fused(description, today, guidance=True)[:20]
        total = 0.0
        for rank, s in enumerate(hits):
            weight = 1.0 / (rank + 3)
            total += weight
            refs = [s.provision.reference] + _cross_references(s.provision.text)
            refs += re.findall(r"Article \d+\(\d+\)(?:\([a-z]{1,2}\))?", " ".join(s.provision.path))
            tiers = {t for t in (tier_of_reference("AI Act", r) for r in refs) if t}
            for t in tiers:
                votes[t] += weight / len(tiers)
            for r in refs:
                cited[r] += weight
        if total:
            votes = defaultdict(float, {t: v / total for t, v in votes.items()})
        best: dict[str, tuple[Provision | None, float]] = {}
        for tier in TIER_ORDER:
            scored = [(p, float(max(sims[r] for r in self.node_rows[p.id]))) for p in self.candidates[tier]]
            if not scored:
                best[tier] = (None, 0.0)
                continue
            # The tier's evidence is its closest provision; the provision shown as deciding is the
            # one the passages also point at (a guideline example citing "point 4(a) of Annex III").
            top = max(x[1] for x in scored)
            p = max(scored, key=lambda x: x[1] + 2.0 * _share(cited, x[0].reference, total))[0]
            best[tier] = (p, top)
        der = [(p, float(max(sims[r] for r in self.node_rows[p.id]))) for p in self.derogations]
        derogation = max(der, key=lambda x: x[1]) if der else (None, 0.0)
        return Features(best, dict(votes), derogation, bool(PROFILING.search(description)))

    def decide(self, f: Features, params: dict | None = None) -> tuple[str, bool]:
        """(tier, derogated): the highest tier whose evidence clears its threshold."""
        prm = params or self.params
        scores = {t: f.best[t][1] + prm["vote_weight"] * f.votes.get(t, 0.0) for t in TIER_ORDER}
        cleared = [t for t in TIER_ORDER if scores[t] >= prm[t]]
        derogated = False
        if "high-risk" in cleared and not f.profiling and f.derogation[1] >= prm["derogation"]:
            cleared.remove("high-risk")
            derogated = True
        if not cleared:
            return "minimal", derogated
        # Severity first, unless a lower tier is clearly the better match.
        best = max(cleared, key=lambda t: scores[t])
        first = cleared[0]
        return (first if scores[first] + prm["margin"] >= scores[best] else best), derogated

    def assess(self, description: str, role: str | None = None) -> Assessment:
        f = self.features(description)
        tier, derogated = self.decide(f)
        return self._explain(description, tier, derogated, f, role)

    # -- explanation -----------------------------------------------------------------------
    def _explain(self, description: str, tier: str, derogated: bool, f: Features, role: str | None) -> Assessment:
        cites: list[Citation] = []
        today = self.assistant.today

        def cite(p: Provision, score: float) -> int:
            for c in cites:
                if c.reference == p.reference and c.document == p.document:
                    return c.n
            cites.append(Citation.from_provision(len(cites) + 1, p, score, today))
            return len(cites)

        def law(ref: str) -> Provision | None:
            return self.retriever.in_force("AI Act", ref, today)

        lines: list[str] = []
        checks: list[str] = []
        if tier in TIER_ORDER:
            p, sim = f.best[tier]
            n = cite(p, sim)
            lines.append(f"Risk tier: **{tier}**. The description matches {p.reference} of the AI Act: "
                         f"“{best_sentence(p, description)}” [{n}]")
        else:
            lines.append("Risk tier: **minimal**. The description matches none of the prohibited practices "
                         "of Article 5, the high-risk uses of Annex III or products of Annex I, or the "
                         "transparency duties of Article 50 closely enough.")
        rule = {"high-risk": "Article 6(2)" if (f.best["high-risk"][0] and
                                                 f.best["high-risk"][0].reference.startswith("Annex III"))
                else "Article 6(1)", "limited": None, "prohibited": "Article 5(1)"}.get(tier)
        if rule and (p := law(rule)):
            n = cite(p, 1.0)
            lines.append(f"{rule}: “{best_sentence(p, description)}” [{n}]")
        when = {"prohibited": "Article 113(a)", "high-risk": "Article 113(c)", "limited": "Article 113"}.get(tier)
        if when and (p := law(when)):
            n = cite(p, 1.0)
            lines.append(f"From when: “{best_sentence(p, 'when apply from date')}” [{n}]")
        if derogated and f.derogation[0]:
            n = cite(f.derogation[0], f.derogation[1])
            lines.append(f"It would otherwise be high-risk, but it appears to fall under the Article 6(3) "
                         f"derogation: “{best_sentence(f.derogation[0], description)}” [{n}]")
        for other in TIER_ORDER:
            p, sim = f.best[other]
            if other != tier and p is not None and len(cites) < 5 and \
                    sim >= self.params.get(other, 1.0) - 0.1:
                n = cite(p, sim)
                checks.append(f"Check {p.reference} ({other}) [{n}]: the description is close to it too.")
        checks += _checks(tier, role, f.profiling)
        if checks:
            lines.append("What to check next:\n" + "\n".join(f"- {c}" for c in checks))
        lines.append("This is an indication from the text of the Act, not legal advice.")
        return Assessment(description=description, tier=tier, text="\n\n".join(lines),
                          citations=tuple(cites), checks=tuple(checks))


def _checks(tier: str, role: str | None, profiling: bool) -> list[str]:
    role = (role or "").lower()
    out = []
    if tier == "prohibited":
        out.append("Whether an exception in the same point of Article 5(1) applies (e.g. medical or "
                   "safety reasons for emotion recognition, the law-enforcement objectives of point (h)).")
    if tier == "high-risk":
        out.append("Whether Article 6(3) applies (a narrow procedural or preparatory task, or one "
                   "that improves a completed human activity) — never if the system profiles natural "
                   "persons." + (" Your description mentions profiling." if profiling else ""))
        out.append("Provider duties: Articles 9–17 and 43 (conformity assessment), registration "
                   "under Article 49." if role != "deployer" else
                   "Deployer duties: Article 26, and a fundamental rights impact assessment under "
                   "Article 27 where it applies.")
    if tier == "limited":
        out.append("Which paragraph of Article 50 applies to you: providers (paragraphs 1 and 2) "
                   "or deployers (paragraphs 3 and 4), and its exceptions.")
    if tier == "minimal":
        out.append("Whether the intended purpose falls in an Annex III area or the system is a safety "
                   "component of an Annex I product: then it is high-risk.")
        out.append("AI literacy (Article 4) applies to providers and deployers of all AI systems.")
    return out
