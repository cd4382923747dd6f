"""The `aiact` command's habits, fast: --version, flags anywhere, stdin, --json everywhere, a closed
pipe, the first-run notice and the doctor. Commands run in-process on the mini corpus."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assistant import cli
from tests.conftest import ROOT

COMMANDS = {"index": [], "ask": ["What is a deployer?"], "assess": ["A spam filter"], "timeline": [],
            "serve": [], "eval": [], "doctor": []}


@pytest.fixture
def mini_cli(monkeypatch, mini_assistant, mini_settings):
    """`aiact` wired to the mini assistant (hash embedder, mini corpus)."""
    monkeypatch.setattr(cli, "open_assistant", lambda: mini_assistant)
    monkeypatch.setenv("AIACT_HOME", str(mini_settings.home))
    return mini_assistant


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("aiact 0.")


@pytest.mark.parametrize("argv", [["--json", "-v", "ask", "q"], ["ask", "q", "--json", "-v"],
                                  ["-v", "ask", "--json", "q"]])
def test_global_flags_anywhere(argv):
    args = cli.parser().parse_args(argv)
    assert args.json and args.verbose and args.question == "q"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_takes_json(command):
    args = cli.parser().parse_args([command, *COMMANDS[command], "--json"])
    assert args.json is True and args.verbose is False


def test_question_from_stdin(mini_cli, monkeypatch, capsys):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("What is a deployer?\n"))
    assert cli.main(["ask", "-", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["question"] == "What is a deployer?" and data["citations"]


def test_no_question_on_a_terminal_names_both_ways(mini_cli, monkeypatch, capsys):
    class Tty:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    assert cli.main(["ask"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("aiact: No question given") and "aiact ask -" in err and len(err.splitlines()) == 1


def test_human_output_labels_versions(mini_cli, capsys):
    assert cli.main(["ask", "What is a deployer?"]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "binding law" in out


def test_closed_pipe_is_quiet():
    """`aiact … | head -1`: the reader goes away; no traceback, the exit code of a SIGPIPE."""
    code = ("import sys; from assistant import cli\n"
            "cli.COMMANDS['doctor'] = lambda a: [print('line %d' % i) for i in range(200000)] and 0\n"
            "sys.exit(cli.main(['doctor']))")
    proc = subprocess.run(f"{sys.executable} -c \"{code}\" | head -1", shell=True, capture_output=True,
                          text=True, cwd=ROOT, timeout=60, executable="/bin/bash")
    assert proc.stdout == "line 0\n"
    assert proc.stderr == "", proc.stderr
    piped = subprocess.run(["bash", "-c", f"set -o pipefail; {sys.executable} -c \"{code}\" | head -1"],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert piped.returncode == cli.BROKEN_PIPE_EXIT


def test_first_run_notice_says_once_and_how_long(mini_settings, capsys):
    cli.first_run_notice(mini_settings)
    err = capsys.readouterr().err
    assert "first run" in err and "once" in err and "minute" in err and str(mini_settings.index_root) in err


def test_no_notice_when_the_index_exists(mini_assistant, mini_settings, capsys):
    cli.first_run_notice(mini_settings)
    assert capsys.readouterr().err == ""


def test_doctor_names_the_next_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AIACT_HOME", str(tmp_path / "home"))
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL index" in out and "aiact index" in out and "dependencies" in out and "settings" in out
    assert cli.main(["doctor", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and {c["name"] for c in data["checks"]} >= {"python", "index", "settings"}


def test_doctor_reports_a_bad_setting(monkeypatch, capsys):
    monkeypatch.setenv("AIACT_MAX_CITATIONS", "many")
    assert cli.main(["doctor"]) == 1
    assert "AIACT_* variable is invalid" in capsys.readouterr().out


def test_index_json(monkeypatch, mini_assistant, mini_settings, hash_embedder, capsys):
    from aiact.index import embed

    monkeypatch.setenv("AIACT_HOME", str(mini_settings.home))
    monkeypatch.setenv("AIACT_CORPUS", str(mini_settings.corpus_dir))
    monkeypatch.setattr(embed, "load_embedder", lambda *a, **k: hash_embedder)
    assert cli.main(["index", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["built"] is False and data["provisions"] > 0


def test_help_has_examples_without_the_model():
    env = {**os.environ, "AIACT_HOME": "/nonexistent"}
    for command in COMMANDS:
        result = subprocess.run([sys.executable, "-m", "assistant.cli", command, "--help"], capture_output=True,
                                text=True, cwd=ROOT, timeout=60, env=env)
        assert result.returncode == 0 and "example" in result.stdout and "--json" in result.stdout
