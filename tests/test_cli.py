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
    # which wording is quoted, and what amended it, is in the JSON (the 2024 text is not in force today)
    amended = [c for c in data["citations"] if c["reference"] == "Article 113(a)"]
    assert amended and amended[0]["superseded"] is False
    assert amended[0]["version"].startswith("consolidated") and "2026/1744" in amended[0]["amended_by"]
    old = json.loads(aiact("ask", "When do the prohibitions apply?", "--json", "--as-of", "2026-01-01",
                           home=real_settings.home).stdout)
    assert any(c["reference"] == "Article 113(a)" and c["version"].startswith("2024") for c in old["citations"])


def test_assess_json_and_as_of(real_assistant, real_settings):
    result = aiact("assess", "A chatbot that answers customer questions on our website", "--json",
                   home=real_settings.home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"description", "tier", "answer", "citations", "outcome", "facts", "assumptions",
                         "open_questions", "obligations", "checks"}
    assert data["tier"] == "limited" and data["citations"][0]["reference"] == "Article 50(1)"
    work = "An app that infers employees' emotions from webcam video during meetings"
    answered = json.loads(aiact("assess", work, "--fact", "medical_or_safety_reasons=yes", "--json",
                                home=real_settings.home).stdout)
    assert answered["tier"] == "high-risk"
    assert {"name": "medical_or_safety_reasons", "value": True, "source": "you"}.items() <= \
        next(f for f in answered["facts"] if f["name"] == "medical_or_safety_reasons").items()
    bad = aiact("assess", work, "--fact", "medical_or_safety_reasons", home=real_settings.home)
    assert bad.returncode == 2 and bad.stderr.startswith("aiact: --fact takes NAME=VALUE")
    assert len(bad.stderr.strip().splitlines()) == 1
    old = aiact("ask", "When does Article 6(1) apply?", "--as-of", "2026-01-01", "--json", home=real_settings.home)
    assert "2 August 2027" in json.loads(old.stdout)["answer"]
    before = json.loads(aiact("assess", "A nudify app", "--as-of", "2026-12-01", "--json",
                              home=real_settings.home).stdout)
    assert before["tier"] == "minimal" and before["upcoming"][0]["from"] == "2026-12-02"
    after = json.loads(aiact("assess", "A nudify app", "--as-of", "2026-12-03", "--json", home=real_settings.home).stdout)
    assert after["tier"] == "prohibited" and after["upcoming"] == []


def test_user_errors_are_one_line(real_assistant, real_settings, tmp_path):
    empty = aiact("ask", "   ", home=real_settings.home)
    assert empty.returncode == 2 and empty.stderr.startswith("aiact: ") and "Traceback" not in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1
    bad_date = aiact("ask", "What is a deployer?", "--as-of", "yesterday", home=real_settings.home)
    assert bad_date.returncode == 2 and "Traceback" not in bad_date.stderr
    second = aiact("index", home=real_settings.home)
    assert second.returncode == 0 and "up to date" in second.stdout

