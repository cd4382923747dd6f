"""The law data's patterns a build stores as compiled programs (aiact.index.compiled) come back
as exactly what ``re.compile`` makes, and anything amiss with the file only makes it compile."""
import hashlib
import re

import numpy as np
import pytest

from aiact.index import compiled as C
from assistant.warm import law_patterns

EXTRA = [(r"(?P<amount>\d+(?:\.\d+)?) (?P<unit>million|billion)", re.I), (r"\bdeployers?\b", 0),
         (r"(a)|(?P<b>b)(?(b)c|d)", 0)]


def _manifest(path):
    return {"files": {C.PATTERNS: {"bytes": path.stat().st_size,
                                   "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}}}


@pytest.fixture
def build(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "_tables", {})
    path = tmp_path / C.PATTERNS
    return tmp_path, path


def test_every_law_pattern_comes_back_as_re_compile_makes_it(build):
    directory, path = build
    patterns = law_patterns() + EXTRA
    assert len(patterns) > 500  # the law data's cues, terms, claims, requirements
    assert C.write_patterns(path, patterns) == len(patterns)
    C.register(directory, _manifest(path))
    for pattern, flags in patterns:
        got, want = C.known(pattern, flags), re.compile(pattern, flags)
        # Pattern equality compares the pattern, the flags and the compiled program itself
        assert got is not None and got is not want and got == want, pattern[:60]
        assert (got.groupindex, got.groups, got.flags) == (want.groupindex, want.groups, want.flags)
    m = C.known(*EXTRA[0]).search("up to 15 Million euros")
    assert m.group("amount", "unit") == ("15", "Million") and m.span() == (6, 16)
    assert C.known(r"\bnot stored\b", re.I) is None and C.known(EXTRA[1][0], re.I) is None


def test_answering_uses_the_stored_program(build, monkeypatch):
    from assistant import patterns as P

    directory, path = build
    C.write_patterns(path, EXTRA)
    C.register(directory, _manifest(path))
    P.compiled.cache_clear()
    monkeypatch.setattr(C._parser, "parse", lambda *a, **k: pytest.fail("parsed again"))
    try:
        assert P.compiled(*EXTRA[1]).search("Deployers shall") is None
        assert P.compiled(*EXTRA[1]).search("the deployers shall").span() == (4, 13)
    finally:
        P.compiled.cache_clear()


@pytest.mark.parametrize("how", ["random", "truncate", "unlisted", "engine", "program"])
def test_a_damaged_foreign_or_unlisted_file_only_costs_speed(build, how, monkeypatch):
    directory, path = build
    C.write_patterns(path, EXTRA)
    if how == "random":
        data = bytearray(path.read_bytes())
        data[len(data) // 2:len(data) // 2 + 64] = bytes(range(64))
        path.write_bytes(bytes(data))
    elif how == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    elif how == "engine":  # another Python wrote it: its programs are not this engine's
        monkeypatch.setattr(C, "engine_tag", lambda: "cpython 3.99 sre 0 4")
    elif how == "program":  # a valid file whose program the engine rejects
        with np.load(path) as z:
            arrays = dict(z)
        arrays["code"] = np.full_like(arrays["code"], 0xFFFF)
        with open(path, "wb") as fh:
            np.savez(fh, **arrays)
    manifest = {"files": {}} if how == "unlisted" else _manifest(path)
    C.register(directory, manifest)
    assert C.known(*EXTRA[1]) is None
    from assistant.patterns import compiled

    assert compiled(r"\bdeployers?\b(?#uncached)").search("the deployer") is not None


def test_a_build_stores_the_law_patterns_and_opening_it_serves_them(mini_assistant, monkeypatch):
    from aiact.index.build import read_manifest

    directory = mini_assistant.store.directory
    assert C.PATTERNS in read_manifest(directory)["files"]  # checksummed like every file of a build
    pattern, flags = law_patterns()[0]
    got = C.known(pattern, flags)
    assert got is not None and got == re.compile(pattern, flags)
