"""Which documents make up the corpus, and how each is read.

A Markdown file that is not listed here is still loaded, by the paragraph reader, under the name
of its first heading: adding a document needs a line here at most, not a new design.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from aiact.corpus import act, code_of_practice, guidelines, omnibus
from aiact.corpus.guidelines import Document
from aiact.corpus.markdown import HEADING
from aiact.corpus.provision import CODE, GUIDELINES, Provision

log = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).resolve().parent
AI_ACT_PAGE = "https://digital-strategy.ec.europa.eu/en/policies/regulatory-framework-ai"

GUIDELINE_DOCUMENTS = (
    Document("Guidelines on prohibited AI practices",
             ("commission-guidelines/guidelines-prohibited-ai-practices-C2025-5052.md",),
             "https://ec.europa.eu/newsroom/dae/redirection/document/112367",
             version="C(2025) 5052 final, 29.7.2025"),
    Document("Guidelines on the AI system definition",
             ("commission-guidelines/guidelines-ai-system-definition-C2025-5053.md",),
             "https://ec.europa.eu/newsroom/dae/redirection/document/112455",
             version="C(2025) 5053 final, 29.7.2025"),
    Document("Guidelines on general-purpose AI models",
             ("commission-guidelines/guidelines-gpai-models-scope-C2025-5045.md",),
             "https://digital-strategy.ec.europa.eu/en/policies/guidelines-gpai-models",
             version="C(2025) 5045 final, Annex, 18.7.2025"),
    Document("Guidelines on transparency (Article 50)",
             ("commission-guidelines/guidelines-transparency-article-50-C2026-5054.md",),
             AI_ACT_PAGE, version="C(2026) 5054 final, Annex, 20.7.2026"),
    Document("Draft guidelines on high-risk classification",
             ("commission-guidelines/guidelines-high-risk-classification-draft-1-general.md",
              "commission-guidelines/guidelines-high-risk-classification-draft-2-annex-i.md",
              "commission-guidelines/guidelines-high-risk-classification-draft-3-annex-iii.md"),
             AI_ACT_PAGE, version="consultation draft, 19.5.2026 (not adopted)"),
)
CODE_DOCUMENTS = (
    Document("GPAI Code of Practice (Safety and Security)",
             ("code-of-practice/gpai-code-of-practice-safety-and-security-chapter.md",),
             "https://ec.europa.eu/newsroom/dae/redirection/document/118119", kind=CODE,
             version="final, 10.7.2025"),
)
ACT_FILES = (act.ORIGINAL_FILE, act.CONSOLIDATED_FILE, omnibus.FILE)


def corpus_files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    """The Markdown texts (SOURCES.md and the raw official files are provenance, not text)."""
    return sorted(p for p in corpus_dir.rglob("*.md")
                  if p.name != "SOURCES.md" and "sources" not in p.relative_to(corpus_dir).parts)


def fingerprint(corpus_dir: Path = CORPUS_DIR) -> str:
    h = hashlib.sha256()
    for p in corpus_files(corpus_dir):
        h.update(str(p.relative_to(corpus_dir)).encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def load_corpus(corpus_dir: Path = CORPUS_DIR) -> list[Provision]:
    provisions: list[Provision] = []
    known = set(ACT_FILES)
    if (corpus_dir / act.CONSOLIDATED_FILE).exists():
        provisions += act.load(corpus_dir)
    if (corpus_dir / omnibus.FILE).exists():
        provisions += omnibus.load(corpus_dir)
    for doc in GUIDELINE_DOCUMENTS + CODE_DOCUMENTS:
        present = tuple(f for f in doc.files if (corpus_dir / f).exists())
        known.update(doc.files)
        if not present:
            continue
        doc = Document(doc.name, present, doc.url, doc.kind, doc.version)
        reader = code_of_practice.load if doc.kind == CODE else guidelines.load
        provisions += reader(corpus_dir, doc)
    for path in corpus_files(corpus_dir):
        rel = str(path.relative_to(corpus_dir))
        if rel not in known:
            doc = Document(_title(path), (rel,), AI_ACT_PAGE, GUIDELINES, "")
            log.info("loading %s with the paragraph reader as %r", rel, doc.name)
            provisions += guidelines.load(corpus_dir, doc)
    return provisions


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        m = HEADING.match(line)
        if m and len(m.group(1)) == 1:
            return m.group(2).split(" — ")[0][:80]
    return path.stem
