"""The background warm-up of a session (assistant/warm.py): it starts only after a second answer,
fills the caches answering reads, never changes an answer, and waits while answers run."""
from __future__ import annotations

import dataclasses
import re
import threading

from assistant import Assistant, warm
from assistant.law import load_law
from assistant.patterns import compiled

QUESTIONS = ["What is a deployer?", "When do the prohibitions apply?", "Is CV screening high-risk?",
             "What are the fines for prohibited practices?"]


def test_one_answer_starts_nothing_two_start_the_warm_up(mini_assistant):
    mini_assistant.ask(QUESTIONS[0])
    assert not warm.wait(mini_assistant, 0), "a one-shot `aiact ask` pays for no warm-up"
    mini_assistant.ask(QUESTIONS[1])
    assert warm.wait(mini_assistant, 60)
    assert warm._session(mini_assistant).thread.name == "aiact-warm"
    # Every pattern of the law data is compiled by now: the same objects answering will use.
    info = compiled.cache_info()
    for fact in load_law().facts[:200]:
        for name in warm.PATTERN_FIELDS:
            value = fact.get(name)
            for pattern in (value,) if isinstance(value, str) else (value or ()):
                if isinstance(pattern, str):
                    compiled(pattern, re.I)
    assert compiled.cache_info().misses == info.misses


def test_warm_up_off_by_setting(mini_settings, hash_embedder):
    bot = Assistant(dataclasses.replace(mini_settings, warm_up=False), embedder=hash_embedder, progress=False)
    for q in QUESTIONS[:3]:
        bot.ask(q)
    assert warm._session(bot).thread is None and not warm.wait(bot, 0)


def test_answers_are_the_same_with_and_without_the_warm_up(mini_settings, hash_embedder, tmp_path):
    cold = Assistant(dataclasses.replace(mini_settings, warm_up=False), embedder=hash_embedder, progress=False)
    warmed = Assistant(mini_settings, embedder=hash_embedder, progress=False)
    for q in QUESTIONS[:2]:
        warmed.ask(q)
    assert warm.wait(warmed, 60)
    for q in QUESTIONS:
        a, b = cold.ask(q), warmed.ask(q)
        assert (a.text, [c.reference for c in a.citations]) == (b.text, [c.reference for c in b.citations])


def test_the_warm_up_waits_while_an_answer_runs(mini_assistant, monkeypatch):
    """No step runs while an answer is in progress (here one begun by another caller and not yet
    finished); the steps run once it is done."""
    ran: list[int] = []
    real_steps = warm.steps

    def counted(assistant):
        for step in real_steps(assistant):
            ran.append(1)
            yield step

    monkeypatch.setattr(warm, "steps", counted)
    mini_assistant.ask(QUESTIONS[0])
    state = warm._session(mini_assistant)
    state.begin()  # an answer in progress in another thread
    mini_assistant.ask(QUESTIONS[1])  # the second answer given: the warm-up starts, and waits
    assert state.thread is not None
    state.thread.join(0.5)
    assert state.thread.is_alive() and len(ran) <= 1, "a step ran while an answer was in progress"
    state.end(mini_assistant)
    assert warm.wait(mini_assistant, 60) and len(ran) > 10


def test_a_wrong_warm_up_setting_is_refused_at_start_up(monkeypatch):
    import pytest

    from assistant.errors import SettingsError
    from assistant.settings import Settings

    monkeypatch.setenv("AIACT_WARM_UP", "yes")
    with pytest.raises(SettingsError, match="AIACT_WARM_UP"):
        Settings.from_env()
    monkeypatch.setenv("AIACT_WARM_UP", "0")
    assert Settings.from_env().warm_up is False
