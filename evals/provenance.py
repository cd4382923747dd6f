"""What a report must record to be comparable with another: the code (commit), the model, every
setting, the corpus and the index it ran on. Two runs that differ in any of these say so."""
from __future__ import annotations

import dataclasses
import platform
import subprocess
import sys
from pathlib import Path

SECRET = ("llm_api_key",)  # never written into a report


def git_commit(root: Path) -> dict:
    """The commit and whether the working tree had changes (a dirty run is not that commit)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()
    try:
        return {"commit": git("rev-parse", "HEAD"), "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
                "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "branch": None, "dirty": None}


def settings_record(settings) -> dict:
    out = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if f.name in SECRET:
            value = "set" if value else ""
        out[f.name] = str(value) if isinstance(value, Path) or hasattr(value, "isoformat") else value
    return out


def model_record(settings) -> dict:
    from aiact.index.embed import _model_digest

    path = settings.resolved_model()
    try:
        digest = _model_digest(path)
    except OSError:
        digest = None
    return {"embedder": f"minilm:{digest}" if digest else None, "path": path,
            "llm": settings.llm_model or (settings.llm_url and "default") or None}


def provenance(settings, root: Path | None = None) -> dict:
    from assistant.cli import version
    from aiact.corpus import fingerprint
    from aiact.index.build import current_build

    root = root or Path(__file__).resolve().parents[1]
    built = current_build(settings)
    return {"code": {**git_commit(root), "version": version()},
            "model": model_record(settings),
            "settings": settings_record(settings),
            "corpus_fingerprint": fingerprint(settings.resolved_corpus_dir()),
            "index_fingerprint": built.name if built else None,
            "python": sys.version.split()[0], "platform": platform.platform()}
