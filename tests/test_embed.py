"""The numpy encoder against the transformers reference, and a question path without torch,
transformers or chromadb: the real model in the slow tests, the mini corpus in the fast ones."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from aiact.index.bert_numpy import _gelu
from aiact.index.build import build_index
from aiact.index.store import VECTORS, IndexStore
from tests.conftest import MINI_CORPUS, ROOT, TODAY, real_home

# What a cold question must not import: seconds of start-up each, and none is needed to answer.
HEAVY = ("torch", "transformers", "sentence_transformers", "chromadb", "llama_index", "gradio")

SENTENCES = [
    "When do the prohibitions apply?",
    "What is a deployer?",
    "Is an AI tool that screens CVs for recruiters high-risk?",
    "Do I have to tell users they are talking to a chatbot?",
    "x",
    "Ünïcödé, punctuation — and numbers: 2024/1689, 35 000 000 EUR, 7 %.",
    "Emotion recognition systems in the workplace " * 60,  # beyond the 256-wordpiece window
]


def test_gelu_matches_the_erf_form():
    x = np.linspace(-8, 8, 4001, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(np.float64)])
    assert np.max(np.abs(_gelu(x) - exact)) < 1e-6


def _fresh_process(code: str, home) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON line last."""
    env = {**os.environ, "AIACT_HOME": str(home), "AIACT_TODAY": TODAY.isoformat()}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_question_path_reads_vectors_without_chroma(mini_settings, hash_embedder):
    build_index(mini_settings, hash_embedder, progress=False)
    got = _fresh_process(f"""
        import json, sys
        from pathlib import Path
        from assistant import Assistant, Settings
        from aiact.index.embed import HashEmbedder
        s = Settings(home=Path({str(mini_settings.home)!r}), corpus_dir=Path({str(MINI_CORPUS)!r}),
                     min_score=0.0, min_coverage=0.0)
        answer = Assistant(s, embedder=HashEmbedder(), build=False, progress=False).ask("What is a deployer?")
        print(json.dumps({{"heavy": [m for m in {HEAVY!r} if m in sys.modules],
                          "citations": len(answer.citations)}}))
    """, mini_settings.home)
    assert got["citations"] and got["heavy"] == []


def test_stored_vectors_are_the_ones_in_chroma(mini_settings, hash_embedder):
    report = build_index(mini_settings, hash_embedder, progress=False)
    store = IndexStore(report.directory)
    stored = np.load(report.directory / VECTORS)
    got = store.collection.get(ids=store.node_ids, include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"]))
    assert stored.shape == (len(store.node_ids), hash_embedder.dim)
    assert np.array_equal(stored, np.array([by_id[i] for i in store.node_ids], dtype=np.float32))


def test_damaged_vectors_are_reported(mini_settings, hash_embedder):
    from assistant import Assistant
    from assistant.errors import IndexMissing

    report = build_index(mini_settings, hash_embedder, progress=False)
    np.save(report.directory / VECTORS, np.zeros((3, 2), dtype=np.float32))
    with pytest.raises(IndexMissing, match="aiact index --rebuild"):
        Assistant(mini_settings, embedder=hash_embedder, build=False)


@pytest.mark.slow
def test_numpy_encoder_matches_the_transformers_model(real_assistant):
    from aiact.index.bert_numpy import NumpyEmbedder
    from aiact.index.embed import LocalEmbedder

    path = real_assistant.settings.resolved_model()
    mine, reference = NumpyEmbedder(path, batch_size=4), LocalEmbedder(path)
    store = real_assistant.store
    step = max(1, len(store.node_text) // 60)
    passages = store.node_text[::step] + SENTENCES
    a = mine.embed_array(passages)
    b = np.asarray(reference.embed_documents(passages), dtype=np.float32)
    assert (a * b).sum(1).min() >= 0.9999
    for text in SENTENCES:
        assert float(np.dot(mine.embed_query(text), reference.embed_query(text))) >= 0.9999
        assert mine.count_tokens(text) == reference.count_tokens(text)
    for text in passages[:20]:
        assert mine.count_tokens(text) == reference.count_tokens(text)


# Cosine to the transformers model below which an onnxruntime encoder fails. float32 computes the
# same vectors (measured min 0.9999998 on 633 passages). int8 (weights with one scale per output
# channel, inputs with one scale per token) moves them a little: measured to the float32 vectors,
# min 0.998 / mean 0.999 on 633 index passages, min 0.995 on this test's one-letter sentence "x";
# hence min 0.993 and mean 0.998. (onnxruntime's own dynamic quantisation, one scale per tensor,
# measured min 0.986 / mean 0.994 and dropped passage hits: benchmarks/results/.)
ONNX_TOLERANCE = {"onnx": (0.9999, 0.9999), "onnx-int8": (0.993, 0.998)}  # (min, mean)


@pytest.mark.slow
@pytest.mark.parametrize("backend", sorted(ONNX_TOLERANCE))
def test_onnx_encoders_match_the_transformers_model(real_assistant, backend, tmp_path):
    from aiact.index.bert_onnx import OnnxEmbedder
    from aiact.index.embed import LocalEmbedder

    path = real_assistant.settings.resolved_model()
    variant = "int8" if backend == "onnx-int8" else "float32"
    mine = OnnxEmbedder(path, batch_size=4, variant=variant, cache_dir=tmp_path)
    assert list(tmp_path.glob("*.onnx")), "the graph is cached for the next process"
    reference = LocalEmbedder(path)
    store = real_assistant.store
    passages = store.node_text[::max(1, len(store.node_text) // 60)] + SENTENCES
    cos = (mine.embed_array(passages) * np.asarray(reference.embed_documents(passages), np.float32)).sum(1)
    low, mean = ONNX_TOLERANCE[backend]
    assert cos.min() >= low and cos.mean() >= mean, (cos.min(), cos.mean())
    for text in SENTENCES:
        assert float(np.dot(mine.embed_query(text), reference.embed_query(text))) >= low
    # A second encoder reads the cached graph and gives the same vectors (query and passages of
    # one index must share one space).
    again = OnnxEmbedder(path, batch_size=4, variant=variant, cache_dir=tmp_path)
    assert np.allclose(again.embed_array(SENTENCES), mine.embed_array(SENTENCES), atol=1e-5)


def test_int8_products_keep_each_tokens_precision():
    """One int8 product of the graph against float32, on rows with an offset, a loud token and a
    token with one outlier channel: each token is rounded on its own range (one scale per tensor
    would coarsen every row to the loud token's), and the rows' minimum cancels exactly (with float
    column sums the weights' rounding adds up over the 384 inputs: median error 1.8 %)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    from aiact.index.bert_onnx import _int8_dense

    rng = np.random.default_rng(1)
    k, o = 384, 256
    inits, nodes = [], []

    def const(name, value):
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op, inputs, out, **attrs):
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    w = (rng.standard_normal((k, o)) * 0.05).astype(np.float32)
    b = rng.standard_normal(o).astype(np.float32)
    y = _int8_dense("x", w, b, "d", const, node, {})
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, None, k])],
                              [helper.make_tensor_value_info(y, TensorProto.FLOAT, None)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    x = (rng.standard_normal((3, 7, k)) + 0.5).astype(np.float32)
    x[0, 0] *= 40
    x[1, 2, 5] = 30
    exact = x @ w + b
    error = np.linalg.norm(session.run(None, {"x": x})[0] - exact, axis=-1) / np.linalg.norm(exact, axis=-1)
    assert error.max() < 0.03 and np.median(error) < 0.012, (error.max(), np.median(error))


def test_an_int8_vector_does_not_depend_on_its_batch(tmp_path):
    """A passage gets the same int8 vector alone (as a question is embedded) and in a build batch
    beside a long, unusual text: per-token scales, so query and passage vectors share one space."""
    from assistant.settings import default_model_path
    from aiact.index.bert_onnx import OnnxEmbedder

    mine = OnnxEmbedder(default_model_path(), batch_size=8, variant="int8", cache_dir=tmp_path)
    alone = np.asarray([mine.embed_query(t) for t in SENTENCES], dtype=np.float32)
    together = mine.embed_array(SENTENCES)
    assert (alone * together).sum(1).min() >= 0.99999


def test_a_damaged_cached_onnx_graph_is_written_again(tmp_path):
    """Real damage to the real cached file: the next encoder rewrites it and gives the vectors
    the numpy encoder gives."""
    from assistant.settings import default_model_path
    from aiact.index.bert_numpy import NumpyEmbedder
    from aiact.index.bert_onnx import OnnxEmbedder

    path = default_model_path()
    OnnxEmbedder(path, variant="float32", cache_dir=tmp_path)
    (graph,) = tmp_path.glob("*.onnx")
    graph.write_bytes(graph.read_bytes()[:1000])
    again = OnnxEmbedder(path, variant="float32", cache_dir=tmp_path)
    assert graph.stat().st_size > 1_000_000
    text = SENTENCES[2]
    assert float(np.dot(again.embed_query(text), NumpyEmbedder(path).embed_query(text))) >= 0.9999


def test_numpy_questions_run_in_onnxruntime_with_the_same_vectors(tmp_path):
    """The numpy embedder's questions go through the float32 graph (written once into the folder
    given, then read): the same vectors as numpy's own question path, to float32 rounding, and so
    are its passages'. A damaged graph is written again; no folder, no onnxruntime."""
    from assistant.settings import default_model_path
    from aiact.index.bert_numpy import NumpyBert, NumpyEmbedder
    from aiact.index.bert_onnx import OnnxBert

    path = default_model_path()
    plain, fast = NumpyEmbedder(path), NumpyEmbedder(path, graph_dir=tmp_path)
    assert fast.name == plain.name, "the same index fingerprint: passages are embedded as before"
    for text in SENTENCES:
        a, b = np.asarray(plain.embed_query(text)), np.asarray(fast.embed_query(text))
        assert float(np.dot(a, b)) >= 0.999999 and np.abs(a - b).max() < 1e-5
    assert isinstance(fast._question_encoder(), OnnxBert)
    assert isinstance(plain._question_encoder(), NumpyBert)
    # Passages go through the same session (the build's ~25 % less CPU): numpy's vectors to
    # float32 rounding, so an index built in numpy keeps its fingerprint and its answers.
    assert np.abs(fast.embed_array(SENTENCES) - plain.embed_array(SENTENCES)).max() < 1e-6
    (graph,) = tmp_path.glob("*float32-fused.onnx")
    graph.write_bytes(graph.read_bytes()[:1000])
    again = NumpyEmbedder(path, graph_dir=tmp_path)
    assert float(np.dot(again.embed_query(SENTENCES[0]), plain.embed_query(SENTENCES[0]))) >= 0.999999
    assert graph.stat().st_size > 1_000_000


def test_the_fused_graph_computes_the_plain_graphs_vectors(tmp_path):
    """onnxruntime's fused BERT operators (the question session's graph since round 8) against the
    graph of one operator per numpy step, in one batch with padding (a one-letter text beside one
    cut at the 256-wordpiece window) and alone: the same vectors to float32 rounding, so an index
    built with either graph answers questions embedded with the other."""
    from assistant.settings import default_model_path
    from aiact.index.bert_numpy import NumpyEmbedder
    from aiact.index.bert_onnx import OnnxBert, graph_file

    plain = NumpyEmbedder(default_model_path())
    digest = plain.name.rsplit(":", 1)[-1]
    sessions = {v: OnnxBert(plain._bert, graph_file(plain._bert, digest, v, tmp_path))
                for v in ("float32", "float32-fused")}
    assert sessions["float32-fused"]._fused and not sessions["float32"]._fused
    batch = plain._pad(plain._tokenizer.encode_batch(SENTENCES))
    a, b = (s.sentence_vectors(*batch) for s in sessions.values())
    assert np.abs(a - b).max() < 1e-6
    for text in SENTENCES:
        one = plain._pad([plain._tokenizer.encode(text)])
        assert np.abs(sessions["float32"].sentence_vectors(*one) - sessions["float32-fused"].sentence_vectors(*one)).max() < 1e-6


def test_an_unknown_embedding_backend_is_refused_at_start_up(monkeypatch):
    from assistant.errors import SettingsError
    from assistant.settings import Settings

    monkeypatch.setenv("AIACT_EMBED_BACKEND", "cuda")
    with pytest.raises(SettingsError, match="AIACT_EMBED_BACKEND"):
        Settings.from_env()


@pytest.mark.slow
def test_query_vectors_match_the_built_passage_vectors(real_assistant):
    """The build's vectors are the ones the question-path encoder gives for the same text."""
    from aiact.index.chunk import chunk_provisions

    store, embedder = real_assistant.store, real_assistant.embedder
    chunks = chunk_provisions(list(store.provisions.values()), embedder.count_tokens)
    sample = chunks[::max(1, len(chunks) // 25)]
    fresh = np.asarray([embedder.embed_query(c.embed_text) for c in sample], dtype=np.float32)
    stored = store.node_embeddings([store.node_index[c.id] for c in sample])
    assert (fresh * stored).sum(1).min() >= 0.9999


@pytest.mark.slow
def test_a_cold_ask_imports_no_heavy_library(real_assistant):
    got = _fresh_process(f"""
        import contextlib, io, json, sys
        from assistant.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["ask", "When do the prohibitions apply?", "--json"])
        print(json.dumps({{"code": code, "answer": json.loads(out.getvalue()),
                          "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
    """, real_home())
    assert got["code"] == 0 and got["answer"]["citations"]
    assert got["heavy"] == []


def test_the_mapped_weights_are_the_files_tensors(tmp_path):
    """index/mapped.py maps each tensor of the package's safetensors file: the same values as
    safetensors' own reader, read-only; a file that is not one raises (the encoder then reads it
    whole)."""
    from safetensors.numpy import load_file

    from assistant.settings import default_model_path
    from aiact.index.mapped import mapped_tensors

    path = Path(default_model_path()) / "model.safetensors"
    read, mapped = load_file(str(path)), mapped_tensors(path)
    assert sorted(read) == sorted(mapped)
    for name, value in read.items():
        assert mapped[name].dtype == value.dtype and np.array_equal(mapped[name], value), name
        assert not mapped[name].flags.writeable
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes((10**12).to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError):
        mapped_tensors(bad)


def test_questions_from_a_cached_graph_leave_the_layers_unmade(tmp_path):
    """Once the question graph is cached, a process that only asks (the server, ``aiact ask``)
    never makes numpy's copies of the six layers (~42 MB); the vectors are those of a process
    that did."""
    from assistant.settings import default_model_path
    from aiact.index.bert_numpy import NumpyEmbedder

    path = default_model_path()
    first = NumpyEmbedder(path, graph_dir=tmp_path)
    reference = first.embed_query(SENTENCES[0])  # writes the graph: needs the layers
    assert first._bert._layers is not None
    later = NumpyEmbedder(path, graph_dir=tmp_path)
    assert later.embed_query(SENTENCES[0]) == reference
    assert later._bert._layers is None
    assert len(later._bert.layers) == 6  # made when numpy is asked to run them
