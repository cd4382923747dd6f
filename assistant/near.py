"""How close a description comes to each prohibited practice, in meaning rather than words.

The facts are read by cues (``facts.py``); a paraphrase no cue foresaw reads as nothing. This is
the safety net: the description's embedding against the everyday ``paraphrases`` of each
Article 5 rule (``procedure_prohibited.toml``). Close but unconfirmed means the check asks that
practice's questions instead of calling the system minimal; it never concludes "prohibited".
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.procedure import Procedure, Rule

PARAMS_FILE = Path(__file__).with_name("near_params.json")
_cache: dict[tuple, np.ndarray] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Near:
    rule: Rule
    similarity: float


def threshold() -> float:
    return float(json.loads(PARAMS_FILE.read_text(encoding="utf-8"))["near_practice"])


def _texts(rule: Rule) -> list[str]:
    return list(rule.paraphrases) + ([rule.explain] if rule.explain else [])


def closest(description: str, procedure: Procedure, embedder) -> Near | None:
    """The Article 5 rule whose paraphrases are closest to the description, if above the
    threshold; None without an embedder (fast tests) or below it."""
    rules = [r for r in procedure.rules if r.step == "article_5" and r.paraphrases]
    if embedder is None or not rules:
        return None
    owners, texts = [], []
    for r in rules:
        for t in _texts(r):
            owners.append(r)
            texts.append(t)
    key = (id(embedder), tuple(texts))
    with _lock:
        matrix = _cache.get(key)
    if matrix is None:
        matrix = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        with _lock:
            _cache[key] = matrix
    q = np.asarray(embedder.embed_query(description), dtype=np.float32)
    q /= np.linalg.norm(q) or 1.0
    sims = matrix @ q
    best = int(sims.argmax())
    return Near(owners[best], float(sims[best])) if sims[best] >= threshold() else None
