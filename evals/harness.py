"""Run cases through one configuration and score each case: one JSON-ready record per case."""
from __future__ import annotations

import datetime as dt
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiact.evals import metrics as m
from aiact.evals.cases import Case, Ref

WARM_QUESTION = "When do the prohibitions apply?"
WARM_DESCRIPTION = "A chatbot that answers customer questions about train timetables."


@dataclass
class Context:
    """What scoring needs from the index: the citable references and the source texts."""

    indexed: frozenset[Ref]
    provisions: dict  # provision id → Provision
    corpus_dir: Path
    _sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, bot) -> "Context":
        provisions = bot.store.provisions
        return cls(frozenset((p.document, p.reference) for p in provisions.values()), provisions,
                   bot.settings.resolved_corpus_dir())

    def source(self, relative: str) -> str:
        """A corpus file, white space normalised (cached)."""
        if relative not in self._sources:
            path = self.corpus_dir / relative
            self._sources[relative] = m.normalise(path.read_text(encoding="utf-8")) if path.is_file() else ""
        return self._sources[relative]

    def quote_ok(self, citation) -> bool:
        """Is the citation's quote verbatim in the source file of the provision it cites?"""
        p = self.provisions.get(f"{citation.document}|{citation.reference}|{citation.version}")
        candidates = [p] if p else [q for q in self.provisions.values()
                                    if (q.document, q.reference) == (citation.document, citation.reference)]
        return any(m.quote_verbatim(citation.quote, self.source(q.source)) for q in candidates)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(x, 4)


def _answer_checks(text: str, citations: Sequence, ctx: Context) -> dict:
    bad = [f"[{c.n}] {c.document}, {c.reference}" for c in citations if not ctx.quote_ok(c)]
    problems = m.marker_problems(text, [c.n for c in citations])
    return {"citations": [[c.document, c.reference] for c in citations], "quotes": len(citations),
            "bad_quotes": bad, "markers_ok": not problems, "marker_problems": problems}


def question_day(bot, case: Case) -> dt.date:
    """The day the assistant reads the law at for this case (as ``ask`` decides it)."""
    from assistant.references import point_in_time

    return case.as_of or point_in_time(case.text) or bot.today


def base_record(case: Case) -> dict:
    return {"id": case.id, "category": case.category, "split": case.split, "new": case.new,
            "kind": "scenario" if case.scenario else "question", "must_abstain": case.must_abstain,
            "question": case.text}


def shown(text: str, citations: Sequence) -> dict:
    """What the user saw: the answer and its sources, so a reader of the report can judge a case."""
    return {"answer": text, "cited": [{"n": c.n, "document": c.document, "reference": c.reference,
                                       "version": getattr(c, "version", ""), "quote": c.quote[:600]}
                                      for c in citations]}


def score_question(case: Case, record: dict, ranked: list[Ref], text: str, abstained: bool,
                   cited: list[Ref], ctx: Context) -> dict:
    """Fill the per-case scores of a question from what the configuration returned."""
    gold = list(case.gold)
    missing = m.missing_facts(text, case.facts) if not abstained else list(case.facts)
    record.update({
        "retrieved": [list(r) for r in ranked[:10]],
        "recall@1": _num(m.recall_at(ranked, gold, 1, ctx.indexed)),
        "recall@5": _num(m.recall_at(ranked, gold, 5, ctx.indexed)),
        "recall@10": _num(m.recall_at(ranked, gold, 10, ctx.indexed)),
        "rr": _num(m.reciprocal_rank(ranked, gold, ctx.indexed)),
        "abstained": abstained,
        "facts_missing": missing,
        "facts_ok": not abstained and not missing,
        "citation_precision": _num(m.citation_precision(cited, gold, ctx.indexed)) if not abstained else None,
        "gold_cited": any(m.matches_any(c, gold, ctx.indexed) for c in cited) if gold else None,
    })
    if case.must_abstain:
        record["correct"] = abstained
    else:
        record["correct"] = record["facts_ok"] if case.facts else bool(record["gold_cited"])
    return record


def takes_history(bot) -> bool:
    """Does this assistant read earlier turns? (Older pipelines answer the follow-up alone.)"""
    import inspect

    try:
        return "history" in inspect.signature(bot.ask).parameters
    except (TypeError, ValueError):
        return False


def ask_case(bot, case: Case):
    """The case's answer; a follow-up asks its earlier turns first and passes them as history."""
    if not case.history:
        return bot.ask(case.text, as_of=case.as_of)
    if not takes_history(bot):
        return bot.ask(case.text, as_of=case.as_of)
    earlier: list = []
    for turn in case.history:
        earlier.append(bot.ask(turn, as_of=case.as_of, history=list(earlier)))
    return bot.ask(case.text, as_of=case.as_of, history=earlier)


def score_conclusion(case: Case, record: dict, text: str, abstained: bool, cited: list[Ref],
                     ctx: Context) -> dict:
    """The answer-shape metrics: lead provision, conclusion, premise corrected, follow-up."""
    answered = not abstained and not case.must_abstain
    record["lead_ok"] = (answered and bool(m.lead_ok(cited, case.gold, ctx.indexed))) \
        if case.gold and not case.must_abstain else None
    record["conclusion_ok"] = (answered and m.conclusion_ok(text, case.facts)) \
        if case.facts and not case.must_abstain else None
    record["premise_ok"] = (answered and m.conclusion_ok(text, case.premise)) if case.premise else None
    record["followup"] = bool(case.history)
    return record


def run_question(bot, case: Case, ctx: Context) -> dict:
    from assistant.core import clean_text

    record = base_record(case)
    text, _ = clean_text(case.text, bot.settings.max_question_chars)
    start = time.perf_counter()
    answer = ask_case(bot, case)
    record["latency_ms"] = _ms(start)
    # Retrieval as the assistant ran it: the question as it read it (a follow-up completed by
    # the earlier turn, typos mended), where the assistant says so.
    plan = getattr(answer, "plan", None)
    query = bot.lookup(plan) if plan is not None and hasattr(bot, "lookup") else text
    day = plan.as_of if plan is not None and plan.as_of else question_day(bot, case)
    retrieval = bot.retriever.retrieve(query, day, limit=10)
    ranked = [(s.provision.document, s.provision.reference) for s in retrieval.results]
    record["best_similarity"] = round(retrieval.best_similarity, 4)
    record.update(_answer_checks(answer.text, answer.citations, ctx))
    record.update(shown(answer.text, answer.citations))
    cited = [(c.document, c.reference) for c in answer.citations]
    score_conclusion(case, record, answer.text, answer.abstained, cited, ctx)
    return score_question(case, record, ranked, answer.text, answer.abstained, cited, ctx)


def run_scenario(bot, case: Case, ctx: Context) -> dict:
    record = base_record(case)
    start = time.perf_counter()
    # Scenarios are labelled for the day the Omnibus's new prohibitions apply (as the classify
    # report reads them), not for the eval's pinned day, so a nudify app counts as prohibited.
    from aiact.evals.classify import labelled_on

    risk = bot.assess(case.text, as_of=case.as_of or labelled_on())
    record["latency_ms"] = _ms(start)
    record.update(_answer_checks(risk.text, risk.citations, ctx))
    record.update(shown(risk.text, risk.citations))
    cited = [(c.document, c.reference) for c in risk.citations]
    gold = list(case.gold)
    record.update({
        "tier": risk.tier, "gold_tier": case.gold_tier, "outcome": getattr(risk, "outcome", "") or risk.tier,
        "correct": (getattr(risk, "outcome", "") or risk.tier) == (case.gold_outcome or case.gold_tier),
        "gold_cited": any(m.matches_any(c, gold, ctx.indexed) for c in cited) if gold else None,
        # The deciding provision is cited first, unless the tier is minimal (no provision decides).
        "deciding_ok": (bool(cited) and m.matches_any(cited[0], gold, ctx.indexed))
        if gold and risk.tier != "minimal" else None,
    })
    return record


def error_record(case: Case, exc: Exception) -> dict:
    record = dict(base_record(case), error=f"{type(exc).__name__}: {exc}", latency_ms=0.0, quotes=0,
                  bad_quotes=[], markers_ok=True, marker_problems=[], citations=[])
    if case.scenario:
        return dict(record, tier="error", gold_tier=case.gold_tier, correct=False, gold_cited=False,
                    deciding_ok=False if case.gold else None)
    record = score_question(case, record, [], "", False, [], Context(frozenset(), {}, Path(".")))
    return dict(record, correct=False)


Runner = Callable[[Case], "dict | None"]


def assistant_runner(bot, ctx: Context) -> Runner:
    """Cases through one Assistant, warmed up first so latencies are those of a warm process."""
    bot.ask(WARM_QUESTION)
    bot.assess(WARM_DESCRIPTION)
    return lambda case: (run_scenario if case.scenario else run_question)(bot, case, ctx)


def run_interleaved(runners: dict[str, Runner], cases: Sequence[Case], progress: bool = True) -> dict[str, list[dict]]:
    """Each case through every configuration in turn, so that a busy machine slows all
    configurations alike and their latencies stay comparable."""
    out: dict[str, list[dict]] = {name: [] for name in runners}
    for i, case in enumerate(cases, start=1):
        for name, run in runners.items():
            try:
                record = run(case)
            except Exception as exc:  # a crash is a wrong answer, not the end of the run
                record = error_record(case, exc)
            if record is not None:
                out[name].append(record)
        if progress:
            _progress("cases", i, len(cases))
    return out


def _progress(label: str, i: int, n: int) -> None:
    if sys.stderr.isatty():
        print(f"\r  {label}: {i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)


def naive_runner(naive, ctx: Context) -> Runner:
    """The questions through the naive baseline: its answer is the retrieved text, it cites
    nothing and never abstains; scenarios are skipped (it cannot assess a tier)."""
    naive.ask(WARM_QUESTION)

    def run(case: Case) -> dict | None:
        if case.scenario:
            return None
        record = base_record(case)
        result = naive.ask(case.text)
        record["latency_ms"] = round(result.seconds * 1000, 2)
        record.update(shown(result.text, []))
        return score_question(case, record, result.ranked, result.text, False, [], ctx)

    return run
