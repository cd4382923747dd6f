"""Optional rephrasing by an OpenAI-compatible server (``AIACT_LLM_URL``), off by default.

The model sees only the retrieved provisions. Its text is used only if ``claims.check_reply``
finds every claim backed by them (markers, references, dates, amounts, quotes, wording, no media);
otherwise, or on a network error, a timeout or an oversized reply, the extractive answer stands and
the reason is logged. A used rephrasing is labelled: ``Answer.rephrased_by`` names the model, and
the verbatim quotes stay in the citations beside it.
"""
from __future__ import annotations

import json
import logging
import socket
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from assistant.claims import check_reply
from assistant.settings import Settings
from assistant.types import Answer

log = logging.getLogger(__name__)
PROMPT = Path(__file__).with_name("prompts") / "rephrase.txt"
ENVELOPE_BYTES = 16_384  # JSON around the reply; a longer body is cut off, not read into memory


class Unusable(Exception):
    """The server's response cannot be used (too slow, too big, not the expected JSON)."""


def endpoint(url: str) -> str:
    url = url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    return url + ("/chat/completions" if url.endswith("/v1") else "/v1/chat/completions")


def valid(text: str, answer: Answer, max_chars: int = 4000) -> bool:
    """Kept for callers of the first version: True when ``text`` passes the claim check."""
    return check_reply(text, answer.question, answer.citations, max_chars).ok


def note(model: str) -> str:
    return (f"Rephrased by the language model “{model}”; every sentence was checked against the "
            "provisions quoted beside it, which are the binding text.")


def _read(response, limit: int, deadline: float) -> bytes:
    """At most ``limit`` bytes, before ``deadline``: a server that trickles or floods is cut off."""
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise Unusable("the server took longer than AIACT_LLM_TIMEOUT")
        chunk = response.read1(8192) if hasattr(response, "read1") else response.read(8192)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise Unusable(f"a response over {limit} bytes")
        chunks.append(chunk)


def ask_model(prompt: str, settings: Settings) -> str:
    body = {"model": settings.llm_model or "default", "temperature": 0,
            "max_tokens": max(64, settings.llm_max_chars // 3),
            "messages": [{"role": "user", "content": prompt}]}
    headers = {"Content-Type": "application/json"}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key}"
    request = urllib.request.Request(endpoint(settings.llm_url), data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
    deadline = time.monotonic() + settings.llm_timeout
    # The socket timeout bounds each wait; the deadline bounds the whole exchange.
    with urllib.request.urlopen(request, timeout=settings.llm_timeout) as response:
        raw = _read(response, settings.llm_max_chars * 4 + ENVELOPE_BYTES, deadline)
    try:
        text = json.loads(raw)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise Unusable(f"not an OpenAI-style chat completion ({exc.__class__.__name__})") from None
    if not isinstance(text, str):
        raise Unusable("the message content is not text")
    return text.strip()


def rephrase(answer: Answer, settings: Settings) -> Answer:
    provisions = "\n\n".join(f"[{c.n}] {c.document}, {c.reference}: {c.quote}" for c in answer.citations)
    prompt = PROMPT.read_text(encoding="utf-8").format(question=answer.question, answer=answer.text,
                                                       provisions=provisions)
    try:
        text = ask_model(prompt, settings)
    except (OSError, socket.timeout, Unusable, ValueError) as exc:
        log.warning("LLM rephrasing not used (%s); keeping the extractive answer", exc)
        return answer
    verdict = check_reply(text, answer.question, answer.citations, settings.llm_max_chars)
    if not verdict.ok:
        log.warning("LLM answer rejected: %s; keeping the extractive answer", verdict.reason)
        return answer
    model = settings.llm_model or "default"
    return replace(answer, text=text, rephrased_by=model, extractive_answer=answer.text,
                   notes=answer.notes + (note(model),))


__all__ = ["endpoint", "rephrase", "valid", "check_reply"]
