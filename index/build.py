"""Build the index: idempotent (keyed by a fingerprint), atomic (a new directory, then a switch),
checked (the manifest holds the checksum of every file).

A build writes everything into ``index/.building-<fingerprint>-<pid>-<ns>``, renames it to a name
no build has had (``<fingerprint>``, or ``<fingerprint>-<ns>`` for a rebuild) and only then points
``index/CURRENT`` at it with one atomic replace: at every instant CURRENT names a complete build.
CURRENT holds a plain directory name, validated; anything else (a path, binary junk) is ignored and
healed. A crash or Ctrl-C leaves at most a stale ``.building-*`` directory, which the next build
removes. A build that a process has open (``.in-use`` locked, see ``store.hold``) is never deleted.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.errors import IndexBusy, IndexDamaged, IndexMissing, StorageFull
from assistant.settings import Settings
from aiact.corpus import fingerprint as corpus_fingerprint
from aiact.corpus import load_corpus
from aiact.index.chunk import CHUNKER_VERSION, chunk_provisions, split_sentences
from aiact.index.embed import Embedder
from aiact.index.compiled import PATTERNS, write_patterns
from aiact.index.stems import STEMS, provision_texts, split_rule, write_stems
from aiact.index.store import COLLECTION_PREFIX, VECTORS, chroma_client, forget_chroma, tokenize_for_bm25

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
KEEP_BUILDS = 2
BUILD_NAME = re.compile(r"^[0-9a-f]{20}(?:-[0-9]{1,24})?$")  # what CURRENT may hold
# Files a build changes by being read: Chroma's store (it compacts its log into the HNSW files when
# opened; checked instead by sqlite and by the digest of the vectors it returns) and the readers' lock.
UNCHECKED = re.compile(r"^(?:chroma/.*|\.in-use)$")
FULL = (errno.ENOSPC, errno.EDQUOT)
CHROMA_BATCH = 1000  # nodes per write: well under Chroma's cap on one request


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


def read_current(settings: Settings) -> str | None:
    """The build name in CURRENT, if it is one: a plain name of this form, nothing else."""
    pointer = settings.index_root / CURRENT
    try:
        raw = pointer.read_bytes()[:200]
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
        return None
    try:
        name = raw.decode("ascii").strip()
    except UnicodeDecodeError:
        log.warning("%s is not a build name (binary content): ignoring it", pointer)
        return None
    if not BUILD_NAME.match(name):
        log.warning("%s holds %r, not a build name: ignoring it", pointer, name[:60])
        return None
    return name


def current_build(settings: Settings) -> Path | None:
    """The directory CURRENT names, if it holds a build's manifest."""
    name = read_current(settings)
    if name is None:
        return None
    directory = settings.index_root / name
    return directory if (directory / "manifest.json").is_file() else None


def file_digests(directory: Path) -> dict[str, dict]:
    out = {}
    for f in sorted(directory.rglob("*")):
        rel = f.relative_to(directory).as_posix()
        if f.is_file() and rel != "manifest.json" and not UNCHECKED.match(rel):
            out[rel] = {"bytes": f.stat().st_size, "sha256": _sha256(f)}
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def vectors_digest(matrix) -> str:
    """The digest of the stored vectors in node order, as Chroma hands them back."""
    import numpy as np

    return hashlib.sha256(np.ascontiguousarray(matrix, dtype=np.float32).tobytes()).hexdigest()


def _stored_vectors(work: Path, settings: Settings, collection_name: str, ids: list[str]):
    import numpy as np

    client = chroma_client(None if settings.chroma_url else work / "chroma", settings.chroma_url)
    try:
        collection = client.get_collection(collection_name)
        rows = []
        for start in range(0, len(ids), 5000):
            got = collection.get(ids=ids[start:start + 5000], include=["embeddings"])
            order = {nid: i for i, nid in enumerate(got["ids"])}
            rows += [got["embeddings"][order[nid]] for nid in ids[start:start + 5000]]
        return np.asarray(rows, dtype=np.float32)
    finally:
        close = getattr(client, "close", None)
        if callable(close):
            close()
        if not settings.chroma_url:
            forget_chroma(work / "chroma")


def verify_vectors(store) -> None:
    """The vectors an opened store returns are the ones the build wrote (embedded, exact search)."""
    want = store.manifest.get("vectors_sha256")
    if not want or store.manifest.get("chroma_url") or len(store.node_ids) > store.exact_limit:
        return
    try:
        got = vectors_digest(store.all_embeddings())
    except Exception as exc:  # noqa: BLE001 - a store that cannot hand back its vectors is damaged
        raise IndexDamaged(f"The vector store in {store.directory} cannot be read ({exc.__class__.__name__}) "
                           "— run 'aiact index --rebuild'.") from None
    if got != want:
        raise IndexDamaged(f"The vectors in {store.directory} differ from the build's — run "
                           "'aiact index --rebuild'.")


def read_manifest(directory: Path) -> dict:
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexDamaged(f"The index manifest in {directory} cannot be read ({exc.__class__.__name__}) "
                           "— run 'aiact index --rebuild'.") from None
    if not isinstance(manifest, dict) or not {"fingerprint", "collection", "nodes"} <= set(manifest):
        raise IndexDamaged(f"The index manifest in {directory} is incomplete — run 'aiact index --rebuild'.")
    return manifest


def check_build(directory: Path) -> list[str]:
    """What is wrong with a build on disk ([] when every file matches its manifest)."""
    try:
        manifest = read_manifest(directory)
    except IndexDamaged as exc:
        return [str(exc)]
    problems = []
    for rel, want in (manifest.get("files") or {}).items():
        f = directory / rel
        if not f.is_file():
            problems.append(f"{rel} is missing")
        elif f.stat().st_size != want.get("bytes"):
            problems.append(f"{rel} has {f.stat().st_size} bytes, {want.get('bytes')} when built")
        elif _sha256(f) != want.get("sha256"):
            problems.append(f"{rel} was changed after the build (checksum differs)")
    if "files" not in manifest:
        for rel in ("provisions.json", "nodes.json", "bm25/params.index.json"):
            if not (directory / rel).is_file():
                problems.append(f"{rel} is missing")
    if not manifest.get("chroma_url"):
        problems += _check_sqlite(directory / "chroma" / "chroma.sqlite3")
    return problems


def _check_sqlite(path: Path) -> list[str]:
    if not path.is_file():
        return ["chroma/chroma.sqlite3 is missing"]
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            result = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        return [f"chroma/chroma.sqlite3 is not a readable database ({exc})"]
    return [] if result and result[0] == "ok" else [f"chroma/chroma.sqlite3 is damaged ({result[0] if result else '?'})"]


def verify_build(directory: Path) -> None:
    """Raise ``IndexDamaged`` naming the first problems of a build, if any."""
    problems = check_build(directory)
    if problems:
        raise IndexDamaged(f"The index in {directory} is damaged: {'; '.join(problems[:3])} "
                           "— run 'aiact index --rebuild'.")


def check_index(settings: Settings) -> tuple[bool, str]:
    """``aiact index --check``: (ok, one line)."""
    directory = current_build(settings)
    if directory is None:
        return False, f"No index in {settings.index_root} (or CURRENT names none) — run 'aiact index'."
    problems = check_build(directory)
    if problems:
        return False, (f"The index in {directory} is damaged: {'; '.join(problems[:3])} — run 'aiact index --rebuild' "
                       "to rebuild it.")
    manifest = read_manifest(directory)
    how = "every file matches its checksum" if "files" in manifest else \
        "files present (built before checksums: 'aiact index --rebuild' adds them)"
    return True, f"Index OK at {directory}: {manifest['provisions']} provisions, {manifest['nodes']} nodes; {how}."


@contextlib.contextmanager
def build_lock(settings: Settings, wait: bool):
    settings.index_root.mkdir(parents=True, exist_ok=True)
    with open(settings.index_root / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexBusy(f"Another process is building the index in {settings.index_root}; "
                                "wait for it to finish, then try again.") from None
            print(f"aiact: another process is building the index in {settings.index_root}; waiting for it "
                  "to finish…", file=sys.stderr, flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
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
    try:
        with build_lock(settings, wait):
            return _build_locked(settings, embedder, fp, rebuild, progress, on_nodes, start)
    except OSError as exc:
        if exc.errno in FULL:
            raise StorageFull(f"The disk holding {settings.index_root} is full: free some space (a build "
                              f"needs about {_needed(settings)} MB) or set AIACT_HOME to another disk, "
                              "then run 'aiact index'.") from None
        raise
    except Exception as exc:  # Chroma and sqlite report a full disk in their own words
        if "disk is full" in str(exc).lower() or "no space left" in str(exc).lower():
            raise StorageFull(f"The disk holding {settings.index_root} is full: free some space or set "
                              "AIACT_HOME to another disk, then run 'aiact index'.") from None
        raise


def _needed(settings: Settings) -> int:
    current = current_build(settings)
    return max(60, int(_size(current) / 1e6 * 1.2)) if current else 60


def existing_build(settings: Settings, fp: str) -> Path | None:
    """A complete, undamaged build of this fingerprint: the current one first."""
    current = current_build(settings)
    candidates = ([current] if current is not None else []) + sorted(
        (d for d in settings.index_root.glob(f"{fp}*") if d.is_dir() and BUILD_NAME.match(d.name)),
        key=lambda d: d.stat().st_mtime, reverse=True)
    for d in candidates:
        if d.name.split("-")[0] != fp or not (d / "manifest.json").is_file():
            continue
        problems = check_build(d)
        if not problems:
            return d
        log.warning("build %s is damaged (%s): not reusing it", d, "; ".join(problems[:2]))
    return None


def _build_locked(settings: Settings, embedder: Embedder, fp: str, rebuild: bool, progress: bool,
                  on_nodes: Callable[[int], None] | None, start: float) -> BuildReport:
    current = current_build(settings)
    found = None if rebuild else existing_build(settings, fp)
    if found is not None:
        if current != found:
            _point_current(settings, found.name)
        manifest = read_manifest(found)
        return BuildReport(found, fp, False, manifest["provisions"], manifest["nodes"],
                           manifest["documents"], time.perf_counter() - start, _size(found))
    _remove_stale(settings)
    work = settings.index_root / f".building-{fp}-{os.getpid()}-{time.time_ns()}"
    # Never reuse a name: a reader may have the old directory open, and CURRENT must keep naming
    # a complete build until the one replace below.
    final = settings.index_root / fp
    if final.exists():
        final = settings.index_root / f"{fp}-{time.time_ns()}"
    work.mkdir(parents=True)
    try:
        manifest = _write_build(work, fp, settings, embedder, progress, on_nodes)
        work.rename(final)
        _point_current(settings, final.name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _prune(settings, keep={final.name, current.name if current else ""})
    prepare = getattr(embedder, "prepare_questions", None)
    if prepare is not None:
        prepare()  # the question encoder's graph is written now, not on the first question
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
    # Every node goes through the model in one call: the encoder sorts them by length (batches
    # pad little) and keeps both cores busy to the end, instead of idling while each slice's
    # vectors are written. Then one write pass; the vectors land in node order in one matrix,
    # saved beside Chroma for exact search without chromadb.
    bar = tqdm(total=len(chunks), desc="Embedding provisions", unit="node", disable=not progress)
    try:
        matrix = _embed(embedder, [c.embed_text for c in chunks], bar.update, settings.embed_batch_size * 4)
    finally:
        bar.close()
    batch = CHROMA_BATCH
    for start in range(0, len(chunks), batch):
        part = chunks[start:start + batch]
        store.add([TextNode(id_=c.id, text=c.text, metadata=c.metadata, embedding=v)
                   for c, v in zip(part, matrix[start:start + batch].tolist())])
    stored = None
    if len(chunks) and not settings.chroma_url:
        # Saved as Chroma hands them back (it renormalises, within a float32 ulp), so exact
        # search over the file and HNSW search through Chroma see the very same vectors.
        stored = _read_back(collection, [c.id for c in chunks], matrix)
        np.save(work / VECTORS, stored)
    if settings.chroma_url:
        with contextlib.suppress(Exception):
            client.delete_collection(collection_name)
    collection.modify(name=collection_name)
    # Release the store before the directory is renamed: Chroma caches clients by path.
    close = getattr(client, "close", None)
    if callable(close):
        close()
    if not settings.chroma_url:
        forget_chroma(work / "chroma")
    # An embedded build is checked on open against vectors.npy (what was just read back); a
    # server's collection is read once more under its final name.
    vectors = vectors_digest(stored if stored is not None else
                             _stored_vectors(work, settings, collection_name, [c.id for c in chunks]))

    _write_stems(work, provisions)
    _write_patterns(work)

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
        "files": file_digests(work),
        "vectors_sha256": vectors,
    }
    # The manifest is written last: a directory without it is not a build.
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _write_stems(work: Path, provisions: list) -> None:
    """The stems answering compares questions with, worked out once here instead of in every
    process that meets a provision for the first time."""
    from assistant.retrieve import content_stems, stem_rule

    write_stems(work / STEMS, provision_texts(provisions, split_sentences), content_stems, stem_rule(),
                split_sentences, split_rule(), [p.text for p in provisions])


def _write_patterns(work: Path) -> None:
    """The law data's patterns, compiled once here (their programs: aiact.index.compiled)
    instead of once in every process, at the first answer that meets each."""
    from assistant.warm import law_patterns

    write_patterns(work / PATTERNS, law_patterns())


def _embed(embedder: Embedder, texts: list[str], done: Callable[[int], object], slice_size: int) -> np.ndarray:
    """Vectors of ``texts`` in order; ``done(n)`` is told as batches finish. An embedder without
    ``embed_array`` is called ``slice_size`` texts at a time, so progress shows."""
    embed_array = getattr(embedder, "embed_array", None)  # the numpy encoder's float32 fast path
    if callable(embed_array):
        return embed_array(texts, done=done)
    out = []
    for start in range(0, len(texts), slice_size):
        part = texts[start:start + slice_size]
        out += embedder.embed_documents(part)
        done(len(part))
    return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


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
    pointer = settings.index_root / CURRENT
    if pointer.is_dir():  # nothing of ours: an empty one is cleared, anything else is the user's
        try:
            pointer.rmdir()
        except OSError:
            raise IndexMissing(f"{pointer} is a directory, not the index pointer: move it away, then run "
                               "'aiact index'.") from None
    tmp = settings.index_root / f".{CURRENT}.{os.getpid()}"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())  # the name is on disk before it replaces the old one
    os.replace(tmp, settings.index_root / CURRENT)


def _remove_stale(settings: Settings) -> None:
    for d in settings.index_root.glob(".building-*"):
        shutil.rmtree(d, ignore_errors=True)
    for d in settings.index_root.glob(".old-*"):  # left by builds before names were unique
        if not in_use(d):
            shutil.rmtree(d, ignore_errors=True)


def _prune(settings: Settings, keep: set[str]) -> None:
    builds = sorted((d for d in settings.index_root.iterdir()
                     if d.is_dir() and not d.name.startswith(".") and d.name not in keep),
                    key=lambda d: d.stat().st_mtime, reverse=True)
    for d in builds[max(0, KEEP_BUILDS - len(keep)):]:
        if in_use(d):
            log.info("keeping %s: a process still has it open", d)
            continue
        shutil.rmtree(d, ignore_errors=True)


def in_use(directory: Path) -> bool:
    """Whether a process holds this build open (its shared lock on ``.in-use``)."""
    lock = directory / ".in-use"
    if not lock.exists():
        return False
    try:
        with open(lock, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        return True
    return False


def _size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
