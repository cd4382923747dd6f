"""Optional LLM rephrasing against a fake OpenAI-compatible server on loopback: accepted only when
every sentence carries a known marker and every quote is verbatim; otherwise the extractive answer."""
from __future__ import annotations

import json
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from assistant.llm import endpoint, rephrase, valid
from assistant.types import Answer, Citation

CITATION = Citation(1, "AI Act", "Article 113(c)", "Entry into force and application",
                    "(c) Chapter III, Sections 1, 2, and 3 shall apply from: (i) 2 December 2027 as regards "
                    "AI systems classified as high-risk pursuant to Article 6(2) and Annex III; and",
                    "https://eur-lex.europa.eu/eli/reg/2024/1689/2026-07-27#art_113", 0.8)
EXTRACTIVE = Answer("When?", "According to Article 113(c): “(i) 2 December 2027 as regards AI systems” [1]",
                    False, (CITATION,))


@pytest.fixture
def fake_llm():
    replies: list[str] = []
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — http.server's naming
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            data = json.dumps({"choices": [{"message": {"content": replies.pop(0)}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", replies, seen
    server.shutdown()


def test_endpoint_accepts_base_or_full_urls():
    assert endpoint("http://h:1") == "http://h:1/v1/chat/completions"
    assert endpoint("http://h:1/v1/") == "http://h:1/v1/chat/completions"
    assert endpoint("http://h:1/v1/chat/completions") == "http://h:1/v1/chat/completions"


def test_a_faithful_rephrasing_is_used(fake_llm, mini_settings):
    url, replies, seen = fake_llm
    replies.append("High-risk rules for Annex III systems apply from 2 December 2027 [1]. "
                   "The Act says “2 December 2027 as regards AI systems classified as high-risk” [1].")
    out = rephrase(EXTRACTIVE, replace(mini_settings, llm_url=url, llm_model="m"))
    assert out.text.startswith("High-risk rules") and out.citations == EXTRACTIVE.citations
    assert "Article 113(c)" in seen[0]["messages"][0]["content"]  # the model saw the provisions


@pytest.mark.parametrize("reply", [
    "The rules apply from 2 December 2027.",  # no marker
    "The rules apply from 2 December 2027 [2].",  # a provision it was not given
    "The Act says “high-risk rules were repealed in 2026” [1].",  # an invented quote
])
def test_an_unfaithful_rephrasing_is_rejected(fake_llm, mini_settings, reply):
    url, replies, _ = fake_llm
    replies.append(reply)
    assert rephrase(EXTRACTIVE, replace(mini_settings, llm_url=url)) == EXTRACTIVE


def test_an_unreachable_server_keeps_the_extractive_answer(mini_settings):
    settings = replace(mini_settings, llm_url="http://127.0.0.1:9", llm_timeout=2)
    assert rephrase(EXTRACTIVE, settings) == EXTRACTIVE


def test_valid_checks_every_sentence():
    assert valid("One [1]. Two [1].", EXTRACTIVE)
    assert not valid("One [1]. Two.", EXTRACTIVE)
