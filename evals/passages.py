"""Passage-level evaluation: does the answer cite the exact paragraph or point a lawyer would quote?

The cases live in ``evals/cases/passages.jsonl`` (English, dev and held-out) and
``evals/cases/passages_<lang>.jsonl`` (the dev cases translated). Each names its gold passages,
the quote a lawyer would use from each, its ``style`` (``provision``: names a provision; ``lay``:
does not) and its ``language``. Scored over the answer's citations in order (``[1]`` first):

    python -m aiact.evals.passages --out /tmp/passages      # all languages, both splits
    python -m aiact.evals.passages --languages en --split heldout
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from aiact.evals import metrics as m
from aiact.evals.cases import CASES_DIR, SPLITS, Ref, parse_ref

LANGUAGES = ("en", "de", "fr", "it", "es", "nl", "pl")
STYLES = ("provision", "lay")


@dataclass(frozen=True)
class PassageCase:
    id: str
    split: str
    style: str
    language: str
    question: str
    gold: tuple[Ref, ...]
    quotes: tuple[str, ...]  # one per gold passage: the words a lawyer would quote from it

    @classmethod
    def from_dict(cls, d: dict) -> "PassageCase":
        if d.get("split") not in SPLITS:
            raise ValueError(f"{d.get('id')}: split must be one of {SPLITS}")
        if d.get("style") not in STYLES:
            raise ValueError(f"{d.get('id')}: style must be one of {STYLES}")
        gold = tuple(parse_ref(g) for g in d["gold"])
        quotes = tuple(d["quotes"])
        if not gold or len(quotes) != len(gold):
            raise ValueError(f"{d.get('id')}: one quote per gold passage")
        return cls(d["id"], d["split"], d["style"], d.get("language", "en"), d["question"], gold, quotes)


def passage_file(language: str, directory: Path = CASES_DIR) -> Path:
    return directory / ("passages.jsonl" if language == "en" else f"passages_{language}.jsonl")


def load_passage_cases(split: str = "all", languages=LANGUAGES, directory: Path = CASES_DIR) -> list[PassageCase]:
    out: list[PassageCase] = []
    for lang in languages:
        path = passage_file(lang, directory)
        if not path.is_file():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    case = PassageCase.from_dict(json.loads(line))
                except (ValueError, KeyError) as exc:
                    raise ValueError(f"{path.name}:{n}: {exc}") from exc
                if split in ("all", case.split):
                    out.append(case)
    return out


def passage_hit(cited: list[Ref], gold: tuple[Ref, ...], k: int, indexed) -> float:
    """Share of the gold passages among the first k citations (a two-passage case scores 0.5
    when only one of its passages is cited)."""
    return m.recall_at(cited, list(gold), k, indexed)


def run_case(bot, case: PassageCase, indexed) -> dict:
    start = time.perf_counter()
    try:
        answer = bot.ask(case.question)
        cited = [(c.document, c.reference) for c in answer.citations]
        abstained, error = answer.abstained, None
    except Exception as exc:  # a crash is a miss, not the end of the run
        cited, abstained, error = [], False, f"{type(exc).__name__}: {exc}"
    return {"id": case.id, "split": case.split, "style": case.style, "language": case.language,
            "passages": len(case.gold), "abstained": abstained, "error": error,
            "latency_ms": round((time.perf_counter() - start) * 1000, 1),
            "gold": [list(g) for g in case.gold], "cited": [list(c) for c in cited],
            "hit@1": passage_hit(cited, case.gold, 1, indexed),
            "hit@5": passage_hit(cited, case.gold, 5, indexed),
            "rr": m.reciprocal_rank(cited, list(case.gold), indexed)}


def summarise(records: list[dict]) -> dict:
    if not records:
        return {"n": 0}
    return {"n": len(records), "hit@1": round(m.mean(r["hit@1"] for r in records), 4),
            "hit@5": round(m.mean(r["hit@5"] for r in records), 4),
            "mrr": round(m.mean(r["rr"] for r in records), 4),
            "abstained": round(m.rate(r["abstained"] for r in records), 4)}


def summary(records: list[dict]) -> dict:
    """Per split: all, by style, by number of passages; per language (its cases) with the ratio
    of its hit@5 to the English hit@5 on the same cases."""
    out: dict = {}
    for split in SPLITS:
        rs = [r for r in records if r["split"] == split and r["language"] == "en"]
        if not rs:
            continue
        part = {"all": summarise(rs)}
        for style in STYLES:
            part[style] = summarise([r for r in rs if r["style"] == style])
        part["one passage"] = summarise([r for r in rs if r["passages"] == 1])
        part["two passages"] = summarise([r for r in rs if r["passages"] > 1])
        out[split] = part
    english = {r["id"]: r for r in records if r["language"] == "en"}
    languages: dict = {}
    by_lang: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_lang[r["language"]].append(r)
    for lang, rs in by_lang.items():
        s = summarise(rs)
        same = [english.get(base_id(r["id"])) for r in rs]
        same = [x for x in same if x is not None]
        en = summarise(same) if same else {}
        s["english_hit@5"] = en.get("hit@5")
        s["ratio_to_english"] = round(s["hit@5"] / en["hit@5"], 4) if en.get("hit@5") else None
        languages[lang] = s
    out["languages"] = languages
    return out


def base_id(case_id: str) -> str:
    """'passage-de-012' → 'passage-012' (the English case it translates)."""
    parts = case_id.split("-")
    return f"{parts[0]}-{parts[-1]}" if len(parts) == 3 else case_id


def markdown(result: dict) -> list[str]:
    lines = ["## Passages (exact paragraph or point among the answer's citations)", "",
             "hit@k: share of a case's gold passages among its first k citations; MRR over citations.", "",
             "| split | group | n | hit@1 | hit@5 | MRR |", "|---|---|---|---|---|---|"]
    for split in SPLITS:
        for group, s in result.get(split, {}).items():
            if s.get("n"):
                lines.append(f"| {split} | {group} | {s['n']} | {s['hit@1']:.3f} | {s['hit@5']:.3f} | {s['mrr']:.3f} |")
    lines += ["", "| language | n | hit@1 | hit@5 | MRR | hit@5 of English on the same cases | ratio |",
              "|---|---|---|---|---|---|---|"]
    for lang, s in result.get("languages", {}).items():
        ratio = "" if s.get("ratio_to_english") is None else f"{s['ratio_to_english']:.2f}"
        en = "" if s.get("english_hit@5") is None else f"{s['english_hit@5']:.3f}"
        lines.append(f"| {lang} | {s['n']} | {s['hit@1']:.3f} | {s['hit@5']:.3f} | {s['mrr']:.3f} | {en} | {ratio} |")
    return lines + [""]


def run(bot, cases: list[PassageCase], progress: bool = True) -> dict:
    indexed = frozenset((p.document, p.reference) for p in bot.store.provisions.values())
    records = []
    for i, case in enumerate(cases, start=1):
        records.append(run_case(bot, case, indexed))
        if progress and sys.stderr.isatty():
            print(f"\r  passages: {i}/{len(cases)}", end="" if i < len(cases) else "\n", file=sys.stderr)
    return {"summary": summary(records), "records": records}


def main(argv: list[str] | None = None) -> int:
    from assistant import Assistant
    from aiact.evals.run import eval_settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="passage-report")
    ap.add_argument("--split", default="all", choices=("all",) + SPLITS)
    ap.add_argument("--languages", default=",".join(LANGUAGES))
    args = ap.parse_args(argv)
    cases = load_passage_cases(args.split, tuple(args.languages.split(",")))
    bot = Assistant(eval_settings(), progress=False)
    result = run(bot, cases)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "passages.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "passages.md").write_text("\n".join(markdown(result["summary"])), encoding="utf-8")
    print("\n".join(markdown(result["summary"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
