"""The same MiniLM encoder as :mod:`aiact.index.bert_numpy`, run by onnxruntime, in float32 or
with int8 products (int8 weights with one scale per output channel, uint8 inputs with one scale
per token: :func:`_int8_dense`).

The ONNX graph is written here from the package's ``model.safetensors`` with the ``onnx`` helper
(no torch, no hub): only the six transformer layers; the embedding lookup, its LayerNorm, mean
pooling and normalisation stay in numpy (cheap, and shared with the numpy encoder). The graph is
cached next to the indexes (``<AIACT_HOME>/models``), keyed by the weights' digest and variant, so
a cold ``aiact ask`` loads it instead of writing it again. Questions and passages go through the
same session, so their vectors share one space.

Why opt-in (``AIACT_EMBED_BACKEND``): measured on the eval suite, see README "Embedding backends"
and benchmarks/results/2026-12-02-issue-13-int8-token.json.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np

from aiact.index.bert_numpy import NumpyBert, NumpyEmbedder, _layer_norm

VARIANTS = ("float32", "float32-fused", "int8")
# The name a variant's graph and vectors go by (cache file, embedder name, so the index
# fingerprint): "int8-token" is the per-token graph; the earlier onnxruntime dynamic quantisation
# (one scale per tensor, "int8") made other vectors, and neither its cached graph nor its index
# may be taken for this one.
TAGS = {"float32": "float32", "float32-fused": "float32-fused", "int8": "int8-token"}
# All six weight products of every layer: measured on 633 index passages, int8 everywhere with a
# scale per token is cosine min 0.998 / mean 0.999 to float32 (the feed-forward pair alone: 0.999 /
# 0.9995 for 25 % more CPU); see benchmarks/results/2026-12-02-issue-13-int8-token.json.
INT8_PRODUCTS = frozenset({"q", "k", "v", "out", "up", "down"})
log = logging.getLogger(__name__)


def _graph(bert: NumpyBert, int8: frozenset[str] = frozenset()):
    """The encoder layers as an ONNX model: inputs ``x`` (batch, length, hidden: embedded tokens
    after their LayerNorm) and ``bias`` (batch, 1, 1, length: 0 for tokens, -1e30 for padding).

    The weight products named in ``int8`` (``q``, ``k``, ``v``, ``out``, ``up``, ``down``, or
    ``l<i>_<name>`` for one layer) run in int8 with one scale per token: each token's input row is
    quantised to uint8 over its own range (``MatMulInteger`` against int8 weights with one scale per
    output channel, int32 sums, then back to float32). A scale per token keeps one long or unusual
    passage from coarsening every other token of its batch, which onnxruntime's dynamic
    quantisation (one scale per tensor) does; see :func:`_int8_dense`."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    heads, size, hidden = bert.heads, bert.hidden // bert.heads, bert.hidden
    inits: list = []
    nodes: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    split = const("split_heads", np.array([0, 0, heads, size], dtype=np.int64))
    merge = const("merge_heads", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(size), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    one = const("one", np.array(1.0, dtype=np.float32))
    root2 = const("root2", np.array(np.sqrt(2.0), dtype=np.float32))
    quantised: dict[str, tuple[str, str, str]] = {}  # an input's uint8 rows, scale and minimum, made once
    x = "x"
    for i, layer in enumerate(bert.layers):
        p = f"l{i}_"

        def dense(inp: str, w: np.ndarray, b: np.ndarray, name: str) -> str:
            if name in int8 or p + name in int8:
                return _int8_dense(inp, w, b, p + name, const, node, quantised)
            mm = node("MatMul", [inp, const(p + name + "_w", np.ascontiguousarray(w))], p + name + "_mm")
            return node("Add", [mm, const(p + name + "_b", b)], p + name)

        qkv = []
        for j, part in enumerate(("q", "k", "v")):
            cols = slice(j * hidden, (j + 1) * hidden)
            d = dense(x, layer.qkv_w[:, cols], layer.qkv_b[cols], part)
            r = node("Reshape", [d, split], p + part + "_heads")
            perm = [0, 2, 3, 1] if part == "k" else [0, 2, 1, 3]
            qkv.append(node("Transpose", [r], p + part + "_t", perm=perm))
        q = node("Mul", [qkv[0], scale], p + "q_scaled")
        scores = node("MatMul", [q, qkv[1]], p + "scores")
        scores = node("Add", [scores, "bias"], p + "scores_masked")
        probs = node("Softmax", [scores], p + "probs", axis=-1)
        ctx = node("MatMul", [probs, qkv[2]], p + "ctx")
        ctx = node("Transpose", [ctx], p + "ctx_t", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, merge], p + "ctx_merged")
        att = dense(ctx, layer.out_w, layer.out_b, "out")
        res = node("Add", [att, x], p + "res1")
        x1 = node("LayerNormalization", [res, const(p + "ln1_w", layer.ln1_w), const(p + "ln1_b", layer.ln1_b)],
                  p + "ln1", axis=-1, epsilon=bert.eps)
        up = dense(x1, layer.up_w, layer.up_b, "up")
        # GELU, erf form: x * 0.5 * (1 + erf(x / √2)); onnxruntime fuses the pattern.
        e = node("Erf", [node("Div", [up, root2], p + "up_div")], p + "erf")
        g = node("Mul", [node("Mul", [up, node("Add", [e, one], p + "erf1")], p + "gelu_x"), half], p + "gelu")
        down = dense(g, layer.down_w, layer.down_b, "down")
        res2 = node("Add", [down, x1], p + "res2")
        x = node("LayerNormalization", [res2, const(p + "ln2_w", layer.ln2_w), const(p + "ln2_b", layer.ln2_b)],
                 p + "ln2", axis=-1, epsilon=bert.eps)
    nodes[-1].output[0] = "hidden"
    graph = helper.make_graph(
        nodes, "minilm_encoder",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "length", hidden]),
         helper.make_tensor_value_info("bias", TensorProto.FLOAT, ["batch", 1, 1, "length"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", hidden])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="aiact")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _fused_graph(bert: NumpyBert):
    """The same float32 layers in onnxruntime's fused BERT operators (``com.microsoft``):
    ``Attention`` (query, key and value in one product, the heads' scores, softmax and context in
    one kernel, no reshapes or transposes between them), ``SkipLayerNormalization`` (residual, bias
    and LayerNorm) and ``BiasGelu`` (the exact erf form). Inputs ``x`` as in :func:`_graph` and
    ``mask`` (batch, length: int32, 1 for tokens, 0 for padding; a padded key's score gets -1e30, as
    :func:`_graph`'s ``bias`` gives it).

    Why: :func:`_graph` leaves onnxruntime three query/key/value products and four transposes a
    layer, which its optimiser does not fuse into ``Attention`` (it fuses the LayerNorms and GELU
    itself). Measured alternately (README "Round 8 of issue 13"): a question ~0.3 ms faster (6.8
    against 7.1 ms, median of 6 rounds); passages no faster (17.3 against 17.8 CPU-s on 475
    passages, 4 rounds: the products dominate); vectors within 2.2e-7 of :func:`_graph`'s and every
    ``aiact eval`` record identical."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits: list = []
    nodes: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs) -> str:
        nodes.append(helper.make_node(op, inputs, [out], name=out, domain="com.microsoft", **attrs))
        return out

    def matmul(inp: str, w: np.ndarray, name: str) -> str:
        nodes.append(helper.make_node("MatMul", [inp, const(name + "_w", w)], [name], name=name))
        return name

    x = "x"
    for i, layer in enumerate(bert.layers):
        p = f"l{i}_"
        ctx = node("Attention", [x, const(p + "qkv_w", layer.qkv_w), const(p + "qkv_b", layer.qkv_b), "mask"],
                   p + "ctx", num_heads=bert.heads, mask_filter_value=-1e30)
        x1 = node("SkipLayerNormalization", [matmul(ctx, layer.out_w, p + "out"), x, const(p + "ln1_w", layer.ln1_w),
                                             const(p + "ln1_b", layer.ln1_b), const(p + "out_b", layer.out_b)],
                  p + "ln1", epsilon=bert.eps)
        g = node("BiasGelu", [matmul(x1, layer.up_w, p + "up"), const(p + "up_b", layer.up_b)], p + "gelu")
        x = node("SkipLayerNormalization", [matmul(g, layer.down_w, p + "down"), x1, const(p + "ln2_w", layer.ln2_w),
                                            const(p + "ln2_b", layer.ln2_b), const(p + "down_b", layer.down_b)],
                 p + "ln2", epsilon=bert.eps)
    nodes[-1].output[0] = "hidden"
    graph = helper.make_graph(
        nodes, "minilm_encoder_fused",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "length", bert.hidden]),
         helper.make_tensor_value_info("mask", TensorProto.INT32, ["batch", "length"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "length", bert.hidden])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
                              producer_name="aiact")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def _int8_dense(inp: str, w: np.ndarray, b: np.ndarray, name: str, const, node,
                quantised: dict[str, tuple[str, str, str]]) -> str:
    """``inp @ w + b`` with int8 weights and per-token uint8 inputs.

    A row x is stored as x ≈ s·q + m (q in 0..255, m its minimum, s its range / 255); the weights
    as W ≈ Q·c (Q int8, c one scale per output column). Then x·W ≈ s·(q·Q)·c + m·Σ_k W_k: the
    integer product runs in onnxruntime's int8 kernels. The minimum's share is taken with the sums
    of the *rounded* weights, Σ_k Q_k·c: then x·W − result = x·(W − Q·c) + (rounding of x)·Q·c, the
    weights' rounding meets the zero-mean x. With the exact float sums it would meet x − m (all
    positive, about half the row's range), and the errors of 384 products would add up instead of
    cancelling (measured: cosine 0.976 instead of 0.999)."""
    from onnx import TensorProto

    if inp not in quantised:
        lo = node("ReduceMin", [inp], inp + "_min", axes=[-1], keepdims=1)
        hi = node("ReduceMax", [inp], inp + "_max", axes=[-1], keepdims=1)
        step = node("Div", [node("Sub", [hi, lo], inp + "_range"), const(inp + "_255", np.array(255.0, np.float32))],
                    inp + "_step0")
        step = node("Max", [step, const(inp + "_tiny", np.array(1e-12, np.float32))], inp + "_step")
        q = node("Round", [node("Div", [node("Sub", [inp, lo], inp + "_shift"), step], inp + "_scaled")], inp + "_round")
        q = node("Cast", [q], inp + "_u8", to=TensorProto.UINT8)
        quantised[inp] = (q, step, lo)
    q, step, lo = quantised[inp]
    col = np.maximum(np.abs(w).max(0), np.float32(1e-12)) / np.float32(127.0)
    wq = np.clip(np.round(w / col), -127, 127).astype(np.int8)
    acc = node("MatMulInteger", [q, const(name + "_wq", np.ascontiguousarray(wq))], name + "_mmi")
    acc = node("Cast", [acc], name + "_acc", to=TensorProto.FLOAT)
    y = node("Mul", [acc, node("Mul", [step, const(name + "_col", col.astype(np.float32))], name + "_scale")],
             name + "_deq")
    colsum = (wq.astype(np.float32) * col).sum(0)  # of the int8 weights: see the docstring
    y = node("Add", [y, node("Mul", [lo, const(name + "_colsum", colsum.astype(np.float32))], name + "_shiftw")],
             name + "_unshift")
    return node("Add", [y, const(name + "_b", b)], name)


def graph_file(bert: NumpyBert, digest: str, variant: str, cache_dir: Path) -> Path:
    """The cached graph of this model and variant, written (atomically) if missing."""
    if variant not in VARIANTS:
        raise ValueError(f"ONNX variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    target = cache_dir / f"minilm-{digest}-{TAGS[variant]}.onnx"
    if target.is_file():
        return target
    import onnx

    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    model = _fused_graph(bert) if variant == "float32-fused" else \
        _graph(bert, INT8_PRODUCTS if variant == "int8" else frozenset())
    onnx.save(model, str(tmp))
    tmp.replace(target)
    return target


def session_options(threads: int = 1, spinning: bool = False):
    """onnxruntime's options for one encoder session: ``threads`` for each run's products (the
    caller's thread is one of them), nodes one after another, graph optimisation ``ALL``.

    ``spinning`` off: between runs (and between a run's products) a pool thread would otherwise
    spin on its core waiting for work, and on a shared 2-core machine that spinning competes with
    the thread that is answering; measured in benchmarks/results/2026-12-03-issue-13-r7.json."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    flag = "1" if spinning else "0"
    opts.add_session_config_entry("session.intra_op.allow_spinning", flag)
    opts.add_session_config_entry("session.inter_op.allow_spinning", flag)
    return opts


class OnnxBert:
    """``sentence_vectors`` of :class:`NumpyBert`, with the layers run by onnxruntime."""

    def __init__(self, bert: NumpyBert, graph: Path, threads: int = 1, spinning: bool = False):
        import onnxruntime as ort

        self._bert = bert
        self.hidden = bert.hidden
        self._session = ort.InferenceSession(str(graph), session_options(threads, spinning),
                                             providers=["CPUExecutionProvider"])
        # The fused graph takes the padding mask itself; the plain one an additive bias.
        self._fused = "mask" in {i.name for i in self._session.get_inputs()}

    def sentence_vectors(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b = self._bert
        batch, length = ids.shape
        x = b.word[ids] + b.position[:length][None] + b.token_type[0]
        x = _layer_norm(x, *b.emb_ln, b.eps).astype(np.float32)
        if self._fused:
            feed = {"x": x, "mask": mask.astype(np.int32)}
        else:
            feed = {"x": x, "bias": np.where(mask[:, None, None, :] > 0, np.float32(0.0),
                                             np.float32(-1e30)).astype(np.float32)}
        hidden = self._session.run(["hidden"], feed)[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), np.float32(1e-9))
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norm, np.float32(1e-12))


class OnnxEmbedder(NumpyEmbedder):
    """:class:`NumpyEmbedder`'s tokenising and batching, with the encoder in onnxruntime."""

    def __init__(self, model_path: str, batch_size: int = 32, threads: int | None = None,
                 variant: str = "int8", cache_dir: Path | None = None):
        super().__init__(model_path, batch_size, threads)
        from aiact.index.embed import _model_digest

        digest = _model_digest(model_path)
        if cache_dir is None:
            from assistant.settings import default_home

            cache_dir = Path(os.environ.get("AIACT_HOME") or default_home()).expanduser() / "models"
        self.name = f"minilm-onnx-{TAGS.get(variant, variant)}:{digest}"
        graph = graph_file(self._bert, digest, variant, cache_dir)
        try:
            self._bert = OnnxBert(self._bert, graph)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own untyped errors
            # A damaged cached graph (truncated, overwritten) is written again, once.
            log.warning("cached ONNX graph %s cannot be loaded (%s); writing it again", graph, exc)
            graph.unlink(missing_ok=True)
            self._bert = OnnxBert(self._bert, graph_file(self._bert, digest, variant, cache_dir))
