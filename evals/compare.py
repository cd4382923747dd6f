"""``aiact eval --compare A B``: what changed between two reports — the settings and code they ran
with, every headline metric per split, and the cases that flipped (right → wrong, wrong → right),
with an exact McNemar test on the flips so a change of two cases is not read as an improvement.

    aiact eval --split dev --no-ablations --out before
    AIACT_MIN_SCORE=0.30 aiact eval --split dev --no-ablations --out after
    aiact eval --compare before after --out compare      # compare.md, compare.json, compare.png
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from assistant.errors import AssistantError
from aiact.evals.report import FULL, HEADLINE, fmt

PROVENANCE = ("code", "model", "settings", "corpus_fingerprint", "index_fingerprint", "split", "fast",
              "cases", "today")


def load_report(path: str | Path) -> dict:
    p = Path(path)
    p = p / "report.json" if p.is_dir() else p
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssistantError(f"No report at {p} — run 'aiact eval --out {p.parent}' first.") from None
    except ValueError as exc:
        raise AssistantError(f"{p} is not a report.json ({exc}).") from None


def flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in (d or {}).items():
        key = f"{prefix}{k}"
        out.update(flat(v, key + ".") if isinstance(v, dict) else {key: v})
    return out


def changed_settings(a: dict, b: dict) -> dict[str, list]:
    """Provenance keys whose values differ: {'settings.min_score': [0.42, 0.3], ...}."""
    fa, fb = flat({k: a.get(k) for k in PROVENANCE}), flat({k: b.get(k) for k in PROVENANCE})
    return {k: [fa.get(k), fb.get(k)] for k in sorted(set(fa) | set(fb)) if fa.get(k) != fb.get(k)}


def mcnemar_p(worse: int, better: int) -> float:
    """Two-sided exact McNemar test: the probability of flips this lopsided if nothing changed."""
    n = worse + better
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(worse, better) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def metric_rows(a: dict, b: dict) -> list[dict]:
    ma, mb = a["configs"][FULL]["metrics"], b["configs"][FULL]["metrics"]
    rows = []
    for split in [s for s in ma if s in mb]:
        for key, label in HEADLINE:
            va, vb = ma[split].get(key), mb[split].get(key)
            if va is None and vb is None:
                continue
            delta = vb - va if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None
            rows.append({"split": split, "metric": key, "label": label, "a": va, "b": vb,
                         "delta": round(delta, 4) if delta is not None else None})
    return rows


def flipped_cases(a: dict, b: dict) -> list[dict]:
    ra = {r["id"]: r for r in a["records"].get(FULL, [])}
    rb = {r["id"]: r for r in b["records"].get(FULL, [])}
    out = []
    for case_id in sorted(set(ra) & set(rb)):
        x, y = ra[case_id], rb[case_id]
        if bool(x.get("correct")) == bool(y.get("correct")):
            continue
        out.append({"id": case_id, "split": x.get("split"), "category": x.get("category"),
                    "flip": "wrong → right" if y.get("correct") else "right → wrong",
                    "question": y.get("question") or x.get("question", ""),
                    "answer_a": (x.get("answer") or "")[:400], "answer_b": (y.get("answer") or "")[:400],
                    "cited_a": [c[1] if isinstance(c, list) else c for c in x.get("citations", [])][:5],
                    "cited_b": [c[1] if isinstance(c, list) else c for c in y.get("citations", [])][:5]})
    return out


def significance(flips: list[dict]) -> dict[str, dict]:
    out = {}
    for split in sorted({f["split"] for f in flips}):
        worse = sum(f["flip"] == "right → wrong" for f in flips if f["split"] == split)
        better = sum(f["flip"] == "wrong → right" for f in flips if f["split"] == split)
        out[split] = {"right_to_wrong": worse, "wrong_to_right": better, "mcnemar_p": round(mcnemar_p(worse, better), 4)}
    return out


def comparison(a: dict, b: dict, path_a: str, path_b: str) -> dict:
    flips = flipped_cases(a, b)
    return {"a": {"path": str(path_a), "generated": a["meta"].get("generated"), "passed": a.get("passed")},
            "b": {"path": str(path_b), "generated": b["meta"].get("generated"), "passed": b.get("passed")},
            "settings_changed": changed_settings(a["meta"], b["meta"]),
            "metrics": metric_rows(a, b), "flipped": flips, "significance": significance(flips)}


def signed(delta: float | None) -> str:
    return "" if delta is None else f"{delta:+.3f}"


def markdown(c: dict) -> str:
    lines = [f"# Comparison: A = `{c['a']['path']}`, B = `{c['b']['path']}`", ""]
    changed = c["settings_changed"]
    lines += ["## What differs between the runs", ""]
    lines += [f"- `{k}`: {a!r} → {b!r}" for k, (a, b) in changed.items()] or \
        ["- Nothing recorded differs (same commit, model, settings and corpus): differences are noise."]
    lines += ["", "## Metrics (full pipeline)", "", "| split | metric | A | B | Δ |", "|---|---|---|---|---|"]
    lines += [f"| {r['split']} | {r['label']} | {fmt(r['a'], r['metric'])} | {fmt(r['b'], r['metric'])} | "
              f"{signed(r['delta'])} |" for r in c["metrics"]]
    lines += ["", "## Cases that flipped", ""]
    for split, s in c["significance"].items():
        lines.append(f"- {split}: {s['wrong_to_right']} wrong → right, {s['right_to_wrong']} right → wrong; "
                     f"exact McNemar p = {s['mcnemar_p']}" + (" (not significant at 0.05)" if s["mcnemar_p"] >= 0.05 else ""))
    lines.append("")
    for f in c["flipped"]:
        lines += [f"### `{f['id']}` ({f['split']}, {f['category']}): {f['flip']}", "", f"**Q:** {f['question']}", "",
                  f"- A cited {', '.join(f['cited_a']) or 'nothing'}: {f['answer_a'][:240]}",
                  f"- B cited {', '.join(f['cited_b']) or 'nothing'}: {f['answer_b'][:240]}", ""]
    return "\n".join(lines) + "\n"


def compare_reports(path_a: str, path_b: str, out: str | Path = "eval-compare", as_json: bool = False) -> int:
    """Write ``compare.md``, ``compare.json`` and ``compare.png`` into ``out`` and print the summary."""
    from aiact.evals import plots

    a, b = load_report(path_a), load_report(path_b)
    c = comparison(a, b, path_a, path_b)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(c, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "compare.md").write_text(markdown(c), encoding="utf-8")
    plots.compare_metrics(c["metrics"], a, b, out / "compare.png")
    if as_json:
        print(json.dumps(c, indent=1, ensure_ascii=False))
        return 0
    print("Changed: " + ("; ".join(f"{k} {x!r} → {y!r}" for k, (x, y) in c["settings_changed"].items())
                         or "nothing recorded (same commit, model, settings, corpus)"))
    for r in c["metrics"]:
        if r["delta"]:
            print(f"  {r['split']:<8} {r['label']:<34} {fmt(r['a'], r['metric']):>8} → {fmt(r['b'], r['metric']):<8}"
                  f" ({r['delta']:+.3f})")
    for split, s in c["significance"].items():
        print(f"  {split}: {s['wrong_to_right']} cases wrong → right, {s['right_to_wrong']} right → wrong "
              f"(McNemar p = {s['mcnemar_p']})")
    print(f"\nComparison: {out / 'compare.md'}")
    return 0
