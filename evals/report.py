"""Writing the suite's results: ``report.json`` (everything, per case), ``report.md`` (for people)
with its PNG plots, and the short table printed at the end of ``aiact eval``."""
from __future__ import annotations

import json
from pathlib import Path

from aiact.evals import plots
from aiact.evals.summary import failures, slices

FULL = "hybrid+structure"
HEADLINE = [  # (key, label)
    ("recall@1", "retrieval recall@1"), ("recall@5", "retrieval recall@5"),
    ("recall@10", "retrieval recall@10"), ("mrr", "retrieval MRR"),
    ("fact_accuracy", "fact accuracy"), ("citation_precision", "citation precision"),
    ("gold_cited", "gold provision cited"),
    ("lead_provision", "lead provision (first citation is gold)"),
    ("conclusion", "conclusion (gold facts in the first paragraph)"),
    ("premise_correction", "false premise corrected"), ("followups", "follow-ups answered"),
    ("abstention_precision", "abstention precision"), ("abstention_recall", "abstention recall"),
    ("tier_accuracy", "tier accuracy"), ("tier_macro_f1", "tier macro F1"),
    ("deciding_provision", "deciding provision cited first"),
    ("quote_verbatim", "quotes verbatim"), ("marker_consistency", "marker/citation consistency"),
    ("latency_p50_ms", "ask latency p50 (ms)"), ("latency_p95_ms", "ask latency p95 (ms)"),
    ("assess_p50_ms", "assess latency p50 (ms)"), ("assess_p95_ms", "assess latency p95 (ms)"),
]
ABLATION = [("recall@1", "R@1"), ("recall@5", "R@5"), ("recall@10", "R@10"), ("mrr", "MRR"),
            ("fact_accuracy", "facts"), ("citation_precision", "cit. prec."),
            ("abstention_precision", "abst. P"), ("abstention_recall", "abst. R"),
            ("tier_accuracy", "tier acc."), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms")]
CONSOLE = [("recall@5", "R@5"), ("mrr", "MRR"), ("fact_accuracy", "facts"), ("lead_provision", "lead"),
           ("conclusion", "concl"), ("premise_correction", "premise"), ("followups", "follow"),
           ("abstention_f1", "abst F1"), ("tier_accuracy", "tier"), ("quote_verbatim", "quotes"),
           ("marker_consistency", "markers"), ("latency_p50_ms", "p50ms"), ("latency_p95_ms", "p95ms")]


def fmt(value, key: str = "") -> str:
    if value is None:
        return "–"
    if key.endswith("_ms"):
        return f"{value:.1f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
        ["| " + " | ".join(r) + " |" for r in rows]


def write(out: Path, meta: dict, runs: dict[str, dict], failed: list[str]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    full = runs[FULL]["metrics"]
    splits = list(full)
    main = "all" if "all" in full else splits[0]
    images = {
        "Accuracy per category": plots.accuracy_per_category(
            {k: v for k, v in full.items() if ":" not in k}, out / "accuracy_per_category.png"),
        f"Recall@k per configuration ({main})": plots.recall_at_k(
            {n: r["metrics"][main] for n, r in runs.items()}, out / "recall_at_k.png"),
        "Latency per question": plots.latency_histogram(
            {n: [x["latency_ms"] for x in r["records"] if x["kind"] == "question"] for n, r in runs.items()},
            out / "latency.png"),
    }
    if full[main].get("tier_confusion"):
        images[f"Risk tier confusion matrix ({main})"] = plots.tier_confusion(
            full[main]["tier_confusion"], out / "tier_confusion.png")
    data = {"meta": meta, "passed": not failed, "failed_checks": failed,
            "configs": {n: {k: v for k, v in r.items() if k != "records"} for n, r in runs.items()},
            "failures": failures(runs[FULL]["records"], limit=10_000),
            "records": {n: r["records"] for n, r in runs.items()}}
    (out / "report.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    lines = [f"# aiact eval report — {'PASS' if not failed else 'FAIL'}", "",
             f"{meta['cases']} cases (split {meta['split']}{', fast subset' if meta['fast'] else ''}), "
             f"law read as of {meta['today']}, min_score {meta['min_score']}, {meta['seconds']} s, "
             f"generated {meta['generated']}. Per-case results are in `report.json`.", ""]
    lines += provenance_lines(meta)
    if failed:
        lines += ["**Below thresholds** (`evals/thresholds.json`):", ""] + [f"- {f}" for f in failed] + [""]
    if runs[FULL].get("passages"):
        from aiact.evals.passages import markdown

        lines += markdown(runs[FULL]["passages"]["summary"])
    lines += ["## Full pipeline (hybrid+structure)", ""]
    lines += _md_table(["metric"] + splits, [[label] + [fmt(full[s].get(k), k) for s in splits]
                                             for k, label in HEADLINE])
    counts = {k: ", ".join(f"{s} {full[s][k]}" for s in splits) for k in ("questions", "scenarios")}
    lines += ["", f"Questions: {counts['questions']}; scenarios: {counts['scenarios']}."]
    if any(":" in s for s in splits):
        lines += ["", "`dev:new` and `heldout:new` are the user-style cases of each split "
                  "(`evals/cases/users_*.jsonl`), also counted in their split's column."]
    lines.append("")
    if len(runs) > 1:
        lines += ["## Ablations: quality and speed side by side", ""]
        for s in splits:
            lines += [f"### {s}", ""]
            lines += _md_table(["configuration"] + [h for _, h in ABLATION],
                               [[n] + [fmt(r["metrics"][s].get(k), k) for k, _ in ABLATION] for n, r in runs.items()])
            lines.append("")
        lines += ["Time to open each configuration: " + ", ".join(
            f"{n} {r['open_seconds']} s" for n, r in runs.items()) + ".", ""]
        lines += [f"- **{n}**: {r['note']}" for n, r in runs.items() if r.get("note")] + [""]
    if full[main].get("tier_f1"):
        lines += ["## Risk tiers", ""]
        lines += _md_table(["tier"] + splits, [[t] + [fmt((full[s].get("tier_f1") or {}).get(t)) for s in splits]
                                               for t in full[main]["tier_f1"]])
        lines.append("")
    lines += ["## Plots", ""] + [f"### {title}\n\n![{title}]({name})\n" for title, name in images.items()]
    errs = failures(runs[FULL]["records"], limit=10_000)
    lines += [f"## Cases the full pipeline gets wrong ({len(errs)})", ""]
    lines += [f"- `{e['id']}` ({e['split']}): {e['why']}" for e in errs]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def provenance_lines(meta: dict) -> list[str]:
    """Which code, model, settings and corpus produced the numbers (``aiact eval --compare`` diffs them)."""
    code, model, settings = meta.get("code") or {}, meta.get("model") or {}, meta.get("settings") or {}
    if not code and not settings:
        return []
    commit = (code.get("commit") or "unknown")[:12] + (" (with uncommitted changes)" if code.get("dirty") else "")
    shown = ", ".join(f"{k}={v}" for k, v in settings.items() if k not in ("home", "corpus_dir") and v not in ("", None))
    return ["## Run", "", f"- code: {commit} on {code.get('branch')}, aiact-assistant {code.get('version')}",
            f"- model: {model.get('embedder')}" + (f", LLM {model['llm']}" if model.get("llm") else ", no LLM"),
            f"- corpus fingerprint: `{str(meta.get('corpus_fingerprint'))[:16]}`, index `{meta.get('index_fingerprint')}`",
            f"- settings: {shown}", ""]


def table(runs: dict[str, dict], splits: list[str]) -> str:
    """The short table printed at the end of a run: one row per configuration and split."""
    full = next(iter(runs.values()))["metrics"]
    keys = [k for k in slices(splits) if k in full] + (["all"] if len(splits) > 1 else [])
    header = ["configuration", "split"] + [h for _, h in CONSOLE]
    rows = [[n, s] + [fmt(r["metrics"][s].get(k), k) for k, _ in CONSOLE] for n, r in runs.items() for s in keys]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])
