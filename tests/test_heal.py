"""Real damage to the real files of a build (mini corpus, hash embedder, a real persistent Chroma
store): every file truncated, overwritten with random bytes or deleted; CURRENT broken in every
way; builds killed at random points; a full disk; a second build waiting; an assistant switching to
new builds between questions while the build it holds is never deleted. Each ends in a working
index."""
from __future__ import annotations

import fcntl
import json
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import Assistant
from assistant import core as core_module
from assistant.errors import AssistantError, IndexBusy, IndexMissing, StorageFull
from aiact.index.build import CURRENT, build_index, check_build, check_index, current_build
from tests.conftest import MINI_CORPUS, ROOT

QUESTION = "What is a deployer?"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """One real build of the mini corpus, copied for each test that damages it."""
    from aiact.index.embed import HashEmbedder
    from tests.conftest import TODAY

    from assistant.settings import Settings

    home = tmp_path_factory.mktemp("pristine") / "home"
    settings = Settings(home=home, corpus_dir=MINI_CORPUS, today=TODAY, min_score=0.0, min_coverage=0.0)
    report = build_index(settings, HashEmbedder(), progress=False)
    return home, report.directory.name


@pytest.fixture
def damaged_home(pristine, mini_settings):
    home, name = pristine
    shutil.copytree(home, mini_settings.home)
    for lock in mini_settings.home.rglob(".in-use"):
        lock.unlink()
    return mini_settings, mini_settings.index_root / name


def build_files(directory: Path) -> list[str]:
    return sorted(f.relative_to(directory).as_posix() for f in directory.rglob("*")
                  if f.is_file() and f.name != ".in-use")


def works(settings, embedder) -> Assistant:
    bot = Assistant(settings, embedder=embedder, progress=False)
    answer = bot.ask(QUESTION)
    assert not answer.abstained and "deployer" in answer.text.lower()
    ok, line = check_index(settings)
    assert ok, line
    return bot


def damage(path: Path, how: str) -> None:
    if how == "delete":
        path.unlink()
    elif how == "truncate":
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size // 2)
    else:  # random bytes over the middle (or all of a small file)
        size = path.stat().st_size
        rng = random.Random(path.name)
        start = max(0, size // 2 - 2048) if size > 8192 else 0
        with open(path, "r+b") as fh:
            fh.seek(start)
            fh.write(bytes(rng.getrandbits(8) for _ in range(min(4096, max(size, 16)))))


def test_every_file_of_a_build_is_listed_with_its_checksum(pristine):
    home, name = pristine
    manifest = json.loads((home / "index" / name / "manifest.json").read_text())
    listed = set(manifest["files"])
    on_disk = {f for f in build_files(home / "index" / name) if f != "manifest.json" and not f.startswith("chroma/")}
    assert listed == on_disk and all(len(v["sha256"]) == 64 for v in manifest["files"].values())
    assert len(manifest["vectors_sha256"]) == 64  # Chroma's files change when read: its vectors are checked


@pytest.mark.slow  # about 6 s each: a rebuild per damaged file
@pytest.mark.parametrize("how", ["truncate", "random", "delete"])
def test_each_damaged_file_ends_in_a_working_index(damaged_home, hash_embedder, how):
    settings, directory = damaged_home
    for rel in build_files(directory):
        build = current_build(settings) or directory
        target = build / rel
        if not target.exists():
            continue
        damage(target, how)
        if not rel.startswith("chroma/"):  # Chroma's files are checked when opened, by their vectors
            assert check_build(build), f"{how} {rel} went unnoticed"
        works(settings, hash_embedder)  # opens, notices, rebuilds into a fresh directory, answers
        now = current_build(settings)
        assert now is not None and check_build(now) == [], rel


def test_damage_is_reported_without_building_when_asked_not_to(damaged_home, hash_embedder):
    settings, directory = damaged_home
    damage(directory / "nodes.json", "random")
    with pytest.raises(IndexMissing, match="aiact index"):
        Assistant(settings, embedder=hash_embedder, build=False)
    ok, line = check_index(settings)
    assert not ok and "nodes.json" in line and "aiact index" in line


def test_an_edited_provisions_file_is_never_quoted(damaged_home, hash_embedder):
    settings, directory = damaged_home
    path = directory / "provisions.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    for d in raw:
        d["provision"]["text"] = d["provision"]["text"].replace("deployer", "deployer (exempt until 2035)")
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert any("provisions.json" in p for p in check_build(directory))
    bot = works(settings, hash_embedder)
    assert all("2035" not in c.quote for c in bot.ask(QUESTION).citations)


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00garbage\x80", b"", b"   \n", b"../../etc", b"no-such-build", b"CURRENT",
    b"6a1fab72afce9397e928",  # a valid-looking name with no build behind it
])
def test_a_broken_current_pointer_heals(damaged_home, hash_embedder, content):
    settings, _ = damaged_home
    (settings.index_root / CURRENT).write_bytes(content)
    assert current_build(settings) is None
    works(settings, hash_embedder)
    assert current_build(settings) is not None


def test_an_absolute_path_in_current_is_not_followed(damaged_home, hash_embedder, tmp_path):
    settings, directory = damaged_home
    outside = tmp_path / "outside"
    shutil.copytree(directory, outside / directory.name)
    (settings.index_root / CURRENT).write_text(str(outside / directory.name))
    assert current_build(settings) is None
    bot = works(settings, hash_embedder)
    assert bot.store.directory.parent == settings.index_root


def test_a_current_that_is_a_directory_heals_or_says_so(damaged_home, hash_embedder):
    settings, _ = damaged_home
    (settings.index_root / CURRENT).unlink()
    (settings.index_root / CURRENT).mkdir()
    works(settings, hash_embedder)
    (settings.index_root / CURRENT).unlink()
    (settings.index_root / CURRENT / "keep").mkdir(parents=True)
    with pytest.raises(AssistantError, match="is a directory"):  # one clear line, not a traceback
        Assistant(settings, embedder=hash_embedder, progress=False)


def test_a_forced_rebuild_never_leaves_current_naming_nothing(damaged_home, hash_embedder):
    """The old code renamed the build aside and the new one in: a crash between left CURRENT
    naming nothing. Now a rebuild gets a new name and CURRENT moves in one replace."""
    settings, directory = damaged_home
    seen: list[str] = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            d = current_build(settings)
            seen.append("ok" if d is not None and (d / "manifest.json").exists() else "gap")

    t = threading.Thread(target=watch)
    t.start()
    try:
        for _ in range(3):
            build_index(settings, hash_embedder, rebuild=True, progress=False)
    finally:
        stop.set()
        t.join()
    assert seen and "gap" not in seen
    works(settings, hash_embedder)


KILL = """
import sys; sys.path.insert(0, {root!r})
from pathlib import Path
from assistant.settings import Settings
from aiact.index.build import build_index
from aiact.index.embed import HashEmbedder
settings = Settings(home=Path({home!r}), corpus_dir=Path({corpus!r}))
build_index(settings, HashEmbedder(), rebuild=True, progress=False)
"""


@pytest.mark.slow
def test_builds_killed_at_random_points_leave_a_working_index(damaged_home, hash_embedder):
    settings, _ = damaged_home
    rng = random.Random(11)
    script = KILL.format(root=str(ROOT), home=str(settings.home), corpus=str(MINI_CORPUS))
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(rng.uniform(0.5, 4.0))  # start-up, loading, embedding, writing, switching
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert current_build(settings) is not None and check_build(current_build(settings)) == []
        works(settings, hash_embedder)


def test_a_second_build_says_it_waits(damaged_home, hash_embedder, capsys):
    settings, _ = damaged_home
    with open(settings.index_root / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(IndexBusy, match="Another process is building"):
            build_index(settings, hash_embedder, progress=False, wait=False)
        done = threading.Event()
        t = threading.Thread(target=lambda: (build_index(settings, hash_embedder, progress=False), done.set()))
        t.start()
        time.sleep(0.5)
        assert not done.is_set()
        fcntl.flock(fh, fcntl.LOCK_UN)
    t.join(timeout=60)
    assert done.is_set()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another process is building the index" in err[0] and "waiting" in err[0]


def test_a_full_disk_says_so_in_one_line(tmp_path, mini_settings, hash_embedder):
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root and CAP_SYS_ADMIN)")
    try:
        settings = replace(mini_settings, home=mount / "home")
        with pytest.raises(StorageFull) as info:
            build_index(settings, hash_embedder, progress=False)
        message = str(info.value)
        assert "full" in message and "AIACT_HOME" in message and "\n" not in message
        assert not list(settings.index_root.glob(".building-*"))  # nothing half-written left
        assert current_build(settings) is None
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _edit(corpus: Path, marker: str) -> None:
    path = corpus / "eu-ai-act" / "regulation-eu-2024-1689-consolidated-2026-07-27.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("reasonably well-informed", f"reasonably well-informed {marker}", 1)
    path.write_text(text, encoding="utf-8")


def test_an_assistant_follows_two_corpus_updates_and_its_build_is_never_deleted(
        tmp_path, mini_settings, hash_embedder, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(MINI_CORPUS, corpus)
    settings = replace(mini_settings, corpus_dir=corpus)
    monkeypatch.setattr(core_module, "RELOAD_SECONDS", 0.0)
    follower = Assistant(settings, embedder=hash_embedder, progress=False)
    idle = Assistant(settings, embedder=hash_embedder, progress=False)  # opens build 1, never asks again
    first = follower.store.directory
    for marker in ("UPDATEONE", "UPDATETWO"):
        _edit(corpus, marker)
        build_index(settings, hash_embedder, progress=False)
        text = follower.provision("Article 50(1)").text
        follower.ask(QUESTION)  # the switch happens between questions
        assert marker in follower.provision("Article 50(1)").text, text
    assert follower.store.directory != first
    assert first.exists(), "a build in use by another assistant was deleted"
    assert "UPDATE" not in idle.provision("Article 50(1)").text  # still answers from its own build
    assert not idle.retriever.store is None
    # once nobody holds it, the next build may prune it
    del idle
    import gc

    gc.collect()
    _edit(corpus, "UPDATETHREE")
    build_index(settings, hash_embedder, progress=False)
    assert not first.exists()
