"""The passage-level cases are well formed, their quotes stand verbatim in the corpus, and every
translation is a dev case with the same gold as its English original."""
from __future__ import annotations

from pathlib import Path

from aiact.evals import metrics as m
from aiact.evals.passages import LANGUAGES, base_id, load_passage_cases, passage_hit, summary

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_enough_cases_in_both_styles_and_splits():
    cases = load_passage_cases("all", ("en",))
    assert len(cases) >= 100
    assert len({c.id for c in cases}) == len(cases)
    for style in ("provision", "lay"):
        assert sum(c.style == style for c in cases) >= 30
    held = sum(c.split == "heldout" for c in cases)
    assert 0.25 <= held / len(cases) <= 0.4
    assert sum(len(c.gold) > 1 for c in cases) >= 8


def test_quotes_are_verbatim_in_the_corpus():
    sources = " ".join(m.normalise(p.read_text(encoding="utf-8")) for p in CORPUS.rglob("*.md"))
    for case in load_passage_cases("all", ("en",)):
        for quote in case.quotes:
            assert m.normalise(quote) in sources, (case.id, quote)


def test_translations_are_the_dev_cases():
    english = {c.id: c for c in load_passage_cases("all", ("en",))}
    dev = {i for i, c in english.items() if c.split == "dev"}
    for lang in LANGUAGES[1:]:
        cases = load_passage_cases("all", (lang,))
        assert {base_id(c.id) for c in cases} == dev, lang
        for c in cases:
            original = english[base_id(c.id)]
            assert (c.gold, c.split, c.style, c.language) == (original.gold, "dev", original.style, lang)
            assert c.question != original.question


def test_hit_counts_each_gold_passage():
    gold = (("AI Act", "Article 50(1)"), ("Guidelines on X", "para. 32"))
    cited = [("AI Act", "Article 50(1)"), ("AI Act", "Article 50(2)")]
    assert passage_hit(cited, gold, 1, ()) == 0.5
    assert passage_hit(cited + [("Guidelines on X", "para. 32")], gold, 5, ()) == 1.0
    assert passage_hit([("AI Act", "Article 50")], gold[:1], 5, ()) == 0.0  # the whole article is not the paragraph


def test_summary_compares_each_language_with_english_on_the_same_cases():
    rec = lambda i, lang, hit: {"id": i, "split": "dev", "style": "lay", "language": lang, "passages": 1,
                                "abstained": False, "hit@1": hit, "hit@5": hit, "rr": hit}
    s = summary([rec("passage-001", "en", 1.0), rec("passage-002", "en", 0.0),
                 rec("passage-de-001", "de", 1.0)])
    assert s["dev"]["all"]["hit@5"] == 0.5
    assert s["languages"]["de"]["ratio_to_english"] == 1.0
