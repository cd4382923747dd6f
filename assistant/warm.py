"""What a session works out once, while it waits for its next question.

Why: a fresh process meets, during its first hundred answers, each law-data pattern for the first
time (the procedure's cues, the facts' terms: ~1,300 patterns, compiled on first use, ~0.2 ms
each) and each provision text for the first time (its stems, its sentences): measured on ``make
bench``'s first pass, a few ms of most answers (README "Round 8 of issue 13"). The patterns are
~0.1 s of CPU (the texts ~0.2 s more, and 25 MB: see ``WARM_TEXTS``), which a process can spend
while nobody waits for it.

When: after a process's second answer (one answer is a script's ``aiact ask``, which must not pay
for any of this; a second one means a session: the web server, ``aiact chat``, ``Assistant`` in a
notebook), in a background thread that works only while no answer is being computed. It does its
work in small steps (a pattern; a hundred texts) and waits before each one until the answers in
progress are done, so an answer waits at most one step (~1 ms) for it. A thread that ran alongside
answers was measured to slow each by far more than its own work (every time an answer's embedding
or numpy released the interpreter's lock, taking it back waited for the other thread's 5 ms
switch interval).

Only caches are filled, by the functions answering calls with the same arguments (the same
compiled pattern objects, the same stems), so no answer changes. Failures are logged and ignored:
a cold cache is only slower. ``AIACT_WARM_UP=0`` turns it off.
"""
from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

# Fields of the law data's facts that answering matches as case-insensitive patterns.
PATTERN_FIELDS = ("terms", "requires", "only_if", "asks", "claim", "cues", "synonyms", "no_cues")
TEXTS_PER_STEP = 100
# The provisions' stems and sentences too? Off: measured in make bench's serving child, they add
# ~25 MB at once (392 → 417 MB with the web UI built, over the 400 MB target) for ~1 ms of a first
# pass's answers, while the patterns cost ~1 MB; a long-running process still keeps each text it
# meets (bounded caches), as before.
WARM_TEXTS = False


class _Session:
    """Answers in progress and answers given by one assistant; the warm-up thread, once started."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle = threading.Event()
        self.idle.set()
        self.running = 0
        self.answered = 0
        self.thread: threading.Thread | None = None

    def begin(self) -> None:
        with self.lock:
            self.running += 1
            self.idle.clear()

    def end(self, assistant) -> None:
        with self.lock:
            self.running -= 1
            self.answered += 1
            if self.running == 0:
                self.idle.set()
            start = self.answered == 2 and self.thread is None and assistant.settings.warm_up
            if start:
                self.thread = threading.Thread(target=self.run, args=(assistant,), name="aiact-warm", daemon=True)
        if start:
            self.thread.start()

    def run(self, assistant) -> None:
        try:
            for step in steps(assistant):
                self.idle.wait()
                step()
        except Exception as exc:  # noqa: BLE001 - a warm-up never breaks answering
            log.debug("background warm-up stopped: %s", exc)


_sessions_lock = threading.Lock()


def _session(assistant) -> _Session:
    state = assistant.__dict__.get("_warm_session")
    if state is None:
        with _sessions_lock:
            state = assistant.__dict__.setdefault("_warm_session", _Session())
    return state


def session(method: Callable) -> Callable:
    """Decorates ``Assistant.ask``: counts answers, and starts the warm-up after the second."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        state = _session(self)
        state.begin()
        try:
            return method(self, *args, **kwargs)
        finally:
            state.end(self)

    return wrapper


def law_patterns() -> list[tuple[str, int]]:
    """Every pattern of the law data with the flags answering compiles it with (the build
    stores their compiled programs: aiact.index.compiled)."""
    from assistant.law import load_law

    out: list[tuple[str, int]] = []
    for fact in load_law().facts:
        for name in PATTERN_FIELDS:
            value = fact.get(name)
            for pattern in (value,) if isinstance(value, str) else (value or ()):
                if isinstance(pattern, str):
                    out.append((pattern, re.I))
    return list(dict.fromkeys(out))


def steps(assistant) -> Iterator[Callable[[], object]]:
    """The warm-up in small steps: each law-data pattern, the procedure of the assistant's day
    (its patterns compiled by then), then, with ``WARM_TEXTS``, the provisions' texts about a
    hundred at a time (their stems, and each provision's sentences with their stems, as
    candidates.py keeps them)."""
    from assistant.candidates import _sentence_stems as sentence_stems
    from assistant.patterns import compiled
    from assistant.procedure import load_procedure
    from assistant.retrieve import _stems
    from aiact.index.chunk import split_sentences
    from aiact.index.stems import provision_texts

    for pattern, flags in law_patterns():
        yield functools.partial(compiled, pattern, flags)
    yield functools.partial(load_procedure, assistant.today)
    if not WARM_TEXTS:
        return
    provisions = list(assistant.store.provisions.values())
    for start in range(0, len(provisions), TEXTS_PER_STEP // 4):
        part = provisions[start:start + TEXTS_PER_STEP // 4]  # ~4 texts a provision (stems.provision_texts)
        yield lambda part=part: ([_stems(t) for t in provision_texts(part, split_sentences)],
                                 [sentence_stems(p.text) for p in part])


def wait(assistant, timeout: float | None = None) -> bool:
    """Block until the warm-up has finished (True) or ``timeout`` passed; for tests and benchmarks
    that compare a warmed process with a cold one."""
    thread = _session(assistant).thread
    if thread is None:
        return False
    thread.join(timeout)
    return not thread.is_alive()
