"""The bad-input set (aiact.benchmarks.bad_input) with assertions: over the API (fast, mini
corpus), the CLI (subprocesses) and the web UI (a real gradio server on loopback), nothing but a
result or one ``AssistantError`` line, never a traceback; plus what the answers must say."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest

from aiact.benchmarks.bad_input import run_api, run_cli, summary
from assistant.errors import AssistantError, InvalidArgument, InvalidQuestion, SettingsError

Q = "What is a deployer?"


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    from assistant import Assistant
    from assistant.settings import Settings
    from aiact.index.embed import HashEmbedder
    from tests.conftest import MINI_CORPUS, TODAY

    home = tmp_path_factory.mktemp("bad") / "home"
    return Assistant(Settings(home=home, corpus_dir=MINI_CORPUS, today=TODAY, min_score=0.0, min_coverage=0.0),
                     embedder=HashEmbedder(), progress=False)


def test_api_bad_input_set_raises_only_assistant_errors(bot, tmp_path):
    outcomes = run_api(bot, tmp_path)
    failures = [(o.case, o.kind) for o in outcomes if not o.ok]
    assert len(outcomes) >= 150 and failures == []


def test_zero_width_characters_do_not_change_the_answer(bot):
    plain = bot.ask("What is a deployer?").text
    for hidden in ("What is a deplo\u200byer?", "What is a de\u00adployer?", "\ufeffWhat is a deployer?",
                   "What is a depl\u200doyer?", "What\u2060 is a deployer?"):
        assert bot.ask(hidden).text == plain, hidden


def test_as_of_takes_a_date_or_an_iso_string(bot):
    as_date = bot.ask(Q, as_of=dt.date(2026, 1, 1))
    assert bot.ask(Q, as_of="2026-01-01").to_dict() == as_date.to_dict()
    assert bot.ask(Q, as_of=dt.datetime(2026, 1, 1, 9, 30)).to_dict() == as_date.to_dict()
    for bad in ("garbage", "2026-02-31", 20260101, 2026.0, True, [], object()):
        with pytest.raises(InvalidArgument, match="as_of"):
            bot.ask(Q, as_of=bad)


def test_dates_before_the_act_are_answered_as_such(bot):
    for answer in (bot.ask(Q, as_of=dt.date(1900, 1, 1)), bot.ask("As of 1 January 1900, what is a deployer?"),
                   bot.ask(Q, as_of="2024-07-31")):
        assert answer.abstained and "did not exist" in answer.text and "1 August 2024" in answer.text
        assert not answer.citations


def test_impossible_dates_in_a_question_are_answered_as_such(bot):
    for question in ("As of 31 February 2026, what is a deployer?", "as of 2026-02-30 what applies?",
                     "As of 30 February 2027 what is a deployer?"):
        answer = bot.ask(question)
        assert answer.abstained and "is not a date" in answer.text, question


def test_role_is_validated(bot):
    for good in (None, "provider", "Deployer", " deployer ", "not sure", ""):
        bot.assess("A tool that ranks CVs of job applicants", role=good)
    for bad in ("ceo", 123, ["provider"]):
        with pytest.raises(InvalidArgument, match="role"):
            bot.assess("A tool that ranks CVs of job applicants", role=bad)


def test_provision_rejects_what_is_not_a_reference(bot):
    for bad in (None, 123, "", "  "):
        with pytest.raises(InvalidArgument, match="Article 50"):
            bot.provision(bad)
    assert bot.provision("Article 9999") is None


@pytest.mark.parametrize("name,value", [("AIACT_TODAY", "garbage"), ("AIACT_MAX_CITATIONS", "abc"),
                                        ("AIACT_MIN_SCORE", "nan"), ("AIACT_LLM_TIMEOUT", "-1"),
                                        ("AIACT_CORPUS", "/nonexistent"), ("AIACT_LLM_URL", "javascript:x")])
def test_settings_are_validated_naming_the_variable(monkeypatch, name, value):
    from assistant.settings import Settings

    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        Settings.from_env()


def test_every_public_error_is_an_assistant_error():
    import assistant.errors as errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, Exception)]
    assert all(issubclass(c, AssistantError) for c in classes)
    assert issubclass(InvalidQuestion, ValueError) and issubclass(InvalidArgument, ValueError)


def test_cli_ask_answers_dates_before_the_act_and_names_bad_ones(bot, monkeypatch, capsys):
    import assistant
    from assistant.cli import main

    monkeypatch.setattr(assistant, "Assistant", lambda *a, **k: bot)
    monkeypatch.setenv("AIACT_HOME", str(bot.settings.home))  # the index exists: no first-run notice
    monkeypatch.setenv("AIACT_CORPUS", str(bot.settings.corpus_dir))
    assert main(["ask", Q, "--as-of", "1900-01-01"]) == 0
    assert "did not exist" in capsys.readouterr().out
    assert main(["ask", "\x00\x00"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("aiact: ")
    assert main(["assess", "A CV ranking tool"]) == 0


@pytest.mark.slow  # about 30 subprocesses
def test_cli_bad_input_set_prints_one_line_and_no_traceback(tmp_path):
    outcomes = run_cli(tmp_path)
    assert len(outcomes) >= 25
    assert [(o.case, o.kind) for o in outcomes if not o.ok] == []


WEB_CASES = [
    ("/ask", [None, [], "AI Act only", ""]),
    ("/ask", ["x" * 50_000, [], "AI Act only", ""]),
    ("/ask", ["\x00\x00\x00", [], "AI Act only", ""]),
    ("/ask", [Q, [], "no such scope", ""]),
    ("/ask", [Q, [], "AI Act only", "garbage"]),
    ("/ask", [Q, [], "AI Act only", "2026-02-31"]),
    ("/ask", [Q, [], "AI Act only", "1900-01-01"]),
    ("/ask", ["As of 31 February 2026 what is a deployer?", [], "AI Act only", ""]),
    ("/ask", ["deplo\u200byer?", [], "AI Act only", ""]),
    ("/ask", ["<script>alert(1)</script>", [], "AI Act only", ""]),
    ("/ask", ["![x](http://127.0.0.1:9/x.png)", [], "AI Act only", ""]),
    ("/ask", [Q, [{"role": "user", "content": [{"type": "text", "text": "y" * 30_000}]}] * 100, "AI Act only", ""]),
    ("/assess", [None, "provider"]),
    ("/assess", ["A CV ranking tool", "ceo"]),
    ("/assess", ["", "not sure"]),
    ("/assess", ["x" * 50_000, "deployer"]),
    ("/assess", ["\u200b", "deployer"]),
    ("/provision", [None, "AI Act"]),
    ("/provision", ["Article 9999", "AI Act"]),
    ("/provision", ["Article 5", "No such document"]),
    ("/provision", ["x" * 10_000, None]),
    ("/provision", ["<b>Article 5</b>", "AI Act"]),
    ("/timeline", ["no such view"]),
    ("/timeline", [None]),
]


@pytest.mark.server
def test_web_bad_input_set_shows_messages_not_tracebacks(tmp_path):
    from gradio_client import Client

    from tests.conftest import stop_process
    from tests.test_server import start

    proc, port, _ = start(tmp_path)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False)
        worst, errors = 0.0, []
        for api, args in WEB_CASES:
            began = time.perf_counter()
            try:
                result = client.predict(*args, api_name=api)
                text = json.dumps(result, default=str)
                assert "Traceback" not in text and 'File "' not in text, (api, args)
            except AssertionError:
                raise
            except Exception as exc:  # gradio refusing a value of the wrong type before our code runs
                errors.append((api, repr(args)[:80], type(exc).__name__))
            worst = max(worst, time.perf_counter() - began)
        chat, *_ = client.predict(Q, [], "AI Act only", "", api_name="/ask")  # still serving
        assert "deployer" in json.dumps(chat)
    finally:
        stop_process(proc)
    log = (tmp_path / "server.log").read_text()
    ours = re.findall(r'File "[^"]*/(?:assistant|aiact|ui|index|corpus)/[^"]*"', log)
    assert ours == [], log[-3000:]  # no traceback through the assistant's code
    print(f"web: {len(WEB_CASES)} cases, {len(errors)} refused by gradio's validation, worst {worst:.2f} s")
