"""``aiact eval``: run the gold cases through the assistant (and its ablations), write the report,
and fail below the thresholds in ``evals/thresholds.json``.

    aiact eval --out eval-report                 # all splits, full pipeline + ablations
    aiact eval --split heldout --no-ablations    # the held-out split, full pipeline only
    aiact eval --fast                            # ~40 stratified cases, full pipeline (make test)
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from pathlib import Path

from aiact.evals.cases import CORE_SLICE, SPLITS, fast_subset, load_cases
from aiact.evals.harness import Context, assistant_runner, naive_runner, run_interleaved
from aiact.evals.summary import by_split

EVAL_TODAY = dt.date(2026, 11, 24)  # "today" of the gold cases, unless AIACT_TODAY says otherwise
FULL = "hybrid+structure"
MODES = ("dense", "bm25", "hybrid", FULL)
NAIVE = "naive llama-index"
THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")
NOTES = {
    "bm25": "BM25 has no cosine similarity, so the abstention threshold (min_score) is disabled "
            "for it; with it, it would abstain on every question.",
    NAIVE: "Whole files, SentenceSplitter defaults, top-2 chunks; the answer is the chunks' text. "
           "No citations, never abstains, no tiers. Recall is over the provisions the chunks "
           "contain (text containment), in order of position.",
}


def eval_settings(settings=None):
    """The settings the suite runs with: the environment's, with 'today' pinned."""
    from assistant import Settings

    s = settings or Settings.from_env()
    return s if s.today else dataclasses.replace(s, today=EVAL_TODAY)


def run_configs(settings, cases, ablations: bool, progress: bool = True, passage_cases=()) -> dict[str, dict]:
    """Per configuration: its per-case records, how long it took to open, and notes; the
    passage-level cases (evals/passages.py) through the full pipeline only."""
    from assistant import Assistant

    runners: dict = {}
    bots: dict = {}
    runs: dict[str, dict] = {}
    ctx = None
    for name in [FULL] + ([m for m in MODES if m != FULL] if ablations else []):  # FULL first: it builds the index
        cfg = dataclasses.replace(settings, min_score=0.0) if name == "bm25" else settings
        start = time.perf_counter()
        bot = bots[name] = Assistant(cfg, mode=name, progress=progress)
        runs[name] = {"open_seconds": round(time.perf_counter() - start, 2), "note": NOTES.get(name, "")}
        ctx = ctx or Context.of(bot)
        runners[name] = assistant_runner(bot, ctx)
    if ablations:
        from aiact.evals.naive import NaiveBaseline

        naive = NaiveBaseline(settings, ctx.provisions, progress=progress)
        runs[NAIVE] = {"open_seconds": round(naive.open_seconds, 2), "note": NOTES[NAIVE],
                       "chunks": naive.chunks, "built": naive.built}
        runners[NAIVE] = naive_runner(naive, ctx)
    for name, records in run_interleaved(runners, cases, progress).items():
        runs[name]["records"] = records
    if passage_cases:
        from aiact.evals import passages

        runs[FULL]["passages"] = passages.run(bots[FULL], list(passage_cases), progress)
    return runs


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def check_thresholds(metrics: dict[str, dict], thresholds: dict, keys: list[str]) -> list[str]:
    """Failures, e.g. 'heldout fact_accuracy 0.71 < 0.75'. ``keys`` maps which threshold set
    applies to which split of ``metrics`` (the key is the split, or 'fast')."""
    failed = []
    for split, key in keys:
        got, limits = metrics.get(split, {}), thresholds.get(key, {})
        for name, low in limits.get("min", {}).items():
            value = got.get(name)
            if value is None or value < low:
                failed.append(f"{split} {name} {value} < {low}")
        for name, high in limits.get("max", {}).items():
            value = got.get(name)
            if value is None or value > high:
                failed.append(f"{split} {name} {value} > {high}")
    return failed


def run_eval(out: str | Path = "eval-report", split: str = "all", fast: bool = False,
             ablations: bool = True, settings=None, as_json: bool = False) -> int:
    """Run the suite and write ``report.json`` and ``report.md`` (with plots) into ``out``.
    Returns the exit code: 0, or 1 when a metric is below its threshold. With ``as_json`` the
    console gets one JSON object (pass/fail, the full pipeline's metrics, the report's path)."""
    from aiact.evals import report
    from aiact.evals.provenance import provenance

    settings = eval_settings(settings)
    cases = load_cases(split)
    if fast:
        cases, ablations = fast_subset(cases), False
    splits = [s for s in SPLITS if any(c.split == s for c in cases)]
    started = time.perf_counter()
    from aiact.evals.passages import load_passage_cases

    runs = run_configs(settings, cases, ablations, passage_cases=() if fast else load_passage_cases(split))
    for run in runs.values():
        run["metrics"] = by_split(run["records"], splits)
    thresholds = load_thresholds()
    keys = [("all" if len(splits) > 1 else splits[0], "fast")] if fast else \
        [(s, s) for s in splits] + [(k, k) for k in (f"{s}:{CORE_SLICE}" for s in splits) if k in thresholds]
    failed = check_thresholds(runs[FULL]["metrics"], thresholds, keys)
    meta = {"split": split, "fast": fast, "ablations": ablations, "cases": len(cases),
            "today": settings.current_date().isoformat(), "min_score": settings.min_score,
            "index": str(settings.index_root), "seconds": round(time.perf_counter() - started, 1),
            "generated": dt.datetime.now().isoformat(timespec="seconds"),
            "thresholds": {k: thresholds.get(k) for _, k in keys}, **provenance(settings)}
    path = report.write(Path(out), meta, runs, failed)
    if as_json:
        print(json.dumps({"passed": not failed, "failed_checks": failed, "report": str(path),
                          "metrics": runs[FULL]["metrics"], "meta": meta}, ensure_ascii=False, indent=1))
        return 1 if failed else 0
    print(report.table(runs, splits))
    if failed:
        print("\nBelow thresholds (evals/thresholds.json):\n  " + "\n  ".join(failed))
    print(f"\nReport: {path}")
    return 1 if failed else 0
