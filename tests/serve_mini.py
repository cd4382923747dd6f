"""A real gradio server for the web attack tests: the mini corpus, the hash embedder, and an
assistant that records how many questions it answers at once (``ask("__stats__")`` reports it).

    python -m tests.serve_mini PORT HOME
"""
from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from assistant import Assistant, Settings
from assistant.types import Answer
from aiact.index.embed import HashEmbedder
from aiact.ui.app import serve

MINI = Path(__file__).resolve().parent / "data" / "corpus"


class Counting:
    """The real assistant, slowed a little so overlapping calls can be counted."""

    def __init__(self, bot: Assistant):
        self.bot, self.active, self.peak, self.longest = bot, 0, 0, 0
        self.history_seen = 0
        self._lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.bot, name)

    def ask(self, question, as_of=None, guidance=True, **kw):
        if question == "__stats__":
            return Answer(question, f"peak={self.peak} longest={self.longest}", True, ())
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.longest = max(self.longest, len(question))
        try:
            time.sleep(0.3)
            return self.bot.ask(question, as_of=as_of, guidance=guidance)
        finally:
            with self._lock:
                self.active -= 1


def main() -> None:
    port, home = int(sys.argv[1]), Path(sys.argv[2])
    settings = Settings(home=home, corpus_dir=MINI, today=dt.date(2026, 11, 24), min_score=0.0, min_coverage=0.0)
    bot = Assistant(settings, embedder=HashEmbedder(), progress=False)
    serve("127.0.0.1", port, assistant=Counting(bot), block=True)


if __name__ == "__main__":
    main()
