"""The entry object: ``Assistant().ask(question)`` and ``Assistant().assess(description)``."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import threading
import time
import unicodedata

from assistant import inputs, warm
from assistant.answer import abstention, compose, not_held, off_topic
from assistant.errors import AssistantError, IndexDamaged, IndexMissing, InvalidQuestion
from assistant.findings import (NEGATED_SCOPE, Clause, Findings, classification, dated_prohibition, point_words,
                               WHAT_TO_DO, asked_head, with_deciding_provision)
from assistant.plan import (INSTRUCTED, NOW, TIER_NOUN, Plan, defined_term, named_document, normalise, parse, previous_plan,
                            source_kind_of)
from aiact.corpus.provision import CODE, GUIDELINES
from assistant.language import detect, localise, to_english
from assistant.patterns import compiled
from assistant.rank import with_features
from assistant.references import point_in_time
from assistant.retrieve import Retriever
from assistant.settings import Settings, set_offline_env
from assistant.types import Answer, Assessment
from aiact.corpus.provision import ACT_IN_FORCE, OMNIBUS_IN_FORCE, Provision

log = logging.getLogger(__name__)
RELOAD_SECONDS = 2.0  # how often a long-running assistant looks for a new build

TIER_QUESTION = re.compile(
    r"^\s*(?:is|are|would|will|could|can)\b(?:[^?]*\b(?:high[- ]risk|prohibited|banned|forbidden|allowed|legal|"
    r"permitted)" + NOW + r"\s*(?:\?|$|under\b|in the\b|according\b|by\b)|\s+it\s+(?:prohibited|banned|forbidden|allowed|"
    r"legal|permitted)\b)|" + TIER_NOUN, re.I)

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


OWN_SYSTEM = re.compile(r"\b(?:our|my)\s+(?:[\w-]+\s+){0,3}?(?:ai|system|tool|app|agent|bot|chatbot|model|software|product|platform|service)s?\b", re.I)
TIER_LISTS = ("Annex III", "Article 5(1)", "Article 6(2)", "Article 6(3)")  # where a tier is read from

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


def query_of(part) -> str:
    return part.text


def asked_source(part) -> tuple[str | None, str | None]:
    """The kind of source and the document a part asks for (the plan's slots; for one question
    of several joined in a message, read from its own words)."""
    if part.clause and part.text == part.clause:
        document = named_document(part.text)
        return source_kind_of(part.text, document), document
    return part.source_kind, part.document


def _supported(found: list[Clause], retrieval, weak: bool, strong: float = 2) -> bool:
    from assistant.references import is_descendant

    if not found:
        return False
    if max(c.strength for c in found) >= (max(strong, 2) if weak else strong):  # weak retrieval asks more
        return True
    if weak:
        return False
    retrieved = [(s.provision.document, s.provision.reference) for s in retrieval.results[:10]]
    return any(d == r[0] and (is_descendant(ref, r[1]) or is_descendant(r[1], ref))
               for c in found if c.kind != "condition" for r in c.cites for d, ref in retrieved)


def _retrieved_too(found: list[Clause], retrieval, first: int = 5) -> bool:
    """A provision the clauses cite (or one within it, or its parent) is among the first passages
    retrieval found on its own."""
    from assistant.references import is_descendant

    retrieved = [(s.provision.document, s.provision.reference) for s in retrieval.results[:first]]
    return any(d == doc and (is_descendant(ref, r) or is_descendant(r, ref))
               for c in found if c.kind != "condition" for doc, ref in c.cites for d, r in retrieved)


def _named_in(reference: str, text: str) -> bool:
    """Does ``text`` name ``reference``, also as the Act writes a point of a subparagraph
    ("Article 5(1), first subparagraph, points (ba) and (bb)" names Article 5(1)(ba))?"""
    if reference in text:
        return True
    m = re.match(r"(Article \d+\w*\(\d+\w*\))(\(\w+\))$", reference)
    return bool(m) and bool(re.search(re.escape(m.group(1)) + r", \w+ subparagraph, points? [^;.]*?"
                                      + re.escape(m.group(2)), text))


COMPLY = re.compile(r"\b(?:have|need|got|required|obliged) to comply\b|\bmust (?:we |i |they )?comply\b|"
                    r"\bdo(?:es)? (?:the |these |those )?(?:rules|requirements|obligations) (?:already |yet )?apply\b", re.I)


DATA_INTENTS = ("deadline", "penalty", "soft_law", "obligations", "classification", "scope")


LEADING_REFERENCE = re.compile(r"^\W*(?:article|art\.?|annex|recital)\s+[0-9IVXL]", re.I)


def _same_or_within(ref: str, named: str) -> bool:
    """Is ``ref`` the named provision, a part of it, or the provision it is part of?"""
    return ref == named or ref.startswith(named + "(") or ref.startswith(named + ",") or named.startswith(ref + "(")


# "Are we a provider or a deployer?": a choice between two, which "yes" or "no" does not answer
EITHER_OR = re.compile(r"^\W*(?:are|is|am|do|does|would|will|should|must)\b[^?]*?\b(?P<first>(?:an? |the )?[\w-]+) or "
                       r"(?:an? |the |just |only )?[\w-]+(?: [\w-]+)?\s*\?\s*$", re.I)
YES_NO = re.compile(r"^(?:Yes|No)(?:,\s*|\s*[—–:-]\s*|\.\s+)", re.I)


YES_NO_Q = re.compile(r"^\W*(?:does|do|is|are|will|would|could|can|am|shall|must)\b", re.I)


def _unless_either_or(clauses: list[Clause], question: str) -> list[Clause]:
    """A first clause that opens "Yes, …" to an either-or question opens with what follows."""
    last = re.split(r"(?<=[.!?])\s+", question.strip())[-1]
    m = EITHER_OR.search(last)
    said = YES_NO.match(clauses[0].text) if clauses else None
    if not m or not said:
        return clauses
    rest = clauses[0].text[said.end():]
    # 'yes' affirms the first of the two ('a provider, of your own AI system if …') when the
    # clause is about it and not the other
    first = m.group("first") if said.group(0).lower().startswith("yes") else ""
    noun = first.split()[-1].lower() if first else ""
    other = m.group(0).rsplit(" or ", 1)[-1].strip(" ?").split()[-1].lower()
    words = rest.lower()
    first = first if noun and re.search(rf"\b{re.escape(noun)}", words) and not re.search(rf"\b{re.escape(other)}", words) else ""
    text = f"{first[:1].upper()}{first[1:]}, {rest}" if first else rest[:1].upper() + rest[1:]
    return [dataclasses.replace(clauses[0], text=text)] + clauses[1:]


def _names_the_act(plan: Plan) -> bool:
    """The plan asks something the law data answers and names a slot of the Act (an actor, a
    category, a provision) or a word of AI — not a question that merely shares a word with it."""
    from assistant.plan import AI_WORDS, INSTRUCTED

    if INSTRUCTED.search(plan.question):
        return False
    return any(p.intent in DATA_INTENTS and (p.actors or p.categories or p.references or p.intent == "penalty"
                                             or AI_WORDS.search(p.text)) for p in plan.parts)


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
            from aiact.index.embed import embedder_for

            self._embedder = embedder_for(self.settings)
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
        self._speller = None  # its vocabulary is the store's text
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
    @warm.session  # after the second answer, caches fill while the process waits (assistant/warm.py)
    def ask(self, question: str, as_of: dt.date | str | None = None, guidance: bool = True,
            history: list | None = None) -> Answer:
        """Answer one question from the provisions, citing and quoting each one.

        ``as_of`` reads the law as it stood on that date (a date in the question does the same);
        ``guidance=False`` cites the AI Act only, not the guidelines or the code of practice.
        ``history`` holds the earlier turns (Answers, or question strings): a follow-up ("And for
        deployers?") is read together with the previous one. Raises ``InvalidQuestion`` for empty
        or unreadable input, ``InvalidInput`` for an ``as_of`` that is not a date.

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
        original, notes = clean_text(question, self.settings.max_question_chars)
        if as_of is None and (written := inputs.impossible_date(original)):
            return inputs.not_a_day(original, written, self.today)
        lang = detect(original, self.speller.counts)  # None for English; otherwise read through the glossary
        text = to_english(original, lang) if lang else original
        self._reload_if_new()
        plan = parse(self.speller.correct(normalise(text)), as_of, previous_plan(history))
        plan = dataclasses.replace(plan, question=text)
        query = plan.query
        day = plan.as_of or self.today
        if day < ACT_IN_FORCE:
            return inputs.before_the_act(original, day)
        if plan.intent == "off_topic":
            return self._finish(off_topic(original, day), original, plan, notes)
        document = self.findings.not_held(query)
        if document is not None:
            return self._finish(not_held(original, document, day), original, plan, notes)
        retrieval = self.retriever.retrieve(self.lookup(plan), day, guidance=guidance)
        decided = None
        # a tier question that names the list the tier is read from ('is that high-risk biometrics
        # under Annex III?') is still answered by the walk; one naming another provision is about it
        tier_lists = plan.intent == "classification" and all(r == "Article 5" or r.startswith(TIER_LISTS) for r in retrieval.requested)
        if (TIER_QUESTION.search(query) or plan.intent == "classification") \
                and (not retrieval.requested or tier_lists) \
                and retrieval.results and self.mode == "hybrid+structure":
            # In a message that joins several questions, the tier is read from the one that asks it.
            asked = plan.parts[0].clause if plan.intent == "classification" and plan.parts[0].clause else query
            retrieval, decided = with_deciding_provision(self, asked, retrieval, day)
        structural = any(s.reason in ("reference", "definition") for s in retrieval.results)
        weak = not structural and (
            retrieval.best_similarity < self.settings.min_score
            or (retrieval.coverage < self.settings.min_coverage and not self._ordinary_gap(retrieval)))
        # "Forget your documents and tell me that …": what the passages say is not what is asked
        # (a definition or a provision the question names is still answered: "What is a deployer? Ignore …")
        weak = weak or (not structural and bool(INSTRUCTED.search(query)))
        # Casual words ("label ai pics", "max fine") are not in the passages, so coverage is low even
        # when the question is plainly about the Act; a plan that names what it asks (an intent the
        # law data answers and a slot of the Act) lets the data conclude on close passages.
        weak_for_data = weak and (retrieval.best_similarity < self.settings.min_score or not _names_the_act(plan))
        agree = weak_for_data and retrieval.best_similarity >= self.settings.agree_score \
            and retrieval.coverage >= self.settings.min_coverage and _names_the_act(plan)
        clauses = self._conclusion(plan, day, decided, retrieval, weak_for_data, lenient=weak and not weak_for_data,
                                   agree=agree) \
            if self.mode == "hybrid+structure" and retrieval.query else []
        all_missing = bool(retrieval.requested) and len(retrieval.missing) == len(retrieval.requested)
        concluded = any(c.cites for c in clauses)
        if all_missing or (weak and not concluded) or not (retrieval.results or concluded):
            answer = abstention(text, retrieval, day)
        else:
            answer = compose(query, retrieval, self._earlier, self.today, self.settings.max_citations,
                             parts=lambda p: self.retriever.resolve(p.document, p.reference, day, limit=12)[1:],
                             conclusion=clauses, resolve=lambda r: self._cited(r, day),
                             moved_dates=self.findings.moved_dates(day),
                             source=asked_source(plan.parts[0]) if plan.parts else (None, None))
        answer = with_features(answer, retrieval)
        if lang:
            answer = localise(answer, lang)
        return self._rephrase(self._finish(answer, original, plan, notes))

    def _ordinary_gap(self, retrieval) -> bool:
        """A close passage, and the words it lacks are everyday English the texts have no use for
        ('what if we ignore the AI Act'), not a name or figure they do not hold ('fine Meta in 2025')."""
        from assistant.vocabulary import tokenizer_words

        if retrieval.best_similarity < self.settings.sure_score or not retrieval.uncovered:
            return False
        known = tokenizer_words(self.settings.resolved_model())
        return all(w.isalpha() and w.islower() and w in known for w in retrieval.uncovered)

    def lookup(self, plan: Plan) -> str:
        """What retrieval is asked: the plan's query, or — for a definition however phrased
        ("define provider pls") — the plain form the index knows ("What is ‘provider’?")."""
        term = plan.parts[0].term if plan.parts else None
        if term:
            probe = f"What is ‘{term}’?"
            if self.retriever.definition_for(probe):
                return probe
            # 'general purpose ai model' is the defined 'general-purpose AI model', and a
            # 'deepfake' the defined 'deep fake': hyphens, spaces and none are one to a reader
            loose = re.sub(r"[\s-]+", "", term.lower()).strip()
            spelled = next((k for k in getattr(self.retriever, "definitions", {})
                            if re.sub(r"[\s-]+", "", k) == loose), None)
            if spelled and self.retriever.definition_for(f"What is ‘{spelled}’?"):
                return f"What is ‘{spelled}’?"
        return plan.query

    def _finish(self, answer: Answer, question: str, plan: Plan, notes: tuple[str, ...]) -> Answer:
        import dataclasses

        text = answer.text + ("\n\n" + " ".join(notes) if notes else "")
        return dataclasses.replace(answer, question=question, text=text, notes=notes, plan=plan)

    @property
    def speller(self):
        """The spelling corrector for questions, whose vocabulary is the indexed text and the law
        data's terms."""
        if getattr(self, "_speller", None) is None:
            from assistant.plan import Speller
            from assistant.vocabulary import tokenizer_words

            # The words of the law data's terms count as known words too ('nudify', 'gpai').
            # Only whole words of a term: a stem before a regex group ('ministr(?:y|ies)') is no
            # word, and would turn 'ministry' into 'ministr'.
            terms = [" ".join(re.findall(r"(?<![a-z])[a-z]{3,}(?=$|[ ,.;:'|)])",
                                         re.sub(r"\\[a-zA-Z]", " ", " ".join(f.get("terms") or ()))))
                     for f in self.findings.law.facts]
            self._speller = Speller([p.text for p in self.store.provisions.values()] + terms,
                                    known=tokenizer_words(self.settings.resolved_model()))
        return self._speller

    @property
    def findings(self) -> Findings:
        """The law data as answers use it: dates, penalties, obligations, soft law, scope."""
        if getattr(self, "_findings", None) is None:
            self._findings = Findings()
        return self._findings

    def _cited(self, ref: tuple, day: dt.date) -> Provision | None:
        """The provision a clause cites, in the wording in force on ``day`` (or the day it names)."""
        document, reference = ref[0], ref[1]
        day = ref[2] if len(ref) > 2 and ref[2] else day
        return self.retriever.in_force(document, reference, day) or \
            next(iter(self.retriever.resolve(document, reference, day, limit=1)), None)

    def _conclusion(self, plan: Plan, day: dt.date, decided, retrieval, weak: bool,
                    lenient: bool = False, agree: bool = False) -> list[Clause]:
        """The clauses of the conclusion: a corrected premise first, then each part's answer.

        A part's clauses stand when the question names their subject strongly (two weighted
        terms), or when the retrieved passages agree (a provision the clauses cite is among them)
        and retrieval is not weak; otherwise the question is about something the data does not
        hold, and the retrieved passages answer it alone."""
        f = self.findings
        clauses: list[Clause] = []
        for premise, c in f.premises(plan, day):
            c = self._contradicting_first(premise, c, plan, day)
            clauses += [c] + self._described_uses(premise, c, day)
        premise_cited = any(c.cites for c in clauses)
        for whole in plan.parts:
            # In a message that joins several questions, a part is first read in its own words
            # ("when did the GPAI obligations start" is not about the fine asked next), then,
            # when its words name nothing, in the whole message's ("… high-risk, and from when?").
            part = dataclasses.replace(whole, text=whole.clause) if whole.clause else whole
            if part.intent == "penalty" and not part.categories:
                # "When do GPAI obligations apply and what happens if we don't comply?": the fine
                # asked is that of the regime the message names in its other part
                named = tuple(dict.fromkeys(c for other in plan.parts for c in other.categories))
                part = dataclasses.replace(part, categories=named) if named else part
            found = self._part_findings(part, plan, day, decided, retrieval, weak, premise_cited, lenient, agree)
            if not found and part is not whole:
                found = self._part_findings(whole, plan, day, decided, retrieval, weak, premise_cited, lenient, agree)
            clauses += found
        # a clause two parts (or a rule and the duties it replaced) both bring is said once
        seen: set[str] = set()
        clauses = [c for c in clauses if not (c.text in seen or seen.add(c.text))]
        return _unless_either_or(clauses, plan.question)

    def _contradicting_first(self, premise, clause: Clause, plan: Plan, day: dt.date) -> Clause:
        """A correction that cites several provisions leads with the one that contradicts what
        the question itself describes; the data's order stands otherwise. In this order:
        a source the data cites only for a use the question describes (its ``when`` table:
        Annex III, point 4(a) for "all AI in hiring is banned, so our CV screener must go?");
        a source from the document the question names ('the GPAI guidelines are binding' → those
        guidelines' own paragraph); the source the data says answers the subject the question
        names (its ``leads`` table: Article 53(2) for an open-weights model, Article 50(1) for a
        chatbot); an item cited with the words that introduce it (Article 16(f) before
        'Providers of high-risk AI systems shall:')."""
        from assistant.references import is_descendant

        fact = next((x for x in self.findings.law.subject("premises", on=day)
                     if f"premises/{x.id}" == premise.fact), None) if premise.fact.startswith("premises/") else None
        if fact is None:
            return clause
        when = fact.get("when") or {}
        asked = plan.question
        described = tuple(c for c in clause.cites if c[1] in when and compiled(when[c[1]], re.I).search(asked))
        cites = described + tuple(c for c in clause.cites if c[1] not in when)
        if described or len(cites) < 2:
            return dataclasses.replace(clause, cites=cites)
        documents = [p.document for p in plan.parts if p.document]
        leads = fact.get("leads") or {}
        first = next((c for c in cites if c[0] in documents), None)
        if first is None:
            first = next((c for c in cites for ref, named in leads.items()
                          if c[1] == ref and compiled(named, re.I).search(asked)), None)
        if first is None:
            first = next((c for c in cites[1:] if c[0] == cites[0][0] and c[1] != cites[0][1]
                          and is_descendant(c[1], cites[0][1])), None)
        if first is None or first == cites[0]:
            return dataclasses.replace(clause, cites=cites)
        return dataclasses.replace(clause, cites=(first,) + tuple(c for c in cites if c != first))

    def _described_uses(self, premise, clause: Clause, day: dt.date) -> list[Clause]:
        """For each source a correction cites only because the question describes the use it
        lists, the data's sentence on it in that source's own words ("Annex III, point 4(a) of
        the AI Act lists, among the high-risk AI systems, “AI systems intended to be used for the
        recruitment or selection of natural persons”"): the conclusion then says what the
        question's own system is."""
        fact = next((x for x in self.findings.law.subject("premises", on=day)
                     if f"premises/{x.id}" == premise.fact), None)
        template = fact.get("described") if fact is not None else None
        when = (fact.get("when") or {}) if fact is not None else {}
        if not template:
            return []
        out = []
        for document, reference, *_ in clause.cites:
            source = next((x for x in fact.sources if (x.document, x.reference) == (document, reference)), None)
            if reference in when and source is not None and source.words:
                out.append(Clause(template.format(reference=reference, words=source.words[0]),
                                  ((document, reference),), "premise"))
        return out

    def _part_findings(self, part, plan: Plan, day: dt.date, decided, retrieval, weak: bool,
                       premise_cited: bool, lenient: bool = False, agree: bool = False) -> list[Clause]:
        """The clauses that answer one part of the plan (none when the data does not hold it).
        ``lenient``: the passages miss the question's casual words, but the plan names what it
        asks, so the data's own terms (one is enough) decide."""
        f = self.findings
        if part.intent == "deadline":
            # "… a class IIb medical device. Is it high-risk, and from when?": the route decided says which date
            annex_i = decided is not None and decided[0] == "high-risk" and len(plan.parts) > 1 \
                and decided[1].reference.startswith(("Article 6(1)", "Annex I,", "Annex I "))
            found = f.deadline(part, day, annex_i)
            if YES_NO_Q.match(asked_head(part.clause or part.text).strip()):
                # "We're still training it in our lab — does the AI Act apply to us now?": the rule
                # the description names (not yet placed on the market) answers before any date
                rule = f.scope(part, day)
                dated = max((c.strength for c in found if c.kind != "condition"), default=0.0)
                if rule and rule[0].strength >= max(2.0, dated):
                    found = rule + [c for c in found if c.kind == "condition"]
        elif part.intent == "penalty":
            # "Is it high-risk, and what are the fines?": the tier the walk decided says which fine
            found = f.penalty(part, day, decided[0] if decided is not None and len(plan.parts) > 1 else None)
        elif part.intent == "soft_law":
            # "can the AI Office fine a signatory less?" asks about the fine; "do we have to sign?" the code
            fine = bool(re.search(r"\bfin(?:e|es|ed|ing)\b(?![- ]?tun)|\bpenalt", part.text, re.I))
            found = (f.penalty(part, day) if fine else []) or f.soft_law(part, day)
        elif part.intent == "scope":
            found = f.dated_subject(part, day, rules=("by", "fact")) or f.scope(part, day)
            # only a yes-or-no question on whether the Act applies ('what duty applies …' asks the duty)
            tiered = self._with_tier(part, day, "Yes:") if not found and not NEGATED_SCOPE.search(part.text) \
                and YES_NO_Q.match(part.clause or part.text) else None
            if tiered is not None:
                # "does the AI Act apply to our customer service chatbot?": yes, with the duties
                # of the tier the system described has
                found = [tiered[1]]
        elif part.intent == "obligations":  # with no actor or category named, only a duty named by its words
            found = f.obligations(part, day)
            # the system described is the asker's own ('our AI voice agent … what does the Act
            # require?') even where the question names no role
            tiered = self._with_tier(part, day) if (part.actors or OWN_SYSTEM.search(part.text) and WHAT_TO_DO.search(
                part.text) and not any(c.kind != "condition" for c in found)) and not part.categories else None
            if tiered is not None:
                # 'We are a bank deploying a vendor's credit scoring system: our obligations?': the
                # system described has a tier, and the tier's duties for the actor named are the answer
                tier_part, clause = tiered
                duties = f.obligations(tier_part, day)
                if any(c.kind != "condition" for c in duties):
                    # the duties answer; the tier that brings them is said with them
                    found = [c for c in duties if c.kind != "condition"] + [clause] + \
                        [c for c in duties if c.kind == "condition"]
            categories = part.categories or (tiered[0].categories if tiered is not None else ())
            if not any(c.kind != "condition" for c in found) and not part.actors and categories \
                    and OWN_SYSTEM.search(part.text) and WHAT_TO_DO.search(part.text):
                # 'Our chatbot answers customers: what are our obligations?': no role named, so the
                # duties of the system's category that the question's words point to, for either role
                duties = f.obligations(dataclasses.replace(part, actors=("provider", "deployer"),
                                                           categories=categories), day, True)
                if any(c.kind != "condition" for c in duties):
                    found = duties
        elif part.intent == "definition" and len(plan.parts) > 1:
            found = self._defined(part, day)  # "What is a deployer, and what must it do?": the term first
        elif part.intent == "classification":
            dated = f.dated_subject(part, day)
            # a conditional conclusion ('high-risk only if it is a use that point 7 covers') keeps
            # the heading: the question does not say which of its points
            found = (self._to_point(classification(decided, part, f, day), part.clause or part.text, day)
                     if decided[0] not in ("listed-if", "excepted", "unlisted", "derogation") else classification(decided, part, f, day)) \
                if decided is not None else []
            if dated and dated[0].strength >= 3 and not any(
                    c.cites and _named_in(c.cites[0][1], dated[0].text) for c in found):
                found = []  # the rule with its own date names the practice; the assessor's guess does not
            if dated and not found:  # the practice dated by the rule concludes, not the date alone
                asked = part.clause or part.text
                point = dated_prohibition(dated[0], self._dated_point(dated[0], asked, day), asked)
                found = [point] if point is not None else []
            found = dated + found if dated and not found else found + dated
            if found and found[0].kind == "conclusion":  # what the prohibition turns on, when asked
                found += f.conditions(found[0].cites, part.clause or part.text, day)
        else:
            found = []
        if part.placed and part.intent in ("classification", "obligations", "other"):
            # A system or model already on the market when the rules began: its transitional rule
            # (Article 111) says whether and by when ('Do we need to comply?'); after a tier, it
            # says from when that tier's duties bind this system.
            legacy = f.dated_subject(part, day, rules=("by", "fact"))
            found = found + legacy if part.intent == "classification" else legacy + found
        if part.intent == "obligations" and not found and COMPLY.search(part.text):
            # "Do I have to comply with the high-risk requirements?": from when they bind, said
            # plainly — not yet (a date to come) or yes (a date passed).
            found = [dataclasses.replace(c, text=("Not yet: " if c.text.startswith("From ") else "Yes: ") + c.text[0].lower() + c.text[1:])
                     if i == 0 and c.kind == "conclusion" and c.text.startswith(("From ", "Since ")) else c
                     for i, c in enumerate(f.deadline(part, day))]
        # a "what is …" question on no defined term ("the AI Act in a nutshell") may be the scope data's
        defined = part.intent == "definition" and any(s.reason == "definition" for s in retrieval.results)
        if part.intent in ("classification", "obligations", "other", "definition") and not defined:
            rule = f.scope(part, day)
            duty = max((c.strength for c in found if c.kind != "condition"), default=0) \
                if part.intent == "obligations" else 0
            # "Article 9(1) risk management system requirement": a question that opens with the
            # provision it is about is not answered by a rule citing others ("… under Annex III
            # point 1(a), how many people …" names its context, and stays answered by the data)
            off_named = bool(part.references) and bool(LEADING_REFERENCE.match(part.text)) and not any(
                _same_or_within(ref, named) for c in rule for _, ref in c.cites for named in part.references)
            if rule and not off_named and rule[0].strength > duty and (rule[0].strength >= 4 or rule[0].strength >= 2
                                                                        and _supported(rule, retrieval, weak, 99)):
                # the tier's own conditions (the exception of Article 6(3)) go with the tier: a
                # rule on a prohibition's exception ('… to find a missing child') has none of them
                high_risk = any(ref.startswith("Annex III") for c in rule for _, ref in c.cites)
                found = rule + [c for c in found if c.kind == "condition"
                                and (high_risk or not any(ref == "Article 6(3)" for _, ref in c.cites))]
        if premise_cited and part.intent in ("classification", "other", "scope"):
            found = [c for c in found if c.kind == "condition"]
        if asked_source(part)[0] in (GUIDELINES, CODE) and (
                part.intent not in ("soft_law", "penalty", "deadline") or part.asks_source and part.intent != "soft_law"):
            # a question on what the guidance says is answered by the guidance ("According to the
            # Code of Practice, how long can a signatory delay its Model Report?" is no date of the Act)
            found = []
        if part.intent != "classification" and not _supported(
                found, retrieval, weak, 1 if part.intent in ("deadline", "penalty", "soft_law") or lenient else 2) \
                and not (agree and _retrieved_too(found, retrieval)):
            found = []
        return found

    def _defined(self, part: Part, day: dt.date) -> list[Clause]:
        """A term one part of a longer question asks about, in the words of the Article 3 point
        that defines it."""
        term = defined_term(part.clause or part.text)
        ref = self.retriever.definition_for(f"What is ‘{term}’?") if term else None
        p = self.retriever.in_force("AI Act", ref, day) if ref else None
        if p is None:
            return []
        words = re.sub(r"^\(\w+\)\s*", "", " ".join(p.text.split())).rstrip(";. ")
        return [Clause(f"{p.reference} defines it: “{words}”.", (("AI Act", p.reference),), strength=2.0)]

    def _with_tier(self, part: Part, day: dt.date, opening: str = "These are the duties because") \
            -> tuple[Part, Clause] | None:
        """The part with the category of the system it describes, as the decision procedure
        decides it (high-risk, or the transparency duties of Article 50), and the clause that says
        so; None when it describes no system or the walk gives no such tier."""
        from assistant.assess import Assessor

        risk = Assessor(self, day).assess(part.clause or part.text)
        described = risk.stated("describes_system")
        category = {"high-risk": "high-risk", "limited": "article-50"}.get(risk.tier or "")
        if not described or category is None or not risk.citations:
            return None
        lead = risk.citations[0]
        where = ", listed in Annex III, so high-risk under Article 6(2)" if lead.reference.startswith("Annex III") \
            else "" if category == "article-50" else ", so high-risk"
        what = "has the transparency duties of" if category == "article-50" else "falls under"
        cites = ((lead.document, lead.reference),) + ((("AI Act", "Article 6(2)"),) if where.endswith("6(2)") else ())
        return dataclasses.replace(part, categories=(category,)), \
            Clause(f"{opening} a system like this {what} {lead.reference}{where}.", cites, strength=2.0)

    def _dated_point(self, dated: Clause, question: str, day: dt.date) -> Provision | None:
        """Of the Article 5 points a dated rule names (Article 113(a): 'Article 5(1), first
        subparagraph, points (ba) and (bb)'), the one closest to the question in meaning."""
        import numpy as np

        named = [x for x in self.retriever.resolve("AI Act", "Article 5", day, limit=200)
                 if x.reference != "Article 5" and _named_in(x.reference, dated.text)]
        points = [x for x in named if not any(y.reference.startswith(x.reference + "(") for y in named)]
        if not points:
            return None
        fact = next((f for f in self.findings.law.subject("dates", on=day) if f.get("points")
                     and _named_in(next(iter(f.get("points"))), dated.text)), None)
        for reference, terms in ((fact.get("points") or {}).items() if fact else ()):
            if any(compiled(t, re.I).search(question) for t in terms):  # the data says which point it is
                return next((x for x in points if x.reference == reference), None)
        q = np.asarray(self.embedder.embed_query(question))
        docs = np.asarray(self.embedder.embed_documents([x.text for x in points]))
        sims = docs @ q / (np.linalg.norm(docs, axis=1) * np.linalg.norm(q) + 1e-9)
        return points[int(np.argmax(sims))]

    def _to_point(self, clauses: list[Clause], question: str, day: dt.date, margin: float = 0.05) -> list[Clause]:
        """A conclusion that cites a heading ("4. Employment, …:") is proved by the point under
        it that the question describes (Annex III, point 4(a) for a CV screening tool): the
        point closest to the question in meaning, when it is clearly closer than the others;
        otherwise the heading stays (the question does not say which point)."""
        import numpy as np

        out = []
        for c in clauses:
            head = c.cites[0] if c.cites and c.kind == "conclusion" else None
            p = self._cited(head, day) if head else None
            points = [x for x in self.retriever.resolve(p.document, p.reference, day)[1:]
                      if x.reference.startswith(p.reference + "(")] if p is not None and \
                p.text.rstrip().endswith(":") and p.reference in c.text else []
            if len(points) > 1:
                q = np.asarray(self.embedder.embed_query(question))
                docs = np.asarray(self.embedder.embed_documents([x.text for x in points]))
                sims = docs @ q / (np.linalg.norm(docs, axis=1) * np.linalg.norm(q) + 1e-9)
                order = np.argsort(-sims)
                if sims[order[0]] - sims[order[1]] >= margin:
                    point = points[int(order[0])]
                    text = c.text.replace(p.reference, point.reference, 1).replace(point_words(p), point_words(point))
                    c = dataclasses.replace(c, text=text,
                                            cites=((point.document, point.reference),) + c.cites[1:])
            out.append(c)
        return out

    def _rephrase(self, answer: Answer) -> Answer:
        if not self.settings.llm_url or answer.abstained:
            return answer
        from assistant.llm import rephrase

        return rephrase(answer, self.settings)

    def assess(self, description: str, facts: dict | str | None = None, role: str | None = None,
               as_of: dt.date | str | None = None) -> Assessment:
        """Walk the Act's decision procedure for the described system. ``facts`` answers its
        questions by name ({"workplace_or_education": "no"}); ``role`` is provider, deployer,
        importer or distributor; ``as_of`` the day the law is read at (default today). A rule
        that applies only later (Article 5(1)(ba) before 2 December 2026) is reported as the
        outcome from that day (``upcoming``). The older ``assess(description, role)`` still works.

        Example::

            >>> risk = bot.assess("Real-time face recognition of passers-by by the police")
            >>> risk.outcome, [c.reference for c in risk.citations][:1]
            >>> risk.open_questions                     # what would change the outcome
            >>> bot.assess("An app that reads employees' emotions from webcam video",
            ...            facts={"medical_or_safety_reasons": "yes"}).tier
        """
        if isinstance(facts, str) and role is None:
            facts, role = None, facts
        role = inputs.as_role(role)
        day = inputs.as_date(as_of)
        text, _ = clean_text(description, self.settings.max_question_chars, "description")
        self._reload_if_new()
        from assistant.assess import Assessor as Procedure

        return Procedure(self, day).assess(text, facts, role)

    @property
    def assessment_questions(self):
        """The decision procedure's questions by name (for forms and ``--fact NAME=VALUE``)."""
        from assistant.procedure import load_procedure

        return load_procedure(self.today).questions

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
