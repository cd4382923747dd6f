"""Content-word stems of the provisions' texts, worked out once by the build (``stems.npz``).

Every question compares its words with the texts, sentences and headings of the provisions it
meets; a fresh process used to work out each text's stems the first time it met it (~15 µs a
text, ~2 ms of a question's time for its first hundred questions). The build stores them, keyed by
a digest of the text itself, so a process looks a text up instead (a few µs) — lazily, at the
first question, never at import or start-up.

The stems are a pure function of the text and of the stemming rule (the retriever's function,
its stop words): the table records a digest of that rule and is ignored when the rule has since
changed, so a lookup always equals what the rule would compute. A build without the file, a file
that does not match the manifest's checksum, or one that cannot be read: texts are stemmed as
before, nothing else changes.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import re
import threading
import types
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

STEMS = "stems.npz"
FORMAT = "1"


@functools.lru_cache(maxsize=65536)  # a provision's text is looked up for its stems and its sentences
def text_key(text: str) -> int:
    """A stable 64-bit digest of a text (Python's own hash changes between processes)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def rule_digest(fn: Callable) -> str:
    """A digest of a stemming function: its code, nested code, and the constant sets, strings
    and patterns it reads from its module (the stop words). Any edit to them changes it."""
    fn = inspect.unwrap(fn)
    h = hashlib.sha256(FORMAT.encode())
    glob = getattr(fn, "__globals__", {})

    def walk(code: types.CodeType) -> None:
        h.update(code.co_code)
        for c in code.co_consts:
            if isinstance(c, types.CodeType):
                walk(c)
            else:
                h.update(repr(c).encode())
        for name in code.co_names:
            h.update(name.encode())
            value = glob.get(name)
            if isinstance(value, (set, frozenset)):
                h.update(repr(sorted(value)).encode())
            elif isinstance(value, (str, int, float, tuple)):
                h.update(repr(value).encode())
            elif isinstance(value, re.Pattern):
                h.update(repr((value.pattern, value.flags)).encode())

    walk(fn.__code__)
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def split_rule() -> str:
    """A digest of how a provision's text is split into sentences (``aiact.index.chunk``)."""
    from aiact.index.chunk import _split_sentences

    return rule_digest(_split_sentences)


def provision_texts(provisions: Iterable, split: Callable[[str], list[str]]) -> list[str]:
    """The texts of each provision that answering stems: its text, its sentences, its headings
    (with the document's name), its title with its text."""
    out: list[str] = []
    for p in provisions:
        out.append(p.text)
        out.extend(split(p.text))
        out.append(" ".join((p.document, p.title) + tuple(p.path)))
        out.append(f"{p.title} {p.text}")
    return list(dict.fromkeys(out))


def write_stems(path: Path, texts: list[str], stem: Callable[[str], frozenset[str]], rule: str,
                split: Callable[[str], list[str]] | None = None, split_rule: str = "",
                split_texts: Iterable[str] = ()) -> None:
    """Store the stems of ``texts`` (in ``path``, an uncompressed .npz: read in a millisecond);
    with ``split``, also which of them are the sentences of each of ``split_texts`` (answering
    compares a question with each sentence of every provision it meets: one lookup instead of a
    split and a lookup a sentence). Every sentence must be among ``texts``."""
    vocab: dict[str, int] = {}
    keys, lengths, offsets, ids = [], [], [0], []
    row_of: dict[str, int] = {}
    for t in dict.fromkeys(texts):  # each text once: a lookup finds its one row
        row_of[t] = len(keys)
        keys.append(text_key(t))
        lengths.append(len(t))
        ids.extend(vocab.setdefault(s, len(vocab)) for s in sorted(stem(t)))
        offsets.append(len(ids))
    owners, sentence_offsets, sentence_rows = [], [0], []
    if split is not None:
        for t in dict.fromkeys(split_texts):
            owners.append(row_of[t])
            sentence_rows.extend(row_of[s] for s in split(t))
            sentence_offsets.append(len(sentence_rows))
    with open(path, "wb") as fh:
        np.savez(fh, rule=np.array(rule), vocab=np.array(list(vocab) or [""]),
                 keys=np.array(keys, dtype=np.uint64), lengths=np.array(lengths, dtype=np.int64),
                 offsets=np.array(offsets, dtype=np.int64), ids=np.array(ids, dtype=np.int32),
                 split_rule=np.array(split_rule if split is not None else ""),
                 sentence_owners=np.array(owners, dtype=np.int32),
                 sentence_offsets=np.array(sentence_offsets, dtype=np.int64),
                 sentence_rows=np.array(sentence_rows, dtype=np.int32))


class StemTable:
    """The stored stems of one build, read at the first lookup."""

    def __init__(self, path: Path, sha256: str | None):
        self.path, self._sha256 = path, sha256
        self._lock = threading.Lock()
        self._loaded = False
        self._rows: dict[int, int] = {}
        self._rule = ""

    def _load(self, rule: str) -> None:
        try:
            data = self.path.read_bytes()
            if self._sha256 and hashlib.sha256(data).hexdigest() != self._sha256:
                raise ValueError("checksum differs from the manifest's")
            import io

            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                if str(z["rule"]) != rule:
                    log.info("%s was stemmed by another rule: texts are stemmed here", self.path)
                    return
                vocab, keys, lengths = z["vocab"].tolist(), z["keys"], z["lengths"]
                offsets, ids = z["offsets"], z["ids"]
                # a file from before the sentences were stored has none of these
                split_rule = str(z["split_rule"]) if "split_rule" in z.files else ""
                owners, s_offsets, s_rows = ((z["sentence_owners"], z["sentence_offsets"], z["sentence_rows"])
                                             if split_rule else (np.zeros(0, np.int32), np.zeros(1, np.int64),
                                                                 np.zeros(0, np.int32)))
            if not (len(keys) == len(lengths) == len(offsets) - 1 and offsets[0] == 0
                    and offsets[-1] == len(ids) and np.all(np.diff(offsets) >= 0)
                    and (not len(ids) or 0 <= ids.min() and ids.max() < len(vocab))
                    and len(owners) == len(s_offsets) - 1 and s_offsets[0] == 0 and s_offsets[-1] == len(s_rows)
                    and np.all(np.diff(s_offsets) >= 0)
                    and all(not len(a) or 0 <= a.min() and a.max() < len(keys) for a in (owners, s_rows))):
                raise ValueError("inconsistent arrays")
        except Exception as exc:  # noqa: BLE001 - a damaged speed-up file only costs speed
            log.warning("%s cannot be used (%s): texts are stemmed as they come", self.path, exc)
            return
        # numpy arrays, not lists of Python ints: ~1 MB less in a serving process (a lookup reads two)
        self._vocab, self._lengths, self._offsets, self._ids = vocab, lengths, offsets, ids
        self._split_rule, self._sentence_offsets, self._sentence_rows = split_rule, s_offsets, s_rows
        self._sentences = dict(zip(owners.tolist(), range(len(owners))))
        self._rows = dict(zip(keys.tolist(), range(len(keys))))

    def _ensure(self, rule: str) -> bool:
        """Loaded (at the first lookup), and stemmed by ``rule``?"""
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._load(rule)
                    self._rule = rule
                    self._loaded = True
        return rule == self._rule

    def _row(self, text: str) -> int | None:
        row = self._rows.get(text_key(text))
        return None if row is None or self._lengths[row] != len(text) else row

    def _stems_of(self, row: int) -> frozenset[str]:
        vocab = self._vocab
        return frozenset([vocab[i] for i in self._ids[self._offsets[row]:self._offsets[row + 1]].tolist()])

    def sentences(self, text: str, rule: str, split_rule: str) -> tuple[frozenset[str], ...] | None:
        """The stems of each sentence of ``text`` as ``split_rule`` splits it, if stored."""
        if not self._ensure(rule) or not self._rows or self._split_rule != split_rule:
            return None
        row = self._row(text)
        j = None if row is None else self._sentences.get(row)
        if j is None:
            return None
        return tuple(self._stems_of(r) for r in self._sentence_rows[self._sentence_offsets[j]:
                                                                    self._sentence_offsets[j + 1]].tolist())

    def get(self, text: str, rule: str) -> frozenset[str] | None:
        if not self._ensure(rule) or not self._rows:
            return None
        row = self._row(text)
        return None if row is None else self._stems_of(row)


_tables: dict[Path, StemTable] = {}
_tables_lock = threading.Lock()


def register(directory: Path, manifest: dict) -> None:
    """Make a build's stored stems available to ``known`` (nothing is read yet)."""
    path = directory / STEMS
    want = (manifest.get("files") or {}).get(STEMS, {}).get("sha256")
    if want and path.is_file():
        with _tables_lock:
            _tables.setdefault(path, StemTable(path, want))


def known(text: str, rule: str) -> frozenset[str] | None:
    """The stored stems of ``text`` under ``rule``, if an opened build holds them."""
    for table in tuple(_tables.values()):
        found = table.get(text, rule)
        if found is not None:
            return found
    return None


def known_sentences(text: str, rule: str, split_rule: str) -> tuple[frozenset[str], ...] | None:
    """The stored stems of each sentence of ``text`` (split by ``split_rule``, stemmed by ``rule``),
    if an opened build holds them."""
    for table in tuple(_tables.values()):
        found = table.sentences(text, rule, split_rule)
        if found is not None:
            return found
    return None
