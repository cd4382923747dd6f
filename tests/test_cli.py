"""The `aiact` command as scripts call it: exact JSON keys, exit codes, one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def aiact(*args: str, home) -> subprocess.CompletedProcess:
    env = {**os.environ, "AIACT_HOME": str(home), "AIACT_TODAY": "2026-11-24"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)


CONTRACT = {"question", "answer", "abstained", "citations"}
CITATION = {"n", "document", "reference", "title", "quote", "url", "score"}


def test_ask_json_carries_the_contract_and_the_versions(real_assistant, real_settings):
    result = aiact("ask", "When do the prohibitions apply?", "--json", home=real_settings.home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert CONTRACT <= set(data) and data["as_of"] == "2026-11-24"
    assert data["citations"] and all(CITATION | {"kind", "version", "amended_by", "superseded"} <= set(c)
                                     for c in data["citations"])
    assert data["abstained"] is False and "[1]" in data["answer"]
    # the 2024 wording and today's are told apart
    assert {c["superseded"] for c in data["citations"] if c["reference"] == "Article 113(a)"} == {True, False}


def test_assess_json_and_as_of(real_assistant, real_settings):
    result = aiact("assess", "A chatbot that answers customer questions on our website", "--json",
                   home=real_settings.home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"description", "tier", "answer", "citations", "checks"} <= set(data)
    assert data["tier"] in {"prohibited", "high-risk", "limited", "minimal"}
    old = aiact("ask", "When does Article 6(1) apply?", "--as-of", "2026-01-01", "--json", home=real_settings.home)
    assert "2 August 2027" in json.loads(old.stdout)["answer"]


def test_user_errors_are_one_line(real_assistant, real_settings, tmp_path):
    empty = aiact("ask", "   ", home=real_settings.home)
    assert empty.returncode == 2 and empty.stderr.startswith("aiact: ") and "Traceback" not in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1
    bad_date = aiact("ask", "What is a deployer?", "--as-of", "yesterday", home=real_settings.home)
    assert bad_date.returncode == 2 and "Traceback" not in bad_date.stderr
    second = aiact("index", home=real_settings.home)
    assert second.returncode == 0 and "up to date" in second.stdout

