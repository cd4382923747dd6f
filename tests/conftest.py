"""Shared fixtures. Unit tests use the mini corpus in tests/data/ with a hash embedder; tests
marked ``slow`` use the real model on the real corpus, indexed once (cached across runs in
``.aiact-test-home``, keyed by fingerprint, so only a changed corpus or chunker rebuilds)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from assistant.settings import Settings, set_offline_env

set_offline_env()

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
MINI_CORPUS = DATA / "corpus"
TODAY = dt.date(2026, 11, 24)


def stop_process(proc, timeout: float = 10) -> None:
    """Stop a server a test started: politely, then firmly."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def real_home() -> Path:
    return Path(os.environ.get("AIACT_TEST_HOME") or ROOT / ".aiact-test-home")


@pytest.fixture
def hash_embedder():
    from aiact.index.embed import HashEmbedder

    return HashEmbedder()


@pytest.fixture
def mini_settings(tmp_path) -> Settings:
    # The hash embedder's similarities are not the model's: the abstention thresholds fitted for
    # MiniLM do not apply to it.
    return Settings(home=tmp_path / "home", corpus_dir=MINI_CORPUS, today=TODAY, min_score=0.0, min_coverage=0.0)


@pytest.fixture
def mini_assistant(mini_settings, hash_embedder):
    from assistant import Assistant

    return Assistant(mini_settings, embedder=hash_embedder, progress=False)


@pytest.fixture(scope="session")
def real_settings() -> Settings:
    return Settings(home=real_home(), today=TODAY)


@pytest.fixture(scope="session")
def real_assistant(real_settings):
    from assistant import Assistant

    return Assistant(real_settings, progress=True)
