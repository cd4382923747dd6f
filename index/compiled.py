"""The law data's regular expressions, compiled once by the build (``patterns.npz``).

Why: a fresh process compiles each of the law data's ~1,200 patterns the first time an answer
meets it (``assistant/patterns.py``): ~0.15 ms each, ~120 ms over the first fifty answers of
``make bench`` (~2.4 ms an answer), and most of a one-shot ``aiact ask``'s matching. Parsing a
pattern and generating its matcher program is Python code in the ``re`` package; the matcher
itself is built from that program by ``_sre.compile``, in C, in microseconds. The build stores each
pattern's program, so a process rebuilds its compiled pattern from it instead of parsing it again.

What comes back is the very object ``re.compile`` returns: a ``re.Pattern`` compares equal to
another only if pattern, flags and program are the same (a test checks every stored pattern that
way), and ``_sre.compile`` validates the program it is given. The program is CPython's internal
format, so the file records the interpreter's version and ``_sre``'s format number and is ignored
under any other; a pattern the file does not hold (law data edited since the build), a damaged
file, or any error: the pattern is compiled as before. Read at the first lookup, never at import.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PATTERNS = "patterns.npz"

try:  # CPython's regular-expression engine and compiler (absent on other interpreters)
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - another interpreter: patterns are compiled as they come
    _sre = None


def engine_tag() -> str:
    """What a stored program is valid for: this interpreter's version and the engine's format."""
    if _sre is None:
        return ""
    return f"{sys.implementation.name} {sys.version} sre {_sre.MAGIC} {_sre.CODESIZE}"


def _program(pattern: str, flags: int) -> tuple[int, list[int], int, dict[str, int]]:
    """What ``re._compiler.compile`` hands ``_sre.compile``: final flags, program, groups, names."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    return flags | parsed.state.flags, list(code), parsed.state.groups - 1, dict(parsed.state.groupdict)


def _blob(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    data = [t.encode("utf-8") for t in texts]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(d) for d in data])
    return np.frombuffer(b"".join(data) or b"\0", dtype=np.uint8), offsets


def _unblob(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    raw, at = blob.tobytes(), offsets.tolist()
    return [raw[at[i]:at[i + 1]].decode("utf-8") for i in range(len(at) - 1)]


def write_patterns(path: Path, patterns: Iterable[tuple[str, int]]) -> int:
    """Store the programs of ``patterns`` ((pattern, flags) as passed to ``re.compile``) in
    ``path``, an uncompressed .npz; returns how many (none without CPython's engine)."""
    if _sre is None:
        return 0
    keys, final, groups, names, code, offsets = [], [], [], [], [], [0]
    for pattern, flags in dict.fromkeys(patterns):
        try:
            f, program, g, groupindex = _program(pattern, flags)
        except (re.error, RecursionError, OverflowError) as exc:  # the law tests report it; answering compiles it
            log.warning("pattern %.60r not stored: %s", pattern, exc)
            continue
        keys.append((pattern, flags))
        final.append(f)
        groups.append(g)
        names.append(json.dumps(groupindex) if groupindex else "")
        code.extend(program)
        offsets.append(len(code))
    text_blob, text_offsets = _blob([p for p, _ in keys])
    names_blob, names_offsets = _blob(names)
    with open(path, "wb") as fh:
        np.savez(fh, engine=np.array(engine_tag()), texts=text_blob, text_offsets=text_offsets,
                 flags=np.array([f for _, f in keys], dtype=np.int64), final_flags=np.array(final, dtype=np.int64),
                 groups=np.array(groups, dtype=np.int64), names=names_blob, name_offsets=names_offsets,
                 code=np.array(code, dtype=np.uint32), code_offsets=np.array(offsets, dtype=np.int64))
    return len(keys)


class PatternTable:
    """The stored programs of one build, read at the first lookup."""

    def __init__(self, path: Path, sha256: str | None):
        self.path, self._sha256 = path, sha256
        self._lock = threading.Lock()
        self._loaded = False
        self._rows: dict[tuple[str, int], int] = {}

    def _load(self) -> None:
        try:
            data = self.path.read_bytes()
            if self._sha256 and hashlib.sha256(data).hexdigest() != self._sha256:
                raise ValueError("checksum differs from the manifest's")
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                if str(z["engine"]) != engine_tag():
                    log.info("%s was compiled by another Python: patterns are compiled here", self.path)
                    return
                texts = _unblob(z["texts"], z["text_offsets"])
                names = _unblob(z["names"], z["name_offsets"])
                flags, final, groups = z["flags"].tolist(), z["final_flags"].tolist(), z["groups"].tolist()
                code, offsets = z["code"], z["code_offsets"].tolist()
            n = len(texts)
            if not (len(names) == len(flags) == len(final) == len(groups) == len(offsets) - 1 == n
                    and offsets[0] == 0 and offsets[-1] == len(code)
                    and all(a <= b for a, b in zip(offsets, offsets[1:]))):
                raise ValueError("inconsistent arrays")
        except Exception as exc:  # noqa: BLE001 - a damaged speed-up file only costs speed
            log.warning("%s cannot be used (%s): patterns are compiled as they come", self.path, exc)
            return
        self._texts, self._names, self._final, self._groups = texts, names, final, groups
        self._code, self._offsets = code, offsets
        self._rows = {(t, f): i for i, (t, f) in enumerate(zip(texts, flags))}

    def get(self, pattern: str, flags: int) -> re.Pattern | None:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._load()
                    self._loaded = True
        row = self._rows.get((pattern, flags))
        if row is None:
            return None
        try:
            groupindex = json.loads(self._names[row]) if self._names[row] else {}
            indexgroup = [None] * (self._groups[row] + 1)
            for name, i in groupindex.items():
                indexgroup[i] = name
            program = self._code[self._offsets[row]:self._offsets[row + 1]].tolist()
            # as re._compiler.compile does with the program it generated
            return _sre.compile(pattern, self._final[row], program, self._groups[row], groupindex,
                                tuple(indexgroup))
        except Exception as exc:  # noqa: BLE001 - an invalid program (the engine checks it): compile instead
            log.debug("stored program of %.60r rejected (%s)", pattern, exc)
            return None


_tables: dict[Path, PatternTable] = {}
_tables_lock = threading.Lock()


def register(directory: Path, manifest: dict) -> None:
    """Make a build's stored patterns available to ``known`` (nothing is read yet)."""
    path = directory / PATTERNS
    want = (manifest.get("files") or {}).get(PATTERNS, {}).get("sha256")
    if _sre is not None and want and path.is_file():
        with _tables_lock:
            _tables.setdefault(path, PatternTable(path, want))


def known(pattern: str, flags: int) -> re.Pattern | None:
    """``re.compile(pattern, flags)`` rebuilt from an opened build's stored program, if it holds one."""
    for table in tuple(_tables.values()):
        found = table.get(pattern, flags)
        if found is not None:
            return found
    return None
