"""Whole words of the embedding model's tokenizer: a word list of ordinary English that ships
inside the model's package, so the spelling corrector can tell a real word the corpus happens
not to use ('bought', 'shelf', 'cheat') from a typo ('prohibted')."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=4)
def tokenizer_words(model_path: str) -> frozenset[str]:
    """The alphabetic whole-word entries of the model's WordPiece vocabulary (continuations
    '##ing' and punctuation left out); empty when the folder holds no ``tokenizer.json``, so a
    custom model only loses this guard."""
    path = Path(model_path) / "tokenizer.json"
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(w for w in vocab if w.isalpha() and w.islower())
