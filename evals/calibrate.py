"""Fit the two sets of numbers the answers depend on, on the dev split ONLY (never heldout):

(a) ``Settings.min_score``, the abstention threshold on ``Retrieval.best_similarity`` (jointly with
    ``Settings.min_coverage``, on ``Retrieval.coverage``), chosen to maximise abstention F1 +
    answered accuracy over the dev questions; then ``Settings.sure_score`` at the shipped pair: the
    similarity above which low coverage does not refuse a question whose missing words are all
    ordinary English (the plateau's middle of the same objective);
(b) the assessor's parameters (``assistant/assess_params.json``): a grid search over
    ``Assessor.decide`` on the dev scenarios, features computed once per scenario.

    python -m aiact.evals.calibrate            # fit, print, write assistant/assess_params.json
    python -m aiact.evals.calibrate --dry-run  # fit and print only
    python -m aiact.evals.calibrate --abstention-only  # the abstention numbers only (prints them)
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import time

import numpy as np

from aiact.evals import metrics as m
from aiact.evals.cases import Case, load_cases
from aiact.evals.harness import question_day

TIER_CODE = {t: i for i, t in enumerate(m.TIERS)}
# Coarse grid first, then a finer one around the best coarse point. A tier's score is the best
# candidate's cosine similarity plus vote_weight × its share of the retrieval vote (0–1), so the
# threshold range grows with the vote weight.
K = 29


def coarse_thresholds(vw: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    grid = np.round(np.linspace(0.2, 0.8 + 0.7 * vw, K), 4)
    return grid, grid, grid


COARSE = {"thresholds": coarse_thresholds, "vote_weight": (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0),
          "derogation": tuple(np.round(np.arange(0.40, 0.901, 0.05), 3)) + (1.01,),  # 1.01 = never
          "margin": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)}
ORDER = ("prohibited", "high-risk", "limited")


# -- (a) the abstention thresholds -------------------------------------------------------------
MIN_SCORES = np.round(np.arange(0.10, 0.801, 0.01), 3)
MIN_COVERAGES = np.round(np.arange(0.0, 0.801, 0.05), 3)


def question_rows(bot, cases: list[Case]) -> list[dict]:
    """Per dev question, what the thresholds act on: best similarity, coverage of the question's
    words, whether structure (an explicit reference, a defined term) answers regardless, and
    whether the answer given with no thresholds has its facts."""
    from assistant.core import clean_text
    from assistant.vocabulary import tokenizer_words

    known = tokenizer_words(bot.settings.resolved_model())
    rows = []
    for c in cases:
        text, _ = clean_text(c.text, bot.settings.max_question_chars)
        r = bot.retriever.retrieve(text, question_day(bot, c))
        structural = any(s.reason in ("reference", "definition") for s in r.results)
        forced = not r.results or (bool(r.requested) and len(r.missing) == len(r.requested))
        answer = bot.ask(c.text, as_of=c.as_of)
        ordinary = bool(r.uncovered) and all(w.isalpha() and w.islower() and w in known for w in r.uncovered)
        rows.append({"id": c.id, "must_abstain": c.must_abstain, "best": r.best_similarity,
                     "coverage": getattr(r, "coverage", 1.0), "structural": structural, "ordinary": ordinary,
                     "forced": forced or answer.abstained,
                     "good": not answer.abstained and m.facts_ok(answer.text, c.facts)})
    return rows


def abstention_objective(rows: list[dict], t: float, cov: float = 0.0, sure: float = 2.0) -> tuple[float, float, float]:
    """(objective, abstention F1, answered accuracy) at min_score t, min_coverage cov and sure_score."""
    abstain = [r["forced"] or (not r["structural"] and (r["best"] < t or (
        r["coverage"] < cov and not (r.get("ordinary") and r["best"] >= sure)))) for r in rows]
    f1 = m.binary_scores(abstain, [r["must_abstain"] for r in rows])["f1"]
    answerable = [(a, r) for a, r in zip(abstain, rows) if not r["must_abstain"]]
    acc = m.rate(not a and r["good"] for a, r in answerable)
    f1 = 0.0 if np.isnan(f1) else f1
    return f1 + acc, f1, acc


def fit_abstention(rows: list[dict]) -> tuple[float, float, dict]:
    """The (min_score, min_coverage) with the best objective and, among equals, the best mean
    over its grid neighbours (the middle of a plateau, robust to a case or two)."""
    grid = np.array([[abstention_objective(rows, t, c)[0] for c in MIN_COVERAGES] for t in MIN_SCORES])
    padded = np.pad(grid, 2, mode="edge")
    a, b = grid.shape
    smooth = sum(padded[i:i + a, j:j + b] for i in range(5) for j in range(5)) / 25
    flat = np.lexsort((smooth.ravel(), np.round(grid.ravel(), 6)))[-1]
    i, j = np.unravel_index(flat, grid.shape)
    t, cov = float(MIN_SCORES[i]), float(MIN_COVERAGES[j])
    obj, f1, acc = abstention_objective(rows, t, cov)
    curve = {f"{x:.2f}": round(float(v), 3) for x, v in zip(MIN_SCORES, grid[:, j]) if round(x * 100) % 5 == 0}
    return t, cov, {"objective": round(obj, 4), "abstention_f1": round(f1, 4), "answered_accuracy": round(acc, 4),
                    f"objective_by_min_score_at_coverage_{cov}": curve}


SURE_SCORES = np.round(np.arange(0.40, 1.005, 0.01), 2)


def fit_sure(rows: list[dict], t: float, cov: float) -> tuple[float, dict]:
    """``sure_score`` at the fitted pair: the best objective, the middle of its plateau (1.00
    when nothing gains: off)."""
    scores = np.array([abstention_objective(rows, t, cov, x)[0] for x in SURE_SCORES])
    best = np.flatnonzero(np.isclose(scores, scores.max()))
    runs = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
    run = max(runs, key=len)
    x = float(SURE_SCORES[run[len(run) // 2]])
    obj, f1, acc = abstention_objective(rows, t, cov, x)
    return x, {"objective": round(obj, 4), "abstention_f1": round(f1, 4), "answered_accuracy": round(acc, 4),
               "objective_by_sure_score": {f"{a:.2f}": round(float(v), 4) for a, v in zip(SURE_SCORES, scores)
                                           if round(a * 100) % 5 == 0}}


# -- (b) the assessor --------------------------------------------------------------------------
def pattern_decisions(assessor, features: list, params: dict) -> np.ndarray:
    """decide() for each scenario and each of the 8 patterns of which tiers clear their
    threshold (forced with ±inf thresholds), so the threshold grid needs no more decide calls."""
    out = np.zeros((len(features), 8), dtype=np.int8)
    for k in range(8):
        cleared = [(k >> (2 - j)) & 1 for j in range(3)]
        prm = dict(params, **{t: (-np.inf if c else np.inf) for t, c in zip(ORDER, cleared)})
        for i, f in enumerate(features):
            out[i, k] = TIER_CODE[assessor.decide(f, prm)[0]]
    return out


def _box_mean(grid: np.ndarray) -> np.ndarray:
    """Mean over each cell's 3×3×3 neighbourhood: prefers thresholds inside a plateau."""
    padded = np.pad(grid, 1, mode="edge")
    n = grid.shape[0]
    return sum(padded[a:a + n, b:b + n, c:c + n] for a in range(3) for b in range(3) for c in range(3)) / 27


def search(assessor, features: list, gold_codes: np.ndarray, grid: dict) -> list[tuple[tuple, dict]]:
    """For each (vote_weight, derogation, margin) of the grid, the thresholds with the best
    (accuracy, neighbourhood accuracy), as ((accuracy, neighbourhood, -vote_weight, -margin), params)."""
    n = len(features)
    out = []
    for vw, der, margin in itertools.product(grid["vote_weight"], grid["derogation"], grid["margin"]):
        base = {"vote_weight": float(vw), "derogation": float(der), "margin": float(margin)}
        table = pattern_decisions(assessor, features, dict(base, **{t: 0.0 for t in ORDER}))
        scores = np.array([[f.best[t][1] + vw * f.votes.get(t, 0.0) for t in ORDER] for f in features])
        thresholds = grid["thresholds"](vw)
        clear = [scores[:, j][:, None] >= thresholds[j][None, :] for j in range(3)]  # (n, K) each
        pattern = (4 * clear[0][:, :, None, None] + 2 * clear[1][:, None, :, None]
                   + clear[2][:, None, None, :])  # (n, K, K, K): which tiers clear, as 3 bits
        pred = table[np.arange(n)[:, None], pattern.reshape(n, -1)].reshape(pattern.shape)
        acc = (pred == gold_codes[:, None, None, None]).mean(axis=0)
        smooth = _box_mean(acc)
        idx = np.unravel_index(np.lexsort((smooth.ravel(), acc.ravel()))[-1], acc.shape)
        key = (float(acc[idx]), float(smooth[idx]), -float(vw), -float(margin))
        out.append((key, dict(base, **{t: float(thresholds[j][i]) for j, (t, i) in enumerate(zip(ORDER, idx))})))
    return out


def simplest_near_best(found: list[tuple[tuple, dict]], n: int) -> tuple[tuple, dict]:
    """Among the grid points within one scenario of the best accuracy, the one with the smallest
    vote weight (then the best neighbourhood): on 66 scenarios one case is noise, and a small vote
    weight keeps the similarity to the provisions meaningful."""
    best = max(k[0] for k, _ in found)
    near = [(k, p) for k, p in found if k[0] >= best - 1.0 / n - 1e-9]
    return max(near, key=lambda kp: (kp[0][2], kp[0][1], kp[0][0], kp[0][3]))


def _around(value: float, step: float, n: int, low: float = 0.0) -> tuple[float, ...]:
    return tuple(sorted({round(max(low, value + i * step), 4) for i in range(-n, n + 1)}))


def fit_assessor(assessor, features: list, gold: list[str]) -> tuple[dict, dict]:
    """Coarse grid → the simplest point near the best → finer thresholds, derogation and margin
    at its vote weight."""
    gold_codes = np.array([TIER_CODE[g] for g in gold])
    key, coarse = simplest_near_best(search(assessor, features, gold_codes, COARSE), len(features))
    step = (0.6 + 0.7 * coarse["vote_weight"]) / (K - 1)
    fine = {"thresholds": lambda vw: tuple(np.round(np.linspace(coarse[t] - 3 * step, coarse[t] + 3 * step, 25), 4)
                                           for t in ORDER),
            "vote_weight": (coarse["vote_weight"],),
            "derogation": (1.01,) if coarse["derogation"] > 1 else _around(coarse["derogation"], 0.0125, 4),
            "margin": _around(coarse["margin"], 0.025, 2)}
    fine_key, params = max(search(assessor, features, gold_codes, fine), key=lambda kp: kp[0])
    if fine_key < key:
        fine_key, params = key, coarse
    return params, {"dev_accuracy": round(fine_key[0], 4), "neighbourhood_accuracy": round(fine_key[1], 4),
                    "coarse": coarse}


def verify(assessor, features: list, gold: list[str], params: dict) -> dict:
    pred = [assessor.decide(f, params)[0] for f in features]
    s = m.tier_scores(pred, gold)
    return {"accuracy": round(s["accuracy"], 4), "macro_f1": round(s["macro_f1"], 4)}


def main(argv: list[str] | None = None) -> int:
    from assistant import Assistant
    from assistant.similarity import DEFAULT_PARAMS, PARAMS_FILE, Assessor
    from aiact.evals.run import eval_settings

    ap = argparse.ArgumentParser(prog="python -m aiact.evals.calibrate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--dry-run", action="store_true", help="print the fit, do not write assess_params.json")
    ap.add_argument("--abstention-only", action="store_true", help="fit and print the abstention numbers only")
    args = ap.parse_args(argv)
    settings = eval_settings()
    dev = load_cases("dev")  # never the heldout split
    started = time.perf_counter()
    off = {"min_score": 0.0, **({"min_coverage": 0.0} if hasattr(settings, "min_coverage") else {})}
    bot = Assistant(dataclasses.replace(settings, **off))
    rows = question_rows(bot, [c for c in dev if not c.scenario])
    min_score, min_coverage, fit_a = fit_abstention(rows)
    now = (settings.min_score, getattr(settings, "min_coverage", 0.0))
    # at the pair the settings ship (a refit pair would have to be set first)
    sure_score, fit_s = fit_sure(rows, *now)
    current = abstention_objective(rows, *now, getattr(settings, "sure_score", 2.0))
    if args.abstention_only:
        print(json.dumps({"min_score": min_score, "min_coverage": min_coverage, **fit_a,
                          "sure_score": sure_score, "sure": fit_s,
                          "current": {"min_score": now[0], "min_coverage": now[1],
                                      "sure_score": getattr(settings, "sure_score", 2.0),
                                      "objective": round(current[0], 4)}, "questions": len(rows)}, indent=2))
        return 0
    scenarios = [c for c in dev if c.scenario]
    assessor = Assessor(bot, params=dict(DEFAULT_PARAMS))
    features = [assessor.features(c.text) for c in scenarios]
    gold = [c.gold_tier for c in scenarios]
    params, fit_b = fit_assessor(assessor, features, gold)
    report = {
        "abstention": {"min_score": min_score, "min_coverage": min_coverage, **fit_a,
                       "sure_score": sure_score, "sure": fit_s,
                       "current": {"min_score": now[0], "min_coverage": now[1],
                                   "objective": round(current[0], 4)}, "questions": len(rows)},
        "assessor": {"params": params, **fit_b, "scenarios": len(scenarios),
                     "check_with_decide": verify(assessor, features, gold, params),
                     "previous": verify(assessor, features, gold, {**DEFAULT_PARAMS, **_current_params(PARAMS_FILE)})},
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=2))
    if not args.dry_run:
        PARAMS_FILE.write_text(json.dumps(params, indent=2) + "\n", encoding="utf-8")
        print(f"Wrote {PARAMS_FILE}")
    print(f"Recommended Settings.min_score = {min_score}, min_coverage = {min_coverage}, sure_score = {sure_score} "
          f"(defaults in assistant/settings.py; AIACT_MIN_SCORE / AIACT_MIN_COVERAGE / AIACT_SURE_SCORE override them).")
    return 0


def _current_params(path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


if __name__ == "__main__":
    raise SystemExit(main())
