"""The stems a build stores (aiact.index.stems) are exactly what the retriever would compute, and
anything amiss with the file only makes it stem as before."""
import hashlib

import numpy as np
import pytest

from aiact.index import stems as S
from assistant import retrieve as R

TEXTS = ["Providers of high-risk AI systems shall ensure that their systems are compliant.",
         "Article 6 Classification rules for high-risk AI systems",
         "Deployers shall use such systems in accordance with the instructions for use."]


@pytest.fixture
def build(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "_tables", {})
    path = tmp_path / S.STEMS
    S.write_stems(path, TEXTS, R.content_stems, R.stem_rule())
    manifest = {"files": {S.STEMS: {"bytes": path.stat().st_size,
                                    "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}}}
    return tmp_path, manifest


def test_stored_stems_equal_the_rules_and_unknown_texts_are_left_to_it(build):
    directory, manifest = build
    S.register(directory, manifest)
    assert [S.known(t, R.stem_rule()) for t in TEXTS] == [R.content_stems(t) for t in TEXTS]
    assert S.known("A text the build never saw.", R.stem_rule()) is None
    assert S.known(TEXTS[0] + " ", R.stem_rule()) is None


def test_a_table_stemmed_by_another_rule_is_ignored(build):
    directory, manifest = build
    S.register(directory, manifest)
    assert S.known(TEXTS[0], "another-rule") is None


@pytest.mark.parametrize("how", ["random", "truncate", "unlisted"])
def test_a_damaged_or_unlisted_file_only_costs_speed(build, how):
    directory, manifest = build
    path = directory / S.STEMS
    if how == "random":
        data = bytearray(path.read_bytes())
        data[len(data) // 2:len(data) // 2 + 64] = bytes(range(64))
        path.write_bytes(bytes(data))
    elif how == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    else:
        manifest = {"files": {}}
    S.register(directory, manifest)
    assert S.known(TEXTS[0], R.stem_rule()) is None
    assert R.content_stems(TEXTS[0]) == frozenset({"provid", "high", "risk", "system", "ensure", "compli"})


def test_the_rule_digest_follows_the_stop_words_and_the_code():
    namespace = {"STOP": {"the"}}
    exec("import re\ndef f(text):\n    return frozenset(w[:6] for w in re.findall('[a-z]+', text) if w not in STOP)",
         namespace)
    before = S.rule_digest(namespace["f"])
    assert S.rule_digest(namespace["f"]) == before
    namespace["STOP"] = {"the", "and"}
    assert S.rule_digest(namespace["f"]) != before
    exec("import re\ndef f(text):\n    return frozenset(w[:5] for w in re.findall('[a-z]+', text) if w not in STOP)",
         namespace)
    assert S.rule_digest(namespace["f"]) not in (before, S.rule_digest(lambda t: t))


def test_stored_sentences_equal_the_split_and_stems_answering_computes(tmp_path, monkeypatch):
    from aiact.index.chunk import split_sentences
    from assistant.candidates import _sentence_stems

    monkeypatch.setattr(S, "_tables", {})
    texts = ["1. Providers shall keep logs. 2. Deployers shall monitor: (a) the system; (b) the data.",
             TEXTS[0], "A single sentence without a split"]
    path = tmp_path / S.STEMS
    S.write_stems(path, S.provision_texts([], split_sentences) + [t for x in texts for t in [x, *split_sentences(x)]],
                  R.content_stems, R.stem_rule(), split_sentences, S.split_rule(), texts)
    manifest = {"files": {S.STEMS: {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}}}
    S.register(tmp_path, manifest)
    for t in texts:
        want = tuple(R.content_stems(s) for s in split_sentences(t))
        assert S.known_sentences(t, R.stem_rule(), S.split_rule()) == want
        _sentence_stems.cache_clear()
        assert _sentence_stems(t) == want
    assert len(S.known_sentences(texts[0], R.stem_rule(), S.split_rule())) == 4
    assert S.known_sentences("Not a provision text.", R.stem_rule(), S.split_rule()) is None
    assert S.known_sentences(texts[0], R.stem_rule(), "another-split") is None
    assert S.known_sentences(texts[0], "another-rule", S.split_rule()) is None


def test_a_file_from_before_the_sentences_still_gives_its_stems(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "_tables", {})
    path = tmp_path / S.STEMS
    S.write_stems(path, TEXTS, R.content_stems, R.stem_rule())
    with np.load(path) as z:  # as written before the sentences were stored
        arrays = {k: z[k] for k in ("rule", "vocab", "keys", "lengths", "offsets", "ids")}
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    S.register(tmp_path, {"files": {S.STEMS: {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}}})
    assert S.known(TEXTS[0], R.stem_rule()) == R.content_stems(TEXTS[0])
    assert S.known_sentences(TEXTS[0], R.stem_rule(), S.split_rule()) is None


def test_the_split_rule_follows_the_sentence_splitter():
    from aiact.index import chunk

    assert S.split_rule() == S.rule_digest(chunk._split_sentences) != S.rule_digest(chunk._pack)
