"""Build the index: idempotent (keyed by a fingerprint), atomic (a new directory, then a switch).

A build writes everything into ``index/.building-<fingerprint>-<pid>`` and only then renames it to
``index/<fingerprint>`` and points ``index/CURRENT`` at it with an atomic replace. A crash or
Ctrl-C leaves at most a stale ``.building-*`` directory, which the next build removes; readers
keep using the build they opened. The previous build is kept for readers still using it.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import IndexBusy, IndexMissing
from assistant.settings import Settings
from aiact.corpus import fingerprint as corpus_fingerprint
from aiact.corpus import load_corpus
from aiact.index.chunk import CHUNKER_VERSION, chunk_provisions
from aiact.index.embed import Embedder
from aiact.index.store import COLLECTION_PREFIX, VECTORS, chroma_client, tokenize_for_bm25

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
KEEP_BUILDS = 2


@dataclass(frozen=True)
class BuildReport:
    """What ``aiact index`` prints at the end."""

    directory: Path
    fingerprint: str
    built: bool  # False when the index was already up to date
    provisions: int
    nodes: int
    documents: dict[str, int]
    seconds: float
    size_bytes: int

    def summary(self) -> str:
        if not self.built:
            return f"Index is up to date ({self.provisions} provisions, {self.nodes} nodes) at {self.directory}"
        docs = ", ".join(f"{n} {d}" for d, n in self.documents.items())
        return (f"Indexed {self.provisions} provisions as {self.nodes} nodes from "
                f"{len(self.documents)} documents in {self.seconds:.1f} s "
                f"({self.size_bytes / 1e6:.1f} MB) at {self.directory}\n  {docs}")


def build_fingerprint(settings: Settings, embedder_name: str) -> str:
    h = hashlib.sha256()
    for part in (corpus_fingerprint(settings.resolved_corpus_dir()), CHUNKER_VERSION, embedder_name,
                 settings.chroma_url or "embedded"):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:20]


def current_build(settings: Settings) -> Path | None:
    """The directory CURRENT points at, if it is a complete build."""
    pointer = settings.index_root / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    directory = settings.index_root / name
    return directory if (directory / "manifest.json").exists() else None


@contextlib.contextmanager
def build_lock(settings: Settings, wait: bool):
    settings.index_root.mkdir(parents=True, exist_ok=True)
    with open(settings.index_root / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise IndexBusy(f"Another process is building the index in {settings.index_root}; "
                            "wait for it to finish, then try again.") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_index(settings: Settings, embedder: Embedder, rebuild: bool = False,
                progress: bool = True, wait: bool = True,
                on_nodes: Callable[[int], None] | None = None) -> BuildReport:
    """Build the index unless an identical one exists (or ``rebuild``)."""
    start = time.perf_counter()
    fp = build_fingerprint(settings, embedder.name)
    with build_lock(settings, wait):
        final = settings.index_root / fp
        current = current_build(settings)
        if not rebuild and (final / "manifest.json").exists():
            if current != final:
                _point_current(settings, fp)
            manifest = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
            return BuildReport(final, fp, False, manifest["provisions"], manifest["nodes"],
                               manifest["documents"], time.perf_counter() - start, _size(final))
        _remove_stale(settings)
        work = settings.index_root / f".building-{fp}-{os.getpid()}-{time.time_ns()}"
        work.mkdir(parents=True)
        try:
            manifest = _write_build(work, fp, settings, embedder, progress, on_nodes)
            if final.exists():
                # A forced rebuild of the same fingerprint: move the old one aside first.
                old = settings.index_root / f".old-{fp}-{os.getpid()}-{time.time_ns()}"
                final.rename(old)
            work.rename(final)
            _point_current(settings, fp)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        _prune(settings, keep={fp, current.name if current else ""})
        return BuildReport(final, fp, True, manifest["provisions"], manifest["nodes"],
                           manifest["documents"], time.perf_counter() - start, _size(final))


def _write_build(work: Path, fp: str, settings: Settings, embedder: Embedder, progress: bool,
                 on_nodes: Callable[[int], None] | None) -> dict:
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore
    from tqdm import tqdm

    provisions = load_corpus(settings.resolved_corpus_dir())
    if not provisions:
        raise IndexMissing(f"No documents found in {settings.resolved_corpus_dir()}; "
                           "check AIACT_CORPUS or restore corpus/.")
    chunks = chunk_provisions(provisions, embedder.count_tokens)
    if on_nodes:
        on_nodes(len(chunks))

    (work / "provisions.json").write_text(json.dumps(
        [{"id": p.id, "provision": p.to_dict()} for p in provisions], ensure_ascii=False), encoding="utf-8")
    (work / "nodes.json").write_text(json.dumps(
        [{"id": c.id, "provision_id": c.provision_id, "text": c.text} for c in chunks],
        ensure_ascii=False), encoding="utf-8")

    import bm25s

    retriever = bm25s.BM25()
    retriever.index(tokenize_for_bm25([c.embed_text for c in chunks]), show_progress=False)
    retriever.save(str(work / "bm25"))

    collection_name = f"{COLLECTION_PREFIX}-{fp}"
    client = chroma_client(None if settings.chroma_url else work / "chroma", settings.chroma_url)
    building_name = f"{collection_name}-building-{os.getpid()}"
    with contextlib.suppress(Exception):
        client.delete_collection(building_name)
    collection = client.create_collection(building_name, metadata={"hnsw:space": "cosine"})
    store = ChromaVectorStore(chroma_collection=collection)
    batch = settings.embed_batch_size * 4
    # Nodes go through the model shortest first, so each batch pads little; the vectors land in
    # node order in one matrix, saved beside Chroma for exact search without chromadb.
    order = sorted(range(len(chunks)), key=lambda i: len(chunks[i].embed_text))
    matrix = None
    bar = tqdm(total=len(chunks), desc="Embedding provisions", unit="node", disable=not progress)
    try:
        for start in range(0, len(order), batch):
            ids = order[start:start + batch]
            part = [chunks[i] for i in ids]
            vectors = _embed(embedder, [c.embed_text for c in part])
            if matrix is None:
                matrix = np.zeros((len(chunks), vectors.shape[1]), dtype=np.float32)
            matrix[ids] = vectors
            store.add([TextNode(id_=c.id, text=c.text, metadata=c.metadata, embedding=v)
                       for c, v in zip(part, vectors.tolist())])
            bar.update(len(part))
    finally:
        bar.close()
    if matrix is not None and not settings.chroma_url:
        # Saved as Chroma hands them back (it renormalises, within a float32 ulp), so exact
        # search over the file and HNSW search through Chroma see the very same vectors.
        np.save(work / VECTORS, _read_back(collection, [c.id for c in chunks], matrix))
    if settings.chroma_url:
        with contextlib.suppress(Exception):
            client.delete_collection(collection_name)
    collection.modify(name=collection_name)
    # Release the store before the directory is renamed: Chroma caches clients by path.
    close = getattr(client, "close", None)
    if callable(close):
        close()

    documents: dict[str, int] = {}
    for p in provisions:
        documents[p.document] = documents.get(p.document, 0) + 1
    manifest = {
        "fingerprint": fp,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "provisions": len(provisions),
        "nodes": len(chunks),
        "documents": documents,
        "embedder": embedder.name,
        "chunker": CHUNKER_VERSION,
        "collection": collection_name,
        "chroma_url": settings.chroma_url,
    }
    # The manifest is written last: a directory without it is not a build.
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _embed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    embed_array = getattr(embedder, "embed_array", None)  # the numpy encoder's float32 fast path
    if callable(embed_array):
        return embed_array(texts)
    return np.asarray(embedder.embed_documents(texts), dtype=np.float32)


def _read_back(collection, ids: list[str], matrix: np.ndarray) -> np.ndarray:
    out = np.empty_like(matrix)
    for start in range(0, len(ids), 5000):  # Chroma caps one request's size
        got = collection.get(ids=ids[start:start + 5000], include=["embeddings"])
        row = {nid: start + i for i, nid in enumerate(ids[start:start + 5000])}
        if len(got["ids"]) != len(row):
            raise RuntimeError(f"Chroma returned {len(got['ids'])} of {len(row)} vectors just written")
        for nid, vec in zip(got["ids"], got["embeddings"]):
            out[row[nid]] = vec
    return out


def _point_current(settings: Settings, name: str) -> None:
    tmp = settings.index_root / f".{CURRENT}.{os.getpid()}"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, settings.index_root / CURRENT)


def _remove_stale(settings: Settings) -> None:
    for d in settings.index_root.glob(".building-*"):
        shutil.rmtree(d, ignore_errors=True)
    for d in settings.index_root.glob(".old-*"):
        shutil.rmtree(d, ignore_errors=True)


def _prune(settings: Settings, keep: set[str]) -> None:
    builds = sorted((d for d in settings.index_root.iterdir()
                     if d.is_dir() and not d.name.startswith(".") and d.name not in keep),
                    key=lambda d: d.stat().st_mtime, reverse=True)
    for d in builds[max(0, KEEP_BUILDS - len(keep)):]:
        shutil.rmtree(d, ignore_errors=True)


def _size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
