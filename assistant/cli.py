"""The ``aiact`` command. Each command parses, calls the Python API, prints. Errors a user can
fix print one line naming the fix; only a bug prints a traceback.

Habits of the CLIs people like: ``--version``; ``-v`` and ``--json`` accepted before or after the
command; every command can print JSON; ``-`` (or a pipe) reads the question from standard input;
a closed pipe (``aiact ask … | head``) ends quietly; the first run says the index is being built
once and about how long that takes; ``aiact doctor`` checks the install in one screen.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import textwrap
from typing import Any

from assistant.errors import AssistantError, InvalidQuestion
from assistant.settings import set_offline_env

EPILOG = {
    "ask": 'examples:\n  aiact ask "When do the obligations for Annex III high-risk systems apply?" --json\n'
           '  echo "What is a deployer?" | aiact ask -\n'
           '  aiact ask --continue "And for deployers?"',
    "chat": "example: aiact chat      then type a question, and a follow-up such as: and for SMEs?",
    "assess": 'example: aiact assess "A tool that ranks job applicants\' CVs for recruiters"',
    "index": "example: aiact index            (builds once; a second run returns at once)",
    "serve": "example: aiact serve --port 7860   then open http://127.0.0.1:7860",
    "eval": "examples:\n  aiact eval --out eval-report --split heldout\n"
            "  aiact eval --compare before/report.json after/report.json --out compare",
    "timeline": "example: aiact timeline --json",
    "doctor": "example: aiact doctor           (exit code 1 when a check fails)",
}
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE: what a C tool killed by a closed pipe returns


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2027-03-01") from None


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number like 7860") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535, e.g. --port 7860")
    return port


class OneLineParser(argparse.ArgumentParser):
    """A bad flag or value prints one line naming the help, not the usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _global_flags(defaults: bool) -> argparse.ArgumentParser:
    """-v and --json, valid before and after the command. On the sub-commands they default to
    SUPPRESS, so a flag given before the command is not reset by the sub-parser."""
    g = argparse.ArgumentParser(add_help=False)
    keep = {} if defaults else {"default": argparse.SUPPRESS}
    g.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)", **keep)
    g.add_argument("--json", action="store_true", help="print one JSON object (docs/json.md)", **keep)
    return g


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("aiact-assistant")
    except PackageNotFoundError:
        return "unknown (not installed: run 'make install')"


def parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="aiact", description="Cited answers about the EU AI Act, offline.",
                                parents=[_global_flags(True)],
                                epilog="Run 'aiact COMMAND --help' for a command's options and an example.")
    p.add_argument("-V", "--version", action="version", version=f"aiact {version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    flags = _global_flags(False)

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=EPILOG.get(name), parents=[flags],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    c = cmd("index", "Build (or rebuild) the index from corpus/.")
    c.add_argument("--rebuild", action="store_true", help="build even if the index is up to date")
    c.add_argument("--check", action="store_true", help="check the index files against their checksums")
    c = cmd("ask", "Answer one question with cited provisions.")
    c.add_argument("question", nargs="?", default="-",
                   help="the question, in quotes; '-' or nothing reads it from standard input")
    c.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="the law as it stood on that date")
    c.add_argument("--act-only", action="store_true", help="cite the AI Act only, no guidelines")
    c.add_argument("--continue", dest="follow_up", action="store_true",
                   help="a follow-up: read it with the previous 'aiact ask' question (e.g. \"And for deployers?\")")
    c = cmd("chat", "Ask questions one after another; follow-ups read the earlier turns.")
    c.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="the law as it stood on that date")
    c = cmd("assess", "Risk tier of a described AI system, with the deciding provisions.")
    c.add_argument("description", nargs="?", default="-",
                   help="what the system does, in plain words; '-' reads it from standard input")
    c.add_argument("--role", choices=["provider", "deployer", "importer", "distributor"],
                   help="your role, if you know it")
    c.add_argument("--fact", action="append", default=[], metavar="NAME=VALUE",
                   help="answer a question of the check, e.g. --fact workplace_or_education=no (repeatable)")
    c.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="the law as it stood (or will stand) on that date")
    cmd("timeline", "Every application date in the AI Act, past and upcoming.")
    c = cmd("serve", "Serve the web UI.")
    c.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    c.add_argument("--port", type=_port, default=7860, help="port (default 7860)")
    c.add_argument("--allow-remote-without-password", action="store_true",
                   help="serve a non-loopback address with no AIACT_AUTH (refused otherwise)")
    c = cmd("eval", "Run the answer-quality suite; exits non-zero below its thresholds.")
    c.add_argument("--out", default=None, help="report directory (default eval-report, or eval-compare)")
    c.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    c.add_argument("--fast", action="store_true", help="a quick subset, no ablations")
    c.add_argument("--no-ablations", action="store_true", help="only the full pipeline")
    c.add_argument("--compare", nargs=2, metavar=("REPORT_A", "REPORT_B"),
                   help="compare two report.json files (or their folders) instead of running")
    cmd("doctor", "Check the install, the index and the settings; exit 1 if something is wrong.")
    return p


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    try:
        args = parser().parse_args(argv)
        level = logging.INFO if args.verbose else logging.WARNING
        logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
        for handler in logging.getLogger().handlers:  # libraries that force DEBUG on their logger (bm25s)
            handler.setLevel(level)                     # still print nothing below the level asked for
        if not args.verbose:
            _quiet_libraries()
        code = COMMANDS[args.command](args) or 0
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return code
    except AssistantError as exc:
        print(f"aiact: {' '.join(str(exc).split())}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("aiact: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (head, less) has gone: stop quietly. Point stdout at /dev/null so the
        # interpreter's final flush does not raise again (the Python docs' recipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE_EXIT
    except OSError as exc:  # the environment, not a bug: a full disk, a permission, a missing folder
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"aiact: {exc.strerror or exc}{where}. Check AIACT_HOME and the disk, then try again.",
              file=sys.stderr)
        return 1


def _quiet_libraries() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "chromadb", "httpx", "llama_index", "bm25s"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "transformers" in sys.modules:  # never imported just to quiet it: seconds of start-up
        from transformers.utils import logging as tlog

        tlog.set_verbosity_error()
        tlog.disable_progress_bar()


def emit(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def read_text_arg(value: str | None, what: str) -> str:
    """The argument, or standard input for '-' (a question typed or piped: ``echo … | aiact ask -``)."""
    from assistant.core import clean_text

    if value not in (None, "-"):
        text = value
    elif sys.stdin is None or sys.stdin.isatty():
        raise InvalidQuestion(f"No {what} given. Example: aiact ask \"What is a deployer?\" "
                              f"(or pipe it: echo \"What is a deployer?\" | aiact ask -)")
    else:
        text = sys.stdin.read()
    clean_text(text, len(text) + 1, what)  # empty or unreadable: one line now, before any index build
    return text


def first_run_notice(settings=None, quiet: bool = False) -> None:
    """Before a first build: say, on stderr, that it happens once and about how long it takes."""
    from assistant.doctor import build_estimate
    from assistant.settings import Settings
    from aiact.index.build import current_build

    settings = settings or Settings.from_env()
    if quiet or current_build(settings) is not None:
        return
    print(f"aiact: first run — building the search index once in {settings.index_root} "
          f"({build_estimate(settings)}). Later runs start in seconds.", file=sys.stderr)


def open_assistant():
    from assistant import Assistant

    first_run_notice()
    return Assistant()


def cmd_index(args) -> int:
    from assistant.settings import Settings
    from aiact.index.build import build_index
    from aiact.index.embed import embedder_for

    settings = Settings.from_env()
    if getattr(args, "check", False):
        from aiact.index.build import check_index

        ok, line = check_index(settings)
        print(line, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    first_run_notice(settings, quiet=args.rebuild)
    report = build_index(settings, embedder_for(settings), rebuild=args.rebuild)
    if args.json:
        emit({"directory": str(report.directory), "fingerprint": report.fingerprint, "built": report.built,
              "provisions": report.provisions, "nodes": report.nodes, "documents": report.documents,
              "seconds": round(report.seconds, 2), "size_bytes": report.size_bytes})
    else:
        print(report.summary())
    return 0


def _last_turns(settings):
    """Where 'aiact ask' keeps the last questions, so that '--continue' can read them."""
    return settings.home / "last-questions.json"


def cmd_ask(args) -> int:
    from assistant import Settings

    question = read_text_arg(args.question, "question")
    settings = Settings.from_env()
    store = _last_turns(settings)
    earlier: list[str] = []
    if getattr(args, "follow_up", False) and store.is_file():
        try:
            earlier = [str(q) for q in json.loads(store.read_text(encoding="utf-8"))][-3:]
        except (ValueError, OSError):
            earlier = []  # an unreadable record: answer the question on its own
    answer = open_assistant().ask(question, as_of=args.as_of, guidance=not args.act_only,
                                  history=earlier or None)
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(earlier + [answer.plan.query if answer.plan else answer.question]),
                         encoding="utf-8")
    except OSError:
        pass  # follow-ups are a convenience; the answer stands without them
    if args.json:
        emit(answer.to_dict())
        return 0
    _print_answer(answer)
    return 0


def cmd_chat(args) -> int:
    bot = open_assistant()
    history: list = []
    print("Ask about the AI Act; follow-ups read the earlier turns. An empty line or Ctrl-D ends.")
    while True:
        try:
            question = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not question:
            return 0
        try:
            answer = bot.ask(question, as_of=args.as_of, history=history[-3:])
        except InvalidQuestion as exc:
            print(exc)
            continue
        history.append(answer)
        _print_answer(answer)


def _print_answer(answer) -> None:
    print(answer.text)
    for c in answer.citations:
        version = f", {c.version}" if c.version else ""
        old = " — earlier wording, no longer in force" if c.superseded else ""
        print(f"\n[{c.n}] {c.document}, {c.reference}" + (f" — {c.title}" if c.title else "")
              + f"  ({c.label}{version}){old}\n    {c.url}")
        print(textwrap.indent(textwrap.fill(c.quote, 96), "    > "))


def cmd_assess(args) -> int:
    description = read_text_arg(args.description, "description")
    facts = {}
    for item in args.fact:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidQuestion(f"--fact takes NAME=VALUE, not {item!r}. Example: --fact workplace_or_education=no")
        facts[name.strip()] = value.strip()
    result = open_assistant().assess(description, facts=facts or None, role=args.role, as_of=args.as_of)
    if args.json:
        emit(result.to_dict())
        return 0
    print(result.text)
    for c in result.citations:
        print(f"\n[{c.n}] {c.document}, {c.reference} — {c.title}\n    {c.url}")
    return 0


def cmd_timeline(args) -> int:
    entries = open_assistant().timeline()
    if args.json:
        emit([e.to_dict() for e in entries])
        return 0
    for e in entries:
        moved = f" (was {e.superseded_date:%-d %B %Y})" if e.superseded_date else ""
        print(f"{e.date:%Y-%m-%d}  {e.status:<8} {e.reference:<22}{moved}  {e.text[:110]}")
    return 0


def cmd_serve(args) -> int:
    from aiact.ui.app import serve

    if args.json:  # one line a supervisor can read before the server blocks
        print(json.dumps({"url": f"http://{args.host}:{args.port}/"}), flush=True)
    serve(host=args.host, port=args.port, notice=first_run_notice,
          allow_remote_without_password=getattr(args, "allow_remote_without_password", False))
    return 0


def cmd_eval(args) -> int:
    if args.compare:
        from aiact.evals.compare import compare_reports

        return compare_reports(*args.compare, out=args.out or "eval-compare", as_json=args.json)
    from aiact.evals.run import run_eval

    first_run_notice()
    return run_eval(out=args.out or "eval-report", split=args.split, fast=args.fast,
                    ablations=not args.no_ablations, as_json=args.json)


def cmd_doctor(args) -> int:
    from assistant.doctor import run_checks

    checks = run_checks()
    if args.json:
        emit({"ok": all(c.ok for c in checks), "checks": [c.to_dict() for c in checks]})
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{'ok' if c.ok else 'FAIL':<4} {c.name:<{width}}  {c.detail}")
            if not c.ok and c.fix:
                print(f"     {'':<{width}}  → {c.fix}")
        bad = sum(not c.ok for c in checks)
        print("\nAll checks passed." if not bad else f"\n{bad} check{'s' * (bad > 1)} failed.")
    return 0 if all(c.ok for c in checks) else 1


COMMANDS = {"index": cmd_index, "ask": cmd_ask, "chat": cmd_chat, "assess": cmd_assess, "timeline": cmd_timeline,
            "serve": cmd_serve, "eval": cmd_eval, "doctor": cmd_doctor}

if __name__ == "__main__":
    sys.exit(main())
