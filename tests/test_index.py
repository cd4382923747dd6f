"""Index builds on the mini corpus with the hash embedder: idempotence, rebuilds, the atomic switch,
damaged and missing indexes, and a rebuild while questions are being answered."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.errors import IndexMissing
from aiact.index.build import build_index, current_build
from aiact.index.chunk import MAX_TOKENS, chunk_provisions
from aiact.index.store import IndexStore
from tests.conftest import MINI_CORPUS, ROOT


@pytest.fixture
def own_corpus(tmp_path, mini_settings):
    """A writable copy of the mini corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(MINI_CORPUS, target)
    return replace(mini_settings, corpus_dir=target)


def test_build_writes_a_complete_index(mini_settings, hash_embedder):
    report = build_index(mini_settings, hash_embedder, progress=False)
    assert report.built and report.nodes >= report.provisions > 100
    directory = current_build(mini_settings)
    assert directory == report.directory
    store = IndexStore(directory)
    assert len(store.node_ids) == report.nodes
    assert store.collection.count() == report.nodes
    assert set(report.documents) >= {"AI Act", "GPAI Code of Practice (Safety and Security)"}
    assert "Indexed" in report.summary()


def test_second_build_does_nothing(mini_settings, hash_embedder):
    first = build_index(mini_settings, hash_embedder, progress=False)
    second = build_index(mini_settings, hash_embedder, progress=False)
    assert not second.built and second.directory == first.directory
    assert "up to date" in second.summary()


def test_changed_corpus_rebuilds_and_switches(own_corpus, hash_embedder):
    first = build_index(own_corpus, hash_embedder, progress=False)
    guideline = next(own_corpus.corpus_dir.glob("commission-guidelines/*.md"))
    guideline.write_text(guideline.read_text(encoding="utf-8") + "\n\n(999) An added paragraph.\n",
                         encoding="utf-8")
    second = build_index(own_corpus, hash_embedder, progress=False)
    assert second.built and second.fingerprint != first.fingerprint
    assert current_build(own_corpus) == second.directory
    assert first.directory.exists()  # kept for readers that still have it open


def test_rebuild_flag_forces_a_build(mini_settings, hash_embedder):
    build_index(mini_settings, hash_embedder, progress=False)
    again = build_index(mini_settings, hash_embedder, rebuild=True, progress=False)
    assert again.built and current_build(mini_settings) == again.directory
    IndexStore(again.directory)  # readable


def test_nodes_fit_the_model_window_and_never_span_two_provisions(mini_settings, hash_embedder):
    from aiact.corpus import load_corpus

    provisions = load_corpus(mini_settings.corpus_dir)
    chunks = chunk_provisions(provisions, hash_embedder.count_tokens)
    by_id = {p.id: p for p in provisions}
    for c in chunks:
        assert hash_embedder.count_tokens(c.embed_text) <= MAX_TOKENS + 2
        words = c.text.split()
        assert " ".join(words) in " ".join(by_id[c.provision_id].text.split())


KILLED_BUILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from dataclasses import replace
    from pathlib import Path
    from assistant.settings import Settings
    from aiact.index.build import build_index
    from aiact.index.embed import HashEmbedder

    class Slow(HashEmbedder):
        def embed_documents(self, texts):
            time.sleep(0.3)
            return super().embed_documents(texts)

    s = Settings(home=Path({home!r}), corpus_dir=Path({corpus!r}), embed_batch_size=4)
    build_index(s, Slow(), progress=False)
""")


def test_killed_build_leaves_the_old_index_working(own_corpus, hash_embedder):
    old = build_index(own_corpus, hash_embedder, progress=False)
    guideline = next(own_corpus.corpus_dir.glob("commission-guidelines/*.md"))
    guideline.write_text(guideline.read_text(encoding="utf-8") + "\n\n(999) Changed.\n", encoding="utf-8")
    script = KILLED_BUILD.format(root=str(ROOT), home=str(own_corpus.home), corpus=str(own_corpus.corpus_dir))
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not list(own_corpus.index_root.glob(".building-*/chroma")):
            time.sleep(0.1)
        assert list(own_corpus.index_root.glob(".building-*")), "the build never started"
        time.sleep(1.0)  # halfway through embedding
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert current_build(own_corpus) == old.directory
    bot = Assistant(own_corpus, embedder=hash_embedder, build=False)
    assert not bot.ask("What is a deployer?").abstained
    # The next build clears the debris and completes.
    new = build_index(own_corpus, hash_embedder, progress=False)
    assert new.built and not list(own_corpus.index_root.glob(".building-*"))


def test_missing_index_names_the_command(mini_settings, hash_embedder):
    with pytest.raises(IndexMissing, match="aiact index"):
        Assistant(mini_settings, embedder=hash_embedder, build=False)


def test_damaged_index_is_rebuilt_or_reported(mini_settings, hash_embedder):
    report = build_index(mini_settings, hash_embedder, progress=False)
    (report.directory / "provisions.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexMissing, match="aiact index --rebuild"):
        Assistant(mini_settings, embedder=hash_embedder, build=False)
    bot = Assistant(mini_settings, embedder=hash_embedder, progress=False)
    assert not bot.ask("What is a deployer?").abstained
    json.loads((current_build(mini_settings) / "provisions.json").read_text(encoding="utf-8"))


def test_rebuild_while_answering(mini_settings, hash_embedder):
    bot = Assistant(mini_settings, embedder=hash_embedder, progress=False)
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask_forever():
        while not stop.is_set():
            try:
                assert bot.ask("When do the prohibitions apply?").citations
            except BaseException as exc:  # noqa: BLE001 — any failure is the finding
                errors.append(exc)
                return

    threads = [threading.Thread(target=ask_forever) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        build_index(mini_settings, hash_embedder, rebuild=True, progress=False)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors
    fresh = Assistant(mini_settings, embedder=hash_embedder, build=False)
    assert fresh.ask("What is a deployer?").citations


def test_index_home_comes_from_the_environment(tmp_path, monkeypatch):
    from assistant.settings import Settings

    monkeypatch.setenv("AIACT_HOME", str(tmp_path / "data"))
    assert Settings.from_env().index_root == tmp_path / "data" / "index"
    monkeypatch.delenv("AIACT_HOME")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert Settings.from_env().home == Path(os.path.expanduser("~")) / ".local/share/aiact-assistant"


def test_exact_and_hnsw_dense_search_agree(mini_settings, hash_embedder):
    report = build_index(mini_settings, hash_embedder, progress=False)
    exact, hnsw = IndexStore(report.directory), IndexStore(report.directory, exact_limit=0)
    for query in ("emotion recognition at the workplace", "fines for providers", "deployer definition"):
        vector = hash_embedder.embed_query(query)
        a = exact.dense(vector, mini_settings.today, 5)
        b = hnsw.dense(vector, mini_settings.today, 5)
        assert a[0].node_index == b[0].node_index
        assert abs(a[0].score - b[0].score) < 1e-4
