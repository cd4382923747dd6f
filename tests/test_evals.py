"""The evaluation suite: its metrics on tiny hand-made inputs (fast, no model), the case files,
and one slow run of ``aiact eval --fast`` against the real index."""
from __future__ import annotations

import json
from pathlib import Path
import math

import pytest

from aiact.evals import metrics as m
from aiact.evals.cases import fast_subset, load_cases, parse_ref

ACT = "AI Act"
PROHIB = "Guidelines on prohibited AI practices"
INDEXED = frozenset({(ACT, "Article 113"), (ACT, "Article 113(c)"), (ACT, "Article 6(3)"),
                     (ACT, "Article 6(3)(a)"), (ACT, "Annex III, point 4"), (ACT, "Article 5(1)(a)"),
                     (PROHIB, "para. 60"), (PROHIB, "para. 6")})


# -- references ------------------------------------------------------------------------------
def test_parse_ref():
    assert parse_ref("Article 113(c)") == (ACT, "Article 113(c)")
    assert parse_ref(f"{PROHIB} :: para. 60") == (PROHIB, "para. 60")


def test_parent_walks_up_articles_and_annexes():
    assert m.parent("Article 113(c)(i)") == "Article 113(c)"
    assert m.parent("Article 113(c)") == "Article 113"
    assert m.parent("Article 113") is None
    assert m.parent("Annex III, point 4(a)") == "Annex III, point 4"
    assert m.parent("Annex III, point 4") == "Annex III"
    assert m.parent("para. 60") is None


def test_exact_and_descendant_match():
    assert m.matches((ACT, "Article 6(3)"), (ACT, "Article 6(3)"))
    assert m.matches((ACT, "Article 6(3)(a)"), (ACT, "Article 6(3)"))
    assert not m.matches((ACT, "Article 6(3)"), (ACT, "Article 6(3)(a)"), INDEXED)  # coarser, (a) exists
    assert not m.matches((ACT, "Article 6(30)"), (ACT, "Article 6(3)"))
    assert not m.matches((ACT, "Article 61"), (ACT, "Article 6"))
    assert m.matches((ACT, "Annex III, point 4(a)"), (ACT, "Annex III, point 4"))
    assert not m.matches((ACT, "Annex III, point 40"), (ACT, "Annex III, point 4"))


def test_nearest_indexed_ancestor_matches_a_gold_finer_than_the_index():
    gold = (ACT, "Article 113(c)(i)")
    assert m.nearest_indexed_ancestor(gold, INDEXED) == (ACT, "Article 113(c)")
    assert m.matches((ACT, "Article 113(c)"), gold, INDEXED)
    assert not m.matches((ACT, "Article 113"), gold, INDEXED)  # not the nearest one
    assert not m.matches((ACT, "Article 113(c)"), gold)  # without the index, no ancestor rule
    assert m.nearest_indexed_ancestor((ACT, "Annex III, point 4(b)"), INDEXED) == (ACT, "Annex III, point 4")


def test_guideline_paragraphs_match_exactly_within_their_document():
    assert m.matches((PROHIB, "para. 60"), (PROHIB, "para. 60"), INDEXED)
    assert not m.matches((PROHIB, "para. 6"), (PROHIB, "para. 60"), INDEXED)
    assert not m.matches((PROHIB, "para. 600"), (PROHIB, "para. 60"), INDEXED)
    assert not m.matches(("Guidelines on the AI system definition", "para. 60"), (PROHIB, "para. 60"), INDEXED)
    assert not m.matches((ACT, "Article 5(1)(a)"), (PROHIB, "Article 5(1)(a)"), INDEXED)


# -- retrieval -------------------------------------------------------------------------------
def test_recall_at_k_and_mrr():
    gold = [(ACT, "Article 6(3)"), (PROHIB, "para. 60")]
    ranked = [(ACT, "Article 113"), (ACT, "Article 6(3)(a)"), (ACT, "Article 5(1)(a)"), (PROHIB, "para. 60")]
    assert m.recall_at(ranked, gold, 1) == 0.0
    assert m.recall_at(ranked, gold, 2) == 0.5
    assert m.recall_at(ranked, gold, 5) == 1.0
    assert m.reciprocal_rank(ranked, gold) == 0.5
    assert m.reciprocal_rank([(ACT, "Article 1")], gold) == 0.0
    assert math.isnan(m.recall_at(ranked, [], 5)) and math.isnan(m.reciprocal_rank(ranked, []))


def test_recall_counts_each_gold_once():
    gold = [(ACT, "Article 6(3)")]
    ranked = [(ACT, "Article 6(3)(a)"), (ACT, "Article 6(3)")]
    assert m.recall_at(ranked, gold, 10) == 1.0


# -- answers ---------------------------------------------------------------------------------
def test_citation_precision():
    gold = [(ACT, "Article 113(c)(i)")]
    cited = [(ACT, "Article 113(c)"), (ACT, "Article 113"), (PROHIB, "para. 60"), (ACT, "Article 113(c)")]
    assert m.citation_precision(cited, gold, INDEXED) == 0.5
    assert math.isnan(m.citation_precision([], gold, INDEXED))


def test_facts_are_case_insensitive_regexes_and_all_required():
    text = "The fine is up to EUR 35 000 000 or 7 % of turnover."
    assert m.facts_ok(text, ["35 000 000", "7 ?%"])
    assert m.facts_ok(text, ["TURNOVER"])
    assert m.missing_facts(text, ["35 000 000", "3 ?%"]) == ["3 ?%"]
    assert m.facts_ok(text, [])


def test_quote_verbatim_normalises_white_space():
    source = m.normalise("Article 5\n\n1.   The following  AI practices\nshall be prohibited:")
    assert m.quote_verbatim("The following AI practices shall be prohibited:", source)
    assert m.quote_verbatim("The following\tAI  practices", source)
    assert not m.quote_verbatim("The following AI practices are prohibited", source)
    assert not m.quote_verbatim("   ", source)


def test_quote_with_an_ellipsis_is_verbatim_part_by_part_in_order():
    source = m.normalise("1. The rule applies where: (a) one; (b) two. The second subparagraph follows.")
    assert m.quote_verbatim("The rule applies where: … The second subparagraph follows.", source)
    assert not m.quote_verbatim("The rule applies where: The second subparagraph follows.", source)
    assert not m.quote_verbatim("The second subparagraph follows. … The rule applies where:", source)


def test_marker_consistency():
    assert m.marker_problems("A [1] and B [2], again [1].", [1, 2]) == []
    assert m.marker_problems("No citations.", []) == []
    assert m.marker_problems("A [1] and [3].", [1, 2])  # [3] unknown, 2 unused
    assert m.marker_problems("A [1].", [1, 2]) == ["citations never marked: [2]"]
    assert m.marker_problems("B [2] then A [1].", [1, 2]) == ["markers first used in the order [2, 1]"]
    assert m.marker_problems("A [1] B [3]", [1, 3])[0].startswith("citations numbered")


# -- classification and aggregates -----------------------------------------------------------
def test_binary_scores():
    s = m.binary_scores([True, True, False, False], [True, False, True, False])
    assert (s["precision"], s["recall"], s["f1"]) == (0.5, 0.5, 0.5)
    s = m.binary_scores([False, False], [False, False])
    assert math.isnan(s["precision"]) and math.isnan(s["recall"])


def test_tier_scores():
    gold = ["prohibited", "high-risk", "high-risk", "minimal"]
    pred = ["prohibited", "high-risk", "minimal", "minimal"]
    s = m.tier_scores(pred, gold)
    assert s["accuracy"] == 0.75
    assert s["confusion"]["high-risk"]["minimal"] == 1
    assert s["confusion"]["prohibited"]["prohibited"] == 1
    assert s["per_tier"]["high-risk"]["recall"] == 0.5
    assert s["per_tier"]["high-risk"]["precision"] == 1.0
    assert s["per_tier"]["minimal"]["f1"] == pytest.approx(2 / 3)
    assert s["per_tier"]["limited"]["support"] == 0
    assert s["macro_f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)  # tiers with support only


def test_percentile_and_mean():
    assert m.percentile([10, 20, 30, 40, 50], 50) == 30
    assert m.percentile([1, 2], 50) == 1.5
    assert m.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert math.isnan(m.percentile([], 50))
    assert m.mean([1.0, math.nan, 3.0]) == 2.0
    assert m.rate([True, False, True, True]) == 0.75


# -- the case files and the runner's plumbing ------------------------------------------------
def test_cases_load_and_are_well_formed():
    cases = load_cases("all")
    assert len(cases) >= 370
    assert {c.split for c in cases} == {"dev", "heldout"}
    for c in cases:
        assert c.text and (c.gold or c.must_abstain or c.gold_outcome in ("minimal", "no system")), c.id
        for f in c.facts:
            assert m.re.compile(f)
    assert len(load_cases("dev")) + len(load_cases("heldout")) == len(cases)


def test_fast_subset_is_small_stratified_and_stable():
    cases = load_cases("all")
    sub = fast_subset(cases)
    assert 30 <= len(sub) <= 50
    assert {c.category for c in sub} == {c.category for c in cases}
    assert {c.split for c in sub} == {"dev", "heldout"}
    assert [c.id for c in sub] == [c.id for c in fast_subset(cases)]


def test_summary_and_thresholds_on_hand_made_records():
    from aiact.evals.run import check_thresholds
    from aiact.evals.summary import summarise

    q = {"kind": "question", "category": "penalties", "split": "dev", "must_abstain": False, "abstained": False,
         "facts_ok": True, "correct": True, "recall@1": 1.0, "recall@5": 1.0, "recall@10": 1.0, "rr": 1.0,
         "citation_precision": 0.5, "gold_cited": True, "quotes": 2, "bad_quotes": [], "markers_ok": True,
         "latency_ms": 10.0}
    a = dict(q, category="abstain", must_abstain=True, abstained=True, rr=None, citation_precision=None,
             gold_cited=None, quotes=0, latency_ms=30.0)
    s = dict(kind="scenario", category="scenarios", split="dev", must_abstain=False, tier="limited",
             gold_tier="high-risk", correct=False, deciding_ok=None, quotes=3, bad_quotes=["[3] x"],
             markers_ok=True, latency_ms=50.0)
    got = summarise([q, a, s])
    assert got["fact_accuracy"] == 1.0 and got["mrr"] == 1.0
    assert got["abstention_precision"] == 1.0 and got["abstention_recall"] == 1.0
    assert got["tier_accuracy"] == 0.0
    assert got["quote_verbatim"] == pytest.approx(0.8)
    assert got["latency_p50_ms"] == 20.0
    assert got["by_category"]["abstain"]["accuracy"] == 1.0
    json.dumps(got)  # no NaN: valid JSON
    limits = {"dev": {"min": {"quote_verbatim": 1.0, "fact_accuracy": 0.9}, "max": {"latency_p95_ms": 25}}}
    failed = check_thresholds({"dev": got}, limits, [("dev", "dev")])
    assert len(failed) == 2 and failed[0].startswith("dev quote_verbatim")


@pytest.mark.slow
def test_fast_eval_runs_against_the_real_index(real_settings, tmp_path):
    from aiact.evals.run import run_eval

    code = run_eval(out=tmp_path, split="all", fast=True, ablations=False, settings=real_settings)
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert (tmp_path / "report.md").exists() and (tmp_path / "accuracy_per_category.png").exists()
    full = report["configs"]["hybrid+structure"]["metrics"]["all"]
    records = report["records"]["hybrid+structure"]
    bad_quotes = sorted({q for r in records for q in r["bad_quotes"]})
    assert full["quote_verbatim"] == 1.0, f"quotes not verbatim in corpus/: {bad_quotes}"
    assert full["marker_consistency"] == 1.0, [(r["id"], r["marker_problems"]) for r in records if not r["markers_ok"]]
    assert code == 0, report["failed_checks"]
    meta = report["meta"]  # enough to tell this run from another
    assert meta["code"]["commit"] and meta["model"]["embedder"] and meta["corpus_fingerprint"]
    assert meta["settings"]["min_score"] == real_settings.min_score and meta["index_fingerprint"]
    asked = [r for r in records if r["kind"] == "question"]
    assert all(r["question"] and "answer" in r and "cited" in r for r in records)
    assert any(r["cited"] and r["cited"][0]["quote"] for r in asked)


def test_a_crash_is_recorded_as_a_wrong_answer():
    from aiact.evals.cases import Case
    from aiact.evals.harness import error_record, run_interleaved
    from aiact.evals.summary import failures, summarise

    q = Case("x-1", "penalties", "dev", "What is the fine?", (("AI Act", "Article 99(3)"),), ("35 000 000",))
    s = Case("scenario-x", "scenarios", "dev", "A chatbot.", (("AI Act", "Article 50(1)"),), gold_tier="limited")

    def boom(case):
        raise RuntimeError("index gone")

    records = run_interleaved({"broken": boom}, [q, s], progress=False)["broken"]
    assert [r["correct"] for r in records] == [False, False]
    assert records[0]["abstained"] is False and records[0]["rr"] == 0.0
    got = summarise(records)
    assert got["fact_accuracy"] == 0.0 and got["tier_accuracy"] == 0.0
    assert "RuntimeError: index gone" in failures(records)[0]["why"]
    assert error_record(q, ValueError("x"))["error"] == "ValueError: x"


def _report(tmp_path, name: str, min_score: float, correct: list[bool]) -> Path:
    """A real report.json written by report.write from hand-made records."""
    from aiact.evals import report
    from aiact.evals.summary import by_split

    records = [{"id": f"q-{i}", "kind": "question", "category": "penalties" if i % 2 else "deadlines",
                "split": "dev", "must_abstain": False, "abstained": False, "facts_ok": ok, "correct": ok,
                "recall@1": 1.0, "recall@5": 1.0, "recall@10": 1.0, "rr": 1.0, "citation_precision": 1.0,
                "gold_cited": ok, "quotes": 1, "bad_quotes": [], "markers_ok": True, "marker_problems": [],
                "latency_ms": 10.0, "question": f"Question {i}?", "answer": f"Answer {i} [1]",
                "citations": [["AI Act", "Article 99(3)"]]} for i, ok in enumerate(correct)]
    runs = {"hybrid+structure": {"records": records, "open_seconds": 1.0, "note": "",
                                 "metrics": by_split(records, ["dev"])}}
    meta = {"split": "dev", "fast": False, "ablations": False, "cases": len(records), "today": "2026-11-24",
            "min_score": min_score, "seconds": 1.0, "generated": "2026-12-02T10:00:00",
            "code": {"commit": "abc123", "branch": "main", "dirty": False, "version": "0.1.0"},
            "model": {"embedder": "minilm:x", "llm": None}, "settings": {"min_score": min_score, "home": "/h"},
            "corpus_fingerprint": "f00", "index_fingerprint": "i00"}
    report.write(tmp_path / name, meta, runs, [])
    return tmp_path / name


def test_compare_shows_settings_metrics_and_flipped_cases(tmp_path, capsys):
    from assistant import cli

    a = _report(tmp_path, "a", 0.42, [True, True, False, True])
    b = _report(tmp_path, "b", 0.30, [True, False, True, True])
    assert "min_score=0.42" in (a / "report.md").read_text() and "abc123" in (a / "report.md").read_text()
    assert cli.main(["eval", "--compare", str(a), str(b / "report.json"), "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "settings.min_score 0.42 → 0.3" in out and "1 cases wrong → right, 1 right → wrong" in out
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert data["settings_changed"] == {"settings.min_score": [0.42, 0.3]}
    assert {f["id"]: f["flip"] for f in data["flipped"]} == {"q-1": "right → wrong", "q-2": "wrong → right"}
    assert data["flipped"][0]["question"] == "Question 1?" and data["flipped"][0]["answer_b"] == "Answer 1 [1]"
    assert data["significance"]["dev"]["mcnemar_p"] == 1.0
    assert (tmp_path / "cmp" / "compare.png").exists() and "not significant" in (tmp_path / "cmp" / "compare.md").read_text()
    perfect = _report(tmp_path, "p", 0.42, [True] * 4)  # intervals touching 1.0 still plot
    assert cli.main(["eval", "--compare", str(perfect), str(perfect), "--out", str(tmp_path / "same")]) == 0
    assert "Nothing recorded differs" in (tmp_path / "same" / "compare.md").read_text()
    assert cli.main(["eval", "--compare", str(a), str(tmp_path / "nope"), "--out", str(tmp_path / "cmp")]) == 1
    assert "No report at" in capsys.readouterr().err


def test_mcnemar_and_wilson():
    from aiact.evals.compare import mcnemar_p
    from aiact.evals.plots import wilson

    assert mcnemar_p(0, 0) == 1.0 and mcnemar_p(0, 10) < 0.01 and mcnemar_p(3, 4) == 1.0
    lo, hi = wilson(2, 2)
    assert 0.3 < lo < 0.4 and hi == 1.0  # two right out of two says little
    lo, hi = wilson(90, 100)
    assert 0.82 < lo < 0.9 < hi < 0.95


def test_provenance_records_commit_model_settings_and_corpus(mini_settings):
    from aiact.evals.provenance import provenance

    p = provenance(mini_settings)
    assert p["code"]["commit"] and len(p["code"]["commit"]) == 40
    assert p["model"]["embedder"].startswith("minilm:") and p["settings"]["min_score"] == 0.0
    assert len(p["corpus_fingerprint"]) == 64 and p["settings"]["llm_api_key"] == ""
    json.dumps(p)


def test_user_style_cases_are_a_slice_of_their_own(tmp_path):
    """The issue-8 done-when figures (lead provision and conclusion on the held-out user-style
    cases) are read from the report: each split gets a ':new' slice of its users_*.jsonl cases."""
    from aiact.evals import report
    from aiact.evals.cases import load_cases
    from aiact.evals.summary import by_split

    cases = load_cases("all")
    assert {c.new for c in cases} == {True, False}
    assert all(c.new == c.origin.startswith("users_") for c in cases)

    def record(i, split, new, lead):
        return {"id": f"q-{i}", "kind": "question", "category": "deadlines", "split": split, "new": new,
                "must_abstain": False, "abstained": False, "facts_ok": lead, "correct": lead, "lead_ok": lead,
                "conclusion_ok": lead, "latency_ms": 5.0}

    records = [record(0, "dev", False, False), record(1, "dev", True, True),
               record(2, "heldout", True, True), record(3, "heldout", True, False), record(4, "heldout", False, True)]
    got = by_split(records, ["dev", "heldout"])
    assert list(got) == ["dev", "heldout", "dev:new", "heldout:new", "dev:core", "heldout:core", "all"]
    assert got["dev"]["lead_provision"] == 0.5 and got["dev:new"]["lead_provision"] == 1.0
    assert got["dev:core"]["lead_provision"] == 0.0 and got["heldout:core"]["questions"] == 1
    assert got["heldout:new"]["questions"] == 2 and got["heldout:new"]["conclusion"] == 0.5
    runs = {"hybrid+structure": {"records": records, "open_seconds": 1.0, "note": "", "metrics": got}}
    assert "heldout:new" in report.table(runs, ["dev", "heldout"])
    meta = {"split": "all", "fast": False, "ablations": False, "cases": 5, "today": "2026-11-24",
            "min_score": 0.4, "seconds": 1.0, "generated": "2026-12-02T10:00:00"}
    md = report.write(tmp_path / "r", meta, runs, []).read_text()
    assert "| metric | dev | heldout | dev:new | heldout:new | dev:core | heldout:core | all |" in md


def test_the_earlier_cases_keep_their_own_minimums():
    """Harder cases added to a split must not hide a regression on the cases that were there:
    ':core' slices are checked against their own thresholds when the file has them."""
    from aiact.evals.run import check_thresholds, load_thresholds

    limits = load_thresholds()
    assert limits["heldout:core"]["min"]["recall@5"] >= limits["heldout"]["min"]["recall@5"]
    got = {"heldout:core": {"recall@5": 0.5}}
    assert check_thresholds(got, limits, [("heldout:core", "heldout:core")])[0].startswith("heldout:core recall@5")
