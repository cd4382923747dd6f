"""Fit the ranker's weights (assistant/ranker.json) on the dev split only.

    python -m aiact.evals.fit_ranker            # fit and write assistant/ranker.json
    python -m aiact.evals.fit_ranker --dry-run  # fit and print, write nothing
    python -m aiact.evals.fit_ranker --coverage-only  # keep the weights and lead ratio, refit the rest
    python -m aiact.evals.fit_ranker --new-features   # keep weights and coverage, fit features added since
    python -m aiact.evals.fit_ranker --crowd-only     # keep weights and ratios, choose explained_crowd
    python -m aiact.evals.fit_ranker --opening-only   # keep weights and ratios, choose explained_opening

Training pairs: every candidate the retriever gathers for a dev question (the answer-quality
cases with gold references and the English passage cases), labelled 1 when it matches a gold
reference (evals/metrics.py rules). A logistic regression (scikit-learn, class-balanced) gives the
weights; then the coverage ratios (binding rule and soft-law explanation both near the top) are
chosen on the same dev cases by passage hit@5 of the ranked list. Held-out cases are never read.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys

import functools

from assistant.candidates import cover, gather, opens_explanation
from assistant.rank import NAMES, WEIGHTS_FILE, Ranker, load_ranker, vector
from assistant.retrieve import KIND_RANK, Scored, strip_instructions
from aiact.evals import metrics as m
from aiact.evals.cases import load_cases
from aiact.evals.passages import load_passage_cases

C = 1.0  # inverse regularisation strength: the features are few and bounded
# explained_crowd: how many explanations of one rule among the first five let that rule in
# (6 = never on that count alone), from strict to loose.
CROWDS = (6, 4, 3, 2)
# explained_opening: how many paragraphs explaining the rule among the first five let the one
# opening that explanation swap in for the last of them (0 = off), from strict to loose.
OPENINGS = (0, 3, 2, 1)


def dev_questions() -> list[tuple[str, tuple, object]]:
    """(question, gold, as_of) of every dev question with gold references."""
    out = [(c.text, c.gold, c.as_of) for c in load_cases("dev")
           if not c.scenario and not c.must_abstain and c.gold]
    out += [(c.question, c.gold, None) for c in load_passage_cases("dev", ("en",))]
    return out


def collect(bot, questions):
    from aiact.evals.harness import question_day

    indexed = frozenset((p.document, p.reference) for p in bot.store.provisions.values())
    groups = []
    for text, gold, as_of in questions:
        from aiact.evals.cases import Case

        day = question_day(bot, Case("x", "x", "dev", text, gold, as_of=as_of))
        found = gather(bot.retriever, strip_instructions(text), day, True)
        rows = [(c, float(m.matches_any((c.provision.document, c.provision.reference), gold, indexed)))
                for c in found.candidates.values()]
        groups.append((text, gold, rows))
    return groups, indexed


def fit(groups) -> tuple[list[float], float]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.array([vector(c.features) for _, _, rows in groups for c, _ in rows])
    y = np.array([label for _, _, rows in groups for _, label in rows])
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    model.fit(X, y)
    return [float(w) for w in model.coef_[0]], float(model.intercept_[0])


def fit_new_features(groups, kept: Ranker, new: list[str]) -> tuple[list[float], float]:
    """Keep the fitted weights and intercept and fit only the features they lack: a logistic
    regression of the labels on the new features with the kept model's logit as a fixed offset
    (class-balanced, L2 as in fit()). Where no new feature fires a candidate's score is exactly
    what it was, so the coverage ratios tuned on those scores still hold."""
    import numpy as np
    from scipy.optimize import minimize

    def logit(f: dict) -> float:
        return kept.intercept + sum(w * f.get(n, 0.0) for n, w in zip(NAMES, kept.weights))

    rows = [c for _, _, rs in groups for c, _ in rs]
    y = np.array([label for _, _, rs in groups for _, label in rs])
    offset = np.array([logit(c.features) for c in rows])
    X = np.array([[float(c.features.get(n, 0.0)) for n in new] for c in rows])
    weight = np.where(y == 1, len(y) / (2 * max(1, y.sum())), len(y) / (2 * max(1, len(y) - y.sum())))

    def loss(w):
        z = offset + X @ w
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
        nll = -np.sum(weight * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
        grad = X.T @ (weight * (p - y))
        return nll + 0.5 * w @ w / C, grad + w / C

    fitted = dict(zip(new, minimize(loss, np.zeros(len(new)), jac=True, method="L-BFGS-B").x.tolist()))
    weights = [fitted.get(n, w) for n, w in zip(NAMES, kept.weights)]
    return weights, kept.intercept


_RANKED: list = []  # [(groups, ranker, ranked lists)]: the last pair only


def _ranked(groups, ranker: Ranker) -> list:
    """Each question's candidates ordered by the ranker, worked out once per (groups, ranker):
    the coverage grid scores hundreds of ratio settings over the same scores."""
    if not (_RANKED and _RANKED[0][0] is groups and _RANKED[0][1] is ranker):
        lists = [sorted((Scored(c.provision, ranker.score(c.features), c.similarity, c.reason, c.features)
                         for c, _ in rows), key=lambda s: (-s.score, KIND_RANK.get(s.provision.kind, 9), s.provision.order))
                 for _, _, rows in groups]
        _RANKED[:] = [(groups, ranker, lists)]
    return _RANKED[0][2]


def ranked_hit(groups, ranker: Ranker, params: dict, indexed, k: int = 5, mrr: bool = False, opens=None) -> float:
    hits = []
    for (text, gold, rows), ranked in zip(groups, _ranked(groups, ranker)):
        top = [(s.provision.document, s.provision.reference) for s in cover(ranked, text, params, opens)[:10 if mrr else k]]
        hits.append(m.reciprocal_rank(top, list(gold), indexed) if mrr else m.recall_at(top, list(gold), k, indexed))
    return m.mean(hits)


def main(argv: list[str] | None = None) -> int:
    from assistant import Assistant
    from aiact.evals.run import eval_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--coverage-only", action="store_true",
                    help="keep the weights and the lead ratio in ranker.json; choose the other coverage ratios")
    ap.add_argument("--new-features", action="store_true",
                    help="keep the weights and coverage in ranker.json; fit only the features it has no weight for")
    ap.add_argument("--crowd-only", action="store_true",
                    help="keep the weights and coverage ratios in ranker.json; choose only explained_crowd")
    ap.add_argument("--opening-only", action="store_true",
                    help="keep the weights and coverage ratios in ranker.json; choose only explained_opening")
    args = ap.parse_args(argv)
    bot = Assistant(eval_settings(), progress=False)
    # cover() is scored as retrieval runs it: with the test for a paragraph opening a rule's explanation.
    hit = functools.partial(ranked_hit, opens=functools.partial(opens_explanation, bot.retriever))
    if args.crowd_only:
        # The rule displaces one more paragraph of its own explanation: chosen on the dev
        # passage cases, whose gold is the exact paragraph (most answer-quality gold is a whole article).
        groups, indexed = collect(bot, [(c.question, c.gold, None) for c in load_passage_cases("dev", ("en",))])
    else:
        groups, indexed = collect(bot, dev_questions())
    leads: tuple[float, ...] = (2.0, 0.8, 0.6, 0.4)
    if args.new_features:
        data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
        new = [n for n in NAMES if n not in data["features"]]
        kept = load_ranker(str(WEIGHTS_FILE))
        weights, intercept = fit_new_features(groups, kept, new)
        previous = kept.meta
        coverage = previous.get("coverage", {})
        ranker = Ranker(tuple(weights), intercept, {})
        previous = {k: v for k, v in previous.items() if k != "dev_hit@5_ranked_without_coverage"}
        # Earlier rounds of --new-features stay on record: the kept weights came from them.
        history = previous.get("new_features_history", [])
        if previous.get("new_features"):
            history = history + [{"features": previous["new_features"], "fitted": previous.get("new_features_fitted"),
                                  "questions": previous.get("new_features_questions")}]
        meta = {**previous, "new_features_history": history, "new_features": new, "new_features_fitted": dt.date.today().isoformat(),
                "new_features_command": "python -m aiact.evals.fit_ranker --new-features",
                "new_features_questions": len(groups),
                "dev_hit@5_ranked": round(hit(groups, ranker, coverage, indexed), 4),
                "dev_mrr_ranked": round(hit(groups, ranker, coverage, indexed, mrr=True), 4)}
        return _write(weights, intercept, meta, args.dry_run)
    if args.crowd_only:
        kept = load_ranker(str(WEIGHTS_FILE))
        coverage = {k: v for k, v in kept.meta.get("coverage", {}).items() if k != "explained_crowd"}
        scored = [(hit(groups, kept, dict(coverage, explained_crowd=e), indexed)
                   + hit(groups, kept, dict(coverage, explained_crowd=e), indexed, mrr=True), e)
                  for e in CROWDS]
        best = max(h for h, _ in scored)
        coverage["explained_crowd"] = next(e for h, e in scored if h == best)
        meta = {**kept.meta, "coverage": coverage, "crowd_fitted": dt.date.today().isoformat(),
                "crowd_command": "python -m aiact.evals.fit_ranker --crowd-only",
                "crowd_questions": len(groups), "crowd_grid": {str(e): round(h, 4) for h, e in scored},
                "crowd_dev_passages_hit@5_ranked": round(hit(groups, kept, coverage, indexed), 4),
                "crowd_dev_passages_mrr_ranked": round(hit(groups, kept, coverage, indexed, mrr=True), 4)}
        return _write(list(kept.weights), kept.intercept, meta, args.dry_run)
    if args.opening_only:
        # The opening paragraph of a rule's explanation swaps in for a neighbouring one: scored
        # on every dev question (answer-quality and passage cases), as --coverage-only.
        kept = load_ranker(str(WEIGHTS_FILE))
        coverage = {k: v for k, v in kept.meta.get("coverage", {}).items() if k != "explained_opening"}
        scored = [(hit(groups, kept, dict(coverage, explained_opening=o), indexed)
                   + hit(groups, kept, dict(coverage, explained_opening=o), indexed, mrr=True), o) for o in OPENINGS]
        best = max(h for h, _ in scored)
        coverage["explained_opening"] = next(o for h, o in scored if h == best)  # first best: strict to loose
        passages = [i for i, (text, gold, rows) in enumerate(groups) if i >= len(groups) - len(load_passage_cases("dev", ("en",)))]
        part = [groups[i] for i in passages]
        meta = {**kept.meta, "coverage": coverage, "opening_fitted": dt.date.today().isoformat(),
                "opening_command": "python -m aiact.evals.fit_ranker --opening-only",
                "opening_questions": len(groups), "opening_grid": {str(o): round(h, 4) for h, o in scored},
                "opening_dev_hit@5_ranked": round(hit(groups, kept, coverage, indexed), 4),
                "opening_dev_mrr_ranked": round(hit(groups, kept, coverage, indexed, mrr=True), 4),
                "opening_dev_passages_hit@5_ranked": round(hit(part, kept, coverage, indexed), 4),
                "opening_dev_passages_mrr_ranked": round(hit(part, kept, coverage, indexed, mrr=True), 4)}
        return _write(list(kept.weights), kept.intercept, meta, args.dry_run)
    if args.coverage_only:
        kept = load_ranker(str(WEIGHTS_FILE))
        weights, intercept, previous = list(kept.weights), kept.intercept, kept.meta
        leads = (float(previous.get("coverage", {}).get("lead_ratio", 2.0)),)
    else:
        weights, intercept = fit(groups)
        previous = {}
    ranker = Ranker(tuple(weights), intercept, {})
    # explained_opening is chosen by --opening-only; a refit of the rest keeps it.
    opening = load_ranker(str(WEIGHTS_FILE)).meta.get("coverage", {}).get("explained_opening", 0)
    grid = [dict(lead_ratio=lead, binding_ratio=b, soft_ratio=s, slots=n, explained_crowd=e, explained_opening=opening)
            for lead, b, s, n, e in
            itertools.product(leads, (2.0, 0.5, 0.3, 0.2, 0.1), (2.0, 0.5, 0.3, 0.2, 0.1), (3, 4, 5), CROWDS)]
    off = dict(lead_ratio=2.0, binding_ratio=2.0, soft_ratio=2.0, slots=4, explained_crowd=6)
    # Both the passage hit@5 and the reciprocal rank of the first gold reference count.
    scored = [(hit(groups, ranker, p, indexed) + hit(groups, ranker, p, indexed, mrr=True), p)
              for p in grid]
    best_hit = max(h for h, _ in scored)
    params = next(p for h, p in scored if h == best_hit)  # first best: the grid runs from strict to loose
    meta = {"fitted": dt.date.today().isoformat(), "command": "python -m aiact.evals.fit_ranker",
            "questions": len(groups), "candidates": sum(len(r) for _, _, r in groups),
            "positives": int(sum(l for _, _, r in groups for _, l in r)), "C": C,
            "dev_hit@5_ranked": round(hit(groups, ranker, params, indexed), 4),
            "dev_mrr_ranked": round(hit(groups, ranker, params, indexed, mrr=True), 4),
            "dev_hit@5_ranked_without_coverage": round(hit(groups, ranker, off, indexed), 4),
            "coverage": params}
    if args.coverage_only:
        meta = {**previous, **{k: meta[k] for k in ("dev_hit@5_ranked", "dev_mrr_ranked",
                                                    "dev_hit@5_ranked_without_coverage", "coverage")},
                "coverage_fitted": dt.date.today().isoformat(),
                "coverage_command": "python -m aiact.evals.fit_ranker --coverage-only",
                "coverage_questions": len(groups)}
    return _write(weights, intercept, meta, args.dry_run)


def _write(weights, intercept: float, meta: dict, dry_run: bool) -> int:
    """Print the fitted ranker and, unless a dry run, save it as the weights file."""
    data = {"features": list(NAMES), "weights": [round(w, 5) for w in weights],
            "intercept": round(intercept, 5), "meta": meta}
    print(json.dumps(data, indent=1))
    if not dry_run:
        WEIGHTS_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
