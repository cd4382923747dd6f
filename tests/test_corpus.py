"""The real corpus, loaded: counts, references, versions, verbatim text, and agreement between the
consolidated text and the Omnibus's amending points."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import lru_cache

import pytest

from aiact.corpus import CORPUS_DIR, load_corpus
from aiact.corpus.act import CONSOLIDATED_FILE
from aiact.corpus.markdown import GAP, normalise
from aiact.corpus.omnibus import DOCUMENT as OMNIBUS_DOC
from aiact.corpus.provision import OMNIBUS_IN_FORCE

BEFORE = dt.date(2026, 1, 1)
AFTER = dt.date(2026, 11, 24)


@lru_cache(maxsize=1)
def provisions():
    return load_corpus()


def act(day: dt.date):
    return {p.reference: p for p in provisions() if p.document == "AI Act" and p.in_force_on(day)}


def test_every_document_is_loaded():
    docs = Counter(p.document for p in provisions())
    assert set(docs) == {
        "AI Act", OMNIBUS_DOC, "Guidelines on prohibited AI practices", "Guidelines on the AI system definition",
        "Guidelines on general-purpose AI models", "Guidelines on transparency (Article 50)",
        "Draft guidelines on high-risk classification", "GPAI Code of Practice (Safety and Security)"}
    assert all(n > 50 for n in docs.values()), docs


def test_counts_recitals_articles_annexes_definitions():
    now, then = act(AFTER), act(BEFORE)
    recitals = {r for r in now if r.startswith("Recital")}
    assert recitals == {f"Recital {i}" for i in range(1, 181)}

    def articles(refs):
        return {re.match(r"Article (\d+[a-z]?)", r).group(1) for r in refs if r.startswith("Article")}

    assert articles(then) == {str(i) for i in range(1, 114)}
    assert articles(now) == {str(i) for i in range(1, 114)} | {"4a", "60a", "75a", "75b", "75c", "75d"}

    def annexes(refs):
        return {re.match(r"Annex ([IVX]+)", r).group(1) for r in refs if r.startswith("Annex")}

    assert len(annexes(then)) == 13 and len(annexes(now)) == 14 and "XIV" in annexes(now) - annexes(then)
    definitions_now = [r for r in now if re.fullmatch(r"Article 3\(\d+[a-z]?\)", r)]
    definitions_then = [r for r in then if re.fullmatch(r"Article 3\(\d+[a-z]?\)", r)]
    assert len(definitions_then) == 68
    assert len(definitions_now) == 70 and {"Article 3(14a)", "Article 3(14b)"} <= set(definitions_now)


@pytest.mark.parametrize("reference,day,snippet", [
    ("Article 113(c)", AFTER, "2 December 2027 as regards AI systems classified as high-risk pursuant to Article 6(2)"),
    ("Article 113(c)", AFTER, "2 August 2028 as regards AI systems classified as high-risk pursuant to Article 6(1)"),
    ("Article 113(c)", BEFORE, "Article 6(1) and the corresponding obligations in this Regulation shall apply from 2 August 2027"),
    ("Article 113(a)", AFTER, "which shall apply from 2 December 2026"),
    ("Article 113(a)", BEFORE, "Chapters I and II shall apply from 2 February 2025;"),
    ("Article 113", AFTER, "It shall apply from 2 August 2026."),
    ("Article 5(1)(f)", AFTER, "to infer emotions of a natural person in the areas of workplace and education institutions"),
    ("Article 5(1)(ba)", AFTER, "realistic images, videos, audio"),
    ("Article 5(1)(h)", AFTER, "(iii) the localisation or identification of a person suspected"),
    ("Article 3(4)", AFTER, "‘deployer’ means"),
    ("Article 3(23)", AFTER, "‘substantial modification’"),
    ("Article 3(14a)", AFTER, "‘SME’"),
    ("Article 6(3)", AFTER, "shall always be considered to be high-risk where the AI system performs profiling"),
    ("Annex III, point 4(a)", AFTER, "recruitment or selection of natural persons"),
    ("Annex III, point 1(a)", AFTER, "This shall not include AI systems intended to be used for biometric verification"),
    ("Article 57(1)", AFTER, "operational by 2 August 2027"),
    ("Article 57(1)", BEFORE, "operational by 2 August 2026"),
    ("Article 4", BEFORE, "sufficient level of AI literacy of their staff"),
    ("Article 4(1)", AFTER, "shall take measures to support the development of AI literacy"),
    ("Recital 27", AFTER, "Ethics guidelines for trustworthy AI"),
])
def test_reference_table(reference, day, snippet):
    p = act(day).get(reference)
    assert p is not None, f"{reference} not in force on {day}"
    assert snippet in normalise(p.text)


def test_versions_of_amended_provisions():
    now, then = act(AFTER), act(BEFORE)
    assert now["Article 113(c)"].amendment == "replaced"
    assert now["Article 113(c)"].amended_by == "Regulation (EU) 2026/1744, Article 1, point (40)(b)"
    assert now["Article 113(c)"].valid_from == OMNIBUS_IN_FORCE and then["Article 113(c)"].valid_to == OMNIBUS_IN_FORCE
    assert now["Article 5(1)(ba)"].amendment == "inserted" and "Article 5(1)(ba)" not in then
    assert now["Article 111(4)"].amendment == "inserted" and "Article 111(4)" not in then
    assert now["Article 10(5)"].amendment == "deleted"
    # Unchanged provisions are one record, in force throughout.
    assert now["Article 5(1)(f)"] is then["Article 5(1)(f)"] and not now["Article 5(1)(f)"].amendment


def test_every_provision_is_verbatim_in_its_source():
    texts = {}
    for p in provisions():
        if p.source not in texts:
            texts[p.source] = normalise((CORPUS_DIR / p.source).read_text(encoding="utf-8"))
        for block in p.text.split("\n\n"):
            if block != GAP:
                assert normalise(block) in texts[p.source], (p.id, block[:80])
        # Pieces stand in the source in order; a gap marks where they are not adjacent.
        pos = 0
        for piece in normalise(p.text).split(f" {GAP} "):
            found = texts[p.source].find(piece, pos)
            assert found >= 0, (p.id, piece[:80])
            pos = found + len(piece)


def _quotes(text: str) -> str:
    """The Omnibus quotes the new wording, so quotation marks inside it are nested (“ ” for ‘ ’)."""
    text = re.sub(r"\[\^[^\]]+\]", "", normalise(text))  # footnote calls differ between the acts
    return re.sub(r"[‘’“”]", "'", text).rstrip(";.")


def _omnibus_points() -> dict[str, str]:
    return {p.reference: _quotes(p.text) for p in provisions() if p.document == OMNIBUS_DOC}


@pytest.mark.parametrize("reference", ["Article 113(c)", "Article 113(a)", "Article 111(4)", "Article 4(1)",
                                       "Article 5(1)(ba)", "Article 5(1)(bb)", "Article 57(1)", "Article 4a(1)"])
def test_consolidated_text_agrees_with_the_omnibus(reference):
    p = act(AFTER)[reference]
    point = re.search(r"point \((\d+)\)", p.amended_by).group(1)
    amending = _omnibus_points()[f"Article 1, point ({point})"]
    blocks = _changed_blocks(p, act(BEFORE).get(reference))
    assert blocks
    for block in blocks:
        assert _quotes(block) in amending, (reference, block[:80])


def _changed_blocks(current, original) -> list[str]:
    """The blocks of the current wording that the 2024 wording does not have."""
    old = normalise(original.text) if original else ""
    return [b for b in current.text.split("\n\n") if b != GAP and normalise(b) not in old]


def test_all_amended_provisions_stand_in_their_amending_point():
    """Every replaced or inserted unit of the consolidated text is quoted by the Omnibus point
    its marker names (the one known exception is the source's own mislabelled marker for
    Article 3(14a)/(14b), which SOURCES.md documents)."""
    points = _omnibus_points()
    all_points = " ".join(points.values())
    checked = 0
    for p in act(AFTER).values():
        if p.source != CONSOLIDATED_FILE or p.amendment not in ("replaced", "inserted"):
            continue
        m = re.search(r"point \((\d+)\)", p.amended_by)
        if not m:
            continue
        amending = points[f"Article 1, point ({m.group(1)})"]
        for block in _changed_blocks(p, act(BEFORE).get(p.reference)):
            text = _quotes(block)
            assert text in amending or (p.reference.startswith("Article 3(14") and text in all_points), \
                (p.reference, p.amended_by, block[:80])
        checked += 1
    assert checked > 40


def test_guidelines_and_code_are_addressable():
    refs = {(p.document, p.reference) for p in provisions()}
    assert ("Guidelines on prohibited AI practices", "para. 60") in refs
    assert ("Draft guidelines on high-risk classification", "para. 448") in refs
    assert ("GPAI Code of Practice (Safety and Security)", "Measure 1.1") in refs
    assert ("GPAI Code of Practice (Safety and Security)", "Appendix 1.4") in refs
    assert (OMNIBUS_DOC, "Article 1, point (40)") in refs and (OMNIBUS_DOC, "Recital 1") in refs
    kinds = {p.document: p.kind for p in provisions()}
    assert kinds["AI Act"] == "binding law" and kinds["Guidelines on prohibited AI practices"] == "guidelines"
    assert kinds["GPAI Code of Practice (Safety and Security)"] == "code of practice"


def test_ids_are_unique_and_urls_deep_link():
    ps = provisions()
    assert len({p.id for p in ps}) == len(ps)
    f = act(AFTER)["Article 5(1)(f)"]
    assert f.url == "https://eur-lex.europa.eu/eli/reg/2024/1689/oj#art_5"
    assert act(AFTER)["Annex III, point 4(a)"].url.endswith("#anx_III")


def test_a_new_markdown_document_needs_no_code(tmp_path):
    import shutil

    shutil.copytree(CORPUS_DIR / "eu-ai-act", tmp_path / "eu-ai-act")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "faq.md").write_text(
        "# AI Act Service Desk FAQ\n\n## 1. General\n\n(1) The AI Act applies in stages.\n\n"
        "(2) Providers should start early.\n", encoding="utf-8")
    loaded = load_corpus(tmp_path)
    faq = [p for p in loaded if p.document == "AI Act Service Desk FAQ"]
    assert [p.reference for p in faq] == ["para. 1", "para. 2"]
