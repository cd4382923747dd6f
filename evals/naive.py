"""The naive llama-index baseline the assistant is compared with.

Whole corpus Markdown files as ``Document``s, ``SentenceSplitter`` with its defaults (1024
tokens, overlap 200), a ``VectorStoreIndex`` with the same MiniLM model, top-2 retrieval, no LLM;
the answer is the retrieved text itself. It never abstains and cites nothing. Its index is
persisted under ``AIACT_HOME/naive-<fingerprint>`` so a rerun only loads it.

To compare retrieval, the chunks are mapped back to provisions by text containment: a provision
counts as retrieved when its text (white space normalised) is inside the chunk, its opening is,
or the chunk lies inside it — in order of position in the first chunk, then the second.
"""
from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from aiact.evals.cases import Ref
from aiact.evals.metrics import normalise

TOP_K = 2
MIN_CONTAINED = 40  # shorter provisions ("(a) deleted") match anywhere: ignore them
PROBE = 160  # characters of a provision's opening (or a chunk's middle) that identify it


@dataclass(frozen=True)
class NaiveResult:
    text: str
    ranked: list[Ref]
    seconds: float


def fingerprint(corpus_dir: Path, model_path: str) -> str:
    import llama_index.core

    from aiact.corpus.registry import fingerprint as corpus_fingerprint

    weights = sorted(f"{p.name}:{p.stat().st_size}" for p in Path(model_path).glob("*.safetensors"))
    h = hashlib.sha256()
    for part in (corpus_fingerprint(corpus_dir), *weights, llama_index.core.__version__, f"defaults-top{TOP_K}"):
        h.update(part.encode() + b"\0")
    return h.hexdigest()[:16]


class NaiveBaseline:
    def __init__(self, settings, provisions: dict, progress: bool = False):
        from llama_index.core import Document, StorageContext, VectorStoreIndex, load_index_from_storage
        from llama_index.core import Settings as LlamaSettings
        from llama_index.core.node_parser import SentenceSplitter

        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        from aiact.corpus.registry import corpus_files

        LlamaSettings.llm = None  # no LLM anywhere: retrieval only
        corpus_dir = settings.resolved_corpus_dir()
        model_path = settings.resolved_model()
        # The same packaged MiniLM the assistant uses, through llama-index's own wrapper.
        embed = HuggingFaceEmbedding(model_name=model_path, device="cpu")
        self.directory = settings.home / f"naive-{fingerprint(corpus_dir, model_path)}"
        start = time.perf_counter()
        if (self.directory / "docstore.json").exists():
            storage = StorageContext.from_defaults(persist_dir=str(self.directory))
            index = load_index_from_storage(storage, embed_model=embed)
            self.built = False
        else:
            docs = [Document(text=p.read_text(encoding="utf-8"),
                             metadata={"file_name": str(p.relative_to(corpus_dir))})
                    for p in corpus_files(corpus_dir)]
            index = VectorStoreIndex.from_documents(docs, embed_model=embed, transformations=[SentenceSplitter()],
                                                    show_progress=progress)
            tmp = self.directory.with_name(self.directory.name + ".tmp")
            index.storage_context.persist(persist_dir=str(tmp))
            tmp.rename(self.directory)
            for stale in settings.home.glob("naive-*"):  # earlier corpora or models
                if stale != self.directory:
                    shutil.rmtree(stale, ignore_errors=True)
            self.built = True
        self.open_seconds = time.perf_counter() - start
        self.chunks = len(index.docstore.docs)
        self.retriever = index.as_retriever(similarity_top_k=TOP_K)
        self._provisions = [((p.document, p.reference), normalise(p.text)) for p in provisions.values()
                            if len(normalise(p.text)) >= MIN_CONTAINED]

    def ask(self, question: str) -> NaiveResult:
        start = time.perf_counter()
        nodes = self.retriever.retrieve(question)
        seconds = time.perf_counter() - start
        texts = [n.node.get_content() for n in nodes]
        ranked: list[Ref] = []
        for t in texts:
            for ref in self.provisions_in(t):
                if ref not in ranked:
                    ranked.append(ref)
        return NaiveResult("\n\n".join(texts), ranked, seconds)

    def provisions_in(self, chunk: str) -> list[Ref]:
        """The provisions a chunk holds (whole or in part), in order of position."""
        c = normalise(chunk)
        middle = c[max(0, len(c) // 2 - PROBE // 2):][:PROBE]
        found: list[tuple[int, Ref]] = []
        for ref, text in self._provisions:
            pos = c.find(text if len(text) <= PROBE else text[:PROBE])
            if pos < 0 and len(text) > PROBE and text[-PROBE:] in c:
                pos = 0  # the provision's end opens the chunk
            if pos < 0 and len(text) > len(c) and middle in text:
                pos = 0  # the chunk is a slice of a long provision
            if pos >= 0:
                found.append((pos, ref))
        found.sort(key=lambda x: x[0])
        return [ref for _, ref in found]
