"""Optional rephrasing by an OpenAI-compatible server (``AIACT_LLM_URL``), off by default.

The model sees only the retrieved provisions. Its text is accepted only if every sentence ends
with a marker of a provision it was given and every quoted span stands verbatim in that set;
otherwise the extractive answer stands. A network error also keeps the extractive answer.
"""
from __future__ import annotations

import json
import logging
import re
import urllib.request
from dataclasses import replace
from pathlib import Path

from assistant.settings import Settings
from assistant.types import Answer

log = logging.getLogger(__name__)
PROMPT = Path(__file__).with_name("prompts") / "rephrase.txt"
MARKER = re.compile(r"\[(\d+)\]")
QUOTED = re.compile(r"[“\"]([^”\"]{12,})[”\"]")


def endpoint(url: str) -> str:
    url = url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    return url + ("/chat/completions" if url.endswith("/v1") else "/v1/chat/completions")


def valid(text: str, answer: Answer) -> bool:
    """Every sentence carries a known marker; every quote is verbatim from a cited provision."""
    known = {c.n for c in answer.citations}
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])|\n+", text.strip()) if s.strip()]
    if not sentences:
        return False
    for s in sentences:
        markers = {int(m) for m in MARKER.findall(s)}
        if not markers or not markers <= known:
            return False
    corpus = " ".join(" ".join(c.quote.split()) for c in answer.citations)
    return all(" ".join(q.split()).rstrip(" …") in corpus for q in QUOTED.findall(text))


def rephrase(answer: Answer, settings: Settings) -> Answer:
    provisions = "\n\n".join(f"[{c.n}] {c.document}, {c.reference}: {c.quote}" for c in answer.citations)
    prompt = PROMPT.read_text(encoding="utf-8").format(question=answer.question, answer=answer.text,
                                                       provisions=provisions)
    body = {"model": settings.llm_model or "default", "temperature": 0,
            "messages": [{"role": "user", "content": prompt}]}
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key}"
    request = urllib.request.Request(endpoint(settings.llm_url), data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=settings.llm_timeout) as response:
            text = json.loads(response.read())["choices"][0]["message"]["content"].strip()
    except Exception as exc:  # any failure of an optional helper keeps the extractive answer
        log.warning("LLM rephrasing failed (%s); keeping the extractive answer", exc)
        return answer
    if not valid(text, answer):
        log.info("LLM answer rejected: a sentence without a marker or a quote not in the sources")
        return answer
    return replace(answer, text=text, rephrased_by=settings.llm_model or "the configured LLM")
