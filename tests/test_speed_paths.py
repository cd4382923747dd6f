"""The shortcuts taken for speed give what the plain computation gives: the build's single
embedding pass, the chunker's whole-provision count, the per-day vectors of exact search, the
per-process stems of provision texts, the top-k of exact search, the data's compiled patterns, the
per-text facts of candidates, and the web server's concurrency setting."""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from assistant.errors import SettingsError
from aiact.index.build import build_index
from aiact.index.chunk import _pack, split_sentences
from aiact.index.store import IndexStore


def _greedy(pieces, budget, count):
    """The packing loop without its whole-provision shortcut."""
    chunks, current = [], ""
    for piece in pieces:
        candidate = f"{current} {piece}".strip() if current else piece
        if count(candidate) <= budget:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if count(piece) <= budget:
            current = piece
        else:
            current = ""
            for w in piece.split():
                cand = f"{current} {w}" if current else w
                if count(cand) > budget and current:
                    chunks.append(current)
                    current = w
                else:
                    current = cand
    if current:
        chunks.append(current)
    return chunks


@pytest.mark.parametrize("count", [lambda t: len(t.split()), lambda t: int(len(t.split()) * 1.3) + 1,
                                   lambda t: len(t) // 4])
def test_packing_shortcut_gives_what_the_greedy_loop_gives(count):
    rng = random.Random(13)
    words = ["the", "provider", "shall", "ensure", "high-risk", "systems", "Article", "6(1)", "of", "Annex"]
    for _ in range(300):
        pieces = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(rng.randint(1, 8))]
        budget = rng.randint(5, 120)
        assert _pack(pieces, budget, count) == _greedy(pieces, budget, count)


def test_split_sentences_hands_out_its_own_list():
    text = "Providers shall do this. Deployers shall do that. Importers shall check it."
    first = split_sentences(text)
    first.append("changed by a caller")
    assert split_sentences(text) == ["Providers shall do this.", "Deployers shall do that.",
                                     "Importers shall check it."]


def test_stems_of_a_text_are_the_same_every_time():
    from assistant.retrieve import _stems, _stems_cached

    text = "Providers of high-risk AI systems shall keep the logs"
    a = _stems(text)
    assert a == _stems(text) == _stems_cached.__wrapped__(text) and "provid" in a
    with pytest.raises(AttributeError):
        a.add("x")  # shared between questions: nobody may change it


def test_exact_search_over_the_day_s_vectors_is_the_brute_force_search(mini_settings, hash_embedder):
    report = build_index(mini_settings, hash_embedder, progress=False)
    store = IndexStore(report.directory)
    vectors = np.load(report.directory / "vectors.npy")
    query = np.asarray(hash_embedder.embed_query("emotion recognition at the workplace"), dtype=np.float32)
    for day in (dt.date(2024, 8, 1), dt.date(2026, 12, 2), dt.date(2031, 1, 1), dt.date(2026, 12, 2)):
        live = np.flatnonzero(store._in_force(day))
        sims = vectors[live] @ query
        want = [(int(live[j]), round(float(sims[j]), 6)) for j in np.argsort(-sims, kind="stable")[:7]]
        assert [(h.node_index, round(h.score, 6)) for h in store.dense(query.tolist(), day, 7)] == want


@pytest.mark.parametrize("k", [0, 1, 5, 40, 99, 100, 250])
def test_top_k_of_exact_search_is_the_stable_sort(k):
    from aiact.index.store import _top

    rng = np.random.default_rng(k)
    for sims in (rng.normal(size=100).astype(np.float32),
                 np.round(rng.normal(size=100), 1).astype(np.float32),  # many ties
                 np.zeros(100, np.float32), np.array([], np.float32)):
        assert _top(sims, k).tolist() == np.argsort(-sims, kind="stable")[:k].tolist()


def test_the_data_s_patterns_compile_once_and_match_as_re_does():
    import re

    from assistant.patterns import compiled
    from assistant.law import load_law

    terms = {t for f in load_law().facts for t in (f.get("terms") or ())}
    assert len(terms) > 100  # more than a handful: the reason for a cache of our own
    text = "Which fines apply to providers of general-purpose AI models with systemic risk?"
    for t in sorted(terms)[:300]:
        assert compiled(t, re.I) is compiled(t, re.I)
        assert bool(compiled(t, re.I).search(text)) == bool(re.search(t, text, re.I))


def test_per_text_facts_of_candidates_are_the_plain_ones():
    from assistant import candidates as C
    from assistant import retrieve as R
    from aiact.index.chunk import chapters_named

    texts = ["This Regulation shall apply from 2 August 2026. Fines of up to EUR 15 000 000 apply.",
             "Chapter III, Section 4 and Chapter V shall apply from 2 August 2025.",
             "The provider shall keep the logs for a period of six months, referred to in Article 6(2) "
             "and point 4(a) of Annex III.", ""]
    for text in texts:
        assert C._has(C.DATE, text) == bool(C.DATE.search(text))
        assert C._has(R.HAS_AMOUNT, text) == bool(R.HAS_AMOUNT.search(text))
        assert C._has(C.DURATION, text) == bool(C.DURATION.search(text))
        assert C._sentence_stems(text) == tuple(R._stems(s) for s in split_sentences(text))
        refs = R._cross_references(text)
        refs.append("changed by a caller")
        assert "changed by a caller" not in R._cross_references(text)
        named = chapters_named(text)
        named.append(("X", ""))
        assert ("X", "") not in chapters_named(text)
    assert chapters_named(texts[1]) == [("III", "4"), ("V", "")]
    assert "Article 6(2)" in R._cross_references(texts[2])


def test_neighbour_margin_is_the_one_over_the_neighbours_similarities(mini_settings, hash_embedder):
    import math

    from assistant.candidates import _neighbours, _margin, _similarities
    from assistant.retrieve import Retriever

    report = build_index(mini_settings, hash_embedder, progress=False)
    retriever = Retriever(IndexStore(report.directory), hash_embedder)
    query = np.asarray(hash_embedder.embed_query("transparency duties of deployers"), dtype=np.float32)
    checked = 0
    for p in list(retriever.store.provisions.values())[:60]:
        near = _neighbours(retriever).get(p.id, [])
        want = 0.5
        if near:
            best = max(_similarities(retriever, near, query).values(), default=0.0)
            want = 1.0 / (1.0 + math.exp(-20.0 * (0.3 - best)))
            checked += 1
        assert _margin(retriever, p, 0.3, query) == want
    assert checked


def test_embedding_pass_reports_progress_and_keeps_the_order():
    from assistant.settings import Settings
    from aiact.index.bert_numpy import NumpyEmbedder

    embedder = NumpyEmbedder(Settings().resolved_model(), batch_size=2, threads=2)
    texts = ["What is a deployer?", "x", "Emotion recognition in the workplace is prohibited. " * 8,
             "When do the prohibitions apply?", "Fines up to EUR 35 000 000.", "What is a deployer?"]
    told: list[int] = []
    matrix = embedder.embed_array(texts, done=told.append)
    assert sum(told) == len(texts) and len(told) > 1
    for row, text in zip(matrix, texts):
        assert float(np.dot(row, embedder.embed_query(text))) >= 0.99999


@pytest.mark.parametrize("raw,ok", [("1", 1), ("16", 16), ("0", None), ("65", None), ("many", None)])
def test_web_concurrency_is_a_validated_setting(monkeypatch, raw, ok):
    from assistant.settings import WEB_CONCURRENCY, Settings

    assert Settings().web_concurrency == WEB_CONCURRENCY
    monkeypatch.setenv("AIACT_WEB_CONCURRENCY", raw)
    if ok is None:
        with pytest.raises(SettingsError, match="AIACT_WEB_CONCURRENCY"):
            Settings.from_env()
    else:
        assert Settings.from_env().web_concurrency == ok
