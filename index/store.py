"""A built index on disk: the provisions, a BM25 index and the Chroma collection of their nodes.

Layout of one build (a directory named by its fingerprint)::

    manifest.json     fingerprint, counts, where the vectors are
    provisions.json   every Provision, the source of quotes, titles and urls
    nodes.json        node id → provision id, node text (verbatim slice)
    bm25/             bm25s index over the nodes, in the order of nodes.json
    vectors.npy       the nodes' embeddings (float32, in the order of nodes.json): exact search
                      reads them without importing chromadb
    stems.npz         the content-word stems of the provisions' texts, sentences and headings
                      (aiact.index.stems; older builds lack it and stem as they go)
    patterns.npz      the law data's regular expressions as compiled programs (aiact.index.compiled;
                      older builds lack it and compile each pattern at its first use)
    chroma/           the embedded Chroma store (absent when a Chroma server holds the vectors)
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aiact.corpus.provision import Provision
from aiact.index.chunk import date_key
from aiact.index.compiled import register as register_patterns
from aiact.index.stems import register as register_stems

log = logging.getLogger(__name__)

COLLECTION_PREFIX = "aiact"
STOPWORDS = "en"
VECTORS = "vectors.npy"


def chroma_client(path: Path | None, url: str = ""):
    from assistant.settings import set_offline_env

    set_offline_env()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        m = re.match(r"^(https?)://([^:/]+)(?::(\d+))?", url)
        if not m:
            raise ValueError(f"AIACT_CHROMA_URL must look like http://127.0.0.1:8000, not {url!r}")
        return chromadb.HttpClient(host=m.group(2), port=int(m.group(3) or 8000),
                                   ssl=m.group(1) == "https", settings=settings)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def forget_chroma(path: Path) -> None:
    """Drop Chroma's cached system for ``path``: Chroma hands back the cached client for a path
    it has seen, even after the files under it were damaged or rebuilt."""
    try:
        from chromadb.api.shared_system_client import SharedSystemClient
    except ImportError:
        return
    key = str(path)
    with SharedSystemClient._refcount_lock:
        system = SharedSystemClient._identifier_to_system.pop(key, None)
        SharedSystemClient._identifier_to_refcount.pop(key, None)
    if system is not None:
        try:
            system.stop()
        except Exception:  # noqa: BLE001 - a damaged store may fail to stop; it is dropped anyway
            log.debug("stopping the cached Chroma system for %s failed", key, exc_info=True)


def import_bm25s():
    """bm25s, imported without scipy when scipy is not loaded yet: bm25s tries ``scipy.sparse``
    only for a backend it does not use by default (we use the default, numpy), and importing scipy
    is most of a second of a cold ``aiact ask``."""
    if "bm25s" in sys.modules or "scipy" in sys.modules:
        import bm25s

        return bm25s
    sys.modules["scipy"] = None  # type: ignore[assignment]  # 'import scipy.sparse' raises ImportError
    try:
        import bm25s
    finally:
        del sys.modules["scipy"]
    return bm25s


def tokenize_for_bm25(texts: list[str]):
    import Stemmer

    bm25s = import_bm25s()

    return bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=Stemmer.Stemmer("english"),
                          show_progress=False)


DATE_FROM_2024 = re.compile(r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|"
                            r"September|October|November|December) 20[2-9]\d\b")


def _top(sims: np.ndarray, k: int) -> np.ndarray:
    """``np.argsort(-sims, kind="stable")[:k]`` without sorting every row: the rows at least as
    close as the k-th (ties included, in row order), then those sorted stably — the same rows in
    the same order, a sixth of the time for a question over ~4,000 nodes."""
    neg = -sims
    if k <= 0 or len(neg) <= k:
        return np.argsort(neg, kind="stable")[:max(k, 0)]
    kth = np.partition(neg, k - 1)[k - 1]
    near = np.flatnonzero(neg <= kth)
    return near[np.argsort(neg[near], kind="stable")][:k]


def _states_date(text: str) -> bool:
    return bool(DATE_FROM_2024.search(text)) and not text.lstrip().startswith(("Regulation (", "Directive", "Council"))


def hold(directory: Path):
    """A shared lock on ``directory/.in-use`` for as long as the returned file stays open (it
    closes with the store). A build deletes an old build only if it can lock that file alone."""
    import fcntl

    try:
        fh = open(directory / ".in-use", "a")
        fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return fh
    except OSError:  # a read-only copy: nothing can be pruned from it by us either
        return None


@dataclass
class Hit:
    node_index: int
    score: float


class IndexStore:
    """Read access to one build. Safe to share between threads."""

    def __init__(self, directory: Path, chroma_url: str = "", exact_limit: int = 50_000):
        import Stemmer

        bm25s = import_bm25s()

        self.directory = directory
        self.manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
        register_stems(directory, self.manifest)  # read at the first question, not here
        register_patterns(directory, self.manifest)  # likewise
        raw = json.loads((directory / "provisions.json").read_text(encoding="utf-8"))
        self.provisions: dict[str, Provision] = {d["id"]: Provision.from_dict(d["provision"]) for d in raw}
        nodes = json.loads((directory / "nodes.json").read_text(encoding="utf-8"))
        self.node_ids: list[str] = [n["id"] for n in nodes]
        self.node_provision: list[str] = [n["provision_id"] for n in nodes]
        self.node_text: list[str] = [n["text"] for n in nodes]
        self.node_index = {nid: i for i, nid in enumerate(self.node_ids)}
        self._valid_from = np.array([date_key(self.provisions[p].valid_from) for p in self.node_provision])
        self._valid_to = np.array([date_key(self.provisions[p].valid_to) or 99991231 for p in self.node_provision])
        self._bm25 = bm25s.BM25.load(str(directory / "bm25"))
        self._stemmer = Stemmer.Stemmer("english")
        self._lock = threading.Lock()
        self._embeddings: dict[int, np.ndarray] = {}
        self.exact_limit = exact_limit
        self._matrix: np.ndarray | None = self._stored_vectors(directory)
        self._stating_cache: dict[tuple[str, int], list[int]] = {}
        self._stating: dict[str, list[int]] = {}
        self._vectors_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._stating["date"] = [i for i, pid in enumerate(self.node_provision)
                                 if self.provisions[pid].kind == "binding law" and _states_date(self.node_text[i])]
        url = self.manifest.get("chroma_url") or ""
        if url and chroma_url and url != chroma_url:
            log.warning("index was built on %s, AIACT_CHROMA_URL says %s", url, chroma_url)
        self._chroma_url = url
        self._collection = None
        self._open_lock = threading.Lock()
        self.in_use = hold(directory)  # a build open here is never pruned by another build
        self._vector_store = None
        # Chroma (and its second of imports) is opened only when it must answer: a server holds
        # the vectors, the collection is beyond exact search, or the build has no vectors.npy.
        self.needs_chroma = bool(url or self._matrix is None or len(self.node_ids) > exact_limit)
        if self.needs_chroma:
            _ = self.collection

    def _stored_vectors(self, directory: Path) -> np.ndarray | None:
        if self.manifest.get("chroma_url") or not (directory / VECTORS).exists():
            return None
        matrix = np.load(directory / VECTORS, allow_pickle=False)
        if matrix.dtype != np.float32 or matrix.ndim != 2 or matrix.shape[0] != len(self.node_ids):
            raise ValueError(f"{directory / VECTORS} holds {matrix.dtype} {matrix.shape}, "
                             f"not one float32 vector per node ({len(self.node_ids)})")
        return matrix

    @property
    def collection(self):
        """The Chroma collection of this build, opened on first use."""
        if self._collection is None:
            with self._open_lock:
                if self._collection is None:
                    try:
                        client = chroma_client(None if self._chroma_url else self.directory / "chroma",
                                               self._chroma_url)
                        self._collection = client.get_collection(self.manifest["collection"])
                    except Exception:
                        if not self._chroma_url:  # never hand a damaged store's cached handle on
                            forget_chroma(self.directory / "chroma")
                        raise
                    self._client = client
        return self._collection

    # -- lexical -------------------------------------------------------------------------
    def bm25(self, query: str, as_of: dt.date, k: int) -> list[Hit]:
        import bm25s

        tokens = bm25s.tokenize([query], stopwords=STOPWORDS, stemmer=self._stemmer,
                                show_progress=False, return_ids=False)
        if not tokens or not tokens[0]:
            return []
        with self._lock:  # bm25s keeps per-call state in the retriever
            scores = self._bm25.get_scores(tokens[0])
        scores = np.where(self._in_force(as_of), scores, 0.0)
        top = np.argsort(-scores)[:k]
        return [Hit(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def _in_force(self, as_of: dt.date) -> np.ndarray:
        key = date_key(as_of)
        return (self._valid_from <= key) & (key < self._valid_to)

    def dated_nodes(self, as_of: dt.date) -> list[int]:
        """Nodes of binding provisions in force that state a date from 2024 on."""
        return self.nodes_stating("date", None, as_of)

    def nodes_stating(self, what: str, states: Callable[[str], object] | None, as_of: dt.date) -> list[int]:
        """Nodes of binding provisions in force on a day whose text ``states`` what is
        asked ("date": a date from 2024 on, found at opening; others, such as an amount, found on
        first use), each list kept per day."""
        if what not in self._stating:
            self._stating[what] = [i for i, pid in enumerate(self.node_provision)
                                   if self.provisions[pid].kind == "binding law" and states(self.provisions[pid].text)]
        key = (what, date_key(as_of))
        cached = self._stating_cache.get(key)
        if cached is None:
            live = self._in_force(as_of)
            cached = [i for i in self._stating[what] if live[i]]
            self._stating_cache[key] = cached
        return cached

    def node_embeddings(self, rows: list[int]) -> np.ndarray:
        """Stored embeddings of some nodes: from vectors.npy, or fetched once from Chroma and kept."""
        if self._matrix is not None:
            return self._matrix[rows] if rows else np.zeros((0, self._matrix.shape[1]), np.float32)
        missing = [i for i in rows if i not in self._embeddings]
        for start in range(0, len(missing), 5000):  # Chroma caps one request's size
            part = missing[start:start + 5000]
            got = self.collection.get(ids=[self.node_ids[i] for i in part],
                                                    include=["embeddings"])
            for nid, vec in zip(got["ids"], got["embeddings"]):
                self._embeddings[self.node_index[nid]] = np.asarray(vec, dtype=np.float32)
        return np.stack([self._embeddings[i] for i in rows]) if rows else np.zeros((0, 1), np.float32)

    def dense_among(self, embedding: list[float], rows: list[int], k: int) -> list[Hit]:
        if not rows:
            return []
        sims = self.node_embeddings(rows) @ np.asarray(embedding, dtype=np.float32)
        top = np.argsort(-sims)[:k]
        return [Hit(rows[int(j)], float(sims[j])) for j in top]

    # -- dense -----------------------------------------------------------------------------
    def dense(self, embedding: list[float], as_of: dt.date, k: int) -> list[Hit]:
        """Nearest nodes in force on ``as_of``. A collection this size is searched exactly over the
        vectors read once from Chroma (deterministic, under a millisecond); a large one — the
        reason to run a Chroma server — through Chroma's HNSW index."""
        if len(self.node_ids) <= self.exact_limit:
            rows, matrix = self._in_force_vectors(as_of)
            if not len(rows):
                return []
            sims = matrix @ np.asarray(embedding, dtype=np.float32)
            return [Hit(int(rows[j]), float(sims[j])) for j in _top(sims, k)]
        return self._chroma_dense(embedding, as_of, k)

    def _in_force_vectors(self, as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """The rows in force on a day and their vectors, kept per day: copying the rows out of
        the whole matrix for every question cost more than the product itself."""
        key = date_key(as_of)
        got = self._vectors_cache.get(key)
        if got is None:
            rows = np.flatnonzero(self._in_force(as_of))
            matrix = self.all_embeddings()
            got = (rows, matrix if len(rows) == len(matrix) else np.ascontiguousarray(matrix[rows]))
            with self._lock:
                if len(self._vectors_cache) >= 8:  # a few days asked about; each copy is a few MB
                    self._vectors_cache.clear()
                self._vectors_cache[key] = got
        return got

    def all_embeddings(self) -> np.ndarray:
        if self._matrix is None:
            with self._lock:
                if self._matrix is None:
                    self._matrix = self.node_embeddings(list(range(len(self.node_ids))))
        return self._matrix

    @property
    def vector_store(self):
        """llama-index's view of the collection, for HNSW queries; imported only when used
        (importing llama-index costs most of a second at start-up)."""
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.collection)
        return self._vector_store

    def _chroma_dense(self, embedding: list[float], as_of: dt.date, k: int) -> list[Hit]:
        from llama_index.core.vector_stores import (
            FilterCondition,
            FilterOperator,
            MetadataFilter,
            MetadataFilters,
            VectorStoreQuery,
        )

        key = date_key(as_of)
        filters = MetadataFilters(filters=[
            MetadataFilter(key="valid_from", value=key, operator=FilterOperator.LTE),
            MetadataFilter(key="valid_to", value=key, operator=FilterOperator.GT),
        ], condition=FilterCondition.AND)
        result = self.vector_store.query(VectorStoreQuery(query_embedding=embedding,
                                                          similarity_top_k=k, filters=filters))
        hits = []
        for node_id, sim in zip(result.ids or [], result.similarities or []):
            i = self.node_index.get(node_id)
            if i is not None:
                # ChromaVectorStore reports exp(-distance); cosine distance is 1 - cosine.
                hits.append(Hit(i, 1.0 + float(np.log(max(sim, 1e-12)))))
        return hits
