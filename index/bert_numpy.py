"""all-MiniLM-L6-v2 in plain numpy: the six BERT layers, mean pooling and L2 normalisation of its
sentence-transformers configuration, read straight from the package's ``model.safetensors``.

Why not torch: importing torch and transformers costs seconds on every cold ``aiact ask`` to embed
one short question with a 22-million-parameter model; numpy and the Rust ``tokenizers`` package
import in a fraction of a second and compute the same vectors (float32, the same operations in
the same order up to BLAS rounding; a test checks cosine ≥ 0.9999 against the transformers model).
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf, and BERT's GELU is the exact
# erf form; importing scipy for one function would cost more than the whole encoder.
_P = np.float32(0.3275911)
_A = tuple(np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))
log = logging.getLogger(__name__)


def _gelu(x: np.ndarray) -> np.ndarray:
    # |x|/√2 is capped at 5 (erf(5) is 1 in float32): beyond it exp(-z²) is a denormal number, and
    # arithmetic on denormals is ~100× slower on x86 — it once took half the encoder's time.
    z = np.minimum(np.abs(x) * np.float32(0.7071067811865476), np.float32(5.0))
    t = np.float32(1.0) / (np.float32(1.0) + _P * z)
    a1, a2, a3, a4, a5 = _A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    erf = np.copysign(np.float32(1.0) - poly, x)
    erf += np.float32(1.0)
    erf *= x
    erf *= np.float32(0.5)
    return erf


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    return centred / np.sqrt(var + np.float32(eps)) * weight + bias


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3 * hidden): query, key and value in one product
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class NumpyBert:
    """The BERT encoder of a sentence-transformers folder (absolute positions, GELU, post-norm)."""

    def __init__(self, model_path: str | Path):
        path = Path(model_path)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") != "bert" or config.get("hidden_act", "gelu") != "gelu" or \
                config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{path} is not a BERT model this encoder runs (model_type "
                             f"{config.get('model_type')!r}); set AIACT_EMBED_MODEL to a MiniLM/BERT folder")
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self._count = int(config["num_hidden_layers"])
        # The file mapped, not read: the embedding tables stay views of it (a question touches a
        # few rows of the 47 MB word table), and the layers are made from it only when numpy runs
        # them (a build, or no onnxruntime graph) — see index/mapped.py. Values are the same bytes.
        try:
            from aiact.index.mapped import mapped_tensors

            self._weights = mapped_tensors(path / "model.safetensors")
        except (OSError, ValueError) as exc:
            from safetensors.numpy import load_file

            log.debug("reading %s whole (%s)", path / "model.safetensors", exc)
            self._weights = load_file(str(path / "model.safetensors"))
        self._prefix = "bert." if "bert.embeddings.word_embeddings.weight" in self._weights else ""
        self.word = self._get("embeddings.word_embeddings.weight")
        self.position = self._get("embeddings.position_embeddings.weight")
        self.token_type = self._get("embeddings.token_type_embeddings.weight")
        self.emb_ln = (self._get("embeddings.LayerNorm.weight"), self._get("embeddings.LayerNorm.bias"))
        self._layers: list[_Layer] | None = None
        self._layers_lock = threading.Lock()

    def _get(self, name: str) -> np.ndarray:
        return np.ascontiguousarray(self._weights[self._prefix + name], dtype=np.float32)

    @property
    def layers(self) -> list[_Layer]:
        """The six layers' weights, laid out for numpy's products (made on first use)."""
        if self._layers is None:
            with self._layers_lock:
                if self._layers is None:
                    self._layers = [self._layer(i) for i in range(self._count)]
        return self._layers

    def _layer(self, i: int) -> _Layer:
        get = self._get
        p = f"encoder.layer.{i}."
        att = p + "attention.self."
        return _Layer(
            qkv_w=np.ascontiguousarray(np.concatenate(
                [get(att + n + ".weight") for n in ("query", "key", "value")]).T),
            qkv_b=np.concatenate([get(att + n + ".bias") for n in ("query", "key", "value")]),
            out_w=np.ascontiguousarray(get(p + "attention.output.dense.weight").T),
            out_b=get(p + "attention.output.dense.bias"),
            ln1_w=get(p + "attention.output.LayerNorm.weight"),
            ln1_b=get(p + "attention.output.LayerNorm.bias"),
            up_w=np.ascontiguousarray(get(p + "intermediate.dense.weight").T),
            up_b=get(p + "intermediate.dense.bias"),
            down_w=np.ascontiguousarray(get(p + "output.dense.weight").T),
            down_b=get(p + "output.dense.bias"),
            ln2_w=get(p + "output.LayerNorm.weight"),
            ln2_b=get(p + "output.LayerNorm.bias"),
        )

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, length, hidden) of padded token ids with their mask."""
        batch, length = ids.shape
        x = self.word[ids] + self.position[:length][None] + self.token_type[0]
        x = _layer_norm(x, *self.emb_ln, self.eps).reshape(batch * length, self.hidden)
        heads, size = self.heads, self.hidden // self.heads
        scale = np.float32(1.0 / np.sqrt(size))
        # Padding gets a large negative score, as transformers' finfo.min mask does.
        bias = np.where(mask[:, None, None, :] > 0, np.float32(0.0), np.float32(-1e30)).astype(np.float32)
        for layer in self.layers:
            qkv = x @ layer.qkv_w + layer.qkv_b
            qkv = qkv.reshape(batch, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0] * scale, qkv[1], qkv[2]
            scores = q @ k.transpose(0, 1, 3, 2) + bias
            scores -= scores.max(-1, keepdims=True)
            # Padding's -1e30 and scores far below the row's best would make denormal numbers
            # (slow); from -80 on, exp() is under 2e-35 of the best: nothing next to it.
            np.maximum(scores, np.float32(-80.0), out=scores)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
            x = _layer_norm(context @ layer.out_w + layer.out_b + x, layer.ln1_w, layer.ln1_b, self.eps)
            up = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(up @ layer.down_w + layer.down_b + x, layer.ln2_w, layer.ln2_b, self.eps)
        return x.reshape(batch, length, self.hidden)

    def sentence_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        hidden = self.hidden_states(ids, mask)
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), np.float32(1e-9))
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norm, np.float32(1e-12))


def single_threaded_blas() -> None:
    """BLAS on one thread per caller. A question is a few tiny products that lose far more to
    waking BLAS threads than they gain (on a busy 2-core machine, ~250 ms instead of ~15 ms per
    query); passages are parallelised by batches instead, one BLAS thread each."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency; the encoder still works
        return
    threadpool_limits(1, user_api="blas")


class NumpyEmbedder:
    """The package's MiniLM on numpy + ``tokenizers``: the default embedder, for questions and
    passages alike (so they share one vector space). Safe to share between threads. Sets the
    process's BLAS to one thread (see :func:`single_threaded_blas`)."""

    max_length = 256
    batch_tokens = 512
    # The question session's threads and whether its pool spins (see _open_question_encoder).
    question_threads = 1
    question_spinning = False
    # Passages through that session too (False: numpy's products, as builds before 2026-12-03 did;
    # benchmarks/build_ab.py compares the two).
    passages_in_session = True
    # Which float32 graph that session runs: "float32-fused" (onnxruntime's fused BERT operators:
    # ~0.3 ms less a question, passages no faster; round 8) or "float32" (one ONNX operator per
    # numpy step, as before). Both give the same vectors to float32 rounding.
    question_graph = "float32-fused"

    def __init__(self, model_path: str, batch_size: int = 32, threads: int | None = None,
                 graph_dir: Path | str | None = None):
        import os

        from tokenizers import Tokenizer

        from aiact.index.embed import _model_digest

        self.name = f"minilm-numpy:{_model_digest(model_path)}"
        path = Path(model_path)
        # tokenizer.json carries a fixed 128-token padding and truncation; the model's window is
        # 256 wordpieces, as sentence-transformers and the reference embedder truncate.
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_length)
        self._counter = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()
        self._bert = NumpyBert(path)
        single_threaded_blas()
        self.batch_size = batch_size
        self.threads = threads or min(4, os.cpu_count() or 1)
        self._graph_dir = Path(graph_dir) if graph_dir is not None else None
        self._questions: object | None = None  # the encoder of questions, opened on the first one
        self._questions_lock = threading.Lock()

    @staticmethod
    def _pad(encodings: list) -> tuple[np.ndarray, np.ndarray]:
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.int64)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = e.ids
            mask[row, :len(e.ids)] = 1
        return ids, mask

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts) if len(texts) > 1 else [self._tokenizer.encode(texts[0])]
        return self._bert.sentence_vectors(*self._pad(encodings))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: list[str], done: Callable[[int], object] | None = None) -> np.ndarray:
        """Vectors of many texts as one float32 matrix, in the order given; ``done(n)`` is told
        as each batch of ``n`` finishes (from worker threads). Batches of similar length waste
        little work on padding; batches run on a few threads (numpy releases the GIL in its
        products and element-wise loops). Each text is tokenised once (in parallel, by Rust).

        The batches run in the same float32 layers as the questions (onnxruntime when a folder for
        its graph is given, see :meth:`_open_question_encoder`): ~25 % less CPU than numpy's
        products, vectors within 3e-7 of numpy's (README "Measured quality and speed")."""
        out = np.zeros((len(texts), self._bert.hidden), dtype=np.float32)
        if not texts:
            return out
        encoder = self._question_encoder() if self.passages_in_session else self._bert
        encodings = self._tokenizer.encode_batch(texts)
        lengths = [len(e.ids) for e in encodings]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        # Batches hold up to ``batch_tokens`` padded tokens: every intermediate array of a layer then
        # stays a few MB (cache-sized, no fresh pages from the OS), which is several times faster
        # in numpy than a few large batches.
        batches: list[list[int]] = []
        for i in order:
            if batches and len(batches[-1]) < self.batch_size and \
                    (len(batches[-1]) + 1) * lengths[i] <= self.batch_tokens:
                batches[-1].append(i)
            else:
                batches.append([i])

        def run(ids: list[int]) -> None:
            out[ids] = encoder.sentence_vectors(*self._pad([encodings[i] for i in ids]))
            if done is not None:
                done(len(ids))

        if self.threads <= 1 or len(batches) == 1:
            for b in batches:
                run(b)
        else:
            with ThreadPoolExecutor(self.threads) as pool:
                list(pool.map(run, batches))
        return out

    def embed_query(self, text: str) -> list[float]:
        encodings = [self._tokenizer.encode(text)]
        return self._question_encoder().sentence_vectors(*self._pad(encodings))[0].tolist()

    def prepare_questions(self) -> None:
        """Open (and, the first time, write) the encoder of questions now rather than on the first
        question: the index build calls it, so a new home's first answer does not pay for it."""
        self._question_encoder()

    def _question_encoder(self):
        if self._questions is None:
            with self._questions_lock:
                if self._questions is None:
                    self._questions = self._open_question_encoder()
        return self._questions

    def _open_question_encoder(self):
        """The same float32 layers run by onnxruntime, when a folder for its graph is given.

        Why: a question is one row of ~20 tokens, where OpenBLAS spends most of its time packing
        the weights of each product again (numpy ~11 ms a question on this machine); onnxruntime
        packs them once when the session opens (~6.5 ms). The operations are the same float32 ones
        (measured: vectors within 3e-7 of numpy's, cosine 0.9999999), so questions still meet the
        passages of an index built in numpy, and the same session embeds a build's passages
        (``embed_array``; its runs are thread-safe, one thread each, no spinning pool). Without the
        folder, or when onnxruntime cannot open the graph, questions and passages stay in numpy."""
        if self._graph_dir is None:
            return self._bert
        try:
            from aiact.index.bert_onnx import OnnxBert, graph_file

            digest = self.name.rsplit(":", 1)[-1]
            graph = graph_file(self._bert, digest, self.question_graph, self._graph_dir)
            try:
                return OnnxBert(self._bert, graph, self.question_threads, self.question_spinning)
            except Exception:  # noqa: BLE001 - a damaged cached graph: written again, once
                graph.unlink(missing_ok=True)
                return OnnxBert(self._bert, graph_file(self._bert, digest, self.question_graph, self._graph_dir),
                                self.question_threads, self.question_spinning)
        except Exception as exc:  # noqa: BLE001 - onnxruntime/onnx errors are untyped; numpy still works
            log.warning("questions are embedded in numpy: the onnxruntime encoder cannot be opened (%s)", exc)
            return self._bert

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=False).ids)
