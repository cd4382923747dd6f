"""The ``aiact`` command. Each command parses, calls the Python API, prints. Errors a user can
fix print one line naming the fix; only a bug prints a traceback."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import textwrap

from assistant.errors import AssistantError, InvalidQuestion
from assistant.settings import set_offline_env

EPILOG = {
    "ask": 'example: aiact ask "When do the obligations for Annex III high-risk systems apply?" --json',
    "assess": 'example: aiact assess "A tool that ranks job applicants\' CVs for recruiters"',
    "index": "example: aiact index            (builds once; a second run returns at once)",
    "serve": "example: aiact serve --port 7860   then open http://127.0.0.1:7860",
    "eval": "example: aiact eval --out eval-report --split heldout",
    "timeline": "example: aiact timeline --json",
}


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2027-03-01") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aiact", description="Cited answers about the EU AI Act, offline.")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def cmd(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, epilog=EPILOG.get(name),
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    c = cmd("index", "Build (or rebuild) the index from corpus/.")
    c.add_argument("--rebuild", action="store_true", help="build even if the index is up to date")
    c = cmd("ask", "Answer one question with cited provisions.")
    c.add_argument("question", help="the question, in quotes")
    c.add_argument("--json", action="store_true", help="print one JSON object (see CONTRACT)")
    c.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD", help="the law as it stood on that date")
    c.add_argument("--act-only", action="store_true", help="cite the AI Act only, no guidelines")
    c = cmd("assess", "Risk tier of a described AI system, with the deciding provisions.")
    c.add_argument("description", help="what the system does, in plain words")
    c.add_argument("--role", choices=["provider", "deployer", "importer", "distributor"], help="your role, if you know it")
    c.add_argument("--fact", action="append", default=[], metavar="NAME=VALUE",
                   help="answer a question of the check, e.g. --fact workplace_or_education=no (repeatable)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c = cmd("timeline", "Every application date in the AI Act, past and upcoming.")
    c.add_argument("--json", action="store_true")
    c = cmd("serve", "Serve the web UI.")
    c.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    c.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    c = cmd("eval", "Run the answer-quality suite; exits non-zero below its thresholds.")
    c.add_argument("--out", default="eval-report", help="report directory (default eval-report)")
    c.add_argument("--split", choices=["dev", "heldout", "all"], default="all")
    c.add_argument("--fast", action="store_true", help="a quick subset, no ablations")
    c.add_argument("--no-ablations", action="store_true", help="only the full pipeline")
    return p


def main(argv: list[str] | None = None) -> int:
    set_offline_env()
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        _quiet_libraries()
    try:
        return COMMANDS[args.command](args) or 0
    except AssistantError as exc:
        print(f"aiact: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("aiact: interrupted", file=sys.stderr)
        return 130


def _quiet_libraries() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "chromadb", "httpx", "llama_index"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        from transformers.utils import logging as tlog

        tlog.set_verbosity_error()
        tlog.disable_progress_bar()
    except ImportError:
        pass


def cmd_index(args) -> int:
    from assistant.settings import Settings
    from aiact.index.build import build_index
    from aiact.index.embed import load_embedder

    settings = Settings.from_env()
    report = build_index(settings, load_embedder(settings.resolved_model()), rebuild=args.rebuild)
    print(report.summary())
    return 0


def cmd_ask(args) -> int:
    from assistant import Assistant

    answer = Assistant().ask(args.question, as_of=args.as_of, guidance=not args.act_only)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(answer.text)
    for c in answer.citations:
        print(f"\n[{c.n}] {c.document}, {c.reference}" + (f" — {c.title}" if c.title else "")
              + f"  ({c.label})\n    {c.url}")
        print(textwrap.indent(textwrap.fill(c.quote, 96), "    > "))
    return 0


def cmd_assess(args) -> int:
    from assistant import Assistant

    facts = {}
    for item in args.fact:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidQuestion(f"--fact takes NAME=VALUE, not {item!r}. Example: --fact workplace_or_education=no")
        facts[name.strip()] = value.strip()
    result = Assistant().assess(args.description, facts=facts or None, role=args.role)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(result.text)
    for c in result.citations:
        print(f"\n[{c.n}] {c.document}, {c.reference} — {c.title}\n    {c.url}")
    return 0


def cmd_timeline(args) -> int:
    from assistant import Assistant

    entries = Assistant().timeline()
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return 0
    for e in entries:
        moved = f" (was {e.superseded_date:%-d %B %Y})" if e.superseded_date else ""
        print(f"{e.date:%Y-%m-%d}  {e.status:<8} {e.reference:<22}{moved}  {e.text[:110]}")
    return 0


def cmd_serve(args) -> int:
    from aiact.ui.app import serve

    serve(host=args.host, port=args.port)
    return 0


def cmd_eval(args) -> int:
    from aiact.evals.run import run_eval

    return run_eval(out=args.out, split=args.split, fast=args.fast, ablations=not args.no_ablations)


COMMANDS = {"index": cmd_index, "ask": cmd_ask, "assess": cmd_assess, "timeline": cmd_timeline,
            "serve": cmd_serve, "eval": cmd_eval}

if __name__ == "__main__":
    sys.exit(main())
