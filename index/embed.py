"""The local embedding model (all-MiniLM-L6-v2 from a PyPI package) behind one small interface,
and a deterministic stand-in for fast unit tests."""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...

    def count_tokens(self, text: str) -> int: ...


class LocalEmbedder:
    """llama-index's HuggingFaceEmbedding over a model folder on disk; never reaches a hub."""

    def __init__(self, model_path: str, batch_size: int = 32):
        from assistant.settings import set_offline_env

        set_offline_env()
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        self.name = f"minilm:{_model_digest(model_path)}"
        self._model = HuggingFaceEmbedding(model_name=model_path, device="cpu",
                                           embed_batch_size=batch_size, normalize=True)
        self._tokenizer = self._model._model.tokenizer
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._model.get_text_embedding_batch(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._model.get_query_embedding(text)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])


class HashEmbedder:
    """Bag of hashed word stems: deterministic, instant, good enough to test plumbing."""

    name = "hash-embedder:1"
    dim = 256

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            h = int(hashlib.md5(word[:6].encode()).hexdigest(), 16)
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return (v / n if n else v).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def count_tokens(self, text: str) -> int:
        return int(len(text.split()) * 1.3) + 1


def _model_digest(model_path: str) -> str:
    """A short digest of the weights, so a different model makes a different index."""
    from pathlib import Path

    weights = sorted(Path(model_path).glob("*.safetensors")) or sorted(Path(model_path).glob("*.bin"))
    h = hashlib.sha256()
    for w in weights:
        h.update(w.name.encode())
        h.update(str(w.stat().st_size).encode())
    return h.hexdigest()[:12]


_cache: dict[str, LocalEmbedder] = {}
_cache_lock = threading.Lock()


def load_embedder(model_path: str, batch_size: int = 32) -> LocalEmbedder:
    """One model per process: loading it costs seconds, sharing it costs nothing."""
    with _cache_lock:
        if model_path not in _cache:
            log.info("loading embedding model from %s", model_path)
            _cache[model_path] = LocalEmbedder(model_path, batch_size)
        return _cache[model_path]
