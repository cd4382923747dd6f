"""The shortcuts taken for speed give what the plain computation gives: the build's single
embedding pass, the chunker's whole-provision count, the per-day vectors of exact search, the
per-process stems of provision texts, and the web server's concurrency setting."""
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
