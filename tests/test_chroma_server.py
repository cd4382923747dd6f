"""The scale-out path: vectors in a real `chroma run` server on loopback instead of the embedded store."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path
import sys

import pytest

from assistant import Assistant
from aiact.index.build import build_index
from aiact.index.store import chroma_client
from tests.conftest import stop_process

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "")
    if not exe.is_file():
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                chroma_client(None, url).heartbeat()
                break
            except Exception:  # noqa: BLE001 — not up yet
                if proc.poll() is not None:
                    pytest.fail("chroma run exited at start")
                time.sleep(0.3)
        else:
            pytest.fail("chroma run did not answer within 60 s")
        yield url
    finally:
        stop_process(proc)


def test_index_into_a_chroma_server_and_read_back(chroma_server, mini_settings, hash_embedder):
    # exact_search_limit=0: search through the server's HNSW index, as a large deployment would.
    settings = replace(mini_settings, chroma_url=chroma_server, exact_search_limit=0)
    report = build_index(settings, hash_embedder, progress=False)
    assert report.built
    client = chroma_client(None, chroma_server)
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    assert f"aiact-{report.fingerprint}" in names
    assert client.get_collection(f"aiact-{report.fingerprint}").count() == report.nodes
    assert not (report.directory / "chroma").exists()  # the vectors are on the server only

    bot = Assistant(settings, embedder=hash_embedder, build=False)
    answer = bot.ask("What does Article 5(1)(f) say?")
    assert not answer.abstained and answer.citations[0].reference == "Article 5(1)(f)"
    hits = bot.store.dense(hash_embedder.embed_query("emotion recognition workplace"), mini_settings.today, 5)
    assert hits and all(-1.0 <= h.score <= 1.0 for h in hits)

    # A second build against the same server is a no-op; a forced one replaces the collection.
    assert not build_index(settings, hash_embedder, progress=False).built
    again = build_index(settings, hash_embedder, rebuild=True, progress=False)
    assert client.get_collection(f"aiact-{again.fingerprint}").count() == again.nodes
