"""Find the provisions that answer a question: hybrid retrieval plus the law's own structure.

Ranking signals, in order of trust: an explicit reference in the question ("Article 6(3)"); the
Article 3 definition of a term the question asks about; dense (MiniLM in Chroma) and BM25 results
fused by reciprocal rank; one hop along the cross-references of the best hits ("referred to in
Annex III"). Binding law outranks guidelines and the code of practice when both answer.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.references import DATE, find_other_references, find_references, is_descendant
from aiact.corpus.provision import BINDING, CODE, GUIDELINES, KIND_RANK, Provision
from aiact.index.chunk import chapters_named, split_sentences
from aiact.index.embed import Embedder
from aiact.index.stems import known as known_stems, rule_digest
from aiact.index.store import IndexStore
from assistant.candidates import cover, gather, opens_explanation
from assistant.patterns import compiled
from assistant.plan import COMPARE, QUANTITY_ASKED
from assistant.rank import load_ranker

MODES = ("dense", "bm25", "hybrid", "hybrid+structure")
KIND_WEIGHT = {BINDING: 1.0, "amending act": 0.8, GUIDELINES: 0.75, CODE: 0.75}
DEFINITION_Q = re.compile(
    r"^\s*(?:what(?:'s| is| are)(?: meant by)?|define|definition of|meaning of|what counts as|who counts as|"
    r"who (?:is|are)(?: considered)?|"
    r"what does the (?:ai )?act mean by|how does the (?:ai )?act define)\s+(?:an?\s+|the\s+)?"
    r"[‘'\"“]?(.+?)[’'\"”]?(?:\s+(?:under|in|according to) the (?:ai )?act)?\s*\??\s*$", re.I)
DEFINED_TERM = re.compile(r"^\((\d+[a-z]?)\)\s+‘([^’]+)’(?:\s+or\s+‘([^’]+)’)?")
QUOTED_TERM = re.compile(r"[‘'\"“]([^’'\"”]{2,60})[’'\"”]")
CROSS_REF = re.compile(
    r"(?:referred to in|pursuant to|listed in|in accordance with|set out in)\s+"
    r"((?:Article\s+\d+[a-z]?(?:\(\w{1,4}\))*)|(?:Annex\s+[IVX]+))")
# A question about a date, not any "when" ("when does a system become prohibited?" asks a condition).
WHEN_Q = re.compile(
    r"\b(from when|since when|by when|until when|what date|which date|deadline|dates?|how long|timeline|"
    r"transition\w*|originally)\b|\bwhen\b.*\b(appl(?:y|ies|ied|icable)|start\w*|begin\w*|enter\w*|take effect|"
    r"kick in|operational|in force|due|comply|complied|ready|adopt\w*|publish\w*|postpone\w*|delay\w*)\b", re.I)
AMOUNT_Q = re.compile(r"\b(fine|fines|penalt\w*|how much|amount|turnover|sanction\w*)\b", re.I)
HAS_AMOUNT = re.compile(r"EUR \d|\d+ ?%")
ANNEX_POINT_OF = re.compile(r"[Pp]oint (\d+(?:\([a-z]\))?) of Annex ([IVX]+)\b")
ARTICLE_AI_ACT = re.compile(r"\b(Article \d+[a-z]?(?:\(\w{1,4}\))+) (?:AI Act|of the AI Act|of this Regulation)")
REFERENCE_TEXT = re.compile(r"\b(?:Articles?|Art\.?|Annex|Recitals?)\s*[0-9IVXL]+[a-z]?(?:\s*\(\s*\w{1,4}\s*\))*"
                            r"(?:,?\s*point\s+\d+(?:\(\w\))?)?", re.I)
ABOUT_Q = re.compile(r"^\s*(what (?:does|do|did)\b.*\b(?:say|provide|state|contain|cover|require)|"
                     r"show|quote|explain|summari[sz]e|read|text of|content of|what is in)\b", re.I)
ABOUT_WORDS = {"say", "says", "said", "provid", "state", "contai", "cover", "requir", "text", "conten",
               "explai", "show", "quote", "mean", "origin", "curren", "wordin", "versio", "now"}
_STOP = set("""the and for with what which who when how does did shall should must can may this that
from under act regulation article annex point paragraph are is was were been being about into its
their there any all not only also other than then such""".split())
# "provider vs deployer", "the difference between an importer and a distributor": the plan's own words
COMPARE_WORDS = COMPARE
# ... but "provider vs deployer duties" compares what each must do, not what each is
DUTY_WORDS = re.compile(r"\b(?:dut(?:y|ies)|obligations?|must|requirements?|responsibilit\w*|rules)\b", re.I)
INSTRUCTION = re.compile(
    r"(ignore|disregard|forget)\b[^.?!]*\b(instructions?|rules?|prompts?|above)|"
    r"\byou are now\b|\bsystem prompt\b|\bpretend\b|\bact as\b|\b(say|reply|answer|respond|output)\s+"
    r"(only\s+)?(that|with|exactly|:)", re.I)


@dataclass(frozen=True)
class Scored:
    provision: Provision
    score: float  # fused rank score, only for ordering
    similarity: float  # best cosine similarity of one of its nodes to the question (0 if none)
    reason: str  # "reference", "definition", "retrieved" or "cross-reference"
    features: dict = field(default_factory=dict, compare=False)  # what it ranked by (assistant/rank.py)


@dataclass
class Retrieval:
    results: list[Scored]
    as_of: dt.date
    requested: list[str] = field(default_factory=list)  # explicit references in the question
    missing: list[str] = field(default_factory=list)  # of those, the ones that do not exist
    best_similarity: float = 0.0
    coverage: float = 1.0  # share of the question's content words found in the best passages
    uncovered: tuple[str, ...] = ()  # those words, as the question spells them, the passages lack
    query: str = ""


def strip_instructions(question: str) -> str:
    """Sentences that try to instruct the assistant are not part of the legal question."""
    parts = re.split(r"(?<=[.?!])\s+", question)
    kept = [p for p in parts if not INSTRUCTION.search(p)]
    return " ".join(kept).strip()


class Retriever:
    def __init__(self, store: IndexStore, embedder: Embedder, candidates: int = 40, rrf_k: int = 60,
                 mode: str = "hybrid+structure"):
        if mode not in MODES:
            raise ValueError(f"retrieval mode must be one of {MODES}, not {mode!r}")
        self.store, self.embedder, self.k, self.rrf_k, self.mode = store, embedder, candidates, rrf_k, mode
        self.by_reference: dict[tuple[str, str], list[Provision]] = defaultdict(list)
        for p in store.provisions.values():
            self.by_reference[(p.document, p.reference)].append(p)
        self.definitions = self._definitions()
        # (document, reference) → the references within it: 'Article 5' → 'Article 5(1)', …
        self.descendants: dict[tuple[str, str], list[str]] = defaultdict(list)
        for doc, ref in self.by_reference:
            for ancestor in ancestors(ref):
                self.descendants[(doc, ancestor)].append(ref)

    # -- structure -------------------------------------------------------------------------
    def _definitions(self) -> dict[str, str]:
        """Defined term (lower case) → reference of its Article 3 point."""
        out = {}
        for (doc, ref), versions in self.by_reference.items():
            if doc != "AI Act" or not ref.startswith("Article 3("):
                continue
            m = DEFINED_TERM.match(versions[0].text)
            if m:
                for term in filter(None, (m.group(2), m.group(3))):
                    out[_term_key(term)] = ref
        return out

    def in_force(self, document: str, reference: str, as_of: dt.date) -> Provision | None:
        versions = self.by_reference.get((document, reference), [])
        live = [p for p in versions if p.in_force_on(as_of)]
        return (live or [None])[0]

    def resolve(self, document: str, reference: str, as_of: dt.date, limit: int = 8) -> list[Provision]:
        """The provision itself, then its paragraphs and points in order ('Article 113' gives the
        opening sentences and points (a) to (d))."""
        exact = self.in_force(document, reference, as_of)
        children = sorted((p for r in self.descendants.get((document, reference), ())
                           for p in self.by_reference[(document, r)] if p.in_force_on(as_of)),
                          key=lambda p: p.order)
        return (([exact] if exact else []) + children)[:limit]

    def definition_for(self, question: str) -> str | None:
        m = DEFINITION_Q.match(question)
        if not m or QUANTITY_ASKED.search(question):  # 'what is the compute threshold …' asks a figure
            return None
        quoted = QUOTED_TERM.search(question)
        for term in ([quoted.group(1)] if quoted else []) + [m.group(1)]:
            ref = self.definitions.get(_term_key(term))
            if ref:
                return ref
        return None

    # -- retrieval -------------------------------------------------------------------------
    def retrieve(self, question: str, as_of: dt.date, guidance: bool = True, limit: int = 8) -> Retrieval:
        query = strip_instructions(question)
        out = Retrieval([], as_of, query=query)
        if not query:
            return out  # nothing but instructions to the assistant: no legal question to answer
        if self.mode != "hybrid+structure":
            fused = self._fused(query, as_of, guidance)
            out.best_similarity = max((s.similarity for s in fused), default=0.0)
            out.results = fused[:limit]
            return out
        found = gather(self, query, as_of, guidance)
        out.requested, out.missing = found.requested, found.missing
        out.best_similarity = found.best_similarity
        ranker = load_ranker()
        ranked = sorted((Scored(c.provision, ranker.score(c.features), c.similarity, c.reason, c.features)
                         for c in found.candidates.values()),
                        key=lambda s: (-s.score, KIND_RANK.get(s.provision.kind, 9), s.provision.order))
        out.results = _definitions_first(
            _asked_first(cover(ranked, query, ranker.meta.get("coverage", {}), self.opens_explanation),
                         ranked, query), ranked, query)[:limit]
        held = _held_by(found.fused_top)  # the passages' stems, read once for both
        out.coverage = coverage(query, found.fused_top, held)
        out.uncovered = uncovered(query, found.fused_top, held) if out.coverage < 1.0 else ()
        return out

    def opens_explanation(self, p: Provision) -> bool:
        """Whether a guideline paragraph opens the section explaining a rule (see cover())."""
        return opens_explanation(self, p)

    def _application_dates(self, best: list[Scored], as_of: dt.date) -> list[Scored]:
        """For a 'when' question whose best passages state no date: the provisions that set the
        date for their chapter ('Chapter V … shall apply from 2 August 2025' for Article 53)."""
        out: list[Scored] = []
        for rank, s in enumerate(best):
            p = s.provision
            if p.kind != BINDING or DATE.search(p.text) or not p.path:
                continue
            chapter = _chapter_of(p.path)
            if not chapter:
                continue
            for i in self.store.dated_nodes(as_of):
                q = self.store.provisions[self.store.node_provision[i]]
                named = chapters_named(q.text)
                if (chapter[0], "") in named or chapter in named:
                    out.append(Scored(q, 1.2 - 0.05 * rank, s.similarity, "application date"))
        return out

    def _fused(self, query: str, as_of: dt.date, guidance: bool) -> list[Scored]:
        node_scores: dict[int, float] = defaultdict(float)
        similarity: dict[int, float] = {}
        query = expand_abbreviations(query)
        if self.mode != "bm25":
            embedding = self.embedder.embed_query(query)
            dense = self.store.dense(embedding, as_of, self.k)
            for rank, hit in enumerate(dense):
                node_scores[hit.node_index] += 1.0 / (self.rrf_k + rank + 1)
                similarity[hit.node_index] = hit.score
            if self.mode == "hybrid+structure" and WHEN_Q.search(query):
                # Dates live in few provisions; rank those directly so a 'when' question
                # reaches them even when other passages share more of its words.
                for rank, hit in enumerate(self.store.dense_among(embedding, self.store.dated_nodes(as_of), 10)):
                    node_scores[hit.node_index] += 1.0 / (self.rrf_k + rank + 1)
                    similarity[hit.node_index] = max(similarity.get(hit.node_index, 0.0), hit.score)
        if self.mode != "dense":
            for rank, hit in enumerate(self.store.bm25(query, as_of, self.k)):
                node_scores[hit.node_index] += 1.0 / (self.rrf_k + rank + 1)
        by_provision: dict[str, tuple[float, float]] = {}
        for i, score in node_scores.items():
            pid = self.store.node_provision[i]
            best, sim = by_provision.get(pid, (0.0, 0.0))
            by_provision[pid] = (max(best, score), max(sim, similarity.get(i, 0.0)))
        when, amount = bool(WHEN_Q.search(query)), bool(AMOUNT_Q.search(query))
        weights = kind_weights(query)
        results = []
        for pid, (score, sim) in by_provision.items():
            p = self.store.provisions[pid]
            if not guidance and p.kind in (GUIDELINES, CODE):
                continue
            if self.mode == "hybrid+structure":
                score *= weights.get(p.kind, 0.75)
                if p.reference.startswith("Recital"):
                    score *= 0.8  # recitals explain; the articles decide
                if when and DATE.search(p.text):
                    score *= 1.35
                if amount and HAS_AMOUNT.search(p.text):
                    score *= 1.35
            results.append(Scored(p, score, sim, "retrieved"))
        results.sort(key=lambda s: (-s.score, KIND_RANK.get(s.provision.kind, 9)))
        return results

    def _with_cross_references(self, results: list[Scored], as_of: dt.date) -> list[Scored]:
        """Follow one hop from the three best hits to the provisions they point at."""
        present = {s.provision.id for s in results}
        extra: list[tuple[int, Scored]] = []
        for rank, s in enumerate(results[:5]):
            for ref in _cross_references(s.provision.text)[:2]:
                for p in self.resolve("AI Act", ref, as_of, limit=1):
                    if p.id not in present:
                        present.add(p.id)
                        extra.append((rank, Scored(p, s.score * 0.5, s.similarity * 0.9, "cross-reference")))
        merged = list(results)
        for pos, s in reversed(extra):
            merged.insert(min(pos + 2, len(merged)), s)
        return merged


# Casual questions write them in lower case ('gpai', 'fria', 'ce mark'); 'ce' alone stays the
# French word a translated question may keep, so only 'ce' before 'mark' is the CE marking.
ABBREVIATIONS = {
    r"(?i:\bGPAI\b)": "general-purpose AI", r"(?i:\bFRIA\b)": "fundamental rights impact assessment",
    r"(?i:\bRBI\b)": "remote biometric identification", r"\bSMEs?\b": "SME small and medium-sized enterprise",
    r"\bSMCs?\b": "SMC small mid-cap enterprise", r"(?i:\bFLOPs?\b)": "floating point operations",
    r"(?i:\bQMS\b)": "quality management system", r"\bCE\b|(?i:\bce(?=[- ]?mark))": "CE marking",
    r"\bCVs?\b": "curriculum vitae job applications of candidates",
}


ASKS_GUIDELINES = re.compile(r"\bguidelines?\b|\bguidance\b|\bthe commission (?:says|explains)\b", re.I)
ASKS_CODE = re.compile(r"\bcode of practice\b|\bsignator(?:y|ies)\b|\bmeasure \d", re.I)
ASKS_OMNIBUS = re.compile(r"\bomnibus\b|\b2026/1744\b|\bamending (?:act|regulation)\b", re.I)


def kind_weights(query: str) -> dict[str, float]:
    """Binding law first, unless the question asks what a particular kind of source says."""
    weights = dict(KIND_WEIGHT)
    for pattern, kind in ((ASKS_GUIDELINES, GUIDELINES), (ASKS_CODE, CODE), (ASKS_OMNIBUS, "amending act")):
        if pattern.search(query):
            weights[kind] = 1.2
    return weights


def asked_kind(query: str) -> str | None:
    for pattern, kind in ((ASKS_CODE, CODE), (ASKS_GUIDELINES, GUIDELINES), (ASKS_OMNIBUS, "amending act")):
        if pattern.search(query):
            return kind
    return None


def expand_abbreviations(query: str) -> str:
    """The Act spells out what users abbreviate ('GPAI' → 'general-purpose AI')."""
    for pattern, full in ABBREVIATIONS.items():
        query = compiled(pattern).sub(lambda m: f"{m.group(0)} ({full})", query)
    return query


def ancestors(reference: str) -> list[str]:
    """'Annex III, point 4(a)' → ['Annex III, point 4', 'Annex III']; 'Article 5(1)(f)' →
    ['Article 5(1)', 'Article 5'] — every reference it lies within (see is_descendant)."""
    out = []
    while True:
        cut = max(reference.rfind("("), reference.rfind(","))
        if cut <= 0:
            return out
        reference = reference[:cut]
        out.append(reference)


def _cross_references(text: str) -> list[str]:
    """Specific provisions a text points at: 'referred to in Article 6(2)', 'point 4(a) of Annex
    III', 'Article 5(1)(a) AI Act'. Whole articles are too broad to count as evidence."""
    return list(_cross_references_of(text))


@lru_cache(maxsize=16384)  # the same provision texts for every question: read once per process
def _cross_references_of(text: str) -> tuple[str, ...]:
    out = []
    for m in CROSS_REF.finditer(text):
        ref = re.sub(r"\s+", " ", m.group(1))
        if not (ref.startswith("Article") and "(" not in ref):
            out.append(ref)
    for m in ANNEX_POINT_OF.finditer(text):
        out.append(f"Annex {m.group(2)}, point {m.group(1)}")
    for m in ARTICLE_AI_ACT.finditer(text):
        out.append(m.group(1))
    return tuple(dict.fromkeys(out))


def _about_references(question: str) -> bool:
    """Is the question about the provisions it names ('What does Article 6 say?') rather than
    naming them as a qualifier ('systems listed in Annex III')?"""
    rest = REFERENCE_TEXT.sub(" ", question)
    words = [w for w in _stems(rest) if w not in ABOUT_WORDS]
    return len(words) <= 1 or bool(ABOUT_Q.match(question))


def _stems(text: str) -> frozenset[str]:
    return _stems_cached(text)


@lru_cache(maxsize=32768)
def _stems_cached(text: str) -> frozenset[str]:
    # Every question compares itself with the same provision texts, titles and sentences: their
    # stems are worked out once per process (a quarter of a warm answer's time before), or read
    # from the build, which stored them under this very rule (aiact.index.stems).
    found = known_stems(text, stem_rule())
    return found if found is not None else content_stems(text)


def content_stems(text: str) -> frozenset[str]:
    return frozenset(w[:6] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2)


@lru_cache(maxsize=1)
def stem_rule() -> str:
    return rule_digest(content_stems)


CHAPTER_PATH = re.compile(r"^CHAPTER ([IVX]+)(?:, SECTION (\d+))?")


def _chapter_of(path: tuple[str, ...]) -> tuple[str, str] | None:
    """('V', '2') for a provision in Chapter V, Section 2."""
    found = None
    for heading in path:
        m = CHAPTER_PATH.match(heading)
        if m:
            found = (m.group(1), m.group(2) or "")
    return found


def _asked_first(results: list[Scored], ranked: list[Scored], query: str) -> list[Scored]:
    """'What does Article 50(2) require and from when?' asks two things: what the named provision
    says, and its date. The date words must not push the provision asked about out of the answer:
    it leads, the dates follow."""
    if not (WHEN_Q.search(query) and ABOUT_Q.match(query)):
        return results
    named = [s for s in ranked if s.features and s.features.get("named_subject") and s.features.get("named_about")]
    if not named:
        return results
    return [named[0]] + [s for s in results if s.provision.id != named[0].provision.id]


def _definitions_first(results: list[Scored], ranked: list[Scored], query: str) -> list[Scored]:
    """'What is the difference between a provider and a deployer?' is answered by both
    definitions: when a question compares defined terms, each of them leads."""
    asked = [s for s in ranked if s.reason == "definition"]
    if len(asked) < 2 or not COMPARE_WORDS.search(query) or DUTY_WORDS.search(query):
        return results
    ids = {s.provision.id for s in asked}
    return asked + [s for s in results if s.provision.id not in ids]


def _held_by(provisions: list[Provision]):
    """Whether the passages hold a stem of the question. A five-letter word of the question is
    its own stem; the passages often hold a longer form of it ("label" / "labelling", "cover" /
    "covered", "model" / "models")."""
    seen: set[str] = set()
    for p in provisions:
        seen |= _stems(f"{p.title} {p.text}")
    longer = {s[:5] for s in seen if len(s) > 5}
    return lambda w: w in seen or (len(w) == 5 and w in longer)


def coverage(query: str, provisions: list[Provision], held=None) -> float:
    """How much of what the question asks about the best passages speak of at all: a question
    about the GDPR or VAT finds AI Act passages, but not its own key terms in them."""
    q = _stems(expand_abbreviations(query))
    if not q:
        return 1.0
    held = held or _held_by(provisions)
    return sum(held(w) for w in q) / len(q)


def uncovered(query: str, provisions: list[Provision], held=None) -> tuple[str, ...]:
    """The question's words (as it spells them) whose stems none of the best passages hold —
    what ``coverage`` counts against the question."""
    held = held or _held_by(provisions)
    return tuple(word for word in re.findall(r"[\w'’-]+", expand_abbreviations(query))
                 if (stems := _stems(word)) and not all(held(w) for w in stems))


def _overlap(q: set[str], text: str) -> float:
    return len(q & _stems(text)) / (1 + len(q))


def _mentions(text: str, reference: str) -> bool:
    if reference.startswith("Annex"):
        head, _, point = reference.partition(", point ")
        if point:
            return f"point {point} of {head}" in text or reference in text
        return bool(compiled(re.escape(head) + r"\b").search(text))
    return bool(compiled(re.escape(reference) + r"(?![0-9a-z])").search(text))


def _term_key(term: str) -> str:
    t = re.sub(r"[‘’'\"“”]", "", term.lower()).strip()
    t = re.sub(r"^(an?|the)\s+", "", t)
    t = re.sub(r"\s+(system|model)s$", r" \1", t)
    return t[:-1] if t.endswith("s") and not t.endswith("ss") and len(t) > 4 else t
