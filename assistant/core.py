"""The entry object: ``Assistant().ask(question)`` and ``Assistant().assess(description)``."""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import unicodedata

from assistant import inputs
from assistant.answer import abstention, compose
from assistant.errors import AssistantError, IndexDamaged, IndexMissing, InvalidQuestion
from assistant.references import point_in_time
from assistant.retrieve import Retriever
from assistant.settings import Settings, set_offline_env
from assistant.types import Answer, Assessment
from aiact.corpus.provision import ACT_IN_FORCE, OMNIBUS_IN_FORCE, Provision

log = logging.getLogger(__name__)
RELOAD_SECONDS = 2.0  # how often a long-running assistant looks for a new build

TIER_WORDS = {
    "prohibited": re.compile(r"\b(prohibit\w*|bann?ed|ban|forbidden|allowed|legal|permitted)\b", re.I),
    "high-risk": re.compile(r"\bhigh[- ]risk\b", re.I),
    "limited": re.compile(r"\b(transparen\w*|disclos\w*|label\w*|tell (?:users|people))\b", re.I),
}
TIER_QUESTION = re.compile(
    r"^\s*(?:is|are|would|will|could|can)\b(?:[^?]*\b(?:high[- ]risk|prohibited|banned|forbidden|allowed|legal|"
    r"permitted)\s*(?:\?|$|under\b|in the\b|according\b|by\b)|\s+it\s+(?:prohibited|banned|forbidden|allowed|"
    r"legal|permitted)\b)", re.I)

EXAMPLES = (
    "When do the obligations for high-risk AI systems listed in Annex III apply?",
    "Is an AI tool that screens CVs for recruiters high-risk?",
    "What is a deployer?",
    "What are the fines for prohibited AI practices?",
    "Which AI practices are prohibited?",
    "What must providers of general-purpose AI models do?",
    "What did Article 113 originally say about Article 6(1)?",
    "Do I have to tell users they are talking to a chatbot?",
)


def clean_text(text: str | bytes, limit: int, what: str = "question") -> tuple[str, tuple[str, ...]]:
    """Readable text from whatever the caller passed, or a clear error."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise InvalidQuestion(f"The {what} must be text, not {type(text).__name__}.")
    # Control characters and lone surrogates come from binary input; they carry no meaning.
    # Invisible format characters (zero-width space, joiner, soft hyphen, BOM) sit inside words:
    # dropped, not turned into spaces, so "deplo\u200byer" still reads "deployer".
    text = "".join("" if unicodedata.category(ch) == "Cf" else ch if unicodedata.category(ch)[0] != "C"
                   or ch in "\n\t" else " " for ch in text)
    text = text.encode("utf-8", errors="ignore").decode("utf-8").replace("\ufffd", " ")
    text = " ".join(text.split())
    if not text:
        raise InvalidQuestion(f"The {what} is empty. Example: aiact ask \"When do the prohibitions apply?\"")
    if sum(ch.isalpha() for ch in text) < 2:
        raise InvalidQuestion(f"The {what} has no readable words. Example: aiact ask \"What is a deployer?\"")
    notes: tuple[str, ...] = ()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
        notes = (f"The {what} was truncated to its first {limit} characters.",)
    return text, notes


class Assistant:
    """Answers questions about the AI Act from the local index. Safe to share between threads.

    Example::

        >>> from assistant import Assistant
        >>> bot = Assistant()                      # opens the index, building it once if missing
        >>> ans = bot.ask("When do the prohibitions apply?")
        >>> print(ans.text)                        # conclusion first, markers [n]
        >>> ans.citations[0].reference, ans.citations[0].url
        >>> bot.assess("A tool that ranks job applicants' CVs for recruiters").tier
        'high-risk'

    ``settings`` defaults to ``Settings.from_env()`` (``AIACT_*`` variables); ``build=False``
    raises ``IndexMissing`` instead of building; ``progress=False`` hides the build's progress bar;
    ``mode`` picks the retrieval ablation the eval compares ("dense", "bm25", "hybrid",
    "hybrid+structure"); ``embedder`` replaces the model (tests pass a deterministic one).
    """

    def __init__(self, settings: Settings | None = None, *, mode: str = "hybrid+structure",
                 build: bool = True, progress: bool = True, embedder=None):
        set_offline_env()
        self.settings = settings or Settings.from_env()
        self.mode = mode
        self._build, self._progress = build, progress
        self._embedder = embedder
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._earlier: dict[str, Provision] = {}
        self._assessor = None
        self._sequence: dict[tuple[str, str], list[Provision]] | None = None
        self._positions: dict[str, int] = {}
        self._checked_at = 0.0
        self._open()

    # -- index -----------------------------------------------------------------------------
    @property
    def embedder(self):
        """The embedding model (loaded on first use, shared by every Assistant in the process)."""
        if self._embedder is None:
            from aiact.index.embed import load_embedder

            self._embedder = load_embedder(self.settings.resolved_model(), self.settings.embed_batch_size)
        return self._embedder

    def _open(self) -> None:
        from aiact.index.build import build_index, current_build
        from aiact.index.store import forget_chroma

        with self._lock:
            directory = current_build(self.settings)
            if directory is None:
                if not self._build:
                    raise IndexMissing(f"No index in {self.settings.index_root} — run 'aiact index'.")
                log.info("no index yet: building it")
                directory = build_index(self.settings, self.embedder, progress=self._progress).directory
            try:
                store = self._open_store(directory)
            except Exception as exc:  # a damaged build: rebuild it into a fresh directory, or say how to
                if not self._build:
                    if isinstance(exc, AssistantError):
                        raise
                    raise IndexMissing(f"The index in {directory} cannot be read ({exc.__class__.__name__}) "
                                       "— run 'aiact index --rebuild'.") from exc
                log.warning("index in %s is damaged (%s): rebuilding", directory, exc)
                forget_chroma(directory / "chroma")
                directory = build_index(self.settings, self.embedder, rebuild=True,
                                        progress=self._progress).directory
                store = self._open_store(directory)
            self._use(store)

    def _open_store(self, directory):
        """Open a build after checking its files against the manifest's checksums."""
        from aiact.index.build import verify_build, verify_vectors
        from aiact.index.store import IndexStore

        verify_build(directory)
        store = IndexStore(directory, self.settings.chroma_url, self.settings.exact_search_limit)
        # Without vectors.npy (or beyond exact search) questions go through Chroma: it must hold them all.
        if store.needs_chroma and store.collection.count() != len(store.node_ids):
            raise IndexDamaged(f"The vector store in {directory} holds {store.collection.count()} of "
                               f"{len(store.node_ids)} nodes — run 'aiact index --rebuild'.")
        verify_vectors(store)
        return store

    def _use(self, store) -> None:
        """Switch every view of the index to ``store`` (questions already running keep theirs)."""
        retriever = Retriever(store, self.embedder, self.settings.candidates, self.settings.rrf_k, self.mode)
        earlier = self._earlier_wordings(store)
        self.store, self._retriever, self._earlier = store, retriever, earlier
        self._assessor, self._sequence, self._positions = None, None, {}
        self._checked_at = time.monotonic()

    def _reload_if_new(self) -> None:
        """Between questions, at most once every RELOAD_SECONDS: if CURRENT names another build
        (``aiact index`` ran with a new corpus), switch to it. A new build that cannot be opened
        is logged and the one in use stays."""
        if time.monotonic() - self._checked_at < RELOAD_SECONDS:
            return
        from aiact.index.build import current_build

        self._checked_at = time.monotonic()
        directory = current_build(self.settings)
        if directory is None or directory == self.store.directory:
            return
        with self._lock:
            if directory == self.store.directory:
                return
            try:
                store = self._open_store(directory)
            except Exception as exc:  # noqa: BLE001 - keep answering from the build in use
                log.warning("new index build %s cannot be opened (%s); staying on %s", directory, exc,
                            self.store.directory)
                return
            log.info("switching to the new index build %s", directory)
            self._use(store)

    @staticmethod
    def _earlier_wordings(store) -> dict[str, Provision]:
        old = {(p.document, p.reference): p for p in store.provisions.values()
               if p.valid_to == OMNIBUS_IN_FORCE}
        return {p.id: old[(p.document, p.reference)] for p in store.provisions.values()
                if p.valid_to is None and p.amendment and (p.document, p.reference) in old}

    @property
    def retriever(self) -> Retriever:
        """The hybrid retriever over the open index (for the eval and for experiments)."""
        assert self._retriever is not None
        return self._retriever

    @property
    def today(self) -> dt.date:
        """The date the law is read at by default: ``AIACT_TODAY`` if set, else today."""
        return self.settings.current_date()

    @property
    def examples(self) -> list[str]:
        """Example questions, as users ask them (the UI shows them under the question box)."""
        return list(EXAMPLES)

    # -- questions -------------------------------------------------------------------------
    def ask(self, question: str, as_of: dt.date | str | None = None, guidance: bool = True) -> Answer:
        """Answer one question from the provisions, citing and quoting each one.

        ``as_of`` reads the law as it stood on that date (a date in the question does the same);
        ``guidance=False`` cites the AI Act only, not the guidelines or the code of practice.
        Raises ``InvalidQuestion`` for empty or unreadable input.

        Example::

            >>> ans = bot.ask("When do the obligations for Annex III high-risk systems apply?")
            >>> "[1]" in ans.text, ans.abstained
            (True, False)
            >>> old = bot.ask("When does Article 6(1) apply?", as_of=datetime.date(2026, 1, 1))
            >>> old.as_of, old.citations[0].version     # the 2024 wording, then in force
            >>> bot.ask("What is the capital of France?").abstained
            True
        """
        as_of = inputs.as_date(as_of)
        text, notes = clean_text(question, self.settings.max_question_chars)
        if as_of is None and (written := inputs.impossible_date(text)):
            return inputs.not_a_day(text, written, self.today)
        day = as_of or point_in_time(text) or self.today
        if day < ACT_IN_FORCE:
            return inputs.before_the_act(text, day)
        self._reload_if_new()
        retrieval = self.retriever.retrieve(text, day, guidance=guidance)
        if TIER_QUESTION.search(text) and not retrieval.requested and retrieval.results \
                and self.mode == "hybrid+structure":
            retrieval = self._with_deciding_provision(text, retrieval)
        weak = not any(s.reason in ("reference", "definition") for s in retrieval.results) and (
            retrieval.best_similarity < self.settings.min_score or retrieval.coverage < self.settings.min_coverage)
        all_missing = bool(retrieval.requested) and len(retrieval.missing) == len(retrieval.requested)
        if all_missing or weak or not retrieval.results:
            answer = abstention(text, retrieval, day)
        else:
            answer = compose(text, retrieval, self._earlier, self.today, self.settings.max_citations,
                             parts=lambda p: self.retriever.resolve(p.document, p.reference, day)[1:5])
        if notes:
            answer = Answer(answer.question, answer.text + "\n\n" + " ".join(notes), answer.abstained,
                            answer.citations, answer.as_of, notes)
        return self._rephrase(answer)

    def _with_deciding_provision(self, question: str, retrieval):
        """'Is X high-risk?' is answered by the provision that decides X's tier (the assessor's
        best match), placed first."""
        from assistant.retrieve import Scored

        assessor = self._get_assessor()
        features = assessor.features(question)
        tier, _ = assessor.decide(features)
        asked = next((t for t, pattern in TIER_WORDS.items() if pattern.search(question)), None)
        chosen = tier if tier != "minimal" else asked
        p, sim = features.best.get(chosen, (None, 0.0)) if chosen else (None, 0.0)
        if p is None:
            return retrieval
        top = retrieval.results[0].score if retrieval.results else 1.0
        lead = Scored(p, top + 1.0, sim, "deciding")
        retrieval.results = [lead] + [s for s in retrieval.results if s.provision.id != p.id]
        return retrieval

    def _get_assessor(self):
        if self._assessor is None:
            from assistant.assess import Assessor

            with self._lock:
                if self._assessor is None:
                    self._assessor = Assessor(self)
        return self._assessor

    def _rephrase(self, answer: Answer) -> Answer:
        if not self.settings.llm_url or answer.abstained:
            return answer
        from assistant.llm import rephrase

        return rephrase(answer, self.settings)

    def assess(self, description: str, role: str | None = None) -> Assessment:
        """The risk tier of a described AI system or use, with the provisions that decide it.

        ``role`` is "provider" or "deployer" when known. Raises ``InvalidQuestion`` for an empty
        description.

        Example::

            >>> risk = bot.assess("Real-time face recognition of passers-by by the police")
            >>> risk.tier, risk.citations[0].reference
            ('prohibited', 'Article 5(1)(h)')
            >>> risk.checks                             # what would change the outcome
        """
        role = inputs.as_role(role)
        text, _ = clean_text(description, self.settings.max_question_chars, "description")
        self._reload_if_new()
        return self._get_assessor().assess(text, role)

    # -- browsing --------------------------------------------------------------------------
    def provision(self, reference: str, document: str = "AI Act", as_of: dt.date | None = None) -> Provision | None:
        """The provision ``reference`` of ``document`` in force on ``as_of`` (default today), or None.

        Example::

            >>> p = bot.provision("Article 50(2)")
            >>> p.reference, p.title, p.url
            >>> bot.provision("para. 12", "Guidelines on prohibited AI practices").text
            >>> bot.provision("Article 999") is None
            True
        """
        from assistant.references import find_references

        reference, as_of = inputs.as_reference(reference), inputs.as_date(as_of)
        document = inputs.as_reference(document, "document")

        refs = find_references(reference) if document == "AI Act" else []
        ref = refs[0].reference if refs else reference.strip()
        return self.retriever.in_force(document, ref, as_of or self.today) or \
            next(iter(self.retriever.resolve(document, ref, as_of or self.today, limit=1)), None)

    def versions(self, reference: str, document: str = "AI Act") -> list[Provision]:
        """Every wording of a provision: the one in force first, then earlier ones, newest first.

        Example::

            >>> [(v.version, v.valid_from, v.valid_to) for v in bot.versions("Article 113")]
            # the consolidated text since 27 July 2026, then the 2024 original (valid_to set)
        """
        p = self.provision(reference, document)
        ref = p.reference if p else reference
        found = self.retriever.by_reference.get((document, ref), [])
        return sorted(found, key=lambda x: (x.valid_to is not None, -(x.valid_from or dt.date.min).toordinal()))

    @property
    def documents(self) -> list[str]:
        """The documents in the index, the AI Act first."""
        names = {p.document for p in self.store.provisions.values()}
        return sorted(names, key=lambda d: (d != "AI Act", d))

    def parts(self, p: Provision, as_of: dt.date | None = None) -> list[Provision]:
        """The paragraphs and points within a provision, in order (Article 5(1) → points (a)–(h))."""
        found = self.retriever.resolve(p.document, p.reference, as_of or self.today, limit=200)
        return [x for x in found if x.reference != p.reference]

    def neighbours(self, p: Provision) -> tuple[Provision | None, Provision | None]:
        """The provisions before and after ``p`` in its source text."""
        if self._sequence is None:
            sequence: dict[tuple[str, str], list[Provision]] = {}
            for x in self.store.provisions.values():
                sequence.setdefault((x.document, x.source), []).append(x)
            for group in sequence.values():
                group.sort(key=lambda x: x.order)
            self._positions = {x.id: i for group in sequence.values() for i, x in enumerate(group)}
            self._sequence = sequence
        group = self._sequence.get((p.document, p.source), [])
        i = self._positions.get(p.id)
        if i is None:
            return None, None
        return (group[i - 1] if i > 0 else None), (group[i + 1] if i + 1 < len(group) else None)

    def timeline(self):
        """Every application date the AI Act states, ordered by date, as ``TimelineEntry`` values
        (``date``, ``reference``, the verbatim ``text``, ``status`` past/upcoming, and for the
        dates the Digital Omnibus moved, ``superseded_date``: the 2024 date).

        Example::

            >>> moved = [e for e in bot.timeline() if e.superseded_date]
            >>> [(e.reference, e.superseded_date.isoformat(), e.date.isoformat()) for e in moved][:1]
            >>> [e.to_dict() for e in bot.timeline()]   # what `aiact timeline --json` prints
        """
        from assistant.timeline import extract_timeline

        return extract_timeline(self.store.provisions.values(), self._earlier, self.today)
